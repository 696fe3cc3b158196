package cloudcontrol

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/virga/virga/internal/cfn/resource"
)

func decode(t testing.TB, text string) map[string]any {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(text))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestApplyPatch: RFC 6902's operations, its appendix's examples among
// them, and the patches refused (the document left as it was).
func TestApplyPatch(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, doc, patch, want, err string
	}{
		{"add member", `{"foo":"bar"}`, `[{"op":"add","path":"/baz","value":"qux"}]`, `{"baz":"qux","foo":"bar"}`, ""},
		{"add into array", `{"foo":["bar","baz"]}`, `[{"op":"add","path":"/foo/1","value":"qux"}]`, `{"foo":["bar","qux","baz"]}`, ""},
		{"append with -", `{"Tags":[{"Key":"a"}]}`, `[{"op":"add","path":"/Tags/-","value":{"Key":"b"}}]`, `{"Tags":[{"Key":"a"},{"Key":"b"}]}`, ""},
		{"remove member", `{"baz":"qux","foo":"bar"}`, `[{"op":"remove","path":"/baz"}]`, `{"foo":"bar"}`, ""},
		{"remove element", `{"foo":["bar","qux","baz"]}`, `[{"op":"remove","path":"/foo/1"}]`, `{"foo":["bar","baz"]}`, ""},
		{"replace", `{"baz":"qux","foo":"bar"}`, `[{"op":"replace","path":"/baz","value":"boo"}]`, `{"baz":"boo","foo":"bar"}`, ""},
		{"move", `{"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}}`, `[{"op":"move","from":"/foo/waldo","path":"/qux/thud"}]`,
			`{"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}}`, ""},
		{"move element", `{"foo":["all","grass","cows","eat"]}`, `[{"op":"move","from":"/foo/1","path":"/foo/3"}]`, `{"foo":["all","cows","eat","grass"]}`, ""},
		{"copy", `{"a":{"b":1}}`, `[{"op":"copy","from":"/a","path":"/c"},{"op":"replace","path":"/c/b","value":2}]`, `{"a":{"b":1},"c":{"b":2}}`, ""},
		{"test passes", `{"baz":"qux","foo":["a",2,"c"]}`, `[{"op":"test","path":"/baz","value":"qux"},{"op":"test","path":"/foo/1","value":2.0}]`, `{"baz":"qux","foo":["a",2,"c"]}`, ""},
		{"escaped keys", `{"a/b":1,"m~n":2}`, `[{"op":"replace","path":"/a~1b","value":3},{"op":"remove","path":"/m~0n"}]`, `{"a/b":3}`, ""},
		{"nested value", `{}`, `[{"op":"add","path":"/Tags","value":{"k":"v"}},{"op":"add","path":"/Tags/j","value":"w"}]`, `{"Tags":{"j":"w","k":"v"}}`, ""},
		{"test fails", `{"baz":"qux"}`, `[{"op":"test","path":"/baz","value":"bar"}]`, "", "not the one tested"},
		{"missing parent", `{"foo":"bar"}`, `[{"op":"add","path":"/baz/bat","value":"qux"}]`, "", "/baz does not exist"},
		{"remove missing", `{}`, `[{"op":"remove","path":"/x"}]`, "", "/x does not exist"},
		{"replace missing", `{}`, `[{"op":"replace","path":"/x","value":1}]`, "", "/x does not exist"},
		{"index out of bounds", `{"a":[1]}`, `[{"op":"add","path":"/a/2","value":1}]`, "", "out of bounds"},
		{"leading zero", `{"a":[1,2]}`, `[{"op":"remove","path":"/a/01"}]`, "", "not an array index"},
		{"into a scalar", `{"a":1}`, `[{"op":"add","path":"/a/b","value":1}]`, "", "not an object or array"},
		{"whole document not an object", `{}`, `[{"op":"replace","path":"","value":[1]}]`, "", "not an object"},
		{"all or nothing", `{"a":1}`, `[{"op":"remove","path":"/a"},{"op":"remove","path":"/b"}]`, "", "/b does not exist"},
	} {
		t.Run(c.name, func(t *testing.T) {
			doc := decode(t, c.doc)
			ops, err := parsePatch(c.patch)
			if err != nil {
				t.Fatalf("parsePatch: %v", err)
			}
			got, err := applyPatch(doc, ops)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err = %v, want one with %q", err, c.err)
				}
				if !resource.Equal(doc, decode(t, c.doc)) {
					t.Errorf("a refused patch changed the document: %v", doc)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !resource.Equal(got, decode(t, c.want)) {
				t.Errorf("got %v, want %s", got, c.want)
			}
			if !resource.Equal(doc, decode(t, c.doc)) {
				t.Errorf("the patch changed its input: %v", doc)
			}
		})
	}
}

