package apigatewayv2

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/virga/virga/internal/awsproto/apierr"
)

// AWS service integrations (integration type AWS_PROXY with an
// IntegrationSubtype) call one operation of an AWS service with
// parameters mapped from the request: {"QueueUrl": "$request.header.q",
// "MessageBody": "$request.body"}. The service's answer is the
// response: its output as JSON with status 200 (SQS's as its awsQuery
// XML, as API Gateway relays it), or its error with the error's status.

// Services runs AWS service operations in process for service
// integrations; internal/app serves it with virga's own services.
type Services interface {
	Call(ctx context.Context, service, operation string, input map[string]any) (map[string]any, error)
}

// EncodedServices are Services that also answer an operation's output
// as its service's protocol writes it, for the subtypes whose response
// is the service's own (SQS's, in awsQuery's XML).
type EncodedServices interface {
	CallEncoded(ctx context.Context, service, operation string, input map[string]any) (status int, header http.Header, body []byte, err error)
}

// subtype is what an IntegrationSubtype calls, and its parameters.
type subtype struct {
	service, operation string
	required, optional []string
	// build turns the parameters into the operation's input; nil passes
	// them as they are.
	build func(p map[string]any) map[string]any
	// encoded: the response is the service's answer as its protocol
	// writes it (SQS's XML: <SendMessageResponse><SendMessageResult>
	// <MessageId>...), not its output as JSON.
	encoded bool
}

// subtypes are the integration subtypes of services virga has ("AWS
// service integration reference" in API Gateway's HTTP API guide).
var subtypes = map[string]subtype{
	"SQS-SendMessage": {service: "sqs", operation: "SendMessage",
		required: []string{"QueueUrl", "MessageBody"},
		optional: []string{"DelaySeconds", "MessageAttributes", "MessageDeduplicationId", "MessageGroupId", "MessageSystemAttributes", "Region"},
		encoded:  true},
	"SQS-ReceiveMessage": {service: "sqs", operation: "ReceiveMessage",
		required: []string{"QueueUrl"},
		optional: []string{"AttributeNames", "MaxNumberOfMessages", "MessageAttributeNames", "ReceiveRequestAttemptId", "VisibilityTimeout", "WaitTimeSeconds", "Region"},
		encoded:  true},
	"SQS-DeleteMessage": {service: "sqs", operation: "DeleteMessage",
		required: []string{"QueueUrl", "ReceiptHandle"}, optional: []string{"Region"}, encoded: true},
	"SQS-PurgeQueue": {service: "sqs", operation: "PurgeQueue",
		required: []string{"QueueUrl"}, optional: []string{"Region"}, encoded: true},
	"EventBridge-PutEvents": {service: "events", operation: "PutEvents",
		required: []string{"Detail", "DetailType", "Source"},
		optional: []string{"Time", "EventBusName", "Resources", "Region", "TraceHeader"},
		build: func(p map[string]any) map[string]any {
			return map[string]any{"Entries": []any{p}}
		}},
	// Data is the record's blob as Kinesis's JSON API carries it,
	// base64-encoded: the mapped value is passed as it is.
	"Kinesis-PutRecord": {service: "kinesis", operation: "PutRecord",
		required: []string{"StreamName", "Data", "PartitionKey"},
		optional: []string{"SequenceNumberForOrdering", "ExplicitHashKey", "Region"}},
	"StepFunctions-StartExecution": {service: "states", operation: "StartExecution",
		required: []string{"StateMachineArn"}, optional: []string{"Name", "Input", "Region"}, build: lowerFirst},
	"StepFunctions-StartSyncExecution": {service: "states", operation: "StartSyncExecution",
		required: []string{"StateMachineArn"}, optional: []string{"Name", "Input", "Region", "TraceHeader"}, build: lowerFirst},
	"StepFunctions-StopExecution": {service: "states", operation: "StopExecution",
		required: []string{"ExecutionArn"}, optional: []string{"Cause", "Error", "Region"}, build: lowerFirst},
}

// lowerFirst names the parameters as Step Functions' API does
// (StateMachineArn is stateMachineArn).
func lowerFirst(p map[string]any) map[string]any {
	out := make(map[string]any, len(p))
	for k, v := range p {
		out[strings.ToLower(k[:1])+k[1:]] = v
	}
	return out
}

// integerParams and listParams are parameters whose values are numbers
// or lists; a mapping yields text, which is converted.
var (
	integerParams = map[string]bool{"DelaySeconds": true, "MaxNumberOfMessages": true, "VisibilityTimeout": true, "WaitTimeSeconds": true}
	listParams    = map[string]bool{"AttributeNames": true, "MessageAttributeNames": true, "Resources": true}
	objectParams  = map[string]bool{"MessageAttributes": true, "MessageSystemAttributes": true}
)

