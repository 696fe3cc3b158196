package cognitoidp

import (
	"context"
	"regexp"
	"slices"
	"strings"
)

// A prefix domain gives a pool the OAuth 2.0 endpoints of "User pool
// endpoints reference" at https://PREFIX.auth.REGION.amazoncognito.com;
// virga serves them at PREFIX.auth.REGION.localhost and
// /_aws/auth/PREFIX/ on its own endpoint (oauth.go). A prefix names one
// pool of the region, and a pool has one prefix domain.
//
// A custom domain (CreateUserPoolDomain with CustomDomainConfig) is a
// host name of the caller's, auth.example.com, with an ACM certificate
// of us-east-1 that is issued and covers it. AWS serves it from a
// CloudFront distribution the caller points the name at; virga makes
// up the distribution's name and serves the endpoints on its own
// endpoint to requests whose Host is the custom domain (CustomDomain).
// A pool has at most one prefix and one custom domain.

// customDomain is what a custom domain keeps beside the pool it names
// (domainKey): its certificate and made-up distribution.
type customDomain struct {
	Domain         string `json:"domain"`
	CertificateArn string `json:"certificateArn"`
	Distribution   string `json:"distribution"`
}

// prefixPattern is the form of a prefix domain; a custom domain is a
// host name.
var prefixPattern = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?$`)

func (s *Service) createUserPoolDomain(_ context.Context, in *CreateUserPoolDomainRequest) (*CreateUserPoolDomainResponse, error) {
	poolID, domain := deref(in.UserPoolId), deref(in.Domain)
	custom := in.CustomDomainConfig != nil
	if custom {
		if err := s.checkCertificate(domain, deref(in.CustomDomainConfig.CertificateArn)); err != nil {
			return nil, err
		}
	} else if !prefixPattern.MatchString(domain) {
		return nil, ErrInvalidParameter.WithMessage("The domain name contains an invalid character. Domain names can only contain lower-case letters, numbers, and hyphens. Please enter a different name that follows this format: " + prefixPattern.String())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.loadPool(poolID)
	if err != nil {
		return nil, err
	}
	if !custom && reservedDomainWord(domain) {
		return nil, ErrInvalidParameter.WithMessage("Domain cannot contain reserved word: " + reservedDomainWords[slices.IndexFunc(reservedDomainWords, func(w string) bool { return strings.Contains(domain, w) })])
	}
	var owner string
	if ok, err := s.get(domainKey(domain), &owner); err != nil {
		return nil, err
	} else if ok {
		return nil, ErrInvalidParameter.WithMessage("Domain already associated with another user pool.")
	}
	has := p.Config.Domain
	if custom {
		has = p.Config.CustomDomain
	}
	if deref(has) != "" {
		return nil, ErrInvalidParameter.WithMessage("User pool already has a domain configured.")
	}
	puts := map[string]any{string(domainKey(domain)): poolID}
	out := &CreateUserPoolDomainResponse{}
	if custom {
		d := customDomain{Domain: domain, CertificateArn: deref(in.CustomDomainConfig.CertificateArn), Distribution: "d" + s.ids.Hex(7)[:13] + ".cloudfront.net"}
		p.Config.CustomDomain = &domain
		puts[string(customDomainKey(domain))] = d
		out.CloudFrontDomain = &d.Distribution
	} else {
		p.Config.Domain = &domain
	}
	puts[string(poolKey(poolID))] = p
	if err := s.put(puts); err != nil {
		return nil, err
	}
	if custom {
		if err := s.publishCustomDomains(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// checkCertificate returns InvalidParameterException unless arn names
// an issued ACM certificate of us-east-1, where CloudFront takes its
// certificates from, that covers domain. The message for a certificate
// that does not exist, is elsewhere or is not issued is CloudFront's,
// which AWS passes on; the one for a certificate that does not cover
// the domain is unconfirmed. It takes no lock of the service's.
func (s *Service) checkCertificate(domain, arn string) error {
	const invalid = "The specified SSL certificate doesn't exist, isn't in us-east-1 region, isn't valid, or doesn't include a valid certificate chain."
	if parts := strings.Split(arn, ":"); len(parts) < 6 || parts[2] != "acm" || parts[3] != "us-east-1" {
		return ErrInvalidParameter.WithMessage(invalid)
	}
	if s.certs == nil {
		return nil
	}
	c, ok, err := s.certs.Lookup(arn)
	switch {
	case err != nil:
		return err
	case !ok || !c.Issued():
		return ErrInvalidParameter.WithMessage(invalid)
	case !c.Covers(domain):
		return ErrInvalidParameter.WithMessage("The certificate " + arn + " does not cover the domain " + domain + ".")
	}
	return nil
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
	d := &DomainDescriptionType{UserPoolId: &poolID, AWSAccountId: ptr(s.account), Domain: &domain,
		Status: ptr(DomainStatusType("ACTIVE")), CloudFrontDistribution: ptr(domain + ".auth." + s.region + ".localhost")}
	var c customDomain
	if ok, err := s.get(customDomainKey(domain), &c); err != nil {
		return nil, err
	} else if ok {
		d.CloudFrontDistribution, d.CustomDomainConfig = &c.Distribution, &CustomDomainConfigType{CertificateArn: &c.CertificateArn}
	}
	return &DescribeUserPoolDomainResponse{DomainDescription: d}, nil
}

// updateUserPoolDomain changes a custom domain's certificate; a prefix
// domain has none.
func (s *Service) updateUserPoolDomain(_ context.Context, in *UpdateUserPoolDomainRequest) (*UpdateUserPoolDomainResponse, error) {
	poolID, domain, arn := deref(in.UserPoolId), deref(in.Domain), deref(in.CustomDomainConfig.CertificateArn)
	s.mu.Lock()
	p, err := s.loadPool(poolID)
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if deref(p.Config.CustomDomain) != domain {
		return nil, ErrInvalidParameter.WithMessage("Domain " + domain + " is not associated with user pool " + poolID + ".")
	}
	if err := s.checkCertificate(domain, arn); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var c customDomain
	if ok, err := s.get(customDomainKey(domain), &c); err != nil {
		return nil, err
	} else if !ok {
		return nil, ErrInvalidParameter.WithMessage("Domain " + domain + " is not associated with user pool " + poolID + ".")
	}
	c.CertificateArn = arn
	if err := s.put1(customDomainKey(domain), c); err != nil {
		return nil, err
	}
	return &UpdateUserPoolDomainResponse{CloudFrontDomain: &c.Distribution}, nil
}

func (s *Service) deleteUserPoolDomain(_ context.Context, in *DeleteUserPoolDomainRequest) (*DeleteUserPoolDomainResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	poolID, domain := deref(in.UserPoolId), deref(in.Domain)
	p, err := s.loadPool(poolID)
	if err != nil {
		return nil, err
	}
	switch domain {
	case deref(p.Config.Domain):
		p.Config.Domain = nil
	case deref(p.Config.CustomDomain):
		p.Config.CustomDomain = nil
	default:
		return nil, ErrInvalidParameter.WithMessage("No such domain or user pool exists.")
	}
	if err := s.put(map[string]any{string(poolKey(poolID)): p}, domainKey(domain), customDomainKey(domain)); err != nil {
		return nil, err
	}
	if err := s.publishCustomDomains(); err != nil {
		return nil, err
	}
	return &DeleteUserPoolDomainResponse{}, nil
}

// CustomDomain reports whether host, with or without a port, is a
// pool's custom domain, whose OAuth 2.0 endpoints OAuthHandler serves.
// The edge asks for every request, so it reads the names
// publishCustomDomains published, without a lock or the store.
func (s *Service) CustomDomain(host string) bool {
	hosts := s.customHosts.Load()
	return hosts != nil && len(*hosts) > 0 && (*hosts)[hostName(host)]
}

// publishCustomDomains publishes the custom domains' names for
// CustomDomain. The caller holds s.mu, or has the service to itself.
func (s *Service) publishCustomDomains() error {
	domains, err := list[customDomain](s, base("customdomain"))
	if err != nil {
		return err
	}
	hosts := make(map[string]bool, len(domains))
	for _, d := range domains {
		hosts[d.Domain] = true
	}
	s.customHosts.Store(&hosts)
	return nil
}

// hostName is a Host header's name, lower case, without its port.
func hostName(host string) string {
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.Contains(host[i:], "]") {
		host = host[:i]
	}
	return strings.ToLower(host)
}

// domainPool is the pool a prefix or custom domain belongs to.
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

// CertificateUsers names, for ACM, the CloudFront distributions of the
// custom domains that use a certificate, as ACM's InUseBy shows a
// custom domain's certificate in use by CloudFront. The form,
// arn:aws:cloudfront::ACCOUNT:distribution/ID with the distribution's
// first label as ID, is unconfirmed: AWS's distributions are in an
// account of its own. It takes the service's lock, and never asks ACM
// while holding it.
func (s *Service) CertificateUsers(arn string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	domains, err := list[customDomain](s, base("customdomain"))
	if err != nil {
		return nil
	}
	var out []string
	for _, d := range domains {
		if d.CertificateArn == arn {
			id, _, _ := strings.Cut(d.Distribution, ".")
			out = append(out, "arn:aws:cloudfront::"+s.account+":distribution/"+strings.ToUpper(id))
		}
	}
	return out
}
