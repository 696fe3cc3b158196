package pipes

import (
	"encoding/json"
	"testing"
	"time"
)

// The templates of Pipes' input transformation documentation, applied to
// an SQS record.
func TestRenderTemplate(t *testing.T) {
	t.Parallel()
	event := []byte(`{"messageId":"m-1","body":"{\"key\":\"v1\",\"Records\":[1,2,3,{\"n\":4}]}","attributes":{"SenderId":"AIDA"},` +
		`"data":"eyJrIjoidiJ9"}`)
	tc := templateContext{pipeARN: "arn:aws:pipes:us-east-1:000000000000:pipe/p", pipeName: "p", sourceARN: "src",
		targetARN: "tgt", ingested: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)}
	for _, c := range []struct{ template, want string }{
		{`Hello, sender`, `Hello, sender`},
		{`<$.attributes.SenderId>`, `AIDA`},
		{`Hello, <$.attributes.SenderId>`, `Hello, AIDA`},
		{`{"key1": "value1", "key2": <$.body.key>, "d": "<aws.pipes.event.ingestion-time>"}`,
			`{"key1": "value1", "key2": "v1", "d": "2024-01-02T03:04:05Z"}`},
		{`{"r": <$.body.Records[3]>, "all": <$.body.Records[*]>}`, `{"r": {"n":4}, "all": [1,2,3,{"n":4}]}`},
		{`{"s": "id <$.messageId> of <aws.pipes.pipe-name>"}`, `{"s": "id m-1 of p"}`},
		{`{"missing": <$.nothing>, "q": "<$.nothing>"}`, `{"missing": null, "q": ""}`},
		{`{"k": <$.data.k>}`, `{"k": "v"}`},
		// The body data wrapped in JSON is the JSON it holds; in a
		// string or a text template it stays the text it is.
		{`{"b": <$.body>, "d": <$.data>}`, `{"b": {"Records":[1,2,3,{"n":4}],"key":"v1"}, "d": {"k":"v"}}`},
		{`{"m": <$.messageId>, "s": "<$.data>"}`, `{"m": "m-1", "s": "eyJrIjoidiJ9"}`},
		{`{"e": <aws.pipes.event.json>}`, `{"e": {"attributes":{"SenderId":"AIDA"},"body":{"Records":[1,2,3,{"n":4}],"key":"v1"},"data":{"k":"v"},"messageId":"m-1"}}`},
		{`{"arn": "<aws.pipes.pipe-arn>", "x": "<b>"}`, `{"arn": "arn:aws:pipes:us-east-1:000000000000:pipe/p", "x": "<b>"}`},
		{`{"quoted": "\"<$.messageId>\""}`, `{"quoted": "\"m-1\""}`},
	} {
		tpl, err := parseTemplate(c.template)
		if err != nil {
			t.Fatalf("parseTemplate(%s): %v", c.template, err)
		}
		if got := string(tpl.render(event, tc)); got != c.want {
			t.Errorf("render(%s)\n got %s\nwant %s", c.template, got, c.want)
		}
	}
	// aws.pipes.event is the event, escaped inside a string.
	tpl, _ := parseTemplate(`{"raw": "<aws.pipes.event>"}`)
	var out struct{ Raw string }
	if err := json.Unmarshal(tpl.render(event, tc), &out); err != nil || out.Raw != string(event) {
		t.Errorf("aws.pipes.event: %q, %v", out.Raw, err)
	}
}

func TestParseTemplateRefusesBadPaths(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{`<$.>`, `<$..a>`, `<$.a[>`, `<$.a[x]>`, `<$.a[-1]>`, `<$a>`} {
		if _, err := parseTemplate(bad); err == nil {
			t.Errorf("parseTemplate(%s) accepted it", bad)
		}
	}
}

func TestDynamic(t *testing.T) {
	t.Parallel()
	event := []byte(`{"body":"{\"group\":\"g1\",\"n\":5}","partitionKey":"pk"}`)
	for _, c := range []struct{ value, want string }{
		{"static", "static"}, {"$.body.group", "g1"}, {"$.body.n", "5"}, {"$.partitionKey", "pk"}, {"$.none", ""},
	} {
		if got := dynamic(c.value, event); got != c.want {
			t.Errorf("dynamic(%s) = %q, want %q", c.value, got, c.want)
		}
	}
}
