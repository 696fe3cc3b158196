package apigateway

import (
	"cmp"
	"context"
	"maps"
	"net"
	"slices"
	"strings"
	"time"
)

// Custom domain names are shared by both of API Gateway's APIs, as on
// AWS: a domain created through one is seen through the other, and its
// mappings (base path mappings here, API mappings in version 2) are one
// set. This service keeps them; package apigatewayv2 reads and changes
// them through the methods below, and the execute-api data plane routes
// a request whose host is a custom domain through them (ResolveDomain).

// CustomDomain is a custom domain name as API Gateway's version 2 API
// describes it.
type CustomDomain struct {
	Name           string
	EndpointType   string // EDGE or REGIONAL
	CertificateArn string
	// CertificateName is the certificate's name, for an edge domain.
	CertificateName string
	SecurityPolicy  string
	// Target is the name the domain's DNS points at: a CloudFront
	// distribution's or a regional execute-api name.
	Target       string
	HostedZoneID string
	Created      time.Time
	Tags         map[string]string
	// Mappings are the domain's API mappings, by key.
	Mappings []APIMapping
}

// APIMapping maps a path of a custom domain to an API's stage: a REST
// API's, an HTTP API's or a WebSocket API's.
type APIMapping struct {
	ID    string
	APIID string
	Stage string
	// Key is the path below the domain that leads to the stage, ""
	// for the domain's root; it may have several levels ("orders/v1").
	Key string
}

// apiMappingIDLength is the length of API Gateway's API mapping ids
// ("x1yz2a").
const apiMappingIDLength = 6

// customDomain is d as version 2 sees it. The caller holds s.mu.
func (s *Service) customDomain(d *domainRecord) CustomDomain {
	out := CustomDomain{Name: d.Name, EndpointType: d.EndpointType, SecurityPolicy: d.SecurityPolicy, Target: d.Target,
		Created: d.Created, Tags: maps.Clone(d.Tags)}
	if d.EndpointType == endpointEdge {
		out.CertificateArn, out.CertificateName, out.HostedZoneID = d.CertificateArn, d.CertificateName, cloudFrontHostedZone
	} else {
		out.CertificateArn, out.CertificateName, out.HostedZoneID = d.RegionalCertificateArn, d.RegionalCertificateName, regionalHostedZones[s.region]
	}
	for _, path := range slices.Sorted(maps.Keys(d.Mappings)) {
		m := d.Mappings[path]
		key := path
		if key == noBasePath {
			key = ""
		}
		out.Mappings = append(out.Mappings, APIMapping{ID: m.ID, APIID: m.RestAPIID, Stage: m.Stage, Key: key})
	}
	return out
}

