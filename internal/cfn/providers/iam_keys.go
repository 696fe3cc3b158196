package providers

import (
	"context"

	"github.com/virga/virga/internal/cfn/resource"
)

// The one-policy IAM types (AWS::IAM::RolePolicy, ::UserPolicy and
// ::GroupPolicy), service-linked roles and access keys
// (AWS::IAM::AccessKey).

func init() {
	for _, kind := range principalKinds {
		resource.Register(&resource.Type{
			Name:     "AWS::IAM::" + kind + "Policy",
			Required: []string{"PolicyName", kind + "Name"},
			Provider: principalPolicy{kind: kind},
			// The schemas' createOnlyProperties.
			Replace:    []string{"PolicyName", kind + "Name"},
			Attributes: []string{},
		})
	}
	resource.Register(&resource.Type{
		Name:       "AWS::IAM::ServiceLinkedRole",
		Provider:   serviceLinkedRole{},
		Replace:    []string{"AWSServiceName", "CustomSuffix"},
		Attributes: []string{"RoleName"},
	})
	resource.Register(&resource.Type{
		Name:       "AWS::IAM::AccessKey",
		Required:   []string{"UserName"},
		Provider:   accessKey{},
		Replace:    []string{"UserName", "Serial"},
		Attributes: []string{"SecretAccessKey"},
	})
}

// principalPolicy is AWS::IAM::RolePolicy, ::UserPolicy or
// ::GroupPolicy (kind Role, User or Group): one inline policy of one
// principal, Put{kind}Policy. Its physical ID and Ref are the schema's
// primary identifier, POLICYNAME|PRINCIPALNAME. Unlike AWS::IAM::Policy,
// it refuses a policy of that name the principal already has, as
// CloudFormation's handler does, so that a rollback never deletes what
// the stack did not put.
type principalPolicy struct{ kind string }

func (t principalPolicy) args(p props) map[string]any {
	return map[string]any{t.kind + "Name": p.str(t.kind + "Name"), "PolicyName": p.str("PolicyName")}
}

func (t principalPolicy) put(ctx context.Context, r *resource.Request, p props) error {
	doc, err := jsonText(p["PolicyDocument"])
	if err != nil {
		return err
	}
	in := t.args(p)
	in["PolicyDocument"] = doc
	_, err = call(ctx, r, "iam", "Put"+t.kind+"Policy", in)
	return err
}

func (t principalPolicy) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p := props(r.Properties)
	id := p.str("PolicyName") + "|" + p.str(t.kind+"Name")
	look := lookup{service: "iam", op: "Get" + t.kind + "Policy", in: t.args(p)}
	if err := refuseTaken(ctx, r, look, resource.AlreadyExists(r.Type, id)); err != nil {
		return nil, err
	}
	if err := t.put(ctx, r, p); err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: id, Attributes: map[string]any{}}, nil
}

func (t principalPolicy) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	if err := t.put(ctx, r, props(r.Properties)); err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: r.Attributes}, nil
}

func (t principalPolicy) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, "iam", "Delete"+t.kind+"Policy", t.args(props(r.Properties)))
	return ignoreGone(err)
}

// accessKey is AWS::IAM::AccessKey: CreateAccessKey for UserName, then
// UpdateAccessKey when Status is Inactive. Its physical ID and Ref are
// the key's id and GetAtt SecretAccessKey its secret; Status changes in
// place, and a new UserName or Serial (which templates increase to
// rotate the key) replaces it.
type accessKey struct{}

func (accessKey) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p := props(r.Properties)
	out, err := call(ctx, r, "iam", "CreateAccessKey", map[string]any{"UserName": p.str("UserName")})
	if err != nil {
		return nil, err
	}
	key := props(asMap(out["AccessKey"]))
	res := &resource.Result{PhysicalID: key.str("AccessKeyId"), Attributes: map[string]any{"SecretAccessKey": key.str("SecretAccessKey")}}
	if status := p.str("Status"); status != "" && status != key.str("Status") {
		if _, err := call(ctx, r, "iam", "UpdateAccessKey", map[string]any{"UserName": p.str("UserName"), "AccessKeyId": res.PhysicalID, "Status": status}); err != nil {
			return res, err
		}
	}
	return res, nil
}

func (accessKey) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p := props(r.Properties)
	status := p.str("Status")
	if status == "" {
		status = "Active"
	}
	if _, err := call(ctx, r, "iam", "UpdateAccessKey", map[string]any{"UserName": p.str("UserName"), "AccessKeyId": r.PhysicalID, "Status": status}); err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: r.Attributes}, nil
}

func (accessKey) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, "iam", "DeleteAccessKey", map[string]any{"UserName": props(r.Properties).str("UserName"), "AccessKeyId": r.PhysicalID})
	return ignoreGone(err)
}

// serviceLinkedRole is AWS::IAM::ServiceLinkedRole:
// CreateServiceLinkedRole, whose answer names the role (Ref and GetAtt
// RoleName); a new Description is UpdateRoleDescription, and deleting it
// is DeleteServiceLinkedRole.
type serviceLinkedRole struct{}

func (serviceLinkedRole) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p := props(r.Properties)
	out, err := call(ctx, r, "iam", "CreateServiceLinkedRole", p.pick(map[string]any{}, "AWSServiceName", "CustomSuffix", "Description"))
	if err != nil {
		return nil, err
	}
	name := props(asMap(out["Role"])).str("RoleName")
	return &resource.Result{PhysicalID: name, Attributes: map[string]any{"RoleName": name}}, nil
}

func (serviceLinkedRole) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	_, err := call(ctx, r, "iam", "UpdateRoleDescription", map[string]any{"RoleName": r.PhysicalID, "Description": props(r.Properties).str("Description")})
	if err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: r.Attributes}, nil
}

func (serviceLinkedRole) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, "iam", "DeleteServiceLinkedRole", map[string]any{"RoleName": r.PhysicalID})
	return ignoreGone(err)
}
