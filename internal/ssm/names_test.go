package ssm

import (
	"errors"
	"strings"
	"testing"
)

func TestValidName(t *testing.T) {
	const arn = "arn:aws:ssm:us-east-1:000000000000:parameter/"
	for _, tc := range []struct {
		name string
		want error // nil, ErrValidation or ErrHierarchyLevelLimitExceeded
	}{
		{"MyParameter1", nil},
		{"/MyParameter2", nil},
		{"/Dev/Production/East/Project-ABC/MyParameter", nil},
		{"a.b_c-d", nil},
		{"MyParameter3/L1", ErrValidation},
		{"awsTestParameter", ErrValidation},
		{"SSM-testparameter", ErrValidation},
		{"/aws/testparam1", ErrValidation},
		{"/ssm/x", ErrValidation},
		{"/Aws/x", ErrValidation},
		{"/x/aws", nil},
		{"has space", ErrValidation},
		{"/a//b", ErrValidation},
		{"/a/", ErrValidation},
		{"/", ErrValidation},
		{"na:me", ErrValidation},
		{"/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15", nil},
		{"/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16", ErrHierarchyLevelLimitExceeded},
		{"/" + strings.Repeat("n", maxARNLength-len(arn)), nil},
		{"/" + strings.Repeat("n", maxARNLength-len(arn)+1), ErrValidation},
	} {
		err := validName(tc.name, arn+strings.TrimPrefix(tc.name, "/"))
		if (err == nil) != (tc.want == nil) || (tc.want != nil && !errors.Is(err, tc.want)) {
			t.Errorf("validName(%q) = %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestParseSelector(t *testing.T) {
	for _, tc := range []struct {
		in      string
		ok      bool
		name    string
		version int64
		label   string
	}{
		{"/a/b", true, "/a/b", 0, ""},
		{"/a/b:3", true, "/a/b", 3, ""},
		{"/a/b:prod", true, "/a/b", 0, "prod"},
		{"/a/b:", false, "/a/b", 0, ""},
		{"/a/b:0", false, "/a/b", 0, ""},
		{"/a/b:1x", false, "/a/b", 0, ""},
		{"/a/b:1:2", false, "/a/b", 0, ""},
		{":3", false, "", 0, ""},
		{"", false, "", 0, ""},
	} {
		sel, ok := parseSelector(tc.in)
		if ok != tc.ok || (ok && (sel.name != tc.name || sel.version != tc.version || sel.label != tc.label)) {
			t.Errorf("parseSelector(%q) = %+v, %v", tc.in, sel, ok)
		}
	}
}

func TestValidLabel(t *testing.T) {
	for l, want := range map[string]bool{
		"prod": true, "Release_1.0-b": true, "1st": false, "awsx": false, "SSMy": false,
		"has space": false, "": false, strings.Repeat("l", 100): true, strings.Repeat("l", 101): false, "a/b": false,
	} {
		if got := validLabel(l); got != want {
			t.Errorf("validLabel(%q) = %v, want %v", l, got, want)
		}
	}
}
