package resource

import (
	"reflect"
	"testing"
)

// TestWithTags checks how the stack's and CloudFormation's own tags join
// a resource's Tags in each shape: the template's tag wins for a key,
// but not in the aws: namespace; a Tags of another shape, or a type that
// takes none, is left as the template gives it.
func TestWithTags(t *testing.T) {
	t.Parallel()
	stack := map[string]string{"team": "blue", "aws:cloudformation:logical-id": "Q"}
	for _, c := range []struct {
		name   string
		f      TagsFormat
		props  map[string]any
		tags   map[string]string
		want   any // the Tags handed on; "same" means props unchanged
		absent bool
	}{
		{name: "none given, list", f: TagList, props: map[string]any{"A": 1}, tags: stack,
			want: []any{map[string]any{"Key": "aws:cloudformation:logical-id", "Value": "Q"}, map[string]any{"Key": "team", "Value": "blue"}}},
		{name: "template wins", f: TagList, props: map[string]any{"Tags": []any{map[string]any{"Key": "team", "Value": "red"}, map[string]any{"Key": "n", "Value": 7}}}, tags: stack,
			want: []any{map[string]any{"Key": "aws:cloudformation:logical-id", "Value": "Q"}, map[string]any{"Key": "n", "Value": "7"}, map[string]any{"Key": "team", "Value": "red"}}},
		{name: "map", f: TagMap, props: map[string]any{"Tags": map[string]any{"team": "red", "x": true}}, tags: stack,
			want: map[string]any{"aws:cloudformation:logical-id": "Q", "team": "red", "x": "true"}},
		{name: "aws: not from the template", f: TagMap, props: map[string]any{"Tags": map[string]any{"aws:cloudformation:logical-id": "other"}}, tags: stack,
			want: map[string]any{"aws:cloudformation:logical-id": "Q", "team": "blue"}},
		{name: "no tags type", f: NoTags, props: map[string]any{"Tags": "as given"}, tags: stack, want: "as given"},
		{name: "list for a map type", f: TagMap, props: map[string]any{"Tags": []any{}}, tags: stack, want: []any{}},
		{name: "malformed entry", f: TagList, props: map[string]any{"Tags": []any{"team"}}, tags: stack, want: []any{"team"}},
		{name: "nothing to add", f: TagList, props: map[string]any{}, tags: nil, absent: true},
	} {
		got := WithTags(c.f, c.props, c.tags)
		v, ok := got["Tags"]
		if c.absent {
			if ok {
				t.Errorf("%s: Tags = %v, want none", c.name, v)
			}
			continue
		}
		if !reflect.DeepEqual(v, c.want) {
			t.Errorf("%s: Tags = %#v, want %#v", c.name, v, c.want)
		}
		if c.props["A"] != got["A"] {
			t.Errorf("%s: other properties lost: %v", c.name, got)
		}
	}
}

// TestNeedsReplacementNested checks that a Replace entry "A.B" replaces
// the resource when property B of object A changes, and only then.
func TestNeedsReplacementNested(t *testing.T) {
	t.Parallel()
	typ := &Type{Replace: []string{"Config.Type"}}
	old := map[string]any{"Config": map[string]any{"Type": "HTTPS", "Port": 443}}
	for _, c := range []struct {
		new  map[string]any
		want bool
	}{
		{map[string]any{"Config": map[string]any{"Type": "HTTPS", "Port": 8443}}, false},
		{map[string]any{"Config": map[string]any{"Type": "TCP", "Port": 443}}, true},
		{map[string]any{"Config": map[string]any{"Port": 443}}, true},
		{map[string]any{}, true},
	} {
		if got := typ.NeedsReplacement(old, c.new); got != c.want {
			t.Errorf("NeedsReplacement(%v, %v) = %v, want %v", old, c.new, got, c.want)
		}
	}
}
