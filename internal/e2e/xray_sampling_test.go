package e2e_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	apigwtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/xray"
	xraytypes "github.com/aws/aws-sdk-go-v2/service/xray/types"

	"github.com/virga/virga/internal/e2e"
)

// xrayRule is a sampling rule of every request to service.
func xrayRule(name, service string, priority int32, rate float64, reservoir int32) *xraytypes.SamplingRule {
	return &xraytypes.SamplingRule{RuleName: aws.String(name), ResourceARN: aws.String("*"), Priority: aws.Int32(priority),
		FixedRate: rate, ReservoirSize: reservoir, ServiceName: aws.String(service), ServiceType: aws.String("*"),
		Host: aws.String("*"), HTTPMethod: aws.String("*"), URLPath: aws.String("*"), Version: aws.Int32(1)}
}

// TestXRaySamplingRules creates, lists, updates, tags and deletes
// sampling rules with X-Ray's validation, and reads their targets.
func TestXRaySamplingRules(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := xray.NewFromConfig(env.Config)
	ctx := context.Background()

	created, err := c.CreateSamplingRule(ctx, &xray.CreateSamplingRuleInput{SamplingRule: xrayRule("api", "api-*", 100, 0.5, 3),
		Tags: []xraytypes.Tag{{Key: aws.String("team"), Value: aws.String("blue")}}})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(created.SamplingRuleRecord.SamplingRule.RuleARN)
	if arn != "arn:aws:xray:us-east-1:"+testAccount+":sampling-rule/api" || created.SamplingRuleRecord.CreatedAt == nil {
		t.Errorf("created = %+v", created.SamplingRuleRecord)
	}
	_, err = c.CreateSamplingRule(ctx, &xray.CreateSamplingRuleInput{SamplingRule: xrayRule("api", "*", 200, 0.1, 1)})
	if e := expectAPIError(t, err, "InvalidRequestException", 400); e.Message != "Sampling rule already exists" {
		t.Errorf("duplicate: %q", e.Message)
	}
	for _, bad := range []*xraytypes.SamplingRule{
		xrayRule("p0", "*", 0, 0.1, 1), xrayRule("p10000", "*", 10000, 0.1, 1), xrayRule("rate", "*", 1, 1.5, 1),
		xrayRule("res", "*", 1, 0.1, -1), xrayRule(strings.Repeat("n", 33), "*", 1, 0.1, 1),
	} {
		_, err := c.CreateSamplingRule(ctx, &xray.CreateSamplingRuleInput{SamplingRule: bad})
		expectAPIError(t, err, "InvalidRequestException", 400)
	}
	v2 := xrayRule("v2", "*", 1, 0.1, 1)
	v2.Version = aws.Int32(2)
	_, err = c.CreateSamplingRule(ctx, &xray.CreateSamplingRuleInput{SamplingRule: v2})
	expectAPIError(t, err, "InvalidRequestException", 400)

	rules, err := c.GetSamplingRules(ctx, &xray.GetSamplingRulesInput{})
	if err != nil || len(rules.SamplingRuleRecords) != 2 || aws.ToString(rules.SamplingRuleRecords[0].SamplingRule.RuleName) != "api" ||
		aws.ToString(rules.SamplingRuleRecords[1].SamplingRule.RuleName) != "Default" {
		t.Fatalf("GetSamplingRules = %+v, %v", rules, err)
	}

	up, err := c.UpdateSamplingRule(ctx, &xray.UpdateSamplingRuleInput{SamplingRuleUpdate: &xraytypes.SamplingRuleUpdate{
		RuleARN: aws.String(arn), FixedRate: aws.Float64(0.25), URLPath: aws.String("/v1/*")}})
	if err != nil {
		t.Fatal(err)
	}
	if r := up.SamplingRuleRecord.SamplingRule; r.FixedRate != 0.25 || aws.ToString(r.URLPath) != "/v1/*" || r.ReservoirSize != 3 ||
		aws.ToString(r.ServiceName) != "api-*" {
		t.Errorf("updated = %+v", r)
	}
	_, err = c.UpdateSamplingRule(ctx, &xray.UpdateSamplingRuleInput{SamplingRuleUpdate: &xraytypes.SamplingRuleUpdate{
		RuleName: aws.String("api"), Priority: aws.Int32(0)}})
	expectAPIError(t, err, "InvalidRequestException", 400)
	_, err = c.UpdateSamplingRule(ctx, &xray.UpdateSamplingRuleInput{SamplingRuleUpdate: &xraytypes.SamplingRuleUpdate{
		RuleName: aws.String("Default"), Priority: aws.Int32(5)}})
	if e := expectAPIError(t, err, "InvalidRequestException", 400); e.Message != "Invalid update request for default sampling rule" {
		t.Errorf("Default priority: %q", e.Message)
	}
	def, err := c.UpdateSamplingRule(ctx, &xray.UpdateSamplingRuleInput{SamplingRuleUpdate: &xraytypes.SamplingRuleUpdate{
		RuleName: aws.String("Default"), FixedRate: aws.Float64(0.01), ReservoirSize: aws.Int32(0)}})
	if err != nil || def.SamplingRuleRecord.SamplingRule.FixedRate != 0.01 || def.SamplingRuleRecord.SamplingRule.ReservoirSize != 0 {
		t.Fatalf("update Default = %+v, %v", def, err)
	}

	tg, err := c.GetSamplingTargets(ctx, &xray.GetSamplingTargetsInput{SamplingStatisticsDocuments: []xraytypes.SamplingStatisticsDocument{
		{RuleName: aws.String("api"), ClientID: aws.String(strings.Repeat("a", 24)), Timestamp: aws.Time(time.Now()), RequestCount: 10, SampledCount: 4},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(tg.SamplingTargetDocuments) != 1 || tg.SamplingTargetDocuments[0].FixedRate != 0.25 ||
		aws.ToInt32(tg.SamplingTargetDocuments[0].ReservoirQuota) != 3 || aws.ToInt32(tg.SamplingTargetDocuments[0].Interval) != 10 ||
		tg.SamplingTargetDocuments[0].ReservoirQuotaTTL == nil || !tg.LastRuleModification.After(time.Unix(0, 0)) {
		t.Errorf("targets = %+v", tg)
	}

	if _, err := c.TagResource(ctx, &xray.TagResourceInput{ResourceARN: aws.String(arn),
		Tags: []xraytypes.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagResource(ctx, &xray.UntagResourceInput{ResourceARN: aws.String(arn), TagKeys: []string{"team"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.ListTagsForResource(ctx, &xray.ListTagsForResourceInput{ResourceARN: aws.String(arn)})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "env" {
		t.Fatalf("ListTagsForResource = %+v, %v", tags, err)
	}
	g, err := c.CreateGroup(ctx, &xray.CreateGroupInput{GroupName: aws.String("g"), Tags: []xraytypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
	if err != nil {
		t.Fatal(err)
	}
	tags, err = c.ListTagsForResource(ctx, &xray.ListTagsForResourceInput{ResourceARN: g.Group.GroupARN})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Value) != "v" {
		t.Fatalf("ListTagsForResource(group) = %+v, %v", tags, err)
	}
	defARN := def.SamplingRuleRecord.SamplingRule.RuleARN
	if _, err := c.TagResource(ctx, &xray.TagResourceInput{ResourceARN: defARN,
		Tags: []xraytypes.Tag{{Key: aws.String("k"), Value: aws.String("d")}}}); err != nil {
		t.Fatal(err)
	}
	tags, err = c.ListTagsForResource(ctx, &xray.ListTagsForResourceInput{ResourceARN: defARN})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Value) != "d" {
		t.Fatalf("ListTagsForResource(Default) = %+v, %v", tags, err)
	}
	_, err = c.ListTagsForResource(ctx, &xray.ListTagsForResourceInput{ResourceARN: aws.String(arn + "x")})
	expectAPIError(t, err, "ResourceNotFoundException", 404)

	del, err := c.DeleteSamplingRule(ctx, &xray.DeleteSamplingRuleInput{RuleARN: aws.String(arn)})
	if err != nil || aws.ToString(del.SamplingRuleRecord.SamplingRule.RuleName) != "api" {
		t.Fatalf("DeleteSamplingRule = %+v, %v", del, err)
	}
	_, err = c.DeleteSamplingRule(ctx, &xray.DeleteSamplingRuleInput{RuleName: aws.String("api")})
	if e := expectAPIError(t, err, "InvalidRequestException", 400); e.Message != "Sampling rule does not exist" {
		t.Errorf("delete again: %q", e.Message)
	}
	_, err = c.DeleteSamplingRule(ctx, &xray.DeleteSamplingRuleInput{RuleName: aws.String("Default")})
	expectAPIError(t, err, "InvalidRequestException", 400)

	for i := range 25 {
		if _, err := c.CreateSamplingRule(ctx, &xray.CreateSamplingRuleInput{SamplingRule: xrayRule(fmt.Sprintf("r%02d", i), "*", int32(i+1), 0.1, 1)}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = c.CreateSamplingRule(ctx, &xray.CreateSamplingRuleInput{SamplingRule: xrayRule("one-more", "*", 1, 0.1, 1)})
	expectAPIError(t, err, "RuleLimitExceededException", 400)
	rules, err = c.GetSamplingRules(ctx, &xray.GetSamplingRulesInput{})
	if err != nil || len(rules.SamplingRuleRecords) != 26 || rules.NextToken != nil {
		t.Fatalf("GetSamplingRules = %d rules, %v", len(rules.SamplingRuleRecords), err)
	}
}

// TestXRaySamplingRuleLambda: an Active function with no upstream
// decision is traced as the matching sampling rule says, and a request
// the rule does not sample reaches the function with Sampled=0.
func TestXRaySamplingRuleLambda(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := lambdaClient(t, env)
	x := xray.NewFromConfig(env.Config)
	ctx := context.Background()
	for _, r := range []*xraytypes.SamplingRule{xrayRule("quiet", "quiet-*", 10, 0, 0), xrayRule("loud", "loud-*", 20, 1, 0)} {
		if _, err := x.CreateSamplingRule(ctx, &xray.CreateSamplingRuleInput{SamplingRule: r}); err != nil {
			t.Fatal(err)
		}
	}
	zip := goFunctionZip(t, "bootstrap")
	for _, name := range []string{"quiet-fn", "loud-fn"} {
		createGoFunction(t, c, name, zip, func(in *lambda.CreateFunctionInput) {
			in.TracingConfig = &lambdatypes.TracingConfig{Mode: lambdatypes.TracingModeActive}
		})
	}
	header := func(name string) string {
		t.Helper()
		body, _ := json.Marshal(map[string]any{"op": "env", "names": []string{"_X_AMZN_TRACE_ID"}})
		out, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(name), Payload: body})
		if err != nil {
			t.Fatal(err)
		}
		var res struct{ Env map[string]string }
		if err := json.Unmarshal(out.Payload, &res); err != nil {
			t.Fatalf("payload %s: %v", out.Payload, err)
		}
		return res.Env["_X_AMZN_TRACE_ID"]
	}
	for range 3 {
		if h := header("quiet-fn"); !strings.Contains(h, ";Sampled=0") {
			t.Errorf("quiet-fn's header = %q; want Sampled=0", h)
		}
		if h := header("loud-fn"); !strings.Contains(h, ";Sampled=1") {
			t.Errorf("loud-fn's header = %q; want Sampled=1", h)
		}
	}
}

// TestXRaySamplingRuleCLI runs the aws CLI's sampling rule examples.
func TestXRaySamplingRuleCLI(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return "file://" + p
	}
	var rec struct {
		SamplingRuleRecord struct {
			SamplingRule struct {
				RuleName, RuleARN string
				Priority          int
				FixedRate         float64
				ReservoirSize     int
				Attributes        map[string]string
			}
			CreatedAt string
		}
	}
	cliJSON(t, env.CLI(t, "xray", "create-sampling-rule", "--cli-input-json", write("9000-base-scorekeep.json", `{
    "SamplingRule": {"RuleName": "base-scorekeep", "ResourceARN": "*", "Priority": 9000, "FixedRate": 0.1, "ReservoirSize": 5,
        "ServiceName": "Scorekeep", "ServiceType": "*", "Host": "*", "HTTPMethod": "*", "URLPath": "*", "Version": 1}}`)), &rec)
	if r := rec.SamplingRuleRecord.SamplingRule; r.RuleName != "base-scorekeep" || r.Priority != 9000 || r.ReservoirSize != 5 ||
		r.Attributes == nil || !strings.HasSuffix(r.RuleARN, ":sampling-rule/base-scorekeep") || rec.SamplingRuleRecord.CreatedAt == "" {
		t.Errorf("create-sampling-rule = %+v", rec)
	}
	cliJSON(t, env.CLI(t, "xray", "update-sampling-rule", "--cli-input-json", write("1000-default.json",
		`{"SamplingRuleUpdate": {"RuleName": "Default", "FixedRate": 0.01, "ReservoirSize": 0}}`)), &rec)
	if r := rec.SamplingRuleRecord.SamplingRule; r.RuleName != "Default" || r.FixedRate != 0.01 || r.ReservoirSize != 0 || r.Priority != 10000 {
		t.Errorf("update-sampling-rule = %+v", rec)
	}
	var rules struct{ SamplingRuleRecords []any }
	cliJSON(t, env.CLI(t, "xray", "get-sampling-rules"), &rules)
	if len(rules.SamplingRuleRecords) != 2 {
		t.Errorf("get-sampling-rules = %d rules", len(rules.SamplingRuleRecords))
	}
	cliJSON(t, env.CLI(t, "xray", "delete-sampling-rule", "--rule-name", "base-scorekeep"), &rec)
	if rec.SamplingRuleRecord.SamplingRule.RuleName != "base-scorekeep" {
		t.Errorf("delete-sampling-rule = %+v", rec)
	}
}

// TestXRaySamplingRuleAPIGateway: a tracing stage samples a request whose
// caller did not decide by the matching rule (ServiceName API/stage), and
// passes one it does not sample on with Sampled=0.
func TestXRaySamplingRuleAPIGateway(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	x := xray.NewFromConfig(env.Config)
	for _, r := range []*xraytypes.SamplingRule{xrayRule("quiet", "quiet-api/*", 10, 0, 0), xrayRule("loud", "loud-api/prod", 20, 1, 0)} {
		if _, err := x.CreateSamplingRule(ctx, &xray.CreateSamplingRuleInput{SamplingRule: r}); err != nil {
			t.Fatal(err)
		}
	}
	seen := make(chan string, 16)
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen <- r.Header.Get("X-Amzn-Trace-Id")
	}))
	defer backend.Close()
	c := apigateway.NewFromConfig(env.Config)
	api := func(name string) string {
		t.Helper()
		a, err := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		res, err := c.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: a.Id})
		if err != nil {
			t.Fatal(err)
		}
		root := res.Items[0].Id
		if _, err := c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: a.Id, ResourceId: root, HttpMethod: aws.String("GET"),
			AuthorizationType: aws.String("NONE")}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: a.Id, ResourceId: root, HttpMethod: aws.String("GET"),
			Type: apigwtypes.IntegrationTypeHttpProxy, IntegrationHttpMethod: aws.String("GET"), Uri: aws.String(backend.URL + "/")}); err != nil {
			t.Fatal(err)
		}
		d, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: a.Id})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.CreateStage(ctx, &apigateway.CreateStageInput{RestApiId: a.Id, DeploymentId: d.Id, StageName: aws.String("prod"),
			TracingEnabled: true}); err != nil {
			t.Fatal(err)
		}
		return aws.ToString(a.Id)
	}
	quiet, loud := api("quiet-api"), api("loud-api")
	call := func(id string) string {
		t.Helper()
		apigwv1Call(t, env, id, "GET", "/prod/", nil, nil, true).want(t, 200, "")
		return <-seen
	}
	for range 3 {
		if h := call(quiet); !strings.Contains(h, "Sampled=0") {
			t.Errorf("quiet-api's backend saw %q; want Sampled=0", h)
		}
		if h := call(loud); !strings.Contains(h, "Sampled=1") {
			t.Errorf("loud-api's backend saw %q; want Sampled=1", h)
		}
	}
}
