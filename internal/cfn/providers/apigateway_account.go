package providers

import (
	"context"
	"maps"

	"github.com/virga/virga/internal/cfn/resource"
)

// API Gateway's account-level types: the account's settings and its
// client certificates.

func init() {
	resource.Register(&resource.Type{
		Name:       "AWS::ApiGateway::Account",
		Provider:   restAccount{},
		Attributes: []string{"Id"},
	})
	resource.Register(&resource.Type{
		Name:       "AWS::ApiGateway::ClientCertificate",
		Provider:   restClientCertificate{},
		Attributes: []string{},
	})
}

// restAccount is AWS::ApiGateway::Account: UpdateAccount's patch of the
// CloudWatch role. Its physical ID, Ref and Id are generated; deleting it
// leaves the account's settings as they are, as AWS does.
type restAccount struct{}

func (restAccount) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	if err := setAccountRole(ctx, r); err != nil {
		return nil, err
	}
	id := physicalName(r, maxRecordedID)
	return &resource.Result{PhysicalID: id, Attributes: map[string]any{"Id": id}}, nil
}

func (restAccount) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	if changed(props(r.OldProperties), props(r.Properties), "CloudWatchRoleArn") {
		if err := setAccountRole(ctx, r); err != nil {
			return nil, err
		}
	}
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: map[string]any{"Id": r.PhysicalID}}, nil
}

func (restAccount) Delete(ctx context.Context, r *resource.Request) error { return nil }

// setAccountRole puts the template's CloudWatchRoleArn on the account.
func setAccountRole(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, restAPIs, "UpdateAccount", map[string]any{"patchOperations": []any{
		replaceOp("/cloudwatchRoleArn", props(r.Properties).str("CloudWatchRoleArn")),
	}})
	return err
}

// restClientCertificate is AWS::ApiGateway::ClientCertificate:
// GenerateClientCertificate, and UpdateClientCertificate's patch of its
// description. Its physical ID and Ref are the certificate's id.
type restClientCertificate struct{}

func (restClientCertificate) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p := props(r.Properties)
	in := map[string]any{}
	if p.has("Description") {
		in["description"] = p.str("Description")
	}
	if tags := tagMap(p["Tags"]); len(tags) > 0 {
		in["tags"] = anyMap(tags)
	}
	out, err := call(ctx, r, restAPIs, "GenerateClientCertificate", in)
	if err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: outStr(out, "clientCertificateId"), Attributes: map[string]any{}}, nil
}

func (restClientCertificate) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, old := props(r.Properties), props(r.OldProperties)
	if changed(old, p, "Description") {
		if _, err := call(ctx, r, restAPIs, "UpdateClientCertificate", map[string]any{"clientCertificateId": r.PhysicalID,
			"patchOperations": []any{replaceOp("/description", p.str("Description"))}}); err != nil {
			return nil, err
		}
	}
	if oldTags, tags := tagMap(old["Tags"]), tagMap(p["Tags"]); !maps.Equal(oldTags, tags) {
		arn := "arn:aws:apigateway:" + r.Env.Region + "::/clientcertificates/" + r.PhysicalID
		if err := retagAPIGateway(ctx, r, restAPIs, arn, oldTags, tags); err != nil {
			return nil, err
		}
	}
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: map[string]any{}}, nil
}

func (restClientCertificate) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, restAPIs, "DeleteClientCertificate", map[string]any{"clientCertificateId": r.PhysicalID})
	return ignoreGone(err)
}
