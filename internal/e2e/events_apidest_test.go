package e2e_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/e2e"
)

// hookRequest is one request an endpoint received.
type hookRequest struct {
	Method, RawPath, RawQuery string
	Header                    http.Header
	Body                      string
}

// hookServer is an HTTP endpoint that records what it receives and
// answers each path with the status its handler sets.
type hookServer struct {
	*httptest.Server
	mu       sync.Mutex
	requests map[string][]hookRequest
	status   map[string]int
}

func newHookServer(t *testing.T) *hookServer {
	h := &hookServer{requests: map[string][]hookRequest{}, status: map[string]int{}}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		key := strings.SplitN(strings.TrimPrefix(r.URL.Path, "/"), "/", 2)[0]
		h.mu.Lock()
		h.requests[key] = append(h.requests[key], hookRequest{r.Method, r.URL.EscapedPath(), r.URL.RawQuery, r.Header.Clone(), string(body)})
		status := h.status[key]
		h.mu.Unlock()
		if key == "token" {
			user, pass, _ := r.BasicAuth()
			form, _ := url.ParseQuery(string(body))
			if user != "client-1" || pass != "client-secret" || form.Get("grant_type") != "client_credentials" ||
				r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			h.mu.Lock()
			n := len(h.requests["token"])
			h.mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"access_token":"tok-%d","token_type":"Bearer","expires_in":3600}`, n)
			return
		}
		// "flaky" refuses its first request's credentials.
		if key == "flaky" && len(h.got("flaky")) == 1 {
			status = http.StatusUnauthorized
		}
		if status == 0 {
			status = http.StatusOK
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *hookServer) got(key string) []hookRequest {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]hookRequest(nil), h.requests[key]...)
}

// waitHook waits for an endpoint's n-th request, moving the fake clock a
// few seconds each round so that retries fall due.
func waitHook(t *testing.T, h *hookServer, fake *clock.Fake, key string, n int) []hookRequest {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if got := h.got(key); len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d requests, want %d", key, len(h.got(key)), n)
		}
		if fake != nil {
			fake.Advance(3 * time.Second)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// An API destination target gets each matching event as an HTTP request
// with AWS's headers, the connection's credentials and parameters and
// the target's HttpParameters; failures are retried or not by status
// and end in the target's dead-letter queue.
func TestAPIDestinationTargets(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithFakeClock())
	eb := eventbridge.NewFromConfig(env.Config)
	qc := sqs.NewFromConfig(env.Config)
	ctx := context.Background()
	hooks := newHookServer(t)
	dlq := newQueue(t, qc, "hook-dlq")

	// An API key connection with parameters for every invocation.
	keyConn, err := eb.CreateConnection(ctx, &eventbridge.CreateConnectionInput{Name: aws.String("hook-key"),
		AuthorizationType: ebtypes.ConnectionAuthorizationTypeApiKey,
		AuthParameters: &ebtypes.CreateConnectionAuthRequestParameters{
			ApiKeyAuthParameters: &ebtypes.CreateConnectionApiKeyAuthRequestParameters{ApiKeyName: aws.String("x-api-key"), ApiKeyValue: aws.String("s3cret-key")},
			InvocationHttpParameters: &ebtypes.ConnectionHttpParameters{
				HeaderParameters:      []ebtypes.ConnectionHeaderParameter{{Key: aws.String("X-Team"), Value: aws.String("core")}, {Key: aws.String("X-Signing"), Value: aws.String("hidden"), IsValueSecret: true}},
				QueryStringParameters: []ebtypes.ConnectionQueryStringParameter{{Key: aws.String("tenant"), Value: aws.String("acme")}},
				BodyParameters:        []ebtypes.ConnectionBodyParameter{{Key: aws.String("via"), Value: aws.String("eventbridge")}},
			}}})
	if err != nil || keyConn.ConnectionState != ebtypes.ConnectionStateAuthorized ||
		!strings.HasPrefix(aws.ToString(keyConn.ConnectionArn), "arn:aws:events:us-east-1:000000000000:connection/hook-key/") {
		t.Fatalf("CreateConnection: %+v %v", keyConn, err)
	}
	// Describe hides the secrets.
	desc, err := eb.DescribeConnection(ctx, &eventbridge.DescribeConnectionInput{Name: aws.String("hook-key")})
	if err != nil || desc.AuthParameters == nil || desc.AuthParameters.ApiKeyAuthParameters == nil ||
		aws.ToString(desc.AuthParameters.ApiKeyAuthParameters.ApiKeyName) != "x-api-key" ||
		!strings.HasPrefix(aws.ToString(desc.SecretArn), "arn:aws:secretsmanager:us-east-1:000000000000:secret:events!connection/hook-key/") ||
		desc.LastAuthorizedTime == nil {
		t.Fatalf("DescribeConnection: %+v %v", desc, err)
	}
	hp := desc.AuthParameters.InvocationHttpParameters
	if hp == nil || len(hp.HeaderParameters) != 2 || aws.ToString(hp.HeaderParameters[0].Value) != "core" || hp.HeaderParameters[1].Value != nil {
		t.Errorf("described invocation parameters: %+v", hp)
	}
	raw, _ := json.Marshal(desc)
	if strings.Contains(string(raw), "s3cret-key") || strings.Contains(string(raw), "hidden") {
		t.Errorf("DescribeConnection shows a secret: %s", raw)
	}

	basicConn, err := eb.CreateConnection(ctx, &eventbridge.CreateConnectionInput{Name: aws.String("hook-basic"),
		AuthorizationType: ebtypes.ConnectionAuthorizationTypeBasic,
		AuthParameters: &ebtypes.CreateConnectionAuthRequestParameters{
			BasicAuthParameters: &ebtypes.CreateConnectionBasicAuthRequestParameters{Username: aws.String("ann"), Password: aws.String("pw")}}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = eb.CreateApiDestination(ctx, &eventbridge.CreateApiDestinationInput{Name: aws.String("plain"), ConnectionArn: keyConn.ConnectionArn,
		InvocationEndpoint: aws.String("http://192.0.2.1/hook"), HttpMethod: ebtypes.ApiDestinationHttpMethodPost})
	wantLambdaError(t, "non-HTTPS endpoint", err, "ValidationException",
		"Failed to create the api-destination(s). Parameter InvocationEndpoint is not valid. Reason: Endpoint 'http://192.0.2.1/hook' is invalid, please provide a valid HTTPS endpoint URL.")

	dest := func(name, path string, conn *string, method ebtypes.ApiDestinationHttpMethod) string {
		t.Helper()
		out, err := eb.CreateApiDestination(ctx, &eventbridge.CreateApiDestinationInput{Name: aws.String(name), ConnectionArn: conn,
			InvocationEndpoint: aws.String(hooks.URL + path), HttpMethod: method, InvocationRateLimitPerSecond: aws.Int32(10)})
		if err != nil || out.ApiDestinationState != ebtypes.ApiDestinationStateActive {
			t.Fatalf("CreateApiDestination %s: %+v %v", name, out, err)
		}
		return aws.ToString(out.ApiDestinationArn)
	}
	ordersARN := dest("orders", "/orders/*/items/*", keyConn.ConnectionArn, ebtypes.ApiDestinationHttpMethodPut)
	failARN := dest("fails", "/fails", basicConn.ConnectionArn, ebtypes.ApiDestinationHttpMethodPost)
	refusesARN := dest("refuses", "/refuses", basicConn.ConnectionArn, ebtypes.ApiDestinationHttpMethodPost)
	hooks.mu.Lock()
	hooks.status["fails"], hooks.status["refuses"] = http.StatusInternalServerError, http.StatusBadRequest
	hooks.mu.Unlock()
	got, err := eb.DescribeApiDestination(ctx, &eventbridge.DescribeApiDestinationInput{Name: aws.String("orders")})
	if err != nil || aws.ToString(got.ApiDestinationArn) != ordersARN || aws.ToString(got.InvocationEndpoint) != hooks.URL+"/orders/*/items/*" ||
		got.HttpMethod != ebtypes.ApiDestinationHttpMethodPut || aws.ToInt32(got.InvocationRateLimitPerSecond) != 10 {
		t.Fatalf("DescribeApiDestination: %+v %v", got, err)
	}

	if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("to-hooks"), EventPattern: aws.String(`{"source":["shop"]}`)}); err != nil {
		t.Fatal(err)
	}
	_, err = eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("to-hooks"), Targets: []ebtypes.Target{
		{Id: aws.String("no-role"), Arn: aws.String(ordersARN)}}})
	wantLambdaError(t, "API destination without a role", err, "ValidationException", "RoleArn is required for target "+ordersARN+".")
	one := &ebtypes.RetryPolicy{MaximumRetryAttempts: aws.Int32(2)}
	dl := &ebtypes.DeadLetterConfig{Arn: aws.String(queueARN("hook-dlq"))}
	role := aws.String("arn:aws:iam::000000000000:role/invoke-api-destinations")
	put, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("to-hooks"), Targets: []ebtypes.Target{
		{Id: aws.String("orders"), Arn: aws.String(ordersARN), RoleArn: role, InputPath: aws.String("$.detail"),
			HttpParameters: &ebtypes.HttpParameters{PathParameterValues: []string{"o-1", "a b"},
				HeaderParameters:      map[string]string{"X-Target": "t1", "X-Team": "target-loses"},
				QueryStringParameters: map[string]string{"q": "1", "tenant": "target-loses"}}},
		{Id: aws.String("fails"), Arn: aws.String(failARN), RoleArn: role, RetryPolicy: one, DeadLetterConfig: dl},
		{Id: aws.String("refuses"), Arn: aws.String(refusesARN), RoleArn: role, RetryPolicy: one, DeadLetterConfig: dl},
	}})
	if err != nil || put.FailedEntryCount != 0 {
		t.Fatalf("PutTargets: %+v %v", put, err)
	}
	if _, err := eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{
		Source: aws.String("shop"), DetailType: aws.String("order"), Detail: aws.String(`{"order":"o-1","via":"detail"}`)}}}); err != nil {
		t.Fatal(err)
	}

	r := waitHook(t, hooks, nil, "orders", 1)[0]
	if r.Method != "PUT" || r.RawPath != "/orders/o-1/items/a%20b" || r.RawQuery != "q=1&tenant=acme" {
		t.Errorf("request line: %s %s?%s", r.Method, r.RawPath, r.RawQuery)
	}
	for k, want := range map[string]string{"X-Api-Key": "s3cret-key", "X-Team": "core", "X-Signing": "hidden", "X-Target": "t1",
		"User-Agent": "Amazon/EventBridge/ApiDestinations", "Content-Type": "application/json; charset=utf-8",
		"Range": "bytes=0-1048575", "Accept-Encoding": "gzip,deflate"} {
		if got := r.Header.Get(k); got != want {
			t.Errorf("header %s: %q, want %q", k, got, want)
		}
	}
	if r.Body != `{"order":"o-1","via":"eventbridge"}` {
		t.Errorf("body: %s", r.Body)
	}

	// 400 is not retried: the event is in the dead-letter queue at once;
	// 500 is retried twice, then dead-lettered.
	byTarget := map[string]sqstypes.Message{}
	deadline := time.Now().Add(20 * time.Second)
	for len(byTarget) < 2 && time.Now().Before(deadline) {
		env.Clock.Advance(3 * time.Second)
		out, err := qc.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &dlq, MessageAttributeNames: []string{"All"}, WaitTimeSeconds: 0})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range out.Messages {
			byTarget[aws.ToString(m.MessageAttributes["TARGET_ARN"].StringValue)] = m
		}
		time.Sleep(20 * time.Millisecond)
	}
	if m, ok := byTarget[refusesARN]; !ok || aws.ToString(m.MessageAttributes["RETRY_ATTEMPTS"].StringValue) != "0" ||
		!strings.Contains(aws.ToString(m.MessageAttributes["ERROR_MESSAGE"].StringValue), "400") {
		t.Errorf("dead letter for 400: %+v", m.MessageAttributes)
	}
	if m, ok := byTarget[failARN]; !ok || aws.ToString(m.MessageAttributes["RETRY_ATTEMPTS"].StringValue) != "2" ||
		aws.ToString(m.MessageAttributes["EXHAUSTED_RETRY_CONDITION"].StringValue) != "MaximumRetryAttemptsExhausted" {
		t.Errorf("dead letter for 500: %+v", m.MessageAttributes)
	}
	if n := len(hooks.got("refuses")); n != 1 {
		t.Errorf("the 400 endpoint got %d requests, want 1", n)
	}
	fails := hooks.got("fails")
	if len(fails) != 3 {
		t.Errorf("the 500 endpoint got %d requests, want 3", len(fails))
	} else if u, p, ok := (&http.Request{Header: fails[2].Header}).BasicAuth(); !ok || u != "ann" || p != "pw" {
		t.Errorf("basic auth: %q %q %v", u, p, ok)
	}

	// A deauthorized connection turns its API destinations inactive.
	de, err := eb.DeauthorizeConnection(ctx, &eventbridge.DeauthorizeConnectionInput{Name: aws.String("hook-basic")})
	if err != nil || de.ConnectionState != ebtypes.ConnectionStateDeauthorizing {
		t.Fatalf("DeauthorizeConnection: %+v %v", de, err)
	}
	after, _ := eb.DescribeConnection(ctx, &eventbridge.DescribeConnectionInput{Name: aws.String("hook-basic")})
	if after.ConnectionState != ebtypes.ConnectionStateDeauthorized || after.AuthParameters != nil || after.SecretArn != nil {
		t.Errorf("deauthorized connection: %+v", after)
	}
	fd, _ := eb.DescribeApiDestination(ctx, &eventbridge.DescribeApiDestinationInput{Name: aws.String("fails")})
	if fd.ApiDestinationState != ebtypes.ApiDestinationStateInactive {
		t.Errorf("destination of a deauthorized connection: %s", fd.ApiDestinationState)
	}
	_, err = eb.DescribeConnection(ctx, &eventbridge.DescribeConnectionInput{Name: aws.String("nope")})
	wantLambdaError(t, "missing connection", err, "ResourceNotFoundException", "Failed to describe the connection(s). Connection 'nope' does not exist.")
	_, err = eb.DescribeApiDestination(ctx, &eventbridge.DescribeApiDestinationInput{Name: aws.String("nope")})
	wantLambdaError(t, "missing destination", err, "ResourceNotFoundException", "Failed to describe the api-destination(s). An api-destination 'nope' does not exist.")
}

// An OAuth connection gets its token from the authorization endpoint with
// its client credentials, turns AUTHORIZED, and sends the token as a
// Bearer token.
func TestAPIDestinationOAuth(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	eb := eventbridge.NewFromConfig(env.Config)
	ctx := context.Background()
	hooks := newHookServer(t)

	conn, err := eb.CreateConnection(ctx, &eventbridge.CreateConnectionInput{Name: aws.String("oauth"),
		AuthorizationType: ebtypes.ConnectionAuthorizationTypeOauthClientCredentials,
		AuthParameters: &ebtypes.CreateConnectionAuthRequestParameters{OAuthParameters: &ebtypes.CreateConnectionOAuthRequestParameters{
			AuthorizationEndpoint: aws.String(hooks.URL + "/token"), HttpMethod: ebtypes.ConnectionOAuthHttpMethodPost,
			ClientParameters: &ebtypes.CreateConnectionOAuthClientRequestParameters{ClientID: aws.String("client-1"), ClientSecret: aws.String("client-secret")},
			OAuthHttpParameters: &ebtypes.ConnectionHttpParameters{BodyParameters: []ebtypes.ConnectionBodyParameter{
				{Key: aws.String("grant_type"), Value: aws.String("client_credentials")}}}}}})
	if err != nil || conn.ConnectionState != ebtypes.ConnectionStateAuthorizing {
		t.Fatalf("CreateConnection: %+v %v", conn, err)
	}
	deadline := time.Now().Add(10 * time.Second)
	var desc *eventbridge.DescribeConnectionOutput
	for {
		desc, err = eb.DescribeConnection(ctx, &eventbridge.DescribeConnectionInput{Name: aws.String("oauth")})
		if err != nil {
			t.Fatal(err)
		}
		if desc.ConnectionState != ebtypes.ConnectionStateAuthorizing || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if desc.ConnectionState != ebtypes.ConnectionStateAuthorized {
		t.Fatalf("connection state %s (%s)", desc.ConnectionState, aws.ToString(desc.StateReason))
	}
	o := desc.AuthParameters.OAuthParameters
	if o == nil || aws.ToString(o.ClientParameters.ClientID) != "client-1" {
		t.Errorf("described OAuth parameters: %+v", o)
	}
	if raw, _ := json.Marshal(desc); strings.Contains(string(raw), "client-secret") {
		t.Errorf("DescribeConnection shows the client secret: %s", raw)
	}
	d, err := eb.CreateApiDestination(ctx, &eventbridge.CreateApiDestinationInput{Name: aws.String("secured"), ConnectionArn: conn.ConnectionArn,
		InvocationEndpoint: aws.String(hooks.URL + "/secured"), HttpMethod: ebtypes.ApiDestinationHttpMethodPost})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("secured"), EventPattern: aws.String(`{"source":["shop"]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("secured"), Targets: []ebtypes.Target{
		{Id: aws.String("s"), Arn: d.ApiDestinationArn, RoleArn: aws.String("arn:aws:iam::000000000000:role/r")}}}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{
			Source: aws.String("shop"), DetailType: aws.String("order"), Detail: aws.String(`{}`)}}}); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range waitHook(t, hooks, nil, "secured", 2) {
		if got := r.Header.Get("Authorization"); got != "Bearer tok-1" {
			t.Errorf("Authorization: %q", got)
		}
	}
	if n := len(hooks.got("token")); n != 1 {
		t.Errorf("the token was fetched %d times, want once", n)
	}

	// A 401 drops the token: the retry fetches a new one and succeeds.
	flaky, err := eb.CreateApiDestination(ctx, &eventbridge.CreateApiDestinationInput{Name: aws.String("flaky"), ConnectionArn: conn.ConnectionArn,
		InvocationEndpoint: aws.String(hooks.URL + "/flaky"), HttpMethod: ebtypes.ApiDestinationHttpMethodPost})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("secured"), Targets: []ebtypes.Target{
		{Id: aws.String("s"), Arn: flaky.ApiDestinationArn, RoleArn: aws.String("arn:aws:iam::000000000000:role/r")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{
		Source: aws.String("shop"), DetailType: aws.String("order"), Detail: aws.String(`{}`)}}}); err != nil {
		t.Fatal(err)
	}
	got := waitHook(t, hooks, nil, "flaky", 2)
	if a, b := got[0].Header.Get("Authorization"), got[1].Header.Get("Authorization"); a != "Bearer tok-1" || b != "Bearer tok-2" {
		t.Errorf("tokens before and after the 401: %q, %q", a, b)
	}
}

