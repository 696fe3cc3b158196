package apigatewayv2

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
)

// routeAuthorizationTypes are the authorization types an HTTP API route
// may have.
var routeAuthorizationTypes = map[string]bool{"NONE": true, "AWS_IAM": true, "CUSTOM": true, "JWT": true}

func (s *Service) createRoute(ctx context.Context, in *CreateRouteRequest) (*CreateRouteResult, error) {
	var r *routeRecord
	_, err := s.update(*in.ApiId, true, func(a *apiRecord) error {
		k, err := checkRouteKey(a, *in.RouteKey)
		if err != nil {
			return err
		}
		if routeByKey(a, k) != nil {
			return routeKeyTaken(*in.RouteKey)
		}
		r = &routeRecord{ID: newID(s.ids, a.Routes, 7), Key: *in.RouteKey, AuthorizationType: "NONE",
			APIKeyRequired: deref(in.ApiKeyRequired, false), OperationName: deref(in.OperationName, ""),
			RequestParameters: in.RequestParameters, RequestModels: in.RequestModels,
			RouteResponseSelection: deref(in.RouteResponseSelectionExpression, ""),
			ModelSelection:         deref(in.ModelSelectionExpression, "")}
		if err := checkWebSocketRoute(a, r); err != nil {
			return err
		}
		if err := setRouteTarget(a, r, in.Target); err != nil {
			return err
		}
		if err := setRouteAuth(a, r, in.AuthorizationType, in.AuthorizerId, in.AuthorizationScopes); err != nil {
			return err
		}
		a.Routes[r.ID] = r
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := CreateRouteResult(routeShape(r))
	return &out, nil
}

func (s *Service) getRoute(ctx context.Context, in *GetRouteRequest) (*GetRouteResult, error) {
	a, err := s.get(*in.ApiId)
	if err != nil {
		return nil, err
	}
	r := a.Routes[*in.RouteId]
	if r == nil {
		return nil, routeNotFound(*in.RouteId)
	}
	out := GetRouteResult(routeShape(r))
	return &out, nil
}

func (s *Service) getRoutes(ctx context.Context, in *GetRoutesRequest) (*GetRoutesResponse, error) {
	a, err := s.get(*in.ApiId)
	if err != nil {
		return nil, err
	}
	all := slices.SortedFunc(maps.Values(a.Routes), func(x, y *routeRecord) int { return strings.Compare(x.Key, y.Key) })
	items, next, err := page(all, in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &GetRoutesResponse{Items: make([]Route, 0, len(items)), NextToken: next}
	for _, r := range items {
		out.Items = append(out.Items, routeShape(r))
	}
	return out, nil
}

func (s *Service) updateRoute(ctx context.Context, in *UpdateRouteRequest) (*UpdateRouteResult, error) {
	var r *routeRecord
	_, err := s.update(*in.ApiId, true, func(a *apiRecord) error {
		r = a.Routes[*in.RouteId]
		if r == nil {
			return routeNotFound(*in.RouteId)
		}
		if in.RouteKey != nil {
			k, err := checkRouteKey(a, *in.RouteKey)
			if err != nil {
				return err
			}
			if other := routeByKey(a, k); other != nil && other.ID != r.ID {
				return routeKeyTaken(*in.RouteKey)
			}
			if r.Managed && *in.RouteKey != r.Key {
				// A managed route's key changes only through UpdateApi's
				// RouteKey.
				return badRequest("Route %s is managed by API Gateway (quick create); its route key cannot be modified. Use UpdateApi's RouteKey instead.", r.ID)
			}
			r.Key = *in.RouteKey
		}
		setIf(&r.RouteResponseSelection, in.RouteResponseSelectionExpression)
		setIf(&r.ModelSelection, in.ModelSelectionExpression)
		if err := checkWebSocketRoute(a, r); err != nil {
			return err
		}
		if in.Target != nil {
			if err := setRouteTarget(a, r, in.Target); err != nil {
				return err
			}
		}
		setIf(&r.APIKeyRequired, in.ApiKeyRequired)
		setIf(&r.OperationName, in.OperationName)
		if in.RequestParameters != nil {
			r.RequestParameters = in.RequestParameters
		}
		if in.RequestModels != nil {
			r.RequestModels = in.RequestModels
		}
		authType := in.AuthorizationType
		if authType == nil {
			t := AuthorizationType(r.AuthorizationType)
			authType = &t
		}
		authorizer, scopes := in.AuthorizerId, in.AuthorizationScopes
		if authorizer == nil && *authType == AuthorizationType(r.AuthorizationType) && r.AuthorizerID != "" {
			authorizer = &r.AuthorizerID
		}
		if scopes == nil && *authType == "JWT" {
			scopes = r.AuthorizationScopes
		}
		return setRouteAuth(a, r, authType, authorizer, scopes)
	})
	if err != nil {
		return nil, err
	}
	out := UpdateRouteResult(routeShape(r))
	return &out, nil
}

func (s *Service) deleteRoute(ctx context.Context, in *DeleteRouteRequest) (*noOutput, error) {
	_, err := s.update(*in.ApiId, true, func(a *apiRecord) error {
		if a.Routes[*in.RouteId] == nil {
			return routeNotFound(*in.RouteId)
		}
		delete(a.Routes, *in.RouteId)
		if a.QuickRoute == *in.RouteId {
			a.QuickRoute = ""
		}
		return nil
	})
	return nil, err
}

// setRouteTarget checks and sets a route's target, "integrations/ID" of
// an integration of the API; an empty target detaches the route.
func setRouteTarget(a *apiRecord, r *routeRecord, target *string) error {
	if target == nil || *target == "" {
		r.Target = ""
		return nil
	}
	id, ok := strings.CutPrefix(*target, "integrations/")
	if !ok || id == "" || strings.Contains(id, "/") {
		return badRequest("Invalid target %s: a route's target is integrations/ followed by an integration id.", *target)
	}
	if a.Integrations[id] == nil {
		return integrationNotFound(id)
	}
	r.Target = *target
	return nil
}

// setRouteAuth checks and sets how a route authorizes requests.
func setRouteAuth(a *apiRecord, r *routeRecord, authType *AuthorizationType, authorizerID *string, scopes []string) error {
	t := "NONE"
	if authType != nil {
		t = string(*authType)
	}
	if a.ProtocolType == protocolWebSocket {
		switch {
		case t != "NONE" && r.Key != routeConnect:
			return badRequest("Currently, authorization is restricted to the $connect route only")
		case t == "CUSTOM":
			return ErrNotImplemented.WithMessage("Lambda authorizers of WebSocket APIs are not implemented by virga yet.")
		case t != "NONE" && t != "AWS_IAM":
			return badRequest("Invalid authorization type %s: WebSocket API routes use NONE, AWS_IAM or CUSTOM.", t)
		}
	}
	if !routeAuthorizationTypes[t] {
		return badRequest("Invalid authorization type %s: HTTP API routes use NONE, AWS_IAM, CUSTOM or JWT.", t)
	}
	id := deref(authorizerID, "")
	switch t {
	case "CUSTOM", "JWT":
		if id == "" {
			return badRequest("An authorizer id is required for authorization type %s.", t)
		}
		au := a.Authorizers[id]
		if au == nil {
			return authorizerNotFound(id)
		}
		want := "REQUEST"
		if t == "JWT" {
			want = "JWT"
		}
		if au.Type != want {
			return badRequest("Authorization type %s needs a %s authorizer; authorizer %s is of type %s.", t, want, id, au.Type)
		}
	default:
		if id != "" {
			return badRequest("An authorizer id is only allowed for authorization types CUSTOM and JWT.")
		}
	}
	if len(scopes) > 0 && t != "JWT" {
		return badRequest("Authorization scopes are only supported for authorization type JWT.")
	}
	r.AuthorizationType, r.AuthorizerID, r.AuthorizationScopes = t, id, scopes
	return nil
}

// checkRouteKey checks a route key for an API and returns it in
// canonical form: for an HTTP API "METHOD /path" or $default, for a
// WebSocket API $connect, $disconnect, $default or any value the route
// selection expression may select.
func checkRouteKey(a *apiRecord, key string) (string, error) {
	if a.ProtocolType == protocolWebSocket {
		reserved := strings.HasPrefix(key, "$") && key != routeConnect && key != routeDisconnect && key != defaultRouteKey
		if key == "" || reserved {
			return "", badRequest("Invalid route key %s: a WebSocket route key is $connect, $disconnect, $default or a value the route selection expression selects.", key)
		}
		return key, nil
	}
	k, err := parseRouteKey(key)
	if err != nil {
		return "", badRequest("%s", routeKeyMessage(err))
	}
	return k.String(), nil
}

// checkWebSocketRoute checks the members only WebSocket routes have:
// route response selection expressions are $default, the only route
// response key.
func checkWebSocketRoute(a *apiRecord, r *routeRecord) error {
	if a.ProtocolType != protocolWebSocket {
		if r.RouteResponseSelection != "" || r.ModelSelection != "" {
			return badRequest("RouteResponseSelectionExpression and ModelSelectionExpression are only supported for WebSocket APIs.")
		}
		return nil
	}
	if r.RouteResponseSelection != "" && r.RouteResponseSelection != defaultRouteKey {
		return badRequest("Invalid route response selection expression %s: only $default is supported.", r.RouteResponseSelection)
	}
	return nil
}

// routeByKey returns the API's route whose key is the same as key (in
// canonical form), or nil.
func routeByKey(a *apiRecord, key string) *routeRecord {
	if a.ProtocolType == protocolWebSocket {
		for _, r := range a.Routes {
			if r.Key == key {
				return r
			}
		}
		return nil
	}
	for _, r := range a.Routes {
		if k, err := parseRouteKey(r.Key); err == nil && k.String() == key {
			return r
		}
	}
	return nil
}

func routeKeyTaken(key string) error {
	return ErrConflict.Withf("Route with key %s already exists for this API", key)
}

// routeKeyMessage words a route key's parse error for BadRequestException.
func routeKeyMessage(err error) string {
	if errors.Is(err, errRouteKey) {
		return "Invalid route key: " + strings.TrimPrefix(err.Error(), errRouteKey.Error()+": ")
	}
	return err.Error()
}

// routeShape renders a route as the operations return it.
func routeShape(r *routeRecord) Route {
	t := AuthorizationType(r.AuthorizationType)
	out := Route{
		ApiGatewayManaged:   ptrIf(r.Managed),
		ApiKeyRequired:      ptr(r.APIKeyRequired),
		AuthorizationScopes: r.AuthorizationScopes,
		AuthorizationType:   &t,
		AuthorizerId:        ptrNonEmpty(r.AuthorizerID),
		OperationName:       ptrNonEmpty(r.OperationName),
		RequestModels:       r.RequestModels,
		RequestParameters:   r.RequestParameters,
		RouteId:             ptr(r.ID),
		RouteKey:            ptr(r.Key),
		Target:              ptrNonEmpty(r.Target),

		RouteResponseSelectionExpression: ptrNonEmpty(r.RouteResponseSelection),
		ModelSelectionExpression:         ptrNonEmpty(r.ModelSelection),
	}
	return out
}
