package stepfunctions

import (
	"strconv"
	"strings"
	"testing"
)

// FuzzQualifiedName checks the state machine ARN parser: a parsed ARN
// gives back its name and qualifier, and a qualifier is a version number
// exactly when it is all digits.
func FuzzQualifiedName(f *testing.F) {
	for _, s := range []string{
		"arn:aws:states:us-east-1:000000000000:stateMachine:m",
		"arn:aws:states:us-east-1:000000000000:stateMachine:m:1",
		"arn:aws:states:us-east-1:000000000000:stateMachine:m:PROD",
		"arn:aws:states:us-east-1:000000000000:stateMachine:m:",
		"arn:aws:states:us-east-1:000000000000:execution:m:e",
		"arn:aws:states:::stateMachine:m:99999999999999999999",
		"", ":::::::",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, arn string) {
		name, q, ok := qualifiedName(arn)
		if !ok {
			return
		}
		want := name
		if q != "" {
			want += ":" + q
		}
		if name == "" || strings.Contains(name, ":") || strings.Contains(q, ":") || !strings.HasSuffix(arn, ":stateMachine:"+want) {
			t.Fatalf("qualifiedName(%q) = %q, %q", arn, name, q)
		}
		n, isVersion := versionNumber(q)
		if isVersion && strconv.FormatInt(n, 10) != strings.TrimLeft(q, "0") && !(n == 0 && strings.Trim(q, "0") == "") {
			t.Fatalf("versionNumber(%q) = %d", q, n)
		}
		if isVersion && n < 0 {
			t.Fatalf("versionNumber(%q) = %d", q, n)
		}
	})
}

// FuzzLogGroupName checks the log destination ARN parser: an accepted
// ARN ends in ":*" and names a non-empty group that it spells out.
func FuzzLogGroupName(f *testing.F) {
	for _, s := range []string{
		"arn:aws:logs:us-east-1:000000000000:log-group:/aws/vendedlogs/states/m:*",
		"arn:aws:logs:us-east-1:000000000000:log-group:g",
		"arn:aws:logs:us-east-1:000000000000:log-group::*",
		"arn:aws:logs:us-east-1:000000000000:log-group:a:b:*",
		"arn:aws:sqs:us-east-1:000000000000:q:*",
		"", ":*", "::::::::*",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, arn string) {
		name, err := logGroupName(arn)
		if err != nil {
			return
		}
		if name == "" || !strings.HasSuffix(arn, ":log-group:"+name+":*") || !strings.HasPrefix(arn, "arn:") {
			t.Fatalf("logGroupName(%q) = %q", arn, name)
		}
	})
}
