package console

import (
	"context"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"path"
	"strings"
	"testing"

	"github.com/virga/virga/web"
)

// TestAssets serves every embedded file with its content type, the
// CSP header and nosniff.
func TestAssets(t *testing.T) {
	t.Parallel()
	c := New(Options{})
	n := 0
	err := fs.WalkDir(web.Console, "console", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		n++
		want, ok := contentTypes[path.Ext(p)]
		if !ok {
			t.Errorf("%s: no content type for its extension", p)
			return nil
		}
		body, _ := fs.ReadFile(web.Console, p)
		for _, method := range []string{http.MethodGet, http.MethodHead} {
			rec := serve(c, method, "http://127.0.0.1:4566/_virga/"+p, "127.0.0.1:5000")
			if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != want {
				t.Errorf("%s %s: %d %q; want 200 %q", method, p, rec.Code, rec.Header().Get("Content-Type"), want)
			}
			if got := rec.Header().Get("Content-Security-Policy"); !strings.HasPrefix(got, "default-src 'self'") {
				t.Errorf("%s %s: CSP %q", method, p, got)
			}
			if rec.Header().Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("%s %s: no nosniff", method, p)
			}
			if method == http.MethodGet && rec.Body.String() != string(body) {
				t.Errorf("GET %s: body differs from the embedded file", p)
			}
		}
		return nil
	})
	if err != nil || n < 3 {
		t.Fatalf("walked %d assets: %v", n, err)
	}
	rec := serve(c, http.MethodGet, "http://localhost:4566"+Path, "[::1]:5000")
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != contentTypes[".html"] ||
		!strings.Contains(rec.Body.String(), `<script src="console.js"`) {
		t.Errorf("the console's root: %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	for _, p := range []string{"nope.js", "embed.go", "../web/embed.go", "api/nope"} {
		if rec := serve(c, http.MethodGet, "http://127.0.0.1:4566"+Path+p, "127.0.0.1:5000"); rec.Code == http.StatusOK {
			t.Errorf("%s: served", p)
		}
	}
}

// TestRemoteRefused refuses clients that are not on this machine, and
// loopback requests naming another host (a DNS-rebinding page), unless
// Remote is set.
func TestRemoteRefused(t *testing.T) {
	t.Parallel()
	local, remote := New(Options{}), New(Options{Remote: true})
	cases := []struct {
		host, from string
		ok         bool
	}{
		{"127.0.0.1:4566", "127.0.0.1:5000", true},
		{"localhost:4566", "127.0.0.1:5000", true},
		{"[::1]:4566", "[::1]:5000", true},
		{"app.localhost:4566", "127.0.0.2:5000", true},
		{"10.0.0.5:4566", "10.0.0.9:5000", false},
		{"127.0.0.1:4566", "192.168.1.20:40000", false},
		{"[::1]:4566", "[2001:db8::1]:40000", false},
		{"evil.example:4566", "127.0.0.1:5000", false},
	}
	for _, tc := range cases {
		for _, p := range []string{Path, Path + "console.js", Path + "api/overview"} {
			rec := serve(local, http.MethodGet, "http://"+tc.host+p, tc.from)
			if tc.ok != (rec.Code == http.StatusOK) || (!tc.ok && rec.Code != http.StatusForbidden) {
				t.Errorf("%s from %s to %s: %d", p, tc.from, tc.host, rec.Code)
			}
			if !tc.ok && strings.Contains(rec.Body.String(), "<") {
				t.Errorf("%s from %s: the refusal carries markup: %q", p, tc.from, rec.Body.String())
			}
			if rec := serve(remote, http.MethodGet, "http://"+tc.host+p, tc.from); rec.Code != http.StatusOK {
				t.Errorf("with Remote, %s from %s to %s: %d", p, tc.from, tc.host, rec.Code)
			}
		}
	}
}

// TestOnlyReads refuses methods other than GET and HEAD, and
// operations that do not read.
func TestOnlyReads(t *testing.T) {
	t.Parallel()
	c := New(Options{})
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete} {
		if rec := serve(c, m, "http://127.0.0.1:4566"+Path+"api/overview", "127.0.0.1:1"); rec.Code != http.StatusMethodNotAllowed {
			t.Errorf("%s: %d", m, rec.Code)
		}
	}
	called := ""
	s := readOnly{serviceFunc(func(_ context.Context, op string, _ map[string]any) (map[string]any, error) {
		called = op
		return map[string]any{}, nil
	})}
	for _, op := range []string{"PutItem", "DeleteTable", "ReceiveMessage", "SendMessage", "Invoke", "UpdateStack", "StartExecution"} {
		if _, err := s.Call(context.Background(), op, nil); err == nil || called != "" {
			t.Errorf("%s was let through", op)
		}
	}
	for _, op := range []string{"Scan", "DescribeTable", "ListFunctions", "GetQueueAttributes", "BatchGetTraces", "FilterLogEvents"} {
		if _, err := s.Call(context.Background(), op, nil); err != nil || called != op {
			t.Errorf("%s: %v", op, err)
		}
	}
}

