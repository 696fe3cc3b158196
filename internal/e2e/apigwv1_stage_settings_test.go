package e2e_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	agtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/virga/virga/internal/e2e"
)

// TestAPIGWv1StageMethodSettingDefaults: GetStage and UpdateStage show a
// method setting whole, what was never set at API Gateway's defaults
// (the logging level only once set), as aws apigateway update-stage's
// documented answer shows it.
func TestAPIGWv1StageMethodSettingDefaults(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	c := apigateway.NewFromConfig(env.Config)
	api, err := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("settings")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: api.RootResourceId, HttpMethod: aws.String("GET"),
		AuthorizationType: aws.String("NONE")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: api.Id, ResourceId: api.RootResourceId, HttpMethod: aws.String("GET"),
		Type: agtypes.IntegrationTypeMock}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("dev")}); err != nil {
		t.Fatal(err)
	}
	up, err := c.UpdateStage(ctx, &apigateway.UpdateStageInput{RestApiId: api.Id, StageName: aws.String("dev"), PatchOperations: []agtypes.PatchOperation{
		{Op: agtypes.OpReplace, Path: aws.String("/*/*/metrics/enabled"), Value: aws.String("true")},
		{Op: agtypes.OpReplace, Path: aws.String("/~1/GET/throttling/burstLimit"), Value: aws.String("7")}}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.GetStage(ctx, &apigateway.GetStageInput{RestApiId: api.Id, StageName: aws.String("dev")})
	if err != nil {
		t.Fatal(err)
	}
	for _, settings := range []map[string]agtypes.MethodSetting{up.MethodSettings, got.MethodSettings} {
		all := settings["*/*"]
		if !all.MetricsEnabled || all.DataTraceEnabled || all.CachingEnabled || all.CacheDataEncrypted || !all.RequireAuthorizationForCacheControl ||
			all.ThrottlingBurstLimit != 5000 || all.ThrottlingRateLimit != 10000 || all.CacheTtlInSeconds != 300 ||
			all.UnauthorizedCacheControlHeaderStrategy != agtypes.UnauthorizedCacheControlHeaderStrategySucceedWithResponseHeader ||
			all.LoggingLevel != nil {
			t.Errorf("*/*: %+v", all)
		}
		// The root GET's setting is keyed as its patch path writes it,
		// the root's "/" escaped: "~1/GET".
		one, found := settings["~1/GET"]
		if one.ThrottlingBurstLimit != 7 || one.MetricsEnabled || one.ThrottlingRateLimit != 10000 || one.CacheTtlInSeconds != 300 {
			t.Errorf("~1/GET: %+v", one)
		}
		if !found || len(settings) != 2 {
			t.Errorf("method settings: %+v", settings)
		}
	}
}

// TestAPIGWv1StageMethodSettingKeysCLI: aws apigateway update-stage's
// example patches /~1resourceName/GET/logging/dataTrace and answers the
// setting keyed "~1resourceName/GET"; removing that method path removes
// it, and removing it again is refused.
func TestAPIGWv1StageMethodSettingKeysCLI(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	e2e.RequireTool(t, e2e.AWSCLI)
	ctx := context.Background()
	c := apigateway.NewFromConfig(env.Config)
	api, err := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("keys")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: api.RootResourceId, HttpMethod: aws.String("GET"),
		AuthorizationType: aws.String("NONE")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: api.Id, ResourceId: api.RootResourceId, HttpMethod: aws.String("GET"),
		Type: agtypes.IntegrationTypeMock}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("dev")}); err != nil {
		t.Fatal(err)
	}
	r := env.CLI(t, "apigateway", "update-stage", "--rest-api-id", *api.Id, "--stage-name", "dev",
		"--patch-operations", "op=replace,path=/~1resourceName/GET/logging/dataTrace,value=false")
	var st struct {
		MethodSettings map[string]struct{ DataTraceEnabled bool }
	}
	if r.ExitCode != 0 || json.Unmarshal([]byte(r.Stdout), &st) != nil {
		t.Fatalf("update-stage: %+v", r)
	}
	if _, ok := st.MethodSettings["~1resourceName/GET"]; !ok || len(st.MethodSettings) != 1 {
		t.Fatalf("method settings: %+v", st.MethodSettings)
	}
	r = env.CLI(t, "apigateway", "update-stage", "--rest-api-id", *api.Id, "--stage-name", "dev",
		"--patch-operations", "op=remove,path=/~1resourceName/GET")
	st.MethodSettings = nil
	if r.ExitCode != 0 || json.Unmarshal([]byte(r.Stdout), &st) != nil || len(st.MethodSettings) != 0 {
		t.Fatalf("remove: %+v", r)
	}
	r = env.CLI(t, "apigateway", "update-stage", "--rest-api-id", *api.Id, "--stage-name", "dev",
		"--patch-operations", "op=remove,path=/~1resourceName/GET")
	if r.ExitCode == 0 || !strings.Contains(r.Stderr, "BadRequestException") ||
		!strings.Contains(r.Stderr, "Cannot remove method setting ~1resourceName/GET because there is no method setting for this method") {
		t.Fatalf("remove again: %+v", r)
	}
}
