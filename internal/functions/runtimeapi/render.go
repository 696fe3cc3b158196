package runtimeapi

import (
	"encoding/json"
	"io"
	"net"
	"strconv"
	"time"
)

// The Runtime API's error types, as AWS's runtime interface names them.
const (
	errInvalidRequestID       = "InvalidRequestID"
	errInvalidStateTransition = "InvalidStateTransition"
	errRequestEntityTooLarge  = "RequestEntityTooLarge"
	errEnvironmentShutdown    = "Runtime.EnvironmentShutdown"
	errSDKUnavailable         = "Runtime.SDKUnavailable"
)

// msgEnvironmentShutdown answers a runtime whose environment is going
// away: AWS's "500 Container error. Non-recoverable state. Runtime should
// exit promptly."
const msgEnvironmentShutdown = "Execution environment is shutting down. Runtime should exit promptly."

// ErrorResponse is the body of a refused Runtime API request.
type ErrorResponse struct {
	ErrorMessage string `json:"errorMessage"`
	ErrorType    string `json:"errorType"`
}

var accepted = []byte(`{"status":"OK"}` + "\n")

func errorBody(typ, msg string) []byte {
	body, _ := json.Marshal(ErrorResponse{ErrorMessage: msg, ErrorType: typ})
	return append(body, '\n')
}

// refuseWith answers a refused request with its error document.
func (c *conn) refuseWith(req *request, status int, typ, msg string) bool {
	return c.refuse(req, status, "application/json", errorBody(typ, msg))
}

func (c *conn) accepted() bool {
	return c.reply(202, "application/json", accepted, false)
}

// tooLarge answers a body over the limit, and closes the connection: the
// rest of the body is not kept. The close lingers (the write side first,
// then what the client still sends is drained for a moment), so that the
// client reads the 413 instead of a connection reset.
func (c *conn) tooLarge() bool {
	c.reply(413, "application/json", errorBody(errRequestEntityTooLarge,
		"Exceeded maximum allowed payload size ("+strconv.Itoa(MaxResponseBytes)+" bytes)."), true)
	if tc, ok := c.nc.(*net.TCPConn); ok {
		tc.CloseWrite()
		tc.SetReadDeadline(time.Now().Add(time.Second))
		io.CopyN(io.Discard, c.br, 4*MaxResponseBytes)
	}
	return false
}
