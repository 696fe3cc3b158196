package apigatewayv2

import (
	"context"
	"strings"
	"time"
)

// Defaults AWS gives an HTTP API.
const (
	// defaultRouteSelection is the only route selection expression HTTP
	// APIs support.
	defaultRouteSelection = "$request.method $request.path"
	// defaultAPIKeySelection is where API keys are looked for.
	defaultAPIKeySelection = "$request.header.x-api-key"
	// defaultStage is the stage served at the root of an API's URL.
	defaultStage = "$default"
)

func (s *Service) createAPI(ctx context.Context, in *CreateApiRequest) (*CreateApiResponse, error) {
	websocket := *in.ProtocolType == protocolWebSocket
	var rse string
	var err error
	if websocket {
		if in.Target != nil || in.RouteKey != nil || in.CredentialsArn != nil {
			return nil, badRequest("Target, RouteKey and CredentialsArn (quick create) are only supported for HTTP APIs.")
		}
		if in.CorsConfiguration != nil {
			return nil, badRequest("CorsConfiguration is only supported for HTTP APIs.")
		}
		if in.RouteSelectionExpression == nil {
			return nil, badRequest("RouteSelectionExpression is required for WebSocket APIs.")
		}
		rse, err = webSocketRouteSelection(*in.RouteSelectionExpression)
	} else {
		rse, err = routeSelection(in.RouteSelectionExpression)
	}
	if err != nil {
		return nil, err
	}
	cors, err := corsFromShape(in.CorsConfiguration)
	if err != nil {
		return nil, err
	}
	if in.Target == nil && (in.RouteKey != nil || in.CredentialsArn != nil) {
		return nil, badRequest("RouteKey and CredentialsArn are part of quick create, which needs a Target.")
	}
	now := s.now()
	a := &apiRecord{
		Name:                      *in.Name,
		Description:               in.Description,
		Version:                   in.Version,
		ProtocolType:              string(*in.ProtocolType),
		RouteSelectionExpression:  rse,
		APIKeySelectionExpression: deref(in.ApiKeySelectionExpression, defaultAPIKeySelection),
		Cors:                      cors,
		DisableExecuteAPIEndpoint: deref(in.DisableExecuteApiEndpoint, false),
		DisableSchemaValidation:   deref(in.DisableSchemaValidation, false),
		Created:                   now,
		Tags:                      in.Tags,
	}
	a.ensureMaps()
	var snaps map[string]*snapshot
	if in.Target != nil {
		if err := s.quickCreate(a, *in.Target, deref(in.RouteKey, defaultRouteKey), deref(in.CredentialsArn, "")); err != nil {
			return nil, err
		}
		snaps = s.deploy(a, autoDeployStages(a))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a.ID = newID(s.ids, s.apis, 10)
	if err := s.commit(a, snaps, nil); err != nil {
		return nil, err
	}
	out := CreateApiResponse(s.apiShape(ctx, a))
	return &out, nil
}

// quickCreate adds what quick create makes to a new API: an integration
// with the target, a route to it, and the $default stage, which deploys
// automatically. All three are managed by API Gateway.
func (s *Service) quickCreate(a *apiRecord, target, routeKey, credentials string) error {
	if _, err := parseRouteKey(routeKey); err != nil {
		return badRequest("%s", routeKeyMessage(err))
	}
	integ, err := quickIntegration(target)
	if err != nil {
		return err
	}
	integ.ID = newID(s.ids, a.Integrations, 7)
	integ.CredentialsArn = credentials
	integ.Managed = true
	a.Integrations[integ.ID] = integ
	r := &routeRecord{ID: newID(s.ids, a.Routes, 7), Key: routeKey, Target: "integrations/" + integ.ID,
		AuthorizationType: "NONE", Managed: true}
	a.Routes[r.ID] = r
	a.QuickRoute, a.QuickIntegration = r.ID, integ.ID
	now := s.now()
	a.Stages[defaultStage] = &stageRecord{Name: defaultStage, AutoDeploy: true, Created: now, Updated: now,
		Variables: map[string]string{}, Managed: true}
	return nil
}

// quickIntegration is the integration quick create makes for a target: a
// Lambda proxy integration for a function ARN, an HTTP proxy integration
// for a URL.
func quickIntegration(target string) (*integrationRecord, error) {
	switch {
	case strings.HasPrefix(target, "http://") || strings.HasPrefix(target, "https://"):
		return &integrationRecord{Type: "HTTP_PROXY", URI: target, Method: "ANY", PayloadFormatVersion: "1.0",
			TimeoutMillis: maxIntegrationTimeout, ConnectionType: "INTERNET"}, nil
	case isLambdaTarget(target):
		return &integrationRecord{Type: "AWS_PROXY", URI: target, Method: "POST", PayloadFormatVersion: "2.0",
			TimeoutMillis: maxIntegrationTimeout, ConnectionType: "INTERNET"}, nil
	}
	return nil, badRequest("Invalid target %s: quick create takes a Lambda function ARN or an http(s) URL.", target)
}

// routeSelection checks a route selection expression: HTTP APIs route by
// method and path only.
func routeSelection(rse *string) (string, error) {
	if rse == nil {
		return defaultRouteSelection, nil
	}
	switch *rse {
	case defaultRouteSelection, "${request.method} ${request.path}":
		return defaultRouteSelection, nil
	}
	return "", badRequest("Unsupported route selection expression for HTTP APIs: %s. Use %s.", *rse, defaultRouteSelection)
}

func (s *Service) getAPI(ctx context.Context, in *GetApiRequest) (*GetApiResponse, error) {
	a, err := s.get(*in.ApiId)
	if err != nil {
		return nil, err
	}
	out := GetApiResponse(s.apiShape(ctx, a))
	return &out, nil
}

func (s *Service) getAPIs(ctx context.Context, in *GetApisRequest) (*GetApisResponse, error) {
	items, next, err := pageOldestFirst(s, s.apis, func(a *apiRecord) (time.Time, string) { return a.Created, a.ID }, in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &GetApisResponse{Items: make([]Api, 0, len(items)), NextToken: next}
	for _, a := range items {
		out.Items = append(out.Items, s.apiShape(ctx, a))
	}
	return out, nil
}

func (s *Service) updateAPI(ctx context.Context, in *UpdateApiRequest) (*UpdateApiResponse, error) {
	cur, err := s.get(*in.ApiId)
	if err != nil {
		return nil, err
	}
	var rse string
	if in.RouteSelectionExpression != nil {
		if cur.ProtocolType == protocolWebSocket {
			rse, err = webSocketRouteSelection(*in.RouteSelectionExpression)
		} else {
			rse, err = routeSelection(in.RouteSelectionExpression)
		}
		if err != nil {
			return nil, err
		}
	}
	var cors *corsConfig
	if in.CorsConfiguration != nil {
		var err error
		if cors, err = corsFromShape(in.CorsConfiguration); err != nil {
			return nil, err
		}
	}
	a, err := s.update(*in.ApiId, true, func(a *apiRecord) error {
		if a.ProtocolType == protocolWebSocket && in.CorsConfiguration != nil {
			return badRequest("CorsConfiguration is only supported for HTTP APIs.")
		}
		setIf(&a.Name, in.Name)
		if in.Description != nil {
			a.Description = in.Description
		}
		if in.Version != nil {
			a.Version = in.Version
		}
		if rse != "" {
			a.RouteSelectionExpression = rse
		}
		setIf(&a.APIKeySelectionExpression, in.ApiKeySelectionExpression)
		setIf(&a.DisableExecuteAPIEndpoint, in.DisableExecuteApiEndpoint)
		setIf(&a.DisableSchemaValidation, in.DisableSchemaValidation)
		if cors != nil {
			a.Cors = cors
		}
		if in.Target == nil && in.RouteKey == nil && in.CredentialsArn == nil {
			return nil
		}
		return s.updateQuickCreate(a, in)
	})
	if err != nil {
		return nil, err
	}
	out := UpdateApiResponse(s.apiShape(ctx, a))
	return &out, nil
}

// updateQuickCreate applies UpdateApi's quick create members to what
// quick create made.
func (s *Service) updateQuickCreate(a *apiRecord, in *UpdateApiRequest) error {
	r, integ := a.Routes[a.QuickRoute], a.Integrations[a.QuickIntegration]
	if r == nil || integ == nil {
		return badRequest("RouteKey, Target and CredentialsArn update what quick create made; this API was not quick created.")
	}
	if in.RouteKey != nil {
		k, err := parseRouteKey(*in.RouteKey)
		if err != nil {
			return badRequest("%s", routeKeyMessage(err))
		}
		if other := routeByKey(a, k.String()); other != nil && other.ID != r.ID {
			return routeKeyTaken(*in.RouteKey)
		}
		r.Key = *in.RouteKey
	}
	if in.Target != nil {
		next, err := quickIntegration(*in.Target)
		if err != nil {
			return err
		}
		integ.Type, integ.URI, integ.Method, integ.PayloadFormatVersion = next.Type, next.URI, next.Method, next.PayloadFormatVersion
	}
	setIf(&integ.CredentialsArn, in.CredentialsArn)
	return nil
}

func (s *Service) deleteAPIOp(ctx context.Context, in *DeleteApiRequest) (*noOutput, error) {
	return nil, s.deleteAPI(*in.ApiId)
}

func (s *Service) deleteCorsConfiguration(ctx context.Context, in *DeleteCorsConfigurationRequest) (*noOutput, error) {
	_, err := s.update(*in.ApiId, true, func(a *apiRecord) error {
		a.Cors = nil
		return nil
	})
	return nil, err
}

// apiShape renders an API as the operations return it.
func (s *Service) apiShape(ctx context.Context, a *apiRecord) Api {
	pt := ProtocolType(a.ProtocolType)
	return Api{
		ApiEndpoint:               ptr(s.apiEndpoint(ctx, a)),
		ApiId:                     ptr(a.ID),
		ApiKeySelectionExpression: ptr(a.APIKeySelectionExpression),
		CorsConfiguration:         a.Cors.shape(),
		CreatedDate:               ptr(a.Created),
		Description:               a.Description,
		DisableExecuteApiEndpoint: ptr(a.DisableExecuteAPIEndpoint),
		Name:                      ptr(a.Name),
		ProtocolType:              &pt,
		RouteSelectionExpression:  ptr(a.RouteSelectionExpression),
		Tags:                      tagsOut(a.Tags),
		Version:                   a.Version,
	}
}
