package e2e_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	gwtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"

	"github.com/virga/virga/internal/e2e"
)

// domainTemplate maps a regional custom domain's "v1" and "v2" to a
// REST API's stage, and reports the domain's DNS target.
const domainTemplate = `
Resources:
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: domains
      EndpointConfiguration:
        Types: [REGIONAL]
  Hello:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !GetAtt Api.RootResourceId
      HttpMethod: GET
      AuthorizationType: NONE
      Integration:
        Type: MOCK
        RequestTemplates: {application/json: '{"statusCode": 200}'}
        IntegrationResponses: [{StatusCode: "200"}]
      MethodResponses: [{StatusCode: "200"}]
  Deployment:
    Type: AWS::ApiGateway::Deployment
    DependsOn: Hello
    Properties:
      RestApiId: !Ref Api
      StageName: prod
  Certificate:
    Type: AWS::CertificateManager::Certificate
    Properties: {DomainName: api.example.com, ValidationMethod: EMAIL}
  Domain:
    Type: AWS::ApiGateway::DomainName
    Properties:
      DomainName: api.example.com
      RegionalCertificateArn: !Ref Certificate
      EndpointConfiguration:
        Types: [REGIONAL]
      SecurityPolicy: TLS_1_2
  V1:
    Type: AWS::ApiGateway::BasePathMapping
    DependsOn: Deployment
    Properties:
      DomainName: !Ref Domain
      BasePath: v1
      RestApiId: !Ref Api
      Stage: prod
  V2:
    Type: AWS::ApiGateway::BasePathMapping
    DependsOn: Deployment
    Properties:
      DomainName: !Ref Domain
      BasePath: v2
      RestApiId: !Ref Api
      Stage: prod
Outputs:
  ApiId:
    Value: !Ref Api
  Domain:
    Value: !Ref Domain
  Target:
    Value: !GetAtt Domain.RegionalDomainName
  Zone:
    Value: !GetAtt Domain.RegionalHostedZoneId
`

