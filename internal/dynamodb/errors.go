package dynamodb

import (
	"context"
	"errors"
	"fmt"

	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/dynamodb/attr"
	"github.com/virga/virga/internal/dynamodb/expr"
)

// DynamoDB's errors, with AWS's codes and wording.
var (
	// ErrValidation is DynamoDB's constraint and semantic validation error.
	ErrValidation = apierr.New("ValidationException", 400, "")
	// ErrResourceNotFound is returned for a table or index that does not
	// exist (or is not ACTIVE where that matters).
	ErrResourceNotFound = apierr.New("ResourceNotFoundException", 400, "Requested resource not found")
	// ErrGlobalTableNotFound is returned for a legacy global table, none
	// of which exists.
	ErrGlobalTableNotFound = apierr.New("GlobalTableNotFoundException", 400, "")
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
	// ErrTableNotFound is the backup operations' error for a table that
	// does not exist.
	ErrTableNotFound = apierr.New("TableNotFoundException", 400, "")
	// ErrLimitExceeded is returned beyond DynamoDB's account limits.
	ErrLimitExceeded = apierr.New("LimitExceededException", 400, "")
	// ErrExpiredIterator is GetRecords' error for a shard iterator more
	// than 15 minutes old.
	ErrExpiredIterator = apierr.New("ExpiredIteratorException", 400, "The shard iterator has expired and can no longer be used to retrieve stream records.")
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

// requestError is a ValidationException DynamoDB raises while it reads the
// request itself (an attribute value, an expression, a legacy condition),
// as opposed to one it raises checking the request against the table (a
// key that does not match the schema, an item too large). DynamoDB words
// these per operation, in one of three ways (see reportAs): as the newer
// validation layer words them, bare; the same inside the
// "1 validation error detected: " envelope (PutItem, UpdateItem,
// DeleteItem); or as the older layer words them (BatchWriteItem, Scan).
// Unless an operation says otherwise, it is the bare newer wording.
type requestError struct {
	msg   string // the newer layer's wording
	older string // the older layer's wording, when it differs
	// key is the ExpressionAttributeValues key of the value the error is
	// about, which the older layer names.
	key string
}

func (e *requestError) Error() string { return e.msg }

// As makes the error a ValidationException in the newer wording for
// whoever does not ask for another (apierr.As, the encoders).
func (e *requestError) As(target any) bool {
	if t, ok := target.(**apierr.Error); ok {
		*t = ErrValidation.WithMessage(e.msg)
		return true
	}
	return false
}

// badRequest is a requestError with a message of DynamoDB's that both
// layers word alike.
func badRequest(format string, args ...any) error {
	return &requestError{msg: fmt.Sprintf(format, args...)}
}

// requestErr turns an error found reading the request (an attr.Error or
// an expr.Error) into a requestError; other errors pass through.
func requestErr(err error) error {
	var ae *attr.Error
	if errors.As(err, &ae) {
		return &requestError{msg: ae.Message, older: ae.OlderMessage()}
	}
	var ee *expr.Error
	if errors.As(err, &ee) {
		return &requestError{msg: ee.Message}
	}
	var re *requestError
	if errors.As(err, &re) {
		return re
	}
	return validationError(err)
}

// valueErr is requestErr for the value of ExpressionAttributeValues key.
func valueErr(err error, key string) error {
	err = requestErr(err)
	if re, ok := err.(*requestError); ok && re.key == "" {
		c := *re
		c.key = key
		return &c
	}
	return err
}

// layer is how an operation words its requestErrors.
type layer uint8

const (
	layerBare     layer = iota // the newer wording, bare
	layerEnvelope              // the newer wording in "1 validation error detected: "
	layerOlder                 // the older layer's wording
)

// render words err, if it is a requestError, as the layer does.
func (l layer) render(err error) error {
	var re *requestError
	if err == nil || !errors.As(err, &re) {
		return err
	}
	switch l {
	case layerEnvelope:
		return ErrValidation.WithMessage("1 validation error detected: " + re.msg)
	case layerOlder:
		msg := re.msg
		if re.older != "" {
			msg = re.older
		}
		if re.key != "" {
			msg = "ExpressionAttributeValues contains invalid value: " + msg + " for key " + re.key
		}
		return ErrValidation.WithMessage(msg)
	}
	return ErrValidation.WithMessage(re.msg)
}

// reportAs wraps an operation so that its requestErrors are worded as the
// layer words them.
func reportAs[In, Out any](l layer, f func(context.Context, *In) (*Out, error)) func(context.Context, *In) (*Out, error) {
	return func(ctx context.Context, in *In) (*Out, error) {
		out, err := f(ctx, in)
		return out, l.render(err)
	}
}

// The backup and restore operations' errors. The codes are AWS's; where
// no recorded response gives DynamoDB's wording, the message is the API
// reference's description of the error (TableNotFoundException and
// TableAlreadyExistsException name the table, as ResourceInUseException's
// "Table already exists" does).
var (
	// ErrBackupNotFound is returned for a backup ARN that names no backup.
	ErrBackupNotFound = apierr.New("BackupNotFoundException", 400, "")
	// ErrBackupInUse is returned while another backup operation on the
	// same table or backup is in progress.
	ErrBackupInUse = apierr.New("BackupInUseException", 400, "")
	// ErrTableAlreadyExists is returned when a restore's target exists.
	ErrTableAlreadyExists = apierr.New("TableAlreadyExistsException", 400, "")
	// ErrTableInUse is returned when a restore's target is being created
	// or deleted.
	ErrTableInUse = apierr.New("TableInUseException", 400, "")
	// ErrInvalidRestoreTime is returned for a RestoreDateTime outside the
	// restorable window.
	ErrInvalidRestoreTime = apierr.New("InvalidRestoreTimeException", 400, "")
	// ErrPITRUnavailable is returned for a point-in-time restore of a
	// table without point-in-time recovery.
	ErrPITRUnavailable = apierr.New("PointInTimeRecoveryUnavailableException", 400, "")
)

// The export and import operations' errors (op_exports.go, op_imports.go).
var (
	// ErrExportConflict is returned when a ClientToken is reused for a
	// different export within its idempotency window.
	ErrExportConflict = apierr.New("ExportConflictException", 400, "")
	// ErrExportNotFound is returned for an export ARN that names no export.
	ErrExportNotFound = apierr.New("ExportNotFoundException", 400, "")
	// ErrInvalidExportTime is returned for an ExportTime outside the
	// table's point-in-time recovery window.
	ErrInvalidExportTime = apierr.New("InvalidExportTimeException", 400, "")
	// ErrImportConflict is returned when a ClientToken is reused for an
	// import into another table within its idempotency window.
	ErrImportConflict = apierr.New("ImportConflictException", 400, "")
	// ErrImportNotFound is returned for an import ARN that names no import.
	ErrImportNotFound = apierr.New("ImportNotFoundException", 400, "")
	// ErrForeignResource is DynamoDB's answer to an ARN of another
	// partition, service, Region or account: the caller may not act on
	// it, whatever it names.
	ErrForeignResource = apierr.New("AccessDeniedException", 400, "")
)
