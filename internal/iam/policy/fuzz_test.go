package policy

import (
	"strings"
	"testing"
)

// FuzzEvaluate parses arbitrary documents and evaluates whatever parses
// against a fixed request: neither may panic, and a policy that allows
// must not also be reported as an explicit deny.
func FuzzEvaluate(f *testing.F) {
	for _, seed := range []string{
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"dynamodb:Get*","Resource":"arn:aws:dynamodb:*:*:table/${aws:username}"}]}`,
		`{"Statement":{"Effect":"Deny","NotAction":["iam:*"],"NotResource":"*","Principal":{"AWS":["*","123456789012"]}}}`,
		`{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ForAllValues:StringLike":{"aws:TagKeys":["a*"]},"NumericLessThanIfExists":{"k":1},"Null":{"x":true},"IpAddress":{"aws:SourceIp":"10.0.0.0/8"},"DateGreaterThan":{"aws:CurrentTime":"2020-01-01"}}}}`,
		`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sqs:SendMessage","Resource":"${*}${?}${$}${aws:x, 'd'}"}]}`,
		`{`, `{"Statement":[]}`,
	} {
		f.Add(seed, "dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:123456789012:table/bob")
	}
	f.Fuzz(func(t *testing.T, doc, action, resource string) {
		p, err := Parse(doc)
		if err != nil {
			return
		}
		r := Request{Action: action, Resource: resource,
			Principal: Principal{ARN: "arn:aws:iam::123456789012:user/bob", Account: "123456789012"},
			Context: map[string][]string{"aws:username": {"bob"}, "aws:sourceip": {"10.1.2.3"},
				"aws:tagkeys": {"ab", "c"}, "aws:currenttime": {"2026-01-01T00:00:00Z"}}}
		in := &Input{Request: r, Identity: []*Policy{p}, Resource: []*Policy{p}, Boundary: p}
		d := Evaluate(in)
		if d.Allowed && d.Explicit {
			t.Fatal("allowed and explicitly denied")
		}
		if x := Explain(in); x.Decision != d || (!d.Allowed && !d.Explicit && len(x.Matched) > 0) {
			t.Fatalf("Explain %+v disagrees with Evaluate %+v", x, d)
		}
		for _, s := range p.Statements {
			if s.Start.Line > 0 && (s.End.Line < s.Start.Line || s.End.Line == s.Start.Line && s.End.Column <= s.Start.Column) {
				t.Fatalf("statement ends at %v, before its start %v", s.End, s.Start)
			}
		}
		wa, wr := Worded(action, resource, "us-east-1", "123456789012")
		if msg := d.Message("p", wa, wr); !d.Allowed && !strings.Contains(msg, " is not authorized to perform: ") {
			t.Fatalf("denial worded %q", msg)
		}
	})
}
