package apigatewayv2

import (
	"testing"
)

func TestHTTPAPIQuickCreate(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "")
	out := must(h.s.createAPI(h.ctx, &CreateApiRequest{Name: ptr("quick"), ProtocolType: ptr(ProtocolType("HTTP")),
		Target: ptr(testFn), Tags: map[string]string{"team": "a"}}))(t)
	id := *out.ApiId
	if len(id) != 10 || *out.ApiEndpoint != "http://"+id+".execute-api.localhost" ||
		*out.RouteSelectionExpression != "$request.method $request.path" ||
		*out.ApiKeySelectionExpression != "$request.header.x-api-key" || out.Tags["team"] != "a" ||
		*out.DisableExecuteApiEndpoint || !out.CreatedDate.Equal(testEpoch.Truncate(1e6)) {
		t.Errorf("CreateApi = %+v", out)
	}
	routes := must(h.s.getRoutes(h.ctx, &GetRoutesRequest{ApiId: &id}))(t).Items
	integs := must(h.s.getIntegrations(h.ctx, &GetIntegrationsRequest{ApiId: &id}))(t).Items
	stages := must(h.s.getStages(h.ctx, &GetStagesRequest{ApiId: &id}))(t).Items
	if len(routes) != 1 || len(integs) != 1 || len(stages) != 1 {
		t.Fatalf("quick create made %d routes, %d integrations, %d stages", len(routes), len(integs), len(stages))
	}
	r, integ, st := routes[0], integs[0], stages[0]
	if *r.RouteKey != "$default" || *r.Target != "integrations/"+*integ.IntegrationId || !*r.ApiGatewayManaged || *r.AuthorizationType != "NONE" {
		t.Errorf("route = %+v", r)
	}
	if *integ.IntegrationType != "AWS_PROXY" || *integ.IntegrationUri != testFn || *integ.PayloadFormatVersion != "2.0" ||
		*integ.IntegrationMethod != "POST" || *integ.TimeoutInMillis != 30000 || *integ.ConnectionType != "INTERNET" || !*integ.ApiGatewayManaged {
		t.Errorf("integration = %+v", integ)
	}
	if *st.StageName != "$default" || !*st.AutoDeploy || st.DeploymentId == nil || !*st.ApiGatewayManaged ||
		*st.LastDeploymentStatusMessage != "Successfully deployed stage with deployment ID '"+*st.DeploymentId+"'" {
		t.Errorf("stage = %+v", st)
	}
	deps := must(h.s.getDeployments(h.ctx, &GetDeploymentsRequest{ApiId: &id}))(t).Items
	if len(deps) != 1 || *deps[0].DeploymentId != *st.DeploymentId || !*deps[0].AutoDeployed || *deps[0].DeploymentStatus != "DEPLOYED" {
		t.Errorf("deployments = %+v", deps)
	}
	if ev := h.do(id, "GET", "/anything/here", nil, nil).echoed(t); ev["routeKey"] != "$default" || ev["rawPath"] != "/anything/here" {
		t.Errorf("event = %v", ev)
	}
}

func TestHTTPAPIQuickCreateRouteKeyAndHTTPTarget(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "")
	id := *must(h.s.createAPI(h.ctx, &CreateApiRequest{Name: ptr("q"), ProtocolType: ptr(ProtocolType("HTTP")),
		Target: ptr("https://example.com/base"), RouteKey: ptr("GET /pets/{id}")}))(t).ApiId
	integ := must(h.s.getIntegrations(h.ctx, &GetIntegrationsRequest{ApiId: &id}))(t).Items[0]
	if *integ.IntegrationType != "HTTP_PROXY" || *integ.IntegrationMethod != "ANY" || *integ.PayloadFormatVersion != "1.0" {
		t.Errorf("integration = %+v", integ)
	}
	// UpdateApi's quick create members change what quick create made.
	must(h.s.updateAPI(h.ctx, &UpdateApiRequest{ApiId: &id, RouteKey: ptr("POST /pets"), Target: ptr(testFn)}))(t)
	r := must(h.s.getRoutes(h.ctx, &GetRoutesRequest{ApiId: &id}))(t).Items[0]
	integ = must(h.s.getIntegrations(h.ctx, &GetIntegrationsRequest{ApiId: &id}))(t).Items[0]
	if *r.RouteKey != "POST /pets" || *integ.IntegrationType != "AWS_PROXY" || *integ.IntegrationUri != testFn {
		t.Errorf("after UpdateApi: route %s, integration %s %s", *r.RouteKey, *integ.IntegrationType, *integ.IntegrationUri)
	}
	if ev := h.do(id, "POST", "/pets", nil, nil).echoed(t); ev["routeKey"] != "POST /pets" {
		t.Errorf("event = %v", ev)
	}
	// An API made without quick create has nothing for them to change.
	plain := *must(h.s.createAPI(h.ctx, &CreateApiRequest{Name: ptr("p"), ProtocolType: ptr(ProtocolType("HTTP"))}))(t).ApiId
	_, err := h.s.updateAPI(h.ctx, &UpdateApiRequest{ApiId: &plain, Target: ptr(testFn)})
	wantErr(t, err, "BadRequestException", "quick create")
}

