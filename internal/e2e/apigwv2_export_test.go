package e2e_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	a2types "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"

	"github.com/virga/virga/internal/e2e"
)

// TestAPIGWv2ExportRoundTrip: ExportApi writes an HTTP API's routes,
// integrations, authorizers and CORS as OpenAPI 3.0 (aws apigatewayv2
// export-api, JSON and YAML) that ImportApi reads back to the same API;
// IncludeExtensions false leaves API Gateway's extensions out.
func TestAPIGWv2ExportRoundTrip(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	e2e.RequireTool(t, e2e.AWSCLI)
	ctx := context.Background()
	c := apigatewayv2.NewFromConfig(env.Config)
	api, err := c.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("exported"), ProtocolType: a2types.ProtocolTypeHttp,
		Description: aws.String("an API to export"), Version: aws.String("7"),
		CorsConfiguration: &a2types.Cors{AllowOrigins: []string{"https://example.com"}, AllowMethods: []string{"GET"}, MaxAge: aws.Int32(60)}})
	if err != nil {
		t.Fatal(err)
	}
	id := api.ApiId
	fn := "arn:aws:lambda:us-east-1:000000000000:function:f"
	lambdaInteg, err := c.CreateIntegration(ctx, &apigatewayv2.CreateIntegrationInput{ApiId: id, IntegrationType: a2types.IntegrationTypeAwsProxy,
		IntegrationUri: aws.String(fn), PayloadFormatVersion: aws.String("2.0")})
	if err != nil {
		t.Fatal(err)
	}
	httpInteg, err := c.CreateIntegration(ctx, &apigatewayv2.CreateIntegrationInput{ApiId: id, IntegrationType: a2types.IntegrationTypeHttpProxy,
		IntegrationUri: aws.String("https://example.com/{proxy}"), IntegrationMethod: aws.String("ANY"), PayloadFormatVersion: aws.String("1.0"),
		RequestParameters: map[string]string{"append:header.x-from": "virga"}})
	if err != nil {
		t.Fatal(err)
	}
	jwt, err := c.CreateAuthorizer(ctx, &apigatewayv2.CreateAuthorizerInput{ApiId: id, Name: aws.String("jwt"), AuthorizerType: a2types.AuthorizerTypeJwt,
		IdentitySource:   []string{"$request.header.Authorization"},
		JwtConfiguration: &a2types.JWTConfiguration{Issuer: aws.String("https://issuer.example.com"), Audience: []string{"app"}}})
	if err != nil {
		t.Fatal(err)
	}
	lambdaAuth, err := c.CreateAuthorizer(ctx, &apigatewayv2.CreateAuthorizerInput{ApiId: id, Name: aws.String("gate"), AuthorizerType: a2types.AuthorizerTypeRequest,
		IdentitySource: []string{"$request.header.x-key"}, AuthorizerPayloadFormatVersion: aws.String("2.0"), EnableSimpleResponses: aws.Bool(true),
		AuthorizerUri: aws.String("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + fn + "/invocations")})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []apigatewayv2.CreateRouteInput{
		{RouteKey: aws.String("GET /items/{id}"), Target: aws.String("integrations/" + *lambdaInteg.IntegrationId), OperationName: aws.String("getItem")},
		{RouteKey: aws.String("POST /items"), Target: aws.String("integrations/" + *lambdaInteg.IntegrationId),
			AuthorizationType: a2types.AuthorizationTypeJwt, AuthorizerId: jwt.AuthorizerId, AuthorizationScopes: []string{"items/write"}},
		{RouteKey: aws.String("DELETE /items/{id}"), Target: aws.String("integrations/" + *lambdaInteg.IntegrationId),
			AuthorizationType: a2types.AuthorizationTypeCustom, AuthorizerId: lambdaAuth.AuthorizerId},
		{RouteKey: aws.String("GET /private"), Target: aws.String("integrations/" + *lambdaInteg.IntegrationId), AuthorizationType: a2types.AuthorizationTypeAwsIam},
		{RouteKey: aws.String("ANY /proxy/{proxy+}"), Target: aws.String("integrations/" + *httpInteg.IntegrationId)},
		{RouteKey: aws.String("$default"), Target: aws.String("integrations/" + *lambdaInteg.IntegrationId)},
	} {
		r.ApiId = id
		if _, err := c.CreateRoute(ctx, &r); err != nil {
			t.Fatalf("CreateRoute %s: %v", *r.RouteKey, err)
		}
	}

	dir := t.TempDir()
	for _, format := range []string{"JSON", "YAML"} {
		out := filepath.Join(dir, "api."+strings.ToLower(format))
		r := env.CLI(t, "apigatewayv2", "export-api", "--api-id", *id, "--output-type", format, "--specification", "OAS30", out)
		if r.ExitCode != 0 {
			t.Fatalf("export-api %s: %+v", format, r)
		}
		doc, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(doc), "x-amazon-apigateway-integration") || !strings.Contains(string(doc), "x-amazon-apigateway-cors") ||
			!strings.Contains(string(doc), "x-amazon-apigateway-authorizer") {
			t.Errorf("%s export has no extensions:\n%s", format, doc)
		}
		imported, err := c.ImportApi(ctx, &apigatewayv2.ImportApiInput{Body: aws.String(string(doc))})
		if err != nil {
			t.Fatalf("ImportApi of the %s export: %v\n%s", format, err, doc)
		}
		if got, want := describeHTTPAPI(t, c, *imported.ApiId), describeHTTPAPI(t, c, *id); got != want {
			t.Errorf("the %s export imports as\n%s\nwant\n%s", format, got, want)
		}
	}
	plain, err := c.ExportApi(ctx, &apigatewayv2.ExportApiInput{ApiId: id, OutputType: aws.String("JSON"), Specification: aws.String("OAS30"),
		IncludeExtensions: aws.Bool(false)})
	if err != nil || !strings.Contains(string(plain.Body), `"/items/{id}"`) {
		t.Fatalf("export without extensions: %v\n%s", err, plain.Body)
	}
	for _, x := range []string{"x-amazon-apigateway-integration", "x-amazon-apigateway-cors", "x-amazon-apigateway-authorizer", "x-amazon-apigateway-authtype"} {
		if strings.Contains(string(plain.Body), x) {
			t.Errorf("export without extensions has %s", x)
		}
	}
	// A stage's export is the API its deployment froze.
	dep, err := c.CreateDeployment(ctx, &apigatewayv2.CreateDeploymentInput{ApiId: id})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: id, StageName: aws.String("prod"), DeploymentId: dep.DeploymentId}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: id, RouteKey: aws.String("GET /later"),
		Target: aws.String("integrations/" + *lambdaInteg.IntegrationId)}); err != nil {
		t.Fatal(err)
	}
	for stage, want := range map[string]bool{"": true, "prod": false} {
		in := &apigatewayv2.ExportApiInput{ApiId: id, OutputType: aws.String("YAML"), Specification: aws.String("OAS30")}
		if stage != "" {
			in.StageName = &stage
		}
		out, err := c.ExportApi(ctx, in)
		if err != nil || strings.Contains(string(out.Body), "/later:") != want || !strings.Contains(string(out.Body), "/items/{id}:") {
			t.Errorf("export of stage %q: %v, /later %v wanted\n%s", stage, err, want, out.Body)
		}
	}
	_, err = c.ExportApi(ctx, &apigatewayv2.ExportApiInput{ApiId: id, OutputType: aws.String("JSON"), Specification: aws.String("OAS30"), StageName: aws.String("nope")})
	if err == nil || !strings.Contains(err.Error(), "NotFoundException") {
		t.Errorf("export of a missing stage: %v", err)
	}
}

