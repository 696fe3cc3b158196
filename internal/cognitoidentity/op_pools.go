package cognitoidentity

import (
	"context"
	"maps"
	"slices"
	"strings"
)

// Role keys SetIdentityPoolRoles takes.
const (
	roleAuthenticated   = "authenticated"
	roleUnauthenticated = "unauthenticated"
)

// maxRoleMappingRules is "Up to 25 rules can be specified per identity
// provider" (SetIdentityPoolRoles).
const maxRoleMappingRules = 25

func (s *Service) createIdentityPool(ctx context.Context, in *CreateIdentityPoolInput) (*IdentityPool, error) {
	if err := checkProviders(in.CognitoIdentityProviders); err != nil {
		return nil, err
	}
	p := &identityPool{Config: IdentityPool{
		IdentityPoolId:                 ptr(s.region + ":" + s.ids.UUID()),
		IdentityPoolName:               in.IdentityPoolName,
		AllowUnauthenticatedIdentities: in.AllowUnauthenticatedIdentities,
		AllowClassicFlow:               ptr(deref(in.AllowClassicFlow)),
		SupportedLoginProviders:        in.SupportedLoginProviders,
		DeveloperProviderName:          in.DeveloperProviderName,
		OpenIdConnectProviderARNs:      in.OpenIdConnectProviderARNs,
		CognitoIdentityProviders:       in.CognitoIdentityProviders,
		SamlProviderARNs:               in.SamlProviderARNs,
		IdentityPoolTags:               in.IdentityPoolTags,
	}}
	w := &write{}
	w.set(poolKey(*p.Config.IdentityPoolId), p)
	if err := s.commit(w); err != nil {
		return nil, err
	}
	return &p.Config, nil
}

// checkProviders checks the user pools an identity pool names.
func checkProviders(providers []CognitoIdentityProvider) error {
	for _, p := range providers {
		if _, _, ok := parseProviderName(deref(p.ProviderName)); !ok {
			return ErrInvalidParameter.Withf("%s is not a valid Cognito user pool provider name.", deref(p.ProviderName))
		}
		if deref(p.ClientId) == "" {
			return ErrInvalidParameter.WithMessage("ClientId is required for a Cognito user pool provider.")
		}
	}
	return nil
}

func (s *Service) describeIdentityPool(ctx context.Context, in *DescribeIdentityPoolInput) (*IdentityPool, error) {
	p, err := s.loadPool(*in.IdentityPoolId)
	if err != nil {
		return nil, err
	}
	return &p.Config, nil
}

// updateIdentityPool replaces the pool's settings with the request's,
// as AWS's does; tags stay unless the request gives new ones.
func (s *Service) updateIdentityPool(ctx context.Context, in *IdentityPool) (*IdentityPool, error) {
	if err := checkProviders(in.CognitoIdentityProviders); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.loadPool(*in.IdentityPoolId)
	if err != nil {
		return nil, err
	}
	if dev := p.Config.DeveloperProviderName; dev != nil && in.DeveloperProviderName != nil && *dev != *in.DeveloperProviderName {
		return nil, ErrInvalidParameter.WithMessage("Cannot change the DeveloperProviderName of an identity pool.")
	}
	tags := p.Config.IdentityPoolTags
	if in.IdentityPoolTags != nil {
		tags = in.IdentityPoolTags
	}
	dev := p.Config.DeveloperProviderName
	if dev == nil {
		dev = in.DeveloperProviderName
	}
	p.Config = *in
	p.Config.AllowClassicFlow = ptr(deref(in.AllowClassicFlow))
	p.Config.IdentityPoolTags = tags
	p.Config.DeveloperProviderName = dev
	// Mappings of providers the pool no longer has go with them.
	for name := range p.RoleMappings {
		if !p.hasProvider(name) {
			delete(p.RoleMappings, name)
		}
	}
	w := &write{}
	w.set(poolKey(*in.IdentityPoolId), p)
	if err := s.commit(w); err != nil {
		return nil, err
	}
	return &p.Config, nil
}

// deleteIdentityPool deletes the pool and its identities.
func (s *Service) deleteIdentityPool(ctx context.Context, in *DeleteIdentityPoolInput) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := *in.IdentityPoolId
	if _, err := s.loadPool(id); err != nil {
		return nil, err
	}
	w := &write{}
	w.del(poolKey(id))
	err := s.eachIdentity(id, nil, func(ident *identity) bool {
		deleteIdentity(w, ident)
		return true
	})
	if err != nil {
		return nil, err
	}
	return &noOutput{}, s.commit(w)
}

func (s *Service) listIdentityPools(ctx context.Context, in *ListIdentityPoolsInput) (*ListIdentityPoolsResponse, error) {
	var after []byte
	if in.NextToken != nil {
		after = poolKey(*in.NextToken)
	}
	out := &ListIdentityPoolsResponse{IdentityPools: []IdentityPoolShortDescription{}}
	max := int(*in.MaxResults)
	err := s.scan(base("pool"), after, func(k, v []byte) (bool, error) {
		if len(out.IdentityPools) == max {
			out.NextToken = out.IdentityPools[max-1].IdentityPoolId
			return false, nil
		}
		var p identityPool
		if err := jsonUnmarshal(v, &p); err != nil {
			return false, err
		}
		out.IdentityPools = append(out.IdentityPools, IdentityPoolShortDescription{
			IdentityPoolId: p.Config.IdentityPoolId, IdentityPoolName: p.Config.IdentityPoolName})
		return true, nil
	})
	return out, err
}

