package sns

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"
)

// Delivery policies say how SNS retries HTTP/S deliveries that fail with
// a server-side error. A topic's DeliveryPolicy holds the defaults of its
// HTTP/S subscriptions:
//
//	{"http": {"defaultHealthyRetryPolicy": {...}, "disableSubscriptionOverrides": false,
//	          "defaultThrottlePolicy": {...}, "defaultRequestPolicy": {"headerContentType": "..."}}}
//
// and a subscription's DeliveryPolicy overrides them unless the topic
// disables overrides:
//
//	{"healthyRetryPolicy": {...}, "throttlePolicy": {...}, "requestPolicy": {...}}
//
// A retry policy has four phases: numNoDelayRetries immediately,
// numMinDelayRetries minDelayTarget apart, a backoff phase from
// minDelayTarget to maxDelayTarget shaped by backoffFunction, and
// numMaxDelayRetries maxDelayTarget apart; numRetries counts them all.

// retryPolicy is a healthy retry policy, in AWS's member order.
type retryPolicy struct {
	MinDelayTarget     int    `json:"minDelayTarget"`
	MaxDelayTarget     int    `json:"maxDelayTarget"`
	NumRetries         int    `json:"numRetries"`
	NumMaxDelayRetries int    `json:"numMaxDelayRetries"`
	NumNoDelayRetries  int    `json:"numNoDelayRetries"`
	NumMinDelayRetries int    `json:"numMinDelayRetries"`
	BackoffFunction    string `json:"backoffFunction"`
}

// defaultRetryPolicy is SNS's HTTP/S policy: three retries, 20 seconds
// apart.
var defaultRetryPolicy = retryPolicy{MinDelayTarget: 20, MaxDelayTarget: 20, NumRetries: 3, BackoffFunction: "linear"}

// defaultContentType is the Content-Type of HTTP/S deliveries unless a
// request policy names another.
const defaultContentType = "text/plain; charset=UTF-8"

// requestPolicy and throttlePolicy are kept as given and reported back.
type requestPolicy struct {
	HeaderContentType string `json:"headerContentType,omitempty"`
}

type throttlePolicy struct {
	MaxReceivesPerSecond *int `json:"maxReceivesPerSecond,omitempty"`
}

// topicHTTPPolicy is the "http" member of a topic's delivery policy.
type topicHTTPPolicy struct {
	DefaultHealthyRetryPolicy    *retryPolicy    `json:"defaultHealthyRetryPolicy"`
	DefaultThrottlePolicy        *throttlePolicy `json:"defaultThrottlePolicy,omitempty"`
	DisableSubscriptionOverrides bool            `json:"disableSubscriptionOverrides"`
	DefaultRequestPolicy         *requestPolicy  `json:"defaultRequestPolicy,omitempty"`
}

// subscriptionPolicy is a subscription's delivery policy. Its effective
// form carries every member, with nulls, as AWS reports it.
type subscriptionPolicy struct {
	HealthyRetryPolicy *retryPolicy    `json:"healthyRetryPolicy"`
	SicklyRetryPolicy  *retryPolicy    `json:"sicklyRetryPolicy"`
	ThrottlePolicy     *throttlePolicy `json:"throttlePolicy"`
	RequestPolicy      *requestPolicy  `json:"requestPolicy"`
	Guaranteed         bool            `json:"guaranteed"`
}

// retryPolicyInput is a retry policy as a client writes it: members left
// out take the defaults.
type retryPolicyInput struct {
	MinDelayTarget     *int    `json:"minDelayTarget"`
	MaxDelayTarget     *int    `json:"maxDelayTarget"`
	NumRetries         *int    `json:"numRetries"`
	NumMaxDelayRetries *int    `json:"numMaxDelayRetries"`
	NumNoDelayRetries  *int    `json:"numNoDelayRetries"`
	NumMinDelayRetries *int    `json:"numMinDelayRetries"`
	BackoffFunction    *string `json:"backoffFunction"`
}

// policyError is a delivery policy AWS would refuse; Reason follows the
// attribute name in SNS's message.
type policyError struct{ Reason string }

func (e *policyError) Error() string { return "DeliveryPolicy: " + e.Reason }

func policyErrorf(format string, args ...any) error {
	return &policyError{Reason: fmt.Sprintf(format, args...)}
}

