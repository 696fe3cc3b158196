package providers

import (
	"context"

	"github.com/virga/virga/internal/cfn/resource"
)

func init() {
	resource.Register(&resource.Type{
		Name:     "AWS::Cognito::UserPool",
		Provider: userPool{},
		// AWS updates a pool's name in place; virga's UpdateUserPool
		// has no PoolName, so a new name makes a new pool. Schema changes
		// replace it too, as virga has no AddCustomAttributes.
		Replace:    []string{"AliasAttributes", "UsernameAttributes", "UsernameConfiguration", "UserPoolName", "Schema"},
		Attributes: []string{"Arn", "ProviderName", "ProviderURL", "UserPoolId"},
	})
	resource.Register(&resource.Type{
		Name:       "AWS::Cognito::UserPoolClient",
		Required:   []string{"UserPoolId"},
		Provider:   userPoolClient{},
		Replace:    []string{"UserPoolId", "GenerateSecret"},
		Attributes: []string{"ClientId", "ClientSecret", "Name"},
	})
	resource.Register(&resource.Type{
		Name:       "AWS::Cognito::UserPoolDomain",
		Required:   []string{"UserPoolId", "Domain"},
		Provider:   userPoolDomain{},
		Replace:    []string{"UserPoolId", "Domain"},
		Attributes: []string{"CloudFrontDistribution"},
	})
	resource.Register(&resource.Type{
		Name:     "AWS::Cognito::UserPoolResourceServer",
		Required: []string{"UserPoolId", "Identifier", "Name"},
		Provider: userPoolResourceServer{},
		Replace:  []string{"UserPoolId", "Identifier"},
	})
	resource.Register(&resource.Type{
		Name:     "AWS::Cognito::UserPoolUser",
		Required: []string{"UserPoolId"},
		Provider: userPoolUser{},
		// Every property is "Update requires: Replacement".
		Replace: []string{"*"},
	})
	resource.Register(&resource.Type{
		Name:     "AWS::Cognito::UserPoolGroup",
		Required: []string{"UserPoolId"},
		Provider: userPoolGroup{},
		Replace:  []string{"UserPoolId", "GroupName"},
	})
}

// cognitoKinds are the members of Cognito's resources that are numbers
// or booleans.
var cognitoKinds = map[string]kind{
	"MinimumLength": number, "TemporaryPasswordValidityDays": number, "UnusedAccountValidityDays": number,
	"RefreshTokenValidity": number, "AccessTokenValidity": number, "IdTokenValidity": number,
	"AuthSessionValidity": number, "Precedence": number,
	"RequireUppercase": boolean, "RequireLowercase": boolean, "RequireNumbers": boolean, "RequireSymbols": boolean,
	"Mutable": boolean, "Required": boolean, "DeveloperOnlyAttribute": boolean, "GenerateSecret": boolean,
	"AllowAdminCreateUserOnly": boolean, "CaseSensitive": boolean, "EnableTokenRevocation": boolean,
	"AllowedOAuthFlowsUserPoolClient": boolean, "EnablePropagateAdditionalUserContextData": boolean,
	"ForceAliasCreation": boolean,
}

// userPoolSettings are the properties UpdateUserPool takes under the
// same names as the template.
var userPoolSettings = []string{"Policies", "DeletionProtection", "LambdaConfig", "AutoVerifiedAttributes",
	"SmsVerificationMessage", "EmailVerificationMessage", "EmailVerificationSubject", "VerificationMessageTemplate",
	"SmsAuthenticationMessage", "UserAttributeUpdateSettings", "MfaConfiguration", "DeviceConfiguration",
	"EmailConfiguration", "SmsConfiguration", "UserPoolTags", "AdminCreateUserConfig", "UserPoolAddOns",
	"AccountRecoverySetting"}

// userPool is AWS::Cognito::UserPool: CreateUserPool with UserPoolName
// as PoolName (a generated name without one). Ref is the pool id; GetAtt
// gives Arn, ProviderName (cognito-idp.REGION.amazonaws.com/ID) and
// ProviderURL (https://cognito-idp.REGION.amazonaws.com/ID), the issuer
// of its tokens.
type userPool struct{}

func (userPool) attrs(r *resource.Request, id, arn string) map[string]any {
	provider := "cognito-idp." + r.Env.Region + ".amazonaws.com/" + id
	return map[string]any{"Arn": arn, "ProviderName": provider, "ProviderURL": "https://" + provider, "UserPoolId": id}
}

