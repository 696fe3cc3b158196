package events

import (
	"encoding/json"
	"testing"
)

// sampleDetail's members are not in alphabetical order, and it holds
// characters Go's JSON encoder would escape.
const sampleDetail = `{"id":"o-1","total":250,"items":[{"sku":"a\"b"}],"note":null,"memo":"x < y & z"}`

const sampleEvent = `{"version":"0","id":"e-1","detail-type":"OrderPlaced","source":"shop","account":"000000000000","time":"2026-01-02T03:04:05Z","region":"us-east-1","resources":[],"detail":` + sampleDetail + `}`

// sampleEnvelope is sampleEvent without its detail: <aws.events.event>.
const sampleEnvelope = `{"version":"0","id":"e-1","detail-type":"OrderPlaced","source":"shop","account":"000000000000","time":"2026-01-02T03:04:05Z","region":"us-east-1","resources":[]}`

func TestInputTransformer(t *testing.T) {
	cases := []struct {
		paths map[string]string
		tmpl  string
		want  string
	}{
		{map[string]string{"id": "$.detail.id", "total": "$.detail.total"}, `{"order":"<id>","total":<total>}`, `{"order":"o-1","total":250}`},
		{map[string]string{"id": "$.detail.id"}, `"Order <id> placed"`, `"Order o-1 placed"`},
		{map[string]string{"sku": "$.detail.items[0].sku"}, `{"sku":"<sku>"}`, `{"sku":"a\"b"}`},
		{map[string]string{"sku": "$.detail.items[0].sku"}, `{"sku":<sku>}`, `{"sku":"a\"b"}`},
		{map[string]string{"items": "$.detail.items"}, `{"all":<items>}`, `{"all":[{"sku":"a\"b"}]}`},
		{map[string]string{"missing": "$.detail.nope"}, `{"m":<missing>,"s":"<missing>"}`, `{"m":null,"s":""}`},
		{nil, `{"rule":"<aws.events.rule-name>","arn":"<aws.events.rule-arn>","at":"<aws.events.event.ingestion-time>"}`,
			`{"rule":"r","arn":"arn:aws:events:us-east-1:000000000000:rule/r","at":"2026-01-02T03:04:05Z"}`},
		{nil, `{"event":<aws.events.event>}`, `{"event":` + sampleEnvelope + `}`},
		{nil, `{"event":<aws.events.event.json>}`, `{"event":` + sampleEvent + `}`},
		{nil, `{"lt":"a < b"}`, `{"lt":"a < b"}`},
		{map[string]string{"note": "$.detail.memo"}, `{"memo":"<note>"}`, `{"memo":"x < y & z"}`},
		{map[string]string{"d": "$.detail"}, `{"d":<d>}`, `{"d":` + sampleDetail + `}`},
	}
	for _, c := range cases {
		got := transform(&InputTransformer{InputPathsMap: c.paths, InputTemplate: &c.tmpl}, []byte(sampleEvent),
			"arn:aws:events:us-east-1:000000000000:rule/r", "r")
		if string(got) != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.tmpl, got, c.want)
		}
	}
}

func TestSelectPath(t *testing.T) {
	for path, want := range map[string]string{
		"$":                        sampleEvent,
		"$.detail.total":           "250",
		"$['detail-type']":         `"OrderPlaced"`,
		"$.detail.items[0]['sku']": `"a\"b"`,
		"$.detail":                 sampleDetail,
	} {
		got, ok := selectPath([]byte(sampleEvent), path)
		if !ok || string(got) != want {
			t.Errorf("%s: got %s %v, want %s", path, got, ok, want)
		}
	}
	for _, path := range []string{"detail", "$.", "$[x]", "$.detail.items[9]", "$..a"} {
		if _, ok := selectPath([]byte(sampleEvent), path); ok {
			t.Errorf("%s selected something", path)
		}
	}
}

func sameJSON(a, b []byte) bool {
	var x, y any
	return json.Unmarshal(a, &x) == nil && json.Unmarshal(b, &y) == nil && string(mustMarshal(x)) == string(mustMarshal(y))
}

func mustMarshal(v any) []byte { b, _ := json.Marshal(v); return b }

// FuzzTransform: any template and paths over any event give output
// without panicking, and a valid path never fails to parse twice the same.
func FuzzTransform(f *testing.F) {
	f.Add(`{"a":"<x>","b":<x>}`, "$.detail.id", sampleEvent)
	f.Add(`"text <x> \" <y"`, "$['detail-type']", sampleEvent)
	f.Add(`<<<>>>`, "$[0]", `[1,2]`)
	f.Add(`{"e":<aws.events.event>}`, "$.", `not json`)
	f.Fuzz(func(t *testing.T, tmpl, path, event string) {
		transform(&InputTransformer{InputPathsMap: map[string]string{"x": path, "y": path}, InputTemplate: &tmpl}, []byte(event), "arn", "r")
		selectPath([]byte(event), path)
		s1, e1 := parsePath(path)
		s2, e2 := parsePath(path)
		if (e1 == nil) != (e2 == nil) || len(s1) != len(s2) {
			t.Fatal("parsePath is not deterministic")
		}
	})
}

// FuzzParseTestEvent: TestEventPattern's event parser never panics and
// accepts only JSON objects.
func FuzzParseTestEvent(f *testing.F) {
	f.Add(sampleEvent)
	f.Add(`{}`)
	f.Add(`[]`)
	f.Add(`{"id":1,"account":2,"source":3,"time":4,"region":5,"detail-type":6}`)
	f.Fuzz(func(t *testing.T, ev string) {
		if b, err := parseTestEvent(ev); err == nil {
			var m map[string]any
			if json.Unmarshal(b, &m) != nil {
				t.Fatalf("accepted a non-object %q", ev)
			}
		}
	})
}

// TestDynamicHTTPParameters: HttpParameters values that are JSON paths
// are what they select in the event (a string's text, other values'
// JSON, "" for nothing); other values and header names stay as they are.
func TestDynamicHTTPParameters(t *testing.T) {
	t.Parallel()
	hp := &HttpParameters{PathParameterValues: []string{"$.detail.id", "static", "$.detail.total", "$.detail.none"},
		HeaderParameters:      map[string]string{"$.detail.id": "$.source", "X-Fixed": "v"},
		QueryStringParameters: map[string]string{"type": "$.detail-type", "items": "$.detail.items[0]", "note": "$.detail.note"}}
	got := dynamicHTTPParameters(hp, []byte(sampleEvent))
	want := &HttpParameters{PathParameterValues: []string{"o-1", "static", "250", ""},
		HeaderParameters:      map[string]string{"$.detail.id": "shop", "X-Fixed": "v"},
		QueryStringParameters: map[string]string{"type": "OrderPlaced", "items": `{"sku":"a\"b"}`, "note": ""}}
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if string(g) != string(w) {
		t.Errorf("dynamicHTTPParameters\n got %s\nwant %s", g, w)
	}
	if hp.PathParameterValues[0] != "$.detail.id" {
		t.Error("dynamicHTTPParameters changed the target's own parameters")
	}
	if dynamicHTTPParameters(nil, []byte(sampleEvent)) != nil {
		t.Error("no HttpParameters gave some")
	}
}
