package e2e_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/virga/virga/internal/e2e"
)

// configTemplate makes a parameter and a generated secret, and a function
// that gets a parameter through an SSM-typed template parameter, a
// value through a dynamic reference, a field of the new secret through a
// reference joined around the secret's Ref (as the CDK writes
// secret.secretValueFromJson), and reads the new parameter and secret
// with boto3 when it runs.
const configTemplate = `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Stage:
    Type: AWS::SSM::Parameter::Value<String>
    Default: /cfg/stage
Resources:
  Greeting:
    Type: AWS::SSM::Parameter
    Properties:
      Name: /cfg/greeting
      Type: String
      Value: !Sub "hello from ${Stage}"
      Tags:
        owner: cfn
  DbSecret:
    Type: AWS::SecretsManager::Secret
    Properties:
      Name: cfg/db
      Description: generated
      GenerateSecretString:
        SecretStringTemplate: '{"username": "admin"}'
        GenerateStringKey: password
        PasswordLength: 20
        ExcludeCharacters: '"@/\'
  Reader:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: arn:aws:iam::000000000000:role/reader
      Timeout: 30
      Environment:
        Variables:
          STAGE: !Ref Stage
          COLOR: '{{resolve:ssm:/cfg/color}}'
          COLOR_V1: '{{resolve:ssm:/cfg/color:1}}'
          API_KEY: '{{resolve:secretsmanager:cfg/api:SecretString:key}}'
          PARAM: !Ref Greeting
          SECRET: !Ref DbSecret
          DB_USER: !Join ["", ["{{resolve:secretsmanager:", !Ref DbSecret, ":SecretString:username::}}"]]
      Code:
        ZipFile: |
          import json, os
          import boto3
          def handler(event, context):
              ssm = boto3.client('ssm')
              sm = boto3.client('secretsmanager')
              greeting = ssm.get_parameter(Name=os.environ['PARAM'])['Parameter']['Value']
              secret = json.loads(sm.get_secret_value(SecretId=os.environ['SECRET'])['SecretString'])
              return {'stage': os.environ['STAGE'], 'color': os.environ['COLOR'], 'colorV1': os.environ['COLOR_V1'],
                      'apiKey': os.environ['API_KEY'], 'greeting': greeting, 'dbUser': os.environ['DB_USER'],
                      'user': secret['username'], 'passwordLength': len(secret['password'])}
Outputs:
  ParamType:
    Value: !GetAtt Greeting.Type
  SecretId:
    Value: !GetAtt DbSecret.Id
  FunctionArn:
    Value: !GetAtt Reader.Arn
`

func TestCloudFormationParametersAndSecrets(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cf := cloudformation.NewFromConfig(env.Config)
	pc := ssm.NewFromConfig(env.Config)
	sm := secretsmanager.NewFromConfig(env.Config)
	put := func(name, value string) {
		t.Helper()
		if _, err := pc.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String(name), Value: aws.String(value), Type: ssmtypes.ParameterTypeString, Overwrite: aws.Bool(true)}); err != nil {
			t.Fatal(err)
		}
	}
	put("/cfg/stage", "staging")
	put("/cfg/color", "red")
	put("/cfg/color", "blue")
	if _, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("cfg/api"), SecretString: aws.String(`{"key":"k-123"}`)}); err != nil {
		t.Fatal(err)
	}

	created, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("cfg"), TemplateBody: aws.String(configTemplate)})
	if err != nil {
		t.Fatal(err)
	}
	if err := cloudformation.NewStackCreateCompleteWaiter(cf).Wait(ctx, &cloudformation.DescribeStacksInput{StackName: created.StackId}, 90e9); err != nil {
		evs, _ := cf.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: created.StackId})
		for _, e := range evs.StackEvents {
			t.Logf("%s %s %s", aws.ToString(e.LogicalResourceId), e.ResourceStatus, aws.ToString(e.ResourceStatusReason))
		}
		t.Fatal(err)
	}
	st, err := cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("cfg")})
	if err != nil {
		t.Fatal(err)
	}
	ps := st.Stacks[0].Parameters
	if len(ps) != 1 || aws.ToString(ps[0].ParameterValue) != "/cfg/stage" || aws.ToString(ps[0].ResolvedValue) != "staging" {
		t.Errorf("parameters = %+v", ps)
	}
	outs := map[string]string{}
	for _, o := range st.Stacks[0].Outputs {
		outs[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
	}
	if outs["ParamType"] != "String" || !strings.HasPrefix(outs["SecretId"], "arn:aws:secretsmanager:us-east-1:"+testAccount+":secret:cfg/db-") {
		t.Errorf("outputs = %v", outs)
	}

	// The function's environment holds the resolved values; at run time
	// it reads the parameter and the secret through boto3.
	lc := lambdaClient(t, env)
	out, err := lc.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(outs["FunctionArn"])})
	if err != nil || out.FunctionError != nil {
		t.Fatalf("invoke: %s %v", out.Payload, err)
	}
	var got struct {
		Stage, Color, ColorV1, APIKey, Greeting, User, DBUser string
		PasswordLength                                        int
	}
	if err := json.Unmarshal(out.Payload, &got); err != nil {
		t.Fatalf("%v: %s", err, out.Payload)
	}
	want := struct {
		Stage, Color, ColorV1, APIKey, Greeting, User, DBUser string
		PasswordLength                                        int
	}{"staging", "blue", "red", "k-123", "hello from staging", "admin", "admin", 20}
	if got != want {
		t.Errorf("the function saw %+v, want %+v", got, want)
	}
	// The stack keeps the reference, not the value.
	res, err := cf.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: aws.String("cfg")})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range res.StackEvents {
		if strings.Contains(aws.ToString(e.ResourceProperties), "k-123") {
			t.Errorf("event %s shows the secret: %s", aws.ToString(e.LogicalResourceId), aws.ToString(e.ResourceProperties))
		}
	}

	// Deleting the stack deletes the parameter and the secret.
	if _, err := cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("cfg")}); err != nil {
		t.Fatal(err)
	}
	if err := cloudformation.NewStackDeleteCompleteWaiter(cf).Wait(ctx, &cloudformation.DescribeStacksInput{StackName: created.StackId}, 60e9); err != nil {
		t.Fatal(err)
	}
	_, err = pc.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/cfg/greeting")})
	expectAPIError(t, err, "ParameterNotFound", 400)
	_, err = sm.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("cfg/db")})
	expectAPIError(t, err, "ResourceNotFoundException", 400)
}

