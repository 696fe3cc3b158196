package apigateway

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/virga/virga/internal/accesslog"
)

// responseRecorder passes a response on, noting its status and the
// length of its body for the access log, and the body's start for the
// execution log.
type responseRecorder struct {
	http.ResponseWriter
	status int
	length int
	body   []byte // the first maxExecutionLogEvent bytes
}

func (r *responseRecorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *responseRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	if keep := maxExecutionLogEvent - len(r.body); keep > 0 {
		r.body = append(r.body, b[:min(keep, n)]...)
	}
	r.length += n
	return n, err
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (r *responseRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// writeAccessLog writes the access log line of a request to a stage that
// has access log settings naming a log group, once it is answered; e is
// API Gateway's own answer, if it gave one. Requests that reach no stage
// log nothing, as on AWS, and a line that cannot be written is dropped:
// access logging never fails a request.
func (s *Service) writeAccessLog(req *request, rec *responseRecorder, e *gatewayError) {
	if s.logs == nil || req.accessLog == nil {
		return
	}
	group, ok := accesslog.GroupName(deref(req.accessLog.DestinationArn))
	format := deref(req.accessLog.Format)
	if !ok || format == "" {
		return
	}
	now := s.clock.Now()
	line := accesslog.Render(format, func(name string) string {
		switch name {
		case "status":
			return strconv.Itoa(rec.status)
		case "responseLength":
			return strconv.Itoa(rec.length)
		case "responseLatency":
			return strconv.FormatInt(now.Sub(req.started).Milliseconds(), 10)
		case "requestTime":
			return accesslog.RequestTime(req.started)
		case "protocol":
			return req.r.Proto
		case "domainName":
			return req.r.Host
		case "accountId":
			return s.account
		case "integration.latency", "integrationLatency":
			if req.integrated {
				return strconv.FormatInt(req.integrationLatency.Milliseconds(), 10)
			}
			return ""
		case "integration.status":
			if req.integrationStatus != 0 {
				return strconv.Itoa(req.integrationStatus)
			}
			return ""
		case "integrationStatus", "integration.integrationStatus":
			// For a Lambda proxy integration, Lambda's status, not
			// the function's.
			if req.lambdaStatus != 0 {
				return strconv.Itoa(req.lambdaStatus)
			}
			if req.integrationStatus != 0 {
				return strconv.Itoa(req.integrationStatus)
			}
			return ""
		case "error.responseType":
			return errorResponseType(e)
		case "error.message":
			return errorMessage(e)
		case "error.messageString":
			if m := errorMessage(e); m != "" {
				return strconv.Quote(m)
			}
			return ""
		}
		if req.match.node == nil {
			// No resource matched: only the request's own values.
			switch name {
			case "resourcePath", "resourceId":
				return ""
			}
		}
		v, _ := req.contextValue(name)
		return v
	})
	_ = s.logs.Write(group, accesslog.Stream(req.apiID, req.stage), now, line)
}

// errorMessage is the message of API Gateway's own answer, "" when there
// was none.
func errorMessage(e *gatewayError) string {
	if e == nil {
		return ""
	}
	var doc map[string]any
	if json.Unmarshal([]byte(e.body), &doc) != nil {
		return ""
	}
	for _, k := range []string{"message", "Message"} {
		if m, ok := doc[k].(string); ok {
			return m
		}
	}
	return ""
}

// errorResponseType is the gateway response type of API Gateway's own
// answer: its own, or DEFAULT_4XX or DEFAULT_5XX by its status.
func errorResponseType(e *gatewayError) string {
	switch {
	case e == nil:
		return ""
	case e.responseType != "":
		return e.responseType
	case e.status >= 500:
		return "DEFAULT_5XX"
	}
	return "DEFAULT_4XX"
}
