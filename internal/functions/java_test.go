package functions

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/virga/virga/internal/functions/javatest"
)

// javaSpec is a Spec of the test package's handler, with its layer.
func javaSpec(t *testing.T, runtime, handler string) *Spec {
	t.Helper()
	pkg := javatest.Build(t)
	s := spec(t, runtime, handler, nil)
	s.CodeDir, s.LayerDirs = pkg.CodeDir, []string{pkg.LayerDir}
	return s
}

func TestJavaRuntime(t *testing.T) {
	t.Parallel()
	m := newPools(t, nil)
	s := javaSpec(t, "java17", "example.Hello")
	s.Env = map[string]string{"JAVA_TOOL_OPTIONS": "-Dvirga.test=picked"}
	inv := &Invocation{RequestID: testIDs.UUID(), Payload: []byte(`{"k":[1,2.5,"x",true,null]}`), TraceID: "Root=1-abc", Tail: true,
		ClientContext: `{"client":{"app_title":"app"},"custom":{},"env":{}}`}
	res, err := m.Invoke(context.Background(), s, inv)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(res.Payload, &out); err != nil || res.FunctionError != "" {
		t.Fatalf("%v %q: %s\n%s", err, res.FunctionError, res.Payload, res.LogTail)
	}
	want := map[string]any{
		"requestId": inv.RequestID, "functionName": s.FunctionName, "version": "$LATEST", "memory": 128.0,
		"arn": s.ARN, "group": "/aws/lambda/" + s.FunctionName, "execEnv": "AWS_Lambda_java17",
		"toolOptions": "-Dvirga.test=picked", "fromToolOptions": "picked", "layer": "from a layer",
		"runtimeLogger": true, "trace": "Root=1-abc", "client": "app",
	}
	for k, v := range want {
		if out[k] != v {
			t.Errorf("%s = %v, want %v", k, out[k], v)
		}
	}
	if r, _ := out["remaining"].(float64); r <= 0 || r > 3000 {
		t.Errorf("remaining %v", out["remaining"])
	}
	if ev, _ := json.Marshal(out["event"]); string(ev) != `{"k":[1,2.5,"x",true,null]}` {
		t.Errorf("event %s", ev)
	}
	tail := string(res.LogTail)
	for _, line := range []string{"hello from java\rsecond line\n", "stdout line é\n", "Picked up JAVA_TOOL_OPTIONS: -Dvirga.test=picked\n"} {
		if !strings.Contains(tail, line) {
			t.Errorf("no %q in the tail:\n%s", line, tail)
		}
	}

	for _, c := range []struct{ handler, payload, want string }{
		{"example.Streams", `"raw"`, `echo:"raw":` + s.FunctionName},
		{"example.Pojos::order", `{"ID":"o1","qty":"4","tags":["a","b"],"customer":{"Name":"ann"},"unknown":1}`,
			`{"orderId":"o1/ann/a,b","total":12,"paid":true,"url":"https://example.com/o1/ann/a,b"}`},
		{"example.Pojos::upper", `"shout"`, `"SHOUT"`},
		{"example.Pojos::twice", `21`, `42`},
		{"example.Pojos::reversed", `[1,2,3]`, `[3,2,1]`},
		{"example.Pojos::none", `{"ignored":true}`, `"no input"`},
		{"example.Pojos::copy", `{"a":1}`, `{"a":1}!`},
		{"example.Pojos::nothing", `{}`, `null`},
		{"example.Api", `{"httpMethod":"POST","path":"/p","queryStringParameters":{"q":"v"},"requestContext":{"stage":"prod"},"isBase64Encoded":false,"body":null}`,
			`{"statusCode":201,"headers":{"x-method":"POST"},"body":"/p v prod false","isBase64Encoded":false}`},
		{"example.Bucket", `{"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"us-east-1","eventTime":"2026-11-27T19:00:00.000Z","eventName":"ObjectCreated:Put","userIdentity":{"principalId":"A"},"requestParameters":{"sourceIPAddress":"127.0.0.1"},"responseElements":{"x-amz-request-id":"R1","x-amz-id-2":"I2"},"s3":{"s3SchemaVersion":"1.0","configurationId":"c","bucket":{"name":"b","ownerIdentity":{"principalId":"A"},"arn":"arn:aws:s3:::b"},"object":{"key":"k.txt","size":5,"eTag":"e","sequencer":"0"}}}]}`,
			`"ObjectCreated:Put b/k.txt 5 2026-11-27T19:00:00.000Z R1"`},
		{"example.Queue", `{"Records":[{"messageId":"m1","body":"b1","eventSourceARN":"arn:q","attributes":{"ApproximateReceiveCount":"1"},"messageAttributes":{"color":{"stringValue":"red","dataType":"String"}}}]}`,
			`"b1/red@arn:q#1"`},
	} {
		s2 := *s
		s2.Key, s2.Handler = s.Key+c.handler, c.handler
		if res := invoke(t, m, &s2, c.payload); res.FunctionError != "" || string(res.Payload) != c.want {
			t.Errorf("%s: %s %s, want %s\n%s", c.handler, res.FunctionError, res.Payload, c.want, res.LogTail)
		}
	}
}

