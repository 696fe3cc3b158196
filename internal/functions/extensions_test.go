package functions

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// shellExtension is an external extension in bash, speaking HTTP/1.1 on
// one connection: it registers for INVOKE and prints each event.
const shellExtension = `#!/bin/bash
api=$AWS_LAMBDA_RUNTIME_API
exec 5<>"/dev/tcp/${api%:*}/${api#*:}"
head() {
  len=0
  while IFS= read -r line <&5; do
    line=${line%$'\r'}
    [ -z "$line" ] && break
    case "$line" in
      Lambda-Extension-Identifier:*) id=${line#*: } ;;
      Content-Length:*) len=${line#*: } ;;
    esac
  done
}
body='{"events":["INVOKE"]}'
printf 'POST /2020-01-01/extension/register HTTP/1.1\r\nHost: x\r\nLambda-Extension-Name: %s\r\nContent-Length: %d\r\n\r\n%s' "${0##*/}" ${#body} "$body" >&5
head
read -r -N "$len" answer <&5
echo "[shext] registered $answer"
while :; do
  printf 'GET /2020-01-01/extension/event/next HTTP/1.1\r\nHost: x\r\nLambda-Extension-Identifier: %s\r\n\r\n' "$id" >&5
  head
  [ "$len" -gt 0 ] || exit 1
  read -r -N "$len" ev <&5
  echo "[shext] $ev"
done
`

func extensionLayer(t *testing.T, files map[string]string) string {
	t.Helper()
	layer := t.TempDir()
	os.MkdirAll(filepath.Join(layer, "extensions"), 0o755)
	for name, body := range files {
		mode := os.FileMode(0o755)
		if strings.HasSuffix(name, ".txt") {
			mode = 0o644
		}
		if err := os.WriteFile(filepath.Join(layer, "extensions", name), []byte(body), mode); err != nil {
			t.Fatal(err)
		}
	}
	return layer
}

func TestExternalExtensions(t *testing.T) {
	t.Parallel()
	for name, plain := range map[string]bool{"default": false, "plain": true} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			m := newPools(t, func(o *Options) { o.Plain = o.Plain || plain })
			s := goSpec(t)
			s.LayerDirs = []string{extensionLayer(t, map[string]string{"shext": shellExtension, "notes.txt": "not executable"})}
			for i := 0; i < 2; i++ {
				id := testIDs.UUID()
				res, err := m.Invoke(t.Context(), s, &Invocation{RequestID: id, Payload: []byte(`"hi"`), Tail: true})
				if err != nil {
					t.Fatal(err)
				}
				if string(res.Payload) != `"hi"` {
					t.Fatalf("payload %s", res.Payload)
				}
				tail := string(res.LogTail)
				if !strings.Contains(tail, `[shext] {"eventType":"INVOKE"`) || !strings.Contains(tail, `"requestId":"`+id+`"`) {
					t.Fatalf("invocation %d: no INVOKE line in\n%s", i, tail)
				}
				if i == 0 && !strings.Contains(tail, `[shext] registered {"functionName":"`+s.FunctionName+`","functionVersion":"$LATEST","handler":"bootstrap"}`) {
					t.Fatalf("no register answer in\n%s", tail)
				}
			}
		})
	}
}

// An extension that ends before the init completes fails it.
func TestExtensionCrashFailsInit(t *testing.T) {
	t.Parallel()
	m := newPools(t, nil)
	s := goSpec(t)
	s.LayerDirs = []string{extensionLayer(t, map[string]string{"quitter": "#!/bin/sh\nexit 3\n"})}
	res := invoke(t, m, s, `"hi"`)
	if typ, msg := errorOf(t, res); typ != "Extension.Crash" || !strings.Contains(msg, "quitter") {
		t.Fatalf("crash: %s %s", typ, msg)
	}
}

func TestFindExtensions(t *testing.T) {
	t.Parallel()
	a := extensionLayer(t, map[string]string{"one": "x", "two": "x", "doc.txt": "x"})
	b := extensionLayer(t, map[string]string{"two.txt": "x"})
	os.WriteFile(filepath.Join(b, "extensions", "one"), []byte("x"), 0o644) // a later layer's file wins
	got := findExtensions([]string{a, b, t.TempDir()})
	if strings.Join(got, ",") != "two" {
		t.Fatalf("extensions %q", got)
	}
	if findExtensions(nil) != nil {
		t.Fatal("extensions without layers")
	}
}

