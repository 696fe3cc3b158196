package e2e_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	gwtypes "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"

	"github.com/virga/virga/internal/e2e"
)

// httpAPIEcho answers with the event it got, as JSON, unless the request's
// x-mode header asks for another kind of answer.
const httpAPIEcho = `import base64, json, time

def handler(event, context):
    mode = (event.get('headers') or {}).get('x-mode', '')
    if mode == 'string':
        return 'hello from lambda'
    if mode == 'object':
        return {'message': 'inferred'}
    if mode == 'error':
        raise Exception('boom')
    if mode == 'malformed':
        return {'statusCode': 'not a status'}
    if mode == 'sleep':
        time.sleep(3)
        return 'late'
    if mode == 'binary':
        return {'statusCode': 200, 'isBase64Encoded': True, 'headers': {'content-type': 'image/png'},
                'body': base64.b64encode(bytes([0, 1, 2, 255])).decode()}
    if mode == 'cookies':
        return {'statusCode': 201, 'cookies': ['a=1; Path=/', 'b=2'], 'headers': {'x-custom': 'yes'},
                'body': 'with cookies'}
    return {'statusCode': 200,
            'headers': {'content-type': 'application/json', 'access-control-allow-origin': 'https://evil.example'},
            'body': json.dumps(event)}
`

// httpAPISimpleAuthorizer allows the token "allow"; its context carries a
// fresh nonce, so a cached answer shows by its nonce.
const httpAPISimpleAuthorizer = `import uuid

def handler(event, context):
    token = event['headers'].get('authorization', '')
    return {'isAuthorized': token == 'allow', 'context': {'user': 'alice', 'nonce': str(uuid.uuid4())}}
`

// httpAPIPolicyAuthorizer answers a 1.0 event with an IAM policy for the
// request's method ARN.
const httpAPIPolicyAuthorizer = `def handler(event, context):
    effect = 'Allow' if event['authorizationToken'] == 'allow' else 'Deny'
    return {'principalId': 'user-1', 'context': {'role': 'admin'},
            'policyDocument': {'Version': '2012-10-17', 'Statement': [
                {'Action': 'execute-api:Invoke', 'Effect': effect, 'Resource': event['methodArn']}]}}
`

func functionARN(name string) string {
	return "arn:aws:lambda:us-east-1:" + testAccount + ":function:" + name
}

// gwReply is a data plane response.
type gwReply struct {
	Status int
	Header http.Header
	Body   []byte
}

// event decodes the body the echo function answered with.
func (r gwReply) event(t testing.TB) map[string]any {
	t.Helper()
	if r.Status != 200 {
		t.Fatalf("HTTP %d %s, want the echoed event", r.Status, r.Body)
	}
	var ev map[string]any
	if err := json.Unmarshal(r.Body, &ev); err != nil {
		t.Fatalf("echoed event %s: %v", r.Body, err)
	}
	return ev
}

// callHTTPAPI sends a request to an HTTP API: by host name
// (ID.execute-api.localhost:PORT), or with pathForm by the path
// /_aws/execute-api/ID/... on virga's address.
func callHTTPAPI(t testing.TB, env *e2e.Env, apiID, method, path string, body []byte, hdr map[string]string, pathForm bool) gwReply {
	t.Helper()
	u, _ := url.Parse(env.Endpoint)
	target := env.Endpoint + path
	if pathForm {
		target = env.Endpoint + "/_aws/execute-api/" + apiID + path
	}
	host := ""
	if !pathForm {
		host = apiID + ".execute-api.localhost:" + u.Port()
	}
	return sendGW(t, method, target, host, body, hdr)
}

