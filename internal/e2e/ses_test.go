package e2e_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ses"
	sestypes "github.com/aws/aws-sdk-go-v2/service/ses/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sesv2types "github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"github.com/virga/virga/internal/e2e"
)

// sesMessageID is the form of SES's message ids.
var sesMessageID = regexp.MustCompile(`^[0-9a-f]{16}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-000000$`)

// mailboxMessage is a message as the mailbox endpoint lists it.
type mailboxMessage struct {
	MessageID   string `json:"messageId"`
	API         string `json:"api"`
	Source      string `json:"source"`
	Destination struct {
		To, Cc, Bcc []string
	} `json:"destination"`
	ReplyTo      []string          `json:"replyTo"`
	Subject      string            `json:"subject"`
	Text         string            `json:"text"`
	HTML         string            `json:"html"`
	Raw          string            `json:"raw"`
	Template     string            `json:"template"`
	Tags         map[string]string `json:"tags"`
	Status       string            `json:"status"`
	Error        string            `json:"error"`
	TemplateData string            `json:"templateData"`
}

// mailbox reads the mailbox endpoint, for a recipient or for all.
func mailbox(t *testing.T, env *e2e.Env, to string) []mailboxMessage {
	t.Helper()
	u := env.Endpoint + "/_virga/ses/messages"
	if to != "" {
		u += "?to=" + url.QueryEscape(to)
	}
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: HTTP %d", u, resp.StatusCode)
	}
	var out struct{ Messages []mailboxMessage }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out.Messages
}

