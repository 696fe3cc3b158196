package apigateway

import (
	"context"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/virga/virga/internal/store"
)

func (s *Service) importRestAPI(ctx context.Context, in *ImportRestApiRequest) (*RestApi, error) {
	d, err := parseDefinition(in.Body)
	if err != nil {
		return nil, err
	}
	if err := checkWarnings(d, in.FailOnWarnings); err != nil {
		return nil, err
	}
	if d.title == "" {
		return nil, importError("The API definition has no title (info.title), which names the API")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a := &restAPI{
		Created:       s.clock.Now().UTC().Truncate(time.Second),
		APIKeySource:  "HEADER",
		EndpointTypes: []string{"EDGE"},
		Resources:     map[string]*resource{},
	}
	if t := in.Parameters["endpointConfigurationTypes"]; t != "" {
		a.EndpointTypes = []string{strings.ToUpper(t)}
	}
	a.ID = s.newID(longIDLength, func(id string) bool { return s.apis[id] != nil })
	a.RootID = s.newID(longIDLength, func(string) bool { return false })
	a.Resources[a.RootID] = &resource{ID: a.RootID}
	if err := s.applyDefinition(a, d, true, in.Parameters["basepath"]); err != nil {
		return nil, err
	}
	if err := s.commit(func(b store.Batch) error { return putJSON(b, apiKey(s.account, a.ID), a) }); err != nil {
		return nil, err
	}
	s.apis[a.ID] = &apiState{def: a, deployments: map[string]*deployment{}, stages: map[string]*stage{}}
	return restAPIOutput(a), nil
}

func (s *Service) putRestAPI(ctx context.Context, in *PutRestApiRequest) (*RestApi, error) {
	d, err := parseDefinition(in.Body)
	if err != nil {
		return nil, err
	}
	if err := checkWarnings(d, in.FailOnWarnings); err != nil {
		return nil, err
	}
	overwrite := in.Mode != nil && *in.Mode == "overwrite"
	return editDefinition(s, in.RestApiId, func(a *restAPI) (*RestApi, error) {
		if err := s.applyDefinition(a, d, overwrite, in.Parameters["basepath"]); err != nil {
			return nil, err
		}
		return restAPIOutput(a), nil
	})
}

// checkWarnings fails an import with warnings when the caller asked for
// that (failonwarnings=true).
func checkWarnings(d *definition, failOnWarnings *bool) error {
	if failOnWarnings != nil && *failOnWarnings && len(d.warnings) > 0 {
		return ErrBadRequest.WithMessage("Warnings found during import:\n\t" + strings.Join(d.warnings, "\n\t"))
	}
	return nil
}

// applyDefinition builds a parsed document into an API: in overwrite
// mode it replaces the API's resources, methods, authorizers and
// settings; in merge mode it adds the document's methods and authorizers
// to what the API has, replacing those it redefines. basePathMode is
// ImportRestApi's basepath parameter: "ignore" (the default), "prepend"
// (paths go below the document's base path) or "split" (below the base
// path without its first part).
func (s *Service) applyDefinition(a *restAPI, d *definition, overwrite bool, basePathMode string) error {
	if overwrite {
		root := a.Resources[a.RootID]
		root.Methods = nil
		a.Resources = map[string]*resource{a.RootID: root}
		a.Authorizers = nil
		a.Models, a.RequestValidators = nil, nil
		a.GatewayResponses = maps.Clone(d.gatewayResponses)
		a.Name, a.Description, a.Version = d.title, d.description, d.version
		a.BinaryMediaTypes = slices.Clone(d.binaryMediaTypes)
		a.MinimumCompressionSize = d.minimumCompressionSize
		a.Policy = s.expandPolicy(d.policy, a.ID)
		if d.apiKeySource != "" {
			a.APIKeySource = d.apiKeySource
		}
		a.VpcEndpointIDs = slices.Clone(d.vpcEndpointIDs)
	} else {
		for _, t := range d.binaryMediaTypes {
			if !slices.Contains(a.BinaryMediaTypes, t) {
				a.BinaryMediaTypes = append(a.BinaryMediaTypes, t)
			}
		}
		if d.title != "" {
			a.Name = d.title
		}
		for typ, gr := range d.gatewayResponses {
			if a.GatewayResponses == nil {
				a.GatewayResponses = map[string]*gatewayResponse{}
			}
			a.GatewayResponses[typ] = gr
		}
	}
	if d.disableExecuteAPIEndpoint != nil {
		a.DisableExecuteAPIEndpoint = *d.disableExecuteAPIEndpoint
	}
	a.Warnings = slices.Clone(d.warnings)
	authIDs := map[string]string{}
	for _, au := range d.authorizers {
		c := *au
		c.ID = ""
		for id, old := range a.Authorizers {
			if old.Name == au.Name {
				c.ID = id
			}
		}
		if c.ID == "" {
			c.ID = s.newID(shortIDLength, func(id string) bool { return a.Authorizers[id] != nil })
		}
		if a.Authorizers == nil {
			a.Authorizers = map[string]*authorizer{}
		}
		a.Authorizers[c.ID] = &c
		authIDs[c.Name] = c.ID
	}
	for _, name := range slices.Sorted(maps.Keys(d.models)) {
		s.putModel(a, *d.models[name])
	}
	validatorIDs := map[string]string{}
	for _, name := range slices.Sorted(maps.Keys(d.validators)) {
		c := *d.validators[name]
		for id, old := range a.RequestValidators {
			if old.Name == name {
				c.ID = id
			}
		}
		if c.ID == "" {
			c.ID = s.newID(shortIDLength, func(id string) bool { return a.RequestValidators[id] != nil })
		}
		if a.RequestValidators == nil {
			a.RequestValidators = map[string]*requestValidator{}
		}
		a.RequestValidators[c.ID] = &c
		validatorIDs[name] = c.ID
	}
	prefix := importBasePath(d.basePath, basePathMode)
	for _, p := range d.paths {
		path := strings.TrimSuffix(prefix+p.path, "/")
		r, err := s.ensurePath(a, path)
		if err != nil {
			return importError("Unable to create resource at path '%s': %s", p.path, apiMessage(err))
		}
		for _, verb := range slices.Sorted(maps.Keys(p.methods)) {
			m := *p.methods[verb]
			if m.AuthorizerID != "" {
				m.AuthorizerID = authIDs[m.AuthorizerID]
			}
			if m.RequestValidatorID != "" {
				m.RequestValidatorID = validatorIDs[m.RequestValidatorID]
			}
			if ig := m.Integration; ig != nil {
				c := *ig
				if c.CacheNamespace == "" {
					c.CacheNamespace = r.ID
				}
				if err := checkIntegration(&c); err != nil {
					return importError("Unable to put integration on '%s' for resource at path '%s': %s", verb, p.path, apiMessage(err))
				}
				m.Integration = &c
			}
			if r.Methods == nil {
				r.Methods = map[string]*method{}
			}
			r.Methods[verb] = &m
		}
	}
	return nil
}

// importBasePath is the path prefix an import puts the document's paths
// under.
func importBasePath(basePath, mode string) string {
	basePath = "/" + strings.Trim(basePath, "/")
	switch mode {
	case "prepend":
	case "split":
		parts := strings.SplitN(strings.TrimPrefix(basePath, "/"), "/", 2)
		if len(parts) < 2 {
			return ""
		}
		basePath = "/" + parts[1]
	default:
		return ""
	}
	if basePath == "/" {
		return ""
	}
	return basePath
}

// ensurePath returns the resource at a path, creating it and the
// resources above it as needed.
func (s *Service) ensurePath(a *restAPI, path string) (*resource, error) {
	r := a.Resources[a.RootID]
	for _, part := range splitRequestPath(path) {
		var next *resource
		for _, c := range a.children(r.ID) {
			if c.PathPart == part {
				next = c
			}
		}
		if next == nil {
			var err error
			if next, err = s.addResource(a, r, part); err != nil {
				return nil, err
			}
		}
		r = next
	}
	return r, nil
}