// sendGW sends a request to target, with the Host header host unless
// it is "", and returns the answer.
func sendGW(t testing.TB, method, target, host string, body []byte, hdr map[string]string) gwReply {
	t.Helper()
	req, err := http.NewRequest(method, target, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return gwReply{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

func TestAPIGWv2ControlPlane(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	c := apigatewayv2.NewFromConfig(env.Config)

	api, err := c.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("by-hand"), ProtocolType: gwtypes.ProtocolTypeHttp,
		Description: aws.String("built by hand"), CorsConfiguration: &gwtypes.Cors{AllowOrigins: []string{"https://app.example"}},
		Tags: map[string]string{"team": "gw"}})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(api.ApiId)
	if !regexp.MustCompile(`^[a-z0-9]{10}$`).MatchString(id) || aws.ToString(api.RouteSelectionExpression) != "$request.method $request.path" ||
		!strings.HasPrefix(aws.ToString(api.ApiEndpoint), "http://"+id+".execute-api.localhost:") || api.Tags["team"] != "gw" ||
		api.CorsConfiguration.AllowOrigins[0] != "https://app.example" || api.CreatedDate == nil {
		t.Errorf("CreateApi = %+v", api)
	}
	got, err := c.GetApi(ctx, &apigatewayv2.GetApiInput{ApiId: &id})
	if err != nil || aws.ToString(got.Name) != "by-hand" || aws.ToString(got.Description) != "built by hand" {
		t.Fatalf("GetApi = %+v, %v", got, err)
	}
	up, err := c.UpdateApi(ctx, &apigatewayv2.UpdateApiInput{ApiId: &id, Name: aws.String("renamed")})
	if err != nil || aws.ToString(up.Name) != "renamed" {
		t.Fatalf("UpdateApi = %+v, %v", up, err)
	}
	apis, err := c.GetApis(ctx, &apigatewayv2.GetApisInput{})
	if err != nil || len(apis.Items) != 1 || aws.ToString(apis.Items[0].ApiId) != id {
		t.Fatalf("GetApis = %+v, %v", apis, err)
	}

	integ, err := c.CreateIntegration(ctx, &apigatewayv2.CreateIntegrationInput{ApiId: &id, IntegrationType: gwtypes.IntegrationTypeAwsProxy,
		IntegrationUri:       aws.String("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + functionARN("f") + "/invocations"),
		PayloadFormatVersion: aws.String("2.0"), TimeoutInMillis: aws.Int32(5000)})
	if err != nil || aws.ToString(integ.IntegrationMethod) != "POST" || aws.ToInt32(integ.TimeoutInMillis) != 5000 ||
		integ.ConnectionType != gwtypes.ConnectionTypeInternet {
		t.Fatalf("CreateIntegration = %+v, %v", integ, err)
	}
	target := "integrations/" + aws.ToString(integ.IntegrationId)
	route, err := c.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: &id, RouteKey: aws.String("GET /pets/{id}"), Target: &target})
	if err != nil || route.AuthorizationType != gwtypes.AuthorizationTypeNone || aws.ToString(route.Target) != target {
		t.Fatalf("CreateRoute = %+v, %v", route, err)
	}
	stage, err := c.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: &id, StageName: aws.String("prod"),
		StageVariables: map[string]string{"env": "prod"}})
	if err != nil || aws.ToString(stage.StageName) != "prod" || aws.ToBool(stage.AutoDeploy) || stage.DeploymentId != nil {
		t.Fatalf("CreateStage = %+v, %v", stage, err)
	}
	dep, err := c.CreateDeployment(ctx, &apigatewayv2.CreateDeploymentInput{ApiId: &id, StageName: aws.String("prod"), Description: aws.String("v1")})
	if err != nil || dep.DeploymentStatus != gwtypes.DeploymentStatusDeployed {
		t.Fatalf("CreateDeployment = %+v, %v", dep, err)
	}
	st, err := c.GetStage(ctx, &apigatewayv2.GetStageInput{ApiId: &id, StageName: aws.String("prod")})
	if err != nil || aws.ToString(st.DeploymentId) != aws.ToString(dep.DeploymentId) || st.StageVariables["env"] != "prod" {
		t.Fatalf("GetStage = %+v, %v", st, err)
	}
	deps, err := c.GetDeployments(ctx, &apigatewayv2.GetDeploymentsInput{ApiId: &id})
	if err != nil || len(deps.Items) != 1 || aws.ToString(deps.Items[0].Description) != "v1" {
		t.Fatalf("GetDeployments = %+v, %v", deps, err)
	}
	auth, err := c.CreateAuthorizer(ctx, &apigatewayv2.CreateAuthorizerInput{ApiId: &id, Name: aws.String("lambda"),
		AuthorizerType: gwtypes.AuthorizerTypeRequest, AuthorizerUri: aws.String(functionARN("auth")),
		AuthorizerPayloadFormatVersion: aws.String("2.0"), EnableSimpleResponses: aws.Bool(true),
		IdentitySource: []string{"$request.header.Authorization"}, AuthorizerResultTtlInSeconds: aws.Int32(300)})
	if err != nil || aws.ToInt32(auth.AuthorizerResultTtlInSeconds) != 300 {
		t.Fatalf("CreateAuthorizer = %+v, %v", auth, err)
	}
	ur, err := c.UpdateRoute(ctx, &apigatewayv2.UpdateRouteInput{ApiId: &id, RouteId: route.RouteId,
		AuthorizationType: gwtypes.AuthorizationTypeCustom, AuthorizerId: auth.AuthorizerId})
	if err != nil || ur.AuthorizationType != gwtypes.AuthorizationTypeCustom || aws.ToString(ur.AuthorizerId) != aws.ToString(auth.AuthorizerId) {
		t.Fatalf("UpdateRoute = %+v, %v", ur, err)
	}
	routes, err := c.GetRoutes(ctx, &apigatewayv2.GetRoutesInput{ApiId: &id})
	if err != nil || len(routes.Items) != 1 || aws.ToString(routes.Items[0].RouteKey) != "GET /pets/{id}" {
		t.Fatalf("GetRoutes = %+v, %v", routes, err)
	}
	arn := "arn:aws:apigateway:us-east-1::/apis/" + id
	if _, err := c.TagResource(ctx, &apigatewayv2.TagResourceInput{ResourceArn: &arn, Tags: map[string]string{"env": "test"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagResource(ctx, &apigatewayv2.UntagResourceInput{ResourceArn: &arn, TagKeys: []string{"team"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.GetTags(ctx, &apigatewayv2.GetTagsInput{ResourceArn: &arn})
	if err != nil || !reflect.DeepEqual(tags.Tags, map[string]string{"env": "test"}) {
		t.Fatalf("GetTags = %+v, %v", tags, err)
	}

	// AWS's errors.
	_, err = c.GetApi(ctx, &apigatewayv2.GetApiInput{ApiId: aws.String("nosuchapi0")})
	if e := expectAPIError(t, err, "NotFoundException", 404); e.Message != "Invalid API identifier specified 000000000000:nosuchapi0" {
		t.Errorf("message = %q", e.Message)
	}
	_, err = c.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: &id, RouteKey: aws.String("GET /pets/{id}")})
	expectAPIError(t, err, "ConflictException", 409)
	_, err = c.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: &id, RouteKey: aws.String("GET /{proxy+}/x")})
	expectAPIError(t, err, "BadRequestException", 400)
	_, err = c.DeleteIntegration(ctx, &apigatewayv2.DeleteIntegrationInput{ApiId: &id, IntegrationId: integ.IntegrationId})
	if e := expectAPIError(t, err, "ConflictException", 409); !strings.HasPrefix(e.Message, "Cannot delete Integration because it is referenced by the following Routes with Ids: [") {
		t.Errorf("message = %q", e.Message)
	}
	_, err = c.UpdateApi(ctx, &apigatewayv2.UpdateApiInput{ApiId: &id,
		CorsConfiguration: &gwtypes.Cors{AllowOrigins: []string{"*"}, AllowCredentials: aws.Bool(true)}})
	if e := expectAPIError(t, err, "BadRequestException", 400); e.Message != "allow-credentials is not supported if 'allow-origin' is *" {
		t.Errorf("message = %q", e.Message)
	}
	_, err = c.DeleteRouteRequestParameter(ctx, &apigatewayv2.DeleteRouteRequestParameterInput{ApiId: &id, RouteId: route.RouteId, RequestParameterKey: aws.String("route.request.header.x")})
	expectAPIError(t, err, "NotImplementedException", 501)

	// Deleting, in the order AWS requires.
	if _, err := c.DeleteRoute(ctx, &apigatewayv2.DeleteRouteInput{ApiId: &id, RouteId: route.RouteId}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteIntegration(ctx, &apigatewayv2.DeleteIntegrationInput{ApiId: &id, IntegrationId: integ.IntegrationId}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteAuthorizer(ctx, &apigatewayv2.DeleteAuthorizerInput{ApiId: &id, AuthorizerId: auth.AuthorizerId}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteStage(ctx, &apigatewayv2.DeleteStageInput{ApiId: &id, StageName: aws.String("prod")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteApi(ctx, &apigatewayv2.DeleteApiInput{ApiId: &id}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetApi(ctx, &apigatewayv2.GetApiInput{ApiId: &id})
	expectAPIError(t, err, "NotFoundException", 404)
}

// TestAPIGWv2QuickCreateEvent quick-creates an API for a Python function
// that echoes its event, and checks the 2.0 event field by field, by host
// name and by path.
func TestAPIGWv2QuickCreateEvent(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	createPythonFunction(t, lambdaClient(t, env), "echo", httpAPIEcho, 10)
	c := apigatewayv2.NewFromConfig(env.Config)
	api, err := c.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("quick"), ProtocolType: gwtypes.ProtocolTypeHttp,
		Target: aws.String(functionARN("echo"))})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(api.ApiId)
	routes, _ := c.GetRoutes(ctx, &apigatewayv2.GetRoutesInput{ApiId: &id})
	stages, _ := c.GetStages(ctx, &apigatewayv2.GetStagesInput{ApiId: &id})
	if len(routes.Items) != 1 || aws.ToString(routes.Items[0].RouteKey) != "$default" ||
		len(stages.Items) != 1 || !aws.ToBool(stages.Items[0].AutoDeploy) || aws.ToString(stages.Items[0].StageName) != "$default" {
		t.Fatalf("quick create: routes %+v, stages %+v", routes.Items, stages.Items)
	}

	before := time.Now()
	for _, pathForm := range []bool{false, true} {
		r := callHTTPAPI(t, env, id, "POST", "/some/path?a=1&a=2&b=x%20y", []byte(`{"hello":"world"}`), map[string]string{
			"Content-Type": "application/json", "User-Agent": "e2e-test", "X-Multi": "one", "Cookie": "c1=v1; c2=v2",
		}, pathForm)
		ev := r.event(t)
		rc := ev["requestContext"].(map[string]any)
		hh := rc["http"].(map[string]any)
		headers := ev["headers"].(map[string]any)
		checks := map[string][2]any{
			"version":               {ev["version"], "2.0"},
			"routeKey":              {ev["routeKey"], "$default"},
			"rawPath":               {ev["rawPath"], "/some/path"},
			"rawQueryString":        {ev["rawQueryString"], "a=1&a=2&b=x%20y"},
			"cookies":               {ev["cookies"], []any{"c1=v1", "c2=v2"}},
			"queryStringParameters": {ev["queryStringParameters"], map[string]any{"a": "1,2", "b": "x y"}},
			"body":                  {ev["body"], `{"hello":"world"}`},
			"isBase64Encoded":       {ev["isBase64Encoded"], false},
			"accountId":             {rc["accountId"], testAccount},
			"apiId":                 {rc["apiId"], id},
			"domainName":            {rc["domainName"], id + ".execute-api.localhost"},
			"domainPrefix":          {rc["domainPrefix"], id},
			"requestId":             {rc["requestId"], r.Header.Get("Apigw-Requestid")},
			"rc.routeKey":           {rc["routeKey"], "$default"},
			"stage":                 {rc["stage"], "$default"},
			"http.method":           {hh["method"], "POST"},
			"http.path":             {hh["path"], "/some/path"},
			"http.protocol":         {hh["protocol"], "HTTP/1.1"},
			"http.sourceIp":         {hh["sourceIp"], "127.0.0.1"},
			"http.userAgent":        {hh["userAgent"], "e2e-test"},
			"headers.content-type":  {headers["content-type"], "application/json"},
			"headers.x-multi":       {headers["x-multi"], "one"},
			"headers.user-agent":    {headers["user-agent"], "e2e-test"},
		}
		for name, c := range checks {
			if !reflect.DeepEqual(c[0], c[1]) {
				t.Errorf("path form %v: %s = %#v, want %#v", pathForm, name, c[0], c[1])
			}
		}
		for _, k := range []string{"pathParameters", "stageVariables"} {
			if _, ok := ev[k]; ok {
				t.Errorf("%s is present: %v", k, ev[k])
			}
		}
		if _, ok := headers["cookie"]; ok {
			t.Error("the cookie header is in headers as well as in cookies")
		}
		if !regexp.MustCompile(`^\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} \+0000$`).MatchString(rc["time"].(string)) {
			t.Errorf("time = %q", rc["time"])
		}
		if epoch := int64(rc["timeEpoch"].(float64)); epoch < before.UnixMilli()-1000 || epoch > time.Now().UnixMilli() {
			t.Errorf("timeEpoch = %d", epoch)
		}
		if r.Header.Get("Apigw-Requestid") == "" {
			t.Error("no apigw-requestid")
		}
	}
	// A binary body reaches the function base64-encoded.
	bin := []byte{0x89, 'P', 'N', 'G', 0, 0xff}
	ev := callHTTPAPI(t, env, id, "PUT", "/upload", bin, map[string]string{"Content-Type": "image/png"}, false).event(t)
	if ev["isBase64Encoded"] != true || ev["body"] != base64.StdEncoding.EncodeToString(bin) {
		t.Errorf("binary body: isBase64Encoded %v body %v", ev["isBase64Encoded"], ev["body"])
	}
}

// TestAPIGWv2RoutingAndStages builds an API by hand and checks route
// precedence, named stages with variables and the 1.0 payload.
func TestAPIGWv2RoutingAndStages(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	createPythonFunction(t, lambdaClient(t, env), "echo", httpAPIEcho, 10)
	c := apigatewayv2.NewFromConfig(env.Config)
	id := aws.ToString(mustGW(c.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("routes"), ProtocolType: gwtypes.ProtocolTypeHttp}))(t).ApiId)
	v2 := mustGW(c.CreateIntegration(ctx, &apigatewayv2.CreateIntegrationInput{ApiId: &id, IntegrationType: gwtypes.IntegrationTypeAwsProxy,
		IntegrationUri: aws.String(functionARN("echo")), PayloadFormatVersion: aws.String("2.0")}))(t).IntegrationId
	v1 := mustGW(c.CreateIntegration(ctx, &apigatewayv2.CreateIntegrationInput{ApiId: &id, IntegrationType: gwtypes.IntegrationTypeAwsProxy,
		IntegrationUri: aws.String(functionARN("echo")), PayloadFormatVersion: aws.String("1.0")}))(t).IntegrationId
	for _, key := range []string{"GET /pets/dog/1", "GET /pets/dog/{id}", "GET /pets/{proxy+}", "ANY /{proxy+}", "$default"} {
		mustGW(c.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: &id, RouteKey: aws.String(key), Target: aws.String("integrations/" + *v2)}))(t)
	}
	mustGW(c.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: &id, RouteKey: aws.String("GET /legacy/{item}"), Target: aws.String("integrations/" + *v1)}))(t)
	mustGW(c.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: &id, StageName: aws.String("$default"), AutoDeploy: aws.Bool(true)}))(t)
	mustGW(c.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: &id, StageName: aws.String("dev"), AutoDeploy: aws.Bool(true),
		StageVariables: map[string]string{"color": "blue"}}))(t)

	for _, tc := range []struct {
		method, path, route string
		params              map[string]any
	}{
		{"GET", "/pets/dog/1", "GET /pets/dog/1", nil},
		{"GET", "/pets/dog/2", "GET /pets/dog/{id}", map[string]any{"id": "2"}},
		{"GET", "/pets/cat/1", "GET /pets/{proxy+}", map[string]any{"proxy": "cat/1"}},
		{"POST", "/pets/cat/1", "ANY /{proxy+}", map[string]any{"proxy": "pets/cat/1"}},
		{"GET", "/", "$default", nil},
	} {
		ev := callHTTPAPI(t, env, id, tc.method, tc.path, nil, nil, false).event(t)
		var params any
		if tc.params != nil {
			params = tc.params
		}
		if ev["routeKey"] != tc.route || !reflect.DeepEqual(ev["pathParameters"], params) {
			t.Errorf("%s %s: route %v %v, want %s %v", tc.method, tc.path, ev["routeKey"], ev["pathParameters"], tc.route, tc.params)
		}
	}
	ev := callHTTPAPI(t, env, id, "GET", "/dev/pets/dog/7", nil, nil, true).event(t)
	if ev["routeKey"] != "GET /pets/dog/{id}" || ev["rawPath"] != "/dev/pets/dog/7" ||
		!reflect.DeepEqual(ev["stageVariables"], map[string]any{"color": "blue"}) || ev["requestContext"].(map[string]any)["stage"] != "dev" {
		t.Errorf("dev stage: %v", ev)
	}
	ev = callHTTPAPI(t, env, id, "GET", "/legacy/42?q=a&q=b", nil, map[string]string{"X-Thing": "t"}, false).event(t)
	want := map[string]any{
		"version": "1.0", "resource": "/legacy/{item}", "path": "/legacy/42", "httpMethod": "GET",
		"pathParameters": map[string]any{"item": "42"}, "queryStringParameters": map[string]any{"q": "b"},
		"multiValueQueryStringParameters": map[string]any{"q": []any{"a", "b"}}, "body": nil, "isBase64Encoded": false,
	}
	for k, v := range want {
		if !reflect.DeepEqual(ev[k], v) {
			t.Errorf("1.0 event %s = %#v, want %#v", k, ev[k], v)
		}
	}
	if ev["headers"].(map[string]any)["x-thing"] != "t" || ev["requestContext"].(map[string]any)["identity"].(map[string]any)["sourceIp"] != "127.0.0.1" {
		t.Errorf("1.0 event: headers %v, requestContext %v", ev["headers"], ev["requestContext"])
	}
}

