package apigateway

import (
	"strings"
	"testing"
)

func TestParseServiceURI(t *testing.T) {
	for uri, want := range map[string][3]string{
		"arn:aws:apigateway:us-east-1:dynamodb:action/PutItem":             {"dynamodb", "PutItem", ""},
		"arn:aws:apigateway:us-east-1:sqs:path/000000000000/orders":        {"sqs", "", "000000000000/orders"},
		"arn:aws:apigateway:us-east-1:mybucket.s3:path/key":                {"s3", "", "key"},
		"arn:aws:apigateway:us-east-1:sns:action/Publish&TopicArn=arn:x:y": {"sns", "Publish", ""},
	} {
		s, a, p, ok := ParseServiceURI(uri)
		if !ok || [3]string{s, a, p} != want {
			t.Errorf("ParseServiceURI(%q) = %q %q %q %v, want %v", uri, s, a, p, ok, want)
		}
	}
	for _, bad := range []string{"", "https://example.com", "arn:aws:apigateway:us-east-1:sqs:other/x", "arn:aws:apigateway:us-east-1::action/X", "arn:aws:lambda:us-east-1:sqs:path/x"} {
		if _, _, _, ok := ParseServiceURI(bad); ok {
			t.Errorf("ParseServiceURI(%q) accepted", bad)
		}
	}
}

func TestSubstitutePath(t *testing.T) {
	got := substitutePath("/store/{item}/{rest+}/{none}", map[string]string{"item": "box"}, map[string]string{"rest": "a/b", "item": "ignored"})
	if got != "/store/box/a/b/" {
		t.Errorf("substitutePath = %q", got)
	}
}

func FuzzIntegrationURIs(f *testing.F) {
	for _, s := range []string{"arn:aws:apigateway:us-east-1:sqs:path/000000000000/{name}", "{", "}{", "{a}{b+}", "arn:aws:apigateway:r:s:action/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ParseServiceURI(s)
		out := substitutePath(s, map[string]string{"a": "x"}, map[string]string{"b": "y"})
		if !strings.Contains(s, "{") && out != s {
			t.Fatalf("substitutePath(%q) = %q", s, out)
		}
	})
}
