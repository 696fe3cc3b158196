package e2e_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/virga/virga/internal/e2e"
)

// iamTypesTemplate has the one-policy types and an access key.
const iamTypesTemplate = `Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      RoleName: typed-role
      AssumeRolePolicyDocument: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}]}
  User:
    Type: AWS::IAM::User
    Properties:
      UserName: typed-user
  Group:
    Type: AWS::IAM::Group
    Properties:
      GroupName: typed-group
  RolePolicy:
    Type: AWS::IAM::RolePolicy
    Properties:
      RoleName: !Ref Role
      PolicyName: read
      PolicyDocument: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "ACTION", Resource: "*"}]}
  UserPolicy:
    Type: AWS::IAM::UserPolicy
    Properties:
      UserName: !Ref User
      PolicyName: read
      PolicyDocument: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "ACTION", Resource: "*"}]}
  GroupPolicy:
    Type: AWS::IAM::GroupPolicy
    Properties:
      GroupName: !Ref Group
      PolicyName: read
      PolicyDocument: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "ACTION", Resource: "*"}]}
  Key:
    Type: AWS::IAM::AccessKey
    Properties:
      UserName: !Ref User
      Status: STATUS
      Serial: SERIAL
Outputs:
  Key:
    Value: !Ref Key
  Secret:
    Value: !GetAtt Key.SecretAccessKey
  RolePolicy:
    Value: !Ref RolePolicy
`

func iamTypes(action, status, serial string) string {
	return strings.NewReplacer("ACTION", action, "STATUS", status, "SERIAL", serial).Replace(iamTypesTemplate)
}

// TestCloudFormationIAMPolicyTypesAndAccessKey deploys RolePolicy,
// UserPolicy, GroupPolicy and AccessKey, reads them back through IAM,
// updates the policies and the key's Status in place, rotates the key
// with Serial, and refuses a RolePolicy whose policy the role already
// has.
func TestCloudFormationIAMPolicyTypesAndAccessKey(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cf := cloudformation.NewFromConfig(env.Config)
	ic := iam.NewFromConfig(env.Config)
	caps := []cftypes.Capability{cftypes.CapabilityCapabilityNamedIam}
	deploy := func(body string, update bool) map[string]string {
		t.Helper()
		var err error
		if update {
			_, err = cf.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: aws.String("typed"), TemplateBody: aws.String(body), Capabilities: caps})
		} else {
			_, err = cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("typed"), TemplateBody: aws.String(body), Capabilities: caps})
		}
		if err != nil {
			t.Fatal(err)
		}
		st := settleStack(t, cf, "typed")
		if want := map[bool]cftypes.StackStatus{false: cftypes.StackStatusCreateComplete, true: cftypes.StackStatusUpdateComplete}[update]; st.StackStatus != want {
			t.Fatalf("stack %s", st.StackStatus)
		}
		return outputsOf(st)
	}
	// check reads the three policies and the user's keys.
	check := func(action string, key string, status iamtypes.StatusType) {
		t.Helper()
		docs := []*string{}
		rp, err := ic.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String("typed-role"), PolicyName: aws.String("read")})
		if err != nil {
			t.Fatal(err)
		}
		up, err := ic.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: aws.String("typed-user"), PolicyName: aws.String("read")})
		if err != nil {
			t.Fatal(err)
		}
		gp, err := ic.GetGroupPolicy(ctx, &iam.GetGroupPolicyInput{GroupName: aws.String("typed-group"), PolicyName: aws.String("read")})
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, rp.PolicyDocument, up.PolicyDocument, gp.PolicyDocument)
		for _, d := range docs {
			doc, _ := url.QueryUnescape(aws.ToString(d))
			if !strings.Contains(doc, `"`+action+`"`) {
				t.Errorf("policy document %s, want action %s", doc, action)
			}
		}
		keys, err := ic.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("typed-user")})
		if err != nil {
			t.Fatal(err)
		}
		if len(keys.AccessKeyMetadata) != 1 || aws.ToString(keys.AccessKeyMetadata[0].AccessKeyId) != key || keys.AccessKeyMetadata[0].Status != status {
			t.Errorf("keys %+v, want %s %s", keys.AccessKeyMetadata, key, status)
		}
	}

	outs := deploy(iamTypes("s3:GetObject", "Inactive", "1"), false)
	if !strings.HasPrefix(outs["Key"], "AKIA") || len(outs["Secret"]) != 40 || outs["RolePolicy"] != "read|typed-role" {
		t.Fatalf("outputs %v", outs)
	}
	check("s3:GetObject", outs["Key"], iamtypes.StatusTypeInactive)

	// Status and the documents change in place.
	outs2 := deploy(iamTypes("s3:PutObject", "Active", "1"), true)
	if outs2["Key"] != outs["Key"] || outs2["Secret"] != outs["Secret"] {
		t.Errorf("a Status change replaced the key: %v then %v", outs, outs2)
	}
	check("s3:PutObject", outs["Key"], iamtypes.StatusTypeActive)

	// A new Serial rotates the key.
	outs3 := deploy(iamTypes("s3:PutObject", "Active", "2"), true)
	if outs3["Key"] == outs["Key"] {
		t.Errorf("a new Serial kept the key %s", outs3["Key"])
	}
	check("s3:PutObject", outs3["Key"], iamtypes.StatusTypeActive)

	// Another stack's RolePolicy of the same name is refused.
	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("again"), Capabilities: caps, TemplateBody: aws.String(`Resources:
  Again:
    Type: AWS::IAM::RolePolicy
    Properties:
      RoleName: typed-role
      PolicyName: read
      PolicyDocument: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "sqs:*", Resource: "*"}]}
`)}); err != nil {
		t.Fatal(err)
	}
	if st := settleStack(t, cf, "again"); st.StackStatus != cftypes.StackStatusRollbackComplete {
		t.Fatalf("taken policy: stack %s", st.StackStatus)
	}
	if got := resourceReason(t, cf, "again", "Again", cftypes.ResourceStatusCreateFailed); !strings.Contains(got, "Resource of type 'AWS::IAM::RolePolicy' with identifier 'read|typed-role' already exists.") ||
		!strings.Contains(got, "HandlerErrorCode: AlreadyExists") {
		t.Errorf("taken policy: %q", got)
	}
	check("s3:PutObject", outs3["Key"], iamtypes.StatusTypeActive)

	if _, err := cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("typed")}); err != nil {
		t.Fatal(err)
	}
	if err := cloudformation.NewStackDeleteCompleteWaiter(cf).Wait(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("typed")}, time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, err := ic.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("typed-user")}); err == nil {
		t.Error("the user outlived its stack")
	}
}
