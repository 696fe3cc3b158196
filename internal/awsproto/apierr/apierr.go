package apierr

import (
	"errors"
	"fmt"
)

// Error is an AWS error as a client sees it.
type Error struct {
	// Code is AWS's error code, such as "ResourceNotFoundException".
	Code string
	// Status is the HTTP status code AWS answers this error with.
	Status int
	// Message is the human-readable message. AWS's wording is kept where
	// it is known, because users search for it.
	Message string
	// Fault reports a server-side failure ("Receiver" in awsQuery error
	// bodies); false means the client is at fault ("Sender").
	Fault bool
	// Details, when not nil, is a struct whose members are encoded into the
	// error body beside the message (DynamoDB's CancellationReasons, for
	// example), with the same rules as an operation's output.
	Details any
	// Headers are extra response headers that carry part of the error, such
	// as Lambda's X-Amz-Function-Error.
	Headers map[string]string
	// QueryCode is the code a service that moved from awsQuery to awsJson
	// (SQS) still reports for awsQuery clients, in awsQuery error bodies
	// and awsJson's X-Amzn-Query-Error header, when it differs from Code:
	// SQS's QueueDoesNotExist is "AWS.SimpleQueueService.NonExistentQueue".
	QueryCode string
}

// CodeForQuery returns the code awsQuery clients see.
func (e *Error) CodeForQuery() string {
	if e.QueryCode != "" {
		return e.QueryCode
	}
	return e.Code
}

// New declares an error. It is meant for package-level error tables.
func New(code string, status int, message string) *Error {
	return &Error{Code: code, Status: status, Message: message}
}

// Error implements the error interface as "Code: Message".
func (e *Error) Error() string {
	if e.Message == "" {
		return e.Code
	}
	return e.Code + ": " + e.Message
}

// Is reports whether target is an *Error with the same code, so that
// errors.Is(err, ErrResourceNotFound) holds for copies with other messages.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// WithMessage returns a copy of e with another message.
func (e *Error) WithMessage(message string) *Error {
	c := *e
	c.Message = message
	return &c
}

// Withf returns a copy of e with a formatted message.
func (e *Error) Withf(format string, args ...any) *Error {
	return e.WithMessage(fmt.Sprintf(format, args...))
}

// WithDetails returns a copy of e carrying details for the error body.
func (e *Error) WithDetails(details any) *Error {
	c := *e
	c.Details = details
	return &c
}

// As returns the *Error in err's chain, or nil if there is none.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// Errors common to every service, with AWS's codes. A service with its own
// spelling of one of these (STS says "ValidationError", DynamoDB
// "ValidationException") declares its own value.
var (
	// ErrInternal is what a client sees for any failure that is not an
	// *Error: a bug, a panic, a store that failed.
	ErrInternal = &Error{Code: "InternalFailure", Status: 500, Message: "The request processing has failed because of an unknown error, exception or failure.", Fault: true}
	// ErrServiceUnavailable is returned while virga is shutting down.
	ErrServiceUnavailable = &Error{Code: "ServiceUnavailable", Status: 503, Message: "The request has failed due to a temporary failure of the server.", Fault: true}
	// ErrUnknownOperation is returned for an operation a service does not have.
	ErrUnknownOperation = New("UnknownOperationException", 400, "")
	// ErrInvalidAction is the awsQuery spelling of an unknown operation.
	ErrInvalidAction = New("InvalidAction", 400, "")
	// ErrMissingAction is returned for an awsQuery request without Action.
	ErrMissingAction = New("MissingAction", 400, "Missing Action")
	// ErrSerialization is returned when a JSON body is not valid JSON or a
	// member has the wrong type.
	ErrSerialization = New("SerializationException", 400, "")
	// ErrMalformedQueryString is returned for an unparsable query or form body.
	ErrMalformedQueryString = New("MalformedQueryString", 400, "")
	// ErrRequestEntityTooLarge is returned for a body over the service's limit.
	ErrRequestEntityTooLarge = New("RequestEntityTooLargeException", 413, "Request must be smaller than the size limit for this operation.")
	// ErrNotImplemented is returned by operations virga does not support yet.
	ErrNotImplemented = New("NotImplementedException", 501, "This operation is not implemented by virga yet.")
)
