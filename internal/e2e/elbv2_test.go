package e2e_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/acm"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/virga/virga/internal/e2e"
	"github.com/virga/virga/internal/testenv"
)

// backend is an HTTP server that answers with its name and what the
// load balancer sent it.
func backend(t *testing.T, name string) (*httptest.Server, int32) {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Backend", name)
		w.Header().Set("X-Got-Forwarded-For", r.Header.Get("X-Forwarded-For"))
		w.Header().Set("X-Got-Forwarded-Proto", r.Header.Get("X-Forwarded-Proto"))
		w.Header().Set("X-Got-Forwarded-Port", r.Header.Get("X-Forwarded-Port"))
		w.Header().Set("X-Got-Trace", r.Header.Get("X-Amzn-Trace-Id"))
		w.Header().Set("X-Got-Host", r.Host)
		fmt.Fprintf(w, "%s %s", name, r.URL.RequestURI())
	}))
	t.Cleanup(srv.Close)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	n, _ := strconv.Atoi(port)
	return srv, int32(n)
}

// freePort returns a port nothing listens on now.
func freePort(t *testing.T) int32 {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return int32(ln.Addr().(*net.TCPAddr).Port)
}

// albGet sends a request to a load balancer through virga's endpoint,
// by its DNS name.
func albGet(t *testing.T, env *e2e.Env, dns, method, path string, header map[string]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, env.Endpoint+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = dns
	for k, v := range header {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func ipTargetGroup(t *testing.T, c *elb.Client, name string, ports ...int32) string {
	t.Helper()
	ctx := context.Background()
	out, err := c.CreateTargetGroup(ctx, &elb.CreateTargetGroupInput{Name: aws.String(name), Protocol: elbtypes.ProtocolEnumHttp,
		Port: aws.Int32(80), VpcId: aws.String("vpc-1"), TargetType: elbtypes.TargetTypeEnumIp})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(out.TargetGroups[0].TargetGroupArn)
	if len(ports) > 0 {
		var ts []elbtypes.TargetDescription
		for _, p := range ports {
			ts = append(ts, elbtypes.TargetDescription{Id: aws.String("127.0.0.1"), Port: aws.Int32(p)})
		}
		if _, err := c.RegisterTargets(ctx, &elb.RegisterTargetsInput{TargetGroupArn: &arn, Targets: ts}); err != nil {
			t.Fatal(err)
		}
	}
	return arn
}

func forwardTo(arn string) []elbtypes.Action {
	return []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: aws.String(arn)}}
}

func pathRule(t *testing.T, c *elb.Client, listener string, prio int32, path string, actions []elbtypes.Action) {
	t.Helper()
	_, err := c.CreateRule(context.Background(), &elb.CreateRuleInput{ListenerArn: &listener, Priority: aws.Int32(prio),
		Conditions: []elbtypes.RuleCondition{{Field: aws.String("path-pattern"), PathPatternConfig: &elbtypes.PathPatternConditionConfig{Values: []string{path}}}},
		Actions:    actions})
	if err != nil {
		t.Fatal(err)
	}
}

