package e2e_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/ses"
	sestypes "github.com/aws/aws-sdk-go-v2/service/ses/types"

	"github.com/virga/virga/internal/e2e"
)

const sesStackTemplate = `
Resources:
  Domain:
    Type: AWS::SES::EmailIdentity
    Properties:
      EmailIdentity: stack.test
  Welcome:
    Type: AWS::SES::Template
    Properties:
      Template:
        SubjectPart: "Welcome, {{name}}"
        TextPart: "Hello {{name}}"
  Tracking:
    Type: AWS::SES::ConfigurationSet
    Properties:
      Name: stack-tracking
Outputs:
  Identity:
    Value: !Ref Domain
  DkimName:
    Value: !GetAtt Domain.DkimDNSTokenName1
  DkimValue:
    Value: !GetAtt Domain.DkimDNSTokenValue1
  TemplateName:
    Value: !Ref Welcome
  ConfigurationSet:
    Value: !Ref Tracking
`

// TestSESStack deploys an email identity, a template and a configuration
// set with CloudFormation, sends with them, and deletes them with the
// stack.
func TestSESStack(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cf := cloudformation.NewFromConfig(env.Config)
	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("mail"), TemplateBody: aws.String(sesStackTemplate)}); err != nil {
		t.Fatal(err)
	}
	st := settleStack(t, cf, "mail")
	if st.StackStatus != cftypes.StackStatusCreateComplete {
		t.Fatalf("stack %s: %s", st.StackStatus, aws.ToString(st.StackStatusReason))
	}
	outs := map[string]string{}
	for _, o := range st.Outputs {
		outs[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
	}
	if outs["Identity"] != "stack.test" || outs["ConfigurationSet"] != "stack-tracking" || outs["TemplateName"] == "" ||
		!strings.HasSuffix(outs["DkimName"], "._domainkey.stack.test") || !strings.HasSuffix(outs["DkimValue"], ".dkim.amazonses.com") {
		t.Fatalf("outputs = %v", outs)
	}

	v1 := ses.NewFromConfig(env.Config)
	sent, err := v1.SendTemplatedEmail(ctx, &ses.SendTemplatedEmailInput{Source: aws.String("hello@stack.test"),
		Destination: &sestypes.Destination{ToAddresses: []string{"new@x.test"}}, Template: aws.String(outs["TemplateName"]),
		TemplateData: aws.String(`{"name":"Ada"}`), ConfigurationSetName: aws.String(outs["ConfigurationSet"])})
	if err != nil {
		t.Fatal(err)
	}
	if m := mailbox(t, env, "new@x.test"); len(m) != 1 || m[0].MessageID != aws.ToString(sent.MessageId) || m[0].Subject != "Welcome, Ada" {
		t.Errorf("mailbox = %+v", m)
	}

	if _, err := cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("mail")}); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		out, err := cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("mail")})
		if err != nil || out.Stacks[0].StackStatus == cftypes.StackStatusDeleteComplete {
			break
		}
	}
	ids, err := v1.ListIdentities(ctx, &ses.ListIdentitiesInput{})
	if err != nil || len(ids.Identities) != 0 {
		t.Errorf("identities after the stack's deletion = %v, %v", ids, err)
	}
	_, err = v1.GetTemplate(ctx, &ses.GetTemplateInput{TemplateName: aws.String(outs["TemplateName"])})
	expectAPIError(t, err, "TemplateDoesNotExist", 400)
	sets, err := v1.ListConfigurationSets(ctx, &ses.ListConfigurationSetsInput{})
	if err != nil || len(sets.ConfigurationSets) != 0 {
		t.Errorf("configuration sets after the stack's deletion = %+v, %v", sets, err)
	}
}
