package xray

import (
	"bytes"
	"testing"
)

// FuzzParseFilter checks that no expression makes the parser panic or
// loop, and that an accepted one can be evaluated.
func FuzzParseFilter(f *testing.F) {
	for _, seed := range []string{
		`service("front")`, `http.status = 500`, `error`, `fault`, `responsetime > 5`, `annotation.team = "blue"`,
		`(error OR fault) AND !throttle`, `http.url CONTAINS "a\"b"`, `annotation.n >= 1.5e3`, `duration <= 7 && ok`,
		`annotation.vip != true`, `service()`, `((((`, `"`, `!`, `annotation.`,
		`service("front") { fault OR error }`, `service() {`, `}`,
	} {
		f.Add(seed)
	}
	facts := &traceFacts{annotations: map[string][]any{"team": {"blue"}, "n": {float64(2)}}, services: []string{"front"}}
	f.Fuzz(func(t *testing.T, expr string) {
		flt, err := parseFilter(expr)
		if err == nil && flt != nil {
			flt.match(facts)
		}
	})
}

// FuzzParseSegment checks that no document makes segment parsing panic,
// and that an accepted one has what summaries rely on.
func FuzzParseSegment(f *testing.F) {
	for _, seed := range []string{
		`{"name":"a","id":"70de5b6f19ff9a0a","start_time":1,"trace_id":"1-581cf771-a006649127e371903a2de979","end_time":2}`,
		`{"name":"a","id":"70de5b6f19ff9a0a","start_time":1,"trace_id":"1-581cf771-a006649127e371903a2de979","in_progress":true,"subsegments":[null]}`,
		`{"name":"a","id":"70de5b6f19ff9a0a","start_time":1,"trace_id":"1-581cf771-a006649127e371903a2de979","end_time":2,"http":{"response":{"status":"x"}}}`,
		`[]`, `null`, `{}`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		s, _, err := parseSegment([]byte(doc))
		if err != nil {
			return
		}
		if s.StartTime == nil || !ValidTraceID(s.TraceID) {
			t.Fatalf("accepted %q without start_time or trace id", doc)
		}
		tr := newTrace(s.TraceID, []*segmentRecord{{Trace: s.TraceID, ID: s.ID, Doc: doc}})
		tr.summary(tr.facts())
		newGraph().add(tr)
		// Its spans, for --otlp-endpoint, carry the trace's 128 bits.
		for _, span := range toSpans(s) {
			if got := span.SpanContext().TraceID().String(); got != s.TraceID[2:10]+s.TraceID[11:] {
				t.Fatalf("span trace id %s for %s", got, s.TraceID)
			}
		}
	})
}

// FuzzDatagram checks the daemon's datagram split: it never panics, and
// accepts only datagrams that begin with a version 1 JSON header line.
func FuzzDatagram(f *testing.F) {
	for _, seed := range []string{
		"{\"format\": \"json\", \"version\": 1}\n{\"name\":\"a\"}",
		"{\"format\":\"json\",\"version\":1}\n",
		"{\"format\": \"json\", \"version\": 2}\n{}",
		"{\"name\":\"a\"}", "\n", "",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		if _, ok := datagramDocument(p); ok && !bytes.Contains(p, []byte("\n")) {
			t.Fatalf("accepted %q without a header line", p)
		}
	})
}
