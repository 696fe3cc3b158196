package apigatewayv2

import (
	"errors"
	"testing"

	"github.com/virga/virga/internal/awsproto/apierr"
)

// FuzzParseHTTPDefinition feeds the importer arbitrary documents: it
// either reads a definition or answers an API error, never panics.
func FuzzParseHTTPDefinition(f *testing.F) {
	for _, s := range []string{
		`{"openapi":"3.0.1","info":{"title":"t"},"paths":{"/a/{id}":{"get":{"x-amazon-apigateway-integration":{"type":"aws_proxy","uri":"arn:aws:lambda:us-east-1:000000000000:function:f","payloadFormatVersion":"2.0"}}}}}`,
		`{"openapi":"3.0.1","info":{"title":"t"},"security":[{"j":["read"]}],"components":{"securitySchemes":{"j":{"x-amazon-apigateway-authorizer":{"type":"jwt","jwtConfiguration":{"issuer":"https://i","audience":["a"]}}}}},"paths":{"/$default":{"x-amazon-apigateway-any-method":{}}}}`,
		"openapi: 3.0.1\ninfo: {title: t}\nx-amazon-apigateway-cors: {allowOrigins: ['*'], maxAge: x}\npaths:\n  /q:\n    post:\n      x-amazon-apigateway-integration: {$ref: '#/components/x'}\n",
		`{"openapi":"3.0.1","info":{"title":"t"},"paths":{"/a":{"get":{"security":[1,"x",{"nope":[]}]}}}}`,
		`{"openapi":"3.0.1","info":{"title":"t"},"paths":{"bad path":{"get":{}}, "/b":"x"}}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		d, err := parseHTTPDefinition(body)
		if err != nil {
			var e *apierr.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is not an API error", err)
			}
			return
		}
		if d.name == "" {
			t.Fatal("a definition without a name")
		}
	})
}

// An integration's requestParameters and responseParameters are imported.
func TestImportParameterMappings(t *testing.T) {
	d, err := parseHTTPDefinition(`{"openapi":"3.0.1","info":{"title":"t"},"paths":{"/p":{"get":{
	  "x-amazon-apigateway-integration":{"type":"http_proxy","httpMethod":"GET","uri":"https://example.com/",
	    "requestParameters":{"append:header.x-a":"$request.path"},
	    "responseParameters":{"200":{"overwrite:header.x-b":"$response.header.y","overwrite:statuscode":"204"},
	                          "404":{"remove:header.server":"''"}}}}}}}`)
	if err != nil {
		t.Fatal(err)
	}
	integ := d.routes[0].integ
	if integ.RequestParameters["append:header.x-a"] != "$request.path" ||
		integ.ResponseParameters["200"]["overwrite:header.x-b"] != "$response.header.y" ||
		integ.ResponseParameters["200"]["overwrite:statuscode"] != "204" ||
		len(integ.ResponseParameters["404"]) != 1 {
		t.Errorf("imported %+v %+v", integ.RequestParameters, integ.ResponseParameters)
	}
	_, err = parseHTTPDefinition(`{"openapi":"3.0.1","info":{"title":"t"},"paths":{"/p":{"get":{
	  "x-amazon-apigateway-integration":{"type":"http_proxy","httpMethod":"GET","uri":"https://example.com/",
	    "responseParameters":{"700":{"overwrite:statuscode":"204"}}}}}}}`)
	if err == nil {
		t.Error("a response mapping for status 700 was imported")
	}
}
