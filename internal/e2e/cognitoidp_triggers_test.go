package e2e_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/virga/virga/internal/e2e"
)

// cognitoTriggersTemplate is a pool with the triggers apps use most: a
// PreSignUp that confirms users (and refuses one domain), named in the
// pool's LambdaConfig, and a PreTokenGeneration that adds a claim to ID
// tokens and hides another, attached with SAM's Cognito event.
const cognitoTriggersTemplate = `AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  PreSignUp:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        def handler(event, context):
            if event['request']['userAttributes'].get('email', '').endswith('@blocked.example'):
                raise Exception('Blocked domain')
            assert event['triggerSource'] == 'PreSignUp_SignUp'
            event['response']['autoConfirmUser'] = True
            event['response']['autoVerifyEmail'] = True
            return event
  PreToken:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        def handler(event, context):
            event['response'] = {'claimsOverrideDetails': {
                'claimsToAddOrOverride': {'tier': 'gold', 'source': event['triggerSource']},
                'claimsToSuppress': ['email']}}
            return event
      Events:
        Token:
          Type: Cognito
          Properties:
            UserPool: !Ref Users
            Trigger: PreTokenGeneration
  PreAuth:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        def handler(event, context):
            if event['userName'] == 'mallory':
                raise Exception('Sign-in disabled')
            return event
  Users:
    Type: AWS::Cognito::UserPool
    Properties:
      UserPoolName: triggered
      LambdaConfig:
        PreSignUp: !GetAtt PreSignUp.Arn
        PreAuthentication: !GetAtt PreAuth.Arn
  Client:
    Type: AWS::Cognito::UserPoolClient
    Properties:
      UserPoolId: !Ref Users
      ExplicitAuthFlows: [ALLOW_USER_PASSWORD_AUTH, ALLOW_REFRESH_TOKEN_AUTH]
  Domain:
    Type: AWS::Cognito::UserPoolDomain
    Properties:
      UserPoolId: !Ref Users
      Domain: triggered-app
  WebClient:
    Type: AWS::Cognito::UserPoolClient
    Properties:
      UserPoolId: !Ref Users
      AllowedOAuthFlowsUserPoolClient: true
      AllowedOAuthFlows: [code]
      AllowedOAuthScopes: [openid]
      CallbackURLs: [https://app.example/cb]
Outputs:
  WebClientId:
    Value: !Ref WebClient
  PoolId:
    Value: !Ref Users
  ClientId:
    Value: !Ref Client
`

// TestCognitoLambdaTriggers signs a user up through a PreSignUp trigger
// that confirms them and in through a PreTokenGeneration trigger, with
// real functions.
func TestCognitoLambdaTriggers(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, e2e.AWSCLI)
	env := e2e.Start(t)
	ctx := context.Background()
	outs := deployWithCLI(t, env, "triggered", cognitoTriggersTemplate)
	clientID := outs["ClientId"]
	c := cip.NewFromConfig(env.Config)

	_, err := c.SignUp(ctx, &cip.SignUpInput{ClientId: &clientID, Username: aws.String("eve"), Password: aws.String("Eve-Pass-123"),
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("eve@blocked.example")}}})
	if got := expectAPIError(t, err, "UserLambdaValidationException", 400); got.Message != "PreSignUp failed with error Blocked domain." {
		t.Errorf("message %q", got.Message)
	}
	su, err := c.SignUp(ctx, &cip.SignUpInput{ClientId: &clientID, Username: aws.String("ada"), Password: aws.String("Ada-Pass-123"),
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("ada@example.com")}}})
	if err != nil {
		t.Fatal(err)
	}
	if !su.UserConfirmed {
		t.Errorf("SignUp = %+v, want the user confirmed by PreSignUp", su)
	}
	auth, err := c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &clientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "ada", "PASSWORD": "Ada-Pass-123"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.SignUp(ctx, &cip.SignUpInput{ClientId: &clientID, Username: aws.String("mallory"), Password: aws.String("Mal-Pass-123")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &clientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "mallory", "PASSWORD": "Mal-Pass-123"}})
	if got := expectAPIError(t, err, "UserLambdaValidationException", 400); got.Message != "PreAuthentication failed with error Sign-in disabled." {
		t.Errorf("message %q", got.Message)
	}
	claims := verifyCognitoJWT(t, env.Endpoint, outs["PoolId"], aws.ToString(auth.AuthenticationResult.IdToken))
	if claims["tier"] != "gold" || claims["source"] != "TokenGeneration_Authentication" || claims["email"] != nil || claims["email_verified"] != true {
		t.Errorf("ID token claims %v", claims)
	}

	// The domain's sign-in form runs the same triggers.
	login := url.Values{"response_type": {"code"}, "client_id": {outs["WebClientId"]}, "redirect_uri": {"https://app.example/cb"},
		"username": {"mallory"}, "password": {"Mal-Pass-123"}}
	if r := domainCall(t, env, "triggered-app", "POST", "/login", login, nil); r.status != 200 ||
		!strings.Contains(string(r.body), "PreAuthentication failed with error Sign-in disabled.") {
		t.Errorf("login as mallory: HTTP %d %s", r.status, r.body)
	}
	login.Set("username", "ada")
	login.Set("password", "Ada-Pass-123")
	r := domainCall(t, env, "triggered-app", "POST", "/login", login, nil)
	loc, _ := url.Parse(r.header.Get("Location"))
	if r.status != 302 || loc.Query().Get("code") == "" {
		t.Fatalf("login as ada: HTTP %d %s", r.status, r.body)
	}
	r = domainCall(t, env, "triggered-app", "POST", "/oauth2/token", url.Values{"grant_type": {"authorization_code"},
		"client_id": {outs["WebClientId"]}, "code": {loc.Query().Get("code")}, "redirect_uri": {"https://app.example/cb"}}, nil)
	if r.status != 200 {
		t.Fatalf("redeem: HTTP %d %s", r.status, r.body)
	}
	if claims := jwtClaims(t, r.json(t)["id_token"].(string)); claims["tier"] != "gold" || claims["source"] != "TokenGeneration_HostedAuth" {
		t.Errorf("hosted ID token claims %v", claims)
	}
}
