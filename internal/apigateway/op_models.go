package apigateway

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"mime"
	"slices"
	"strings"
)

// Models are an API's JSON Schema draft 4 documents, by name, which
// methods name in requestModels (and method responses in
// responseModels): request validators check bodies against them
// (requestvalidation.go) and GetModelTemplate derives a mapping
// template from them. Every API CreateRestApi makes starts with AWS's two
// default models, Empty and Error.

// AWS's model errors.
const (
	msgModelExists  = "Model name already exists for this REST API"
	msgModelInvalid = "Invalid model specified: Validation Result: warnings : [], errors : [Invalid model schema specified]"
	// msgModelInUse is AWS's refusal to delete a model a method request
	// names ("/path/VERB").
	msgModelInUse = "Cannot delete model '%s', is referenced in method request: %s"
	// msgModelInResponse is virga's wording of the refusal for a model a
	// method response names.
	msgModelInResponse = "Cannot delete model '%s', is referenced in method response: %s"
)

// defaultModels are the models AWS gives every new REST API, as
// GetModels reports them.
var defaultModels = []model{
	{Name: "Empty", ContentType: "application/json", Description: "This is a default empty schema model",
		Schema: "{\n  \"$schema\": \"http://json-schema.org/draft-04/schema#\",\n  \"title\" : \"Empty Schema\",\n  \"type\" : \"object\"\n}"},
	{Name: "Error", ContentType: "application/json", Description: "This is a default error schema model",
		Schema: "{\n  \"$schema\" : \"http://json-schema.org/draft-04/schema#\",\n  \"title\" : \"Error Schema\",\n  \"type\" : \"object\",\n  \"properties\" : {\n    \"message\" : { \"type\" : \"string\" }\n  }\n}"},
}

// putModel adds m to the API under a new identifier, or under the
// identifier of the model it replaces.
func (s *Service) putModel(a *restAPI, m model) {
	if old := a.Models[m.Name]; old != nil {
		m.ID = old.ID
	} else {
		m.ID = s.newID(shortIDLength, func(id string) bool {
			return slices.ContainsFunc(slices.Collect(maps.Values(a.Models)), func(o *model) bool { return o.ID == id })
		})
	}
	if a.Models == nil {
		a.Models = map[string]*model{}
	}
	a.Models[m.Name] = &m
}

// checkModel checks a model's name and, for a JSON content type, its
// schema, as CreateModel and UpdateModel do.
func checkModel(m *model) error {
	if !modelName.MatchString(m.Name) {
		return badRequest("Model name must be alphanumeric: %s", m.Name)
	}
	if m.Schema == "" || !jsonContentType(m.ContentType) {
		return nil
	}
	doc, err := decodeNumbers([]byte(m.Schema))
	if err != nil || !validSchema(doc) {
		return badRequest(msgModelInvalid)
	}
	return nil
}

// jsonContentType reports whether a model's content type is JSON's, the
// one whose schemas API Gateway reads.
func jsonContentType(ct string) bool {
	t, _, err := mime.ParseMediaType(ct)
	return err == nil && (t == "application/json" || strings.HasSuffix(t, "+json"))
}

func (s *Service) createModel(ctx context.Context, in *CreateModelRequest) (*Model, error) {
	m := model{Name: *in.Name, ContentType: *in.ContentType, Description: deref(in.Description), Schema: deref(in.Schema)}
	if err := checkModel(&m); err != nil {
		return nil, err
	}
	return editDefinition(s, in.RestApiId, func(a *restAPI) (*Model, error) {
		if a.Models[m.Name] != nil {
			return nil, ErrConflict.WithMessage(msgModelExists)
		}
		s.putModel(a, m)
		return modelOutput(a.Models[m.Name]), nil
	})
}

func (s *Service) getModels(ctx context.Context, in *GetModelsRequest) (*Models, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	st, err := s.api(in.RestApiId)
	if err != nil {
		return nil, err
	}
	all := slices.SortedFunc(maps.Values(st.def.Models), func(x, y *model) int { return cmp.Compare(x.Name, y.Name) })
	items, next := page(all, func(m *model) string { return m.Name }, in.Position, in.Limit)
	out := &Models{Position: next, Items: make([]Model, 0, len(items))}
	for _, m := range items {
		out.Items = append(out.Items, *modelOutput(m))
	}
	return out, nil
}