// CreateCustomDomain adds a custom domain name: its name, endpoint type
// (REGIONAL when empty, as version 2 defaults), certificate, security
// policy and tags. A name that is taken is ConflictException.
func (s *Service) CreateCustomDomain(in CustomDomain) (CustomDomain, error) {
	if err := s.checkCertificates(in.Name, in.CertificateArn); err != nil {
		return CustomDomain{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if in.Name == "" {
		return CustomDomain{}, badRequest(msgDomainNameRequired)
	}
	if s.domains[in.Name] != nil {
		return CustomDomain{}, ErrConflict.WithMessage(msgDomainExists)
	}
	if len(in.Tags) > maxTags {
		return CustomDomain{}, badRequest("Too many tags: a resource can have at most %d", maxTags)
	}
	d := &domainRecord{Name: in.Name, EndpointType: cmp.Or(in.EndpointType, "REGIONAL"), SecurityPolicy: in.SecurityPolicy,
		Created: s.clock.Now().UTC().Truncate(time.Second), Tags: maps.Clone(in.Tags)}
	setDomainCertificate(d, in.CertificateArn, in.CertificateName)
	if err := requireCertificate(d); err != nil {
		return CustomDomain{}, err
	}
	d.Target = s.domainTarget(d.EndpointType)
	if err := s.putDomain(d); err != nil {
		return CustomDomain{}, err
	}
	return s.customDomain(d), nil
}

// checkCertificates returns BadRequestException unless each ACM
// certificate ARN given (an empty one is not) names a certificate of
// the account that is issued and covers the domain name. It takes no
// lock of the service's: ACM, while it holds its own, asks which
// domains use a certificate.
func (s *Service) checkCertificates(domain string, arns ...string) error {
	if s.certs == nil {
		return nil
	}
	for _, arn := range arns {
		if arn == "" {
			continue
		}
		c, ok, err := s.certs.Lookup(arn)
		switch {
		case err != nil:
			return err
		case !ok:
			return badRequest("The provided certificate does not exist.")
		case !c.Issued():
			// Wording unconfirmed.
			return badRequest("Certificate %s is not ISSUED: its status is %s.", arn, c.Status)
		case !c.Covers(domain):
			// Wording unconfirmed.
			return badRequest("Certificate %s does not cover the domain name %s.", arn, domain)
		}
	}
	return nil
}

// setDomainCertificate sets d's certificate for its endpoint type.
func setDomainCertificate(d *domainRecord, arn, name string) {
	if d.EndpointType == endpointEdge {
		d.CertificateArn, d.CertificateName = arn, name
	} else {
		d.RegionalCertificateArn, d.RegionalCertificateName = arn, name
	}
}

// requireCertificate returns BadRequestException when a new domain has
// no certificate for its endpoint type (the edge one, CertificateArn,
// for an EDGE domain; the regional one otherwise), or has one for the
// other type: "Cannot import certificates for EDGE while REGIONAL is
// active." (the reverse's wording follows it, unconfirmed).
func requireCertificate(d *domainRecord) error {
	own, other, otherType := d.RegionalCertificateArn, d.CertificateArn, endpointEdge
	if d.EndpointType == endpointEdge {
		own, other, otherType = d.CertificateArn, d.RegionalCertificateArn, "REGIONAL"
	}
	if other != "" {
		return badRequest("Cannot import certificates for %s while %s is active.", otherType, d.EndpointType)
	}
	if own == "" {
		// Wording unconfirmed for EDGE.
		return badRequest("A certificate was not provided for the endpoint type %s.", d.EndpointType)
	}
	return nil
}

// domainTarget is a new name for a domain of the endpoint type to point
// at: a CloudFront distribution's for an edge domain, a regional
// execute-api name otherwise.
func (s *Service) domainTarget(endpointType string) string {
	if endpointType == endpointEdge {
		return "d" + s.newID(13, func(string) bool { return false }) + ".cloudfront.net"
	}
	return "d-" + s.newID(longIDLength, func(string) bool { return false }) + ".execute-api." + s.region + ".amazonaws.com"
}

// CustomDomainNamed returns the named custom domain, NotFoundException
// when there is none.
func (s *Service) CustomDomainNamed(name string) (CustomDomain, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	d, err := s.domain(&name)
	if err != nil {
		return CustomDomain{}, err
	}
	return s.customDomain(d), nil
}

// CustomDomains returns the account's custom domain names, by name.
func (s *Service) CustomDomains() []CustomDomain {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]CustomDomain, 0, len(s.domains))
	for _, name := range slices.Sorted(maps.Keys(s.domains)) {
		out = append(out, s.customDomain(s.domains[name]))
	}
	return out
}

