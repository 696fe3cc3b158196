package stepfunctions

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/stepfunctions/asl"
)

// integration is an optimized integration virga runs: the in-process
// service and operation, and the prefix of the error names a failure
// gets.
type integration struct {
	service, op, errPrefix string
	// sdk, when set, names the service's errors as Step Functions does
	// for an integration it calls through the AWS SDK for Java.
	sdk *javaSDKErrors
	// wire, when set, is how the service answers over HTTP, whose
	// metadata the result carries beside the operation's output.
	wire *wireFormat
}

// wireFormat is how a service's HTTP responses look to the AWS SDK for
// Java that Step Functions' optimized integrations call it through.
type wireFormat struct {
	contentType string
	// jsonProtocol: the service speaks awsJson, whose responses also
	// carry Server and x-amz-crc32 (DynamoDB); the others speak awsQuery.
	jsonProtocol bool
}

var (
	dynamoDBWire = &wireFormat{contentType: "application/x-amz-json-1.0", jsonProtocol: true}
	queryWire    = &wireFormat{contentType: "text/xml"}
)

// integrations are the optimized integrations by resource service and
// action.
var integrations = map[string]integration{
	"dynamodb:putItem":    {"dynamodb", "PutItem", "DynamoDB.", dynamoDBErrors, dynamoDBWire},
	"dynamodb:getItem":    {"dynamodb", "GetItem", "DynamoDB.", dynamoDBErrors, dynamoDBWire},
	"dynamodb:updateItem": {"dynamodb", "UpdateItem", "DynamoDB.", dynamoDBErrors, dynamoDBWire},
	"dynamodb:deleteItem": {"dynamodb", "DeleteItem", "DynamoDB.", dynamoDBErrors, dynamoDBWire},
	"sqs:sendMessage":     {"sqs", "SendMessage", "SQS.", nil, queryWire},
	"sns:publish":         {"sns", "Publish", "SNS.", nil, queryWire},
	"events:putEvents":    {"events", "PutEvents", "EventBridge.", nil, nil},
}

// javaSDKErrors is how the AWS SDK for Java (version 1) reports a
// service's errors: an error code it models is an exception of its own,
// any other its base exception, and the message ends with the service's
// name, the status, the code and the request id.
type javaSDKErrors struct {
	name string // the service's name in messages, as AmazonDynamoDBv2
	base string // the base exception, as AmazonDynamoDBException
	// modeled are the error codes with exceptions of their own, each
	// named by its code unless another name is given.
	modeled map[string]string
}

// dynamoDBErrors are DynamoDB's, whose unmodeled errors (a
// ValidationException, an AccessDeniedException) Step Functions names
// DynamoDB.AmazonDynamoDBException, the name AWS's samples retry on.
var dynamoDBErrors = &javaSDKErrors{name: "AmazonDynamoDBv2", base: "AmazonDynamoDBException", modeled: map[string]string{
	"BackupInUseException": "", "BackupNotFoundException": "", "ConditionalCheckFailedException": "",
	"ContinuousBackupsUnavailableException": "", "DuplicateItemException": "", "ExportConflictException": "",
	"ExportNotFoundException": "", "GlobalTableAlreadyExistsException": "", "GlobalTableNotFoundException": "",
	"IdempotentParameterMismatchException": "", "ImportConflictException": "", "ImportNotFoundException": "",
	"IndexNotFoundException": "", "InternalServerError": "InternalServerErrorException",
	"InvalidExportTimeException": "", "InvalidRestoreTimeException": "",
	"ItemCollectionSizeLimitExceededException": "", "LimitExceededException": "",
	"PointInTimeRecoveryUnavailableException": "", "ProvisionedThroughputExceededException": "",
	"ReplicaAlreadyExistsException": "", "ReplicaNotFoundException": "",
	"RequestLimitExceeded": "RequestLimitExceededException", "ResourceInUseException": "",
	"ResourceNotFoundException": "", "TableAlreadyExistsException": "", "TableInUseException": "",
	"TableNotFoundException": "", "TransactionCanceledException": "", "TransactionConflictException": "",
	"TransactionInProgressException": "",
}}

