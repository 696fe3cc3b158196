package events

import (
	"encoding/json"
	"testing"
)

func TestParsePolicy(t *testing.T) {
	cases := []struct {
		text       string
		statements int
		ok         bool
	}{
		{``, 0, true},
		{`{}`, 0, true},
		{`{"Version":"2012-10-17","Statement":[{"Sid":"a"},{"Sid":"b"}]}`, 2, true},
		{`{"Statement":{"Sid":"one","Action":"events:PutEvents"}}`, 1, true},
		{`{"Statement":null}`, 0, true},
		{`[]`, 0, false},
		{`null`, 0, false},
		{`{"Version":1}`, 0, false},
		{`{"Statement":"x"}`, 0, false},
		{`{"Statement":[1]}`, 0, false},
		{`{"Statement":[{"Sid":"a"}`, 0, false},
	}
	for _, c := range cases {
		doc, err := parsePolicy(c.text)
		if (err == nil) != c.ok {
			t.Errorf("parsePolicy(%s): error %v, want ok %v", c.text, err, c.ok)
			continue
		}
		if err == nil && len(doc.Statement) != c.statements {
			t.Errorf("parsePolicy(%s): %d statements, want %d", c.text, len(doc.Statement), c.statements)
		}
	}
}

func TestPolicyPutAndRemove(t *testing.T) {
	doc, _ := parsePolicy(`{"Version":"2012-10-17","Statement":[{"Sid":"a","Effect":"Allow"},{"Sid":"b","Note":"x < y"}]}`)
	doc.put(json.RawMessage(`{"Sid":"a","Effect":"Deny"}`))
	doc.put(json.RawMessage(`{"Sid":"c"}`))
	text, err := doc.text()
	want := `{"Version":"2012-10-17","Statement":[{"Sid":"a","Effect":"Deny"},{"Sid":"b","Note":"x < y"},{"Sid":"c"}]}`
	if err != nil || text != want {
		t.Errorf("after put:\n got %s %v\nwant %s", text, err, want)
	}
	if doc.remove("nope") || !doc.remove("b") || !doc.remove("a") || !doc.remove("c") {
		t.Errorf("remove found the wrong statements: %s", text)
	}
	if text, _ := doc.text(); text != "" {
		t.Errorf("a policy without statements reads %q, want none", text)
	}
}

// FuzzParsePolicy checks that a policy parsePolicy accepts writes back as
// a policy it accepts again, with the same statements, and that putting
// and removing a statement by its Sid round-trips.
func FuzzParsePolicy(f *testing.F) {
	f.Add(`{"Version":"2012-10-17","Statement":[{"Sid":"dev","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"events:PutEvents","Resource":"arn:aws:events:us-east-1:000000000000:event-bus/default"}]}`)
	f.Add(`{"Statement":{"Sid":"one"}}`)
	f.Add(`{"Statement":[{"Sid":1},{"Sid":null},{}]}`)
	f.Add(`{"Version":"x","Statement":[]}`)
	f.Add(`[{"Sid":"a"}]`)
	f.Fuzz(func(t *testing.T, text string) {
		doc, err := parsePolicy(text)
		if err != nil {
			return
		}
		n := len(doc.Statement)
		out, err := doc.text()
		if err != nil {
			t.Fatalf("text of an accepted policy %q: %v", text, err)
		}
		again, err := parsePolicy(out)
		if err != nil || len(again.Statement) != n {
			t.Fatalf("%q wrote %q, which reads back with %d statements (%v), want %d", text, out, len(again.Statement), err, n)
		}
		again.put(json.RawMessage(`{"Sid":"fuzz-added"}`))
		if !again.remove("fuzz-added") {
			t.Fatalf("a statement put into %q cannot be removed", out)
		}
	})
}
