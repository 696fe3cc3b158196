// Package prototest holds what the protocol packages' tests share: a
// request served through an awsproto.Service as the edge would serve it,
// the rendering of its response for golden files, and operations that
// answer a fixed output or record their decoded input; and for the
// services' tests, the tag sets that test their tag limits.
//
// It is imported only by tests. Its -update flag rewrites the golden
// files of the package under test.
package prototest

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/virga/virga/internal/awsproto"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// Request is one HTTP request to a test service.
type Request struct {
	Method, Target string
	Header         map[string]string
	Body           string
}

// Serve runs req through svc, as the edge would, and returns the response.
func Serve(svc *awsproto.Service, req Request) *httptest.ResponseRecorder {
	r := httptest.NewRequest(req.Method, req.Target, strings.NewReader(req.Body))
	for k, v := range req.Header {
		r.Header.Set(k, v)
	}
	c := awsproto.NewCall(r, "req-0001", time.Time{})
	c.Body = []byte(req.Body)
	w := httptest.NewRecorder()
	svc.Serve(c, w)
	return w
}

// Dump renders a response as golden files hold it: status, headers in
// order, a blank line, the body.
func Dump(w *httptest.ResponseRecorder) []byte {
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

// Golden compares got with testdata/<name>.golden, or rewrites it with
// -update.
func Golden(t *testing.T, name string, got []byte) {
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

// Op declares an operation answering with out and err, whatever its input.
func Op[In, Out any](name, binding string, status int, out *Out, err error) awsproto.Operation {
	return awsproto.Operation{Name: name, HTTP: binding, Status: status,
		Handler: awsproto.Handle(func(context.Context, *In) (*Out, error) { return out, err })}
}

// Capture declares an operation that records its decoded input in *got.
func Capture[In any](name, binding string, got *any) awsproto.Operation {
	return awsproto.Operation{Name: name, HTTP: binding,
		Handler: awsproto.Handle(func(_ context.Context, in *In) (*struct{}, error) {
			*got = in
			return nil, nil
		})}
}

// NewService is a service of the given protocol serving ops.
func NewService(p awsproto.Protocol, ops ...awsproto.Operation) *awsproto.Service {
	return (&awsproto.Service{Name: "test", Protocol: p, Operations: ops}).Init()
}

// Show prints a decoded value deterministically, for comparing what a
// decoder produced with what a test expects: NaN equals itself, maps are
// in key order, times are in UTC, unexported fields are left out.
func Show(v any) string {
	var b strings.Builder
	show(&b, reflect.ValueOf(v))
	return b.String()
}

func show(b *strings.Builder, v reflect.Value) {
	switch v.Kind() {
	case reflect.Invalid:
		b.WriteString("invalid")
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			b.WriteString("nil")
			return
		}
		b.WriteString("&")
		show(b, v.Elem())
	case reflect.Struct:
		if tm, ok := v.Interface().(time.Time); ok {
			b.WriteString(tm.UTC().Format(time.RFC3339Nano))
			return
		}
		b.WriteString("{")
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				fmt.Fprintf(b, "%s:", v.Type().Field(i).Name)
				show(b, v.Field(i))
				b.WriteString(" ")
			}
		}
		b.WriteString("}")
	case reflect.Slice:
		if v.IsNil() {
			b.WriteString("nil")
			return
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			fmt.Fprintf(b, "%q", v.Bytes())
			return
		}
		b.WriteString("[")
		for i := 0; i < v.Len(); i++ {
			show(b, v.Index(i))
			b.WriteString(" ")
		}
		b.WriteString("]")
	case reflect.Map:
		if v.IsNil() {
			b.WriteString("nil")
			return
		}
		var parts []string
		iter := v.MapRange()
		for iter.Next() {
			var e strings.Builder
			show(&e, iter.Value())
			parts = append(parts, iter.Key().String()+":"+e.String())
		}
		sort.Strings(parts)
		b.WriteString("map[" + strings.Join(parts, " ") + "]")
	default:
		fmt.Fprintf(b, "%v", v.Interface())
	}
}

// TagsAtLimit is limit tags of a caller's own (keys k0, k1, ...) and
// CloudFormation's aws:cloudformation: tags, which AWS does not count
// toward a resource's tag limit (awsproto.UserTags): the largest tag set
// a resource of a stack may have. tag makes one tag of a service's shape.
func TagsAtLimit[T any](limit int, tag func(k, v string) T) []T {
	var out []T
	for i := range limit {
		out = append(out, tag(fmt.Sprintf("k%d", i), "v"))
	}
	for _, k := range []string{"aws:cloudformation:stack-name", "aws:cloudformation:stack-id", "aws:cloudformation:logical-id"} {
		out = append(out, tag(k, "v"))
	}
	return out
}
