package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	agtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	gwtypes "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/virga/virga/internal/config"
)

// The API Gateway suite. Its cells are named apigw/WORKLOAD/TARGET/cN,
// so that -only '^apigw/' runs it alone.
const (
	suiteAPIGW = "apigw"
	// workREST is a GET through a REST API (package apigateway): a
	// {proxy+} resource whose GET method has an AWS_PROXY integration
	// with the function, deployed to a stage; payload format 1.0.
	workREST = "rest"
	// workHTTP is a GET through an HTTP API (package apigatewayv2) made
	// by quick create: its $default route and auto-deployed $default
	// stage; payload format 2.0.
	workHTTP = "http"
	// workURL is a GET of the function's URL (AuthType NONE); payload
	// format 2.0.
	workURL = "url"
	// workALB is a GET through an Application Load Balancer (package
	// elbv2) whose listener forwards to a lambda target group holding
	// the function; ALB's event, reached through virga's endpoint.
	workALB = "alb"
)

const (
	// apigwConcurrency is the issue's: 16 callers.
	apigwConcurrency = 16
	// apigwFunction is the function's name in each virga.
	apigwFunction = "apigw"
	// apigwStage is the REST API's stage.
	apigwStage = "bench"
	// apigwPath is what every request asks for, below the API's base;
	// the function answers it back as the body.
	apigwPath = "/ping"
	// apigwCallTimeout bounds one request, so that a stuck one fails
	// the run instead of stopping it.
	apigwCallTimeout = 10 * time.Second
	// apigwWarmCalls are each caller's calls in the burst that starts
	// the function's environments before any run.
	apigwWarmCalls = 50
	// apigwBar is the target: through API Gateway, a warm Go
	// function serves at least a quarter of the plain HTTP ceiling's
	// requests/s.
	apigwBar = 0.25
)

// apigwWorkloads are the suite's workloads, in the order they run and print.
var apigwWorkloads = []string{workREST, workHTTP, workURL, workALB}

// apigwTargetNames are each workload's targets: the plain HTTP ceiling
// and virga in process, in memory and on disk.
var apigwTargetNames = []string{ceilingName, virgaMemName, virgaDiskName}

// apigwTargets are the running API Gateway targets: each cell's call by
// workload/target, and the CPU time of a target's function environments.
type apigwTargets struct {
	calls     map[string]callFunc
	serverCPU map[string]func() time.Duration
}

// startAPIGWTargets builds ./apigwfn, starts the targets named in need
// and, in each virga, creates the function, a REST API, an HTTP API and a
// function URL in front of it through virga's own API; then it checks
// every cell with one request. stop ends whatever was started, also when
// err is not nil; notes say what the reader should know.
func startAPIGWTargets(ctx context.Context, need map[string]bool) (t *apigwTargets, stop func(), notes []string, err error) {
	var stops []func()
	stop = func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
	t = &apigwTargets{calls: map[string]callFunc{}, serverCPU: map[string]func() time.Duration{}}
	newHTTPClient := func() *http.Client {
		tr := newTransport([]int{apigwConcurrency})
		stops = append(stops, tr.CloseIdleConnections)
		return &http.Client{Transport: tr, Timeout: apigwCallTimeout}
	}

	if need[ceilingName] {
		endpoint, shutdown, err := serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte("ok"))
		}))
		if err != nil {
			return nil, stop, notes, fmt.Errorf("starting %s: %w", ceilingName, err)
		}
		stops = append(stops, shutdown)
		call := ceilingCall(newHTTPClient(), endpoint+"/")
		if err := call(ctx, nil); err != nil {
			return nil, stop, notes, fmt.Errorf("%s: %w", ceilingName, err)
		}
		for _, w := range apigwWorkloads {
			t.calls[w+"/"+ceilingName] = call
		}
	}
	if !need[virgaMemName] && !need[virgaDiskName] {
		return t, stop, notes, nil
	}

	dir, err := os.MkdirTemp("", "virga-bench-apigw-")
	if err != nil {
		return nil, stop, notes, err
	}
	stops = append(stops, func() { os.RemoveAll(dir) })
	t0 := time.Now()
	_, zipped, err := buildFunction(ctx, dir, "github.com/virga/virga/bench/apigwfn")
	if err != nil {
		return nil, stop, notes, err
	}
	fmt.Fprintf(os.Stderr, "  apigw function built (%d KB zipped) in %.1fs\n", len(zipped)>>10, time.Since(t0).Seconds())

	for _, v := range []struct {
		name string
		disk bool
	}{{virgaMemName, false}, {virgaDiskName, true}} {
		if !need[v.name] {
			continue
		}
		dataDir := ""
		if v.disk {
			dataDir = filepath.Join(dir, "data")
			if inMemoryFS(dir) {
				notes = append(notes, fmt.Sprintf("%s's data directory %s is on a tmpfs: its syncs cost nothing; set TMPDIR to a disk.", v.name, dir))
			}
		}
		endpoint, shutdown, err := startVirga(config.AuthAccept, dataDir)
		if err != nil {
			return nil, stop, notes, fmt.Errorf("starting %s: %w", v.name, err)
		}
		stops = append(stops, shutdown)
		t0 := time.Now()
		urls, err := createAPIs(ctx, endpoint, newHTTPClient(), zipped)
		if err != nil {
			return nil, stop, notes, fmt.Errorf("%s: %w", v.name, err)
		}
		fmt.Fprintf(os.Stderr, "  %s: function, REST API, HTTP API, function URL and load balancer created in %.1fs\n", v.name, time.Since(t0).Seconds())
		hc := newHTTPClient()
		for _, w := range apigwWorkloads {
			call := apigwCall(hc, urls[w], apigwPath)
			if err := call(ctx, nil); err != nil {
				return nil, stop, notes, fmt.Errorf("%s: first %s request: %w", v.name, w, err)
			}
			t.calls[w+"/"+v.name] = call
		}
		// The three workloads share the function: start its
		// environments now, so that no row's first run pays for them.
		if err := burst(ctx, t.calls[workHTTP+"/"+v.name]); err != nil {
			return nil, stop, notes, fmt.Errorf("%s: starting %d environments: %w", v.name, apigwConcurrency, err)
		}
		// Both virgas' environments are the bench's children named
		// bootstrap; the other target's are idle during a row's run.
		t.serverCPU[v.name] = childrenCPU("bootstrap")
	}
	return t, stop, notes, nil
}

