package ssm

import (
	"strconv"
	"strings"
)

// Parameter name limits, from "Requirements and constraints for
// parameter names" in the Systems Manager User Guide.
const (
	// maxLevels: "Parameter hierarchies are limited to a maximum depth of
	// fifteen levels", the name's own level included.
	maxLevels = 15
	// maxARNLength: "The maximum length for a parameter name, including
	// the full content of the parameter ARN, is 1011 characters."
	maxARNLength = 1011
)

// validName checks a name PutParameter is to create: a plain name or a
// fully qualified path, of a-zA-Z0-9_.- segments, not in the "aws" or
// "ssm" namespaces.
func validName(name, arn string) error {
	if strings.Contains(name, "/") && !strings.HasPrefix(name, "/") {
		return ErrValidation.WithMessage("Parameter name must be a fully qualified name.")
	}
	rest := strings.TrimPrefix(name, "/")
	lower := strings.ToLower(rest)
	if strings.HasPrefix(lower, "aws") || strings.HasPrefix(lower, "ssm") {
		return ErrValidation.WithMessage(nameMessage)
	}
	segments := strings.Split(rest, "/")
	for _, s := range segments {
		if s == "" || !nameChars(s) {
			return ErrValidation.WithMessage(nameMessage)
		}
	}
	if len(segments) > maxLevels {
		return ErrHierarchyLevelLimitExceeded
	}
	if len(arn) > maxARNLength {
		return ErrValidation.WithMessage("Parameter name: the name, including the characters of its ARN, must be at most 1011 characters long.")
	}
	return nil
}

func nameChars(s string) bool {
	for _, c := range []byte(s) {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_', c == '.', c == '-':
		default:
			return false
		}
	}
	return true
}

// validPath checks a GetParametersByPath path: it starts with a slash
// and its segments use the name characters. The "/aws" namespace may be
// read (AWS's public parameters live there).
func validPath(path string) bool {
	if !strings.HasPrefix(path, "/") {
		return false
	}
	rest := strings.TrimSuffix(strings.TrimPrefix(path, "/"), "/")
	if rest == "" {
		return true
	}
	for _, s := range strings.Split(rest, "/") {
		if s == "" || !nameChars(s) {
			return false
		}
	}
	return true
}

// selector is what a name in GetParameter(s) may carry after a colon:
// a version number or a label.
type selector struct {
	name    string
	version int64  // 0: none
	label   string // "": none
	text    string // ":3" or ":label", as the response's Selector shows it
}

// parseSelector splits "name:version" or "name:label". Names have no
// colons, so the first colon starts the selector; an ARN's colons are
// skipped by the caller, which passes the name alone. ok is false when
// a selector is present but empty, or when a number is out of range.
func parseSelector(s string) (sel selector, ok bool) {
	name, rest, found := strings.Cut(s, ":")
	sel.name = name
	if !found {
		return sel, name != ""
	}
	if name == "" || rest == "" || strings.Contains(rest, ":") {
		return sel, false
	}
	sel.text = ":" + rest
	if rest[0] >= '0' && rest[0] <= '9' {
		v, err := strconv.ParseInt(rest, 10, 64)
		if err != nil || v < 1 {
			return sel, false
		}
		sel.version = v
		return sel, true
	}
	sel.label = rest
	return sel, true
}

// Label rules, from "Working with parameter labels" in the User Guide:
// up to 100 characters of letters, numbers, periods, hyphens and
// underscores; not starting with a number, "aws" or "ssm"
// (case-insensitive).
const maxLabelLength = 100

func validLabel(l string) bool {
	if l == "" || len(l) > maxLabelLength || !nameChars(l) {
		return false
	}
	if l[0] >= '0' && l[0] <= '9' {
		return false
	}
	lower := strings.ToLower(l)
	return !strings.HasPrefix(lower, "aws") && !strings.HasPrefix(lower, "ssm")
}
