package apigateway

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/virga/virga/internal/ids"
)

// petstoreV3 is an OpenAPI 3 document with a Lambda proxy, a token
// authorizer, an API key, binary media types and a parameter $ref.
const petstoreV3 = `{
  "openapi": "3.0.1",
  "info": {"title": "pets", "description": "a pet store", "version": "1.0"},
  "servers": [{"url": "https://x.execute-api.us-east-1.amazonaws.com/{basePath}", "variables": {"basePath": {"default": "/v1"}}}],
  "x-amazon-apigateway-binary-media-types": ["image/png", "application/octet-stream"],
  "paths": {
    "/pets/{id}": {
      "parameters": [{"$ref": "#/components/parameters/id"}],
      "get": {
        "operationId": "getPet",
        "security": [{"tokenAuth": []}, {"api_key": []}],
        "responses": {"200": {"description": "ok", "headers": {"X-Rate": {"schema": {"type": "string"}}}}},
        "x-amazon-apigateway-integration": {"type": "aws_proxy", "httpMethod": "POST", "passthroughBehavior": "when_no_match",
          "uri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:pets/invocations"}
      }
    },
    "/{proxy+}": {
      "x-amazon-apigateway-any-method": {
        "x-amazon-apigateway-integration": {"type": "AWS_PROXY", "httpMethod": "POST", "timeoutInMillis": 5000,
          "uri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:pets/invocations"}
      }
    },
    "/": {"get": {"summary": "no integration yet"}}
  },
  "components": {
    "parameters": {"id": {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}},
    "securitySchemes": {
      "api_key": {"type": "apiKey", "name": "x-api-key", "in": "header"},
      "tokenAuth": {"type": "apiKey", "name": "Authorization", "in": "header", "x-amazon-apigateway-authtype": "custom",
        "x-amazon-apigateway-authorizer": {"type": "token", "authorizerResultTtlInSeconds": 60,
          "authorizerUri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:auth/invocations"}}
    }
  }
}`

// corsV2 is a Swagger 2 document in YAML, with the MOCK OPTIONS method SAM
// writes for an API's Cors property.
const corsV2 = `
swagger: "2.0"
info:
  title: cors
basePath: /prod
paths:
  /items:
    post:
      x-amazon-apigateway-integration:
        type: aws_proxy
        httpMethod: POST
        uri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:items/invocations
    options:
      consumes: [application/json]
      produces: [application/json]
      responses:
        200:
          description: Default response for CORS method
          headers:
            Access-Control-Allow-Headers: {type: string}
            Access-Control-Allow-Methods: {type: string}
            Access-Control-Allow-Origin: {type: string}
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates:
          application/json: '{"statusCode" : 200}'
        responses:
          default:
            statusCode: 200
            responseParameters:
              method.response.header.Access-Control-Allow-Headers: "'Content-Type,X-Amz-Date,Authorization'"
              method.response.header.Access-Control-Allow-Methods: "'OPTIONS,POST'"
              method.response.header.Access-Control-Allow-Origin: "'*'"
            responseTemplates:
              application/json: "{}\n"
`

func TestRestAPIParseOpenAPI3(t *testing.T) {
	t.Parallel()
	d, err := parseDefinition([]byte(petstoreV3))
	if err != nil {
		t.Fatal(err)
	}
	if d.title != "pets" || d.description != "a pet store" || d.version != "1.0" || d.basePath != "/v1" {
		t.Errorf("info: %+v", d)
	}
	if !slices.Equal(d.binaryMediaTypes, []string{"image/png", "application/octet-stream"}) {
		t.Errorf("binary media types %q", d.binaryMediaTypes)
	}
	if len(d.authorizers) != 1 {
		t.Fatalf("authorizers %+v", d.authorizers)
	}
	au := d.authorizers[0]
	if au.Name != "tokenAuth" || au.Type != "TOKEN" || au.IdentitySource != "method.request.header.Authorization" ||
		au.ResultTTLSeconds != 60 || au.AuthType != "custom" {
		t.Errorf("authorizer %+v", au)
	}
	paths := map[string]definedPath{}
	for _, p := range d.paths {
		paths[p.path] = p
	}
	get := paths["/pets/{id}"].methods["GET"]
	if get == nil || get.AuthorizationType != "CUSTOM" || get.AuthorizerID != "tokenAuth" || !get.APIKeyRequired ||
		get.OperationName != "getPet" || !get.RequestParameters["method.request.path.id"] ||
		get.Responses["200"] == nil || get.Integration.Type != "AWS_PROXY" || get.Integration.PassthroughBehavior != "WHEN_NO_MATCH" {
		t.Errorf("GET /pets/{id}: %+v", get)
	}
	if _, ok := get.Responses["200"].ResponseParameters["method.response.header.X-Rate"]; !ok {
		t.Errorf("method response headers: %+v", get.Responses["200"])
	}
	anyM := paths["/{proxy+}"].methods["ANY"]
	if anyM == nil || anyM.Integration.TimeoutMillis != 5000 || anyM.AuthorizationType != "NONE" {
		t.Errorf("ANY /{proxy+}: %+v", anyM)
	}
	if len(d.warnings) != 1 || !strings.Contains(d.warnings[0], "GET /") {
		t.Errorf("warnings %q", d.warnings)
	}
}

