package apigatewayv2

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strings"

	"github.com/virga/virga/internal/apigateway"
)

// Models belong to WebSocket APIs: each is a JSON schema (draft 4) with a
// name unique in its API, which routes name in RequestModels and route
// responses in ResponseModels. Routes refer to models by name and are
// not checked against them: a template may create a route before the
// model it names, and delete the model first.

func (s *Service) createModel(ctx context.Context, in *CreateModelRequest) (*CreateModelResponse, error) {
	m := &modelRecord{Name: *in.Name, ContentType: deref(in.ContentType, ""),
		Description: deref(in.Description, ""), Schema: *in.Schema}
	if err := checkModel(m); err != nil {
		return nil, err
	}
	_, err := s.update(*in.ApiId, false, func(a *apiRecord) error {
		if err := modelsSupported(a); err != nil {
			return err
		}
		if modelNamed(a, m.Name) != nil {
			return ErrConflict.Withf("Model name already exists for this API")
		}
		m.ID = newID(s.ids, a.Models, 6)
		a.Models[m.ID] = m
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := CreateModelResponse(modelShape(m))
	return &out, nil
}

func (s *Service) getModel(ctx context.Context, in *GetModelRequest) (*GetModelResponse, error) {
	m, err := s.model(*in.ApiId, *in.ModelId)
	if err != nil {
		return nil, err
	}
	out := GetModelResponse(modelShape(m))
	return &out, nil
}

func (s *Service) getModels(ctx context.Context, in *GetModelsRequest) (*GetModelsResponse, error) {
	a, err := s.get(*in.ApiId)
	if err != nil {
		return nil, err
	}
	all := slices.SortedFunc(maps.Values(a.Models), func(x, y *modelRecord) int { return strings.Compare(x.ID, y.ID) })
	items, next, err := page(all, in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &GetModelsResponse{Items: make([]Model, 0, len(items)), NextToken: next}
	for _, m := range items {
		out.Items = append(out.Items, modelShape(m))
	}
	return out, nil
}

// getModelTemplate answers a mapping template that copies the members a
// model's object schema declares from the request body.
func (s *Service) getModelTemplate(ctx context.Context, in *GetModelTemplateRequest) (*GetModelTemplateResponse, error) {
	m, err := s.model(*in.ApiId, *in.ModelId)
	if err != nil {
		return nil, err
	}
	return &GetModelTemplateResponse{Value: ptr(apigateway.ModelTemplate(m.Schema))}, nil
}

func (s *Service) updateModel(ctx context.Context, in *UpdateModelRequest) (*UpdateModelResponse, error) {
	var m *modelRecord
	_, err := s.update(*in.ApiId, false, func(a *apiRecord) error {
		if m = a.Models[*in.ModelId]; m == nil {
			return modelNotFound(*in.ModelId)
		}
		if in.Name != nil && *in.Name != m.Name {
			if modelNamed(a, *in.Name) != nil {
				return ErrConflict.Withf("Model name already exists for this API")
			}
			m.Name = *in.Name
		}
		setIf(&m.ContentType, in.ContentType)
		setIf(&m.Description, in.Description)
		setIf(&m.Schema, in.Schema)
		return checkModel(m)
	})
	if err != nil {
		return nil, err
	}
	out := UpdateModelResponse(modelShape(m))
	return &out, nil
}

func (s *Service) deleteModel(ctx context.Context, in *DeleteModelRequest) (*noOutput, error) {
	_, err := s.update(*in.ApiId, false, func(a *apiRecord) error {
		if a.Models[*in.ModelId] == nil {
			return modelNotFound(*in.ModelId)
		}
		delete(a.Models, *in.ModelId)
		return nil
	})
	return nil, err
}

// model returns the model id of API apiID.
func (s *Service) model(apiID, id string) (*modelRecord, error) {
	a, err := s.get(apiID)
	if err != nil {
		return nil, err
	}
	m := a.Models[id]
	if m == nil {
		return nil, modelNotFound(id)
	}
	return m, nil
}

// modelsSupported refuses models for HTTP APIs, which do not validate
// requests.
func modelsSupported(a *apiRecord) error {
	if a.ProtocolType != protocolWebSocket {
		return badRequest("Models are only supported for WebSocket APIs.")
	}
	return nil
}

// checkModel checks a model's name ("Must be alphanumeric") and that its
// schema is a JSON object.
func checkModel(m *modelRecord) error {
	if m.Name == "" || strings.IndexFunc(m.Name, func(r rune) bool {
		return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9')
	}) >= 0 {
		return badRequest("Model name must be alphanumeric: %s", m.Name)
	}
	var schema map[string]any
	if err := json.Unmarshal([]byte(m.Schema), &schema); err != nil || schema == nil {
		return badRequest("Invalid model specified: Validation Result: warnings : [], errors : [Invalid model schema specified. The schema must be a JSON object.]")
	}
	return nil
}

// modelNamed returns the API's model called name, or nil.
func modelNamed(a *apiRecord, name string) *modelRecord {
	for _, m := range a.Models {
		if m.Name == name {
			return m
		}
	}
	return nil
}

func modelNotFound(id string) error {
	return ErrNotFound.Withf("Invalid Model identifier specified %s", id)
}

// modelShape renders a model as the operations return it.
func modelShape(m *modelRecord) Model {
	return Model{ContentType: ptrNonEmpty(m.ContentType), Description: ptrNonEmpty(m.Description),
		ModelId: ptr(m.ID), Name: ptr(m.Name), Schema: ptr(m.Schema)}
}

// validMessage reports whether a message satisfies the model its route
// selects: the route's RequestModels entry keyed by what its model
// selection expression evaluates to, else the $default entry. "If there
// is no matching model and $default isn't defined, the validation
// fails"; a route without a model selection expression validates
// nothing. Models are the API's current ones, as routes name them.
func validMessage(a *apiRecord, route *routeRecord, body []byte) bool {
	if route.ModelSelection == "" {
		return true
	}
	name, ok := route.RequestModels[selectionKey(route.ModelSelection, body)]
	if !ok {
		name, ok = route.RequestModels[defaultRouteKey]
	}
	m := modelNamed(a, name)
	if !ok || m == nil {
		return false
	}
	return apigateway.ValidBody(m.Schema, body, func(name string) (string, bool) {
		if m := modelNamed(a, name); m != nil {
			return m.Schema, true
		}
		return "", false
	})
}
