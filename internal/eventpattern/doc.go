// Package eventpattern is the matching engine shared by EventBridge event
// patterns and SNS subscription filter policies. Both are JSON documents
// that say which JSON events they accept; the package compiles one into a
// Pattern and answers, for any event, whether it matches.
//
// # The model
//
// A pattern is a JSON object. Each field names a field of the event and
// holds either a nested object, which applies to the event field of that
// name, or an array of match values, which is a leaf:
//
//	{
//	  "source": ["aws.ec2"],
//	  "detail": {
//	    "state": ["running", {"prefix": "stop"}],
//	    "c-count": [{"numeric": [">", 0, "<=", 5]}]
//	  }
//	}
//
// Every field of an object must match (AND); a leaf matches when any of
// its values matches (OR); fields the pattern does not name are ignored.
// "$or": [{...}, {...}] inside any object adds an alternative: at least one
// of the objects must match the same event object. When the event holds
// an array where the pattern has a leaf, each element is a value and one
// matching element is enough. When it holds an array where the pattern
// has an object, one element must match that object on its own, so fields
// taken from different elements never combine.
//
// A leaf's values are exact strings, numbers, booleans and null, and
// match expressions: prefix, suffix and equals-ignore-case (prefix and
// suffix may ignore case too), wildcard, anything-but (of values,
// prefixes, suffixes, case-insensitive values or wildcards), numeric
// ranges, exists and cidr. String matchers only match strings and numeric
// ones only numbers; anything-but matches every present value except those
// it excludes. Numbers compare by value, exactly, as decimals: 300, 300.0
// and 3e2 are equal, and no float rounding takes part. A missing field
// matches nothing but {"exists": false}, which also matches a field that
// holds no leaf value (an object or an empty array). Null is a value.
//
// # Dialects
//
// EventBridge patterns match the whole event envelope. SNS filter policies
// with scope MessageAttributes match the attributes presented as a flat
// object {"name": value} (see Pattern.MatchValue) and may not nest; with
// scope MessageBody they match the body parsed as JSON and may nest. SNS
// has no wildcard, accepts "{}" as "match everything", allows numbers
// between -1e9 and 1e9 where EventBridge allows -5e9 to 5e9 with at most
// six decimals, and limits a policy to 256 KB, five top-level keys and 150
// value combinations.
//
// # Errors
//
// Compile refuses what AWS refuses, with an *Error whose Reason is AWS's
// wording, so a service can answer with its own error code around it.
// Where AWS's behaviour could not be confirmed, a comment at the rule says
// so and the simplest reading is taken.
//
// # What it does not do
//
// The package does not fetch, store or route anything, and it does not
// know about envelopes: turning SNS attributes into a JSON object or
// building an EventBridge envelope is the service's job. It does not
// enforce EventBridge's pattern length, which the API layer checks
// (EventBridgeMaxPatternLength). Dotted field names are not split into
// paths: {"a.b": [...]} names a field called "a.b".
//
// A compiled Pattern is immutable and safe for concurrent use; the package
// has no mutable state.
package eventpattern
