package e2e_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	citypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentity/types"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/virga/virga/internal/config"
	"github.com/virga/virga/internal/e2e"
)

// identityRole makes a role with the trust policy, allowed only
// dynamodb:ListTables, and returns its ARN.
func identityRole(t *testing.T, env *e2e.Env, name, trust string) string {
	t.Helper()
	ctx := context.Background()
	out, err := iamClient(env).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := iamClient(env).PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String("tables"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"dynamodb:ListTables","Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.Role.Arn)
}

// cognitoTrust is the trust policy the developer guide gives an identity
// pool's role: cognito-identity.amazonaws.com may assume it with a web
// identity of the pool, authenticated as amr says.
func cognitoTrust(pool, amr string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},` +
		`"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"cognito-identity.amazonaws.com:aud":"` + pool + `"},` +
		`"ForAnyValue:StringLike":{"cognito-identity.amazonaws.com:amr":"` + amr + `"}}}]}`
}

// anonymous is an identity pools client that signs nothing, as apps
// call GetId and GetCredentialsForIdentity before they have credentials.
func anonymous(env *e2e.Env) *ci.Client {
	return ci.NewFromConfig(env.Config, func(o *ci.Options) { o.Credentials = aws.AnonymousCredentials{} })
}

// TestCognitoIdentityGuestFlow: a guest gets an identity and credentials
// of the pool's unauthenticated role without signing, and those
// credentials are held to the role's policy.
func TestCognitoIdentityGuestFlow(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, iamMode)
	ctx := context.Background()
	admin := ci.NewFromConfig(env.Config)

	pool, err := admin.CreateIdentityPool(ctx, &ci.CreateIdentityPoolInput{IdentityPoolName: aws.String("guests"),
		AllowUnauthenticatedIdentities: true, IdentityPoolTags: map[string]string{"team": "web"}})
	if err != nil {
		t.Fatal(err)
	}
	poolID := aws.ToString(pool.IdentityPoolId)
	if !strings.HasPrefix(poolID, "us-east-1:") || len(poolID) != len("us-east-1:")+36 {
		t.Errorf("pool id %q, want us-east-1:UUID", poolID)
	}
	role := identityRole(t, env, "guest", cognitoTrust(poolID, "unauthenticated"))
	id, err := anonymous(env).GetId(ctx, &ci.GetIdInput{IdentityPoolId: &poolID})
	if err != nil {
		t.Fatal(err)
	}
	identityID := aws.ToString(id.IdentityId)
	if !strings.HasPrefix(identityID, "us-east-1:") {
		t.Errorf("identity id %q", identityID)
	}
	// No roles yet: the pool is misconfigured.
	_, err = anonymous(env).GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: &identityID})
	if got := expectAPIError(t, err, "InvalidIdentityPoolConfigurationException", 400); got.Message != "Invalid identity pool configuration. Check assigned IAM roles for this pool." {
		t.Errorf("message %q", got.Message)
	}
	if _, err := admin.SetIdentityPoolRoles(ctx, &ci.SetIdentityPoolRolesInput{IdentityPoolId: &poolID,
		Roles: map[string]string{"unauthenticated": role}}); err != nil {
		t.Fatal(err)
	}
	roles, err := admin.GetIdentityPoolRoles(ctx, &ci.GetIdentityPoolRolesInput{IdentityPoolId: &poolID})
	if err != nil || roles.Roles["unauthenticated"] != role {
		t.Fatalf("GetIdentityPoolRoles = %+v, %v", roles, err)
	}
	creds, err := anonymous(env).GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: &identityID})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(creds.IdentityId) != identityID || creds.Credentials == nil || creds.Credentials.Expiration == nil {
		t.Fatalf("credentials %+v", creds)
	}
	c := creds.Credentials
	guest := e2e.ClientConfig(env.Endpoint, env.Cfg.Region, aws.ToString(c.AccessKeyId), aws.ToString(c.SecretKey), aws.ToString(c.SessionToken))
	if _, err := dynamodb.NewFromConfig(guest).ListTables(ctx, &dynamodb.ListTablesInput{}); err != nil {
		t.Fatalf("ListTables with the guest's credentials: %v", err)
	}
	// The role allows nothing else.
	_, err = sqs.NewFromConfig(guest).ListQueues(ctx, &sqs.ListQueuesInput{})
	if got := wantAPIError(t, err); !strings.Contains(got.Message, "assumed-role/guest/CognitoIdentityCredentials") {
		t.Errorf("ListQueues as the guest: %s %q", got.Code, got.Message)
	}

	// A role whose trust policy does not let identity pools assume it
	// for this pool's guests gives no credentials (--auth iam).
	for name, trust := range map[string]string{
		"lambda-only":  `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`,
		"another-pool": cognitoTrust("us-east-1:00000000-0000-0000-0000-000000000000", "unauthenticated"),
		"members-only": cognitoTrust(poolID, "authenticated"),
	} {
		untrusting := identityRole(t, env, name, trust)
		if _, err := admin.SetIdentityPoolRoles(ctx, &ci.SetIdentityPoolRolesInput{IdentityPoolId: &poolID,
			Roles: map[string]string{"unauthenticated": untrusting}}); err != nil {
			t.Fatal(err)
		}
		_, err = anonymous(env).GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: &identityID})
		expectAPIError(t, err, "InvalidIdentityPoolConfigurationException", 400)
	}

	// The identity is listed and described; deleting it forgets it.
	list, err := admin.ListIdentities(ctx, &ci.ListIdentitiesInput{IdentityPoolId: &poolID, MaxResults: aws.Int32(10)})
	if err != nil || len(list.Identities) != 1 || aws.ToString(list.Identities[0].IdentityId) != identityID {
		t.Fatalf("ListIdentities = %+v, %v", list, err)
	}
	tok, err := anonymous(env).GetOpenIdToken(ctx, &ci.GetOpenIdTokenInput{IdentityId: &identityID})
	if err != nil {
		t.Fatal(err)
	}
	claims := jwtClaims(t, aws.ToString(tok.Token))
	if claims["sub"] != identityID || claims["aud"] != poolID || claims["iss"] != "https://cognito-identity.amazonaws.com" {
		t.Errorf("OpenID token claims %v", claims)
	}
	if _, err := admin.DeleteIdentities(ctx, &ci.DeleteIdentitiesInput{IdentityIdsToDelete: []string{identityID}}); err != nil {
		t.Fatal(err)
	}
	_, err = admin.DescribeIdentity(ctx, &ci.DescribeIdentityInput{IdentityId: &identityID})
	if got := expectAPIError(t, err, "ResourceNotFoundException", 400); got.Message != "Identity '"+identityID+"' not found." {
		t.Errorf("message %q", got.Message)
	}

	// A pool without guests refuses them.
	closed, err := admin.CreateIdentityPool(ctx, &ci.CreateIdentityPoolInput{IdentityPoolName: aws.String("members"),
		AllowUnauthenticatedIdentities: false})
	if err != nil {
		t.Fatal(err)
	}
	_, err = anonymous(env).GetId(ctx, &ci.GetIdInput{IdentityPoolId: closed.IdentityPoolId})
	if got := expectAPIError(t, err, "NotAuthorizedException", 400); got.Message != "Unauthenticated access is not supported for this identity pool." {
		t.Errorf("message %q", got.Message)
	}
	_, err = anonymous(env).GetId(ctx, &ci.GetIdInput{IdentityPoolId: aws.String("us-east-1:00000000-0000-0000-0000-000000000000")})
	if got := expectAPIError(t, err, "ResourceNotFoundException", 400); got.Message != "IdentityPool 'us-east-1:00000000-0000-0000-0000-000000000000' not found." {
		t.Errorf("message %q", got.Message)
	}
	// Tags and deletion.
	arn := "arn:aws:cognito-identity:us-east-1:" + testAccount + ":identitypool/" + poolID
	tags, err := admin.ListTagsForResource(ctx, &ci.ListTagsForResourceInput{ResourceArn: &arn})
	if err != nil || tags.Tags["team"] != "web" {
		t.Errorf("ListTagsForResource = %+v, %v", tags, err)
	}
	if _, err := admin.DeleteIdentityPool(ctx, &ci.DeleteIdentityPoolInput{IdentityPoolId: &poolID}); err != nil {
		t.Fatal(err)
	}
	_, err = admin.DescribeIdentityPool(ctx, &ci.DescribeIdentityPoolInput{IdentityPoolId: &poolID})
	expectAPIError(t, err, "ResourceNotFoundException", 400)
}

