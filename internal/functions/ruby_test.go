package functions

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/virga/virga/internal/testenv"
)

const rubyHandler = `
require 'logger'
require 'layermod'

def handler(event:, context:)
  puts "hello from ruby", "second line"
  Logger.new($stdout).warn('careful')
  {
    event: event,
    requestId: context.aws_request_id,
    functionName: context.function_name,
    version: context.function_version,
    memory: context.memory_limit_in_mb,
    arn: context.invoked_function_arn,
    group: context.log_group_name,
    stream: context.log_stream_name,
    deadline: context.deadline_ms,
    remaining: context.get_remaining_time_in_millis,
    clientContext: context.client_context,
    identity: context.identity,
    trace: ENV['_X_AMZN_TRACE_ID'],
    execEnv: ENV['AWS_EXECUTION_ENV'],
    gemPath: ENV['GEM_PATH'],
    rubyLib: ENV['RUBYLIB'],
    layer: LayerMod::VALUE,
    contextClass: context.class.name,
  }
end

def fail(event:, context:)
  raise ArgumentError, 'bad value'
end

class Custom < StandardError; end

def custom(event:, context:)
  raise Custom, 'mine'
end

def raw(event:, context:)
  StringIO.new('not json')
end

def huge(event:, context:)
  'x' * 7_000_000
end

module Outer
  class Inner
    def self.call(event:, context:)
      "nested #{event['k']}"
    end
  end
end
`

