package sam

import (
	"errors"
	"strings"
	"testing"

	"github.com/virga/virga/internal/cfn/template"
)

// prefix is how CloudFormation introduces a failed SAM transform.
const prefix = "Transform AWS::Serverless-2016-10-31 failed with: Invalid Serverless Application Specification document. "

// fn is a function with code, for templates that need one.
const fn = `
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://bucket/key.zip
      Handler: index.handler
      Runtime: nodejs22.x
`

func TestTransformErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name         string
		body         string
		want         string
		notSupported bool
	}{
		{
			name: "application from the repository",
			body: `
  App:
    Type: AWS::Serverless::Application
    Properties:
      Location:
        ApplicationId: arn:aws:serverlessrepo:us-east-1:123456789012:applications/app
        SemanticVersion: 1.0.0`,
			want:         "Number of errors found: 1. Resource with id [App] is invalid. Applications of the AWS Serverless Application Repository (Location with ApplicationId) are not supported by virga; give Location as the URL of a template in S3.",
			notSupported: true,
		},
		{
			name: "Route53 without a zone",
			body: `
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      Domain: {DomainName: api.example.com, CertificateArn: arn:aws:acm:us-east-1:000000000000:certificate/1, Route53: {IpV6: true}}`,
			want: "Number of errors found: 1. Resource with id [Api] is invalid. HostedZoneId or HostedZoneName is required to enable Route53 support on Custom Domains.",
		},
		{
			name: "Route53 not a map",
			body: `
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      Domain: {DomainName: api.example.com, CertificateArn: arn:aws:acm:us-east-1:000000000000:certificate/1, Route53: [x]}`,
			want: "Number of errors found: 1. Resource with id [Api] is invalid. Property 'Domain.Route53' should be a map.",
		},
		{
			name: "SeparateRecordSetGroup not a boolean",
			body: `
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      Domain: {DomainName: api.example.com, CertificateArn: arn:aws:acm:us-east-1:000000000000:certificate/1, Route53: {HostedZoneId: Z1, SeparateRecordSetGroup: yes please}}`,
			want: "Number of errors found: 1. Resource with id [Api] is invalid. Property 'Domain.Route53.SeparateRecordSetGroup' should be a boolean.",
		},
		{
			name: "API resource policy not a map",
			body: `
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      Auth: {ResourcePolicy: nope}` + fn + `
      Events:
        Get:
          Type: Api
          Properties: {RestApiId: !Ref Api, Path: /items, Method: get}`,
			want: "Number of errors found: 1. Structure of the SAM template is invalid. ResourcePolicy must be a map (ResourcePolicyStatement).",
		},
		{
			name: "event resource policy not a map",
			body: fn + `
      Events:
        Get:
          Type: Api
          Properties: {Path: /items, Method: get, Auth: {ResourcePolicy: [x]}}`,
			want: "Number of errors found: 1. Resource with id [Get] is invalid. Property 'Auth.ResourcePolicy' should be a map.",
		},
		{
			name: "resource policy's account list",
			body: fn + `
      Events:
        Get:
          Type: Api
          Properties: {Path: /items, Method: get, Auth: {ResourcePolicy: {AwsAccountWhitelist: "1234"}}}`,
			want: "Number of errors found: 1. Structure of the SAM template is invalid. Type of '1234' must be a list or dictionary",
		},
		{
			name: "resource policy's VPC list with an intrinsic",
			body: fn + `
      Events:
        Get:
          Type: Api
          Properties: {Path: /items, Method: get, Auth: {ResourcePolicy: {SourceVpcWhitelist: [vpc-1, !GetAtt Fn.Arn]}}}`,
			want: "Number of errors found: 1. Structure of the SAM template is invalid. SourceVpcWhitelist must be a list of strings. Use IntrinsicVpcWhitelist instead for values that use Intrinsic Functions",
		},
		{
			name: "application without a location",
			body: `
  App:
    Type: AWS::Serverless::Application
    Properties:
      Parameters: {}`,
			want: "Number of errors found: 1. Resource with id [App] is invalid. Missing required property 'Location'.",
		},
		{
			name: "state machine",
			body: `
  Flow:
    Type: AWS::Serverless::StateMachine
    Properties:
      DefinitionUri: flow.json`,
			want:         "Number of errors found: 1. Resource with id [Flow] is invalid. DefinitionUri as a local file is read by virga deploy only; give Definition, or deploy with virga deploy.",
			notSupported: true,
		},
		{
			name: "stream destination of an unknown type",
			body: fn + `
      Events:
        Clicks:
          Type: Kinesis
          Properties:
            Stream: arn:aws:kinesis:us-east-1:123456789012:stream/clicks
            DestinationConfig: {OnFailure: {Type: Lambda, Destination: arn:aws:lambda:us-east-1:123456789012:function:f}}
            StartingPosition: LATEST`,
			want: "Number of errors found: 1. Resource with id [Fn] is invalid. Event with id [FnClicks] is invalid. The only valid values for 'Type' are 'SQS', 'SNS', 'S3', and 'Kafka'",
		},
		{
			name: "asynchronous destination of an unknown type",
			body: fn + `
      EventInvokeConfig:
        DestinationConfig:
          OnFailure:
            Type: S3
            Destination: arn:aws:s3:::failures`,
			want: "Number of errors found: 1. Resource with id [Fn] is invalid. 'Type: S3' must be one of ['SQS', 'SNS', 'EventBridge', 'Lambda', 'S3Bucket']",
		},
		{
			name: "event type in capitals",
			body: fn + `
      Events:
        Get:
          Type: API
          Properties:
            Path: /
            Method: get`,
			want: "Number of errors found: 1. Resource with id [Fn] is invalid. Event with id [Get] is invalid. Resource dict has missing or invalid value for key Type. Event Type is: API.",
		},
		{
			name: "event without type",
			body: fn + `
      Events:
        Get:
          Properties:
            Path: /`,
			want: "Number of errors found: 1. Resource with id [Fn] is invalid. Event with id [Get] is invalid. Resource dict has missing or invalid value for key Type. Event Type is: None.",
		},
		{
			name: "event without a required property",
			body: fn + `
      Events:
        Get:
          Type: Api
          Properties:
            Method: get`,
			want: "Number of errors found: 1. Resource with id [FnGet] is invalid. Missing required property 'Path'.",
		},
		{
			// AWS's translator's message for this template: a property
			// with no value is missing.
			name: "event property without a value",
			body: fn + `
      Events:
        Upload:
          Type: S3
          Properties:
            Bucket:`,
			want: "Number of errors found: 1. Resource with id [FnUpload] is invalid. Missing required property 'Bucket'.",
		},
		{
			name: "schedule without schedule",
			body: fn + `
      Events:
        MyTimer:
          Type: Schedule
          Properties:
            Enabled: true`,
			want: "Number of errors found: 1. Resource with id [FnMyTimer] is invalid. Missing required property 'Schedule'.",
		},
		{
			name: "unknown event property",
			body: fn + `
      Events:
        Get:
          Type: Api
          Properties:
            Path: /
            Method: get
            ThrottlingRateLimit: 10`,
			want: "Number of errors found: 1. Resource with id [FnGet] is invalid. property ThrottlingRateLimit not defined for resource of type Api",
		},
		{
			name: "misspelled property",
			body: `
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://bucket/key.zip
      Runtim: python3.13`,
			want: "Number of errors found: 1. Resource with id [Fn] is invalid. property Runtim not defined for resource of type AWS::Serverless::Function",
		},
		{
			name: "no code",
			body: `
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: index.handler
      Runtime: nodejs22.x`,
			want: "Number of errors found: 1. Resource with id [Fn] is invalid. Only one of 'InlineCode' or 'CodeUri' can be set.",
		},
		{
			name: "code object without a key",
			body: `
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri:
        Bucket: artifacts
      Handler: index.handler
      Runtime: nodejs22.x`,
			want: "Number of errors found: 1. Resource with id [Fn] is invalid. 'CodeUri' is not a valid S3 Uri of the form 's3://bucket/key' with optional versionId query parameter.",
		},
		{
			name: "api without stage",
			body: `
  MyApi:
    Type: AWS::Serverless::Api
    Properties:
      Cors: "'*'"`,
			want: "Number of errors found: 1. Resource with id [MyApi] is invalid. Missing required property 'StageName'.",
		},
		{
			name: "layer without content",
			body: `
  ExampleLayer:
    Type: AWS::Serverless::LayerVersion
    Properties:
      LayerName: example`,
			want: "Number of errors found: 1. Resource with id [ExampleLayer] is invalid. Missing required property 'ContentUri'.",
		},
		{
			name: "provisioned concurrency without alias",
			body: fn + `
      ProvisionedConcurrencyConfig:
        ProvisionedConcurrentExecutions: 1`,
			want: "Number of errors found: 1. Resource with id [Fn] is invalid. To set ProvisionedConcurrencyConfig AutoPublishALias must be defined on the function",
		},
		{
			name: "authorizer on an API without authorizers",
			body: fn + `
      Events:
        Post:
          Type: Api
          Properties:
            Path: /simple
            Method: post
            Auth:
              Authorizer: MyAuth`,
			want: "Number of errors found: 1. Resource with id [Fn] is invalid. Event with id [Post] is invalid. Unable to set Authorizer [MyAuth] on API method [post] for path [/simple] because the related API does not define any Authorizers.",
		},
		{
			name: "undefined default authorizer",
			body: `
  MyApi:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      Auth:
        DefaultAuthorizer: Missing`,
			want: "Number of errors found: 1. Resource with id [MyApi] is invalid. Unable to set DefaultAuthorizer because 'Missing' was not defined in 'Authorizers'.",
		},
		{
			name: "api event on a foreign API",
			body: fn + `
      Events:
        Get:
          Type: Api
          Properties:
            RestApiId: abc123
            Path: /
            Method: get`,
			want: "Number of errors found: 1. Resource with id [Fn] is invalid. Event with id [Get] is invalid. RestApiId must be a valid reference to an 'AWS::Serverless::Api' resource in same template.",
		},
		{
			name: "http api event on a foreign API",
			body: fn + `
      Events:
        Get:
          Type: HttpApi
          Properties:
            ApiId: !Ref Other
  Other:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      Name: other
      ProtocolType: HTTP`,
			want: "Number of errors found: 1. Resource with id [Fn] is invalid. Event with id [Get] is invalid. ApiId must be a valid reference to an 'AWS::Serverless::HttpApi' resource in same template.",
		},
		{
			name: "unknown policy shape",
			body: fn + `
      Policies:
        - Effect: Allow
          Action: s3:GetObject`,
			want: "Number of errors found: 1. Resource with id [Fn] is invalid. Policy at index 0 in the 'Policies' property is not valid.",
		},
		{
			name: "policy template without its parameter",
			body: fn + `
      Policies:
        - DynamoDBCrudPolicy: {}`,
			want: "Number of errors found: 1. Resource with id [Fn] is invalid. Following required parameters of template 'DynamoDBCrudPolicy' don't have values: ['TableName']",
		},
		{
			name: "two bad resources",
			body: `
  A:
    Type: AWS::Serverless::Function
  B:
    Type: AWS::Serverless::GraphQLApi`,
			want:         "Number of errors found: 2. Resource with id [A] is invalid. Only one of 'InlineCode' or 'CodeUri' can be set. Resource with id [B] is invalid. Resource type AWS::Serverless::GraphQLApi is not supported by virga.",
			notSupported: true,
		},
		{
			name: "connector without permissions",
			body: fn + `
  C:
    Type: AWS::Serverless::Connector
    Properties:
      Source: {Id: Fn}
      Destination: {Id: Fn}`,
			want: "Number of errors found: 1. Resource with id [C] is invalid. Missing required property 'Permissions'.",
		},
		{
			name: "connector permission neither Read nor Write",
			body: fn + `
  C:
    Type: AWS::Serverless::Connector
    Properties:
      Source: {Id: Fn}
      Destination: {Id: Fn}
      Permissions: [Invoke]`,
			want: "Number of errors found: 1. Resource with id [C] is invalid. Unsupported 'Permissions' provided; valid values are: Read, Write.",
		},
		{
			name: "connector to a resource that is not there",
			body: fn + `
  C:
    Type: AWS::Serverless::Connector
    Properties:
      Source: {Id: Fn}
      Destination: {Id: Nope}
      Permissions: [Read]`,
			want: "Number of errors found: 1. Resource with id [C] is invalid. Unable to find resource with logical ID 'Nope'.",
		},
		{
			name: "generated ID taken",
			body: fn + `
  FnRole:
    Type: AWS::SNS::Topic`,
			want: "Number of errors found: 1. Resource with id [Fn] is invalid. The generated resource id [FnRole] is already used by another resource in the template.",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			body := "Transform: AWS::Serverless-2016-10-31\nResources:" + c.body + "\n"
			in, err := template.Parse([]byte(body))
			if err != nil {
				t.Fatalf("Parse: %v\n%s", err, body)
			}
			_, _, err = Transform(in.Tree, testOptions)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T %v, want *Error", err, err)
			}
			if got := e.Error(); got != prefix+c.want {
				t.Errorf("error\n got: %s\nwant: %s", got, prefix+c.want)
			}
			if errors.Is(err, template.ErrNotSupported) != c.notSupported {
				t.Errorf("errors.Is(ErrNotSupported) = %v, want %v", !c.notSupported, c.notSupported)
			}
		})
	}
}

