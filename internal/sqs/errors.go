package sqs

import (
	"github.com/virga/virga/internal/awsproto/apierr"
)

// errorNamespace prefixes __type in awsJson error bodies; SDKs find the
// modeled errors (QueueDoesNotExist, ...) by it.
const errorNamespace = "com.amazonaws.sqs#"

// sqsError declares an SQS error: code is the model's error shape name
// (awsJson's __type), queryCode what awsQuery clients and the
// X-Amzn-Query-Error header report.
func sqsError(code, queryCode, message string) *apierr.Error {
	e := apierr.New(code, 400, message)
	if queryCode != code {
		e.QueryCode = queryCode
	}
	return e
}

func withStatus(e *apierr.Error, status int) *apierr.Error {
	e.Status = status
	return e
}

// SQS's errors. Messages are the awsJson ones; queryMessages below holds
// the few that awsQuery words differently.
var (
	ErrQueueDoesNotExist = sqsError("QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue",
		"The specified queue does not exist.")
	ErrQueueNameExists = sqsError("QueueNameExists", "QueueAlreadyExists",
		"A queue already exists with the same name and a different value for attribute %s")
	ErrQueueDeletedRecently = sqsError("QueueDeletedRecently", "AWS.SimpleQueueService.QueueDeletedRecently",
		"You must wait 60 seconds after deleting a queue before you can create another with the same name.")
	// InvalidParameterValue and MissingParameter are not in SQS's model:
	// awsJson names them by the exception SQS throws (what botocore
	// reports as QueryErrorCode), clients by X-Amzn-Query-Error's code.
	ErrInvalidParameterValue = sqsError("InvalidParameterValueException", "InvalidParameterValue", "")
	ErrMissingParameter      = sqsError("MissingRequiredParameterException", "MissingParameter", "")
	ErrInvalidAttributeName  = sqsError("InvalidAttributeName", "InvalidAttributeName", "")
	ErrInvalidAttributeValue = sqsError("InvalidAttributeValue", "InvalidAttributeValue", "")
	ErrInvalidAddress        = sqsError("InvalidAddress", "InvalidAddress", "")
	ErrReceiptHandleInvalid  = sqsError("ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid", "")
	ErrMessageNotInflight    = sqsError("MessageNotInflight", "AWS.SimpleQueueService.MessageNotInflight",
		"Message does not exist or is not available for visibility timeout change.")
	ErrEmptyBatch = sqsError("EmptyBatchRequest", "AWS.SimpleQueueService.EmptyBatchRequest",
		"There should be at least one %s in the request.")
	ErrTooManyEntries = sqsError("TooManyEntriesInBatchRequest", "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
		"Maximum number of entries per request are 10. You have sent %d.")
	ErrBatchIDsNotDistinct = sqsError("BatchEntryIdsNotDistinct", "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
		"Id %s repeated.")
	ErrInvalidBatchEntryID = sqsError("InvalidBatchEntryId", "AWS.SimpleQueueService.InvalidBatchEntryId",
		"A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.")
	ErrBatchRequestTooLong = sqsError("BatchRequestTooLong", "AWS.SimpleQueueService.BatchRequestTooLong",
		"Batch requests cannot be longer than %d bytes. You have sent %d bytes.")
	// SQS answers a second PurgeQueue within 60 seconds with 403, not 400.
	ErrPurgeInProgress = withStatus(sqsError("PurgeQueueInProgress", "AWS.SimpleQueueService.PurgeQueueInProgress",
		"Only one PurgeQueue operation on %s is allowed every 60 seconds."), 403)
	// OverLimit is a short-polling receive on a standard queue with its
	// in-flight messages at the limit; SQS answers it with 403.
	ErrOverLimit = withStatus(sqsError("OverLimit", "OverLimit",
		"Too many messages have been received without being deleted. Please delete your received messages or let them timeout before receiving more."), 403)
	ErrUnsupported      = sqsError("UnsupportedOperation", "AWS.SimpleQueueService.UnsupportedOperation", "")
	ErrResourceNotFound = sqsError("ResourceNotFoundException", "ResourceNotFoundException", "")
)

// queryMessages are awsQuery's wordings where they differ from awsJson's.
var queryMessages = map[string]string{
	"QueueDoesNotExist": "The specified queue does not exist for this wsdl version.",
}
