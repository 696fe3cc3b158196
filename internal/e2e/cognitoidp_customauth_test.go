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

// cognitoCustomAuthTemplate is a passwordless sign-in as apps build it
// on the custom authentication flow: phone numbers as user names, a
// client that allows only CUSTOM_AUTH, a one-time code made by
// CreateAuthChallenge and checked by VerifyAuthChallengeResponse, and a
// DefineAuthChallenge that gives three tries. A second pool has no
// challenge triggers.
const cognitoCustomAuthTemplate = `AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  PreSignUp:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        def handler(event, context):
            event['response']['autoConfirmUser'] = True
            return event
  Define:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        def handler(event, context):
            assert event['triggerSource'] == 'DefineAuthChallenge_Authentication'
            s = event['request']['session']
            r = event['response']
            if s and s[-1]['challengeResult']:
                r['issueTokens'], r['failAuthentication'] = True, False
            elif len(s) >= 3:
                r['issueTokens'], r['failAuthentication'] = False, True
            else:
                r['issueTokens'], r['failAuthentication'] = False, False
                r['challengeName'] = 'CUSTOM_CHALLENGE'
            return event
  Create:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        import json
        def handler(event, context):
            assert event['triggerSource'] == 'CreateAuthChallenge_Authentication'
            assert event['request']['challengeName'] == 'CUSTOM_CHALLENGE'
            s = event['request']['session']
            code = '4%d%d%d' % (len(s), len(s), len(s))
            event['response'] = {
                'publicChallengeParameters': {'phone': event['request']['userAttributes'].get('phone_number', ''), 'session': json.dumps(s),
                                              'notFound': str(event['request']['userNotFound'])},
                'privateChallengeParameters': {'code': code},
                'challengeMetadata': 'CODE-' + code}
            return event
  Verify:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        def handler(event, context):
            assert event['triggerSource'] == 'VerifyAuthChallengeResponse_Authentication'
            event['response']['answerCorrect'] = event['request']['challengeAnswer'] == event['request']['privateChallengeParameters']['code']
            return event
  Users:
    Type: AWS::Cognito::UserPool
    Properties:
      UsernameAttributes: [phone_number]
      Schema:
        - Name: phone_number
          AttributeDataType: String
          Mutable: false
          Required: true
      LambdaConfig:
        PreSignUp: !GetAtt PreSignUp.Arn
        DefineAuthChallenge: !GetAtt Define.Arn
        CreateAuthChallenge: !GetAtt Create.Arn
        VerifyAuthChallengeResponse: !GetAtt Verify.Arn
  Client:
    Type: AWS::Cognito::UserPoolClient
    Properties:
      UserPoolId: !Ref Users
      GenerateSecret: false
      ExplicitAuthFlows: [CUSTOM_AUTH_FLOW_ONLY]
  HidingClient:
    Type: AWS::Cognito::UserPoolClient
    Properties:
      UserPoolId: !Ref Users
      ExplicitAuthFlows: [ALLOW_CUSTOM_AUTH]
      PreventUserExistenceErrors: ENABLED
  Plain:
    Type: AWS::Cognito::UserPool
  PlainClient:
    Type: AWS::Cognito::UserPoolClient
    Properties:
      UserPoolId: !Ref Plain
      ExplicitAuthFlows: [ALLOW_CUSTOM_AUTH, ALLOW_USER_PASSWORD_AUTH]
Outputs:
  PoolId:
    Value: !Ref Users
  ClientId:
    Value: !Ref Client
  HidingClientId:
    Value: !Ref HidingClient
  PlainPoolId:
    Value: !Ref Plain
  PlainClientId:
    Value: !Ref PlainClient
`