func (u userPool) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, cognitoKinds)
	name := p.str("UserPoolName")
	if name == "" {
		name = physicalName(r, 128)
	}
	in := p.pick(map[string]any{"PoolName": name}, append([]string{"AliasAttributes", "UsernameAttributes",
		"UsernameConfiguration", "Schema"}, userPoolSettings...)...)
	out, err := call(ctx, r, "cognito-idp", "CreateUserPool", in)
	if err != nil {
		return nil, err
	}
	pool := asMap(out["UserPool"])
	id, arn := outStr(pool, "Id"), outStr(pool, "Arn")
	return &resource.Result{PhysicalID: id, Attributes: u.attrs(r, id, arn)}, nil
}

func (u userPool) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, cognitoKinds)
	in := p.pick(map[string]any{"UserPoolId": r.PhysicalID}, userPoolSettings...)
	if _, err := call(ctx, r, "cognito-idp", "UpdateUserPool", in); err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: r.Attributes}, nil
}

func (userPool) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, "cognito-idp", "DeleteUserPool", map[string]any{"UserPoolId": r.PhysicalID})
	return ignoreGone(err)
}

// userPoolClientSettings are the properties CreateUserPoolClient and
// UpdateUserPoolClient take under the template's names.
var userPoolClientSettings = []string{"RefreshTokenValidity", "AccessTokenValidity", "IdTokenValidity",
	"TokenValidityUnits", "ReadAttributes", "WriteAttributes", "ExplicitAuthFlows", "SupportedIdentityProviders",
	"CallbackURLs", "LogoutURLs", "DefaultRedirectURI", "AllowedOAuthFlows", "AllowedOAuthScopes",
	"AllowedOAuthFlowsUserPoolClient", "AnalyticsConfiguration", "PreventUserExistenceErrors",
	"EnableTokenRevocation", "EnablePropagateAdditionalUserContextData", "AuthSessionValidity"}

// userPoolClient is AWS::Cognito::UserPoolClient. Ref is the client id;
// GetAtt gives ClientSecret (when GenerateSecret made one) and Name.
type userPoolClient struct{}

func clientAttrs(c map[string]any) map[string]any {
	return map[string]any{"ClientId": outStr(c, "ClientId"), "ClientSecret": outStr(c, "ClientSecret"), "Name": outStr(c, "ClientName")}
}

func (userPoolClient) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, cognitoKinds)
	name := p.str("ClientName")
	if name == "" {
		name = physicalName(r, 128)
	}
	in := p.pick(map[string]any{"ClientName": name}, append([]string{"UserPoolId", "GenerateSecret"}, userPoolClientSettings...)...)
	out, err := call(ctx, r, "cognito-idp", "CreateUserPoolClient", in)
	if err != nil {
		return nil, err
	}
	c := asMap(out["UserPoolClient"])
	return &resource.Result{PhysicalID: outStr(c, "ClientId"), Attributes: clientAttrs(c)}, nil
}

func (userPoolClient) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, cognitoKinds)
	in := p.pick(map[string]any{"ClientId": r.PhysicalID}, append([]string{"UserPoolId", "ClientName"}, userPoolClientSettings...)...)
	out, err := call(ctx, r, "cognito-idp", "UpdateUserPoolClient", in)
	if err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: clientAttrs(asMap(out["UserPoolClient"]))}, nil
}

func (userPoolClient) Delete(ctx context.Context, r *resource.Request) error {
	p, _ := coerced(r, cognitoKinds)
	_, err := call(ctx, r, "cognito-idp", "DeleteUserPoolClient", map[string]any{"UserPoolId": p.str("UserPoolId"), "ClientId": r.PhysicalID})
	return ignoreGone(err)
}

// userPoolGroup is AWS::Cognito::UserPoolGroup; Ref is the group's name.
type userPoolGroup struct{}

func (userPoolGroup) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, cognitoKinds)
	name := p.str("GroupName")
	if name == "" {
		name = physicalName(r, 128)
	}
	in := p.pick(map[string]any{"GroupName": name}, "UserPoolId", "Description", "RoleArn", "Precedence")
	if _, err := call(ctx, r, "cognito-idp", "CreateGroup", in); err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: name}, nil
}

func (userPoolGroup) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, cognitoKinds)
	in := p.pick(map[string]any{"GroupName": r.PhysicalID}, "UserPoolId", "Description", "RoleArn", "Precedence")
	if _, err := call(ctx, r, "cognito-idp", "UpdateGroup", in); err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: r.PhysicalID}, nil
}

func (userPoolGroup) Delete(ctx context.Context, r *resource.Request) error {
	p, _ := coerced(r, cognitoKinds)
	_, err := call(ctx, r, "cognito-idp", "DeleteGroup", map[string]any{"UserPoolId": p.str("UserPoolId"), "GroupName": r.PhysicalID})
	return ignoreGone(err)
}

