package ssm

import (
	"context"
	"slices"
)

// legacyFilters turns DescribeParameters' older Filters (Name, Type,
// KeyId; Equals on any value, Name by prefix) into ParameterFilters.
func legacyFilters(in []ParametersFilter) filterSet {
	var out filterSet
	for _, f := range in {
		key := string(deref(f.Key))
		option := "Equals"
		if key == "Name" {
			option = "BeginsWith"
		}
		out = append(out, filter{key: key, option: option, values: f.Values})
	}
	return out
}

func (s *Service) describeParameters(_ context.Context, in *DescribeParametersRequest) (*DescribeParametersResult, error) {
	if len(in.Filters) > 0 && len(in.ParameterFilters) > 0 {
		return nil, ErrValidation.WithMessage("You can use either Filters or ParameterFilters in a single request.")
	}
	filters, err := parseFilters(in.ParameterFilters, filtersDescribe)
	if err != nil {
		return nil, err
	}
	filters = append(filters, legacyFilters(in.Filters)...)
	after, err := decodeToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	limit := int(deref(in.MaxResults))
	if limit == 0 {
		limit = defaultDescribePage
	}
	out := &DescribeParametersResult{Parameters: []ParameterMetadata{}}
	var last string
	err = s.each("", after, func(p *param) bool {
		if !filters.match(p) {
			return true
		}
		if len(out.Parameters) == limit {
			out.NextToken = encodeToken(last)
			return false
		}
		out.Parameters = append(out.Parameters, s.metadata(p))
		last = p.Name
		return true
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// metadata is a parameter as DescribeParameters lists it, with its ARN.
func (s *Service) metadata(p *param) ParameterMetadata {
	v := p.current()
	m := ParameterMetadata{Name: ptr(p.Name), ARN: ptr(s.arn(p.Name)), Type: ptr(ParameterType(v.Type)), LastModifiedDate: modified(v.Modified),
		LastModifiedUser: ptr(v.User), Version: ptr(v.Version), Tier: ptr(ParameterTier(v.Tier)),
		Policies: inlinePolicies(v), DataType: ptr(v.DataType)}
	if v.KeyID != "" {
		m.KeyId = ptr(v.KeyID)
	}
	if v.Description != "" {
		m.Description = ptr(v.Description)
	}
	if v.AllowedPattern != "" {
		m.AllowedPattern = ptr(v.AllowedPattern)
	}
	return m
}

func (s *Service) deleteParameter(ctx context.Context, in *DeleteParameterRequest) (*DeleteParameterResult, error) {
	var changed []change
	defer func() { s.emitChanges(ctx, changed) }() // after the unlock below
	s.mu.Lock()
	defer s.mu.Unlock()
	name := deref(in.Name)
	p, err := s.load(name)
	if err != nil {
		return nil, err
	}
	if p == nil {
		return nil, ErrParameterNotFound.WithMessage("Parameter " + name + " not found.")
	}
	if err := s.remove(name); err != nil {
		return nil, err
	}
	changed = append(changed, deleted(p))
	return &DeleteParameterResult{}, nil
}

func (s *Service) deleteParameters(ctx context.Context, in *DeleteParametersRequest) (*DeleteParametersResult, error) {
	var changed, pending []change
	defer func() { s.emitChanges(ctx, changed) }() // after the unlock below
	s.mu.Lock()
	defer s.mu.Unlock()
	out := &DeleteParametersResult{DeletedParameters: []string{}, InvalidParameters: []string{}}
	for _, name := range in.Names {
		if slices.Contains(out.DeletedParameters, name) || slices.Contains(out.InvalidParameters, name) {
			continue
		}
		p, err := s.load(name)
		if err != nil {
			return nil, err
		}
		if p == nil {
			out.InvalidParameters = append(out.InvalidParameters, name)
			continue
		}
		out.DeletedParameters = append(out.DeletedParameters, name)
		pending = append(pending, deleted(p))
	}
	if len(out.DeletedParameters) > 0 {
		if err := s.remove(out.DeletedParameters...); err != nil {
			return nil, err
		}
	}
	changed = pending
	return out, nil
}
