package resource

import (
	"fmt"
	"strings"

	"github.com/virga/virga/internal/awsproto/apierr"
)

// HandlerService is the name the resource handler's SDK gives the service
// behind a resource type: "Sqs" for AWS::SQS::Queue.
func HandlerService(typ string) string {
	parts := strings.Split(typ, "::")
	if len(parts) < 2 {
		return typ
	}
	switch ns := parts[1]; ns {
	case "DynamoDB":
		return "DynamoDb"
	case "Events":
		return "EventBridge"
	case "Logs":
		return "CloudWatchLogs"
	case "ApiGateway", "ApiGatewayV2", "Lambda", "Scheduler":
		return ns
	default: // SQS, SNS, IAM, ...
		return ns[:1] + strings.ToLower(ns[1:])
	}
}

// HandlerErrorCode is the resource handler's error code for an API error,
// from the handler contract's codes (the Cloud Control API's
// HandlerErrorCode).
func HandlerErrorCode(e *apierr.Error) string {
	code := e.Code
	switch {
	case strings.Contains(code, "Conflict"):
		return "ResourceConflict"
	case strings.Contains(code, "AlreadyExists") || strings.Contains(code, "ResourceInUse"):
		return "AlreadyExists"
	case strings.Contains(code, "NotFound") || strings.Contains(code, "NonExistent") || strings.Contains(code, "DoesNotExist"):
		return "NotFound"
	case strings.Contains(code, "LimitExceeded"):
		return "ServiceLimitExceeded"
	case strings.Contains(code, "AccessDenied") || strings.Contains(code, "Unauthorized"):
		return "AccessDenied"
	case strings.Contains(code, "Throttl") || strings.Contains(code, "TooManyRequests"):
		return "Throttling"
	case e.Status >= 500:
		return "ServiceInternalError"
	}
	return "InvalidRequest"
}

// HandlerError is a failure a resource handler reports itself rather than
// an API's error: a check the handler makes before it calls the service.
// CloudFormation words it without the service's details:
//
//	Resource handler returned message: "MESSAGE" (RequestToken: ...,
//	HandlerErrorCode: CODE)
type HandlerError struct {
	// Code is the handler contract's error code (AlreadyExists, ...).
	Code string
	// Message is the handler's message.
	Message string
}

func (e *HandlerError) Error() string { return e.Message }

// AlreadyExists is the failure of a Create whose resource of type typ,
// named id, exists outside the stack, in the words of CloudFormation's
// handler library (CfnAlreadyExistsException): "Resource of type
// 'AWS::Logs::MetricFilter' with identifier 'ID' already exists.".
func AlreadyExists(typ, id string) *HandlerError {
	return &HandlerError{Code: "AlreadyExists", Message: fmt.Sprintf("Resource of type '%s' with identifier '%s' already exists.", typ, id)}
}