// TestCognitoIdentitySignedInFlow: a user pool's ID token from
// InitiateAuth gets the user one identity and the authenticated role's
// credentials; tokens AWS would refuse are refused with its messages.
func TestCognitoIdentitySignedInFlow(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithFakeClock())
	ctx := context.Background()
	admin := ci.NewFromConfig(env.Config)
	users := newPasswordPool(t, env)
	userPoolID := users.id
	web, other := users.client("web"), users.client("other")
	tokens := users.signIn(web, "ana")
	provider := "cognito-idp.us-east-1.amazonaws.com/" + userPoolID

	pool, err := admin.CreateIdentityPool(ctx, &ci.CreateIdentityPoolInput{IdentityPoolName: aws.String("members"),
		CognitoIdentityProviders: []citypes.CognitoIdentityProvider{{ProviderName: &provider, ClientId: &web}}})
	if err != nil {
		t.Fatal(err)
	}
	poolID := aws.ToString(pool.IdentityPoolId)
	authRole := "arn:aws:iam::" + testAccount + ":role/member"
	if _, err := admin.SetIdentityPoolRoles(ctx, &ci.SetIdentityPoolRolesInput{IdentityPoolId: &poolID,
		Roles: map[string]string{"authenticated": authRole}}); err != nil {
		t.Fatal(err)
	}
	logins := map[string]string{provider: aws.ToString(tokens.IdToken)}
	id, err := anonymous(env).GetId(ctx, &ci.GetIdInput{IdentityPoolId: &poolID, Logins: logins})
	if err != nil {
		t.Fatal(err)
	}
	identityID := aws.ToString(id.IdentityId)
	// The same user gets the same identity.
	again, err := anonymous(env).GetId(ctx, &ci.GetIdInput{IdentityPoolId: &poolID, Logins: logins})
	if err != nil || aws.ToString(again.IdentityId) != identityID {
		t.Fatalf("second GetId = %v, %v; want %s", again, err, identityID)
	}
	creds, err := anonymous(env).GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: &identityID, Logins: logins})
	if err != nil {
		t.Fatal(err)
	}
	c := creds.Credentials
	member := e2e.ClientConfig(env.Endpoint, env.Cfg.Region, aws.ToString(c.AccessKeyId), aws.ToString(c.SecretKey), aws.ToString(c.SessionToken))
	who, err := stsClient(env, aws.ToString(c.AccessKeyId), aws.ToString(c.SecretKey), aws.ToString(c.SessionToken)).GetCallerIdentity(ctx, nil)
	if err != nil || aws.ToString(who.Arn) != "arn:aws:sts::"+testAccount+":assumed-role/member/CognitoIdentityCredentials" {
		t.Fatalf("GetCallerIdentity = %v, %v", who, err)
	}
	if _, err := dynamodb.NewFromConfig(member).ListTables(ctx, &dynamodb.ListTablesInput{}); err != nil {
		t.Fatal(err)
	}
	desc, err := admin.DescribeIdentity(ctx, &ci.DescribeIdentityInput{IdentityId: &identityID})
	if err != nil || len(desc.Logins) != 1 || desc.Logins[0] != provider {
		t.Fatalf("DescribeIdentity = %+v, %v", desc, err)
	}

	refused := []struct {
		name    string
		id      *string // GetCredentialsForIdentity's identity; GetId's when nil
		logins  map[string]string
		code    string
		message string
	}{
		{"no logins for a signed-in identity", &identityID, nil, "NotAuthorizedException",
			"Logins don't match. Please include at least one valid login for this identity or identity pool."},
		{"an access token", nil, map[string]string{provider: aws.ToString(tokens.AccessToken)}, "NotAuthorizedException",
			"Invalid login token. Missing a required claim: aud"},
		{"another client's token", nil, map[string]string{provider: aws.ToString(users.signIn(other, "ana").IdToken)}, "NotAuthorizedException",
			"Token is not from a supported provider of this identity pool."},
		{"a tampered token", nil, map[string]string{provider: tamper(aws.ToString(tokens.IdToken))}, "NotAuthorizedException",
			"Invalid login token. Couldn't verify signed token."},
		{"not a token", nil, map[string]string{provider: "opaque"}, "NotAuthorizedException",
			"Invalid login token. Not a valid OpenId Connect identity token."},
		{"a key of another user pool", nil, map[string]string{"cognito-idp.us-east-1.amazonaws.com/us-east-1_other": aws.ToString(tokens.IdToken)},
			"NotAuthorizedException", "Token is not from a supported provider of this identity pool."},
		{"guest of a pool without guests", nil, nil, "NotAuthorizedException", "Unauthenticated access is not supported for this identity pool."},
	}
	for _, tc := range refused {
		if tc.id != nil {
			_, err = anonymous(env).GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: tc.id, Logins: tc.logins})
		} else {
			_, err = anonymous(env).GetId(ctx, &ci.GetIdInput{IdentityPoolId: &poolID, Logins: tc.logins})
		}
		if got := expectAPIError(t, err, tc.code, 400); got.Message != tc.message {
			t.Errorf("%s: message %q, want %q", tc.name, got.Message, tc.message)
		}
	}

	// A signed-out user's ID token still verifies, unless the pool asks
	// the user pool (ServerSideTokenCheck).
	if _, err := users.c.GlobalSignOut(ctx, &cip.GlobalSignOutInput{AccessToken: tokens.AccessToken}); err != nil {
		t.Fatal(err)
	}
	if _, err := anonymous(env).GetId(ctx, &ci.GetIdInput{IdentityPoolId: &poolID, Logins: logins}); err != nil {
		t.Fatalf("GetId after GlobalSignOut without ServerSideTokenCheck: %v", err)
	}
	updated, err := admin.UpdateIdentityPool(ctx, &ci.UpdateIdentityPoolInput{IdentityPoolId: &poolID, IdentityPoolName: aws.String("members"),
		CognitoIdentityProviders: []citypes.CognitoIdentityProvider{{ProviderName: &provider, ClientId: &web, ServerSideTokenCheck: aws.Bool(true)}}})
	if err != nil || !aws.ToBool(updated.CognitoIdentityProviders[0].ServerSideTokenCheck) {
		t.Fatalf("UpdateIdentityPool = %+v, %v", updated, err)
	}
	_, err = anonymous(env).GetId(ctx, &ci.GetIdInput{IdentityPoolId: &poolID, Logins: logins})
	expectAPIError(t, err, "NotAuthorizedException", 400)
	fresh := map[string]string{provider: aws.ToString(users.signIn(web, "ana").IdToken)}
	if again, err := anonymous(env).GetId(ctx, &ci.GetIdInput{IdentityPoolId: &poolID, Logins: fresh}); err != nil || aws.ToString(again.IdentityId) != identityID {
		t.Fatalf("GetId after signing in again = %v, %v; want %s", again, err, identityID)
	}

	// An hour and a minute later the ID token has expired.
	env.Clock.Advance(61 * time.Minute)
	_, err = anonymous(env).GetId(ctx, &ci.GetIdInput{IdentityPoolId: &poolID, Logins: fresh})
	if got := expectAPIError(t, err, "NotAuthorizedException", 400); !strings.HasPrefix(got.Message, "Invalid login token. Token expired: ") {
		t.Errorf("message %q", got.Message)
	}
}

