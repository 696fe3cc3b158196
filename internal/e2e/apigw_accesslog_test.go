package e2e_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	gwtypes "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"

	"github.com/virga/virga/internal/e2e"
)

// accessLogFormat is a JSON access log format with variables of several
// kinds: the request's, the response's, and one without a value.
const accessLogFormat = `{"requestId":"$context.requestId","method":"$context.httpMethod","status":"$context.status",` +
	`"length":"$context.responseLength","ip":"$context.identity.sourceIp","waf":"$context.waf.error",` +
	`"route":"$context.routeKey","path":"$context.path","time":"$context.requestTime"}`

// TestAPIGWv2AccessLogs: an HTTP API stage with AccessLogSettings writes
// one line per request, in its format, to the log group it names, even
// for a request no route matches.
func TestAPIGWv2AccessLogs(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cwl := cloudwatchlogs.NewFromConfig(env.Config)
	if _, err := cwl.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("http-access")}); err != nil {
		t.Fatal(err)
	}
	c := apigatewayv2.NewFromConfig(env.Config)
	id := aws.ToString(mustGW(c.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("logged"), ProtocolType: gwtypes.ProtocolTypeHttp}))(t).ApiId)
	mustGW(c.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: &id, StageName: aws.String("$default"), AutoDeploy: aws.Bool(true),
		AccessLogSettings: &gwtypes.AccessLogSettings{
			DestinationArn: aws.String("arn:aws:logs:us-east-1:" + testAccount + ":log-group:http-access:*"),
			Format:         aws.String(accessLogFormat)}}))(t)

	r := callHTTPAPI(t, env, id, "GET", "/nowhere", nil, nil, false)
	if r.Status != 404 {
		t.Fatalf("GET /nowhere: HTTP %d %s", r.Status, r.Body)
	}
	reqID := r.Header.Get("Apigw-Requestid")
	var line map[string]string
	if err := json.Unmarshal([]byte(waitForLogMessage(t, cwl, "http-access", reqID)), &line); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"requestId": reqID, "method": "GET", "status": "404", "length": "23", "ip": "127.0.0.1",
		"waf": "-", "route": "-", "path": "/nowhere"}
	for k, v := range want {
		if line[k] != v {
			t.Errorf("%s = %q, want %q (line %v)", k, line[k], v, line)
		}
	}
	if len(line["time"]) != len("02/Jan/2006:15:04:05 +0000") {
		t.Errorf("time = %q", line["time"])
	}
}
