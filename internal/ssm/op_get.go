package ssm

import (
	"context"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
)

// Page sizes: GetParametersByPath returns at most 10 parameters a call
// (its MaxResults is 1-10); DescribeParameters and GetParameterHistory
// return up to 50 (MaxResults 1-50).
const (
	defaultPathPage     = 10
	defaultDescribePage = 50
	defaultHistoryPage  = 50
)

// lookup resolves a GetParameter(s) name: a name or ARN with an
// optional selector. A missing parameter is (nil, nil, nil).
func (s *Service) lookup(ref string) (*param, *version, selector, error) {
	if strings.HasPrefix(ref, "arn:") {
		if _, after, ok := strings.Cut(ref, ":parameter"); ok {
			ref = after
			if sel, _ := parseSelector(ref); !strings.Contains(strings.TrimPrefix(sel.name, "/"), "/") {
				// A top-level name's ARN has a slash its name does not,
				// unless the name was made with one.
				if p, _ := s.load(sel.name); p == nil {
					ref = strings.TrimPrefix(ref, "/")
				}
			}
		}
	}
	sel, ok := parseSelector(ref)
	if !ok {
		return nil, nil, sel, ErrValidation.WithMessage("Invalid parameter name selector: " + ref)
	}
	p, err := s.load(sel.name)
	if err != nil || p == nil {
		return nil, nil, sel, err
	}
	v, err := p.pick(sel)
	return p, v, sel, err
}

func (s *Service) parameter(p *param, v *version, sel selector, decrypt bool) (Parameter, error) {
	val, err := s.shown(v, decrypt)
	if err != nil {
		return Parameter{}, err
	}
	out := Parameter{Name: ptr(p.Name), Type: ptr(ParameterType(v.Type)), Value: ptr(val), Version: ptr(v.Version),
		LastModifiedDate: modified(v.Modified), ARN: ptr(s.arn(p.Name)), DataType: ptr(v.DataType)}
	if sel.text != "" {
		out.Selector = ptr(sel.text)
	}
	return out, nil
}

func (s *Service) getParameter(_ context.Context, in *GetParameterRequest) (*GetParameterResult, error) {
	p, v, sel, err := s.lookup(deref(in.Name))
	if err != nil {
		return nil, err
	}
	if p == nil {
		return nil, ErrParameterNotFound
	}
	out, err := s.parameter(p, v, sel, deref(in.WithDecryption))
	if err != nil {
		return nil, err
	}
	return &GetParameterResult{Parameter: &out}, nil
}

func (s *Service) getParameters(_ context.Context, in *GetParametersRequest) (*GetParametersResult, error) {
	out := &GetParametersResult{Parameters: []Parameter{}, InvalidParameters: []string{}}
	seen := map[string]bool{}
	for _, ref := range in.Names {
		if seen[ref] {
			continue
		}
		seen[ref] = true
		p, v, sel, err := s.lookup(ref)
		if p == nil || err != nil {
			if err != nil && !isNotFound(err) {
				return nil, err
			}
			out.InvalidParameters = append(out.InvalidParameters, ref)
			continue
		}
		par, err := s.parameter(p, v, sel, deref(in.WithDecryption))
		if err != nil {
			return nil, err
		}
		out.Parameters = append(out.Parameters, par)
	}
	return out, nil
}

// isNotFound reports whether err says a selector found nothing, which
// GetParameters lists as an invalid parameter instead of failing.
func isNotFound(err error) bool {
	return errors.Is(err, ErrParameterVersionNotFound) || errors.Is(err, ErrValidation)
}

func encodeToken(name string) *string {
	t := base64.RawURLEncoding.EncodeToString([]byte(name))
	return &t
}

func decodeToken(t *string) (string, error) {
	if t == nil {
		return "", nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(*t)
	if err != nil || len(raw) == 0 {
		return "", ErrInvalidNextToken
	}
	return string(raw), nil
}

func (s *Service) getParametersByPath(_ context.Context, in *GetParametersByPathRequest) (*GetParametersByPathResult, error) {
	path := deref(in.Path)
	if !validPath(path) {
		return nil, ErrValidation.WithMessage(pathMessage)
	}
	filters, err := parseFilters(in.ParameterFilters, filtersByPath)
	if err != nil {
		return nil, err
	}
	after, err := decodeToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	limit := int(deref(in.MaxResults))
	if limit == 0 {
		limit = defaultPathPage
	}
	prefix := path
	if !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	recursive := deref(in.Recursive)
	out := &GetParametersByPathResult{Parameters: []Parameter{}}
	var last string
	err = s.each(prefix, after, func(p *param) bool {
		if !recursive && strings.Contains(p.Name[len(prefix):], "/") {
			return true
		}
		if !filters.match(p) {
			return true
		}
		if len(out.Parameters) == limit {
			out.NextToken = encodeToken(last)
			return false
		}
		par, perr := s.parameter(p, p.current(), selector{}, deref(in.WithDecryption))
		if perr != nil {
			err = perr
			return false
		}
		out.Parameters = append(out.Parameters, par)
		last = p.Name
		return true
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Service) getParameterHistory(_ context.Context, in *GetParameterHistoryRequest) (*GetParameterHistoryResult, error) {
	p, err := s.load(deref(in.Name))
	if err != nil {
		return nil, err
	}
	if p == nil {
		return nil, ErrParameterNotFound
	}
	start := 0
	if in.NextToken != nil {
		after, err := decodeToken(in.NextToken)
		if err != nil {
			return nil, err
		}
		start = len(p.Versions)
		for i, v := range p.Versions {
			if strconv.FormatInt(v.Version, 10) == after {
				start = i + 1
			}
		}
	}
	limit := int(deref(in.MaxResults))
	if limit == 0 {
		limit = defaultHistoryPage
	}
	out := &GetParameterHistoryResult{Parameters: []ParameterHistory{}}
	for i := start; i < len(p.Versions); i++ {
		v := &p.Versions[i]
		if len(out.Parameters) == limit {
			out.NextToken = encodeToken(strconv.FormatInt(p.Versions[i-1].Version, 10))
			break
		}
		val, err := s.shown(v, deref(in.WithDecryption))
		if err != nil {
			return nil, err
		}
		h := ParameterHistory{Name: ptr(p.Name), Type: ptr(ParameterType(v.Type)), LastModifiedDate: modified(v.Modified),
			LastModifiedUser: ptr(v.User), Value: ptr(val), Version: ptr(v.Version), Tier: ptr(ParameterTier(v.Tier)),
			Policies: inlinePolicies(v), DataType: ptr(v.DataType), Labels: v.Labels}
		if v.KeyID != "" {
			h.KeyId = ptr(v.KeyID)
		}
		if v.Description != "" {
			h.Description = ptr(v.Description)
		}
		if v.AllowedPattern != "" {
			h.AllowedPattern = ptr(v.AllowedPattern)
		}
		out.Parameters = append(out.Parameters, h)
	}
	return out, nil
}
