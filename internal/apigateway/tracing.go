package apigateway

import (
	"encoding/json"
	"strings"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/traceheader"
)

// Traces is where the segments of traced requests go: X-Ray's
// asynchronous writer.
type Traces interface {
	Record(doc []byte) bool
	// Sample applies the account's X-Ray sampling rules to a request
	// whose caller did not decide whether to trace it.
	Sample(req traceheader.SamplingRequest) bool
}

// startTrace begins the stage's segment for a request to a stage with
// TracingEnabled, unless the caller's trace header says Sampled=0 or,
// saying nothing, the account's X-Ray sampling rules do not sample it
// (ServiceName API/stage, ServiceType AWS::ApiGateway::Stage, the
// request's host, method and path, the stage's ARN): the request's
// trace header becomes Root=ROOT;Parent=SEGMENT;Sampled=1, which is what
// the integration receives (the X-Amzn-Trace-Id header of an HTTP
// integration, the trace of a Lambda invocation); a request the rules do
// not sample is passed on with Sampled=0.
func (s *Service) startTrace(req *request) {
	if s.traces == nil {
		return
	}
	var root, sampled string
	for _, part := range strings.Split(req.traceID, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Root":
			root = v
		case "Parent":
			req.parentID = v
		case "Sampled":
			sampled = v
		}
	}
	if sampled == "0" || root == "" {
		return
	}
	if sampled == "" && !s.traces.Sample(traceheader.SamplingRequest{
		ServiceName: req.deployment.API.Name + "/" + req.stage, ServiceType: "AWS::ApiGateway::Stage",
		Host: req.r.Host, HTTPMethod: req.r.Method, URLPath: req.r.URL.Path, ResourceARN: s.stageARN(req)}) {
		// The integration is told, so that nothing downstream records it.
		req.traceID = traceheader.With(req.traceID, "Sampled", "0")
	} else {
		req.segmentID = s.ids.Hex(8)
		req.traceID = "Root=" + root + ";Parent=" + req.segmentID + ";Sampled=1"
	}
	// Lambda reads the trace header of the call its context carries, as
	// the upstream header the stage sent it.
	r := req.r.Clone(req.r.Context())
	r.Header.Set("X-Amzn-Trace-Id", req.traceID)
	c := awsproto.NewCall(r, req.requestID, req.started)
	c.TraceID = req.traceID
	req.r = r.WithContext(c.Context())
}

// stageARN is the ARN of the stage a request came to, as X-Ray names it.
func (s *Service) stageARN(req *request) string {
	return "arn:aws:apigateway:" + s.region + "::/restapis/" + req.apiID + "/stages/" + req.stage
}

// writeTrace writes the stage's segment, as API Gateway documents it: named
// API/stage, with the request and response, the stage's api_gateway
// resource data and the aws:api_id and aws:api_stage annotations.
func (s *Service) writeTrace(req *request, rec *responseRecorder) {
	if req.segmentID == "" {
		return
	}
	root, _, _ := strings.Cut(strings.TrimPrefix(req.traceID, "Root="), ";")
	status := rec.status
	if status == 0 {
		status = 200
	}
	end := s.clock.Now()
	seg := map[string]any{
		"name": req.deployment.API.Name + "/" + req.stage, "id": req.segmentID, "trace_id": root,
		"origin": "AWS::ApiGateway::Stage", "start_time": epoch(req.started.UnixMicro()), "end_time": epoch(end.UnixMicro()),
		"resource_arn": s.stageARN(req),
		"http": map[string]any{
			"request":  map[string]any{"method": req.r.Method, "url": "https://" + req.r.Host + req.r.URL.RequestURI(), "client_ip": sourceIP(req.r), "user_agent": req.r.UserAgent()},
			"response": map[string]any{"status": status, "content_length": rec.length},
		},
		"aws":         map[string]any{"api_gateway": map[string]any{"account_id": s.account, "rest_api_id": req.apiID, "stage": req.stage, "request_id": req.requestID}},
		"annotations": map[string]any{"aws:api_id": req.apiID, "aws:api_stage": req.stage},
		"metadata":    map[string]any{"default": map[string]any{"extended_request_id": req.extendedID, "request_id": req.requestID}},
	}
	if req.parentID != "" {
		seg["parent_id"] = req.parentID
	}
	switch {
	case status == 429:
		seg["error"], seg["throttle"] = true, true
	case status >= 500:
		seg["fault"] = true
	case status >= 400:
		seg["error"] = true
	}
	if b, err := json.Marshal(seg); err == nil {
		s.traces.Record(b)
	}
}

// epoch is microseconds since the epoch in X-Ray's floating-point seconds.
func epoch(us int64) float64 { return float64(us) / 1e6 }
