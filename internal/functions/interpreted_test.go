package functions

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/virga/virga/internal/testenv"
)

const pythonHandler = `
import json, logging, os
import layermod

def handler(event, context):
    print("hello from python")
    logging.getLogger().warning("careful\nsecond line")
    return {
        "event": event,
        "requestId": context.aws_request_id,
        "functionName": context.function_name,
        "version": context.function_version,
        "memory": context.memory_limit_in_mb,
        "arn": context.invoked_function_arn,
        "group": context.log_group_name,
        "stream": context.log_stream_name,
        "remaining": context.get_remaining_time_in_millis(),
        "trace": os.environ.get("_X_AMZN_TRACE_ID"),
        "execEnv": os.environ.get("AWS_EXECUTION_ENV"),
        "layer": layermod.VALUE,
    }

def fail(event, context):
    raise ValueError("bad value")
`

func TestPythonRuntime(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "python3")
	m := newPools(t, nil)
	layer := t.TempDir()
	os.MkdirAll(filepath.Join(layer, "python"), 0o755)
	os.WriteFile(filepath.Join(layer, "python", "layermod.py"), []byte("VALUE = 'from a layer'\n"), 0o644)
	files := map[string]string{
		"pkg/mod.py":   pythonHandler,
		"broken.py":    "def handler(event, context)\n    return 1\n",
		"raising.py":   "raise RuntimeError('at import')\n",
		"unmarshal.py": "def handler(event, context):\n    return object()\n",
	}
	s := spec(t, "python3.12", "pkg/mod.handler", files)
	s.LayerDirs = []string{layer}
	inv := &Invocation{RequestID: testIDs.UUID(), Payload: []byte(`{"k":[1,2]}`), TraceID: "Root=1-abc", Tail: true}
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
		"execEnv": "AWS_Lambda_python3.12", "layer": "from a layer",
	}
	for k, v := range want {
		if out[k] != v {
			t.Errorf("%s = %v, want %v", k, out[k], v)
		}
	}
	if r, _ := out["remaining"].(float64); r <= 0 || r > 3000 {
		t.Errorf("remaining %v", out["remaining"])
	}
	if ev, _ := json.Marshal(out["event"]); string(ev) != `{"k":[1,2]}` {
		t.Errorf("event %s", ev)
	}
	tail := string(res.LogTail)
	if !strings.Contains(tail, "hello from python\n") || !strings.Contains(tail, "[WARNING]\t") ||
		!strings.Contains(tail, "\t"+inv.RequestID+"\tcareful\rsecond line\n") {
		t.Errorf("tail:\n%s", tail)
	}

	// The same module by its dotted name; then errors as AWS shapes them.
	for _, c := range []struct{ handler, typ, msg string }{
		{"pkg.mod.fail", "ValueError", "bad value"},
		{"pkg/mod.nothere", "Runtime.HandlerNotFound", "Handler 'nothere' missing on module 'pkg/mod'"},
		{"nope.handler", "Runtime.ImportModuleError", "Unable to import module 'nope': No module named 'nope'"},
		{"broken.handler", "Runtime.UserCodeSyntaxError", "Syntax error in module 'broken': "},
		{"raising.handler", "RuntimeError", "at import"},
		{"nodot", "Runtime.MalformedHandlerName", "Bad handler 'nodot': "},
		{"unmarshal.handler", "Runtime.MarshalError", "Unable to marshal response: "},
	} {
		s2 := *s
		s2.Key, s2.Handler = s.Key+c.handler, c.handler
		res := invoke(t, m, &s2, `{}`)
		var doc struct {
			ErrorType, ErrorMessage, RequestID string
			StackTrace                         []string
		}
		if err := json.Unmarshal(res.Payload, &doc); err != nil || res.FunctionError != "Unhandled" {
			t.Errorf("%s: %q %s", c.handler, res.FunctionError, res.Payload)
			continue
		}
		if doc.ErrorType != c.typ || !strings.HasPrefix(doc.ErrorMessage, c.msg) || doc.StackTrace == nil {
			t.Errorf("%s: %s", c.handler, res.Payload)
		}
		if c.typ == "ValueError" && (len(doc.StackTrace) != 1 || !strings.Contains(doc.StackTrace[0], "pkg/mod.py\", line ") || doc.RequestID == "") {
			t.Errorf("stack trace %q, request id %q", doc.StackTrace, doc.RequestID)
		}
	}
}

