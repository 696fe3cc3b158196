package functions

import (
	"os"
	"slices"
	"strings"
	"testing"
)

// TestNodeSDKVersionWarning: the SDK's node version warning is turned off
// only when the host's node is older than the runtime the function names.
func TestNodeSDKVersionWarning(t *testing.T) {
	t.Parallel()
	const off = "AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true"
	for _, tc := range []struct {
		runtime, host string
		want          bool
	}{
		{"nodejs22.x", "20", true},
		{"nodejs24.x", "22", true},
		{"nodejs20.x", "20", false},
		{"nodejs18.x", "20", false},
		{"nodejs22.x", "", false},
	} {
		rt, err := resolveRuntime(tc.runtime)
		if err != nil {
			t.Fatal(err)
		}
		rt.host = tc.host
		env := environ(&Spec{FunctionName: "f", Handler: "index.handler"}, rt, envPaths{taskRoot: "/var/task", runtimeDir: "/var/runtime"}, "127.0.0.1:1", "g", "s", initOnDemand, Credentials{})
		if got := slices.Contains(env, off); got != tc.want {
			t.Errorf("%s on node %q: warning off %v, want %v", tc.runtime, tc.host, got, tc.want)
		}
	}
}

// TestXRayDaemonAddress: functions are told the X-Ray daemon's address
// when virga runs one, before the user's variables, which may override
// it as on Lambda.
func TestXRayDaemonAddress(t *testing.T) {
	t.Parallel()
	rt, err := resolveRuntime("python3.12")
	if err != nil {
		t.Fatal(err)
	}
	p := envPaths{taskRoot: "/var/task", runtimeDir: "/var/runtime", xrayDaemon: "127.0.0.1:2000"}
	env := environ(&Spec{FunctionName: "f", Handler: "app.handler"}, rt, p, "127.0.0.1:1", "g", "s", initOnDemand, Credentials{})
	if !slices.Contains(env, "AWS_XRAY_DAEMON_ADDRESS=127.0.0.1:2000") || !slices.Contains(env, "AWS_XRAY_CONTEXT_MISSING=LOG_ERROR") {
		t.Errorf("environment lacks the X-Ray variables: %v", env)
	}
	p.xrayDaemon = ""
	env = environ(&Spec{FunctionName: "f", Handler: "app.handler"}, rt, p, "127.0.0.1:1", "g", "s", initOnDemand, Credentials{})
	if slices.ContainsFunc(env, func(v string) bool { return len(v) > 24 && v[:24] == "AWS_XRAY_DAEMON_ADDRESS=" }) {
		t.Errorf("AWS_XRAY_DAEMON_ADDRESS set with the daemon off")
	}
}

// TestRubyPaths: GEM_HOME, GEM_PATH and RUBYLIB as Lambda sets them for
// a Ruby function, with the host ruby's ABI directories before the
// runtime's when the two differ.
func TestRubyPaths(t *testing.T) {
	t.Parallel()
	p := envPaths{taskRoot: "/var/task", runtimeDir: "/var/runtime", optDir: "/opt"}
	for _, tc := range []struct {
		runtime, host, gemPath string
	}{
		{"ruby3.3", "3.3", "/var/task/vendor/bundle/ruby/3.3.0:/opt/ruby/gems/3.3.0:/var/runtime:/var/runtime/ruby/3.3.0"},
		{"ruby3.4", "3.1", "/var/task/vendor/bundle/ruby/3.1.0:/opt/ruby/gems/3.1.0:/var/task/vendor/bundle/ruby/3.4.0:/opt/ruby/gems/3.4.0:" +
			"/var/runtime:/var/runtime/ruby/3.1.0:/var/runtime/ruby/3.4.0"},
	} {
		rt, err := resolveRuntime(tc.runtime)
		if err != nil {
			t.Fatal(err)
		}
		rt.host = tc.host
		env := environ(&Spec{FunctionName: "f", Handler: "app.handler"}, rt, p, "127.0.0.1:1", "g", "s", initOnDemand, Credentials{})
		for _, want := range []string{"GEM_HOME=/var/runtime", "GEM_PATH=" + tc.gemPath, "RUBYLIB=/var/task:/var/runtime/lib:/opt/ruby/lib",
			"AWS_EXECUTION_ENV=AWS_Lambda_" + tc.runtime} {
			if !slices.Contains(env, want) {
				t.Errorf("%s on ruby %s: no %s in %v", tc.runtime, tc.host, want, env)
			}
		}
	}
}

