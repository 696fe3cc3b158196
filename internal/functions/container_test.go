package functions

import (
	"slices"
	"strings"
	"testing"
)

func TestLoopbackHostPort(t *testing.T) {
	for in, want := range map[string]string{
		"http://127.0.0.1:4566":          "127.0.0.1:4566",
		"http://localhost:4566":          "localhost:4566",
		"http://[::1]:4566":              "[::1]:4566",
		"http://127.0.0.1":               "",
		"https://lambda.amazonaws.com":   "",
		"http://10.0.0.5:4566":           "",
		"":                               "",
		"http://example.localhost:4566/": "",
	} {
		if got := loopbackHostPort(in); got != want {
			t.Errorf("loopbackHostPort(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestContainerEnviron(t *testing.T) {
	spec := &Spec{FunctionName: "f", MemoryMB: 256, Endpoint: "http://127.0.0.1:4566", Env: map[string]string{"FOO": "bar"}}
	env := containerEnviron(spec, "127.0.0.1:9001", "/aws/lambda/f", "s", initOnDemand, Credentials{AccessKeyID: "AK", SecretAccessKey: "SK"},
		caFiles{file: "/data/tls/ca.pem", bundle: "/data/tls/bundle.pem"})
	has := func(kv string) bool { return slices.Contains(env, kv) }
	for _, kv := range []string{"AWS_LAMBDA_RUNTIME_API=127.0.0.1:9001", "FOO=bar", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=256",
		"LAMBDA_TASK_ROOT=/var/task", "AWS_ENDPOINT_URL=http://127.0.0.1:4566", "AWS_ACCESS_KEY_ID=AK",
		"AWS_CA_BUNDLE=/var/virga/bundle.pem", "NODE_EXTRA_CA_CERTS=/var/virga/ca.pem"} {
		if !has(kv) {
			t.Errorf("missing %s in %v", kv, env)
		}
	}
	for _, kv := range env {
		if strings.HasPrefix(kv, "PATH=") || strings.HasPrefix(kv, "LD_LIBRARY_PATH=") || strings.HasPrefix(kv, "AWS_EXECUTION_ENV=") {
			t.Errorf("%s set: the image's configuration sets it", kv)
		}
	}
	// A function's own PATH stays.
	spec.Env["PATH"] = "/opt/bin"
	env = containerEnviron(spec, "127.0.0.1:9001", "/aws/lambda/f", "s", initOnDemand, Credentials{}, caFiles{})
	if !slices.Contains(env, "PATH=/opt/bin") {
		t.Errorf("the function's PATH is lost: %v", env)
	}
}
