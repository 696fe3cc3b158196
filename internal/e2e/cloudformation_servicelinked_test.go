package e2e_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"

	"github.com/virga/virga/internal/e2e"
)

const serviceLinkedTemplate = `Resources:
  Scaling:
    Type: AWS::IAM::ServiceLinkedRole
    Properties:
      AWSServiceName: autoscaling.amazonaws.com
      CustomSuffix: web
      Description: DESCRIPTION
Outputs:
  Name:
    Value: !Ref Scaling
  Attr:
    Value: !GetAtt Scaling.RoleName
`

// TestCloudFormationServiceLinkedRole makes a service-linked role with a
// stack: IAM names it after the service under /aws-service-role/, refuses
// DeleteRole and a second role of the name, and the stack changes its
// description in place and deletes it.
func TestCloudFormationServiceLinkedRole(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cf := cloudformation.NewFromConfig(env.Config)
	ic := iam.NewFromConfig(env.Config)
	caps := []cftypes.Capability{cftypes.CapabilityCapabilityIam}
	body := func(d string) *string { return aws.String(strings.ReplaceAll(serviceLinkedTemplate, "DESCRIPTION", d)) }
	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("slr"), Capabilities: caps, TemplateBody: body("first")}); err != nil {
		t.Fatal(err)
	}
	outs := createdStackOutputs(t, cf, "slr")
	const name = "AWSServiceRoleForAutoScaling_web"
	if outs["Name"] != name || outs["Attr"] != name {
		t.Fatalf("outputs %v", outs)
	}
	role := func() *iam.GetRoleOutput {
		t.Helper()
		out, err := ic.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	if r := role().Role; aws.ToString(r.Path) != "/aws-service-role/autoscaling.amazonaws.com/" || aws.ToString(r.Description) != "first" ||
		!strings.Contains(aws.ToString(r.AssumeRolePolicyDocument), "autoscaling.amazonaws.com") {
		t.Errorf("role %+v", r)
	}
	var ae smithy.APIError
	_, err := ic.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(name)})
	if !errors.As(err, &ae) || ae.ErrorCode() != "UnmodifiableEntity" {
		t.Errorf("DeleteRole of a service-linked role: %v", err)
	}
	_, err = ic.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("autoscaling.amazonaws.com"), CustomSuffix: aws.String("web")})
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidInput" || ae.ErrorMessage() != "Service role name "+name+" has been taken in this account, please try a different suffix." {
		t.Errorf("a taken service-linked role: %v", err)
	}

	if _, err := cf.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: aws.String("slr"), Capabilities: caps, TemplateBody: body("second")}); err != nil {
		t.Fatal(err)
	}
	st := settleStack(t, cf, "slr")
	if st.StackStatus != cftypes.StackStatusUpdateComplete || aws.ToString(role().Role.Description) != "second" {
		t.Errorf("update: %s, description %q", st.StackStatus, aws.ToString(role().Role.Description))
	}
	if _, err := cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: st.StackId}); err != nil {
		t.Fatal(err)
	}
	if st := settleStack(t, cf, aws.ToString(st.StackId)); st.StackStatus != cftypes.StackStatusDeleteComplete {
		t.Fatalf("delete: %s", st.StackStatus)
	}
	if _, err := ic.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)}); !errors.As(err, &ae) || ae.ErrorCode() != "NoSuchEntity" {
		t.Errorf("the role after the stack's deletion: %v", err)
	}
}