// passwordPool is a user pool whose app clients sign users in with
// their passwords, for identity pools' tests.
type passwordPool struct {
	t     *testing.T
	c     *cip.Client
	id    string
	users map[string]bool
}

func newPasswordPool(t *testing.T, env *e2e.Env) *passwordPool {
	t.Helper()
	c := cip.NewFromConfig(env.Config)
	up, err := c.CreateUserPool(context.Background(), &cip.CreateUserPoolInput{PoolName: aws.String("app")})
	if err != nil {
		t.Fatal(err)
	}
	return &passwordPool{t: t, c: c, id: aws.ToString(up.UserPool.Id), users: map[string]bool{}}
}

// client makes an app client and returns its id.
func (p *passwordPool) client(name string) string {
	p.t.Helper()
	c, err := p.c.CreateUserPoolClient(context.Background(), &cip.CreateUserPoolClientInput{UserPoolId: &p.id, ClientName: &name,
		ExplicitAuthFlows: []ciptypes.ExplicitAuthFlowsType{ciptypes.ExplicitAuthFlowsTypeAllowUserPasswordAuth, ciptypes.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}})
	if err != nil {
		p.t.Fatal(err)
	}
	return aws.ToString(c.UserPoolClient.ClientId)
}

// signIn signs a user in with a client, making the user (in the
// groups) the first time, and returns the tokens.
func (p *passwordPool) signIn(client, name string, groups ...string) *ciptypes.AuthenticationResultType {
	p.t.Helper()
	ctx := context.Background()
	if !p.users[name] {
		p.users[name] = true
		if _, err := p.c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &p.id, Username: &name,
			MessageAction: ciptypes.MessageActionTypeSuppress}); err != nil {
			p.t.Fatal(err)
		}
		if _, err := p.c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: &p.id, Username: &name,
			Password: aws.String("Passw0rd!"), Permanent: true}); err != nil {
			p.t.Fatal(err)
		}
		for _, g := range groups {
			if _, err := p.c.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: &p.id, Username: &name,
				GroupName: aws.String(g)}); err != nil {
				p.t.Fatal(err)
			}
		}
	}
	out, err := p.c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &client, AuthFlow: ciptypes.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": name, "PASSWORD": "Passw0rd!"}})
	if err != nil {
		p.t.Fatal(err)
	}
	return out.AuthenticationResult
}

