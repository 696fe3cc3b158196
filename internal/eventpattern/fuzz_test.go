package eventpattern

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"testing"
)

var dialects = []Dialect{EventBridge, SNSMessageAttributes, SNSMessageBody}

// seedPatterns cover every matcher, "$or", nesting and some refusals.
var seedPatterns = []string{
	`{"source":["aws.ec2"],"detail":{"state":["running",null,true,5]}}`,
	`{"time":[{"prefix":"2017"},{"suffix":{"equals-ignore-case":".PNG"}}]}`,
	`{"s":[{"prefix":{"equals-ignore-case":"ab"}},{"equals-ignore-case":"x"}]}`,
	`{"s":[{"wildcard":"a*b\\*c\\\\*"}]}`,
	`{"s":[{"anything-but":["a","b"]},{"anything-but":{"prefix":"x"}},{"anything-but":{"wildcard":"*/lib/*"}}]}`,
	`{"n":[{"anything-but":[100,200]},{"numeric":[">",0,"<=",5]},{"numeric":["=",3.018e2]}]}`,
	`{"c":[{"exists":false}],"d":[{"exists":true}]}`,
	`{"ip":[{"cidr":"10.0.0.0/24"},{"cidr":"2001:db8::/32"}]}`,
	`{"source":["x"],"$or":[{"a":["1"]},{"b":["2"],"$or":[{"c":[1]},{"d":[2]}]}]}`,
	`{"employees":{"firstName":["Anna"],"lastName":["Smith"]}}`,
	`{}`,
	`{"a":[]}`,
	`{"a":[{"numeric":[">",5,"<",1]}]}`,
	`[`,
}

var seedEvents = []string{
	`{"source":"aws.ec2","detail":{"state":"running"}}`,
	`{"time":"2017-10-02","s":"AB.png","n":3,"c":{"x":1},"d":null}`,
	`{"s":["a*bXc\\z",1,null,{"k":"v"}],"n":[100,4.5,"5"]}`,
	`{"ip":"10.0.0.7","source":"x","a":"1","c":1}`,
	`{"employees":[{"firstName":"Anna","lastName":"Smith"},[{"firstName":"Peter"}]]}`,
	`{"n":1e-999999999,"m":-0,"o":123456789012345678901234567890}`,
	`[]`,
	`not json`,
}

func FuzzCompile(f *testing.F) {
	for _, p := range seedPatterns {
		for i := range dialects {
			f.Add([]byte(p), uint8(i))
		}
	}
	f.Fuzz(func(t *testing.T, pattern []byte, which uint8) {
		d := dialects[int(which)%len(dialects)]
		p, err := Compile(pattern, d)
		if err != nil {
			var perr *Error
			if !errors.As(err, &perr) || perr.Reason == "" || perr.Dialect != d {
				t.Fatalf("Compile(%q, %v) error %#v, want an *Error with a reason", pattern, d, err)
			}
			return
		}
		if p.Dialect() != d {
			t.Fatalf("Dialect() = %v, want %v", p.Dialect(), d)
		}
		// Matching must not panic, whatever the event.
		p.Match(pattern)
		for _, e := range seedEvents {
			p.Match([]byte(e))
		}
	})
}

func FuzzMatch(f *testing.F) {
	for _, p := range seedPatterns {
		for _, e := range seedEvents {
			f.Add([]byte(p), []byte(e))
		}
	}
	f.Fuzz(func(t *testing.T, pattern, event []byte) {
		decoded, decodedOK := decodeEvent(event)
		for _, d := range dialects {
			p, err := Compile(pattern, d)
			if err != nil {
				continue
			}
			first := p.Match(event)
			if second := p.Match(event); second != first {
				t.Fatalf("Match(%q) with %q (%v) gave %v, then %v", event, pattern, d, first, second)
			}
			if decodedOK {
				if got := p.MatchValue(decoded); got != first {
					t.Fatalf("MatchValue and Match disagree on %q with %q (%v): %v, %v", event, pattern, d, got, first)
				}
			}
		}
	})
}

// decodeEvent decodes a JSON event the way callers of MatchValue should.
func decodeEvent(event []byte) (any, bool) {
	dec := json.NewDecoder(bytes.NewReader(event))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, false
	}
	return v, true
}
