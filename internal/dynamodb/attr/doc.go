// Package attr is DynamoDB's data model as a domain type: attribute values,
// items, numbers, comparison, item sizes and the validation rules DynamoDB
// applies to values and keys.
//
// It owns:
//
//   - Value, a tagged union for the ten attribute types (S, N, B, SS, NS, BS,
//     M, L, NULL, BOOL), and Item, a map of attribute names to values.
//   - Number, an exact decimal (github.com/cockroachdb/apd/v3) with DynamoDB's
//     rules: at most 38 significant digits, a magnitude between 1E-130 and
//     9.9999999999999999999999999999999999999E+125 (or zero), and the
//     canonical text DynamoDB returns ("0100" reads back as "100", "1.50" as
//     "1.5", "1e2" as "100", "-0" as "0").
//   - Compare and Equal, DynamoDB's ordering and equality rules.
//   - Size and ItemSize, the byte sizes DynamoDB charges against the 400 KB
//     item limit and uses for capacity units.
//   - Validate, ValidateItem and CheckKey, the value and key checks, with
//     DynamoDB's messages.
//
// It must not know about HTTP, JSON or the wire format: the service's codec
// turns AttributeValue JSON into Values and back. Errors returned here are
// *Error values whose Message is DynamoDB's message without the exception
// name; the service wraps them into a ValidationException.
//
// Invariants: a Value is immutable once built (constructors keep the slices
// and maps they are given, so callers must not change them afterwards); a
// Number is always finite, reduced (no trailing zeros in its coefficient) and
// never negative zero; set members keep their insertion order.
package attr