func TestRubyRuntime(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "ruby")
	m := newPools(t, nil)
	layer := t.TempDir()
	os.MkdirAll(filepath.Join(layer, "ruby", "lib"), 0o755)
	os.WriteFile(filepath.Join(layer, "ruby", "lib", "layermod.rb"), []byte("module LayerMod\n  VALUE = 'from a layer'\nend\n"), 0o644)
	files := map[string]string{
		"lib/app.rb": rubyHandler,
		"broken.rb":  "def handler(event:, context:)\n  [1,\nend\n",
		"raising.rb": "raise 'at load'\n",
	}
	s := spec(t, "ruby3.3", "lib/app.handler", files)
	s.LayerDirs = []string{layer}
	inv := &Invocation{RequestID: testIDs.UUID(), Payload: []byte(`{"k":[1,2]}`), TraceID: "Root=1-abc", Tail: true,
		ClientContext: `{"custom":{"a":"b"}}`, CognitoIdentity: `{"cognitoIdentityId":"id-1"}`}
	res, err := m.Invoke(context.Background(), s, inv)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(res.Payload, &out); err != nil || res.FunctionError != "" {
		t.Fatalf("%v %q: %s\n%s", err, res.FunctionError, res.Payload, res.LogTail)
	}
	want := map[string]any{
		"requestId": inv.RequestID, "functionName": s.FunctionName, "version": "$LATEST", "memory": "128",
		"arn": s.ARN, "group": "/aws/lambda/" + s.FunctionName, "trace": "Root=1-abc",
		"execEnv": "AWS_Lambda_ruby3.3", "layer": "from a layer", "contextClass": "LambdaContext",
	}
	for k, v := range want {
		if out[k] != v {
			t.Errorf("%s = %v, want %v", k, out[k], v)
		}
	}
	if r, _ := out["remaining"].(float64); r <= 0 || r > 3000 {
		t.Errorf("remaining %v", out["remaining"])
	}
	if d, _ := out["deadline"].(float64); d < 1e12 {
		t.Errorf("deadline_ms %v", out["deadline"])
	}
	for k, v := range map[string]string{"event": `{"k":[1,2]}`, "clientContext": `{"custom":{"a":"b"}}`,
		"identity": `{"cognitoIdentityId":"id-1"}`} {
		if got, _ := json.Marshal(out[k]); string(got) != v {
			t.Errorf("%s %s, want %s", k, got, v)
		}
	}
	// GEM_PATH and RUBYLIB as Lambda sets them, with the host ruby's ABI
	// directories first.
	gemPath, _ := out["gemPath"].(string)
	if !strings.Contains(gemPath, "/vendor/bundle/ruby/3.3.0") || !strings.Contains(gemPath, "/ruby/gems/3.3.0") {
		t.Errorf("GEM_PATH %q", gemPath)
	}
	if lib, _ := out["rubyLib"].(string); !strings.HasSuffix(lib, "/ruby/lib") || strings.Count(lib, ":") != 2 {
		t.Errorf("RUBYLIB %q", lib)
	}
	tail := string(res.LogTail)
	if !strings.Contains(tail, "hello from ruby\rsecond line\n") ||
		!strings.Contains(tail, "  WARN "+inv.RequestID+" -- : careful\n") || !strings.Contains(tail, "W, [") {
		t.Errorf("tail:\n%s", tail)
	}

	// Each handler form; then errors as AWS's Ruby runtime shapes them.
	for _, c := range []struct{ handler, payload, want string }{
		{"lib/app.Outer::Inner.call", `{"k":"v"}`, `"nested v"`},
		{"lib/app.raw", `{}`, `not json`},
	} {
		s2 := *s
		s2.Key, s2.Handler = s.Key+c.handler, c.handler
		if res := invoke(t, m, &s2, c.payload); res.FunctionError != "" || string(res.Payload) != c.want {
			t.Errorf("%s: %s\n%s", c.handler, res.Payload, res.LogTail)
		}
	}
	// A response over 6 MB fails its invocation; the environment stays
	// and serves the next one warm, as AWS's runtime goes on.
	huge := *s
	huge.Key, huge.Handler = s.Key+"huge", "lib/app.huge"
	if res := invoke(t, m, &huge, `{}`); !strings.Contains(string(res.Payload), "Function.ResponseSizeTooLarge") {
		t.Errorf("huge: %.200s", res.Payload)
	}
	if res := invoke(t, m, &huge, `{}`); !strings.Contains(string(res.Payload), "Function.ResponseSizeTooLarge") || res.InitDuration != 0 {
		t.Errorf("huge, again: %.200s (init %v)", res.Payload, res.InitDuration)
	}

	for _, c := range []struct{ handler, typ, msg, log string }{
		{"lib/app.fail", "Function<ArgumentError>", "bad value", "Error raised from handler method"},
		{"lib/app.custom", "Function<Custom>", "mine", "Error raised from handler method"},
		{"lib/app.nothere", "Function<NoMethodError>", "undefined method ", "Critical exception from handler"},
		{"lib/app.Nope.handler", "Function<NameError>", "uninitialized constant Nope", "Critical exception from handler"},
		{"nope.handler", "Init<LoadError>", "cannot load such file -- nope", "Init error when loading handler nope.handler"},
		{"broken.handler", "Init<SyntaxError>", "", "Init error when loading handler"},
		{"raising.handler", "Init<RuntimeError>", "at load", "Init error when loading handler"},
		{"nodot", "Init<ArgumentError>", `Invalid handler ["nodot"], must be of form FILENAME.METHOD or FILENAME.CLASS.METHOD`, "Init error"},
	} {
		s2 := *s
		s2.Key, s2.Handler = s.Key+c.handler, c.handler
		res := invoke(t, m, &s2, `{}`)
		var doc struct {
			ErrorType, ErrorMessage string
			StackTrace              []string
		}
		if err := json.Unmarshal(res.Payload, &doc); err != nil || res.FunctionError != "Unhandled" {
			t.Errorf("%s: %q %s", c.handler, res.FunctionError, res.Payload)
			continue
		}
		if doc.ErrorType != c.typ || !strings.HasPrefix(doc.ErrorMessage, c.msg) || doc.StackTrace == nil ||
			!strings.Contains(string(res.LogTail), c.log) {
			t.Errorf("%s: %s\n%s", c.handler, res.Payload, res.LogTail)
		}
		if strings.Contains(doc.ErrorMessage, "\n") {
			t.Errorf("%s: a message with hints: %q", c.handler, doc.ErrorMessage)
		}
		if c.typ == "Function<ArgumentError>" && (len(doc.StackTrace) != 1 || !strings.Contains(doc.StackTrace[0], "lib/app.rb:31:in `fail'")) {
			t.Errorf("stack trace %q", doc.StackTrace)
		}
	}
}