// failure is the task failure for a service error: the integration's
// prefix and the error's code (or the SDK's exception for it), and its
// message with the code and status.
func (in integration) failure(ae *apierr.Error, requestID string) *asl.Failure {
	if in.sdk == nil {
		return &asl.Failure{Name: in.errPrefix + ae.Code, Cause: ae.Message + " (Service: " + in.service + ", Status Code: " + fmt.Sprint(ae.Status) + ", Error Code: " + ae.Code + ")"}
	}
	name := in.sdk.base
	if exception, ok := in.sdk.modeled[ae.Code]; ok {
		name = cmp.Or(exception, ae.Code)
	}
	return &asl.Failure{Name: in.errPrefix + name, Cause: fmt.Sprintf("%s (Service: %s; Status Code: %d; Error Code: %s; Request ID: %s; Proxy: null)",
		ae.Message, in.sdk.name, ae.Status, ae.Code, requestID)}
}

// waiter is a task waiting for SendTaskSuccess or SendTaskFailure.
type waiter struct {
	result    chan tokenResult
	heartbeat chan struct{}
}

type tokenResult struct {
	output any
	fail   *asl.Failure
}

func (x *execEnv) Task(ctx context.Context, c *asl.TaskCall) (any, error) {
	if asl.ActivityARN(c.Resource) {
		return x.activity(ctx, c)
	}
	var w *waiter
	if c.Token != "" {
		// Registered before the request goes out: the receiver may answer
		// at once.
		w = &waiter{result: make(chan tokenResult, 1), heartbeat: make(chan struct{}, 1)}
		x.s.mu.Lock()
		x.s.tokens[c.Token] = w
		x.s.mu.Unlock()
		defer func() {
			x.s.mu.Lock()
			delete(x.s.tokens, c.Token)
			x.s.mu.Unlock()
		}()
	}
	out, err := x.invoke(ctx, c)
	if err != nil || w == nil {
		return out, err
	}
	c.Submitted(out)
	return x.waitToken(ctx, w, c.HeartbeatSeconds, time.Time{})
}

// waitToken waits for the task token's answer; the first heartbeat
// period runs from since (now when zero), each later one from the last
// SendTaskHeartbeat.
func (x *execEnv) waitToken(ctx context.Context, w *waiter, heartbeat int64, since time.Time) (any, error) {
	for {
		hbCtx, cancel := context.WithCancel(ctx)
		expired := make(chan struct{})
		if heartbeat > 0 {
			if since.IsZero() {
				since = x.s.clock.Now()
			}
			deadline := since.Add(time.Duration(heartbeat) * time.Second)
			since = time.Time{}
			go func() {
				if x.WaitUntil(hbCtx, deadline) == nil {
					close(expired)
				}
			}()
		}
		select {
		case r := <-w.result:
			cancel()
			if r.fail != nil {
				return nil, r.fail
			}
			return r.output, nil
		case <-w.heartbeat:
			cancel()
		case <-expired:
			cancel()
			return nil, &asl.Failure{Name: asl.ErrHeartbeatTimeout}
		case <-ctx.Done():
			cancel()
			return nil, ctx.Err()
		}
	}
}

