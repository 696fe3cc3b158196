package elbv2

import (
	"context"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/clock"
)

// TestNetworkTargetGroupHealth checks NLB target groups' health check
// defaults and the settings AWS refuses on them.
func TestNetworkTargetGroupHealth(t *testing.T) {
	s := newTestService(t, clock.NewFake(time.Now()), "-")
	ctx := context.Background()
	create := func(name string, in CreateTargetGroupInput) (*TargetGroup, error) {
		in.Name, in.Port, in.VpcId, in.TargetType = ptr(name), ptr(int32(80)), ptr("vpc-1"), ptr("ip")
		out, err := s.createTargetGroup(ctx, &in)
		if err != nil {
			return nil, err
		}
		return &out.TargetGroups[0], nil
	}
	for _, tc := range []struct {
		name     string
		in       CreateTargetGroupInput
		protocol string
		timeout  int32
		matcher  string // "" when the shape has none
	}{
		{"tcp", CreateTargetGroupInput{Protocol: ptr("TCP")}, "TCP", 10, ""},
		{"udp", CreateTargetGroupInput{Protocol: ptr("UDP")}, "TCP", 10, ""},
		{"tcp-udp-http", CreateTargetGroupInput{Protocol: ptr("TCP_UDP"), HealthCheckProtocol: ptr("HTTP")}, "HTTP", 6, "200-399"},
		{"tcp-https", CreateTargetGroupInput{Protocol: ptr("TCP"), HealthCheckProtocol: ptr("HTTPS"), Matcher: &Matcher{HttpCode: ptr("200-599")}}, "HTTPS", 10, "200-599"},
	} {
		tg, err := create(tc.name, tc.in)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if deref(tg.HealthCheckProtocol) != tc.protocol || deref(tg.HealthCheckTimeoutSeconds) != tc.timeout ||
			deref(tg.HealthCheckIntervalSeconds) != 30 || deref(tg.HealthyThresholdCount) != 5 || deref(tg.UnhealthyThresholdCount) != 2 ||
			(tc.matcher == "") != (tg.Matcher == nil) || tg.Matcher != nil && deref(tg.Matcher.HttpCode) != tc.matcher || tg.ProtocolVersion != nil {
			t.Errorf("%s: %+v", tc.name, tg)
		}
	}
	for _, tc := range []struct {
		name string
		in   CreateTargetGroupInput
	}{
		{"path-on-tcp", CreateTargetGroupInput{Protocol: ptr("TCP"), HealthCheckPath: ptr("/")}},
		{"matcher-on-tcp", CreateTargetGroupInput{Protocol: ptr("TCP"), Matcher: &Matcher{HttpCode: ptr("200")}}},
		{"matcher-600", CreateTargetGroupInput{Protocol: ptr("TCP"), HealthCheckProtocol: ptr("HTTP"), Matcher: &Matcher{HttpCode: ptr("200-600")}}},
		{"tcp-check-on-http", CreateTargetGroupInput{Protocol: ptr("HTTP"), HealthCheckProtocol: ptr("TCP")}},
		{"udp-check", CreateTargetGroupInput{Protocol: ptr("UDP"), HealthCheckProtocol: ptr("UDP")}},
		{"version-on-tcp", CreateTargetGroupInput{Protocol: ptr("TCP"), ProtocolVersion: ptr("HTTP2")}},
	} {
		_, err := create(tc.name, tc.in)
		if ae := apierr.As(err); ae == nil || ae.Code != ErrValidation.Code {
			t.Errorf("%s: %v, want ValidationError", tc.name, err)
		}
	}
}

// TestTCPProbe checks a TCP health check: a listening port passes, a
// closed one fails.
func TestTCPProbe(t *testing.T) {
	s := newTestService(t, clock.NewFake(time.Now()), "-")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := int32(ln.Addr().(*net.TCPAddr).Port)
	hc := healthCheck{Enabled: true, Protocol: "TCP", Port: "traffic-port", TimeoutSeconds: 2}
	if ok, reason, _ := s.probe(context.Background(), target{ID: "127.0.0.1", Port: port}, hc); !ok {
		t.Errorf("listening port: %s", reason)
	}
	ln.Close()
	if ok, reason, _ := s.probe(context.Background(), target{ID: "127.0.0.1", Port: port}, hc); ok || reason != "Target.FailedHealthChecks" {
		t.Errorf("closed port: %v %s", ok, reason)
	}
	hc.Port = strconv.Itoa(int(port))
	if ok, _, _ := s.probe(context.Background(), target{ID: "i-0123", Port: port}, hc); ok {
		t.Error("an instance target passed")
	}
}
