package config

import (
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Config is everything `virga up` can be told.
type Config struct {
	// Listen is the address the edge listens on. The default is loopback
	// only; listening elsewhere exposes virga to the network.
	Listen string `json:"listen"`
	// DataDir is where virga keeps its data between runs.
	DataDir string `json:"dataDir"`
	// InMemory keeps all data in memory: nothing is written to disk and
	// everything is gone when virga stops.
	InMemory bool `json:"inMemory"`
	// Fsync acknowledges a write only once it is fsynced, so it survives a
	// crash of the machine or a power loss. Without it a write is
	// acknowledged once it is written to the operating system: it survives
	// any crash or kill of virga, and reaches the disk within 100 ms.
	Fsync bool `json:"fsync"`
	// Store is where virga keeps its state: "pebble" (the default, an
	// embedded store under DataDir) or the URL of a PostgreSQL-protocol
	// database (postgres://user:password@host:5432/db), which virga
	// uses alone. DataDir still holds functions' and containers' files.
	Store string `json:"store"`
	// Region is the AWS region virga presents itself as.
	Region string `json:"region"`
	// AccountID is the 12-digit AWS account id resources belong to.
	AccountID string `json:"accountId"`
	// Auth is how requests are authenticated: "accept" takes any
	// well-formed (or no) signature; "sigv4" verifies SigV4 signatures
	// against Credentials and STS-issued temporary credentials; "iam"
	// verifies them too and enforces IAM policies on every AWS API call
	// (Credentials are the account root's and may do anything).
	Auth string `json:"auth"`
	// Credentials are the long-term access keys known to virga.
	Credentials []Credential `json:"credentials"`
	// LogLevel is debug, info, warn or error.
	LogLevel string `json:"logLevel"`
	// LogFormat is text or json.
	LogFormat string `json:"logFormat"`
	// LambdaConcurrency is the account's concurrent executions limit
	// for Lambda functions (AWS's default is 1,000).
	LambdaConcurrency int `json:"lambdaConcurrency"`
	// XRayDaemon is the UDP address (host:port) on which virga receives
	// X-Ray segments as the X-Ray daemon does; functions are given it as
	// AWS_XRAY_DAEMON_ADDRESS. The default is loopback only; empty (or
	// "0") turns the daemon off.
	XRayDaemon string `json:"xrayDaemon"`
	// OTLPEndpoint, when set, is the URL of an OpenTelemetry collector's
	// OTLP/HTTP receiver (http://localhost:4318) to which virga exports
	// the X-Ray segments it stores, as spans in protobuf. Traces are
	// posted to its /v1/traces, unless the URL's path already ends so.
	OTLPEndpoint string `json:"otlpEndpoint"`
	// ContainerdAddress is the socket of a running containerd that runs
	// containers (ECS tasks). When empty, virga starts its own containerd
	// under DataDir/containerd when the first container starts.
	ContainerdAddress string `json:"containerdAddress"`
	// HostVolumeRoot is the host directory under which ECS task
	// definitions' host.sourcePath volumes may lie. When empty (the
	// default) no host path is mounted into a container: a task
	// definition is a request anyone with ecs:RegisterTaskDefinition
	// can make, and virga runs containers as root.
	HostVolumeRoot string `json:"hostVolumeRoot"`
	// Python, Node, Ruby and Java are the interpreters python3.x,
	// nodejs*.x, ruby3.x and java* functions run on (a path); empty means
	// python3, node, ruby and java from PATH. Java's JDK must have javac,
	// which compiles virga's Java bootstrap once.
	Python string `json:"python"`
	Node   string `json:"node"`
	Ruby   string `json:"ruby"`
	Java   string `json:"java"`
	// Pprof serves Go's profiler under /_virga/debug/pprof/, for
	// measuring virga itself.
	Pprof bool `json:"pprof"`
	// ConsoleRemote serves the web console (/_virga/console/) to
	// clients on other machines too. By default it answers only
	// requests from loopback addresses to a loopback host name, because
	// it reads every service without AWS credentials (under --auth
	// sigv4 or iam it asks for the token virga logs at start instead).
	ConsoleRemote bool `json:"consoleRemote"`
	// ShutdownTimeout bounds how long in-flight requests may run after
	// virga is told to stop.
	ShutdownTimeout time.Duration `json:"shutdownTimeout"`
}

// Credential is a long-term access key pair.
type Credential struct {
	AccessKeyID     string `json:"accessKeyId"`
	SecretAccessKey string `json:"-"`
}

// The authentication modes.
const (
	AuthAccept = "accept"
	AuthSigV4  = "sigv4"
	AuthIAM    = "iam"
)

// StorePebble is Config.Store's default: the embedded Pebble store.
const StorePebble = "pebble"

// StoreIsSQL reports whether Store names a PostgreSQL-protocol database.
func (c *Config) StoreIsSQL() bool {
	return strings.HasPrefix(c.Store, "postgres://") || strings.HasPrefix(c.Store, "postgresql://")
}

// StoreRedacted is Store with any password in it replaced by "xxxxx".
func (c *Config) StoreRedacted() string {
	if !c.StoreIsSQL() {
		return c.Store
	}
	u, err := url.Parse(c.Store)
	if err != nil {
		scheme, _, _ := strings.Cut(c.Store, "://")
		return scheme + "://(unparsable URL)"
	}
	return u.Redacted()
}

// Default returns the configuration virga runs with when told nothing.
func Default() Config {
	return Config{
		Listen:            "127.0.0.1:4566",
		DataDir:           "./.virga",
		Store:             StorePebble,
		Region:            "us-east-1",
		AccountID:         "000000000000",
		Auth:              AuthAccept,
		Credentials:       []Credential{{AccessKeyID: "test", SecretAccessKey: "test"}},
		LogLevel:          "info",
		LogFormat:         "text",
		ShutdownTimeout:   10 * time.Second,
		LambdaConcurrency: 1000,
		XRayDaemon:        "127.0.0.1:2000",
	}
}

// ParseCredential reads "KEY:SECRET".
func ParseCredential(s string) (Credential, error) {
	k, v, ok := strings.Cut(s, ":")
	if !ok || k == "" || v == "" {
		// The value may hold a secret: name only its access key id.
		return Credential{}, fmt.Errorf("credentials for %q: want ACCESS_KEY_ID:SECRET_ACCESS_KEY", k)
	}
	return Credential{AccessKeyID: k, SecretAccessKey: v}, nil
}

var (
	regionRe  = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d$`)
	accountRe = regexp.MustCompile(`^\d{12}$`)
)

// Validate checks the configuration and says what is wrong in terms of
// the flag a user would change.
func (c *Config) Validate() error {
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		return fmt.Errorf("--listen %q: %v", c.Listen, err)
	}
	switch {
	case c.Store == "" || c.Store == StorePebble:
	case c.StoreIsSQL():
		if c.InMemory {
			return fmt.Errorf("--in-memory keeps the embedded store in memory; it cannot be used with --store %s", c.StoreRedacted())
		}
		if c.Fsync {
			return fmt.Errorf("--fsync applies to the embedded store; with --store %s durability is the PostgreSQL server's (its fsync and synchronous_commit settings)", c.StoreRedacted())
		}
	default:
		scheme, _, _ := strings.Cut(c.Store, "://")
		return fmt.Errorf("--store %q: want pebble or a postgres:// URL", scheme)
	}
	if !c.InMemory && c.DataDir == "" {
		return fmt.Errorf("--data-dir is empty (use --in-memory to keep no data)")
	}
	if !regionRe.MatchString(c.Region) {
		return fmt.Errorf("--region %q is not an AWS region name such as us-east-1", c.Region)
	}
	if !accountRe.MatchString(c.AccountID) {
		return fmt.Errorf("--account-id %q must be 12 digits", c.AccountID)
	}
	switch c.Auth {
	case AuthAccept, AuthSigV4, AuthIAM:
	default:
		return fmt.Errorf("--auth %q: want accept, sigv4 or iam", c.Auth)
	}
	if c.Auth != AuthAccept && len(c.Credentials) == 0 {
		return fmt.Errorf("--auth %s needs at least one --credentials KEY:SECRET", c.Auth)
	}
	if c.LambdaConcurrency < 1 {
		return fmt.Errorf("--lambda-concurrency %d: must be at least 1", c.LambdaConcurrency)
	}
	if c.XRayDaemon != "" && c.XRayDaemon != "0" {
		if _, _, err := net.SplitHostPort(c.XRayDaemon); err != nil {
			return fmt.Errorf("--xray-daemon %q: %v", c.XRayDaemon, err)
		}
	}
	if c.OTLPEndpoint != "" {
		if _, err := OTLPTracesURL(c.OTLPEndpoint); err != nil {
			return err
		}
	}
	if _, err := c.SlogLevel(); err != nil {
		return err
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		return fmt.Errorf("--log-format %q: want text or json", c.LogFormat)
	}
	return nil
}

// SlogLevel returns LogLevel as a slog.Level.
func (c *Config) SlogLevel() (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return 0, fmt.Errorf("--log-level %q: want debug, info, warn or error", c.LogLevel)
	}
	return l, nil
}

// otlpTracesPath is where an OTLP/HTTP receiver takes traces, below its
// base URL (the OpenTelemetry protocol specification's default).
const otlpTracesPath = "/v1/traces"

// OTLPTracesURL is the URL traces are posted to for --otlp-endpoint
// endpoint: the endpoint's path followed by /v1/traces, as OpenTelemetry
// SDKs treat OTEL_EXPORTER_OTLP_ENDPOINT, unless the path ends in
// /v1/traces already.
func OTLPTracesURL(endpoint string) (string, error) {
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("--otlp-endpoint %q: want an http:// or https:// URL, such as http://localhost:4318", endpoint)
	}
	if !strings.HasSuffix(u.Path, otlpTracesPath) {
		u.Path = strings.TrimSuffix(u.Path, "/") + otlpTracesPath
		u.RawPath = ""
	}
	return u.String(), nil
}
