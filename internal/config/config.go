package config

import (
	"fmt"
	"log/slog"
	"net"
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
	// Pprof serves Go's profiler under /_virga/debug/pprof/, for
	// measuring virga itself.
	Pprof bool `json:"pprof"`
	// ConsoleRemote serves the web console (/_virga/console/) to
	// clients on other machines too. By default it answers only
	// requests from loopback addresses to a loopback host name, because
	// it reads every service without asking for credentials.
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

// Default returns the configuration virga runs with when told nothing.
func Default() Config {
	return Config{
		Listen:            "127.0.0.1:4566",
		DataDir:           "./.virga",
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
