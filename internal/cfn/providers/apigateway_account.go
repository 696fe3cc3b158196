package providers

import (
	"context"
	"maps"

	"github.com/virga/virga/internal/cfn/resource"
)

// API Gateway's account-level types: the account's settings, its client
// certificates and its VPC links.

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
	resource.Register(&resource.Type{
		Name:       "AWS::ApiGateway::VpcLink",
		Required:   []string{"Name", "TargetArns"},
		Provider:   restVpcLink{},
		Replace:    []string{"TargetArns"},
		Attributes: []string{"VpcLinkId"},
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
	if err := retagAccountRecord(ctx, r, "clientcertificates"); err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: map[string]any{}}, nil
}

// retagAccountRecord puts a template's changed Tags on the account-level
// record the resource is, /kind/ID in API Gateway's ARNs.
func retagAccountRecord(ctx context.Context, r *resource.Request, kind string) error {
	oldTags, tags := tagMap(props(r.OldProperties)["Tags"]), tagMap(props(r.Properties)["Tags"])
	if maps.Equal(oldTags, tags) {
		return nil
	}
	arn := "arn:aws:apigateway:" + r.Env.Region + "::/" + kind + "/" + r.PhysicalID
	return retagAPIGateway(ctx, r, restAPIs, arn, oldTags, tags)
}

func (restClientCertificate) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, restAPIs, "DeleteClientCertificate", map[string]any{"clientCertificateId": r.PhysicalID})
	return ignoreGone(err)
}

// restVpcLink is AWS::ApiGateway::VpcLink: CreateVpcLink, and
// UpdateVpcLink's patches of its name and description. Its physical ID,
// Ref and VpcLinkId are the link's id.
type restVpcLink struct{}

func (restVpcLink) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p := props(r.Properties)
	in := map[string]any{"name": p.str("Name"), "targetArns": anyStrings(stringList(p["TargetArns"]))}
	if p.has("Description") {
		in["description"] = p.str("Description")
	}
	if tags := tagMap(p["Tags"]); len(tags) > 0 {
		in["tags"] = anyMap(tags)
	}
	out, err := call(ctx, r, restAPIs, "CreateVpcLink", in)
	if err != nil {
		return nil, err
	}
	id := outStr(out, "id")
	return &resource.Result{PhysicalID: id, Attributes: map[string]any{"VpcLinkId": id}}, nil
}

func (restVpcLink) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, old := props(r.Properties), props(r.OldProperties)
	var ops []any
	for _, prop := range []string{"Name", "Description"} {
		if changed(old, p, prop) {
			ops = append(ops, replaceOp("/"+lowerFirst(prop), p.str(prop)))
		}
	}
	if len(ops) > 0 {
		if _, err := call(ctx, r, restAPIs, "UpdateVpcLink", map[string]any{"vpcLinkId": r.PhysicalID, "patchOperations": ops}); err != nil {
			return nil, err
		}
	}
	if err := retagAccountRecord(ctx, r, "vpclinks"); err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: map[string]any{"VpcLinkId": r.PhysicalID}}, nil
}

func (restVpcLink) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, restAPIs, "DeleteVpcLink", map[string]any{"vpcLinkId": r.PhysicalID})
	return ignoreGone(err)
}
