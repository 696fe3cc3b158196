package pipes

import (
	"encoding/json"
	"testing"
	"time"
)

// FuzzTemplate parses input templates and renders them on an event: it
// must not panic, and a JSON template whose placeholders all stand
// outside strings and whose literal text is JSON once they are replaced
// by null renders valid JSON.
func FuzzTemplate(f *testing.F) {
	for _, s := range []string{
		`Hello, sender`, `<$.attributes.SenderId>`, `Hello, <$.attributes.SenderId>`,
		`{"key1": "value1", "key2": <$.body.key>, "d": <aws.pipes.event.ingestion-time>}`,
		`{"r": <$.body.Records[3]>, "all": <$.body.Records[*]>}`, `{"s": "a <$.x> \" <aws.pipes.pipe-name>"}`,
		`{"e": <aws.pipes.event.json>, "raw": "<aws.pipes.event>"}`, `<$.>`, `<$.a[`, `<<$.a>>`, `"\`, `{"a":"\\"}<$.b>`,
	} {
		f.Add(s, `{"body":"{\"key\":\"v\",\"Records\":[1,2,3,4]}","attributes":{"SenderId":"x"},"data":"eyJ9"}`)
	}
	f.Fuzz(func(t *testing.T, src, event string) {
		tpl, err := parseTemplate(src)
		if err != nil {
			return
		}
		out := tpl.render([]byte(event), templateContext{pipeName: "p", ingested: time.Unix(0, 0)})
		if !tpl.json {
			return
		}
		// A template whose only placeholders are unquoted paths and whose
		// text with null in their place is JSON stays JSON.
		var skeleton []byte
		for _, p := range tpl.parts {
			switch {
			case p.path == nil && p.variable == "":
				skeleton = append(skeleton, p.text...)
			case p.quoted || p.variable != "":
				return
			default:
				skeleton = append(skeleton, "null"...)
			}
		}
		if json.Valid(skeleton) && !json.Valid(out) {
			t.Fatalf("template %q on %q rendered %q, not JSON", src, event, out)
		}
	})
}
