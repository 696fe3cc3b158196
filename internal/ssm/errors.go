package ssm

import (
	"fmt"

	"github.com/virga/virga/internal/awsproto/apierr"
)

// Parameter Store's errors, as its API reference names them.
var (
	ErrValidation                  = apierr.New("ValidationException", 400, "")
	ErrParameterNotFound           = apierr.New("ParameterNotFound", 400, "")
	ErrParameterAlreadyExists      = apierr.New("ParameterAlreadyExists", 400, "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.")
	ErrParameterVersionNotFound    = apierr.New("ParameterVersionNotFound", 400, "")
	ErrHierarchyLevelLimitExceeded = apierr.New("HierarchyLevelLimitExceededException", 400, "A hierarchy can have a maximum of 15 levels. For more information, see Requirements and Constraints for Parameter Names in the AWS Systems Manager User Guide.")
	ErrParameterPatternMismatch    = apierr.New("ParameterPatternMismatchException", 400, "")
	ErrInvalidAllowedPattern       = apierr.New("InvalidAllowedPatternException", 400, "")
	ErrUnsupportedParameterType    = apierr.New("UnsupportedParameterType", 400, "")
	ErrParameterMaxVersionLimit    = apierr.New("ParameterMaxVersionLimitExceeded", 400, "")
	ErrLabelLimitExceeded          = apierr.New("ParameterVersionLabelLimitExceeded", 400, "An SSM parameter can have a maximum of 10 labels.")
	ErrInvalidFilterKey            = apierr.New("InvalidFilterKey", 400, "")
	ErrInvalidFilterOption         = apierr.New("InvalidFilterOption", 400, "")
	ErrInvalidFilterValue          = apierr.New("InvalidFilterValue", 400, "")
	ErrInvalidNextToken            = apierr.New("InvalidNextToken", 400, "The specified token isn't valid.")
	ErrInvalidResourceType         = apierr.New("InvalidResourceType", 400, "")
	ErrInvalidResourceID           = apierr.New("InvalidResourceId", 400, "")
	ErrTooManyTags                 = apierr.New("TooManyTagsError", 400, "")
	ErrInvalidPolicyType           = apierr.New("InvalidPolicyTypeException", 400, "")
	ErrInvalidPolicyAttribute      = apierr.New("InvalidPolicyAttributeException", 400, "")
	ErrPoliciesLimitExceeded       = apierr.New("PoliciesLimitExceededException", 400, "")
	ErrIncompatiblePolicy          = apierr.New("IncompatiblePolicyException", 400, "")
	ErrInvalidKeyID                = apierr.New("InvalidKeyId", 400, "The query key ID isn't valid.")
)

// nameMessage is how Parameter Store words a parameter name outside its
// naming rules.
const nameMessage = `Parameter name: can't be prefixed with "aws" or "ssm" (case-insensitive). If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_`

// pathMessage is how GetParametersByPath words a path outside the rules.
const pathMessage = `The parameter doesn't meet the parameter name requirements. The parameter name must begin with a forward slash "/". It can't be prefixed with "aws" or "ssm" (case-insensitive). It must use only letters, numbers, or the following symbols: . (period), - (hyphen), _ (underscore). Special characters are not allowed. All sub-paths, if specified, must use the forward slash symbol "/". Valid example: /get/parameters2-/by1./path0_.`

func versionNotFound(name string, v int64) error {
	return ErrParameterVersionNotFound.WithMessage(fmt.Sprintf("Systems Manager could not find version %d of %s. Verify the version and try again.", v, name))
}
