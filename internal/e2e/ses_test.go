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
