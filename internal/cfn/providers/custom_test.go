package providers

import (
	"archive/zip"
	"bytes"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/virga/virga/internal/ids"
)

var testCustomRequest = customRequestObject{StackID: "arn:aws:cloudformation:us-east-1:000000000000:stack/s/1", RequestID: "r-1", LogicalResourceID: "Seed"}

// echo is a response object with the request's identifiers and the
// given fields.
func echo(fields string) string {
	return `{"StackId":"arn:aws:cloudformation:us-east-1:000000000000:stack/s/1","RequestId":"r-1","LogicalResourceId":"Seed"` + fields + `}`
}

func TestDecodeCustomResponse(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, body, err string
		want            *customResponse
	}{
		{name: "success", body: echo(`,"Status":"SUCCESS","PhysicalResourceId":"p-1","Data":{"A":"x","N":5,"B":true}`),
			want: &customResponse{Status: "SUCCESS", PhysicalResourceID: "p-1", Data: map[string]any{"A": "x", "N": json.Number("5"), "B": true}}},
		{name: "failed", body: echo(`,"Status":"FAILED","Reason":"no luck","PhysicalResourceId":"p-1","NoEcho":true`),
			want: &customResponse{Status: "FAILED", Reason: "no luck", PhysicalResourceID: "p-1", NoEcho: true, Data: map[string]any{}}},
		{name: "too long", body: echo(`,"Status":"SUCCESS","PhysicalResourceId":"p","Data":{"A":"` + strings.Repeat("x", 4096) + `"}`),
			err: "Response object is too long."},
		{name: "not JSON", body: `Status=SUCCESS`, err: "Invalid Response object: the response is not a JSON object"},
		{name: "a list", body: `[]`, err: "Invalid Response object: the response is not a JSON object"},
		{name: "bad status", body: echo(`,"Status":"FAILURE","PhysicalResourceId":"p"`), err: "Invalid Response object: 'FAILURE' is not a valid ResponseStatus"},
		{name: "no physical id", body: echo(`,"Status":"FAILED","Reason":"x"`), err: "Invalid PhysicalResourceId"},
		{name: "long physical id", body: echo(`,"Status":"SUCCESS","PhysicalResourceId":"` + strings.Repeat("p", 1025) + `"`), err: "Invalid PhysicalResourceId"},
		{name: "other request", body: strings.Replace(echo(`,"Status":"SUCCESS","PhysicalResourceId":"p"`), `"r-1"`, `"r-2"`, 1),
			err: "Invalid Response object: RequestId [r-2] does not match the request's [r-1]"},
		{name: "nested data", body: echo(`,"Status":"SUCCESS","PhysicalResourceId":"p","Data":{"A":{"B":"c"},"Keys":["k1","k2"],"Z":null}`),
			want: &customResponse{Status: "SUCCESS", PhysicalResourceID: "p", Data: map[string]any{"A": map[string]any{"B": "c"}, "Keys": []any{"k1", "k2"}, "Z": nil}}},
		{name: "data not an object", body: echo(`,"Status":"SUCCESS","PhysicalResourceId":"p","Data":"x"`),
			err: "Value of property Data must be an object with String (or simple type) properties"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decodeCustomResponse([]byte(tc.body), testCustomRequest)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			gb, _ := json.Marshal(got)
			wb, _ := json.Marshal(tc.want)
			if string(gb) != string(wb) {
				t.Fatalf("got %s, want %s", gb, wb)
			}
		})
	}
}

