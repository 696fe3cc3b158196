package e2e_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/virga/virga/internal/e2e"
)

// cdkBootstrap is a small bootstrap stack in the CDK's manner: a
// staging bucket named after a qualifier, the role that publishes
// assets to it, and the version parameter deployed stacks check.
const cdkBootstrap = `{
  "Parameters": {"Qualifier": {"Type": "String", "Default": "e2eqlf"}},
  "Resources": {
    "Staging": {"Type": "AWS::S3::Bucket", "Properties": {
      "BucketName": {"Fn::Sub": "cdk-${Qualifier}-assets-${AWS::AccountId}-${AWS::Region}"}}},
    "StagingPolicy": {"Type": "AWS::S3::BucketPolicy", "Properties": {"Bucket": {"Ref": "Staging"},
      "PolicyDocument": {"Version": "2012-10-17", "Statement": [{"Sid": "DenyInsecure", "Effect": "Deny", "Principal": "*",
        "Action": "s3:*", "Resource": [{"Fn::GetAtt": ["Staging", "Arn"]}, {"Fn::Join": ["", [{"Fn::GetAtt": ["Staging", "Arn"]}, "/*"]]}],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}}},
    "Publishing": {"Type": "AWS::IAM::Role", "Properties": {
      "RoleName": {"Fn::Sub": "cdk-${Qualifier}-file-publishing-role-${AWS::AccountId}-${AWS::Region}"},
      "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
        "Principal": {"AWS": {"Ref": "AWS::AccountId"}}}]}}},
    "Version": {"Type": "AWS::SSM::Parameter", "Properties": {
      "Name": {"Fn::Sub": "/cdk-bootstrap/${Qualifier}/version"}, "Type": "String", "Value": "21"}}
  },
  "Outputs": {
    "BucketName": {"Value": {"Ref": "Staging"}},
    "BootstrapVersion": {"Value": {"Fn::GetAtt": ["Version", "Value"]}}
  }
}`

// cdkApp is a stack as the CDK synthesizes it: the BootstrapVersion
// parameter read from Systems Manager, the CheckBootstrapVersion rule,
// the AWS::CDK::Metadata resource, and a function whose code is an
// asset in the staging bucket, whose key replaces ASSET_KEY.
const cdkApp = `{
  "Parameters": {"BootstrapVersion": {"Type": "AWS::SSM::Parameter::Value<String>",
    "Default": "/cdk-bootstrap/e2eqlf/version", "Description": "Version of the CDK Bootstrap resources [cdk:skip]"}},
  "Rules": {"CheckBootstrapVersion": {"Assertions": [{
    "Assert": {"Fn::Not": [{"Fn::Contains": [["1", "2", "3", "4", "5"], {"Ref": "BootstrapVersion"}]}]},
    "AssertDescription": "CDK bootstrap stack version 6 required. Please run 'cdk bootstrap' with a recent version of the CDK CLI."}]}},
  "Resources": {
    "FnServiceRole": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Version": "2012-10-17",
      "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}}]}}},
    "Fn": {"Type": "AWS::Lambda::Function", "DependsOn": ["FnServiceRole"], "Properties": {
      "Code": {"S3Bucket": {"Fn::Sub": "cdk-e2eqlf-assets-${AWS::AccountId}-${AWS::Region}"}, "S3Key": "ASSET_KEY"},
      "Role": {"Fn::GetAtt": ["FnServiceRole", "Arn"]}, "Handler": "bootstrap", "Runtime": "provided.al2023"},
      "Metadata": {"aws:cdk:path": "App/Fn/Resource", "aws:asset:path": "asset.ASSET_KEY", "aws:asset:property": "Code"}},
    "CDKMetadata": {"Type": "AWS::CDK::Metadata", "Properties": {"Analytics": "v2:deflate64:H4sIAAAAAAAA/zPSMzQ0MlAwUDAyMDAAAA=="},
      "Metadata": {"aws:cdk:path": "App/CDKMetadata/Default"}}
  },
  "Outputs": {"FnName": {"Value": {"Ref": "Fn"}}}
}`