func TestRestAPIImportSwagger2YAML(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a, err := e.s.importRestAPI(ctx, &ImportRestApiRequest{Body: []byte(corsV2), Parameters: map[string]string{"basepath": "prepend"}})
	if err != nil {
		t.Fatal(err)
	}
	if *a.Name != "cors" {
		t.Errorf("name %q", *a.Name)
	}
	res := must[*Resources](t)(e.s.getResources(ctx, &GetResourcesRequest{RestApiId: a.Id, Embed: []string{"methods"}}))
	var paths []string
	for _, r := range res.Items {
		paths = append(paths, *r.Path)
	}
	if !slices.Equal(paths, []string{"/", "/prod", "/prod/items"}) {
		t.Fatalf("paths %q", paths)
	}
	opt := res.Items[2].ResourceMethods["OPTIONS"]
	ig := opt.MethodIntegration
	if ig == nil || *ig.Type != "MOCK" || ig.IntegrationResponses["200"].ResponseParameters["method.response.header.Access-Control-Allow-Origin"] != "'*'" {
		t.Fatalf("OPTIONS: %+v", opt)
	}
	e.deploy(*a.Id, "prod", nil)
	r := e.call(*a.Id, "OPTIONS", "/prod/prod/items", "", nil)
	r.want(t, 200, "{}\n")
	if r.header.Get("Access-Control-Allow-Methods") != "OPTIONS,POST" || r.header.Get("Access-Control-Allow-Origin") != "*" ||
		r.header.Get("Content-Type") != "application/json" {
		t.Errorf("CORS headers: %v", r.header)
	}
}

func TestRestAPIImportErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, c := range []struct{ doc, msg string }{
		{`not a document`, "Invalid OpenAPI input."},
		{`{"openapi": "2.5", "info": {"title": "x"}}`, "Invalid OpenAPI input."},
		{`{"swagger": "2.0", "info": {}, "paths": {}}`, ""},
		{`{"swagger": "2.0", "info": {"title": "x"}, "paths": {"/a/{x}": {}, "/a/{y}/b": {}}}`,
			"Errors found during import:\n\tUnable to create resource at path '/a/{y}/b': A sibling ({x}) of this resource already has a variable path part -- only one is allowed"},
		{`{"swagger": "2.0", "info": {"title": "x"}, "paths": {"/a b": {}}}`, ""},
		{`{"swagger": "2.0", "info": {"title": "x"}, "paths": {"/a": {"get": {"x-amazon-apigateway-integration": {"type": "aws_proxy", "uri": "arn:aws:apigateway:us-east-1:lambda:path/f"}}}}}`, ""},
		{`{"swagger": "2.0", "info": {"title": "x"}, "paths": {"/a": {"get": {"security": [{"nobody": []}]}}}}`, ""},
	} {
		_, err := e.s.importRestAPI(ctx, &ImportRestApiRequest{Body: []byte(c.doc)})
		wantErr(t, err, "BadRequestException", c.msg)
	}
	// Warnings fail the import only when asked to.
	doc := `{"swagger": "2.0", "info": {"title": "w"}, "paths": {"/a": {"get": {}}}}`
	_, err := e.s.importRestAPI(ctx, &ImportRestApiRequest{Body: []byte(doc), FailOnWarnings: ptr(true)})
	wantErr(t, err, "BadRequestException", "Warnings found during import:\n\tNo integration defined for method GET /a")
	a := must[*RestApi](t)(e.s.importRestAPI(ctx, &ImportRestApiRequest{Body: []byte(doc)}))
	if len(a.Warnings) != 1 {
		t.Errorf("warnings %q", a.Warnings)
	}
}

