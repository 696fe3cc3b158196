package e2e_test

import (
	"context"
	"encoding/json"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ses"
	sestypes "github.com/aws/aws-sdk-go-v2/service/ses/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/virga/virga/internal/e2e"
)

// dkimToken is the form of an Easy DKIM token.
var dkimToken = regexp.MustCompile(`^[a-z2-7]{32}$`)

// TestSESIdentityDkim: VerifyDomainDkim gives a domain three tokens, the
// same each time, and verifies it at once; GetIdentityDkimAttributes
// reports them (an address has not started); SetIdentityDkimEnabled
// turns signing off and on; an unknown identity is refused.
func TestSESIdentityDkim(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	v1 := ses.NewFromConfig(env.Config)

	first, err := v1.VerifyDomainDkim(ctx, &ses.VerifyDomainDkimInput{Domain: aws.String("example.com")})
	if err != nil {
		t.Fatal(err)
	}
	if len(first.DkimTokens) != 3 {
		t.Fatalf("DkimTokens = %q, want 3", first.DkimTokens)
	}
	for _, tok := range first.DkimTokens {
		if !dkimToken.MatchString(tok) {
			t.Errorf("DKIM token %q is not of SES's form", tok)
		}
	}
	again, err := v1.VerifyDomainDkim(ctx, &ses.VerifyDomainDkimInput{Domain: aws.String("example.com")})
	if err != nil || len(again.DkimTokens) != 3 || again.DkimTokens[0] != first.DkimTokens[0] || again.DkimTokens[2] != first.DkimTokens[2] {
		t.Fatalf("VerifyDomainDkim again = %+v, %v; want the same tokens", again, err)
	}
	if _, err := v1.VerifyEmailIdentity(ctx, &ses.VerifyEmailIdentityInput{EmailAddress: aws.String("user@other.test")}); err != nil {
		t.Fatal(err)
	}
	attrs, err := v1.GetIdentityDkimAttributes(ctx, &ses.GetIdentityDkimAttributesInput{Identities: []string{"example.com", "user@other.test", "never.test"}})
	if err != nil {
		t.Fatal(err)
	}
	d, a := attrs.DkimAttributes["example.com"], attrs.DkimAttributes["user@other.test"]
	if len(attrs.DkimAttributes) != 2 || !d.DkimEnabled || d.DkimVerificationStatus != sestypes.VerificationStatusSuccess || len(d.DkimTokens) != 3 ||
		a.DkimEnabled || a.DkimVerificationStatus != sestypes.VerificationStatusNotStarted || len(a.DkimTokens) != 0 {
		t.Fatalf("GetIdentityDkimAttributes = %+v", attrs.DkimAttributes)
	}
	verified, err := v1.GetIdentityVerificationAttributes(ctx, &ses.GetIdentityVerificationAttributesInput{Identities: []string{"example.com"}})
	if err != nil || verified.VerificationAttributes["example.com"].VerificationStatus != sestypes.VerificationStatusSuccess {
		t.Fatalf("the DKIM domain's verification = %+v, %v", verified, err)
	}

	if _, err := v1.SetIdentityDkimEnabled(ctx, &ses.SetIdentityDkimEnabledInput{Identity: aws.String("example.com"), DkimEnabled: false}); err != nil {
		t.Fatal(err)
	}
	attrs, err = v1.GetIdentityDkimAttributes(ctx, &ses.GetIdentityDkimAttributesInput{Identities: []string{"example.com"}})
	if err != nil || attrs.DkimAttributes["example.com"].DkimEnabled || len(attrs.DkimAttributes["example.com"].DkimTokens) != 3 {
		t.Fatalf("after disabling DKIM = %+v, %v", attrs, err)
	}
	_, err = v1.SetIdentityDkimEnabled(ctx, &ses.SetIdentityDkimEnabledInput{Identity: aws.String("never.test"), DkimEnabled: true})
	if e := expectAPIError(t, err, "InvalidParameterValue", 400); e.Message != "Identity never.test is invalid. Must be a verified email address or domain." {
		t.Errorf("message = %q", e.Message)
	}
	_, err = v1.VerifyDomainDkim(ctx, &ses.VerifyDomainDkimInput{Domain: aws.String("a@b.test")})
	expectAPIError(t, err, "InvalidParameterValue", 400)
}