const nodeCommonJS = `
exports.handler = (event, context, callback) => {
  console.log('hello from node', {n: 1});
  setTimeout(() => callback(null, {
    event,
    requestId: context.awsRequestId,
    functionName: context.functionName,
    memory: context.memoryLimitInMB,
    arn: context.invokedFunctionArn,
    group: context.logGroupName,
    remaining: context.getRemainingTimeInMillis(),
    execEnv: process.env.AWS_EXECUTION_ENV,
    style: 'callback',
  }), 5);
};
exports.nested = { deeper: { fn: async () => 'nested' } };
exports.fails = async () => { throw new TypeError('not a function, really'); };
exports.callbackError = (event, context, callback) => callback(new Error('via callback'));
exports.idle = (event, context) => { setTimeout(() => {}, 10); };
`

const nodeESM = `
import { platform } from 'node:os';
export const handler = async (event, context) => ({ style: 'esm', platform: platform(), id: context.awsRequestId });
`

func TestNodeRuntime(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "node")
	m := newPools(t, nil)
	files := map[string]string{
		"index.js":           nodeCommonJS,
		"esm/app.mjs":        nodeESM,
		"typed/package.json": `{"type":"module"}`,
		"typed/app.js":       nodeESM,
		"broken.js":          "exports.handler = async (event => {\n",
	}
	s := spec(t, "nodejs20.x", "index.handler", files)
	inv := &Invocation{RequestID: testIDs.UUID(), Payload: []byte(`{"k":"v"}`), Tail: true}
	res, err := m.Invoke(context.Background(), s, inv)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(res.Payload, &out); err != nil || res.FunctionError != "" {
		t.Fatalf("%v %q: %s\n%s", err, res.FunctionError, res.Payload, res.LogTail)
	}
	want := map[string]any{"requestId": inv.RequestID, "functionName": s.FunctionName, "memory": "128",
		"arn": s.ARN, "group": "/aws/lambda/" + s.FunctionName, "execEnv": "AWS_Lambda_nodejs20.x", "style": "callback"}
	for k, v := range want {
		if out[k] != v {
			t.Errorf("%s = %v, want %v", k, out[k], v)
		}
	}
	if !strings.Contains(string(res.LogTail), "\t"+inv.RequestID+"\tINFO\thello from node { n: 1 }\n") {
		t.Errorf("tail:\n%s", res.LogTail)
	}

	for _, c := range []struct{ handler, want string }{
		{"esm/app.handler", `"style":"esm"`},
		{"typed/app.handler", `"style":"esm"`},
		{"index.nested.deeper.fn", `"nested"`},
		{"index.idle", `null`},
	} {
		s2 := *s
		s2.Key, s2.Handler = s.Key+c.handler, c.handler
		if res := invoke(t, m, &s2, `{}`); res.FunctionError != "" || !strings.Contains(string(res.Payload), c.want) {
			t.Errorf("%s: %s", c.handler, res.Payload)
		}
	}
	for _, c := range []struct{ handler, typ, msg string }{
		{"index.fails", "TypeError", "not a function, really"},
		{"index.callbackError", "Error", "via callback"},
		{"index.nothere", "Runtime.HandlerNotFound", "index.nothere is undefined or not exported"},
		{"nope.handler", "Runtime.ImportModuleError", "Error: Cannot find module 'nope'"},
		{"broken.handler", "Runtime.UserCodeSyntaxError", "SyntaxError: "},
		{"nodot", "Runtime.MalformedHandlerName", "Bad handler"},
	} {
		s2 := *s
		s2.Key, s2.Handler = s.Key+c.handler, c.handler
		res := invoke(t, m, &s2, `{}`)
		var doc struct {
			ErrorType, ErrorMessage string
			Trace                   []string
		}
		if err := json.Unmarshal(res.Payload, &doc); err != nil || res.FunctionError != "Unhandled" {
			t.Errorf("%s: %q %s", c.handler, res.FunctionError, res.Payload)
			continue
		}
		if doc.ErrorType != c.typ || !strings.HasPrefix(doc.ErrorMessage, c.msg) || doc.Trace == nil {
			t.Errorf("%s: %s", c.handler, res.Payload)
		}
	}
}

