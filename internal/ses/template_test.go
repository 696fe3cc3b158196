package ses

import "testing"

func TestRender(t *testing.T) {
	data, err := parseTemplateData(`{"name":"Jane","n":3,"ok":true,"nil":null,"user":{"city":"Oslo"},"list":["a",1]}`)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ tpl, want, err string }{
		{"Hello, {{name}}!", "Hello, Jane!", ""},
		{"{{ name }}/{{{name}}}", "Jane/Jane", ""},
		{"{{n}} {{ok}} [{{nil}}]", "3 true []", ""},
		{"{{user.city}}", "Oslo", ""},
		{"{{list}}", `["a",1]`, ""},
		{"no tags", "no tags", ""},
		{"{{absent}}", "", "Attribute 'absent' is not present in the rendering data."},
		{"{{user.zip}}", "", "Attribute 'user.zip' is not present in the rendering data."},
		{"{{Name}}", "", "Attribute 'Name' is not present in the rendering data."},
		{"{{#if ok}}y{{/if}}", "", "Template tag {{#if ok}} is not supported."},
		{"open {{name", "", "Template is malformed: a tag opened with {{ is not closed."},
	} {
		got, err := Render(c.tpl, data)
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("Render(%q) = %q, %v; want error %q", c.tpl, got, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("Render(%q) = %q, %v; want %q", c.tpl, got, err, c.want)
		}
	}
	if _, err := parseTemplateData(`[1]`); err == nil {
		t.Error("template data that is not an object was accepted")
	}
}
