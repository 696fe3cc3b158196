package ec2

import "strings"

// fields gives a resource's values for a filter name, and false for a
// name its Describe operation does not know.
type fields func(name string) ([]string, bool)

// matches reports whether a resource passes every filter: for each, one
// of the resource's values for the filter's name matches one of the
// filter's values, where * stands for any characters and ? for one.
// Every Describe operation knows tag:KEY, tag-key and tag-value.
func matches(filters []Filter, tags map[string]string, f fields) (bool, error) {
	for _, flt := range filters {
		name := deref(flt.Name)
		var have []string
		switch {
		case strings.HasPrefix(name, "tag:"):
			if v, ok := tags[name[len("tag:"):]]; ok {
				have = []string{v}
			}
		case name == "tag-key":
			for k := range tags {
				have = append(have, k)
			}
		case name == "tag-value":
			for _, v := range tags {
				have = append(have, v)
			}
		default:
			var ok bool
			if have, ok = f(name); !ok {
				return false, ErrInvalidParameterValue.Withf("The filter '%s' is invalid", name)
			}
		}
		if !anyMatch(flt.Values, have) {
			return false, nil
		}
	}
	return true, nil
}

func anyMatch(patterns, values []string) bool {
	for _, p := range patterns {
		for _, v := range values {
			if glob(p, v) {
				return true
			}
		}
	}
	return false
}

// glob matches s against pattern p, in which * matches any run of
// characters and ? any one; "\*" and "\?" match the characters
// themselves. It backtracks only to the last *, so it takes time
// proportional to len(p)*len(s) at worst.
func glob(p, s string) bool {
	pi, si := 0, 0
	star, mark := -1, 0
	for si < len(s) {
		switch {
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
			continue
		case pi < len(p) && p[pi] == '?':
			pi++
			si++
			continue
		case pi < len(p) && p[pi] == '\\' && pi+1 < len(p) && p[pi+1] == s[si]:
			pi += 2
			si++
			continue
		case pi < len(p) && p[pi] != '\\' && p[pi] == s[si]:
			pi++
			si++
			continue
		case star >= 0:
			mark++
			pi, si = star+1, mark
			continue
		}
		return false
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// one is a resource's value for a filter: one value, omitted when empty.
func one(v string) []string {
	if v == "" {
		return nil
	}
	return []string{v}
}

func boolText(b bool) []string {
	if b {
		return []string{"true"}
	}
	return []string{"false"}
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
