package awsjson

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/virga/virga/internal/awsproto"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

func ptr[T any](v T) *T { return &v }

// request is one HTTP request to a test service.
type request struct {
	method, target string
	header         map[string]string
	body           string
}

// serve runs req through svc, as the edge would, and returns the response.
func serve(svc *awsproto.Service, req request) *httptest.ResponseRecorder {
	r := httptest.NewRequest(req.method, req.target, strings.NewReader(req.body))
	for k, v := range req.header {
		r.Header.Set(k, v)
	}
	c := awsproto.NewCall(r, "req-0001", time.Time{})
	c.Body = []byte(req.body)
	w := httptest.NewRecorder()
	svc.Serve(c, w)
	return w
}

// dump renders a response as golden files hold it: status, headers in
// order, a blank line, the body.
func dump(w *httptest.ResponseRecorder) []byte {
	var b bytes.Buffer
	res := w.Result()
	fmt.Fprintf(&b, "HTTP %d\n", res.StatusCode)
	keys := make([]string, 0, len(res.Header))
	for k := range res.Header {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range res.Header[k] {
			fmt.Fprintf(&b, "%s: %s\n", k, v)
		}
	}
	b.WriteString("\n")
	b.Write(w.Body.Bytes())
	return b.Bytes()
}

// golden compares got with testdata/<name>.golden, or rewrites it with
// -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from its golden file:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// op declares an operation answering with out and err, whatever its input.
func op[In, Out any](name, binding string, status int, out *Out, err error) awsproto.Operation {
	return awsproto.Operation{Name: name, HTTP: binding, Status: status,
		Handler: awsproto.Handle(func(context.Context, *In) (*Out, error) { return out, err })}
}

// capture declares an operation that records its decoded input in *got.
func capture[In any](name, binding string, got *any) awsproto.Operation {
	return awsproto.Operation{Name: name, HTTP: binding,
		Handler: awsproto.Handle(func(_ context.Context, in *In) (*struct{}, error) {
			*got = in
			return nil, nil
		})}
}

func newService(p awsproto.Protocol, ops ...awsproto.Operation) *awsproto.Service {
	return (&awsproto.Service{Name: "test", Protocol: p, Operations: ops}).Init()
}

var _ http.ResponseWriter = (*httptest.ResponseRecorder)(nil)
