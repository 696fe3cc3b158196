package xray

import "testing"

func TestDatagramDocument(t *testing.T) {
	for p, want := range map[string]string{
		"{\"format\": \"json\", \"version\": 1}\n{\"name\":\"a\"}": `{"name":"a"}`,
		"{\"format\":\"json\",\"version\":1}\n {\"name\":\"a\"}\n": `{"name":"a"}`,
		"{\"format\": \"json\", \"version\": 2}\n{}":               "",
		"{\"format\": \"xml\", \"version\": 1}\n{}":                "",
		"{\"name\":\"a\"}": "",
	} {
		doc, ok := datagramDocument([]byte(p))
		if got := string(doc); ok != (want != "") || got != want {
			t.Errorf("datagramDocument(%q) = %q, %v; want %q", p, got, ok, want)
		}
	}
}
