package apigatewayv2

import (
	"context"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/virga/virga/internal/apigateway"
)

// A WebSocket route's AWS integration (IntegrationType AWS) calls an AWS
// service's API, as REST APIs' AWS integrations do and with their
// mechanism (package apigateway): the integration's request template,
// picked by its template selection expression, turns the message into
// the service's request, which goes to the action or path the
// integration's URI names (arn:aws:apigateway:REGION:sns:action/Publish)
// with the headers its request parameters set. The integration response
// whose key matches the service's status code (/2\d\d/, or $default)
// renders the answer with its response template; a two-way route sends
// it back to the client.

// maxServiceAnswer bounds what virga reads of a service's answer: a
// WebSocket message's 128 KB.
const maxServiceAnswer = 128 * 1024

// wsAWSIntegration runs an AWS integration with a message's event.
func (s *Service) wsAWSIntegration(ctx context.Context, integ *integrationRecord, st *stageRecord, ev *wsEvent) *response {
	service, action, path, ok := apigateway.ParseServiceURI(integ.URI)
	if !ok || s.aws == nil {
		return wsFailure()
	}
	var vars map[string]string
	if st != nil {
		vars = st.Variables
	}
	var message []byte
	if ev.Body != nil {
		message = []byte(*ev.Body)
	}
	body := message
	if tmpl, ok := selectTemplate(integ.RequestTemplates, integ.TemplateSelection, message); ok {
		out, err := apigateway.RenderTemplate(tmpl, message, ev.RequestContext, vars)
		if err != nil {
			s.log.Info("apigatewayv2: WebSocket request template failed", "api", ev.RequestContext.APIID,
				"integration", integ.ID, "err", err, "requestId", ev.RequestContext.RequestID)
			return wsFailure()
		}
		body = []byte(out)
	} else if integ.PassthroughBehavior == "NEVER" {
		return wsFailure()
	}
	header := http.Header{"Content-Type": {"application/json"}}
	for k, v := range integ.RequestParameters {
		if name, ok := strings.CutPrefix(k, "integration.request.header."); ok {
			header.Set(name, strings.Trim(v, "'"))
		}
	}
	ctx, cancel := context.WithTimeout(ctx, time.Duration(integ.TimeoutMillis)*time.Millisecond)
	defer cancel()
	res, err := s.aws.Do(ctx, apigateway.AWSRequest{Service: service, Action: action, Path: withStageVariables(path, vars),
		Method: integ.Method, Header: header, Body: body, Role: integ.CredentialsArn})
	if err != nil {
		s.log.Info("apigatewayv2: WebSocket AWS integration failed", "api", ev.RequestContext.APIID,
			"integration", integ.ID, "err", err, "requestId", ev.RequestContext.RequestID)
		return wsFailure()
	}
	defer res.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(res.Body, maxServiceAnswer+1))
	if err != nil || len(answer) > maxServiceAnswer {
		return wsFailure()
	}
	out := &response{status: http.StatusOK, header: http.Header{}, body: answer}
	if ir := integrationResponseFor(integ, res.StatusCode); ir != nil {
		if tmpl, ok := selectTemplate(ir.ResponseTemplates, ir.TemplateSelection, answer); ok {
			rendered, err := apigateway.RenderTemplate(tmpl, answer, ev.RequestContext, vars)
			if err != nil {
				return wsFailure()
			}
			out.body = []byte(rendered)
		}
	}
	return out
}

// selectTemplate picks a mapping template: the one keyed by what the
// template selection expression evaluates to against the payload (a
// $request.body member, or the expression's text), else $default.
func selectTemplate(templates map[string]string, expr string, payload []byte) (string, bool) {
	if t, ok := templates[selectionKey(expr, payload)]; ok {
		return t, true
	}
	t, ok := templates[defaultRouteKey]
	return t, ok
}

// selectionKey is what a template or model selection expression
// evaluates to against a payload: a $request.body member, or the
// expression's text, with \$ standing for $.
func selectionKey(expr string, payload []byte) string {
	if key, ok := selectRouteKey(expr, payload); ok {
		return key
	}
	return strings.ReplaceAll(expr, `\$`, "$")
}

// integrationResponseFor is the integration response whose key, a
// /regular expression/, matches the service's status code, else the
// $default one.
func integrationResponseFor(integ *integrationRecord, status int) *integrationResponseRecord {
	code := strconv.Itoa(status)
	var fallback *integrationResponseRecord
	for _, id := range slices.Sorted(maps.Keys(integ.Responses)) {
		ir := integ.Responses[id]
		if ir.Key == defaultRouteKey {
			fallback = ir
			continue
		}
		pattern, ok := strings.CutPrefix(ir.Key, "/")
		pattern, ok2 := strings.CutSuffix(pattern, "/")
		if !ok || !ok2 {
			continue
		}
		if apigateway.MatchesWhole(pattern, code) {
			return ir
		}
	}
	return fallback
}
