package e2e_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	gwtypes "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"golang.org/x/net/websocket"

	"github.com/virga/virga/internal/e2e"
)

// identityAPITemplate is a web app's backend: a user pool, an identity
// pool whose signed-in users get a role that may invoke the APIs, and a
// REST API and an HTTP API whose AWS_IAM routes echo their event.
const identityAPITemplate = `AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Users:
    Type: AWS::Cognito::UserPool
    Properties:
      UsernameAttributes: [email]
  Web:
    Type: AWS::Cognito::UserPoolClient
    Properties:
      UserPoolId: !Ref Users
      ExplicitAuthFlows: [ALLOW_USER_PASSWORD_AUTH, ALLOW_REFRESH_TOKEN_AUTH]
  Identities:
    Type: AWS::Cognito::IdentityPool
    Properties:
      AllowUnauthenticatedIdentities: false
      CognitoIdentityProviders:
        - ClientId: !Ref Web
          ProviderName: !GetAtt Users.ProviderName
  Member:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Federated: cognito-identity.amazonaws.com}
            Action: sts:AssumeRoleWithWebIdentity
            Condition:
              StringEquals: {"cognito-identity.amazonaws.com:aud": !Ref Identities}
              "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": authenticated}
      Policies:
        - PolicyName: invoke
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: execute-api:Invoke
                Resource: "*"
  Roles:
    Type: AWS::Cognito::IdentityPoolRoleAttachment
    Properties:
      IdentityPoolId: !Ref Identities
      Roles: {authenticated: !GetAtt Member.Arn}
  Rest:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      Auth: {DefaultAuthorizer: AWS_IAM}
  Http:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth: {DefaultAuthorizer: AWS_IAM, EnableIamAuthorizer: true}
  Echo:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        import json
        def handler(event, context):
            return {"statusCode": 200, "body": json.dumps(event["requestContext"])}
      Events:
        Rest: {Type: Api, Properties: {RestApiId: !Ref Rest, Path: /me, Method: get}}
        Http: {Type: HttpApi, Properties: {ApiId: !Ref Http, Path: /me, Method: get}}
Outputs:
  UserPool: {Value: !Ref Users}
  Client: {Value: !Ref Web}
  Provider: {Value: !GetAtt Users.ProviderName}
  IdentityPool: {Value: !Ref Identities}
  Rest: {Value: !Ref Rest}
  Http: {Value: !Ref Http}
`

