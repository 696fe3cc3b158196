package sns

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/cockroachdb/apd/v3"
)

// attribute is a message attribute as SNS keeps and delivers it. Its
// DataType is String, Number, Binary or String.Array, possibly with a
// custom suffix ("Number.float").
type attribute struct {
	DataType string `json:"type"`
	String   string `json:"s,omitempty"`
	Binary   []byte `json:"b,omitempty"`
}

// maxAttributeNameBytes: "Name – The name of a message attribute can be
// ... up to 256 characters long."
const maxAttributeNameBytes = 256

// attributeBase is a data type's base type, or "" when SNS does not know
// it. String.Array is a type of its own; other dotted suffixes are custom
// labels of the base type.
func attributeBase(dataType string) string {
	if dataType == "String.Array" {
		return "String.Array"
	}
	base, custom, dotted := strings.Cut(dataType, ".")
	switch base {
	case "String", "Number", "Binary":
	default:
		return ""
	}
	if dotted && custom == "" {
		return ""
	}
	return base
}

// checkMessageAttributes validates a Publish's message attributes as SNS
// does and returns them with the bytes they count towards the message
// size limit (name, type and value of each).
func checkMessageAttributes(in map[string]MessageAttributeValue) (map[string]attribute, int, error) {
	if len(in) == 0 {
		return nil, 0, nil
	}
	out := make(map[string]attribute, len(in))
	size := 0
	// Check in name order so that the error for several bad attributes
	// does not depend on map order.
	names := make([]string, 0, len(in))
	for name := range in {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		v := in[name]
		if err := checkAttributeName(name); err != nil {
			return nil, 0, err
		}
		dt := ""
		if v.DataType != nil {
			dt = *v.DataType
		}
		base := attributeBase(dt)
		if base == "" {
			return nil, 0, ErrParameterValueInvalid.Withf("The message attribute '%s' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.", name)
		}
		a := attribute{DataType: dt}
		switch base {
		case "Binary":
			if v.BinaryValue == nil {
				return nil, 0, ErrParameterValueInvalid.Withf("The message attribute '%s' with type '%s' must use field 'Binary'.", name, dt)
			}
			if len(v.BinaryValue) == 0 {
				return nil, 0, emptyAttribute(name, dt)
			}
			a.Binary = v.BinaryValue
			size += len(a.Binary)
		default:
			if v.StringValue == nil {
				return nil, 0, ErrParameterValueInvalid.Withf("The message attribute '%s' with type '%s' must use field 'String'.", name, dt)
			}
			s := *v.StringValue
			if s == "" {
				return nil, 0, emptyAttribute(name, dt)
			}
			if !utf8.ValidString(s) {
				return nil, 0, ErrParameterValueInvalid.Withf("The message attribute '%s' contains invalid characters.", name)
			}
			switch base {
			case "Number":
				if _, _, err := apd.NewFromString(strings.TrimSpace(s)); err != nil {
					return nil, 0, ErrParameterValueInvalid.Withf("Could not cast message attribute '%s' value to number.", name)
				}
			case "String.Array":
				if _, err := decodeStringArray(s); err != nil {
					return nil, 0, ErrParameterValueInvalid.Withf("The message attribute '%s' with type 'String.Array' must be a JSON array of strings, numbers, true, false or null.", name)
				}
			}
			a.String = s
			size += len(s)
		}
		size += len(name) + len(dt)
		out[name] = a
	}
	return out, size, nil
}

func emptyAttribute(name, dataType string) error {
	return ErrParameterValueInvalid.Withf("The message attribute '%s' must contain non-empty message attribute value for message attribute type '%s'.", name, dataType)
}

// checkAttributeName applies SNS's rules for attribute names: letters,
// digits, underscores, hyphens and periods, no period first or last and no
// two in a row, at most 256 bytes.
func checkAttributeName(name string) error {
	switch {
	case name == "":
		return ErrParameterValueInvalid.WithMessage("The message attribute name must not be empty.")
	case len(name) > maxAttributeNameBytes:
		return ErrParameterValueInvalid.WithMessage("Length of message attribute name must be less than 256 bytes.")
	case name[0] == '.':
		return ErrParameterValueInvalid.WithMessage("Invalid message attribute name starting with character '.' was found.")
	case name[len(name)-1] == '.':
		return ErrParameterValueInvalid.WithMessage("Invalid message attribute name ending with character '.' was found.")
	}
	for i, r := range name {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.'
		if !ok {
			return ErrParameterValueInvalid.Withf("Invalid non-alphanumeric character '#x%X' was found in the message attribute name. Can only include alphanumeric characters, hyphens, underscores, or dots.", r)
		}
		if r == '.' && i > 0 && name[i-1] == '.' {
			return ErrParameterValueInvalid.WithMessage("Message attribute name can not have successive '.' character.")
		}
	}
	return nil
}

// decodeStringArray decodes a String.Array value: a JSON array whose
// elements are strings, numbers, booleans or null. Numbers stay
// json.Numbers so that filter policies compare them exactly.
func decodeStringArray(s string) ([]any, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v []any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if strings.TrimSpace(s[dec.InputOffset():]) != "" {
		return nil, fmt.Errorf("trailing data after the array")
	}
	if v == nil {
		return nil, fmt.Errorf("not an array")
	}
	for _, e := range v {
		switch e.(type) {
		case string, json.Number, bool, nil:
		default:
			return nil, fmt.Errorf("array elements must be strings, numbers, booleans or null")
		}
	}
	return v, nil
}

// filterValues presents message attributes to a filter policy as SNS
// does: a String as a string, a Number as a number, a String.Array as its
// elements; Binary attributes are left out.
func filterValues(attrs map[string]attribute) map[string]any {
	out := make(map[string]any, len(attrs))
	for name, a := range attrs {
		switch attributeBase(a.DataType) {
		case "String":
			out[name] = a.String
		case "Number":
			out[name] = json.Number(strings.TrimSpace(a.String))
		case "String.Array":
			if v, err := decodeStringArray(a.String); err == nil {
				out[name] = v
			}
		}
	}
	return out
}

// envelopeAttribute is a message attribute in a JSON envelope: its type
// and its value as a string (Binary base64-encoded).
type envelopeAttribute struct {
	Type  string `json:"Type"`
	Value string `json:"Value"`
}

// envelopeAttributes renders attributes for a JSON envelope.
func envelopeAttributes(attrs map[string]attribute) map[string]envelopeAttribute {
	out := make(map[string]envelopeAttribute, len(attrs))
	for name, a := range attrs {
		v := a.String
		if attributeBase(a.DataType) == "Binary" {
			v = base64.StdEncoding.EncodeToString(a.Binary)
		}
		out[name] = envelopeAttribute{Type: a.DataType, Value: v}
	}
	return out
}
