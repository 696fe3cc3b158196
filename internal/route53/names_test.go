package route53

import (
	"strings"
	"testing"
)

func TestCanonicalName(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want, err string }{
		{"example.com", "example.com.", ""},
		{"WWW.Example.COM.", "www.example.com.", ""},
		{"*.example.com", `\052.example.com.`, ""},
		{`\052.example.com`, `\052.example.com.`, ""},
		{`a\.b.example.com`, `a\056b.example.com.`, ""},
		{"_sip._tcp.example.com", "_sip._tcp.example.com.", ""},
		{"a b.example.com", `a\040b.example.com.`, ""},
		{".", ".", ""},
		{"", "", "empty name"},
		{"a..example.com", "", "empty label"},
		{".example.com", "", "empty label"},
		{strings.Repeat("a", 64) + ".com", "", "label longer"},
		{strings.Repeat(strings.Repeat("a", 63)+".", 4) + "com", "", "name longer"},
		{`a\9.com`, "a9.com.", ""},
		{`a\777.com`, "", "escape out of range"},
		{`a\`, "", "broken escape"},
	} {
		got, err := canonicalName(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("canonicalName(%q) = %q, %v; want error %q", tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("canonicalName(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestSortKey(t *testing.T) {
	t.Parallel()
	// Route 53 lists by labels reversed: a zone's apex, then its
	// subdomains in order of their last label first.
	names := []string{"example.com.", "a.example.com.", "b.a.example.com.", "www.example.com.", "example-2.com.", "z.org."}
	for i := 1; i < len(names); i++ {
		if a, b := names[i-1], names[i]; sortKey(a) >= sortKey(b) {
			t.Errorf("%s does not sort before %s", a, b)
		}
	}
	if !(sortKey("b.a.example.com.") < sortKey("www.example.com.")) || !(sortKey("www.example.com.") < sortKey("example-2.com.")) {
		t.Error("labels are not compared one by one")
	}
}

func TestCheckValue(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		typ    RRType
		value  string
		reason string // a prefix; "" when the value is good
	}{
		{"A", "192.0.2.1", ""},
		{"A", "192.0.2", "ARRDATAIllegalIPv4Address"},
		{"A", "192.0.2.1, 192.0.2.2", "ARRDATANotSingleField"},
		{"A", "2001:db8::1", "ARRDATAIllegalIPv4Address"},
		{"AAAA", "2001:db8::1", ""},
		{"AAAA", "192.0.2.1", "AAAARRDATAIllegalIPv6Address"},
		{"CNAME", "www.example.com", ""},
		{"CNAME", "a..b", "DomainLabelEmpty"},
		{"MX", "10 mail.example.com.", ""},
		{"MX", "mail.example.com.", "MXRRDATAIncorrectFieldCount"},
		{"MX", "99999 mail.example.com.", "MXRRDATAInvalidPriority"},
		{"SRV", "1 10 5060 sip.example.com.", ""},
		{"SRV", "1 10 sip.example.com.", "SRVRRDATAIncorrectFieldCount"},
		{"CAA", `0 issue "amazon.com"`, ""},
		{"CAA", `0 issue amazon.com`, "CAARRDATAIncorrectFormat"},
		{"TXT", `"v=spf1 -all"`, ""},
		{"TXT", `"part one" "part two"`, ""},
		{"TXT", `"with \" quote"`, ""},
		{"TXT", "plain", ""},
		{"TXT", `"unterminated`, "InvalidCharacterString"},
		{"TXT", `"` + strings.Repeat("x", 256) + `"`, "CharacterStringTooLong"},
		{"TXT", "", "InvalidCharacterString"},
		{"SOA", "ns. host. 1 2 3 4 5", ""},
		{"SOA", "ns. host. 1", "SOARRDATAIncorrectFieldCount"},
	} {
		got := checkValue(tc.typ, tc.value)
		if tc.reason == "" && got != "" || tc.reason != "" && !strings.HasPrefix(got, tc.reason) {
			t.Errorf("checkValue(%s, %q) = %q, want %q", tc.typ, tc.value, got, tc.reason)
		}
	}
}

// FuzzCanonicalName: whatever the input, canonicalName does not panic,
// and what it returns is canonical already.
func FuzzCanonicalName(f *testing.F) {
	for _, s := range []string{"example.com", "*.Example.COM.", `\052.a`, `a\.b`, "a..b", `\`, `\1`, `\377.x`, ".", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := canonicalName(s)
		if err != nil {
			return
		}
		again, err := canonicalName(got)
		if err != nil || again != got {
			t.Fatalf("canonicalName(%q) = %q, but that gives %q, %v", s, got, again, err)
		}
		if !strings.HasSuffix(got, ".") || strings.ToLower(got) != got {
			t.Fatalf("canonicalName(%q) = %q", s, got)
		}
	})
}

// FuzzCheckValue: no value of any type makes checkValue panic.
func FuzzCheckValue(f *testing.F) {
	for _, s := range []string{"192.0.2.1", "2001:db8::1", `"a" "b"`, `"\"`, `0 issue "x"`, "10 mx.", "1 2 3 t.", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, typ := range (RRType("")).Values() {
			checkValue(RRType(typ), s)
		}
	})
}