// TestCognitoIdentityAPICaller signs a user in, exchanges the ID token
// for identity pool credentials and calls AWS_IAM routes with them: the
// REST API's requestContext.identity, the HTTP API's
// authorizer.iam.cognitoIdentity and a WebSocket API's
// requestContext.identity (its $connect route AWS_IAM) name the
// identity, as apps that key their data by cognitoIdentityId rely on.
func TestCognitoIdentityAPICaller(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cf := cloudformation.NewFromConfig(env.Config)
	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("notes"),
		TemplateBody: aws.String(identityAPITemplate), Capabilities: []cftypes.Capability{cftypes.CapabilityCapabilityIam, cftypes.CapabilityCapabilityAutoExpand}}); err != nil {
		t.Fatal(err)
	}
	outs := createdStackOutputs(t, cf, "notes")
	idp := cip.NewFromConfig(env.Config)
	email := "ana@example.com"
	up, err := idp.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(outs["Client"]), Username: &email, Password: aws.String("Passw0rd!"),
		UserAttributes: []ciptypes.AttributeType{{Name: aws.String("email"), Value: &email}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := idp.AdminConfirmSignUp(ctx, &cip.AdminConfirmSignUpInput{UserPoolId: aws.String(outs["UserPool"]), Username: &email}); err != nil {
		t.Fatal(err)
	}
	auth, err := idp.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(outs["Client"]), AuthFlow: ciptypes.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": email, "PASSWORD": "Passw0rd!"}})
	if err != nil {
		t.Fatal(err)
	}
	provider := outs["Provider"]
	logins := map[string]string{provider: aws.ToString(auth.AuthenticationResult.IdToken)}
	id, err := anonymous(env).GetId(ctx, &ci.GetIdInput{IdentityPoolId: aws.String(outs["IdentityPool"]), Logins: logins})
	if err != nil {
		t.Fatal(err)
	}
	identityID := aws.ToString(id.IdentityId)
	out, err := anonymous(env).GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: &identityID, Logins: logins})
	if err != nil {
		t.Fatal(err)
	}
	creds := aws.Credentials{AccessKeyID: aws.ToString(out.Credentials.AccessKeyId), SecretAccessKey: aws.ToString(out.Credentials.SecretKey),
		SessionToken: aws.ToString(out.Credentials.SessionToken)}
	amr := []string{"authenticated", provider, provider + ":CognitoSignIn:" + aws.ToString(up.UserSub)}

	status, _, body := callSigned(t, env, outs["Rest"], "/prod/me", creds)
	if status != 200 {
		t.Fatalf("REST API: HTTP %d %s", status, body)
	}
	var rest struct {
		Identity map[string]any `json:"identity"`
	}
	if err := json.Unmarshal([]byte(body), &rest); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"cognitoIdentityPoolId": outs["IdentityPool"], "cognitoIdentityId": identityID,
		"cognitoAuthenticationType": "authenticated", "cognitoAuthenticationProvider": amr[1] + "," + amr[2]}
	for k, v := range want {
		if rest.Identity[k] != v {
			t.Errorf("REST identity %s = %v, want %v", k, rest.Identity[k], v)
		}
	}

	status, _, body = callSigned(t, env, outs["Http"], "/me", creds)
	if status != 200 {
		t.Fatalf("HTTP API: HTTP %d %s", status, body)
	}
	var httpEvent struct {
		Authorizer struct {
			IAM struct {
				CognitoIdentity struct {
					AMR            []string `json:"amr"`
					IdentityID     string   `json:"identityId"`
					IdentityPoolID string   `json:"identityPoolId"`
				} `json:"cognitoIdentity"`
			} `json:"iam"`
		} `json:"authorizer"`
	}
	if err := json.Unmarshal([]byte(body), &httpEvent); err != nil {
		t.Fatal(err)
	}
	got := httpEvent.Authorizer.IAM.CognitoIdentity
	if got.IdentityID != identityID || got.IdentityPoolID != outs["IdentityPool"] || !reflect.DeepEqual(got.AMR, amr) {
		t.Errorf("HTTP API cognitoIdentity %+v, want %s in %s with amr %v", got, identityID, outs["IdentityPool"], amr)
	}

	// A WebSocket API whose $connect route is AWS_IAM: the handshake is
	// signed, and the connection's events name the identity.
	createPythonFunction(t, lambdaClient(t, env), "ws", wsHandler, 10)
	gw := apigatewayv2.NewFromConfig(env.Config)
	ws := createWebSocketAPI(t, gw, "ws")
	for _, r := range mustGW(gw.GetRoutes(ctx, &apigatewayv2.GetRoutesInput{ApiId: &ws}))(t).Items {
		if aws.ToString(r.RouteKey) == "$connect" {
			mustGW(gw.UpdateRoute(ctx, &apigatewayv2.UpdateRouteInput{ApiId: &ws, RouteId: r.RouteId, AuthorizationType: gwtypes.AuthorizationTypeAwsIam}))(t)
		}
	}
	u, _ := url.Parse(env.Endpoint)
	loc := "ws://" + ws + ".execute-api.localhost:" + u.Port() + "/prod"
	handshake, _ := http.NewRequest(http.MethodGet, strings.Replace(loc, "ws:", "http:", 1), nil)
	if err := v4.NewSigner().SignHTTP(ctx, creds, handshake, sha256Hex(nil), "execute-api", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	conn, err := wsDialWith(t, env, loc, handshake.Header)
	if err != nil {
		t.Fatalf("signed handshake: %v", err)
	}
	websocket.Message.Send(conn, `{"action":"echo"}`)
	var wsEvent struct {
		RequestContext struct{ Identity map[string]any }
	}
	if err := json.Unmarshal([]byte(wsReceive(t, conn)), &wsEvent); err != nil {
		t.Fatal(err)
	}
	for k, v := range want {
		if wsEvent.RequestContext.Identity[k] != v {
			t.Errorf("WebSocket identity %s = %v, want %v", k, wsEvent.RequestContext.Identity[k], v)
		}
	}
}
