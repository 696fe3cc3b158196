package apigatewayv2

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// invokeLambda runs a Lambda proxy integration.
func (s *Service) invokeLambda(inv *invocation, integ *integrationRecord) *response {
	fn, ok := lambdaFunction(withStageVariables(integ.URI, inv.stage.Variables))
	if !ok {
		s.log.Warn("apigatewayv2: integration URI names no function", "api", inv.api.ID, "integration", integ.ID,
			"uri", integ.URI, "requestId", inv.requestID)
		return gatewayResponse(http.StatusInternalServerError)
	}
	var event any
	if integ.PayloadFormatVersion == "1.0" {
		event = s.buildEventV1(inv)
	} else {
		event = s.buildEventV2(inv)
	}
	payload, err := marshalEvent(event)
	if err != nil {
		return gatewayResponse(http.StatusInternalServerError)
	}
	if s.permitted != nil {
		if err := s.permitted(inv.r.Context(), fn, s.integrationSource(inv), integ.CredentialsArn); err != nil {
			s.log.Info("apigatewayv2: API Gateway may not invoke the integration's function", "api", inv.api.ID,
				"function", fn, "err", err, "requestId", inv.requestID)
			inv.integration.err = errIntegrationPermission
			return gatewayResponse(http.StatusInternalServerError)
		}
	}
	timeout := time.Duration(integ.TimeoutMillis) * time.Millisecond
	start := s.clock.Now()
	out, err := s.callFunction(inv.r.Context(), fn, payload, timeout)
	s.integrationDone(inv, start, 0)
	var fe *functionError
	if err == nil || errors.As(err, &fe) {
		// Lambda ran the function: its own status is 200.
		inv.integration.lambdaStatus = http.StatusOK
	}
	if err == errIntegrationTimeout {
		s.log.Info("apigatewayv2: Lambda integration timed out", "api", inv.api.ID, "function", fn,
			"timeout", timeout, "requestId", inv.requestID)
		return gatewayResponse(http.StatusServiceUnavailable)
	}
	if err != nil {
		s.log.Warn("apigatewayv2: Lambda integration failed", "api", inv.api.ID, "function", fn,
			"err", err, "requestId", inv.requestID)
		return gatewayResponse(http.StatusInternalServerError)
	}
	res, err := lambdaResponse(integ.PayloadFormatVersion, out)
	if err != nil {
		s.log.Warn("apigatewayv2: Lambda integration's response", "api", inv.api.ID, "function", fn,
			"err", err, "requestId", inv.requestID)
		return gatewayResponse(http.StatusInternalServerError)
	}
	inv.integration.status = res.status
	if res.header.Get("Content-Type") == "" {
		// A function's response object that names no type is sent as
		// text: HTTP APIs (either payload format) answer it with
		// text/plain; charset=utf-8.
		res.header.Set("Content-Type", defaultProxyContentType)
	}
	return res
}

// errIntegrationPermission is what the access log's
// $context.integrationErrorMessage tells of an integration's function API
// Gateway may not invoke; errAuthorizerPermission is AWS's wording of
// the same for a Lambda authorizer (virga's log only).
const (
	errIntegrationPermission = "The IAM role configured on the integration or API Gateway doesn't have permissions to call the integration. Check the permissions and try again."
	errAuthorizerPermission  = "The IAM role configured on the authorizer or API Gateway doesn't have permissions to call the authorizer. Check the permissions and try again."
)

// integrationSource is the ARN API Gateway invokes a route's function
// for, which the function's policy must allow (aws:SourceArn):
// arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/METHOD/PATH, with the
// route key's method ("*" for ANY) and path, or API/STAGE/$default for
// the $default route.
func (s *Service) integrationSource(inv *invocation) string {
	prefix := "arn:aws:execute-api:" + s.region + ":" + s.account + ":" + inv.api.ID + "/" + inv.stage.Name + "/"
	method, path, ok := strings.Cut(inv.route.Key, " ")
	if !ok {
		return prefix + inv.route.Key
	}
	if method == "ANY" {
		method = "*"
	}
	return prefix + method + "/" + strings.TrimPrefix(path, "/")
}

// authorizerSource is the ARN API Gateway invokes a Lambda authorizer's
// function for: arn:aws:execute-api:REGION:ACCOUNT:API/authorizers/ID.
func (s *Service) authorizerSource(inv *invocation, id string) string {
	return "arn:aws:execute-api:" + s.region + ":" + s.account + ":" + inv.api.ID + "/authorizers/" + id
}

// defaultProxyContentType is the Content-Type an HTTP API gives a Lambda
// proxy response that sets none.
const defaultProxyContentType = "text/plain; charset=utf-8"

// errIntegrationTimeout is an integration that did not answer within its
// TimeoutInMillis.
var errIntegrationTimeout = errors.New("integration timed out")

// marshalEvent encodes an event as API Gateway does, without escaping
// HTML's special characters.
func marshalEvent(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// functionError is a function that ran and failed.
type functionError struct{ kind, payload string }

func (e *functionError) Error() string {
	return fmt.Sprintf("function error %s: %s", e.kind, e.payload)
}

// callFunction invokes a function and waits up to timeout for its result.
// A function still running then goes on (as it does on AWS, where the
// integration's timeout does not stop the function); the caller gets
// errIntegrationTimeout. A function's own error is a *functionError.
func (s *Service) callFunction(ctx context.Context, fn string, payload []byte, timeout time.Duration) ([]byte, error) {
	type result struct {
		out  []byte
		kind string
		err  error
	}
	done := make(chan result, 1)
	go func() {
		// The invocation outlives the request when it times out, so it
		// does not take the request's cancellation.
		out, kind, err := s.functions.InvokeSync(context.WithoutCancel(ctx), fn, payload)
		done <- result{out, kind, err}
	}()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case r := <-done:
		if r.err != nil {
			return nil, r.err
		}
		if r.kind != "" {
			return nil, &functionError{kind: r.kind, payload: string(r.out)}
		}
		return r.out, nil
	case <-timer.C:
		return nil, errIntegrationTimeout
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
