package cloudformation

import "github.com/virga/virga/internal/awsproto/shape"

// ValuesInMessages is OnFailure's values as CloudFormation lists them: "1
// validation error detected: Value 'delete' at 'onFailure' failed to
// satisfy constraint: Member must satisfy enum value set: [ROLLBACK,
// DELETE, DO_NOTHING]". The other enums are listed in the model's order,
// CloudFormation's own order for them being unconfirmed.
func (OnFailure) ValuesInMessages() []string { return []string{"ROLLBACK", "DELETE", "DO_NOTHING"} }

// violationError reports the model's constraint violations as
// CloudFormation does: a bad element of a list (Capabilities,
// StackStatusFilter) is reported on the list, "Value '[CAPABILITY_FOO]'
// at 'capabilities' failed to satisfy constraint: Member must satisfy
// constraint: [Member must satisfy enum value set: [...]]".
func violationError(in any, vs []shape.Violation) error {
	return ErrValidation.WithMessage(shape.Message(shape.OnLists(in, vs, func(_, c string) (string, bool) {
		return "Member must satisfy constraint: [" + c + "]", true
	})))
}
