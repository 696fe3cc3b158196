package iam

import (
	"net/url"
	"testing"

	"github.com/virga/virga/internal/awsproto/apierr"
)

func TestCheckPolicyDocument(t *testing.T) {
	for _, tc := range []struct {
		doc     string
		managed bool
		want    string // "" accepts; otherwise the message
	}{
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`, true, ""},
		{`{"Version":"2008-10-17","Statement":{"Effect":"Deny","Action":"*","Resource":"*"}}`, true, ""},
		{`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`, false, ""},
		{`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`, true, "The policy must contain a valid version string"},
		{`{"Version":"2019-10-17","Statement":[{"Effect":"Allow"}]}`, false, "The policy must contain a valid version string"},
		{`{"Version":"2012-10-17"}`, false, "Syntax errors in policy."},
		{`{"Version":"2012-10-17","Statement":[]}`, false, "Syntax errors in policy."},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Maybe"}]}`, false, "Syntax errors in policy."},
		{`{"Version":"2012-10-17","Statement":"x"}`, false, "Syntax errors in policy."},
		{`{`, false, "This policy contains invalid Json"},
		{`[]`, false, "This policy contains invalid Json"},
		{`null`, false, "Syntax errors in policy."},
	} {
		err := checkPolicyDocument(tc.doc, tc.managed)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.doc, err)
		case tc.want != "":
			e := apierr.As(err)
			if e == nil || e.Code != "MalformedPolicyDocument" || e.Message != tc.want {
				t.Errorf("%s: %v, want MalformedPolicyDocument %q", tc.doc, err, tc.want)
			}
		}
	}
}

func TestEncodeDocument(t *testing.T) {
	doc := "{\"Version\": \"2012-10-17\",\n \"Statement\": [{\"Action\": \"s3:*\", \"Resource\": \"arn:aws:s3:::b/*\"}]}"
	enc := *encodeDocument(doc)
	if want := "%7B%22Version%22%3A%20%222012-10-17%22%2C%0A%20%22Statement"; enc[:len(want)] != want {
		t.Errorf("encoded %s", enc)
	}
	if back, err := url.PathUnescape(enc); err != nil || back != doc {
		t.Errorf("decodes to %q, %v", back, err)
	}
}

// FuzzCheckPolicyDocument checks that any input is accepted or refused
// with MalformedPolicyDocument, never a panic or another error, and that
// every document round-trips through the URL encoding IAM answers with.
func FuzzCheckPolicyDocument(f *testing.F) {
	for _, seed := range []string{
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`,
		`{"Statement":{"Effect":"Deny"}}`, `{"Statement":[null]}`, `{"Version":1}`, `{`, `"x"`, "",
		"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"\u00e9\"}]}",
	} {
		f.Add(seed, false)
		f.Add(seed, true)
	}
	f.Fuzz(func(t *testing.T, doc string, managed bool) {
		if err := checkPolicyDocument(doc, managed); err != nil {
			if e := apierr.As(err); e == nil || e.Code != "MalformedPolicyDocument" {
				t.Fatalf("%q: %v", doc, err)
			}
		}
		back, err := url.PathUnescape(*encodeDocument(doc))
		if err != nil || back != doc {
			t.Fatalf("%q round-trips to %q, %v", doc, back, err)
		}
	})
}

func TestParsePolicyARN(t *testing.T) {
	for arn, want := range map[string][3]string{
		"arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole": {"aws", "/service-role/", "AWSLambdaBasicExecutionRole"},
		"arn:aws:iam::000000000000:policy/p":                               {"000000000000", "/", "p"},
		"arn:aws:iam::000000000000:policy/a/b/p":                           {"000000000000", "/a/b/", "p"},
	} {
		account, path, name, ok := parsePolicyARN(arn)
		if !ok || [3]string{account, path, name} != want {
			t.Errorf("%s: %s %s %s %v", arn, account, path, name, ok)
		}
	}
	for _, bad := range []string{"", "arn:aws:iam::1:role/x", "arn:aws:iam::1:policy/", "arn:aws:s3:::b"} {
		if _, _, _, ok := parsePolicyARN(bad); ok {
			t.Errorf("%q parsed", bad)
		}
	}
}
