package lambda

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// functionNamed returns the function an alias, concurrency, policy
// or tag operation names, under s.mu; the name must not carry a
// qualifier.
func (s *Service) functionNamed(name string) (*function, error) {
	t, err := s.parseTarget(name, nil)
	if err != nil {
		return nil, err
	}
	fn := s.functions[t.Name]
	if fn == nil {
		return nil, functionNotFound(s.arn(t))
	}
	if t.Qualifier != "" {
		return nil, invalidParameter("The function name %s has a qualifier, which this operation does not take.", name)
	}
	return fn, nil
}

// checkAliasName applies the model's rule for alias names that Go's
// regular expressions cannot: an alias name is not a number.
func checkAliasName(name string) error {
	if isVersionNumber(name) {
		return ErrValidation.Withf("1 validation error detected: Value '%s' at 'name' failed to satisfy constraint: "+
			"Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)", name)
	}
	return nil
}

// aliasNotFound is UpdateAlias's and DeleteAlias's answer for an alias
// that does not exist.
func aliasNotFound(arn string) error { return ErrResourceNotFound.Withf("Alias not found: %s", arn) }

// aliasNotFoundByGet is GetAlias's answer for an alias that does not
// exist, which Lambda words differently from UpdateAlias's ("Cannot find
// alias arn: arn:aws:lambda:...:function:name:alias").
func aliasNotFoundByGet(arn string) error {
	return ErrResourceNotFound.Withf("Cannot find alias arn: %s", arn)
}

// checkRouting checks an alias's version and routing: the version exists;
// one additional version at most, a published version other than it,
// weighted between 0 and 1. The weights' and keys' constraints are
// request validation, worded on the map as Lambda's validation words
// them ("Value '{2=1.5}' at 'routingConfig.additionalVersionWeights'").
func (s *Service) checkRouting(fn *function, primary string, rc *AliasRoutingConfiguration) error {
	weights := rc.weights()
	for name, w := range weights {
		if w < 0 || w > 1 {
			return ErrValidation.Withf("1 validation error detected: Value '%s' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: "+
				"Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0, Member must not be null]",
				javaWeights(weights))
		}
		if !isVersionNumber(name) {
			return ErrValidation.Withf("1 validation error detected: Value '%s' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: "+
				"Map keys must satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 1, "+
				"Member must satisfy regular expression pattern: [0-9]+, Member must not be null]", javaWeights(weights))
		}
	}
	if fn.versionNamed(primary) == nil {
		return functionNotFound(s.qualifiedARN(fn.Name, primary))
	}
	if len(weights) == 0 {
		return nil
	}
	if len(weights) > 1 {
		return invalidParameter("Number of items in AdditionalVersionWeights cannot be greater than 1")
	}
	for name := range weights {
		if name == primary {
			return invalidParameter("Invalid function version %s. Function version %s is already included in routing configuration.", name, name)
		}
		if primary == latest {
			return invalidParameter("$LATEST is not supported for an alias pointing to more than 1 version")
		}
		if fn.versionNamed(name) == nil {
			return functionNotFound(s.qualifiedARN(fn.Name, name))
		}
	}
	return nil
}

