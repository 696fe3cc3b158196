package e2e_test

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	agtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	gwtypes "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"

	"github.com/virga/virga/internal/e2e"
)

// accessLogFormat is a JSON access log format with variables of several
// kinds: the request's, the response's, and one without a value.
const accessLogFormat = `{"requestId":"$context.requestId","method":"$context.httpMethod","status":"$context.status",` +
	`"length":"$context.responseLength","ip":"$context.identity.sourceIp","waf":"$context.waf.error",` +
	`"route":"$context.routeKey","path":"$context.path","time":"$context.requestTime",` +
	`"integrationStatus":"$context.integration.status","integrationLatency":"$context.integrationLatency"}`

// TestAPIGWv2AccessLogs: an HTTP API stage with AccessLogSettings writes
// one line per request, in its format, to the log group it names, even
// for a request no route matches, until DeleteAccessLogSettings.
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
		"waf": "-", "route": "-", "path": "/nowhere", "integrationStatus": "-", "integrationLatency": "-"}
	for k, v := range want {
		if line[k] != v {
			t.Errorf("%s = %q, want %q (line %v)", k, line[k], v, line)
		}
	}
	if len(line["time"]) != len("02/Jan/2006:15:04:05 +0000") {
		t.Errorf("time = %q", line["time"])
	}

	// A route to a service integration logs the service's status and
	// how long the call took.
	integ := mustGW(c.CreateIntegration(ctx, &apigatewayv2.CreateIntegrationInput{ApiId: &id, IntegrationType: gwtypes.IntegrationTypeAwsProxy,
		IntegrationSubtype: aws.String("EventBridge-PutEvents"), PayloadFormatVersion: aws.String("1.0"),
		CredentialsArn:    aws.String("arn:aws:iam::" + testAccount + ":role/apigw"),
		RequestParameters: map[string]string{"Detail": "$request.body", "DetailType": "logged", "Source": "access.test"}}))(t)
	mustGW(c.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: &id, RouteKey: aws.String("POST /events"),
		Target: aws.String("integrations/" + aws.ToString(integ.IntegrationId))}))(t)
	r = callHTTPAPI(t, env, id, "POST", "/events", []byte(`{"n":1}`), nil, false)
	if r.Status != 200 {
		t.Fatalf("POST /events: HTTP %d %s", r.Status, r.Body)
	}
	reqID = r.Header.Get("Apigw-Requestid")
	line = nil
	if err := json.Unmarshal([]byte(waitForLogMessage(t, cwl, "http-access", reqID)), &line); err != nil {
		t.Fatal(err)
	}
	if line["route"] != "POST /events" || line["status"] != "200" || line["integrationStatus"] != "200" {
		t.Errorf("service integration line %v", line)
	}
	if _, err := strconv.Atoi(line["integrationLatency"]); err != nil {
		t.Errorf("integrationLatency = %q", line["integrationLatency"])
	}

	// DeleteAccessLogSettings turns the logging off.
	mustGW(c.DeleteAccessLogSettings(ctx, &apigatewayv2.DeleteAccessLogSettingsInput{ApiId: &id, StageName: aws.String("$default")}))(t)
	if st := mustGW(c.GetStage(ctx, &apigatewayv2.GetStageInput{ApiId: &id, StageName: aws.String("$default")}))(t); st.AccessLogSettings != nil {
		t.Errorf("AccessLogSettings after DeleteAccessLogSettings: %+v", st.AccessLogSettings)
	}
	_, err := c.DeleteAccessLogSettings(ctx, &apigatewayv2.DeleteAccessLogSettingsInput{ApiId: &id, StageName: aws.String("nope")})
	expectAPIError(t, err, "NotFoundException", 404)
}