// TestAPIGWv1DomainNames: custom domain names and base path mappings are
// accepted and reported, from a stack and through the API, with AWS's
// DNS targets and errors.
func TestAPIGWv1DomainNames(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cf := cloudformation.NewFromConfig(env.Config)
	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("domains"), TemplateBody: aws.String(domainTemplate)}); err != nil {
		t.Fatal(err)
	}
	outs := createdStackOutputs(t, cf, "domains")
	if outs["Domain"] != "api.example.com" || !strings.HasPrefix(outs["Target"], "d-") ||
		!strings.HasSuffix(outs["Target"], ".execute-api.us-east-1.amazonaws.com") || outs["Zone"] != "Z1UJRXOUMOOFQ8" {
		t.Errorf("outputs %v", outs)
	}

	c := apigateway.NewFromConfig(env.Config)
	d, err := c.GetDomainName(ctx, &apigateway.GetDomainNameInput{DomainName: aws.String("api.example.com")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(d.RegionalDomainName) != outs["Target"] || d.DomainNameStatus != gwtypes.DomainNameStatusAvailable ||
		d.SecurityPolicy != gwtypes.SecurityPolicyTls12 || d.DistributionDomainName != nil ||
		len(d.EndpointConfiguration.Types) != 1 || d.EndpointConfiguration.Types[0] != gwtypes.EndpointTypeRegional {
		t.Errorf("domain %+v", d)
	}
	maps, err := c.GetBasePathMappings(ctx, &apigateway.GetBasePathMappingsInput{DomainName: aws.String("api.example.com")})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range maps.Items {
		got = append(got, aws.ToString(m.BasePath)+"="+aws.ToString(m.RestApiId)+"/"+aws.ToString(m.Stage))
	}
	if want := "v1=" + outs["ApiId"] + "/prod v2=" + outs["ApiId"] + "/prod"; strings.Join(got, " ") != want {
		t.Errorf("mappings %v, want %s", got, want)
	}

	// An edge domain, the default, points at a CloudFront distribution.
	edge, err := c.CreateDomainName(ctx, &apigateway.CreateDomainNameInput{DomainName: aws.String("www.example.com"),
		CertificateArn: aws.String(env.Certificate(t, "www.example.com"))})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(aws.ToString(edge.DistributionDomainName), ".cloudfront.net") || aws.ToString(edge.DistributionHostedZoneId) != "Z2FDTNDATAQYW2" ||
		edge.RegionalDomainName != nil {
		t.Errorf("edge domain %+v", edge)
	}
	all, err := c.GetDomainNames(ctx, &apigateway.GetDomainNamesInput{})
	if err != nil || len(all.Items) != 2 {
		t.Fatalf("GetDomainNames: %+v %v", all, err)
	}

	wantCode := func(what string, err error, code string, status int, message string) {
		t.Helper()
		if got := expectAPIError(t, err, code, status); got.Message != message {
			t.Errorf("%s: message %q, want %q", what, got.Message, message)
		}
	}
	_, err = c.CreateDomainName(ctx, &apigateway.CreateDomainNameInput{DomainName: aws.String("www.example.com")})
	wantCode("a second www.example.com", err, "ConflictException", 409, "The domain name you provided already exists.")
	_, err = c.GetDomainName(ctx, &apigateway.GetDomainNameInput{DomainName: aws.String("nope.example.com")})
	wantCode("an unknown domain", err, "NotFoundException", 404, "Invalid domain name identifier specified")
	_, err = c.CreateBasePathMapping(ctx, &apigateway.CreateBasePathMappingInput{DomainName: aws.String("api.example.com"),
		BasePath: aws.String("v2"), RestApiId: aws.String(outs["ApiId"])})
	wantCode("a second v2", err, "ConflictException", 409, "Base path already exists for this domain name")
	// A domain's root is mapped alone.
	_, err = c.CreateBasePathMapping(ctx, &apigateway.CreateBasePathMappingInput{DomainName: aws.String("api.example.com"),
		RestApiId: aws.String(outs["ApiId"]), Stage: aws.String("prod")})
	wantCode("the root of a domain with mappings", err, "ConflictException", 409, "Only one base path mapping is allowed if the base path is empty.")
	if _, err := c.CreateBasePathMapping(ctx, &apigateway.CreateBasePathMappingInput{DomainName: aws.String("www.example.com"),
		BasePath: aws.String("(none)"), RestApiId: aws.String(outs["ApiId"]), Stage: aws.String("prod")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateBasePathMapping(ctx, &apigateway.CreateBasePathMappingInput{DomainName: aws.String("www.example.com"),
		BasePath: aws.String("v1"), RestApiId: aws.String(outs["ApiId"]), Stage: aws.String("prod")})
	wantCode("a base path beside the root", err, "ConflictException", 409, "Only one base path mapping is allowed if the base path is empty.")
	if _, err := c.DeleteBasePathMapping(ctx, &apigateway.DeleteBasePathMappingInput{DomainName: aws.String("www.example.com"),
		BasePath: aws.String("(none)")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetBasePathMapping(ctx, &apigateway.GetBasePathMappingInput{DomainName: aws.String("api.example.com"), BasePath: aws.String("v3")})
	wantCode("an unknown base path", err, "NotFoundException", 404, "Invalid base path mapping identifier specified")

	// Deleting the stack takes its domain and mappings.
	if _, err := cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("domains")}); err != nil {
		t.Fatal(err)
	}
	if err := cloudformation.NewStackDeleteCompleteWaiter(cf).Wait(ctx,
		&cloudformation.DescribeStacksInput{StackName: aws.String("domains")}, time.Minute); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetDomainName(ctx, &apigateway.GetDomainNameInput{DomainName: aws.String("api.example.com")})
	wantCode("the stack's domain after the stack", err, "NotFoundException", 404, "Invalid domain name identifier specified")
}