// TestNodeCallbackHandlersRemoved: from nodejs24.x on, a handler that
// declares the callback parameter fails at init with
// Runtime.CallbackHandlerDeprecated, as AWS's runtime refuses it; async
// handlers and streaming ones (whose third parameter is the context) run,
// and what a plain function returns is the result (before 24, the
// runtime waited for a callback and answered null).
func TestNodeCallbackHandlersRemoved(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "node")
	m := newPools(t, nil)
	files := map[string]string{
		"index.js": nodeCommonJS,
		"stream.js": `exports.handler = awslambda.streamifyResponse(async (event, responseStream, context) => {
  responseStream.write('streamed'); responseStream.end();
});`,
		"plain.js": `exports.handler = (event, context) => ({ plain: typeof context.done });`,
	}
	if res := invoke(t, m, spec(t, "nodejs22.x", "plain.handler", files), `{}`); string(res.Payload) != "null" {
		t.Errorf("nodejs22.x plain.handler: %s", res.Payload)
	}
	for _, rt := range []string{"nodejs24.x", "nodejs26.x"} {
		for _, c := range []struct{ handler, typ, payload string }{
			{"index.handler", "Runtime.CallbackHandlerDeprecated", ""},
			{"index.callbackError", "Runtime.CallbackHandlerDeprecated", ""},
			{"index.nested.deeper.fn", "", `"nested"`},
			{"index.idle", "", `null`},
			{"stream.handler", "", `streamed`},
			{"plain.handler", "", `{"plain":"undefined"}`},
		} {
			s := spec(t, rt, c.handler, files)
			res := invoke(t, m, s, `{}`)
			if c.typ == "" {
				if res.FunctionError != "" || string(res.Payload) != c.payload {
					t.Errorf("%s %s: %q %s", rt, c.handler, res.FunctionError, res.Payload)
				}
				continue
			}
			var doc struct{ ErrorType, ErrorMessage string }
			if err := json.Unmarshal(res.Payload, &doc); err != nil || res.FunctionError != "Unhandled" ||
				doc.ErrorType != c.typ || !strings.HasPrefix(doc.ErrorMessage, "ERROR: AWS Lambda has removed support for callback-based function handlers starting with Node.js 24.") {
				t.Errorf("%s %s: %q %s", rt, c.handler, res.FunctionError, res.Payload)
			}
		}
	}
}

// A stand-in for version 2 of the AWS SDK for JavaScript with its shape:
// lib/core.js makes the AWS object and a first configuration, and
// lib/node_loader.js replaces that configuration, as the real package does
// while it loads.
var sdkV2StandIn = map[string]string{
	"node_modules/aws-sdk/package.json": `{"name":"aws-sdk","version":"2.0.0","main":"lib/aws.js"}`,
	"node_modules/aws-sdk/lib/core.js": `
class Config { constructor(o) { Object.assign(this, o || {}); } update(o) { Object.assign(this, o); } }
const AWS = { VERSION: '2.0.0', Config, Service: class {}, config: new Config() };
module.exports = AWS;`,
	"node_modules/aws-sdk/lib/node_loader.js": `
const AWS = require('./core');
AWS.config = new AWS.Config({ fromLoader: true });
module.exports = AWS;`,
	"node_modules/aws-sdk/lib/aws.js":    `require('./node_loader'); module.exports = require('./core');`,
	"node_modules/aws-sdk/clients/s3.js": `require('../lib/node_loader'); const AWS = require('../lib/core'); module.exports = class S3 { constructor(o) { this.config = new AWS.Config(Object.assign({}, AWS.config, o)); } };`,
}