// tamper changes a JWT's claims, keeping its signature.
func tamper(token string) string {
	parts := strings.Split(token, ".")
	b, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var claims map[string]any
	json.Unmarshal(b, &claims)
	claims["sub"] = "someone-else"
	b, _ = json.Marshal(claims)
	return parts[0] + "." + base64.RawURLEncoding.EncodeToString(b) + "." + parts[2]
}

// TestCognitoIdentityRoleMappings: a Token mapping gives a user their
// group's role (the ID token's cognito:preferred_role), a Rules mapping
// the role of the first rule the token's claims match, and Deny refuses
// a user no rule matches.
func TestCognitoIdentityRoleMappings(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	admin := ci.NewFromConfig(env.Config)
	users := newPasswordPool(t, env)
	userPoolID := users.id
	client := users.client("web")
	role := func(name string) string { return "arn:aws:iam::" + testAccount + ":role/" + name }
	for _, g := range []struct {
		name       string
		precedence int32
	}{{"admins", 1}, {"staff", 5}} {
		if _, err := users.c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: &userPoolID, GroupName: aws.String(g.name),
			RoleArn: aws.String(role(g.name)), Precedence: aws.Int32(g.precedence)}); err != nil {
			t.Fatal(err)
		}
	}
	idToken := func(name string, groups ...string) string {
		return aws.ToString(users.signIn(client, name, groups...).IdToken)
	}
	ana, bo, cy := idToken("ana", "admins", "staff"), idToken("bo", "staff"), idToken("cy")
	if c := jwtClaims(t, ana); c["cognito:preferred_role"] != role("admins") {
		t.Errorf("ana's ID token: %v", c)
	}

	provider := "cognito-idp.us-east-1.amazonaws.com/" + userPoolID
	pool, err := admin.CreateIdentityPool(ctx, &ci.CreateIdentityPoolInput{IdentityPoolName: aws.String("mapped"),
		CognitoIdentityProviders: []citypes.CognitoIdentityProvider{{ProviderName: &provider, ClientId: &client}}})
	if err != nil {
		t.Fatal(err)
	}
	poolID := aws.ToString(pool.IdentityPoolId)
	assumed := func(token string) (string, error) {
		t.Helper()
		logins := map[string]string{provider: token}
		id, err := anonymous(env).GetId(ctx, &ci.GetIdInput{IdentityPoolId: &poolID, Logins: logins})
		if err != nil {
			t.Fatal(err)
		}
		creds, err := anonymous(env).GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: id.IdentityId, Logins: logins})
		if err != nil {
			return "", err
		}
		c := creds.Credentials
		who, err := stsClient(env, aws.ToString(c.AccessKeyId), aws.ToString(c.SecretKey), aws.ToString(c.SessionToken)).GetCallerIdentity(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(who.Arn), nil
	}
	session := func(name string) string {
		return "arn:aws:sts::" + testAccount + ":assumed-role/" + name + "/CognitoIdentityCredentials"
	}
	setMapping := func(m citypes.RoleMapping) {
		t.Helper()
		if _, err := admin.SetIdentityPoolRoles(ctx, &ci.SetIdentityPoolRolesInput{IdentityPoolId: &poolID,
			Roles:        map[string]string{"authenticated": role("member")},
			RoleMappings: map[string]citypes.RoleMapping{provider + ":" + client: m}}); err != nil {
			t.Fatal(err)
		}
	}

	setMapping(citypes.RoleMapping{Type: citypes.RoleMappingTypeToken, AmbiguousRoleResolution: citypes.AmbiguousRoleResolutionTypeAuthenticatedRole})
	for _, tc := range []struct{ token, want string }{{ana, session("admins")}, {bo, session("staff")}, {cy, session("member")}} {
		if got, err := assumed(tc.token); err != nil || got != tc.want {
			t.Errorf("Token mapping: %s, %v; want %s", got, err, tc.want)
		}
	}

	setMapping(citypes.RoleMapping{Type: citypes.RoleMappingTypeRules, AmbiguousRoleResolution: citypes.AmbiguousRoleResolutionTypeDeny,
		RulesConfiguration: &citypes.RulesConfigurationType{Rules: []citypes.MappingRule{
			{Claim: aws.String("cognito:groups"), MatchType: citypes.MappingRuleMatchTypeEquals, Value: aws.String("staff"), RoleARN: aws.String(role("staff"))},
			{Claim: aws.String("cognito:username"), MatchType: citypes.MappingRuleMatchTypeStartsWith, Value: aws.String("c"), RoleARN: aws.String(role("c-users"))},
		}}})
	for _, tc := range []struct{ token, want string }{{ana, session("staff")}, {cy, session("c-users")}} {
		if got, err := assumed(tc.token); err != nil || got != tc.want {
			t.Errorf("Rules mapping: %s, %v; want %s", got, err, tc.want)
		}
	}
	dan := idToken("dan")
	_, err = assumed(dan)
	expectAPIError(t, err, "NotAuthorizedException", 400)

	// A mapping of a provider the pool does not have is refused.
	_, err = admin.SetIdentityPoolRoles(ctx, &ci.SetIdentityPoolRolesInput{IdentityPoolId: &poolID, Roles: map[string]string{},
		RoleMappings: map[string]citypes.RoleMapping{"cognito-idp.us-east-1.amazonaws.com/us-east-1_other:x": {
			Type: citypes.RoleMappingTypeToken, AmbiguousRoleResolution: citypes.AmbiguousRoleResolutionTypeDeny}}})
	expectAPIError(t, err, "InvalidParameterException", 400)
}

