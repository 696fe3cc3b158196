package apigateway

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/virga/virga/internal/accesslog"
)

// Execution logs. A REST API stage whose method settings set
// LoggingLevel INFO or ERROR has API Gateway write the lines of each
// request's execution to the log group
// API-Gateway-Execution-Logs_{restApiId}/{stageName}, each starting
// with "(requestId) ". INFO writes every request's lines, ERROR only
// those of requests that failed (answered 4xx or 5xx); the lines that
// carry the request's and the response's data (headers, bodies) are
// written only with DataTraceEnabled, the credentials among the
// headers redacted (redactedHeaders). A method's own setting overrides
// the stage's "*/*" one. The lines go where access logs go (the same
// Sink), once the request is answered; requests that match no method log
// nothing.

// maxExecutionLogEvent bounds an execution log line: "API Gateway
// currently limits log events to 1024 bytes. Log events larger than
// 1024 bytes, such as request and response bodies, will be truncated by
// API Gateway before submission to CloudWatch Logs."
const maxExecutionLogEvent = 1024

// executionLogGroup is the log group of a stage's execution logs.
func executionLogGroup(apiID, stage string) string {
	return "API-Gateway-Execution-Logs_" + apiID + "/" + stage
}

// executionLine is one line of a request's execution log.
type executionLine struct {
	at   time.Time
	text string
	data bool // written only with DataTraceEnabled
}

// stageLogs reports whether any of a stage's method settings turns
// execution logging on.
func stageLogs(settings map[string]MethodSetting) bool {
	for _, ms := range settings {
		if l := deref(ms.LoggingLevel); l == "INFO" || l == "ERROR" {
			return true
		}
	}
	return false
}

// methodLogging is the logging level and data trace setting a stage's
// method settings give a method: its own, else the stage's "*/*".
func methodLogging(settings map[string]MethodSetting, resourcePath, verb string) (level string, dataTrace bool) {
	for _, m := range [][2]string{{"*", "*"}, {resourcePath, verb}} {
		ms, ok := methodSettingFor(settings, m[0], m[1])
		if !ok {
			continue
		}
		if ms.LoggingLevel != nil {
			level = *ms.LoggingLevel
		}
		if ms.DataTraceEnabled != nil {
			dataTrace = *ms.DataTraceEnabled
		}
	}
	return level, dataTrace
}

// logExecution adds a line to the request's execution log, if its stage
// logs executions.
func (s *Service) logExecution(req *request, data bool, format string, args ...any) {
	if !req.logsExecution {
		return
	}
	req.execution = append(req.execution, executionLine{at: s.clock.Now(), text: fmt.Sprintf(format, args...), data: data})
}

// logUsagePlan writes the lines of the usage plan check, once the
// request is authorized.
func (s *Service) logUsagePlan(req *request) {
	if !req.logsExecution {
		return
	}
	stage := req.apiID + "/" + req.stage
	// The key, starred, followed by a space; nothing without one.
	key := maskKey(req.apiKey())
	if key != "" {
		key += " "
	}
	s.logExecution(req, false, "Verifying Usage Plan for request: %s. API Key: %sAPI Stage: %s", req.requestID, key, stage)
	if !req.match.method.APIKeyRequired {
		s.logExecution(req, false, "API Key %sauthorized because method '%s %s' does not require API Key. Request will not contribute to throttle or quota limits",
			key, req.r.Method, req.match.node.template)
	}
	s.logExecution(req, false, "Usage Plan check succeeded for API Key %sand API Stage %s", key, stage)
}

