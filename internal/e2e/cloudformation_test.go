package e2e_test

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/virga/virga/internal/e2e"
)

const appTemplate = `AWSTemplateFormatVersion: "2010-09-09"
Description: A queue, a table and a function that reads both names.
Parameters:
  Stage:
    Type: String
    Default: dev
    AllowedValues: [dev, prod]
Resources:
  Jobs:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 60
  Items:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - AttributeName: id
          AttributeType: S
      KeySchema:
        - AttributeName: id
          KeyType: HASH
  Worker:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: arn:aws:iam::000000000000:role/worker
      Environment:
        Variables:
          QUEUE_URL: !Ref Jobs
          TABLE: !Ref Items
          STAGE: !Ref Stage
      Code:
        ZipFile: |
          import os
          def handler(event, context):
              return {'queue': os.environ['QUEUE_URL'], 'table': os.environ['TABLE'], 'stage': os.environ['STAGE']}
Outputs:
  QueueUrl:
    Value: !Ref Jobs
  TableName:
    Value: !Ref Items
    Export:
      Name: !Sub "${AWS::StackName}-table"
  WorkerArn:
    Value: !GetAtt Worker.Arn
`

func TestCloudFormationStack(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	cf := cloudformation.NewFromConfig(env.Config)
	ctx := context.Background()
	created, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("app"), TemplateBody: aws.String(appTemplate)})
	if err != nil {
		t.Fatal(err)
	}
	if err := cloudformation.NewStackCreateCompleteWaiter(cf).Wait(ctx, &cloudformation.DescribeStacksInput{StackName: created.StackId}, 60e9); err != nil {
		evs, _ := cf.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: created.StackId})
		for _, e := range evs.StackEvents {
			t.Logf("%s %s %s", aws.ToString(e.LogicalResourceId), e.ResourceStatus, aws.ToString(e.ResourceStatusReason))
		}
		t.Fatal(err)
	}
	st, _ := cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("app")})
	outs := map[string]string{}
	for _, o := range st.Stacks[0].Outputs {
		outs[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
	}
	if !strings.HasPrefix(outs["QueueUrl"], env.Endpoint+"/000000000000/app-Jobs-") || !strings.HasPrefix(outs["TableName"], "app-Items-") ||
		outs["WorkerArn"] == "" {
		t.Fatalf("outputs: %v", outs)
	}
	// The resources exist in their services.
	if _, err := sqs.NewFromConfig(env.Config).GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(outs["QueueUrl"])}); err != nil {
		t.Errorf("the queue: %v", err)
	}
	if _, err := dynamodb.NewFromConfig(env.Config).DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(outs["TableName"])}); err != nil {
		t.Errorf("the table: %v", err)
	}
	lc := lambdaClient(t, env)
	out, err := lc.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(outs["WorkerArn"])})
	if err != nil || !strings.Contains(string(out.Payload), outs["TableName"]) || !strings.Contains(string(out.Payload), `"stage": "dev"`) {
		t.Fatalf("the function: %s %v", out.Payload, err)
	}
	res, _ := cf.ListStackResources(ctx, &cloudformation.ListStackResourcesInput{StackName: aws.String("app")})
	if len(res.StackResourceSummaries) != 3 {
		t.Errorf("resources: %+v", res.StackResourceSummaries)
	}

	// An update of a parameter changes the function in place.
	if _, err := cf.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: aws.String("app"), UsePreviousTemplate: aws.Bool(true),
		Parameters: []cftypes.Parameter{{ParameterKey: aws.String("Stage"), ParameterValue: aws.String("prod")}}}); err != nil {
		t.Fatal(err)
	}
	if err := cloudformation.NewStackUpdateCompleteWaiter(cf).Wait(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("app")}, 60e9); err != nil {
		t.Fatal(err)
	}
	out, _ = lc.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(outs["WorkerArn"])})
	if !strings.Contains(string(out.Payload), `"stage": "prod"`) {
		t.Errorf("after the update: %s", out.Payload)
	}
	_, err = cf.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: aws.String("app"), UsePreviousTemplate: aws.Bool(true),
		Parameters: []cftypes.Parameter{{ParameterKey: aws.String("Stage"), ParameterValue: aws.String("qa")}}})
	wantLambdaError(t, "a value outside AllowedValues", err, "ValidationError", "Parameter 'Stage' must be one of AllowedValues")

	if _, err := cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("app")}); err != nil {
		t.Fatal(err)
	}
	if err := cloudformation.NewStackDeleteCompleteWaiter(cf).Wait(ctx, &cloudformation.DescribeStacksInput{StackName: created.StackId}, 60e9); err != nil {
		t.Fatal(err)
	}
	if _, err := dynamodb.NewFromConfig(env.Config).DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(outs["TableName"])}); err == nil {
		t.Error("the table outlived its stack")
	}
}