// createAPIs creates the function from zipped in the virga at endpoint
// and puts the three kinds of front door before it, with aws-sdk-go-v2's
// clients; it returns each workload's URL, in the path form that reaches
// a data plane at virga's own address.
func createAPIs(ctx context.Context, endpoint string, hc *http.Client, zipped []byte) (map[string]string, error) {
	cfg := aws.Config{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(endpoint),
		Credentials:      credentials.NewStaticCredentialsProvider("test", "test", ""),
		RetryMaxAttempts: 1,
		HTTPClient:       hc,
	}
	lc := lambda.NewFromConfig(cfg)
	if err := createEcho(ctx, lc, apigwFunction, zipped); err != nil {
		return nil, err
	}
	fn, err := lc.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(apigwFunction)})
	if err != nil {
		return nil, fmt.Errorf("GetFunction: %w", err)
	}
	arn := aws.ToString(fn.Configuration.FunctionArn)
	urls := map[string]string{}

	// REST: GET /{proxy+}, AWS_PROXY to the function, on stage "bench".
	rc := apigateway.NewFromConfig(cfg)
	api, err := rc.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("bench")})
	if err != nil {
		return nil, fmt.Errorf("CreateRestApi: %w", err)
	}
	proxy, err := rc.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: api.Id, ParentId: api.RootResourceId, PathPart: aws.String("{proxy+}")})
	if err != nil {
		return nil, fmt.Errorf("CreateResource: %w", err)
	}
	get := aws.String(http.MethodGet)
	if _, err := rc.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: proxy.Id, HttpMethod: get,
		AuthorizationType: aws.String("NONE")}); err != nil {
		return nil, fmt.Errorf("PutMethod: %w", err)
	}
	if _, err := rc.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: api.Id, ResourceId: proxy.Id, HttpMethod: get,
		Type: agtypes.IntegrationTypeAwsProxy, IntegrationHttpMethod: aws.String(http.MethodPost),
		Uri: aws.String("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + arn + "/invocations")}); err != nil {
		return nil, fmt.Errorf("PutIntegration: %w", err)
	}
	if _, err := rc.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String(apigwStage)}); err != nil {
		return nil, fmt.Errorf("CreateDeployment: %w", err)
	}
	urls[workREST] = endpoint + "/_aws/execute-api/" + aws.ToString(api.Id) + "/" + apigwStage + apigwPath

	// HTTP: quick create, whose $default stage deploys itself.
	hapi, err := apigatewayv2.NewFromConfig(cfg).CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("bench"),
		ProtocolType: gwtypes.ProtocolTypeHttp, Target: aws.String(arn)})
	if err != nil {
		return nil, fmt.Errorf("CreateApi: %w", err)
	}
	urls[workHTTP] = endpoint + "/_aws/execute-api/" + aws.ToString(hapi.ApiId) + apigwPath

	// The function URL: its id is the first label of its host name.
	fu, err := lc.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String(apigwFunction),
		AuthType: lambdatypes.FunctionUrlAuthTypeNone})
	if err != nil {
		return nil, fmt.Errorf("CreateFunctionUrlConfig: %w", err)
	}
	u, err := url.Parse(aws.ToString(fu.FunctionUrl))
	if err != nil {
		return nil, fmt.Errorf("CreateFunctionUrlConfig answered the URL %q: %w", aws.ToString(fu.FunctionUrl), err)
	}
	id, _, _ := strings.Cut(u.Hostname(), ".")
	urls[workURL] = endpoint + "/_aws/lambda-url/" + id + apigwPath
	// A NONE URL answers only when the function's policy lets everyone
	// call it and invoke the function through it.
	for _, in := range []*lambda.AddPermissionInput{
		{FunctionName: aws.String(apigwFunction), StatementId: aws.String("url"), Action: aws.String("lambda:InvokeFunctionUrl"),
			Principal: aws.String("*"), FunctionUrlAuthType: lambdatypes.FunctionUrlAuthTypeNone},
		{FunctionName: aws.String(apigwFunction), StatementId: aws.String("url-invoke"), Action: aws.String("lambda:InvokeFunction"),
			Principal: aws.String("*"), InvokedViaFunctionUrl: aws.Bool(true)},
	} {
		if _, err := lc.AddPermission(ctx, in); err != nil {
			return nil, fmt.Errorf("AddPermission: %w", err)
		}
	}

	// ALB: a lambda target group as the listener's default action. The
	// listener's own port may be taken (the other virga's); the bench
	// goes through virga's endpoint, as for the other workloads.
	if _, err := lc.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String(apigwFunction), StatementId: aws.String("alb"),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("elasticloadbalancing.amazonaws.com")}); err != nil {
		return nil, fmt.Errorf("AddPermission: %w", err)
	}
	ec := elb.NewFromConfig(cfg)
	lb, err := ec.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("bench")})
	if err != nil {
		return nil, fmt.Errorf("CreateLoadBalancer: %w", err)
	}
	tg, err := ec.CreateTargetGroup(ctx, &elb.CreateTargetGroupInput{Name: aws.String("bench"), TargetType: elbtypes.TargetTypeEnumLambda})
	if err != nil {
		return nil, fmt.Errorf("CreateTargetGroup: %w", err)
	}
	if _, err := ec.RegisterTargets(ctx, &elb.RegisterTargetsInput{TargetGroupArn: tg.TargetGroups[0].TargetGroupArn,
		Targets: []elbtypes.TargetDescription{{Id: aws.String(arn)}}}); err != nil {
		return nil, fmt.Errorf("RegisterTargets: %w", err)
	}
	if _, err := ec.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: lb.LoadBalancers[0].LoadBalancerArn,
		Protocol: elbtypes.ProtocolEnumHttp, Port: aws.Int32(int32(20000 + rand.IntN(20000))),
		DefaultActions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: tg.TargetGroups[0].TargetGroupArn}}}); err != nil {
		return nil, fmt.Errorf("CreateListener: %w", err)
	}
	host, _ := strings.CutSuffix(aws.ToString(lb.LoadBalancers[0].DNSName), ".elb.localhost")
	urls[workALB] = endpoint + "/_aws/elb/" + host + apigwPath
	return urls, nil
}