// cdkDeploy deploys a template through a change set, as the CDK CLI
// does: it deletes its change set's name first when the stack exists
// (which succeeds when there is none: `cdk bootstrap` names each change
// set anew), creates the change set, waits
// for it, executes it and waits for the stack.
func cdkDeploy(t *testing.T, cf *cloudformation.Client, stack, name, body string, exists bool) cftypes.Stack {
	t.Helper()
	ctx := context.Background()
	typ := cftypes.ChangeSetTypeCreate
	if exists {
		typ = cftypes.ChangeSetTypeUpdate
		if _, err := cf.DeleteChangeSet(ctx, &cloudformation.DeleteChangeSetInput{StackName: aws.String(stack), ChangeSetName: aws.String(name)}); err != nil {
			t.Fatalf("deleting the change set's name before a deploy: %v", err)
		}
	}
	if _, err := cf.CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{StackName: aws.String(stack), ChangeSetName: aws.String(name),
		ChangeSetType: typ, TemplateBody: aws.String(body), Capabilities: []cftypes.Capability{cftypes.CapabilityCapabilityIam, cftypes.CapabilityCapabilityNamedIam},
		Description: aws.String("CDK Changeset for execution")}); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		cs, err := cf.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{StackName: aws.String(stack), ChangeSetName: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		if cs.Status == cftypes.ChangeSetStatusCreateComplete {
			break
		}
		if cs.Status == cftypes.ChangeSetStatusFailed || time.Now().After(deadline) {
			t.Fatalf("change set %s: %s", cs.Status, aws.ToString(cs.StatusReason))
		}
	}
	if _, err := cf.ExecuteChangeSet(ctx, &cloudformation.ExecuteChangeSetInput{StackName: aws.String(stack), ChangeSetName: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		out, err := cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(stack)})
		if err != nil {
			t.Fatal(err)
		}
		st := out.Stacks[0]
		if !regexp.MustCompile(`_IN_PROGRESS$`).MatchString(string(st.StackStatus)) {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("stack %s still %s", stack, st.StackStatus)
		}
	}
}

