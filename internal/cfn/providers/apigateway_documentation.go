package providers

import (
	"context"

	"github.com/virga/virga/internal/cfn/resource"
)

// A REST API's documentation parts and versions.

func init() {
	resource.Register(&resource.Type{
		Name:     "AWS::ApiGateway::DocumentationPart",
		Required: []string{"Location", "Properties", "RestApiId"},
		Provider: restDocumentationPart{},
		// Properties change in place.
		Replace:    []string{"Location", "RestApiId"},
		Attributes: []string{"DocumentationPartId"},
	})
	resource.Register(&resource.Type{
		Name:     "AWS::ApiGateway::DocumentationVersion",
		Required: []string{"DocumentationVersion", "RestApiId"},
		Provider: restDocumentationVersion{},
		// Description changes in place.
		Replace:    []string{"DocumentationVersion", "RestApiId"},
		Attributes: []string{},
	})
}

// restDocumentationPart is AWS::ApiGateway::DocumentationPart:
// CreateDocumentationPart, and UpdateDocumentationPart's patch of its
// properties (an object or JSON text). Its physical ID, Ref and
// DocumentationPartId are the part's id.
type restDocumentationPart struct{}

func (restDocumentationPart) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p := props(r.Properties)
	loc, err := lowerKeys(p["Location"])
	if err != nil {
		return nil, err
	}
	properties, err := jsonText(p["Properties"])
	if err != nil {
		return nil, err
	}
	out, err := call(ctx, r, restAPIs, "CreateDocumentationPart", map[string]any{
		"restApiId": p.str("RestApiId"), "location": loc, "properties": properties})
	if err != nil {
		return nil, err
	}
	id := outStr(out, "id")
	return &resource.Result{PhysicalID: id, Attributes: map[string]any{"DocumentationPartId": id}}, nil
}

func (restDocumentationPart) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, old := props(r.Properties), props(r.OldProperties)
	if changed(old, p, "Properties") {
		properties, err := jsonText(p["Properties"])
		if err != nil {
			return nil, err
		}
		if _, err := call(ctx, r, restAPIs, "UpdateDocumentationPart", map[string]any{"restApiId": p.str("RestApiId"),
			"documentationPartId": r.PhysicalID, "patchOperations": []any{replaceOp("/properties", properties)}}); err != nil {
			return nil, err
		}
	}
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: map[string]any{"DocumentationPartId": r.PhysicalID}}, nil
}

func (restDocumentationPart) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, restAPIs, "DeleteDocumentationPart", map[string]any{
		"restApiId": props(r.Properties).str("RestApiId"), "documentationPartId": r.PhysicalID})
	return ignoreGone(err)
}

// restDocumentationVersion is AWS::ApiGateway::DocumentationVersion:
// CreateDocumentationVersion, and UpdateDocumentationVersion's patch of
// its description. Its physical ID and Ref are the version.
type restDocumentationVersion struct{}

func (restDocumentationVersion) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p := props(r.Properties)
	in := map[string]any{"restApiId": p.str("RestApiId"), "documentationVersion": p.str("DocumentationVersion")}
	if p.has("Description") {
		in["description"] = p.str("Description")
	}
	if _, err := call(ctx, r, restAPIs, "CreateDocumentationVersion", in); err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: p.str("DocumentationVersion"), Attributes: map[string]any{}}, nil
}

func (restDocumentationVersion) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, old := props(r.Properties), props(r.OldProperties)
	if changed(old, p, "Description") {
		if _, err := call(ctx, r, restAPIs, "UpdateDocumentationVersion", map[string]any{"restApiId": p.str("RestApiId"),
			"documentationVersion": r.PhysicalID, "patchOperations": []any{replaceOp("/description", p.str("Description"))}}); err != nil {
			return nil, err
		}
	}
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: map[string]any{}}, nil
}

func (restDocumentationVersion) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, restAPIs, "DeleteDocumentationVersion", map[string]any{
		"restApiId": props(r.Properties).str("RestApiId"), "documentationVersion": r.PhysicalID})
	return ignoreGone(err)
}
