package apigatewayv2

import (
	"encoding/json"
	"strconv"
	"strings"
)

// WebSocket route selection. A WebSocket API names, in its route
// selection expression, the member of a message's JSON body whose value
// is the route key of the message:
//
//	expression = "$request.body." path | "${request.body." path "}"
//	path       = name ("." name)*
//
// A message that is not a JSON object, lacks the member, or has a value
// that no route's key equals goes to the $default route.

// protocolWebSocket is a WebSocket API's ProtocolType.
const protocolWebSocket = "WEBSOCKET"

// The routes API Gateway itself gives meaning to in a WebSocket API.
const (
	routeConnect    = "$connect"
	routeDisconnect = "$disconnect"
)

// webSocketRouteSelection checks a WebSocket API's route selection
// expression and returns it as given.
func webSocketRouteSelection(rse string) (string, error) {
	if _, ok := parseBodySelection(rse); !ok {
		return "", badRequest("Invalid route selection expression %s: a WebSocket API routes by a member of the message body, as in $request.body.action.", rse)
	}
	return rse, nil
}

// parseBodySelection returns the member path a $request.body selection
// expression names.
func parseBodySelection(expr string) ([]string, bool) {
	var path string
	switch {
	case strings.HasPrefix(expr, "${request.body.") && strings.HasSuffix(expr, "}"):
		path = strings.TrimSuffix(strings.TrimPrefix(expr, "${request.body."), "}")
	case strings.HasPrefix(expr, "$request.body."):
		path = strings.TrimPrefix(expr, "$request.body.")
	default:
		return nil, false
	}
	names := strings.Split(path, ".")
	for _, n := range names {
		if n == "" || strings.ContainsAny(n, "${} \t") {
			return nil, false
		}
	}
	return names, true
}

// selectRouteKey evaluates a route selection expression against a
// message body, and reports false when it selects nothing (the message
// is not JSON, or has no such member).
func selectRouteKey(expr string, body []byte) (string, bool) {
	path, ok := parseBodySelection(expr)
	if !ok {
		return "", false
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return "", false
	}
	for _, name := range path {
		obj, ok := v.(map[string]any)
		if !ok {
			return "", false
		}
		if v, ok = obj[name]; !ok {
			return "", false
		}
	}
	switch x := v.(type) {
	case string:
		return x, true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(x), true
	}
	return "", false
}