// TestAPIGWv2Responses checks how the function's answers become HTTP
// responses, and API Gateway's error answers.
func TestAPIGWv2Responses(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	createPythonFunction(t, lambdaClient(t, env), "echo", httpAPIEcho, 10)
	c := apigatewayv2.NewFromConfig(env.Config)
	id := aws.ToString(mustGW(c.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("responses"), ProtocolType: gwtypes.ProtocolTypeHttp,
		Target: aws.String(functionARN("echo")), RouteKey: aws.String("ANY /r/{proxy+}")}))(t).ApiId)
	integs := mustGW(c.GetIntegrations(ctx, &apigatewayv2.GetIntegrationsInput{ApiId: &id}))(t)

	for _, tc := range []struct {
		mode        string
		status      int
		contentType string
		body        string
	}{
		{"string", 200, "application/json", "hello from lambda"},
		{"object", 200, "application/json", `{"message": "inferred"}`},
		{"binary", 200, "image/png", "\x00\x01\x02\xff"},
		{"cookies", 201, "text/plain; charset=utf-8", "with cookies"},
		{"error", 500, "application/json", `{"message":"Internal Server Error"}`},
		{"malformed", 500, "application/json", `{"message":"Internal Server Error"}`},
		{"sleep", 503, "application/json", `{"message":"Service Unavailable"}`},
	} {
		if tc.mode == "sleep" {
			// Short only now: the timeout counts the function's cold start
			// too, which on a loaded machine can outlast one second.
			mustGW(c.UpdateIntegration(ctx, &apigatewayv2.UpdateIntegrationInput{ApiId: &id, IntegrationId: integs.Items[0].IntegrationId,
				TimeoutInMillis: aws.Int32(1000)}))(t)
		}
		r := callHTTPAPI(t, env, id, "GET", "/r/x", nil, map[string]string{"X-Mode": tc.mode}, false)
		if r.Status != tc.status || string(r.Body) != tc.body || (tc.contentType != "" && r.Header.Get("Content-Type") != tc.contentType) {
			t.Errorf("%s: HTTP %d %q (%s), want %d %q (%s)", tc.mode, r.Status, r.Body, r.Header.Get("Content-Type"), tc.status, tc.body, tc.contentType)
		}
		if tc.mode == "cookies" && (!reflect.DeepEqual(r.Header.Values("Set-Cookie"), []string{"a=1; Path=/", "b=2"}) || r.Header.Get("X-Custom") != "yes") {
			t.Errorf("cookies: Set-Cookie %v, X-Custom %q", r.Header.Values("Set-Cookie"), r.Header.Get("X-Custom"))
		}
	}
	// An answer over net/http's 2 KB buffer still comes whole, with its
	// length, not chunked.
	if r := callHTTPAPI(t, env, id, "GET", "/r/x", nil, map[string]string{"X-Pad": strings.Repeat("p", 4096)}, false); r.Status != 200 ||
		len(r.Body) < 4096 || r.Header.Get("Content-Length") != strconv.Itoa(len(r.Body)) {
		t.Errorf("a long answer: HTTP %d, %d bytes, Content-Length %q", r.Status, len(r.Body), r.Header.Get("Content-Length"))
	}
	if r := callHTTPAPI(t, env, id, "GET", "/elsewhere", nil, nil, false); r.Status != 404 || string(r.Body) != `{"message":"Not Found"}` {
		t.Errorf("no route: HTTP %d %s", r.Status, r.Body)
	}
	if r := callHTTPAPI(t, env, "nosuchapi0", "GET", "/", nil, nil, true); r.Status != 404 || string(r.Body) != `{"message":"Not Found"}` {
		t.Errorf("no API: HTTP %d %s", r.Status, r.Body)
	}
}