// FuzzDecodeCustomResponse: any body is a response or an error in
// CloudFormation's words, never a panic, and a response has what the
// engine relies on.
func FuzzDecodeCustomResponse(f *testing.F) {
	for _, s := range []string{
		echo(`,"Status":"SUCCESS","PhysicalResourceId":"p-1","Data":{"A":"x","N":5}`),
		echo(`,"Status":"FAILED","Reason":"r","PhysicalResourceId":"p-1","NoEcho":"true"`),
		echo(`,"Status":1,"PhysicalResourceId":2,"Data":[]`),
		`{"Status":null}`, `null`, `{`, ``, `"x"`, `{"Data":{"a":{}}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		resp, err := decodeCustomResponse(b, testCustomRequest)
		if err != nil {
			if resp != nil {
				t.Fatalf("a response with an error: %+v", resp)
			}
			return
		}
		if resp.Status != "SUCCESS" && resp.Status != "FAILED" || resp.PhysicalResourceID == "" || len(b) > maxCustomResponse || resp.Data == nil {
			t.Fatalf("accepted %q as %+v", b, resp)
		}
	})
}

func TestCustomValue(t *testing.T) {
	t.Parallel()
	in := map[string]any{"S": "x", "N": json.Number("5"), "B": true, "L": []any{json.Number("1.5"), false, "y"},
		"M": map[string]any{"Deep": json.Number("7")}}
	got, _ := json.Marshal(customValue(in))
	want := `{"B":"true","L":["1.5","false","y"],"M":{"Deep":"7"},"N":"5","S":"x"}`
	if string(got) != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

func TestServiceTimeout(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		v    any
		want time.Duration
		ok   bool
	}{{nil, time.Hour, true}, {json.Number("1"), time.Second, true}, {"3600", time.Hour, true},
		{json.Number("0"), 0, false}, {"3601", 0, false}, {"1.5", 0, false}, {"soon", 0, false}} {
		got, err := serviceTimeout(tc.v)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("serviceTimeout(%v) = %v, %v", tc.v, got, err)
		}
	}
}

func TestResponseURLsTakeOnePut(t *testing.T) {
	t.Parallel()
	u := NewResponseURLs(ids.New(rand.Reader))
	srv := httptest.NewServer(u)
	defer srv.Close()
	path, body, done := u.Open(8)
	defer done()
	put := func(path, text string) int {
		req, _ := http.NewRequest(http.MethodPut, srv.URL+path, strings.NewReader(text))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := put(ResponsePath+"guessed", "{}"); code != http.StatusForbidden {
		t.Errorf("a guessed URL: %d", code)
	}
	if code := put(path, "0123456789"); code != http.StatusOK {
		t.Fatalf("the PUT: %d", code)
	}
	if got := string(<-body); got != "012345678" {
		t.Errorf("body %q: want it cut one byte over the limit", got)
	}
	if code := put(path, "{}"); code != http.StatusForbidden {
		t.Errorf("a second PUT: %d", code)
	}
	resp, err := http.Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("a GET: %d", resp.StatusCode)
	}
}

func TestInlineArchiveCfnResponse(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		runtime, source, want string
	}{
		{"python3.12", "import json\nimport cfnresponse\n", "cfnresponse.py"},
		{"python3.12", "from cfnresponse import send\n", ""}, // not CloudFormation's exact statement
		{"nodejs20.x", "const response = require('cfn-response');\n", "node_modules/cfn-response/index.js"},
		{"nodejs20.x", "exports.handler = async () => 1;\n", ""},
	} {
		archive, err := inlineArchive(tc.runtime, tc.source)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := zip.NewReader(bytes.NewReader(archive), int64(len(archive)))
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, f := range zr.File {
			names = append(names, f.Name)
		}
		if n := len(names); tc.want == "" && n != 1 || tc.want != "" && (n != 2 || names[1] != tc.want) {
			t.Errorf("%s %q: files %v", tc.runtime, tc.source, names)
		}
	}
}

// brokenBody is a request body whose upload breaks off.
type brokenBody struct{}

func (brokenBody) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }

// TestResponseURLsBrokenUploadLeavesURLOpen: a PUT whose body breaks off
// is refused without retiring the URL, so that the provider's retry is
// the response.
func TestResponseURLsBrokenUploadLeavesURLOpen(t *testing.T) {
	t.Parallel()
	u := NewResponseURLs(ids.New(rand.Reader))
	path, body, done := u.Open(64)
	defer done()
	put := func(r io.Reader) int {
		w := httptest.NewRecorder()
		u.ServeHTTP(w, httptest.NewRequest(http.MethodPut, path, r))
		return w.Code
	}
	if code := put(brokenBody{}); code != http.StatusBadRequest {
		t.Errorf("a broken upload: %d", code)
	}
	select {
	case b := <-body:
		t.Fatalf("a broken upload was the response: %q", b)
	default:
	}
	if code := put(strings.NewReader(`{"Status":"SUCCESS"}`)); code != http.StatusOK {
		t.Fatalf("the retry: %d", code)
	}
	if got := string(<-body); got != `{"Status":"SUCCESS"}` {
		t.Errorf("body %q", got)
	}
}