// burst makes apigwWarmCalls calls from each of apigwConcurrency callers
// at once, and returns the first error.
func burst(ctx context.Context, call callFunc) error {
	var wg sync.WaitGroup
	errs := make([]error, apigwConcurrency)
	for i := range apigwConcurrency {
		wg.Go(func() {
			for range apigwWarmCalls {
				if err := call(ctx, nil); err != nil {
					errs[i] = err
					return
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// apigwCall is one GET of url, whose answer must be 200 with the body
// want: the function's, not one of API Gateway's own.
func apigwCall(hc *http.Client, url, want string) callFunc {
	return func(ctx context.Context, _ *rand.Rand) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK || string(body) != want {
			return fmt.Errorf("GET %s answered %d %.200q, want 200 %q", url, resp.StatusCode, body, want)
		}
		return nil
	}
}

// printAPIGWTable writes the API Gateway rows as a Markdown table.
// "fn CPU/req" is the part of CPU/req the function's environments used.
func printAPIGWTable(w io.Writer, rows []row) {
	fmt.Fprintln(w, "| workload | target | c | req/s | p50 | p99 | vs ceiling | CPU/req | fn CPU/req | req/s of each run |")
	fmt.Fprintln(w, "|---|---|--:|--:|--:|--:|--:|--:|--:|---|")
	for _, r := range rows {
		fn := "–"
		if r.target != ceilingName {
			fn = fmt.Sprintf("%.0f µs", medianOf(r.runs, result.serverCPUPerReq))
		}
		fmt.Fprintf(w, "| %s | %s | %d | %.0f | %s | %s | %s | %.0f µs | %s | %s |\n",
			r.workload, r.target, r.concurrency, r.median.rps(), latency(r.median.p50), latency(r.median.p99),
			ratio(r.ratios[0]), medianCPU(r.runs), fn, eachRun(r.runs))
	}
}

// medianOf is the median over runs of f (the lower middle one when there
// is an even number).
func medianOf(runs []result, f func(result) float64) float64 {
	v := make([]float64, 0, len(runs))
	for _, r := range runs {
		v = append(v, f(r))
	}
	slices.Sort(v)
	return v[(len(v)-1)/2]
}

// printAPIGWChecks writes the target beside what this run
// measured, for each virga row.
func printAPIGWChecks(w io.Writer, rows []row) {
	fmt.Fprintln(w, "The issue's target, in this run:")
	for _, r := range rows {
		// The load balancer is not API Gateway: the issue sets it no bar.
		if r.target == ceilingName || r.workload == workALB {
			continue
		}
		checkBar(w, fmt.Sprintf("%s c=%d, %s: req/s ÷ plain HTTP ceiling", r.workload, r.concurrency, r.target), r.ratios[0], apigwBar, true)
	}
}