// TestAPIGWv2Authorizers checks Lambda REQUEST authorizers: simple
// responses with caching, and IAM policy responses of format 1.0.
func TestAPIGWv2Authorizers(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	lc := lambdaClient(t, env)
	createPythonFunction(t, lc, "echo", httpAPIEcho, 10)
	createPythonFunction(t, lc, "simple-auth", httpAPISimpleAuthorizer, 10)
	createPythonFunction(t, lc, "policy-auth", httpAPIPolicyAuthorizer, 10)
	c := apigatewayv2.NewFromConfig(env.Config)
	id := aws.ToString(mustGW(c.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("auth"), ProtocolType: gwtypes.ProtocolTypeHttp,
		Target: aws.String(functionARN("echo")), RouteKey: aws.String("GET /open")}))(t).ApiId)
	integ := mustGW(c.GetIntegrations(ctx, &apigatewayv2.GetIntegrationsInput{ApiId: &id}))(t).Items[0].IntegrationId
	simple := mustGW(c.CreateAuthorizer(ctx, &apigatewayv2.CreateAuthorizerInput{ApiId: &id, Name: aws.String("simple"),
		AuthorizerType: gwtypes.AuthorizerTypeRequest, AuthorizerPayloadFormatVersion: aws.String("2.0"), EnableSimpleResponses: aws.Bool(true),
		AuthorizerUri:                aws.String("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + functionARN("simple-auth") + "/invocations"),
		AuthorizerResultTtlInSeconds: aws.Int32(300), IdentitySource: []string{"$request.header.Authorization"}}))(t).AuthorizerId
	policy := mustGW(c.CreateAuthorizer(ctx, &apigatewayv2.CreateAuthorizerInput{ApiId: &id, Name: aws.String("policy"),
		AuthorizerType: gwtypes.AuthorizerTypeRequest, AuthorizerPayloadFormatVersion: aws.String("1.0"),
		AuthorizerUri: aws.String(functionARN("policy-auth")), IdentitySource: []string{"$request.header.Authorization"}}))(t).AuthorizerId
	mustGW(c.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: &id, RouteKey: aws.String("GET /simple"), Target: aws.String("integrations/" + *integ),
		AuthorizationType: gwtypes.AuthorizationTypeCustom, AuthorizerId: simple}))(t)
	mustGW(c.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: &id, RouteKey: aws.String("GET /policy"), Target: aws.String("integrations/" + *integ),
		AuthorizationType: gwtypes.AuthorizationTypeCustom, AuthorizerId: policy}))(t)

	if r := callHTTPAPI(t, env, id, "GET", "/simple", nil, nil, false); r.Status != 401 || string(r.Body) != `{"message":"Unauthorized"}` {
		t.Errorf("no identity: HTTP %d %s", r.Status, r.Body)
	}
	if r := callHTTPAPI(t, env, id, "GET", "/simple", nil, map[string]string{"Authorization": "deny"}, false); r.Status != 403 || string(r.Body) != `{"message":"Forbidden"}` {
		t.Errorf("denied: HTTP %d %s", r.Status, r.Body)
	}
	nonce := func(ev map[string]any) any {
		au := ev["requestContext"].(map[string]any)["authorizer"].(map[string]any)["lambda"].(map[string]any)
		if au["user"] != "alice" {
			t.Errorf("authorizer context = %v", au)
		}
		return au["nonce"]
	}
	first := nonce(callHTTPAPI(t, env, id, "GET", "/simple", nil, map[string]string{"Authorization": "allow"}, false).event(t))
	second := nonce(callHTTPAPI(t, env, id, "GET", "/simple", nil, map[string]string{"Authorization": "allow"}, true).event(t))
	if first == nil || first != second {
		t.Errorf("the cached answer was not used: nonces %v and %v", first, second)
	}
	if _, err := c.ResetAuthorizersCache(ctx, &apigatewayv2.ResetAuthorizersCacheInput{ApiId: &id, StageName: aws.String("$default")}); err != nil {
		t.Fatal(err)
	}
	if third := nonce(callHTTPAPI(t, env, id, "GET", "/simple", nil, map[string]string{"Authorization": "allow"}, false).event(t)); third == first {
		t.Error("ResetAuthorizersCache kept the cached answer")
	}

	if r := callHTTPAPI(t, env, id, "GET", "/policy", nil, map[string]string{"Authorization": "deny"}, false); r.Status != 403 {
		t.Errorf("policy Deny: HTTP %d %s", r.Status, r.Body)
	}
	ev := callHTTPAPI(t, env, id, "GET", "/policy", nil, map[string]string{"Authorization": "allow"}, false).event(t)
	if au := ev["requestContext"].(map[string]any)["authorizer"].(map[string]any)["lambda"].(map[string]any); au["role"] != "admin" {
		t.Errorf("policy authorizer context = %v", au)
	}
	if r := callHTTPAPI(t, env, id, "GET", "/open", nil, nil, false); r.Status != 200 {
		t.Errorf("open route: HTTP %d", r.Status)
	}
}

