package sns

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/virga/virga/internal/awsproto/apierr"
)

// wantSNSError fails unless err is one of SNS's errors with the code and
// a message: what a client would be shown.
func wantSNSError(t *testing.T, what string, err error, code string) {
	t.Helper()
	var e *apierr.Error
	if !errors.As(err, &e) || e.Code != code || e.Message == "" {
		t.Fatalf("%s: got %T %v, want %s with a message", what, err, err, code)
	}
}

func FuzzParseTopicARN(f *testing.F) {
	for _, s := range []string{
		"arn:aws:sns:us-east-1:000000000000:orders",
		"arn:aws:sns:us-east-1:000000000000:orders.fifo",
		"arn:aws:sns:us-east-1:000000000000:orders:0b4f8e3c-8f3e-4b0a-9c7e-3f1f2d1e0a9b",
		"arn:aws:sqs:us-east-1:000000000000:q",
		"arn:aws:sns:::",
		"orders", "", ":::::", "arn:aws:sns:us-east-1:000000000000:.fifo",
		"arn:aws:sns:us-east-1:000000000000:" + strings.Repeat("n", 257),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ref, err := parseTopicARN("TopicArn", s)
		if err != nil {
			wantSNSError(t, s, err, "InvalidParameter")
			return
		}
		// An accepted ARN names a valid topic and prints back as itself.
		if !validTopicName(ref.Name, strings.HasSuffix(ref.Name, fifoSuffix)) {
			t.Errorf("parseTopicARN(%q) accepted the name %q", s, ref.Name)
		}
		f, _, _ := splitARN(s)
		if got := "arn:" + f.Partition + ":sns:" + ref.Region + ":" + ref.Account + ":" + ref.Name; got != s {
			t.Errorf("parseTopicARN(%q) = %+v, which prints as %q", s, ref, got)
		}
	})
}

func FuzzParseSubscriptionARN(f *testing.F) {
	for _, s := range []string{
		"arn:aws:sns:us-east-1:000000000000:orders:0b4f8e3c-8f3e-4b0a-9c7e-3f1f2d1e0a9b",
		"arn:aws:sns:us-east-1:000000000000:orders",
		"arn:aws:sns:us-east-1:000000000000:orders:",
		"arn:aws:sns:us-east-1:000000000000:a:b:c",
		"pending confirmation", "arn:aws", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ref, ok, err := parseSubscriptionARN(s)
		switch {
		case err != nil:
			wantSNSError(t, s, err, "InvalidParameter")
		case ok:
			if ref.ID == "" || strings.Contains(ref.ID, ":") || strings.Contains(ref.Topic, ":") {
				t.Errorf("parseSubscriptionARN(%q) = %+v", s, ref)
			}
			if !strings.HasSuffix(s, ":"+ref.Topic+":"+ref.ID) {
				t.Errorf("parseSubscriptionARN(%q) = %+v, not the ARN's end", s, ref)
			}
		}
	})
}

