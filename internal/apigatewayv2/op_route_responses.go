package apigatewayv2

import (
	"context"
	"maps"
	"slices"
	"strings"
)

// Route responses belong to WebSocket routes. A route with one (its key is
// $default, the only key AWS allows) is two-way: what its integration
// answers goes back to the client.

func (s *Service) createRouteResponse(ctx context.Context, in *CreateRouteResponseRequest) (*CreateRouteResponseResponse, error) {
	var rr *routeResponseRecord
	_, err := s.update(*in.ApiId, true, func(a *apiRecord) error {
		r, err := webSocketRoute(a, *in.RouteId)
		if err != nil {
			return err
		}
		if err := checkRouteResponseKey(*in.RouteResponseKey); err != nil {
			return err
		}
		for _, other := range r.Responses {
			if other.Key == *in.RouteResponseKey {
				return ErrConflict.Withf("Route response with key %s already exists for this route", other.Key)
			}
		}
		rr = &routeResponseRecord{ID: newID(s.ids, r.Responses, 6), Key: *in.RouteResponseKey,
			ModelSelection: deref(in.ModelSelectionExpression, ""), ResponseModels: in.ResponseModels,
			ResponseParameters: in.ResponseParameters}
		if r.Responses == nil {
			r.Responses = map[string]*routeResponseRecord{}
		}
		r.Responses[rr.ID] = rr
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := CreateRouteResponseResponse(routeResponseShape(rr))
	return &out, nil
}

func (s *Service) getRouteResponse(ctx context.Context, in *GetRouteResponseRequest) (*GetRouteResponseResponse, error) {
	a, err := s.get(*in.ApiId)
	if err != nil {
		return nil, err
	}
	r, err := webSocketRoute(a, *in.RouteId)
	if err != nil {
		return nil, err
	}
	rr := r.Responses[*in.RouteResponseId]
	if rr == nil {
		return nil, routeResponseNotFound(*in.RouteResponseId)
	}
	out := GetRouteResponseResponse(routeResponseShape(rr))
	return &out, nil
}

func (s *Service) getRouteResponses(ctx context.Context, in *GetRouteResponsesRequest) (*GetRouteResponsesResponse, error) {
	a, err := s.get(*in.ApiId)
	if err != nil {
		return nil, err
	}
	r, err := webSocketRoute(a, *in.RouteId)
	if err != nil {
		return nil, err
	}
	all := slices.SortedFunc(maps.Values(r.Responses), func(x, y *routeResponseRecord) int { return strings.Compare(x.ID, y.ID) })
	items, next, err := page(all, in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &GetRouteResponsesResponse{Items: make([]RouteResponse, 0, len(items)), NextToken: next}
	for _, rr := range items {
		out.Items = append(out.Items, routeResponseShape(rr))
	}
	return out, nil
}

func (s *Service) updateRouteResponse(ctx context.Context, in *UpdateRouteResponseRequest) (*UpdateRouteResponseResponse, error) {
	var rr *routeResponseRecord
	_, err := s.update(*in.ApiId, true, func(a *apiRecord) error {
		r, err := webSocketRoute(a, *in.RouteId)
		if err != nil {
			return err
		}
		if rr = r.Responses[*in.RouteResponseId]; rr == nil {
			return routeResponseNotFound(*in.RouteResponseId)
		}
		if in.RouteResponseKey != nil {
			if err := checkRouteResponseKey(*in.RouteResponseKey); err != nil {
				return err
			}
			rr.Key = *in.RouteResponseKey
		}
		setIf(&rr.ModelSelection, in.ModelSelectionExpression)
		if in.ResponseModels != nil {
			rr.ResponseModels = in.ResponseModels
		}
		if in.ResponseParameters != nil {
			rr.ResponseParameters = in.ResponseParameters
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := UpdateRouteResponseResponse(routeResponseShape(rr))
	return &out, nil
}

func (s *Service) deleteRouteResponse(ctx context.Context, in *DeleteRouteResponseRequest) (*noOutput, error) {
	_, err := s.update(*in.ApiId, true, func(a *apiRecord) error {
		r, err := webSocketRoute(a, *in.RouteId)
		if err != nil {
			return err
		}
		if r.Responses[*in.RouteResponseId] == nil {
			return routeResponseNotFound(*in.RouteResponseId)
		}
		delete(r.Responses, *in.RouteResponseId)
		return nil
	})
	return nil, err
}

// webSocketRoute returns a route of a WebSocket API, for its route
// responses.
func webSocketRoute(a *apiRecord, id string) (*routeRecord, error) {
	r := a.Routes[id]
	if r == nil {
		return nil, routeNotFound(id)
	}
	if a.ProtocolType != protocolWebSocket {
		return nil, badRequest("Route responses are only supported for WebSocket APIs.")
	}
	return r, nil
}

// checkRouteResponseKey checks a route response's key: "You can only
// define the $default route response for WebSocket APIs."
func checkRouteResponseKey(key string) error {
	if key != defaultRouteKey {
		return badRequest("Invalid route response key %s: only $default is supported.", key)
	}
	return nil
}

func routeResponseNotFound(id string) error {
	return ErrNotFound.Withf("Invalid RouteResponse identifier specified %s", id)
}

// routeResponseShape renders a route response as the operations return
// it.
func routeResponseShape(rr *routeResponseRecord) RouteResponse {
	return RouteResponse{
		ModelSelectionExpression: ptrNonEmpty(rr.ModelSelection),
		ResponseModels:           rr.ResponseModels,
		ResponseParameters:       rr.ResponseParameters,
		RouteResponseId:          ptr(rr.ID),
		RouteResponseKey:         ptr(rr.Key),
	}
}
