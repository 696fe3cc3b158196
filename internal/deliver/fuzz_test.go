package deliver

import (
	"strings"
	"testing"
)

// FuzzUniversal checks that a universal target ARN Universal accepts is
// rebuilt exactly from its service and action, which hold no colon.
func FuzzUniversal(f *testing.F) {
	for _, arn := range []string{"arn:aws:scheduler:::aws-sdk:sqs:sendMessage", "arn:aws:scheduler:::aws-sdk:sqs",
		"arn:aws:scheduler:::aws-sdk::x", "arn:aws:scheduler:::aws-sdk:a:b:c", "arn:aws:sqs:us-east-1:1:q", ""} {
		f.Add(arn)
	}
	f.Fuzz(func(t *testing.T, arn string) {
		service, action, ok := Universal(arn)
		if !ok {
			return
		}
		if service == "" || action == "" || strings.Contains(service, ":") || strings.Contains(action, ":") ||
			UniversalPrefix+service+":"+action != arn {
			t.Fatalf("Universal(%q) = %q, %q", arn, service, action)
		}
	})
}

// FuzzLogGroup checks that a log group ARN LogGroup accepts names a
// group without a colon, found in the ARN after "log-group:".
func FuzzLogGroup(f *testing.F) {
	for _, arn := range []string{"arn:aws:logs:us-east-1:000000000000:log-group:/aws/events/all:*",
		"arn:aws:logs:us-east-1:000000000000:log-group:g", "arn:aws:logs:us-east-1:1:log-group:g:log-stream:s",
		"arn:aws:logs:us-east-1:1:log-group:", "arn:aws:sqs:us-east-1:1:q", ""} {
		f.Add(arn)
	}
	f.Fuzz(func(t *testing.T, arn string) {
		name, ok := LogGroup(arn)
		if !ok {
			return
		}
		if name == "" || strings.Contains(name, ":") || !strings.Contains(arn, ":log-group:"+name) {
			t.Fatalf("LogGroup(%q) = %q", arn, name)
		}
	})
}

func TestUniversalAndLogGroup(t *testing.T) {
	if s, a, ok := Universal("arn:aws:scheduler:::aws-sdk:dynamodb:putItem"); !ok || s != "dynamodb" || a != "putItem" {
		t.Fatalf("Universal: %q %q %v", s, a, ok)
	}
	if n, ok := LogGroup("arn:aws:logs:us-east-1:000000000000:log-group:/aws/events/all:*"); !ok || n != "/aws/events/all" {
		t.Fatalf("LogGroup: %q %v", n, ok)
	}
	if _, ok := LogGroup("arn:aws:logs:us-east-1:1:log-group:g:log-stream:s"); ok {
		t.Fatal("a stream's ARN is not a group's")
	}
}

// FuzzBucket checks that a bucket ARN Bucket accepts is
// "arn:aws:s3:::" and a name without a slash or a colon.
func FuzzBucket(f *testing.F) {
	for _, arn := range []string{"arn:aws:s3:::b", "arn:aws:s3:::b/k", "arn:aws:s3:us-east-1:1:b", "arn:aws:s3:::", "arn:aws:sqs:us-east-1:1:q", ""} {
		f.Add(arn)
	}
	f.Fuzz(func(t *testing.T, arn string) {
		name, ok := Bucket(arn)
		if !ok {
			return
		}
		if name == "" || strings.ContainsAny(name, "/:") || !strings.HasSuffix(arn, ":::"+name) || !strings.HasPrefix(arn, "arn:") {
			t.Fatalf("Bucket(%q) = %q", arn, name)
		}
	})
}

func TestBucket(t *testing.T) {
	if n, ok := Bucket("arn:aws:s3:::failures"); !ok || n != "failures" {
		t.Fatalf("Bucket: %q %v", n, ok)
	}
	for _, arn := range []string{"arn:aws:s3:::failures/k", "arn:aws:s3:us-east-1:000000000000:failures", "arn:aws:s3:::"} {
		if _, ok := Bucket(arn); ok {
			t.Fatalf("Bucket(%q) accepted", arn)
		}
	}
}