// TestCognitoIdentityPagination pages through pools and identities with
// the SDK's paginators.
func TestCognitoIdentityPagination(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	admin := ci.NewFromConfig(env.Config)
	var poolID string
	for i := range 5 {
		out, err := admin.CreateIdentityPool(ctx, &ci.CreateIdentityPoolInput{IdentityPoolName: aws.String("pool" + string(rune('a'+i))),
			AllowUnauthenticatedIdentities: true})
		if err != nil {
			t.Fatal(err)
		}
		poolID = aws.ToString(out.IdentityPoolId)
	}
	seen := map[string]bool{}
	pages := ci.NewListIdentityPoolsPaginator(admin, &ci.ListIdentityPoolsInput{MaxResults: aws.Int32(2)})
	for n := 0; pages.HasMorePages(); n++ {
		page, err := pages.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.IdentityPools) > 2 || n > 3 {
			t.Fatalf("page %d: %d pools", n, len(page.IdentityPools))
		}
		for _, p := range page.IdentityPools {
			seen[aws.ToString(p.IdentityPoolId)] = true
		}
	}
	if len(seen) != 5 {
		t.Errorf("paged through %d pools, want 5", len(seen))
	}

	want := map[string]bool{}
	for range 3 {
		id, err := anonymous(env).GetId(ctx, &ci.GetIdInput{IdentityPoolId: &poolID})
		if err != nil {
			t.Fatal(err)
		}
		want[aws.ToString(id.IdentityId)] = true
	}
	got := map[string]bool{}
	in := &ci.ListIdentitiesInput{IdentityPoolId: &poolID, MaxResults: aws.Int32(2)}
	for {
		page, err := admin.ListIdentities(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, i := range page.Identities {
			got[aws.ToString(i.IdentityId)] = true
		}
		if page.NextToken == nil {
			break
		}
		in.NextToken = page.NextToken
	}
	if len(got) != 3 {
		t.Errorf("listed %v, want %v", got, want)
	}
	for id := range want {
		if !got[id] {
			t.Errorf("identity %s not listed", id)
		}
	}
}

