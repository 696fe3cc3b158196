package e2e_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/virga/virga/internal/e2e"
)

const restDefinition = `openapi: 3.0.1
info:
  title: from-s3
  version: "1"
paths:
  /mock:
    get:
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates:
          application/json: '{"statusCode": 200}'
        responses:
          default:
            statusCode: "200"
`

const httpDefinition = `{"openapi": "3.0.1", "info": {"title": "http-from-s3", "version": "1"},
 "paths": {"/items": {"get": {"x-amazon-apigateway-integration": {
   "type": "http_proxy", "httpMethod": "GET", "uri": "https://example.com/items", "payloadFormatVersion": "1.0"}}}}}`

const childApplication = `Parameters:
  Greeting:
    Type: String
Resources:
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      DisplayName: !Ref Greeting
Outputs:
  TopicName:
    Value: !GetAtt Topic.TopicName
  Greeting:
    Value: !Ref Greeting
`

const s3SAMTemplate = `Transform: AWS::Serverless-2016-10-31
Parameters:
  CodeVersion:
    Type: String
Resources:
  FromURI:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://code/app.zip
      Handler: app.handler
      Runtime: python3.12
      Layers: [!Ref Shared]
  FromObject:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri:
        Bucket: code
        Key: app.zip
        Version: !Ref CodeVersion
      Handler: app.handler
      Runtime: python3.12
  Plain:
    Type: AWS::Lambda::Function
    Properties:
      Code:
        S3Bucket: code
        S3Key: app.zip
      Handler: app.handler
      Runtime: python3.12
      Role: !GetAtt FromURIRole.Arn
  Shared:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: s3://code/layer.zip
  RestFromS3:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      DefinitionUri: s3://code/rest.yaml
  HttpFromS3:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      BodyS3Location:
        Bucket: code
        Key: http.json
  Child:
    Type: AWS::Serverless::Application
    Properties:
      Location: https://code.s3.amazonaws.com/child.yaml
      Parameters:
        Greeting: hello from the parent
Outputs:
  RestId:
    Value: !Ref RestFromS3
  HttpId:
    Value: !Ref HttpFromS3
  ChildTopic:
    Value: !GetAtt Child.Outputs.TopicName
  ChildGreeting:
    Value: !GetAtt Child.Outputs.Greeting
  ChildId:
    Value: !Ref Child
`

// TestCloudFormationReadsS3 deploys a SAM template whose functions,
// layer, APIs and nested application are all in virga's S3, as `sam
// package` and `aws cloudformation package` leave them, then deletes it
// with its nested stack.
func TestCloudFormationReadsS3(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	sc := s3Client(env)
	app := zipOf(t, zipEntry{name: "app.py", body: []byte("import shared\ndef handler(event, context):\n    return {'from': 's3'}\n")})
	putObject(t, sc, "code", "app.zip", app)
	head, err := sc.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("code"), Key: aws.String("app.zip")})
	if err != nil {
		t.Fatal(err)
	}
	version := aws.ToString(head.VersionId)
	if version == "" {
		version = "null"
	}
	putObject(t, sc, "code", "layer.zip", zipOf(t, zipEntry{name: "python/shared.py", body: []byte("X = 1\n")}))
	putObject(t, sc, "code", "rest.yaml", []byte(restDefinition))
	putObject(t, sc, "code", "http.json", []byte(httpDefinition))
	putObject(t, sc, "code", "child.yaml", []byte(childApplication))

	cf := cloudformation.NewFromConfig(env.Config)
	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("from-s3"), TemplateBody: aws.String(s3SAMTemplate),
		Parameters:   []cftypes.Parameter{{ParameterKey: aws.String("CodeVersion"), ParameterValue: aws.String(version)}},
		Capabilities: []cftypes.Capability{cftypes.CapabilityCapabilityIam, cftypes.CapabilityCapabilityAutoExpand}}); err != nil {
		t.Fatal(err)
	}
	st := settleStack(t, cf, "from-s3")
	if st.StackStatus != cftypes.StackStatusCreateComplete {
		evs, _ := cf.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: aws.String("from-s3")})
		for _, e := range evs.StackEvents {
			if strings.HasSuffix(string(e.ResourceStatus), "FAILED") {
				t.Logf("%s %s: %s", aws.ToString(e.LogicalResourceId), e.ResourceStatus, aws.ToString(e.ResourceStatusReason))
			}
		}
		t.Fatalf("stack: %s %s", st.StackStatus, aws.ToString(st.StackStatusReason))
	}
	outs := map[string]string{}
	for _, o := range st.Outputs {
		outs[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
	}

	lc := lambdaClient(t, env)
	res, err := cf.ListStackResources(ctx, &cloudformation.ListStackResourcesInput{StackName: aws.String("from-s3")})
	if err != nil {
		t.Fatal(err)
	}
	physical := map[string]string{}
	for _, r := range res.StackResourceSummaries {
		physical[aws.ToString(r.LogicalResourceId)] = aws.ToString(r.PhysicalResourceId)
	}
	// FromURI has the layer its code imports.
	if out := invokeJSON(t, lc, physical["FromURI"], map[string]any{}); string(out.Payload) != `{"from": "s3"}` {
		t.Errorf("FromURI answered %s", out.Payload)
	}
	for _, fn := range []string{"FromObject", "Plain"} {
		got, err := lc.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(physical[fn])})
		if err != nil || aws.ToString(got.Configuration.CodeSha256) != sha256Base64(app) {
			t.Errorf("%s: %v %v", fn, got, err)
		}
	}

	ag := apigateway.NewFromConfig(env.Config)
	rs, err := ag.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: aws.String(outs["RestId"])})
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, r := range rs.Items {
		paths = append(paths, aws.ToString(r.Path))
	}
	if !strings.Contains(strings.Join(paths, " "), "/mock") {
		t.Errorf("REST API from DefinitionUri in S3 has paths %v", paths)
	}
	av := apigatewayv2.NewFromConfig(env.Config)
	routes, err := av.GetRoutes(ctx, &apigatewayv2.GetRoutesInput{ApiId: aws.String(outs["HttpId"])})
	if err != nil || len(routes.Items) != 1 || aws.ToString(routes.Items[0].RouteKey) != "GET /items" {
		t.Errorf("HTTP API from BodyS3Location: %+v %v", routes, err)
	}

	if outs["ChildGreeting"] != "hello from the parent" || !strings.HasPrefix(outs["ChildTopic"], "from-s3-Child-") {
		t.Errorf("nested application's outputs: %v", outs)
	}
	child := settleStack(t, cf, outs["ChildId"])
	if child.StackStatus != cftypes.StackStatusCreateComplete || !strings.HasPrefix(aws.ToString(child.StackName), "from-s3-Child-") {
		t.Errorf("nested stack: %s %s", aws.ToString(child.StackName), child.StackStatus)
	}

	if _, err := cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("from-s3")}); err != nil {
		t.Fatal(err)
	}
	settleStack(t, cf, aws.ToString(st.StackId))
	if child := settleStack(t, cf, outs["ChildId"]); child.StackStatus != cftypes.StackStatusDeleteComplete {
		t.Errorf("nested stack after its parent's deletion: %s", child.StackStatus)
	}
}

// sha256Base64 is a package's CodeSha256.
func sha256Base64(b []byte) string {
	sum := sha256.Sum256(b)
	return base64.StdEncoding.EncodeToString(sum[:])
}