// TestCognitoCustomAuthFlow signs a user in with CUSTOM_AUTH: the
// challenge triggers run in their order with the session of answers so
// far, a wrong answer earns a new challenge, a right one tokens, and
// DefineAuthChallenge's failAuthentication ends the sign-in. With
// PreventUserExistenceErrors, an unknown user gets challenges too (the
// triggers see userNotFound) but never tokens.
func TestCognitoCustomAuthFlow(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, e2e.AWSCLI)
	env := e2e.Start(t)
	ctx := context.Background()
	outs := deployWithCLI(t, env, "passwordless", cognitoCustomAuthTemplate)
	clientID := outs["ClientId"]
	c := cip.NewFromConfig(env.Config)

	const phone = "+15555550123"
	if _, err := c.SignUp(ctx, &cip.SignUpInput{ClientId: &clientID, Username: aws.String(phone), Password: aws.String("Unused-Pass-1"),
		UserAttributes: []types.AttributeType{{Name: aws.String("phone_number"), Value: aws.String(phone)}}}); err != nil {
		t.Fatal(err)
	}
	start := func() *cip.InitiateAuthOutput {
		t.Helper()
		out, err := c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &clientID, AuthFlow: types.AuthFlowTypeCustomAuth,
			AuthParameters: map[string]string{"USERNAME": phone}})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	answer := func(session *string, user, code string) (*cip.RespondToAuthChallengeOutput, error) {
		return c.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: &clientID, ChallengeName: types.ChallengeNameTypeCustomChallenge,
			Session: session, ChallengeResponses: map[string]string{"USERNAME": user, "ANSWER": code}})
	}

	first := start()
	user := first.ChallengeParameters["USERNAME"]
	if first.ChallengeName != types.ChallengeNameTypeCustomChallenge || first.Session == nil || first.ChallengeParameters["phone"] != phone ||
		first.ChallengeParameters["session"] != "[]" || user == "" || user == phone {
		t.Fatalf("InitiateAuth = %s %v, want CUSTOM_CHALLENGE with the public parameters and the user's name", first.ChallengeName, first.ChallengeParameters)
	}
	wrong, err := answer(first.Session, user, "0000")
	if err != nil {
		t.Fatal(err)
	}
	var session []map[string]any
	if err := json.Unmarshal([]byte(wrong.ChallengeParameters["session"]), &session); err != nil {
		t.Fatal(err)
	}
	if wrong.ChallengeName != types.ChallengeNameTypeCustomChallenge || len(session) != 1 || session[0]["challengeName"] != "CUSTOM_CHALLENGE" ||
		session[0]["challengeResult"] != false || session[0]["challengeMetadata"] != "CODE-4000" {
		t.Fatalf("after a wrong answer: %s, session %v", wrong.ChallengeName, session)
	}
	_, err = answer(first.Session, user, "4000")
	if got := expectAPIError(t, err, "NotAuthorizedException", 400); got.Message != "Invalid session for the user." {
		t.Errorf("answering a used session: %q", got.Message)
	}
	right, err := answer(wrong.Session, user, "4111")
	if err != nil {
		t.Fatal(err)
	}
	if right.AuthenticationResult == nil || right.AuthenticationResult.RefreshToken == nil {
		t.Fatalf("right answer = %+v, want tokens", right)
	}
	claims := verifyCognitoJWT(t, env.Endpoint, outs["PoolId"], aws.ToString(right.AuthenticationResult.IdToken))
	if claims["phone_number"] != phone || claims["cognito:username"] != user {
		t.Errorf("ID token claims %v", claims)
	}

	// Three wrong answers: DefineAuthChallenge fails the sign-in.
	s := start().Session
	for i := range 3 {
		out, err := answer(s, user, "9999")
		if i < 2 {
			if err != nil {
				t.Fatal(err)
			}
			s = out.Session
			continue
		}
		if got := expectAPIError(t, err, "NotAuthorizedException", 400); got.Message != "Incorrect username or password." {
			t.Errorf("third wrong answer: %q", got.Message)
		}
	}

	// An unknown user: UserNotFound, or, through a client that hides
	// users' existence, challenges whose right answer still fails.
	_, err = c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &clientID, AuthFlow: types.AuthFlowTypeCustomAuth,
		AuthParameters: map[string]string{"USERNAME": "+15555550999"}})
	expectAPIError(t, err, "UserNotFoundException", 400)
	hiding := outs["HidingClientId"]
	ghost, err := c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &hiding, AuthFlow: types.AuthFlowTypeCustomAuth,
		AuthParameters: map[string]string{"USERNAME": "+15555550999"}})
	if err != nil {
		t.Fatal(err)
	}
	if ghost.ChallengeName != types.ChallengeNameTypeCustomChallenge || ghost.ChallengeParameters["notFound"] != "True" || ghost.ChallengeParameters["phone"] != "" {
		t.Fatalf("unknown user through the hiding client: %s %v", ghost.ChallengeName, ghost.ChallengeParameters)
	}
	_, err = c.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: &hiding, ChallengeName: types.ChallengeNameTypeCustomChallenge,
		Session: ghost.Session, ChallengeResponses: map[string]string{"USERNAME": ghost.ChallengeParameters["USERNAME"], "ANSWER": "4000"}})
	if got := expectAPIError(t, err, "NotAuthorizedException", 400); got.Message != "Incorrect username or password." {
		t.Errorf("unknown user's right answer: %q", got.Message)
	}

	// A pool without the challenge triggers refuses the flow.
	plain := outs["PlainClientId"]
	_, err = c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &plain, AuthFlow: types.AuthFlowTypeCustomAuth,
		AuthParameters: map[string]string{"USERNAME": "nobody"}})
	if got := expectAPIError(t, err, "InvalidParameterException", 400); got.Message != "Custom auth lambda trigger is not configured for the user pool." {
		t.Errorf("pool without triggers: %q", got.Message)
	}
}
