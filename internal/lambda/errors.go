package lambda

import (
	"context"
	"errors"
	"fmt"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/apierr"
)

// Lambda's errors, with AWS's codes, statuses and wording.
var (
	// ErrValidation is Lambda's constraint violation error.
	ErrValidation = apierr.New("ValidationException", 400, "")
	// ErrInvalidParameterValue is returned for a parameter Lambda
	// understands but will not accept.
	ErrInvalidParameterValue = apierr.New("InvalidParameterValueException", 400, "")
	// ErrResourceNotFound is returned for a function, version, alias,
	// layer or policy that does not exist.
	ErrResourceNotFound = apierr.New("ResourceNotFoundException", 404, "The resource you requested does not exist.")
	// ErrResourceConflict is returned when creating what exists, or
	// deleting what something else still uses.
	ErrResourceConflict = apierr.New("ResourceConflictException", 409, "")
	// ErrProvisionedConcurrencyConfigNotFound is returned for a version
	// or alias without a provisioned concurrency configuration.
	ErrProvisionedConcurrencyConfigNotFound = apierr.New("ProvisionedConcurrencyConfigNotFoundException", 404,
		"No Provisioned Concurrency Config found for this function")
	// ErrPreconditionFailed is returned when a RevisionId does not match
	// that of the function version or alias the operation changes;
	// Lambda words it so for every such operation, AddPermission and
	// RemovePermission included.
	ErrPreconditionFailed = apierr.New("PreconditionFailedException", 412,
		"The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id")
	// ErrPolicyLengthExceeded is returned when a resource policy would
	// outgrow its 20 KB.
	ErrPolicyLengthExceeded = apierr.New("PolicyLengthExceededException", 400, "")
	// ErrImageAccessDenied is returned by CreateFunction and
	// UpdateFunctionCode when the image's repository does not let
	// Lambda read it and Lambda may not add that permission itself.
	ErrImageAccessDenied = apierr.New("AccessDeniedException", 403,
		"Lambda does not have permission to access the ECR image. Check the ECR permissions.")
	// ErrInvalidRequestContent is returned for an Invoke payload that is
	// not JSON.
	ErrInvalidRequestContent = apierr.New("InvalidRequestContentException", 400, "")
	// ErrRequestTooLarge is returned for a synchronous Invoke payload over
	// 6 MB. The API reference lists RequestTooLargeException for this, but
	// Lambda answers RequestEntityTooLargeException, as for an oversized
	// deployment package, and clients see that code.
	ErrRequestTooLarge = apierr.New("RequestEntityTooLargeException", 413,
		fmt.Sprintf("Request must be smaller than %d bytes for the InvokeFunction operation", maxSyncPayload))
	// ErrRequestEntityTooLarge is returned for a deployment package or an
	// asynchronous payload over its limit.
	ErrRequestEntityTooLarge = apierr.New("RequestEntityTooLargeException", 413, "")
	// ErrRecursiveInvocation is returned for an invocation Lambda stopped
	// because its function runs in a recursive loop (recursion.go).
	ErrRecursiveInvocation = apierr.New("RecursiveInvocationException", 400,
		"Lambda has detected your function being invoked in a recursive loop with other AWS resources and stopped your function's invocation.")
	// ErrTooManyRequests is returned when an invocation would exceed the
	// function's reserved concurrency or the account's unreserved pool;
	// Details carry AWS's Reason.
	ErrTooManyRequests = apierr.New("TooManyRequestsException", 429, "Rate Exceeded.")
	// ErrInvalidRuntime is returned by Invoke for a runtime the host
	// cannot run.
	ErrInvalidRuntime = &apierr.Error{Code: "InvalidRuntimeException", Status: 502, Fault: true,
		Message: "The runtime or runtime version specified is not supported."}
	// ErrAccessDenied is returned for a function in another account:
	// virga holds one account, and no resource-based policy there grants
	// this one anything. Lambda answers CreateFunction so without a
	// message; the other operations answer as IAM words a denial (see
	// otherAccountError).
	ErrAccessDenied = apierr.New("AccessDeniedException", 403, "")
	// ErrService is Lambda's own failure.
	ErrService = &apierr.Error{Code: "ServiceException", Status: 500, Fault: true,
		Message: "An error occurred and the request cannot be processed."}
)

// throttleDetails is the body of a TooManyRequestsException beside its
// message.
type throttleDetails struct {
	RetryAfterSeconds *string `aws:"loc=header,locname=Retry-After"`
	Reason            *string
}

// The Reason values of TooManyRequestsException that virga gives.
const (
	reasonReserved = "ReservedFunctionConcurrentInvocationLimitExceeded"
	reasonAccount  = "ConcurrentInvocationLimitExceeded"
)

// throttled is TooManyRequestsException with the given Reason.
func throttled(reason string) error {
	retry := "1"
	return ErrTooManyRequests.WithDetails(&throttleDetails{RetryAfterSeconds: &retry, Reason: &reason})
}

// functionNotFound is ResourceNotFoundException naming the function (or
// its version or alias) by ARN, as Lambda words it.
func functionNotFound(arn string) error {
	return ErrResourceNotFound.Withf("Function not found: %s", arn)
}

// invalidParameter is InvalidParameterValueException with a message.
func invalidParameter(format string, args ...any) error {
	return ErrInvalidParameterValue.Withf(format, args...)
}

// errCouldNotUnzip is Lambda's answer to a deployment package it cannot
// extract, whatever the reason (not a zip, a path escaping the package, a
// link escaping it, ...).
var errCouldNotUnzip = ErrInvalidParameterValue.WithMessage("Could not unzip uploaded file. Please check your file, then try to upload again.")

// otherAccountError is what a function name in another account leads to.
// The operation table turns it into AccessDeniedException worded as IAM
// words a cross-account call no resource-based policy allows (see
// denyOtherAccounts); elsewhere it is ErrAccessDenied.
type otherAccountError struct {
	// arn is the function's ARN, qualified when the request named a
	// version or alias.
	arn string
}

func (e *otherAccountError) Error() string { return "lambda: " + e.arn + " is in another account" }

func (e *otherAccountError) Unwrap() error { return ErrAccessDenied }

// denyOtherAccounts is an operation's handler whose otherAccountError is
// answered as Lambda answers a caller reaching into an account that
// grants it nothing: "User: CALLER is not authorized to perform: ACTION
// on resource: ARN because no resource-based policy allows the ACTION
// action".
type denyOtherAccounts struct {
	awsproto.Handler
	account string
}

func (h denyOtherAccounts) Serve(ctx context.Context, in any) (any, error) {
	out, err := h.Handler.Serve(ctx, in)
	var other *otherAccountError
	if !errors.As(err, &other) {
		return out, err
	}
	caller, action := "arn:aws:iam::"+h.account+":root", ""
	if call := awsproto.CallFrom(ctx); call != nil {
		if call.Caller.ARN != "" {
			caller = call.Caller.ARN
		}
		if call.Op != nil {
			action = call.Op.Action
		}
	}
	return nil, ErrAccessDenied.Withf("User: %s is not authorized to perform: %s on resource: %s because no resource-based policy allows the %s action",
		caller, action, other.arn, action)
}