func TestELBv2RoutesRequests(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := elb.NewFromConfig(env.Config)
	ctx := context.Background()

	lbOut, err := c.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("web"), Subnets: env.DefaultNetwork(t).Subnets[:2]})
	if err != nil {
		t.Fatal(err)
	}
	lb := lbOut.LoadBalancers[0]
	dns := aws.ToString(lb.DNSName)
	if !strings.HasPrefix(dns, "web-") || !strings.HasSuffix(dns, ".us-east-1.elb.localhost") || lb.State.Code != elbtypes.LoadBalancerStateEnumProvisioning {
		t.Fatalf("load balancer %s, state %v", dns, lb.State.Code)
	}
	_, err = c.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("web"), Scheme: elbtypes.LoadBalancerSchemeEnumInternal})
	expectAPIError(t, err, "DuplicateLoadBalancerName", 400)
	_, err = c.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{Names: []string{"nope"}})
	if e := expectAPIError(t, err, "LoadBalancerNotFound", 400); e.Message != "Load balancers '[nope]' not found" {
		t.Errorf("message %q", e.Message)
	}

	_, portA := backend(t, "a")
	_, portB := backend(t, "b")
	tgA := ipTargetGroup(t, c, "tg-a", portA)
	tgB := ipTargetGroup(t, c, "tg-b", portB)
	tgEmpty := ipTargetGroup(t, c, "tg-empty")

	port := freePort(t)
	lOut, err := c.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: lb.LoadBalancerArn, Protocol: elbtypes.ProtocolEnumHttp,
		Port: aws.Int32(port), DefaultActions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumFixedResponse,
			FixedResponseConfig: &elbtypes.FixedResponseActionConfig{StatusCode: aws.String("404"), ContentType: aws.String("text/plain"), MessageBody: aws.String("no route")}}}})
	if err != nil {
		t.Fatal(err)
	}
	listener := aws.ToString(lOut.Listeners[0].ListenerArn)

	pathRule(t, c, listener, 10, "/api/*", forwardTo(tgA))
	if _, err := c.CreateRule(ctx, &elb.CreateRuleInput{ListenerArn: &listener, Priority: aws.Int32(20),
		Conditions: []elbtypes.RuleCondition{{Field: aws.String("host-header"), HostHeaderConfig: &elbtypes.HostHeaderConditionConfig{Values: []string{"b.*.com"}}}},
		Actions:    forwardTo(tgB)}); err != nil {
		t.Fatal(err)
	}
	pathRule(t, c, listener, 30, "/weighted", []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, ForwardConfig: &elbtypes.ForwardActionConfig{
		TargetGroups: []elbtypes.TargetGroupTuple{{TargetGroupArn: &tgA, Weight: aws.Int32(0)}, {TargetGroupArn: &tgB, Weight: aws.Int32(5)}}}}})
	pathRule(t, c, listener, 31, "/split", []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, ForwardConfig: &elbtypes.ForwardActionConfig{
		TargetGroups:                []elbtypes.TargetGroupTuple{{TargetGroupArn: &tgA, Weight: aws.Int32(1)}, {TargetGroupArn: &tgB, Weight: aws.Int32(1)}},
		TargetGroupStickinessConfig: &elbtypes.TargetGroupStickinessConfig{Enabled: aws.Bool(false)}}}})
	pathRule(t, c, listener, 40, "/old/*", []elbtypes.Action{{Type: elbtypes.ActionTypeEnumRedirect, RedirectConfig: &elbtypes.RedirectActionConfig{
		Protocol: aws.String("HTTPS"), Port: aws.String("443"), Path: aws.String("/new/#{path}"), StatusCode: elbtypes.RedirectActionStatusCodeEnumHttp301}}})
	pathRule(t, c, listener, 50, "/empty", forwardTo(tgEmpty))

	_, err = c.CreateRule(ctx, &elb.CreateRuleInput{ListenerArn: &listener, Priority: aws.Int32(10),
		Conditions: []elbtypes.RuleCondition{{Field: aws.String("path-pattern"), Values: []string{"/x"}}}, Actions: forwardTo(tgA)})
	if e := expectAPIError(t, err, "PriorityInUse", 400); e.Message != "Priority '10' is currently in use" {
		t.Errorf("message %q", e.Message)
	}
	_, err = c.CreateRule(ctx, &elb.CreateRuleInput{ListenerArn: &listener, Priority: aws.Int32(99),
		Conditions: []elbtypes.RuleCondition{{Field: aws.String("path-pattern"), PathPatternConfig: &elbtypes.PathPatternConditionConfig{Values: []string{"/1", "/2", "/3", "/4", "/5", "/6"}}}},
		Actions:    forwardTo(tgA)})
	if e := expectAPIError(t, err, "ValidationError", 400); e.Message != "A rule can only have '5' condition values" {
		t.Errorf("message %q", e.Message)
	}
	_, err = c.DeleteTargetGroup(ctx, &elb.DeleteTargetGroupInput{TargetGroupArn: &tgA})
	if e := expectAPIError(t, err, "ResourceInUse", 400); e.Message != "Target group '"+tgA+"' is currently in use by a listener or a rule" {
		t.Errorf("message %q", e.Message)
	}

	rules, err := c.DescribeRules(ctx, &elb.DescribeRulesInput{ListenerArn: &listener})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(rules.Rules); n != 7 || aws.ToString(rules.Rules[0].Priority) != "10" || !aws.ToBool(rules.Rules[n-1].IsDefault) || aws.ToString(rules.Rules[n-1].Priority) != "default" {
		t.Errorf("rules: %d, first %s", n, aws.ToString(rules.Rules[0].Priority))
	}

	// Path rule, through the edge and on the listener's own port.
	res, body := albGet(t, env, dns, "GET", "/api/users?x=1", nil)
	if res.StatusCode != 200 || body != "a /api/users?x=1" {
		t.Errorf("/api/users: %d %q", res.StatusCode, body)
	}
	if got := res.Header.Get("X-Got-Forwarded-For"); got != "127.0.0.1" {
		t.Errorf("X-Forwarded-For %q", got)
	}
	if res.Header.Get("X-Got-Forwarded-Proto") != "http" || res.Header.Get("X-Got-Forwarded-Port") != strconv.Itoa(int(port)) ||
		!strings.HasPrefix(res.Header.Get("X-Got-Trace"), "Root=1-") || res.Header.Get("X-Got-Host") != dns {
		t.Errorf("forwarded headers: %v", res.Header)
	}
	direct, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/api/direct", port))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(direct.Body)
	direct.Body.Close()
	if string(b) != "a /api/direct" {
		t.Errorf("listener port: %d %q", direct.StatusCode, b)
	}
	// Host rule (case-insensitive), and the default action.
	// The edge finds a load balancer by its DNS name: a request with
	// another Host reaches it on the listener's own port.
	req, _ := http.NewRequest("GET", fmt.Sprintf("http://127.0.0.1:%d/", port), nil)
	req.Host = "B.example.COM"
	hres, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	hb, _ := io.ReadAll(hres.Body)
	hres.Body.Close()
	if string(hb) != "b /" {
		t.Errorf("host rule: %d %q", hres.StatusCode, hb)
	}
	if res, body := albGet(t, env, dns, "GET", "/nowhere", nil); res.StatusCode != 404 || body != "no route" || res.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Errorf("default: %d %q %v", res.StatusCode, body, res.Header)
	}
	// Weighted forward: weight 0 gets nothing; equal weights share.
	seen := map[string]int{}
	for range 40 {
		_, body := albGet(t, env, dns, "GET", "/weighted", nil)
		seen[body[:1]]++
	}
	if seen["a"] != 0 || seen["b"] != 40 {
		t.Errorf("weighted 0/5: %v", seen)
	}
	seen = map[string]int{}
	for range 60 {
		_, body := albGet(t, env, dns, "GET", "/split", nil)
		seen[body[:1]]++
	}
	if seen["a"] == 0 || seen["b"] == 0 {
		t.Errorf("weighted 1/1: %v", seen)
	}
	// Redirect, with the request's components in the placeholders.
	if res, _ := albGet(t, env, dns, "GET", "/old/page?q=1", nil); res.StatusCode != 301 ||
		res.Header.Get("Location") != "https://"+dns+"/new/old/page?q=1" {
		t.Errorf("redirect: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	// A target group with no targets: 503, ALB's HTML page.
	if res, body := albGet(t, env, dns, "GET", "/empty", nil); res.StatusCode != 503 || res.Header.Get("Content-Type") != "text/html" ||
		body != "<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n</body>\r\n</html>\r\n" {
		t.Errorf("empty: %d %q", res.StatusCode, body)
	}

	// A target that is gone: 502.
	dead := freePort(t)
	if _, err := c.DeregisterTargets(ctx, &elb.DeregisterTargetsInput{TargetGroupArn: &tgA, Targets: []elbtypes.TargetDescription{{Id: aws.String("127.0.0.1"), Port: aws.Int32(portA)}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.RegisterTargets(ctx, &elb.RegisterTargetsInput{TargetGroupArn: &tgA, Targets: []elbtypes.TargetDescription{{Id: aws.String("127.0.0.1"), Port: aws.Int32(dead)}}}); err != nil {
		t.Fatal(err)
	}
	if res, _ := albGet(t, env, dns, "GET", "/api/x", nil); res.StatusCode != 502 {
		t.Errorf("dead target: %d", res.StatusCode)
	}

	// Deleting the load balancer takes its listeners (and their port).
	if _, err := c.DeleteLoadBalancer(ctx, &elb.DeleteLoadBalancerInput{LoadBalancerArn: lb.LoadBalancerArn}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DescribeListeners(ctx, &elb.DescribeListenersInput{ListenerArns: []string{listener}})
	expectAPIError(t, err, "ListenerNotFound", 400)
	if _, err := c.DeleteTargetGroup(ctx, &elb.DeleteTargetGroupInput{TargetGroupArn: &tgA}); err != nil {
		t.Errorf("delete target group after its listener: %v", err)
	}
}

func TestELBv2LambdaTargets(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "python3")
	env := e2e.Start(t)
	lc := lambdaClient(t, env)
	c := elb.NewFromConfig(env.Config)
	ctx := context.Background()
	code := "import json\n\ndef handler(event, context):\n" +
		"    return {'statusCode': 201, 'statusDescription': '201 Created', 'isBase64Encoded': False,\n" +
		"            'headers': {'content-type': 'application/json', 'x-mode': 'single'},\n" +
		"            'multiValueHeaders': {'content-type': ['application/json'], 'x-mode': ['multi', 'twice']},\n" +
		"            'body': json.dumps(event)}\n"
	fn, err := lc.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("alb-fn"), Runtime: lambdatypes.RuntimePython312,
		Handler: aws.String("app.handler"), Role: aws.String(lambdaRole),
		Code: &lambdatypes.FunctionCode{ZipFile: zipOf(t, zipEntry{name: "app.py", body: []byte(code)})}})
	if err != nil {
		t.Fatal(err)
	}
	fnARN := aws.ToString(fn.FunctionArn)
	tgOut, err := c.CreateTargetGroup(ctx, &elb.CreateTargetGroupInput{Name: aws.String("fn-tg"), TargetType: elbtypes.TargetTypeEnumLambda})
	if err != nil {
		t.Fatal(err)
	}
	tg := tgOut.TargetGroups[0]
	if aws.ToBool(tg.HealthCheckEnabled) || aws.ToInt32(tg.HealthCheckIntervalSeconds) != 35 || aws.ToInt32(tg.HealthCheckTimeoutSeconds) != 30 {
		t.Errorf("lambda target group health check defaults: %+v", tg)
	}
	tgARN := aws.ToString(tg.TargetGroupArn)
	// Without the function's permission the target is refused.
	_, err = c.RegisterTargets(ctx, &elb.RegisterTargetsInput{TargetGroupArn: &tgARN, Targets: []elbtypes.TargetDescription{{Id: &fnARN}}})
	if e := expectAPIError(t, err, "AccessDenied", 403); !strings.HasPrefix(e.Message, "elasticloadbalancing principal does not have permission to invoke "+fnARN) {
		t.Errorf("message %q", e.Message)
	}
	if _, err := lc.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("alb-fn"), StatementId: aws.String("elb"),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("elasticloadbalancing.amazonaws.com"), SourceArn: &tgARN}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.RegisterTargets(ctx, &elb.RegisterTargetsInput{TargetGroupArn: &tgARN, Targets: []elbtypes.TargetDescription{{Id: &fnARN}}}); err != nil {
		t.Fatal(err)
	}
	lb, err := c.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("fn-lb")})
	if err != nil {
		t.Fatal(err)
	}
	dns := aws.ToString(lb.LoadBalancers[0].DNSName)
	if _, err := c.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: lb.LoadBalancers[0].LoadBalancerArn,
		Protocol: elbtypes.ProtocolEnumHttp, Port: aws.Int32(freePort(t)), DefaultActions: forwardTo(tgARN)}); err != nil {
		t.Fatal(err)
	}
	type event struct {
		RequestContext struct {
			ELB struct{ TargetGroupArn string }
		}
		HTTPMethod                      string
		Path                            string
		QueryStringParameters           map[string]string
		MultiValueQueryStringParameters map[string][]string
		Headers                         map[string]string
		MultiValueHeaders               map[string][]string
		Body                            string
		IsBase64Encoded                 bool
	}
	call := func() (*http.Response, event) {
		t.Helper()
		req, _ := http.NewRequest("GET", env.Endpoint+"/hello?a=1&a=2&b=x%20y", nil)
		req.Host = dns
		req.Header.Add("X-Multi", "one")
		req.Header.Add("X-Multi", "two")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		var ev event
		if err := json.Unmarshal(b, &ev); err != nil {
			t.Fatalf("%d %s", res.StatusCode, b)
		}
		return res, ev
	}
	res, ev := call()
	if res.StatusCode != 201 || res.Header.Get("X-Mode") != "single" || res.Header.Get("Content-Type") != "application/json" {
		t.Errorf("response %d %v", res.StatusCode, res.Header)
	}
	if ev.RequestContext.ELB.TargetGroupArn != tgARN || ev.HTTPMethod != "GET" || ev.Path != "/hello" ||
		ev.QueryStringParameters["a"] != "2" || ev.QueryStringParameters["b"] != "x%20y" || ev.Headers["x-multi"] != "two" ||
		ev.Headers["host"] != dns || ev.Headers["x-forwarded-for"] == "" || ev.MultiValueHeaders != nil || ev.IsBase64Encoded {
		t.Errorf("single-value event: %+v", ev)
	}

	if _, err := c.ModifyTargetGroupAttributes(ctx, &elb.ModifyTargetGroupAttributesInput{TargetGroupArn: &tgARN,
		Attributes: []elbtypes.TargetGroupAttribute{{Key: aws.String("lambda.multi_value_headers.enabled"), Value: aws.String("true")}}}); err != nil {
		t.Fatal(err)
	}
	res, ev = call()
	if got := res.Header.Values("X-Mode"); len(got) != 2 || got[0] != "multi" || got[1] != "twice" {
		t.Errorf("multi-value response headers: %v", res.Header)
	}
	if fmt.Sprint(ev.MultiValueQueryStringParameters["a"]) != "[1 2]" || fmt.Sprint(ev.MultiValueHeaders["x-multi"]) != "[one two]" || ev.Headers != nil {
		t.Errorf("multi-value event: %+v", ev)
	}
	health, err := c.DescribeTargetHealth(ctx, &elb.DescribeTargetHealthInput{TargetGroupArn: &tgARN})
	if err != nil {
		t.Fatal(err)
	}
	if h := health.TargetHealthDescriptions[0].TargetHealth; h.State != elbtypes.TargetHealthStateEnumUnavailable || h.Reason != elbtypes.TargetHealthReasonEnumHealthCheckDisabled {
		t.Errorf("lambda target health: %+v", h)
	}
}

