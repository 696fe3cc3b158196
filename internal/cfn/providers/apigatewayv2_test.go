package providers_test

import (
	"net/url"
	"slices"
	"strings"
	"testing"
)

func TestHTTPAPI(t *testing.T) {
	t.Parallel()
	needs(t, "python3")
	s := newStack(t)
	fn := s.echoFunction()
	apiProps := map[string]any{
		"Name": "echo", "ProtocolType": "HTTP", "Description": "an echo",
		"CorsConfiguration": map[string]any{"AllowOrigins": []any{"https://example.com"}, "AllowMethods": []any{"GET"}, "MaxAge": "300"},
		"Tags":              map[string]any{"team": "core"},
	}
	api := s.create("AWS::ApiGatewayV2::Api", "Api", apiProps)
	id := api.ref()
	u, _ := url.Parse(s.v.Endpoint)
	if api.attr("ApiId") != id || api.attr("ApiEndpoint") != "http://"+id+".execute-api.localhost:"+u.Port() {
		t.Errorf("API %s: %v", id, api.result.Attributes)
	}
	got := s.call("apigatewayv2", "GetApi", map[string]any{"ApiId": id})
	if str(got, "name") != "echo" || str(got, "description") != "an echo" || str(got, "corsConfiguration", "maxAge") != "300" ||
		!slices.Equal(stringsOf(get(got, "corsConfiguration", "allowOrigins")), []string{"https://example.com"}) || str(got, "tags", "team") != "core" {
		t.Errorf("API as created: %v", got)
	}
	api.checkReplacement(map[string]map[string]any{
		"ProtocolType": {"ProtocolType": "WEBSOCKET"}, "Name": {"Name": "other"}, "CorsConfiguration": {"CorsConfiguration": nil},
	}, "ProtocolType")

	integProps := map[string]any{"ApiId": id, "IntegrationType": "AWS_PROXY", "IntegrationUri": fn, "PayloadFormatVersion": "2.0", "TimeoutInMillis": "29000"}
	integ := s.create("AWS::ApiGatewayV2::Integration", "Integration", integProps)
	if integ.attr("IntegrationId") != integ.ref() {
		t.Errorf("integration Ref %s", integ.ref())
	}
	routeProps := map[string]any{"ApiId": id, "RouteKey": "GET /hello", "Target": "integrations/" + integ.ref()}
	route := s.create("AWS::ApiGatewayV2::Route", "Route", routeProps)
	if route.attr("RouteId") != route.ref() {
		t.Errorf("route Ref %s", route.ref())
	}
	stageProps := map[string]any{"ApiId": id, "StageName": "$default", "AutoDeploy": "true", "StageVariables": map[string]any{"color": "blue"}}
	stage := s.create("AWS::ApiGatewayV2::Stage", "Stage", stageProps)
	if stage.ref() != "$default" {
		t.Errorf("stage Ref %s", stage.ref())
	}
	status, body, _ := s.fetch("GET", "/_aws/execute-api/"+id+"/hello")
	if status != 200 || body["routeKey"] != "GET /hello" || body["path"] != "/hello" || str(body, "vars", "color") != "blue" {
		t.Errorf("GET /hello: %d %v", status, body)
	}

	// Updates: the route moves (AutoDeploy serves it at once), the
	// integration's timeout goes back to the default, the stage's
	// variables change, the API loses its CORS configuration.
	route.checkReplacement(map[string]map[string]any{"ApiId": {"ApiId": "x"}, "RouteKey": {"RouteKey": "GET /x"}}, "ApiId")
	route.update(with(routeProps, map[string]any{"RouteKey": "GET /hi"}))
	integ.update(with(integProps, map[string]any{"TimeoutInMillis": nil, "Description": "the echo"}))
	stage.update(with(stageProps, map[string]any{"StageVariables": map[string]any{"color": "green"}}))
	api.update(with(apiProps, map[string]any{"CorsConfiguration": nil, "Description": nil, "Tags": map[string]any{"team": "platform"}}))
	if status, body, _ := s.fetch("GET", "/_aws/execute-api/"+id+"/hi"); status != 200 || body["routeKey"] != "GET /hi" || str(body, "vars", "color") != "green" {
		t.Errorf("GET /hi after the update: %d %v", status, body)
	}
	if status, _, _ := s.fetch("GET", "/_aws/execute-api/"+id+"/hello"); status != 404 {
		t.Errorf("GET /hello after the route moved: %d", status)
	}
	got = s.call("apigatewayv2", "GetIntegration", map[string]any{"ApiId": id, "IntegrationId": integ.ref()})
	if str(got, "timeoutInMillis") != "30000" || str(got, "description") != "the echo" {
		t.Errorf("integration after the update: %v", got)
	}
	got = s.call("apigatewayv2", "GetApi", map[string]any{"ApiId": id})
	if get(got, "corsConfiguration") != nil || str(got, "description") != "" || str(got, "tags", "team") != "platform" {
		t.Errorf("API after the update: %v", got)
	}

	// A named stage that shows a deployment of its own.
	dep := s.create("AWS::ApiGatewayV2::Deployment", "Deployment", map[string]any{"ApiId": id, "Description": "v1"})
	if dep.attr("DeploymentId") != dep.ref() {
		t.Errorf("deployment Ref %s", dep.ref())
	}
	named := s.create("AWS::ApiGatewayV2::Stage", "Named", map[string]any{"ApiId": id, "StageName": "v1", "DeploymentId": dep.ref(),
		"Tags": []any{map[string]any{"Key": "env", "Value": "test"}}})
	if status, body, _ := s.fetch("GET", "/_aws/execute-api/"+id+"/v1/hi"); status != 200 || body["stage"] != "v1" {
		t.Errorf("GET v1/hi: %d %v", status, body)
	}
	if got := s.call("apigatewayv2", "GetStage", map[string]any{"ApiId": id, "StageName": "v1"}); str(got, "tags", "env") != "test" {
		t.Errorf("named stage: %v", got)
	}
	dep.update(map[string]any{"ApiId": id, "Description": "v1, described"})
	if got := s.call("apigatewayv2", "GetDeployment", map[string]any{"ApiId": id, "DeploymentId": dep.ref()}); str(got, "description") != "v1, described" {
		t.Errorf("deployment after the update: %v", got)
	}

	authProps := map[string]any{"ApiId": id, "Name": "lambda", "AuthorizerType": "REQUEST", "AuthorizerUri": invocationURI(fn),
		"IdentitySource": []any{"$request.header.Authorization"}, "AuthorizerPayloadFormatVersion": "2.0", "EnableSimpleResponses": "true"}
	auth := s.create("AWS::ApiGatewayV2::Authorizer", "Auth", authProps)
	if auth.attr("AuthorizerId") != auth.ref() {
		t.Errorf("authorizer Ref %s", auth.ref())
	}
	auth.update(with(authProps, map[string]any{"Name": "renamed", "EnableSimpleResponses": nil}))
	got = s.call("apigatewayv2", "GetAuthorizer", map[string]any{"ApiId": id, "AuthorizerId": auth.ref()})
	if str(got, "name") != "renamed" || str(got, "enableSimpleResponses") == "true" {
		t.Errorf("authorizer after the update: %v", got)
	}
	// A route guarded by it, then not.
	guarded := with(routeProps, map[string]any{"RouteKey": "GET /hi", "AuthorizationType": "CUSTOM", "AuthorizerId": auth.ref()})
	route.update(guarded)
	if got := s.call("apigatewayv2", "GetRoute", map[string]any{"ApiId": id, "RouteId": route.ref()}); str(got, "authorizerId") != auth.ref() {
		t.Errorf("guarded route: %v", got)
	}
	route.update(with(guarded, map[string]any{"AuthorizationType": nil, "AuthorizerId": nil}))
	if got := s.call("apigatewayv2", "GetRoute", map[string]any{"ApiId": id, "RouteId": route.ref()}); str(got, "authorizationType") != "NONE" || get(got, "authorizerId") != nil {
		t.Errorf("route no longer guarded: %v", got)
	}

	for _, r := range []*res{named, dep, auth, stage, route, integ} {
		r.delete()
	}
	if code := s.errCode("apigatewayv2", "GetRoute", map[string]any{"ApiId": id, "RouteId": route.ref()}); code != "NotFoundException" {
		t.Errorf("GetRoute after the delete: %q", code)
	}
	if code := s.errCode("apigatewayv2", "GetStage", map[string]any{"ApiId": id, "StageName": "$default"}); code != "NotFoundException" {
		t.Errorf("GetStage after the delete: %q", code)
	}
	api.delete()
	if code := s.errCode("apigatewayv2", "GetApi", map[string]any{"ApiId": id}); code != "NotFoundException" {
		t.Errorf("GetApi after the delete: %q", code)
	}
}

