package cognitoidp

import (
	"context"
	"slices"
	"strings"
)

// A resource server names an API and the custom scopes an app client
// may ask for on it; a custom scope is IDENTIFIER/SCOPE_NAME in
// AllowedOAuthScopes and in access tokens' scope claim.

// maxResourceServers is "Resource servers per user pool" in "Quotas in
// Amazon Cognito".
const maxResourceServers = 25

func (s *Service) createResourceServer(_ context.Context, in *CreateResourceServerRequest) (*CreateResourceServerResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	poolID, id := deref(in.UserPoolId), deref(in.Identifier)
	if _, err := s.loadPool(poolID); err != nil {
		return nil, err
	}
	if err := checkScopes(in.Scopes); err != nil {
		return nil, err
	}
	var old ResourceServerType
	if ok, err := s.get(resourceServerKey(poolID, id), &old); err != nil {
		return nil, err
	} else if ok {
		return nil, ErrInvalidParameter.WithMessage(id + " already exists in pool " + poolID)
	}
	all, err := list[ResourceServerType](s, poolPrefix("resource", poolID))
	if err != nil {
		return nil, err
	}
	if len(all) >= maxResourceServers {
		return nil, ErrLimitExceeded.WithMessage("The user pool has reached its limit of resource servers.")
	}
	rs := ResourceServerType{UserPoolId: &poolID, Identifier: &id, Name: in.Name, Scopes: scopesOrEmpty(in.Scopes)}
	if err := s.put1(resourceServerKey(poolID, id), rs); err != nil {
		return nil, err
	}
	return &CreateResourceServerResponse{ResourceServer: &rs}, nil
}

func scopesOrEmpty(sc []ResourceServerScopeType) []ResourceServerScopeType {
	if sc == nil {
		return []ResourceServerScopeType{}
	}
	return sc
}

// checkScopes refuses a scope named twice.
func checkScopes(sc []ResourceServerScopeType) error {
	seen := map[string]bool{}
	for _, x := range sc {
		n := deref(x.ScopeName)
		if seen[n] {
			return ErrInvalidParameter.WithMessage("Duplicate scope name " + n)
		}
		seen[n] = true
	}
	return nil
}

func (s *Service) loadResourceServer(poolID, id string) (*ResourceServerType, error) {
	if _, err := s.loadPool(poolID); err != nil {
		return nil, err
	}
	var rs ResourceServerType
	ok, err := s.get(resourceServerKey(poolID, id), &rs)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrResourceNotFound.WithMessage("Resource server " + id + " does not exist.")
	}
	return &rs, nil
}

func (s *Service) describeResourceServer(_ context.Context, in *DescribeResourceServerRequest) (*DescribeResourceServerResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rs, err := s.loadResourceServer(deref(in.UserPoolId), deref(in.Identifier))
	if err != nil {
		return nil, err
	}
	return &DescribeResourceServerResponse{ResourceServer: rs}, nil
}

func (s *Service) listResourceServers(_ context.Context, in *ListResourceServersRequest) (*ListResourceServersResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	poolID := deref(in.UserPoolId)
	if _, err := s.loadPool(poolID); err != nil {
		return nil, err
	}
	all, err := list[ResourceServerType](s, poolPrefix("resource", poolID))
	if err != nil {
		return nil, err
	}
	names := make([]string, len(all))
	for i, rs := range all {
		names[i] = deref(rs.Identifier)
	}
	from, to, next, err := page(names, deref(in.NextToken), int(deref(in.MaxResults)), 50)
	if err != nil {
		return nil, err
	}
	out := &ListResourceServersResponse{ResourceServers: []ResourceServerType{}, NextToken: next}
	for _, rs := range all[from:to] {
		out.ResourceServers = append(out.ResourceServers, *rs)
	}
	return out, nil
}

// updateResourceServer replaces the name and scopes; as its API
// reference warns, what the request leaves out is gone.
func (s *Service) updateResourceServer(_ context.Context, in *UpdateResourceServerRequest) (*UpdateResourceServerResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rs, err := s.loadResourceServer(deref(in.UserPoolId), deref(in.Identifier))
	if err != nil {
		return nil, err
	}
	if err := checkScopes(in.Scopes); err != nil {
		return nil, err
	}
	rs.Name, rs.Scopes = in.Name, scopesOrEmpty(in.Scopes)
	if err := s.put1(resourceServerKey(deref(in.UserPoolId), deref(in.Identifier)), rs); err != nil {
		return nil, err
	}
	return &UpdateResourceServerResponse{ResourceServer: rs}, nil
}

func (s *Service) deleteResourceServer(_ context.Context, in *DeleteResourceServerRequest) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.loadResourceServer(deref(in.UserPoolId), deref(in.Identifier)); err != nil {
		return nil, err
	}
	return &noOutput{}, s.put(nil, resourceServerKey(deref(in.UserPoolId), deref(in.Identifier)))
}

// standardScopes are the scopes every pool has, besides its resource
// servers' custom ones ("Scopes, M2M, and APIs with resource servers").
var standardScopes = []string{"phone", "email", "openid", "profile", "aws.cognito.signin.user.admin"}

// scopeExists reports whether a scope is a standard one or one of a
// resource server of the pool.
func (s *Service) scopeExists(poolID, scope string) (bool, error) {
	if slices.Contains(standardScopes, scope) {
		return true, nil
	}
	i := strings.LastIndexByte(scope, '/')
	if i <= 0 {
		return false, nil
	}
	var rs ResourceServerType
	ok, err := s.get(resourceServerKey(poolID, scope[:i]), &rs)
	if err != nil || !ok {
		return false, err
	}
	return slices.ContainsFunc(rs.Scopes, func(x ResourceServerScopeType) bool { return deref(x.ScopeName) == scope[i+1:] }), nil
}