// decodeStrict decodes one JSON value, refusing unknown members and
// trailing data.
func decodeStrict(data string, v any) error {
	dec := json.NewDecoder(strings.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if strings.TrimSpace(data[dec.InputOffset():]) != "" {
		return fmt.Errorf("trailing data")
	}
	return nil
}

// resolve fills in the defaults and checks the policy's bounds.
func (in *retryPolicyInput) resolve() (retryPolicy, error) {
	p := defaultRetryPolicy
	set := func(dst *int, v *int) {
		if v != nil {
			*dst = *v
		}
	}
	set(&p.MinDelayTarget, in.MinDelayTarget)
	set(&p.MaxDelayTarget, in.MaxDelayTarget)
	set(&p.NumRetries, in.NumRetries)
	set(&p.NumMaxDelayRetries, in.NumMaxDelayRetries)
	set(&p.NumNoDelayRetries, in.NumNoDelayRetries)
	set(&p.NumMinDelayRetries, in.NumMinDelayRetries)
	if in.BackoffFunction != nil {
		p.BackoffFunction = *in.BackoffFunction
	}
	switch {
	case p.MinDelayTarget < 1 || p.MinDelayTarget > p.MaxDelayTarget:
		return p, policyErrorf("minDelayTarget must be at least 1 and at most maxDelayTarget")
	case p.MaxDelayTarget > maxDelayTarget:
		return p, policyErrorf("maxDelayTarget must be at most %d", maxDelayTarget)
	case p.NumRetries < 0 || p.NumRetries > maxPolicyRetries:
		return p, policyErrorf("numRetries must be between 0 and %d", maxPolicyRetries)
	case p.NumNoDelayRetries < 0 || p.NumMinDelayRetries < 0 || p.NumMaxDelayRetries < 0:
		return p, policyErrorf("numNoDelayRetries, numMinDelayRetries and numMaxDelayRetries must not be negative")
	case p.NumNoDelayRetries+p.NumMinDelayRetries+p.NumMaxDelayRetries > p.NumRetries:
		return p, policyErrorf("numNoDelayRetries, numMinDelayRetries and numMaxDelayRetries must add up to at most numRetries")
	}
	switch p.BackoffFunction {
	case "linear", "arithmetic", "geometric", "exponential":
	default:
		return p, policyErrorf("backoffFunction must be one of linear, arithmetic, geometric, exponential")
	}
	if p.totalDelay() > maxRetryWindow {
		return p, policyErrorf("the total retry time must be at most %d seconds", int(maxRetryWindow/time.Second))
	}
	return p, nil
}

// checkThrottle checks a throttle policy.
func checkThrottle(t *throttlePolicy) error {
	if t != nil && t.MaxReceivesPerSecond != nil && *t.MaxReceivesPerSecond < 1 {
		return policyErrorf("maxReceivesPerSecond must be at least 1")
	}
	return nil
}

// parseTopicPolicy parses and checks a topic's DeliveryPolicy.
func parseTopicPolicy(s string) (topicHTTPPolicy, error) {
	var in struct {
		HTTP *struct {
			DefaultHealthyRetryPolicy    *retryPolicyInput `json:"defaultHealthyRetryPolicy"`
			DefaultSicklyRetryPolicy     json.RawMessage   `json:"defaultSicklyRetryPolicy"`
			DefaultThrottlePolicy        *throttlePolicy   `json:"defaultThrottlePolicy"`
			DisableSubscriptionOverrides bool              `json:"disableSubscriptionOverrides"`
			DefaultRequestPolicy         *requestPolicy    `json:"defaultRequestPolicy"`
		} `json:"http"`
	}
	if err := decodeStrict(s, &in); err != nil {
		return topicHTTPPolicy{}, policyErrorf("failed to parse JSON.")
	}
	out := topicHTTPPolicy{}
	if in.HTTP == nil {
		return out, nil
	}
	if in.HTTP.DefaultHealthyRetryPolicy != nil {
		p, err := in.HTTP.DefaultHealthyRetryPolicy.resolve()
		if err != nil {
			return out, err
		}
		out.DefaultHealthyRetryPolicy = &p
	}
	if err := checkThrottle(in.HTTP.DefaultThrottlePolicy); err != nil {
		return out, err
	}
	out.DefaultThrottlePolicy = in.HTTP.DefaultThrottlePolicy
	out.DisableSubscriptionOverrides = in.HTTP.DisableSubscriptionOverrides
	out.DefaultRequestPolicy = in.HTTP.DefaultRequestPolicy
	return out, nil
}

// parseSubscriptionPolicy parses and checks a subscription's
// DeliveryPolicy.
func parseSubscriptionPolicy(s string) (subscriptionPolicy, error) {
	var in struct {
		HealthyRetryPolicy *retryPolicyInput `json:"healthyRetryPolicy"`
		SicklyRetryPolicy  json.RawMessage   `json:"sicklyRetryPolicy"`
		ThrottlePolicy     *throttlePolicy   `json:"throttlePolicy"`
		RequestPolicy      *requestPolicy    `json:"requestPolicy"`
		Guaranteed         bool              `json:"guaranteed"`
	}
	if err := decodeStrict(s, &in); err != nil {
		return subscriptionPolicy{}, policyErrorf("failed to parse JSON.")
	}
	out := subscriptionPolicy{Guaranteed: in.Guaranteed, RequestPolicy: in.RequestPolicy}
	if in.HealthyRetryPolicy != nil {
		p, err := in.HealthyRetryPolicy.resolve()
		if err != nil {
			return out, err
		}
		out.HealthyRetryPolicy = &p
	}
	if err := checkThrottle(in.ThrottlePolicy); err != nil {
		return out, err
	}
	out.ThrottlePolicy = in.ThrottlePolicy
	return out, nil
}

// effectiveTopicPolicy is a topic's EffectiveDeliveryPolicy: its policy
// with the defaults filled in.
func effectiveTopicPolicy(p topicHTTPPolicy) string {
	if p.DefaultHealthyRetryPolicy == nil {
		d := defaultRetryPolicy
		p.DefaultHealthyRetryPolicy = &d
	}
	if p.DefaultRequestPolicy == nil || p.DefaultRequestPolicy.HeaderContentType == "" {
		p.DefaultRequestPolicy = &requestPolicy{HeaderContentType: defaultContentType}
	}
	return compactJSON(struct {
		HTTP topicHTTPPolicy `json:"http"`
	}{p})
}

// effectiveSubscriptionPolicy is an HTTP/S subscription's
// EffectiveDeliveryPolicy: its own policy where the topic allows it, the
// topic's defaults otherwise.
func effectiveSubscriptionPolicy(t topicHTTPPolicy, own *subscriptionPolicy) subscriptionPolicy {
	out := subscriptionPolicy{HealthyRetryPolicy: t.DefaultHealthyRetryPolicy, ThrottlePolicy: t.DefaultThrottlePolicy,
		RequestPolicy: t.DefaultRequestPolicy}
	if own != nil && !t.DisableSubscriptionOverrides {
		if own.HealthyRetryPolicy != nil {
			out.HealthyRetryPolicy = own.HealthyRetryPolicy
		}
		if own.ThrottlePolicy != nil {
			out.ThrottlePolicy = own.ThrottlePolicy
		}
		if own.RequestPolicy != nil {
			out.RequestPolicy = own.RequestPolicy
		}
		out.Guaranteed = own.Guaranteed
	}
	if out.HealthyRetryPolicy == nil {
		d := defaultRetryPolicy
		out.HealthyRetryPolicy = &d
	}
	if out.RequestPolicy == nil || out.RequestPolicy.HeaderContentType == "" {
		out.RequestPolicy = &requestPolicy{HeaderContentType: defaultContentType}
	}
	return out
}

// compactJSON encodes v without escaping HTML characters, as AWS writes
// its JSON documents.
func compactJSON(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err) // only plain structs, maps and strings are encoded
	}
	return string(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
}

