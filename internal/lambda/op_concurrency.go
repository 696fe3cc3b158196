package lambda

import (
	"context"
)

// concurrencyFunction returns the function a reserved concurrency
// operation names, under s.mu. Reserved concurrency belongs to the
// function: a version or alias is refused with Lambda's sentence.
// PutFunctionConcurrency names a missing function by its $LATEST ARN,
// the other operations by its unqualified one.
func (s *Service) concurrencyFunction(name string, put bool) (*function, error) {
	t, err := s.parseTarget(name, nil)
	if err != nil {
		return nil, err
	}
	if t.Qualifier != "" {
		return nil, invalidParameter("This operation is permitted on Lambda functions only. Aliases and versions do not support this operation. " +
			"Please specify either a function name or an unqualified function ARN.")
	}
	fn := s.functions[t.Name]
	if fn == nil {
		if put {
			return nil, functionNotFound(s.qualifiedARN(t.Name, latest))
		}
		return nil, functionNotFound(s.functionARN(t.Name))
	}
	return fn, nil
}

// errReservedBelowProvisioned refuses a reservation smaller than the
// function's provisioned concurrency, which counts towards it.
const errReservedBelowProvisioned = "ReservedConcurrentExecutions for function cannot be lower than the sum of its Provisioned Concurrency configurations."

// putFunctionConcurrency reserves concurrency for a function: at most
// that many of its invocations run at once, and the rest of the account
// cannot use it. The account keeps minUnreserved unreserved.
func (s *Service) putFunctionConcurrency(ctx context.Context, in *PutFunctionConcurrencyRequest) (*Concurrency, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn, err := s.concurrencyFunction(*in.FunctionName, true)
	if err != nil {
		return nil, err
	}
	n := *in.ReservedConcurrentExecutions
	// Provisioned concurrency counts towards the reservation: it may not
	// be reserved away.
	if int(n) < provisionedTotal(fn) {
		return nil, invalidParameter(errReservedBelowProvisioned)
	}
	// What the shared pool would keep: the reservation comes out of it,
	// and the function's provisioned concurrency, which it held while
	// unreserved, goes back in.
	left := s.sharedPool() - int(n)
	if fn.Reserved != nil {
		left += int(*fn.Reserved)
	} else {
		left += provisionedTotal(fn)
	}
	if left < s.minUnreservedPool() {
		return nil, invalidParameter("Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [%d].", s.minUnreservedPool())
	}
	fn = fn.clone()
	fn.Reserved = &n
	w := s.newWrites()
	w.putMeta(fn)
	if err := s.commitFunction(w, fn); err != nil {
		return nil, err
	}
	return &Concurrency{ReservedConcurrentExecutions: &n}, nil
}

// getFunctionConcurrency returns a function's reserved concurrency, or
// nothing when it has none.
func (s *Service) getFunctionConcurrency(ctx context.Context, in *GetFunctionConcurrencyRequest) (*GetFunctionConcurrencyResponse, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	fn, err := s.concurrencyFunction(*in.FunctionName, false)
	if err != nil {
		return nil, err
	}
	return &GetFunctionConcurrencyResponse{ReservedConcurrentExecutions: fn.Reserved}, nil
}

// deleteFunctionConcurrency returns a function to the unreserved pool.
func (s *Service) deleteFunctionConcurrency(ctx context.Context, in *DeleteFunctionConcurrencyRequest) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn, err := s.concurrencyFunction(*in.FunctionName, false)
	if err != nil {
		return nil, err
	}
	if fn.Reserved == nil {
		return nil, nil
	}
	fn = fn.clone()
	fn.Reserved = nil
	w := s.newWrites()
	w.putMeta(fn)
	if err := s.commitFunction(w, fn); err != nil {
		return nil, err
	}
	return nil, nil
}

// getAccountSettings reports the account's limits and what its functions
// and layers use.
func (s *Service) getAccountSettings(ctx context.Context, in *GetAccountSettingsRequest) (*GetAccountSettingsResponse, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var total int64
	for _, fn := range s.functions {
		for _, v := range append([]*version{fn.Latest}, fn.Versions...) {
			total += v.Code.Size
		}
	}
	for _, l := range s.layers {
		for _, v := range l.Versions {
			total += v.Code.Size
		}
	}
	return &GetAccountSettingsResponse{
		AccountLimit: &AccountLimit{
			TotalCodeSize:        ptr(int64(totalCodeSizeLimit)),
			CodeSizeUnzipped:     ptr(int64(maxUnzipped)),
			CodeSizeZipped:       ptr(int64(maxZipped)),
			ConcurrentExecutions: ptr(int32(s.accountMax)),
			// Provisioned concurrency of functions without reserved
			// concurrency comes out of the unreserved pool too.
			UnreservedConcurrentExecutions: ptr(int32(s.sharedPool())),
		},
		AccountUsage: &AccountUsage{TotalCodeSize: &total, FunctionCount: ptr(int64(len(s.functions)))},
	}, nil
}
