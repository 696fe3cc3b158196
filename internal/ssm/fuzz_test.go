package ssm

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
)

// FuzzParseSelector checks that a parsed selector names the text it came
// from: the name and the selector text put back together are the input.
func FuzzParseSelector(f *testing.F) {
	for _, s := range []string{"/a/b", "/a/b:3", "/a/b:prod", "x:", ":1", "a:b:c", "/a:00", "/a:99999999999999999999", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		sel, ok := parseSelector(in)
		if !ok {
			return
		}
		if sel.name+sel.text != in {
			t.Fatalf("%q parsed to name %q and selector %q", in, sel.name, sel.text)
		}
		if sel.name == "" || strings.Contains(sel.name, ":") {
			t.Fatalf("%q: name %q", in, sel.name)
		}
		if sel.version != 0 {
			n, err := strconv.ParseInt(sel.text[1:], 10, 64)
			if sel.label != "" || err != nil || n != sel.version || n < 1 {
				t.Fatalf("%q: version %d, label %q", in, sel.version, sel.label)
			}
		}
	})
}

// FuzzValidName checks that every name PutParameter accepts is of the
// documented alphabet and depth.
func FuzzValidName(f *testing.F) {
	for _, s := range []string{"/a/b", "a", "/aws/x", "a/b", "/a//b", "/1/2/3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if validName(name, "arn:aws:ssm:us-east-1:000000000000:parameter/"+name) != nil {
			return
		}
		if strings.Contains(name, "/") && name[0] != '/' {
			t.Fatalf("%q accepted without a leading slash", name)
		}
		for _, c := range name {
			if !strings.ContainsRune("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-/", c) {
				t.Fatalf("%q accepted with %q", name, c)
			}
		}
		if strings.Count(strings.TrimPrefix(name, "/"), "/") >= maxLevels {
			t.Fatalf("%q accepted with more than %d levels", name, maxLevels)
		}
	})
}

// FuzzParsePolicies checks that PutParameter's Policies either parse to
// at most 10 policies of the three types, each pending, valid JSON and
// acting at a time, or fail with one of Parameter Store's policy errors.
func FuzzParsePolicies(f *testing.F) {
	for _, s := range []string{
		`[{"Type":"Expiration","Version":"1.0","Attributes":{"Timestamp":"2018-12-02T21:34:33.000Z"}}]`,
		`[{"Type":"Expiration","Version":"1.0","Attributes":{"Timestamp":"2019-11-01T22:13:48.87+10:30:00"}}]`,
		`[{"Type":"ExpirationNotification","Version":"1.0","Attributes":{"Before":"15","Unit":"Days"}}]`,
		`[{"Type":"NoChangeNotification","Version":"1.0","Attributes":{"After":"20","Unit":"Hours"}}]`,
		`[]`, `{}`, `[{}]`, `[null]`, `[{"Type":"Expiration"}]`, `x`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := parsePolicies(in)
		if err != nil {
			for _, want := range []error{ErrInvalidPolicyAttribute, ErrInvalidPolicyType, ErrPoliciesLimitExceeded, ErrIncompatiblePolicy} {
				if errors.Is(err, want) {
					return
				}
			}
			t.Fatalf("%q: %v", in, err)
		}
		if len(got) > maxPolicies {
			t.Fatalf("%q: %d policies", in, len(got))
		}
		for _, r := range got {
			if r.Status != policyStatusPending || !json.Valid([]byte(r.Text)) {
				t.Fatalf("%q: %+v", in, r)
			}
			switch r.Type {
			case policyExpiration:
			case policyExpirationNotify, policyNoChangeNotify:
				if r.Offset <= 0 {
					t.Fatalf("%q: offset %d", in, r.Offset)
				}
			default:
				t.Fatalf("%q: type %q", in, r.Type)
			}
		}
	})
}