// TestAPIGWv2AccessLogAuthorizer: an HTTP API access log line names what
// the route's Lambda authorizer returned ($context.authorizer.KEY: a
// string as it is, a number or a boolean as JSON), as the access log
// formats of SAM HttpApi templates use it to log who called.
func TestAPIGWv2AccessLogAuthorizer(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cwl := cloudwatchlogs.NewFromConfig(env.Config)
	if _, err := cwl.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("auth-access")}); err != nil {
		t.Fatal(err)
	}
	lc := lambdaClient(t, env)
	createPythonFunction(t, lc, "echo", httpAPIEcho, 10)
	createPythonFunction(t, lc, "ctx-auth", `def handler(event, context):
    return {'isAuthorized': event['headers'].get('authorization') == 'allow',
            'context': {'user': 'alice', 'tier': 3, 'admin': True}}
`, 10)
	c := apigatewayv2.NewFromConfig(env.Config)
	id := aws.ToString(mustGW(c.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("auth-logged"), ProtocolType: gwtypes.ProtocolTypeHttp}))(t).ApiId)
	integ := mustGW(c.CreateIntegration(ctx, &apigatewayv2.CreateIntegrationInput{ApiId: &id, IntegrationType: gwtypes.IntegrationTypeAwsProxy,
		IntegrationUri: aws.String(functionARN("echo")), PayloadFormatVersion: aws.String("2.0")}))(t).IntegrationId
	au := mustGW(c.CreateAuthorizer(ctx, &apigatewayv2.CreateAuthorizerInput{ApiId: &id, Name: aws.String("ctx"),
		AuthorizerType: gwtypes.AuthorizerTypeRequest, AuthorizerPayloadFormatVersion: aws.String("2.0"), EnableSimpleResponses: aws.Bool(true),
		AuthorizerUri: aws.String(functionARN("ctx-auth")), IdentitySource: []string{"$request.header.Authorization"}}))(t).AuthorizerId
	mustGW(c.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: &id, RouteKey: aws.String("GET /me"), Target: aws.String("integrations/" + *integ),
		AuthorizationType: gwtypes.AuthorizationTypeCustom, AuthorizerId: au}))(t)
	mustGW(c.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: &id, StageName: aws.String("$default"), AutoDeploy: aws.Bool(true),
		AccessLogSettings: &gwtypes.AccessLogSettings{
			DestinationArn: aws.String("arn:aws:logs:us-east-1:" + testAccount + ":log-group:auth-access"),
			Format: aws.String(`{"requestId":"$context.requestId","status":"$context.status","user":"$context.authorizer.user",` +
				`"tier":"$context.authorizer.tier","admin":"$context.authorizer.admin","missing":"$context.authorizer.nothing"}`)}}))(t)

	for _, tc := range []struct {
		token string
		want  map[string]string
	}{
		{"allow", map[string]string{"status": "200", "user": "alice", "tier": "3", "admin": "true", "missing": "-"}},
		{"deny", map[string]string{"status": "403", "user": "-", "tier": "-", "admin": "-", "missing": "-"}},
	} {
		r := callHTTPAPI(t, env, id, "GET", "/me", nil, map[string]string{"Authorization": tc.token}, false)
		reqID := r.Header.Get("Apigw-Requestid")
		var line map[string]string
		if err := json.Unmarshal([]byte(waitForLogMessage(t, cwl, "auth-access", reqID)), &line); err != nil {
			t.Fatal(err)
		}
		for k, v := range tc.want {
			if line[k] != v {
				t.Errorf("%s: %s = %q, want %q (line %v)", tc.token, k, line[k], v, line)
			}
		}
	}
}