func TestSESIdentities(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	v1 := ses.NewFromConfig(env.Config)
	v2 := sesv2.NewFromConfig(env.Config)
	ctx := context.Background()

	if _, err := v1.VerifyEmailIdentity(ctx, &ses.VerifyEmailIdentityInput{EmailAddress: aws.String("me@example.com")}); err != nil {
		t.Fatal(err)
	}
	if _, err := v1.VerifyEmailAddress(ctx, &ses.VerifyEmailAddressInput{EmailAddress: aws.String("old@example.com")}); err != nil {
		t.Fatal(err)
	}
	dom, err := v1.VerifyDomainIdentity(ctx, &ses.VerifyDomainIdentityInput{Domain: aws.String("example.org")})
	if err != nil {
		t.Fatal(err)
	}
	if len(aws.ToString(dom.VerificationToken)) != 44 {
		t.Errorf("VerificationToken = %q; want 32 bytes in base64", aws.ToString(dom.VerificationToken))
	}
	again, err := v1.VerifyDomainIdentity(ctx, &ses.VerifyDomainIdentityInput{Domain: aws.String("example.org")})
	if err != nil || aws.ToString(again.VerificationToken) != aws.ToString(dom.VerificationToken) {
		t.Errorf("verifying again: %v, token %q; want the same token", err, aws.ToString(again.VerificationToken))
	}
	// v2 sees v1's identities, and v1 sees v2's.
	if _, err := v2.CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("v2.test")}); err != nil {
		t.Fatal(err)
	}
	_, err = v2.CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("v2.test")})
	expectAPIError(t, err, "AlreadyExistsException", 400)

	list, err := v1.ListIdentities(ctx, &ses.ListIdentitiesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(list.Identities, ","); got != "example.org,me@example.com,old@example.com,v2.test" {
		t.Errorf("ListIdentities = %s", got)
	}
	domains, err := v1.ListIdentities(ctx, &ses.ListIdentitiesInput{IdentityType: sestypes.IdentityTypeDomain, MaxItems: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	if len(domains.Identities) != 1 || domains.Identities[0] != "example.org" || domains.NextToken == nil {
		t.Errorf("ListIdentities(Domain, 1) = %v next %v", domains.Identities, domains.NextToken)
	}
	attrs, err := v1.GetIdentityVerificationAttributes(ctx, &ses.GetIdentityVerificationAttributesInput{
		Identities: []string{"me@example.com", "example.org", "unknown@example.net"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(attrs.VerificationAttributes) != 2 || attrs.VerificationAttributes["me@example.com"].VerificationStatus != sestypes.VerificationStatusSuccess ||
		aws.ToString(attrs.VerificationAttributes["example.org"].VerificationToken) != aws.ToString(dom.VerificationToken) {
		t.Errorf("GetIdentityVerificationAttributes = %+v", attrs.VerificationAttributes)
	}

	got, err := v2.GetEmailIdentity(ctx, &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String("example.org")})
	if err != nil {
		t.Fatal(err)
	}
	if got.IdentityType != sesv2types.IdentityTypeDomain || !got.VerifiedForSendingStatus || got.VerificationStatus != sesv2types.VerificationStatusSuccess ||
		got.DkimAttributes == nil || len(got.DkimAttributes.Tokens) != 3 {
		t.Errorf("GetEmailIdentity = %+v", got)
	}
	ids, err := v2.ListEmailIdentities(ctx, &sesv2.ListEmailIdentitiesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ids.EmailIdentities) != 4 || ids.EmailIdentities[1].IdentityType != sesv2types.IdentityTypeEmailAddress ||
		aws.ToString(ids.EmailIdentities[1].IdentityName) != "me@example.com" {
		t.Errorf("ListEmailIdentities = %+v", ids.EmailIdentities)
	}

	// v1 deletes quietly what does not exist; v2 answers NotFound.
	if _, err := v1.DeleteIdentity(ctx, &ses.DeleteIdentityInput{Identity: aws.String("old@example.com")}); err != nil {
		t.Fatal(err)
	}
	if _, err := v1.DeleteIdentity(ctx, &ses.DeleteIdentityInput{Identity: aws.String("old@example.com")}); err != nil {
		t.Errorf("DeleteIdentity of a deleted identity: %v", err)
	}
	_, err = v2.DeleteEmailIdentity(ctx, &sesv2.DeleteEmailIdentityInput{EmailIdentity: aws.String("old@example.com")})
	expectAPIError(t, err, "NotFoundException", 404)
	_, err = v2.GetEmailIdentity(ctx, &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String("old@example.com")})
	expectAPIError(t, err, "NotFoundException", 404)
	if _, err := v2.DeleteEmailIdentity(ctx, &sesv2.DeleteEmailIdentityInput{EmailIdentity: aws.String("v2.test")}); err != nil {
		t.Fatal(err)
	}
}

func TestSESSending(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	v1 := ses.NewFromConfig(env.Config)
	v2 := sesv2.NewFromConfig(env.Config)
	ctx := context.Background()
	if _, err := v1.VerifyEmailIdentity(ctx, &ses.VerifyEmailIdentityInput{EmailAddress: aws.String("sender@example.com")}); err != nil {
		t.Fatal(err)
	}
	if _, err := v1.VerifyDomainIdentity(ctx, &ses.VerifyDomainIdentityInput{Domain: aws.String("corp.test")}); err != nil {
		t.Fatal(err)
	}

	// An unverified sender is refused, naming the identity and the region.
	_, err := v1.SendEmail(ctx, &ses.SendEmailInput{Source: aws.String("stranger@nowhere.test"),
		Destination: &sestypes.Destination{ToAddresses: []string{"a@x.test"}},
		Message:     &sestypes.Message{Subject: &sestypes.Content{Data: aws.String("s")}, Body: &sestypes.Body{Text: &sestypes.Content{Data: aws.String("b")}}}})
	e := expectAPIError(t, err, "MessageRejected", 400)
	if e.Message != "Email address is not verified. The following identities failed the check in region US-EAST-1: stranger@nowhere.test" {
		t.Errorf("message = %q", e.Message)
	}

	// A formatted message to To, Cc and Bcc, from a verified address.
	sent, err := v1.SendEmail(ctx, &ses.SendEmailInput{Source: aws.String("Sender <sender@example.com>"),
		Destination:      &sestypes.Destination{ToAddresses: []string{"to@x.test"}, CcAddresses: []string{"cc@x.test"}, BccAddresses: []string{"bcc@x.test"}},
		ReplyToAddresses: []string{"reply@example.com"},
		Message: &sestypes.Message{Subject: &sestypes.Content{Data: aws.String("Welcome")},
			Body: &sestypes.Body{Text: &sestypes.Content{Data: aws.String("plain body")}, Html: &sestypes.Content{Data: aws.String("<p>html body</p>")}}},
		Tags: []sestypes.MessageTag{{Name: aws.String("campaign"), Value: aws.String("signup")}}})
	if err != nil {
		t.Fatal(err)
	}
	if !sesMessageID.MatchString(aws.ToString(sent.MessageId)) {
		t.Errorf("MessageId = %q; not of SES's form", aws.ToString(sent.MessageId))
	}
	// Any address of a verified domain may send; a raw message's
	// recipients come from its headers.
	raw := "From: Ops <ops@corp.test>\r\nTo: raw@x.test\r\nSubject: =?UTF-8?Q?Caf=C3=A9?=\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=UTF-8\r\n" +
		"Content-Transfer-Encoding: quoted-printable\r\n\r\ncaf=C3=A9 text\r\n--b1\r\nContent-Type: text/html\r\n\r\n<i>html</i>\r\n--b1--\r\n"
	rawSent, err := v1.SendRawEmail(ctx, &ses.SendRawEmailInput{RawMessage: &sestypes.RawMessage{Data: []byte(raw)}})
	if err != nil {
		t.Fatal(err)
	}
	// v2, simple content.
	v2Sent, err := v2.SendEmail(ctx, &sesv2.SendEmailInput{FromEmailAddress: aws.String("sender@example.com"),
		Destination: &sesv2types.Destination{ToAddresses: []string{"to@x.test"}},
		Content: &sesv2types.EmailContent{Simple: &sesv2types.Message{Subject: &sesv2types.Content{Data: aws.String("v2 subject")},
			Body: &sesv2types.Body{Text: &sesv2types.Content{Data: aws.String("v2 body")}}}}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = v2.SendEmail(ctx, &sesv2.SendEmailInput{FromEmailAddress: aws.String("nobody@nowhere.test"),
		Destination: &sesv2types.Destination{ToAddresses: []string{"to@x.test"}},
		Content:     &sesv2types.EmailContent{Raw: &sesv2types.RawMessage{Data: []byte("Subject: x\r\n\r\nbody")}}})
	expectAPIError(t, err, "MessageRejected", 400)

	// Over 50 recipients.
	many := make([]string, 51)
	for i := range many {
		many[i] = "r" + strings.Repeat("x", i) + "@x.test"
	}
	_, err = v1.SendEmail(ctx, &ses.SendEmailInput{Source: aws.String("sender@example.com"),
		Destination: &sestypes.Destination{ToAddresses: many},
		Message:     &sestypes.Message{Subject: &sestypes.Content{Data: aws.String("s")}, Body: &sestypes.Body{Text: &sestypes.Content{Data: aws.String("b")}}}})
	if e := expectAPIError(t, err, "InvalidParameterValue", 400); e.Message != "Recipient count exceeds 50." {
		t.Errorf("message = %q", e.Message)
	}

	// The mailbox has the three, oldest first.
	all := mailbox(t, env, "")
	if len(all) != 3 {
		t.Fatalf("mailbox holds %d messages; want 3: %+v", len(all), all)
	}
	m := all[0]
	if m.MessageID != aws.ToString(sent.MessageId) || m.API != "SendEmail" || m.Source != "Sender <sender@example.com>" ||
		m.Subject != "Welcome" || m.Text != "plain body" || m.HTML != "<p>html body</p>" ||
		strings.Join(m.Destination.Bcc, ",") != "bcc@x.test" || m.Tags["campaign"] != "signup" || m.Status != "Sent" ||
		!strings.Contains(m.Raw, "Subject: Welcome\r\n") || strings.Contains(m.Raw, "bcc@x.test") || !strings.Contains(m.Raw, "Reply-To: reply@example.com") {
		t.Errorf("first message = %+v", m)
	}
	if r := all[1]; r.MessageID != aws.ToString(rawSent.MessageId) || r.Source != "Ops <ops@corp.test>" || r.Subject != "Café" ||
		r.Text != "café text" || r.HTML != "<i>html</i>" || strings.Join(r.Destination.To, ",") != "raw@x.test" || r.Raw != raw {
		t.Errorf("raw message = %+v", r)
	}
	if r := all[2]; r.MessageID != aws.ToString(v2Sent.MessageId) || r.API != "v2.SendEmail" || r.Text != "v2 body" {
		t.Errorf("v2 message = %+v", r)
	}
	// Filtered by recipient, without regard to case.
	if got := mailbox(t, env, "TO@x.test"); len(got) != 2 || got[0].MessageID != m.MessageID || got[1].MessageID != aws.ToString(v2Sent.MessageId) {
		t.Errorf("mailbox?to=TO@x.test = %+v", got)
	}
	if got := mailbox(t, env, "bcc@x.test"); len(got) != 1 {
		t.Errorf("mailbox?to=bcc@x.test = %d messages", len(got))
	}

	// The quota and statistics count recipients.
	q, err := v1.GetSendQuota(ctx, &ses.GetSendQuotaInput{})
	if err != nil {
		t.Fatal(err)
	}
	if q.SentLast24Hours != 5 || q.Max24HourSend != -1 {
		t.Errorf("GetSendQuota = %+v; want 5 sent, no quota", q)
	}
	stats, err := v1.GetSendStatistics(ctx, &ses.GetSendStatisticsInput{})
	if err != nil {
		t.Fatal(err)
	}
	var attempts int64
	for _, p := range stats.SendDataPoints {
		attempts += p.DeliveryAttempts
	}
	if attempts != 5 {
		t.Errorf("GetSendStatistics = %+v; want 5 delivery attempts", stats.SendDataPoints)
	}
	enabled, err := v1.GetAccountSendingEnabled(ctx, &ses.GetAccountSendingEnabledInput{})
	if err != nil || !enabled.Enabled {
		t.Errorf("GetAccountSendingEnabled = %+v, %v", enabled, err)
	}
	acct, err := v2.GetAccount(ctx, &sesv2.GetAccountInput{})
	if err != nil || !acct.SendingEnabled || !acct.ProductionAccessEnabled || acct.SendQuota.SentLast24Hours != 5 {
		t.Errorf("GetAccount = %+v, %v", acct, err)
	}

	// DELETE empties the mailbox.
	req, _ := http.NewRequest(http.MethodDelete, env.Endpoint+"/_virga/ses/messages", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || len(mailbox(t, env, "")) != 0 {
		t.Errorf("DELETE: HTTP %d, mailbox not empty", resp.StatusCode)
	}
}

func TestSESTemplates(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	v1 := ses.NewFromConfig(env.Config)
	v2 := sesv2.NewFromConfig(env.Config)
	ctx := context.Background()
	if _, err := v1.VerifyEmailIdentity(ctx, &ses.VerifyEmailIdentityInput{EmailAddress: aws.String("app@example.com")}); err != nil {
		t.Fatal(err)
	}
	tpl := &sestypes.Template{TemplateName: aws.String("welcome"), SubjectPart: aws.String("Hello, {{name}}!"),
		TextPart: aws.String("Dear {{name}}, your plan is {{ plan.tier }}."), HtmlPart: aws.String("<h1>Hi {{name}}</h1>")}
	if _, err := v1.CreateTemplate(ctx, &ses.CreateTemplateInput{Template: tpl}); err != nil {
		t.Fatal(err)
	}
	_, err := v1.CreateTemplate(ctx, &ses.CreateTemplateInput{Template: tpl})
	expectAPIError(t, err, "AlreadyExists", 400)
	got, err := v1.GetTemplate(ctx, &ses.GetTemplateInput{TemplateName: aws.String("welcome")})
	if err != nil || aws.ToString(got.Template.SubjectPart) != "Hello, {{name}}!" {
		t.Fatalf("GetTemplate = %+v, %v", got, err)
	}
	// v2 sees it, and its templates are v1's.
	v2got, err := v2.GetEmailTemplate(ctx, &sesv2.GetEmailTemplateInput{TemplateName: aws.String("welcome")})
	if err != nil || aws.ToString(v2got.TemplateContent.Html) != "<h1>Hi {{name}}</h1>" {
		t.Fatalf("GetEmailTemplate = %+v, %v", v2got, err)
	}
	if _, err := v2.CreateEmailTemplate(ctx, &sesv2.CreateEmailTemplateInput{TemplateName: aws.String("v2tpl"),
		TemplateContent: &sesv2types.EmailTemplateContent{Subject: aws.String("v2 {{x}}"), Text: aws.String("x={{x}}")}}); err != nil {
		t.Fatal(err)
	}
	list, err := v1.ListTemplates(ctx, &ses.ListTemplatesInput{})
	if err != nil || len(list.TemplatesMetadata) != 2 || aws.ToString(list.TemplatesMetadata[1].Name) != "welcome" {
		t.Fatalf("ListTemplates = %+v, %v", list, err)
	}
	v2list, err := v2.ListEmailTemplates(ctx, &sesv2.ListEmailTemplatesInput{PageSize: aws.Int32(1)})
	if err != nil || len(v2list.TemplatesMetadata) != 1 || v2list.NextToken == nil {
		t.Fatalf("ListEmailTemplates = %+v, %v", v2list, err)
	}
	_, err = v1.GetTemplate(ctx, &ses.GetTemplateInput{TemplateName: aws.String("missing")})
	if e := expectAPIError(t, err, "TemplateDoesNotExist", 400); e.Message != "Template missing does not exist." {
		t.Errorf("message = %q", e.Message)
	}
	_, err = v2.GetEmailTemplate(ctx, &sesv2.GetEmailTemplateInput{TemplateName: aws.String("missing")})
	expectAPIError(t, err, "NotFoundException", 404)
	if _, err := v1.UpdateTemplate(ctx, &ses.UpdateTemplateInput{Template: &sestypes.Template{TemplateName: aws.String("v2tpl"),
		SubjectPart: aws.String("updated {{x}}"), TextPart: aws.String("x={{x}}")}}); err != nil {
		t.Fatal(err)
	}

	// Templated sends render the data; a missing attribute is accepted
	// and not delivered (RenderingFailure); an unknown template is refused.
	ok, err := v1.SendTemplatedEmail(ctx, &ses.SendTemplatedEmailInput{Source: aws.String("app@example.com"),
		Destination: &sestypes.Destination{ToAddresses: []string{"jane@x.test"}}, Template: aws.String("welcome"),
		TemplateData: aws.String(`{"name":"Jane","plan":{"tier":"gold"},"unused":1}`)})
	if err != nil {
		t.Fatal(err)
	}
	failed, err := v1.SendTemplatedEmail(ctx, &ses.SendTemplatedEmailInput{Source: aws.String("app@example.com"),
		Destination: &sestypes.Destination{ToAddresses: []string{"joe@x.test"}}, Template: aws.String("welcome"),
		TemplateData: aws.String(`{"name":"Joe"}`)})
	if err != nil {
		t.Fatalf("a rendering failure is accepted: %v", err)
	}
	_, err = v1.SendTemplatedEmail(ctx, &ses.SendTemplatedEmailInput{Source: aws.String("app@example.com"),
		Destination: &sestypes.Destination{ToAddresses: []string{"joe@x.test"}}, Template: aws.String("missing"), TemplateData: aws.String(`{}`)})
	expectAPIError(t, err, "TemplateDoesNotExist", 400)
	bulk, err := v1.SendBulkTemplatedEmail(ctx, &ses.SendBulkTemplatedEmailInput{Source: aws.String("app@example.com"),
		Template: aws.String("v2tpl"), DefaultTemplateData: aws.String(`{"x":"default"}`),
		Destinations: []sestypes.BulkEmailDestination{
			{Destination: &sestypes.Destination{ToAddresses: []string{"b1@x.test"}}},
			{Destination: &sestypes.Destination{ToAddresses: []string{"b2@x.test"}}, ReplacementTemplateData: aws.String(`{"x":"mine"}`)},
		}})
	if err != nil {
		t.Fatal(err)
	}
	if len(bulk.Status) != 2 || bulk.Status[0].Status != sestypes.BulkEmailStatusSuccess || bulk.Status[1].MessageId == nil {
		t.Fatalf("SendBulkTemplatedEmail = %+v", bulk.Status)
	}
	v2t, err := v2.SendEmail(ctx, &sesv2.SendEmailInput{FromEmailAddress: aws.String("app@example.com"),
		Destination: &sesv2types.Destination{ToAddresses: []string{"v2@x.test"}},
		Content:     &sesv2types.EmailContent{Template: &sesv2types.Template{TemplateName: aws.String("v2tpl"), TemplateData: aws.String(`{"x":42}`)}}})
	if err != nil {
		t.Fatal(err)
	}

	if m := mailbox(t, env, "jane@x.test"); len(m) != 1 || m[0].MessageID != aws.ToString(ok.MessageId) ||
		m[0].Subject != "Hello, Jane!" || m[0].Text != "Dear Jane, your plan is gold." || m[0].HTML != "<h1>Hi Jane</h1>" ||
		m[0].Template != "welcome" || !strings.Contains(m[0].Raw, "Subject: Hello, Jane!") {
		t.Errorf("templated message = %+v", m)
	}
	if m := mailbox(t, env, "joe@x.test"); len(m) != 1 || m[0].MessageID != aws.ToString(failed.MessageId) ||
		m[0].Status != "RenderingFailure" || m[0].Error != "Attribute 'plan.tier' is not present in the rendering data." {
		t.Errorf("rendering failure = %+v", m)
	}
	if m := mailbox(t, env, "b2@x.test"); len(m) != 1 || m[0].Subject != "updated mine" {
		t.Errorf("bulk message = %+v", m)
	}
	if m := mailbox(t, env, "b1@x.test"); len(m) != 1 || m[0].Text != "x=default" {
		t.Errorf("bulk message with default data = %+v", m)
	}
	if m := mailbox(t, env, "v2@x.test"); len(m) != 1 || m[0].MessageID != aws.ToString(v2t.MessageId) || m[0].Text != "x=42" {
		t.Errorf("v2 templated message = %+v", m)
	}

	if _, err := v1.DeleteTemplate(ctx, &ses.DeleteTemplateInput{TemplateName: aws.String("welcome")}); err != nil {
		t.Fatal(err)
	}
	_, err = v2.DeleteEmailTemplate(ctx, &sesv2.DeleteEmailTemplateInput{TemplateName: aws.String("welcome")})
	expectAPIError(t, err, "NotFoundException", 404)
}

// TestCLISES drives SES v1 (awsQuery) with Debian's aws CLI and reads the
// message back from the mailbox.
func TestCLISES(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, e2e.AWSCLI)
	env := e2e.Start(t)
	if res := env.CLI(t, "ses", "verify-email-identity", "--email-address", "cli@example.com"); res.ExitCode != 0 {
		t.Fatalf("verify-email-identity: %s", res.Stderr)
	}
	var sent struct{ MessageId string }
	cliJSON(t, env.CLI(t, "ses", "send-email", "--from", "cli@example.com", "--to", "reader@x.test",
		"--subject", "from the CLI", "--text", "hello from the aws CLI"), &sent)
	if !sesMessageID.MatchString(sent.MessageId) {
		t.Fatalf("send-email: MessageId %q", sent.MessageId)
	}
	res := env.CLI(t, "ses", "send-email", "--from", "other@example.com", "--to", "reader@x.test", "--subject", "s", "--text", "t")
	if res.ExitCode == 0 || !strings.Contains(res.Stderr, "MessageRejected") ||
		!strings.Contains(res.Stderr, "The following identities failed the check in region US-EAST-1: other@example.com") {
		t.Errorf("send-email from an unverified address: exit %d, %s", res.ExitCode, res.Stderr)
	}
	m := mailbox(t, env, "reader@x.test")
	if len(m) != 1 || m[0].MessageID != sent.MessageId || m[0].Subject != "from the CLI" || m[0].Text != "hello from the aws CLI" {
		t.Errorf("mailbox = %+v", m)
	}
}
