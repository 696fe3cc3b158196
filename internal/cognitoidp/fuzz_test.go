package cognitoidp

import (
	"strings"
	"testing"
)

// FuzzParseFilter checks that ListUsers' filter parser never panics,
// and that a filter it accepts names an attribute ListUsers can filter
// on.
func FuzzParseFilter(f *testing.F) {
	for _, seed := range []string{
		``, `email = "a@b.c"`, `username ^= "jo"`, `cognito:user_status = "CONFIRMED"`, `status = "Enabled"`,
		`name="x \" y"`, `email = bob`, `= "x"`, `email ~ "x"`, `phone_number ^= "+1"`, `sub = "` + "\x00" + `"`,
		`email = "a" trailing`, `email = "unterminated`, `given_name = "\\"`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		flt, err := parseFilter(s)
		if err != nil {
			return
		}
		if strings.TrimSpace(s) == "" {
			if flt.attr != "" {
				t.Fatalf("empty filter parsed as %+v", flt)
			}
			return
		}
		known := false
		for _, a := range filterAttributes {
			known = known || a == flt.attr
		}
		if !known {
			t.Fatalf("%q: attribute %q", s, flt.attr)
		}
		flt.matches(&user{Username: "u", Attributes: map[string]string{"email": "e"}})
	})
}
