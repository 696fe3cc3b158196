package apigateway

import (
	"cmp"
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"time"
)

// Documentation parts document an API's entities: each has a location
// (the entity's type and, as the type takes them, its path, method,
// status code and name) and properties, a JSON object. A documentation
// version names the API's documentation at a time and may be put on a
// stage. virga keeps them; GetExport does not write them.

// docPart is a documentation part.
type docPart struct {
	ID         string
	Location   docLocation
	Properties string
}

// docLocation is where a documentation part applies.
type docLocation struct {
	Type       string
	Path       string `json:",omitempty"`
	Method     string `json:",omitempty"`
	StatusCode string `json:",omitempty"`
	Name       string `json:",omitempty"`
}

// docVersion is a documentation version.
type docVersion struct {
	Version     string
	Created     time.Time
	Description string `json:",omitempty"`
}

// docLocationFields are, by location type, the fields the type takes:
// path (p), method (m), status code (s) and name (n).
var docLocationFields = map[string]string{
	"API": "", "AUTHORIZER": "n", "MODEL": "n", "RESOURCE": "p", "METHOD": "pm",
	"PATH_PARAMETER": "pmn", "QUERY_PARAMETER": "pmn", "REQUEST_HEADER": "pmn", "REQUEST_BODY": "pm",
	"RESPONSE": "pms", "RESPONSE_HEADER": "pmsn", "RESPONSE_BODY": "pms",
}

// readDocLocation checks a location against its type and fills in the
// defaults: the root path, and "*" for any method or status code.
func readDocLocation(in *DocumentationPartLocation) (docLocation, error) {
	l := docLocation{Path: deref(in.Path), Method: deref(in.Method), StatusCode: deref(in.StatusCode), Name: deref(in.Name)}
	if in.Type != nil {
		l.Type = string(*in.Type)
	}
	fields, ok := docLocationFields[l.Type]
	if !ok {
		return l, badRequest("Invalid documentation part location type: %s", l.Type)
	}
	for _, f := range []struct {
		flag  string
		value *string
		def   string
		what  string
	}{{"p", &l.Path, "/", "path"}, {"m", &l.Method, "*", "method"}, {"s", &l.StatusCode, "*", "statusCode"}, {"n", &l.Name, "", "name"}} {
		switch {
		case !strings.Contains(fields, f.flag) && *f.value != "":
			return l, badRequest("Invalid location: %s is not allowed for location type %s", f.what, l.Type)
		case strings.Contains(fields, f.flag) && *f.value == "":
			if f.def == "" {
				return l, badRequest("Invalid location: %s is required for location type %s", f.what, l.Type)
			}
			*f.value = f.def
		}
	}
	return l, nil
}

// checkDocProperties refuses properties that are not a JSON object.
func checkDocProperties(p string) error {
	var v map[string]any
	if json.Unmarshal([]byte(p), &v) != nil || v == nil {
		return badRequest("Invalid documentation part properties: must be a JSON object")
	}
	return nil
}

func (s *Service) createDocumentationPart(ctx context.Context, in *CreateDocumentationPartRequest) (*DocumentationPart, error) {
	loc, err := readDocLocation(in.Location)
	if err != nil {
		return nil, err
	}
	if err := checkDocProperties(*in.Properties); err != nil {
		return nil, err
	}
	return editDefinition(s, in.RestApiId, func(a *restAPI) (*DocumentationPart, error) {
		for _, p := range a.DocumentationParts {
			if p.Location == loc {
				return nil, ErrConflict.WithMessage(msgDocPartExists)
			}
		}
		p := &docPart{Location: loc, Properties: *in.Properties}
		p.ID = s.newID(shortIDLength, func(id string) bool { return a.DocumentationParts[id] != nil })
		if a.DocumentationParts == nil {
			a.DocumentationParts = map[string]*docPart{}
		}
		a.DocumentationParts[p.ID] = p
		return docPartOutput(p), nil
	})
}

func (s *Service) getDocumentationPart(ctx context.Context, in *GetDocumentationPartRequest) (*DocumentationPart, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	st, err := s.api(in.RestApiId)
	if err != nil {
		return nil, err
	}
	p := st.def.DocumentationParts[*in.DocumentationPartId]
	if p == nil {
		return nil, notFound(msgDocPartNotFound)
	}
	return docPartOutput(p), nil
}

// getDocumentationParts lists the parts, of a type, at a path and whose
// name has nameQuery in it when the call says so.
func (s *Service) getDocumentationParts(ctx context.Context, in *GetDocumentationPartsRequest) (*DocumentationParts, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	st, err := s.api(in.RestApiId)
	if err != nil {
		return nil, err
	}
	var all []*docPart
	for _, p := range st.def.DocumentationParts {
		if (in.Type == nil || string(*in.Type) == p.Location.Type) && (in.Path == nil || *in.Path == p.Location.Path) &&
			(in.NameQuery == nil || strings.Contains(p.Location.Name, *in.NameQuery)) {
			all = append(all, p)
		}
	}
	slices.SortFunc(all, func(x, y *docPart) int { return cmp.Compare(x.ID, y.ID) })
	items, next := page(all, func(p *docPart) string { return p.ID }, in.Position, in.Limit)
	out := &DocumentationParts{Position: next, Items: make([]DocumentationPart, 0, len(items))}
	for _, p := range items {
		out.Items = append(out.Items, *docPartOutput(p))
	}
	return out, nil
}