func TestHTTPAPICreateAPIErrors(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "")
	http := ptr(ProtocolType("HTTP"))
	for _, tc := range []struct {
		name      string
		in        *CreateApiRequest
		code, msg string
	}{
		{"websocket without a route selection expression", &CreateApiRequest{Name: ptr("w"), ProtocolType: ptr(ProtocolType("WEBSOCKET"))},
			"BadRequestException", "RouteSelectionExpression is required"},
		{"websocket routing by method and path", &CreateApiRequest{Name: ptr("w"), ProtocolType: ptr(ProtocolType("WEBSOCKET")),
			RouteSelectionExpression: ptr("$request.method $request.path")}, "BadRequestException", "Invalid route selection expression"},
		{"websocket quick create", &CreateApiRequest{Name: ptr("w"), ProtocolType: ptr(ProtocolType("WEBSOCKET")),
			RouteSelectionExpression: ptr("$request.body.action"), Target: ptr(testFn)}, "BadRequestException", "only supported for HTTP APIs"},
		{"credentials with any origin", &CreateApiRequest{Name: ptr("c"), ProtocolType: http,
			CorsConfiguration: &Cors{AllowOrigins: []string{"*"}, AllowCredentials: ptr(true)}},
			"BadRequestException", "allow-credentials is not supported if 'allow-origin' is *"},
		{"route selection", &CreateApiRequest{Name: ptr("r"), ProtocolType: http, RouteSelectionExpression: ptr("$request.body.action")},
			"BadRequestException", "route selection expression"},
		{"route key without target", &CreateApiRequest{Name: ptr("k"), ProtocolType: http, RouteKey: ptr("GET /")},
			"BadRequestException", "Target"},
		{"bad target", &CreateApiRequest{Name: ptr("t"), ProtocolType: http, Target: ptr("arn:aws:sqs:us-east-1:000000000000:q")},
			"BadRequestException", "Invalid target"},
		{"bad route key", &CreateApiRequest{Name: ptr("b"), ProtocolType: http, Target: ptr(testFn), RouteKey: ptr("GET pets")},
			"BadRequestException", "Invalid route key"},
	} {
		_, err := h.s.createAPI(h.ctx, tc.in)
		if err == nil {
			t.Errorf("%s: CreateApi succeeded", tc.name)
			continue
		}
		wantErr(t, err, tc.code, tc.msg)
	}
	_, err := h.s.getAPI(h.ctx, &GetApiRequest{ApiId: ptr("nope")})
	wantErr(t, err, "NotFoundException", "Invalid API identifier specified 000000000000:nope")
}

func TestHTTPAPIUpdateAndDeleteAPI(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "")
	id := h.api(nil)
	out := must(h.s.updateAPI(h.ctx, &UpdateApiRequest{ApiId: &id, Name: ptr("renamed"), Description: ptr("d"),
		CorsConfiguration: &Cors{AllowOrigins: []string{"https://a.example"}, MaxAge: ptr(int32(60))}}))(t)
	if *out.Name != "renamed" || *out.Description != "d" || out.CorsConfiguration.AllowOrigins[0] != "https://a.example" ||
		*out.CorsConfiguration.MaxAge != 60 || *out.CorsConfiguration.AllowCredentials {
		t.Errorf("UpdateApi = %+v", out)
	}
	must(h.s.deleteCorsConfiguration(h.ctx, &DeleteCorsConfigurationRequest{ApiId: &id}))(t)
	if got := must(h.s.getAPI(h.ctx, &GetApiRequest{ApiId: &id}))(t); got.CorsConfiguration != nil {
		t.Errorf("CORS after DeleteCorsConfiguration: %+v", got.CorsConfiguration)
	}
	must(h.s.deleteAPIOp(h.ctx, &DeleteApiRequest{ApiId: &id}))(t)
	_, err := h.s.getAPI(h.ctx, &GetApiRequest{ApiId: &id})
	wantErr(t, err, "NotFoundException", "Invalid API identifier")
	if r := h.do(id, "GET", "/", nil, nil); r.status != 404 || r.body != `{"message":"Not Found"}` {
		t.Errorf("deleted API answered HTTP %d %s", r.status, r.body)
	}
}

