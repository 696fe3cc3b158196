package events

import (
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
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

func TestParseTokenAnswer(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for in, want := range map[string]oauthToken{
		`{"access_token":"a","expires_in":3600}`:   {"a", now.Add(time.Hour)},
		`{"access_token":"a","expires_in":"60"}`:   {"a", now.Add(time.Minute)},
		`{"access_token":"a"}`:                     {"a", time.Time{}},
		`{"access_token":"a","expires_in":-5}`:     {"a", time.Time{}},
		`{"access_token":"a","expires_in":1e300}`:  {"a", time.Time{}},
		`{"access_token":"a","expires_in":"soon"}`: {"a", time.Time{}},
	} {
		got, err := parseTokenAnswer([]byte(in), now)
		if err != nil || got != want {
			t.Errorf("parseTokenAnswer(%s) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{``, `{}`, `{"access_token":""}`, `[]`, `{"access_token":1}`} {
		if _, err := parseTokenAnswer([]byte(in), now); err == nil {
			t.Errorf("parseTokenAnswer(%s) took it", in)
		}
	}
}

// FuzzParseTokenAnswer checks that any answer gives a token with a value
// and an expiry that is none or after now, or an error.
func FuzzParseTokenAnswer(f *testing.F) {
	for _, seed := range []string{`{"access_token":"a","expires_in":3600}`, `{"access_token":"a","expires_in":"60"}`, `{"expires_in":1}`, `null`} {
		f.Add(seed)
	}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	f.Fuzz(func(t *testing.T, in string) {
		tok, err := parseTokenAnswer([]byte(in), now)
		if err != nil {
			return
		}
		if tok.value == "" || !tok.expires.IsZero() && !tok.expires.After(now) {
			t.Fatalf("parseTokenAnswer(%q) = %+v", in, tok)
		}
	})
}

// FuzzRetryAfter checks that a Retry-After header never gives a negative
// delay or one past the longest a retry may wait.
func FuzzRetryAfter(f *testing.F) {
	for _, seed := range []string{"30", "-1", "Fri, 02 Jan 2026 03:05:05 GMT", "", "99999999999999999999"} {
		f.Add(seed)
	}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string) {
		d, stop := retryAfter(v, now)
		if d < 0 || d > maxRetryAfter || stop && d != 0 {
			t.Fatalf("retryAfter(%q) = %v, %v", v, d, stop)
		}
	})
}

// FuzzAddBodyParameters checks that a JSON object body stays a JSON
// object with the connection's parameters in it, and that any other body
// is left alone.
func FuzzAddBodyParameters(f *testing.F) {
	for _, seed := range [][3]string{{`{"a":1}`, "a", "x"}, {`{}`, "k", "v"}, {`[1]`, "k", "v"}, {`{"a":{"b":[1,2]}, "c":"<&>"}`, "c", "\u2028"}} {
		f.Add(seed[0], seed[1], seed[2])
	}
	f.Fuzz(func(t *testing.T, body, key, value string) {
		params := []ConnectionBodyParameter{{Key: &key, Value: &value}}
		out := addBodyParameters([]byte(body), params)
		var obj map[string]any
		if json.Unmarshal([]byte(body), &obj) != nil || obj == nil {
			if string(out) != body {
				t.Fatalf("addBodyParameters(%q) changed a body that is no JSON object: %q", body, out)
			}
			return
		}
		var got map[string]any
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("addBodyParameters(%q) = %q: %v", body, out, err)
		}
		if !utf8.ValidString(key) || !utf8.ValidString(value) {
			return // JSON replaces invalid UTF-8
		}
		if got[key] != value {
			t.Fatalf("addBodyParameters(%q) = %q, want %q=%q", body, out, key, value)
		}
	})
}

// An API destination takes at most InvocationRateLimitPerSecond
// invocations in each second; the next waits for the next window.
func TestAdmitRateLimit(t *testing.T) {
	arn := "arn:aws:events:us-east-1:000000000000:api-destination/slow/id-1"
	s := &Service{apiDests: map[string]*apiDestRecord{"slow": {Name: "slow", ID: "id-1", Rate: 2}}, windows: map[string]*rateWindow{}}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for i := range 2 {
		if _, ok := s.admit(arn, now.Add(time.Duration(i)*100*time.Millisecond)); !ok {
			t.Fatalf("invocation %d refused", i)
		}
	}
	at, ok := s.admit(arn, now.Add(500*time.Millisecond))
	if ok || !at.Equal(now.Add(time.Second)) {
		t.Fatalf("third invocation: %v %v, want to wait until %v", at, ok, now.Add(time.Second))
	}
	if _, ok := s.admit(arn, now.Add(time.Second)); !ok {
		t.Fatal("the next second's first invocation was refused")
	}
	// Another destination has its own window.
	if _, ok := s.admit(arn+"x", now.Add(500*time.Millisecond)); !ok {
		t.Fatal("another destination was refused")
	}
}
