package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
)

// TestSNSUnsubscribeConfirmation unsubscribes a confirmed HTTP endpoint,
// which is then sent a signed UnsubscribeConfirmation, as AWS sends one
// ("HTTP/HTTPS unsubscribe confirmation JSON format"); its token restores
// the subscription through ConfirmSubscription, and so does a visit to its
// SubscribeURL.
func TestSNSUnsubscribeConfirmation(t *testing.T) {
	t.Parallel()
	env := Start(t)
	c := snsClient(env)
	ctx := context.Background()
	topic := createTopic(t, c, "leaving", nil)
	ep := newSNSEndpoint(t, 200)
	if _, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: &topic, Protocol: aws.String("http"), Endpoint: aws.String(ep.URL + "/hook")}); err != nil {
		t.Fatal(err)
	}
	waitConfirmed(t, c, topic)
	list := func() []string {
		t.Helper()
		out, err := c.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: &topic})
		if err != nil {
			t.Fatal(err)
		}
		var arns []string
		for _, s := range out.Subscriptions {
			arns = append(arns, aws.ToString(s.SubscriptionArn))
		}
		return arns
	}
	subARN := list()[0]

	// unsubscribe unsubscribes and returns the UnsubscribeConfirmation
	// the endpoint is sent, the nth request it gets.
	unsubscribe := func(n int) map[string]any {
		t.Helper()
		if _, err := c.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: &subARN}); err != nil {
			t.Fatal(err)
		}
		if got := list(); len(got) != 0 {
			t.Fatalf("subscriptions after Unsubscribe: %v", got)
		}
		r := ep.wait(t, n)[n-1]
		var m map[string]any
		if err := json.Unmarshal([]byte(r.body), &m); err != nil {
			t.Fatalf("UnsubscribeConfirmation %q: %v", r.body, err)
		}
		for k, want := range map[string]string{"X-Amz-Sns-Message-Type": "UnsubscribeConfirmation", "X-Amz-Sns-Topic-Arn": topic,
			"X-Amz-Sns-Subscription-Arn": subARN, "X-Amz-Sns-Message-Id": m["MessageId"].(string)} {
			if got := r.header.Get(k); got != want {
				t.Errorf("UnsubscribeConfirmation header %s = %q, want %q", k, got, want)
			}
		}
		wantKeys := []string{"Message", "MessageId", "Signature", "SignatureVersion", "SigningCertURL", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"}
		if k := keysOf(m); strings.Join(k, ",") != strings.Join(wantKeys, ",") {
			t.Errorf("UnsubscribeConfirmation keys = %v, want %v", k, wantKeys)
		}
		token, _ := m["Token"].(string)
		if m["Type"] != "UnsubscribeConfirmation" || m["TopicArn"] != topic || token == "" ||
			m["Message"] != "You have chosen to deactivate subscription "+subARN+".\nTo cancel this operation and restore the subscription, visit the SubscribeURL included in this message." ||
			m["SubscribeURL"] != env.Endpoint+"/?Action=ConfirmSubscription&TopicArn="+topic+"&Token="+token {
			t.Errorf("UnsubscribeConfirmation = %v", m)
		}
		if err := env.VerifySNSSignature(t, m); err != nil {
			t.Errorf("UnsubscribeConfirmation signature: %v", err)
		}
		return m
	}

	// ConfirmSubscription with the token restores the subscription, under
	// its ARN, and it is delivered to again.
	m := unsubscribe(2)
	for range 2 { // a second confirmation answers the same
		out, err := c.ConfirmSubscription(ctx, &sns.ConfirmSubscriptionInput{TopicArn: &topic, Token: aws.String(m["Token"].(string))})
		if err != nil || aws.ToString(out.SubscriptionArn) != subARN {
			t.Fatalf("ConfirmSubscription with the UnsubscribeConfirmation's token = %v, %v; want %s", out, err, subARN)
		}
	}
	attrs, err := c.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: &subARN})
	if err != nil || attrs.Attributes["PendingConfirmation"] != "false" || attrs.Attributes["Endpoint"] != ep.URL+"/hook" {
		t.Fatalf("restored subscription: %v %v", attrs, err)
	}
	if _, err := c.Publish(ctx, &sns.PublishInput{TopicArn: &topic, Message: aws.String("back")}); err != nil {
		t.Fatal(err)
	}
	if r := ep.wait(t, 3)[2]; r.header.Get("X-Amz-Sns-Message-Type") != "Notification" || envelope(t, r.body)["Message"] != "back" {
		t.Errorf("after restoring: %v %s", r.header, r.body)
	}

	// So does a visit to SubscribeURL.
	m = unsubscribe(4)
	res, err := http.Get(m["SubscribeURL"].(string))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("GET SubscribeURL: %d", res.StatusCode)
	}
	if got := list(); len(got) != 1 || got[0] != subARN {
		t.Errorf("subscriptions after visiting SubscribeURL: %v", got)
	}

	// A token virga did not send is refused.
	_, err = c.ConfirmSubscription(ctx, &sns.ConfirmSubscriptionInput{TopicArn: &topic, Token: aws.String("0123456789abcdef")})
	wantSNSError(t, "an unknown token", err, "InvalidParameter", "Invalid parameter: Token")
}
