package schedexpr

// ErrorCode is the AWS error code both services answer an invalid schedule
// expression with (HTTP 400).
const ErrorCode = "ValidationException"

// Error reports a schedule expression the service would reject.
//
// Message is the service's own wording and is what a client must see, as
// the message of a ValidationException; Error returns it unchanged, so the
// error can be wrapped or passed to an apierr value as is. Reason says which
// part of the expression is wrong; AWS does not tell clients, so it is meant
// for logs and tests only.
type Error struct {
	Message string
	Reason  string
}

func (e *Error) Error() string { return e.Message }

// invalid builds the dialect's error for expr. The messages were observed
// from the real services:
//
//	EventBridge PutRule:      Parameter ScheduleExpression is not valid.
//	Scheduler CreateSchedule: Invalid Schedule Expression rate(10 seconds).
func invalid(d Dialect, expr, reason string) *Error {
	if d == DialectScheduler {
		return &Error{Message: "Invalid Schedule Expression " + expr + ".", Reason: reason}
	}
	return &Error{Message: "Parameter ScheduleExpression is not valid.", Reason: reason}
}
