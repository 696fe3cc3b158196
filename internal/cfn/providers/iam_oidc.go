package providers

import (
	"context"
	"slices"
	"strings"

	"github.com/virga/virga/internal/cfn/resource"
)

func init() {
	resource.Register(&resource.Type{
		Name:       "AWS::IAM::OIDCProvider",
		Provider:   oidcProvider{},
		Replace:    []string{"Url"},
		Attributes: []string{"Arn"},
	})
}

// oidcProvider is AWS::IAM::OIDCProvider (the identity provider GitHub
// Actions' and EKS's OIDC setups trust): CreateOpenIDConnectProvider,
// refusing an issuer the account already has, as CloudFormation's
// handler does. Its physical ID and Ref are its ARN, GetAtt Arn too;
// ClientIdList, ThumbprintList and Tags change in place, a new Url
// replaces it.
type oidcProvider struct{}

func (oidcProvider) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p := props(r.Properties)
	url := strings.TrimSuffix(p.str("Url"), "/")
	arn := "arn:aws:iam::" + r.Env.Account + ":oidc-provider/" + strings.TrimPrefix(url, "https://")
	look := lookup{service: "iam", op: "GetOpenIDConnectProvider", in: map[string]any{"OpenIDConnectProviderArn": arn}}
	if err := refuseTaken(ctx, r, look, resource.AlreadyExists(r.Type, arn)); err != nil {
		return nil, err
	}
	in := map[string]any{"Url": p.str("Url"), "ClientIDList": anyStrings(strs(p.list("ClientIdList"))),
		"ThumbprintList": anyStrings(strs(p.list("ThumbprintList")))}
	if tags := tagMap(p["Tags"]); len(tags) > 0 {
		in["Tags"] = tagList(tags)
	}
	out, err := call(ctx, r, "iam", "CreateOpenIDConnectProvider", in)
	if err != nil {
		return nil, err
	}
	arn = outStr(out, "OpenIDConnectProviderArn")
	return &resource.Result{PhysicalID: arn, Attributes: map[string]any{"Arn": arn}}, nil
}

func (oidcProvider) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, old := props(r.Properties), props(r.OldProperties)
	with := func(k string, v any) map[string]any {
		return map[string]any{"OpenIDConnectProviderArn": r.PhysicalID, k: v}
	}
	if changed(old, p, "ThumbprintList") {
		if _, err := call(ctx, r, "iam", "UpdateOpenIDConnectProviderThumbprint", with("ThumbprintList", anyStrings(strs(p.list("ThumbprintList"))))); err != nil {
			return nil, err
		}
	}
	ids, was := strs(p.list("ClientIdList")), strs(old.list("ClientIdList"))
	for _, id := range ids {
		if !slices.Contains(was, id) {
			if _, err := call(ctx, r, "iam", "AddClientIDToOpenIDConnectProvider", with("ClientID", id)); err != nil {
				return nil, err
			}
		}
	}
	for _, id := range was {
		if !slices.Contains(ids, id) {
			if _, err := call(ctx, r, "iam", "RemoveClientIDFromOpenIDConnectProvider", with("ClientID", id)); err != nil {
				return nil, err
			}
		}
	}
	set, removed := tagDiff(tagMap(old["Tags"]), tagMap(p["Tags"]))
	if len(removed) > 0 {
		if _, err := call(ctx, r, "iam", "UntagOpenIDConnectProvider", with("TagKeys", anyStrings(removed))); err != nil {
			return nil, err
		}
	}
	if len(set) > 0 {
		if _, err := call(ctx, r, "iam", "TagOpenIDConnectProvider", with("Tags", tagList(set))); err != nil {
			return nil, err
		}
	}
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: r.Attributes}, nil
}

func (oidcProvider) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, "iam", "DeleteOpenIDConnectProvider", map[string]any{"OpenIDConnectProviderArn": r.PhysicalID})
	return ignoreGone(err)
}
