package apigatewayv2

import (
	"testing"
	"time"
)

// TestDeployments checks that a stage serves its deployment's snapshot:
// a stage without AutoDeploy sees a change only once it is deployed, one
// with AutoDeploy at once.
func TestHTTPAPIDeployments(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "")
	api := *must(h.s.createAPI(h.ctx, &CreateApiRequest{Name: ptr("d"), ProtocolType: ptr(ProtocolType("HTTP"))}))(t).ApiId
	must(h.s.createStage(h.ctx, &CreateStageRequest{ApiId: &api, StageName: ptr("prod"), StageVariables: map[string]string{"env": "production"}}))(t)
	_, err := h.s.createDeployment(h.ctx, &CreateDeploymentRequest{ApiId: &api, StageName: ptr("prod")})
	wantErr(t, err, "BadRequestException", "Unable to deploy API because no routes exist in this API")

	integ := h.lambdaIntegration(api, testFn, "2.0")
	route := h.route(api, "GET /v", integ)
	if r := h.do(api, "GET", "/prod/v", nil, nil); r.status != 404 {
		t.Errorf("undeployed stage answered HTTP %d %s", r.status, r.body)
	}
	dep := must(h.s.createDeployment(h.ctx, &CreateDeploymentRequest{ApiId: &api, StageName: ptr("prod"), Description: ptr("first")}))(t)
	if *dep.DeploymentStatus != "DEPLOYED" || *dep.AutoDeployed || *dep.Description != "first" {
		t.Errorf("CreateDeployment = %+v", dep)
	}
	ev := h.do(api, "GET", "/prod/v", nil, nil).echoed(t)
	if ev["rawPath"] != "/prod/v" || ev["routeKey"] != "GET /v" || ev["stageVariables"].(map[string]any)["env"] != "production" ||
		ev["requestContext"].(map[string]any)["stage"] != "prod" {
		t.Errorf("event = %v", ev)
	}
	// A change waits for the next deployment.
	must(h.s.updateRoute(h.ctx, &UpdateRouteRequest{ApiId: &api, RouteId: &route, RouteKey: ptr("GET /w")}))(t)
	if ev := h.do(api, "GET", "/prod/v", nil, nil).echoed(t); ev["routeKey"] != "GET /v" {
		t.Errorf("the undeployed change is served: %v", ev)
	}
	// With AutoDeploy, the stage gets the current configuration and every
	// later change.
	st := must(h.s.updateStage(h.ctx, &UpdateStageRequest{ApiId: &api, StageName: ptr("prod"), AutoDeploy: ptr(true)}))(t)
	if *st.DeploymentId == *dep.DeploymentId {
		t.Errorf("enabling AutoDeploy did not deploy")
	}
	if r := h.do(api, "GET", "/prod/w", nil, nil); r.status != 200 {
		t.Errorf("GET /prod/w after AutoDeploy: HTTP %d", r.status)
	}
	h.clock.Advance(time.Second)
	h.route(api, "GET /x", integ)
	if r := h.do(api, "GET", "/prod/x", nil, nil); r.status != 200 {
		t.Errorf("a new route on an auto-deploying stage: HTTP %d", r.status)
	}
	_, err = h.s.deleteDeployment(h.ctx, &DeleteDeploymentRequest{ApiId: &api, DeploymentId: must(h.s.getStage(h.ctx, &GetStageRequest{ApiId: &api, StageName: ptr("prod")}))(t).DeploymentId})
	wantErr(t, err, "BadRequestException", "Active stages pointing to this deployment must be moved or deleted")
	must(h.s.deleteDeployment(h.ctx, &DeleteDeploymentRequest{ApiId: &api, DeploymentId: dep.DeploymentId}))(t)
	_, err = h.s.getDeployment(h.ctx, &GetDeploymentRequest{ApiId: &api, DeploymentId: dep.DeploymentId})
	wantErr(t, err, "NotFoundException", "Invalid Deployment identifier")
	if n := len(must(h.s.getDeployments(h.ctx, &GetDeploymentsRequest{ApiId: &api}))(t).Items); n != 2 {
		t.Errorf("%d deployments left, want the two automatic ones", n)
	}
	// Pointing a stage at an older deployment serves it again.
	olds := must(h.s.getDeployments(h.ctx, &GetDeploymentsRequest{ApiId: &api}))(t).Items
	must(h.s.updateStage(h.ctx, &UpdateStageRequest{ApiId: &api, StageName: ptr("prod"), AutoDeploy: ptr(false), DeploymentId: olds[0].DeploymentId}))(t)
	if r := h.do(api, "GET", "/prod/x", nil, nil); r.status != 404 {
		t.Errorf("the older deployment has GET /x: HTTP %d", r.status)
	}
}

