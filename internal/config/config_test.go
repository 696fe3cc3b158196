package config

import (
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
)

func TestDefaultIsValid(t *testing.T) {
	t.Parallel()
	c := Default()
	if err := c.Validate(); err != nil {
		t.Fatalf("Default().Validate() = %v", err)
	}
	// The defaults are a contract (DESIGN.md, decision 9).
	if c.Listen != "127.0.0.1:4566" || c.DataDir != "./.virga" || c.Region != "us-east-1" ||
		c.AccountID != "000000000000" || c.Auth != AuthAccept || c.InMemory {
		t.Errorf("Default() = %+v", c)
	}
	if len(c.Credentials) != 1 || c.Credentials[0] != (Credential{AccessKeyID: "test", SecretAccessKey: "test"}) {
		t.Errorf("default credentials = %+v, want test:test", c.Credentials)
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		change func(*Config)
		err    string // a substring of the error; empty means valid
	}{
		{"default", func(*Config) {}, ""},
		{"port 0", func(c *Config) { c.Listen = "127.0.0.1:0" }, ""},
		{"all interfaces", func(c *Config) { c.Listen = ":4566" }, ""},
		{"IPv6", func(c *Config) { c.Listen = "[::1]:4566" }, ""},
		{"host name", func(c *Config) { c.Listen = "localhost:4566" }, ""},
		{"listen without port", func(c *Config) { c.Listen = "127.0.0.1" }, `--listen "127.0.0.1"`},
		{"listen empty", func(c *Config) { c.Listen = "" }, "--listen"},
		{"listen IPv6 without brackets", func(c *Config) { c.Listen = "::1:4566:x:y" }, "--listen"},
		{"in memory without data dir", func(c *Config) { c.InMemory, c.DataDir = true, "" }, ""},
		{"no data dir", func(c *Config) { c.DataDir = "" }, "--data-dir is empty"},
		{"store pebble", func(c *Config) { c.Store = "pebble" }, ""},
		{"store empty is pebble", func(c *Config) { c.Store = "" }, ""},
		{"store postgres", func(c *Config) { c.Store = "postgres://u:p@db:5432/virga" }, ""},
		{"store postgresql", func(c *Config) { c.Store = "postgresql://db/virga" }, ""},
		{"store other scheme", func(c *Config) { c.Store = "mysql://u:secret@db/virga" }, `--store "mysql": want pebble or a postgres:// URL`},
		{"store postgres in memory", func(c *Config) { c.Store, c.InMemory = "postgres://u:secret@db/virga", true }, "--in-memory keeps the embedded store in memory; it cannot be used with --store postgres://u:xxxxx@db/virga"},
		{"store postgres fsync", func(c *Config) { c.Store, c.Fsync = "postgres://db/virga", true }, "--fsync applies to the embedded store"},
		{"other region", func(c *Config) { c.Region = "eu-west-3" }, ""},
		{"gov region", func(c *Config) { c.Region = "us-gov-west-1" }, ""},
		{"three-part region", func(c *Config) { c.Region = "ap-southeast-5" }, ""},
		{"region upper case", func(c *Config) { c.Region = "US-EAST-1" }, `--region "US-EAST-1" is not an AWS region name`},
		{"region without number", func(c *Config) { c.Region = "us-east" }, "--region"},
		{"region empty", func(c *Config) { c.Region = "" }, "--region"},
		{"region injection", func(c *Config) { c.Region = "us-east-1\n" }, "--region"},
		{"account", func(c *Config) { c.AccountID = "123456789012" }, ""},
		{"account short", func(c *Config) { c.AccountID = "12345" }, `--account-id "12345" must be 12 digits`},
		{"account long", func(c *Config) { c.AccountID = "1234567890123" }, "--account-id"},
		{"account letters", func(c *Config) { c.AccountID = "12345678901a" }, "--account-id"},
		{"auth sigv4", func(c *Config) { c.Auth = AuthSigV4 }, ""},
		{"auth iam", func(c *Config) { c.Auth = AuthIAM }, ""},
		{"auth bogus", func(c *Config) { c.Auth = "none" }, `--auth "none": want accept, sigv4 or iam`},
		{"iam without credentials", func(c *Config) { c.Auth, c.Credentials = AuthIAM, nil }, "--auth iam needs at least one --credentials"},
		{"auth empty", func(c *Config) { c.Auth = "" }, "--auth"},
		{"auth upper case", func(c *Config) { c.Auth = "SIGV4" }, "--auth"},
		{"sigv4 without credentials", func(c *Config) { c.Auth, c.Credentials = AuthSigV4, nil }, "--auth sigv4 needs at least one --credentials"},
		{"accept without credentials", func(c *Config) { c.Credentials = nil }, ""},
		{"log level debug", func(c *Config) { c.LogLevel = "debug" }, ""},
		{"log level warn", func(c *Config) { c.LogLevel = "warn" }, ""},
		{"log level error", func(c *Config) { c.LogLevel = "error" }, ""},
		{"log level loud", func(c *Config) { c.LogLevel = "loud" }, `--log-level "loud": want debug, info, warn or error`},
		{"log level empty", func(c *Config) { c.LogLevel = "" }, "--log-level"},
		{"log format json", func(c *Config) { c.LogFormat = "json" }, ""},
		{"log format xml", func(c *Config) { c.LogFormat = "xml" }, `--log-format "xml": want text or json`},
		{"log format empty", func(c *Config) { c.LogFormat = "" }, "--log-format"},
		{"otlp endpoint", func(c *Config) { c.OTLPEndpoint = "http://localhost:4318" }, ""},
		{"otlp endpoint without scheme", func(c *Config) { c.OTLPEndpoint = "localhost:4318" }, `--otlp-endpoint "localhost:4318": want an http:// or https:// URL`},
		{"otlp endpoint grpc", func(c *Config) { c.OTLPEndpoint = "grpc://collector:4317" }, "--otlp-endpoint"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := Default()
			tc.change(&c)
			err := c.Validate()
			switch {
			case tc.err == "" && err != nil:
				t.Errorf("Validate() = %v, want nil", err)
			case tc.err != "" && err == nil:
				t.Errorf("Validate() = nil, want an error containing %q", tc.err)
			case tc.err != "" && !strings.Contains(err.Error(), tc.err):
				t.Errorf("Validate() = %q, want it to contain %q", err, tc.err)
			}
		})
	}
}

