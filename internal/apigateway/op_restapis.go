package apigateway

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/store/keys"
)

// Limits, as AWS documents them.
const (
	// maxDefinitionBytes bounds an imported OpenAPI definition ("API
	// definition file size: 6 MB").
	maxDefinitionBytes = 6 << 20
	// maxCompressionSize is minimumCompressionSize's upper bound.
	maxCompressionSize = 10485760
	// maxTags is the number of tags a resource may carry.
	maxTags = 50
)

func (s *Service) createRestAPI(ctx context.Context, in *CreateRestApiRequest) (*RestApi, error) {
	if in.Description != nil && *in.Description == "" {
		return nil, badRequest(msgDescriptionEmpty)
	}
	if err := checkCompressionSize(in.MinimumCompressionSize); err != nil {
		return nil, err
	}
	if len(in.Tags) > maxTags {
		return nil, badRequest("Too many tags: a resource can have at most %d", maxTags)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a := &restAPI{
		Name:             *in.Name,
		Description:      deref(in.Description),
		Version:          deref(in.Version),
		Created:          s.clock.Now().UTC().Truncate(time.Second),
		BinaryMediaTypes: slices.Clone(in.BinaryMediaTypes),
		APIKeySource:     "HEADER",
		EndpointTypes:    []string{"EDGE"},
		Policy:           deref(in.Policy),
		Tags:             maps.Clone(in.Tags),
		Resources:        map[string]*resource{},
	}
	a.MinimumCompressionSize = in.MinimumCompressionSize
	if in.ApiKeySource != nil {
		a.APIKeySource = string(*in.ApiKeySource)
	}
	if in.DisableExecuteApiEndpoint != nil {
		a.DisableExecuteAPIEndpoint = *in.DisableExecuteApiEndpoint
	}
	if e := in.EndpointConfiguration; e != nil {
		if len(e.Types) != 1 {
			return nil, badRequest("Only one endpoint type is supported")
		}
		a.EndpointTypes = []string{string(e.Types[0])}
		a.VpcEndpointIDs = slices.Clone(e.VpcEndpointIds)
	}
	a.ID = s.newID(longIDLength, func(id string) bool { return s.apis[id] != nil })
	a.Policy = s.expandPolicy(a.Policy, a.ID)
	a.RootID = s.newID(longIDLength, func(string) bool { return false })
	a.Resources[a.RootID] = &resource{ID: a.RootID}
	for _, m := range defaultModels {
		s.putModel(a, m)
	}
	if in.CloneFrom != nil {
		src := s.apis[*in.CloneFrom]
		if src == nil {
			return nil, s.apiNotFound(*in.CloneFrom)
		}
		s.cloneDefinition(a, src.def)
	}
	if err := s.commit(func(b store.Batch) error { return putJSON(b, apiKey(s.account, a.ID), a) }); err != nil {
		return nil, err
	}
	s.apis[a.ID] = &apiState{def: a, deployments: map[string]*deployment{}, stages: map[string]*stage{}}
	return restAPIOutput(a), nil
}

// cloneDefinition copies src's resources, methods, authorizers, models
// and request validators into dst, as CreateRestApi's cloneFrom does.
func (s *Service) cloneDefinition(dst, src *restAPI) {
	c := src.clone()
	authIDs := map[string]string{}
	for old, au := range c.Authorizers {
		au.ID = s.newID(shortIDLength, func(id string) bool { return dst.Authorizers[id] != nil })
		if dst.Authorizers == nil {
			dst.Authorizers = map[string]*authorizer{}
		}
		dst.Authorizers[au.ID] = au
		authIDs[old] = au.ID
	}
	ids := map[string]string{c.RootID: dst.RootID}
	for _, r := range c.resourcesByPath() {
		if r.ID != c.RootID {
			ids[r.ID] = s.newID(shortIDLength, func(id string) bool { return dst.Resources[id] != nil })
		}
	}
	dst.BinaryMediaTypes = slices.Clone(c.BinaryMediaTypes)
	for _, name := range slices.Sorted(maps.Keys(c.Models)) {
		s.putModel(dst, *c.Models[name])
	}
	dst.RequestValidators = c.RequestValidators // their identifiers are the API's own, which methods keep
	for old, r := range c.Resources {
		r.ID, r.ParentID = ids[old], ids[r.ParentID]
		for _, m := range r.Methods {
			if m.AuthorizerID != "" {
				m.AuthorizerID = authIDs[m.AuthorizerID]
			}
			if m.Integration != nil && m.Integration.CacheNamespace == old {
				m.Integration.CacheNamespace = r.ID
			}
		}
		dst.Resources[r.ID] = r
	}
}

func (s *Service) getRestAPI(ctx context.Context, in *GetRestApiRequest) (*RestApi, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	st, err := s.api(in.RestApiId)
	if err != nil {
		return nil, err
	}
	return restAPIOutput(st.def), nil
}

func (s *Service) getRestAPIs(ctx context.Context, in *GetRestApisRequest) (*RestApis, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	all := make([]*restAPI, 0, len(s.apis))
	for _, st := range s.apis {
		all = append(all, st.def)
	}
	slices.SortFunc(all, func(x, y *restAPI) int { return cmp.Compare(x.ID, y.ID) })
	items, next := page(all, func(a *restAPI) string { return a.ID }, in.Position, in.Limit)
	out := &RestApis{Position: next, Items: make([]RestApi, 0, len(items))}
	for _, a := range items {
		out.Items = append(out.Items, *restAPIOutput(a))
	}
	return out, nil
}

func (s *Service) deleteRestAPI(ctx context.Context, in *DeleteRestApiRequest) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.api(in.RestApiId)
	if err != nil {
		return nil, err
	}
	id := st.def.ID
	if domains := s.domainsMapping(id); len(domains) > 0 {
		return nil, badRequest("Deleting RestApi %s failed. Please remove all base path mappings related to the RestApi in your domains: %s",
			id, strings.Join(domains, ", "))
	}
	err = s.commit(func(b store.Batch) error {
		b.Delete(apiKey(s.account, id))
		for _, p := range [][]byte{deploymentsPrefix(s.account, id), stagesPrefix(s.account, id)} {
			b.DeleteRange(p, keys.PrefixEnd(p))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	delete(s.apis, id)
	s.auth.forget(id)
	return nil, nil
}

func (s *Service) updateRestAPI(ctx context.Context, in *UpdateRestApiRequest) (*RestApi, error) {
	patches, err := parsePatches(in.PatchOperations)
	if err != nil {
		return nil, err
	}
	return editDefinition(s, in.RestApiId, func(a *restAPI) (*RestApi, error) {
		for _, p := range patches {
			if err := patchRestAPI(a, p); err != nil {
				return nil, err
			}
		}
		a.Policy = s.expandPolicy(a.Policy, a.ID)
		return restAPIOutput(a), nil
	})
}

// patchRestAPI applies one patch operation to an API's settings.
func patchRestAPI(a *restAPI, p patch) error {
	if t, ok := p.under("binaryMediaTypes"); ok {
		return applyListPatch(&a.BinaryMediaTypes, p, t)
	}
	if p.op != "replace" {
		return p.invalid()
	}
	switch {
	case p.is("name"):
		if p.str() == "" {
			return badRequest("Name cannot be empty")
		}
		a.Name = p.str()
	case p.is("description"):
		a.Description = p.str()
	case p.is("version"):
		a.Version = p.str()
	case p.is("policy"):
		a.Policy = p.str()
	case p.is("apiKeySource"):
		if v := p.str(); v != "HEADER" && v != "AUTHORIZER" {
			return badRequest("Invalid API Key source specified: %s", v)
		}
		a.APIKeySource = p.str()
	case p.is("minimumCompressionSize"):
		if p.str() == "" {
			a.MinimumCompressionSize = nil
			return nil
		}
		n, err := strconv.ParseInt(p.str(), 10, 32)
		if err != nil || n < 0 || n > maxCompressionSize {
			return badRequest(msgInvalidMinimumCompression)
		}
		v := int32(n)
		a.MinimumCompressionSize = &v
	case p.is("disableExecuteApiEndpoint"):
		v, err := p.boolValue()
		if err != nil {
			return err
		}
		a.DisableExecuteAPIEndpoint = v
	case p.is("endpointConfiguration", "types", "0"):
		switch v := p.str(); v {
		case "EDGE", "REGIONAL", "PRIVATE":
			a.EndpointTypes = []string{v}
		default:
			return badRequest("Invalid endpoint type specified: %s", v)
		}
	default:
		return p.invalid()
	}
	return nil
}

// editDefinition runs f on a copy of the API's definition and, when f
// succeeds, commits the copy and makes it the definition.
func editDefinition[T any](s *Service, id *string, f func(a *restAPI) (*T, error)) (*T, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.api(id)
	if err != nil {
		return nil, err
	}
	return editDefinitionLocked(s, st, f)
}

// editDefinitionLocked is editDefinition for a caller that holds s.mu.
func editDefinitionLocked[T any](s *Service, st *apiState, f func(a *restAPI) (*T, error)) (*T, error) {
	a := st.def.clone()
	out, err := f(a)
	if err != nil {
		return nil, err
	}
	if err := s.commit(func(b store.Batch) error { return putJSON(b, apiKey(s.account, a.ID), a) }); err != nil {
		return nil, err
	}
	st.def = a
	return out, nil
}

func checkCompressionSize(n *int32) error {
	if n != nil && (*n < 0 || *n > maxCompressionSize) {
		return badRequest(msgInvalidMinimumCompression)
	}
	return nil
}

// restAPIOutput is the API as GetRestApi answers it.
func restAPIOutput(a *restAPI) *RestApi {
	out := &RestApi{
		Id:                        ptr(a.ID),
		Name:                      ptr(a.Name),
		Description:               optional(a.Description),
		CreatedDate:               ptr(a.Created),
		Version:                   optional(a.Version),
		Warnings:                  slices.Clone(a.Warnings),
		BinaryMediaTypes:          slices.Clone(a.BinaryMediaTypes),
		MinimumCompressionSize:    a.MinimumCompressionSize,
		ApiKeySource:              ptr(ApiKeySourceType(a.APIKeySource)),
		Policy:                    optional(a.Policy),
		Tags:                      maps.Clone(a.Tags),
		DisableExecuteApiEndpoint: ptr(a.DisableExecuteAPIEndpoint),
		RootResourceId:            ptr(a.RootID),
	}
	ec := &EndpointConfiguration{VpcEndpointIds: slices.Clone(a.VpcEndpointIDs)}
	for _, t := range a.EndpointTypes {
		ec.Types = append(ec.Types, EndpointType(t))
	}
	out.EndpointConfiguration = ec
	return out
}

func ptr[T any](v T) *T { return &v }

// optional is s, or nil when s is empty, for members AWS leaves out when
// they are not set.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
