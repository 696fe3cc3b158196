package lambda

import (
	"context"
	"time"
)

// The Status of a provisioned concurrency configuration.
const (
	statusInProgress ProvisionedConcurrencyStatusEnum = "IN_PROGRESS"
	statusReady      ProvisionedConcurrencyStatusEnum = "READY"
	statusFailed     ProvisionedConcurrencyStatusEnum = "FAILED"
)

// provisionedConfig is a provisioned concurrency configuration of a
// published version or an alias: how many execution environments Lambda
// keeps initialized for it.
type provisionedConfig struct {
	Requested    int32
	LastModified string
}

// provisionedTime formats LastModified as Lambda shows it for these
// configurations ("2019-12-31T20:28:49+0000", whole seconds).
func provisionedTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05-0700")
}

// provisionedVersion is the name of the version a configured qualifier
// keeps environments for: the version itself, or the alias's version.
// It is "" for an alias that no longer exists.
func provisionedVersion(fn *function, q string) string {
	if isVersionNumber(q) {
		return q
	}
	if a := fn.Aliases[q]; a != nil {
		return *a.FunctionVersion
	}
	return ""
}

// provisionedFor is the provisioned concurrency of fn's version named
// vname: the sum of the configurations of the version and of the
// aliases pointing at it.
func provisionedFor(fn *function, vname string) int {
	n := 0
	for q, c := range fn.Provisioned {
		if provisionedVersion(fn, q) == vname {
			n += int(c.Requested)
		}
	}
	return n
}

// requested is a configuration's amount, zero for none.
func requested(c *provisionedConfig) int {
	if c == nil {
		return 0
	}
	return int(c.Requested)
}

// provisionedTotal is the provisioned concurrency of all fn's versions
// and aliases.
func provisionedTotal(fn *function) int {
	n := 0
	for _, c := range fn.Provisioned {
		n += int(c.Requested)
	}
	return n
}

// provision asks package functions to keep the provisioned concurrency
// of fn's version vname initialized (none releases it). Environments
// start in the background; a version that cannot run on this host is
// reported by the configuration's status, not here.
func (s *Service) provision(fn *function, vname string) {
	v := fn.versionNamed(vname)
	if v == nil || v.Number == 0 {
		return
	}
	n := provisionedFor(fn, vname)
	spec, err := s.spec(fn, v, s.versionLimit(fn, vname))
	if err != nil {
		return
	}
	s.fns.Provision(spec, n)
}

// provisionAll starts the environments of every stored configuration
// (after a restart).
func (s *Service) provisionAll() {
	s.mu.RLock()
	var fns []*function
	for _, fn := range s.functions {
		if len(fn.Provisioned) > 0 {
			fns = append(fns, fn)
		}
	}
	s.mu.RUnlock()
	for _, fn := range fns {
		done := map[string]bool{}
		for q := range fn.Provisioned {
			if v := provisionedVersion(fn, q); v != "" && !done[v] {
				done[v] = true
				s.provision(fn, v)
			}
		}
	}
}

// provisionedState is what Lambda reports of a configuration: its
// allocated environments (the version's, shared among the version's
// configurations in qualifier order), its status and why it failed.
func (s *Service) provisionedState(fn *function, q string) (allocated int32, status ProvisionedConcurrencyStatusEnum, reason *string) {
	c := fn.Provisioned[q]
	vname := provisionedVersion(fn, q)
	v := fn.versionNamed(vname)
	if v == nil {
		return 0, statusInProgress, nil
	}
	st := s.fns.Provisioned(specKey(s.qualifiedARN(fn.Name, vname), v))
	left := st.Allocated
	for _, other := range sortedKeys(fn.Provisioned) {
		if provisionedVersion(fn, other) != vname {
			continue
		}
		got := min(left, int(fn.Provisioned[other].Requested))
		left -= got
		if other == q {
			allocated = int32(got)
		}
	}
	switch {
	case allocated >= c.Requested:
		return allocated, statusReady, nil
	case st.Failure != "":
		return allocated, statusFailed, ptr(st.Failure)
	}
	return allocated, statusInProgress, nil
}