func TestAPIGWv2CORS(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	lc := lambdaClient(t, env)
	createPythonFunction(t, lc, "echo", httpAPIEcho, 10)
	createPythonFunction(t, lc, "simple-auth", httpAPISimpleAuthorizer, 10)
	c := apigatewayv2.NewFromConfig(env.Config)
	id := aws.ToString(mustGW(c.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("cors"), ProtocolType: gwtypes.ProtocolTypeHttp,
		Target: aws.String(functionARN("echo")), RouteKey: aws.String("ANY /{proxy+}"),
		CorsConfiguration: &gwtypes.Cors{AllowOrigins: []string{"https://app.example"}, AllowMethods: []string{"GET", "PUT"},
			AllowHeaders: []string{"content-type", "authorization"}, ExposeHeaders: []string{"x-request-id"},
			MaxAge: aws.Int32(600), AllowCredentials: aws.Bool(true)}}))(t).ApiId)
	// Guard the route with an authorizer: preflights never reach it.
	auth := mustGW(c.CreateAuthorizer(ctx, &apigatewayv2.CreateAuthorizerInput{ApiId: &id, Name: aws.String("a"),
		AuthorizerType: gwtypes.AuthorizerTypeRequest, AuthorizerPayloadFormatVersion: aws.String("2.0"), EnableSimpleResponses: aws.Bool(true),
		AuthorizerUri: aws.String(functionARN("simple-auth")), IdentitySource: []string{"$request.header.Authorization"}}))(t).AuthorizerId
	route := mustGW(c.GetRoutes(ctx, &apigatewayv2.GetRoutesInput{ApiId: &id}))(t).Items[0].RouteId
	mustGW(c.UpdateRoute(ctx, &apigatewayv2.UpdateRouteInput{ApiId: &id, RouteId: route,
		AuthorizationType: gwtypes.AuthorizationTypeCustom, AuthorizerId: auth}))(t)

	pre := callHTTPAPI(t, env, id, "OPTIONS", "/items", nil, map[string]string{"Origin": "https://app.example",
		"Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "content-type"}, false)
	want := map[string]string{
		"Access-Control-Allow-Origin": "https://app.example", "Access-Control-Allow-Methods": "GET,PUT",
		"Access-Control-Allow-Headers": "content-type,authorization", "Access-Control-Max-Age": "600",
		"Access-Control-Allow-Credentials": "true",
	}
	if pre.Status != 204 {
		t.Errorf("preflight: HTTP %d %s", pre.Status, pre.Body)
	}
	for k, v := range want {
		if got := pre.Header.Get(k); got != v {
			t.Errorf("preflight %s = %q, want %q", k, got, v)
		}
	}
	r := callHTTPAPI(t, env, id, "GET", "/items", nil, map[string]string{"Origin": "https://app.example", "Authorization": "allow"}, false)
	if r.Status != 200 || r.Header.Get("Access-Control-Allow-Origin") != "https://app.example" ||
		r.Header.Get("Access-Control-Expose-Headers") != "x-request-id" || r.Header.Get("Access-Control-Allow-Credentials") != "true" {
		t.Errorf("CORS response: HTTP %d %v", r.Status, r.Header)
	}
	// The function's own Access-Control-Allow-Origin is replaced.
	if got := r.Header.Values("Access-Control-Allow-Origin"); len(got) != 1 {
		t.Errorf("Access-Control-Allow-Origin = %v", got)
	}
	if r := callHTTPAPI(t, env, id, "GET", "/items", nil, map[string]string{"Origin": "https://app.example"}, false); r.Status != 401 ||
		r.Header.Get("Access-Control-Allow-Origin") != "https://app.example" {
		t.Errorf("unauthorized CORS request: HTTP %d %v", r.Status, r.Header)
	}
}

// TestAPIGWv2CLI drives the Debian aws CLI: quick create, get-apis,
// get-routes, and a call to the API it made.
func TestAPIGWv2CLI(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	e2e.RequireTool(t, e2e.AWSCLI)
	createPythonFunction(t, lambdaClient(t, env), "echo", httpAPIEcho, 10)
	var api struct {
		ApiId, ApiEndpoint, Name, ProtocolType, RouteSelectionExpression string
	}
	cliJSON(t, env.CLI(t, "apigatewayv2", "create-api", "--name", "cli-api", "--protocol-type", "HTTP",
		"--target", functionARN("echo"), "--route-key", "GET /hello"), &api)
	if api.Name != "cli-api" || api.ProtocolType != "HTTP" || len(api.ApiId) != 10 || api.RouteSelectionExpression != "$request.method $request.path" {
		t.Errorf("create-api = %+v", api)
	}
	var apis struct {
		Items []struct{ ApiId, Name string }
	}
	cliJSON(t, env.CLI(t, "apigatewayv2", "get-apis"), &apis)
	if len(apis.Items) != 1 || apis.Items[0].ApiId != api.ApiId {
		t.Errorf("get-apis = %+v", apis)
	}
	var routes struct {
		Items []struct{ RouteKey, Target, RouteId string }
	}
	cliJSON(t, env.CLI(t, "apigatewayv2", "get-routes", "--api-id", api.ApiId), &routes)
	if len(routes.Items) != 1 || routes.Items[0].RouteKey != "GET /hello" || !strings.HasPrefix(routes.Items[0].Target, "integrations/") {
		t.Errorf("get-routes = %+v", routes)
	}
	if ev := callHTTPAPI(t, env, api.ApiId, "GET", "/hello", nil, nil, false).event(t); ev["routeKey"] != "GET /hello" {
		t.Errorf("event = %v", ev)
	}
	res := env.CLI(t, "apigatewayv2", "get-api", "--api-id", "nosuchapi0")
	if res.ExitCode == 0 || !strings.Contains(res.Stderr, "NotFoundException") || !strings.Contains(res.Stderr, "Invalid API identifier specified 000000000000:nosuchapi0") {
		t.Errorf("get-api of no API: exit %d, %s", res.ExitCode, res.Stderr)
	}
}

// mustGW takes an SDK call's results and returns them to the test, which
// fails on an error: mustGW(c.Op(ctx, in))(t).
func mustGW[T any](v T, err error) func(testing.TB) T {
	return func(t testing.TB) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// TestAPIGWv2HTTPProxy quick-creates an API for a URL: requests go on to
// it with their path (the $default route's) and query, and its answer
// comes back as it is.
func TestAPIGWv2HTTPProxy(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	var seen string
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = r.Method + " " + r.URL.RequestURI() + " " + r.Header.Get("X-Forwarded-For")
		w.Header().Set("X-Backend", "1")
		w.WriteHeader(http.StatusTeapot)
		io.WriteString(w, "short and stout")
	}))
	defer backend.Close()
	c := apigatewayv2.NewFromConfig(env.Config)
	api := mustGW(c.CreateApi(context.Background(), &apigatewayv2.CreateApiInput{Name: aws.String("proxy"),
		ProtocolType: gwtypes.ProtocolTypeHttp, Target: aws.String(backend.URL + "/base")}))(t)
	r := callHTTPAPI(t, env, aws.ToString(api.ApiId), "DELETE", "/tea/pot?sugar=2", nil, nil, true)
	if r.Status != http.StatusTeapot || string(r.Body) != "short and stout" || r.Header.Get("X-Backend") != "1" {
		t.Errorf("proxied answer: HTTP %d %q %v", r.Status, r.Body, r.Header)
	}
	if seen != "DELETE /base/tea/pot?sugar=2 127.0.0.1" {
		t.Errorf("the backend saw %q", seen)
	}
}

