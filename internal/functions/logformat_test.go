package functions

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/virga/virga/internal/testenv"
)

func TestLineLevel(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		line string
		want logLevel
	}{
		{`{"timestamp":"2024-11-02T16:51:31.587Z","level":"ERROR","message":"boom"}`, levelError},
		{`{"level": "debug", "msg": "my debug log"}`, levelDebug},
		{`{"level":"WARNING","logger":"root"}`, levelWarn},
		{`{"level":"CRITICAL"}`, levelFatal},
		{`{"level":"trace"}`, levelTrace},
		{`{"level":"NOTICE"}`, levelInfo},
		{`{"level":3}`, levelInfo},
		{`{"msg":"no level"}`, levelInfo},
		{`{"level":"ERROR"`, levelInfo},
		{`["level","ERROR"]`, levelInfo},
		{`plain text`, levelInfo},
		{``, levelInfo},
	} {
		if got := lineLevel([]byte(c.line)); got != c.want {
			t.Errorf("lineLevel(%q) = %d, want %d", c.line, got, c.want)
		}
	}
}

// records decodes the JSON objects of a log: each event must be one.
func records(t *testing.T, events []string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, ev := range events {
		var rec map[string]any
		if err := json.Unmarshal([]byte(ev), &rec); err != nil {
			t.Fatalf("log event %q is not a JSON object: %v", ev, err)
		}
		out = append(out, rec)
	}
	return out
}

// platformTypes lists the system records' types, in order.
func platformTypes(recs []map[string]any) []string {
	var types []string
	for _, r := range recs {
		if typ, _ := r["type"].(string); strings.HasPrefix(typ, "platform.") {
			types = append(types, typ)
		}
	}
	return types
}

// find returns the first record whose field k is v.
func find(recs []map[string]any, k string, v any) map[string]any {
	for _, r := range recs {
		if r[k] == v {
			return r
		}
	}
	return nil
}

const pythonJSONHandler = `
import logging, os, time

def handler(event, context):
    print("plain print")
    logging.getLogger().info("info is filtered")
    logging.getLogger("app").warning("careful %s", "now", extra={"orderId": 7})
    try:
        raise KeyError("missing")
    except KeyError:
        logging.getLogger().exception("it failed")
    return {"format": os.environ.get("AWS_LAMBDA_LOG_FORMAT"), "level": os.environ.get("AWS_LAMBDA_LOG_LEVEL")}

def fail(event, context):
    raise ValueError("bad value")

def slow(event, context):
    time.sleep(5)
`

// TestPythonJSONLogs: in JSON format the Python runtime's logging writes
// AWS's objects, filtered by ApplicationLogLevel with print's output, and
// Lambda's own lines are records filtered by SystemLogLevel.
func TestPythonJSONLogs(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "python3")
	m := newPools(t, nil)
	s := spec(t, "python3.12", "app.handler", map[string]string{"app.py": pythonJSONHandler})
	s.LogFormat, s.ApplicationLogLevel, s.SystemLogLevel = LogFormatJSON, "WARN", "DEBUG"
	sink := s.Logs.(*memSink)
	inv := &Invocation{RequestID: testIDs.UUID(), Payload: []byte(`{}`), Tail: true}
	res, err := m.Invoke(context.Background(), s, inv)
	if err != nil {
		t.Fatal(err)
	}
	if string(res.Payload) != `{"format": "JSON", "level": "WARN"}` {
		t.Errorf("payload %s", res.Payload)
	}
	if strings.Contains(string(res.LogTail), "plain print") || strings.Contains(string(res.LogTail), "info is filtered") {
		t.Errorf("INFO output is logged at WARN:\n%s", res.LogTail)
	}
	recs := records(t, sink.waitFor(t, `"platform.report"`))
	if got := strings.Join(platformTypes(recs), " "); got !=
		"platform.initStart platform.initRuntimeDone platform.initReport platform.start platform.runtimeDone platform.report" {
		t.Errorf("system records: %s", got)
	}
	warn := find(recs, "level", "WARNING")
	if warn == nil || warn["message"] != "careful now" || warn["logger"] != "app" || warn["requestId"] != inv.RequestID ||
		warn["orderId"] != float64(7) || !strings.Contains(warn["location"].(string), "app.py:handler:") {
		t.Errorf("warning record %v", warn)
	}
	if ts, _ := warn["timestamp"].(string); len(ts) != len("2006-01-02T15:04:05Z") || !strings.HasSuffix(ts, "Z") {
		t.Errorf("timestamp %v", warn["timestamp"])
	}
	exc := find(recs, "level", "ERROR")
	if exc == nil || exc["message"] != "it failed" || exc["errorType"] != "KeyError" || exc["errorMessage"] != "'missing'" {
		t.Errorf("exception record %v", exc)
	}
	if st, _ := exc["stackTrace"].([]any); len(st) != 1 || !strings.Contains(st[0].(string), "app.py") {
		t.Errorf("stack trace %v", exc["stackTrace"])
	}
	start := find(recs, "type", "platform.start")["record"].(map[string]any)
	if start["requestId"] != inv.RequestID || start["version"] != "$LATEST" || start["functionArn"] != s.ARN {
		t.Errorf("platform.start %v", start)
	}
	report := find(recs, "type", "platform.report")["record"].(map[string]any)
	metrics := report["metrics"].(map[string]any)
	if report["status"] != "success" || report["requestId"] != inv.RequestID || metrics["memorySizeMB"] != float64(128) ||
		metrics["initDurationMs"] == nil || metrics["billedDurationMs"].(float64) < 1 {
		t.Errorf("platform.report %v", report)
	}
	initStart := find(recs, "type", "platform.initStart")["record"].(map[string]any)
	if initStart["initializationType"] != "on-demand" || initStart["phase"] != "init" || initStart["functionName"] != s.FunctionName {
		t.Errorf("platform.initStart %v", initStart)
	}

	// A function error: the runtime's ERROR object, and the records' status.
	s2 := *s
	s2.Key, s2.Handler = s.Key+"fail", "app.fail"
	res = invoke(t, m, &s2, `{}`)
	var errRec map[string]any
	for _, line := range strings.Split(strings.TrimSpace(string(res.LogTail)), "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) == nil && rec["errorType"] == "ValueError" {
			errRec = rec
		}
		if rec["type"] == "platform.report" {
			r := rec["record"].(map[string]any)
			if r["status"] != "error" || r["errorType"] != "ValueError" {
				t.Errorf("report of a failure %v", r)
			}
		}
	}
	if errRec == nil || errRec["level"] != "ERROR" || errRec["errorMessage"] != "bad value" || errRec["requestId"] == nil {
		t.Errorf("error record %v in\n%s", errRec, res.LogTail)
	}

	// A timeout: no text line, the records say so.
	s3 := *s
	s3.Key, s3.Handler, s3.Timeout = s.Key+"slow", "app.slow", 300*time.Millisecond
	res = invoke(t, m, &s3, `{}`)
	tail := string(res.LogTail)
	if strings.Contains(tail, "Task timed out") || !strings.Contains(tail, `"type":"platform.runtimeDone","record":{"requestId":`) ||
		!strings.Contains(tail, `"status":"timeout"}`) {
		t.Errorf("timeout log:\n%s", tail)
	}
}

