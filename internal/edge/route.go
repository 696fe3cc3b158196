package edge

import (
	"net/http"
	"strings"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/awsproto/awsjson"
	"github.com/virga/virga/internal/awsproto/query"
	"github.com/virga/virga/internal/awsproto/querycompat"
	"github.com/virga/virga/internal/awsproto/sigv4"
)

// router finds the service a request is for. In order:
//
//  1. X-Amz-Target's prefix (awsJson services, and awsQuery-compatible
//     ones such as SQS);
//  2. the SigV4 credential scope's service name; services that share
//     one (API Gateway's REST and HTTP APIs, both "apigateway"; SES's
//     awsQuery v1 and restJson1 v2 APIs, both "ses") are told apart by
//     their REST routes, an awsQuery service taking what none of them
//     resolves;
//  3. the REST routes of restJson1 and restXml services (unsigned
//     requests to a REST API);
//  4. the awsQuery Action and Version parameters, which may be in the
//     body (unsigned awsQuery requests).
//
// It is built once and read concurrently.
type router struct {
	byTarget  map[string]*awsproto.Service
	byName    map[string][]*awsproto.Service
	byVersion map[string]*awsproto.Service // awsQuery API version
	rest      []*awsproto.Service
	query     []*awsproto.Service
	// resourcePaths are the services whose resources have URLs of their
	// own (awsproto.Service.NamesResource).
	resourcePaths []*awsproto.Service
}

func newRouter(services []*awsproto.Service) *router {
	rt := &router{
		byTarget:  map[string]*awsproto.Service{},
		byName:    map[string][]*awsproto.Service{},
		byVersion: map[string]*awsproto.Service{},
	}
	for _, s := range services {
		rt.byName[s.Name] = append(rt.byName[s.Name], s)
		if s.NamesResource != nil {
			rt.resourcePaths = append(rt.resourcePaths, s)
		}
		switch p := s.Protocol.(type) {
		case *awsjson.Protocol:
			rt.byTarget[p.TargetPrefix] = s
			if p.QualifiedTargetPrefix != "" {
				rt.byTarget[p.QualifiedTargetPrefix] = s
			}
		case *query.Protocol:
			rt.byVersion[p.APIVersion] = s
			rt.query = append(rt.query, s)
		case *query.EC2:
			rt.byVersion[p.Query.APIVersion] = s
			rt.query = append(rt.query, s)
		case *querycompat.Protocol:
			if p.JSON != nil {
				rt.byTarget[p.JSON.TargetPrefix] = s
			}
			rt.byVersion[p.Query.APIVersion] = s
			rt.query = append(rt.query, s)
		default:
			rt.rest = append(rt.rest, s)
		}
	}
	return rt
}

// byHeaders routes on what the request line and headers say.
func (rt *router) byHeaders(c *awsproto.Call) *awsproto.Service {
	r := c.Request
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		return rt.byTarget[awsjson.TargetPrefixOf(target)]
	}
	if name, region, ok := sigv4.Scope(r); ok {
		if region != "" {
			c.Region = region
		}
		if s := rt.bySigningName(c, name); s != nil {
			return s
		}
	}
	for _, s := range rt.rest {
		c.Service = s
		if err := s.Protocol.Resolve(c); err == nil {
			return s
		}
		c.Op, c.Params = nil, nil
	}
	c.Service = nil
	return nil
}

// bySigningName returns the service with the given signing name. When
// several share it, the one whose REST routes resolve the request wins.
// When none does, an awsQuery service among them wins (SES's v1 API
// beside its restJson1 v2 API): its operation is named in a body not read
// yet, so its routes cannot be tried here. Failing both, the first
// answers the error.
func (rt *router) bySigningName(c *awsproto.Call, name string) *awsproto.Service {
	services := rt.byName[name]
	switch len(services) {
	case 0:
		return nil
	case 1:
		return services[0]
	}
	var byBody *awsproto.Service
	for _, s := range services {
		if routesByBody(s) {
			if byBody == nil {
				byBody = s
			}
			continue
		}
		c.Service = s
		if err := s.Protocol.Resolve(c); err == nil {
			return s
		}
		c.Op, c.Params = nil, nil
	}
	c.Service = nil
	if byBody != nil {
		return byBody
	}
	return services[0]
}

// routesByBody reports whether a service's operation is named in the
// request body (awsQuery's Action), not by the request line.
func routesByBody(s *awsproto.Service) bool {
	switch s.Protocol.(type) {
	case *query.Protocol, *query.EC2, *querycompat.Protocol:
		return true
	}
	return false
}

// byBody routes an awsQuery request by its Action and Version.
func (rt *router) byBody(c *awsproto.Call) *awsproto.Service {
	action, version := query.Action(c.Request, c.Body)
	if action == "" {
		return nil
	}
	if s := rt.byVersion[version]; s != nil {
		return s
	}
	var found *awsproto.Service
	for _, s := range rt.query {
		if s.Operation(action) != nil {
			if found != nil {
				return nil // ambiguous without a Version
			}
			found = s
		}
	}
	return found
}

// unknownService is the error for a request no service claims.
func unknownService(c *awsproto.Call) error {
	r := c.Request
	// No service of virga's owns the request: say which one it was for,
	// so that a call to a service virga lacks (SSM, Secrets Manager) is
	// not mistaken for a fault of the caller's code.
	if name, _, ok := sigv4.Scope(r); ok {
		return apierr.ErrUnknownOperation.Withf("The service %q is not available in this version of virga.", name)
	}
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		prefix, _, _ := strings.Cut(target, ".")
		return apierr.ErrUnknownOperation.Withf("No service in this version of virga answers X-Amz-Target %s.", prefix)
	}
	if action, version := query.Action(r, c.Body); action != "" {
		return apierr.ErrInvalidAction.Withf("Could not find operation %s for version %s", action, version)
	}
	return apierr.ErrUnknownOperation.Withf("No AWS service at %s %s", r.Method, r.URL.Path)
}

// writeUnroutedError answers a request that reached no service, in the
// error shape of the protocol the request appears to speak: awsJson if it
// names a target or sends JSON, awsQuery otherwise.
func writeUnroutedError(c *awsproto.Call, w http.ResponseWriter, err error) {
	e := apierr.As(err)
	if e == nil {
		c.Err = err
		e = apierr.ErrInternal
	}
	c.ErrorCode, c.Status = e.Code, e.Status
	r := c.Request
	ct := r.Header.Get("Content-Type")
	if r.Header.Get("X-Amz-Target") != "" || strings.Contains(ct, "json") {
		if !strings.HasPrefix(ct, "application/x-amz-json-1.") {
			ct = "application/json"
		}
		awsjson.WriteError(w, ct, "", e)
		return
	}
	query.WriteError(w, "", c.RequestID, e)
}
