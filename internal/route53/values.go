package route53

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// maxTXTString is DNS's limit on one character string of a TXT or SPF
// value: "each string can be up to 255 characters".
const maxTXTString = 255

// checkValue parses one resource record's value as its type's data,
// as Route 53 does before it accepts a change, and returns the reason
// it cannot, in the words Route 53 reports within "Invalid Resource
// Record: 'FATAL problem: REASON encountered with 'VALUE”". Types it
// does not parse (DS, NAPTR, SOA's fields beyond their count) pass.
func checkValue(typ RRType, v string) string {
	switch typ {
	case "A":
		if strings.ContainsAny(v, " \t") {
			return "ARRDATANotSingleField (Value contains spaces)"
		}
		if a, err := netip.ParseAddr(v); err != nil || !a.Is4() {
			return "ARRDATAIllegalIPv4Address (Value is not a valid IPv4 address)"
		}
	case "AAAA":
		if strings.ContainsAny(v, " \t") {
			return "AAAARRDATANotSingleField (Value contains spaces)"
		}
		if a, err := netip.ParseAddr(v); err != nil || !a.Is6() || a.Zone() != "" {
			return "AAAARRDATAIllegalIPv6Address (Value is not a valid IPv6 address)"
		}
	case "CNAME", "NS", "PTR":
		if strings.ContainsAny(v, " \t") {
			return "DomainLabelEmpty (Domain label is empty)"
		}
		if _, err := canonicalName(v); err != nil {
			return "DomainLabelEmpty (Domain label is empty)"
		}
	case "MX":
		f := strings.Fields(v)
		if len(f) != 2 {
			return "MXRRDATAIncorrectFieldCount (Value must have two fields: a priority and a mail server)"
		}
		if !isUint(f[0], 65535) {
			return "MXRRDATAInvalidPriority (Priority must be an integer from 0 to 65535)"
		}
	case "SRV":
		f := strings.Fields(v)
		if len(f) != 4 {
			return "SRVRRDATAIncorrectFieldCount (Value must have four fields: priority, weight, port and target)"
		}
		for _, n := range f[:3] {
			if !isUint(n, 65535) {
				return "SRVRRDATAInvalidNumber (Priority, weight and port must be integers from 0 to 65535)"
			}
		}
	case "CAA":
		f := strings.SplitN(v, " ", 3)
		if len(f) != 3 || !isUint(f[0], 255) || f[1] == "" || !quoted(f[2]) {
			return "CAARRDATAIncorrectFormat (Value must be a flag, a tag and a quoted value)"
		}
	case "TXT", "SPF":
		if reason := checkCharacterStrings(v); reason != "" {
			return reason
		}
	case "SOA":
		if len(strings.Fields(v)) != 7 {
			return "SOARRDATAIncorrectFieldCount (Value must have seven fields)"
		}
	}
	return ""
}

// checkCharacterStrings checks a TXT or SPF value: one or more
// character strings, each in double quotes unless it is a plain word,
// with '\' escaping the next character, each at most 255 characters.
func checkCharacterStrings(v string) string {
	if strings.TrimSpace(v) == "" {
		return "InvalidCharacterString (Value should be enclosed in quotation marks)"
	}
	for i := 0; i < len(v); {
		switch c := v[i]; {
		case c == ' ' || c == '\t':
			i++
		case c == '"':
			n := 0
			i++
			for ; i < len(v) && v[i] != '"'; i++ {
				if v[i] == '\\' {
					i++
				}
				n++
			}
			if i >= len(v) {
				return "InvalidCharacterString (Value should be enclosed in quotation marks)"
			}
			if n > maxTXTString {
				return "CharacterStringTooLong (Value is too long)"
			}
			i++
			if i < len(v) && v[i] != ' ' && v[i] != '\t' {
				return "InvalidCharacterString (Value should be enclosed in quotation marks)"
			}
		default:
			start := i
			for ; i < len(v) && v[i] != ' ' && v[i] != '\t'; i++ {
				if v[i] == '"' {
					return "InvalidCharacterString (Value should be enclosed in quotation marks)"
				}
			}
			if i-start > maxTXTString {
				return "CharacterStringTooLong (Value is too long)"
			}
		}
	}
	return ""
}

func quoted(s string) bool { return len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' }

func isUint(s string, max uint64) bool {
	n, err := strconv.ParseUint(s, 10, 32)
	return err == nil && n <= max
}

// invalidRecord is the message of a value checkValue refuses.
func invalidRecord(reason, value string) string {
	return fmt.Sprintf("Invalid Resource Record: 'FATAL problem: %s encountered with '%s''", reason, value)
}