func (s *Service) setIdentityPoolRoles(ctx context.Context, in *SetIdentityPoolRolesInput) (*noOutput, error) {
	for k, arn := range in.Roles {
		if k != roleAuthenticated && k != roleUnauthenticated {
			return nil, ErrInvalidParameter.Withf("Invalid role type %s. Valid role types are authenticated and unauthenticated.", k)
		}
		if !roleARN.MatchString(arn) {
			return nil, ErrInvalidParameter.Withf("Invalid role ARN %s.", arn)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.loadPool(*in.IdentityPoolId)
	if err != nil {
		return nil, err
	}
	for name, m := range in.RoleMappings {
		if err := p.checkRoleMapping(name, m); err != nil {
			return nil, err
		}
	}
	p.Roles, p.RoleMappings = in.Roles, in.RoleMappings
	w := &write{}
	w.set(poolKey(*in.IdentityPoolId), p)
	return &noOutput{}, s.commit(w)
}

// checkRoleMapping checks a mapping SetIdentityPoolRoles is given for
// the provider name (PROVIDER or PROVIDER:CLIENT_ID).
func (p *identityPool) checkRoleMapping(name string, m RoleMapping) error {
	if !p.hasProvider(name) {
		return ErrInvalidParameter.Withf("The identity provider %s is not configured for this identity pool.", name)
	}
	switch deref(m.Type) {
	case RoleMappingTypeToken:
	case RoleMappingTypeRules:
		if m.RulesConfiguration == nil {
			return ErrInvalidParameter.WithMessage("RulesConfiguration is required for a role mapping of type Rules.")
		}
		if len(m.RulesConfiguration.Rules) > maxRoleMappingRules {
			return ErrInvalidParameter.Withf("A role mapping has at most %d rules.", maxRoleMappingRules)
		}
		for _, r := range m.RulesConfiguration.Rules {
			if !roleARN.MatchString(deref(r.RoleARN)) {
				return ErrInvalidParameter.Withf("Invalid role ARN %s.", deref(r.RoleARN))
			}
		}
	}
	if m.AmbiguousRoleResolution == nil {
		return ErrInvalidParameter.WithMessage("AmbiguousRoleResolution is required for a role mapping of type Token or Rules.")
	}
	return nil
}

// hasProvider reports whether name (a user pool provider name, with or
// without :CLIENT_ID, or a supported login provider) is one of the
// pool's.
func (p *identityPool) hasProvider(name string) bool {
	for _, c := range p.Config.CognitoIdentityProviders {
		if name == deref(c.ProviderName) || name == deref(c.ProviderName)+":"+deref(c.ClientId) {
			return true
		}
	}
	_, ok := p.Config.SupportedLoginProviders[name]
	return ok
}

func (s *Service) getIdentityPoolRoles(ctx context.Context, in *GetIdentityPoolRolesInput) (*GetIdentityPoolRolesResponse, error) {
	p, err := s.loadPool(*in.IdentityPoolId)
	if err != nil {
		return nil, err
	}
	out := &GetIdentityPoolRolesResponse{IdentityPoolId: in.IdentityPoolId, Roles: p.Roles, RoleMappings: p.RoleMappings}
	if out.Roles == nil {
		out.Roles = map[string]string{}
	}
	return out, nil
}

// poolOfARN is the id of the identity pool an ARN names.
func (s *Service) poolOfARN(arn string) (string, error) {
	id, ok := strings.CutPrefix(arn, "arn:aws:cognito-identity:"+s.region+":"+s.account+":identitypool/")
	if !ok {
		return "", ErrInvalidParameter.Withf("Invalid resource ARN %s.", arn)
	}
	return id, nil
}

func (s *Service) tagResource(ctx context.Context, in *TagResourceInput) (*TagResourceResponse, error) {
	return &TagResourceResponse{}, s.retag(*in.ResourceArn, func(tags map[string]string) {
		maps.Copy(tags, in.Tags)
	})
}

func (s *Service) untagResource(ctx context.Context, in *UntagResourceInput) (*UntagResourceResponse, error) {
	return &UntagResourceResponse{}, s.retag(*in.ResourceArn, func(tags map[string]string) {
		maps.DeleteFunc(tags, func(k, _ string) bool { return slices.Contains(in.TagKeys, k) })
	})
}

// retag changes the tags of the pool arn names.
func (s *Service) retag(arn string, change func(map[string]string)) error {
	id, err := s.poolOfARN(arn)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.loadPool(id)
	if err != nil {
		return err
	}
	if p.Config.IdentityPoolTags == nil {
		p.Config.IdentityPoolTags = map[string]string{}
	}
	change(p.Config.IdentityPoolTags)
	w := &write{}
	w.set(poolKey(id), p)
	return s.commit(w)
}

func (s *Service) listTagsForResource(ctx context.Context, in *ListTagsForResourceInput) (*ListTagsForResourceResponse, error) {
	id, err := s.poolOfARN(*in.ResourceArn)
	if err != nil {
		return nil, err
	}
	p, err := s.loadPool(id)
	if err != nil {
		return nil, err
	}
	tags := p.Config.IdentityPoolTags
	if tags == nil {
		tags = map[string]string{}
	}
	return &ListTagsForResourceResponse{Tags: tags}, nil
}