// TestCloudFormationConfigErrors: a missing SSM-typed parameter fails
// CreateStack; a missing secret, an ssm-secure reference outside the
// properties AWS allows, and a SecureString resource fail the resource.
func TestCloudFormationConfigErrors(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cf := cloudformation.NewFromConfig(env.Config)
	_, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("p"), TemplateBody: aws.String(
		"Parameters:\n  P: {Type: 'AWS::SSM::Parameter::Value<String>', Default: /no/such}\nResources:\n  Q: {Type: AWS::SQS::Queue}\n")})
	if got := expectAPIError(t, err, "ValidationError", 400); got.Message != "Unable to fetch parameters [/no/such] from parameter store for this account." {
		t.Errorf("missing parameter: %q", got.Message)
	}

	if _, err := ssm.NewFromConfig(env.Config).PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/sec"), Value: aws.String("x"), Type: ssmtypes.ParameterTypeSecureString}); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct{ body, reason string }{
		"secret": {"Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: '{{resolve:secretsmanager:nope}}'\n",
			"Secrets Manager can't find the specified secret."},
		"secure": {"Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: '{{resolve:ssm-secure:/sec}}'\n",
			"SSM Secure reference is not supported in: [AWS::SQS::Queue/Properties/QueueName]"},
		"securestring": {"Resources:\n  P:\n    Type: AWS::SSM::Parameter\n    Properties: {Type: SecureString, Value: x}\n",
			"SecureString"},
	} {
		created, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String(name), TemplateBody: aws.String(tc.body)})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		err = cloudformation.NewStackCreateCompleteWaiter(cf).Wait(ctx, &cloudformation.DescribeStacksInput{StackName: created.StackId}, 60e9)
		if err == nil {
			t.Errorf("%s: the stack was created", name)
			continue
		}
		evs, _ := cf.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: created.StackId})
		found := false
		for _, e := range evs.StackEvents {
			if e.ResourceStatus == cftypes.ResourceStatusCreateFailed && strings.Contains(aws.ToString(e.ResourceStatusReason), tc.reason) {
				found = true
			}
		}
		if !found {
			for _, e := range evs.StackEvents {
				t.Logf("%s %s %s", aws.ToString(e.LogicalResourceId), e.ResourceStatus, aws.ToString(e.ResourceStatusReason))
			}
			t.Errorf("%s: no CREATE_FAILED event says %q", name, tc.reason)
		}
	}
}

// rollbackTemplate: a function whose environment holds a dynamic
// reference, and a queue that an update adds and that fails (a retention
// period under AWS's 60 seconds).
const rollbackTemplate = `Parameters:
  Extra: {Type: String, Default: one}
  Fail: {Type: String, Default: "no"}
Conditions:
  DoFail: !Equals [!Ref Fail, "yes"]
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: arn:aws:iam::000000000000:role/fn
      Environment:
        Variables:
          COLOR: "{{resolve:ssm:/rb/color}}"
          EXTRA: !Ref Extra
      Code:
        ZipFile: |
          def handler(event, context):
              return 'ok'
  Bad:
    Type: AWS::SQS::Queue
    Condition: DoFail
    DependsOn: Fn
    Properties:
      MessageRetentionPeriod: 5
Outputs:
  Fn:
    Value: !Ref Fn
`

// TestCloudFormationRollbackResolvesReferences: rolling an update back
// gives the function its former properties with their dynamic
// references resolved, as the creation did, not the references' text.
func TestCloudFormationRollbackResolvesReferences(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	if _, err := ssm.NewFromConfig(env.Config).PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/rb/color"), Value: aws.String("blue"),
		Type: ssmtypes.ParameterTypeString}); err != nil {
		t.Fatal(err)
	}
	cf := cloudformation.NewFromConfig(env.Config)
	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("rb"), TemplateBody: aws.String(rollbackTemplate)}); err != nil {
		t.Fatal(err)
	}
	fn := createdStackOutputs(t, cf, "rb")["Fn"]
	if _, err := cf.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: aws.String("rb"), UsePreviousTemplate: aws.Bool(true),
		Parameters: []cftypes.Parameter{{ParameterKey: aws.String("Extra"), ParameterValue: aws.String("two")},
			{ParameterKey: aws.String("Fail"), ParameterValue: aws.String("yes")}}}); err != nil {
		t.Fatal(err)
	}
	if st := settleStack(t, cf, "rb"); st.StackStatus != cftypes.StackStatusUpdateRollbackComplete {
		t.Fatalf("stack %s: %s", st.StackStatus, aws.ToString(st.StackStatusReason))
	}
	c, err := lambdaClient(t, env).GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(fn)})
	if err != nil {
		t.Fatal(err)
	}
	if v := c.Environment.Variables; v["COLOR"] != "blue" || v["EXTRA"] != "one" {
		t.Fatalf("after the rollback, the function's environment is %v", v)
	}
}
