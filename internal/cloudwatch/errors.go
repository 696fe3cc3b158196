package cloudwatch

import "github.com/virga/virga/internal/awsproto/apierr"

// CloudWatch's errors. Code is the error's shape name, which rpcv2Cbor
// carries in __type; QueryCode is the awsQuery code, which awsQuery
// clients see and rpcv2Cbor clients read from X-Amzn-Query-Error.
var (
	ErrValidation            = &apierr.Error{Code: "ValidationError", Status: 400}
	ErrInvalidParameterValue = &apierr.Error{Code: "InvalidParameterValueException", QueryCode: "InvalidParameterValue", Status: 400}
	ErrMissingParameter      = &apierr.Error{Code: "MissingRequiredParameterException", QueryCode: "MissingParameter", Status: 400}
	ErrInvalidCombination    = &apierr.Error{Code: "InvalidParameterCombinationException", QueryCode: "InvalidParameterCombination", Status: 400}
	ErrInvalidNextToken      = &apierr.Error{Code: "InvalidNextToken", Status: 400, Message: "The service returned an invalid next token."}
	ErrInvalidFormat         = &apierr.Error{Code: "InvalidFormatFault", QueryCode: "InvalidFormat", Status: 400}
	ErrAlarmNotFound         = &apierr.Error{Code: "ResourceNotFound", Status: 404}
	ErrResourceNotFound      = &apierr.Error{Code: "ResourceNotFoundException", Status: 404}
	ErrDashboardInvalidInput = &apierr.Error{Code: "DashboardInvalidInputError", QueryCode: "InvalidParameterInput", Status: 400}
	ErrDashboardNotFound     = &apierr.Error{Code: "DashboardNotFoundError", QueryCode: "ResourceNotFound", Status: 404}
	ErrLimitExceeded         = &apierr.Error{Code: "LimitExceededFault", QueryCode: "LimitExceeded", Status: 400}
)
