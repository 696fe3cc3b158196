package paramsecrets

import (
	"strconv"
	"strings"
	"time"
)

// The extension's defaults and limits, as its configuration variables
// are documented.
const (
	// DefaultPort: "PARAMETERS_SECRETS_EXTENSION_HTTP_PORT ... Default: 2773".
	DefaultPort = 2773
	// defaultTTL and maxTTL: the TTLs default to 300 seconds, "Valid
	// values: 0 to 300 s"; a larger value is cut to 300.
	defaultTTL = 300 * time.Second
	maxTTL     = 300 * time.Second
	// defaultCacheSize and maxCacheSize: "Valid values: 0 to 1000.
	// Default: 1000".
	defaultCacheSize = 1000
	maxCacheSize     = 1000
)

// config is an environment's configuration of the extension, read from
// the function's variables.
type config struct {
	port           int
	cacheEnabled   bool
	cacheSize      int
	ssmTTL         time.Duration
	secretsTTL     time.Duration
	ssmTimeout     time.Duration
	secretsTimeout time.Duration
}

// readConfig reads the extension's variables; a value that is not valid
// leaves its default.
func readConfig(env map[string]string) config {
	c := config{port: DefaultPort, cacheEnabled: true, cacheSize: defaultCacheSize, ssmTTL: defaultTTL, secretsTTL: defaultTTL}
	if p, err := strconv.Atoi(env["PARAMETERS_SECRETS_EXTENSION_HTTP_PORT"]); err == nil && p >= 1 && p <= 65535 {
		c.port = p
	}
	if b, err := strconv.ParseBool(strings.TrimSpace(env["PARAMETERS_SECRETS_EXTENSION_CACHE_ENABLED"])); err == nil {
		c.cacheEnabled = b
	}
	if n, err := strconv.Atoi(env["PARAMETERS_SECRETS_EXTENSION_CACHE_SIZE"]); err == nil && n >= 0 {
		c.cacheSize = min(n, maxCacheSize)
	}
	c.ssmTTL = ttl(env["SSM_PARAMETER_STORE_TTL"])
	c.secretsTTL = ttl(env["SECRETS_MANAGER_TTL"])
	c.ssmTimeout = millis(env["SSM_PARAMETER_STORE_TIMEOUT_MILLIS"])
	c.secretsTimeout = millis(env["SECRETS_MANAGER_TIMEOUT_MILLIS"])
	return c
}

func ttl(v string) time.Duration {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return defaultTTL
	}
	return min(time.Duration(n)*time.Second, maxTTL)
}

func millis(v string) time.Duration {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0
	}
	return time.Duration(n) * time.Millisecond
}

// caches reports whether answers are kept at all.
func (c config) caches() bool {
	return c.cacheEnabled && c.cacheSize > 0 && (c.ssmTTL > 0 || c.secretsTTL > 0)
}