// TestParsePatch: documents that are no JSON Patch.
func TestParsePatch(t *testing.T) {
	t.Parallel()
	for _, p := range []string{
		``, `{}`, `[1]`, `[null]`, `[{"op":"add","path":"/a"}]`, `[{"op":"move","path":"/a"}]`, `[{"op":"jump","path":"/a"}]`,
		`[{"op":"remove"}]`, `[{"op":"remove","path":"a"}]`, `[{"op":"remove","path":"/a~2"}]`, `[{"op":"remove","path":"/a~"}]`,
		`[{"op":"move","from":"/a","path":"/a/b"}]`, `[] []`,
	} {
		if _, err := parsePatch(p); err == nil {
			t.Errorf("parsePatch(%q) accepted it", p)
		}
	}
}

// FuzzPatch: any document and patch either apply or are refused, without
// a panic and without changing the document; a patch that applied,
// reversed by its replace of the whole document, gives it back.
func FuzzPatch(f *testing.F) {
	for _, s := range [][2]string{
		{`{"foo":"bar"}`, `[{"op":"add","path":"/baz","value":"qux"}]`},
		{`{"foo":["bar","baz"]}`, `[{"op":"add","path":"/foo/-","value":"qux"},{"op":"remove","path":"/foo/0"}]`},
		{`{"a":{"b":[1,{"c":2}]}}`, `[{"op":"move","from":"/a/b/1","path":"/a/b/0"},{"op":"copy","from":"/a","path":"/d"}]`},
		{`{"a/b":{"m~n":1}}`, `[{"op":"test","path":"/a~1b/m~0n","value":1},{"op":"replace","path":"/a~1b","value":[]}]`},
		{`{"x":[]}`, `[{"op":"add","path":"/x/0","value":{}},{"op":"move","from":"/x","path":"/x/0/y"}]`},
		{`{}`, `[{"op":"replace","path":"","value":{"z":null}}]`},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, docText, patchText string) {
		d := json.NewDecoder(strings.NewReader(docText))
		d.UseNumber()
		var doc map[string]any
		if d.Decode(&doc) != nil || doc == nil {
			return
		}
		ops, err := parsePatch(patchText)
		if err != nil {
			return
		}
		before := resource.Clone(doc)
		got, err := applyPatch(doc, ops)
		if !resource.Equal(doc, before) {
			t.Fatalf("applyPatch changed its input: %v", doc)
		}
		if err != nil {
			return
		}
		if _, err := json.Marshal(got); err != nil {
			t.Fatalf("the patched document does not encode: %v", err)
		}
		back, err := applyPatch(got, []patchOp{{Op: "replace", Path: []string{}, Value: before}})
		if err != nil || !resource.Equal(back, before) {
			t.Fatalf("replacing the whole document: %v, %v", back, err)
		}
	})
}

// TestPatchCopiesBounded: copies that double the document are refused
// once it would be too large, instead of growing it without end.
func TestPatchCopiesBounded(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString(`[{"op":"add","path":"/a","value":[1,2]}`)
	for range 40 {
		b.WriteString(`,{"op":"copy","from":"/a","path":"/a/0"}`)
	}
	b.WriteString("]")
	ops, err := parsePatch(b.String())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := applyPatch(map[string]any{}, ops); err == nil || !strings.Contains(err.Error(), "too large") {
		t.Fatalf("err = %v", err)
	}
}
