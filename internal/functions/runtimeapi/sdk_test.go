package runtimeapi

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// sdkRecorder provides the packages of have and records what it is
// asked for.
type sdkRecorder struct {
	have map[string]bool
	mu   sync.Mutex
	// asked lists the packages asked for, in order.
	asked []string
}

func (r *sdkRecorder) ProvideSDK(_ context.Context, pkg string) error {
	r.mu.Lock()
	r.asked = append(r.asked, pkg)
	r.mu.Unlock()
	if !r.have[pkg] {
		return errors.New(pkg + " is not available")
	}
	return nil
}

// TestProvideSDK: POST /_virga/sdk/{package} hands the package's name,
// scope and slash included, to the provider and answers 204 once it is
// in place, 404 with Runtime.SDKUnavailable and the provider's reason
// when it is not, and 404 from a Server without a provider.
func TestProvideSDK(t *testing.T) {
	t.Parallel()
	do := func(s *Server, method, path string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, "http://"+s.Addr()+path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	s := start(t)
	if code, body := do(s, "POST", "/_virga/sdk/@aws-sdk/client-ssm"); code != 404 || !strings.Contains(body, errSDKUnavailable) {
		t.Errorf("without a provider: %d %s", code, body)
	}
	r := &sdkRecorder{have: map[string]bool{"@aws-sdk/client-ssm": true}}
	s.SetSDKProvider(r)
	for _, c := range []struct {
		method, path string
		code         int
		body         string
	}{
		{"POST", "/_virga/sdk/@aws-sdk/client-ssm", 204, ""},
		{"POST", "/_virga/sdk/@aws-sdk/client-nosuch", 404, `{"errorMessage":"@aws-sdk/client-nosuch is not available","errorType":"Runtime.SDKUnavailable"}` + "\n"},
		{"GET", "/_virga/sdk/@aws-sdk/client-ssm", 405, ""},
		{"POST", "/_virga/sdk/", 404, "404 page not found\n"},
	} {
		if code, body := do(s, c.method, c.path); code != c.code || body != c.body {
			t.Errorf("%s %s: %d %q, want %d %q", c.method, c.path, code, body, c.code, c.body)
		}
	}
	if want := []string{"@aws-sdk/client-ssm", "@aws-sdk/client-nosuch"}; len(r.asked) != 2 || r.asked[0] != want[0] || r.asked[1] != want[1] {
		t.Errorf("asked for %v, want %v", r.asked, want)
	}
}
