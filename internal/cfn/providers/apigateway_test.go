package providers_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"github.com/virga/virga/internal/cfn/resource"
)

// echoSource is a function that answers API Gateway's proxy events
// (payload 1.0 and 2.0) with what they carried.
const echoSource = `import json

def handler(event, context):
    ctx = event.get("requestContext") or {}
    return {"statusCode": 200, "headers": {"content-type": "application/json"},
            "body": json.dumps({"method": event.get("httpMethod") or ctx.get("http", {}).get("method"),
                                "path": event.get("path") or event.get("rawPath"),
                                "stage": ctx.get("stage"), "routeKey": event.get("routeKey"),
                                "vars": event.get("stageVariables")})}
`

// echoFunction makes the echo function and returns its ARN.
func (s *stack) echoFunction() string {
	s.t.Helper()
	fn := s.create("AWS::Lambda::Function", "Echo", map[string]any{
		"Runtime": "python3.12", "Handler": "index.handler", "Role": testRole,
		"Code": map[string]any{"ZipFile": echoSource},
	})
	return fn.attr("Arn")
}

// invocationURI is the URI API Gateway integrations call a function by.
func invocationURI(fn string) string {
	return "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + fn + "/invocations"
}

// openAPI is an OpenAPI document whose paths answer GET through a Lambda
// proxy integration.
func openAPI(title, uri string, paths ...string) map[string]any {
	ps := map[string]any{}
	for _, p := range paths {
		ps[p] = map[string]any{"get": map[string]any{"x-amazon-apigateway-integration": map[string]any{
			"type": "aws_proxy", "httpMethod": "POST", "uri": uri,
		}}}
	}
	return map[string]any{"openapi": "3.0.1", "info": map[string]any{"title": title, "version": "1.0"}, "paths": ps}
}

