package bootstraps

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/virga/virga/internal/testenv"
)

// jsonCheck is a Java program beside the bootstrap's classes: for each
// line of base64 on stdin, it parses the decoded text with the
// bootstrap's JSON reader and answers, in base64, "ok " and the value as
// the bootstrap writes it, or "err" for text that is not JSON, or
// "crash" and what was thrown otherwise.
const jsonCheck = `package virga.lambda;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

public final class JsonCheck {
    public static void main(String[] args) throws Exception {
        BufferedReader r = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintStream out = new PrintStream(System.out, true, "UTF-8");
        for (String line; (line = r.readLine()) != null;) {
            String in = new String(Base64.getDecoder().decode(line), StandardCharsets.UTF_8);
            String res;
            try {
                res = "ok " + Bootstrap.Json.write(Bootstrap.Json.parse(in));
            } catch (IllegalArgumentException e) {
                res = "err";
            } catch (Throwable t) {
                res = "crash " + t;
            }
            out.println(Base64.getEncoder().encodeToString(res.getBytes(StandardCharsets.UTF_8)));
        }
    }
}
`

// javaJSON is one JVM running JsonCheck for the whole test process.
type javaJSON struct {
	mu  sync.Mutex
	in  io.WriteCloser
	out *bufio.Reader
}

// startJavaJSON compiles the bootstrap and JsonCheck and starts it; it
// ends, and its files go, when t's test does.
func startJavaJSON(t testing.TB) *javaJSON {
	t.Helper()
	javac := testenv.Tool(t, "javac")
	java := testenv.Tool(t, "java")
	dir := t.TempDir()
	var javaJSONProc *javaJSON
	javaJSONErr := ""
	func() {
		d, err := Install(dir)
		if err == nil {
			err = CompileJava(d.Java, javac, "fuzz")
		}
		if err == nil {
			err = os.WriteFile(filepath.Join(dir, "JsonCheck.java"), []byte(jsonCheck), 0o644)
		}
		classes := filepath.Join(d.Java, JavaClasses)
		if err == nil {
			var out []byte
			if out, err = exec.Command(javac, "-nowarn", "-cp", classes, "-d", classes, filepath.Join(dir, "JsonCheck.java")).CombinedOutput(); err != nil {
				javaJSONErr = string(out)
				return
			}
		}
		if err != nil {
			javaJSONErr = err.Error()
			return
		}
		cmd := exec.Command(java, "-XX:TieredStopAtLevel=1", "-cp", classes, "virga.lambda.JsonCheck")
		in, _ := cmd.StdinPipe()
		out, _ := cmd.StdoutPipe()
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			javaJSONErr = err.Error()
			return
		}
		javaJSONProc = &javaJSON{in: in, out: bufio.NewReader(out)}
		t.Cleanup(func() {
			in.Close()
			cmd.Wait()
		})
	}()
	if javaJSONProc == nil {
		t.Fatalf("starting JsonCheck: %s", javaJSONErr)
	}
	return javaJSONProc
}

func (j *javaJSON) check(t testing.TB, data []byte) string {
	j.mu.Lock()
	defer j.mu.Unlock()
	if _, err := io.WriteString(j.in, base64.StdEncoding.EncodeToString(data)+"\n"); err != nil {
		t.Fatal(err)
	}
	line, err := j.out.ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(line))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// FuzzJavaJSON holds the Java bootstrap's JSON reader and writer to Go's
// encoding/json: the same texts are JSON, and what the bootstrap writes
// back is the same value. The seeds run with every go test.
func FuzzJavaJSON(f *testing.F) {
	for _, s := range []string{
		`{}`, `[]`, `null`, `true`, `false`, `0`, `-0`, `1`, `-1`, `12.5`, `1e3`, `1E-3`, `-1.5e+10`, `2147483648`,
		`9223372036854775808`, `123456789012345678901234567890`, `1e999`, `"a"`, `""`, `"\u00e9\n\t\"\\\/"`, `"\ud83d\ude00"`,
		`{"a":[1,{"b":null}],"c":"d"}`, ` { "a" : 1 } `, `{"a":1,"a":2}`, `[1,2,3]`, `"é"`,
		`01`, `1.`, `.5`, `+1`, `-`, `1e`, `[1,]`, `{"a":1,}`, `{"a"}`, `{a:1}`, `"abc`, "\"a\x01\"", `[`, `{`, `nul`, `tru`,
		`1 2`, `"\x"`, `"\u12"`, `[1]]`, ``, ` `, `NaN`, `Infinity`, `'a'`, strings.Repeat("[", 400) + strings.Repeat("]", 400),
	} {
		f.Add([]byte(s))
	}
	j := startJavaJSON(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		if !utf8.Valid(data) {
			return // Java decodes invalid UTF-8 to replacement characters first
		}
		got := j.check(t, data)
		if strings.HasPrefix(got, "crash") {
			t.Fatalf("%q: %s", data, got)
		}
		if depth(data) > 500 {
			return // the bootstrap refuses nesting deeper than 512
		}
		valid := json.Valid(data)
		if valid != strings.HasPrefix(got, "ok ") {
			t.Fatalf("%q: Go says valid=%v, the bootstrap %q", data, valid, got)
		}
		if !valid || strings.Contains(strings.ToLower(string(data)), `\ud`) {
			return // lone surrogates: Go replaces them, Java keeps them
		}
		var want, back any
		if err := json.Unmarshal(data, &want); err != nil {
			return // a number beyond float64
		}
		if err := json.Unmarshal([]byte(strings.TrimPrefix(got, "ok ")), &back); err != nil || !reflect.DeepEqual(want, back) {
			t.Fatalf("%q: the bootstrap wrote %q (%v)", data, got, err)
		}
	})
}

// depth is the deepest nesting of brackets in data, strings aside.
func depth(data []byte) int {
	d, most, inString, escaped := 0, 0, false, false
	for _, c := range data {
		switch {
		case inString && escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
		case !inString && (c == '[' || c == '{'):
			d++
			most = max(most, d)
		case !inString && (c == ']' || c == '}'):
			d--
		}
	}
	return most
}
