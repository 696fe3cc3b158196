package apigateway

import (
	"maps"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var (
	longIDRe  = regexp.MustCompile(`^[a-z0-9]{10}$`)
	shortIDRe = regexp.MustCompile(`^[a-z0-9]{6}$`)
)

func TestRestAPILifecycle(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := must[*RestApi](t)(e.s.createRestAPI(ctx, &CreateRestApiRequest{Name: ptr("shop"), Description: ptr("d"),
		BinaryMediaTypes: []string{"image/png"}, Tags: map[string]string{"team": "a"}}))
	if !longIDRe.MatchString(*a.Id) || !longIDRe.MatchString(*a.RootResourceId) || *a.ApiKeySource != "HEADER" ||
		!slices.Equal(a.EndpointConfiguration.Types, []EndpointType{"EDGE"}) || !a.CreatedDate.Equal(testEpoch.Truncate(1e9)) ||
		*a.DisableExecuteApiEndpoint || a.Tags["team"] != "a" {
		t.Fatalf("created %+v", a)
	}
	_, err := e.s.createRestAPI(ctx, &CreateRestApiRequest{Name: ptr("x"), Description: ptr("")})
	wantErr(t, err, "BadRequestException", msgDescriptionEmpty)
	_, err = e.s.getRestAPI(ctx, &GetRestApiRequest{RestApiId: ptr("nope")})
	wantErr(t, err, "NotFoundException", "Invalid API identifier specified 000000000000:nope")

	for i := range 3 {
		must[*RestApi](t)(e.s.createRestAPI(ctx, &CreateRestApiRequest{Name: ptr("more" + string(rune('a'+i)))}))
	}
	var seen []string
	var pos *string
	for {
		p := must[*RestApis](t)(e.s.getRestAPIs(ctx, &GetRestApisRequest{Limit: ptr(int32(3)), Position: pos}))
		for _, x := range p.Items {
			seen = append(seen, *x.Id)
		}
		if pos = p.Position; pos == nil {
			break
		}
	}
	if len(seen) != 4 || !slices.IsSorted(seen) {
		t.Errorf("paged through %q", seen)
	}

	up := must[*RestApi](t)(e.s.updateRestAPI(ctx, &UpdateRestApiRequest{RestApiId: a.Id, PatchOperations: []PatchOperation{
		{Op: ptr(Op("replace")), Path: ptr("/name"), Value: ptr("shop2")},
		{Op: ptr(Op("add")), Path: ptr("/binaryMediaTypes/image~1gif")},
	}}))
	if *up.Name != "shop2" || !slices.Equal(up.BinaryMediaTypes, []string{"image/png", "image/gif"}) {
		t.Errorf("updated %+v", up)
	}

	// Everything survives a restart: the definition, deployments, stages.
	e.s.putMethod(ctx, &PutMethodRequest{RestApiId: a.Id, ResourceId: a.RootResourceId, HttpMethod: ptr("GET"), AuthorizationType: ptr("NONE")})
	must[*Integration](t)(e.s.putIntegration(ctx, &PutIntegrationRequest{RestApiId: a.Id, ResourceId: a.RootResourceId, HttpMethod: ptr("GET"), Type: ptr(IntegrationType("MOCK"))}))
	must[*IntegrationResponse](t)(e.s.putIntegrationResponse(ctx, &PutIntegrationResponseRequest{RestApiId: a.Id, ResourceId: a.RootResourceId,
		HttpMethod: ptr("GET"), StatusCode: ptr("200")}))
	e.deploy(*a.Id, "prod", map[string]string{"v": "1"})
	s2 := e.restart()
	got := must[*RestApi](t)(s2.getRestAPI(ctx, &GetRestApiRequest{RestApiId: a.Id}))
	if *got.Name != "shop2" || *got.RootResourceId != *a.RootResourceId {
		t.Errorf("after restart %+v", got)
	}
	st := must[*Stage](t)(s2.getStage(ctx, &GetStageRequest{RestApiId: a.Id, StageName: ptr("prod")}))
	if st.Variables["v"] != "1" {
		t.Errorf("stage after restart %+v", st)
	}
	if r := (&env{t: t, s: s2}).call(*a.Id, "GET", "/prod", "", nil); r.status != 200 {
		t.Errorf("data plane after restart: %d %s", r.status, r.body)
	}

	must[*noOutput](t)(s2.deleteRestAPI(ctx, &DeleteRestApiRequest{RestApiId: a.Id}))
	_, err = s2.deleteRestAPI(ctx, &DeleteRestApiRequest{RestApiId: a.Id})
	wantErr(t, err, "NotFoundException", "")
	if s2.Handler(*a.Id) != nil {
		t.Error("a deleted API still has a data plane")
	}
	if s3 := e.restart(); len(s3.apis) != 3 {
		t.Errorf("%d APIs after deleting one of four", len(s3.apis))
	}
}

func TestRestAPIResources(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := must[*RestApi](t)(e.s.createRestAPI(ctx, &CreateRestApiRequest{Name: ptr("r")}))
	create := func(parent, part string) (*Resource, error) {
		return e.s.createResource(ctx, &CreateResourceRequest{RestApiId: a.Id, ParentId: &parent, PathPart: &part})
	}
	users := must[*Resource](t)(create(*a.RootResourceId, "users"))
	if !shortIDRe.MatchString(*users.Id) || *users.Path != "/users" || *users.ParentId != *a.RootResourceId {
		t.Fatalf("created %+v", users)
	}
	id := must[*Resource](t)(create(*users.Id, "{id}"))
	must[*Resource](t)(create(*id.Id, "orders"))
	_, err := create(*users.Id, "users2")
	if err != nil {
		t.Fatal(err)
	}
	_, err = create(*a.RootResourceId, "users")
	wantErr(t, err, "ConflictException", "Another resource with the same parent already has this name: users")
	_, err = create(*users.Id, "{name}")
	wantErr(t, err, "BadRequestException", "A sibling ({id}) of this resource already has a variable path part -- only one is allowed")
	_, err = create(*users.Id, "{proxy+}")
	wantErr(t, err, "BadRequestException", "A sibling ({id}) of this resource already has a variable path part -- only one is allowed")
	for _, bad := range []string{"a b", "{a", "a}", "{a}b", "", "{+}", "a/b"} {
		_, err = create(*users.Id, bad)
		wantErr(t, err, "BadRequestException", msgInvalidPathPart)
	}
	proxy := must[*Resource](t)(create(*a.RootResourceId, "{proxy+}"))
	_, err = create(*proxy.Id, "x")
	wantErr(t, err, "BadRequestException", "")
	_, err = create("nope", "x")
	wantErr(t, err, "NotFoundException", msgResourceNotFound)

	// Methods are listed as empty objects unless embedded.
	e.s.putMethod(ctx, &PutMethodRequest{RestApiId: a.Id, ResourceId: users.Id, HttpMethod: ptr("GET"), AuthorizationType: ptr("NONE")})
	r := must[*Resource](t)(e.s.getResource(ctx, &GetResourceRequest{RestApiId: a.Id, ResourceId: users.Id}))
	if m, ok := r.ResourceMethods["GET"]; !ok || m.HttpMethod != nil {
		t.Errorf("without embed: %+v", r.ResourceMethods)
	}
	r = must[*Resource](t)(e.s.getResource(ctx, &GetResourceRequest{RestApiId: a.Id, ResourceId: users.Id, Embed: []string{"methods"}}))
	if m := r.ResourceMethods["GET"]; m.HttpMethod == nil || *m.AuthorizationType != "NONE" {
		t.Errorf("with embed: %+v", r.ResourceMethods)
	}

	moved := must[*Resource](t)(e.s.updateResource(ctx, &UpdateResourceRequest{RestApiId: a.Id, ResourceId: users.Id,
		PatchOperations: []PatchOperation{{Op: ptr(Op("replace")), Path: ptr("/pathPart"), Value: ptr("people")}}}))
	if *moved.Path != "/people" {
		t.Errorf("renamed %+v", moved)
	}
	orders := must[*Resources](t)(e.s.getResources(ctx, &GetResourcesRequest{RestApiId: a.Id}))
	var paths []string
	for _, x := range orders.Items {
		paths = append(paths, *x.Path)
	}
	if want := []string{"/", "/people", "/people/users2", "/people/{id}", "/people/{id}/orders", "/{proxy+}"}; !slices.Equal(paths, want) {
		t.Errorf("paths %q, want %q", paths, want)
	}

	_, err = e.s.deleteResource(ctx, &DeleteResourceRequest{RestApiId: a.Id, ResourceId: a.RootResourceId})
	wantErr(t, err, "BadRequestException", "")
	must[*noOutput](t)(e.s.deleteResource(ctx, &DeleteResourceRequest{RestApiId: a.Id, ResourceId: users.Id}))
	left := must[*Resources](t)(e.s.getResources(ctx, &GetResourcesRequest{RestApiId: a.Id}))
	if len(left.Items) != 2 {
		t.Errorf("deleting /people left %d resources", len(left.Items))
	}
}

func TestRestAPIMethodsIntegrationsAndAuthorizers(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := must[*RestApi](t)(e.s.createRestAPI(ctx, &CreateRestApiRequest{Name: ptr("m")}))
	root := a.RootResourceId
	put := func(verb, auth string, authorizerID *string) (*Method, error) {
		return e.s.putMethod(ctx, &PutMethodRequest{RestApiId: a.Id, ResourceId: root, HttpMethod: &verb, AuthorizationType: &auth, AuthorizerId: authorizerID})
	}
	m := must[*Method](t)(put("GET", "NONE", nil))
	if *m.HttpMethod != "GET" || *m.ApiKeyRequired || m.MethodIntegration != nil {
		t.Errorf("put %+v", m)
	}
	_, err := put("GET", "NONE", nil)
	wantErr(t, err, "ConflictException", msgMethodExists)
	_, err = put("FETCH", "NONE", nil)
	wantErr(t, err, "BadRequestException", msgInvalidHTTPMethod)
	_, err = put("POST", "CUSTOM", nil)
	wantErr(t, err, "BadRequestException", msgInvalidAuthorizerForCustom)
	_, err = e.s.getMethod(ctx, &GetMethodRequest{RestApiId: a.Id, ResourceId: root, HttpMethod: ptr("PUT")})
	wantErr(t, err, "NotFoundException", msgMethodNotFound)

	au := must[*Authorizer](t)(e.s.createAuthorizer(ctx, &CreateAuthorizerRequest{RestApiId: a.Id, Name: ptr("tok"),
		Type: ptr(AuthorizerType("TOKEN")), AuthorizerUri: ptr(testURI), IdentitySource: ptr("method.request.header.Authorization")}))
	if !shortIDRe.MatchString(*au.Id) || *au.AuthorizerResultTtlInSeconds != 300 {
		t.Errorf("authorizer %+v", au)
	}
	_, err = e.s.createAuthorizer(ctx, &CreateAuthorizerRequest{RestApiId: a.Id, Name: ptr("x"), Type: ptr(AuthorizerType("TOKEN")), AuthorizerUri: ptr(testURI)})
	wantErr(t, err, "BadRequestException", msgIdentitySourceRequired)
	_, err = e.s.createAuthorizer(ctx, &CreateAuthorizerRequest{RestApiId: a.Id, Name: ptr("x"), Type: ptr(AuthorizerType("REQUEST")), AuthorizerUri: ptr(testURI)})
	wantErr(t, err, "BadRequestException", msgIdentitySourceForCaching)
	must[*Authorizer](t)(e.s.createAuthorizer(ctx, &CreateAuthorizerRequest{RestApiId: a.Id, Name: ptr("req"), Type: ptr(AuthorizerType("REQUEST")),
		AuthorizerUri: ptr(testURI), AuthorizerResultTtlInSeconds: ptr(int32(0))}))
	custom := must[*Method](t)(put("POST", "CUSTOM", au.Id))
	if *custom.AuthorizerId != *au.Id {
		t.Errorf("custom %+v", custom)
	}
	_, err = e.s.deleteAuthorizer(ctx, &DeleteAuthorizerRequest{RestApiId: a.Id, AuthorizerId: au.Id})
	wantErr(t, err, "ConflictException", "Cannot delete authorizer 'tok', is referenced in method: POST:/")
	_, err = e.s.getAuthorizer(ctx, &GetAuthorizerRequest{RestApiId: a.Id, AuthorizerId: ptr("nope")})
	wantErr(t, err, "NotFoundException", msgAuthorizerNotFound)

	integ := func(in *PutIntegrationRequest) (*Integration, error) {
		in.RestApiId, in.ResourceId, in.HttpMethod = a.Id, root, ptr("GET")
		return e.s.putIntegration(ctx, in)
	}
	_, err = integ(&PutIntegrationRequest{Type: ptr(IntegrationType("AWS_PROXY")), Uri: ptr(testURI)})
	wantErr(t, err, "BadRequestException", msgIntegrationHTTPMethod)
	_, err = integ(&PutIntegrationRequest{Type: ptr(IntegrationType("AWS_PROXY")), IntegrationHttpMethod: ptr("POST"), Uri: ptr("arn:aws:apigateway:us-east-1:s3:path/b")})
	wantErr(t, err, "BadRequestException", msgAWSProxyOnlyLambda)
	_, err = integ(&PutIntegrationRequest{Type: ptr(IntegrationType("AWS_PROXY")), IntegrationHttpMethod: ptr("POST"), Uri: ptr(testURI), TimeoutInMillis: ptr(int32(30000))})
	wantErr(t, err, "BadRequestException", msgInvalidTimeout)
	ig := must[*Integration](t)(integ(&PutIntegrationRequest{Type: ptr(IntegrationType("AWS_PROXY")), IntegrationHttpMethod: ptr("POST"), Uri: ptr(testURI)}))
	if *ig.TimeoutInMillis != 29000 || *ig.PassthroughBehavior != "WHEN_NO_MATCH" || *ig.CacheNamespace != *root || ig.CacheKeyParameters == nil {
		t.Errorf("integration %+v", ig)
	}
	_, err = e.s.getIntegration(ctx, &GetIntegrationRequest{RestApiId: a.Id, ResourceId: root, HttpMethod: ptr("POST")})
	wantErr(t, err, "NotFoundException", msgIntegrationNotFound)

	must[*MethodResponse](t)(e.s.putMethodResponse(ctx, &PutMethodResponseRequest{RestApiId: a.Id, ResourceId: root, HttpMethod: ptr("GET"), StatusCode: ptr("200")}))
	must[*IntegrationResponse](t)(e.s.putIntegrationResponse(ctx, &PutIntegrationResponseRequest{RestApiId: a.Id, ResourceId: root, HttpMethod: ptr("GET"),
		StatusCode: ptr("200"), ResponseTemplates: map[string]string{"application/json": ""}}))
	full := must[*Method](t)(e.s.getMethod(ctx, &GetMethodRequest{RestApiId: a.Id, ResourceId: root, HttpMethod: ptr("GET")}))
	if full.MethodResponses["200"].StatusCode == nil || full.MethodIntegration.IntegrationResponses["200"].StatusCode == nil {
		t.Errorf("method %+v", full)
	}
	_, err = e.s.getMethodResponse(ctx, &GetMethodResponseRequest{RestApiId: a.Id, ResourceId: root, HttpMethod: ptr("GET"), StatusCode: ptr("404")})
	wantErr(t, err, "NotFoundException", msgResponseNotFound)

	upd := must[*Method](t)(e.s.updateMethod(ctx, &UpdateMethodRequest{RestApiId: a.Id, ResourceId: root, HttpMethod: ptr("GET"), PatchOperations: []PatchOperation{
		{Op: ptr(Op("replace")), Path: ptr("/apiKeyRequired"), Value: ptr("true")},
		{Op: ptr(Op("add")), Path: ptr("/requestParameters/method.request.header.X-Id"), Value: ptr("true")},
	}}))
	if !*upd.ApiKeyRequired || !upd.RequestParameters["method.request.header.X-Id"] {
		t.Errorf("updated method %+v", upd)
	}
	ui := must[*Integration](t)(e.s.updateIntegration(ctx, &UpdateIntegrationRequest{RestApiId: a.Id, ResourceId: root, HttpMethod: ptr("GET"), PatchOperations: []PatchOperation{
		{Op: ptr(Op("replace")), Path: ptr("/timeoutInMillis"), Value: ptr("1000")},
	}}))
	if *ui.TimeoutInMillis != 1000 {
		t.Errorf("updated integration %+v", ui)
	}
}

func TestRestAPIDeploymentsAndStages(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := must[*RestApi](t)(e.s.createRestAPI(ctx, &CreateRestApiRequest{Name: ptr("d")}))
	_, err := e.s.createDeployment(ctx, &CreateDeploymentRequest{RestApiId: a.Id})
	wantErr(t, err, "BadRequestException", msgNoMethods)
	must[*Method](t)(e.s.putMethod(ctx, &PutMethodRequest{RestApiId: a.Id, ResourceId: a.RootResourceId, HttpMethod: ptr("GET"), AuthorizationType: ptr("NONE")}))
	_, err = e.s.createDeployment(ctx, &CreateDeploymentRequest{RestApiId: a.Id})
	wantErr(t, err, "BadRequestException", msgNoIntegration)
	mockIntegration := &PutIntegrationRequest{RestApiId: a.Id, ResourceId: a.RootResourceId, HttpMethod: ptr("GET"), Type: ptr(IntegrationType("MOCK")),
		RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`}}
	must[*Integration](t)(e.s.putIntegration(ctx, mockIntegration))
	must[*IntegrationResponse](t)(e.s.putIntegrationResponse(ctx, &PutIntegrationResponseRequest{RestApiId: a.Id, ResourceId: a.RootResourceId,
		HttpMethod: ptr("GET"), StatusCode: ptr("200"), ResponseTemplates: map[string]string{"application/json": `{"v":1}`}}))
	d1 := must[*Deployment](t)(e.s.createDeployment(ctx, &CreateDeploymentRequest{RestApiId: a.Id, Description: ptr("first")}))
	if !shortIDRe.MatchString(*d1.Id) || *d1.Description != "first" {
		t.Errorf("deployment %+v", d1)
	}
	_, err = e.s.createStage(ctx, &CreateStageRequest{RestApiId: a.Id, StageName: ptr("prod"), DeploymentId: ptr("nope")})
	wantErr(t, err, "NotFoundException", msgDeploymentNotFound)
	_, err = e.s.createStage(ctx, &CreateStageRequest{RestApiId: a.Id, StageName: ptr("bad name"), DeploymentId: d1.Id})
	wantErr(t, err, "BadRequestException", msgInvalidStageName)
	st := must[*Stage](t)(e.s.createStage(ctx, &CreateStageRequest{RestApiId: a.Id, StageName: ptr("prod"), DeploymentId: d1.Id,
		Variables: map[string]string{"a": "1"}}))
	if *st.CacheClusterStatus != "NOT_AVAILABLE" || *st.TracingEnabled || st.MethodSettings == nil || st.Variables["a"] != "1" {
		t.Errorf("stage %+v", st)
	}
	_, err = e.s.createStage(ctx, &CreateStageRequest{RestApiId: a.Id, StageName: ptr("prod"), DeploymentId: d1.Id})
	wantErr(t, err, "ConflictException", msgStageExists)

	// A stage serves its deployment's snapshot, not the live definition.
	e.call(*a.Id, "GET", "/prod", "", nil).want(t, 200, `{"v":1}`)
	must[*IntegrationResponse](t)(e.s.putIntegrationResponse(ctx, &PutIntegrationResponseRequest{RestApiId: a.Id, ResourceId: a.RootResourceId,
		HttpMethod: ptr("GET"), StatusCode: ptr("200"), ResponseTemplates: map[string]string{"application/json": `{"v":2}`}}))
	e.call(*a.Id, "GET", "/prod", "", nil).want(t, 200, `{"v":1}`)
	d2 := must[*Deployment](t)(e.s.createDeployment(ctx, &CreateDeploymentRequest{RestApiId: a.Id, StageName: ptr("prod")}))
	e.call(*a.Id, "GET", "/prod", "", nil).want(t, 200, `{"v":2}`)
	if got := must[*Stage](t)(e.s.getStage(ctx, &GetStageRequest{RestApiId: a.Id, StageName: ptr("prod")})); *got.DeploymentId != *d2.Id || got.Variables["a"] != "1" {
		t.Errorf("redeployed stage %+v", got)
	}
	summary := must[*Deployment](t)(e.s.getDeployment(ctx, &GetDeploymentRequest{RestApiId: a.Id, DeploymentId: d2.Id, Embed: []string{"apisummary"}}))
	if *summary.ApiSummary["/"]["GET"].AuthorizationType != "NONE" {
		t.Errorf("summary %+v", summary.ApiSummary)
	}

	// Rolling back is pointing the stage at the old deployment.
	must[*Stage](t)(e.s.updateStage(ctx, &UpdateStageRequest{RestApiId: a.Id, StageName: ptr("prod"), PatchOperations: []PatchOperation{
		{Op: ptr(Op("replace")), Path: ptr("/deploymentId"), Value: d1.Id},
	}}))
	e.call(*a.Id, "GET", "/prod", "", nil).want(t, 200, `{"v":1}`)
	// A path the stage has no member at is refused with the list of the
	// paths it has, in AWS's words.
	for _, p := range []string{"/bogus", "/*/*/bogus/setting"} {
		_, err = e.s.updateStage(ctx, &UpdateStageRequest{RestApiId: a.Id, StageName: ptr("prod"), PatchOperations: []PatchOperation{
			{Op: ptr(Op("replace")), Path: ptr(p), Value: ptr("x")},
		}})
		wantErr(t, err, "BadRequestException", "Invalid method setting path: "+p+". Must be one of: "+stagePathList)
		if !strings.HasPrefix(stagePathList, "[/deploymentId, /description, /cacheClusterEnabled, ") {
			t.Errorf("path list %s", stagePathList)
		}
	}
	_, err = e.s.deleteDeployment(ctx, &DeleteDeploymentRequest{RestApiId: a.Id, DeploymentId: d1.Id})
	wantErr(t, err, "BadRequestException", msgDeploymentInUse)
	must[*noOutput](t)(e.s.deleteDeployment(ctx, &DeleteDeploymentRequest{RestApiId: a.Id, DeploymentId: d2.Id}))
	deps := must[*Deployments](t)(e.s.getDeployments(ctx, &GetDeploymentsRequest{RestApiId: a.Id}))
	if len(deps.Items) != 1 {
		t.Errorf("deployments %+v", deps.Items)
	}
	stages := must[*Stages](t)(e.s.getStages(ctx, &GetStagesRequest{RestApiId: a.Id}))
	if len(stages.Item) != 1 {
		t.Errorf("stages %+v", stages.Item)
	}
	must[*noOutput](t)(e.s.deleteStage(ctx, &DeleteStageRequest{RestApiId: a.Id, StageName: ptr("prod")}))
	_, err = e.s.getStage(ctx, &GetStageRequest{RestApiId: a.Id, StageName: ptr("prod")})
	wantErr(t, err, "NotFoundException", msgStageNotFound)
	e.call(*a.Id, "GET", "/prod", "", nil).want(t, 403, `{"message":"Forbidden"}`)
}

func TestRestAPITags(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.api(map[string]map[string]*integration{"/": {"GET": {Type: "MOCK"}}})
	e.deploy(a, "prod", nil)
	apiARN := "arn:aws:apigateway:us-east-1::/restapis/" + a
	stageARN := apiARN + "/stages/prod"
	for _, arn := range []string{apiARN, stageARN} {
		must[*noOutput](t)(e.s.tagResource(ctx, &TagResourceRequest{ResourceArn: ptr(arn), Tags: map[string]string{"a": "1", "b": "2"}}))
		must[*noOutput](t)(e.s.untagResource(ctx, &UntagResourceRequest{ResourceArn: ptr(arn), TagKeys: []string{"a"}}))
		got := must[*Tags](t)(e.s.getTags(ctx, &GetTagsRequest{ResourceArn: ptr(arn)}))
		if len(got.Tags) != 1 || got.Tags["b"] != "2" {
			t.Errorf("%s: tags %v", arn, got.Tags)
		}
	}
	_, err := e.s.getTags(ctx, &GetTagsRequest{ResourceArn: ptr("arn:aws:apigateway:us-east-1::/restapis/nope")})
	wantErr(t, err, "NotFoundException", "")
	_, err = e.s.getTags(ctx, &GetTagsRequest{ResourceArn: ptr("arn:aws:s3:::bucket")})
	wantErr(t, err, "BadRequestException", msgInvalidARN)
}

// TestRestAPIResourceTreeModel runs random CreateResource and
// DeleteResource calls against a plain set of paths and checks that the
// API's resources are always exactly the model's, that each call fails
// exactly when the model says AWS refuses it, and that a restart keeps
// the tree.
func TestRestAPIResourceTreeModel(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := must[*RestApi](t)(e.s.createRestAPI(ctx, &CreateRestApiRequest{Name: ptr("model")}))
	rng := rand.New(rand.NewPCG(1, 2))
	model := map[string]bool{"/": true}
	parts := []string{"a", "b", "{x}", "{y}", "{p+}"}
	join := func(parent, part string) string { return strings.TrimSuffix(parent, "/") + "/" + part }
	idOf := func(path string) string {
		return e.s.apis[*a.Id].def.resourceAt(path).ID
	}
	for step := range 300 {
		paths := slices.Sorted(maps.Keys(model))
		path := paths[rng.IntN(len(paths))]
		if rng.IntN(4) == 0 && path != "/" {
			must[*noOutput](t)(e.s.deleteResource(ctx, &DeleteResourceRequest{RestApiId: a.Id, ResourceId: ptr(idOf(path))}))
			for p := range model {
				if p == path || strings.HasPrefix(p, path+"/") {
					delete(model, p)
				}
			}
		} else {
			part := parts[rng.IntN(len(parts))]
			ok := !isGreedy(path[strings.LastIndex(path, "/")+1:])
			for p := range model {
				if sibling, found := strings.CutPrefix(p, join(path, "")); found && !strings.Contains(sibling, "/") && sibling != "" {
					if sibling == part || (isVariable(sibling) && isVariable(part)) {
						ok = false
					}
				}
			}
			_, err := e.s.createResource(ctx, &CreateResourceRequest{RestApiId: a.Id, ParentId: ptr(idOf(path)), PathPart: &part})
			if (err == nil) != ok {
				t.Fatalf("step %d: create %s under %s: %v, want success %v", step, part, path, err, ok)
			}
			if ok {
				model[join(path, part)] = true
			}
		}
		var got []string
		for _, r := range must[*Resources](t)(e.s.getResources(ctx, &GetResourcesRequest{RestApiId: a.Id, Limit: ptr(int32(500))})).Items {
			got = append(got, *r.Path)
		}
		if want := slices.Sorted(maps.Keys(model)); !slices.Equal(got, want) {
			t.Fatalf("step %d: resources %q, model %q", step, got, want)
		}
	}
	s2 := e.restart()
	if got := len(s2.apis[*a.Id].def.Resources); got != len(model) {
		t.Errorf("%d resources after a restart, model has %d", got, len(model))
	}
}

// TestRestAPICloneFrom checks that CreateRestApi's cloneFrom copies the
// resources, methods and authorizers under new identifiers.
func TestRestAPICloneFrom(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	src := must[*RestApi](t)(e.s.importRestAPI(ctx, &ImportRestApiRequest{Body: []byte(petstoreV3)}))
	c := must[*RestApi](t)(e.s.createRestAPI(ctx, &CreateRestApiRequest{Name: ptr("copy"), CloneFrom: src.Id}))
	a, b := e.s.apis[*src.Id].def, e.s.apis[*c.Id].def
	if len(a.Resources) != len(b.Resources) || len(b.Authorizers) != 1 || !slices.Equal(a.BinaryMediaTypes, b.BinaryMediaTypes) {
		t.Fatalf("clone has %d resources, %d authorizers", len(b.Resources), len(b.Authorizers))
	}
	for _, r := range b.Resources {
		if a.Resources[r.ID] != nil {
			t.Errorf("resource id %s reused", r.ID)
		}
		for _, m := range r.Methods {
			if m.AuthorizerID != "" && b.Authorizers[m.AuthorizerID] == nil {
				t.Errorf("method %s of %s names authorizer %s, which the clone lacks", m.HTTPMethod, b.path(r), m.AuthorizerID)
			}
		}
	}
	if got := b.resourceAt("/pets/{id}"); got == nil || got.Methods["GET"].Integration.CacheNamespace != got.ID {
		t.Errorf("cloned /pets/{id}: %+v", got)
	}
	_, err := e.s.createRestAPI(ctx, &CreateRestApiRequest{Name: ptr("x"), CloneFrom: ptr("nope")})
	wantErr(t, err, "NotFoundException", "")
}
