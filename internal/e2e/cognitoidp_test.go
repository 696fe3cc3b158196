package e2e_test

import (
	"context"
	"crypto"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/virga/virga/internal/e2e"
)

// verifyCognitoJWT checks a token's RS256 signature against the pool's
// JWKS, fetched from virga's endpoint, and returns its claims.
func verifyCognitoJWT(t *testing.T, endpoint, poolID, token string) map[string]any {
	t.Helper()
	resp, err := http.Get(endpoint + "/" + poolID + "/.well-known/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var set struct {
		Keys []struct{ Kid, N, E, Alg, Kty, Use string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil || resp.StatusCode != 200 {
		t.Fatalf("jwks: %d %v", resp.StatusCode, err)
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", token)
	}
	var header struct{ Kid, Alg string }
	hb, _ := base64.RawURLEncoding.DecodeString(parts[0])
	json.Unmarshal(hb, &header)
	if header.Alg != "RS256" {
		t.Fatalf("alg %q", header.Alg)
	}
	for _, k := range set.Keys {
		if k.Kid != header.Kid {
			continue
		}
		if k.Kty != "RSA" || k.Alg != "RS256" || k.Use != "sig" {
			t.Errorf("key %+v", k)
		}
		n, _ := base64.RawURLEncoding.DecodeString(k.N)
		e, _ := base64.RawURLEncoding.DecodeString(k.E)
		pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
		sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
		sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
		if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig); err != nil {
			t.Fatalf("signature: %v", err)
		}
		cb, _ := base64.RawURLEncoding.DecodeString(parts[1])
		var claims map[string]any
		if err := json.Unmarshal(cb, &claims); err != nil {
			t.Fatal(err)
		}
		return claims
	}
	t.Fatalf("no key %q in the JWKS", header.Kid)
	return nil
}

func TestCognitoSignUpConfirmSignIn(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := cip.NewFromConfig(env.Config)
	ctx := context.Background()

	pool, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("app-users"),
		UsernameAttributes:     []types.UsernameAttributeType{types.UsernameAttributeTypeEmail},
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
		Schema:                 []types.SchemaAttributeType{{Name: aws.String("tenant"), AttributeDataType: types.AttributeDataTypeString, Mutable: aws.Bool(true)}},
		Policies: &types.UserPoolPolicyType{PasswordPolicy: &types.PasswordPolicyType{MinimumLength: aws.Int32(10),
			RequireNumbers: true, RequireUppercase: true, RequireLowercase: true}},
		LambdaConfig: &types.LambdaConfigType{CustomMessage: aws.String("arn:aws:lambda:us-east-1:" + testAccount + ":function:msg")}})
	if err != nil {
		t.Fatal(err)
	}
	poolID := aws.ToString(pool.UserPool.Id)
	if !regexp.MustCompile(`^us-east-1_[0-9A-Za-z]{9}$`).MatchString(poolID) {
		t.Errorf("pool id %q", poolID)
	}
	if got := aws.ToString(pool.UserPool.Arn); got != "arn:aws:cognito-idp:us-east-1:"+testAccount+":userpool/"+poolID {
		t.Errorf("arn %q", got)
	}
	d, err := c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: &poolID})
	if err != nil || aws.ToString(d.UserPool.LambdaConfig.CustomMessage) == "" || aws.ToInt32(d.UserPool.Policies.PasswordPolicy.MinimumLength) != 10 {
		t.Fatalf("DescribeUserPool = %+v, %v", d, err)
	}
	hasCustom := false
	for _, a := range d.UserPool.SchemaAttributes {
		if aws.ToString(a.Name) == "custom:tenant" {
			hasCustom = true
		}
	}
	if !hasCustom {
		t.Error("custom:tenant is not in the schema")
	}
	_, err = c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String("us-east-1_nothere00")})
	if got := expectAPIError(t, err, "ResourceNotFoundException", 400); got.Message != "User pool us-east-1_nothere00 does not exist." {
		t.Errorf("message %q", got.Message)
	}
	lp, err := c.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(10)})
	if err != nil || len(lp.UserPools) != 1 {
		t.Fatalf("ListUserPools = %+v, %v", lp, err)
	}

	cl, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: &poolID, ClientName: aws.String("web"),
		GenerateSecret: true, ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth,
			types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth, types.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth}})
	if err != nil {
		t.Fatal(err)
	}
	clientID, secret := aws.ToString(cl.UserPoolClient.ClientId), aws.ToString(cl.UserPoolClient.ClientSecret)
	if len(clientID) != 26 || secret == "" {
		t.Errorf("client %q secret %q", clientID, secret)
	}
	hash := func(user string) *string {
		m := hmac.New(sha256.New, []byte(secret))
		m.Write([]byte(user + clientID))
		return aws.String(base64.StdEncoding.EncodeToString(m.Sum(nil)))
	}

	email := "ana@example.com"
	_, err = c.SignUp(ctx, &cip.SignUpInput{ClientId: &clientID, Username: &email, Password: aws.String("Passw0rdLong")})
	if got := expectAPIError(t, err, "NotAuthorizedException", 400); !strings.Contains(got.Message, "SECRET_HASH was not received") {
		t.Errorf("message %q", got.Message)
	}
	_, err = c.SignUp(ctx, &cip.SignUpInput{ClientId: &clientID, SecretHash: hash(email), Username: &email, Password: aws.String("short1A")})
	if got := expectAPIError(t, err, "InvalidPasswordException", 400); got.Message != "Password did not conform with policy: Password not long enough" {
		t.Errorf("message %q", got.Message)
	}
	_, err = c.SignUp(ctx, &cip.SignUpInput{ClientId: &clientID, SecretHash: hash(email), Username: &email, Password: aws.String("passw0rdlong")})
	expectAPIError(t, err, "InvalidPasswordException", 400)
	su, err := c.SignUp(ctx, &cip.SignUpInput{ClientId: &clientID, SecretHash: hash(email), Username: &email, Password: aws.String("Passw0rdLong"),
		UserAttributes: []types.AttributeType{{Name: aws.String("custom:tenant"), Value: aws.String("acme")}}})
	if err != nil {
		t.Fatal(err)
	}
	if su.UserConfirmed || su.CodeDeliveryDetails == nil || aws.ToString(su.CodeDeliveryDetails.Destination) != "a***@e***" {
		t.Errorf("SignUp = %+v", su)
	}
	_, err = c.SignUp(ctx, &cip.SignUpInput{ClientId: &clientID, SecretHash: hash(email), Username: &email, Password: aws.String("Passw0rdLong")})
	expectAPIError(t, err, "UsernameExistsException", 400)

	// Unconfirmed: the right password is refused as not confirmed.
	_, err = c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &clientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": email, "PASSWORD": "Passw0rdLong", "SECRET_HASH": *hash(email)}})
	expectAPIError(t, err, "UserNotConfirmedException", 400)

	// The code virga would have sent is on its own endpoint.
	resp, err := http.Get(env.Endpoint + "/_virga/cognito-idp/" + poolID + "/users")
	if err != nil {
		t.Fatal(err)
	}
	var codes []struct{ Username, Status, ConfirmationCode string }
	json.NewDecoder(resp.Body).Decode(&codes)
	resp.Body.Close()
	if len(codes) != 1 || codes[0].Status != "UNCONFIRMED" || len(codes[0].ConfirmationCode) != 6 {
		t.Fatalf("codes %+v", codes)
	}
	_, err = c.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: &clientID, SecretHash: hash(email), Username: &email, ConfirmationCode: aws.String("000000x")})
	expectAPIError(t, err, "CodeMismatchException", 400)
	if _, err := c.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: &clientID, SecretHash: hash(email), Username: &email,
		ConfirmationCode: aws.String(codes[0].ConfirmationCode)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.AdminConfirmSignUp(ctx, &cip.AdminConfirmSignUpInput{UserPoolId: &poolID, Username: &email})
	expectAPIError(t, err, "NotAuthorizedException", 400)

	if _, err := c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: &poolID, GroupName: aws.String("admins"), Precedence: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: &poolID, GroupName: aws.String("admins")})
	expectAPIError(t, err, "GroupExistsException", 400)
	if _, err := c.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: &poolID, Username: &email, GroupName: aws.String("admins")}); err != nil {
		t.Fatal(err)
	}
	gl, err := c.AdminListGroupsForUser(ctx, &cip.AdminListGroupsForUserInput{UserPoolId: &poolID, Username: &email})
	if err != nil || len(gl.Groups) != 1 {
		t.Fatalf("AdminListGroupsForUser = %+v, %v", gl, err)
	}

	_, err = c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &clientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": email, "PASSWORD": "Wrong0Password", "SECRET_HASH": *hash(email)}})
	if got := expectAPIError(t, err, "NotAuthorizedException", 400); got.Message != "Incorrect username or password." {
		t.Errorf("message %q", got.Message)
	}
	auth, err := c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &clientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": email, "PASSWORD": "Passw0rdLong", "SECRET_HASH": *hash(email)}})
	if err != nil {
		t.Fatal(err)
	}
	r := auth.AuthenticationResult
	if r == nil || aws.ToString(r.TokenType) != "Bearer" || r.ExpiresIn != 3600 || aws.ToString(r.RefreshToken) == "" {
		t.Fatalf("AuthenticationResult = %+v", r)
	}
	iss := "https://cognito-idp.us-east-1.amazonaws.com/" + poolID
	id := verifyCognitoJWT(t, env.Endpoint, poolID, aws.ToString(r.IdToken))
	access := verifyCognitoJWT(t, env.Endpoint, poolID, aws.ToString(r.AccessToken))
	groups, _ := id["cognito:groups"].([]any)
	if id["token_use"] != "id" || id["iss"] != iss || id["aud"] != clientID || id["email"] != email || id["email_verified"] != true ||
		id["custom:tenant"] != "acme" || id["cognito:username"] != aws.ToString(su.UserSub) || id["sub"] != aws.ToString(su.UserSub) ||
		len(groups) != 1 || groups[0] != "admins" || id["auth_time"] == nil || id["exp"] == nil {
		t.Errorf("ID token claims %v", id)
	}
	if access["token_use"] != "access" || access["client_id"] != clientID || access["iss"] != iss || access["scope"] != "aws.cognito.signin.user.admin" ||
		access["username"] != aws.ToString(su.UserSub) || access["aud"] != nil {
		t.Errorf("access token claims %v", access)
	}
	var conf struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	resp, err = http.Get(env.Endpoint + "/" + poolID + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	json.NewDecoder(resp.Body).Decode(&conf)
	resp.Body.Close()
	if conf.Issuer != iss || conf.JWKSURI != env.Endpoint+"/"+poolID+"/.well-known/jwks.json" {
		t.Errorf("openid-configuration %+v", conf)
	}

	me, err := c.GetUser(ctx, &cip.GetUserInput{AccessToken: r.AccessToken})
	if err != nil || aws.ToString(me.Username) != aws.ToString(su.UserSub) {
		t.Fatalf("GetUser = %+v, %v", me, err)
	}
	_, err = c.GetUser(ctx, &cip.GetUserInput{AccessToken: r.IdToken})
	expectAPIError(t, err, "NotAuthorizedException", 400)

	ref, err := c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &clientID, AuthFlow: types.AuthFlowTypeRefreshTokenAuth,
		AuthParameters: map[string]string{"REFRESH_TOKEN": *r.RefreshToken, "SECRET_HASH": *hash(aws.ToString(su.UserSub))}})
	if err != nil || ref.AuthenticationResult.IdToken == nil || ref.AuthenticationResult.RefreshToken != nil {
		t.Fatalf("refresh = %+v, %v", ref, err)
	}
	ad, err := c.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: &poolID, ClientId: &clientID, AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": email, "PASSWORD": "Passw0rdLong", "SECRET_HASH": *hash(email)}})
	if err != nil || ad.AuthenticationResult == nil {
		t.Fatalf("AdminInitiateAuth = %+v, %v", ad, err)
	}
	_, err = c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &clientID, AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": email, "PASSWORD": "Passw0rdLong"}})
	expectAPIError(t, err, "InvalidParameterException", 400)

	// GlobalSignOut ends every session: access and refresh tokens are refused.
	if _, err := c.GlobalSignOut(ctx, &cip.GlobalSignOutInput{AccessToken: r.AccessToken}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetUser(ctx, &cip.GetUserInput{AccessToken: r.AccessToken})
	if got := expectAPIError(t, err, "NotAuthorizedException", 400); got.Message != "Access Token has been revoked" {
		t.Errorf("message %q", got.Message)
	}
	_, err = c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &clientID, AuthFlow: types.AuthFlowTypeRefreshTokenAuth,
		AuthParameters: map[string]string{"REFRESH_TOKEN": *r.RefreshToken, "SECRET_HASH": *hash(aws.ToString(su.UserSub))}})
	expectAPIError(t, err, "NotAuthorizedException", 400)

	// A forgotten password: the reset code is on virga's endpoint.
	_, err = c.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{ClientId: &clientID, SecretHash: hash(email), Username: &email})
	expectAPIError(t, err, "InvalidParameterException", 400)
	fp, err := c.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: &clientID, SecretHash: hash(email), Username: &email})
	if err != nil || fp.CodeDeliveryDetails == nil || fp.CodeDeliveryDetails.DeliveryMedium != types.DeliveryMediumTypeEmail {
		t.Fatalf("ForgotPassword = %+v, %v", fp, err)
	}
	resp, err = http.Get(env.Endpoint + "/_virga/cognito-idp/" + poolID + "/users")
	if err != nil {
		t.Fatal(err)
	}
	var resets []struct{ PasswordResetCode string }
	json.NewDecoder(resp.Body).Decode(&resets)
	resp.Body.Close()
	if len(resets) != 1 || len(resets[0].PasswordResetCode) != 6 {
		t.Fatalf("reset codes %+v", resets)
	}
	_, err = c.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: &clientID, SecretHash: hash(email), Username: &email,
		ConfirmationCode: aws.String("x"), Password: aws.String("N3wPasswordLong")})
	expectAPIError(t, err, "CodeMismatchException", 400)
	if _, err := c.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: &clientID, SecretHash: hash(email), Username: &email,
		ConfirmationCode: aws.String(resets[0].PasswordResetCode), Password: aws.String("N3wPasswordLong")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &clientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": email, "PASSWORD": "N3wPasswordLong", "SECRET_HASH": *hash(email)}}); err != nil {
		t.Fatalf("sign-in with the new password: %v", err)
	}

	if _, err := c.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: &poolID, Username: &email}); err != nil {
		t.Fatal(err)
	}
	_, err = c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &clientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": email, "PASSWORD": "N3wPasswordLong", "SECRET_HASH": *hash(email)}})
	if got := expectAPIError(t, err, "NotAuthorizedException", 400); got.Message != "User is disabled." {
		t.Errorf("message %q", got.Message)
	}
}

