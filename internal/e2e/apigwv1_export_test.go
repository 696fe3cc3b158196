package e2e_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"gopkg.in/yaml.v3"

	"github.com/virga/virga/internal/e2e"
)

// apigwv1ExportAPI is a REST API with a path parameter, a query string,
// a body model, IAM and API key methods, a Lambda authorizer and
// integrations of several kinds.
const apigwv1ExportAPI = `openapi: 3.0.1
info:
  title: exported
  version: "1.0"
paths:
  /pets/{id}:
    get:
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
        - {name: verbose, in: query, required: false, schema: {type: string}}
      responses:
        "200":
          description: "200 response"
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Pet"}
      security:
        - sigv4: []
      x-amazon-apigateway-integration:
        type: mock
    put:
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Pet"}
      responses:
        "204": {description: stored}
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: {application/json: '{"statusCode": 200}'}
        responses:
          default: {statusCode: "200", responseTemplates: {application/json: '{"id": 1}'}}
  /keyed:
    post:
      security:
        - api_key: []
        - gate: []
      responses:
        "201": {description: created}
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: POST
        uri: https://example.com/keyed
components:
  schemas:
    Pet:
      type: object
      properties:
        id: {type: integer}
  securitySchemes:
    sigv4: {type: apiKey, name: Authorization, in: header, x-amazon-apigateway-authtype: awsSigv4}
    api_key: {type: apiKey, name: x-api-key, in: header}
    gate:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authtype: custom
      x-amazon-apigateway-authorizer:
        type: token
        authorizerUri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:gate/invocations
        authorizerResultTtlInSeconds: 0
x-amazon-apigateway-binary-media-types: [image/png]
`