// checkSubtype checks a service integration's subtype and parameters as
// CreateIntegration does.
func checkSubtype(integ *integrationRecord) error {
	st, ok := subtypes[integ.Subtype]
	if !ok {
		if strings.Contains(integ.Subtype, "-") {
			return ErrNotImplemented.Withf("AWS service integrations with IntegrationSubtype %s are not implemented by virga: it has no such service.", integ.Subtype)
		}
		return badRequest("Invalid IntegrationSubtype %s.", integ.Subtype)
	}
	for _, name := range st.required {
		if integ.RequestParameters[name] == "" {
			return badRequest("Parameter %s is required for IntegrationSubtype %s.", name, integ.Subtype)
		}
	}
	for name := range integ.RequestParameters {
		if !contains(st.required, name) && !contains(st.optional, name) {
			return badRequest("Invalid request parameter %s for IntegrationSubtype %s.", name, integ.Subtype)
		}
	}
	if integ.PayloadFormatVersion == "" {
		integ.PayloadFormatVersion = "1.0"
	}
	if integ.PayloadFormatVersion != "1.0" {
		return badRequest("AWS service integrations support payload format version 1.0 only.")
	}
	if integ.Method == "" {
		integ.Method = "POST"
	}
	return nil
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// callService runs a service integration.
func (s *Service) callService(inv *invocation, integ *integrationRecord) *response {
	st, ok := subtypes[integ.Subtype]
	if !ok || s.services == nil {
		return gatewayResponse(http.StatusInternalServerError)
	}
	params := map[string]any{}
	for name, expr := range integ.RequestParameters {
		v, ok := inv.mappingValue(expr)
		if !ok || name == "Region" {
			continue
		}
		params[name] = typedParam(name, v)
	}
	for _, name := range st.required {
		if _, ok := params[name]; !ok {
			return jsonResponse(http.StatusBadRequest, map[string]any{"message": "Parameter " + name + " is missing from the request."})
		}
	}
	input := params
	if st.build != nil {
		input = st.build(params)
	}
	ctx, cancel := context.WithTimeout(inv.r.Context(), time.Duration(integ.TimeoutMillis)*time.Millisecond)
	defer cancel()
	start := s.clock.Now()
	var (
		out     map[string]any
		encoded *response
		err     error
	)
	if es, ok := s.services.(EncodedServices); ok && st.encoded {
		var status int
		var header http.Header
		var body []byte
		status, header, body, err = es.CallEncoded(ctx, st.service, st.operation, input)
		if err == nil {
			h := http.Header{}
			h.Set("Content-Type", header.Get("Content-Type"))
			encoded = &response{status: status, header: h, body: body}
		}
	} else {
		out, err = s.services.Call(ctx, st.service, st.operation, input)
	}
	s.integrationDone(inv, start, http.StatusOK)
	if err != nil {
		if e := apierr.As(err); e != nil {
			inv.integration.status = e.Status
		} else {
			inv.integration.status = 0
		}
		if ctx.Err() != nil {
			return gatewayResponse(http.StatusGatewayTimeout)
		}
		if e := apierr.As(err); e != nil {
			return jsonResponse(e.Status, map[string]any{"__type": e.Code, "message": e.Message})
		}
		s.log.Warn("apigatewayv2: service integration", "api", inv.api.ID, "integration", integ.ID, "err", err, "requestId", inv.requestID)
		return gatewayResponse(http.StatusInternalServerError)
	}
	if encoded != nil {
		return encoded
	}
	if out == nil {
		out = map[string]any{}
	}
	return jsonResponse(http.StatusOK, out)
}

func jsonResponse(status int, v any) *response {
	body, _ := json.Marshal(v)
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	return &response{status: status, header: h, body: body}
}

// typedParam converts a mapped value to the type its parameter has.
func typedParam(name, v string) any {
	switch {
	case integerParams[name]:
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return n
		}
	case listParams[name]:
		var l []any
		if json.Unmarshal([]byte(v), &l) == nil {
			return l
		}
		return strings.Split(v, ",")
	case objectParams[name]:
		var m map[string]any
		if json.Unmarshal([]byte(v), &m) == nil {
			return m
		}
	}
	return v
}