// TestAPIGWv1AccessLogs: a REST API stage's access log settings, set and
// removed with UpdateStage's patches, are returned by GetStage, and while
// they are set every request to the stage writes its line to the log
// group, API Gateway's own answers (403 Missing Authentication Token) as
// well as the integration's, with the integration's status.
func TestAPIGWv1AccessLogs(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cwl := cloudwatchlogs.NewFromConfig(env.Config)
	if _, err := cwl.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("rest-access")}); err != nil {
		t.Fatal(err)
	}
	createPythonFunction(t, lambdaClient(t, env), "created", "def handler(event, context):\n    return {'statusCode': 201, 'body': 'made'}\n", 10)
	c := apigateway.NewFromConfig(env.Config)
	doc := `{"openapi":"3.0.1","info":{"title":"logged"},"paths":{"/ok":{"get":{"x-amazon-apigateway-integration":{"type":"mock",` +
		`"requestTemplates":{"application/json":"{\"statusCode\": 200}"},` +
		`"responses":{"default":{"statusCode":"200","responseTemplates":{"application/json":"{\"ok\":true}"}}}}}},` +
		`"/make":{"post":{"x-amazon-apigateway-integration":{"type":"aws_proxy","httpMethod":"POST","uri":"` + apigwv1LambdaURI("created") + `"}}},` +
		`"/tables":{"get":{"x-amazon-apigateway-integration":{"type":"aws","httpMethod":"POST",` +
		`"uri":"arn:aws:apigateway:us-east-1:dynamodb:action/ListTables","requestTemplates":{"application/json":"{}"},` +
		`"responses":{"default":{"statusCode":"200"}}}}}}}`
	api, err := c.ImportRestApi(ctx, &apigateway.ImportRestApiInput{Body: []byte(doc)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("prod")}); err != nil {
		t.Fatal(err)
	}
	arn := "arn:aws:logs:us-east-1:" + testAccount + ":log-group:rest-access"
	format := `$context.requestId $context.extendedRequestId $context.httpMethod $context.resourcePath $context.status ` +
		`$context.responseLength $context.error.responseType $context.authorizer.principalId ` +
		`$context.integration.status $context.integrationStatus`
	st, err := c.UpdateStage(ctx, &apigateway.UpdateStageInput{RestApiId: api.Id, StageName: aws.String("prod"), PatchOperations: []agtypes.PatchOperation{
		{Op: agtypes.OpReplace, Path: aws.String("/accessLogSettings/destinationArn"), Value: aws.String(arn)},
		{Op: agtypes.OpReplace, Path: aws.String("/accessLogSettings/format"), Value: aws.String(format)},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if st.AccessLogSettings == nil || aws.ToString(st.AccessLogSettings.DestinationArn) != arn || aws.ToString(st.AccessLogSettings.Format) != format {
		t.Fatalf("UpdateStage: accessLogSettings %+v", st.AccessLogSettings)
	}

	r := apigwv1Call(t, env, *api.Id, "GET", "/prod/ok", nil, nil, false)
	r.want(t, 200, `{"ok":true}`)
	id, ext := r.Header.Get("X-Amzn-Requestid"), r.Header.Get("X-Amz-Apigw-Id")
	if got, want := waitForLogMessage(t, cwl, "rest-access", id), id+" "+ext+" GET /ok 200 11 - - - -"; got != want {
		t.Errorf("line %q, want %q", got, want)
	}
	r = apigwv1Call(t, env, *api.Id, "POST", "/prod/elsewhere", nil, nil, false)
	r.want(t, 403, "")
	id, ext = r.Header.Get("X-Amzn-Requestid"), r.Header.Get("X-Amz-Apigw-Id")
	if got, want := waitForLogMessage(t, cwl, "rest-access", id), id+" "+ext+" POST - 403 42 MISSING_AUTHENTICATION_TOKEN - - -"; got != want {
		t.Errorf("line %q, want %q", got, want)
	}

	// A Lambda proxy integration's status is the function's statusCode;
	// its integrationStatus is Lambda's own.
	r = apigwv1Call(t, env, *api.Id, "POST", "/prod/make", nil, nil, false)
	r.want(t, 201, "made")
	id, ext = r.Header.Get("X-Amzn-Requestid"), r.Header.Get("X-Amz-Apigw-Id")
	if got, want := waitForLogMessage(t, cwl, "rest-access", id), id+" "+ext+" POST /make 201 4 - - 201 200"; got != want {
		t.Errorf("line %q, want %q", got, want)
	}
	r = apigwv1Call(t, env, *api.Id, "GET", "/prod/tables", nil, nil, false)
	r.want(t, 200, "")
	id, ext = r.Header.Get("X-Amzn-Requestid"), r.Header.Get("X-Amz-Apigw-Id")
	if got, want := waitForLogMessage(t, cwl, "rest-access", id), id+" "+ext+" GET /tables 200 "+strconv.Itoa(len(r.Body))+" - - 200 200"; got != want {
		t.Errorf("line %q, want %q", got, want)
	}

	if _, err := c.UpdateStage(ctx, &apigateway.UpdateStageInput{RestApiId: api.Id, StageName: aws.String("prod"), PatchOperations: []agtypes.PatchOperation{
		{Op: agtypes.OpRemove, Path: aws.String("/accessLogSettings")}}}); err != nil {
		t.Fatal(err)
	}
	if st, err := c.GetStage(ctx, &apigateway.GetStageInput{RestApiId: api.Id, StageName: aws.String("prod")}); err != nil || st.AccessLogSettings != nil {
		t.Fatalf("GetStage after the removal: %+v, %v", st, err)
	}
}