func (x *execEnv) invoke(ctx context.Context, c *asl.TaskCall) (any, error) {
	if strings.HasPrefix(c.Resource, "arn:aws:lambda:") {
		payload, _, err := x.lambda(ctx, c.Resource, []byte(asl.Encode(c.Input)))
		return payload, err
	}
	svc, action, pattern, _ := asl.Integration(c.Resource)
	if svc == "states" && action == "startExecution" && (pattern == "" || pattern == "sync" || pattern == "sync:2" || pattern == "waitForTaskToken") {
		return x.startChild(ctx, c, pattern)
	}
	if svc == "ecs" && action == "runTask" && (pattern == "" || pattern == "sync" || pattern == "waitForTaskToken") {
		return x.runECSTask(ctx, c, pattern)
	}
	if pattern != "" && pattern != "waitForTaskToken" {
		return nil, &asl.Failure{Name: asl.ErrRuntime, Cause: fmt.Sprintf("The integration pattern .%s is not supported by virga", pattern)}
	}
	if svc == "aws-sdk" {
		return x.callSDK(ctx, c, action)
	}
	if svc == "apigateway" && action == "invoke" {
		return x.invokeAPIGateway(ctx, c)
	}
	if svc == "lambda" && action == "invoke" {
		params, _ := c.Input.(map[string]any)
		fn, _ := params["FunctionName"].(string)
		if fn == "" {
			return nil, &asl.Failure{Name: asl.ErrRuntime, Cause: "The field \"FunctionName\" is required for lambda:invoke"}
		}
		if q, ok := params["Qualifier"].(string); ok && q != "" {
			fn += ":" + q
		}
		var payload []byte
		switch p := params["Payload"].(type) {
		case nil:
			payload = []byte("{}")
		case string:
			payload = []byte(p)
		default:
			payload = []byte(asl.Encode(p))
		}
		if t, _ := params["InvocationType"].(string); t == "Event" {
			if err := x.authorizeInvoke(ctx, fn); err != nil {
				return nil, err
			}
			if _, err := x.s.fns.InvokeAsync(ctx, fn, payload); err != nil {
				return nil, lambdaError(err)
			}
			return map[string]any{"Payload": "", "StatusCode": json.Number("202"),
				"SdkHttpMetadata": map[string]any{"HttpStatusCode": json.Number("202")}}, nil
		}
		result, version, err := x.lambda(ctx, fn, payload)
		if err != nil {
			return nil, err
		}
		return map[string]any{
			"ExecutedVersion":     version,
			"Payload":             result,
			"SdkHttpMetadata":     map[string]any{"HttpStatusCode": json.Number("200"), "HttpHeaders": map[string]any{"X-Amz-Executed-Version": version}},
			"SdkResponseMetadata": map[string]any{"RequestId": x.s.ids.UUID()},
			"StatusCode":          json.Number("200"),
		}, nil
	}
	in, ok := integrations[svc+":"+action]
	if !ok {
		return nil, &asl.Failure{Name: asl.ErrRuntime, Cause: fmt.Sprintf("The resource %s is not supported by virga", c.Resource)}
	}
	if x.s.call == nil {
		return nil, &asl.Failure{Name: asl.ErrRuntime, Cause: "No service integrations in this virga"}
	}
	params, ok := c.Input.(map[string]any)
	if !ok {
		return nil, &asl.Failure{Name: asl.ErrRuntime, Cause: "The parameters of " + c.Resource + " must be a JSON object"}
	}
	params = stringified(svc, params)
	if svc == "events" {
		params = x.withExecutionResources(params)
	}
	out, err := x.callIntegration(ctx, in.service, in.op, params)
	if err != nil {
		if ae := apierr.As(err); ae != nil {
			return nil, in.failure(ae, x.s.ids.UUID())
		}
		return nil, &asl.Failure{Name: in.errPrefix + "SdkClientException", Cause: err.Error()}
	}
	if n, ok := out["FailedEntryCount"]; ok && svc == "events" && fmt.Sprint(n) != "0" {
		// "If the response from PutEvents contains a non-zero
		// FailedEntryCount then the Task state fails with the error
		// EventBridge.FailedEntry", the response telling which.
		return nil, &asl.Failure{Name: "EventBridge.FailedEntry", Cause: asl.Encode(out)}
	}
	if in.wire != nil {
		out = x.withSDKMetadata(out, in.wire)
	}
	return out, nil
}

// withSDKMetadata adds to a service's output the HTTP metadata the
// integration's result carries on AWS, as its SDK reports them:
// SdkHttpMetadata (the response's headers, each also as a list in
// AllHttpHeaders, and its status) and SdkResponseMetadata (the request
// id). Content-Length (and DynamoDB's x-amz-crc32) describe the
// output's JSON text, which is DynamoDB's response; for an awsQuery
// service it is only close to the length of its XML.
func (x *execEnv) withSDKMetadata(out map[string]any, w *wireFormat) map[string]any {
	if out == nil {
		out = map[string]any{}
	}
	body := []byte(asl.Encode(out))
	requestID := x.s.ids.UUID()
	headers := map[string]any{
		"Content-Length":   strconv.Itoa(len(body)),
		"Content-Type":     w.contentType,
		"Date":             x.s.clock.Now().UTC().Format(http.TimeFormat),
		"x-amzn-RequestId": requestID,
	}
	if w.jsonProtocol {
		headers["Connection"] = "keep-alive"
		headers["Server"] = "Server"
		headers["x-amz-crc32"] = strconv.FormatUint(uint64(crc32.ChecksumIEEE(body)), 10)
	} else {
		headers["connection"] = "keep-alive"
	}
	all := make(map[string]any, len(headers))
	for k, v := range headers {
		all[k] = []any{v}
	}
	res := make(map[string]any, len(out)+2)
	for k, v := range out {
		res[k] = v
	}
	res["SdkHttpMetadata"] = map[string]any{"AllHttpHeaders": all, "HttpHeaders": headers, "HttpStatusCode": json.Number("200")}
	res["SdkResponseMetadata"] = map[string]any{"RequestId": requestID}
	return res
}