// fetch sends a request to virga's data plane with plain net/http and
// returns the status, the body decoded if it is JSON, and the headers.
func (s *stack) fetch(method, path string) (int, map[string]any, http.Header) {
	s.t.Helper()
	req, err := http.NewRequestWithContext(s.t.Context(), method, s.v.Endpoint+path, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var body map[string]any
	_ = json.Unmarshal(raw, &body)
	if body == nil {
		body = map[string]any{"raw": string(raw)}
	}
	return resp.StatusCode, body, resp.Header
}

// errCode runs an operation that must fail and returns its error code.
func (s *stack) errCode(service, op string, in map[string]any) string {
	s.t.Helper()
	code := s.callErr(service, op, in)
	if code == "" {
		s.t.Errorf("%s %s %v succeeded", service, op, in)
	}
	return code
}

func TestRestAPIFromOpenAPI(t *testing.T) {
	t.Parallel()
	needs(t, "python3")
	s := newStack(t)
	uri := invocationURI(s.echoFunction())
	props := map[string]any{
		"Name":                  "pets",
		"Description":           "Pets of the test",
		"Body":                  openAPI("from-the-document", uri, "/hello"),
		"BinaryMediaTypes":      []any{"image/png"},
		"EndpointConfiguration": map[string]any{"Types": []any{"REGIONAL"}},
		"Tags":                  []any{map[string]any{"Key": "team", "Value": "core"}},
	}
	api := s.create("AWS::ApiGateway::RestApi", "Api", props)
	id := api.ref()
	got := s.call("apigateway", "GetRestApi", map[string]any{"restApiId": id})
	if str(got, "name") != "pets" || str(got, "description") != "Pets of the test" || str(got, "rootResourceId") != api.attr("RootResourceId") ||
		api.attr("RestApiId") != id || !slices.Equal(stringsOf(got["binaryMediaTypes"]), []string{"image/png"}) ||
		!slices.Equal(stringsOf(get(got, "endpointConfiguration", "types")), []string{"REGIONAL"}) || str(got, "tags", "team") != "core" {
		t.Errorf("API as created: %v", got)
	}
	if paths := s.resourcePaths(id); !slices.Equal(paths, []string{"/", "/hello"}) {
		t.Errorf("resources: %v", paths)
	}
	api.checkReplacement(map[string]map[string]any{
		"Name": {"Name": "other"}, "Body": {"Body": openAPI("x", uri, "/x")}, "EndpointConfiguration": {"EndpointConfiguration": nil},
	})

	dep := s.create("AWS::ApiGateway::Deployment", "Deployment", map[string]any{
		"RestApiId": id, "StageName": "Stage",
		"StageDescription": map[string]any{"Variables": map[string]any{"color": "red"}, "MetricsEnabled": "true", "Description": "made by the deployment"},
	})
	if dep.attr("DeploymentId") != dep.ref() {
		t.Errorf("deployment Ref %s, DeploymentId %s", dep.ref(), dep.attr("DeploymentId"))
	}
	made := s.call("apigateway", "GetStage", map[string]any{"restApiId": id, "stageName": "Stage"})
	if str(made, "deploymentId") != dep.ref() || str(made, "description") != "made by the deployment" ||
		str(made, "methodSettings", "*/*", "metricsEnabled") != "true" {
		t.Errorf("the deployment's stage: %v", made)
	}
	stageProps := map[string]any{
		"RestApiId": id, "StageName": "prod", "DeploymentId": dep.ref(),
		"Variables":        map[string]any{"color": "blue"},
		"MethodSettings":   []any{map[string]any{"ResourcePath": "/*", "HttpMethod": "*", "ThrottlingBurstLimit": "10"}},
		"AccessLogSetting": map[string]any{"DestinationArn": "arn:aws:logs:us-east-1:000000000000:log-group:access:*", "Format": "$context.requestId"},
	}
	stage := s.create("AWS::ApiGateway::Stage", "Prod", stageProps)
	if stage.ref() != "prod" {
		t.Errorf("stage Ref %s", stage.ref())
	}
	if got := s.call("apigateway", "GetStage", map[string]any{"restApiId": id, "stageName": "prod"}); str(got, "methodSettings", "*/*", "throttlingBurstLimit") != "10" ||
		str(got, "accessLogSettings", "destinationArn") != "arn:aws:logs:us-east-1:000000000000:log-group:access:*" ||
		str(got, "accessLogSettings", "format") != "$context.requestId" {
		t.Errorf("stage as created: %v", got)
	}
	status, body, _ := s.fetch("GET", "/_aws/execute-api/"+id+"/prod/hello")
	if status != 200 || body["path"] != "/hello" || body["stage"] != "prod" || str(body, "vars", "color") != "blue" {
		t.Errorf("GET prod/hello: %d %v", status, body)
	}
	if status, body, _ := s.fetch("GET", "/_aws/execute-api/"+id+"/Stage/hello"); status != 200 || str(body, "vars", "color") != "red" {
		t.Errorf("GET Stage/hello: %d %v", status, body)
	}

	// A new document, deployed by a new deployment the stage moves to.
	props = with(props, map[string]any{"Body": openAPI("from-the-document", uri, "/hello", "/bye"), "Description": nil})
	api.update(props)
	got = s.call("apigateway", "GetRestApi", map[string]any{"restApiId": id})
	if str(got, "name") != "pets" || str(got, "description") != "" || !slices.Equal(stringsOf(got["binaryMediaTypes"]), []string{"image/png"}) {
		t.Errorf("API after the update: %v", got)
	}
	if paths := s.resourcePaths(id); !slices.Equal(paths, []string{"/", "/bye", "/hello"}) {
		t.Errorf("resources after the update: %v", paths)
	}
	dep2 := s.create("AWS::ApiGateway::Deployment", "Deployment2", map[string]any{"RestApiId": id})
	stage.checkReplacement(map[string]map[string]any{
		"StageName": {"StageName": "other"}, "DeploymentId": {"DeploymentId": dep2.ref()}, "Variables": {"Variables": nil},
	}, "StageName")
	stage.update(with(stageProps, map[string]any{"DeploymentId": dep2.ref(), "Variables": map[string]any{"color": "green", "size": "L"}, "MethodSettings": nil, "AccessLogSetting": nil}))
	status, body, _ = s.fetch("GET", "/_aws/execute-api/"+id+"/prod/bye")
	if status != 200 || body["path"] != "/bye" || str(body, "vars", "color") != "green" || str(body, "vars", "size") != "L" {
		t.Errorf("GET prod/bye after the update: %d %v", status, body)
	}
	if got := s.call("apigateway", "GetStage", map[string]any{"restApiId": id, "stageName": "prod"}); get(got, "methodSettings", "*/*") != nil ||
		get(got, "accessLogSettings") != nil {
		t.Errorf("method settings and access log settings after they were dropped: %v", got)
	}
	if status, _, _ := s.fetch("GET", "/_aws/execute-api/"+id+"/Stage/bye"); status == 200 {
		t.Error("the first deployment serves a path it did not have")
	}

	stage.delete()
	if code := s.errCode("apigateway", "GetStage", map[string]any{"restApiId": id, "stageName": "prod"}); code != "NotFoundException" {
		t.Errorf("GetStage after the delete: %q", code)
	}
	dep2.delete()
	dep.delete() // and the stage it made
	if code := s.errCode("apigateway", "GetStage", map[string]any{"restApiId": id, "stageName": "Stage"}); code != "NotFoundException" {
		t.Errorf("GetStage of the deployment's stage after its delete: %q", code)
	}
	api.delete()
	if code := s.errCode("apigateway", "GetRestApi", map[string]any{"restApiId": id}); code != "NotFoundException" {
		t.Errorf("GetRestApi after the delete: %q", code)
	}
}

// resourcePaths lists the paths of an API's resources, sorted.
func (s *stack) resourcePaths(id string) []string {
	s.t.Helper()
	out := s.call("apigateway", "GetResources", map[string]any{"restApiId": id, "limit": 500})
	var paths []string
	for _, e := range out["item"].([]any) {
		paths = append(paths, str(e.(map[string]any), "path"))
	}
	slices.Sort(paths)
	return paths
}

// stringsOf reads a list of text from an output document.
func stringsOf(v any) []string {
	l, _ := v.([]any)
	out := []string{}
	for _, e := range l {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func TestRestAPIResourcesAndMethods(t *testing.T) {
	t.Parallel()
	needs(t, "python3")
	s := newStack(t)
	uri := invocationURI(s.echoFunction())
	api := s.create("AWS::ApiGateway::RestApi", "Api", map[string]any{"Name": "explicit", "Description": "one", "BinaryMediaTypes": []any{"image/png"}})
	id := api.ref()
	api.update(map[string]any{"Name": "explicit2", "ApiKeySourceType": "AUTHORIZER", "MinimumCompressionSize": "1024",
		"BinaryMediaTypes": []any{"image/gif"}, "DisableExecuteApiEndpoint": false})
	got := s.call("apigateway", "GetRestApi", map[string]any{"restApiId": id})
	if str(got, "name") != "explicit2" || str(got, "description") != "" || str(got, "apiKeySource") != "AUTHORIZER" ||
		str(got, "minimumCompressionSize") != "1024" || !slices.Equal(stringsOf(got["binaryMediaTypes"]), []string{"image/gif"}) {
		t.Errorf("API after the update: %v", got)
	}

	items := s.create("AWS::ApiGateway::Resource", "Items", map[string]any{"RestApiId": id, "ParentId": api.attr("RootResourceId"), "PathPart": "items"})
	if items.attr("ResourceId") != items.ref() || str(s.call("apigateway", "GetResource", map[string]any{"restApiId": id, "resourceId": items.ref()}), "path") != "/items" {
		t.Errorf("resource %s", items.ref())
	}
	items.checkReplacement(map[string]map[string]any{"PathPart": {"PathPart": "things"}, "ParentId": {"ParentId": "x"}}, "PathPart", "ParentId")

	authProps := map[string]any{"RestApiId": id, "Name": "tokens", "Type": "TOKEN", "AuthorizerUri": uri,
		"IdentitySource": "method.request.header.Authorization", "AuthorizerResultTtlInSeconds": "60"}
	auth := s.create("AWS::ApiGateway::Authorizer", "Auth", authProps)
	if auth.attr("AuthorizerId") != auth.ref() {
		t.Errorf("authorizer Ref %s", auth.ref())
	}
	auth.update(with(authProps, map[string]any{"Name": "bearer", "AuthorizerResultTtlInSeconds": nil}))
	got = s.call("apigateway", "GetAuthorizer", map[string]any{"restApiId": id, "authorizerId": auth.ref()})
	if str(got, "name") != "bearer" || str(got, "authorizerResultTtlInSeconds") != "300" || str(got, "type") != "TOKEN" {
		t.Errorf("authorizer after the update: %v", got)
	}

	mockProps := map[string]any{
		"RestApiId": id, "ResourceId": items.ref(), "HttpMethod": "get", "AuthorizationType": "NONE",
		"MethodResponses": []any{map[string]any{"StatusCode": "200", "ResponseParameters": map[string]any{"method.response.header.X-Kind": "true"}}},
		"Integration": map[string]any{
			"Type": "MOCK", "RequestTemplates": map[string]any{"application/json": `{"statusCode": 200}`},
			"IntegrationResponses": []any{map[string]any{"StatusCode": "200",
				"ResponseTemplates":  map[string]any{"application/json": `{"mock": 1}`},
				"ResponseParameters": map[string]any{"method.response.header.X-Kind": "'mock'"}}},
		},
	}
	mock := s.create("AWS::ApiGateway::Method", "Mock", mockProps)
	if !generated(mock.ref(), "Mock") {
		t.Errorf("method Ref %s", mock.ref())
	}
	proxy := s.create("AWS::ApiGateway::Method", "Proxy", map[string]any{
		"RestApiId": id, "ResourceId": items.ref(), "HttpMethod": "PUT",
		"Integration": map[string]any{"Type": "AWS_PROXY", "IntegrationHttpMethod": "POST", "Uri": uri},
	})
	guarded := s.create("AWS::ApiGateway::Method", "Guarded", map[string]any{
		"RestApiId": id, "ResourceId": items.ref(), "HttpMethod": "POST", "AuthorizationType": "CUSTOM", "AuthorizerId": auth.ref(),
		"RequestParameters": map[string]any{"method.request.header.Authorization": "true"},
		"Integration":       map[string]any{"Type": "AWS_PROXY", "IntegrationHttpMethod": "POST", "Uri": uri},
	})
	key := func(verb string) map[string]any {
		return map[string]any{"restApiId": id, "resourceId": items.ref(), "httpMethod": verb}
	}
	if got := s.call("apigateway", "GetIntegration", key("PUT")); str(got, "httpMethod") != "POST" || str(got, "type") != "AWS_PROXY" {
		t.Errorf("the proxy integration: %v", got)
	}
	if got := s.call("apigateway", "GetIntegration", key("GET")); str(got, "type") != "MOCK" || str(got, "httpMethod") != "" {
		t.Errorf("the mock integration: %v", got)
	}
	if got := s.call("apigateway", "GetMethod", key("POST")); str(got, "authorizerId") != auth.ref() || str(got, "requestParameters", "method.request.header.Authorization") != "true" {
		t.Errorf("the guarded method: %v", got)
	}
	// A method that cannot be integrated is not left behind.
	if _, err := s.tryCreate("AWS::ApiGateway::Method", "Broken", map[string]any{
		"RestApiId": id, "ResourceId": items.ref(), "HttpMethod": "DELETE", "Integration": map[string]any{"Type": "AWS_PROXY", "Uri": uri},
	}); err == nil {
		t.Error("an AWS_PROXY integration without IntegrationHttpMethod was made")
	}
	if code := s.errCode("apigateway", "GetMethod", key("DELETE")); code != "NotFoundException" {
		t.Errorf("GetMethod of the failed method: %q", code)
	}

	dep := s.create("AWS::ApiGateway::Deployment", "Deployment", map[string]any{"RestApiId": id, "StageName": "dev"})
	status, body, hdr := s.fetch("GET", "/_aws/execute-api/"+id+"/dev/items")
	if status != 200 || str(body, "mock") != "1" || hdr.Get("X-Kind") != "mock" {
		t.Errorf("GET dev/items: %d %v %v", status, body, hdr)
	}
	if status, body, _ := s.fetch("PUT", "/_aws/execute-api/"+id+"/dev/items"); status != 200 || body["method"] != "PUT" || body["path"] != "/items" {
		t.Errorf("PUT dev/items: %d %v", status, body)
	}

	mock.checkReplacement(map[string]map[string]any{"HttpMethod": {"HttpMethod": "PATCH"}, "Integration": {"Integration": nil}}, "HttpMethod")
	integration := mockProps["Integration"].(map[string]any)
	mock.update(with(mockProps, map[string]any{"Integration": with(integration, map[string]any{
		"IntegrationResponses": []any{map[string]any{"StatusCode": "200", "ResponseTemplates": map[string]any{"application/json": `{"mock": 2}`}}},
	})}))
	ir := s.call("apigateway", "GetIntegrationResponse", with(key("GET"), map[string]any{"statusCode": "200"}))
	if str(ir, "responseTemplates", "application/json") != `{"mock": 2}` {
		t.Errorf("integration response after the update: %v", ir)
	}
	// The stage's deployment keeps what it deployed.
	if status, body, _ := s.fetch("GET", "/_aws/execute-api/"+id+"/dev/items"); status != 200 || str(body, "mock") != "1" {
		t.Errorf("GET dev/items after the method's update: %d %v", status, body)
	}
	dep.update(map[string]any{"RestApiId": id, "StageName": "qa"})
	if code := s.errCode("apigateway", "GetStage", map[string]any{"restApiId": id, "stageName": "dev"}); code != "NotFoundException" {
		t.Errorf("the deployment's old stage after it moved: %q", code)
	}
	if got := s.call("apigateway", "GetStage", map[string]any{"restApiId": id, "stageName": "qa"}); str(got, "deploymentId") != dep.ref() {
		t.Errorf("the deployment's new stage: %v", got)
	}

	for _, r := range []*res{dep, guarded, proxy, mock, auth, items} {
		r.delete()
	}
	if code := s.errCode("apigateway", "GetMethod", key("GET")); code != "NotFoundException" {
		t.Errorf("GetMethod after the delete: %q", code)
	}
	if code := s.errCode("apigateway", "GetResource", map[string]any{"restApiId": id, "resourceId": items.ref()}); code != "NotFoundException" {
		t.Errorf("GetResource after the delete: %q", code)
	}
	api.delete()
}

func TestRestAPIDefinitionForms(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	mock := map[string]any{"get": map[string]any{"x-amazon-apigateway-integration": map[string]any{"type": "mock"}}}
	// Named by its document's title, in an object...
	a := s.create("AWS::ApiGateway::RestApi", "A", map[string]any{"Body": map[string]any{
		"swagger": "2.0", "info": map[string]any{"title": "titled", "version": "1"}, "paths": map[string]any{"/a": mock},
	}})
	if got := s.call("apigateway", "GetRestApi", map[string]any{"restApiId": a.ref()}); str(got, "name") != "titled" {
		t.Errorf("API named by its document: %v", got)
	}
	// ... or in YAML text, with tags set after the import.
	yaml := "openapi: 3.0.1\ninfo:\n  title: yaml-api\n  version: '1'\npaths:\n  /y:\n    get:\n      x-amazon-apigateway-integration:\n        type: mock\n"
	b := s.create("AWS::ApiGateway::RestApi", "B", map[string]any{"Body": yaml, "Tags": []any{map[string]any{"Key": "k", "Value": "v"}},
		"Parameters": map[string]any{"ignore": "documentation"}})
	got := s.call("apigateway", "GetRestApi", map[string]any{"restApiId": b.ref()})
	if str(got, "name") != "yaml-api" || str(got, "tags", "k") != "v" || !slices.Equal(s.resourcePaths(b.ref()), []string{"/", "/y"}) {
		t.Errorf("API imported from YAML: %v", got)
	}
	if _, err := s.tryCreate("AWS::ApiGateway::RestApi", "C", map[string]any{"Name": "x", "BodyS3Location": map[string]any{"Bucket": "b", "Key": "k"}}); err == nil || !strings.Contains(err.Error(), "no S3") {
		t.Errorf("an API in S3 without an engine that reads S3: %v", err)
	}
	for name, p := range map[string]map[string]any{
		"a base path": {"Body": yaml, "Parameters": map[string]any{"basepath": "prepend"}},
	} {
		if _, err := s.tryCreate("AWS::ApiGateway::RestApi", "C", p); err == nil || !strings.Contains(err.Error(), "virga") {
			t.Errorf("an API %s: %v", name, err)
		}
	}
	a.delete()
	b.delete()
}

// TestAPIGatewayAccount sets the account's CloudWatch role; the Ref is
// generated.
func TestAPIGatewayAccount(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	account := s.create("AWS::ApiGateway::Account", "Account", map[string]any{"CloudWatchRoleArn": testRole})
	if !generated(account.ref(), "Account") || account.attr("Id") != account.ref() {
		t.Errorf("account Ref %s", account.ref())
	}
	account.delete()
}

// TestAPIGatewayUsagePlans makes a usage plan, an API key and the key's
// membership of the plan, changes them in place and deletes them.
func TestAPIGatewayUsagePlans(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	plan := s.create("AWS::ApiGateway::UsagePlan", "Plan", map[string]any{"UsagePlanName": "gold",
		"Quota": map[string]any{"Limit": "1000", "Period": "DAY"}, "Throttle": map[string]any{"BurstLimit": 20, "RateLimit": 10}})
	key := s.create("AWS::ApiGateway::ApiKey", "Key", map[string]any{"Name": "k", "Enabled": "true", "Value": "abcdefghijklmnopqrstuvwxyz"})
	member := s.create("AWS::ApiGateway::UsagePlanKey", "Member", map[string]any{"KeyId": key.ref(), "KeyType": "API_KEY", "UsagePlanId": plan.ref()})
	if len(plan.ref()) != 6 || plan.attr("Id") != plan.ref() || strings.ToLower(plan.ref()) != plan.ref() {
		t.Errorf("usage plan Ref %s", plan.ref())
	}
	if len(key.ref()) != 10 || key.attr("APIKeyId") != key.ref() {
		t.Errorf("API key Ref %s", key.ref())
	}
	if member.ref() != key.ref()+":"+plan.ref() || member.attr("Id") != key.ref() {
		t.Errorf("usage plan key Ref %s, Id %s", member.ref(), member.attr("Id"))
	}
	got := s.call("apigateway", "GetUsagePlan", map[string]any{"usagePlanId": plan.ref()})
	if str(got, "name") != "gold" || str(got, "quota", "limit") != "1000" || str(got, "quota", "period") != "DAY" ||
		str(got, "throttle", "burstLimit") != "20" {
		t.Errorf("GetUsagePlan: %v", got)
	}
	keys := s.call("apigateway", "GetUsagePlanKeys", map[string]any{"usagePlanId": plan.ref()})
	if items, _ := keys["item"].([]any); len(items) != 1 || str(items[0].(map[string]any), "value") != "abcdefghijklmnopqrstuvwxyz" {
		t.Errorf("GetUsagePlanKeys: %v", keys)
	}
	key.checkReplacement(map[string]map[string]any{"Name": {"Name": "other"}, "Enabled": {"Enabled": false}}, "Name")
	plan.update(map[string]any{"UsagePlanName": "silver", "Quota": map[string]any{"Limit": 5, "Period": "WEEK"}})
	key.update(map[string]any{"Name": "k", "Enabled": false, "Value": "abcdefghijklmnopqrstuvwxyz", "Description": "off"})
	got = s.call("apigateway", "GetUsagePlan", map[string]any{"usagePlanId": plan.ref()})
	if str(got, "name") != "silver" || str(got, "quota", "limit") != "5" || str(got, "quota", "period") != "WEEK" {
		t.Errorf("GetUsagePlan after the update: %v", got)
	}
	k := s.call("apigateway", "GetApiKey", map[string]any{"apiKey": key.ref()})
	if str(k, "enabled") != "false" || str(k, "description") != "off" || k["value"] != nil {
		t.Errorf("GetApiKey after the update: %v", k)
	}
	for _, r := range []*res{member, key, plan} {
		r.delete()
	}
}

// TestAPIGatewayGatewayResponse customizes a response type, changes the
// customization in place and removes it.
func TestAPIGatewayGatewayResponse(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	api := s.create("AWS::ApiGateway::RestApi", "Api", map[string]any{"Name": "gr"})
	gr := s.create("AWS::ApiGateway::GatewayResponse", "Cors4xx", map[string]any{
		"RestApiId": api.ref(), "ResponseType": "DEFAULT_4XX",
		"ResponseParameters": map[string]any{"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"},
	})
	if gr.ref() != api.ref()+":DEFAULT_4XX" {
		t.Errorf("Ref %s", gr.ref())
	}
	read := func() map[string]any {
		return s.call("apigateway", "GetGatewayResponse", map[string]any{"restApiId": api.ref(), "responseType": "DEFAULT_4XX"})
	}
	if got := read(); str(got, "defaultResponse") != "false" || str(got, "responseParameters", "gatewayresponse.header.Access-Control-Allow-Origin") != "'*'" {
		t.Errorf("after create: %v", got)
	}
	gr.update(map[string]any{"RestApiId": api.ref(), "ResponseType": "DEFAULT_4XX", "StatusCode": 400,
		"ResponseTemplates": map[string]any{"application/json": `{"m":$context.error.messageString}`}})
	if got := read(); str(got, "statusCode") != "400" || len(got["responseParameters"].(map[string]any)) != 0 ||
		str(got, "responseTemplates", "application/json") != `{"m":$context.error.messageString}` {
		t.Errorf("after update: %v", got)
	}
	gr.checkReplacement(map[string]map[string]any{"ResponseType": {"ResponseType": "DEFAULT_5XX"}, "StatusCode": {"StatusCode": "401"}}, "ResponseType")
	gr.delete()
	if got := read(); str(got, "defaultResponse") != "true" {
		t.Errorf("after delete: %v", got)
	}
	api.delete()
}

// TestAPIGatewayRegistered checks that the API Gateway types are
// registered.
func TestAPIGatewayRegistered(t *testing.T) {
	t.Parallel()
	for _, name := range []string{
		"AWS::ApiGateway::Account", "AWS::ApiGateway::ApiKey", "AWS::ApiGateway::Authorizer", "AWS::ApiGateway::Deployment",
		"AWS::ApiGateway::Method", "AWS::ApiGateway::Resource", "AWS::ApiGateway::RestApi", "AWS::ApiGateway::Stage",
		"AWS::ApiGateway::UsagePlan", "AWS::ApiGateway::UsagePlanKey", "AWS::ApiGateway::GatewayResponse",
		"AWS::ApiGateway::Model", "AWS::ApiGateway::RequestValidator", "AWS::ApiGateway::ClientCertificate",
		"AWS::ApiGateway::VpcLink", "AWS::ApiGateway::DocumentationPart", "AWS::ApiGateway::DocumentationVersion",
		"AWS::ApiGatewayV2::Api", "AWS::ApiGatewayV2::Authorizer", "AWS::ApiGatewayV2::Deployment",
		"AWS::ApiGatewayV2::Integration", "AWS::ApiGatewayV2::Route", "AWS::ApiGatewayV2::Stage",
	} {
		if resource.Lookup(name) == nil {
			t.Errorf("%s is not registered", name)
		}
	}
}

// apiStackTemplate is a REST API defined by an OpenAPI document and an
// HTTP API built from resources, both in front of one function.
const apiStackTemplate = `Resources:
  Echo:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: arn:aws:iam::000000000000:role/echo
      Code:
        ZipFile: |
          import json
          def handler(event, context):
              return {"statusCode": 200, "body": json.dumps({"path": event.get("path") or event.get("rawPath")})}
  Rest:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: stack-rest
      Body:
        openapi: 3.0.1
        info: {title: stack-rest, version: "1"}
        paths:
          /hello:
            get:
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Echo.Arn}/invocations
  RestDeployment:
    Type: AWS::ApiGateway::Deployment
    Properties:
      RestApiId: !Ref Rest
      StageName: Stage
  RestStage:
    Type: AWS::ApiGateway::Stage
    Properties:
      RestApiId: !Ref Rest
      StageName: prod
      DeploymentId: !Ref RestDeployment
  Http:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      Name: stack-http
      ProtocolType: HTTP
  HttpIntegration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Http
      IntegrationType: AWS_PROXY
      IntegrationUri: !GetAtt Echo.Arn
      PayloadFormatVersion: "2.0"
  HttpRoute:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref Http
      RouteKey: GET /hello
      Target: !Sub integrations/${HttpIntegration}
  HttpStage:
    Type: AWS::ApiGatewayV2::Stage
    DependsOn: HttpRoute
    Properties:
      ApiId: !Ref Http
      StageName: $default
      AutoDeploy: true
Outputs:
  RestId:
    Value: !Ref Rest
  HttpId:
    Value: !Ref Http
  HttpEndpoint:
    Value: !GetAtt Http.ApiEndpoint
`

// TestAPIGatewayStack deploys both kinds of API as a stack, through
// CloudFormation's engine and the app's in-process calls, and deletes it.
func TestAPIGatewayStack(t *testing.T) {
	t.Parallel()
	needs(t, "python3")
	s := newStack(t)
	ctx := t.Context()
	cf := cloudformation.NewFromConfig(s.v.Config)
	created, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("apis"), TemplateBody: aws.String(apiStackTemplate)})
	if err != nil {
		t.Fatal(err)
	}
	stackID := &cloudformation.DescribeStacksInput{StackName: created.StackId}
	if err := cloudformation.NewStackCreateCompleteWaiter(cf).Wait(ctx, stackID, 2*time.Minute); err != nil {
		evs, _ := cf.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: created.StackId})
		for _, e := range evs.StackEvents {
			t.Logf("%s %s %s", aws.ToString(e.LogicalResourceId), e.ResourceStatus, aws.ToString(e.ResourceStatusReason))
		}
		t.Fatal(err)
	}
	st, err := cf.DescribeStacks(ctx, stackID)
	if err != nil {
		t.Fatal(err)
	}
	outs := map[string]string{}
	for _, o := range st.Stacks[0].Outputs {
		outs[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
	}
	if !strings.HasPrefix(outs["HttpEndpoint"], "http://"+outs["HttpId"]+".execute-api.localhost:") {
		t.Errorf("outputs: %v", outs)
	}
	for _, path := range []string{"/_aws/execute-api/" + outs["RestId"] + "/prod/hello", "/_aws/execute-api/" + outs["RestId"] + "/Stage/hello",
		"/_aws/execute-api/" + outs["HttpId"] + "/hello"} {
		if status, body, _ := s.fetch("GET", path); status != 200 || body["path"] != "/hello" {
			t.Errorf("GET %s: %d %v", path, status, body)
		}
	}
	if _, err := cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: created.StackId}); err != nil {
		t.Fatal(err)
	}
	if err := cloudformation.NewStackDeleteCompleteWaiter(cf).Wait(ctx, stackID, 2*time.Minute); err != nil {
		t.Fatal(err)
	}
	if code := s.errCode("apigateway", "GetRestApi", map[string]any{"restApiId": outs["RestId"]}); code != "NotFoundException" {
		t.Errorf("GetRestApi after the stack's delete: %q", code)
	}
	if code := s.errCode("apigatewayv2", "GetApi", map[string]any{"ApiId": outs["HttpId"]}); code != "NotFoundException" {
		t.Errorf("GetApi after the stack's delete: %q", code)
	}
}