func TestHTTPAPIStages(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "")
	api := h.api(nil)
	st := must(h.s.createStage(h.ctx, &CreateStageRequest{ApiId: &api, StageName: ptr("dev"), Description: ptr("d"),
		Tags: map[string]string{"k": "v"}}))(t)
	if *st.StageName != "dev" || *st.AutoDeploy || st.DeploymentId != nil || *st.DefaultRouteSettings.DetailedMetricsEnabled ||
		st.Tags["k"] != "v" || st.StageVariables == nil {
		t.Errorf("CreateStage = %+v", st)
	}
	for _, tc := range []struct {
		in        *CreateStageRequest
		code, msg string
	}{
		{&CreateStageRequest{StageName: ptr("dev")}, "ConflictException", "Stage already exists"},
		{&CreateStageRequest{StageName: ptr("bad name")}, "BadRequestException", "Invalid stage name"},
		{&CreateStageRequest{StageName: ptr("v"), StageVariables: map[string]string{"a-b": "x"}}, "BadRequestException", "stage variable name"},
		{&CreateStageRequest{StageName: ptr("v"), StageVariables: map[string]string{"a": "x y"}}, "BadRequestException", "stage variable value"},
		{&CreateStageRequest{StageName: ptr("v"), DeploymentId: ptr("nope")}, "NotFoundException", "Invalid Deployment identifier"},
	} {
		tc.in.ApiId = &api
		_, err := h.s.createStage(h.ctx, tc.in)
		wantErr(t, err, tc.code, tc.msg)
	}
	up := must(h.s.updateStage(h.ctx, &UpdateStageRequest{ApiId: &api, StageName: ptr("dev"), StageVariables: map[string]string{"fn": "echo"}}))(t)
	if up.StageVariables["fn"] != "echo" || *up.Description != "d" {
		t.Errorf("UpdateStage = %+v", up)
	}
	must(h.s.deleteStage(h.ctx, &DeleteStageRequest{ApiId: &api, StageName: ptr("dev")}))(t)
	_, err := h.s.getStage(h.ctx, &GetStageRequest{ApiId: &api, StageName: ptr("dev")})
	wantErr(t, err, "NotFoundException", "Invalid stage identifier specified dev")
	_, err = h.s.resetAuthorizersCache(h.ctx, &ResetAuthorizersCacheRequest{ApiId: &api, StageName: ptr("dev")})
	wantErr(t, err, "NotFoundException", "Invalid stage identifier")
}

// TestStageVariablesInIntegrationURI checks that a stage's variables pick
// the function a Lambda integration invokes.
func TestHTTPAPIStageVariablesInIntegrationURI(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "")
	api := *must(h.s.createAPI(h.ctx, &CreateApiRequest{Name: ptr("sv"), ProtocolType: ptr(ProtocolType("HTTP"))}))(t).ApiId
	integ := h.lambdaIntegration(api, "arn:aws:lambda:us-east-1:000000000000:function:${stageVariables.fn}", "2.0")
	h.route(api, "GET /", integ)
	for _, st := range []string{"blue", "green"} {
		must(h.s.createStage(h.ctx, &CreateStageRequest{ApiId: &api, StageName: &st, AutoDeploy: ptr(true),
			StageVariables: map[string]string{"fn": st + "-fn"}}))(t)
		h.fns.answer("arn:aws:lambda:us-east-1:000000000000:function:"+st+"-fn", `"`+st+`"`)
	}
	for _, st := range []string{"blue", "green"} {
		if r := h.do(api, "GET", "/"+st+"/", nil, nil); r.status != 200 || r.body != st {
			t.Errorf("stage %s: HTTP %d %q", st, r.status, r.body)
		}
	}
}

