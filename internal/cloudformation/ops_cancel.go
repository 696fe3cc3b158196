package cloudformation

import (
	"context"
	"errors"
)

// The causes with which an operation's forward part is cancelled: its
// resources' providers stop waiting (a custom resource's for its
// provider's answer), and the operation turns back.
var (
	// errUpdateCancelled: CancelUpdateStack; the update rolls back.
	errUpdateCancelled = errors.New("the update was cancelled")
	// errDeleteRequested: DeleteStack of a stack being created; what
	// the creation made is deleted.
	errDeleteRequested = errors.New("the stack's deletion was requested")
)

// forward starts the forward part of an operation on st (creating or
// updating its resources), which CancelUpdateStack and DeleteStack may
// cancel: it returns the part's context and end, which ends the part.
// What follows (a rollback, a deletion) runs on ctx, out of their reach;
// Close stops both.
func (s *Service) forward(ctx context.Context, st *stack) (context.Context, func()) {
	fctx, cancel := context.WithCancelCause(ctx)
	s.mu.Lock()
	st.stop = cancel
	if st.deleteRequested {
		cancel(errDeleteRequested) // DeleteStack came first
	}
	s.mu.Unlock()
	return fctx, func() {
		s.mu.Lock()
		st.stop = nil
		s.mu.Unlock()
		cancel(nil)
	}
}

// cancelledBy reports whether the forward part whose context is ctx was
// cancelled with cause.
func cancelledBy(ctx context.Context, cause error) bool {
	return ctx.Err() != nil && context.Cause(ctx) == cause
}

// failReason is the reason a resource's creation or update that failed
// with err ends with: "Resource creation cancelled" or "Resource update
// cancelled" when CancelUpdateStack, DeleteStack or virga's stop stopped
// it, as AWS words it, else the provider's error as reason words it.
func (s *Service) failReason(ctx context.Context, typ string, err error, creation bool) string {
	if ctx.Err() != nil { // CancelUpdateStack, DeleteStack, or virga's stop
		if creation {
			return "Resource creation cancelled"
		}
		return "Resource update cancelled"
	}
	return s.reason(typ, err)
}

// cancelUpdateStack stops an update in progress: the resources being
// updated stop where they are ("Resource update cancelled"), and the
// stack rolls back to its state before the update
// (UPDATE_ROLLBACK_IN_PROGRESS, then UPDATE_ROLLBACK_COMPLETE), whether
// or not the update disabled rollback. Only a stack in
// UPDATE_IN_PROGRESS may be cancelled; its cleanup
// (UPDATE_COMPLETE_CLEANUP_IN_PROGRESS) may not.
func (s *Service) cancelUpdateStack(ctx context.Context, in *CancelUpdateStackInput) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.find(*in.StackName)
	if st == nil || !st.rec.Deleted.IsZero() {
		return nil, missing(*in.StackName)
	}
	if st.rec.Status != updateInProgress || st.stop == nil {
		return nil, ErrValidation.WithMessage("CancelUpdateStack cannot be called from current stack status")
	}
	st.stop(errUpdateCancelled)
	s.await(ctx, st.done)
	return &noOutput{}, nil
}
