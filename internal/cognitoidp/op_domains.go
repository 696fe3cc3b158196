package cognitoidp

import (
	"context"
	"slices"
	"strings"
)

// A prefix domain gives a pool the OAuth 2.0 endpoints of "User pool
// endpoints reference" at https://PREFIX.auth.REGION.amazoncognito.com;
// virga serves them at PREFIX.auth.REGION.localhost and
// /_aws/auth/PREFIX/ on its own endpoint (oauth.go). A prefix names one
// pool of the region, and a pool has one prefix domain.

func (s *Service) createUserPoolDomain(_ context.Context, in *CreateUserPoolDomainRequest) (*CreateUserPoolDomainResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if in.CustomDomainConfig != nil {
		return nil, ErrInvalidParameter.WithMessage("Custom domains are not supported by virga; use a prefix domain")
	}
	poolID, domain := deref(in.UserPoolId), deref(in.Domain)
	p, err := s.loadPool(poolID)
	if err != nil {
		return nil, err
	}
	if reservedDomainWord(domain) {
		return nil, ErrInvalidParameter.WithMessage("Domain cannot contain reserved word: " + reservedDomainWords[slices.IndexFunc(reservedDomainWords, func(w string) bool { return strings.Contains(domain, w) })])
	}
	var owner string
	if ok, err := s.get(domainKey(domain), &owner); err != nil {
		return nil, err
	} else if ok {
		return nil, ErrInvalidParameter.WithMessage("Domain already associated with another user pool.")
	}
	if deref(p.Config.Domain) != "" {
		return nil, ErrInvalidParameter.WithMessage("User pool already has a domain configured.")
	}
	p.Config.Domain = &domain
	if err := s.put(map[string]any{string(poolKey(poolID)): p, string(domainKey(domain)): poolID}); err != nil {
		return nil, err
	}
	return &CreateUserPoolDomainResponse{}, nil
}

// reservedDomainWords may not appear in a prefix domain, as
// "Configuring a user pool domain" says of aws, amazon and cognito.
var reservedDomainWords = []string{"aws", "amazon", "cognito"}

func reservedDomainWord(d string) bool {
	return slices.ContainsFunc(reservedDomainWords, func(w string) bool { return strings.Contains(d, w) })
}

// describeUserPoolDomain answers an unknown domain with an empty
// description, as AWS does, not an error.
func (s *Service) describeUserPoolDomain(_ context.Context, in *DescribeUserPoolDomainRequest) (*DescribeUserPoolDomainResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	domain := deref(in.Domain)
	var poolID string
	ok, err := s.get(domainKey(domain), &poolID)
	if err != nil || !ok {
		return &DescribeUserPoolDomainResponse{DomainDescription: &DomainDescriptionType{}}, err
	}
	return &DescribeUserPoolDomainResponse{DomainDescription: &DomainDescriptionType{UserPoolId: &poolID,
		AWSAccountId: ptr(s.account), Domain: &domain, Status: ptr(DomainStatusType("ACTIVE")),
		CloudFrontDistribution: ptr(domain + ".auth." + s.region + ".localhost")}}, nil
}

// updateUserPoolDomain changes a custom domain's certificate: virga has
// no custom domains, so it has nothing to update.
func (s *Service) updateUserPoolDomain(_ context.Context, in *UpdateUserPoolDomainRequest) (*UpdateUserPoolDomainResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	poolID, domain := deref(in.UserPoolId), deref(in.Domain)
	p, err := s.loadPool(poolID)
	if err != nil {
		return nil, err
	}
	if deref(p.Config.Domain) != domain {
		return nil, ErrInvalidParameter.WithMessage("Domain " + domain + " is not associated with user pool " + poolID + ".")
	}
	return nil, ErrInvalidParameter.WithMessage("Custom domains are not supported by virga; a prefix domain has no certificate to update")
}

func (s *Service) deleteUserPoolDomain(_ context.Context, in *DeleteUserPoolDomainRequest) (*DeleteUserPoolDomainResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	poolID, domain := deref(in.UserPoolId), deref(in.Domain)
	p, err := s.loadPool(poolID)
	if err != nil {
		return nil, err
	}
	if deref(p.Config.Domain) != domain {
		return nil, ErrInvalidParameter.WithMessage("No such domain or user pool exists.")
	}
	p.Config.Domain = nil
	if err := s.put(map[string]any{string(poolKey(poolID)): p}, domainKey(domain)); err != nil {
		return nil, err
	}
	return &DeleteUserPoolDomainResponse{}, nil
}

// domainPool is the pool a prefix domain belongs to.
func (s *Service) domainPool(domain string) (*pool, error) {
	var poolID string
	ok, err := s.get(domainKey(domain), &poolID)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrResourceNotFound.WithMessage("No user pool has the domain " + domain)
	}
	return s.loadPool(poolID)
}
