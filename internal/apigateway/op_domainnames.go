package apigateway

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"time"

	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/store/keys"
)

// Custom domain names are the account's, like API keys: a domain name
// with its endpoint type and certificate, and base path mappings that
// name a REST API and stage. virga reports them with the DNS targets AWS
// would give (a CloudFront distribution for an edge domain, a regional
// execute-api name otherwise), routes requests whose Host names them
// (domains.go), and refuses a domain without a certificate for its
// endpoint type, and an ACM certificate that does not exist, is not
// issued or does not cover the domain (Deps.Certificates).

// Hosted zones of the names a domain points at: every CloudFront
// distribution's, and API Gateway's regional endpoints' by region.
const cloudFrontHostedZone = "Z2FDTNDATAQYW2"

var regionalHostedZones = map[string]string{
	"us-east-1": "Z1UJRXOUMOOFQ8", "us-east-2": "ZOJJZC49E0EPZ", "us-west-1": "Z2MUQ32089INYE",
	"us-west-2": "Z2OJLYMUO9EFXC", "eu-west-1": "ZLY8HYME6SFDD", "eu-central-1": "Z1U9ULNL0V5AJ3",
	"ap-southeast-1": "ZL327KTPIQFUL", "ap-southeast-2": "Z2RPCDW04V8134", "ap-northeast-1": "Z1YSHQZHG15GKL",
}

// endpointEdge is the endpoint type of a domain served through
// CloudFront, the default.
const endpointEdge = "EDGE"

// noBasePath is how a mapping of the domain's root spells its base path.
const noBasePath = "(none)"

// Messages of domain names, in AWS's wording where it is known.
const (
	msgDomainNotFound      = "Invalid domain name identifier specified"
	msgDomainExists        = "The domain name you provided already exists."
	msgBasePathNotFound    = "Invalid base path mapping identifier specified"
	msgBasePathExists      = "Base path already exists for this domain name"
	msgRootMappingAlone    = "Only one base path mapping is allowed if the base path is empty."
	msgDomainNameRequired  = "Domain name must be specified"
	msgDomainEndpointTypes = "Only one endpoint type may be specified for a domain name: EDGE or REGIONAL"
)

// domainRecord is a custom domain name as the store keeps it.
type domainRecord struct {
	Name                    string
	EndpointType            string
	CertificateName         string            `json:",omitempty"`
	CertificateArn          string            `json:",omitempty"`
	RegionalCertificateName string            `json:",omitempty"`
	RegionalCertificateArn  string            `json:",omitempty"`
	SecurityPolicy          string            `json:",omitempty"`
	Target                  string            // the distribution's or the regional endpoint's name
	Created                 time.Time         // the certificate's upload date, as AWS reports it
	Tags                    map[string]string `json:",omitempty"`
	// Mappings are the base path mappings by base path, "(none)" for
	// the root.
	Mappings map[string]basePathMapping `json:",omitempty"`
}

// basePathMapping is where a base path of a domain leads: a REST API's
// stage, or (mapped through version 2) an HTTP or WebSocket API's.
type basePathMapping struct {
	// ID is the mapping's id in version 2 (apiMappingId).
	ID        string `json:",omitempty"`
	RestAPIID string
	Stage     string `json:",omitempty"`
}

func domainKey(account, name string) []byte { return keys.AppendString(rootKey("n", account), name) }

// putDomain stores d and makes it the domain with its name. The caller
// holds s.mu.
func (s *Service) putDomain(d *domainRecord) error {
	if err := s.commit(func(b store.Batch) error { return putJSON(b, domainKey(s.account, d.Name), d) }); err != nil {
		return err
	}
	s.domains[d.Name] = d
	s.publishDomains()
	return nil
}

// domain returns the named domain. The caller holds s.mu.
func (s *Service) domain(name *string) (*domainRecord, error) {
	d := s.domains[deref(name)]
	if d == nil {
		return nil, notFound(msgDomainNotFound)
	}
	return d, nil
}

func (s *Service) createDomainName(ctx context.Context, in *CreateDomainNameRequest) (*DomainName, error) {
	if err := s.checkCertificates(deref(in.DomainName), deref(in.CertificateArn), deref(in.RegionalCertificateArn)); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	name := deref(in.DomainName)
	if name == "" {
		return nil, badRequest(msgDomainNameRequired)
	}
	if s.domains[name] != nil {
		return nil, ErrConflict.WithMessage(msgDomainExists)
	}
	d := &domainRecord{Name: name, EndpointType: endpointEdge,
		CertificateName: deref(in.CertificateName), CertificateArn: deref(in.CertificateArn),
		RegionalCertificateName: deref(in.RegionalCertificateName), RegionalCertificateArn: deref(in.RegionalCertificateArn),
		Created: s.clock.Now().UTC().Truncate(time.Second), Tags: maps.Clone(in.Tags)}
	if len(d.Tags) > maxTags {
		return nil, badRequest("Too many tags: a resource can have at most %d", maxTags)
	}
	if in.EndpointConfiguration != nil && len(in.EndpointConfiguration.Types) > 0 {
		if len(in.EndpointConfiguration.Types) != 1 || in.EndpointConfiguration.Types[0] == "PRIVATE" {
			return nil, badRequest(msgDomainEndpointTypes)
		}
		d.EndpointType = string(in.EndpointConfiguration.Types[0])
	}
	if err := requireCertificate(d); err != nil {
		return nil, err
	}
	if in.SecurityPolicy != nil {
		d.SecurityPolicy = string(*in.SecurityPolicy)
	}
	d.Target = s.domainTarget(d.EndpointType)
	if err := s.putDomain(d); err != nil {
		return nil, err
	}
	return s.domainOutput(d), nil
}

