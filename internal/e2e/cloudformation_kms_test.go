package e2e_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/virga/virga/internal/e2e"
)

const kmsTemplate = `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Description:
    Type: String
    Default: first
  Enabled:
    Type: String
    Default: "true"
Resources:
  Key:
    Type: AWS::KMS::Key
    Properties:
      Description: !Ref Description
      Enabled: !Ref Enabled
      EnableKeyRotation: true
      RotationPeriodInDays: "180"
      PendingWindowInDays: 7
      KeyPolicy:
        Version: "2012-10-17"
        Id: stack-key
        Statement:
          - Sid: Root
            Effect: Allow
            Principal: {AWS: !Sub "arn:aws:iam::${AWS::AccountId}:root"}
            Action: "kms:*"
            Resource: "*"
      Tags:
        - Key: team
          Value: core
  Signer:
    Type: AWS::KMS::Key
    DeletionPolicy: Retain
    Properties:
      KeySpec: ECC_NIST_P256
      KeyUsage: SIGN_VERIFY
  KeyAlias:
    Type: AWS::KMS::Alias
    Properties:
      AliasName: alias/stack-key
      TargetKeyId: !Ref Key
Outputs:
  KeyId:
    Value: !Ref Key
  KeyArn:
    Value: !GetAtt Key.Arn
  KeyIdAttr:
    Value: !GetAtt Key.KeyId
  SignerId:
    Value: !Ref Signer
  Alias:
    Value: !Ref KeyAlias
`

// TestCloudFormationKMS makes keys and an alias from a template, updates
// a key in place, and deletes the stack: the key is scheduled for
// deletion after its PendingWindowInDays, the retained key stays.
func TestCloudFormationKMS(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	cf := cloudformation.NewFromConfig(env.Config)
	c := kms.NewFromConfig(env.Config)
	ctx := context.Background()
	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("keys"), TemplateBody: aws.String(kmsTemplate)}); err != nil {
		t.Fatal(err)
	}
	if err := cloudformation.NewStackCreateCompleteWaiter(cf).Wait(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("keys")}, time.Minute); err != nil {
		evs, _ := cf.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: aws.String("keys")})
		for _, e := range evs.StackEvents {
			t.Logf("%s %s %s", aws.ToString(e.LogicalResourceId), e.ResourceStatus, aws.ToString(e.ResourceStatusReason))
		}
		t.Fatal(err)
	}
	st, _ := cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("keys")})
	outs := map[string]string{}
	for _, o := range st.Stacks[0].Outputs {
		outs[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
	}
	keyID := outs["KeyId"]
	if outs["KeyArn"] != "arn:aws:kms:us-east-1:"+testAccount+":key/"+keyID || outs["KeyIdAttr"] != keyID || outs["Alias"] != "alias/stack-key" {
		t.Fatalf("outputs: %v", outs)
	}
	enc, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String("alias/stack-key"), Plaintext: []byte("x")})
	if err != nil || aws.ToString(enc.KeyId) != outs["KeyArn"] {
		t.Fatalf("Encrypt by the stack's alias: %v", err)
	}
	if rot, err := c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: aws.String(keyID)}); err != nil || !rot.KeyRotationEnabled || aws.ToInt32(rot.RotationPeriodInDays) != 180 {
		t.Errorf("rotation: %v", err)
	}
	if pol, err := c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String(keyID), PolicyName: aws.String("default")}); err != nil || !strings.Contains(aws.ToString(pol.Policy), `"Id":"stack-key"`) {
		t.Errorf("policy: %v %v", pol, err)
	}
	// The template's tag and CloudFormation's three aws:cloudformation: tags.
	if tags, err := c.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: aws.String(keyID)}); err != nil || len(tags.Tags) != 4 {
		t.Errorf("tags: %v %v", tags, err)
	}
	if d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(outs["SignerId"])}); err != nil || d.KeyMetadata.KeySpec != types.KeySpecEccNistP256 {
		t.Errorf("signer: %v", err)
	}

	// An update changes the key in place.
	if _, err := cf.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: aws.String("keys"), UsePreviousTemplate: aws.Bool(true),
		Parameters: []cftypes.Parameter{{ParameterKey: aws.String("Description"), ParameterValue: aws.String("second")},
			{ParameterKey: aws.String("Enabled"), ParameterValue: aws.String("false")}}}); err != nil {
		t.Fatal(err)
	}
	if err := cloudformation.NewStackUpdateCompleteWaiter(cf).Wait(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("keys")}, time.Minute); err != nil {
		t.Fatal(err)
	}
	d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(keyID)})
	if err != nil || aws.ToString(d.KeyMetadata.Description) != "second" || d.KeyMetadata.KeyState != types.KeyStateDisabled {
		t.Errorf("after the update: %+v, %v", d, err)
	}

	if _, err := cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("keys")}); err != nil {
		t.Fatal(err)
	}
	if err := cloudformation.NewStackDeleteCompleteWaiter(cf).Wait(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("keys")}, time.Minute); err != nil {
		t.Fatal(err)
	}
	d, err = c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(keyID)})
	if err != nil || d.KeyMetadata.KeyState != types.KeyStatePendingDeletion || aws.ToInt32(d.KeyMetadata.PendingDeletionWindowInDays) != 7 {
		t.Errorf("after the stack's deletion: %+v, %v", d, err)
	}
	_, err = c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/stack-key")})
	expectAPIError(t, err, "NotFoundException", 400)
	if d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(outs["SignerId"])}); err != nil || d.KeyMetadata.KeyState != types.KeyStateEnabled {
		t.Errorf("the retained key: %v", err)
	}
}
