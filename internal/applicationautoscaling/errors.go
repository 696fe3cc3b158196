package applicationautoscaling

import "github.com/virga/virga/internal/awsproto/apierr"

// Application Auto Scaling's errors, with the codes of AWS's model.
// Their messages are set where they are returned.
var (
	// ErrValidation is returned for input the service will not accept.
	ErrValidation = apierr.New("ValidationException", 400, "")
	// ErrObjectNotFound is returned for a scalable target, policy or
	// scheduled action that does not exist.
	ErrObjectNotFound = apierr.New("ObjectNotFoundException", 400, "")
	// ErrResourceNotFound is returned by the tagging operations for an
	// ARN that names no scalable target.
	ErrResourceNotFound = apierr.New("ResourceNotFoundException", 400, "")
	// ErrInvalidNextToken is returned for a NextToken no page handed out.
	ErrInvalidNextToken = apierr.New("InvalidNextTokenException", 400, "Invalid NextToken")
	// ErrTooManyTags is returned for more than 50 tags on a target.
	ErrTooManyTags = apierr.New("TooManyTagsException", 400, "")
)

// maxTags is the tags a scalable target may carry ("Each resource can
// have a maximum of 50 tags").
const maxTags = 50

func invalid(format string, args ...any) error { return ErrValidation.Withf(format, args...) }

// targetNotRegistered is the ObjectNotFoundException of an operation on
// a target that is not registered.
func targetNotRegistered(k targetKey) error {
	return ErrObjectNotFound.Withf("No scalable target registered for service namespace: %s, resource ID: %s, scalable dimension: %s",
		k.Namespace, k.ResourceID, k.Dimension)
}

func targetNotFound(k targetKey) error {
	return ErrObjectNotFound.Withf("No scalable target found for service namespace: %s, resource ID: %s, scalable dimension: %s",
		k.Namespace, k.ResourceID, k.Dimension)
}

func policyNotFound(k targetKey, name string) error {
	return ErrObjectNotFound.Withf("No scaling policy found for service namespace: %s, resource ID: %s, scalable dimension: %s, policy name: %s",
		k.Namespace, k.ResourceID, k.Dimension, name)
}

func actionNotFound(k targetKey, name string) error {
	return ErrObjectNotFound.Withf("No scheduled action found for service namespace: %s, resource ID: %s, scalable dimension: %s, scheduled action name: %s",
		k.Namespace, k.ResourceID, k.Dimension, name)
}
