package e2e_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"github.com/virga/virga/internal/e2e"
)

// rollbackHTTPAPI is a SAM HTTP API with a function and no routes yet.
const rollbackHTTPAPI = `Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::HttpApi
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: "def handler(e, c):\n    return 1\n"
`

// rollbackHTTPAPIRoutes gives the function routes (an integration and a
// route each) and maps the API on a domain name that does not exist, a
// failure that comes once the routes are made.
const rollbackHTTPAPIRoutes = `      Events:
        Get:
          Type: HttpApi
          Properties:
            ApiId: !Ref Api
            Path: /a
            Method: GET
        Post:
          Type: HttpApi
          Properties:
            ApiId: !Ref Api
            Path: /a
            Method: POST
        Put:
          Type: HttpApi
          Properties:
            ApiId: !Ref Api
            Path: /a
            Method: PUT
  Mapping:
    Type: AWS::ApiGatewayV2::ApiMapping
    DependsOn: [FnGetRoute, FnPostRoute, FnPutRoute]
    Properties:
      ApiId: !Ref Api
      DomainName: nowhere.example.com
      Stage: !Ref ApiApiGatewayDefaultStage
`

// TestCloudFormationRollbackDeletesRoutesBeforeIntegrations: a SAM HTTP
// API stack that fails after its routes were made rolls back cleanly,
// on creation (ROLLBACK_COMPLETE) and on update
// (UPDATE_ROLLBACK_COMPLETE): each route goes before the integration it
// targets, which API Gateway refuses to delete while a route uses it.
func TestCloudFormationRollbackDeletesRoutesBeforeIntegrations(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cf := cloudformation.NewFromConfig(env.Config)
	gw := apigatewayv2.NewFromConfig(env.Config)
	caps := []cftypes.Capability{cftypes.CapabilityCapabilityIam, cftypes.CapabilityCapabilityAutoExpand}
	settle := func(name string) string {
		t.Helper()
		return string(settleStack(t, cf, name).StackStatus)
	}
	deleteFailures := func(name string) {
		t.Helper()
		ev, err := cf.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ev.StackEvents {
			if e.ResourceStatus == cftypes.ResourceStatusDeleteFailed {
				t.Errorf("%s: %s DELETE_FAILED: %s", name, aws.ToString(e.LogicalResourceId), aws.ToString(e.ResourceStatusReason))
			}
		}
	}

	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("routes-new"),
		TemplateBody: aws.String(rollbackHTTPAPI + rollbackHTTPAPIRoutes), Capabilities: caps}); err != nil {
		t.Fatal(err)
	}
	if got := settle("routes-new"); got != "ROLLBACK_COMPLETE" {
		t.Errorf("created: %s, want ROLLBACK_COMPLETE", got)
	}
	deleteFailures("routes-new")

	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("routes-added"),
		TemplateBody: aws.String(rollbackHTTPAPI), Capabilities: caps}); err != nil {
		t.Fatal(err)
	}
	if got := settle("routes-added"); got != "CREATE_COMPLETE" {
		t.Fatalf("created: %s", got)
	}
	if _, err := cf.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: aws.String("routes-added"),
		TemplateBody: aws.String(rollbackHTTPAPI + rollbackHTTPAPIRoutes), Capabilities: caps}); err != nil {
		t.Fatal(err)
	}
	if got := settle("routes-added"); got != "UPDATE_ROLLBACK_COMPLETE" {
		t.Errorf("updated: %s, want UPDATE_ROLLBACK_COMPLETE", got)
	}
	deleteFailures("routes-added")
	api, err := cf.DescribeStackResource(ctx, &cloudformation.DescribeStackResourceInput{StackName: aws.String("routes-added"), LogicalResourceId: aws.String("Api")})
	if err != nil {
		t.Fatal(err)
	}
	id := api.StackResourceDetail.PhysicalResourceId
	routes, err := gw.GetRoutes(ctx, &apigatewayv2.GetRoutesInput{ApiId: id})
	if err != nil {
		t.Fatal(err)
	}
	integrations, err := gw.GetIntegrations(ctx, &apigatewayv2.GetIntegrationsInput{ApiId: id})
	if err != nil {
		t.Fatal(err)
	}
	if len(routes.Items) != 0 || len(integrations.Items) != 0 {
		t.Errorf("the rolled back update left %d routes and %d integrations", len(routes.Items), len(integrations.Items))
	}
}