// TestCloudFormationCDKDeploy makes the calls `cdk bootstrap` and `cdk
// deploy` make: the bootstrap stack through a change set, the asset
// published with the publishing role's credentials, the app stack with
// its Rules, AWS::CDK::Metadata and SSM-typed parameter, and a second
// deploy that first deletes a change set that does not exist.
func TestCloudFormationCDKDeploy(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := e2e.Start(t)
	cf := cloudformation.NewFromConfig(env.Config)

	boot := cdkDeploy(t, cf, "CDKToolkit", "cdk-bootstrap-change-set-1", cdkBootstrap, false)
	if boot.StackStatus != cftypes.StackStatusCreateComplete {
		t.Fatalf("bootstrap stack: %s %s", boot.StackStatus, aws.ToString(boot.StackStatusReason))
	}
	outputs := map[string]string{}
	for _, o := range boot.Outputs {
		outputs[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
	}
	bucket := "cdk-e2eqlf-assets-" + testAccount + "-us-east-1"
	if outputs["BucketName"] != bucket || outputs["BootstrapVersion"] != "21" {
		t.Fatalf("bootstrap outputs %v", outputs)
	}

	// Assets are published with the file-publishing role's credentials.
	role, err := sts.NewFromConfig(env.Config).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn:         aws.String("arn:aws:iam::" + testAccount + ":role/cdk-e2eqlf-file-publishing-role-" + testAccount + "-us-east-1"),
		RoleSessionName: aws.String("aws-cdk-e2e")})
	if err != nil {
		t.Fatal(err)
	}
	pub := env.Config.Copy()
	pub.Credentials = credentials.NewStaticCredentialsProvider(aws.ToString(role.Credentials.AccessKeyId),
		aws.ToString(role.Credentials.SecretAccessKey), aws.ToString(role.Credentials.SessionToken))
	s3c := s3.NewFromConfig(pub, func(o *s3.Options) { o.UsePathStyle = true })
	publish := func(version string) string {
		zip := scriptZip(t, version)
		sum := sha256.Sum256(zip)
		key := hex.EncodeToString(sum[:]) + ".zip"
		if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(zip)}); err != nil {
			t.Fatalf("publishing an asset: %v", err)
		}
		return key
	}
	key := publish("v1")

	app := cdkDeploy(t, cf, "App", "cdk-deploy-change-set", strings.ReplaceAll(cdkApp, "ASSET_KEY", key), false)
	if app.StackStatus != cftypes.StackStatusCreateComplete {
		t.Fatalf("app stack: %s %s", app.StackStatus, aws.ToString(app.StackStatusReason))
	}
	if len(app.Parameters) != 1 || aws.ToString(app.Parameters[0].ResolvedValue) != "21" {
		t.Errorf("BootstrapVersion parameter: %+v", app.Parameters)
	}
	meta, err := cf.DescribeStackResource(ctx, &cloudformation.DescribeStackResourceInput{StackName: aws.String("App"), LogicalResourceId: aws.String("CDKMetadata")})
	if err != nil {
		t.Fatal(err)
	}
	if d := meta.StackResourceDetail; d.ResourceStatus != cftypes.ResourceStatusCreateComplete ||
		!regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`).MatchString(aws.ToString(d.PhysicalResourceId)) {
		t.Errorf("CDKMetadata: %s %q", d.ResourceStatus, aws.ToString(d.PhysicalResourceId))
	}
	lc := lambda.NewFromConfig(env.Config)
	codeSha := func() string {
		t.Helper()
		out, err := lc.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: app.Outputs[0].OutputValue})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.Configuration.CodeSha256)
	}
	wantSha := func(version string) string {
		sum := sha256.Sum256(scriptZip(t, version))
		return base64.StdEncoding.EncodeToString(sum[:])
	}
	if got := codeSha(); got != wantSha("v1") {
		t.Errorf("function code %s, want the published asset's %s", got, wantSha("v1"))
	}

	// A second deploy with a new asset updates the stack in place.
	key = publish("v2")
	again := cdkDeploy(t, cf, "App", "cdk-deploy-change-set", strings.ReplaceAll(cdkApp, "ASSET_KEY", key), true)
	if again.StackStatus != cftypes.StackStatusUpdateComplete {
		t.Fatalf("second deploy: %s %s", again.StackStatus, aws.ToString(again.StackStatusReason))
	}
	if got := codeSha(); got != wantSha("v2") {
		t.Errorf("function code after the second deploy %s, want %s", got, wantSha("v2"))
	}

	// Bootstrapping again, with a new version, names a new change set.
	boot = cdkDeploy(t, cf, "CDKToolkit", "cdk-bootstrap-change-set-2", strings.Replace(cdkBootstrap, `"Value": "21"`, `"Value": "22"`, 1), true)
	if boot.StackStatus != cftypes.StackStatusUpdateComplete {
		t.Fatalf("bootstrapping again: %s %s", boot.StackStatus, aws.ToString(boot.StackStatusReason))
	}

	// DeleteChangeSet of a stack that does not exist is still an error.
	_, err = cf.DeleteChangeSet(ctx, &cloudformation.DeleteChangeSetInput{StackName: aws.String("Ghost"), ChangeSetName: aws.String("cdk-deploy-change-set")})
	if e := wantAPIError(t, err); e.Code != "ValidationError" || e.Message != "Stack [Ghost] does not exist" {
		t.Errorf("DeleteChangeSet on a missing stack: %s %q", e.Code, e.Message)
	}
}

// TestCloudFormationRulesRefuse checks that a failed assertion of the
// Rules section refuses CreateChangeSet, CreateStack and UpdateStack
// with a ValidationError whose message is the AssertDescription, and
// leaves no stack behind.
func TestCloudFormationRulesRefuse(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := e2e.Start(t)
	cf := cloudformation.NewFromConfig(env.Config)
	if _, err := ssm.NewFromConfig(env.Config).PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/cdk-bootstrap/e2eqlf/version"),
		Value: aws.String("3"), Type: "String"}); err != nil {
		t.Fatal(err)
	}
	body := strings.ReplaceAll(cdkApp, "ASSET_KEY", "none.zip")
	const want = "CDK bootstrap stack version 6 required. Please run 'cdk bootstrap' with a recent version of the CDK CLI."

	_, err := cf.CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{StackName: aws.String("Old"), ChangeSetName: aws.String("cdk-deploy-change-set"),
		ChangeSetType: cftypes.ChangeSetTypeCreate, TemplateBody: aws.String(body), Capabilities: []cftypes.Capability{cftypes.CapabilityCapabilityIam}})
	if e := wantAPIError(t, err); e.Code != "ValidationError" || e.Status != 400 || e.Message != want {
		t.Errorf("CreateChangeSet: %d %s %q", e.Status, e.Code, e.Message)
	}
	_, err = cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("Old")})
	if e := wantAPIError(t, err); e.Code != "ValidationError" {
		t.Errorf("a refused CREATE change set left a stack behind: %v", err)
	}
	_, err = cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("Old"), TemplateBody: aws.String(body),
		Capabilities: []cftypes.Capability{cftypes.CapabilityCapabilityIam}})
	if e := wantAPIError(t, err); e.Code != "ValidationError" || e.Message != want {
		t.Errorf("CreateStack: %s %q", e.Code, e.Message)
	}

	// A rule whose RuleCondition is false is skipped; one that holds is
	// checked on update.
	guarded := `{"Parameters": {"Env": {"Type": "String", "Default": "dev"}, "Zones": {"Type": "CommaDelimitedList", "Default": "a"}},
  "Rules": {"ProdZones": {"RuleCondition": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
    "Assertions": [{"Assert": {"Fn::EachMemberIn": [{"Ref": "Zones"}, ["a", "b"]]}, "AssertDescription": "Zones must be a or b in prod"}]}},
  "Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}`
	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("Guarded"), TemplateBody: aws.String(guarded),
		Parameters: []cftypes.Parameter{{ParameterKey: aws.String("Zones"), ParameterValue: aws.String("a,c")}}}); err != nil {
		t.Fatalf("a rule whose condition is false refused: %v", err)
	}
	_, err = cf.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: aws.String("Guarded"), UsePreviousTemplate: aws.Bool(true),
		Parameters: []cftypes.Parameter{{ParameterKey: aws.String("Env"), ParameterValue: aws.String("prod")},
			{ParameterKey: aws.String("Zones"), UsePreviousValue: aws.Bool(true)}}})
	if e := wantAPIError(t, err); e.Code != "ValidationError" || e.Message != "Zones must be a or b in prod" {
		t.Errorf("UpdateStack: %s %q", e.Code, e.Message)
	}
}
