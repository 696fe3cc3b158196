package sam

import (
	"reflect"
	"strings"
	"testing"
)

func TestCognitoEventSetsThePoolsTriggers(t *testing.T) {
	t.Parallel()
	r := transformBody(t, []byte(`
Transform: AWS::Serverless-2016-10-31
Resources:
  Users:
    Type: AWS::Cognito::UserPool
    Properties:
      LambdaConfig:
        CustomMessage: arn:aws:lambda:us-east-1:123456789012:function:msg
  Hooks:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      InlineCode: "def handler(e, c): return e"
      Events:
        Signup:
          Type: Cognito
          Properties:
            UserPool: !Ref Users
            Trigger: [PreSignUp, PostConfirmation]
`))
	pool := r.resource(t, "Users", "AWS::Cognito::UserPool")
	lc := get(pool, "Properties", "LambdaConfig").(map[string]any)
	want := map[string]any{"Fn::GetAtt": []any{"Hooks", "Arn"}}
	if !reflect.DeepEqual(lc["PreSignUp"], want) || !reflect.DeepEqual(lc["PostConfirmation"], want) || lc["CustomMessage"] == nil {
		t.Errorf("LambdaConfig %v", lc)
	}
	perm := r.resource(t, "HooksCognitoPermission", "AWS::Lambda::Permission")
	if get(perm, "Properties", "Principal") != "cognito-idp.amazonaws.com" ||
		!reflect.DeepEqual(get(perm, "Properties", "SourceArn"), map[string]any{"Fn::GetAtt": []any{"Users", "Arn"}}) {
		t.Errorf("permission %v", perm)
	}
}

func TestCognitoEventNeedsAPoolOfTheTemplate(t *testing.T) {
	t.Parallel()
	in := parse(t, `
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      InlineCode: "def handler(e, c): pass"
      Events:
        Signup:
          Type: Cognito
          Properties:
            UserPool: us-east-1_abc
            Trigger: PreSignUp
`)
	_, _, err := Transform(in, testOptions)
	if err == nil || !strings.Contains(err.Error(), "Event with id [Signup] is invalid. Cognito events must reference a Cognito UserPool in the same template.") {
		t.Errorf("err = %v", err)
	}
}

// TestCognitoEventsShareOnePermission: AWS's translator names the
// permission FUNCTIONCognitoPermission whatever the event's name, so two
// Cognito events of one function leave one permission, for the pool of
// the last (its output for this template).
func TestCognitoEventsShareOnePermission(t *testing.T) {
	t.Parallel()
	r := transformBody(t, []byte(`
Transform: AWS::Serverless-2016-10-31
Resources:
  P1:
    Type: AWS::Cognito::UserPool
  P2:
    Type: AWS::Cognito::UserPool
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: a.h
      InlineCode: x
      Events:
        A:
          Type: Cognito
          Properties:
            UserPool: !Ref P1
            Trigger: PreSignUp
        B:
          Type: Cognito
          Properties:
            UserPool: !Ref P2
            Trigger: PostConfirmation
`))
	want(t, "permission", r.props(t, "FnCognitoPermission", "AWS::Lambda::Permission"), map[string]any{
		"Action":       "lambda:InvokeFunction",
		"FunctionName": map[string]any{"Ref": "Fn"},
		"Principal":    "cognito-idp.amazonaws.com",
		"SourceArn":    map[string]any{"Fn::GetAtt": []any{"P2", "Arn"}},
	})
	for _, id := range []string{"FnAPermission", "FnBPermission"} {
		if _, ok := r.tree["Resources"].(map[string]any)[id]; ok {
			t.Errorf("%s made", id)
		}
	}
	want(t, "P1 trigger", get(r.props(t, "P1", "AWS::Cognito::UserPool"), "LambdaConfig", "PreSignUp"), map[string]any{"Fn::GetAtt": []any{"Fn", "Arn"}})
}
