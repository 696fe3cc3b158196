package sam

import "testing"

// TestRestAPIResourcePolicy follows AWS's translator (compared with
// samdiff): the events' Auth.ResourcePolicy statements come first, for
// their path, then the API's for each path and method, an Allow for
// everyone not repeated; a path's any-method is "*" and its parameters
// match anything; a first statement added alone stays the Statement
// itself; CustomStatements come last.
func TestRestAPIResourcePolicy(t *testing.T) {
	t.Parallel()
	r := transformBody(t, []byte(`
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      Auth:
        ResourcePolicy:
          AwsAccountBlacklist: ['444455556666']
          IpRangeWhitelist: 10.0.0.0/8
          SourceVpcBlacklist: [vpc-bad, vpce-bad]
          CustomStatements:
            Effect: Allow
            Principal: '*'
            Action: execute-api:Invoke
            Resource: execute-api:/*
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://b/k.zip
      Handler: app.handler
      Runtime: python3.12
      Events:
        Any:
          Type: Api
          Properties:
            RestApiId: !Ref Api
            Path: /things/{id}
            Method: any
            Auth:
              ResourcePolicy:
                IpRangeBlacklist: [192.168.0.0/16]
        Open:
          Type: Api
          Properties:
            Path: /open
            Method: post
            Auth:
              ResourcePolicy:
                AwsAccountWhitelist: ['111122223333']
`))
	resources := func(s string) []any {
		return []any{map[string]any{"Fn::Sub": []any{"execute-api:/${__Stage__}/" + s, map[string]any{"__Stage__": "prod"}}}}
	}
	things := resources("*/things/*")
	stmt := func(effect string, res []any, principal any, cond map[string]any) map[string]any {
		st := map[string]any{"Effect": effect, "Action": "execute-api:Invoke", "Resource": res, "Principal": principal}
		if cond != nil {
			st["Condition"] = cond
		}
		return st
	}
	want(t, "the API's policy", get(r.props(t, "Api", "AWS::ApiGateway::RestApi"), "Body", apiPolicyKey), map[string]any{
		"Version": "2012-10-17",
		"Statement": []any{
			stmt("Allow", things, "*", nil),
			stmt("Deny", things, "*", map[string]any{"IpAddress": map[string]any{"aws:SourceIp": []any{"192.168.0.0/16"}}}),
			stmt("Deny", things, map[string]any{"AWS": []any{"444455556666"}}, nil),
			stmt("Deny", things, "*", map[string]any{"NotIpAddress": map[string]any{"aws:SourceIp": []any{"10.0.0.0/8"}}}),
			stmt("Deny", things, "*", map[string]any{"StringEquals": map[string]any{"aws:SourceVpc": []any{"vpc-bad"}, "aws:SourceVpce": []any{"vpce-bad"}}}),
			map[string]any{"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*"},
		},
	})
	implicit := get(r.props(t, "ServerlessRestApi", "AWS::ApiGateway::RestApi"), "Body", apiPolicyKey)
	want(t, "the implicit API's policy", implicit, map[string]any{
		"Version": "2012-10-17",
		"Statement": map[string]any{"Effect": "Allow", "Action": "execute-api:Invoke",
			"Resource":  []any{map[string]any{"Fn::Sub": []any{"execute-api:/${__Stage__}/POST/open", map[string]any{"__Stage__": "Prod"}}}},
			"Principal": map[string]any{"AWS": []any{"111122223333"}}},
	})
	if len(r.warnings) > 0 {
		t.Errorf("warnings: %v", r.warnings)
	}
}
