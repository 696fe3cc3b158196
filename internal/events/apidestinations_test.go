package events

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestFillPath(t *testing.T) {
	for _, c := range []struct {
		endpoint string
		values   []string
		want     string
		err      error
	}{
		{"https://example.com/orders", nil, "https://example.com/orders", nil},
		{"https://example.com/orders/*", []string{"42"}, "https://example.com/orders/42", nil},
		{"https://example.com/users/*/orders/*", []string{"ann", "7"}, "https://example.com/users/ann/orders/7", nil},
		// A value is one path segment: a slash in it is escaped.
		{"https://example.com/files/*", []string{"a/b c"}, "https://example.com/files/a%2Fb%20c", nil},
		// Values beyond the wildcards are ignored.
		{"https://example.com/x/*", []string{"1", "2"}, "https://example.com/x/1", nil},
		{"https://example.com/x/*/*", []string{"1"}, "", errMissingPathValue},
		// A wildcard inside a segment is filled too.
		{"http://127.0.0.1:8080/v*/items", []string{"2"}, "http://127.0.0.1:8080/v2/items", nil},
		{"http://example.com/orders", nil, "", errBadEndpoint},
		{"https://example.com/orders?x=1", nil, "", errBadEndpoint},
		{"ftp://example.com/", nil, "", errBadEndpoint},
	} {
		got, err := fillPath(c.endpoint, c.values)
		if got != c.want || !errors.Is(err, c.err) {
			t.Errorf("fillPath(%q, %q) = %q, %v; want %q, %v", c.endpoint, c.values, got, err, c.want, c.err)
		}
	}
}

func TestParseEndpointLoopbackHTTP(t *testing.T) {
	for endpoint, ok := range map[string]bool{
		"https://api.example.com/hook": true,
		"http://localhost:9000/hook":   true,
		"http://127.0.0.1/hook":        true,
		"http://[::1]:80/":             true,
		"http://10.0.0.1/hook":         false,
		"https://user:pw@example.com/": false,
		"https://example.com/#frag":    false,
		"https://*.example.com/":       false,
		"example.com/hook":             false,
	} {
		if _, err := parseEndpoint(endpoint); (err == nil) != ok {
			t.Errorf("parseEndpoint(%q): %v, want ok=%v", endpoint, err, ok)
		}
	}
}

func TestAddBodyParameters(t *testing.T) {
	params := []ConnectionBodyParameter{{Key: ptr("team"), Value: ptr("core")}, {Key: ptr("id"), Value: ptr("conn")}}
	for in, want := range map[string]string{
		`{"id":"event","n":1}`: `{"n":1,"team":"core","id":"conn"}`,
		`{}`:                   `{"team":"core","id":"conn"}`,
		` [1,2] `:              ` [1,2] `,
		`"text"`:               `"text"`,
	} {
		if got := string(addBodyParameters([]byte(in), params)); got != want {
			t.Errorf("addBodyParameters(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for v, want := range map[string]struct {
		d    time.Duration
		stop bool
	}{
		"":                              {0, false},
		"30":                            {30 * time.Second, false},
		"-1":                            {0, true},
		"Fri, 02 Jan 2026 03:05:05 GMT": {time.Minute, false},
		"soon":                          {0, false},
	} {
		d, stop := retryAfter(v, now)
		if d != want.d || stop != want.stop {
			t.Errorf("retryAfter(%q) = %v, %v; want %v, %v", v, d, stop, want.d, want.stop)
		}
	}
}

// FuzzFillPath checks that whatever endpoint and values come in, a
// filled endpoint is a URL checkEndpoint would accept, with no wildcard
// left in its path.
func FuzzFillPath(f *testing.F) {
	for _, seed := range [][2]string{
		{"https://example.com/users/*/orders/*", "ann\x007"},
		{"http://127.0.0.1:8080/v*/items", "2"},
		{"https://example.com/%2A/*", "x"},
		{"https://example.com/a b/*", "/"},
		{"https://example.com", ""},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, endpoint, joined string) {
		var values []string
		if joined != "" {
			values = strings.Split(joined, "\x00")
		}
		got, err := fillPath(endpoint, values)
		if err != nil {
			return
		}
		u, perr := url.Parse(got)
		if perr != nil {
			t.Fatalf("fillPath(%q) = %q, which does not parse: %v", endpoint, got, perr)
		}
		if strings.Contains(u.EscapedPath(), "*") {
			t.Fatalf("fillPath(%q, %q) = %q still has a wildcard", endpoint, values, got)
		}
		if _, err := parseEndpoint(got); err != nil {
			t.Fatalf("fillPath(%q) = %q, which parseEndpoint refuses: %v", endpoint, got, err)
		}
	})
}