// logMethodRequest writes the lines that start a method's execution: the
// method and the method request's data.
func (s *Service) logMethodRequest(req *request) {
	if !req.logsExecution {
		return
	}
	s.logExecution(req, false, "Starting execution for request: %s", req.requestID)
	s.logExecution(req, false, "HTTP Method: %s, Resource Path: %s", req.r.Method, req.path)
	s.logExecution(req, true, "Method request path: %s", logMap(req.match.params))
	s.logExecution(req, true, "Method request query string: %s", logValues(req.r.URL.Query()))
	headers := url.Values(req.r.Header.Clone())
	headers.Set("Host", req.r.Host)
	for _, name := range redactedHeaders {
		for i, v := range headers[name] {
			headers[name][i] = maskKey(v)
		}
	}
	s.logExecution(req, true, "Method request headers: %s", logValues(headers))
	s.logExecution(req, true, "Method request body before transformations: %s", req.body)
}

// redactedHeaders are the request headers whose values execution logs
// show starred but for their last four characters, as API Gateway
// redacts authorization header values and API keys: the credentials a
// request carries.
var redactedHeaders = []string{"Authorization", "X-Api-Key", "X-Amz-Security-Token"}

// logEndpointRequest writes the lines of a call to the integration's
// endpoint, before it is sent.
func (s *Service) logEndpointRequest(req *request, uri string, body []byte) {
	s.logExecution(req, true, "Endpoint request URI: %s", uri)
	s.logExecution(req, true, "Endpoint request body after transformations: %s", body)
	s.logExecution(req, false, "Sending request to %s", uri)
}

// lambdaEndpoint is the URI API Gateway calls a function at.
func (s *Service) lambdaEndpoint(fn string) string {
	return "https://lambda." + s.region + ".amazonaws.com/2015-03-31/functions/" + fn + "/invocations"
}

// writeExecutionLog writes a request's execution log, once it is
// answered, as its method's settings say.
func (s *Service) writeExecutionLog(req *request, rec *responseRecorder, e *gatewayError) {
	if s.logs == nil || !req.logsExecution || req.match.node == nil {
		return
	}
	level, dataTrace := methodLogging(req.methodSettings, req.match.node.template, req.r.Method)
	if level != "INFO" && !(level == "ERROR" && rec.status >= 400) {
		return
	}
	s.logMethodResponse(req, rec.status, rec.Header(), rec.body, e)
	group, stream := executionLogGroup(req.apiID, req.stage), accesslog.Stream(req.apiID, req.stage)
	prefix := "(" + req.requestID + ") "
	for _, l := range req.execution {
		if l.data && !dataTrace {
			continue
		}
		line := prefix + l.text
		if len(line) > maxExecutionLogEvent {
			line = line[:maxExecutionLogEvent] + " [TRUNCATED]"
		}
		if s.logs.Write(group, stream, l.at, line) != nil {
			return // logging never fails a request
		}
	}
}

// logMethodResponse writes the lines that end a method's execution: the
// response's data, and how it ended (e, when API Gateway answered).
func (s *Service) logMethodResponse(req *request, status int, header http.Header, body []byte, e *gatewayError) {
	s.logExecution(req, true, "Method response body after transformations: %s", body)
	s.logExecution(req, true, "Method response headers: %s", logValues(url.Values(header)))
	if e != nil {
		s.logExecution(req, false, "Gateway response type: %s with status code: %d", errorResponseType(e), e.status)
	} else {
		s.logExecution(req, false, "Successfully completed execution")
	}
	s.logExecution(req, false, "Method completed with status: %d", status)
}

// maskKey is an API key as execution logs show it: all but its last
// four characters starred.
func maskKey(key string) string {
	if len(key) <= 4 {
		return key
	}
	return strings.Repeat("*", len(key)-4) + key[len(key)-4:]
}

// logMap is a map as execution logs show it: {k1=v1, k2=v2}.
func logMap(m map[string]string) string {
	parts := make([]string, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, k+"="+m[k])
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// logValues is a multi-valued map (headers, a query string) as execution
// logs show it, several values of one name joined with commas.
func logValues(v url.Values) string {
	m := make(map[string]string, len(v))
	for k, vs := range v {
		m[k] = strings.Join(vs, ",")
	}
	return logMap(m)
}
