package scheduler

import (
	"github.com/virga/virga/internal/deliver"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/virga/virga/internal/awsproto/apierr"
)

// FuzzSchedulerNextToken checks that any NextToken a client makes up is
// refused or decoded without panicking, and that every token virga makes
// decodes to the names it was made from.
func FuzzSchedulerNextToken(f *testing.F) {
	f.Add("default", "my-schedule", "")
	f.Add("g.1", "", "AgFkZWZhdWx0AAE")
	f.Add("", "x", "not base64!")
	f.Add("a\x00b", "\xff", "AgA")
	f.Fuzz(func(t *testing.T, group, name, raw string) {
		got, err := decodeToken(encodeToken(group, name), 2)
		if err != nil || !slices.Equal(got, []string{group, name}) {
			t.Fatalf("round trip of %q %q: %q %v", group, name, got, err)
		}
		for n := 1; n <= 2; n++ {
			if names, err := decodeToken(raw, n); err == nil && len(names) != n {
				t.Fatalf("decodeToken(%q, %d) = %q", raw, n, names)
			}
		}
	})
}

// FuzzSchedulerTargetARN checks that any target ARN is classified or
// refused with ValidationException, and that an ARN is a universal
// target exactly when it has the universal prefix.
func FuzzSchedulerTargetARN(f *testing.F) {
	for _, arn := range []string{
		testQueue, "arn:aws:lambda:us-east-1:000000000000:function:f:live",
		"arn:aws:sns:us-east-1:000000000000:topic", "arn:aws:events:us-east-1:000000000000:event-bus/default",
		"arn:aws:scheduler:::aws-sdk:sqs:sendMessage", "arn:aws:states:us-east-1:1:stateMachine:x", "arn:", "",
	} {
		f.Add(arn)
	}
	f.Fuzz(func(t *testing.T, arn string) {
		kind, err := classifyTarget(arn)
		if err != nil {
			if e := apierr.As(err); e == nil || e.Code != "ValidationException" {
				t.Fatalf("classifyTarget(%q): %v", arn, err)
			}
			return
		}
		if kind < kindSQS || kind > kindKinesis || (kind == kindUniversal) != strings.HasPrefix(arn, deliver.UniversalPrefix) {
			t.Fatalf("classifyTarget(%q) = %d", arn, kind)
		}
	})
}

// FuzzSchedulerDefinition checks that whatever expression and time zone a
// client sends is refused with ValidationException or makes a schedule
// whose plan loads and steps forward: a schedule virga accepts can always
// be fired after a restart.
func FuzzSchedulerDefinition(f *testing.F) {
	f.Add("rate(5 minutes)", "UTC", int64(0))
	f.Add("cron(0/15 8-17 ? * MON-FRI *)", "America/New_York", int64(3600))
	f.Add("cron(15 10 ? * 6L 2019-2022)", "Europe/Paris", int64(-60))
	f.Add("at(2024-03-10T02:30:00)", "America/Los_Angeles", int64(7200))
	f.Add("cron(0 12 L * ? *)", "Local", int64(0))
	f.Add("rate(1 minutes)", "", int64(1))
	f.Fuzz(func(t *testing.T, expr, tz string, startOffset int64) {
		d := validDefinition()
		d.Expression = ptr(expr)
		if tz != "" {
			d.Timezone = ptr(tz)
		}
		if startOffset != 0 {
			d.StartDate = ptr(testEpoch.Add(time.Duration(startOffset%(1<<40)) * time.Second))
		}
		r, err := d.record("default", "f", testEpoch)
		if err != nil {
			if e := apierr.As(err); e == nil || e.Code != "ValidationException" || e.Message == "" {
				t.Fatalf("record(%q, %q): %v", expr, tz, err)
			}
			return
		}
		p, err := newPlan(r, "arn")
		if err != nil {
			t.Fatalf("record accepted %q in %q, but its plan fails: %v", expr, tz, err)
		}
		prev := testEpoch
		for range 3 {
			next, ok := p.next(prev)
			if !ok {
				break
			}
			if !next.After(prev) {
				t.Fatalf("%q: next(%s) = %s", expr, prev, next)
			}
			prev = next
		}
	})
}