const apiDestTemplate = `
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  HookURL:
    Type: String
Resources:
  Bus:
    Type: AWS::Events::EventBus
    Properties:
      Name: hooks
      DeadLetterConfig: {Arn: arn:aws:sqs:us-east-1:000000000000:bus-dlq}
      LogConfig: {IncludeDetail: FULL, Level: ERROR}
  Conn:
    Type: AWS::Events::Connection
    Properties:
      AuthorizationType: API_KEY
      AuthParameters:
        ApiKeyAuthParameters: {ApiKeyName: x-api-key, ApiKeyValue: from-template}
        InvocationHttpParameters:
          HeaderParameters:
            - {Key: X-Stack, Value: hooks, IsValueSecret: "false"}
  Dest:
    Type: AWS::Events::ApiDestination
    Properties:
      ConnectionArn: !GetAtt Conn.Arn
      InvocationEndpoint: !Sub "${HookURL}/stacked/*"
      HttpMethod: POST
      InvocationRateLimitPerSecond: "5"
  ToHook:
    Type: AWS::Events::Rule
    Properties:
      EventBusName: !Ref Bus
      EventPattern: {source: [stack]}
      Targets:
        - Id: hook
          Arn: !GetAtt Dest.Arn
          RoleArn: arn:aws:iam::000000000000:role/invoke
          HttpParameters:
            PathParameterValues: [from-rule]
Outputs:
  ConnRef: {Value: !Ref Conn}
  ConnArn: {Value: !GetAtt Conn.Arn}
  SecretArn: {Value: !GetAtt Conn.SecretArn}
  DestRef: {Value: !Ref Dest}
  DestArn: {Value: !GetAtt Dest.Arn}
`

