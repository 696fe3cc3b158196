package apigateway

import (
	"fmt"
	"maps"
	"mime"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// selectIntegrationResponse picks the integration response for a status:
// the first (by status code) whose selectionPattern matches it whole,
// else the default one, which has no pattern.
func selectIntegrationResponse(ig *integration, status string) *integrationResponse {
	var def *integrationResponse
	for _, code := range slices.Sorted(maps.Keys(ig.Responses)) {
		ir := ig.Responses[code]
		if ir.SelectionPattern == "" {
			if def == nil {
				def = ir
			}
			continue
		}
		if MatchesWhole(ir.SelectionPattern, status) {
			return ir
		}
	}
	return def
}

// MatchesWhole reports whether pattern, a regular expression as API
// Gateway takes them (an integration response's selection pattern, a
// TOKEN authorizer's identity validation expression), matches the whole
// of s. A pattern that does not compile matches nothing.
func MatchesWhole(pattern, s string) bool {
	re, err := regexp.Compile("^(?:" + pattern + ")$")
	return err == nil && re.MatchString(s)
}

// responseTemplate picks an integration response's template for the
// request's Accept header (application/json when it names none of them)
// and returns its content type and text.
func responseTemplate(ir *integrationResponse, accept string) (string, string) {
	for _, part := range strings.Split(accept, ",") {
		mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		if t, ok := ir.ResponseTemplates[mt]; ok {
			return mt, t
		}
	}
	if t, ok := ir.ResponseTemplates["application/json"]; ok {
		return "application/json", t
	}
	for _, mt := range slices.Sorted(maps.Keys(ir.ResponseTemplates)) {
		return mt, ir.ResponseTemplates[mt]
	}
	return "application/json", ""
}

// mappingValue evaluates a parameter mapping expression: a 'static value',
// method.request.{header,querystring,path}.NAME,
// method.request.multivalue{header,querystring}.NAME (the values joined
// by commas), method.request.body (or a JSONPath into it:
// method.request.body.a.b), stageVariables.NAME or context.VARIABLE.
func (req *request) mappingValue(expr string) (string, bool) {
	if len(expr) >= 2 && expr[0] == '\'' && expr[len(expr)-1] == '\'' {
		return expr[1 : len(expr)-1], true
	}
	switch {
	case strings.HasPrefix(expr, "method.request.header."):
		// A header the client did not send maps to nothing, not to "".
		vs := req.r.Header.Values(strings.TrimPrefix(expr, "method.request.header."))
		if len(vs) == 0 {
			return "", false
		}
		return vs[0], true
	case strings.HasPrefix(expr, "method.request.querystring."):
		single, _ := eventQuery(req.r.URL.RawQuery)
		v, ok := single[strings.TrimPrefix(expr, "method.request.querystring.")]
		return v, ok
	case strings.HasPrefix(expr, "method.request.path."):
		v, ok := req.match.params[strings.TrimPrefix(expr, "method.request.path.")]
		return v, ok
	case strings.HasPrefix(expr, "stageVariables."):
		v, ok := req.stageVars[strings.TrimPrefix(expr, "stageVariables.")]
		return v, ok
	case strings.HasPrefix(expr, "method.request.multivalueheader."):
		vs := req.r.Header.Values(strings.TrimPrefix(expr, "method.request.multivalueheader."))
		return strings.Join(vs, ","), len(vs) > 0
	case strings.HasPrefix(expr, "method.request.multivaluequerystring."):
		_, multi := eventQuery(req.r.URL.RawQuery)
		vs, ok := multi[strings.TrimPrefix(expr, "method.request.multivaluequerystring.")]
		return strings.Join(vs, ","), ok
	case strings.HasPrefix(expr, "context."):
		return req.contextValue(strings.TrimPrefix(expr, "context."))
	case expr == "method.request.body":
		return string(req.body), true
	case strings.HasPrefix(expr, "method.request.body."):
		return jsonPathValue(req.body, "$"+strings.TrimPrefix(expr, "method.request.body"))
	}
	return "", false
}

// contextValue is $context.NAME of a parameter mapping: the request's
// own values, and what a Lambda authorizer returned.
func (req *request) contextValue(name string) (string, bool) {
	switch name {
	case "requestId":
		return req.requestID, true
	case "extendedRequestId":
		return req.extendedID, true
	case "apiId":
		return req.apiID, true
	case "stage":
		return req.stage, true
	case "httpMethod":
		return req.r.Method, true
	case "path":
		return "/" + req.stage + req.path, true
	case "resourcePath":
		return req.match.node.template, true
	case "resourceId":
		return req.match.node.res.ID, true
	case "identity.sourceIp":
		return sourceIP(req.r), true
	case "identity.userAgent":
		return req.r.UserAgent(), true
	case "identity.accountId", "identity.accessKey", "identity.caller", "identity.user", "identity.userArn":
		if c := req.caller; c != nil {
			switch name {
			case "identity.accountId":
				return c.Account, true
			case "identity.accessKey":
				return c.AccessKeyID, true
			case "identity.userArn":
				return c.ARN, true
			}
			return c.UserID, true
		}
	case "requestTimeEpoch":
		return strconv.FormatInt(req.started.UnixMilli(), 10), true
	}
	if key, ok := strings.CutPrefix(name, "authorizer."); ok {
		return authorizerValue(req.authorizer, key)
	}
	return "", false
}

// authorizerValue is $context.authorizer.KEY: a value of a Lambda
// authorizer's context, or with claims.NAME a claim of a Cognito user
// pool's token (the claims map the authorizer stored).
func authorizerValue(auth map[string]any, key string) (string, bool) {
	if v, ok := auth[key]; ok && v != nil {
		return fmt.Sprint(v), true
	}
	if claim, ok := strings.CutPrefix(key, "claims."); ok {
		if claims, ok := auth["claims"].(map[string]string); ok {
			v, ok := claims[claim]
			return v, ok
		}
	}
	return "", false
}
