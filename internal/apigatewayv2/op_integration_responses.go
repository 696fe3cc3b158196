package apigatewayv2

import (
	"context"
	"maps"
	"slices"
	"strings"
)

// Integration responses belong to WebSocket integrations. virga keeps and
// returns them; a MOCK integration answers with its $default integration
// response's template (taken as it is written: virga does not evaluate
// mapping templates). Lambda proxy integrations do not use them.

func (s *Service) createIntegrationResponse(ctx context.Context, in *CreateIntegrationResponseRequest) (*CreateIntegrationResponseResponse, error) {
	var ir *integrationResponseRecord
	_, err := s.update(*in.ApiId, true, func(a *apiRecord) error {
		integ, err := webSocketIntegration(a, *in.IntegrationId)
		if err != nil {
			return err
		}
		for _, other := range integ.Responses {
			if other.Key == *in.IntegrationResponseKey {
				return ErrConflict.Withf("Integration response with key %s already exists for this integration", other.Key)
			}
		}
		ir = &integrationResponseRecord{ID: newID(s.ids, integ.Responses, 6), Key: *in.IntegrationResponseKey,
			ContentHandlingStrategy: string(deref(in.ContentHandlingStrategy, "")),
			ResponseParameters:      in.ResponseParameters, ResponseTemplates: in.ResponseTemplates,
			TemplateSelection: deref(in.TemplateSelectionExpression, "")}
		if integ.Responses == nil {
			integ.Responses = map[string]*integrationResponseRecord{}
		}
		integ.Responses[ir.ID] = ir
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := CreateIntegrationResponseResponse(integrationResponseShape(ir))
	return &out, nil
}

func (s *Service) getIntegrationResponse(ctx context.Context, in *GetIntegrationResponseRequest) (*GetIntegrationResponseResponse, error) {
	a, err := s.get(*in.ApiId)
	if err != nil {
		return nil, err
	}
	integ, err := webSocketIntegration(a, *in.IntegrationId)
	if err != nil {
		return nil, err
	}
	ir := integ.Responses[*in.IntegrationResponseId]
	if ir == nil {
		return nil, integrationResponseNotFound(*in.IntegrationResponseId)
	}
	out := GetIntegrationResponseResponse(integrationResponseShape(ir))
	return &out, nil
}

func (s *Service) getIntegrationResponses(ctx context.Context, in *GetIntegrationResponsesRequest) (*GetIntegrationResponsesResponse, error) {
	a, err := s.get(*in.ApiId)
	if err != nil {
		return nil, err
	}
	integ, err := webSocketIntegration(a, *in.IntegrationId)
	if err != nil {
		return nil, err
	}
	all := slices.SortedFunc(maps.Values(integ.Responses), func(x, y *integrationResponseRecord) int { return strings.Compare(x.ID, y.ID) })
	items, next, err := page(all, in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &GetIntegrationResponsesResponse{Items: make([]IntegrationResponse, 0, len(items)), NextToken: next}
	for _, ir := range items {
		out.Items = append(out.Items, integrationResponseShape(ir))
	}
	return out, nil
}

func (s *Service) updateIntegrationResponse(ctx context.Context, in *UpdateIntegrationResponseRequest) (*UpdateIntegrationResponseResponse, error) {
	var ir *integrationResponseRecord
	_, err := s.update(*in.ApiId, true, func(a *apiRecord) error {
		integ, err := webSocketIntegration(a, *in.IntegrationId)
		if err != nil {
			return err
		}
		if ir = integ.Responses[*in.IntegrationResponseId]; ir == nil {
			return integrationResponseNotFound(*in.IntegrationResponseId)
		}
		setIf(&ir.Key, in.IntegrationResponseKey)
		if in.ContentHandlingStrategy != nil {
			ir.ContentHandlingStrategy = string(*in.ContentHandlingStrategy)
		}
		if in.ResponseParameters != nil {
			ir.ResponseParameters = in.ResponseParameters
		}
		if in.ResponseTemplates != nil {
			ir.ResponseTemplates = in.ResponseTemplates
		}
		setIf(&ir.TemplateSelection, in.TemplateSelectionExpression)
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := UpdateIntegrationResponseResponse(integrationResponseShape(ir))
	return &out, nil
}

func (s *Service) deleteIntegrationResponse(ctx context.Context, in *DeleteIntegrationResponseRequest) (*noOutput, error) {
	_, err := s.update(*in.ApiId, true, func(a *apiRecord) error {
		integ, err := webSocketIntegration(a, *in.IntegrationId)
		if err != nil {
			return err
		}
		if integ.Responses[*in.IntegrationResponseId] == nil {
			return integrationResponseNotFound(*in.IntegrationResponseId)
		}
		delete(integ.Responses, *in.IntegrationResponseId)
		return nil
	})
	return nil, err
}

// webSocketIntegration returns an integration of a WebSocket API, for its
// integration responses.
func webSocketIntegration(a *apiRecord, id string) (*integrationRecord, error) {
	integ := a.Integrations[id]
	if integ == nil {
		return nil, integrationNotFound(id)
	}
	if a.ProtocolType != protocolWebSocket {
		return nil, badRequest("Integration responses are only supported for WebSocket APIs.")
	}
	return integ, nil
}

func integrationResponseNotFound(id string) error {
	return ErrNotFound.Withf("Invalid IntegrationResponse identifier specified %s", id)
}

// integrationResponseShape renders an integration response as the
// operations return it.
func integrationResponseShape(ir *integrationResponseRecord) IntegrationResponse {
	out := IntegrationResponse{
		IntegrationResponseId:       ptr(ir.ID),
		IntegrationResponseKey:      ptr(ir.Key),
		ResponseParameters:          ir.ResponseParameters,
		ResponseTemplates:           ir.ResponseTemplates,
		TemplateSelectionExpression: ptrNonEmpty(ir.TemplateSelection),
	}
	if ir.ContentHandlingStrategy != "" {
		out.ContentHandlingStrategy = ptr(ContentHandlingStrategy(ir.ContentHandlingStrategy))
	}
	return out
}
