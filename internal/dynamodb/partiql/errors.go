package partiql

import (
	"fmt"
	"strconv"
)

// Error is an invalid statement with DynamoDB's message. The service reports
// it as a ValidationException carrying Message unchanged.
type Error struct {
	Message string
}

func (e *Error) Error() string { return e.Message }

func errorf(format string, args ...any) *Error {
	return &Error{Message: fmt.Sprintf(format, args...)}
}

// notWellFormed is the envelope of every syntax error. DynamoDB leaves the
// detail empty for text it cannot tokenize (an unterminated string or
// comment, a character outside the language).
func notWellFormed(detail string) *Error {
	return &Error{Message: "Statement wasn't well formed, can't be processed: " + detail}
}

// Syntax error details. The first three and "Invalid path dot component"
// are DynamoDB's, captured from real responses; the others follow the
// wording of the PartiQL parser DynamoDB uses, unconfirmed.
const (
	detailExpectedDML      = "Expected data manipulation"
	detailLeftover         = "Unexpected token after expression"
	detailUnexpectedKW     = "Unexpected keyword"
	detailUnexpectedToken  = "Unexpected token"
	detailUnexpectedTerm   = "Unexpected term"
	detailInvalidPathDot   = "Invalid path dot component"
	detailExpectedIdent    = "Expected identifier"
	detailExpectedKeyword  = "Expected keyword"
	detailUnexpectedEnd    = "Unexpected end of statement"
	detailInvalidPathIndex = "Invalid path component"
)

// Semantic errors DynamoDB reports with their own messages (no envelope).
const (
	msgAliasing          = "Aliasing is not supported"
	msgPathComponents    = "A path may contain at most 2 components in the FROM clause"
	msgEmptyComponent    = "Path component cannot be an empty string"
	msgDMLFrom           = "FROM clause may only contain a single table name in data manipulation statements"
	msgStarAndOthers     = "Other attributes should not be present in the projection when '*' is used."
	msgInsertMultiple    = "Unsupported operation: Inserting multiple items in a single statement is not supported, use \"INSERT INTO tableName VALUE item\" instead"
	msgInsertItemSyntax  = "Unsupported format in item expression. Please use struct format {...} to express item values for insert statement."
	msgReturningInsert   = "RETURNING is not supported in INSERT"
	msgReturningSyntax   = "Expected '*' after ( MODIFIED | ALL ) ( NEW | OLD ) in RETURNING clause"
	msgEmptyBag          = "Empty bags are not supported"
	msgBagType           = "Unsupported data type in Bag. DynamoDB only supports either numbers or strings in bags"
	msgMissingCompare    = "MISSING must be compared using IS operator"
	msgIsOperand         = "The left hand side argument to IS must be a Variable Reference, Literal, or Path"
	msgInOperator        = "IN operator must have a left hand argument of type Variable Reference and right hand argument of type Seq with at least one member"
	msgPathStartsIndex   = "A path cannot start with a list index"
	msgIncompleteKey     = "Where clause does not contain a mandatory equality on all key attributes"
	msgParameterCount    = "Number of parameters in request and statement don't match."
	msgWhereNotBool      = "WHERE clause must contain an expression that resolves to a boolean"
	msgUpdateNoAction    = "Only SET and REMOVE are supported in update expressions at this time"
	msgIsInUpdate        = "IS operator is not supported in update expressions"
	msgFromWhereInInsert = "Unsupported FROM ... WHERE ... clause in INSERT statement."
)

// Pos is where a token starts in a statement, and how long it is, counted
// in characters from 1 as DynamoDB counts them in messages.
type Pos struct {
	Line, Col, Len int
}

// String renders the position as DynamoDB appends it to some messages:
// line:column:length.
func (p Pos) String() string {
	return strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Col) + ":" + strconv.Itoa(p.Len)
}

// at is an error whose message ends with the position of the token it is
// about.
func at(p Pos, format string, args ...any) *Error {
	return &Error{Message: fmt.Sprintf(format, args...) + " at " + p.String()}
}