// TestRubyJSONLogs: in JSON log format a Logger on standard output
// writes JSON records at the application log level.
func TestRubyJSONLogs(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "ruby")
	m := newPools(t, nil)
	s := spec(t, "ruby3.2", "app.handler", map[string]string{"app.rb": `require 'logger'
def handler(event:, context:)
  log = Logger.new($stdout, progname: 'app')
  log.info('quiet')
  log.warn('loud')
  log.error(IOError.new('broken'))
  'ok'
end
`})
	s.LogFormat, s.ApplicationLogLevel = LogFormatJSON, "WARN"
	inv := &Invocation{RequestID: testIDs.UUID(), Payload: []byte(`{}`), Tail: true}
	res, err := m.Invoke(context.Background(), s, inv)
	if err != nil || res.FunctionError != "" {
		t.Fatalf("%v %s", err, res.Payload)
	}
	var records []map[string]any
	for _, line := range strings.Split(string(res.LogTail), "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) == nil && rec["logger"] == "app" {
			records = append(records, rec)
		}
	}
	if len(records) != 2 || records[0]["level"] != "WARN" || records[0]["message"] != "loud" || records[0]["requestId"] != inv.RequestID ||
		records[1]["errorType"] != "IOError" || records[1]["errorMessage"] != "broken" {
		t.Errorf("records %v\n%s", records, res.LogTail)
	}
}

// A Ruby function does not load the libraries the host's distribution
// installs for its ruby (Debian's ruby-xmlrpc in vendor_ruby): AWS's
// Ruby runtimes have none of them. The standard library and RubyGems
// still load.
func TestRubySeesNoHostLibraries(t *testing.T) {
	t.Parallel()
	ruby := testenv.Tool(t, "ruby")
	if exec.Command(ruby, "-e", "require 'xmlrpc/client'").Run() != nil {
		t.Skip("the host's ruby has no xmlrpc (Debian: ruby-xmlrpc): nothing to prove here")
	}
	m := newPools(t, nil)
	s := spec(t, "ruby3.3", "app.handler", map[string]string{
		"app.rb":  "require 'json'\nrequire 'set'\nrequire 'rubygems/version'\ndef handler(event:, context:)\n  Gem::Version.new('1.2') < Gem::Version.new('1.10')\nend\n",
		"host.rb": "require 'xmlrpc/client'\ndef handler(event:, context:)\n  1\nend\n",
	})
	if res := invoke(t, m, s, `{}`); res.FunctionError != "" || string(res.Payload) != "true" {
		t.Errorf("standard library: %s %s", res.FunctionError, res.Payload)
	}
	s2 := *s
	s2.Key, s2.Handler = s.Key+"host", "host.handler"
	res := invoke(t, m, &s2, `{}`)
	if typ, msg := errorOf(t, res); typ != "Init<LoadError>" || msg != "cannot load such file -- xmlrpc/client" {
		t.Errorf("require 'xmlrpc/client': %s %q", typ, msg)
	}
	// The trace starts at the function's require, as Ruby's own would.
	var doc struct{ StackTrace []string }
	json.Unmarshal(res.Payload, &doc)
	if len(doc.StackTrace) == 0 || !strings.Contains(doc.StackTrace[0], "host.rb:1:in ") {
		t.Errorf("require 'xmlrpc/client': stackTrace %q", doc.StackTrace)
	}
}
