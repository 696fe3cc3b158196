package e2e_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/acm"
	acmtypes "github.com/aws/aws-sdk-go-v2/service/acm/types"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	agtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	gwtypes "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"golang.org/x/net/websocket"

	"github.com/virga/virga/internal/e2e"
)

// callDomain sends a request to virga's edge addressed to a custom
// domain name by its Host header, as a client whose DNS points the name
// at virga would.
func callDomain(t testing.TB, env *e2e.Env, domain, method, path string) gwReply {
	t.Helper()
	return sendGW(t, method, env.Endpoint+path, domain, nil, nil)
}

// TestAPIGWv2DomainNames: API Gateway v2's domain names and API mappings,
// with AWS's shapes and errors, share one set of domains with REST APIs'
// domain names and base path mappings.
func TestAPIGWv2DomainNames(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	c := apigatewayv2.NewFromConfig(env.Config)
	v1 := apigateway.NewFromConfig(env.Config)

	d, err := c.CreateDomainName(ctx, &apigatewayv2.CreateDomainNameInput{DomainName: aws.String("api.example.com"),
		DomainNameConfigurations: []gwtypes.DomainNameConfiguration{{
			CertificateArn: aws.String(env.Certificate(t, "api.example.com")), SecurityPolicy: gwtypes.SecurityPolicyTls12}},
		Tags: map[string]string{"team": "a"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.DomainNameConfigurations) != 1 {
		t.Fatalf("configurations %+v", d.DomainNameConfigurations)
	}
	dc := d.DomainNameConfigurations[0]
	if aws.ToString(d.ApiMappingSelectionExpression) != "$request.basepath" || d.Tags["team"] != "a" ||
		!strings.HasPrefix(aws.ToString(dc.ApiGatewayDomainName), "d-") ||
		!strings.HasSuffix(aws.ToString(dc.ApiGatewayDomainName), ".execute-api.us-east-1.amazonaws.com") ||
		dc.EndpointType != gwtypes.EndpointTypeRegional || aws.ToString(dc.HostedZoneId) != "Z1UJRXOUMOOFQ8" ||
		dc.DomainNameStatus != gwtypes.DomainNameStatusAvailable || dc.SecurityPolicy != gwtypes.SecurityPolicyTls12 {
		t.Errorf("domain %+v, configuration %+v", d, dc)
	}
	wantCode := func(what string, err error, code string, status int, message string) {
		t.Helper()
		if got := expectAPIError(t, err, code, status); message != "" && got.Message != message {
			t.Errorf("%s: message %q, want %q", what, got.Message, message)
		}
	}
	_, err = c.CreateDomainName(ctx, &apigatewayv2.CreateDomainNameInput{DomainName: aws.String("api.example.com")})
	wantCode("a second api.example.com", err, "ConflictException", 409, "The domain name you provided already exists.")
	_, err = c.GetDomainName(ctx, &apigatewayv2.GetDomainNameInput{DomainName: aws.String("nope.example.com")})
	wantCode("an unknown domain", err, "NotFoundException", 404, "Invalid domain name identifier specified")

	// A domain made through the REST API is one of version 2's too.
	if _, err := v1.CreateDomainName(ctx, &apigateway.CreateDomainNameInput{DomainName: aws.String("www.example.com"),
		CertificateArn: aws.String(env.Certificate(t, "www.example.com"))}); err != nil {
		t.Fatal(err)
	}
	all, err := c.GetDomainNames(ctx, &apigatewayv2.GetDomainNamesInput{})
	if err != nil || len(all.Items) != 2 || aws.ToString(all.Items[1].DomainName) != "www.example.com" ||
		all.Items[1].DomainNameConfigurations[0].EndpointType != gwtypes.EndpointTypeEdge {
		t.Fatalf("GetDomainNames: %+v %v", all, err)
	}

	api, err := c.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("mapped"), ProtocolType: gwtypes.ProtocolTypeHttp})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: api.ApiId, StageName: aws.String("prod")}); err != nil {
		t.Fatal(err)
	}
	rest, err := v1.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("rest")})
	if err != nil {
		t.Fatal(err)
	}
	apigwv1MockRoot(t, v1, aws.ToString(rest.Id))
	if _, err := v1.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: rest.Id, StageName: aws.String("live")}); err != nil {
		t.Fatal(err)
	}

	m, err := c.CreateApiMapping(ctx, &apigatewayv2.CreateApiMappingInput{DomainName: aws.String("api.example.com"),
		ApiId: api.ApiId, Stage: aws.String("prod"), ApiMappingKey: aws.String("orders/v1")})
	if err != nil {
		t.Fatal(err)
	}
	if len(aws.ToString(m.ApiMappingId)) != 6 || aws.ToString(m.ApiMappingKey) != "orders/v1" || aws.ToString(m.Stage) != "prod" ||
		aws.ToString(m.ApiId) != aws.ToString(api.ApiId) {
		t.Errorf("mapping %+v", m)
	}
	restMapping, err := c.CreateApiMapping(ctx, &apigatewayv2.CreateApiMappingInput{DomainName: aws.String("api.example.com"),
		ApiId: rest.Id, Stage: aws.String("live"), ApiMappingKey: aws.String("legacy")})
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"/orders", "orders/", "a//b", "sp ace"} {
		_, err = c.CreateApiMapping(ctx, &apigatewayv2.CreateApiMappingInput{DomainName: aws.String("api.example.com"),
			ApiId: api.ApiId, Stage: aws.String("prod"), ApiMappingKey: aws.String(bad)})
		wantCode("key "+bad, err, "BadRequestException", 400, "")
	}
	_, err = c.CreateApiMapping(ctx, &apigatewayv2.CreateApiMappingInput{DomainName: aws.String("api.example.com"),
		ApiId: api.ApiId, Stage: aws.String("prod"), ApiMappingKey: aws.String("orders/v1")})
	wantCode("a second orders/v1", err, "ConflictException", 409, "")
	_, err = c.CreateApiMapping(ctx, &apigatewayv2.CreateApiMappingInput{DomainName: aws.String("api.example.com"),
		ApiId: aws.String("nope123456"), Stage: aws.String("prod")})
	wantCode("an unknown API", err, "NotFoundException", 404, "Invalid API identifier specified "+testAccount+":nope123456")
	_, err = c.CreateApiMapping(ctx, &apigatewayv2.CreateApiMappingInput{DomainName: aws.String("api.example.com"),
		ApiId: api.ApiId, Stage: aws.String("beta")})
	wantCode("an unknown stage", err, "NotFoundException", 404, "")
	_, err = c.CreateApiMapping(ctx, &apigatewayv2.CreateApiMappingInput{DomainName: aws.String("nope.example.com"),
		ApiId: api.ApiId, Stage: aws.String("prod")})
	wantCode("an unknown domain's mapping", err, "NotFoundException", 404, "Invalid domain name identifier specified")

	// The REST API's mapping is a base path mapping as well.
	bp, err := v1.GetBasePathMapping(ctx, &apigateway.GetBasePathMappingInput{DomainName: aws.String("api.example.com"), BasePath: aws.String("legacy")})
	if err != nil || aws.ToString(bp.RestApiId) != aws.ToString(rest.Id) || aws.ToString(bp.Stage) != "live" {
		t.Errorf("base path mapping %+v %v", bp, err)
	}

	got, err := c.GetApiMapping(ctx, &apigatewayv2.GetApiMappingInput{DomainName: aws.String("api.example.com"), ApiMappingId: m.ApiMappingId})
	if err != nil || aws.ToString(got.ApiMappingKey) != "orders/v1" {
		t.Errorf("GetApiMapping %+v %v", got, err)
	}
	up, err := c.UpdateApiMapping(ctx, &apigatewayv2.UpdateApiMappingInput{DomainName: aws.String("api.example.com"),
		ApiMappingId: m.ApiMappingId, ApiId: api.ApiId, ApiMappingKey: aws.String("orders/v2")})
	if err != nil || aws.ToString(up.ApiMappingKey) != "orders/v2" || aws.ToString(up.Stage) != "prod" ||
		aws.ToString(up.ApiMappingId) != aws.ToString(m.ApiMappingId) {
		t.Errorf("UpdateApiMapping %+v %v", up, err)
	}
	_, err = c.UpdateApiMapping(ctx, &apigatewayv2.UpdateApiMappingInput{DomainName: aws.String("api.example.com"),
		ApiMappingId: m.ApiMappingId, ApiId: api.ApiId, ApiMappingKey: aws.String("legacy")})
	wantCode("a key another mapping has", err, "ConflictException", 409, "")
	list, err := c.GetApiMappings(ctx, &apigatewayv2.GetApiMappingsInput{DomainName: aws.String("api.example.com")})
	if err != nil || len(list.Items) != 2 {
		t.Fatalf("GetApiMappings %+v %v", list, err)
	}
	// An API a mapping names is not deleted, HTTP or REST (whose
	// mapping was made through version 2).
	_, err = c.DeleteApi(ctx, &apigatewayv2.DeleteApiInput{ApiId: api.ApiId})
	wantCode("deleting a mapped API", err, "BadRequestException", 400,
		"Deleting API "+aws.ToString(api.ApiId)+" failed. Please remove all API mappings for the API from your custom domain names.")
	_, err = v1.DeleteRestApi(ctx, &apigateway.DeleteRestApiInput{RestApiId: rest.Id})
	wantCode("deleting a mapped REST API", err, "BadRequestException", 400,
		"Deleting RestApi "+aws.ToString(rest.Id)+" failed. Please remove all base path mappings related to the RestApi in your domains: api.example.com")
	if _, err := c.DeleteApiMapping(ctx, &apigatewayv2.DeleteApiMappingInput{DomainName: aws.String("api.example.com"),
		ApiMappingId: restMapping.ApiMappingId}); err != nil {
		t.Fatal(err)
	}
	if _, err := v1.DeleteRestApi(ctx, &apigateway.DeleteRestApiInput{RestApiId: rest.Id}); err != nil {
		t.Errorf("deleting the REST API once unmapped: %v", err)
	}
	_, err = c.GetApiMapping(ctx, &apigatewayv2.GetApiMappingInput{DomainName: aws.String("api.example.com"), ApiMappingId: restMapping.ApiMappingId})
	wantCode("a deleted mapping", err, "NotFoundException", 404, "Invalid API mapping identifier specified "+aws.ToString(restMapping.ApiMappingId))

	wildcard := env.Certificate(t, "*.example.com")
	ud, err := c.UpdateDomainName(ctx, &apigatewayv2.UpdateDomainNameInput{DomainName: aws.String("api.example.com"),
		DomainNameConfigurations: []gwtypes.DomainNameConfiguration{{CertificateArn: aws.String(wildcard)}}})
	if err != nil || aws.ToString(ud.DomainNameConfigurations[0].CertificateArn) != wildcard ||
		ud.DomainNameConfigurations[0].SecurityPolicy != gwtypes.SecurityPolicyTls12 {
		t.Errorf("UpdateDomainName %+v %v", ud, err)
	}
	if _, err := c.DeleteDomainName(ctx, &apigatewayv2.DeleteDomainNameInput{DomainName: aws.String("api.example.com")}); err != nil {
		t.Fatal(err)
	}
	_, err = v1.GetDomainName(ctx, &apigateway.GetDomainNameInput{DomainName: aws.String("api.example.com")})
	wantCode("the deleted domain through the REST API", err, "NotFoundException", 404, "Invalid domain name identifier specified")
	// Its mappings went with the domain.
	if _, err := c.DeleteApi(ctx, &apigatewayv2.DeleteApiInput{ApiId: api.ApiId}); err != nil {
		t.Errorf("deleting the API once its domain is gone: %v", err)
	}
}

