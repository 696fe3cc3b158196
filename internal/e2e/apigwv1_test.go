package e2e_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	agtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/virga/virga/internal/e2e"
)

// apigwv1EchoFunction answers a proxy event with the event itself, and
// misbehaves on request: /boom raises, /malformed answers a non-proxy
// object, /slow outlives a short integration timeout, /binary answers a
// base64-encoded PNG header.
const apigwv1EchoFunction = `
import base64, json, time

def handler(event, context):
    path = event.get("path") or ""
    if path.endswith("/boom"):
        raise Exception("boom")
    if path.endswith("/malformed"):
        return {"oops": True}
    if path.endswith("/slow"):
        time.sleep(3)
    if path.endswith("/binary"):
        return {"statusCode": 200, "headers": {"Content-Type": "image/png"}, "isBase64Encoded": True,
                "body": base64.b64encode(b"\x89PNG\r\n\x1a\n").decode()}
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json", "X-Echo": "yes"},
        "multiValueHeaders": {"X-Multi": ["a", "b"]},
        "body": json.dumps(event),
    }
`

// apigwv1FunctionARN is the ARN of a test function.
func apigwv1FunctionARN(name string) string {
	return "arn:aws:lambda:us-east-1:" + testAccount + ":function:" + name
}

// apigwv1LambdaURI is the integration URI of a test function.
func apigwv1LambdaURI(name string) string {
	return "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + apigwv1FunctionARN(name) + "/invocations"
}

// apigwv1Response is a data plane answer.
type apigwv1Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// apigwv1Call sends a request to a REST API's stage, by host name
// (ID.execute-api.localhost) or, with pathForm, by the path form
// /_aws/execute-api/ID/....
func apigwv1Call(t testing.TB, env *e2e.Env, apiID, method, path string, body []byte, header map[string]string, pathForm bool) apigwv1Response {
	t.Helper()
	url := env.Endpoint + path
	if pathForm {
		url = env.Endpoint + "/_aws/execute-api/" + apiID + path
	}
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if !pathForm {
		req.Host = apiID + ".execute-api.localhost" + env.Endpoint[strings.LastIndex(env.Endpoint, ":"):]
	}
	for k, v := range header {
		req.Header[k] = []string{v} // sent as spelled
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return apigwv1Response{Status: res.StatusCode, Header: res.Header, Body: b}
}

func (r apigwv1Response) want(t testing.TB, status int, body string) {
	t.Helper()
	if r.Status != status || (body != "" && string(r.Body) != body) {
		t.Fatalf("HTTP %d %s, want HTTP %d %s", r.Status, r.Body, status, body)
	}
}

// apigwv1Event decodes the event an echo function sent back.
func apigwv1Event(t testing.TB, r apigwv1Response) map[string]any {
	t.Helper()
	if r.Status != 200 {
		t.Fatalf("HTTP %d %s", r.Status, r.Body)
	}
	var ev map[string]any
	if err := json.Unmarshal(r.Body, &ev); err != nil {
		t.Fatalf("%v: %s", err, r.Body)
	}
	return ev
}

// apigwv1ProxyGET adds the resource /pathPart below the API's root with
// a GET method of the given authorization type, integrated (AWS_PROXY)
// with the function fn.
func apigwv1ProxyGET(t testing.TB, c *apigateway.Client, apiID, pathPart, authType, fn string) {
	t.Helper()
	ctx := context.Background()
	root := apigwv1Resource(t, c, apiID, "/")
	r, err := c.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: &apiID, ParentId: &root, PathPart: aws.String(pathPart)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: &apiID, ResourceId: r.Id, HttpMethod: aws.String("GET"),
		AuthorizationType: aws.String(authType)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: &apiID, ResourceId: r.Id, HttpMethod: aws.String("GET"),
		Type: agtypes.IntegrationTypeAwsProxy, IntegrationHttpMethod: aws.String("POST"), Uri: aws.String(apigwv1LambdaURI(fn))}); err != nil {
		t.Fatal(err)
	}
}