// TestHTTPAPIStageRouteSettingsNameRoutes checks that a stage's
// RouteSettings may only name routes the API has, as API Gateway answers
// a setting for a missing (or since deleted) route with NotFoundException.
func TestHTTPAPIStageRouteSettingsNameRoutes(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "")
	api := h.api(nil)
	integ := h.lambdaIntegration(api, "arn:aws:lambda:us-east-1:000000000000:function:f", "2.0")
	route := h.route(api, "GET /items", integ)
	limit := RouteSettings{ThrottlingBurstLimit: ptr(int32(5))}
	_, err := h.s.createStage(h.ctx, &CreateStageRequest{ApiId: &api, StageName: ptr("dev"),
		RouteSettings: map[string]RouteSettings{"GET /nothere": limit}})
	wantErr(t, err, "NotFoundException", "Unable to find Route by key GET /nothere within the provided RouteSettings")
	st := must(h.s.createStage(h.ctx, &CreateStageRequest{ApiId: &api, StageName: ptr("dev"),
		RouteSettings: map[string]RouteSettings{"GET /items": limit}}))(t)
	if *st.RouteSettings["GET /items"].ThrottlingBurstLimit != 5 {
		t.Errorf("CreateStage RouteSettings = %+v", st.RouteSettings)
	}
	must(h.s.deleteRoute(h.ctx, &DeleteRouteRequest{ApiId: &api, RouteId: &route}))(t)
	_, err = h.s.updateStage(h.ctx, &UpdateStageRequest{ApiId: &api, StageName: ptr("dev"), Description: ptr("d"),
		RouteSettings: map[string]RouteSettings{"GET /items": limit}})
	wantErr(t, err, "NotFoundException", "Unable to find Route by key GET /items within the provided RouteSettings")
	if got := must(h.s.getStage(h.ctx, &GetStageRequest{ApiId: &api, StageName: ptr("dev")}))(t); got.Description != nil {
		t.Errorf("a refused UpdateStage changed the stage: %+v", got)
	}
}

// TestHTTPAPIDeleteRouteSettings checks DeleteRouteSettings, which takes a
// route's settings off a stage, including those of a route deleted since.
func TestHTTPAPIDeleteRouteSettings(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "")
	api := h.api(nil)
	integ := h.lambdaIntegration(api, "arn:aws:lambda:us-east-1:000000000000:function:f", "2.0")
	route := h.route(api, "GET /items", integ)
	h.route(api, "POST /items", integ)
	limit := RouteSettings{ThrottlingRateLimit: ptr(10.0)}
	must(h.s.createStage(h.ctx, &CreateStageRequest{ApiId: &api, StageName: ptr("dev"),
		RouteSettings: map[string]RouteSettings{"GET /items": limit, "POST /items": limit}}))(t)
	must(h.s.deleteRoute(h.ctx, &DeleteRouteRequest{ApiId: &api, RouteId: &route}))(t)
	must(h.s.deleteRouteSettings(h.ctx, &DeleteRouteSettingsRequest{ApiId: &api, StageName: ptr("dev"), RouteKey: ptr("GET /items")}))(t)
	st := must(h.s.getStage(h.ctx, &GetStageRequest{ApiId: &api, StageName: ptr("dev")}))(t)
	if _, ok := st.RouteSettings["GET /items"]; ok || len(st.RouteSettings) != 1 {
		t.Errorf("RouteSettings after DeleteRouteSettings = %v", st.RouteSettings)
	}
	_, err := h.s.deleteRouteSettings(h.ctx, &DeleteRouteSettingsRequest{ApiId: &api, StageName: ptr("dev"), RouteKey: ptr("GET /items")})
	wantErr(t, err, "NotFoundException", "Unable to find Route by key GET /items")
	_, err = h.s.deleteRouteSettings(h.ctx, &DeleteRouteSettingsRequest{ApiId: &api, StageName: ptr("nope"), RouteKey: ptr("POST /items")})
	wantErr(t, err, "NotFoundException", "Invalid stage identifier specified nope")
}
