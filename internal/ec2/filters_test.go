package ec2

import "testing"

func TestGlob(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		p, s string
		want bool
	}{
		{"app", "app", true}, {"ap*", "app", true}, {"*", "", true}, {"a?p", "app", true},
		{"a?p", "ap", false}, {"*-prod", "web-prod", true}, {"*-prod", "web-dev", false},
		{`a\*`, "a*", true}, {`a\*`, "ab", false}, {"a*b*c", "aXbYc", true}, {"a*b*c", "aXbY", false},
	} {
		if got := glob(c.p, c.s); got != c.want {
			t.Errorf("glob(%q, %q) = %v, want %v", c.p, c.s, got, c.want)
		}
	}
}

func FuzzGlob(f *testing.F) {
	for _, s := range [][2]string{{"ap*", "app"}, {"a?*\\*", "ab*"}, {"**a**b", "aab"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, p, s string) {
		// A pattern matches itself when it has no special characters.
		glob(p, s)
		if glob(s, s) != true && !containsAny(s, `*?\`) {
			t.Fatalf("glob(%q, %q) = false", s, s)
		}
	})
}

func containsAny(s, chars string) bool {
	for i := range s {
		for j := range chars {
			if s[i] == chars[j] {
				return true
			}
		}
	}
	return false
}
