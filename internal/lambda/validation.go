package lambda

import (
	"strings"

	"github.com/virga/virga/internal/awsproto/shape"
)

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
	var rest []shape.Violation
	var runtime *shape.Violation
	for i, v := range vs {
		if v.Path == "runtime" && strings.HasPrefix(v.Constraint, "Member must satisfy enum value set") {
			runtime = &vs[i]
			continue
		}
		rest = append(rest, v)
	}
	out := shape.OnLists(in, rest, func(list, c string) (string, bool) {
		if w := listWording[list]; w != nil {
			return w(c), true
		}
		return "", false
	})
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
