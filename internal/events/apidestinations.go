package events

import (
	"context"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"
)

// API destinations: HTTP endpoints a rule's target may name by the API
// destination's ARN. The request EventBridge makes is in invoke.go.

const (
	destActive   = "ACTIVE"
	destInactive = "INACTIVE"

	// defaultInvocationRate is the InvocationRateLimitPerSecond an API
	// destination created without one gets, as AWS describes it.
	defaultInvocationRate = 300
	// maxAPIDestinations is AWS's default quota of API destinations per
	// account and Region.
	maxAPIDestinations = 3000
)

// apiDestRecord is an API destination as the store keeps it.
type apiDestRecord struct {
	Name          string    `json:"name"`
	ID            string    `json:"id"`
	Description   string    `json:"description,omitempty"`
	ConnectionARN string    `json:"connection"`
	Endpoint      string    `json:"endpoint"`
	Method        string    `json:"method"`
	Rate          int32     `json:"rate"`
	Created       time.Time `json:"created"`
	Modified      time.Time `json:"modified"`
}

// Store layout:
//
//	("events", "api-destination", NAME)  apiDestRecord
func apiDestKey(name string) []byte { return eventsKey("api-destination", name) }

func (s *Service) apiDestARN(d *apiDestRecord) string {
	return "arn:aws:events:" + s.region + ":" + s.account + ":api-destination/" + d.Name + "/" + d.ID
}

// isAPIDestination reports whether a target ARN names an API destination.
func isAPIDestination(arn string) bool {
	return strings.HasPrefix(arn, "arn:") && strings.Contains(arn, ":events:") && strings.Contains(arn, ":api-destination/")
}

// apiDestByARN finds an API destination by its ARN; the caller holds s.mu.
func (s *Service) apiDestByARN(arn string) *apiDestRecord {
	i := strings.Index(arn, ":api-destination/")
	if i < 0 {
		return nil
	}
	name, id, _ := strings.Cut(arn[i+len(":api-destination/"):], "/")
	d := s.apiDests[name]
	if d == nil || id != "" && d.ID != id {
		return nil
	}
	return d
}

// apiDestState is ACTIVE while the destination's connection is
// authorized (or being authorized) and INACTIVE otherwise, as AWS turns a
// destination inactive when its connection is deauthorized; the caller
// holds s.mu.
func (s *Service) apiDestState(d *apiDestRecord) string {
	c := s.connectionByARN(d.ConnectionARN)
	if c == nil || c.State == connDeauthorized || c.State == connDeauthorizing {
		return destInactive
	}
	return destActive
}

func (s *Service) lookupAPIDest(name, action string) (*apiDestRecord, error) {
	d := s.apiDests[name]
	if d == nil {
		return nil, ErrNotFound.Withf("Failed to %s the api-destination(s). An api-destination '%s' does not exist.", action, name)
	}
	return d, nil
}

// apiDestMethods are the methods an API destination may use: any but
// CONNECT and TRACE.
var apiDestMethods = []string{"POST", "GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"}

// checkEndpoint checks an InvocationEndpoint or AuthorizationEndpoint:
// AWS takes only an HTTPS URL with no query string. virga also takes
// plain HTTP to a loopback address (localhost, 127.0.0.0/8, ::1), where
// the servers of a local test run listen and which AWS could never
// reach anyway.
func checkEndpoint(param, endpoint string) error {
	if _, err := parseEndpoint(endpoint); err != nil {
		return ErrValidation.Withf("Parameter %s is not valid. Reason: Endpoint '%s' is invalid, please provide a valid HTTPS endpoint URL.", param, endpoint)
	}
	return nil
}

// parseEndpoint reads an endpoint as checkEndpoint accepts it.
func parseEndpoint(endpoint string) (*url.URL, error) {
	u, err := url.Parse(endpoint)
	if err != nil {
		return nil, err
	}
	if u.Host == "" || u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || u.Opaque != "" {
		return nil, errBadEndpoint
	}
	if strings.Contains(u.Host, "*") {
		return nil, errBadEndpoint
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !loopback(u.Hostname()) {
			return nil, errBadEndpoint
		}
	default:
		return nil, errBadEndpoint
	}
	return u, nil
}

type endpointError struct{}

func (endpointError) Error() string { return "invalid endpoint" }

var errBadEndpoint = endpointError{}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// fillPath puts PathParameterValues into an endpoint's path wildcards:
// the i-th "*" of the path becomes the i-th value, escaped as a path
// segment. Values beyond the wildcards are ignored; a wildcard with no
// value is an error, as the request would go to a path nobody meant.
func fillPath(endpoint string, values []string) (string, error) {
	u, err := parseEndpoint(endpoint)
	if err != nil {
		return "", err
	}
	path := u.EscapedPath()
	var b strings.Builder
	n := 0
	for i := 0; i < len(path); i++ {
		if path[i] != '*' {
			b.WriteByte(path[i])
			continue
		}
		if n >= len(values) {
			return "", errMissingPathValue
		}
		b.WriteString(url.PathEscape(values[n]))
		n++
	}
	return u.Scheme + "://" + u.Host + b.String(), nil
}

type pathValueError struct{}

func (pathValueError) Error() string {
	return "the endpoint has more path wildcards than the target's PathParameterValues"
}

var errMissingPathValue = pathValueError{}

func checkAPIDest(action string, endpoint, method *string) error {
	if endpoint != nil {
		if _, err := parseEndpoint(*endpoint); err != nil {
			return ErrValidation.Withf("Failed to %s the api-destination(s). Parameter InvocationEndpoint is not valid. Reason: Endpoint '%s' is invalid, please provide a valid HTTPS endpoint URL.", action, *endpoint)
		}
	}
	if method != nil && !slices.Contains(apiDestMethods, *method) {
		return ErrValidation.Withf("1 validation error detected: Value '%s' at 'httpMethod' failed to satisfy constraint: Member must satisfy enum value set: [POST, GET, HEAD, OPTIONS, PUT, PATCH, DELETE]", *method)
	}
	return nil
}

