package sam

import (
	"fmt"
	"strings"

	"github.com/virga/virga/internal/cfn/template"
)

// TransformName is the transform this package implements, as a template
// declares it.
const TransformName = "AWS::Serverless-2016-10-31"

// Error is a SAM document the transform rejects. Like AWS's translator it
// reports every invalid resource, not only the first; each problem is in
// SAM's wording, and Error joins them the way CloudFormation reports a
// failed transform:
//
//	Transform AWS::Serverless-2016-10-31 failed with: Invalid Serverless
//	Application Specification document. Number of errors found: 1.
//	Resource with id [HelloFunction] is invalid. Event with id [Api] is
//	invalid. Missing required property 'Path'.
//
// An Error about a resource type or feature virga does not implement
// (AWS::Serverless::GraphQLApi, a StateMachine's local DefinitionUri, ...)
// wraps template.ErrNotSupported, so that the service answers it as not
// implemented rather than as a validation error.
type Error struct {
	// Problems are the individual errors, each in SAM's wording and
	// ending with a period, such as "Resource with id [Table] is
	// invalid. Missing required property 'ContentUri'.".
	Problems []string

	notSupported bool
}

// Error returns the message CloudFormation gives for a failed transform.
func (e *Error) Error() string {
	return fmt.Sprintf("Transform %s failed with: Invalid Serverless Application Specification document. Number of errors found: %d. %s",
		TransformName, len(e.Problems), strings.Join(e.Problems, " "))
}

// Unwrap lets errors.Is(err, template.ErrNotSupported) find a problem
// with a feature virga does not implement.
func (e *Error) Unwrap() error {
	if e.notSupported {
		return template.ErrNotSupported
	}
	return nil
}

// invalid is one problem found while transforming a resource. It is an
// error so that the code building a resource can return it up to the
// loop that collects them.
type invalid struct {
	msg          string
	notSupported bool
}

func (e *invalid) Error() string { return e.msg }

// resourceError is SAM's "Resource with id [ID] is invalid. ..." problem.
func resourceError(id, format string, args ...any) error {
	return &invalid{msg: "Resource with id [" + id + "] is invalid. " + fmt.Sprintf(format, args...)}
}

// eventError is SAM's problem with one event source of a function.
func eventError(function, event, format string, args ...any) error {
	return resourceError(function, "Event with id [%s] is invalid. %s", event, fmt.Sprintf(format, args...))
}

// missingProperty is SAM's message for a required property left out.
func missingProperty(id, property string) error {
	return resourceError(id, "Missing required property '%s'.", property)
}

// unknownProperty is SAM's message for a property the resource type does
// not define. SAM gives it without a final period.
func unknownProperty(id, property, resourceType string) error {
	return resourceError(id, "property %s not defined for resource of type %s", property, resourceType)
}

// invalidType is SAM's message for a property whose value has the wrong
// shape.
func invalidType(id, property string) error {
	return resourceError(id, "Type of property '%s' is invalid.", property)
}

// notSupported is a resource or feature SAM accepts and virga does not
// implement. The wording is virga's: AWS has no such error.
func notSupported(id, format string, args ...any) error {
	return &invalid{
		msg:          "Resource with id [" + id + "] is invalid. " + fmt.Sprintf(format, args...),
		notSupported: true,
	}
}

// globalsError is SAM's problem with the Globals section.
func globalsError(format string, args ...any) error {
	return &invalid{msg: "'Globals' section is invalid. " + fmt.Sprintf(format, args...)}
}

// structureError is a problem with the template as a whole. The wording
// follows SAM's "Structure of the SAM template is invalid." but could not
// be confirmed for every case.
func structureError(format string, args ...any) error {
	return &invalid{msg: "Structure of the SAM template is invalid. " + fmt.Sprintf(format, args...)}
}