// TestNodeSDKv2Endpoint: a function that bundles version 2 of the SDK,
// which reads no AWS_ENDPOINT_URL, finds the endpoint Lambda gave it in
// the SDK's global configuration, with path-style S3 addressing, whether
// it requires the whole SDK, one client, or imports it from an ES module;
// what the function configures itself wins.
func TestNodeSDKv2Endpoint(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "node")
	m := newPools(t, nil)
	files := map[string]string{
		"whole.js": `const AWS = require('aws-sdk');
exports.handler = async () => ({ endpoint: AWS.config.endpoint, path: AWS.config.s3ForcePathStyle, loader: AWS.config.fromLoader });`,
		"client.js": `const S3 = require('aws-sdk/clients/s3');
exports.handler = async () => ({ endpoint: new S3().config.endpoint, own: new S3({ endpoint: 'http://elsewhere:1' }).config.endpoint });`,
		"own.js": `const AWS = require('aws-sdk'); AWS.config.update({ endpoint: 'http://mine:2' });
exports.handler = async () => ({ endpoint: AWS.config.endpoint });`,
		"esm.mjs": `import AWS from 'aws-sdk';
export const handler = async () => ({ endpoint: AWS.config.endpoint });`,
	}
	for k, v := range sdkV2StandIn {
		files[k] = v
	}
	s := spec(t, "nodejs20.x", "whole.handler", files)
	for _, c := range []struct{ handler, want string }{
		{"whole.handler", `{"endpoint":"http://127.0.0.1:4566","path":true,"loader":true}`},
		{"client.handler", `{"endpoint":"http://127.0.0.1:4566","own":"http://elsewhere:1"}`},
		{"own.handler", `{"endpoint":"http://mine:2"}`},
		{"esm.handler", `{"endpoint":"http://127.0.0.1:4566"}`},
	} {
		s2 := *s
		s2.Key, s2.Handler = s.Key+c.handler, c.handler
		if res := invoke(t, m, &s2, `{}`); res.FunctionError != "" || string(res.Payload) != c.want {
			t.Errorf("%s: %s, want %s\n%s", c.handler, res.Payload, c.want, res.LogTail)
		}
	}
}

// A function that wraps http.request and http.get while it loads, as the
// X-Ray SDK's captureHTTPsGlobal does, and reports the calls they saw.
const nodeHTTPWrapper = `
const http = require('node:http');
const seen = [];
for (const name of ['request', 'get']) {
  const orig = http[name];
  http[name] = function (...args) {
    const o = typeof args[0] === 'object' ? args[0] : {};
    seen.push(name + ' ' + (o.path || String(args[0])));
    return orig.apply(this, args);
  };
}
exports.handler = async () => ({ seen });
exports.streamed = awslambda.streamifyResponse(async (event, stream) => {
  stream.end(JSON.stringify({ seen }));
});
`

// TestNodeRuntimeAPIBesideWrappedHTTP: the runtime's own calls to the
// Runtime API (next, response, streamed response) do not pass through a
// function's replacement of http.request, as on Lambda, so a tracer that
// wraps it sees only the function's calls.
func TestNodeRuntimeAPIBesideWrappedHTTP(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "node")
	m := newPools(t, nil)
	s := spec(t, "nodejs22.x", "index.handler", map[string]string{"index.js": nodeHTTPWrapper})
	for i := 0; i < 3; i++ {
		res := invoke(t, m, s, `{}`)
		if res.FunctionError != "" || string(res.Payload) != `{"seen":[]}` {
			t.Fatalf("invocation %d: %q %s\n%s", i, res.FunctionError, res.Payload, res.LogTail)
		}
	}
	s2 := spec(t, "nodejs22.x", "index.streamed", map[string]string{"index.js": nodeHTTPWrapper})
	for i := 0; i < 2; i++ {
		res := invoke(t, m, s2, `{}`)
		if res.FunctionError != "" || !strings.Contains(string(res.Payload), `{"seen":[]}`) {
			t.Fatalf("streamed invocation %d: %q %s\n%s", i, res.FunctionError, res.Payload, res.LogTail)
		}
	}
}