func TestELBv2HealthChecks(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithFakeClock())
	c := elb.NewFromConfig(env.Config)
	ctx := context.Background()
	_, live := backend(t, "live")
	dead := freePort(t)
	sickSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) }))
	t.Cleanup(sickSrv.Close)
	sick := int32(sickSrv.Listener.Addr().(*net.TCPAddr).Port)
	tgOut, err := c.CreateTargetGroup(ctx, &elb.CreateTargetGroupInput{Name: aws.String("hc"), Protocol: elbtypes.ProtocolEnumHttp,
		Port: aws.Int32(80), VpcId: aws.String("vpc-1"), TargetType: elbtypes.TargetTypeEnumIp,
		HealthCheckPath: aws.String("/health"), HealthCheckIntervalSeconds: aws.Int32(10), HealthyThresholdCount: aws.Int32(2), UnhealthyThresholdCount: aws.Int32(2)})
	if err != nil {
		t.Fatal(err)
	}
	tg := aws.ToString(tgOut.TargetGroups[0].TargetGroupArn)
	if _, err := c.RegisterTargets(ctx, &elb.RegisterTargetsInput{TargetGroupArn: &tg, Targets: []elbtypes.TargetDescription{
		{Id: aws.String("127.0.0.1"), Port: aws.Int32(live)}, {Id: aws.String("127.0.0.1"), Port: aws.Int32(dead)},
		{Id: aws.String("127.0.0.1"), Port: aws.Int32(sick)}}}); err != nil {
		t.Fatal(err)
	}
	states := func() map[int32]elbtypes.TargetHealth {
		t.Helper()
		out, err := c.DescribeTargetHealth(ctx, &elb.DescribeTargetHealthInput{TargetGroupArn: &tg})
		if err != nil {
			t.Fatal(err)
		}
		m := map[int32]elbtypes.TargetHealth{}
		for _, d := range out.TargetHealthDescriptions {
			m[aws.ToInt32(d.Target.Port)] = *d.TargetHealth
		}
		return m
	}
	// Not used by a listener yet: unused.
	if h := states()[live]; h.State != elbtypes.TargetHealthStateEnumUnused || h.Reason != elbtypes.TargetHealthReasonEnumNotInUse {
		t.Errorf("before a listener: %+v", h)
	}
	lb, err := c.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("hc-lb")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: lb.LoadBalancers[0].LoadBalancerArn,
		Protocol: elbtypes.ProtocolEnumHttp, Port: aws.Int32(freePort(t)), DefaultActions: forwardTo(tg)}); err != nil {
		t.Fatal(err)
	}
	if h := states()[live]; h.State != elbtypes.TargetHealthStateEnumInitial || h.Reason != elbtypes.TargetHealthReasonEnumRegistrationInProgress && string(h.Reason) != "Elb.InitialHealthChecking" {
		t.Errorf("after the listener: %+v", h)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		m := states()
		if m[live].State == elbtypes.TargetHealthStateEnumHealthy && m[dead].State == elbtypes.TargetHealthStateEnumUnhealthy &&
			m[sick].State == elbtypes.TargetHealthStateEnumUnhealthy {
			if m[dead].Reason != elbtypes.TargetHealthReasonEnumFailedHealthChecks {
				t.Errorf("dead target: %+v", m[dead])
			}
			if m[sick].Reason != elbtypes.TargetHealthReasonEnumResponseCodeMismatch || aws.ToString(m[sick].Description) != "Health checks failed with these codes: [503]" {
				t.Errorf("sick target: %+v", m[sick])
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("health: live %+v, dead %+v", m[live], m[dead])
		}
		env.Clock.Advance(10 * time.Second)
		time.Sleep(20 * time.Millisecond)
	}
	// Requests go to the healthy target only.
	dns := aws.ToString(lb.LoadBalancers[0].DNSName)
	for range 6 {
		if res, body := albGet(t, env, dns, "GET", "/", nil); res.StatusCode != 200 || !strings.HasPrefix(body, "live") {
			t.Fatalf("%d %q", res.StatusCode, body)
		}
	}
	// A deregistered target drains for the deregistration delay (300
	// seconds by default), then is gone.
	if _, err := c.DeregisterTargets(ctx, &elb.DeregisterTargetsInput{TargetGroupArn: &tg, Targets: []elbtypes.TargetDescription{
		{Id: aws.String("127.0.0.1"), Port: aws.Int32(live)}}}); err != nil {
		t.Fatal(err)
	}
	if h := states()[live]; h.State != elbtypes.TargetHealthStateEnumDraining || h.Reason != elbtypes.TargetHealthReasonEnumDeregistrationInProgress {
		t.Errorf("deregistered: %+v", h)
	}
	env.Clock.Advance(300 * time.Second)
	for {
		m := states()
		if _, ok := m[live]; !ok {
			if len(m) != 2 {
				t.Errorf("after draining: %+v", m)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still draining: %+v", m[live])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestELBv2CLI(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, e2e.AWSCLI)
	env := e2e.Start(t)
	run := func(args ...string) map[string]any {
		t.Helper()
		r := env.CLI(t, append([]string{"elbv2"}, args...)...)
		if r.ExitCode != 0 {
			t.Fatalf("aws elbv2 %v: %s", args, r.Stderr)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(r.Stdout), &m); err != nil {
			t.Fatalf("%s: %v", r.Stdout, err)
		}
		return m
	}
	subnets := env.DefaultNetwork(t).Subnets
	lb := run("create-load-balancer", "--name", "cli-lb", "--subnets", subnets[0], subnets[1])["LoadBalancers"].([]any)[0].(map[string]any)
	tg := run("create-target-group", "--name", "cli-tg", "--protocol", "HTTP", "--port", "80", "--vpc-id", "vpc-1", "--target-type", "ip")["TargetGroups"].([]any)[0].(map[string]any)
	port := strconv.Itoa(int(freePort(t)))
	l := run("create-listener", "--load-balancer-arn", lb["LoadBalancerArn"].(string), "--protocol", "HTTP", "--port", port,
		"--default-actions", "Type=forward,TargetGroupArn="+tg["TargetGroupArn"].(string))["Listeners"].([]any)[0].(map[string]any)
	if strconv.Itoa(int(l["Port"].(float64))) != port || l["Protocol"] != "HTTP" {
		t.Errorf("listener %v", l)
	}
	// No targets: the listener answers 503.
	res, err := http.Get("http://127.0.0.1:" + port + "/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 503 {
		t.Errorf("no targets: %d", res.StatusCode)
	}
	r := env.CLI(t, "elbv2", "delete-target-group", "--target-group-arn", tg["TargetGroupArn"].(string))
	if r.ExitCode == 0 || !strings.Contains(r.Stderr, "ResourceInUse") {
		t.Errorf("delete-target-group in use: %d %s", r.ExitCode, r.Stderr)
	}
}

func TestELBv2IdleTimeout(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := elb.NewFromConfig(env.Config)
	ctx := context.Background()
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(slow.Close)
	t.Cleanup(func() { close(release) })
	port := int32(slow.Listener.Addr().(*net.TCPAddr).Port)
	tg := ipTargetGroup(t, c, "slow", port)
	lb, err := c.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("slow-lb")})
	if err != nil {
		t.Fatal(err)
	}
	lbARN := lb.LoadBalancers[0].LoadBalancerArn
	if _, err := c.ModifyLoadBalancerAttributes(ctx, &elb.ModifyLoadBalancerAttributesInput{LoadBalancerArn: lbARN,
		Attributes: []elbtypes.LoadBalancerAttribute{{Key: aws.String("idle_timeout.timeout_seconds"), Value: aws.String("1")}}}); err != nil {
		t.Fatal(err)
	}
	_, err = c.ModifyLoadBalancerAttributes(ctx, &elb.ModifyLoadBalancerAttributesInput{LoadBalancerArn: lbARN,
		Attributes: []elbtypes.LoadBalancerAttribute{{Key: aws.String("no.such.attribute"), Value: aws.String("1")}}})
	expectAPIError(t, err, "ValidationError", 400)
	if _, err := c.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: lbARN, Protocol: elbtypes.ProtocolEnumHttp,
		Port: aws.Int32(freePort(t)), DefaultActions: forwardTo(tg)}); err != nil {
		t.Fatal(err)
	}
	res, body := albGet(t, env, aws.ToString(lb.LoadBalancers[0].DNSName), "GET", "/", nil)
	if res.StatusCode != 504 || !strings.Contains(body, "<h1>504 Gateway Timeout</h1>") || res.Header.Get("Server") != "awselb/2.0" {
		t.Errorf("idle timeout: %d %q", res.StatusCode, body)
	}
}

