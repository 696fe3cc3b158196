package expr

import (
	"errors"
	"strconv"

	"github.com/virga/virga/internal/dynamodb/attr"
)

// Error is an invalid expression or a failed update, with DynamoDB's message
// (without the "ValidationException" name). The service reports it as a
// ValidationException carrying Message unchanged.
type Error struct {
	Message string
}

func (e *Error) Error() string { return e.Message }

// Kind names the request parameter an expression came from; DynamoDB uses it
// to prefix parse errors ("Invalid UpdateExpression: ...").
type Kind string

// The expression parameters.
const (
	KindCondition    Kind = "ConditionExpression"
	KindFilter       Kind = "FilterExpression"
	KindUpdate       Kind = "UpdateExpression"
	KindProjection   Kind = "ProjectionExpression"
	KindKeyCondition Kind = "KeyConditionExpression"
)

// Limits from "Expression parameters" in the DynamoDB developer guide.
const (
	// MaxExpressionSize: "The maximum length of any expression string is 4 KB",
	// measured on the raw string as sent.
	MaxExpressionSize = 4096
	// MaxOperators: "The maximum number of operators or functions allowed in
	// an UpdateExpression is 300"; DynamoDB applies the same count to
	// condition and filter expressions.
	MaxOperators = 300
	// MaxInOperands: "The maximum number of operands for the IN comparator is
	// 100".
	MaxInOperands = 100
	// MaxPathDepth: "DynamoDB supports nested attributes up to 32 levels deep".
	MaxPathDepth = 32
)

// Runtime update errors. They carry no expression prefix, as in DynamoDB.
var (
	ErrIncorrectOperandType = &Error{Message: "An operand in the update expression has an incorrect data type"}
	ErrInvalidDocumentPath  = &Error{Message: "The document path provided in the update expression is invalid for update"}
	ErrMissingAttribute     = &Error{Message: "The provided expression refers to an attribute that does not exist in the item"}
	// ErrTypeMismatch is ErrIncorrectOperandType for an update given as
	// the legacy AttributeUpdates.
	ErrTypeMismatch = &Error{Message: "Type mismatch for attribute to update"}
)

func (k Kind) errorf(msg string) *Error {
	return &Error{Message: "Invalid " + string(k) + ": " + msg}
}

func (k Kind) errEmpty() *Error { return k.errorf("The expression can not be empty;") }

func (k Kind) errSize(n int) *Error {
	return k.errorf("Expression size has exceeded the maximum allowed size; expression size: " + strconv.Itoa(n))
}

// checkLength applies the empty and 4 KB rules every expression shares.
// checkNames refuses an expression whose placeholders stand for an
// attribute name longer than DynamoDB accepts.
func checkNames(names map[string]string) error {
	for _, n := range names {
		if err := attr.CheckName(n); err != nil {
			return err
		}
	}
	return nil
}

func (k Kind) checkLength(s string) error {
	if s == "" {
		return k.errEmpty()
	}
	if len(s) > MaxExpressionSize {
		return k.errSize(len(s))
	}
	return nil
}

// fromAttr turns an attr error (number overflow and the like) into an Error
// with the same message.
func fromAttr(err error) error {
	var ae *attr.Error
	if errors.As(err, &ae) {
		return &Error{Message: ae.Message}
	}
	return err
}