// userPoolDomain is AWS::Cognito::UserPoolDomain, a prefix domain or,
// with CustomDomainConfig, a custom one; Ref is the domain, GetAtt
// CloudFrontDistribution the host name its endpoints answer on
// (PREFIX.auth.REGION.localhost here for a prefix domain, the made-up
// distribution CreateUserPoolDomain answers for a custom one).
type userPoolDomain struct{}

func (userPoolDomain) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, cognitoKinds)
	in := p.pick(map[string]any{}, "UserPoolId", "Domain", "CustomDomainConfig")
	out, err := call(ctx, r, "cognito-idp", "CreateUserPoolDomain", in)
	if err != nil {
		return nil, err
	}
	d := p.str("Domain")
	return &resource.Result{PhysicalID: d, Attributes: map[string]any{"CloudFrontDistribution": distribution(out, d+".auth."+r.Env.Region+".localhost")}}, nil
}

// Update changes a custom domain's certificate (UpdateUserPoolDomain);
// every other property replaces the domain.
func (userPoolDomain) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, cognitoKinds)
	if p["CustomDomainConfig"] == nil {
		return &resource.Result{PhysicalID: r.PhysicalID, Attributes: r.Attributes}, nil
	}
	out, err := call(ctx, r, "cognito-idp", "UpdateUserPoolDomain", map[string]any{"UserPoolId": p.str("UserPoolId"),
		"Domain": r.PhysicalID, "CustomDomainConfig": p["CustomDomainConfig"]})
	if err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: map[string]any{"CloudFrontDistribution": distribution(out, "")}}, nil
}

// distribution is the CloudFrontDomain a domain operation answered, or
// def.
func distribution(out map[string]any, def string) string {
	if d, _ := out["CloudFrontDomain"].(string); d != "" {
		return d
	}
	return def
}

func (userPoolDomain) Delete(ctx context.Context, r *resource.Request) error {
	p, _ := coerced(r, cognitoKinds)
	_, err := call(ctx, r, "cognito-idp", "DeleteUserPoolDomain", map[string]any{"UserPoolId": p.str("UserPoolId"), "Domain": r.PhysicalID})
	return ignoreGone(err)
}

// userPoolResourceServer is AWS::Cognito::UserPoolResourceServer; Ref
// is its identifier.
type userPoolResourceServer struct{}

func (userPoolResourceServer) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, cognitoKinds)
	in := p.pick(map[string]any{}, "UserPoolId", "Identifier", "Name", "Scopes")
	if _, err := call(ctx, r, "cognito-idp", "CreateResourceServer", in); err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: p.str("Identifier")}, nil
}

func (userPoolResourceServer) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, cognitoKinds)
	in := p.pick(map[string]any{"Identifier": r.PhysicalID}, "UserPoolId", "Name", "Scopes")
	if _, err := call(ctx, r, "cognito-idp", "UpdateResourceServer", in); err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: r.PhysicalID}, nil
}

func (userPoolResourceServer) Delete(ctx context.Context, r *resource.Request) error {
	p, _ := coerced(r, cognitoKinds)
	_, err := call(ctx, r, "cognito-idp", "DeleteResourceServer", map[string]any{"UserPoolId": p.str("UserPoolId"), "Identifier": r.PhysicalID})
	return ignoreGone(err)
}

// userPoolUser is AWS::Cognito::UserPoolUser: AdminCreateUser with the
// template's properties, so that the user starts in
// FORCE_CHANGE_PASSWORD with a temporary password that is sent (virga
// logs it) unless MessageAction is SUPPRESS. Ref is the Username the
// template gives (in a pool with UsernameAttributes, the email address
// or phone number the user signs in with).
type userPoolUser struct{}

func (userPoolUser) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, cognitoKinds)
	in := p.pick(map[string]any{}, "UserPoolId", "Username", "UserAttributes", "ValidationData", "ClientMetadata",
		"DesiredDeliveryMediums", "ForceAliasCreation", "MessageAction")
	if _, err := call(ctx, r, "cognito-idp", "AdminCreateUser", in); err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: p.str("Username")}, nil
}

func (userPoolUser) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	return &resource.Result{PhysicalID: r.PhysicalID}, nil
}

func (userPoolUser) Delete(ctx context.Context, r *resource.Request) error {
	p, _ := coerced(r, cognitoKinds)
	_, err := call(ctx, r, "cognito-idp", "AdminDeleteUser", map[string]any{"UserPoolId": p.str("UserPoolId"), "Username": r.PhysicalID})
	return ignoreGone(err)
}