// apigwv1MockRoot gives the API's root a GET method with a MOCK
// integration answering 200 {"mock":true}.
func apigwv1MockRoot(t testing.TB, c *apigateway.Client, apiID string) {
	t.Helper()
	ctx := context.Background()
	root := apigwv1Resource(t, c, apiID, "/")
	if _, err := c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: &apiID, ResourceId: &root, HttpMethod: aws.String("GET"),
		AuthorizationType: aws.String("NONE")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: &apiID, ResourceId: &root, HttpMethod: aws.String("GET"),
		Type: agtypes.IntegrationTypeMock, RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutMethodResponse(ctx, &apigateway.PutMethodResponseInput{RestApiId: &apiID, ResourceId: &root,
		HttpMethod: aws.String("GET"), StatusCode: aws.String("200")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutIntegrationResponse(ctx, &apigateway.PutIntegrationResponseInput{RestApiId: &apiID, ResourceId: &root,
		HttpMethod: aws.String("GET"), StatusCode: aws.String("200"),
		ResponseTemplates: map[string]string{"application/json": `{"mock":true}`}}); err != nil {
		t.Fatal(err)
	}
}

// TestAPIGWDomainRouting: a request whose Host is a custom domain name
// goes to the API stage its path's mapping names, REST or HTTP, with the
// mapping key stripped for routing and kept in the event's path, and the
// domain as requestContext.domainName; an API whose default endpoint is
// disabled still answers through its domain.
func TestAPIGWDomainRouting(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	createPythonFunction(t, lambdaClient(t, env), "echo", httpAPIEcho, 10)
	c := apigatewayv2.NewFromConfig(env.Config)
	v1 := apigateway.NewFromConfig(env.Config)

	// An HTTP API, quick-created on its $default stage, its execute-api
	// endpoint disabled.
	api, err := c.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("http"), ProtocolType: gwtypes.ProtocolTypeHttp,
		Target: aws.String(functionARN("echo")), DisableExecuteApiEndpoint: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	httpID := aws.ToString(api.ApiId)
	// A REST API with GET /items integrated with the function, on stage prod.
	rest, err := v1.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("rest")})
	if err != nil {
		t.Fatal(err)
	}
	restID := aws.ToString(rest.Id)
	apigwv1ProxyGET(t, v1, restID, "items", "NONE", "echo")
	if _, err := v1.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: &restID, StageName: aws.String("prod")}); err != nil {
		t.Fatal(err)
	}

	if _, err := c.CreateDomainName(ctx, &apigatewayv2.CreateDomainNameInput{DomainName: aws.String("api.example.com"),
		DomainNameConfigurations: certified(t, env, "api.example.com")}); err != nil {
		t.Fatal(err)
	}
	for key, target := range map[string][2]string{"": {httpID, "$default"}, "shop/v1": {restID, "prod"}} {
		if _, err := c.CreateApiMapping(ctx, &apigatewayv2.CreateApiMappingInput{DomainName: aws.String("api.example.com"),
			ApiId: aws.String(target[0]), Stage: aws.String(target[1]), ApiMappingKey: aws.String(key)}); err != nil {
			t.Fatal(err)
		}
	}

	// The longest mapping key that prefixes the path takes it: the REST
	// API sees /items; its event shows the path as sent.
	ev := apigwv1Event(t, apigwv1Response(callDomain(t, env, "api.example.com", "GET", "/shop/v1/items?q=1")))
	rc := ev["requestContext"].(map[string]any)
	for name, c := range map[string][2]any{
		"resource": {ev["resource"], "/items"}, "path": {ev["path"], "/shop/v1/items"},
		"rc.path": {rc["path"], "/shop/v1/items"}, "rc.resourcePath": {rc["resourcePath"], "/items"},
		"rc.stage": {rc["stage"], "prod"}, "rc.domainName": {rc["domainName"], "api.example.com"},
		"rc.domainPrefix": {rc["domainPrefix"], "api"}, "rc.apiId": {rc["apiId"], restID},
	} {
		if c[0] != c[1] {
			t.Errorf("REST event %s = %#v, want %#v", name, c[0], c[1])
		}
	}
	// A method the REST API lacks below its key is its own answer.
	if r := callDomain(t, env, "api.example.com", "GET", "/shop/v1/nothing"); r.Status != 403 ||
		string(r.Body) != `{"message":"Missing Authentication Token"}` {
		t.Errorf("unknown REST path: HTTP %d %s", r.Status, r.Body)
	}

	// Any other path goes to the root mapping, the HTTP API, unstripped.
	ev = callDomain(t, env, "api.example.com", "POST", "/shop/cart").event(t)
	rc = ev["requestContext"].(map[string]any)
	hh := rc["http"].(map[string]any)
	for name, c := range map[string][2]any{
		"rawPath": {ev["rawPath"], "/shop/cart"}, "http.path": {hh["path"], "/shop/cart"},
		"stage": {rc["stage"], "$default"}, "domainName": {rc["domainName"], "api.example.com"},
		"domainPrefix": {rc["domainPrefix"], "api"}, "apiId": {rc["apiId"], httpID},
	} {
		if c[0] != c[1] {
			t.Errorf("HTTP API event %s = %#v, want %#v", name, c[0], c[1])
		}
	}
	// A bearer token (a JWT authorizer's) is the API's to read.
	r := sendGW(t, "GET", env.Endpoint+"/with/token", "api.example.com", nil, map[string]string{"Authorization": "Bearer abc.def.ghi"})
	if h := r.event(t)["headers"].(map[string]any); h["authorization"] != "Bearer abc.def.ghi" {
		t.Errorf("bearer token: headers %v", h)
	}
	// Paths other parts of virga claim on its own host are the domain's.
	for _, path := range []string{"/v2/", "/v2/library/x/manifests/latest", "/us-east-1_abc/.well-known/jwks.json"} {
		if ev := callDomain(t, env, "api.example.com", "GET", path).event(t); ev["rawPath"] != path {
			t.Errorf("%s: rawPath %v", path, ev["rawPath"])
		}
	}
	// Its disabled default endpoint refuses the same request.
	if r := callHTTPAPI(t, env, httpID, "POST", "/shop/cart", nil, nil, false); r.Status != 403 {
		t.Errorf("disabled execute-api endpoint: HTTP %d %s", r.Status, r.Body)
	}

	// A domain with no mapping for the path answers 403 Forbidden.
	if _, err := c.CreateDomainName(ctx, &apigatewayv2.CreateDomainNameInput{DomainName: aws.String("other.example.com"),
		DomainNameConfigurations: certified(t, env, "other.example.com")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateApiMapping(ctx, &apigatewayv2.CreateApiMappingInput{DomainName: aws.String("other.example.com"),
		ApiId: &restID, Stage: aws.String("prod"), ApiMappingKey: aws.String("v1")}); err != nil {
		t.Fatal(err)
	}
	if r := callDomain(t, env, "other.example.com", "GET", "/v2/items"); r.Status != 403 || string(r.Body) != `{"message":"Forbidden"}` {
		t.Errorf("unmapped path: HTTP %d %s", r.Status, r.Body)
	}
	if r := callDomain(t, env, "other.example.com:443", "GET", "/v1/items"); r.Status != 200 {
		t.Errorf("mapped path with a port in Host: HTTP %d %s", r.Status, r.Body)
	}
	var body map[string]any
	if r := callDomain(t, env, "other.example.com", "GET", "/v1/items"); json.Unmarshal(r.Body, &body) != nil || body["path"] != "/v1/items" {
		t.Errorf("mapped path: HTTP %d %s", r.Status, r.Body)
	}
}

// samHTTPAPIDomain is an HTTP API with a Domain under two base paths, one
// of several levels, and a plain CloudFormation API mapping of the same
// domain's root to a REST API.
const samHTTPAPIDomain = `Transform: AWS::Serverless-2016-10-31
Resources:
  Echo:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        import json
        def handler(event, context):
            return {'statusCode': 200, 'body': json.dumps(event)}
      Events:
        Items:
          Type: HttpApi
          Properties:
            ApiId: !Ref Api
            Path: /items
            Method: GET
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      StageName: prod
      Domain:
        DomainName: sam.example.com
        CertificateArn: !Ref Certificate
        BasePath: [/shop/v1, orders]
  Certificate:
    Type: AWS::CertificateManager::Certificate
    Properties: {DomainName: sam.example.com, ValidationMethod: EMAIL}
  Other:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      Name: other
      ProtocolType: HTTP
      Target: !GetAtt Echo.Arn
  Root:
    Type: AWS::ApiGatewayV2::ApiMapping
    DependsOn: Other
    Properties:
      DomainName: !Ref ApiGatewayDomainNameV2994fa1763a
      ApiId: !Ref Other
      Stage: $default
Outputs:
  Target:
    Value: !GetAtt ApiGatewayDomainNameV2994fa1763a.RegionalDomainName
  Mapping:
    Value: !Ref Root
`

// TestAPIGWv2DomainStack: a SAM HTTP API's Domain makes the domain and
// its API mappings as SAM's translator writes them, and the domain
// routes traffic to the API's stage.
func TestAPIGWv2DomainStack(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cf := cloudformation.NewFromConfig(env.Config)
	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("samdomain"),
		TemplateBody: aws.String(samHTTPAPIDomain), Capabilities: []cftypes.Capability{cftypes.CapabilityCapabilityIam, cftypes.CapabilityCapabilityAutoExpand}}); err != nil {
		t.Fatal(err)
	}
	outs := createdStackOutputs(t, cf, "samdomain")
	if !strings.HasSuffix(outs["Target"], ".execute-api.us-east-1.amazonaws.com") || len(outs["Mapping"]) != 6 {
		t.Errorf("outputs %v", outs)
	}
	c := apigatewayv2.NewFromConfig(env.Config)
	maps, err := c.GetApiMappings(ctx, &apigatewayv2.GetApiMappingsInput{DomainName: aws.String("sam.example.com")})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, m := range maps.Items {
		keys = append(keys, aws.ToString(m.ApiMappingKey)+"="+aws.ToString(m.Stage))
	}
	if got := strings.Join(keys, " "); got != "=$default orders=prod shop/v1=prod" {
		t.Errorf("mappings %s", got)
	}

	for path, want := range map[string][2]string{"/shop/v1/items": {"prod", "GET /items"}, "/orders/items": {"prod", "GET /items"},
		"/anything": {"$default", "$default"}} {
		ev := callDomain(t, env, "sam.example.com", "GET", path).event(t)
		rc := ev["requestContext"].(map[string]any)
		if rc["stage"] != want[0] || ev["routeKey"] != want[1] || ev["rawPath"] != path || rc["domainName"] != "sam.example.com" {
			t.Errorf("%s: stage %v, routeKey %v, rawPath %v, domainName %v", path, rc["stage"], ev["routeKey"], ev["rawPath"], rc["domainName"])
		}
	}
	// The HTTP API has no route for /shop/v1/nothing below its key.
	if r := callDomain(t, env, "sam.example.com", "GET", "/shop/v1/nothing"); r.Status != 404 || string(r.Body) != `{"message":"Not Found"}` {
		t.Errorf("unrouted path: HTTP %d %s", r.Status, r.Body)
	}

	// A new key updates the mapping in place: its id stays.
	updated := strings.Replace(samHTTPAPIDomain, "      Stage: $default\n", "      Stage: $default\n      ApiMappingKey: other\n", 1)
	if _, err := cf.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: aws.String("samdomain"), TemplateBody: aws.String(updated),
		Capabilities: []cftypes.Capability{cftypes.CapabilityCapabilityIam, cftypes.CapabilityCapabilityAutoExpand}}); err != nil {
		t.Fatal(err)
	}
	if err := cloudformation.NewStackUpdateCompleteWaiter(cf).Wait(ctx,
		&cloudformation.DescribeStacksInput{StackName: aws.String("samdomain")}, time.Minute); err != nil {
		t.Fatal(err)
	}
	m, err := c.GetApiMapping(ctx, &apigatewayv2.GetApiMappingInput{DomainName: aws.String("sam.example.com"), ApiMappingId: aws.String(outs["Mapping"])})
	if err != nil || aws.ToString(m.ApiMappingKey) != "other" {
		t.Errorf("updated mapping %+v %v", m, err)
	}
	if ev := callDomain(t, env, "sam.example.com", "GET", "/other/x").event(t); ev["rawPath"] != "/other/x" {
		t.Errorf("through the updated key: %v", ev["rawPath"])
	}
	if r := callDomain(t, env, "sam.example.com", "GET", "/anything"); r.Status != 403 {
		t.Errorf("the old root mapping still routes: HTTP %d %s", r.Status, r.Body)
	}

	if _, err := cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("samdomain")}); err != nil {
		t.Fatal(err)
	}
	if err := cloudformation.NewStackDeleteCompleteWaiter(cf).Wait(ctx,
		&cloudformation.DescribeStacksInput{StackName: aws.String("samdomain")}, time.Minute); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetDomainName(ctx, &apigatewayv2.GetDomainNameInput{DomainName: aws.String("sam.example.com")})
	expectAPIError(t, err, "NotFoundException", 404)
	if r := callDomain(t, env, "sam.example.com", "GET", "/anything"); r.Status == 200 {
		t.Errorf("a deleted domain still routes: HTTP %d %s", r.Status, r.Body)
	}
}

