package ec2

import (
	"strings"

	"github.com/virga/virga/internal/wildcard"
)

// fields gives a resource's values for a filter name, and false for a
// name its Describe operation does not know.
type fields func(name string) ([]string, bool)

// matches reports whether a resource passes every filter: for each, one
// of the resource's values for the filter's name matches one of the
// filter's values, where * stands for any characters and ? for one, and
// \ makes the character after it literal ("\*" is *).
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
			if wildcard.Match(p, v, wildcard.Question|wildcard.Escape) {
				return true
			}
		}
	}
	return false
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
