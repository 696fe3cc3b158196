package providers

import (
	"context"

	"github.com/virga/virga/internal/cfn/resource"
)

func init() {
	resource.Register(&resource.Type{
		Name:       "AWS::Cognito::IdentityPool",
		Required:   []string{"AllowUnauthenticatedIdentities"},
		Provider:   identityPool{},
		Attributes: []string{"Id", "Name"},
	})
	resource.Register(&resource.Type{
		Name:     "AWS::Cognito::IdentityPoolRoleAttachment",
		Required: []string{"IdentityPoolId"},
		Provider: identityPoolRoleAttachment{},
		Replace:  []string{"IdentityPoolId"},
	})
}

// identityPoolKinds are the members of identity pools' resources that
// are booleans.
var identityPoolKinds = map[string]kind{
	"AllowUnauthenticatedIdentities": boolean, "AllowClassicFlow": boolean, "ServerSideTokenCheck": boolean,
}

// identityPool is AWS::Cognito::IdentityPool: Ref is the pool id
// (REGION:UUID), GetAtt Name its name (generated without
// IdentityPoolName). CognitoEvents, CognitoStreams and PushSync
// (Cognito Sync) are not used.
type identityPool struct{}

// input is CreateIdentityPool's or UpdateIdentityPool's input for the
// template's properties.
func (identityPool) input(r *resource.Request) map[string]any {
	p, _ := coerced(r, identityPoolKinds)
	name := p.str("IdentityPoolName")
	if name == "" {
		name = physicalName(r, 128)
	}
	in := p.pick(map[string]any{"IdentityPoolName": name, "AllowUnauthenticatedIdentities": p.flag("AllowUnauthenticatedIdentities"),
		"IdentityPoolTags": anyMap(tagMap(p["IdentityPoolTags"]))},
		"AllowClassicFlow", "CognitoIdentityProviders", "DeveloperProviderName", "OpenIdConnectProviderARNs", "SamlProviderARNs")
	if m := stringMap(p["SupportedLoginProviders"]); m != nil {
		in["SupportedLoginProviders"] = m
	}
	return in
}

func (ip identityPool) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	out, err := call(ctx, r, "cognito-identity", "CreateIdentityPool", ip.input(r))
	if err != nil {
		return nil, err
	}
	id := outStr(out, "IdentityPoolId")
	return &resource.Result{PhysicalID: id, Attributes: map[string]any{"Id": id, "Name": outStr(out, "IdentityPoolName")}}, nil
}

func (ip identityPool) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	in := ip.input(r)
	in["IdentityPoolId"] = r.PhysicalID
	// A generated name stays.
	if p, _ := coerced(r, identityPoolKinds); p.str("IdentityPoolName") == "" {
		in["IdentityPoolName"] = r.Attributes["Name"]
	}
	out, err := call(ctx, r, "cognito-identity", "UpdateIdentityPool", in)
	if err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: map[string]any{"Id": r.PhysicalID, "Name": outStr(out, "IdentityPoolName")}}, nil
}

func (identityPool) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, "cognito-identity", "DeleteIdentityPool", map[string]any{"IdentityPoolId": r.PhysicalID})
	return ignoreGone(err)
}

// identityPoolRoleAttachment is AWS::Cognito::IdentityPoolRoleAttachment:
// SetIdentityPoolRoles with the template's Roles and RoleMappings, whose
// entries name their provider in IdentityProvider where the API keys
// them by it. Ref is the identity pool's id; deleting the attachment
// leaves the pool without roles.
type identityPoolRoleAttachment struct{}

func (identityPoolRoleAttachment) set(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, identityPoolKinds)
	roles := p.obj("Roles")
	if roles == nil {
		roles = props{}
	}
	in := map[string]any{"IdentityPoolId": p.str("IdentityPoolId"), "Roles": map[string]any(roles)}
	if ms := p.obj("RoleMappings"); len(ms) > 0 {
		mappings := map[string]any{}
		for _, v := range ms {
			m := props(asMap(v))
			mappings[m.str("IdentityProvider")] = m.pick(map[string]any{}, "Type", "AmbiguousRoleResolution", "RulesConfiguration")
		}
		in["RoleMappings"] = mappings
	}
	if _, err := call(ctx, r, "cognito-identity", "SetIdentityPoolRoles", in); err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: p.str("IdentityPoolId")}, nil
}

func (a identityPoolRoleAttachment) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	return a.set(ctx, r)
}

func (a identityPoolRoleAttachment) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	return a.set(ctx, r)
}

func (identityPoolRoleAttachment) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, "cognito-identity", "SetIdentityPoolRoles", map[string]any{"IdentityPoolId": r.PhysicalID, "Roles": map[string]any{}})
	return ignoreGone(err)
}