// samAPITemplate is a SAM function behind an implicit REST API and an
// implicit HTTP API, which the transform writes as the types here.
const samAPITemplate = `Transform: AWS::Serverless-2016-10-31
Resources:
  Echo:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        import json
        def handler(event, context):
            return {"statusCode": 200, "body": json.dumps({"path": event.get("path") or event.get("rawPath")})}
      Events:
        Rest:
          Type: Api
          Properties:
            Path: /rest
            Method: get
        Http:
          Type: HttpApi
          Properties:
            Path: /http
            Method: get
Outputs:
  RestId:
    Value: !Ref ServerlessRestApi
  HttpId:
    Value: !Ref ServerlessHttpApi
`

// TestAPIGatewaySAMStack deploys SAM's implicit APIs and calls both.
func TestAPIGatewaySAMStack(t *testing.T) {
	t.Parallel()
	needs(t, "python3")
	s := newStack(t)
	ctx := t.Context()
	cf := cloudformation.NewFromConfig(s.v.Config)
	created, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("sam-apis"), TemplateBody: aws.String(samAPITemplate),
		Capabilities: []cftypes.Capability{cftypes.CapabilityCapabilityIam, cftypes.CapabilityCapabilityAutoExpand}})
	if err != nil {
		t.Fatal(err)
	}
	stackID := &cloudformation.DescribeStacksInput{StackName: created.StackId}
	if err := cloudformation.NewStackCreateCompleteWaiter(cf).Wait(ctx, stackID, 2*time.Minute); err != nil {
		evs, _ := cf.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: created.StackId})
		for _, e := range evs.StackEvents {
			t.Logf("%s %s %s", aws.ToString(e.LogicalResourceId), e.ResourceStatus, aws.ToString(e.ResourceStatusReason))
		}
		t.Fatal(err)
	}
	st, err := cf.DescribeStacks(ctx, stackID)
	if err != nil {
		t.Fatal(err)
	}
	outs := map[string]string{}
	for _, o := range st.Stacks[0].Outputs {
		outs[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
	}
	for path, want := range map[string]string{
		"/_aws/execute-api/" + outs["RestId"] + "/Prod/rest": "/rest",
		"/_aws/execute-api/" + outs["HttpId"] + "/http":      "/http",
	} {
		if status, body, _ := s.fetch("GET", path); status != 200 || body["path"] != want {
			t.Errorf("GET %s: %d %v", path, status, body)
		}
	}

	// A new path: SAM writes a new document and a new deployment, which
	// the stage moves to before the old one goes.
	if _, err := cf.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: created.StackId,
		TemplateBody: aws.String(strings.Replace(samAPITemplate, "Path: /rest", "Path: /rest2", 1)),
		Capabilities: []cftypes.Capability{cftypes.CapabilityCapabilityIam, cftypes.CapabilityCapabilityAutoExpand}}); err != nil {
		t.Fatal(err)
	}
	if err := cloudformation.NewStackUpdateCompleteWaiter(cf).Wait(ctx, stackID, 2*time.Minute); err != nil {
		t.Fatal(err)
	}
	if status, body, _ := s.fetch("GET", "/_aws/execute-api/"+outs["RestId"]+"/Prod/rest2"); status != 200 || body["path"] != "/rest2" {
		t.Errorf("GET Prod/rest2 after the update: %d %v", status, body)
	}
	deps := s.call("apigateway", "GetDeployments", map[string]any{"restApiId": outs["RestId"]})
	if n := len(deps["item"].([]any)); n != 1 {
		t.Errorf("deployments after the update: %v", deps)
	}

	if _, err := cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: created.StackId}); err != nil {
		t.Fatal(err)
	}
	if err := cloudformation.NewStackDeleteCompleteWaiter(cf).Wait(ctx, stackID, 2*time.Minute); err != nil {
		t.Fatal(err)
	}
	if code := s.errCode("apigateway", "GetRestApi", map[string]any{"restApiId": outs["RestId"]}); code != "NotFoundException" {
		t.Errorf("GetRestApi after the stack's delete: %q", code)
	}
}

