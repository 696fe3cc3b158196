package dynamodb

import "github.com/virga/virga/internal/awsproto/apierr"

// DynamoDB's errors, with AWS's codes and wording.
var (
	// ErrValidation is DynamoDB's constraint and semantic validation error.
	ErrValidation = apierr.New("ValidationException", 400, "")
	// ErrResourceNotFound is returned for a table or index that does not
	// exist (or is not ACTIVE where that matters).
	ErrResourceNotFound = apierr.New("ResourceNotFoundException", 400, "Requested resource not found")
	// ErrResourceInUse is returned when creating a table that exists, or
	// changing one that is busy.
	ErrResourceInUse = apierr.New("ResourceInUseException", 400, "")
	// ErrConditionalCheckFailed is returned when a write's condition is false.
	ErrConditionalCheckFailed = apierr.New("ConditionalCheckFailedException", 400, "The conditional request failed")
	// ErrTransactionCanceled carries the reasons, in request order.
	ErrTransactionCanceled = apierr.New("TransactionCanceledException", 400, "")
	// ErrTransactionConflict is returned when an item is part of another
	// transaction in flight.
	ErrTransactionConflict = apierr.New("TransactionConflictException", 400, "Transaction is ongoing for the item")
	// ErrIdempotentParameterMismatch is returned when a ClientRequestToken
	// is reused with a different request within its ten minutes.
	ErrIdempotentParameterMismatch = apierr.New("IdempotentParameterMismatchException", 400, "")
	// ErrLimitExceeded is returned beyond DynamoDB's account limits.
	ErrLimitExceeded = apierr.New("LimitExceededException", 400, "")
	// ErrInternal is DynamoDB's spelling of a server failure.
	ErrInternal = &apierr.Error{Code: "InternalServerError", Status: 500, Message: "Internal server error", Fault: true}
)

// tableNotFound is ResourceNotFoundException naming a table, as the
// table operations word it.
func tableNotFound(name string) error {
	return ErrResourceNotFound.Withf("Requested resource not found: Table: %s not found", name)
}

// invalid is a ValidationException with the given message.
func invalid(format string, args ...any) error {
	return ErrValidation.Withf(format, args...)
}
