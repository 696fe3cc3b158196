package e2e_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/virga/virga/internal/config"
	"github.com/virga/virga/internal/e2e"
)

// TestELBv2SurvivesRestart checks that load balancers, target groups,
// listeners and rules are in the store, and that listeners bind their
// ports again when virga starts.
func TestELBv2SurvivesRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	onDisk := e2e.WithConfig(func(cfg *config.Config) { cfg.DataDir, cfg.InMemory = dir, false })
	start := func() (*e2e.Env, *elb.Client) {
		env := e2e.Start(t, onDisk)
		return env, elb.NewFromConfig(env.Config)
	}
	ctx := context.Background()
	a, c := start()
	_, backendPort := backend(t, "kept")
	tg := ipTargetGroup(t, c, "kept", backendPort)
	lb, err := c.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("kept"),
		Tags: []elbtypes.Tag{{Key: aws.String("team"), Value: aws.String("web")}}})
	if err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	l, err := c.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: lb.LoadBalancers[0].LoadBalancerArn, Protocol: elbtypes.ProtocolEnumHttp,
		Port: aws.Int32(port), DefaultActions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumFixedResponse,
			FixedResponseConfig: &elbtypes.FixedResponseActionConfig{StatusCode: aws.String("200"), MessageBody: aws.String("default")}}}})
	if err != nil {
		t.Fatal(err)
	}
	pathRule(t, c, aws.ToString(l.Listeners[0].ListenerArn), 1, "/app/*", forwardTo(tg))
	a.Stop(t)

	a, c = start()
	get := func(path string) string {
		t.Helper()
		res, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d%s", port, path))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return string(b)
	}
	if got := get("/app/x"); got != "kept /app/x" {
		t.Errorf("rule after restart: %q", got)
	}
	if got := get("/"); got != "default" {
		t.Errorf("default after restart: %q", got)
	}
	tags, err := c.DescribeTags(ctx, &elb.DescribeTagsInput{ResourceArns: []string{aws.ToString(lb.LoadBalancers[0].LoadBalancerArn)}})
	if err != nil || len(tags.TagDescriptions[0].Tags) != 1 || aws.ToString(tags.TagDescriptions[0].Tags[0].Value) != "web" {
		t.Errorf("tags after restart: %+v %v", tags, err)
	}
}