// TestCloudFormationDeployCLI deploys, updates and deletes a stack with
// the Debian aws CLI's cloudformation deploy (change sets).
func TestCloudFormationDeployCLI(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, e2e.AWSCLI)
	env := e2e.Start(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "template.yaml")
	os.WriteFile(file, []byte(appTemplate), 0o644)
	res := env.CLI(t, "cloudformation", "deploy", "--stack-name", "cli-app", "--template-file", file)
	if res.ExitCode != 0 || !strings.Contains(res.Stdout, "Successfully created/updated stack - cli-app") {
		t.Fatalf("deploy: exit %d\n%s\n%s", res.ExitCode, res.Stdout, res.Stderr)
	}
	// The CLI names change sets by the second, and an executed or empty
	// change set stays (as on AWS): each deploy waits for a new second.
	awaitNextSecond()
	res = env.CLI(t, "cloudformation", "deploy", "--stack-name", "cli-app", "--template-file", file)
	if res.ExitCode != 0 || !strings.Contains(res.Stdout+res.Stderr, "No changes to deploy") {
		t.Errorf("a second deploy: exit %d\n%s\n%s", res.ExitCode, res.Stdout, res.Stderr)
	}
	// The CLI v2 fails on an empty change set only when asked to: the
	// change set FAILED with CloudFormation's reason, which it recognizes.
	awaitNextSecond()
	res = env.CLI(t, "cloudformation", "deploy", "--stack-name", "cli-app", "--template-file", file, "--fail-on-empty-changeset")
	if res.ExitCode != 255 || !strings.Contains(res.Stderr, "No changes to deploy. Stack cli-app is up to date") {
		t.Errorf("--fail-on-empty-changeset: exit %d\n%s\n%s", res.ExitCode, res.Stdout, res.Stderr)
	}
	// New stack tags alone are a change.
	awaitNextSecond()
	res = env.CLI(t, "cloudformation", "deploy", "--stack-name", "cli-app", "--template-file", file, "--tags", "team=blue")
	if res.ExitCode != 0 || !strings.Contains(res.Stdout, "Successfully created/updated stack - cli-app") {
		t.Errorf("a deploy of new tags: exit %d\n%s\n%s", res.ExitCode, res.Stdout, res.Stderr)
	}
	res = env.CLI(t, "cloudformation", "describe-stacks", "--stack-name", "cli-app", "--query", "Stacks[0].Tags[0].Value", "--output", "text")
	if strings.TrimSpace(res.Stdout) != "blue" {
		t.Errorf("the stack's tag: %q %s", res.Stdout, res.Stderr)
	}
	awaitNextSecond()
	res = env.CLI(t, "cloudformation", "deploy", "--stack-name", "cli-app", "--template-file", file, "--parameter-overrides", "Stage=prod")
	if res.ExitCode != 0 {
		t.Fatalf("an update: exit %d\n%s\n%s", res.ExitCode, res.Stdout, res.Stderr)
	}
	res = env.CLI(t, "cloudformation", "describe-stacks", "--stack-name", "cli-app", "--query", "Stacks[0].StackStatus", "--output", "text")
	if strings.TrimSpace(res.Stdout) != "UPDATE_COMPLETE" {
		t.Errorf("status: %q %s", res.Stdout, res.Stderr)
	}
	res = env.CLI(t, "cloudformation", "delete-stack", "--stack-name", "cli-app")
	if res.ExitCode != 0 {
		t.Errorf("delete-stack: %s", res.Stderr)
	}
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("Resources:\n  X:\n    Type: AWS::SQS::Queue\n    Properties:\n      Oops: !Ref Nowhere\n"), 0o644)
	res = env.CLI(t, "cloudformation", "deploy", "--stack-name", "bad", "--template-file", bad)
	if res.ExitCode == 0 || !strings.Contains(res.Stderr, "Unresolved resource dependencies [Nowhere]") {
		t.Errorf("a bad template: exit %d\n%s", res.ExitCode, res.Stderr)
	}
}

