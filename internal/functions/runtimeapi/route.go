package runtimeapi

import "strings"

type endpoint uint8

const (
	endpointNotFound endpoint = iota
	endpointMethodNotAllowed
	endpointNext
	endpointResponse
	endpointError
	endpointInitError
	endpointExtRegister
	endpointExtNext
	endpointExtInitError
	endpointExtExitError
	endpointTelemetrySubscribe
	endpointLogsSubscribe
	endpointSDK
)

const (
	prefix           = "/2018-06-01/runtime/"
	invocationPrefix = "invocation/"
	extensionPrefix  = "/2020-01-01/extension/"
	telemetryPath    = "/2022-07-01/telemetry"
	logsPath         = "/2020-08-15/logs"
)

// route maps a request to its endpoint and, for the invocation
// endpoints, the request id in the path (for endpointSDK, the package
// name). It allocates nothing.
func route(method, path string) (endpoint, string) {
	rest, ok := strings.CutPrefix(path, prefix)
	if !ok {
		if pkg, ok := sdkPackage(path); ok {
			if method != "POST" {
				return endpointMethodNotAllowed, ""
			}
			return endpointSDK, pkg
		}
		return routeExtension(method, path), ""
	}
	want := "POST"
	ep := endpointNotFound
	id := ""
	switch {
	case rest == "invocation/next":
		ep, want = endpointNext, "GET"
	case rest == "init/error":
		ep = endpointInitError
	case strings.HasPrefix(rest, invocationPrefix):
		rest = rest[len(invocationPrefix):]
		slash := strings.IndexByte(rest, '/')
		if slash <= 0 {
			return endpointNotFound, ""
		}
		id = rest[:slash]
		switch rest[slash+1:] {
		case "response":
			ep = endpointResponse
		case "error":
			ep = endpointError
		default:
			return endpointNotFound, ""
		}
	default:
		return endpointNotFound, ""
	}
	if method != want {
		return endpointMethodNotAllowed, ""
	}
	return ep, id
}

// routeExtension maps a request to an Extensions API endpoint.
func routeExtension(method, path string) endpoint {
	rest, ok := strings.CutPrefix(path, extensionPrefix)
	if !ok {
		return routeSubscription(method, path)
	}
	want, ep := "POST", endpointNotFound
	switch rest {
	case "register":
		ep = endpointExtRegister
	case "event/next":
		ep, want = endpointExtNext, "GET"
	case "init/error":
		ep = endpointExtInitError
	case "exit/error":
		ep = endpointExtExitError
	default:
		return endpointNotFound
	}
	if method != want {
		return endpointMethodNotAllowed
	}
	return ep
}

// routeSubscription maps a request to the Telemetry or Logs API's
// subscription endpoint (with or without a trailing slash, as AWS's
// reference writes the Telemetry API's both ways).
func routeSubscription(method, path string) endpoint {
	ep := endpointNotFound
	switch strings.TrimSuffix(path, "/") {
	case telemetryPath:
		ep = endpointTelemetrySubscribe
	case logsPath:
		ep = endpointLogsSubscribe
	default:
		return endpointNotFound
	}
	if method != "PUT" {
		return endpointMethodNotAllowed
	}
	return ep
}