func TestGlobalsErrors(t *testing.T) {
	t.Parallel()
	cases := []struct{ globals, want string }{
		{
			"  Function:\n    Role: arn:aws:iam::123456789012:role/r\n",
			"'Globals' section is invalid. 'Role' is not a supported property of 'Function'. Must be one of the following values - [",
		},
		{
			"  Api:\n    StageName: prod\n",
			"'Globals' section is invalid. 'StageName' is not a supported property of 'Api'. Must be one of the following values - [",
		},
		{
			"  StateMachine:\n    Tracing: {Enabled: true}\n",
			"'Globals' section is invalid. 'Tracing' is not a supported property of 'StateMachine'. Must be one of the following values - ['PropagateTags']",
		},
		{
			"  Function:\n    InlineCode: x\n",
			"'Globals' section is invalid. 'InlineCode' is not a supported property of 'Function'. Must be one of the following values - ['Handler', 'Runtime', 'CodeUri', 'DeadLetterQueue', ",
		},
		{
			"  SimpleTable:\n    ProvisionedThroughput: {ReadCapacityUnits: 1, WriteCapacityUnits: 1}\n",
			"'Globals' section is invalid. 'ProvisionedThroughput' is not a supported property of 'SimpleTable'. Must be one of the following values - ['SSESpecification']",
		},
		{
			"  LayerVersion:\n    Description: x\n",
			"'Globals' section is invalid. 'Description' is not a supported property of 'LayerVersion'. Must be one of the following values - ['PublishLambdaVersion']",
		},
		{
			"  WebSocketApi:\n    Name: x\n",
			"'Globals' section is invalid. 'Name' is not a supported property of 'WebSocketApi'. Must be one of the following values - ['AccessLogSettings', 'ApiKeySelectionExpression', 'DefaultRouteSettings', 'DisableExecuteApiEndpoint', 'DisableSchemaValidation', 'Domain', 'FailOnWarnings', 'IpAddressType', 'PropagateTags', 'RouteSelectionExpression', 'RouteSettings', 'StageVariables', 'Tags']",
		},
		{
			"  Queue:\n    Name: q\n",
			"'Globals' section is invalid. 'Queue' is not supported. Must be one of the following values - ['Api', 'CapacityProvider', 'Function', 'HttpApi', 'LayerVersion', 'SimpleTable', 'StateMachine', 'WebSocketApi']",
		},
	}
	for _, c := range cases {
		body := "Transform: AWS::Serverless-2016-10-31\nGlobals:\n" + c.globals + "Resources:" + fn
		in, err := template.Parse([]byte(body))
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = Transform(in.Tree, testOptions)
		if err == nil || !strings.HasPrefix(err.Error(), prefix+"Number of errors found: 1. "+c.want) {
			t.Errorf("error\n got: %v\nwant prefix: %s", err, prefix+"Number of errors found: 1. "+c.want)
		}
	}
}

func TestNoResources(t *testing.T) {
	t.Parallel()
	_, _, err := Transform(map[string]any{"Transform": TransformName}, testOptions)
	want := prefix + "Number of errors found: 1. Structure of the SAM template is invalid. 'Resources' section is required"
	if err == nil || err.Error() != want {
		t.Errorf("error\n got: %v\nwant: %s", err, want)
	}
}