// TestELBv2IdleTimeoutIsIdle: the idle timeout bounds the time no byte
// moves, not the whole exchange: a target that streams its answer in
// pieces, each within the timeout, is answered in full even when the
// answer takes longer than the timeout.
func TestELBv2IdleTimeoutIsIdle(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := elb.NewFromConfig(env.Config)
	ctx := context.Background()
	// 3.5 s of gaps, each well under the 3 s timeout even when a loaded
	// machine is late by a second or two to write a piece.
	const pieces, gap = 8, 500 * time.Millisecond
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for i := range pieces {
			if i > 0 {
				select {
				case <-time.After(gap):
				case <-r.Context().Done():
					return
				}
			}
			fmt.Fprintf(w, "piece %d\n", i)
			w.(http.Flusher).Flush()
		}
	}))
	t.Cleanup(slow.Close)
	port := int32(slow.Listener.Addr().(*net.TCPAddr).Port)
	tg := ipTargetGroup(t, c, "stream", port)
	lb, err := c.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("stream-lb")})
	if err != nil {
		t.Fatal(err)
	}
	lbARN := lb.LoadBalancers[0].LoadBalancerArn
	if _, err := c.ModifyLoadBalancerAttributes(ctx, &elb.ModifyLoadBalancerAttributesInput{LoadBalancerArn: lbARN,
		Attributes: []elbtypes.LoadBalancerAttribute{{Key: aws.String("idle_timeout.timeout_seconds"), Value: aws.String("3")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: lbARN, Protocol: elbtypes.ProtocolEnumHttp,
		Port: aws.Int32(freePort(t)), DefaultActions: forwardTo(tg)}); err != nil {
		t.Fatal(err)
	}
	want := ""
	for i := range pieces {
		want += fmt.Sprintf("piece %d\n", i)
	}
	res, body := albGet(t, env, aws.ToString(lb.LoadBalancers[0].DNSName), "GET", "/", nil)
	if res.StatusCode != 200 || body != want {
		t.Errorf("streamed answer: %d %q", res.StatusCode, body)
	}
}

func TestELBv2Pagination(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := elb.NewFromConfig(env.Config)
	ctx := context.Background()
	for _, n := range []string{"p1", "p2", "p3"} {
		if _, err := c.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String(n)}); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	p := elb.NewDescribeLoadBalancersPaginator(c, &elb.DescribeLoadBalancersInput{PageSize: aws.Int32(2)})
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, lb := range out.LoadBalancers {
			names = append(names, aws.ToString(lb.LoadBalancerName))
			if lb.State.Code != elbtypes.LoadBalancerStateEnumActive {
				t.Errorf("%s is %s", aws.ToString(lb.LoadBalancerName), lb.State.Code)
			}
		}
	}
	if pages != 2 || strings.Join(names, ",") != "p1,p2,p3" {
		t.Errorf("%d pages: %v", pages, names)
	}
	_, err := c.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{PageSize: aws.Int32(401)})
	expectAPIError(t, err, "ValidationError", 400)
}

