package functions

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