// javaWeights prints AdditionalVersionWeights as Java prints a map of
// doubles: {2=0.5, 3=1.0}.
func javaWeights(weights map[string]float64) string {
	keys := slices.Sorted(maps.Keys(weights))
	parts := make([]string, len(keys))
	for i, k := range keys {
		v := strconv.FormatFloat(weights[k], 'f', -1, 64)
		if !strings.ContainsAny(v, ".eE") {
			v += ".0"
		}
		parts[i] = k + "=" + v
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// createAlias makes an alias for a version, with optional weighted
// routing to a second version.
func (s *Service) createAlias(ctx context.Context, in *CreateAliasRequest) (*AliasConfiguration, error) {
	if err := checkAliasName(*in.Name); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	fn, err := s.functionNamed(*in.FunctionName)
	if err != nil {
		return nil, err
	}
	arn := s.qualifiedARN(fn.Name, *in.Name)
	if fn.Aliases[*in.Name] != nil {
		return nil, ErrResourceConflict.Withf("Alias already exists: %s", arn)
	}
	if err := s.checkRouting(fn, *in.FunctionVersion, in.RoutingConfig); err != nil {
		return nil, err
	}
	a := &AliasConfiguration{
		AliasArn:        ptr(arn),
		Name:            in.Name,
		FunctionVersion: in.FunctionVersion,
		Description:     ptr(deref(in.Description)),
		RoutingConfig:   routingOrNil(in.RoutingConfig),
		RevisionId:      ptr(s.ids.UUID()),
	}
	fn = fn.clone()
	fn.Aliases[*in.Name] = a
	w := s.newWrites()
	w.put(aliasKey(fn.Name, *in.Name), a)
	if err := s.commitFunction(w, fn); err != nil {
		return nil, err
	}
	return copyAlias(a), nil
}

func routingOrNil(rc *AliasRoutingConfiguration) *AliasRoutingConfiguration {
	if len(rc.weights()) == 0 {
		return nil
	}
	return &AliasRoutingConfiguration{AdditionalVersionWeights: maps.Clone(rc.AdditionalVersionWeights)}
}

func copyAlias(a *AliasConfiguration) *AliasConfiguration {
	c := *a
	c.RoutingConfig = routingOrNil(a.RoutingConfig)
	return &c
}

// getAlias describes an alias.
func (s *Service) getAlias(ctx context.Context, in *GetAliasRequest) (*AliasConfiguration, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	fn, err := s.functionNamed(*in.FunctionName)
	if err != nil {
		return nil, err
	}
	a := fn.Aliases[*in.Name]
	if a == nil {
		return nil, aliasNotFoundByGet(s.qualifiedARN(fn.Name, *in.Name))
	}
	return copyAlias(a), nil
}

// updateAlias changes an alias's version, description or routing.
func (s *Service) updateAlias(ctx context.Context, in *UpdateAliasRequest) (*AliasConfiguration, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn, err := s.functionNamed(*in.FunctionName)
	if err != nil {
		return nil, err
	}
	cur := fn.Aliases[*in.Name]
	if cur == nil {
		return nil, aliasNotFound(s.qualifiedARN(fn.Name, *in.Name))
	}
	if in.RevisionId != nil && *in.RevisionId != deref(cur.RevisionId) {
		return nil, ErrPreconditionFailed
	}
	a := copyAlias(cur)
	if in.FunctionVersion != nil {
		a.FunctionVersion = in.FunctionVersion
	}
	if in.Description != nil {
		a.Description = in.Description
	}
	if in.RoutingConfig != nil {
		a.RoutingConfig = routingOrNil(in.RoutingConfig)
	}
	if err := s.checkRouting(fn, *a.FunctionVersion, a.RoutingConfig); err != nil {
		return nil, err
	}
	configured := fn.Provisioned[*in.Name] != nil
	if configured && *a.FunctionVersion == latest {
		return nil, errUnpublishedProvisioned
	}
	// A version has one provisioned concurrency configuration: an alias
	// that has one cannot move onto a version configured directly or
	// through another alias.
	if configured && *a.FunctionVersion != *cur.FunctionVersion && provisionedElsewhere(fn, *a.FunctionVersion, *in.Name) {
		return nil, errVersionProvisioned
	}
	a.RevisionId = ptr(s.ids.UUID())
	fn = fn.clone()
	fn.Aliases[*in.Name] = a
	w := s.newWrites()
	w.put(aliasKey(fn.Name, *in.Name), a)
	if err := s.commitFunction(w, fn); err != nil {
		return nil, err
	}
	// The alias's provisioned environments move with it.
	if configured && *a.FunctionVersion != *cur.FunctionVersion {
		s.provision(fn, *cur.FunctionVersion)
		s.provision(fn, *a.FunctionVersion)
	}
	return copyAlias(a), nil
}

// deleteAlias deletes an alias and its resource policy.
func (s *Service) deleteAlias(ctx context.Context, in *DeleteAliasRequest) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn, err := s.functionNamed(*in.FunctionName)
	if err != nil {
		return nil, err
	}
	if fn.Aliases[*in.Name] == nil {
		return nil, aliasNotFound(s.qualifiedARN(fn.Name, *in.Name))
	}
	vname, configured := *fn.Aliases[*in.Name].FunctionVersion, fn.Provisioned[*in.Name] != nil
	fn = fn.clone()
	delete(fn.Aliases, *in.Name)
	delete(fn.Policies, *in.Name)
	delete(fn.Provisioned, *in.Name)
	w := s.newWrites()
	w.del(aliasKey(fn.Name, *in.Name))
	w.del(policyKey(fn.Name, *in.Name))
	w.del(provisionedKey(fn.Name, *in.Name))
	if err := s.commitFunction(w, fn); err != nil {
		return nil, err
	}
	if configured {
		s.provision(fn, vname) // its provisioned environments end
	}
	return nil, nil
}

// listAliases lists a function's aliases by name, those pointing at
// FunctionVersion only when it is given.
func (s *Service) listAliases(ctx context.Context, in *ListAliasesRequest) (*ListAliasesResponse, error) {
	s.mu.RLock()
	fn, err := s.functionNamed(*in.FunctionName)
	s.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	var items []*AliasConfiguration
	for _, name := range sortedKeys(fn.Aliases) {
		a := fn.Aliases[name]
		if in.FunctionVersion == nil || *in.FunctionVersion == *a.FunctionVersion {
			items = append(items, a)
		}
	}
	page, next, err := paginate(items, func(a *AliasConfiguration) string { return *a.Name }, in.Marker, in.MaxItems, defaultListItems)
	if err != nil {
		return nil, err
	}
	out := &ListAliasesResponse{Aliases: []AliasConfiguration{}, NextMarker: next}
	for _, a := range page {
		out.Aliases = append(out.Aliases, *copyAlias(a))
	}
	return out, nil
}