// UpdateCustomDomain replaces the named domain's endpoint
// configuration: its endpoint type, certificate and security policy.
func (s *Service) UpdateCustomDomain(in CustomDomain) (CustomDomain, error) {
	if err := s.checkCertificates(in.Name, in.CertificateArn); err != nil {
		return CustomDomain{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := s.domain(&in.Name)
	if err != nil {
		return CustomDomain{}, err
	}
	next := *d
	next.CertificateArn, next.CertificateName, next.RegionalCertificateArn, next.RegionalCertificateName = "", "", "", ""
	next.EndpointType = cmp.Or(in.EndpointType, d.EndpointType)
	next.SecurityPolicy = cmp.Or(in.SecurityPolicy, d.SecurityPolicy)
	setDomainCertificate(&next, in.CertificateArn, in.CertificateName)
	if next.EndpointType != d.EndpointType {
		next.Target = s.domainTarget(next.EndpointType)
	}
	if err := s.putDomain(&next); err != nil {
		return CustomDomain{}, err
	}
	return s.customDomain(&next), nil
}

// DeleteCustomDomain deletes the named domain with its mappings.
func (s *Service) DeleteCustomDomain(name string) error {
	_, err := s.deleteDomainName(context.Background(), &DeleteDomainNameRequest{DomainName: &name})
	return err
}

// PutAPIMapping adds m to the named domain when it has no id, and
// replaces the mapping with its id otherwise; it returns the mapping as
// stored. A key another mapping of the domain has is ConflictException.
// The caller has checked that m's API and stage exist (RESTStage for a
// REST API).
func (s *Service) PutAPIMapping(domain string, m APIMapping, conflict error, notFound error) (APIMapping, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := s.domain(&domain)
	if err != nil {
		return APIMapping{}, err
	}
	return s.putMapping(d, m, conflict, notFound)
}

// putMapping is PutAPIMapping for the domain d. The caller holds s.mu.
func (s *Service) putMapping(d *domainRecord, m APIMapping, conflict error, notFound error) (APIMapping, error) {
	path := cmp.Or(m.Key, noBasePath)
	next := *d
	next.Mappings = maps.Clone(d.Mappings)
	if next.Mappings == nil {
		next.Mappings = map[string]basePathMapping{}
	}
	if m.ID == "" {
		m.ID = s.newID(apiMappingIDLength, func(id string) bool { _, ok := mappingByID(d, id); return ok })
	} else {
		old, ok := mappingByID(d, m.ID)
		if !ok {
			return APIMapping{}, notFound
		}
		delete(next.Mappings, old)
	}
	if _, taken := next.Mappings[path]; taken {
		return APIMapping{}, conflict
	}
	next.Mappings[path] = basePathMapping{ID: m.ID, RestAPIID: m.APIID, Stage: m.Stage}
	if err := s.putDomain(&next); err != nil {
		return APIMapping{}, err
	}
	return m, nil
}

// DeleteAPIMapping deletes the domain's mapping with the id; notFound is
// the error for an id it does not have.
func (s *Service) DeleteAPIMapping(domain, id string, notFound error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := s.domain(&domain)
	if err != nil {
		return err
	}
	path, ok := mappingByID(d, id)
	if !ok {
		return notFound
	}
	next := *d
	next.Mappings = maps.Clone(d.Mappings)
	delete(next.Mappings, path)
	return s.putDomain(&next)
}

// domainsMapping returns the names of the domains with a mapping to the
// API, sorted. The caller holds s.mu.
func (s *Service) domainsMapping(apiID string) []string {
	var out []string
	for name, d := range s.domains {
		for _, m := range d.Mappings {
			if m.RestAPIID == apiID {
				out = append(out, name)
				break
			}
		}
	}
	slices.Sort(out)
	return out
}

// mappingByID returns the base path of d's mapping with the id.
func mappingByID(d *domainRecord, id string) (string, bool) {
	for path, m := range d.Mappings {
		if m.ID == id {
			return path, true
		}
	}
	return "", false
}

// RESTStage reports whether apiID is a REST API's id, and returns
// NotFoundException when it is but has no stage with the name.
func (s *Service) RESTStage(apiID, stage string) (bool, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	st := s.apis[apiID]
	if st == nil {
		return false, nil
	}
	if st.stages[stage] == nil {
		return true, notFound(msgStageNotFound)
	}
	return true, nil
}

// DomainRoute is where a request to a custom domain leads: the mapped
// API and stage, the mapping's key ("" for the root) and the escaped
// path below it.
type DomainRoute struct {
	// Domain is the custom domain name as events show it: the request's
	// host without its port, in lower case.
	Domain       string
	APIID, Stage string
	Key          string
	Path         string
}

// hostName is a Host header's name without its port.
func hostName(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		return h
	}
	return host
}

// ServesDomain reports whether host (with or without a port) is a
// custom domain name. It takes no lock: the edge asks it of every
// request.
func (s *Service) ServesDomain(host string) bool {
	hosts := s.domainHosts.Load()
	if hosts == nil || len(*hosts) == 0 {
		return false
	}
	return (*hosts)[strings.ToLower(hostName(host))]
}

// publishDomains publishes the domains' names for ServesDomain. The
// caller holds s.mu for writing, or has the service to itself.
func (s *Service) publishDomains() {
	hosts := make(map[string]bool, len(s.domains))
	for name := range s.domains {
		hosts[strings.ToLower(name)] = true
	}
	s.domainHosts.Store(&hosts)
}

// domainOfHost is the custom domain named by host. The caller holds s.mu.
func (s *Service) domainOfHost(host string) *domainRecord {
	host = hostName(host)
	if d := s.domains[host]; d != nil {
		return d
	}
	return s.domains[strings.ToLower(host)]
}

// ResolveDomain finds the mapping a request to host, with the escaped
// path, takes: the one whose key is the longest whole-segment prefix of
// the path, else the domain's root mapping. It reports false when host
// is no custom domain or no mapping takes the path.
func (s *Service) ResolveDomain(host, escapedPath string) (DomainRoute, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	d := s.domainOfHost(host)
	if d == nil {
		return DomainRoute{}, false
	}
	m, key, rest, ok := selectMapping(d.Mappings, escapedPath)
	return DomainRoute{Domain: strings.ToLower(hostName(host)), APIID: m.RestAPIID, Stage: m.Stage, Key: key, Path: rest}, ok
}

// selectMapping picks the mapping of mappings (by base path, noBasePath
// for the root) that takes a request for the escaped path: the one whose
// base path is the longest whole-segment prefix of the path, else the
// root's. It returns the base path ("" for the root) and the escaped
// path below it, "/" at the least.
func selectMapping(mappings map[string]basePathMapping, escapedPath string) (m basePathMapping, key, rest string, ok bool) {
	segments := strings.Split(strings.TrimPrefix(escapedPath, "/"), "/")
	for n := len(segments); n > 0; n-- {
		key := strings.Join(segments[:n], "/")
		if m, ok := mappings[key]; ok && segments[n-1] != "" {
			return m, key, "/" + strings.Join(segments[n:], "/"), true
		}
	}
	m, ok = mappings[noBasePath]
	return m, "", "/" + strings.TrimPrefix(escapedPath, "/"), ok
}

// DomainRequest is what a data plane needs to know of a request that
// came through a custom domain name: the domain, which its events carry
// as requestContext.domainName; the escaped path the client sent, base
// path included, which they carry as the request's path; and the stage
// its mapping names, which serves the request's URL path (the path below
// the mapping's key) as it is. A mapping of a REST API without a stage
// leaves Stage empty: the path then names the stage, as it does on the
// API's own endpoint. Such a request reaches an API whose default
// endpoint is disabled.
type DomainRequest struct {
	Domain string
	Path   string
	Stage  string
	// LowerCaseHeaders is set when the mapping has several levels:
	// "If you create an API mapping with multiple levels, API Gateway
	// converts all header names to lowercase."
	LowerCaseHeaders bool
}

// StagePath splits an escaped request path into the stage it addresses
// and the escaped path below it: the first segment and the rest, or,
// for a request through a custom domain whose mapping names the stage,
// that stage and the whole path.
func StagePath(ctx context.Context, escapedPath string) (stage, rest string) {
	if dr, ok := DomainRequestOf(ctx); ok && dr.Stage != "" {
		return dr.Stage, strings.TrimPrefix(escapedPath, "/")
	}
	first, rest, _ := strings.Cut(strings.TrimPrefix(escapedPath, "/"), "/")
	return first, rest
}

type domainRequestKey struct{}

// WithDomainRequest returns ctx carrying dr.
func WithDomainRequest(ctx context.Context, dr DomainRequest) context.Context {
	return context.WithValue(ctx, domainRequestKey{}, dr)
}

// DomainRequestOf returns the DomainRequest ctx carries, if any.
func DomainRequestOf(ctx context.Context) (DomainRequest, bool) {
	dr, ok := ctx.Value(domainRequestKey{}).(DomainRequest)
	return dr, ok
}

// DomainPrefix is requestContext.domainPrefix for a domain: its first
// label.
func DomainPrefix(domain string) string {
	prefix, _, _ := strings.Cut(domain, ".")
	return prefix
}