const samTemplate = `AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.12
    Timeout: 5
Resources:
  Table:
    Type: AWS::Serverless::SimpleTable
  Inbox:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 30
  Writer:
    Type: AWS::Serverless::Function
    Properties:
      Handler: index.handler
      Environment:
        Variables:
          TABLE: !Ref Table
      Policies:
        - DynamoDBCrudPolicy:
            TableName: !Ref Table
      FunctionUrlConfig:
        AuthType: NONE
      Events:
        Incoming:
          Type: SQS
          Properties:
            Queue: !GetAtt Inbox.Arn
            BatchSize: 5
      InlineCode: |
        import os, boto3
        table = boto3.resource('dynamodb').Table(os.environ['TABLE'])
        def handler(event, context):
            for r in event.get('Records', []):
                table.put_item(Item={'id': r['body']})
            return {'statusCode': 200, 'body': 'stored %d' % len(event.get('Records', []))}
Outputs:
  TableName:
    Value: !Ref Table
  QueueUrl:
    Value: !Ref Inbox
  WriterUrl:
    Value: !GetAtt WriterUrl.FunctionUrl
`

// TestSAMDeployCLI deploys a SAM template (a table, a queue feeding a
// function, a function URL) with the Debian aws CLI and checks that the
// pieces work together: a message sent to the queue becomes an item.
func TestSAMDeployCLI(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, e2e.AWSCLI)
	env := e2e.Start(t)
	file := filepath.Join(t.TempDir(), "template.yaml")
	os.WriteFile(file, []byte(samTemplate), 0o644)
	res := env.CLI(t, "cloudformation", "deploy", "--stack-name", "sam-app", "--template-file", file, "--capabilities", "CAPABILITY_IAM")
	if res.ExitCode != 0 {
		cf := cloudformation.NewFromConfig(env.Config)
		evs, _ := cf.DescribeStackEvents(context.Background(), &cloudformation.DescribeStackEventsInput{StackName: aws.String("sam-app")})
		for _, e := range evs.StackEvents {
			t.Logf("%s %s %s", aws.ToString(e.LogicalResourceId), e.ResourceStatus, aws.ToString(e.ResourceStatusReason))
		}
		t.Fatalf("deploy: exit %d\n%s\n%s", res.ExitCode, res.Stdout, res.Stderr)
	}
	cf := cloudformation.NewFromConfig(env.Config)
	ctx := context.Background()
	st, err := cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("sam-app")})
	if err != nil {
		t.Fatal(err)
	}
	outs := map[string]string{}
	for _, o := range st.Stacks[0].Outputs {
		outs[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
	}
	qc := sqs.NewFromConfig(env.Config)
	if _, err := qc.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(outs["QueueUrl"]), MessageBody: aws.String("from-the-queue")}); err != nil {
		t.Fatal(err)
	}
	dc := dynamodb.NewFromConfig(env.Config)
	deadline := time.Now().Add(20 * time.Second)
	for {
		got, err := dc.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(outs["TableName"]),
			Key: map[string]ddbtypes.AttributeValue{"id": &ddbtypes.AttributeValueMemberS{Value: "from-the-queue"}}})
		if err == nil && got.Item != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the queue's message never reached the table: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !strings.Contains(outs["WriterUrl"], ".lambda-url.localhost") {
		t.Errorf("function URL output: %q", outs["WriterUrl"])
	}
	// SAM makes an AuthType NONE URL public with both permissions it
	// needs: it answers.
	if u, err := url.Parse(outs["WriterUrl"]); err != nil {
		t.Errorf("function URL output: %v", err)
	} else if status, _, body := getURL(t, env.Endpoint+"/_aws/lambda-url/"+strings.Split(u.Hostname(), ".")[0]+"/"); status != 200 || body != "stored 0" {
		t.Errorf("the SAM function URL: %d %s", status, body)
	}
	res = env.CLI(t, "cloudformation", "delete-stack", "--stack-name", "sam-app")
	if res.ExitCode != 0 {
		t.Errorf("delete-stack: %s", res.Stderr)
	}
}

