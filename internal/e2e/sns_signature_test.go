package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/virga/virga/internal/config"
)

// TestSNSSignaturesVerify checks that what SNS delivers in its JSON form
// (subscription confirmations and notifications to HTTP endpoints, SQS
// envelopes) verifies with the certificate at its SigningCertURL, for
// both signature versions, and that a restart keeps the certificate.
func TestSNSSignaturesVerify(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	onDisk := WithConfig(func(c *config.Config) { c.InMemory, c.DataDir = false, dir })
	env := Start(t, onDisk)
	c, q := snsClient(env), sqsClient(env)
	ctx := context.Background()

	type target struct {
		topic    string
		queueURL string
		endpoint *snsEndpoint
	}
	targets := map[string]*target{}
	for _, version := range []string{"1", "2"} {
		tg := &target{topic: createTopic(t, c, "signed-v"+version, nil), endpoint: newSNSEndpoint(t, 200)}
		if version == "2" {
			_, err := c.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: &tg.topic,
				AttributeName: aws.String("SignatureVersion"), AttributeValue: aws.String("2")})
			if err != nil {
				t.Fatal(err)
			}
		}
		var queueARN string
		tg.queueURL, queueARN = queueFor(t, q, "signed-v"+version, nil)
		subscribeQueue(t, c, tg.topic, queueARN, nil)
		if _, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: &tg.topic, Protocol: aws.String("http"),
			Endpoint: aws.String(tg.endpoint.URL + "/hook")}); err != nil {
			t.Fatal(err)
		}
		targets[version] = tg
	}
	_, err := c.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: aws.String(targets["1"].topic),
		AttributeName: aws.String("SignatureVersion"), AttributeValue: aws.String("3")})
	wantSNSError(t, "SignatureVersion 3", err, "InvalidParameter", "Invalid parameter: SignatureVersion: Invalid value [3]. Must be 1 or 2.")

	// certPath is SigningCertURL's path, the same in every message.
	var certPath string
	check := func(what, version string, m map[string]any) {
		t.Helper()
		if m["SignatureVersion"] != version {
			t.Errorf("%s: SignatureVersion = %v, want %s", what, m["SignatureVersion"], version)
		}
		if err := env.VerifySNSSignature(t, m); err != nil {
			t.Errorf("%s: the signature does not verify: %v\n%v", what, err, m)
		}
		// A subscriber that checks signatures refuses a changed message.
		m["Message"] = m["Message"].(string) + "!"
		if env.VerifySNSSignature(t, m) == nil {
			t.Errorf("%s: the signature verifies a changed message", what)
		}
		url, _ := m["SigningCertURL"].(string)
		// The certificate is served over HTTPS, as AWS's is, on
		// virga's port.
		path, ok := strings.CutPrefix(url, httpsEndpoint(env))
		switch {
		case !ok:
			t.Errorf("%s: SigningCertURL %s is not on virga's endpoint %s", what, url, httpsEndpoint(env))
		case certPath == "":
			certPath = path
		case path != certPath:
			t.Errorf("%s: SigningCertURL %s, want %s", what, url, httpsEndpoint(env)+certPath)
		}
	}
	decode := func(body string) map[string]any {
		t.Helper()
		var m map[string]any
		if err := json.Unmarshal([]byte(body), &m); err != nil {
			t.Fatalf("%v: %s", err, body)
		}
		return m
	}

	for version, tg := range targets {
		conf := decode(tg.endpoint.wait(t, 1)[0].body)
		if conf["Type"] != "SubscriptionConfirmation" {
			t.Fatalf("first request to the endpoint: %v", conf)
		}
		check("v"+version+" SubscriptionConfirmation", version, conf)
	}
	for version, tg := range targets {
		// The endpoint confirmed its subscription by visiting
		// SubscribeURL; wait for it before publishing.
		waitConfirmed(t, c, tg.topic)
		if _, err := c.Publish(ctx, &sns.PublishInput{TopicArn: &tg.topic, Subject: aws.String("Greetings"),
			Message: aws.String("hello \"world\"\nline two & <more>")}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Publish(ctx, &sns.PublishInput{TopicArn: &tg.topic, Message: aws.String("no subject")}); err != nil {
			t.Fatal(err)
		}
		for i, r := range tg.endpoint.wait(t, 3)[1:] {
			check("v"+version+" HTTP notification "+string(rune('1'+i)), version, decode(r.body))
		}
		for i, m := range receiveAll(t, q, tg.queueURL, 2) {
			check("v"+version+" SQS envelope "+string(rune('1'+i)), version, decode(aws.ToString(m.Body)))
		}
	}
	_, pemBefore := env.SNSCertificate(t, httpsEndpoint(env)+certPath)

	// After a restart messages are signed with the same key, and its
	// certificate is served at the same URL.
	env.Stop(t)
	env = Start(t, onDisk)
	c, q = snsClient(env), sqsClient(env)
	tg := targets["2"]
	if _, err := c.Publish(ctx, &sns.PublishInput{TopicArn: &tg.topic, Message: aws.String("after the restart")}); err != nil {
		t.Fatal(err)
	}
	m := decode(aws.ToString(receiveAll(t, q, tg.queueURL, 1)[0].Body))
	check("SQS envelope after the restart", "2", m)
	if _, pemAfter := env.SNSCertificate(t, httpsEndpoint(env)+certPath); pemAfter != pemBefore {
		t.Errorf("the certificate changed with the restart:\n%s\nwas\n%s", pemAfter, pemBefore)
	}

	// Another name is not a certificate.
	res, err := http.Get(env.Endpoint + "/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 404 {
		t.Errorf("GET another certificate: %d", res.StatusCode)
	}
}

// httpsEndpoint is virga's endpoint over HTTPS, which its port answers
// too.
func httpsEndpoint(env *Env) string { return "https://" + strings.TrimPrefix(env.Endpoint, "http://") }

// waitConfirmed waits until a topic has no subscription pending
// confirmation.
func waitConfirmed(t testing.TB, c *sns.Client, topic string) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; {
		list, err := c.ListSubscriptionsByTopic(context.Background(), &sns.ListSubscriptionsByTopicInput{TopicArn: &topic})
		if err != nil {
			t.Fatal(err)
		}
		pending := false
		for _, s := range list.Subscriptions {
			pending = pending || aws.ToString(s.SubscriptionArn) == "PendingConfirmation"
		}
		if !pending {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: a subscription still pending confirmation after 30s", topic)
		}
		time.Sleep(20 * time.Millisecond) // waiting for the endpoint's GET, not timing it
	}
}
