package eventpattern

import (
	"reflect"
	"testing"
)

func TestParseWildcard(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in     string
		parts  []string
		reason string
	}{
		{"", []string{""}, ""},
		{"abc", []string{"abc"}, ""},
		{"*", []string{"", ""}, ""},
		{"a*b*c", []string{"a", "b", "c"}, ""},
		{"*a*", []string{"", "a", ""}, ""},
		{`a\*b`, []string{"a*b"}, ""},
		{`a\\*`, []string{`a\`, ""}, ""},
		{"**", nil, "Consecutive wildcard characters at pos 1"},
		{"ab**", nil, "Consecutive wildcard characters at pos 3"},
		{`\a`, nil, "Invalid escape character at pos 1"},
		{`ab\`, nil, "Invalid escape character at pos 3"},
		{"é\\x", nil, "Invalid escape character at pos 3"}, // positions count bytes
	}
	for _, tc := range cases {
		w, reason := parseWildcard(tc.in)
		if reason != tc.reason {
			t.Errorf("parseWildcard(%q) reason = %q, want %q", tc.in, reason, tc.reason)
			continue
		}
		if reason == "" && !reflect.DeepEqual(w.parts, tc.parts) {
			t.Errorf("parseWildcard(%q) parts = %q, want %q", tc.in, w.parts, tc.parts)
		}
	}
}

func TestWildcardMatch(t *testing.T) {
	t.Parallel()
	cases := []struct {
		pattern, s string
		want       bool
	}{
		{"", "", true},
		{"", "a", false},
		{"*", "", true},
		{"*", "anything", true},
		{"a*", "a", true},
		{"a*", "ba", false},
		{"*a", "ba", true},
		{"*a", "ab", false},
		{"a*a", "a", false},
		{"a*a", "aa", true},
		{"a*b*c", "abc", true},
		{"a*b*c", "aXbYc", true},
		{"a*b*c", "aXcYb", false},
		{"*b*b*", "abcb", true},
		{"*b*b*", "abc", false},
		{"ü*ö", "üxö", true},
		{`\*`, "*", true},
		{`\*`, "x", false},
	}
	for _, tc := range cases {
		w, reason := parseWildcard(tc.pattern)
		if reason != "" {
			t.Fatalf("parseWildcard(%q): %s", tc.pattern, reason)
		}
		if got := w.match(tc.s); got != tc.want {
			t.Errorf("wildcard %q match %q = %v, want %v", tc.pattern, tc.s, got, tc.want)
		}
	}
}
