package apigatewayv2

import (
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/virga/virga/internal/clock"
)

// fakeListener is one load balancer listener, which answers with the
// request it got.
type fakeListener struct{ arn string }

func (f *fakeListener) ServeListener(w http.ResponseWriter, r *http.Request, arn string) error {
	if arn != f.arn {
		return errListenerGone
	}
	w.Header().Set("X-Listener-Host", r.Host)
	w.WriteHeader(http.StatusAccepted)
	io.WriteString(w, r.Method+" "+r.URL.RequestURI())
	return nil
}

// TestPrivateIntegration sends requests through a VPC link to a
// listener: the path as the client sent it (a named stage's name
// included, unless overwrite:path maps it away), the client's Host, and
// 500 once the listener is gone.
func TestPrivateIntegration(t *testing.T) {
	t.Parallel()
	h := &harness{t: t, dir: t.TempDir(), clock: clock.NewFake(testEpoch), fns: &fakeFunctions{}, ctx: context.Background(),
		listeners: &fakeListener{arn: testListener}}
	h.open()
	t.Cleanup(func() { h.db.Close() })

	link := must(h.s.createVpcLink(h.ctx, &CreateVpcLinkRequest{Name: ptr("l"), SubnetIds: []string{"subnet-1"}}))(t)
	if *link.VpcLinkStatus != vpcLinkPending {
		t.Errorf("created %+v", link)
	}
	h.restart()
	got := must(h.s.getVpcLink(h.ctx, &GetVpcLinkRequest{VpcLinkId: link.VpcLinkId}))(t)
	if *got.VpcLinkStatus != vpcLinkAvailable || *got.Name != "l" || got.SubnetIds[0] != "subnet-1" || len(got.SecurityGroupIds) != 0 {
		t.Errorf("after a restart %+v", got)
	}

	api := h.api(nil)
	integ := func(params map[string]string, uri string) string {
		out := must(h.s.createIntegration(h.ctx, &CreateIntegrationRequest{ApiId: &api, IntegrationType: ptr(IntegrationType("HTTP_PROXY")),
			ConnectionType: ptr(ConnectionType(connectionVpcLink)), ConnectionId: link.VpcLinkId, IntegrationUri: ptr(uri),
			IntegrationMethod: ptr("ANY"), RequestParameters: params}))(t)
		return *out.IntegrationId
	}
	h.route(api, "GET /a/{x}", integ(nil, testListener))
	h.route(api, "GET /b", integ(map[string]string{"overwrite:path": "$request.path"}, testListener))
	gone := testListener[:len(testListener)-1] + "0"
	h.route(api, "GET /gone", integ(nil, gone))
	must(h.s.createStage(h.ctx, &CreateStageRequest{ApiId: &api, StageName: ptr("dev"), AutoDeploy: ptr(true)}))(t)

	r := h.do(api, "GET", "/dev/a/1%202?q=1", nil, nil)
	if r.status != http.StatusAccepted || r.body != "GET /dev/a/1%202?q=1" || r.header.Get("X-Listener-Host") != api+".execute-api.localhost:4566" {
		t.Errorf("through the listener: %d %q %v", r.status, r.body, r.header)
	}
	if r := h.do(api, "GET", "/dev/b", nil, nil); r.body != "GET /b" {
		t.Errorf("overwrite:path: %d %q", r.status, r.body)
	}
	if r := h.do(api, "GET", "/dev/gone", nil, nil); r.status != 500 || r.body != `{"message":"Internal Server Error"}` {
		t.Errorf("listener gone: %d %q", r.status, r.body)
	}

	_, err := h.s.deleteVpcLink(h.ctx, &DeleteVpcLinkRequest{VpcLinkId: link.VpcLinkId})
	wantErr(t, err, "ConflictException", *link.VpcLinkId)
	_, err = h.s.updateVpcLink(h.ctx, &UpdateVpcLinkRequest{VpcLinkId: ptr("nope"), Name: ptr("x")})
	wantErr(t, err, "NotFoundException", "Invalid VpcLink identifier specified nope")
}

func TestIsListenerARN(t *testing.T) {
	t.Parallel()
	for arn, want := range map[string]bool{
		testListener: true,
		"arn:aws:elasticloadbalancing:us-east-1:000000000000:listener/net/n/50dc6c495c0c9188/f2f7dc8efc522ab2":      true,
		"arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/app/web/50dc6c495c0c9188":                 false,
		"arn:aws:elasticloadbalancing:us-east-1:000000000000:listener-rule/app/web/50dc6c495c0c9188/f2f7dc8efc52/1": false,
		"arn:aws:elasticloadbalancing:us-east-1:000000000000:listener/app/web//f2f7dc8efc522ab2":                    false,
		"http://example.com": false,
		"":                   false,
	} {
		if got := isListenerARN(arn); got != want {
			t.Errorf("isListenerARN(%q) = %v", arn, got)
		}
	}
}
