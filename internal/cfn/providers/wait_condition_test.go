package providers

import (
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/virga/virga/internal/cfn/resource"
	"github.com/virga/virga/internal/ids"
)

// TestWaitHandles signals a handle as curl does: signals are kept by
// UniqueId, a repeated id replaces its signal, and what is no signal or
// no open handle's is refused.
func TestWaitHandles(t *testing.T) {
	t.Parallel()
	h := NewWaitHandles(ids.New(rand.Reader))
	path := h.Open()
	put := func(method, path, body string) int {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "")
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	for _, c := range []struct {
		method, path, body string
		want               int
	}{
		{"PUT", path, `{"Status":"SUCCESS","Reason":"r","UniqueId":"id1","Data":"d"}`, 200},
		{"PUT", path, `{"Status":"SUCCESS","UniqueId":"id2","Data":"first"}`, 200},
		{"PUT", path, `{"Status":"SUCCESS","UniqueId":"id2","Data":"second"}`, 200},
		{"PUT", path, `{"Status":"DONE","UniqueId":"id3"}`, 400},
		{"PUT", path, `not json`, 400},
		{"PUT", path, strings.Repeat(" ", maxSignalBody+1), 400},
		{"GET", path, ``, 405},
		{"PUT", WaitHandlePath + "unknown", `{"Status":"SUCCESS","UniqueId":"x"}`, 403},
		{"PUT", WaitHandlePath, `{"Status":"SUCCESS","UniqueId":"x"}`, 404},
	} {
		if got := put(c.method, c.path, c.body); got != c.want {
			t.Errorf("%s %s %q: %d, want %d", c.method, c.path, c.body, got, c.want)
		}
	}
	got, ok := h.Signals(path)
	want := []resource.Signal{{Status: "SUCCESS", Reason: "r", UniqueID: "id1", Data: "d"}, {Status: "SUCCESS", UniqueID: "id2", Data: "second"}}
	if !ok || len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("signals %+v, %v", got, ok)
	}
	if _, ok := h.Signals("/elsewhere"); ok {
		t.Error("a path that is no handle's has signals")
	}
	// A handle virga no longer knows (made before a restart) takes
	// signals again once a wait condition reads it.
	old := WaitHandlePath + "arn%3Aaws%3Acloudformation/Handle"
	if put("PUT", old, `{"Status":"SUCCESS","UniqueId":"a"}`) != 403 {
		t.Error("an unknown handle took a signal")
	}
	if s, ok := h.Signals(old); !ok || len(s) != 0 {
		t.Errorf("reopened handle: %v %v", s, ok)
	}
	if c := put("PUT", old, `{"Status":"FAILURE","UniqueId":"a","Reason":"broke"}`); c != 200 {
		t.Errorf("a reopened handle refused a signal: %d", c)
	}
	h.Close(path)
	if put("PUT", path, `{"Status":"SUCCESS","UniqueId":"id9"}`) != http.StatusForbidden {
		t.Error("a closed handle took a signal")
	}
}

func FuzzDecodeSignal(f *testing.F) {
	for _, s := range []string{
		`{"Status":"SUCCESS","Reason":"r","UniqueId":"id1","Data":"d"}`,
		`{"Status":"FAILURE","Reason":"broke","UniqueId":"i"}`,
		`{"Status":"SUCCESS","UniqueId":1,"Data":{"a":[1]}}`,
		`{"Status":"WAIT"}`, `null`, `{`, ``, `[]`, `{"Status":null}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		sig, err := decodeSignal(b)
		if err != nil {
			if sig != (resource.Signal{}) {
				t.Fatalf("a signal with an error: %+v", sig)
			}
			return
		}
		if sig.Status != "SUCCESS" && sig.Status != "FAILURE" {
			t.Fatalf("accepted %q as %+v", b, sig)
		}
	})
}