// provisionedTarget resolves the function and qualifier of a provisioned
// concurrency operation, under s.mu. $LATEST is refused with put's or the
// other operations' sentence; a missing version or alias is named as
// Lambda names it.
func (s *Service) provisionedTarget(name string, qualifier *string, put bool) (*function, string, error) {
	t, err := s.parseTarget(name, qualifier)
	if err != nil {
		return nil, "", err
	}
	q := t.Qualifier
	if q == latest || q == "" {
		if put {
			return nil, "", errUnpublishedProvisioned
		}
		return nil, "", invalidParameter("The function resource provided must be an alias or a published version.")
	}
	fn := s.functions[t.Name]
	switch {
	case fn == nil && !isVersionNumber(q):
		return nil, "", ErrResourceNotFound.Withf("Cannot find alias arn: %s", s.arn(t))
	case fn == nil:
		return nil, "", functionNotFound(s.arn(t))
	case isVersionNumber(q):
		if fn.versionNamed(q) == nil {
			return nil, "", functionNotFound(s.arn(t))
		}
	case fn.Aliases[q] == nil:
		return nil, "", ErrResourceNotFound.Withf("Cannot find alias arn: %s", s.arn(t))
	}
	return fn, q, nil
}

// provisionedElsewhere reports whether fn's version vname has a
// provisioned concurrency configuration other than the one of qualifier
// q: on the version itself or on an alias pointing at it.
func provisionedElsewhere(fn *function, vname, q string) bool {
	for other := range fn.Provisioned {
		if other != q && provisionedVersion(fn, other) == vname {
			return true
		}
	}
	return false
}

// errVersionProvisioned refuses a second configuration of a version
// through an alias (Lambda's sentence for PutProvisionedConcurrencyConfig,
// which UpdateAlias moving a configured alias answers too).
var errVersionProvisioned = ErrResourceConflict.WithMessage("Alias can't be used for Provisioned Concurrency configuration on an already Provisioned version")

// errUnpublishedProvisioned refuses provisioned concurrency for $LATEST,
// directly or through an alias.
var errUnpublishedProvisioned = invalidParameter("Provisioned Concurrency Configs cannot be applied to unpublished function versions.")

// putProvisionedConcurrencyConfig configures a published version or an
// alias to keep environments initialized. It answers 202 IN_PROGRESS:
// the environments start in the background, and Get reports READY once
// they all have.
func (s *Service) putProvisionedConcurrencyConfig(ctx context.Context, in *PutProvisionedConcurrencyConfigRequest) (*PutProvisionedConcurrencyConfigResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn, q, err := s.provisionedTarget(*in.FunctionName, in.Qualifier, true)
	if err != nil {
		return nil, err
	}
	n := *in.ProvisionedConcurrentExecutions
	vname := provisionedVersion(fn, q)
	if vname == latest {
		return nil, errUnpublishedProvisioned
	}
	// A version has one configuration: on itself or on one alias.
	if isVersionNumber(q) {
		if provisionedElsewhere(fn, q, q) {
			return nil, ErrResourceConflict.WithMessage("Version is pointed by a Provisioned Concurrency alias")
		}
	} else {
		if a := fn.Aliases[q]; len(a.RoutingConfig.weights()) > 0 {
			return nil, invalidParameter("Alias with weights can not be used with Provisioned Concurrency")
		}
		if provisionedElsewhere(fn, vname, q) {
			return nil, errVersionProvisioned
		}
	}
	others := 0
	for other, c := range fn.Provisioned {
		if other != q {
			others += int(c.Requested)
		}
	}
	if fn.Reserved != nil {
		if others+int(n) > int(*fn.Reserved) {
			return nil, invalidParameter("Requested Provisioned Concurrency should not be greater than the reservedConcurrentExecution for function")
		}
	} else if mine := fn.Provisioned[q]; s.sharedPool()+requested(mine)-int(n) < s.minUnreservedPool() {
		return nil, invalidParameter("Specified ConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [%d].", s.minUnreservedPool())
	}
	c := &provisionedConfig{Requested: n, LastModified: provisionedTime(s.clock.Now())}
	fn = fn.clone()
	fn.Provisioned[q] = c
	w := s.newWrites()
	w.put(provisionedKey(fn.Name, q), c)
	if err := s.commitFunction(w, fn); err != nil {
		return nil, err
	}
	s.provision(fn, vname)
	allocated, status, reason := s.provisionedState(fn, q)
	return &PutProvisionedConcurrencyConfigResponse{
		RequestedProvisionedConcurrentExecutions: &n,
		AllocatedProvisionedConcurrentExecutions: &allocated,
		AvailableProvisionedConcurrentExecutions: &allocated,
		Status:                                   &status,
		StatusReason:                             reason,
		LastModified:                             &c.LastModified,
	}, nil
}