// slowExtension is shellExtension subscribed to INVOKE and SHUTDOWN that
// takes a second over each INVOKE event.
var slowExtension = strings.NewReplacer(
	`{"events":["INVOKE"]}`, `{"events":["INVOKE","SHUTDOWN"]}`,
	`echo "[shext] $ev"`, `echo "[shext] $ev"; case "$ev" in *'"INVOKE"'*) sleep 1; echo "[shext] finished";; esac`,
).Replace(shellExtension)

// The caller has the function's answer as soon as the runtime gave it;
// the REPORT, whose duration covers the extension's work, and the
// environment's reuse wait for the extension.
func TestExtensionsDoNotDelayAnswer(t *testing.T) {
	t.Parallel()
	m := newPools(t, nil)
	s := goSpec(t)
	s.LayerDirs = []string{extensionLayer(t, map[string]string{"shext": slowExtension})}
	sink := s.Logs.(*memSink)
	invoke(t, m, s, `"warm"`) // Tail: the answer waits for the REPORT
	id := testIDs.UUID()
	began := time.Now()
	res, err := m.Invoke(t.Context(), s, &Invocation{RequestID: id, Payload: []byte(`"hi"`)})
	took := time.Since(began)
	if err != nil || string(res.Payload) != `"hi"` {
		t.Fatalf("invoke: %v %s", err, res.Payload)
	}
	if took > 600*time.Millisecond {
		t.Fatalf("the answer took %v: it waited for the extension", took)
	}
	events := sink.waitFor(t, "REPORT RequestId: "+id)
	var sawFinished bool
	for _, ev := range events {
		if strings.Contains(ev, "[shext] finished") {
			sawFinished = true
		}
		if strings.HasPrefix(ev, "REPORT RequestId: "+id) {
			if !sawFinished {
				t.Fatalf("REPORT before the extension finished:\n%s", strings.Join(events, ""))
			}
			d, _, _ := strings.Cut(strings.TrimPrefix(ev, "REPORT RequestId: "+id+"\tDuration: "), " ms")
			if ms, err := strconv.ParseFloat(d, 64); err != nil || ms < 1000 {
				t.Fatalf("REPORT duration %q does not cover the extension: %s", d, ev)
			}
		}
	}
	// The environment is reusable once the extension is done.
	if res := invoke(t, m, s, `"again"`); res.InitDuration != 0 {
		t.Fatalf("not reused: init %v", res.InitDuration)
	}
}

// A timed-out invocation resets the environment: the extension gets
// SHUTDOWN with reason timeout.
func TestExtensionShutdownOnTimeout(t *testing.T) {
	t.Parallel()
	m := newPools(t, nil)
	s := goSpec(t)
	s.Timeout = time.Second
	s.LayerDirs = []string{extensionLayer(t, map[string]string{"shext": slowExtension})}
	res := invoke(t, m, s, `{"action":"sleep","ms":5000}`)
	if !strings.Contains(string(res.Payload), "Task timed out after 1.00 seconds") {
		t.Fatalf("timeout: %s", res.Payload)
	}
	s.Logs.(*memSink).waitFor(t, `[shext] {"eventType":"SHUTDOWN","shutdownReason":"timeout","deadlineMs":`)
	if res := invoke(t, m, s, `"after"`); string(res.Payload) != `"after"` || res.InitDuration == 0 {
		t.Fatalf("after the timeout: %s, init %v", res.Payload, res.InitDuration)
	}
}

// A runtime that reports an init error fails the init; the environment
// ends with SHUTDOWN, reason failure.
func TestExtensionShutdownOnInitFailure(t *testing.T) {
	t.Parallel()
	m := newPools(t, nil)
	s := spec(t, "provided.al2023", "bootstrap", map[string]string{"bootstrap": `#!/bin/bash
api=$AWS_LAMBDA_RUNTIME_API
exec 5<>"/dev/tcp/${api%:*}/${api#*:}"
body='{"errorMessage":"no config","errorType":"Config.Missing"}'
printf 'POST /2018-06-01/runtime/init/error HTTP/1.1\r\nHost: x\r\nLambda-Runtime-Function-Error-Type: Config.Missing\r\nContent-Length: %d\r\n\r\n%s' ${#body} "$body" >&5
sleep 30
`})
	s.LayerDirs = []string{extensionLayer(t, map[string]string{"shext": slowExtension})}
	res := invoke(t, m, s, `"hi"`)
	if typ, _ := errorOf(t, res); typ != "Config.Missing" {
		t.Fatalf("init error: %s", res.Payload)
	}
	s.Logs.(*memSink).waitFor(t, `[shext] {"eventType":"SHUTDOWN","shutdownReason":"failure","deadlineMs":`)
}