// TestAPIGWv1GetExport exports a deployed REST API as OpenAPI 3.0 and
// Swagger 2.0, in JSON and YAML, with and without API Gateway's
// extensions, through the SDK and the aws CLI; an export imported again
// makes the same API.
func TestAPIGWv1GetExport(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	c := apigateway.NewFromConfig(env.Config)
	api, err := c.ImportRestApi(ctx, &apigateway.ImportRestApiInput{Body: []byte(apigwv1ExportAPI)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("dev")}); err != nil {
		t.Fatal(err)
	}
	export := func(kind, accept string, params map[string]string) (*apigateway.GetExportOutput, map[string]any) {
		t.Helper()
		in := &apigateway.GetExportInput{RestApiId: api.Id, StageName: aws.String("dev"), ExportType: aws.String(kind), Parameters: params}
		if accept != "" {
			in.Accepts = aws.String(accept)
		}
		out, err := c.GetExport(ctx, in)
		if err != nil {
			t.Fatalf("GetExport %s %s: %v", kind, accept, err)
		}
		var doc map[string]any
		if err := json.Unmarshal(out.Body, &doc); err != nil {
			t.Fatalf("GetExport %s %s: %v\n%s", kind, accept, err, out.Body)
		}
		return out, doc
	}
	list := func(v any) []any { l, _ := v.([]any); return l }
	host := aws.ToString(api.Id) + ".execute-api.us-east-1.amazonaws.com"
	obj := func(v any, keys ...string) map[string]any {
		for _, k := range keys {
			m, _ := v.(map[string]any)
			v = m[k]
		}
		m, _ := v.(map[string]any)
		return m
	}

	out, doc := export("oas30", "application/json", map[string]string{"extensions": "integrations"})
	if aws.ToString(out.ContentType) != "application/octet-stream" || !strings.HasPrefix(aws.ToString(out.ContentDisposition), `attachment; filename="oas30_`) {
		t.Errorf("headers: %q %q", aws.ToString(out.ContentType), aws.ToString(out.ContentDisposition))
	}
	servers, _ := doc["servers"].([]any)
	if doc["openapi"] != "3.0.1" || len(servers) != 1 || obj(servers[0])["url"] != "https://"+host+"/{basePath}" ||
		obj(servers[0], "variables", "basePath")["default"] != "dev" || obj(doc, "info")["title"] != "exported" {
		t.Errorf("document head: %v %v %v", doc["openapi"], servers, doc["info"])
	}
	get := obj(doc, "paths", "/pets/{id}", "get")
	put := obj(doc, "paths", "/pets/{id}", "put")
	if obj(get, "x-amazon-apigateway-integration")["type"] != "mock" || obj(get, "responses", "200")["description"] != "200 response" ||
		obj(get, "responses", "200", "content", "application/json", "schema")["$ref"] != "#/components/schemas/Pet" ||
		obj(put, "requestBody", "content", "application/json", "schema")["$ref"] != "#/components/schemas/Pet" {
		t.Errorf("/pets/{id}: %v", doc["paths"])
	}
	if obj(doc, "components", "schemas", "Pet")["type"] != "object" || obj(doc, "components", "securitySchemes", "sigv4")["x-amazon-apigateway-authtype"] != "awsSigv4" {
		t.Errorf("components: %v", doc["components"])
	}
	if _, ok := obj(doc, "components", "securitySchemes", "gate")["x-amazon-apigateway-authorizer"]; ok {
		t.Error("the authorizer's definition came without extensions=authorizers")
	}

	_, doc = export("oas30", "", nil)
	if _, ok := obj(doc, "paths", "/keyed", "post")["x-amazon-apigateway-integration"]; ok {
		t.Error("an export without extensions has integrations")
	}
	if _, ok := doc["x-amazon-apigateway-binary-media-types"]; ok {
		t.Error("an export without extensions has API-wide extensions")
	}

	_, doc = export("swagger", "", map[string]string{"extensions": "apigateway"})
	if doc["swagger"] != "2.0" || doc["host"] != host || doc["basePath"] != "/dev" {
		t.Errorf("swagger head: %v %v %v", doc["swagger"], doc["host"], doc["basePath"])
	}
	post := obj(doc, "paths", "/keyed", "post")
	if obj(post, "x-amazon-apigateway-integration")["uri"] != "https://example.com/keyed" ||
		obj(doc, "securityDefinitions", "gate", "x-amazon-apigateway-authorizer")["type"] != "token" ||
		obj(doc, "paths", "/pets/{id}", "get", "responses", "200", "schema")["$ref"] != "#/definitions/Pet" ||
		!slices.ContainsFunc(list(obj(doc, "paths", "/pets/{id}", "put")["parameters"]), func(p any) bool {
			return obj(p)["in"] == "body" && obj(p, "schema")["$ref"] == "#/definitions/Pet"
		}) {
		t.Errorf("swagger document: %v", doc)
	}

	// What an export with every extension holds imports as the same API.
	body, _ := export("oas30", "application/json", map[string]string{"extensions": "apigateway"})
	again, err := c.ImportRestApi(ctx, &apigateway.ImportRestApiInput{Body: body.Body})
	if err != nil {
		t.Fatalf("importing the export: %v\n%s", err, body.Body)
	}
	m, err := c.GetMethod(ctx, &apigateway.GetMethodInput{RestApiId: again.Id, ResourceId: resourceID(t, c, again.Id, "/keyed"), HttpMethod: aws.String("POST")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(m.AuthorizationType) != "CUSTOM" || !aws.ToBool(m.ApiKeyRequired) || m.MethodIntegration == nil ||
		aws.ToString(m.MethodIntegration.Uri) != "https://example.com/keyed" || len(again.BinaryMediaTypes) != 1 {
		t.Errorf("re-imported POST /keyed: %+v, binary media types %v", m, again.BinaryMediaTypes)
	}

	_, err = c.GetExport(ctx, &apigateway.GetExportInput{RestApiId: api.Id, StageName: aws.String("nope"), ExportType: aws.String("oas30")})
	expectAPIError(t, err, "NotFoundException", 404)
	_, err = c.GetExport(ctx, &apigateway.GetExportInput{RestApiId: api.Id, StageName: aws.String("dev"), ExportType: aws.String("raml")})
	expectAPIError(t, err, "BadRequestException", 400)

	// The aws CLI writes the body to the file it is given, in YAML when
	// it asks for it.
	dir := t.TempDir()
	cliExport := func(kind, accept, file string) (string, []byte) {
		t.Helper()
		args := []string{"apigateway", "get-export", "--rest-api-id", aws.ToString(api.Id), "--stage-name", "dev",
			"--export-type", kind, "--parameters", "extensions=integrations"}
		if accept != "" {
			args = append(args, "--accepts", accept)
		}
		res := env.CLI(t, append(args, filepath.Join(dir, file))...)
		if res.ExitCode != 0 {
			t.Fatalf("get-export: %s", res.Stderr)
		}
		raw, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		return res.Stdout, raw
	}
	stdout, raw := cliExport("swagger", "", "out.json")
	var cli map[string]any
	if err := json.Unmarshal(raw, &cli); err != nil || cli["swagger"] != "2.0" ||
		obj(cli, "paths", "/keyed", "post", "x-amazon-apigateway-integration")["type"] != "http_proxy" {
		t.Errorf("get-export wrote %s (%v)", raw, err)
	}
	if !strings.Contains(stdout, `"contentDisposition": "attachment; filename=\"swagger_`) {
		t.Errorf("get-export printed %s", stdout)
	}
	stdout, raw = cliExport("oas30", "application/yaml", "out.yaml")
	cli = nil
	if err := yaml.Unmarshal(raw, &cli); err != nil || strings.HasPrefix(string(raw), "{") || cli["openapi"] != "3.0.1" ||
		obj(cli, "paths", "/keyed", "post", "x-amazon-apigateway-integration")["type"] != "http_proxy" {
		t.Errorf("get-export --accepts application/yaml wrote %s (%v)", raw, err)
	}
	if !strings.Contains(stdout, `.yaml\""`) {
		t.Errorf("get-export --accepts application/yaml printed %s", stdout)
	}
}

// resourceID finds an API's resource by path.
func resourceID(t *testing.T, c *apigateway.Client, api *string, path string) *string {
	t.Helper()
	out, err := c.GetResources(context.Background(), &apigateway.GetResourcesInput{RestApiId: api})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range out.Items {
		if aws.ToString(r.Path) == path {
			return r.Id
		}
	}
	t.Fatalf("no resource %s", path)
	return nil
}