// A stack's connection, API destination and rule deliver to the endpoint,
// and its bus keeps its dead-letter queue and log settings.
func TestCloudFormationAPIDestination(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	cf := cloudformation.NewFromConfig(env.Config)
	eb := eventbridge.NewFromConfig(env.Config)
	ctx := context.Background()
	hooks := newHookServer(t)
	created, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("hooks"), TemplateBody: aws.String(apiDestTemplate),
		Parameters: []cftypes.Parameter{{ParameterKey: aws.String("HookURL"), ParameterValue: aws.String(hooks.URL)}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := cloudformation.NewStackCreateCompleteWaiter(cf).Wait(ctx, &cloudformation.DescribeStacksInput{StackName: created.StackId}, time.Minute); err != nil {
		evs, _ := cf.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: created.StackId})
		for _, e := range evs.StackEvents {
			t.Logf("%s %s %s", aws.ToString(e.LogicalResourceId), e.ResourceStatus, aws.ToString(e.ResourceStatusReason))
		}
		t.Fatal(err)
	}
	st, _ := cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("hooks")})
	outs := map[string]string{}
	for _, o := range st.Stacks[0].Outputs {
		outs[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
	}
	conn, dest := outs["ConnRef"], outs["DestRef"]
	if !strings.HasPrefix(conn, "hooks-Conn-") || !strings.HasPrefix(outs["ConnArn"], ebPrefix+"connection/"+conn+"/") ||
		!strings.Contains(outs["SecretArn"], ":secret:events!connection/"+conn+"/") ||
		!strings.HasPrefix(dest, "hooks-Dest-") || !strings.HasPrefix(outs["DestArn"], ebPrefix+"api-destination/"+dest+"/") {
		t.Fatalf("outputs: %v", outs)
	}
	d, err := eb.DescribeApiDestination(ctx, &eventbridge.DescribeApiDestinationInput{Name: aws.String(dest)})
	if err != nil || aws.ToInt32(d.InvocationRateLimitPerSecond) != 5 {
		t.Fatalf("DescribeApiDestination: %+v %v", d, err)
	}
	bus, err := eb.DescribeEventBus(ctx, &eventbridge.DescribeEventBusInput{Name: aws.String("hooks")})
	if err != nil || bus.DeadLetterConfig == nil || aws.ToString(bus.DeadLetterConfig.Arn) != "arn:aws:sqs:us-east-1:000000000000:bus-dlq" ||
		bus.LogConfig == nil || bus.LogConfig.Level != ebtypes.LevelError {
		t.Fatalf("DescribeEventBus: %+v %v", bus, err)
	}
	if _, err := eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{EventBusName: aws.String("hooks"),
		Source: aws.String("stack"), DetailType: aws.String("built"), Detail: aws.String(`{}`)}}}); err != nil {
		t.Fatal(err)
	}
	r := waitHook(t, hooks, nil, "stacked", 1)[0]
	if r.RawPath != "/stacked/from-rule" || r.Header.Get("X-Api-Key") != "from-template" || r.Header.Get("X-Stack") != "hooks" {
		t.Errorf("request: %s %v", r.RawPath, r.Header)
	}
	if _, err := cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("hooks")}); err != nil {
		t.Fatal(err)
	}
	if err := cloudformation.NewStackDeleteCompleteWaiter(cf).Wait(ctx, &cloudformation.DescribeStacksInput{StackName: created.StackId}, time.Minute); err != nil {
		t.Fatal(err)
	}
	if l, _ := eb.ListConnections(ctx, &eventbridge.ListConnectionsInput{}); len(l.Connections) != 0 {
		t.Errorf("connections left: %+v", l.Connections)
	}
}
