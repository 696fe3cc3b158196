package cloudformation

import "context"

// rollbackStack rolls back a stack that a failure with rollback disabled
// left CREATE_FAILED or UPDATE_FAILED: to its last known stable state
// (UPDATE_ROLLBACK_IN_PROGRESS, then UPDATE_ROLLBACK_COMPLETE), or, for
// one that never had one, by deleting its resources
// (ROLLBACK_IN_PROGRESS, then ROLLBACK_COMPLETE). RetainExceptOnCreate
// deletes the resources the failed operations created even where their
// DeletionPolicy is Retain.
func (s *Service) rollbackStack(ctx context.Context, in *RollbackStackInput) (*RollbackStackOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.find(*in.StackName)
	if st == nil || !st.rec.Deleted.IsZero() {
		return nil, missing(*in.StackName)
	}
	if st.busy || !failedState(st.rec.Status) {
		return nil, ErrValidation.Withf("Stack:%s is in %s state and can not be rolled back.", st.rec.ID, st.rec.Status)
	}
	if in.RetainExceptOnCreate != nil && *in.RetainExceptOnCreate {
		stable := st.stable()
		for id, rs := range st.rec.Resources {
			if _, kept := stable.Resources[id]; !kept && rs.DeletionPolicy == "Retain" {
				rs.DeletionPolicy = "Delete"
			}
		}
	}
	s.startRollback(ctx, st)
	return &RollbackStackOutput{StackId: ptr(st.rec.ID)}, nil
}

// continueUpdateRollback takes up an update's rollback that failed
// (UPDATE_ROLLBACK_FAILED) where it stopped. The resources to skip are
// left as they stand and marked UPDATE_COMPLETE, as if rolled back.
func (s *Service) continueUpdateRollback(ctx context.Context, in *ContinueUpdateRollbackInput) (*ContinueUpdateRollbackOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.find(*in.StackName)
	if st == nil || !st.rec.Deleted.IsZero() {
		return nil, missing(*in.StackName)
	}
	if st.busy || st.rec.Status != updateRollbackFailed {
		return nil, ErrValidation.Withf("Stack:%s is in %s state and can not continue update rollback.", st.rec.ID, st.rec.Status)
	}
	for _, id := range in.ResourcesToSkip {
		if st.rec.Resources[id] == nil {
			return nil, ErrValidation.Withf("Resource %s does not exist in stack %s", id, st.rec.Name)
		}
	}
	stable := st.stable()
	if stable.Resources == nil {
		stable.Resources = savedState{}
	}
	for _, id := range in.ResourcesToSkip {
		skipped := *st.rec.Resources[id]
		skipped.Status = updateComplete
		stable.Resources[id] = skipped
	}
	st.rec.Stable = stable
	s.startRollback(ctx, st)
	return &ContinueUpdateRollbackOutput{}, nil
}

// startRollback starts rolling st back to its stable state, for the call
// whose context is ctx (await); the caller holds s.mu.
func (s *Service) startRollback(ctx context.Context, st *stack) {
	st.busy = true
	set := st.rec.settings()
	s.start(ctx, st, func(ctx context.Context) { s.rollBack(ctx, st, s.deployed(ctx, st, set), "User Initiated") })
}