// describeHTTPAPI is what an HTTP API defines, without its ids: its
// name, CORS, routes with their authorization and integrations, and
// authorizers.
func describeHTTPAPI(t *testing.T, c *apigatewayv2.Client, id string) string {
	t.Helper()
	ctx := context.Background()
	api, err := c.GetApi(ctx, &apigatewayv2.GetApiInput{ApiId: &id})
	if err != nil {
		t.Fatal(err)
	}
	auths, err := c.GetAuthorizers(ctx, &apigatewayv2.GetAuthorizersInput{ApiId: &id})
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{}
	var lines []string
	for _, a := range auths.Items {
		names[*a.AuthorizerId] = *a.Name
		line := fmt.Sprintf("authorizer %s %s %v %s %v %v", *a.Name, a.AuthorizerType, a.IdentitySource, aws.ToString(a.AuthorizerUri),
			aws.ToString(a.AuthorizerPayloadFormatVersion), aws.ToBool(a.EnableSimpleResponses))
		if a.JwtConfiguration != nil {
			line += fmt.Sprintf(" %s %v", aws.ToString(a.JwtConfiguration.Issuer), a.JwtConfiguration.Audience)
		}
		lines = append(lines, line)
	}
	integs, err := c.GetIntegrations(ctx, &apigatewayv2.GetIntegrationsInput{ApiId: &id})
	if err != nil {
		t.Fatal(err)
	}
	integ := map[string]string{}
	for _, i := range integs.Items {
		integ["integrations/"+*i.IntegrationId] = fmt.Sprintf("%s %s %s %s %d %v", i.IntegrationType, aws.ToString(i.IntegrationUri),
			aws.ToString(i.IntegrationMethod), aws.ToString(i.PayloadFormatVersion), aws.ToInt32(i.TimeoutInMillis), i.RequestParameters)
	}
	routes, err := c.GetRoutes(ctx, &apigatewayv2.GetRoutesInput{ApiId: &id})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range routes.Items {
		lines = append(lines, fmt.Sprintf("route %s %s %s %v %s -> %s", *r.RouteKey, r.AuthorizationType, names[aws.ToString(r.AuthorizerId)],
			r.AuthorizationScopes, aws.ToString(r.OperationName), integ[aws.ToString(r.Target)]))
	}
	slices.Sort(lines)
	cors := api.CorsConfiguration
	return fmt.Sprintf("%s %s %s cors %v %v %d\n%s", *api.Name, aws.ToString(api.Description), aws.ToString(api.Version),
		cors.AllowOrigins, cors.AllowMethods, aws.ToInt32(cors.MaxAge), strings.Join(lines, "\n"))
}
