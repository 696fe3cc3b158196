package stepfunctions

import (
	"errors"
	"testing"

	"github.com/virga/virga/internal/stepfunctions/asl"
)

// TestStepFunctionsErrorNames checks the error names a nested
// StartExecution fails with: the service's code with one Exception suffix.
func TestStepFunctionsErrorNames(t *testing.T) {
	cases := []struct {
		err  error
		want string
	}{
		{ErrExecutionAlreadyExists.WithMessage("Execution Already Exists: 'x'"), "StepFunctions.ExecutionAlreadyExistsException"},
		{ErrStateMachineDoesNotExist.WithMessage("State Machine Does Not Exist: 'x'"), "StepFunctions.StateMachineDoesNotExistException"},
		{ErrValidation.WithMessage("1 validation error detected"), "StepFunctions.ValidationException"},
		{errors.New("connection reset"), "StepFunctions.SdkClientException"},
	}
	for _, c := range cases {
		var f *asl.Failure
		if !errors.As(stepFunctionsError(c.err, "req-1"), &f) {
			t.Fatalf("%v: not a failure", c.err)
		}
		if f.Name != c.want {
			t.Errorf("%v: name %q, want %q", c.err, f.Name, c.want)
		}
	}
}