// TestAPIGWDomainWebSocketAndREST: a custom domain opens WebSocket
// connections to the mapped stage, whose events name the domain; a REST
// API whose default endpoint is disabled answers through base path
// mappings, with or without a stage (without one, the path names it);
// and a mapping to an HTTP API's $default stage keeps it even where the
// path's first segment names another stage.
func TestAPIGWDomainWebSocketAndREST(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	lc := lambdaClient(t, env)
	createPythonFunction(t, lc, "ws", wsHandler, 10)
	createPythonFunction(t, lc, "echo", httpAPIEcho, 10)
	c := apigatewayv2.NewFromConfig(env.Config)
	v1 := apigateway.NewFromConfig(env.Config)

	wsID := createWebSocketAPI(t, c, "ws")
	mustGW(c.CreateDomainName(ctx, &apigatewayv2.CreateDomainNameInput{DomainName: aws.String("ws.example.com"),
		DomainNameConfigurations: certified(t, env, "ws.example.com")}))(t)
	mustGW(c.CreateApiMapping(ctx, &apigatewayv2.CreateApiMappingInput{DomainName: aws.String("ws.example.com"),
		ApiId: &wsID, Stage: aws.String("prod"), ApiMappingKey: aws.String("chat")}))(t)
	ws := mustGW(wsDial(t, env, "ws://ws.example.com/chat"))(t)
	if err := websocket.Message.Send(ws, `{"action":"echo"}`); err != nil {
		t.Fatal(err)
	}
	var ev map[string]any
	if err := json.Unmarshal([]byte(wsReceive(t, ws)), &ev); err != nil {
		t.Fatal(err)
	}
	rc := ev["requestContext"].(map[string]any)
	if rc["domainName"] != "ws.example.com" || rc["stage"] != "prod" || rc["apiId"] != wsID || rc["routeKey"] != "echo" {
		t.Errorf("WebSocket event through the domain: %v", rc)
	}

	// A REST API with its execute-api endpoint disabled.
	rest := mustGW(v1.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("rest"), DisableExecuteApiEndpoint: true}))(t)
	restID := aws.ToString(rest.Id)
	apigwv1ProxyGET(t, v1, restID, "items", "NONE", "echo")
	mustGW(v1.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: &restID, StageName: aws.String("prod")}))(t)
	if r := apigwv1Call(t, env, restID, "GET", "/prod/items", nil, nil, false); r.Status != 403 || string(r.Body) != `{"message":"Forbidden"}` {
		t.Errorf("disabled REST endpoint: HTTP %d %s", r.Status, r.Body)
	}
	mustGW(v1.CreateDomainName(ctx, &apigateway.CreateDomainNameInput{DomainName: aws.String("rest.example.com"),
		RegionalCertificateArn: aws.String(env.Certificate(t, "rest.example.com")),
		EndpointConfiguration:  &agtypes.EndpointConfiguration{Types: []agtypes.EndpointType{agtypes.EndpointTypeRegional}}}))(t)
	mustGW(v1.CreateBasePathMapping(ctx, &apigateway.CreateBasePathMappingInput{DomainName: aws.String("rest.example.com"),
		RestApiId: &restID, BasePath: aws.String("s"), Stage: aws.String("prod")}))(t)
	mustGW(v1.CreateBasePathMapping(ctx, &apigateway.CreateBasePathMappingInput{DomainName: aws.String("rest.example.com"),
		RestApiId: &restID, BasePath: aws.String("any")}))(t)
	mustGW(v1.CreateBasePathMapping(ctx, &apigateway.CreateBasePathMappingInput{DomainName: aws.String("rest.example.com"),
		RestApiId: &restID, BasePath: aws.String("two/levels"), Stage: aws.String("prod")}))(t)
	for path, want := range map[string]string{"/s/items": "/s/items", "/any/prod/items": "/any/prod/items", "/two/levels/items": "/two/levels/items"} {
		ev := apigwv1Event(t, apigwv1Response(callDomain(t, env, "rest.example.com", "GET", path)))
		rc := ev["requestContext"].(map[string]any)
		if ev["resource"] != "/items" || ev["path"] != want || rc["stage"] != "prod" || rc["domainName"] != "rest.example.com" {
			t.Errorf("%s: resource %v path %v stage %v domainName %v", path, ev["resource"], ev["path"], rc["stage"], rc["domainName"])
		}
	}

	// A mapping of several levels lower-cases header names.
	for path, name := range map[string]string{"/s/items": "X-Mixed-Case", "/two/levels/items": "x-mixed-case"} {
		r := sendGW(t, "GET", env.Endpoint+path, "rest.example.com", nil, map[string]string{"X-Mixed-Case": "1"})
		if h := apigwv1Event(t, apigwv1Response(r))["headers"].(map[string]any); h[name] != "1" {
			t.Errorf("%s: headers %v, want %s", path, h, name)
		}
	}

	// An HTTP API mapped at its $default stage, with a stage named
	// "items" as well: the mapping's stage serves /items/1.
	api := mustGW(c.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("http"), ProtocolType: gwtypes.ProtocolTypeHttp,
		Target: aws.String(functionARN("echo"))}))(t)
	mustGW(c.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: api.ApiId, StageName: aws.String("items")}))(t)
	mustGW(c.CreateApiMapping(ctx, &apigatewayv2.CreateApiMappingInput{DomainName: aws.String("rest.example.com"),
		ApiId: api.ApiId, Stage: aws.String("$default")}))(t)
	ev = callDomain(t, env, "rest.example.com", "GET", "/items/1").event(t)
	if rc := ev["requestContext"].(map[string]any); rc["stage"] != "$default" || ev["rawPath"] != "/items/1" {
		t.Errorf("$default mapping: stage %v rawPath %v", rc["stage"], ev["rawPath"])
	}

	// WebSocket APIs share no domain with HTTP or REST APIs.
	_, err := c.CreateApiMapping(ctx, &apigatewayv2.CreateApiMappingInput{DomainName: aws.String("ws.example.com"),
		ApiId: api.ApiId, Stage: aws.String("$default"), ApiMappingKey: aws.String("http")})
	expectAPIError(t, err, "BadRequestException", 400)
	_, err = c.CreateApiMapping(ctx, &apigatewayv2.CreateApiMappingInput{DomainName: aws.String("rest.example.com"),
		ApiId: &wsID, Stage: aws.String("prod"), ApiMappingKey: aws.String("ws")})
	expectAPIError(t, err, "BadRequestException", 400)
}