// getProvisionedConcurrencyConfig reports a configuration and how far
// its environments are.
func (s *Service) getProvisionedConcurrencyConfig(ctx context.Context, in *GetProvisionedConcurrencyConfigRequest) (*GetProvisionedConcurrencyConfigResponse, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	fn, q, err := s.provisionedTarget(*in.FunctionName, in.Qualifier, false)
	if err != nil {
		return nil, err
	}
	c := fn.Provisioned[q]
	if c == nil {
		return nil, ErrProvisionedConcurrencyConfigNotFound
	}
	allocated, status, reason := s.provisionedState(fn, q)
	return &GetProvisionedConcurrencyConfigResponse{
		RequestedProvisionedConcurrentExecutions: &c.Requested,
		AllocatedProvisionedConcurrentExecutions: &allocated,
		AvailableProvisionedConcurrentExecutions: &allocated,
		Status:                                   &status,
		StatusReason:                             reason,
		LastModified:                             &c.LastModified,
	}, nil
}

// listProvisionedConcurrencyConfigs lists a function's configurations,
// by qualifier.
func (s *Service) listProvisionedConcurrencyConfigs(ctx context.Context, in *ListProvisionedConcurrencyConfigsRequest) (*ListProvisionedConcurrencyConfigsResponse, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	t, err := s.parseTarget(*in.FunctionName, nil)
	if err != nil {
		return nil, err
	}
	fn := s.functions[t.Name]
	if fn == nil {
		return nil, functionNotFound(s.functionARN(t.Name))
	}
	page, next, err := paginate(sortedKeys(fn.Provisioned), func(q string) string { return q }, in.Marker, in.MaxItems, 50)
	if err != nil {
		return nil, err
	}
	out := &ListProvisionedConcurrencyConfigsResponse{ProvisionedConcurrencyConfigs: []ProvisionedConcurrencyConfigListItem{}, NextMarker: next}
	for _, q := range page {
		c := fn.Provisioned[q]
		allocated, status, reason := s.provisionedState(fn, q)
		out.ProvisionedConcurrencyConfigs = append(out.ProvisionedConcurrencyConfigs, ProvisionedConcurrencyConfigListItem{
			FunctionArn:                              ptr(s.qualifiedARN(fn.Name, q)),
			RequestedProvisionedConcurrentExecutions: ptr(c.Requested),
			AllocatedProvisionedConcurrentExecutions: ptr(allocated),
			AvailableProvisionedConcurrentExecutions: ptr(allocated),
			Status:                                   &status,
			StatusReason:                             reason,
			LastModified:                             ptr(c.LastModified),
		})
	}
	return out, nil
}

// deleteProvisionedConcurrencyConfig removes a configuration and ends
// its environments. Deleting one that does not exist succeeds.
func (s *Service) deleteProvisionedConcurrencyConfig(ctx context.Context, in *DeleteProvisionedConcurrencyConfigRequest) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn, q, err := s.provisionedTarget(*in.FunctionName, in.Qualifier, false)
	if err != nil {
		return nil, err
	}
	if fn.Provisioned[q] == nil {
		return nil, nil
	}
	vname := provisionedVersion(fn, q)
	fn = fn.clone()
	delete(fn.Provisioned, q)
	w := s.newWrites()
	w.del(provisionedKey(fn.Name, q))
	if err := s.commitFunction(w, fn); err != nil {
		return nil, err
	}
	s.provision(fn, vname)
	return nil, nil
}