const samEvents = `AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Topic:
    Type: AWS::SNS::Topic
  Out:
    Type: AWS::SQS::Queue
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - AttributeName: id
          AttributeType: S
      KeySchema:
        - AttributeName: id
          KeyType: HASH
      StreamSpecification:
        StreamViewType: NEW_IMAGE
  Reporter:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Timeout: 10
      Environment:
        Variables:
          OUT: !Ref Out
      Events:
        FromTopic:
          Type: SNS
          Properties:
            Topic: !Ref Topic
        FromTable:
          Type: DynamoDB
          Properties:
            Stream: !GetAtt Table.StreamArn
            StartingPosition: LATEST
        FromBus:
          Type: EventBridgeRule
          Properties:
            Pattern:
              source: [app.orders]
        EveryMinute:
          Type: Schedule
          Properties:
            Schedule: rate(1 minute)
      InlineCode: |
        import os, boto3
        sqs = boto3.client('sqs')
        def handler(event, context):
            if 'Records' in event:
                r = event['Records'][0]
                src = r.get('eventSource') or r.get('EventSource')
            elif event.get('detail-type') == 'Scheduled Event':
                src = 'schedule'
            else:
                src = 'eventbridge:' + event.get('source', '?')
            sqs.send_message(QueueUrl=os.environ['OUT'], MessageBody=src)
Outputs:
  Out:
    Value: !Ref Out
  Topic:
    Value: !Ref Topic
  Table:
    Value: !Ref Table
`

// TestSAMEventSources deploys a SAM function with SNS, DynamoDB,
// EventBridgeRule and Schedule events through aws cloudformation deploy,
// and checks that each source invokes it.
func TestSAMEventSources(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, e2e.AWSCLI)
	env := e2e.Start(t, e2e.WithFakeClock())
	outs := deployWithCLI(t, env, "events", samEvents)
	ctx := context.Background()
	if _, err := sns.NewFromConfig(env.Config).Publish(ctx, &sns.PublishInput{TopicArn: aws.String(outs["Topic"]), Message: aws.String("hi")}); err != nil {
		t.Fatal(err)
	}
	if _, err := dynamodb.NewFromConfig(env.Config).PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(outs["Table"]),
		Item: map[string]ddbtypes.AttributeValue{"id": &ddbtypes.AttributeValueMemberS{Value: "1"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := eventbridge.NewFromConfig(env.Config).PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
		{Source: aws.String("app.orders"), DetailType: aws.String("Placed"), Detail: aws.String(`{}`)}}}); err != nil {
		t.Fatal(err)
	}
	env.Clock.Advance(61 * time.Second)
	qc := sqs.NewFromConfig(env.Config)
	seen := map[string]bool{}
	want := []string{"aws:sns", "aws:dynamodb", "eventbridge:app.orders", "schedule"}
	deadline := time.Now().Add(30 * time.Second)
	for len(seen) < len(want) {
		if time.Now().After(deadline) {
			logFunctionLogs(t, env, "/aws/lambda/")
			t.Fatalf("sources seen: %v, want %v", seen, want)
		}
		out, err := qc.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(outs["Out"]), MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range out.Messages {
			seen[aws.ToString(m.Body)] = true
			qc.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(outs["Out"]), ReceiptHandle: m.ReceiptHandle})
		}
	}
	for _, w := range want {
		if !seen[w] {
			t.Errorf("no invocation from %s (seen %v)", w, seen)
		}
	}
}

const samDeploymentPreference = `Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.12
    Handler: index.handler
Resources:
  Base:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: |
        def handler(event, context):
            return {"ok": True}
      AutoPublishAlias: live
      DeploymentPreference:
        Type: AllAtOnce
        Hooks:
          PreTraffic: !Ref PreHook
  PreHook:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: |
        def handler(event, context):
            return {"ok": True}
      DeploymentPreference:
        Enabled: false
      Environment:
        Variables:
          VERSION: !Ref Base.Version
      Policies:
        - Version: "2012-10-17"
          Statement:
            - Effect: Allow
              Action: codedeploy:PutLifecycleEventHookExecutionStatus
              Resource: !Sub arn:${AWS::Partition}:codedeploy:${AWS::Region}:${AWS::AccountId}:deploymentgroup:${ServerlessDeploymentApplication}/*
Outputs:
  Application:
    Value: !Ref ServerlessDeploymentApplication
  Alias:
    Value: !Ref Base.Alias
`

