package sqs

import (
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/cockroachdb/apd/v3"
)

// md5Hex is the hex MD5 of s, as SQS digests message bodies.
func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// attributesMD5 digests message attributes as SQS does, so clients can
// check them: for each attribute in name order, the name, the data type
// and the value, each as a 4-byte big-endian length and its bytes, with a
// transport byte (1 for strings and numbers, 2 for binary) before the
// value.
func attributesMD5(attrs map[string]attributeValue) string {
	if len(attrs) == 0 {
		return ""
	}
	names := make([]string, 0, len(attrs))
	for n := range attrs {
		names = append(names, n)
	}
	sort.Strings(names)
	h := md5.New()
	var n [4]byte
	field := func(b []byte) {
		binary.BigEndian.PutUint32(n[:], uint32(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	for _, name := range names {
		a := attrs[name]
		field([]byte(name))
		field([]byte(a.DataType))
		if isBinaryType(a.DataType) {
			h.Write([]byte{2})
			field(a.BinaryValue)
		} else {
			h.Write([]byte{1})
			field([]byte(a.StringValue))
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

func isBinaryType(dataType string) bool {
	return dataType == "Binary" || strings.HasPrefix(dataType, "Binary.")
}

// baseType is a data type's base: "String", "Number" or "Binary", or "".
func baseType(dataType string) string {
	base, custom, hasCustom := strings.Cut(dataType, ".")
	switch base {
	case "String", "Number", "Binary":
	default:
		return ""
	}
	if hasCustom && custom == "" {
		return ""
	}
	return base
}

// checkMessageAttributes validates a message's attributes as SQS does and
// returns them with their size, which counts against the message size.
func checkMessageAttributes(in map[string]MessageAttributeValue) (map[string]attributeValue, int, error) {
	if len(in) == 0 {
		return nil, 0, nil
	}
	if len(in) > maxMessageAttributes {
		return nil, 0, ErrInvalidParameterValue.Withf("Number of message attributes [%d] exceeds the allowed maximum [%d].", len(in), maxMessageAttributes)
	}
	out := make(map[string]attributeValue, len(in))
	size := 0
	for name, v := range in {
		if err := checkAttributeName(name); err != nil {
			return nil, 0, err
		}
		dt := ""
		if v.DataType != nil {
			dt = *v.DataType
		}
		if dt == "" {
			return nil, 0, ErrInvalidParameterValue.Withf("The message attribute '%s' must contain non-empty message attribute type.", name)
		}
		base := baseType(dt)
		if base == "" {
			return nil, 0, ErrInvalidParameterValue.Withf("The type of message (user) attribute '%s' is invalid. You must use only the following supported type prefixes: Binary, Number, String.", name)
		}
		if len(dt) > 256 {
			return nil, 0, ErrInvalidParameterValue.Withf("Message (user) attribute '%s' type must be at most 256 characters long.", name)
		}
		if len(v.StringListValues) > 0 || len(v.BinaryListValues) > 0 {
			return nil, 0, ErrInvalidParameterValue.Withf("Message (user) attribute '%s' contains a list value, which SQS does not support yet.", name)
		}
		a := attributeValue{DataType: dt}
		switch base {
		case "Binary":
			if len(v.BinaryValue) == 0 {
				return nil, 0, ErrInvalidParameterValue.Withf("Message (user) attribute '%s' must contain a non-empty value of type '%s'.", name, dt)
			}
			if v.StringValue != nil {
				return nil, 0, ErrInvalidParameterValue.Withf("Message (user) attribute '%s' with type 'Binary' must use field 'Binary'.", name)
			}
			a.BinaryValue = v.BinaryValue
			size += len(v.BinaryValue)
		default:
			if v.StringValue == nil || *v.StringValue == "" {
				return nil, 0, ErrInvalidParameterValue.Withf("Message (user) attribute '%s' must contain a non-empty value of type '%s'.", name, dt)
			}
			if v.BinaryValue != nil {
				return nil, 0, ErrInvalidParameterValue.Withf("Message (user) attribute '%s' with type '%s' must use field 'String'.", name, base)
			}
			s := *v.StringValue
			if !validContent(s) {
				return nil, 0, ErrInvalidParameterValue.Withf("Message (user) attribute '%s' value contains invalid characters.", name)
			}
			if base == "Number" {
				if err := checkNumber(name, s); err != nil {
					return nil, 0, err
				}
			}
			a.StringValue = s
			size += len(s)
		}
		size += len(name) + len(dt)
		out[name] = a
	}
	return out, size, nil
}

// checkAttributeName applies SQS's rules for message attribute names.
func checkAttributeName(name string) error {
	bad := func(reason string) error {
		return ErrInvalidParameterValue.Withf("Message (user) attribute name '%s' is invalid. %s", name, reason)
	}
	if name == "" {
		return ErrInvalidParameterValue.WithMessage("The request must contain non-empty message (user) attribute names.")
	}
	if len(name) > maxAttributeNameBytes {
		return bad("Attribute names must be 256 characters or less.")
	}
	lower := strings.ToLower(name)
	if strings.HasPrefix(lower, "aws.") || strings.HasPrefix(lower, "amazon.") {
		return bad("The attribute name must not start with AWS-reserved prefixes 'AWS.' or 'Amazon.'.")
	}
	if strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".") || strings.Contains(name, "..") {
		return bad("The attribute name must not start or end with a period (.), and it should not have successive periods (..).")
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.') {
			return bad("The attribute name can contain alphanumeric characters, the underscore (_), the hyphen (-), and the period (.).")
		}
	}
	return nil
}

// checkNumber checks a Number attribute as SQS documents it: up to 38
// digits of precision (leading and trailing zeros do not count), and a
// magnitude from 10^-128 to 10^126.
func checkNumber(name, s string) error {
	bad := ErrInvalidParameterValue.Withf("Can't cast the value of message (user) attribute '%s' to a number.", name)
	d, _, err := apd.NewFromString(strings.TrimSpace(s))
	if err != nil || d.Form != apd.Finite {
		return bad
	}
	if d.IsZero() {
		return nil
	}
	var r apd.Decimal
	r.Reduce(d)
	digits := r.NumDigits()
	if digits > 38 {
		return bad
	}
	// The magnitude is about 10^(exponent + digits - 1).
	if mag := int64(r.Exponent) + digits - 1; mag > 126 || mag < -128 {
		return bad
	}
	return nil
}

// validContent reports whether s holds only the characters SQS accepts
// in message bodies and attribute strings: #x9 | #xA | #xD | #x20 to
// #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF.
func validContent(s string) bool {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n <= 1 {
			return false
		}
		switch {
		case r == 0x9 || r == 0xA || r == 0xD:
		case r >= 0x20 && r <= 0xD7FF:
		case r >= 0xE000 && r <= 0xFFFD:
		case r >= 0x10000 && r <= 0x10FFFF:
		default:
			return false
		}
		i += n
	}
	return true
}

// selectAttributes returns the attributes a ReceiveMessage's
// MessageAttributeNames ask for: "All", "*" or ".*", names, and
// "prefix.*", which SQS matches against the names that start with
// prefix ("Hel.*" selects both "Hello" and "Help.Me").
func selectAttributes(attrs map[string]attributeValue, names []string) map[string]attributeValue {
	if len(attrs) == 0 || len(names) == 0 {
		return nil
	}
	out := map[string]attributeValue{}
	for name, v := range attrs {
		for _, want := range names {
			if want == "All" || want == "*" || want == ".*" || want == name ||
				strings.HasSuffix(want, ".*") && strings.HasPrefix(name, strings.TrimSuffix(want, ".*")) {
				out[name] = v
				break
			}
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