// TestCognitoIdentitySurvivesRestart: pools, identities, the logins
// linked to them and the key OpenID tokens are signed with outlast a
// restart.
func TestCognitoIdentitySurvivesRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	onDisk := e2e.WithConfig(func(cfg *config.Config) { cfg.DataDir, cfg.InMemory = dir, false })
	env := e2e.Start(t, onDisk)
	ctx := context.Background()
	users := newPasswordPool(t, env)
	client := users.client("web")
	provider := "cognito-idp.us-east-1.amazonaws.com/" + users.id
	pool, err := ci.NewFromConfig(env.Config).CreateIdentityPool(ctx, &ci.CreateIdentityPoolInput{IdentityPoolName: aws.String("kept"),
		CognitoIdentityProviders: []citypes.CognitoIdentityProvider{{ProviderName: &provider, ClientId: &client}}})
	if err != nil {
		t.Fatal(err)
	}
	logins := map[string]string{provider: aws.ToString(users.signIn(client, "ana").IdToken)}
	id, err := anonymous(env).GetId(ctx, &ci.GetIdInput{IdentityPoolId: pool.IdentityPoolId, Logins: logins})
	if err != nil {
		t.Fatal(err)
	}
	kid := func(env *e2e.Env) string {
		t.Helper()
		out, err := anonymous(env).GetOpenIdToken(ctx, &ci.GetOpenIdTokenInput{IdentityId: id.IdentityId, Logins: logins})
		if err != nil {
			t.Fatal(err)
		}
		var header struct{ Kid string }
		b, _ := base64.RawURLEncoding.DecodeString(strings.Split(aws.ToString(out.Token), ".")[0])
		json.Unmarshal(b, &header)
		return header.Kid
	}
	before := kid(env)
	env.Stop(t)

	env = e2e.Start(t, onDisk)
	again, err := anonymous(env).GetId(ctx, &ci.GetIdInput{IdentityPoolId: pool.IdentityPoolId, Logins: logins})
	if err != nil || aws.ToString(again.IdentityId) != aws.ToString(id.IdentityId) {
		t.Fatalf("GetId after a restart = %v, %v; want %s", again, err, aws.ToString(id.IdentityId))
	}
	if after := kid(env); after != before || after == "" {
		t.Errorf("OpenID token kid %q after a restart, %q before", after, before)
	}
}