// TestJavaErrors: errors are shaped as Lambda's Java runtime shapes them:
// a thrown exception with its class, message and stack frames; faults of
// the package (no such class or method) with a message and no stack
// trace, at each invocation; a class that cannot load (an initializer
// that throws, a class file for a newer Java) fails the init.
func TestJavaErrors(t *testing.T) {
	t.Parallel()
	m := newPools(t, nil)
	s := javaSpec(t, "java21", "example.Pojos::fail")
	for _, c := range []struct{ handler, payload, typ, msg string }{
		{"example.Pojos::fail", `{}`, "java.lang.IllegalStateException", "bad state"},
		{"example.Throws", `{}`, "java.lang.UnsupportedOperationException", "not here"},
		{"example.Pojos::twice", `{"a":1}`, "java.lang.RuntimeException", "An error occurred during JSON parsing"},
		{"example.Nope", `{}`, "java.lang.ClassNotFoundException", "Class not found: example.Nope"},
		{"example.Pojos::nothere", `{}`, "", "No public method named nothere with appropriate method signature found on class example.Pojos"},
		{"example.NoIface", `{}`, "", "Class does not implement an appropriate handler interface: example.NoIface"},
		{"::x", `{}`, "", "Invalid handler: `::x'"},
		{"example.BadInit::handle", `"x"`, "java.lang.ExceptionInInitializerError", "Error loading class example.BadInit"},
		{"example.Future::handle", `"x"`, "java.lang.UnsupportedClassVersionError",
			"Error loading class example.Future: example/Future has been compiled by a more recent version of the Java Runtime (class file version 100.0)"},
	} {
		s2 := *s
		s2.Key, s2.Handler = s.Key+c.handler, c.handler
		res := invoke(t, m, &s2, c.payload)
		var doc struct {
			ErrorType, ErrorMessage string
			StackTrace              []string
		}
		if err := json.Unmarshal(res.Payload, &doc); err != nil || res.FunctionError != "Unhandled" {
			t.Errorf("%s: %q %s", c.handler, res.FunctionError, res.Payload)
			continue
		}
		if doc.ErrorType != c.typ || !strings.HasPrefix(doc.ErrorMessage, c.msg) {
			t.Errorf("%s: %s", c.handler, res.Payload)
		}
		switch c.handler {
		case "example.Pojos::fail":
			if len(doc.StackTrace) < 2 || !strings.HasPrefix(doc.StackTrace[0], "example.Pojos.deeper(Pojos.java:") ||
				!strings.HasPrefix(doc.StackTrace[1], "example.Pojos.fail(Pojos.java:") {
				t.Errorf("stack trace %q", doc.StackTrace)
			}
			for _, f := range doc.StackTrace {
				if strings.HasPrefix(f, "virga.") {
					t.Errorf("the runtime's frame %q in the stack trace", f)
				}
			}
			if !strings.Contains(string(res.LogTail), "bad state: java.lang.IllegalStateException\rjava.lang.IllegalStateException: bad state\r\tat example.Pojos.deeper(") {
				t.Errorf("tail:\n%s", res.LogTail)
			}
		case "example.Throws":
			// The typed method, then the bridge the interface's call
			// went through.
			if len(doc.StackTrace) != 2 || !strings.HasPrefix(doc.StackTrace[0], "example.Throws.handleRequest(Throws.java:11)") ||
				!strings.HasPrefix(doc.StackTrace[1], "example.Throws.handleRequest(Throws.java:8)") {
				t.Errorf("stack trace %q", doc.StackTrace)
			}
		case "example.Pojos::twice", "example.Pojos::nothere":
		default:
			if doc.StackTrace != nil {
				t.Errorf("%s: a fault with a stack trace: %s", c.handler, res.Payload)
			}
		}
	}
}

