package lambda

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/virga/virga/internal/eventsource"
)

func TestWindowOf(t *testing.T) {
	t.Parallel()
	at := func(s string) int64 {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm.Unix()
	}
	for _, c := range []struct {
		created    string
		secs       int64
		start, end string
	}{
		// AWS's examples: a 300-second and a 120-second window.
		{"2020-07-30T17:03:12Z", 300, "2020-07-30T17:00:00Z", "2020-07-30T17:05:00Z"},
		{"2020-12-09T07:05:59Z", 120, "2020-12-09T07:04:00Z", "2020-12-09T07:06:00Z"},
		// The end belongs to the next window.
		{"2020-12-09T07:06:00Z", 120, "2020-12-09T07:06:00Z", "2020-12-09T07:08:00Z"},
		{"2020-12-09T07:06:00Z", 1, "2020-12-09T07:06:00Z", "2020-12-09T07:06:01Z"},
		{"2020-12-09T07:06:00Z", 900, "2020-12-09T07:00:00Z", "2020-12-09T07:15:00Z"},
		{"1969-12-31T23:59:59Z", 60, "1969-12-31T23:59:00Z", "1970-01-01T00:00:00Z"},
	} {
		start, end := windowOf(at(c.created), c.secs)
		if start != at(c.start) || end != at(c.end) {
			t.Errorf("windowOf(%s, %d) = %s..%s, want %s..%s", c.created, c.secs,
				time.Unix(start, 0).UTC().Format(time.RFC3339), time.Unix(end, 0).UTC().Format(time.RFC3339), c.start, c.end)
		}
	}
}

func TestWindowState(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		answer string
		state  string
		ok     bool
	}{
		{`{"state": {"1": 282, "2": 715}, "batchItemFailures": []}`, `{"1":282,"2":715}`, true},
		{`{"state": {}}`, `{}`, true},
		{`{"batchItemFailures": []}`, "", false},
		{`{"state": null}`, "", false},
		{`null`, "", false},
		{``, "", false},
		{`"done"`, "", false},
	} {
		state, ok := windowState([]byte(c.answer))
		if ok != c.ok || string(state) != c.state {
			t.Errorf("windowState(%s) = %s, %v; want %s, %v", c.answer, state, ok, c.state, c.ok)
		}
	}
}

func TestWindowEvent(t *testing.T) {
	t.Parallel()
	w := &streamWindow{Start: 1596128400, End: 1596128700, Shard: "shardId-1", State: json.RawMessage(`{"1":"state1"}`)}
	got := w.event("stream-ARN", []eventsource.StreamRecord{{JSON: []byte(`{"eventID":"1"}`)}}, false, false)
	want := `{"Records":[{"eventID":"1"}],"window":{"start":"2020-07-30T17:00:00Z","end":"2020-07-30T17:05:00Z"},` +
		`"state":{"1":"state1"},"shardId":"shardId-1","eventSourceARN":"stream-ARN","isFinalInvokeForWindow":false,"isWindowTerminatedEarly":false}`
	if string(got) != want {
		t.Errorf("event:\n got %s\nwant %s", got, want)
	}
	final := w.event("stream-ARN", nil, true, false)
	var ev map[string]any
	if err := json.Unmarshal(final, &ev); err != nil {
		t.Fatal(err)
	}
	if recs, ok := ev["Records"].([]any); !ok || len(recs) != 0 || ev["isFinalInvokeForWindow"] != true {
		t.Errorf("final event: %s", final)
	}
}

// FuzzWindowState feeds function answers to windowState: it must not
// panic, and a state it accepts is compact JSON that is not null.
func FuzzWindowState(f *testing.F) {
	for _, s := range []string{
		`{"state": {"1": 282, "2": 715}, "batchItemFailures": []}`,
		`{"state": {}}`, `{"state": null}`, `{"state": [1, 2]}`, `{"state": "x"}`,
		`{"batchItemFailures": [{"itemIdentifier": "1"}]}`, `null`, `[]`, `{"state": {"a": {"b": [1e400]}}}`, `{`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, answer []byte) {
		state, ok := windowState(answer)
		if !ok {
			return
		}
		if !json.Valid(state) || string(state) == "null" {
			t.Fatalf("windowState(%q) accepted %q", answer, state)
		}
	})
}
