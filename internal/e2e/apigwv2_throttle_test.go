package e2e_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	gwtypes "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"

	"github.com/virga/virga/internal/e2e"
)

// TestAPIGWv2RouteThrottling throttles an HTTP API's routes on a fake
// clock: the stage's DefaultRouteSettings for every route, each with a
// bucket of its own, and a route's RouteSettings over them.
func TestAPIGWv2RouteThrottling(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithFakeClock())
	ctx := context.Background()
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	defer backend.Close()
	c := apigatewayv2.NewFromConfig(env.Config)
	api := mustGW(c.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("throttled"), ProtocolType: gwtypes.ProtocolTypeHttp}))(t)
	id := aws.ToString(api.ApiId)
	integ := mustGW(c.CreateIntegration(ctx, &apigatewayv2.CreateIntegrationInput{ApiId: &id, IntegrationType: gwtypes.IntegrationTypeHttpProxy,
		IntegrationUri: aws.String(backend.URL), IntegrationMethod: aws.String("ANY"), PayloadFormatVersion: aws.String("1.0")}))(t)
	for _, key := range []string{"GET /a", "GET /b", "GET /slow"} {
		mustGW(c.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: &id, RouteKey: aws.String(key),
			Target: aws.String("integrations/" + aws.ToString(integ.IntegrationId))}))(t)
	}
	mustGW(c.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: &id, StageName: aws.String("$default"), AutoDeploy: aws.Bool(true),
		DefaultRouteSettings: &gwtypes.RouteSettings{ThrottlingBurstLimit: aws.Int32(2), ThrottlingRateLimit: aws.Float64(1)},
		RouteSettings:        map[string]gwtypes.RouteSettings{"GET /slow": {ThrottlingBurstLimit: aws.Int32(1)}}}))(t)
	call := func(path string) gwReply {
		return callHTTPAPI(t, env, id, "GET", path, nil, nil, true)
	}
	want := func(r gwReply, status int, body string) {
		t.Helper()
		if r.Status != status || string(r.Body) != body {
			t.Fatalf("HTTP %d %s, want HTTP %d %s", r.Status, r.Body, status, body)
		}
	}
	const throttled = `{"message":"Too Many Requests"}`
	want(call("/a"), 200, "ok")
	want(call("/a"), 200, "ok")
	want(call("/a"), 429, throttled)
	// Each route has a bucket of its own.
	want(call("/b"), 200, "ok")
	want(call("/b"), 200, "ok")
	want(call("/b"), 429, throttled)
	// A route's own burst, with the stage's rate.
	want(call("/slow"), 200, "ok")
	r := call("/slow")
	want(r, 429, throttled)
	if r.Header.Get("Apigw-Requestid") == "" || r.Header.Get("Content-Type") != "application/json" {
		t.Errorf("throttled answer's headers: %v", r.Header)
	}
	env.Clock.Advance(time.Second)
	want(call("/a"), 200, "ok")
	want(call("/a"), 429, throttled)
	want(call("/slow"), 200, "ok")
	want(call("/slow"), 429, throttled)

	// Settings changed take effect with new, full buckets.
	mustGW(c.UpdateStage(ctx, &apigatewayv2.UpdateStageInput{ApiId: &id, StageName: aws.String("$default"),
		DefaultRouteSettings: &gwtypes.RouteSettings{ThrottlingBurstLimit: aws.Int32(-1), ThrottlingRateLimit: aws.Float64(-1)}}))(t)
	for range 5 {
		want(call("/a"), 200, "ok")
	}
}
