package e2e_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/virga/virga/internal/e2e"
)

// cognitoSAMTemplate is the shape of SAM apps that sign users in with a
// Cognito user pool: a pool, an app client and a group, an HTTP API
// whose JWT authorizer trusts the pool, and a REST API with a Cognito
// authorizer, both in front of a function that echoes the claims it is
// given.
const cognitoSAMTemplate = `AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Users:
    Type: AWS::Cognito::UserPool
    Properties:
      UserPoolName: shop-users
      AutoVerifiedAttributes: [email]
      Policies:
        PasswordPolicy:
          MinimumLength: 8
          RequireSymbols: false
  WebClient:
    Type: AWS::Cognito::UserPoolClient
    Properties:
      UserPoolId: !Ref Users
      ClientName: web
      ExplicitAuthFlows: [ALLOW_ADMIN_USER_PASSWORD_AUTH, ALLOW_REFRESH_TOKEN_AUTH]
  Admins:
    Type: AWS::Cognito::UserPoolGroup
    Properties:
      UserPoolId: !Ref Users
      GroupName: admins
      Precedence: 1
  HttpApi:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        DefaultAuthorizer: UserPool
        Authorizers:
          UserPool:
            IdentitySource: $request.header.Authorization
            JwtConfiguration:
              issuer: !GetAtt Users.ProviderURL
              audience:
                - !Ref WebClient
  RestApi:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
      Auth:
        DefaultAuthorizer: UserPool
        Authorizers:
          UserPool:
            UserPoolArn: !GetAtt Users.Arn
  Whoami:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        import json
        def handler(event, context):
            a = event['requestContext'].get('authorizer') or {}
            claims = a['jwt']['claims'] if 'jwt' in a else a.get('claims', {})
            return {'statusCode': 200, 'body': json.dumps(claims)}
      Events:
        Http:
          Type: HttpApi
          Properties:
            ApiId: !Ref HttpApi
            Path: /whoami
            Method: get
        Rest:
          Type: Api
          Properties:
            RestApiId: !Ref RestApi
            Path: /whoami
            Method: get
Outputs:
  PoolId:
    Value: !Ref Users
  ProviderName:
    Value: !GetAtt Users.ProviderName
  ClientId:
    Value: !Ref WebClient
  Group:
    Value: !Ref Admins
  HttpApiId:
    Value: !Ref HttpApi
  RestApiId:
    Value: !Ref RestApi
`

// TestCognitoSAMAuthorizers deploys the template, signs a user in, and
// calls both APIs with and without the user's tokens.
func TestCognitoSAMAuthorizers(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, e2e.AWSCLI)
	env := e2e.Start(t)
	ctx := context.Background()
	outs := deployWithCLI(t, env, "shop", cognitoSAMTemplate)
	poolID, clientID := outs["PoolId"], outs["ClientId"]
	if outs["ProviderName"] != "cognito-idp.us-east-1.amazonaws.com/"+poolID || outs["Group"] != "admins" {
		t.Errorf("outputs %v", outs)
	}

	c := cip.NewFromConfig(env.Config)
	if _, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &poolID, Username: aws.String("maria"),
		MessageAction:  types.MessageActionTypeSuppress,
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("maria@example.com")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: &poolID, Username: aws.String("maria"),
		Password: aws.String("Secret123"), Permanent: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: &poolID, Username: aws.String("maria"), GroupName: aws.String("admins")}); err != nil {
		t.Fatal(err)
	}
	auth, err := c.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: &poolID, ClientId: &clientID,
		AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, AuthParameters: map[string]string{"USERNAME": "maria", "PASSWORD": "Secret123"}})
	if err != nil {
		t.Fatal(err)
	}
	idToken, accessToken := aws.ToString(auth.AuthenticationResult.IdToken), aws.ToString(auth.AuthenticationResult.AccessToken)

	call := func(api, path, token string) gwReply {
		t.Helper()
		hdr := map[string]string{}
		if token != "" {
			hdr["Authorization"] = token
		}
		return callHTTPAPI(t, env, api, "GET", path, nil, hdr, true)
	}
	claims := func(r gwReply) map[string]any {
		t.Helper()
		var m map[string]any
		if err := json.Unmarshal(r.Body, &m); err != nil {
			t.Fatalf("body %s: %v", r.Body, err)
		}
		return m
	}

	// HTTP API: the JWT authorizer verifies with the pool's keys, in process.
	httpAPI := outs["HttpApiId"]
	if r := call(httpAPI, "/whoami", ""); r.Status != 401 {
		t.Errorf("HTTP API without a token: %d %s", r.Status, r.Body)
	}
	if r := call(httpAPI, "/whoami", "Bearer "+idToken[:len(idToken)-4]+"AAAA"); r.Status != 401 {
		t.Errorf("HTTP API with a forged token: %d %s", r.Status, r.Body)
	}
	r := call(httpAPI, "/whoami", "Bearer "+idToken)
	if r.Status != 200 {
		t.Fatalf("HTTP API with the ID token: %d %s", r.Status, r.Body)
	}
	if m := claims(r); m["cognito:username"] != "maria" || m["token_use"] != "id" || m["email"] != "maria@example.com" {
		t.Errorf("HTTP API claims %v", m)
	}
	if r := call(httpAPI, "/whoami", accessToken); r.Status != 200 || claims(r)["client_id"] != clientID {
		t.Errorf("HTTP API with the access token: %d %s", r.Status, r.Body)
	}

	// REST API: the Cognito authorizer takes the ID token; claims are strings.
	restAPI := outs["RestApiId"]
	if r := call(restAPI, "/v1/whoami", ""); r.Status != 401 || string(r.Body) != `{"message":"Unauthorized"}` {
		t.Errorf("REST API without a token: %d %s", r.Status, r.Body)
	}
	if r := call(restAPI, "/v1/whoami", accessToken); r.Status != 401 {
		t.Errorf("REST API with an access token: %d %s", r.Status, r.Body)
	}
	r = call(restAPI, "/v1/whoami", idToken)
	if r.Status != 200 {
		t.Fatalf("REST API with the ID token: %d %s", r.Status, r.Body)
	}
	m := claims(r)
	if m["cognito:username"] != "maria" || m["cognito:groups"] != "admins" || m["aud"] != clientID || m["auth_time"] == nil {
		t.Errorf("REST API claims %v", m)
	}
	if exp, _ := m["exp"].(string); len(exp) < 20 || exp[len(exp)-8:len(exp)-5] != "UTC" {
		t.Errorf("REST API exp claim %q", m["exp"])
	}

	// Signed out, the ID token's session is over for the REST API too.
	if _, err := c.AdminUserGlobalSignOut(ctx, &cip.AdminUserGlobalSignOutInput{UserPoolId: &poolID, Username: aws.String("maria")}); err != nil {
		t.Fatal(err)
	}
	if r := call(restAPI, "/v1/whoami", idToken); r.Status != 401 {
		t.Errorf("REST API after sign-out: %d %s", r.Status, r.Body)
	}
}