func TestRestAPIPutMergeAndOverwrite(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := must[*RestApi](t)(e.s.importRestAPI(ctx, &ImportRestApiRequest{Body: []byte(petstoreV3)}))
	extra := `{"swagger": "2.0", "info": {"title": "pets2"}, "paths": {"/extra": {"get": {"x-amazon-apigateway-integration": {"type": "mock"}}}}}`
	must[*RestApi](t)(e.s.putRestAPI(ctx, &PutRestApiRequest{RestApiId: a.Id, Body: []byte(extra)}))
	res := must[*Resources](t)(e.s.getResources(ctx, &GetResourcesRequest{RestApiId: a.Id}))
	if len(res.Items) != 5 { // /, /pets, /pets/{id}, /{proxy+}, /extra
		t.Errorf("merge: %d resources", len(res.Items))
	}
	out := must[*RestApi](t)(e.s.putRestAPI(ctx, &PutRestApiRequest{RestApiId: a.Id, Mode: ptr(PutMode("overwrite")), Body: []byte(extra)}))
	res = must[*Resources](t)(e.s.getResources(ctx, &GetResourcesRequest{RestApiId: a.Id}))
	if len(res.Items) != 2 || *out.Name != "pets2" || len(out.BinaryMediaTypes) != 0 || *res.Items[0].Id != *a.RootResourceId {
		t.Errorf("overwrite: %d resources, %+v", len(res.Items), out)
	}
	auths := must[*Authorizers](t)(e.s.getAuthorizers(ctx, &GetAuthorizersRequest{RestApiId: a.Id}))
	if len(auths.Items) != 0 {
		t.Errorf("overwrite kept authorizers %+v", auths.Items)
	}
}

// FuzzParseDefinition checks that no document makes the parser panic and
// that what it accepts builds into an API or is refused with
// BadRequestException.
// modelsV2 is a Swagger 2 document whose responses name models: one by
// the document's produces, one by the operation's own.
const modelsV2 = `
swagger: "2.0"
info: {title: models}
produces: [application/json]
paths:
  /pets:
    get:
      responses:
        200: {description: ok, schema: {$ref: "#/definitions/Pets"}}
        404: {description: none, schema: {type: string}}
    post:
      produces: [application/json, application/xml]
      responses:
        201: {description: made, schema: {$ref: "#/definitions/Pets"}}
definitions:
  Pets: {type: array, items: {type: string}}
`

func TestRestAPIParseResponseModels(t *testing.T) {
	t.Parallel()
	d, err := parseDefinition([]byte(modelsV2))
	if err != nil {
		t.Fatal(err)
	}
	methods := d.paths[0].methods
	if got := methods["GET"].Responses["200"].ResponseModels; !maps.Equal(got, map[string]string{"application/json": "Pets"}) {
		t.Errorf("GET 200 models %v", got)
	}
	if got := methods["GET"].Responses["404"].ResponseModels; got != nil {
		t.Errorf("GET 404 models %v (an inline schema)", got)
	}
	if got := methods["POST"].Responses["201"].ResponseModels; !maps.Equal(got, map[string]string{"application/json": "Pets", "application/xml": "Pets"}) {
		t.Errorf("POST 201 models %v", got)
	}
	if !slices.ContainsFunc(d.warnings, func(w string) bool { return strings.Contains(w, "inline response schema") }) {
		t.Errorf("warnings %q", d.warnings)
	}

	// OpenAPI 3: a response's content; a model the document lacks fails.
	doc := strings.Replace(petstoreV3, `"description": "ok",`, `"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}},`, 1)
	if _, err := parseDefinition([]byte(doc)); err == nil || !strings.Contains(err.Error(), "Invalid model specified: #/components/schemas/Pet") {
		t.Fatalf("a missing response model: %v", err)
	}
	doc = strings.Replace(doc, `"components": {`, `"components": {"schemas": {"Pet": {"type": "object"}},`, 1)
	if d, err = parseDefinition([]byte(doc)); err != nil {
		t.Fatal(err)
	}
	for _, p := range d.paths {
		if p.path == "/pets/{id}" {
			if got := p.methods["GET"].Responses["200"].ResponseModels; !maps.Equal(got, map[string]string{"application/json": "Pet"}) {
				t.Errorf("OpenAPI 3 GET 200 models %v", got)
			}
		}
	}
}

func FuzzRestAPIParseDefinition(f *testing.F) {
	f.Add([]byte(modelsV2))
	f.Add([]byte(petstoreV3))
	f.Add([]byte(corsV2))
	f.Add([]byte(`{"swagger":"2.0","info":{"title":"t"},"paths":{"/{a+}":{"get":{}}}}`))
	f.Add([]byte("openapi: 3.0.0\ninfo: {title: y}\npaths:\n  /x:\n    $ref: '#/paths/~1x'\n"))
	f.Add([]byte(`{"openapi":"3.0.0","info":{"title":"t"},"paths":{"/a":{"$ref":"#/paths/~1a"}}}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		d, err := parseDefinition(doc)
		if err != nil {
			wantErr(t, err, "BadRequestException", "")
			return
		}
		s := &Service{ids: ids.New(nil)}
		a := &restAPI{RootID: "root", Resources: map[string]*resource{"root": {ID: "root"}}}
		if err := s.applyDefinition(a, d, true, "prepend"); err != nil {
			wantErr(t, err, "BadRequestException", "")
			return
		}
		buildRoutes(a)
	})
}
