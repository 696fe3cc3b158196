package apigateway

import (
	"context"
	"regexp"
	"slices"
	"strings"
)

// pathPartPattern is what a resource's path part may be: a literal, a
// {variable}, or a greedy {variable+}.
var pathPartPattern = regexp.MustCompile(`^(?:[a-zA-Z0-9._-]+|\{[a-zA-Z0-9._-]+\+?\})$`)

// isVariable reports whether a path part is a {variable} or {greedy+}.
func isVariable(part string) bool { return strings.HasPrefix(part, "{") }

// isGreedy reports whether a path part is a {greedy+} variable.
func isGreedy(part string) bool { return strings.HasSuffix(part, "+}") }

// checkChild reports why a resource with the given path part cannot be a
// child of parent (excluding the resource self, which is being moved or
// renamed).
func checkChild(a *restAPI, parent *resource, part, self string) error {
	if !pathPartPattern.MatchString(part) {
		return badRequest(msgInvalidPathPart)
	}
	if isGreedy(parent.PathPart) {
		return badRequest(msgGreedyChild, parent.PathPart)
	}
	for _, c := range a.children(parent.ID) {
		if c.ID == self {
			continue
		}
		if c.PathPart == part {
			return ErrConflict.Withf("Another resource with the same parent already has this name: %s", part)
		}
		if isVariable(part) && isVariable(c.PathPart) {
			return badRequest("A sibling (%s) of this resource already has a variable path part -- only one is allowed", c.PathPart)
		}
	}
	return nil
}

// addResource adds a child of parent to the definition.
func (s *Service) addResource(a *restAPI, parent *resource, part string) (*resource, error) {
	if err := checkChild(a, parent, part, ""); err != nil {
		return nil, err
	}
	r := &resource{ParentID: parent.ID, PathPart: part}
	r.ID = s.newID(shortIDLength, func(id string) bool { return a.Resources[id] != nil })
	a.Resources[r.ID] = r
	return r, nil
}

func (s *Service) createResource(ctx context.Context, in *CreateResourceRequest) (*Resource, error) {
	return editDefinition(s, in.RestApiId, func(a *restAPI) (*Resource, error) {
		parent := a.Resources[*in.ParentId]
		if parent == nil {
			return nil, notFound(msgResourceNotFound)
		}
		r, err := s.addResource(a, parent, *in.PathPart)
		if err != nil {
			return nil, err
		}
		return resourceOutput(a, r, false), nil
	})
}

func (s *Service) getResource(ctx context.Context, in *GetResourceRequest) (*Resource, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	st, err := s.api(in.RestApiId)
	if err != nil {
		return nil, err
	}
	r := st.def.Resources[*in.ResourceId]
	if r == nil {
		return nil, notFound(msgResourceNotFound)
	}
	return resourceOutput(st.def, r, slices.Contains(in.Embed, "methods")), nil
}

func (s *Service) getResources(ctx context.Context, in *GetResourcesRequest) (*Resources, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	st, err := s.api(in.RestApiId)
	if err != nil {
		return nil, err
	}
	a := st.def
	all := a.resourcesByPath()
	items, next := page(all, a.path, in.Position, in.Limit)
	out := &Resources{Position: next, Items: make([]Resource, 0, len(items))}
	embed := slices.Contains(in.Embed, "methods")
	for _, r := range items {
		out.Items = append(out.Items, *resourceOutput(a, r, embed))
	}
	return out, nil
}

func (s *Service) updateResource(ctx context.Context, in *UpdateResourceRequest) (*Resource, error) {
	patches, err := parsePatches(in.PatchOperations)
	if err != nil {
		return nil, err
	}
	return editDefinition(s, in.RestApiId, func(a *restAPI) (*Resource, error) {
		r := a.Resources[*in.ResourceId]
		if r == nil {
			return nil, notFound(msgResourceNotFound)
		}
		for _, p := range patches {
			if p.op != "replace" || r.ID == a.RootID {
				return nil, p.invalid()
			}
			switch {
			case p.is("pathPart"):
				if err := checkChild(a, a.Resources[r.ParentID], p.str(), r.ID); err != nil {
					return nil, err
				}
				if isGreedy(p.str()) && len(a.children(r.ID)) > 0 {
					return nil, badRequest(msgGreedyChild, p.str())
				}
				r.PathPart = p.str()
			case p.is("parentId"):
				parent := a.Resources[p.str()]
				if parent == nil {
					return nil, notFound(msgResourceNotFound)
				}
				if slices.Contains(a.descendants(r.ID), parent.ID) {
					return nil, badRequest("Cannot move a resource under itself")
				}
				if err := checkChild(a, parent, r.PathPart, r.ID); err != nil {
					return nil, err
				}
				r.ParentID = parent.ID
			default:
				return nil, p.invalid()
			}
		}
		return resourceOutput(a, r, false), nil
	})
}

func (s *Service) deleteResource(ctx context.Context, in *DeleteResourceRequest) (*noOutput, error) {
	return editDefinition(s, in.RestApiId, func(a *restAPI) (*noOutput, error) {
		r := a.Resources[*in.ResourceId]
		if r == nil {
			return nil, notFound(msgResourceNotFound)
		}
		if r.ID == a.RootID {
			return nil, badRequest(msgRootResource)
		}
		for _, id := range a.descendants(r.ID) {
			delete(a.Resources, id)
		}
		return nil, nil
	})
}

// resourceOutput is a resource as GetResource answers it. Without embed,
// AWS lists a resource's methods as empty objects; with embed=methods it
// gives each method in full.
func resourceOutput(a *restAPI, r *resource, embed bool) *Resource {
	out := &Resource{Id: ptr(r.ID), Path: ptr(a.path(r))}
	if r.ParentID != "" {
		out.ParentId, out.PathPart = ptr(r.ParentID), ptr(r.PathPart)
	}
	if len(r.Methods) > 0 {
		out.ResourceMethods = make(map[string]Method, len(r.Methods))
		for name, m := range r.Methods {
			if embed {
				out.ResourceMethods[name] = *methodOutput(m)
			} else {
				out.ResourceMethods[name] = Method{}
			}
		}
	}
	return out
}
