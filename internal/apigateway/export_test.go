package apigateway

import (
	"testing"
	"time"
)

// TestExportDocument checks what the importer does not read back: the
// ANY method's key, model references rewritten into the document, and
// which extensions each option brings.
func TestExportDocument(t *testing.T) {
	t.Parallel()
	a := &restAPI{ID: "abc", Name: "n", Created: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), RootID: "r",
		Resources: map[string]*resource{
			"r": {ID: "r"},
			"p": {ID: "p", ParentID: "r", PathPart: "{proxy+}", Methods: map[string]*method{
				"ANY": {HTTPMethod: "ANY", AuthorizationType: "NONE", Integration: &integration{Type: "AWS_PROXY", HTTPMethod: "POST", URI: "u", TimeoutMillis: 29000}},
			}},
		},
		Models: map[string]*model{
			"List": {Name: "List", Schema: `{"$schema": "http://json-schema.org/draft-04/schema#", "type": "array",
				"items": {"$ref": "https://apigateway.amazonaws.com/restapis/abc/models/Item"}}`},
			"Item": {Name: "Item", Schema: `{"type": "object"}`},
		},
		BinaryMediaTypes: []string{"image/png"},
	}
	for _, tc := range []struct {
		name     string
		o        exportOptions
		ref      string
		ext, api bool
	}{
		{"oas30", exportOptions{format: formatOAS30}, "#/components/schemas/Item", false, false},
		{"swagger integrations", exportOptions{format: formatSwagger, integrations: true}, "#/definitions/Item", true, false},
		{"oas30 apigateway", exportOptions{format: formatOAS30, apigateway: true}, "#/components/schemas/Item", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := exportDocument(a, "abc.execute-api.us-east-1.amazonaws.com", "dev", tc.o)
			if v := doc["info"].(map[string]any)["version"]; v != "2026-01-02T03:04:05Z" {
				t.Errorf("info.version %v", v)
			}
			op, ok := doc["paths"].(map[string]any)["/{proxy+}"].(map[string]any)["x-amazon-apigateway-any-method"].(map[string]any)
			if !ok {
				t.Fatalf("paths %v", doc["paths"])
			}
			params, _ := op["parameters"].([]any)
			if len(params) != 1 || params[0].(map[string]any)["name"] != "proxy" {
				t.Errorf("parameters %v", params)
			}
			ig, hasIntegration := op["x-amazon-apigateway-integration"].(map[string]any)
			if hasIntegration != tc.ext || hasIntegration && (ig["type"] != "aws_proxy" || ig["timeoutInMillis"] != nil) {
				t.Errorf("integration %v", op["x-amazon-apigateway-integration"])
			}
			if _, ok := doc["x-amazon-apigateway-binary-media-types"]; ok != tc.api {
				t.Errorf("binary media types present %v", ok)
			}
			schemas, _ := doc["definitions"].(map[string]any)
			if tc.o.format == formatOAS30 {
				schemas, _ = doc["components"].(map[string]any)["schemas"].(map[string]any)
			}
			list, _ := schemas["List"].(map[string]any)
			if list["$schema"] != nil || list["items"].(map[string]any)["$ref"] != tc.ref {
				t.Errorf("List %v", list)
			}
		})
	}
}