func (s *Service) updateDocumentationPart(ctx context.Context, in *UpdateDocumentationPartRequest) (*DocumentationPart, error) {
	patches, err := parsePatches(in.PatchOperations)
	if err != nil {
		return nil, err
	}
	return editDefinition(s, in.RestApiId, func(a *restAPI) (*DocumentationPart, error) {
		p := a.DocumentationParts[*in.DocumentationPartId]
		if p == nil {
			return nil, notFound(msgDocPartNotFound)
		}
		for _, op := range patches {
			if op.op != "replace" || !op.is("properties") {
				return nil, op.invalid()
			}
			if err := checkDocProperties(op.str()); err != nil {
				return nil, err
			}
			p.Properties = op.str()
		}
		return docPartOutput(p), nil
	})
}

func (s *Service) deleteDocumentationPart(ctx context.Context, in *DeleteDocumentationPartRequest) (*noOutput, error) {
	return editDefinition(s, in.RestApiId, func(a *restAPI) (*noOutput, error) {
		if a.DocumentationParts[*in.DocumentationPartId] == nil {
			return nil, notFound(msgDocPartNotFound)
		}
		delete(a.DocumentationParts, *in.DocumentationPartId)
		return nil, nil
	})
}

func docPartOutput(p *docPart) *DocumentationPart {
	l := p.Location
	return &DocumentationPart{Id: ptr(p.ID), Properties: ptr(p.Properties), Location: &DocumentationPartLocation{
		Type: ptr(DocumentationPartType(l.Type)), Path: optional(l.Path), Method: optional(l.Method),
		StatusCode: optional(l.StatusCode), Name: optional(l.Name)}}
}

// createDocumentationVersion names the API's documentation, and puts the
// version on stageName's stage when the call names one.
func (s *Service) createDocumentationVersion(ctx context.Context, in *CreateDocumentationVersionRequest) (*DocumentationVersion, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.api(in.RestApiId)
	if err != nil {
		return nil, err
	}
	var g *stage
	if in.StageName != nil {
		if g = st.stages[*in.StageName]; g == nil {
			return nil, notFound(msgStageNotFound)
		}
	}
	out, err := editDefinitionLocked(s, st, func(a *restAPI) (*DocumentationVersion, error) {
		if a.DocumentationVersions[*in.DocumentationVersion] != nil {
			return nil, ErrConflict.WithMessage(msgDocVersionExists)
		}
		v := &docVersion{Version: *in.DocumentationVersion, Created: s.clock.Now().UTC().Truncate(time.Second), Description: deref(in.Description)}
		if a.DocumentationVersions == nil {
			a.DocumentationVersions = map[string]*docVersion{}
		}
		a.DocumentationVersions[v.Version] = v
		return docVersionOutput(v), nil
	})
	if err != nil || g == nil {
		return out, err
	}
	c := *g
	c.DocumentationVersion = *in.DocumentationVersion
	return out, s.putStage(st, &c)
}

func (s *Service) getDocumentationVersion(ctx context.Context, in *GetDocumentationVersionRequest) (*DocumentationVersion, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	st, err := s.api(in.RestApiId)
	if err != nil {
		return nil, err
	}
	v := st.def.DocumentationVersions[*in.DocumentationVersion]
	if v == nil {
		return nil, notFound(msgDocVersionNotFound)
	}
	return docVersionOutput(v), nil
}

func (s *Service) getDocumentationVersions(ctx context.Context, in *GetDocumentationVersionsRequest) (*DocumentationVersions, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	st, err := s.api(in.RestApiId)
	if err != nil {
		return nil, err
	}
	all := slices.SortedFunc(maps.Values(st.def.DocumentationVersions), func(x, y *docVersion) int { return cmp.Compare(x.Version, y.Version) })
	items, next := page(all, func(v *docVersion) string { return v.Version }, in.Position, in.Limit)
	out := &DocumentationVersions{Position: next, Items: make([]DocumentationVersion, 0, len(items))}
	for _, v := range items {
		out.Items = append(out.Items, *docVersionOutput(v))
	}
	return out, nil
}

func (s *Service) updateDocumentationVersion(ctx context.Context, in *UpdateDocumentationVersionRequest) (*DocumentationVersion, error) {
	patches, err := parsePatches(in.PatchOperations)
	if err != nil {
		return nil, err
	}
	return editDefinition(s, in.RestApiId, func(a *restAPI) (*DocumentationVersion, error) {
		v := a.DocumentationVersions[*in.DocumentationVersion]
		if v == nil {
			return nil, notFound(msgDocVersionNotFound)
		}
		for _, p := range patches {
			if p.op != "replace" || !p.is("description") {
				return nil, p.invalid()
			}
			v.Description = p.str()
		}
		return docVersionOutput(v), nil
	})
}

func (s *Service) deleteDocumentationVersion(ctx context.Context, in *DeleteDocumentationVersionRequest) (*noOutput, error) {
	return editDefinition(s, in.RestApiId, func(a *restAPI) (*noOutput, error) {
		if a.DocumentationVersions[*in.DocumentationVersion] == nil {
			return nil, notFound(msgDocVersionNotFound)
		}
		delete(a.DocumentationVersions, *in.DocumentationVersion)
		return nil, nil
	})
}

func docVersionOutput(v *docVersion) *DocumentationVersion {
	return &DocumentationVersion{Version: ptr(v.Version), CreatedDate: ptr(v.Created), Description: optional(v.Description)}
}
