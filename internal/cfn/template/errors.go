package template

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrNotSupported is wrapped by every *Error about a template feature that
// CloudFormation accepts but virga does not implement, such as an
// Fn::Transform macro left in a tree or a dynamic reference in an output. A service answers these with its not-implemented error rather
// than a ValidationError; test with errors.Is.
var ErrNotSupported = errors.New("not supported by virga")

// Message prefixes CloudFormation puts in front of template problems.
// "Template format error" is for the structure of the template and
// "Template error" for intrinsic functions and evaluation; parameter value
// problems carry no prefix.
const (
	prefixFormat   = "Template format error: "
	prefixTemplate = "Template error: "
)

// Error is a problem with a template, its parameters or its evaluation.
// Message is CloudFormation's own wording, so that a service can answer
// ValidationError with it unchanged; the other fields say where in the
// template the problem is, when that is known.
type Error struct {
	// Message is AWS's wording of the problem, prefix included, for
	// example "Template format error: Unresolved resource dependencies
	// [Bucket] in the Resources block of the template".
	Message string
	// Detail adds what AWS's wording leaves out, such as the YAML parser's
	// complaint behind "YAML not well-formed". It may be empty.
	Detail string
	// Path is a JSON pointer to the offending node, for example
	// "/Resources/Bucket/Properties/BucketName", or "" when the problem
	// belongs to no single node.
	Path string
	// Line and Column locate the node in the template body, counting from
	// 1. They are 0 when unknown: the template was not parsed from text,
	// or the problem belongs to no node.
	Line, Column int

	// notSupported makes the error match ErrNotSupported.
	notSupported bool
	// located marks a Message that already carries the position, as
	// AWS's "YAML not well-formed. (line 3, column 7)" does.
	located bool
}

// Error returns Message followed by the position and the detail when they
// are known and not already part of Message, for example
// "Template error: Fn::Select cannot select nonexistent value at index 3
// (line 12, column 9)". A service that must answer with AWS's exact text
// uses Message instead.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Message)
	if !e.located && e.Line > 0 {
		b.WriteString(" ")
		b.WriteString(position(e.Line, e.Column))
	}
	if e.Detail != "" {
		b.WriteString(": ")
		b.WriteString(e.Detail)
	}
	return b.String()
}

// Unwrap lets errors.Is(err, ErrNotSupported) find unsupported features.
func (e *Error) Unwrap() error {
	if e.notSupported {
		return ErrNotSupported
	}
	return nil
}

// position formats a location the way CloudFormation does in its YAML
// errors: "(line 12, column 5)", or "(line 12)" when the column is unknown.
func position(line, col int) string {
	if col <= 0 {
		return "(line " + strconv.Itoa(line) + ")"
	}
	return "(line " + strconv.Itoa(line) + ", column " + strconv.Itoa(col) + ")"
}

// where formats a position for a detail: "line 12, column 5".
func where(p Pos) string {
	return "line " + strconv.Itoa(p.Line) + ", column " + strconv.Itoa(p.Column)
}

// formatErr is a "Template format error: ..." about template structure.
func formatErr(format string, args ...any) *Error {
	return &Error{Message: prefixFormat + fmt.Sprintf(format, args...)}
}

// templateErr is a "Template error: ..." about functions and evaluation.
func templateErr(format string, args ...any) *Error {
	return &Error{Message: prefixTemplate + fmt.Sprintf(format, args...)}
}

// plainErr is a message AWS gives without a prefix, as it does for
// parameter values.
func plainErr(format string, args ...any) *Error {
	return &Error{Message: fmt.Sprintf(format, args...)}
}

// unsupportedErr is a feature virga does not implement. Its wording is
// virga's: AWS has no such error.
func unsupportedErr(format string, args ...any) *Error {
	return &Error{Message: fmt.Sprintf(format, args...), notSupported: true}
}

// bracketList renders names the way CloudFormation lists them in
// messages: "[A, B]".
func bracketList(names []string) string {
	return "[" + strings.Join(names, ", ") + "]"
}

// Pos is a position in a template body, counting lines and columns from 1.
type Pos struct {
	Line, Column int
}

// locate fills in the path and position of err from the template's
// position table, unless err already has a path. It returns err.
func (t *Template) locate(err *Error, path string) *Error {
	if err == nil || err.Path != "" || path == "" {
		return err
	}
	err.Path = path
	if t != nil {
		if p, ok := t.positions[path]; ok && err.Line == 0 {
			err.Line, err.Column = p.Line, p.Column
		}
	}
	return err
}

// childPath appends one key or index to a JSON pointer, escaping "~" and
// "/" as RFC 6901 asks.
func childPath(parent, key string) string {
	if strings.ContainsAny(key, "~/") {
		key = strings.ReplaceAll(key, "~", "~0")
		key = strings.ReplaceAll(key, "/", "~1")
	}
	return parent + "/" + key
}

// indexPath appends a list index to a JSON pointer.
func indexPath(parent string, i int) string {
	return parent + "/" + strconv.Itoa(i)
}
