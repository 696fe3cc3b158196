package eventpattern

import "fmt"

// Dialect selects whose grammar and limits a pattern follows. The services
// share one matching engine but differ in what they accept.
type Dialect int

const (
	// EventBridge is an EventBridge event pattern (rules, archives,
	// TestEventPattern), matched against the whole event envelope.
	EventBridge Dialect = iota + 1
	// SNSMessageAttributes is an SNS subscription filter policy with
	// FilterPolicyScope MessageAttributes (the default). The policy must be
	// flat; it is matched against the attributes presented as one JSON
	// object, {"name": value}.
	SNSMessageAttributes
	// SNSMessageBody is an SNS subscription filter policy with
	// FilterPolicyScope MessageBody. The policy may nest; it is matched
	// against the message body parsed as JSON.
	SNSMessageBody
)

// String returns the dialect's name as AWS spells the service or scope.
func (d Dialect) String() string {
	switch d {
	case EventBridge:
		return "EventBridge"
	case SNSMessageAttributes:
		return "SNS MessageAttributes"
	case SNSMessageBody:
		return "SNS MessageBody"
	}
	return fmt.Sprintf("Dialect(%d)", int(d))
}

// Limits. Each carries the AWS documentation's wording.
const (
	// EventBridgeMaxPatternLength is PutRule's EventPattern length
	// constraint: "Maximum length of 4096" (the default quota, "Event
	// pattern size", is 2048 characters and can be raised to 4096). The
	// API layer rejects longer patterns with a ValidationException before
	// the pattern is compiled, so Compile does not enforce it.
	EventBridgeMaxPatternLength = 4096

	// snsMaxPolicyBytes: "The maximum size of a filter policy is 256 KB."
	snsMaxPolicyBytes = 256 * 1024
	// snsMaxKeys: "A filter policy can have a maximum of five keys", and
	// for payload-based filtering "only the top-level keys count".
	snsMaxKeys = 5
	// snsMaxCombinations: "The total combination of values in a filter
	// policy must not exceed 150."
	snsMaxCombinations = 150
	// maxNesting bounds how deep a pattern's JSON may nest. AWS documents no
	// limit; 1000 is the JSON parser default of the Java library AWS's
	// pattern engine is built on, and it keeps the compiler's recursion
	// shallow.
	maxNesting = 1000
)

// rules is what one dialect accepts.
type rules struct {
	dialect Dialect
	// numbers bounds the operands of numeric and anything-but matchers and
	// the event values numeric ranges apply to.
	numbers numericDomain
	// wildcard reports whether {"wildcard": ...} is part of the grammar.
	wildcard bool
	// nesting reports whether a field may hold an object of fields.
	nesting bool
	// emptyMatchesAll reports whether "{}" is a valid pattern that matches
	// everything. SNS documents "{}" as the way to clear a filter policy;
	// EventBridge rejects empty objects.
	emptyMatchesAll bool
	// snsLimits turns on the size, key and combination limits of SNS.
	snsLimits bool
}

var (
	// EventBridge: "Numeric matching ... is limited to values between
	// -5.0e9 and +5.0e9 inclusive, with 15 digits of precision, or six
	// digits to the right of the decimal point" (AWS's event-ruler, the
	// engine behind EventBridge; older EventBridge guides said 1.0e9).
	eventBridgeNumbers = numericDomain{
		limit:       mustDecimal("5e9"),
		maxScale:    6,
		rangeReason: "Value must be between -5.0E9 and 5.0E9, inclusive",
		scaleReason: "Only values upto 6 decimals are supported",
	}
	// SNS: "For numeric matching, the value can range from -10^9 to 10^9
	// (-1 billion to 1 billion), with five digits of accuracy after the
	// decimal point." AWS does not say what it answers for an operand out
	// of range; the reason is worded like EventBridge's. "Accuracy" is not
	// a rejection rule, so extra decimals are accepted and compared exactly.
	snsNumbers = numericDomain{
		limit:       mustDecimal("1e9"),
		rangeReason: "Value must be between -1.0E9 and 1.0E9, inclusive",
	}
)

// rulesFor returns the rules of d, or false when d is not a dialect.
func rulesFor(d Dialect) (rules, bool) {
	switch d {
	case EventBridge:
		return rules{dialect: d, numbers: eventBridgeNumbers, wildcard: true, nesting: true}, true
	case SNSMessageAttributes:
		return rules{dialect: d, numbers: snsNumbers, emptyMatchesAll: true, snsLimits: true}, true
	case SNSMessageBody:
		return rules{dialect: d, numbers: snsNumbers, nesting: true, emptyMatchesAll: true, snsLimits: true}, true
	}
	return rules{}, false
}
