package apigateway

import (
	"reflect"
	"strings"

	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/awsproto/shape"
)

// API Gateway's control plane errors, with AWS's codes and statuses. The
// messages are set where they are raised, in AWS's wording.
var (
	// ErrBadRequest is API Gateway's answer to input it will not accept,
	// constraint violations included.
	ErrBadRequest = apierr.New("BadRequestException", 400, "")
	// ErrNotFound is returned for an API, resource, method, integration,
	// stage, deployment or authorizer that does not exist.
	ErrNotFound = apierr.New("NotFoundException", 404, "")
	// ErrConflict is returned when creating what already exists.
	ErrConflict = apierr.New("ConflictException", 409, "")
)

// Messages in AWS's wording, as its answers carry them.
const (
	msgResourceNotFound           = "Invalid Resource identifier specified"
	msgMethodNotFound             = "Invalid Method identifier specified"
	msgIntegrationNotFound        = "Invalid Integration identifier specified"
	msgResponseNotFound           = "Invalid Response status code specified"
	msgStageNotFound              = "Invalid Stage identifier specified"
	msgDeploymentNotFound         = "Invalid Deployment identifier specified"
	msgAuthorizerNotFound         = "Invalid Authorizer identifier specified"
	msgNoMethods                  = "The REST API doesn't contain any methods"
	msgNoIntegration              = "No integration defined for method"
	msgDeploymentInUse            = "Active stages pointing to this deployment must be moved or deleted"
	msgMethodExists               = "Method already exists for this resource"
	msgStageExists                = "Stage already exists"
	msgInvalidPathPart            = "Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end and an optional plus sign before the closing brace."
	msgIntegrationHTTPMethod      = "Enumeration value for HttpMethod must be non-empty"
	msgInvalidAuthorizerForCustom = "Invalid authorizer ID specified. Setting the authorization type to CUSTOM or COGNITO_USER_POOLS requires a valid authorizer."
	msgAWSProxyOnlyLambda         = "Integrations of type 'AWS_PROXY' currently only supports Lambda function and Firehose stream invocations."
	msgInvalidARN                 = "Invalid ARN specified in the request"
	msgDescriptionEmpty           = "Description cannot be an empty string"
	msgInvalidMinimumCompression  = "Invalid minimum compression size, must be between 0 and 10485760"
	msgInvalidIntegrationURI      = "Invalid integration URI specified"
	msgAPIKeyNotFound             = "Invalid API Key identifier specified"
	msgUsagePlanNotFound          = "Invalid Usage Plan ID specified"
)

// Messages whose AWS wording is not known; the codes are AWS's.
const (
	msgInvalidStageName         = "Stage name only allows a-zA-Z0-9_-"
	msgAuthorizerURIRequired    = "Authorizer URI must be specified for authorizers of type TOKEN and REQUEST"
	msgIdentitySourceRequired   = "Identity Source must be specified for authorizers of type TOKEN"
	msgIdentitySourceForCaching = "Identity Source must be specified when authorizer caching is enabled for authorizers of type REQUEST"
	msgAuthorizerTTL            = "Authorizer result TTL must be between 0 and 3600 seconds"
	msgGreedyChild              = "Cannot create a child of a resource with a greedy path variable: %s"
	msgRootResource             = "Cannot delete the root resource"
	msgAuthorizerInUse          = "Cannot delete authorizer '%s', is referenced in method: %s:%s"
	msgInvalidHTTPMethod        = "Invalid HttpMethod specified. Valid options are GET,PUT,POST,DELETE,PATCH,OPTIONS,HEAD,ANY"
	msgInvalidTimeout           = "Timeout should be between 50 ms and 29000 ms"
	msgAPIKeyValueLength        = "API Key value should be at least 20 characters"
	msgAPIKeyValueExists        = "API Key already exists"
	msgUsagePlanStage           = "Invalid stage identifier specified for usage plan: %s:%s"
	msgUsagePlanKeyExists       = "Usage Plan Key already exists"
	msgUsagePlanKeyNotFound     = "Invalid Usage Plan Key identifier specified"
	msgGatewayResponseNotFound  = "Invalid Gateway Response identifier specified"
	msgModelNotFound            = "Invalid model name specified"
	msgValidatorNotFound        = "Invalid Request Validator identifier specified"
	msgClientCertNotFound       = "Invalid Client Certificate identifier specified"
	msgVpcLinkNotFound          = "Invalid Vpc Link identifier specified"
	msgVpcLinkTargets           = "A VPC link must target exactly one Network Load Balancer"
	msgDocPartNotFound          = "Invalid Documentation part identifier specified"
	msgDocPartExists            = "Documentation part already exists for the specified location"
	msgDocVersionNotFound       = "Invalid Documentation version specified"
	msgDocVersionExists         = "Documentation version already exists"
	msgInvalidExportType        = "Invalid export type: %s. Valid types are oas30 and swagger"
	msgInvalidExportAccept      = "Invalid Accept header: %s. Valid values are application/json and application/yaml"
)

func notFound(msg string) error { return ErrNotFound.WithMessage(msg) }

func badRequest(format string, args ...any) error {
	if len(args) == 0 {
		return ErrBadRequest.WithMessage(format)
	}
	return ErrBadRequest.Withf(format, args...)
}

// apiNotFound is NotFoundException for an unknown REST API, naming it
// with the account as AWS does.
func (s *Service) apiNotFound(id string) error {
	return ErrNotFound.Withf("Invalid API identifier specified %s:%s", s.account, id)
}

// violations words the model's constraint violations as API Gateway
// does: BadRequestException, with each member's path rooted at the
// operation's input ("putMethodInput.authorizationType").
func violations(in any, vs []shape.Violation) error {
	name := reflect.TypeOf(in).Elem().Name()
	root := strings.TrimSuffix(name, "Request")
	root = strings.ToLower(root[:1]) + root[1:] + "Input"
	out := make([]shape.Violation, len(vs))
	for i, v := range vs {
		v.Path = root + "." + v.Path
		out[i] = v
	}
	return ErrBadRequest.WithMessage(shape.Message(out))
}
