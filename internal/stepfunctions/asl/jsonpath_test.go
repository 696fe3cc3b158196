package asl

import (
	"reflect"
	"testing"
)

// TestPathDotBeforeBracket: a dot before a bracket adds nothing, as in
// Step Functions' JSONPath: $.[0] is $[0] and $.a.['b'] is $.a['b'].
func TestPathDotBeforeBracket(t *testing.T) {
	t.Parallel()
	doc := []any{map[string]any{"a": map[string]any{"b": []any{"x", "y"}}}, "second"}
	for src, want := range map[string]any{
		"$.[0].a.b":       []any{"x", "y"},
		"$.[1]":           "second",
		"$.[0].a.['b']":   []any{"x", "y"},
		"$.[0].a.b.[-1]":  "y",
		"$.[0].a.b.[0:1]": []any{"x"},
	} {
		p, err := ParsePath(src)
		if err != nil {
			t.Errorf("ParsePath(%q): %v", src, err)
			continue
		}
		if got, ok := p.Get(doc); !ok || !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %v (%v), want %v", src, got, ok, want)
		}
	}
	for _, src := range []string{"$.", "$.[", "$..[0]x"} {
		if _, err := ParsePath(src); err == nil {
			t.Errorf("ParsePath(%q) accepted", src)
		}
	}
}
