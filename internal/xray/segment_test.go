package xray

import (
	"errors"
	"strings"
	"testing"
)

func TestParseSegment(t *testing.T) {
	const trace = "1-581cf771-a006649127e371903a2de979"
	for _, tc := range []struct {
		name, doc, code string
	}{
		{"minimal complete", `{"name":"example.com","id":"70de5b6f19ff9a0a","start_time":1.478293361271E9,"trace_id":"` + trace + `","end_time":1.478293361449E9}`, ""},
		{"in progress", `{"name":"a","id":"70de5b6f19ff9a0a","start_time":1478293361.271,"trace_id":"` + trace + `","in_progress":true}`, ""},
		{"subsegment sent alone", `{"name":"a","id":"70de5b6f19ff9a0a","start_time":1478293361.271,"end_time":1478293362,"trace_id":"` + trace + `","type":"subsegment","parent_id":"70de5b6f19ff9a0b"}`, ""},
		{"subsegment without parent", `{"name":"a","id":"70de5b6f19ff9a0a","start_time":1478293361.271,"end_time":1478293362,"trace_id":"` + trace + `","type":"subsegment"}`, codeInvalidDocument},
		{"no name", `{"id":"70de5b6f19ff9a0a","start_time":1,"trace_id":"` + trace + `","end_time":2}`, codeInvalidDocument},
		{"long name", `{"name":"` + strings.Repeat("n", 201) + `","id":"70de5b6f19ff9a0a","start_time":1,"trace_id":"` + trace + `","end_time":2}`, codeInvalidDocument},
		{"short id", `{"name":"a","id":"70de5b6f19ff9a0","start_time":1,"trace_id":"` + trace + `","end_time":2}`, codeInvalidDocument},
		{"id not hex", `{"name":"a","id":"70de5b6f19ff9a0z","start_time":1,"trace_id":"` + trace + `","end_time":2}`, codeInvalidDocument},
		{"no trace id", `{"name":"a","id":"70de5b6f19ff9a0a","start_time":1,"end_time":2}`, codeInvalidDocument},
		{"trace id version", `{"name":"a","id":"70de5b6f19ff9a0a","start_time":1,"trace_id":"2-581cf771-a006649127e371903a2de979","end_time":2}`, codeInvalidDocument},
		{"no start", `{"name":"a","id":"70de5b6f19ff9a0a","trace_id":"` + trace + `","end_time":2}`, codeInvalidDocument},
		{"start as string", `{"name":"a","id":"70de5b6f19ff9a0a","start_time":"1","trace_id":"` + trace + `","end_time":2}`, codeInvalidDocument},
		{"neither end nor in progress", `{"name":"a","id":"70de5b6f19ff9a0a","start_time":1,"trace_id":"` + trace + `"}`, codeInvalidDocument},
		{"end before start", `{"name":"a","id":"70de5b6f19ff9a0a","start_time":3,"trace_id":"` + trace + `","end_time":2}`, codeInvalidDocument},
		{"bad subsegment", `{"name":"a","id":"70de5b6f19ff9a0a","start_time":1,"trace_id":"` + trace + `","end_time":2,"subsegments":[{"name":"b","id":"x","start_time":1,"end_time":2}]}`, codeInvalidDocument},
		{"not JSON", `{"name":`, codeInvalidDocument},
		{"too large", `{"name":"a","id":"70de5b6f19ff9a0a","start_time":1,"trace_id":"` + trace + `","end_time":2,"x":"` + strings.Repeat("x", maxDocumentSize) + `"}`, codeTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := parseSegment([]byte(tc.doc))
			if tc.code == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var ue *unprocessedError
			if !errors.As(err, &ue) || ue.code != tc.code {
				t.Fatalf("err = %v; want code %s", err, tc.code)
			}
		})
	}
}

func TestValidTraceID(t *testing.T) {
	for id, want := range map[string]bool{
		"1-58406520-a006649127e371903a2de979":  true,
		"1-58406520-A006649127E371903A2DE979":  true,
		"1-5840652-a006649127e371903a2de979a":  false,
		"1-58406520-a006649127e371903a2de97":   false,
		"1-58406520-a006649127e371903a2de97g":  false,
		"1-58406520-a006649127e371903a2de9799": false,
		"":                                     false,
	} {
		if got := ValidTraceID(id); got != want {
			t.Errorf("ValidTraceID(%q) = %v", id, got)
		}
	}
}