func (s *Service) createApiDestination(ctx context.Context, in *CreateApiDestinationRequest) (*CreateApiDestinationResponse, error) {
	if err := checkAPIDest("create", in.InvocationEndpoint, in.HttpMethod); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.apiDests[*in.Name] != nil {
		return nil, ErrAlreadyExists.Withf("An api-destination '%s' already exists.", *in.Name)
	}
	if len(s.apiDests) >= maxAPIDestinations {
		return nil, ErrLimitExceeded.WithMessage("The requested resource exceeds the maximum number allowed.")
	}
	if s.connectionByARN(*in.ConnectionArn) == nil {
		return nil, ErrNotFound.Withf("Failed to create the api-destination(s). Connection '%s' does not exist.", *in.ConnectionArn)
	}
	now := s.clock.Now()
	d := &apiDestRecord{Name: *in.Name, ID: s.ids.UUID(), Description: deref(in.Description), ConnectionARN: *in.ConnectionArn,
		Endpoint: *in.InvocationEndpoint, Method: *in.HttpMethod, Rate: defaultInvocationRate, Created: now, Modified: now}
	if in.InvocationRateLimitPerSecond != nil {
		d.Rate = *in.InvocationRateLimitPerSecond
	}
	if err := s.put(apiDestKey(d.Name), d); err != nil {
		return nil, err
	}
	s.apiDests[d.Name] = d
	return &CreateApiDestinationResponse{ApiDestinationArn: ptr(s.apiDestARN(d)), ApiDestinationState: ptr(s.apiDestState(d)),
		CreationTime: &d.Created, LastModifiedTime: &d.Modified}, nil
}

func (s *Service) describeApiDestination(ctx context.Context, in *DescribeApiDestinationRequest) (*DescribeApiDestinationResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := s.lookupAPIDest(*in.Name, "describe")
	if err != nil {
		return nil, err
	}
	return &DescribeApiDestinationResponse{ApiDestinationArn: ptr(s.apiDestARN(d)), Name: &d.Name, Description: optional(d.Description),
		ApiDestinationState: ptr(s.apiDestState(d)), ConnectionArn: &d.ConnectionARN, InvocationEndpoint: &d.Endpoint,
		HttpMethod: &d.Method, InvocationRateLimitPerSecond: &d.Rate, CreationTime: &d.Created, LastModifiedTime: &d.Modified}, nil
}

func (s *Service) updateApiDestination(ctx context.Context, in *UpdateApiDestinationRequest) (*UpdateApiDestinationResponse, error) {
	if err := checkAPIDest("update", in.InvocationEndpoint, in.HttpMethod); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old, err := s.lookupAPIDest(*in.Name, "update")
	if err != nil {
		return nil, err
	}
	d := *old
	if in.ConnectionArn != nil {
		if s.connectionByARN(*in.ConnectionArn) == nil {
			return nil, ErrNotFound.Withf("Failed to update the api-destination(s). Connection '%s' does not exist.", *in.ConnectionArn)
		}
		d.ConnectionARN = *in.ConnectionArn
	}
	if in.Description != nil {
		d.Description = *in.Description
	}
	if in.InvocationEndpoint != nil {
		d.Endpoint = *in.InvocationEndpoint
	}
	if in.HttpMethod != nil {
		d.Method = *in.HttpMethod
	}
	if in.InvocationRateLimitPerSecond != nil {
		d.Rate = *in.InvocationRateLimitPerSecond
	}
	d.Modified = s.clock.Now()
	if err := s.put(apiDestKey(d.Name), &d); err != nil {
		return nil, err
	}
	s.apiDests[d.Name] = &d
	return &UpdateApiDestinationResponse{ApiDestinationArn: ptr(s.apiDestARN(&d)), ApiDestinationState: ptr(s.apiDestState(&d)),
		CreationTime: &d.Created, LastModifiedTime: &d.Modified}, nil
}

func (s *Service) deleteApiDestination(ctx context.Context, in *DeleteApiDestinationRequest) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := s.lookupAPIDest(*in.Name, "delete")
	if err != nil {
		return nil, err
	}
	if err := s.del(apiDestKey(d.Name)); err != nil {
		return nil, err
	}
	delete(s.apiDests, d.Name)
	return &noOutput{}, nil
}

func (s *Service) listApiDestinations(ctx context.Context, in *ListApiDestinationsRequest) (*ListApiDestinationsResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for _, n := range sortedNames(s.apiDests) {
		d := s.apiDests[n]
		if in.NamePrefix != nil && !strings.HasPrefix(n, *in.NamePrefix) || in.ConnectionArn != nil && d.ConnectionARN != *in.ConnectionArn {
			continue
		}
		names = append(names, n)
	}
	page, next, err := paginate(names, in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	out := &ListApiDestinationsResponse{ApiDestinations: []ApiDestination{}, NextToken: next}
	for _, n := range page {
		d := s.apiDests[n]
		out.ApiDestinations = append(out.ApiDestinations, ApiDestination{ApiDestinationArn: ptr(s.apiDestARN(d)), Name: ptr(d.Name),
			ApiDestinationState: ptr(s.apiDestState(d)), ConnectionArn: ptr(d.ConnectionARN), InvocationEndpoint: ptr(d.Endpoint),
			HttpMethod: ptr(d.Method), InvocationRateLimitPerSecond: ptr(d.Rate), CreationTime: ptr(d.Created), LastModifiedTime: ptr(d.Modified)})
	}
	return out, nil
}