// TestSESIdentityNotifications: topics are set per notification type and
// must exist; feedback forwarding cannot be turned off until bounces and
// complaints have topics; a message sent from an identity with a
// Delivery topic publishes SES's Delivery notification to it, with the
// headers once they are asked for.
func TestSESIdentityNotifications(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	v1 := ses.NewFromConfig(env.Config)
	queues := sqs.NewFromConfig(env.Config)
	topicARN, queueURL := topicToQueue(t, env, "ses-feedback")
	if _, err := v1.VerifyDomainIdentity(ctx, &ses.VerifyDomainIdentityInput{Domain: aws.String("example.com")}); err != nil {
		t.Fatal(err)
	}
	id := aws.String("example.com")

	attrs, err := v1.GetIdentityNotificationAttributes(ctx, &ses.GetIdentityNotificationAttributesInput{Identities: []string{"example.com", "never.test"}})
	if err != nil {
		t.Fatal(err)
	}
	if n, ok := attrs.NotificationAttributes["example.com"]; len(attrs.NotificationAttributes) != 1 || !ok || !n.ForwardingEnabled ||
		n.BounceTopic != nil || n.DeliveryTopic != nil || n.HeadersInDeliveryNotificationsEnabled {
		t.Fatalf("GetIdentityNotificationAttributes = %+v", attrs.NotificationAttributes)
	}

	_, err = v1.SetIdentityFeedbackForwardingEnabled(ctx, &ses.SetIdentityFeedbackForwardingEnabledInput{Identity: id, ForwardingEnabled: false})
	expectAPIError(t, err, "InvalidParameterValue", 400)
	_, err = v1.SetIdentityNotificationTopic(ctx, &ses.SetIdentityNotificationTopicInput{Identity: id,
		NotificationType: sestypes.NotificationTypeBounce, SnsTopic: aws.String("arn:aws:sns:us-east-1:" + testAccount + ":missing")})
	expectAPIError(t, err, "InvalidParameterValue", 400)
	_, err = v1.SetIdentityNotificationTopic(ctx, &ses.SetIdentityNotificationTopicInput{Identity: aws.String("never.test"),
		NotificationType: sestypes.NotificationTypeBounce, SnsTopic: topicARN})
	expectAPIError(t, err, "InvalidParameterValue", 400)
	for _, typ := range []sestypes.NotificationType{sestypes.NotificationTypeBounce, sestypes.NotificationTypeComplaint, sestypes.NotificationTypeDelivery} {
		if _, err := v1.SetIdentityNotificationTopic(ctx, &ses.SetIdentityNotificationTopicInput{Identity: id, NotificationType: typ, SnsTopic: topicARN}); err != nil {
			t.Fatalf("SetIdentityNotificationTopic %s: %v", typ, err)
		}
	}
	if _, err := v1.SetIdentityFeedbackForwardingEnabled(ctx, &ses.SetIdentityFeedbackForwardingEnabledInput{Identity: id, ForwardingEnabled: false}); err != nil {
		t.Fatal(err)
	}
	_, err = v1.SetIdentityNotificationTopic(ctx, &ses.SetIdentityNotificationTopicInput{Identity: id, NotificationType: sestypes.NotificationTypeComplaint})
	expectAPIError(t, err, "InvalidParameterValue", 400)
	if _, err := v1.SetIdentityHeadersInNotificationsEnabled(ctx, &ses.SetIdentityHeadersInNotificationsEnabledInput{Identity: id,
		NotificationType: sestypes.NotificationTypeDelivery, Enabled: true}); err != nil {
		t.Fatal(err)
	}
	attrs, err = v1.GetIdentityNotificationAttributes(ctx, &ses.GetIdentityNotificationAttributesInput{Identities: []string{"example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	n := attrs.NotificationAttributes["example.com"]
	if n.ForwardingEnabled || aws.ToString(n.BounceTopic) != aws.ToString(topicARN) || aws.ToString(n.ComplaintTopic) != aws.ToString(topicARN) ||
		aws.ToString(n.DeliveryTopic) != aws.ToString(topicARN) || !n.HeadersInDeliveryNotificationsEnabled || n.HeadersInBounceNotificationsEnabled {
		t.Fatalf("GetIdentityNotificationAttributes = %+v", n)
	}

	sent, err := v1.SendEmail(ctx, &ses.SendEmailInput{Source: aws.String("app@example.com"),
		Destination: &sestypes.Destination{ToAddresses: []string{"u@x.test"}},
		Message:     &sestypes.Message{Subject: &sestypes.Content{Data: aws.String("notified")}, Body: &sestypes.Body{Text: &sestypes.Content{Data: aws.String("b")}}}})
	if err != nil {
		t.Fatal(err)
	}
	out, err := queues.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: queueURL, MaxNumberOfMessages: 10, WaitTimeSeconds: 20})
	if err != nil || len(out.Messages) != 1 {
		t.Fatalf("ReceiveMessage = %+v, %v; want one Delivery notification", out, err)
	}
	var note struct {
		NotificationType string `json:"notificationType"`
		EventType        string `json:"eventType"`
		Mail             struct {
			MessageID     string `json:"messageId"`
			Source        string `json:"source"`
			Headers       []struct{ Name, Value string }
			CommonHeaders struct{ Subject string } `json:"commonHeaders"`
		} `json:"mail"`
		Delivery *struct {
			Recipients []string `json:"recipients"`
		} `json:"delivery"`
	}
	if err := json.Unmarshal([]byte(aws.ToString(out.Messages[0].Body)), &note); err != nil {
		t.Fatal(err)
	}
	if note.NotificationType != "Delivery" || note.EventType != "" || note.Mail.MessageID != aws.ToString(sent.MessageId) ||
		note.Mail.Source != "app@example.com" || note.Mail.CommonHeaders.Subject != "notified" || len(note.Mail.Headers) == 0 ||
		note.Delivery == nil || len(note.Delivery.Recipients) != 1 || note.Delivery.Recipients[0] != "u@x.test" {
		t.Errorf("Delivery notification = %s", aws.ToString(out.Messages[0].Body))
	}
}

// TestCLISESIdentitySettings: the aws CLI's get-identity-dkim-attributes
// and get-identity-notification-attributes print what its examples show.
func TestCLISESIdentitySettings(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, e2e.AWSCLI)
	env := e2e.Start(t)
	var dkim struct{ DkimTokens []string }
	cliJSON(t, env.CLI(t, "ses", "verify-domain-dkim", "--domain", "example.com"), &dkim)
	if len(dkim.DkimTokens) != 3 {
		t.Fatalf("verify-domain-dkim: %+v", dkim)
	}
	if res := env.CLI(t, "ses", "verify-email-identity", "--email-address", "user@example.com"); res.ExitCode != 0 {
		t.Fatalf("verify-email-identity: %s", res.Stderr)
	}
	var attrs struct {
		DkimAttributes map[string]struct {
			DkimEnabled            bool
			DkimVerificationStatus string
			DkimTokens             []string
		}
	}
	cliJSON(t, env.CLI(t, "ses", "get-identity-dkim-attributes", "--identities", "example.com", "user@example.com"), &attrs)
	if d := attrs.DkimAttributes["example.com"]; !d.DkimEnabled || d.DkimVerificationStatus != "Success" || len(d.DkimTokens) != 3 {
		t.Errorf("example.com: %+v", d)
	}
	if a := attrs.DkimAttributes["user@example.com"]; a.DkimEnabled || a.DkimVerificationStatus != "NotStarted" {
		t.Errorf("user@example.com: %+v", a)
	}
	var notes struct {
		NotificationAttributes map[string]map[string]any
	}
	cliJSON(t, env.CLI(t, "ses", "get-identity-notification-attributes", "--identities", "user@example.com"), &notes)
	n := notes.NotificationAttributes["user@example.com"]
	if n["ForwardingEnabled"] != true || n["BounceTopic"] != nil {
		t.Errorf("get-identity-notification-attributes: %+v", notes)
	}
}