// TestDeploymentCreateFailsAfterMaking: a deployment whose stage
// settings are refused (a cache TTL that is no number) after
// CreateDeployment made it and its stage is named in the result, so that
// the rollback deletes both.
func TestDeploymentCreateFailsAfterMaking(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	api := s.create("AWS::ApiGateway::RestApi", "Api", map[string]any{"Name": "made"})
	s.create("AWS::ApiGateway::Method", "Get", map[string]any{"RestApiId": api.ref(), "ResourceId": api.attr("RootResourceId"),
		"HttpMethod": "GET", "AuthorizationType": "NONE", "Integration": map[string]any{"Type": "MOCK"}})
	res := s.failedCreate("AWS::ApiGateway::Deployment", "Deployment", map[string]any{
		"RestApiId": api.ref(), "StageName": "Stage", "StageDescription": map[string]any{"CacheTtlInSeconds": "forever"},
	})
	if res == nil || res.PhysicalID == "" {
		t.Fatalf("Create: %+v", res)
	}
	s.call("apigateway", "GetDeployment", map[string]any{"restApiId": api.ref(), "deploymentId": res.PhysicalID})
}

// manyTags is one tag more than API Gateway lets a resource have.
func manyTags() []any {
	var tags []any
	for i := range 51 {
		tags = append(tags, map[string]any{"Key": fmt.Sprintf("k%d", i), "Value": "v"})
	}
	return tags
}

// TestRestAPIImportFailsAfterMaking: a REST API imported from a
// document whose title only ImportRestApi reads, and whose tags are then
// refused (more than 50), is named in the result, so that the rollback
// deletes it.
func TestRestAPIImportFailsAfterMaking(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	res := s.failedCreate("AWS::ApiGateway::RestApi", "Api", map[string]any{
		"Body": "openapi: 3.0.1\ninfo: {title: made, version: '1'}\npaths: {}\n", "Tags": manyTags(),
	})
	if res == nil || res.PhysicalID == "" {
		t.Fatalf("Create: %+v", res)
	}
	s.call("apigateway", "GetRestApi", map[string]any{"restApiId": res.PhysicalID})
}