func (s *Service) getDomainName(ctx context.Context, in *GetDomainNameRequest) (*DomainName, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	d, err := s.domain(in.DomainName)
	if err != nil {
		return nil, err
	}
	return s.domainOutput(d), nil
}

func (s *Service) getDomainNames(ctx context.Context, in *GetDomainNamesRequest) (*DomainNames, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	all := slices.SortedFunc(maps.Values(s.domains), func(x, y *domainRecord) int { return cmp.Compare(x.Name, y.Name) })
	items, next := page(all, func(d *domainRecord) string { return d.Name }, in.Position, in.Limit)
	out := &DomainNames{Position: next, Items: make([]DomainName, 0, len(items))}
	for _, d := range items {
		out.Items = append(out.Items, *s.domainOutput(d))
	}
	return out, nil
}

func (s *Service) deleteDomainName(ctx context.Context, in *DeleteDomainNameRequest) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := s.domain(in.DomainName)
	if err != nil {
		return nil, err
	}
	if err := s.commit(func(b store.Batch) error { b.Delete(domainKey(s.account, d.Name)); return nil }); err != nil {
		return nil, err
	}
	delete(s.domains, d.Name)
	s.publishDomains()
	return nil, nil
}

// domainOutput is a domain as AWS describes it.
func (s *Service) domainOutput(d *domainRecord) *DomainName {
	status := DomainNameStatus("AVAILABLE")
	out := &DomainName{DomainName: ptr(d.Name), DomainNameStatus: &status,
		EndpointConfiguration: &EndpointConfiguration{Types: []EndpointType{EndpointType(d.EndpointType)}}}
	if d.SecurityPolicy != "" {
		out.SecurityPolicy = ptr(SecurityPolicy(d.SecurityPolicy))
	}
	if len(d.Tags) > 0 {
		out.Tags = maps.Clone(d.Tags)
	}
	if d.EndpointType == endpointEdge {
		out.DistributionDomainName, out.DistributionHostedZoneId = ptr(d.Target), ptr(cloudFrontHostedZone)
		out.CertificateName, out.CertificateArn = optional(d.CertificateName), optional(d.CertificateArn)
		out.CertificateUploadDate = ptr(d.Created)
	} else {
		out.RegionalDomainName = ptr(d.Target)
		if z, ok := regionalHostedZones[s.region]; ok {
			out.RegionalHostedZoneId = ptr(z)
		}
		out.RegionalCertificateName, out.RegionalCertificateArn = optional(d.RegionalCertificateName), optional(d.RegionalCertificateArn)
	}
	return out
}

func (s *Service) createBasePathMapping(ctx context.Context, in *CreateBasePathMappingRequest) (*BasePathMapping, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := s.domain(in.DomainName)
	if err != nil {
		return nil, err
	}
	st, err := s.api(in.RestApiId)
	if err != nil {
		return nil, err
	}
	stage := deref(in.Stage)
	if stage != "" && st.stages[stage] == nil {
		return nil, notFound(msgStageNotFound)
	}
	path := deref(in.BasePath)
	if path == noBasePath {
		path = ""
	}
	// A domain whose root is mapped has no other mapping, and the root
	// of a domain with mappings cannot be mapped: requests to it would
	// reach the root's API whatever their path.
	_, rootMapped := d.Mappings[noBasePath]
	_, taken := d.Mappings[cmp.Or(path, noBasePath)]
	if !taken && (rootMapped || path == "" && len(d.Mappings) > 0) {
		return nil, ErrConflict.WithMessage(msgRootMappingAlone)
	}
	m, err := s.putMapping(d, APIMapping{APIID: st.def.ID, Stage: stage, Key: path}, ErrConflict.WithMessage(msgBasePathExists), nil)
	if err != nil {
		return nil, err
	}
	return basePathOutput(cmp.Or(m.Key, noBasePath), basePathMapping{ID: m.ID, RestAPIID: m.APIID, Stage: m.Stage}), nil
}

func (s *Service) getBasePathMapping(ctx context.Context, in *GetBasePathMappingRequest) (*BasePathMapping, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	d, err := s.domain(in.DomainName)
	if err != nil {
		return nil, err
	}
	m, ok := d.Mappings[deref(in.BasePath)]
	if !ok {
		return nil, notFound(msgBasePathNotFound)
	}
	return basePathOutput(deref(in.BasePath), m), nil
}

func (s *Service) getBasePathMappings(ctx context.Context, in *GetBasePathMappingsRequest) (*BasePathMappings, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	d, err := s.domain(in.DomainName)
	if err != nil {
		return nil, err
	}
	paths := slices.Sorted(maps.Keys(d.Mappings))
	items, next := page(paths, func(p string) string { return p }, in.Position, in.Limit)
	out := &BasePathMappings{Position: next, Items: make([]BasePathMapping, 0, len(items))}
	for _, p := range items {
		out.Items = append(out.Items, *basePathOutput(p, d.Mappings[p]))
	}
	return out, nil
}

func (s *Service) deleteBasePathMapping(ctx context.Context, in *DeleteBasePathMappingRequest) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := s.domain(in.DomainName)
	if err != nil {
		return nil, err
	}
	if _, ok := d.Mappings[deref(in.BasePath)]; !ok {
		return nil, notFound(msgBasePathNotFound)
	}
	next := *d
	next.Mappings = maps.Clone(d.Mappings)
	delete(next.Mappings, deref(in.BasePath))
	return nil, s.putDomain(&next)
}

func basePathOutput(path string, m basePathMapping) *BasePathMapping {
	return &BasePathMapping{BasePath: ptr(path), RestApiId: ptr(m.RestAPIID), Stage: optional(m.Stage)}
}