func FuzzMessageStructure(f *testing.F) {
	for _, s := range []string{
		`{"default":"d"}`,
		`{"default":"d","sqs":"q","http":7,"email":null}`,
		`{"default":"d","default":"e"}`,
		`{"sqs":"q"}`, `{"default":5}`, `{"default":"d"} x`, `[]`, `"default"`, `{`, ``,
		`{"default":"\u00e9\ud83d\ude00","lambda":"{\"a\":1}"}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		texts, err := parseMessageStructure(s)
		if err != nil {
			wantSNSError(t, s, err, "InvalidParameter")
			return
		}
		if _, ok := texts["default"]; !ok {
			t.Fatalf("parseMessageStructure(%q) accepted a message without default", s)
		}
		// What was accepted is a JSON object whose string members are the
		// texts.
		var obj map[string]any
		if err := json.Unmarshal([]byte(s), &obj); err != nil {
			t.Fatalf("parseMessageStructure(%q) accepted what encoding/json refuses: %v", s, err)
		}
		for k, v := range texts {
			if obj[k] != v {
				t.Errorf("parseMessageStructure(%q)[%q] = %q, JSON says %v", s, k, v, obj[k])
			}
		}
	})
}

func FuzzMessageAttributes(f *testing.F) {
	f.Add("color", "String", "red", []byte(nil))
	f.Add("price", "Number", "12.5e3", []byte(nil))
	f.Add("price", "Number.float", " 7 ", []byte(nil))
	f.Add("sizes", "String.Array", `["S", 1, true, null]`, []byte(nil))
	f.Add("sizes", "String.Array", `[{"a":1}]`, []byte(nil))
	f.Add("blob", "Binary", "", []byte{0, 1})
	f.Add("a..b", "String", "x", []byte(nil))
	f.Add(".a", "Number", "NaN", []byte(nil))
	f.Add("ü", "Text", "x", []byte("y"))
	f.Fuzz(func(t *testing.T, name, dataType, s string, b []byte) {
		v := MessageAttributeValue{DataType: &dataType, BinaryValue: b}
		if b == nil {
			v.StringValue = &s
		}
		attrs, size, err := checkMessageAttributes(map[string]MessageAttributeValue{name: v})
		if err != nil {
			wantSNSError(t, name, err, "ParameterValueInvalid")
			return
		}
		a, ok := attrs[name]
		if !ok || a.DataType != dataType {
			t.Fatalf("accepted %q as %+v", name, attrs)
		}
		if size != len(name)+len(dataType)+len(a.String)+len(a.Binary) {
			t.Errorf("size %d for %+v", size, a)
		}
		// An accepted attribute can be filtered on and put in an envelope.
		fv := filterValues(attrs)
		switch attributeBase(dataType) {
		case "Binary":
			if _, ok := fv[name]; ok {
				t.Errorf("a Binary attribute is presented to filters: %v", fv)
			}
		case "Number":
			if _, ok := fv[name].(json.Number); !ok {
				t.Errorf("a Number attribute is presented as %T", fv[name])
			}
		case "String.Array":
			if _, ok := fv[name].([]any); !ok {
				t.Errorf("a String.Array attribute is presented as %T", fv[name])
			}
		}
		if env := envelopeAttributes(attrs); env[name].Type != dataType {
			t.Errorf("envelope attribute %+v", env[name])
		}
	})
}

func FuzzDeliveryPolicy(f *testing.F) {
	for _, s := range []string{
		`{"healthyRetryPolicy":{"numRetries":2,"minDelayTarget":1,"maxDelayTarget":1}}`,
		`{"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":60,"numRetries":50,"numNoDelayRetries":3,"numMinDelayRetries":2,"numMaxDelayRetries":35,"backoffFunction":"exponential"},"throttlePolicy":{"maxReceivesPerSecond":10},"requestPolicy":{"headerContentType":"application/json"}}`,
		`{"healthyRetryPolicy":{"numRetries":100,"minDelayTarget":3600,"maxDelayTarget":3600}}`,
		`{"healthyRetryPolicy":{"numRetries":-1}}`,
		`{"healthyRetryPolicy":{"backoffFunction":"sideways"}}`,
		`{"bogus":1}`, `{}`, `null`, `{"healthyRetryPolicy":null}`, `[`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := parseSubscriptionPolicy(s)
		if err != nil {
			var pe *policyError
			if !errors.As(err, &pe) || pe.Reason == "" {
				t.Fatalf("parseSubscriptionPolicy(%q): %v is no policy error", s, err)
			}
		} else if r := p.HealthyRetryPolicy; r != nil {
			// An accepted policy retries within AWS's bounds, with delays
			// between minDelayTarget and maxDelayTarget after the
			// immediate retries.
			if r.NumRetries < 0 || r.NumRetries > maxPolicyRetries || r.totalDelay() > maxRetryWindow {
				t.Errorf("accepted %+v", r)
			}
			for n := 1; n <= r.NumRetries; n++ {
				d := r.delay(n)
				if n > r.NumNoDelayRetries && (d < time.Duration(r.MinDelayTarget)*time.Second || d > time.Duration(r.MaxDelayTarget)*time.Second) {
					t.Errorf("%+v: retry %d after %v", r, n, d)
				}
			}
			// The effective form is JSON that parses back to the same.
			eff := compactJSON(effectiveSubscriptionPolicy(topicHTTPPolicy{}, &p))
			back, err := parseSubscriptionPolicy(eff)
			if err != nil || *back.HealthyRetryPolicy != *r {
				t.Errorf("effective policy %s parses back as %+v, %v", eff, back.HealthyRetryPolicy, err)
			}
		}
		// Topic policies share the retry policy's rules.
		if _, err := parseTopicPolicy(`{"http":{"defaultHealthyRetryPolicy":` + s + `}}`); err != nil {
			var pe *policyError
			if !errors.As(err, &pe) {
				t.Fatalf("parseTopicPolicy: %v is no policy error", err)
			}
		}
	})
}

func FuzzEndpoint(f *testing.F) {
	for _, p := range [][2]string{
		{"http", "http://127.0.0.1:8080/hook"}, {"https", "http://example.com"}, {"sqs", "arn:aws:sqs:us-east-1:000000000000:q"},
		{"lambda", "arn:aws:lambda:us-east-1:000000000000:function:f:live"}, {"email", "a@b.c"}, {"sms", "+15555550100"},
		{"application", "arn:aws:sns:us-east-1:000000000000:endpoint/GCM/app/1"},
		{"firehose", "arn:aws:firehose:us-east-1:000000000000:deliverystream/s"}, {"sqs", "arn:aws:sqs:::"}, {"http", "http://u:p@h/"},
	} {
		f.Add(p[0], p[1])
	}
	f.Fuzz(func(t *testing.T, protocol, endpoint string) {
		if err := checkEndpoint(protocol, endpoint); err != nil {
			wantSNSError(t, protocol+" "+endpoint, err, "InvalidParameter")
			return
		}
		if endpoint == "" {
			t.Errorf("%s accepted an empty endpoint", protocol)
		}
		if (protocol == "http" || protocol == "https") && !strings.HasPrefix(endpoint, protocol+":") {
			t.Errorf("%s accepted %q", protocol, endpoint)
		}
	})
}

func FuzzNextToken(f *testing.F) {
	for _, s := range []string{"", "orders", "arn:aws:sns:us-east-1:000000000000:t:id", "ü✓", "!!!", "b3JkZXJz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if strings.ContainsRune(s, 0) {
			return
		}
		tok := encodeNextToken(s)
		got, err := decodeNextToken(&tok)
		if err != nil || got != s {
			t.Errorf("token of %q decodes to %q, %v", s, got, err)
		}
		// Anything a client sends decodes or is refused.
		if _, err := decodeNextToken(&s); err != nil {
			wantSNSError(t, s, err, "InvalidParameter")
		}
	})
}

func FuzzSubscriptionAttributes(f *testing.F) {
	for _, p := range [][3]string{
		{"sqs", "RedrivePolicy", `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq"}`},
		{"sqs", "RedrivePolicy", `{"deadLetterTargetArn":5}`},
		{"sqs", "FilterPolicy", `{"a":["b",{"prefix":"c"}],"n":[{"numeric":[">",1]}]}`},
		{"sqs", "FilterPolicyScope", "MessageBody"},
		{"https", "DeliveryPolicy", `{"healthyRetryPolicy":{"numRetries":1}}`},
		{"lambda", "RawMessageDelivery", "false"},
		{"http", "RawMessageDelivery", "TRUE"},
		{"firehose", "SubscriptionRoleArn", "arn:aws:iam::000000000000:role/r"},
		{"sqs", "Other", "x"},
	} {
		f.Add(p[0], p[1], p[2])
	}
	f.Fuzz(func(t *testing.T, protocol, name, value string) {
		const endpoint = "arn:aws:sqs:us-east-1:000000000000:q"
		got, err := checkSubscriptionAttributes(nil, map[string]string{name: value}, protocol, false, endpoint)
		if err != nil {
			var ae attrError
			if !errors.As(err, &ae) || ae.err.Code != "InvalidParameter" || !strings.HasPrefix(ae.err.Message, "Invalid parameter: ") {
				t.Fatalf("%s=%q: %v", name, value, err)
			}
			if m := ae.forSubscribe().Message; !strings.HasPrefix(m, "Invalid parameter: Attributes Reason: ") {
				t.Errorf("Subscribe's wording: %q", m)
			}
			return
		}
		// What was accepted is accepted again as it was stored, and makes
		// a subscription whose filter compiles.
		again, err := checkSubscriptionAttributes(got, got, protocol, false, endpoint)
		if err != nil || len(again) != len(got) {
			t.Errorf("%v accepted, then %v: %v", got, again, err)
		}
		s := &Service{}
		sub := s.newSubscription(subscriptionRecord{Protocol: protocol, Attributes: got}, &topic{arn: "arn:aws:sns:us-east-1:000000000000:t"})
		if sub.filterBroken {
			t.Errorf("%v: the stored filter policy does not compile", got)
		}
	})
}
