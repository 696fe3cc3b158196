package eventpattern

// Error reports a pattern that its dialect rejects. Reason carries AWS's
// own wording for the problem, without the service's prefix, so that a
// service can wrap it in its error: EventBridge answers
// InvalidEventPatternException, SNS answers InvalidParameter.
type Error struct {
	// Dialect is the dialect the pattern was compiled for.
	Dialect Dialect
	// Reason is AWS's description of the problem, such as
	// `"detail" must be an object or an array`. AWS appends the parser's
	// position ("at [Source: ...; line: 1, column: 12]"); Reason does not.
	Reason string
	// bare marks an SNS reason that AWS reports without the
	// "FilterPolicy: " qualifier.
	bare bool
}

// Error returns the message AWS answers with: for EventBridge
// "Event pattern is not valid. Reason: <reason>", for SNS (as answered by
// SetSubscriptionAttributes) "Invalid parameter: FilterPolicy: <reason>".
// Subscribe words the SNS message "Invalid parameter: Attributes Reason:
// FilterPolicy: <reason>"; the SNS service builds that form by replacing
// the leading "Invalid parameter: " of this message.
func (e *Error) Error() string {
	switch {
	case e.Dialect == EventBridge:
		return "Event pattern is not valid. Reason: " + e.Reason
	case e.bare:
		return "Invalid parameter: " + e.Reason
	default:
		return "Invalid parameter: FilterPolicy: " + e.Reason
	}
}

// Reasons that appear in more than one place. The wording is AWS's, typos
// included, because users search for it.
const (
	reasonEmptyObject      = "Empty objects are not allowed"
	reasonEmptyArray       = "Empty arrays are not allowed"
	reasonNotObject        = "Filter is not an object"
	reasonMatchValue       = "Match value must be String, number, true, false, or null"
	reasonOneKey           = "Only one key allowed in match expression"
	reasonTooManyNumeric   = "Too many elements in numeric expression"
	reasonNoMatchName      = "Match expression name not found"
	reasonIgnoreCaseString = "equals-ignore-case match pattern must be a string"
	reasonWildcardString   = "wildcard match pattern must be a string"
	reasonAffixString      = "prefix/suffix match pattern must be a string"
	reasonEmptyAffix       = "Null prefix/suffix not allowed"
	reasonAnythingButValue = "Value of anything-but must be an array or single string/number value."
	reasonAnythingButList  = "Inside anything but list, start|null|boolean is not supported."
	reasonAnythingButMixed = "Inside anything but list, either all values are number or string, mixed type is not supported"
	reasonIgnoreCaseList   = "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported."
	// reasonEventBridgeJSON stands for text that is not JSON. AWS answers
	// with its JSON parser's own complaint, which varies with the mistake.
	reasonEventBridgeJSON = "Invalid JSON"
	// reasonSNSJSON is SNS's answer for text that is not JSON (AWS follows
	// it with the parser's complaint).
	reasonSNSJSON = "failed to parse JSON."
	// reasonSNSTooLong is not documented by AWS, which only states the
	// 256 KB limit; the wording is this package's.
	reasonSNSTooLong     = "Filter policy is too long"
	reasonSNSTooComplex  = "Filter policy is too complex"
	reasonSNSTooManyKeys = "Filter policy can not have more than 5 keys"
	// reasonSNSNested is reported by SNS without "FilterPolicy: ".
	reasonSNSNested = "Filter policy scope MessageAttributes does not support nested filter policy"
)
