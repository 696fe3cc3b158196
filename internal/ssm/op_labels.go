package ssm

import (
	"context"
	"slices"
)

// maxLabelsPerVersion: "A version of a parameter can have a maximum of
// 10 labels."
const maxLabelsPerVersion = 10

func (s *Service) labelParameterVersion(_ context.Context, in *LabelParameterVersionRequest) (*LabelParameterVersionResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.load(deref(in.Name))
	if err != nil {
		return nil, err
	}
	if p == nil {
		return nil, ErrParameterNotFound
	}
	target := p.current()
	if in.ParameterVersion != nil {
		if target = p.find(*in.ParameterVersion); target == nil {
			return nil, versionNotFound(p.Name, *in.ParameterVersion)
		}
	}
	out := &LabelParameterVersionResult{InvalidLabels: []string{}, ParameterVersion: ptr(target.Version)}
	var valid []string
	for _, l := range in.Labels {
		if !validLabel(l) {
			out.InvalidLabels = append(out.InvalidLabels, l)
			continue
		}
		if !slices.Contains(valid, l) {
			valid = append(valid, l)
		}
	}
	added := 0
	for _, l := range valid {
		if !slices.Contains(target.Labels, l) {
			added++
		}
	}
	if len(target.Labels)+added > maxLabelsPerVersion {
		return nil, ErrLabelLimitExceeded
	}
	for _, l := range valid {
		// A label names one version: attaching it moves it.
		for i := range p.Versions {
			if &p.Versions[i] != target {
				p.Versions[i].Labels = slices.DeleteFunc(p.Versions[i].Labels, func(x string) bool { return x == l })
			}
		}
		if !slices.Contains(target.Labels, l) {
			target.Labels = append(target.Labels, l)
		}
	}
	if len(valid) > 0 {
		if err := s.save(p); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *Service) unlabelParameterVersion(_ context.Context, in *UnlabelParameterVersionRequest) (*UnlabelParameterVersionResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.load(deref(in.Name))
	if err != nil {
		return nil, err
	}
	if p == nil {
		return nil, ErrParameterNotFound
	}
	target := p.find(deref(in.ParameterVersion))
	if target == nil {
		return nil, versionNotFound(p.Name, deref(in.ParameterVersion))
	}
	out := &UnlabelParameterVersionResult{RemovedLabels: []string{}, InvalidLabels: []string{}}
	for _, l := range in.Labels {
		if slices.Contains(target.Labels, l) {
			target.Labels = slices.DeleteFunc(target.Labels, func(x string) bool { return x == l })
			out.RemovedLabels = append(out.RemovedLabels, l)
		} else if !slices.Contains(out.RemovedLabels, l) {
			out.InvalidLabels = append(out.InvalidLabels, l)
		}
	}
	if len(out.RemovedLabels) > 0 {
		if err := s.save(p); err != nil {
			return nil, err
		}
	}
	return out, nil
}