func TestELBv2RulesAndTags(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := elb.NewFromConfig(env.Config)
	ctx := context.Background()
	lb, err := c.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("rules"), Scheme: elbtypes.LoadBalancerSchemeEnumInternal})
	if err != nil {
		t.Fatal(err)
	}
	dns := aws.ToString(lb.LoadBalancers[0].DNSName)
	if !strings.HasPrefix(dns, "internal-rules-") {
		t.Errorf("internal load balancer's DNS name %s", dns)
	}
	fixed := func(body string) []elbtypes.Action {
		return []elbtypes.Action{{Type: elbtypes.ActionTypeEnumFixedResponse,
			FixedResponseConfig: &elbtypes.FixedResponseActionConfig{StatusCode: aws.String("200"), MessageBody: aws.String(body)}}}
	}
	l, err := c.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: lb.LoadBalancers[0].LoadBalancerArn,
		Protocol: elbtypes.ProtocolEnumHttp, Port: aws.Int32(freePort(t)), DefaultActions: fixed("default")})
	if err != nil {
		t.Fatal(err)
	}
	listener := aws.ToString(l.Listeners[0].ListenerArn)
	mk := func(prio int32, conds []elbtypes.RuleCondition, body string) string {
		t.Helper()
		out, err := c.CreateRule(ctx, &elb.CreateRuleInput{ListenerArn: &listener, Priority: aws.Int32(prio), Conditions: conds, Actions: fixed(body)})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.Rules[0].RuleArn)
	}
	wide := mk(10, []elbtypes.RuleCondition{{Field: aws.String("path-pattern"), Values: []string{"/*"}}}, "wide")
	narrow := mk(20, []elbtypes.RuleCondition{
		{Field: aws.String("path-pattern"), Values: []string{"/narrow"}},
		{Field: aws.String("http-request-method"), HttpRequestMethodConfig: &elbtypes.HttpRequestMethodConditionConfig{Values: []string{"POST"}}},
		{Field: aws.String("http-header"), HttpHeaderConfig: &elbtypes.HttpHeaderConditionConfig{HttpHeaderName: aws.String("X-Env"), Values: []string{"prod*"}}},
		{Field: aws.String("query-string"), QueryStringConfig: &elbtypes.QueryStringConditionConfig{Values: []elbtypes.QueryStringKeyValuePair{{Key: aws.String("v"), Value: aws.String("2")}}}},
	}, "narrow")
	post := map[string]string{"X-Env": "production"}
	if _, body := albGet(t, env, dns, "POST", "/narrow?v=2", post); body != "wide" {
		t.Errorf("priority 10 first: %q", body)
	}
	// SetRulePriorities: the narrow rule goes first.
	if _, err := c.SetRulePriorities(ctx, &elb.SetRulePrioritiesInput{RulePriorities: []elbtypes.RulePriorityPair{
		{RuleArn: &narrow, Priority: aws.Int32(5)}}}); err != nil {
		t.Fatal(err)
	}
	if _, body := albGet(t, env, dns, "POST", "/narrow?v=2", post); body != "narrow" {
		t.Errorf("after SetRulePriorities: %q", body)
	}
	for _, tc := range []struct {
		method, path string
		header       map[string]string
	}{{"GET", "/narrow?v=2", post}, {"POST", "/narrow?v=3", post}, {"POST", "/narrow?v=2", map[string]string{"X-Env": "dev"}}} {
		if _, body := albGet(t, env, dns, tc.method, tc.path, tc.header); body != "wide" {
			t.Errorf("%s %s %v: %q", tc.method, tc.path, tc.header, body)
		}
	}
	_, err = c.SetRulePriorities(ctx, &elb.SetRulePrioritiesInput{RulePriorities: []elbtypes.RulePriorityPair{{RuleArn: &wide, Priority: aws.Int32(5)}}})
	expectAPIError(t, err, "PriorityInUse", 400)
	// ModifyRule: the wide rule now matches /api/* only.
	if _, err := c.ModifyRule(ctx, &elb.ModifyRuleInput{RuleArn: &wide,
		Conditions: []elbtypes.RuleCondition{{Field: aws.String("path-pattern"), PathPatternConfig: &elbtypes.PathPatternConditionConfig{Values: []string{"/api/*"}}}}}); err != nil {
		t.Fatal(err)
	}
	// AWS's name for the load balancer reaches it too.
	awsName := strings.TrimSuffix(dns, ".elb.localhost") + ".elb.amazonaws.com"
	if _, body := albGet(t, env, awsName, "GET", "/else", nil); body != "default" {
		t.Errorf("after ModifyRule: %q", body)
	}
	rules, err := c.DescribeRules(ctx, &elb.DescribeRulesInput{RuleArns: []string{wide}})
	if err != nil {
		t.Fatal(err)
	}
	if cond := rules.Rules[0].Conditions[0]; fmt.Sprint(cond.Values) != "[/api/*]" || fmt.Sprint(cond.PathPatternConfig.Values) != "[/api/*]" {
		t.Errorf("described condition: %+v", cond)
	}
	// The default rule can be neither modified nor deleted.
	all, err := c.DescribeRules(ctx, &elb.DescribeRulesInput{ListenerArn: &listener})
	if err != nil {
		t.Fatal(err)
	}
	def := all.Rules[len(all.Rules)-1].RuleArn
	_, err = c.DeleteRule(ctx, &elb.DeleteRuleInput{RuleArn: def})
	expectAPIError(t, err, "OperationNotPermitted", 400)
	if _, err := c.DeleteRule(ctx, &elb.DeleteRuleInput{RuleArn: &wide}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteRule(ctx, &elb.DeleteRuleInput{RuleArn: &wide})
	expectAPIError(t, err, "RuleNotFound", 400)

	// Tags on a listener.
	if _, err := c.AddTags(ctx, &elb.AddTagsInput{ResourceArns: []string{listener}, Tags: []elbtypes.Tag{
		{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("b"), Value: aws.String("2")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.RemoveTags(ctx, &elb.RemoveTagsInput{ResourceArns: []string{listener}, TagKeys: []string{"a"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.DescribeTags(ctx, &elb.DescribeTagsInput{ResourceArns: []string{listener}})
	if err != nil || len(tags.TagDescriptions[0].Tags) != 1 || aws.ToString(tags.TagDescriptions[0].Tags[0].Key) != "b" {
		t.Errorf("tags: %+v %v", tags, err)
	}
	_, err = c.AddTags(ctx, &elb.AddTagsInput{ResourceArns: []string{listener}, Tags: []elbtypes.Tag{
		{Key: aws.String("k"), Value: aws.String("1")}, {Key: aws.String("k"), Value: aws.String("2")}}})
	expectAPIError(t, err, "DuplicateTagKeys", 400)
}

func TestELBv2HTTPSListener(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := elb.NewFromConfig(env.Config)
	ctx := context.Background()
	lb, err := c.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("tls")})
	if err != nil {
		t.Fatal(err)
	}
	ok := []elbtypes.Action{{Type: elbtypes.ActionTypeEnumFixedResponse,
		FixedResponseConfig: &elbtypes.FixedResponseActionConfig{StatusCode: aws.String("200"), MessageBody: aws.String("tls")}}}
	_, err = c.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: lb.LoadBalancers[0].LoadBalancerArn,
		Protocol: elbtypes.ProtocolEnumHttps, Port: aws.Int32(freePort(t)), DefaultActions: ok})
	if e := expectAPIError(t, err, "ValidationError", 400); e.Message != "A certificate must be specified for HTTPS listeners" {
		t.Errorf("message %q", e.Message)
	}
	// A certificate ACM does not keep is refused.
	missing := "arn:aws:acm:us-east-1:000000000000:certificate/00000000-0000-0000-0000-000000000001"
	_, err = c.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: lb.LoadBalancers[0].LoadBalancerArn,
		Protocol: elbtypes.ProtocolEnumHttps, Port: aws.Int32(freePort(t)), DefaultActions: ok,
		Certificates: []elbtypes.Certificate{{CertificateArn: aws.String(missing)}}})
	if e := expectAPIError(t, err, "CertificateNotFound", 400); e.Message != "Certificate '"+missing+"' not found" {
		t.Errorf("message %q", e.Message)
	}
	cert := []elbtypes.Certificate{{CertificateArn: aws.String(env.Certificate(t, "tls.example.com"))}}
	_, err = c.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: lb.LoadBalancers[0].LoadBalancerArn,
		Protocol: elbtypes.ProtocolEnumHttp, Port: aws.Int32(freePort(t)), DefaultActions: ok, Certificates: cert})
	if e := expectAPIError(t, err, "ValidationError", 400); e.Message != "A certificate cannot be specified for HTTP listeners" {
		t.Errorf("message %q", e.Message)
	}
	// An HTTPS listener is served as plain HTTP on its port.
	port := freePort(t)
	l, err := c.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: lb.LoadBalancers[0].LoadBalancerArn,
		Protocol: elbtypes.ProtocolEnumHttps, Port: aws.Int32(port), DefaultActions: ok, Certificates: cert})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(l.Listeners[0].SslPolicy) != "ELBSecurityPolicy-2016-08" {
		t.Errorf("ssl policy %q", aws.ToString(l.Listeners[0].SslPolicy))
	}
	res, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/", port))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if string(b) != "tls" {
		t.Errorf("%d %q", res.StatusCode, b)
	}
	_, err = c.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: lb.LoadBalancers[0].LoadBalancerArn,
		Protocol: elbtypes.ProtocolEnumHttp, Port: aws.Int32(port), DefaultActions: ok})
	expectAPIError(t, err, "DuplicateListener", 400)
	// ModifyListener checks the certificates it is given, and keeps the
	// listener's when one is not found.
	_, err = c.ModifyListener(ctx, &elb.ModifyListenerInput{ListenerArn: l.Listeners[0].ListenerArn,
		Certificates: []elbtypes.Certificate{{CertificateArn: aws.String(missing)}}})
	if e := expectAPIError(t, err, "CertificateNotFound", 400); e.Message != "Certificate '"+missing+"' not found" {
		t.Errorf("message %q", e.Message)
	}
	other := env.Certificate(t, "*.example.com")
	m, err := c.ModifyListener(ctx, &elb.ModifyListenerInput{ListenerArn: l.Listeners[0].ListenerArn,
		Certificates: []elbtypes.Certificate{{CertificateArn: aws.String(other)}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(m.Listeners[0].Certificates[0].CertificateArn); got != other {
		t.Errorf("certificate %q, want %q", got, other)
	}
	// ACM names the load balancer among the certificate's users, and
	// keeps the certificate while it is in use.
	certs := acm.NewFromConfig(env.Config)
	d, err := certs.DescribeCertificate(ctx, &acm.DescribeCertificateInput{CertificateArn: &other})
	if err != nil || !slices.Equal(d.Certificate.InUseBy, []string{aws.ToString(lb.LoadBalancers[0].LoadBalancerArn)}) {
		t.Errorf("InUseBy: %+v %v", d, err)
	}
	_, err = certs.DeleteCertificate(ctx, &acm.DeleteCertificateInput{CertificateArn: &other})
	expectAPIError(t, err, "ResourceInUseException", 400)
}
