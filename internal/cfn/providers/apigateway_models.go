package providers

import (
	"context"
	"strings"

	"github.com/virga/virga/internal/cfn/resource"
)

// A REST API's models and request validators, which its methods name in
// RequestModels (by the model's name, its Ref) and RequestValidatorId
// (the validator's id, its Ref).

func init() {
	resource.Register(&resource.Type{
		Name:     "AWS::ApiGateway::Model",
		Required: []string{"RestApiId"},
		Provider: restModel{},
		// Description and Schema change in place.
		Replace:    []string{"RestApiId", "Name", "ContentType"},
		Attributes: []string{},
	})
	resource.Register(&resource.Type{
		Name:     "AWS::ApiGateway::RequestValidator",
		Required: []string{"RestApiId"},
		Provider: restRequestValidator{},
		// ValidateRequestBody and ValidateRequestParameters change in
		// place.
		Replace:    []string{"RestApiId", "Name"},
		Attributes: []string{"RequestValidatorId"},
	})
}

// maxModelName bounds a generated model name.
const maxModelName = 128

// defaultModelContentType is the content type of a model whose template
// gives none.
const defaultModelContentType = "application/json"

// restModel is AWS::ApiGateway::Model: CreateModel, and UpdateModel's
// patches of /description and /schema. Its physical ID and Ref are the
// model's name, which CloudFormation generates when the template gives
// none: the stack's and the resource's names and a random part, letters
// and digits only, as a model's name must be.
type restModel struct{}

func (restModel) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p := props(r.Properties)
	name := p.str("Name")
	if name == "" {
		name = strings.Map(func(c rune) rune {
			if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
				return c
			}
			return -1
		}, physicalName(r, maxModelName))
	}
	in := map[string]any{"restApiId": p.str("RestApiId"), "name": name, "contentType": defaultModelContentType}
	if p.has("ContentType") {
		in["contentType"] = p.str("ContentType")
	}
	if p.has("Description") {
		in["description"] = p.str("Description")
	}
	if p.has("Schema") {
		schema, err := jsonText(p["Schema"])
		if err != nil {
			return nil, err
		}
		in["schema"] = schema
	}
	if _, err := call(ctx, r, restAPIs, "CreateModel", in); err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: name, Attributes: map[string]any{}}, nil
}

func (restModel) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, old := props(r.Properties), props(r.OldProperties)
	var ops []any
	if changed(old, p, "Description") {
		ops = append(ops, replaceOp("/description", p.str("Description")))
	}
	if changed(old, p, "Schema") {
		schema := ""
		if p.has("Schema") {
			var err error
			if schema, err = jsonText(p["Schema"]); err != nil {
				return nil, err
			}
		}
		ops = append(ops, replaceOp("/schema", schema))
	}
	if len(ops) > 0 {
		if _, err := call(ctx, r, restAPIs, "UpdateModel", map[string]any{
			"restApiId": p.str("RestApiId"), "modelName": r.PhysicalID, "patchOperations": ops,
		}); err != nil {
			return nil, err
		}
	}
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: map[string]any{}}, nil
}

func (restModel) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, restAPIs, "DeleteModel", map[string]any{
		"restApiId": props(r.Properties).str("RestApiId"), "modelName": r.PhysicalID,
	})
	return ignoreGone(err)
}

// restRequestValidator is AWS::ApiGateway::RequestValidator:
// CreateRequestValidator and UpdateRequestValidator's patches. Its
// physical ID, Ref and RequestValidatorId are the validator's id.
type restRequestValidator struct{}

// validatorMembers are a validator's members, each patched at /member;
// a template that drops one turns its check off.
var validatorMembers = memberList{
	{prop: "ValidateRequestBody", reset: false},
	{prop: "ValidateRequestParameters", reset: false},
}

func (restRequestValidator) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, restAPIKinds)
	in := map[string]any{"restApiId": p.str("RestApiId")}
	if p.has("Name") {
		in["name"] = p.str("Name")
	}
	if err := validatorMembers.add(in, p); err != nil {
		return nil, err
	}
	out, err := call(ctx, r, restAPIs, "CreateRequestValidator", in)
	if err != nil {
		return nil, err
	}
	id := outStr(out, "id")
	return &resource.Result{PhysicalID: id, Attributes: map[string]any{"RequestValidatorId": id}}, nil
}

func (restRequestValidator) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, old := coerced(r, restAPIKinds)
	in := map[string]any{}
	if _, err := validatorMembers.changes(in, old, p); err != nil {
		return nil, err
	}
	var ops []any
	for _, m := range validatorMembers {
		if v, ok := in[m.member()]; ok {
			s, _ := text(v)
			ops = append(ops, replaceOp("/"+m.member(), s))
		}
	}
	if len(ops) > 0 {
		if _, err := call(ctx, r, restAPIs, "UpdateRequestValidator", map[string]any{
			"restApiId": p.str("RestApiId"), "requestValidatorId": r.PhysicalID, "patchOperations": ops,
		}); err != nil {
			return nil, err
		}
	}
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: map[string]any{"RequestValidatorId": r.PhysicalID}}, nil
}

func (restRequestValidator) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, restAPIs, "DeleteRequestValidator", map[string]any{
		"restApiId": props(r.Properties).str("RestApiId"), "requestValidatorId": r.PhysicalID,
	})
	return ignoreGone(err)
}