func TestParseCredential(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in      string
		want    Credential
		wantErr bool
	}{
		{"test:test", Credential{"test", "test"}, false},
		{"AKIAIOSFODNN7EXAMPLE:wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", Credential{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}, false},
		// Only the first colon separates: secrets may contain colons.
		{"key:sec:ret", Credential{"key", "sec:ret"}, false},
		{"key::", Credential{"key", ":"}, false},
		{"", Credential{}, true},
		{"nocolon", Credential{}, true},
		{":secret", Credential{}, true},
		{"key:", Credential{}, true},
		{":", Credential{}, true},
	} {
		got, err := ParseCredential(tc.in)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("ParseCredential(%q) = %+v, %v; want %+v, error %v", tc.in, got, err, tc.want, tc.wantErr)
		}
		if err != nil {
			if !strings.Contains(err.Error(), "ACCESS_KEY_ID:SECRET_ACCESS_KEY") {
				t.Errorf("ParseCredential(%q) error %q does not say what is wanted", tc.in, err)
			}
		}
	}
}

func TestSlogLevel(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]slog.Level{"debug": slog.LevelDebug, "info": slog.LevelInfo, "warn": slog.LevelWarn, "error": slog.LevelError, "INFO": slog.LevelInfo} {
		c := Config{LogLevel: in}
		got, err := c.SlogLevel()
		if err != nil || got != want {
			t.Errorf("SlogLevel(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
}

// TestSecretsAreNotMarshalled guards /_virga/info, which prints the
// configuration as JSON.
func TestSecretsAreNotMarshalled(t *testing.T) {
	t.Parallel()
	c := Default()
	c.Credentials = []Credential{{AccessKeyID: "AKIDX", SecretAccessKey: "very-secret-value"}}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "very-secret-value") || strings.Contains(strings.ToLower(string(b)), "secret") {
		t.Errorf("configuration JSON carries a secret: %s", b)
	}
	if !strings.Contains(string(b), `"accessKeyId":"AKIDX"`) {
		t.Errorf("configuration JSON lacks the access key id: %s", b)
	}
}

func TestOTLPTracesURL(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"http://localhost:4318":                  "http://localhost:4318/v1/traces",
		"http://localhost:4318/":                 "http://localhost:4318/v1/traces",
		"https://collector.example:443/otlp":     "https://collector.example:443/otlp/v1/traces",
		"http://127.0.0.1:4318/v1/traces":        "http://127.0.0.1:4318/v1/traces",
		"http://127.0.0.1:4318/custom/v1/traces": "http://127.0.0.1:4318/custom/v1/traces",
	} {
		if got, err := OTLPTracesURL(in); err != nil || got != want {
			t.Errorf("OTLPTracesURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}