// apigwv1Resource returns the id of the resource at path.
func apigwv1Resource(t testing.TB, c *apigateway.Client, apiID, path string) string {
	t.Helper()
	out, err := c.GetResources(context.Background(), &apigateway.GetResourcesInput{RestApiId: &apiID})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range out.Items {
		if aws.ToString(r.Path) == path {
			return aws.ToString(r.Id)
		}
	}
	t.Fatalf("no resource at %s", path)
	return ""
}

// TestAPIGWv1ByHand builds a REST API with the SDK, resource by resource,
// deploys it and calls it, checking the payload format 1.0 event a Python
// function receives field by field.
func TestAPIGWv1ByHand(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	lc := lambdaClient(t, env)
	createPythonFunction(t, lc, "apigw-echo", apigwv1EchoFunction, 10)
	c := apigateway.NewFromConfig(env.Config)

	api, err := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("by-hand"), Description: aws.String("built by hand"),
		Tags: map[string]string{"team": "virga"}})
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[a-z0-9]{10}$`).MatchString(aws.ToString(api.Id)) || api.ApiKeySource != agtypes.ApiKeySourceTypeHeader ||
		len(api.EndpointConfiguration.Types) != 1 || api.EndpointConfiguration.Types[0] != agtypes.EndpointTypeEdge || api.CreatedDate == nil {
		t.Fatalf("CreateRestApi: %+v", api)
	}
	id := api.Id
	root := apigwv1Resource(t, c, *id, "/")
	if root != aws.ToString(api.RootResourceId) {
		t.Errorf("root resource %s, rootResourceId %s", root, aws.ToString(api.RootResourceId))
	}
	items, err := c.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: id, ParentId: &root, PathPart: aws.String("items")})
	if err != nil {
		t.Fatal(err)
	}
	item, err := c.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: id, ParentId: items.Id, PathPart: aws.String("{id}")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(item.Path) != "/items/{id}" || !regexp.MustCompile(`^[a-z0-9]{6}$`).MatchString(aws.ToString(item.Id)) {
		t.Errorf("CreateResource: %+v", item)
	}
	proxy, err := c.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: id, ParentId: &root, PathPart: aws.String("{proxy+}")})
	if err != nil {
		t.Fatal(err)
	}
	// Only /slow has a short integration timeout: the timeout counts the
	// function's cold start too, which on a loaded machine can outlast
	// one second by itself.
	slow, err := c.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: id, ParentId: &root, PathPart: aws.String("slow")})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []struct {
		resource, verb string
		timeout        int32
	}{{*item.Id, "GET", 0}, {*proxy.Id, "ANY", 0}, {*slow.Id, "ANY", 1000}} {
		out, err := c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: id, ResourceId: &m.resource, HttpMethod: &m.verb, AuthorizationType: aws.String("NONE")})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.HttpMethod) != m.verb || aws.ToBool(out.ApiKeyRequired) {
			t.Errorf("PutMethod: %+v", out)
		}
		in := &apigateway.PutIntegrationInput{RestApiId: id, ResourceId: &m.resource, HttpMethod: &m.verb, Type: agtypes.IntegrationTypeAwsProxy,
			IntegrationHttpMethod: aws.String("POST"), Uri: aws.String(apigwv1LambdaURI("apigw-echo"))}
		if m.timeout > 0 {
			in.TimeoutInMillis = &m.timeout
		}
		ig, err := c.PutIntegration(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if ig.Type != agtypes.IntegrationTypeAwsProxy || aws.ToString(ig.PassthroughBehavior) != "WHEN_NO_MATCH" || ig.TimeoutInMillis == 0 {
			t.Errorf("PutIntegration: %+v", ig)
		}
	}
	dep, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: id, StageName: aws.String("prod"),
		Variables: map[string]string{"env": "production"}})
	if err != nil {
		t.Fatal(err)
	}
	stages, err := c.GetStages(ctx, &apigateway.GetStagesInput{RestApiId: id})
	if err != nil {
		t.Fatal(err)
	}
	if len(stages.Item) != 1 || aws.ToString(stages.Item[0].StageName) != "prod" || aws.ToString(stages.Item[0].DeploymentId) != aws.ToString(dep.Id) ||
		stages.Item[0].Variables["env"] != "production" {
		t.Fatalf("GetStages: %+v", stages.Item)
	}

	// The event, field by field.
	r := apigwv1Call(t, env, *id, "POST", "/prod/items/42?tag=a&tag=b&one=1", []byte(`{"hello":"world"}`),
		map[string]string{"content-type": "application/json", "User-Agent": "virga-e2e", "X-Custom": "c", "X-UPPER": "u"}, false)
	if r.Header.Get("X-Echo") != "yes" || strings.Join(r.Header.Values("X-Multi"), ",") != "a,b" ||
		r.Header.Get("X-Amzn-Requestid") == "" || r.Header.Get("X-Amz-Apigw-Id") == "" {
		t.Errorf("response headers %v", r.Header)
	}
	// POST reaches ANY /{proxy+}: /items/{id} has GET only.
	ev := apigwv1Event(t, r)
	host := *id + ".execute-api.localhost"
	for k, want := range map[string]any{
		"resource": "/{proxy+}", "path": "/items/42", "httpMethod": "POST", "body": `{"hello":"world"}`, "isBase64Encoded": false,
		"pathParameters":                  map[string]any{"proxy": "items/42"},
		"stageVariables":                  map[string]any{"env": "production"},
		"queryStringParameters":           map[string]any{"tag": "b", "one": "1"},
		"multiValueQueryStringParameters": map[string]any{"tag": []any{"a", "b"}, "one": []any{"1"}},
	} {
		if got, w := apigwv1JSON(ev[k]), apigwv1JSON(want); got != w {
			t.Errorf("event.%s = %s, want %s", k, got, w)
		}
	}
	headers, _ := ev["headers"].(map[string]any)
	if headers["X-Custom"] != "c" || headers["User-Agent"] != "virga-e2e" || !strings.HasPrefix(apigwv1String(headers["Host"]), host) ||
		headers["X-Forwarded-For"] != "127.0.0.1" || headers["X-Forwarded-Proto"] != "http" {
		t.Errorf("event.headers %v", headers)
	}
	// A REST API keeps the names as the client spelled them.
	if headers["content-type"] != "application/json" || headers["X-UPPER"] != "u" || headers["Content-Type"] != nil {
		t.Errorf("event.headers spelled %v", headers)
	}
	if mv, _ := ev["multiValueHeaders"].(map[string]any); apigwv1JSON(mv["X-Custom"]) != `["c"]` || apigwv1JSON(mv["content-type"]) != `["application/json"]` {
		t.Errorf("event.multiValueHeaders %v", mv)
	}
	rc, _ := ev["requestContext"].(map[string]any)
	for k, want := range map[string]any{
		"accountId": testAccount, "apiId": *id, "resourcePath": "/{proxy+}", "resourceId": *proxy.Id, "httpMethod": "POST",
		"path": "/prod/items/42", "protocol": "HTTP/1.1", "stage": "prod", "domainName": host, "domainPrefix": *id,
		"requestId": r.Header.Get("X-Amzn-Requestid"), "extendedRequestId": r.Header.Get("X-Amz-Apigw-Id"), "deploymentId": aws.ToString(dep.Id),
	} {
		if rc[k] != want {
			t.Errorf("requestContext.%s = %v, want %v", k, rc[k], want)
		}
	}
	if !regexp.MustCompile(`^\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} \+0000$`).MatchString(apigwv1String(rc["requestTime"])) {
		t.Errorf("requestContext.requestTime %v", rc["requestTime"])
	}
	if epoch, _ := rc["requestTimeEpoch"].(float64); epoch < 1e12 {
		t.Errorf("requestContext.requestTimeEpoch %v", rc["requestTimeEpoch"])
	}
	ident, _ := rc["identity"].(map[string]any)
	if ident["sourceIp"] != "127.0.0.1" || ident["userAgent"] != "virga-e2e" || ident["caller"] != nil || ident["accessKey"] != nil {
		t.Errorf("requestContext.identity %v", ident)
	}
	if _, ok := rc["authorizer"]; ok {
		t.Errorf("requestContext.authorizer without an authorizer: %v", rc["authorizer"])
	}

	// GET reaches /items/{id}; the path form reaches the same stage; no
	// query is null.
	for _, pathForm := range []bool{false, true} {
		ev = apigwv1Event(t, apigwv1Call(t, env, *id, "GET", "/prod/items/a%20b", nil, nil, pathForm))
		if ev["resource"] != "/items/{id}" || apigwv1JSON(ev["pathParameters"]) != `{"id":"a%20b"}` ||
			ev["queryStringParameters"] != nil || ev["multiValueQueryStringParameters"] != nil || ev["body"] != nil {
			t.Errorf("GET /items/a%%20b (path form %v): %v", pathForm, ev)
		}
	}

	// AWS's own answers.
	apigwv1Call(t, env, *id, "GET", "/prod", nil, nil, false).want(t, 403, `{"message":"Missing Authentication Token"}`)
	apigwv1Call(t, env, *id, "GET", "/nostage/items/1", nil, nil, false).want(t, 403, `{"message":"Forbidden"}`)
	apigwv1Call(t, env, *id, "GET", "/prod/boom", nil, nil, false).want(t, 502, `{"message": "Internal server error"}`)
	apigwv1Call(t, env, *id, "GET", "/prod/malformed", nil, nil, true).want(t, 502, `{"message": "Internal server error"}`)
	apigwv1Call(t, env, *id, "GET", "/prod/slow", nil, nil, false).want(t, 504, `{"message": "Endpoint request timed out"}`)

	// The control plane's errors.
	_, err = c.GetRestApi(ctx, &apigateway.GetRestApiInput{RestApiId: aws.String("nope")})
	if e := expectAPIError(t, err, "NotFoundException", 404); e.Message != "Invalid API identifier specified 000000000000:nope" {
		t.Errorf("message %q", e.Message)
	}
	_, err = c.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: id, ParentId: &root, PathPart: aws.String("items")})
	if e := expectAPIError(t, err, "ConflictException", 409); e.Message != "Another resource with the same parent already has this name: items" {
		t.Errorf("message %q", e.Message)
	}
	_, err = c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: id, ResourceId: item.Id, HttpMethod: aws.String("GET"), AuthorizationType: aws.String("NONE")})
	expectAPIError(t, err, "ConflictException", 409)
	_, err = c.GetMethod(ctx, &apigateway.GetMethodInput{RestApiId: id, ResourceId: aws.String("zzzzzz"), HttpMethod: aws.String("GET")})
	if e := expectAPIError(t, err, "NotFoundException", 404); e.Message != "Invalid Resource identifier specified" {
		t.Errorf("message %q", e.Message)
	}
	_, err = c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: id, StageName: aws.String("bad stage")})
	expectAPIError(t, err, "BadRequestException", 400)
	// The SDK checks required members itself; the service's wording
	// shows without it.
	raw := do(t, env, rawRequest{Method: "POST", Path: "/restapis", Body: "{}", Headers: map[string]string{"Content-Type": "application/json"}})
	if raw.Status != 400 || raw.Header.Get("X-Amzn-Errortype") != "BadRequestException" ||
		string(raw.Body) != `{"message":"1 validation error detected: Value null at 'createRestApiInput.name' failed to satisfy constraint: Member must not be null"}` {
		t.Errorf("CreateRestApi without a name: HTTP %d %v %s", raw.Status, raw.Header, raw.Body)
	}

	// Update, tags, and the listings.
	up, err := c.UpdateStage(ctx, &apigateway.UpdateStageInput{RestApiId: id, StageName: aws.String("prod"), PatchOperations: []agtypes.PatchOperation{
		{Op: agtypes.OpReplace, Path: aws.String("/variables/env"), Value: aws.String("staging")},
	}})
	if err != nil || up.Variables["env"] != "staging" {
		t.Fatalf("UpdateStage: %+v %v", up, err)
	}
	if ev := apigwv1Event(t, apigwv1Call(t, env, *id, "GET", "/prod/items/1", nil, nil, false)); apigwv1JSON(ev["stageVariables"]) != `{"env":"staging"}` {
		t.Errorf("stage variables after UpdateStage: %v", ev["stageVariables"])
	}
	tags, err := c.GetTags(ctx, &apigateway.GetTagsInput{ResourceArn: aws.String("arn:aws:apigateway:us-east-1::/restapis/" + *id)})
	if err != nil || tags.Tags["team"] != "virga" {
		t.Errorf("GetTags: %+v %v", tags, err)
	}
	apis, err := c.GetRestApis(ctx, &apigateway.GetRestApisInput{})
	if err != nil || len(apis.Items) != 1 || aws.ToString(apis.Items[0].Name) != "by-hand" {
		t.Errorf("GetRestApis: %+v %v", apis, err)
	}
	withMethods, err := c.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: id, Embed: []string{"methods"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, res := range withMethods.Items {
		if aws.ToString(res.Path) == "/items/{id}" {
			m := res.ResourceMethods["GET"]
			if m.MethodIntegration == nil || aws.ToString(m.MethodIntegration.Uri) != apigwv1LambdaURI("apigw-echo") {
				t.Errorf("embedded method %+v", m)
			}
		}
	}
	if _, err := c.DeleteRestApi(ctx, &apigateway.DeleteRestApiInput{RestApiId: id}); err != nil {
		t.Fatal(err)
	}
	if r := apigwv1Call(t, env, *id, "GET", "/prod/items/1", nil, nil, false); r.Status != 404 {
		t.Errorf("a deleted API answered HTTP %d %s", r.Status, r.Body)
	}
}

// apigwv1OpenAPI is an OpenAPI 3 document with a Lambda proxy, binary
// media types and the MOCK OPTIONS method SAM writes for Cors.
const apigwv1OpenAPI = `
openapi: 3.0.1
info:
  title: imported
  version: "1"
