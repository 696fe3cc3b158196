package lambda

import (
	"reflect"
	"regexp"
	"strings"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/shape"
)

// listMemberPath matches the path shape.Validate gives an element of a
// top-level list ("architectures.1.member").
var listMemberPath = regexp.MustCompile(`^([A-Za-z0-9]+)\.[0-9]+\.member$`)

// violationError reports the model's constraint violations as Lambda
// does. Two rules differ from the plain "N validation errors detected"
// envelope:
//
//   - Lambda checks Runtime in the service, not in its request
//     validation, so an unknown runtime is an InvalidParameterValueException
//     worded "Value python3 at 'runtime' failed to satisfy constraint:
//     Member must satisfy enum value set: [...] or be a valid ARN", and
//     only when nothing else in the request failed validation.
//   - A bad element of a list is reported on the list, with the list's
//     value: "Value '[mips]' at 'architectures' failed to satisfy
//     constraint: Member must satisfy constraint: [Member must satisfy
//     enum value set: [x86_64, arm64], Member must not be null]", each
//     list worded its own way (listWording).
func violationError(in any, vs []shape.Violation) error {
	var out []shape.Violation
	var runtime *shape.Violation
	seen := map[string]bool{}
	for i, v := range vs {
		if v.Path == "runtime" && strings.HasPrefix(v.Constraint, "Member must satisfy enum value set") {
			runtime = &vs[i]
			continue
		}
		if m := listMemberPath.FindStringSubmatch(v.Path); m != nil && listWording[m[1]] != nil {
			if seen[m[1]] {
				continue
			}
			seen[m[1]] = true
			out = append(out, shape.Violation{
				Path:       m[1],
				Value:      "'" + topLevelJava(in, m[1]) + "'",
				Constraint: listWording[m[1]](v.Constraint),
			})
			continue
		}
		out = append(out, v)
	}
	if len(out) == 0 && runtime != nil {
		return invalidParameter("Value %s at 'runtime' failed to satisfy constraint: %s or be a valid ARN",
			strings.Trim(runtime.Value, "'"), runtime.Constraint)
	}
	return ErrValidation.WithMessage(shape.Message(out))
}

// listWording words, for the lists whose wording AWS's answers show, the
// constraint a bad element of the list broke, reported on the list as a
// whole. The wording differs from list to list.
var listWording = map[string]func(element string) string{
	// CreateFunction, UpdateFunctionCode: "Member must satisfy
	// constraint: [Member must satisfy enum value set: [x86_64, arm64],
	// Member must not be null]".
	"architectures": func(c string) string { return "Member must satisfy constraint: [" + c + ", Member must not be null]" },
	// PublishLayerVersion: "Member must satisfy constraint: [Member must
	// satisfy enum value set: [x86_64, arm64]]".
	"compatibleArchitectures": func(c string) string { return "Member must satisfy constraint: [" + c + "]" },
	// PublishLayerVersion: "Member must satisfy enum value set: [...]".
	"compatibleRuntimes": func(c string) string { return c },
}

// topLevelJava prints the request member named (in lowerCamel) path as
// AWS's Java validation messages echo it.
func topLevelJava(in any, path string) string {
	rv := reflect.ValueOf(in)
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return "null"
		}
		rv = rv.Elem()
	}
	for _, f := range shape.Of(rv.Type()).Fields {
		if awsproto.LowerFirst(f.Name) == path {
			return shape.JavaString(rv.Field(f.Index).Interface())
		}
	}
	return "null"
}