// delay is how long to wait before retry number n (1 for the first
// retry). AWS does not publish its backoff curves; virga's go from
// minDelayTarget to maxDelayTarget over the backoff phase, straight
// (linear), along triangular numbers (arithmetic), squares (geometric) or
// powers of two (exponential). AWS also adds jitter; virga does not, so
// that tests can count on the schedule.
func (p retryPolicy) delay(n int) time.Duration {
	backoff := p.NumRetries - p.NumNoDelayRetries - p.NumMinDelayRetries - p.NumMaxDelayRetries
	secs := func(s float64) time.Duration { return time.Duration(math.Round(s)) * time.Second }
	switch {
	case n <= p.NumNoDelayRetries:
		return 0
	case n <= p.NumNoDelayRetries+p.NumMinDelayRetries:
		return secs(float64(p.MinDelayTarget))
	case n <= p.NumNoDelayRetries+p.NumMinDelayRetries+backoff:
		i := float64(n - p.NumNoDelayRetries - p.NumMinDelayRetries)
		k := float64(backoff)
		var f float64
		switch p.BackoffFunction {
		case "arithmetic":
			f = i * (i + 1) / (k * (k + 1))
		case "geometric":
			f = (i * i) / (k * k)
		case "exponential":
			f = (math.Exp2(i) - 1) / (math.Exp2(k) - 1)
		default:
			f = i / k
		}
		return secs(float64(p.MinDelayTarget) + f*float64(p.MaxDelayTarget-p.MinDelayTarget))
	default:
		return secs(float64(p.MaxDelayTarget))
	}
}

// totalDelay is the time all retries take, not counting the attempts.
func (p retryPolicy) totalDelay() time.Duration {
	var d time.Duration
	for n := 1; n <= p.NumRetries; n++ {
		d += p.delay(n)
	}
	return d
}