func TestHTTPAPIQuickCreateAndDefinitions(t *testing.T) {
	t.Parallel()
	needs(t, "python3")
	s := newStack(t)
	fn := s.echoFunction()
	quick := s.create("AWS::ApiGatewayV2::Api", "Quick", map[string]any{"Name": "quick", "ProtocolType": "HTTP", "Target": fn})
	if status, body, _ := s.fetch("GET", "/_aws/execute-api/"+quick.ref()+"/any/path"); status != 200 || body["routeKey"] != "$default" {
		t.Errorf("GET through quick create: %d %v", status, body)
	}
	quick.update(map[string]any{"Name": "quick", "ProtocolType": "HTTP", "Target": fn, "RouteKey": "GET /only"})
	if status, _, _ := s.fetch("GET", "/_aws/execute-api/"+quick.ref()+"/any/path"); status != 404 {
		t.Errorf("GET a path the quick route no longer takes: %d", status)
	}
	if status, body, _ := s.fetch("GET", "/_aws/execute-api/"+quick.ref()+"/only"); status != 200 || body["routeKey"] != "GET /only" {
		t.Errorf("GET the quick route's new key: %d %v", status, body)
	}
	quick.delete()

	route := func(path string) map[string]any {
		return map[string]any{path: map[string]any{"get": map[string]any{"x-amazon-apigateway-integration": map[string]any{
			"type": "aws_proxy", "uri": fn, "payloadFormatVersion": "2.0"}}}}
	}
	doc := func(path string) map[string]any {
		return map[string]any{"openapi": "3.0.1", "info": map[string]any{"title": "doc", "version": "1"}, "paths": route(path)}
	}
	imported := s.create("AWS::ApiGatewayV2::Api", "Imported", map[string]any{"Body": doc("/first")})
	s.create("AWS::ApiGatewayV2::Stage", "ImportedStage", map[string]any{"ApiId": imported.ref(), "StageName": "$default", "AutoDeploy": true})
	if status, body, _ := s.fetch("GET", "/_aws/execute-api/"+imported.ref()+"/first"); status != 200 || body["routeKey"] != "GET /first" {
		t.Errorf("GET a route of the imported document: %d %v", status, body)
	}
	imported.update(map[string]any{"Body": doc("/second")})
	if status, body, _ := s.fetch("GET", "/_aws/execute-api/"+imported.ref()+"/second"); status != 200 || body["routeKey"] != "GET /second" {
		t.Errorf("GET a route of the reimported document: %d %v", status, body)
	}
	_, err := s.tryCreate("AWS::ApiGatewayV2::Api", "InS3", map[string]any{"BodyS3Location": map[string]any{"Bucket": "b", "Key": "k"}})
	if err == nil || !strings.Contains(err.Error(), "S3") {
		t.Errorf("an API from a document in S3: %v", err)
	}
}

// TestHTTPAPIImportFailsAfterMaking: an HTTP API imported from a Body
// whose tags are then refused (more than 50) is named in the result, so
// that the rollback deletes it.
func TestHTTPAPIImportFailsAfterMaking(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	res := s.failedCreate("AWS::ApiGatewayV2::Api", "Api", map[string]any{
		"Body": map[string]any{"openapi": "3.0.1", "info": map[string]any{"title": "made", "version": "1"}, "paths": map[string]any{}},
		"Tags": manyTags(),
	})
	if res == nil || res.PhysicalID == "" {
		t.Fatalf("Create: %+v", res)
	}
	s.call("apigatewayv2", "GetApi", map[string]any{"ApiId": res.PhysicalID})
}
