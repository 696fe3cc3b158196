package attr

// Error is a validation failure with DynamoDB's message. The service reports
// it as a ValidationException carrying Message unchanged.
type Error struct {
	Message string
	// Older, when set, is how DynamoDB's older validation layer (the one
	// BatchWriteItem still runs) words the same failure.
	Older string
}

func (e *Error) Error() string { return e.Message }

// Is reports whether target is an *Error with the same message, so that
// errors.Is(err, ErrNumberOverflow) holds for a copy carrying Older.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Message == e.Message
}

// OlderMessage is the older validation layer's wording of e.
func (e *Error) OlderMessage() string {
	if e.Older != "" {
		return e.Older
	}
	return e.Message
}

// Number errors, with DynamoDB's messages. They are returned as these exact
// values, so callers may compare with errors.Is.
var (
	ErrNumberOverflow  = &Error{Message: "Number overflow. Attempting to store a number with magnitude larger than supported range"}
	ErrNumberUnderflow = &Error{Message: "Number underflow. Attempting to store a number with magnitude smaller than supported range"}
	ErrNumberPrecision = &Error{Message: "Attempting to store more than 38 significant digits in a Number"}
)

// errNotNumber is DynamoDB's message for a string that is not a number; it
// quotes the string as sent, even when empty.
func errNotNumber(s string) *Error {
	const msg = "The parameter cannot be converted to a numeric value"
	e := &Error{Message: msg + ": " + s}
	if s == "" {
		e.Older = msg // the older layer leaves out the colon with nothing after it
	}
	return e
}

// Value and item errors.
var (
	ErrEmptyStringSet  = &Error{Message: "One or more parameter values were invalid: An string set  may not be empty"}
	ErrEmptyNumberSet  = &Error{Message: "One or more parameter values were invalid: An number set  may not be empty"}
	ErrEmptyBinarySet  = &Error{Message: "One or more parameter values were invalid: Binary sets should not be empty"}
	ErrNumberSetDup    = &Error{Message: "One or more parameter values were invalid: Input collection contains duplicates."}
	ErrNestingDepth    = &Error{Message: "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit"}
	ErrNameTooLong     = &Error{Message: "Attribute name is too large, must be less than 65536 bytes"}
	ErrItemTooLarge    = &Error{Message: "Item size has exceeded the maximum allowed size"}
	ErrHashKeyTooLong  = &Error{Message: "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes"}
	ErrRangeKeyTooLong = &Error{Message: "One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes"}
)
