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
)

const (
	prefix           = "/2018-06-01/runtime/"
	invocationPrefix = "invocation/"
)

// route maps a request to its endpoint and, for the invocation
// endpoints, the request id in the path. It allocates nothing.
func route(method, path string) (endpoint, string) {
	rest, ok := strings.CutPrefix(path, prefix)
	if !ok {
		return endpointNotFound, ""
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