// TestAPIGWv2ParameterMapping changes what an HTTP proxy integration is
// sent and what its answer becomes.
func TestAPIGWv2ParameterMapping(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	var seen *http.Request
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = r
		w.Header().Set("X-Internal", "secret")
		w.Header().Set("X-Version", "7")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, `{"order": {"id": "o-1"}}`)
	}))
	defer backend.Close()
	c := apigatewayv2.NewFromConfig(env.Config)
	api := mustGW(c.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("mapped"), ProtocolType: gwtypes.ProtocolTypeHttp}))(t)
	id := aws.ToString(api.ApiId)
	integ, err := c.CreateIntegration(ctx, &apigatewayv2.CreateIntegrationInput{ApiId: &id, IntegrationType: gwtypes.IntegrationTypeHttpProxy,
		IntegrationUri: aws.String(backend.URL + "/v1/orders"), IntegrationMethod: aws.String("ANY"), PayloadFormatVersion: aws.String("1.0"),
		RequestParameters: map[string]string{
			"overwrite:path":               "/v2/orders/$request.path.id",
			"append:header.X-Caller":       "$request.header.user-agent",
			"overwrite:header.X-Stage":     "$context.stage",
			"remove:header.X-Debug":        "''",
			"overwrite:querystring.tenant": "acme",
			"remove:querystring.trace":     "''",
		},
		ResponseParameters: map[string]map[string]string{"201": {
			"overwrite:statuscode":     "200",
			"remove:header.X-Internal": "''",
			"append:header.X-Order":    "$response.body.order.id",
			"overwrite:header.X-Ver":   "v$response.header.X-Version",
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	mustGW(c.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: &id, RouteKey: aws.String("GET /orders/{id}"),
		Target: aws.String("integrations/" + aws.ToString(integ.IntegrationId))}))(t)
	mustGW(c.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: &id, StageName: aws.String("$default"), AutoDeploy: aws.Bool(true)}))(t)

	r := callHTTPAPI(t, env, id, "GET", "/orders/42?trace=1&q=x", nil, map[string]string{"User-Agent": "mapper", "X-Debug": "1"}, true)
	if r.Status != 200 || r.Header.Get("X-Internal") != "" || r.Header.Get("X-Order") != "o-1" || r.Header.Get("X-Ver") != "v7" {
		t.Errorf("mapped response: %d %v", r.Status, r.Header)
	}
	if seen == nil {
		t.Fatal("the backend got nothing")
	}
	q := seen.URL.Query()
	if seen.URL.Path != "/v2/orders/42" || q.Get("tenant") != "acme" || q.Has("trace") || q.Get("q") != "x" ||
		seen.Header.Get("X-Debug") != "" || seen.Header.Get("X-Stage") != "$default" || seen.Header.Values("X-Caller")[0] != "mapper" {
		t.Errorf("the backend saw %s %v", seen.URL, seen.Header)
	}
}