func (s *Service) getModel(ctx context.Context, in *GetModelRequest) (*Model, error) {
	m, err := s.model(in.RestApiId, *in.ModelName)
	if err != nil {
		return nil, err
	}
	return modelOutput(m), nil
}

// model returns a model of an API, under the read lock.
func (s *Service) model(apiID *string, name string) (*model, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	st, err := s.api(apiID)
	if err != nil {
		return nil, err
	}
	m := st.def.Models[name]
	if m == nil {
		return nil, notFound(msgModelNotFound)
	}
	return m, nil
}

func (s *Service) updateModel(ctx context.Context, in *UpdateModelRequest) (*Model, error) {
	patches, err := parsePatches(in.PatchOperations)
	if err != nil {
		return nil, err
	}
	return editDefinition(s, in.RestApiId, func(a *restAPI) (*Model, error) {
		m := a.Models[*in.ModelName]
		if m == nil {
			return nil, notFound(msgModelNotFound)
		}
		for _, p := range patches {
			if p.op != "replace" {
				return nil, p.invalid()
			}
			switch {
			case p.is("schema"):
				m.Schema = p.str()
			case p.is("description"):
				m.Description = p.str()
			default:
				return nil, p.invalid()
			}
		}
		if err := checkModel(m); err != nil {
			return nil, err
		}
		return modelOutput(m), nil
	})
}

func (s *Service) deleteModel(ctx context.Context, in *DeleteModelRequest) (*noOutput, error) {
	return editDefinition(s, in.RestApiId, func(a *restAPI) (*noOutput, error) {
		name := *in.ModelName
		if a.Models[name] == nil {
			return nil, notFound(msgModelNotFound)
		}
		for _, r := range a.resourcesByPath() {
			for _, verb := range slices.Sorted(maps.Keys(r.Methods)) {
				m := r.Methods[verb]
				where := strings.TrimSuffix(a.path(r), "/") + "/" + verb
				if slices.Contains(slices.Collect(maps.Values(m.RequestModels)), name) {
					return nil, ErrConflict.Withf(msgModelInUse, name, where)
				}
				for _, code := range slices.Sorted(maps.Keys(m.Responses)) {
					if slices.Contains(slices.Collect(maps.Values(m.Responses[code].ResponseModels)), name) {
						return nil, ErrConflict.Withf(msgModelInResponse, name, where+"/"+code)
					}
				}
			}
		}
		delete(a.Models, name)
		return nil, nil
	})
}

func (s *Service) getModelTemplate(ctx context.Context, in *GetModelTemplateRequest) (*Template, error) {
	m, err := s.model(in.RestApiId, *in.ModelName)
	if err != nil {
		return nil, err
	}
	return &Template{Value: ptr(ModelTemplate(m.Schema))}, nil
}

// modelOutput is a model as GetModel answers it.
func modelOutput(m *model) *Model {
	return &Model{Id: ptr(m.ID), Name: ptr(m.Name), Description: optional(m.Description),
		ContentType: ptr(m.ContentType), Schema: optional(m.Schema)}
}

// ModelTemplate is the mapping template GetModelTemplate generates from a
// model's schema: the body read as $inputRoot, then an object with one
// line per property the schema's top-level object declares, strings
// quoted and other values as the request has them ("{ }" when it
// declares none). REST APIs and WebSocket APIs generate it alike.
func ModelTemplate(schema string) string {
	var s struct {
		Properties map[string]struct {
			Type any `json:"type"`
		} `json:"properties"`
	}
	_ = json.Unmarshal([]byte(schema), &s)
	var b strings.Builder
	b.WriteString("#set($inputRoot = $input.path('$'))\n")
	if len(s.Properties) == 0 {
		b.WriteString("{ }")
		return b.String()
	}
	b.WriteString("{\n")
	names := slices.Sorted(maps.Keys(s.Properties))
	for i, name := range names {
		v := "$inputRoot." + name
		if t, _ := s.Properties[name].Type.(string); t == "string" {
			v = `"` + v + `"`
		}
		sep := ","
		if i == len(names)-1 {
			sep = ""
		}
		fmt.Fprintf(&b, "  %q : %s%s\n", name, v, sep)
	}
	b.WriteString("}")
	return b.String()
}