// TestSAMDeploymentPreference deploys, with the aws CLI, functions with a
// DeploymentPreference whose hooks name the CodeDeploy application SAM
// generates: the stack completes, the alias points at the new version,
// and a stack event says what virga recorded instead of deploying
// gradually.
func TestSAMDeploymentPreference(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, e2e.AWSCLI)
	env := e2e.Start(t)
	outs := deployWithCLI(t, env, "gradual", samDeploymentPreference)
	ctx := context.Background()
	cf := cloudformation.NewFromConfig(env.Config)
	if !strings.HasPrefix(outs["Application"], "gradual-ServerlessDeploymentApplication-") {
		t.Errorf("Application output: %q", outs["Application"])
	}
	alias, err := lambda.NewFromConfig(env.Config).GetAlias(ctx, &lambda.GetAliasInput{FunctionName: aws.String(strings.TrimSuffix(outs["Alias"], ":live")), Name: aws.String("live")})
	if err != nil || aws.ToString(alias.FunctionVersion) != "1" {
		t.Errorf("the alias: %+v %v", alias, err)
	}
	evs, err := cf.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: aws.String("gradual")})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range evs.StackEvents {
		if strings.Contains(aws.ToString(e.ResourceStatusReason), "Base: DeploymentPreference is recorded only") {
			found = true
		}
	}
	if !found {
		t.Error("no stack event reports the recorded DeploymentPreference")
	}
}

// samHTTPAPIDefinition is the shape of AWS's "HTTP API to SQS" pattern:
// an HttpApi whose OpenAPI body sends the request to a queue through an
// SQS-SendMessage service integration, beside a function route SAM adds
// from an HttpApi event.
const samHTTPAPIDefinition = `Transform: AWS::Serverless-2016-10-31
Resources:
  Queue:
    Type: AWS::SQS::Queue
  ApiRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: apigateway.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: send
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: sqs:SendMessage
                Resource: !GetAtt Queue.Arn
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      DefinitionBody:
        openapi: "3.0.1"
        info:
          title: sqs-api
        paths:
          /send:
            post:
              responses:
                default:
                  description: sent
              x-amazon-apigateway-integration:
                type: aws_proxy
                integrationSubtype: SQS-SendMessage
                credentials: !GetAtt ApiRole.Arn
                connectionType: INTERNET
                payloadFormatVersion: "1.0"
                requestParameters:
                  QueueUrl: !Ref Queue
                  MessageBody: $request.body.message
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        def handler(event, context):
            return {"statusCode": 200, "body": "hello " + event["routeKey"]}
      Events:
        Get:
          Type: HttpApi
          Properties:
            ApiId: !Ref Api
            Path: /hello
            Method: get
Outputs:
  ApiId:
    Value: !Ref Api
  QueueUrl:
    Value: !Ref Queue
`

// TestSAMHTTPAPIDefinitionBody deploys an HttpApi defined by an OpenAPI
// body, with the Debian aws CLI, and uses both of its routes.
func TestSAMHTTPAPIDefinitionBody(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, e2e.AWSCLI)
	env := e2e.Start(t)
	outs := deployWithCLI(t, env, "httpsqs", samHTTPAPIDefinition)
	ctx := context.Background()
	r := callHTTPAPI(t, env, outs["ApiId"], "POST", "/send", []byte(`{"message": "from the API"}`), map[string]string{"Content-Type": "application/json"}, true)
	if r.Status != 200 {
		t.Fatalf("POST /send: %d %s", r.Status, r.Body)
	}
	got, err := sqs.NewFromConfig(env.Config).ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(outs["QueueUrl"]), WaitTimeSeconds: 2})
	if err != nil || len(got.Messages) != 1 || aws.ToString(got.Messages[0].Body) != "from the API" {
		t.Fatalf("queue: %+v %v", got, err)
	}
	if r := callHTTPAPI(t, env, outs["ApiId"], "GET", "/hello", nil, nil, true); r.Status != 200 || string(r.Body) != "hello GET /hello" {
		t.Errorf("GET /hello: %d %s", r.Status, r.Body)
	}
}

