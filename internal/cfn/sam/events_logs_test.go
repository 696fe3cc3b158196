package sam

import "testing"

func TestCloudWatchLogsEvent(t *testing.T) {
	t.Parallel()
	r := transformBody(t, []byte(`
Transform: AWS::Serverless-2016-10-31
Resources:
  Alerts:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      InlineCode: "def handler(e, c): pass"
      Events:
        Errors:
          Type: CloudWatchLogs
          Properties:
            LogGroupName: /app/orders
            FilterPattern: ERROR
`))
	r.wantResources(t, map[string]string{
		"Alerts": tFunction, "AlertsRole": "AWS::IAM::Role",
		"AlertsErrorsPermission": tPermission, "AlertsErrors": "AWS::Logs::SubscriptionFilter",
	})
	want(t, "permission", r.props(t, "AlertsErrorsPermission", tPermission), map[string]any{
		"Action": "lambda:InvokeFunction", "FunctionName": map[string]any{"Ref": "Alerts"},
		"Principal": "logs.amazonaws.com",
		"SourceArn": map[string]any{"Fn::Sub": []any{
			"arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${__LogGroupName__}:*",
			map[string]any{"__LogGroupName__": "/app/orders"},
		}},
	})
	want(t, "filter", r.props(t, "AlertsErrors", "AWS::Logs::SubscriptionFilter"), map[string]any{
		"DestinationArn": map[string]any{"Fn::GetAtt": []any{"Alerts", "Arn"}},
		"LogGroupName":   "/app/orders", "FilterPattern": "ERROR",
	})
	r.dependsOn(t, "AlertsErrors", "AlertsErrorsPermission")
}

func TestCloudWatchLogsEventNeedsItsProperties(t *testing.T) {
	t.Parallel()
	in := parse(t, `
Transform: AWS::Serverless-2016-10-31
Resources:
  Alerts:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      InlineCode: "def handler(e, c): pass"
      Events:
        Errors:
          Type: CloudWatchLogs
          Properties:
            LogGroupName: /app/orders
`)
	if _, _, err := Transform(in, testOptions); err == nil {
		t.Fatal("a CloudWatchLogs event without FilterPattern was accepted")
	}
}
