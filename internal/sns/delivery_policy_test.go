package sns

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestRetrySchedule(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		policy string
		want   []int // seconds before each retry
	}{
		{`{}`, nil},
		{`{"healthyRetryPolicy":{}}`, []int{20, 20, 20}},
		{`{"healthyRetryPolicy":{"numRetries":2,"minDelayTarget":1,"maxDelayTarget":1}}`, []int{1, 1}},
		{`{"healthyRetryPolicy":{"numRetries":0}}`, []int{}},
		// Every phase: 2 immediate, 2 at the minimum, 4 backing off, 2 at
		// the maximum.
		{`{"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":61,"numRetries":10,"numNoDelayRetries":2,"numMinDelayRetries":2,"numMaxDelayRetries":2}}`,
			[]int{0, 0, 1, 1, 16, 31, 46, 61, 61, 61}},
		{`{"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":61,"numRetries":4,"backoffFunction":"arithmetic"}}`,
			[]int{7, 19, 37, 61}},
		{`{"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":61,"numRetries":4,"backoffFunction":"geometric"}}`,
			[]int{5, 16, 35, 61}},
		{`{"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":61,"numRetries":4,"backoffFunction":"exponential"}}`,
			[]int{5, 13, 29, 61}},
	} {
		p, err := parseSubscriptionPolicy(tc.policy)
		if err != nil {
			t.Fatalf("%s: %v", tc.policy, err)
		}
		if p.HealthyRetryPolicy == nil {
			if tc.want != nil {
				t.Errorf("%s: no retry policy", tc.policy)
			}
			continue
		}
		var got []int
		for n := 1; n <= p.HealthyRetryPolicy.NumRetries; n++ {
			got = append(got, int(p.HealthyRetryPolicy.delay(n)/time.Second))
		}
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%s: delays %v, want %v", tc.policy, got, tc.want)
		}
	}
}

func TestDeliveryPolicyErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ policy, reason string }{
		{`{`, "failed to parse JSON."},
		{`{"healthyRetryPolicy":{"numRetries":3},"extra":1}`, "failed to parse JSON."},
		{`{"healthyRetryPolicy":{"minDelayTarget":0}}`, "minDelayTarget must be at least 1 and at most maxDelayTarget"},
		{`{"healthyRetryPolicy":{"minDelayTarget":30,"maxDelayTarget":20}}`, "minDelayTarget must be at least 1 and at most maxDelayTarget"},
		{`{"healthyRetryPolicy":{"maxDelayTarget":3601}}`, "maxDelayTarget must be at most 3600"},
		{`{"healthyRetryPolicy":{"numRetries":101,"minDelayTarget":1,"maxDelayTarget":1}}`, "numRetries must be between 0 and 100"},
		{`{"healthyRetryPolicy":{"numRetries":2,"numNoDelayRetries":3}}`, "numNoDelayRetries, numMinDelayRetries and numMaxDelayRetries must add up to at most numRetries"},
		{`{"healthyRetryPolicy":{"backoffFunction":"cubic"}}`, "backoffFunction must be one of linear, arithmetic, geometric, exponential"},
		{`{"healthyRetryPolicy":{"numRetries":100,"minDelayTarget":60,"maxDelayTarget":60}}`, "the total retry time must be at most 3600 seconds"},
		{`{"throttlePolicy":{"maxReceivesPerSecond":0}}`, "maxReceivesPerSecond must be at least 1"},
	} {
		_, err := parseSubscriptionPolicy(tc.policy)
		var pe *policyError
		if !errors.As(err, &pe) || pe.Reason != tc.reason {
			t.Errorf("%s: got %v, want %q", tc.policy, err, tc.reason)
		}
	}
}

func TestEffectivePolicies(t *testing.T) {
	t.Parallel()
	const wantDefault = `{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"},"disableSubscriptionOverrides":false,"defaultRequestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}}}`
	if got := effectiveTopicPolicy(topicHTTPPolicy{}); got != wantDefault {
		t.Errorf("default topic policy:\n got %s\nwant %s", got, wantDefault)
	}
	const wantSub = `{"healthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"},"sicklyRetryPolicy":null,"throttlePolicy":null,"requestPolicy":{"headerContentType":"text/plain; charset=UTF-8"},"guaranteed":false}`
	if got := compactJSON(effectiveSubscriptionPolicy(topicHTTPPolicy{}, nil)); got != wantSub {
		t.Errorf("default subscription policy:\n got %s\nwant %s", got, wantSub)
	}
	// A topic's defaults apply to its subscriptions; overriding them can
	// be switched off.
	topic, err := parseTopicPolicy(`{"http":{"defaultHealthyRetryPolicy":{"numRetries":1,"minDelayTarget":5,"maxDelayTarget":5},"disableSubscriptionOverrides":true,"defaultRequestPolicy":{"headerContentType":"application/json"}}}`)
	if err != nil {
		t.Fatal(err)
	}
	own, err := parseSubscriptionPolicy(`{"healthyRetryPolicy":{"numRetries":9,"minDelayTarget":1,"maxDelayTarget":1}}`)
	if err != nil {
		t.Fatal(err)
	}
	eff := effectiveSubscriptionPolicy(topic, &own)
	if eff.HealthyRetryPolicy.NumRetries != 1 || eff.RequestPolicy.HeaderContentType != "application/json" {
		t.Errorf("overrides disabled: %+v", eff)
	}
	topic.DisableSubscriptionOverrides = false
	if eff := effectiveSubscriptionPolicy(topic, &own); eff.HealthyRetryPolicy.NumRetries != 9 || eff.RequestPolicy.HeaderContentType != "application/json" {
		t.Errorf("overrides allowed: %+v", eff)
	}
}