// restAPIToSQS is the shape of AWS's "REST API to SQS" pattern: plain
// API Gateway resources whose POST method sends the body to a queue
// through an AWS integration with a mapping template.
const restAPIToSQS = `Resources:
  Queue:
    Type: AWS::SQS::Queue
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: apigateway.amazonaws.com}
            Action: sts:AssumeRole
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: to-sqs
  Resource:
    Type: AWS::ApiGateway::Resource
    Properties:
      RestApiId: !Ref Api
      ParentId: !GetAtt Api.RootResourceId
      PathPart: enqueue
  Post:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !Ref Resource
      HttpMethod: POST
      AuthorizationType: NONE
      Integration:
        Type: AWS
        IntegrationHttpMethod: POST
        Credentials: !GetAtt Role.Arn
        Uri: !Sub "arn:aws:apigateway:${AWS::Region}:sqs:path/${AWS::AccountId}/${Queue.QueueName}"
        PassthroughBehavior: NEVER
        RequestParameters:
          integration.request.header.Content-Type: "'application/x-www-form-urlencoded'"
        RequestTemplates:
          application/json: "Action=SendMessage&MessageBody=$input.body"
        IntegrationResponses:
          - StatusCode: "200"
            ResponseTemplates:
              application/json: '{"messageId": "$input.path(''$.SendMessageResponse.SendMessageResult.MessageId'')"}'
      MethodResponses:
        - StatusCode: "200"
  Deployment:
    Type: AWS::ApiGateway::Deployment
    DependsOn: Post
    Properties:
      RestApiId: !Ref Api
      StageName: prod
Outputs:
  ApiId:
    Value: !Ref Api
  QueueUrl:
    Value: !Ref Queue
`

// TestCloudFormationRESTAPIToSQS deploys the REST API to SQS pattern with
// the Debian aws CLI and sends a message through it.
func TestCloudFormationRESTAPIToSQS(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, e2e.AWSCLI)
	env := e2e.Start(t)
	outs := deployWithCLI(t, env, "tosqs", restAPIToSQS)
	ctx := context.Background()
	r := apigwv1Call(t, env, outs["ApiId"], "POST", "/prod/enqueue", []byte(`{"order": 7}`), map[string]string{"Content-Type": "application/json"}, true)
	got, err := sqs.NewFromConfig(env.Config).ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(outs["QueueUrl"]), WaitTimeSeconds: 2})
	if err != nil || len(got.Messages) != 1 || aws.ToString(got.Messages[0].Body) != `{"order": 7}` {
		t.Fatalf("queue: %+v %v (API answered %d %s)", got, err, r.Status, r.Body)
	}
	r.want(t, 200, `{"messageId": "`+aws.ToString(got.Messages[0].MessageId)+`"}`)
}

// awaitNextSecond waits for the wall clock's next second: the aws CLI's
// cloudformation deploy names its change set by the second it starts in.
func awaitNextSecond() {
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second)))
}

// logFunctionLogs writes to the test's log what the log groups whose
// names start with prefix hold: on a failure, what the functions said.
func logFunctionLogs(t *testing.T, env *e2e.Env, prefix string) {
	t.Helper()
	ctx := context.Background()
	cwl := cloudwatchlogs.NewFromConfig(env.Config)
	groups, err := cwl.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(prefix)})
	if err != nil {
		t.Logf("listing log groups: %v", err)
		return
	}
	for _, g := range groups.LogGroups {
		out, err := cwl.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: g.LogGroupName})
		if err != nil {
			t.Logf("%s: %v", aws.ToString(g.LogGroupName), err)
			continue
		}
		for _, ev := range out.Events {
			t.Logf("%s %s: %s", aws.ToString(g.LogGroupName), aws.ToString(ev.LogStreamName), strings.TrimRight(aws.ToString(ev.Message), "\n"))
		}
	}
}