func TestHTTPAPIGetApisPages(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "")
	want := map[string]bool{}
	for range 5 {
		want[h.api(nil)] = true
		h.clock.Advance(1e9)
	}
	var token *string
	pages := 0
	for {
		out := must(h.s.getAPIs(h.ctx, &GetApisRequest{MaxResults: ptr("2"), NextToken: token}))(t)
		pages++
		for _, a := range out.Items {
			if !want[*a.ApiId] {
				t.Errorf("unexpected or repeated API %s", *a.ApiId)
			}
			delete(want, *a.ApiId)
		}
		if token = out.NextToken; token == nil {
			break
		}
	}
	if pages != 3 || len(want) != 0 {
		t.Errorf("%d pages, APIs missing: %v", pages, want)
	}
	_, err := h.s.getAPIs(h.ctx, &GetApisRequest{MaxResults: ptr("zero")})
	wantErr(t, err, "BadRequestException", "MaxResults")
}

// TestRestart checks that APIs and their deployments survive a restart.
func TestHTTPAPIRestart(t *testing.T) {
	t.Parallel()
	h := newHarness(t, t.TempDir())
	id := h.quickAPI("GET /hello")
	h.restart()
	if ev := h.do(id, "GET", "/hello", nil, nil).echoed(t); ev["routeKey"] != "GET /hello" {
		t.Errorf("after a restart: %v", ev)
	}
	if _, err := h.s.getAPI(h.ctx, &GetApiRequest{ApiId: &id}); err != nil {
		t.Error(err)
	}
}

// TestHTTPAPIQuickCreateManaged checks what API Gateway documents of the
// route and integration quick create manages: the route's key cannot be
// modified with UpdateRoute (UpdateApi's RouteKey changes it), and the
// integration can be updated but not deleted.
func TestHTTPAPIQuickCreateManaged(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "")
	api := h.quickAPI("")
	route := must(h.s.getRoutes(h.ctx, &GetRoutesRequest{ApiId: &api}))(t).Items[0]
	integ := must(h.s.getIntegrations(h.ctx, &GetIntegrationsRequest{ApiId: &api}))(t).Items[0]
	_, err := h.s.updateRoute(h.ctx, &UpdateRouteRequest{ApiId: &api, RouteId: route.RouteId, RouteKey: ptr("GET /other")})
	wantErr(t, err, "BadRequestException", "managed by API Gateway")
	must(h.s.updateRoute(h.ctx, &UpdateRouteRequest{ApiId: &api, RouteId: route.RouteId, RouteKey: ptr("$default"),
		OperationName: ptr("op")}))(t)
	must(h.s.updateAPI(h.ctx, &UpdateApiRequest{ApiId: &api, RouteKey: ptr("GET /other")}))(t)
	if got := must(h.s.getRoute(h.ctx, &GetRouteRequest{ApiId: &api, RouteId: route.RouteId}))(t); *got.RouteKey != "GET /other" {
		t.Errorf("after UpdateApi RouteKey: route key %s", *got.RouteKey)
	}
	must(h.s.updateIntegration(h.ctx, &UpdateIntegrationRequest{ApiId: &api, IntegrationId: integ.IntegrationId,
		TimeoutInMillis: ptr(int32(5000))}))(t)
	must(h.s.deleteRoute(h.ctx, &DeleteRouteRequest{ApiId: &api, RouteId: route.RouteId}))(t)
	_, err = h.s.deleteIntegration(h.ctx, &DeleteIntegrationRequest{ApiId: &api, IntegrationId: integ.IntegrationId})
	wantErr(t, err, "BadRequestException", "managed by API Gateway")
}