func TestCognitoAdminCreateUserAndListUsers(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := cip.NewFromConfig(env.Config)
	ctx := context.Background()
	pool, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("staff")})
	if err != nil {
		t.Fatal(err)
	}
	poolID := pool.UserPool.Id
	cl, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: poolID, ClientName: aws.String("cli")})
	if err != nil {
		t.Fatal(err)
	}
	clientID := cl.UserPoolClient.ClientId
	// The default flows do not include USER_PASSWORD_AUTH.
	_, err = c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: clientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "x", "PASSWORD": "y"}})
	if got := expectAPIError(t, err, "InvalidParameterException", 400); got.Message != "USER_PASSWORD_AUTH flow not enabled for this client" {
		t.Errorf("message %q", got.Message)
	}
	cl, err = c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: poolID, ClientName: aws.String("admin"),
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}})
	if err != nil {
		t.Fatal(err)
	}
	clientID = cl.UserPoolClient.ClientId

	for _, u := range []struct{ name, email string }{{"bob", "bob@example.com"}, {"bea", "bea@example.org"}, {"carl", "carl@example.com"}} {
		out, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: poolID, Username: aws.String(u.name), TemporaryPassword: aws.String("Temp0rary!"),
			MessageAction: types.MessageActionTypeSuppress, UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(u.email)}}})
		if err != nil {
			t.Fatal(err)
		}
		if out.User.UserStatus != types.UserStatusTypeForceChangePassword || !out.User.Enabled {
			t.Errorf("AdminCreateUser = %+v", out.User)
		}
	}
	_, err = c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: poolID, Username: aws.String("bob")})
	expectAPIError(t, err, "UsernameExistsException", 400)
	_, err = c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: poolID, Username: aws.String("dan"), TemporaryPassword: aws.String("weak")})
	expectAPIError(t, err, "InvalidPasswordException", 400)
	_, err = c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: poolID, Username: aws.String("dan"),
		UserAttributes: []types.AttributeType{{Name: aws.String("shoe_size"), Value: aws.String("9")}}})
	expectAPIError(t, err, "InvalidParameterException", 400)

	list := func(filter string) []string {
		t.Helper()
		out, err := c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: poolID, Filter: aws.String(filter)})
		if err != nil {
			t.Fatalf("ListUsers(%q): %v", filter, err)
		}
		var names []string
		for _, u := range out.Users {
			names = append(names, aws.ToString(u.Username))
		}
		return names
	}
	if got := strings.Join(list(""), ","); got != "bea,bob,carl" {
		t.Errorf("all = %s", got)
	}
	if got := strings.Join(list(`email = "bob@example.com"`), ","); got != "bob" {
		t.Errorf("email = %s", got)
	}
	if got := strings.Join(list(`username ^= "b"`), ","); got != "bea,bob" {
		t.Errorf("username ^= %s", got)
	}
	if got := strings.Join(list(`cognito:user_status = "force_change_password"`), ","); got != "bea,bob,carl" {
		t.Errorf("status = %s", got)
	}
	_, err = c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: poolID, Filter: aws.String(`email = bob`)})
	expectAPIError(t, err, "InvalidParameterException", 400)
	page, err := c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: poolID, Limit: aws.Int32(2)})
	if err != nil || len(page.Users) != 2 || page.PaginationToken == nil {
		t.Fatalf("page = %+v, %v", page, err)
	}
	page, err = c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: poolID, Limit: aws.Int32(2), PaginationToken: page.PaginationToken})
	if err != nil || len(page.Users) != 1 || page.PaginationToken != nil {
		t.Fatalf("page 2 = %+v, %v", page, err)
	}

	// A temporary password signs in to NEW_PASSWORD_REQUIRED.
	a, err := c.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: poolID, ClientId: clientID, AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "bob", "PASSWORD": "Temp0rary!"}})
	if err != nil {
		t.Fatal(err)
	}
	if a.ChallengeName != types.ChallengeNameTypeNewPasswordRequired || aws.ToString(a.Session) == "" || a.AuthenticationResult != nil {
		t.Fatalf("AdminInitiateAuth = %+v", a)
	}
	_, err = c.AdminRespondToAuthChallenge(ctx, &cip.AdminRespondToAuthChallengeInput{UserPoolId: poolID, ClientId: clientID,
		ChallengeName: types.ChallengeNameTypeNewPasswordRequired, Session: aws.String(strings.Repeat("x", 40)),
		ChallengeResponses: map[string]string{"USERNAME": "bob", "NEW_PASSWORD": "N3wPassword!"}})
	expectAPIError(t, err, "NotAuthorizedException", 400)
	done, err := c.AdminRespondToAuthChallenge(ctx, &cip.AdminRespondToAuthChallengeInput{UserPoolId: poolID, ClientId: clientID,
		ChallengeName: types.ChallengeNameTypeNewPasswordRequired, Session: a.Session,
		ChallengeResponses: map[string]string{"USERNAME": "bob", "NEW_PASSWORD": "N3wPassword!"}})
	if err != nil || done.AuthenticationResult == nil || done.AuthenticationResult.AccessToken == nil {
		t.Fatalf("AdminRespondToAuthChallenge = %+v, %v", done, err)
	}
	got, err := c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: poolID, Username: aws.String("bob")})
	if err != nil || got.UserStatus != types.UserStatusTypeConfirmed {
		t.Fatalf("AdminGetUser = %+v, %v", got, err)
	}

	// AdminSetUserPassword, permanent, confirms carl.
	if _, err := c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: poolID, Username: aws.String("carl"),
		Password: aws.String("Carl-P4ssword"), Permanent: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: poolID, ClientId: clientID, AuthFlow: types.AuthFlowTypeAdminNoSrpAuth,
		AuthParameters: map[string]string{"USERNAME": "carl", "PASSWORD": "Carl-P4ssword"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: poolID, Username: aws.String("carl"),
		UserAttributes: []types.AttributeType{{Name: aws.String("name"), Value: aws.String("Carl")}}}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(list(`name = "Carl"`), ","); got != "carl" {
		t.Errorf("name = %s", got)
	}
	// bob changes his own name, then deletes himself.
	bobToken := done.AuthenticationResult.AccessToken
	if _, err := c.UpdateUserAttributes(ctx, &cip.UpdateUserAttributesInput{AccessToken: bobToken,
		UserAttributes: []types.AttributeType{{Name: aws.String("name"), Value: aws.String("Bob")}}}); err != nil {
		t.Fatal(err)
	}
	if me, err := c.GetUser(ctx, &cip.GetUserInput{AccessToken: bobToken}); err != nil || !hasAttribute(me.UserAttributes, "name", "Bob") {
		t.Fatalf("GetUser = %+v, %v", me, err)
	}
	if _, err := c.DeleteUser(ctx, &cip.DeleteUserInput{AccessToken: bobToken}); err != nil {
		t.Fatal(err)
	}
	_, err = c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: poolID, Username: aws.String("bob")})
	expectAPIError(t, err, "UserNotFoundException", 400)

	// An administrator's reset: the old password no longer signs in.
	if _, err := c.AdminResetUserPassword(ctx, &cip.AdminResetUserPasswordInput{UserPoolId: poolID, Username: aws.String("carl")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: poolID, ClientId: clientID, AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "carl", "PASSWORD": "Carl-P4ssword"}})
	expectAPIError(t, err, "PasswordResetRequiredException", 400)

	if _, err := c.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: poolID, Username: aws.String("carl")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: poolID, Username: aws.String("carl")})
	if got := expectAPIError(t, err, "UserNotFoundException", 400); got.Message != "User does not exist." {
		t.Errorf("message %q", got.Message)
	}
	if _, err := c.DeleteUserPoolClient(ctx, &cip.DeleteUserPoolClientInput{UserPoolId: poolID, ClientId: clientID}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: poolID, ClientId: clientID})
	expectAPIError(t, err, "ResourceNotFoundException", 400)
	if _, err := c.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: poolID}); err != nil {
		t.Fatal(err)
	}
	_, err = c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: poolID})
	expectAPIError(t, err, "ResourceNotFoundException", 400)
}

func hasAttribute(attrs []types.AttributeType, name, value string) bool {
	for _, a := range attrs {
		if aws.ToString(a.Name) == name && aws.ToString(a.Value) == value {
			return true
		}
	}
	return false
}