// TestAPIGWDomainCertificates: a custom domain name, made through
// either version or changed through version 2, must name an ACM
// certificate that exists, is issued and covers the domain, by its
// DomainName or a subject alternative name, a wildcard standing for one
// label.
func TestAPIGWDomainCertificates(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	v1 := apigateway.NewFromConfig(env.Config)
	v2 := apigatewayv2.NewFromConfig(env.Config)
	newZone(t, route53.NewFromConfig(env.Config), "pending.example")
	pending, err := acm.NewFromConfig(env.Config).RequestCertificate(ctx, &acm.RequestCertificateInput{
		DomainName: aws.String("api.pending.example"), ValidationMethod: acmtypes.ValidationMethodDns})
	if err != nil {
		t.Fatal(err)
	}
	wildcard := env.Certificate(t, "*.example.com", "example.org")
	missing := "arn:aws:acm:us-east-1:" + testAccount + ":certificate/00000000-0000-0000-0000-000000000000"
	for _, tc := range []struct {
		domain, arn, message string
	}{
		{"api.example.com", missing, "The provided certificate does not exist."},
		{"api.example.com", "arn:aws:acm:us-east-1:" + testAccount + ":certificate/1", "The provided certificate does not exist."},
		{"api.pending.example", aws.ToString(pending.CertificateArn), ""},
		{"a.b.example.com", wildcard, ""},
		{"example.com", wildcard, ""},
		{"www.example.org", wildcard, ""},
	} {
		_, err := v1.CreateDomainName(ctx, &apigateway.CreateDomainNameInput{DomainName: &tc.domain, CertificateArn: &tc.arn})
		if got := expectAPIError(t, err, "BadRequestException", 400); tc.message != "" && got.Message != tc.message {
			t.Errorf("v1 %s with %s: message %q", tc.domain, tc.arn, got.Message)
		}
		_, err = v1.CreateDomainName(ctx, &apigateway.CreateDomainNameInput{DomainName: &tc.domain, RegionalCertificateArn: &tc.arn,
			EndpointConfiguration: &agtypes.EndpointConfiguration{Types: []agtypes.EndpointType{agtypes.EndpointTypeRegional}}})
		expectAPIError(t, err, "BadRequestException", 400)
		_, err = v2.CreateDomainName(ctx, &apigatewayv2.CreateDomainNameInput{DomainName: &tc.domain,
			DomainNameConfigurations: []gwtypes.DomainNameConfiguration{{CertificateArn: &tc.arn}}})
		expectAPIError(t, err, "BadRequestException", 400)
	}

	// The wildcard covers one label below example.com, and the SAN
	// example.org.
	for _, domain := range []string{"api.example.com", "example.org"} {
		if _, err := v2.CreateDomainName(ctx, &apigatewayv2.CreateDomainNameInput{DomainName: aws.String(domain),
			DomainNameConfigurations: []gwtypes.DomainNameConfiguration{{CertificateArn: &wildcard}}}); err != nil {
			t.Errorf("%s with *.example.com: %v", domain, err)
		}
	}
	if _, err := v1.CreateDomainName(ctx, &apigateway.CreateDomainNameInput{DomainName: aws.String("www.example.com"),
		CertificateArn: &wildcard}); err != nil {
		t.Errorf("v1 www.example.com with *.example.com: %v", err)
	}
	// A domain needs a certificate for its endpoint type.
	noCertificate := func(what string, err error, endpointType string) {
		t.Helper()
		want := "A certificate was not provided for the endpoint type " + endpointType + "."
		if got := expectAPIError(t, err, "BadRequestException", 400); got.Message != want {
			t.Errorf("%s: message %q, want %q", what, got.Message, want)
		}
	}
	none := aws.String("none.example.com")
	_, err = v2.CreateDomainName(ctx, &apigatewayv2.CreateDomainNameInput{DomainName: none})
	noCertificate("v2 without configurations", err, "REGIONAL")
	_, err = v2.CreateDomainName(ctx, &apigatewayv2.CreateDomainNameInput{DomainName: none,
		DomainNameConfigurations: []gwtypes.DomainNameConfiguration{{SecurityPolicy: gwtypes.SecurityPolicyTls12}}})
	noCertificate("v2 with a configuration without certificate", err, "REGIONAL")
	_, err = v1.CreateDomainName(ctx, &apigateway.CreateDomainNameInput{DomainName: none})
	noCertificate("v1 edge without certificate", err, "EDGE")
	_, err = v1.CreateDomainName(ctx, &apigateway.CreateDomainNameInput{DomainName: none, CertificateArn: &wildcard,
		EndpointConfiguration: &agtypes.EndpointConfiguration{Types: []agtypes.EndpointType{agtypes.EndpointTypeRegional}}})
	if got := expectAPIError(t, err, "BadRequestException", 400); got.Message != "Cannot import certificates for EDGE while REGIONAL is active." {
		t.Errorf("v1 regional with only the edge certificate: message %q", got.Message)
	}

	// An update names a certificate by the same rules.
	_, err = v2.UpdateDomainName(ctx, &apigatewayv2.UpdateDomainNameInput{DomainName: aws.String("example.org"),
		DomainNameConfigurations: []gwtypes.DomainNameConfiguration{{CertificateArn: pending.CertificateArn}}})
	expectAPIError(t, err, "BadRequestException", 400)
	_, err = v2.UpdateDomainName(ctx, &apigatewayv2.UpdateDomainNameInput{DomainName: aws.String("example.org"),
		DomainNameConfigurations: []gwtypes.DomainNameConfiguration{{CertificateArn: aws.String(missing)}}})
	if got := expectAPIError(t, err, "BadRequestException", 400); got.Message != "The provided certificate does not exist." {
		t.Errorf("update to a missing certificate: %q", got.Message)
	}
	org := env.Certificate(t, "example.org")
	if _, err := v2.UpdateDomainName(ctx, &apigatewayv2.UpdateDomainNameInput{DomainName: aws.String("example.org"),
		DomainNameConfigurations: []gwtypes.DomainNameConfiguration{{CertificateArn: &org}}}); err != nil {
		t.Errorf("update to example.org's own certificate: %v", err)
	}
}

// certified is the domain name configuration of a regional domain with
// an issued certificate for it.
func certified(t *testing.T, env *e2e.Env, domain string) []gwtypes.DomainNameConfiguration {
	return []gwtypes.DomainNameConfiguration{{CertificateArn: aws.String(env.Certificate(t, domain))}}
}