x-amazon-apigateway-binary-media-types:
  - image/png
paths:
  /files/{name}:
    get:
      parameters:
        - {name: name, in: path, required: true, schema: {type: string}}
      x-amazon-apigateway-integration:
        type: aws_proxy
        httpMethod: POST
        uri: ` + "%s" + `
    post:
      x-amazon-apigateway-integration:
        type: aws_proxy
        httpMethod: POST
        uri: ` + "%s" + `
    options:
      responses:
        "200":
          description: CORS
          headers:
            Access-Control-Allow-Origin: {schema: {type: string}}
            Access-Control-Allow-Methods: {schema: {type: string}}
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates:
          application/json: '{"statusCode": 200}'
        responses:
          default:
            statusCode: "200"
            responseParameters:
              method.response.header.Access-Control-Allow-Origin: "'*'"
              method.response.header.Access-Control-Allow-Methods: "'GET,POST,OPTIONS'"
            responseTemplates:
              application/json: ""
`

// TestAPIGWv1ImportOpenAPI imports an OpenAPI document and calls what it
// defines: a Lambda proxy with binary bodies both ways, and a MOCK CORS
// preflight.
func TestAPIGWv1ImportOpenAPI(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	lc := lambdaClient(t, env)
	createPythonFunction(t, lc, "apigw-files", apigwv1EchoFunction, 10)
	c := apigateway.NewFromConfig(env.Config)
	uri := apigwv1LambdaURI("apigw-files")
	doc := strings.ReplaceAll(apigwv1OpenAPI, "%s", uri)
	api, err := c.ImportRestApi(ctx, &apigateway.ImportRestApiInput{Body: []byte(doc)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(api.Name) != "imported" || len(api.BinaryMediaTypes) != 1 || api.BinaryMediaTypes[0] != "image/png" {
		t.Fatalf("ImportRestApi: %+v", api)
	}
	method, err := c.GetMethod(ctx, &apigateway.GetMethodInput{RestApiId: api.Id, ResourceId: aws.String(apigwv1Resource(t, c, *api.Id, "/files/{name}")),
		HttpMethod: aws.String("GET")})
	if err != nil {
		t.Fatal(err)
	}
	if !method.RequestParameters["method.request.path.name"] || method.MethodIntegration.Type != agtypes.IntegrationTypeAwsProxy ||
		aws.ToString(method.MethodIntegration.Uri) != uri {
		t.Errorf("imported method %+v", method)
	}
	if _, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("v1")}); err != nil {
		t.Fatal(err)
	}

	// A binary body arrives base64-encoded and flagged.
	png := []byte("\x89PNG\r\n\x1a\nbinary\x00\xff")
	ev := apigwv1Event(t, apigwv1Call(t, env, *api.Id, "POST", "/v1/files/logo.png", png, map[string]string{"Content-Type": "image/png"}, false))
	if ev["isBase64Encoded"] != true || ev["body"] != base64.StdEncoding.EncodeToString(png) {
		t.Errorf("binary request: body %v, isBase64Encoded %v", ev["body"], ev["isBase64Encoded"])
	}
	ev = apigwv1Event(t, apigwv1Call(t, env, *api.Id, "POST", "/v1/files/notes.txt", []byte("plain"), map[string]string{"Content-Type": "text/plain"}, false))
	if ev["isBase64Encoded"] != false || ev["body"] != "plain" {
		t.Errorf("text request: body %v, isBase64Encoded %v", ev["body"], ev["isBase64Encoded"])
	}
	// A base64 answer is decoded for a client that accepts the binary type.
	r := apigwv1Call(t, env, *api.Id, "GET", "/v1/files/binary", nil, map[string]string{"Accept": "image/png"}, false)
	r.want(t, 200, "\x89PNG\r\n\x1a\n")
	if r.Header.Get("Content-Type") != "image/png" {
		t.Errorf("Content-Type %q", r.Header.Get("Content-Type"))
	}
	r = apigwv1Call(t, env, *api.Id, "GET", "/v1/files/binary", nil, map[string]string{"Accept": "application/json"}, false)
	r.want(t, 200, base64.StdEncoding.EncodeToString([]byte("\x89PNG\r\n\x1a\n")))

	// The MOCK preflight.
	r = apigwv1Call(t, env, *api.Id, "OPTIONS", "/v1/files/x", nil, map[string]string{"Origin": "http://example.com"}, true)
	r.want(t, 200, "")
	if r.Header.Get("Access-Control-Allow-Origin") != "*" || r.Header.Get("Access-Control-Allow-Methods") != "GET,POST,OPTIONS" {
		t.Errorf("CORS headers %v", r.Header)
	}

	// A document API Gateway refuses.
	_, err = c.ImportRestApi(ctx, &apigateway.ImportRestApiInput{Body: []byte(`{"swagger":"2.0","info":{"title":"x"},"paths":{"/a/{x}":{},"/a/{y}/b":{}}}`)})
	if e := expectAPIError(t, err, "BadRequestException", 400); !strings.Contains(e.Message, "A sibling ({x}) of this resource already has a variable path part -- only one is allowed") {
		t.Errorf("message %q", e.Message)
	}
	// PutRestApi merges a second document in.
	extra := `{"openapi":"3.0.1","info":{"title":"imported"},"paths":{"/health":{"get":{"x-amazon-apigateway-integration":{"type":"mock","requestTemplates":{"application/json":"{\"statusCode\": 200}"},"responses":{"default":{"statusCode":"200","responseTemplates":{"application/json":"{\"ok\":true}"}}}}}}}}`
	if _, err := c.PutRestApi(ctx, &apigateway.PutRestApiInput{RestApiId: api.Id, Body: []byte(extra)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("v1")}); err != nil {
		t.Fatal(err)
	}
	apigwv1Call(t, env, *api.Id, "GET", "/v1/health", nil, nil, false).want(t, 200, `{"ok":true}`)
	apigwv1Event(t, apigwv1Call(t, env, *api.Id, "GET", "/v1/files/still-there", nil, nil, false))
}

func apigwv1JSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func apigwv1String(v any) string {
	s, _ := v.(string)
	return s
}