// withExecutionResources appends the execution's ARN and its state
// machine's to the Resources of each of a putEvents task's entries
// (which stringified has already copied), as the optimized EventBridge
// integration does, so that rules and targets can tell which workflow
// sent an event.
func (x *execEnv) withExecutionResources(p map[string]any) map[string]any {
	entries, _ := p["Entries"].([]any)
	for _, e := range entries {
		m, ok := e.(map[string]any)
		if !ok {
			continue
		}
		own, _ := m["Resources"].([]any)
		m["Resources"] = append(append([]any{}, own...), x.r.exec.ARN, x.r.exec.MachineARN)
	}
	return p
}

// stringified turns the JSON objects Step Functions lets a state give
// for text fields (SQS's MessageBody, SNS's Message, EventBridge's
// Detail) into their JSON text, as the integrations do, and an
// EventBridge entry's Time given as ISO 8601 text into the API's seconds.
func stringified(svc string, p map[string]any) map[string]any {
	fix := func(m map[string]any, field string) {
		if v, ok := m[field]; ok {
			if _, isString := v.(string); !isString {
				m[field] = asl.Encode(v)
			}
		}
	}
	out := make(map[string]any, len(p))
	for k, v := range p {
		out[k] = v
	}
	switch svc {
	case "sqs":
		fix(out, "MessageBody")
	case "sns":
		fix(out, "Message")
	case "events":
		if entries, ok := out["Entries"].([]any); ok {
			fixed := make([]any, len(entries))
			for i, e := range entries {
				if m, ok := e.(map[string]any); ok {
					c := make(map[string]any, len(m))
					for k, v := range m {
						c[k] = v
					}
					fix(c, "Detail")
					// Time may be ISO 8601 text, as the context object's
					// times ($$.State.EnteredTime) are; the API takes
					// seconds since the epoch.
					if text, ok := c["Time"].(string); ok {
						if t, err := time.Parse(time.RFC3339Nano, text); err == nil {
							c["Time"] = json.Number(strconv.FormatFloat(float64(t.UnixMilli())/1000, 'f', -1, 64))
						}
					}
					fixed[i] = c
				} else {
					fixed[i] = e
				}
			}
			out["Entries"] = fixed
		}
	}
	return out
}

// lambda runs a function and returns its response (JSON when it is
// JSON, else the text). A function error is a Failure named by the
// function's errorType, whose cause is the error payload.
func (x *execEnv) lambda(ctx context.Context, fn string, payload []byte) (any, string, error) {
	if err := x.authorizeInvoke(ctx, fn); err != nil {
		return nil, "", err
	}
	resp, fnErr, err := x.s.fns.InvokeSync(ctx, fn, payload)
	if err != nil {
		if ctx.Err() != nil {
			return nil, "", ctx.Err()
		}
		return nil, "", lambdaError(err)
	}
	if fnErr != "" {
		var body struct {
			ErrorType string `json:"errorType"`
		}
		json.Unmarshal(resp, &body)
		name := body.ErrorType
		if lambdaUnknown[name] {
			name = "Lambda.Unknown"
		}
		return nil, "", &asl.Failure{Name: name, Cause: string(resp)}
	}
	v, err := asl.Decode(resp)
	if err != nil {
		v = string(resp)
	}
	version := "$LATEST"
	if parts := strings.Split(fn, ":"); len(parts) == 8 {
		version = parts[7]
	}
	return v, version, nil
}

// lambdaUnknown are the error types of failures outside the function's
// code, which Step Functions reports as Lambda.Unknown: "Unhandled
// errors in Lambda are reported as Lambda.Unknown ... These include
// out-of-memory errors and function timeouts."
var lambdaUnknown = map[string]bool{"": true, "Sandbox.Timedout": true, "Runtime.OutOfMemory": true, "Runtime.ExitError": true}

// lambdaError names a Lambda service error as Step Functions does:
// Lambda.<Code>.
func lambdaError(err error) error {
	if ae := apierr.As(err); ae != nil {
		return &asl.Failure{Name: "Lambda." + ae.Code, Cause: ae.Message}
	}
	return &asl.Failure{Name: "Lambda.SdkClientException", Cause: err.Error()}
}