// TestTimeline places subsegments under their segment and a segment
// under the subsegment its parent_id names.
func TestTimeline(t *testing.T) {
	t.Parallel()
	docs := []document{
		{ID: "b", ParentID: "a2", Name: "back", StartTime: 1.07, EndTime: 1.14},
		{ID: "a", Name: "front", StartTime: 1, EndTime: 1.2, Subsegments: []document{
			{ID: "a2", Name: "call back", StartTime: 1.06, EndTime: 1.15},
			{ID: "a1", Name: "DynamoDB", StartTime: 1.01, EndTime: 1.05, Fault: true},
		}},
		{ID: "x", ParentID: "missing", Name: "orphan", StartTime: 0.5, EndTime: 0.6},
		{ID: "c1", ParentID: "c2", Name: "cycle 1", StartTime: 3},
		{ID: "c2", ParentID: "c1", Name: "cycle 2", StartTime: 3},
	}
	got := timeline(docs)
	var order []string
	for _, s := range got {
		order = append(order, s.Name+"@"+string(rune('0'+s.Depth)))
	}
	want := "orphan@0 front@0 DynamoDB@1 call back@1 back@2 cycle 1@0 cycle 2@1"
	if strings.Join(order, " ") != want {
		t.Errorf("timeline %v; want %s", order, want)
	}
	if !got[2].Fault {
		t.Errorf("DynamoDB's fault was lost: %+v", got[2])
	}
}

type serviceFunc func(ctx context.Context, op string, in map[string]any) (map[string]any, error)

func (f serviceFunc) Call(ctx context.Context, op string, in map[string]any) (map[string]any, error) {
	return f(ctx, op, in)
}

// With a Token, the API answers only requests that carry it; the page
// and its assets, which hold no data, are served without it.
func TestToken(t *testing.T) {
	t.Parallel()
	c := New(Options{Token: "s3cret"})
	for _, tc := range []struct {
		path, token string
		want        int
		code        string
	}{
		{Path, "", http.StatusOK, ""},
		{Path + "console.js", "", http.StatusOK, ""},
		{Path + "api/overview", "", http.StatusUnauthorized, "MissingToken"},
		{Path + "api/overview", "s3cre", http.StatusUnauthorized, "InvalidToken"},
		{Path + "api/overview", "s3cret", http.StatusOK, ""},
	} {
		r := httptest.NewRequest(http.MethodGet, "http://127.0.0.1:4566"+tc.path, nil)
		r.RemoteAddr = "127.0.0.1:5000"
		if tc.token != "" {
			r.Header.Set(TokenHeader, tc.token)
		}
		rec := httptest.NewRecorder()
		c.ServeHTTP(rec, r)
		if rec.Code != tc.want {
			t.Errorf("%s with token %q: %d; want %d", tc.path, tc.token, rec.Code, tc.want)
		}
		if tc.code != "" && !strings.Contains(rec.Body.String(), `"code":"`+tc.code+`"`) {
			t.Errorf("%s with token %q: %s; want code %s", tc.path, tc.token, rec.Body, tc.code)
		}
	}
}

func serve(c *Console, method, url, from string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, url, nil)
	r.RemoteAddr = from
	rec := httptest.NewRecorder()
	c.ServeHTTP(rec, r)
	return rec
}

func TestParseReport(t *testing.T) {
	t.Parallel()
	cases := []struct {
		line string
		want invocation
		ok   bool
	}{
		{"REPORT RequestId: 8f5a-1\tDuration: 2.04 ms\tBilled Duration: 3 ms\tMemory Size: 128 MB\tMax Memory Used: 10 MB\tInit Duration: 233.06 ms\t",
			invocation{RequestID: "8f5a-1", DurationMs: 2.04, BilledDurationMs: 3, MemorySizeMB: 128, MaxMemoryUsedMB: 10, InitDurationMs: 233.06}, true},
		{"REPORT RequestId: r2\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\tMemory Size: 256 MB\tMax Memory Used: 40 MB\tStatus: timeout\n",
			invocation{RequestID: "r2", DurationMs: 3000, BilledDurationMs: 3000, MemorySizeMB: 256, MaxMemoryUsedMB: 40, Status: "timeout"}, true},
		{`{"time":"2026-01-01T00:00:00.000Z","type":"platform.report","record":{"requestId":"r3","metrics":{"durationMs":1.5,"billedDurationMs":2,"memorySizeMB":128,"maxMemoryUsedMB":9},"status":"success"}}`,
			invocation{RequestID: "r3", DurationMs: 1.5, BilledDurationMs: 2, MemorySizeMB: 128, MaxMemoryUsedMB: 9, Status: "success"}, true},
		{`{"type":"platform.start","record":{"requestId":"r4"}}`, invocation{}, false},
		{"START RequestId: r5 Version: $LATEST", invocation{}, false},
		{"REPORT nothing here", invocation{}, false},
		{"REPORT RequestId: r6\tDuration: \t", invocation{RequestID: "r6"}, true},
	}
	for _, tc := range cases {
		got, ok := parseReport(tc.line)
		if ok != tc.ok || got != tc.want {
			t.Errorf("parseReport(%q) = %+v, %v; want %+v, %v", tc.line, got, ok, tc.want, tc.ok)
		}
	}
}