func TestJavaArgs(t *testing.T) {
	for _, c := range []struct {
		id, initType string
		tiered       bool
	}{
		{"java8.al2", initOnDemand, false}, {"java11", initOnDemand, false}, {"java17", initOnDemand, true},
		{"java21", initProvisioned, true}, {"java25", initOnDemand, true}, {"java25", initProvisioned, false},
		{"java8.al2023", initOnDemand, false}, {"java11.al2023", initOnDemand, false}, {"java17.al2023", initOnDemand, true},
	} {
		rt, err := resolveRuntime(c.id)
		if err != nil || rt.kind != kindJava {
			t.Fatalf("%s: %v", c.id, err)
		}
		args := strings.Join(javaArgs(rt, 512, c.initType, "/var/runtime", "/opt"), " ")
		if strings.Contains(args, "TieredStopAtLevel=1") != c.tiered {
			t.Errorf("%s %s: %s", c.id, c.initType, args)
		}
		if !strings.Contains(args, "-XX:MaxHeapSize=445644k") || !strings.HasSuffix(args, "-cp /var/runtime/classes virga.lambda.Bootstrap /opt") {
			t.Errorf("%s: %s", c.id, args)
		}
	}
	if _, err := resolveRuntime("java8"); err == nil {
		t.Error("java8 resolved")
	}
}

// TestJavaJSONLogs: with LoggingConfig's JSON format, LambdaLogger writes
// records of timestamp, message, level (UNDEFINED for log(String)) and
// AWSRequestId, and the runtime reports an exception as an ERROR record.
func TestJavaJSONLogs(t *testing.T) {
	t.Parallel()
	m := newPools(t, nil)
	s := javaSpec(t, "java17", "example.Hello")
	s.LogFormat = LogFormatJSON
	res := invoke(t, m, s, `{}`)
	var rec map[string]any
	for _, line := range strings.Split(string(res.LogTail), "\n") {
		if strings.Contains(line, "hello from java") {
			if err := json.Unmarshal([]byte(line), &rec); err != nil {
				t.Fatalf("%q: %v", line, err)
			}
		}
	}
	if rec["message"] != "hello from java\nsecond line" || rec["level"] != "UNDEFINED" || rec["AWSRequestId"] == nil ||
		!strings.HasSuffix(fmt.Sprint(rec["timestamp"]), "Z") {
		t.Errorf("record %v in\n%s", rec, res.LogTail)
	}
	s2 := *s
	s2.Key, s2.Handler = s.Key+"fail", "example.Pojos::fail"
	res = invoke(t, m, &s2, `{}`)
	if !strings.Contains(string(res.LogTail), `"message":"bad state: java.lang.IllegalStateException\njava.lang.IllegalStateException: bad state\n\tat example.Pojos.deeper(`) ||
		!strings.Contains(string(res.LogTail), `"level":"ERROR"`) {
		t.Errorf("tail:\n%s", res.LogTail)
	}
}