// mappingValue evaluates a parameter mapping: $request.body (or a path
// into it, $request.body.a.b), $request.header.NAME,
// $request.querystring.NAME, $request.path.NAME, $context.requestId and
// the like, $stageVariables.NAME, each alone, inside static text
// ("/v2/$request.path.id") or braced ("${request.path.id}"); or static
// text.
func (inv *invocation) mappingValue(expr string) (string, bool) {
	return interpolate(expr, inv.variable)
}

// mappingPrefixes start the variables a mapping expression may hold.
var mappingPrefixes = []string{"request.", "context.", "stageVariables.", "response."}

// interpolate replaces the variables in expr with what lookup finds. ok is
// false only when expr is a single variable that has no value, which
// leaves the mapped parameter unset.
func interpolate(expr string, lookup func(name string) (string, bool)) (string, bool) {
	var b strings.Builder
	vars, missing := 0, 0
	for {
		i := strings.IndexByte(expr, '$')
		if i < 0 || i+1 >= len(expr) {
			b.WriteString(expr)
			break
		}
		b.WriteString(expr[:i])
		rest := expr[i+1:]
		var name string
		switch {
		case rest[0] == '{':
			j := strings.IndexByte(rest, '}')
			if j < 0 {
				b.WriteString(expr[i:])
				expr = ""
				continue
			}
			name, expr = rest[1:j], rest[j+1:]
		case hasMappingPrefix(rest):
			j := 0
			for j < len(rest) {
				if isNameByte(rest[j]) || rest[j] == '.' {
					j++
					continue
				}
				// A JSON path into a body may index: $request.body.items[0].
				if rest[j] == '[' && isBodyPath(rest[:j]) {
					if k := strings.IndexByte(rest[j:], ']'); k > 0 {
						j += k + 1
						continue
					}
				}
				break
			}
			name, expr = strings.TrimRight(rest[:j], "."), rest[len(strings.TrimRight(rest[:j], ".")):]
		default:
			b.WriteByte('$')
			expr = rest
			continue
		}
		vars++
		v, ok := lookup(name)
		if !ok {
			missing++
		}
		b.WriteString(v)
	}
	out := b.String()
	return out, !(vars == 1 && missing == 1 && out == "")
}

// isBodyPath reports whether a variable name is a body or a JSON path
// into one.
func isBodyPath(name string) bool {
	for _, p := range []string{"request.body", "response.body"} {
		if rest, ok := strings.CutPrefix(name, p); ok && (rest == "" || rest[0] == '.' || rest[0] == '[') {
			return true
		}
	}
	return false
}

func hasMappingPrefix(s string) bool {
	for _, p := range mappingPrefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

func isNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// variable is the value of request.body..., request.header.NAME, ....
func (inv *invocation) variable(name string) (string, bool) {
	r := inv.r
	switch {
	case name == "request.body":
		return string(inv.body), true
	case isBodyPath(name) && strings.HasPrefix(name, "request.body"):
		return jsonMember(inv.body, strings.TrimPrefix(name, "request.body"))
	case strings.HasPrefix(name, "request.header."):
		vs := r.Header.Values(strings.TrimPrefix(name, "request.header."))
		return strings.Join(vs, ","), len(vs) > 0
	case strings.HasPrefix(name, "request.querystring."):
		vs, ok := r.URL.Query()[strings.TrimPrefix(name, "request.querystring.")]
		return strings.Join(vs, ","), ok
	case name == "request.path":
		// The request's path within its stage, decoded.
		return decodedPath(inv.stagePath), true
	case strings.HasPrefix(name, "request.path."):
		v, ok := inv.params[strings.TrimPrefix(name, "request.path.")]
		return v, ok
	case strings.HasPrefix(name, "stageVariables."):
		v, ok := inv.stage.Variables[strings.TrimPrefix(name, "stageVariables.")]
		return v, ok
	case name == "context.requestId":
		return inv.requestID, true
	case name == "context.apiId":
		return inv.api.ID, true
	case name == "context.stage":
		return inv.stage.Name, true
	case name == "context.httpMethod":
		return r.Method, true
	case name == "context.path":
		return inv.rawPath, true
	case name == "context.routeKey":
		return inv.route.Key, true
	case name == "context.identity.sourceIp":
		return inv.sourceIP, true
	case name == "context.identity.userAgent":
		return r.UserAgent(), true
	case name == "context.requestTimeEpoch":
		return strconv.FormatInt(inv.received.UnixMilli(), 10), true
	case name == "context.requestTime":
		return inv.received.UTC().Format("02/Jan/2006:15:04:05 -0700"), true
	case strings.HasPrefix(name, "context.authorizer."):
		return inv.authorizerVariable(strings.TrimPrefix(name, "context.authorizer."))
	}
	return "", false
}
