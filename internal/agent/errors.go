package agent

import "errors"

// ErrPull and ErrStart classify StartTask's errors; test with errors.Is.
// The consumer (ECS, Lambda) turns them into its own API's words, such as
// ECS's "CannotPullContainerError: ...".
var (
	// ErrPull: an image could not be resolved, fetched or unpacked. The
	// error's text holds the registry's reason.
	ErrPull = errors.New("cannot pull container image")
	// ErrStart: a container could not be created or started, or the
	// task's network namespace or port proxies could not be set up.
	ErrStart = errors.New("cannot start container")
)

// PullError is an ErrPull for one image.
type PullError struct {
	Image string
	Err   error
	// Resolving is set when the registry did not resolve Image to a
	// manifest (not found, or refused), before anything was fetched.
	Resolving bool
}

func (e *PullError) Error() string {
	return "pull " + e.Image + ": " + e.Err.Error()
}

func (e *PullError) Unwrap() error        { return e.Err }
func (e *PullError) Is(target error) bool { return target == ErrPull }

// StartError is an ErrStart for one container of a task (Container is
// empty when the task as a whole could not be set up).
type StartError struct {
	Container string
	Err       error
}

func (e *StartError) Error() string {
	if e.Container == "" {
		return "start task: " + e.Err.Error()
	}
	return "start container " + e.Container + ": " + e.Err.Error()
}

func (e *StartError) Unwrap() error        { return e.Err }
func (e *StartError) Is(target error) bool { return target == ErrStart }
