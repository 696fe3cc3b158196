package sns

import (
	"fmt"

	"github.com/virga/virga/internal/awsproto/apierr"
)

// SNS's errors, with the codes and HTTP statuses of AWS's model (the
// awsQuery codes, which are what every SNS client sees). Messages are set
// where they are raised: SNS words most of them "Invalid parameter: X".
var (
	// ErrInvalidParameter is SNS's answer to most bad input, and the error
	// the model's constraint violations are reported with.
	ErrInvalidParameter = apierr.New("InvalidParameter", 400, "")
	// ErrParameterValueInvalid is what SNS answers for malformed message
	// attributes (the model's InvalidParameterValueException).
	ErrParameterValueInvalid = apierr.New("ParameterValueInvalid", 400, "")
	// ErrAuthorizationError is SNS's answer to a call IAM denies (the
	// model's AuthorizationErrorException, 403), where other awsQuery
	// services answer AccessDenied.
	ErrAuthorizationError = apierr.New("AuthorizationError", 403, "")
	// ErrNotFound is a topic or subscription that does not exist.
	ErrNotFound = apierr.New("NotFound", 404, "")
	// ErrResourceNotFound is what the tagging operations answer for a
	// resource that does not exist.
	ErrResourceNotFound = apierr.New("ResourceNotFound", 404, "Resource does not exist")
	// ErrTagLimitExceeded is a resource that would hold more than 50 tags.
	ErrTagLimitExceeded = apierr.New("TagLimitExceeded", 400, "Could not complete request: tag quota of per resource exceeded")
	// PublishBatch's request-level errors, worded as AWS's API reference
	// describes them.
	ErrEmptyBatchRequest = apierr.New("EmptyBatchRequest", 400,
		"The batch request doesn't contain any entries.")
	ErrTooManyEntriesInBatchRequest = apierr.New("TooManyEntriesInBatchRequest", 400,
		"The batch request contains more entries than permissible.")
	ErrBatchEntryIdsNotDistinct = apierr.New("BatchEntryIdsNotDistinct", 400,
		"Two or more batch entries in the request have the same Id.")
	ErrInvalidBatchEntryID = apierr.New("InvalidBatchEntryId", 400,
		"The Id of a batch entry in a batch request doesn't abide by the specification.")
	ErrBatchRequestTooLong = apierr.New("BatchRequestTooLong", 400,
		"The length of all the batch messages put together is more than the limit.")
)

// Messages that more than one operation answers with.
const (
	msgTopicNotFound        = "Topic does not exist"
	msgSubscriptionNotFound = "Subscription does not exist"
)

// invalidParameter is ErrInvalidParameter worded "Invalid parameter: "
// and the formatted reason, as SNS words most of its refusals.
func invalidParameter(format string, args ...any) *apierr.Error {
	return ErrInvalidParameter.WithMessage("Invalid parameter: " + fmt.Sprintf(format, args...))
}

// topicNotFound is NotFound for a topic.
func topicNotFound() *apierr.Error { return ErrNotFound.WithMessage(msgTopicNotFound) }