// TestCAVariables: with virga's authority, every runtime trusts it
// through the variables the SDKs read, which a function may override.
func TestCAVariables(t *testing.T) {
	t.Parallel()
	for _, id := range []string{"python3.12", "nodejs20.x", "provided.al2023"} {
		rt, err := resolveRuntime(id)
		if err != nil {
			t.Fatal(err)
		}
		p := envPaths{taskRoot: "/var/task", runtimeDir: "/var/runtime", caFile: sandboxCAFile, caBundle: sandboxCABundle}
		env := environ(&Spec{FunctionName: "f", Handler: "h"}, rt, p, "127.0.0.1:1", "g", "s", initOnDemand, Credentials{})
		if !slices.Contains(env, "AWS_CA_BUNDLE=/var/virga/bundle.pem") || !slices.Contains(env, "NODE_EXTRA_CA_CERTS=/var/virga/ca.pem") {
			t.Errorf("%s: %v", id, env)
		}
		env = environ(&Spec{FunctionName: "f", Handler: "h", Env: map[string]string{"AWS_CA_BUNDLE": "/var/task/mine.pem"}}, rt, p,
			"127.0.0.1:1", "g", "s", initOnDemand, Credentials{})
		if !slices.Contains(env, "AWS_CA_BUNDLE=/var/task/mine.pem") || slices.Contains(env, "AWS_CA_BUNDLE=/var/virga/bundle.pem") {
			t.Errorf("%s: the function's AWS_CA_BUNDLE is not kept: %v", id, env)
		}
		env = environ(&Spec{FunctionName: "f", Handler: "h"}, rt, envPaths{taskRoot: "/var/task"}, "127.0.0.1:1", "g", "s", initOnDemand, Credentials{})
		if slices.ContainsFunc(env, func(v string) bool {
			return strings.HasPrefix(v, "AWS_CA_BUNDLE=") || strings.HasPrefix(v, "NODE_EXTRA_CA_CERTS=")
		}) {
			t.Errorf("%s: CA variables without an authority: %v", id, env)
		}
	}
}

// TestOlderVersion compares major then minor versions.
func TestOlderVersion(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		host, want string
		older      bool
	}{{"3.1", "3.2", true}, {"3.2", "3.2", false}, {"3.4", "3.2", false}, {"2.7", "3.2", true}, {"", "3.2", false}, {"x", "3.2", false}} {
		if got := olderVersion(tc.host, tc.want); got != tc.older {
			t.Errorf("olderVersion(%q, %q) = %v", tc.host, tc.want, got)
		}
	}
}

// FuzzOlderVersion: any two version strings compare without a panic, and
// never each below the other.
func FuzzOlderVersion(f *testing.F) {
	for _, s := range [][2]string{{"3.1", "3.2"}, {"3.4", "3.2"}, {"20", "22"}, {"", "3.2"}, {"3.1.2", "3"}, {"x.1", "3.y"}, {"-1.0", "3.2"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		if olderVersion(a, b) && olderVersion(b, a) {
			t.Errorf("%q and %q are each older than the other", a, b)
		}
	})
}

// TestHostsFileAppends: names are appended once each, after the host's entries.
func TestHostsFileAppends(t *testing.T) {
	t.Parallel()
	h, err := newHostsFile(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer h.remove()
	host, _ := os.ReadFile("/etc/hosts")
	h.add("a1.execute-api.localhost", "bad name\n127.0.0.1 evil", "")
	h.add("a1.execute-api.localhost", "b2.execute-api.localhost")
	got, _ := os.ReadFile(h.path)
	if !strings.HasPrefix(string(got), string(host)) {
		t.Fatalf("the host's entries are not kept:\n%s", got)
	}
	if !strings.HasSuffix(string(got), "\n127.0.0.1\ta1.execute-api.localhost\n127.0.0.1\tb2.execute-api.localhost\n") || strings.Contains(string(got), "evil") {
		t.Fatalf("hosts file:\n%s", got)
	}
}
