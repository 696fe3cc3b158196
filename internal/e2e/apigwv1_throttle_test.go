package e2e_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	agtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/virga/virga/internal/app"
	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/config"
	"github.com/virga/virga/internal/e2e"
)

// throttledAPI builds a REST API with two MOCK methods answering 200
// "ok", GET /items, which requires an API key, and GET /open, deploys
// it to the stage prod, and returns its id.
func throttledAPI(t *testing.T, c *apigateway.Client) string {
	t.Helper()
	ctx := context.Background()
	api, err := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("throttled")})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []struct {
		path string
		key  bool
	}{{"items", true}, {"open", false}} {
		res, err := c.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: api.Id, ParentId: api.RootResourceId, PathPart: aws.String(m.path)})
		if err != nil {
			t.Fatal(err)
		}
		get := aws.String("GET")
		if _, err := c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: get,
			AuthorizationType: aws.String("NONE"), ApiKeyRequired: m.key}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: get,
			Type: agtypes.IntegrationTypeMock, RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`}}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.PutMethodResponse(ctx, &apigateway.PutMethodResponseInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: get, StatusCode: aws.String("200")}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.PutIntegrationResponse(ctx, &apigateway.PutIntegrationResponseInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: get,
			StatusCode: aws.String("200"), ResponseTemplates: map[string]string{"application/json": "ok"}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("prod")}); err != nil {
		t.Fatal(err)
	}
	return *api.Id
}

// keyedPlan makes an API key and a usage plan for the API's stage prod
// with the given throttle and quota, and returns the key's id and value
// and the plan's id.
func keyedPlan(t *testing.T, c *apigateway.Client, apiID string, throttle *agtypes.ThrottleSettings, quota *agtypes.QuotaSettings) (string, string, string) {
	t.Helper()
	ctx := context.Background()
	key, err := c.CreateApiKey(ctx, &apigateway.CreateApiKeyInput{Name: aws.String("client"), Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	plan, err := c.CreateUsagePlan(ctx, &apigateway.CreateUsagePlanInput{Name: aws.String("plan"),
		ApiStages: []agtypes.ApiStage{{ApiId: &apiID, Stage: aws.String("prod")}}, Throttle: throttle, Quota: quota})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateUsagePlanKey(ctx, &apigateway.CreateUsagePlanKeyInput{UsagePlanId: plan.Id, KeyId: key.Id, KeyType: aws.String("API_KEY")}); err != nil {
		t.Fatal(err)
	}
	return *key.Id, *key.Value, *plan.Id
}

func wantThrottled(t *testing.T, r apigwv1Response, body, errorType string) {
	t.Helper()
	r.want(t, 429, body)
	if got := r.Header.Get("X-Amzn-Errortype"); got != errorType {
		t.Errorf("x-amzn-ErrorType = %q, want %q", got, errorType)
	}
	if r.Header.Get("X-Amzn-Requestid") == "" {
		t.Error("no x-amzn-RequestId")
	}
}

const (
	tooManyRequests = `{"message":"Too Many Requests"}`
	limitExceeded   = `{"message":"Limit Exceeded"}`
)

// TestAPIGWv1Throttling throttles a REST API at each level a test can
// reach, on a fake clock: a stage's method settings (per method), a
// usage plan's throttle per key, and its daily quota, which GetUsage
// reports, UpdateUsage extends, a gateway response customizes and
// midnight UTC renews.
func TestAPIGWv1Throttling(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithFakeClock())
	// Midday UTC, so that the test does not cross a day by accident.
	now := env.Clock.Now().UTC()
	env.Clock.Set(time.Date(now.Year(), now.Month(), now.Day(), 12, 0, 0, 0, time.UTC))
	ctx := context.Background()
	c := apigateway.NewFromConfig(env.Config)
	apiID := throttledAPI(t, c)
	call := func(path string, key string) apigwv1Response {
		h := map[string]string{}
		if key != "" {
			h["x-api-key"] = key
		}
		return apigwv1Call(t, env, apiID, "GET", "/prod"+path, nil, h, false)
	}

	t.Run("StageMethodSettings", func(t *testing.T) {
		_, err := c.UpdateStage(ctx, &apigateway.UpdateStageInput{RestApiId: &apiID, StageName: aws.String("prod"), PatchOperations: []agtypes.PatchOperation{
			{Op: agtypes.OpReplace, Path: aws.String("/~1open/GET/throttling/burstLimit"), Value: aws.String("2")},
			{Op: agtypes.OpReplace, Path: aws.String("/~1open/GET/throttling/rateLimit"), Value: aws.String("1")},
		}})
		if err != nil {
			t.Fatal(err)
		}
		call("/open", "").want(t, 200, "ok")
		call("/open", "").want(t, 200, "ok")
		wantThrottled(t, call("/open", ""), tooManyRequests, "TooManyRequestsException")
		env.Clock.Advance(time.Second)
		call("/open", "").want(t, 200, "ok")
		wantThrottled(t, call("/open", ""), tooManyRequests, "TooManyRequestsException")
		env.Clock.Advance(10 * time.Second)
		call("/open", "").want(t, 200, "ok")
		call("/open", "").want(t, 200, "ok")
		wantThrottled(t, call("/open", ""), tooManyRequests, "TooManyRequestsException")
	})

	keyID, key, planID := keyedPlan(t, c, apiID, &agtypes.ThrottleSettings{BurstLimit: 3, RateLimit: 1},
		&agtypes.QuotaSettings{Limit: 5, Period: agtypes.QuotaPeriodTypeDay})
	usage := func(t *testing.T) [][]int64 {
		t.Helper()
		today := env.Clock.Now().UTC().Format(time.DateOnly)
		out, err := c.GetUsage(ctx, &apigateway.GetUsageInput{UsagePlanId: &planID, StartDate: &today, EndDate: &today})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.StartDate) != today || aws.ToString(out.UsagePlanId) != planID {
			t.Errorf("GetUsage = %+v", out)
		}
		return out.Items[keyID]
	}
	wantUsage := func(t *testing.T, used, remaining int64) {
		t.Helper()
		got := usage(t)
		if len(got) != 1 || len(got[0]) != 2 || got[0][0] != used || got[0][1] != remaining {
			t.Fatalf("GetUsage items = %v, want [[%d %d]]", got, used, remaining)
		}
	}

	t.Run("PlanThrottleAndQuota", func(t *testing.T) {
		for range 3 {
			call("/items", key).want(t, 200, "ok")
		}
		wantThrottled(t, call("/items", key), tooManyRequests, "TooManyRequestsException")
		wantUsage(t, 3, 2) // the throttled request does not count
		env.Clock.Advance(10 * time.Second)
		call("/items", key).want(t, 200, "ok")
		call("/items", key).want(t, 200, "ok")
		wantThrottled(t, call("/items", key), limitExceeded, "LimitExceededException")
		wantUsage(t, 5, 0)
		// Another key of another plan is not held back by this one.
		_, key2, _ := keyedPlan(t, c, apiID, nil, nil)
		call("/items", key2).want(t, 200, "ok")
	})

	t.Run("UpdateUsage", func(t *testing.T) {
		out, err := c.UpdateUsage(ctx, &apigateway.UpdateUsageInput{UsagePlanId: &planID, KeyId: &keyID,
			PatchOperations: []agtypes.PatchOperation{{Op: agtypes.OpReplace, Path: aws.String("/remaining"), Value: aws.String("2")}}})
		if err != nil {
			t.Fatal(err)
		}
		if got := out.Items[keyID]; len(got) != 1 || got[0][1] != 2 {
			t.Fatalf("UpdateUsage items = %v", out.Items)
		}
		env.Clock.Advance(10 * time.Second)
		call("/items", key).want(t, 200, "ok")
		wantUsage(t, 6, 1)
		_, err = c.UpdateUsage(ctx, &apigateway.UpdateUsageInput{UsagePlanId: &planID, KeyId: aws.String("nokey"),
			PatchOperations: []agtypes.PatchOperation{{Op: agtypes.OpReplace, Path: aws.String("/remaining"), Value: aws.String("2")}}})
		expectAPIError(t, err, "NotFoundException", 404)
		_, err = c.UpdateUsage(ctx, &apigateway.UpdateUsageInput{UsagePlanId: aws.String("noplan"), KeyId: &keyID})
		expectAPIError(t, err, "NotFoundException", 404)
	})

	t.Run("GatewayResponse", func(t *testing.T) {
		if _, err := c.PutGatewayResponse(ctx, &apigateway.PutGatewayResponseInput{RestApiId: &apiID, ResponseType: agtypes.GatewayResponseTypeQuotaExceeded,
			ResponseTemplates:  map[string]string{"application/json": `{"error":"$context.error.message","type":"$context.error.responseType"}`},
			ResponseParameters: map[string]string{"gatewayresponse.header.Retry-After": "'3600'"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: &apiID, StageName: aws.String("prod")}); err != nil {
			t.Fatal(err)
		}
		call("/items", key).want(t, 200, "ok")
		r := call("/items", key)
		r.want(t, 429, `{"error":"Limit Exceeded","type":"QUOTA_EXCEEDED"}`)
		if r.Header.Get("Retry-After") != "3600" {
			t.Errorf("Retry-After = %q", r.Header.Get("Retry-After"))
		}
	})

	t.Run("NextDay", func(t *testing.T) {
		env.Clock.Advance(12 * time.Hour)
		call("/items", key).want(t, 200, "ok")
		wantUsage(t, 1, 4)
		yesterday := env.Clock.Now().UTC().AddDate(0, 0, -1).Format(time.DateOnly)
		today := env.Clock.Now().UTC().Format(time.DateOnly)
		out, err := c.GetUsage(ctx, &apigateway.GetUsageInput{UsagePlanId: &planID, KeyId: &keyID, StartDate: &yesterday, EndDate: &today})
		if err != nil {
			t.Fatal(err)
		}
		if got := out.Items[keyID]; len(got) != 2 || got[0][0] != 7 || got[0][1] != 0 || got[1][0] != 1 {
			b, _ := json.Marshal(out.Items)
			t.Fatalf("two days of usage = %s", b)
		}
	})
}

// TestAPIGWv1QuotaSurvivesRestart counts requests against a quota, stops
// virga and starts it again on the same data directory: the counts are
// there, in GetUsage and in what the quota still allows.
func TestAPIGWv1QuotaSurvivesRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	clk := clock.NewFake(time.Date(2024, 6, 3, 10, 0, 0, 0, time.UTC))
	start := func() (*app.App, *e2e.Env) {
		cfg := config.Default()
		cfg.Listen, cfg.DataDir, cfg.InMemory = "127.0.0.1:0", dir, false
		a, err := app.New(cfg, app.Options{Clock: clk})
		if err != nil {
			t.Fatal(err)
		}
		if err := a.Start(); err != nil {
			t.Fatal(err)
		}
		endpoint := "http://" + a.Addr()
		return a, &e2e.Env{App: a, Endpoint: endpoint, Config: e2e.ClientConfig(endpoint, cfg.Region, "test", "test", ""), Clock: clk, Cfg: cfg}
	}
	stop := func(a *app.App) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := a.Shutdown(ctx); err != nil {
			t.Fatal(err)
		}
	}
	a, env := start()
	c := apigateway.NewFromConfig(env.Config)
	apiID := throttledAPI(t, c)
	keyID, key, planID := keyedPlan(t, c, apiID, nil, &agtypes.QuotaSettings{Limit: 4, Period: agtypes.QuotaPeriodTypeWeek})
	for range 3 {
		apigwv1Call(t, env, apiID, "GET", "/prod/items", nil, map[string]string{"x-api-key": key}, false).want(t, 200, "ok")
	}
	stop(a)

	a, env = start()
	defer stop(a)
	c = apigateway.NewFromConfig(env.Config)
	out, err := c.GetUsage(context.Background(), &apigateway.GetUsageInput{UsagePlanId: &planID, StartDate: aws.String("2024-06-03"), EndDate: aws.String("2024-06-03")})
	if err != nil {
		t.Fatal(err)
	}
	if got := out.Items[keyID]; len(got) != 1 || got[0][0] != 3 || got[0][1] != 1 {
		t.Fatalf("usage after a restart = %v, want [[3 1]]", out.Items)
	}
	apigwv1Call(t, env, apiID, "GET", "/prod/items", nil, map[string]string{"x-api-key": key}, false).want(t, 200, "ok")
	apigwv1Call(t, env, apiID, "GET", "/prod/items", nil, map[string]string{"x-api-key": key}, false).want(t, 429, limitExceeded)
}