const nodeJSONHandler = `
exports.handler = async (event) => {
  console.trace('trace is filtered');
  console.debug('debug', 'kept');
  console.log({ a: 1 });
  console.error('oops', new TypeError('bad'));
  process.stdout.write('raw write\n');
  return { format: process.env.AWS_LAMBDA_LOG_FORMAT, level: process.env.AWS_LAMBDA_LOG_LEVEL };
};
exports.fails = async () => { throw new RangeError('out of range'); };
`

// TestNodeJSONLogs: console methods write AWS's JSON objects at and above
// ApplicationLogLevel; at the default SystemLogLevel (INFO) Lambda logs
// only platform.start and platform.report.
func TestNodeJSONLogs(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "node")
	m := newPools(t, nil)
	s := spec(t, "nodejs20.x", "index.handler", map[string]string{"index.js": nodeJSONHandler})
	s.LogFormat, s.ApplicationLogLevel = LogFormatJSON, "DEBUG"
	inv := &Invocation{RequestID: testIDs.UUID(), Payload: []byte(`{}`), Tail: true}
	res, err := m.Invoke(context.Background(), s, inv)
	if err != nil {
		t.Fatal(err)
	}
	if string(res.Payload) != `{"format":"JSON","level":"DEBUG"}` {
		t.Errorf("payload %s", res.Payload)
	}
	tail := strings.Split(strings.TrimSuffix(string(res.LogTail), "\n"), "\n")
	if len(tail) != 6 || tail[4] != "raw write" {
		t.Fatalf("tail:\n%s", res.LogTail)
	}
	recs := records(t, append(append([]string(nil), tail[:4]...), tail[5]))
	if got := strings.Join(platformTypes(recs), " "); got != "platform.start platform.report" {
		t.Errorf("system records: %s", got)
	}
	if r := recs[1]; r["level"] != "DEBUG" || r["message"] != "debug kept" || r["requestId"] != inv.RequestID || r["timestamp"] == nil {
		t.Errorf("debug record %v", r)
	}
	if r := recs[2]; r["level"] != "INFO" || r["message"].(map[string]any)["a"] != float64(1) {
		t.Errorf("object record %v", r)
	}
	if r := recs[3]; r["level"] != "ERROR" || !strings.HasPrefix(r["message"].(string), "oops TypeError: bad") ||
		r["errorType"] != "TypeError" || r["errorMessage"] != "bad" || len(r["stackTrace"].([]any)) < 2 {
		t.Errorf("error record %v", r)
	}

	s2 := *s
	s2.Key, s2.Handler = s.Key+"fails", "index.fails"
	res = invoke(t, m, &s2, `{}`)
	var found bool
	for _, line := range strings.Split(strings.TrimSpace(string(res.LogTail)), "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) != nil {
			t.Errorf("not JSON: %q", line)
			continue
		}
		if rec["message"] == "Invoke Error" {
			found = rec["level"] == "ERROR" && rec["errorType"] == "RangeError" && rec["errorMessage"] == "out of range" && rec["stackTrace"] != nil
		}
		if rec["type"] == "platform.report" && rec["record"].(map[string]any)["status"] != "error" {
			t.Errorf("report %v", rec)
		}
	}
	if !found {
		t.Errorf("no Invoke Error record in\n%s", res.LogTail)
	}
}
