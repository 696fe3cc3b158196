package e2e_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/virga/virga/internal/e2e"
)

// tcpTarget is a TCP server on 127.0.0.1: a connection whose first line
// is an HTTP GET is a health check, answered with status; any other
// connection is echoed, each line prefixed with name, and counted.
type tcpTarget struct {
	name   string
	port   int32
	status atomic.Int32
	conns  atomic.Int32
}

func newTCPTarget(t *testing.T, name string, status int) *tcpTarget {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	tt := &tcpTarget{name: name, port: int32(ln.Addr().(*net.TCPAddr).Port)}
	tt.status.Store(int32(status))
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				r := bufio.NewReader(c)
				for first := true; ; first = false {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					if first && strings.HasPrefix(line, "GET ") {
						code := int(tt.status.Load())
						io.WriteString(c, "HTTP/1.1 "+strconv.Itoa(code)+" X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
						return
					}
					if first {
						tt.conns.Add(1)
					}
					io.WriteString(c, tt.name+":"+line)
				}
			}()
		}
	}()
	return tt
}

// udpEcho is a UDP server on 127.0.0.1 that answers each datagram with
// "udp:" and the datagram.
func udpEcho(t *testing.T) int32 {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 2048)
		for {
			n, addr, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			pc.WriteTo(append([]byte("udp:"), buf[:n]...), addr)
		}
	}()
	return int32(pc.LocalAddr().(*net.UDPAddr).Port)
}

// tcpRoundTrip connects to the port, sends one line and returns the
// line that comes back.
func tcpRoundTrip(t *testing.T, port int32, line string) string {
	t.Helper()
	c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(int(port)), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, line+"\n"); err != nil {
		t.Fatal(err)
	}
	got, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		t.Fatalf("reading through the listener: %v", err)
	}
	return strings.TrimSuffix(got, "\n")
}

func TestNLB(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithFakeClock())
	c := elb.NewFromConfig(env.Config)
	ctx := context.Background()

	lbOut, err := c.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("nlb"), Type: elbtypes.LoadBalancerTypeEnumNetwork,
		Scheme: elbtypes.LoadBalancerSchemeEnumInternal, Subnets: env.DefaultNetwork(t).Subnets[:2]})
	if err != nil {
		t.Fatal(err)
	}
	lb := lbOut.LoadBalancers[0]
	lbARN := aws.ToString(lb.LoadBalancerArn)
	if !regexp.MustCompile(`^arn:aws:elasticloadbalancing:us-east-1:\d{12}:loadbalancer/net/nlb/[0-9a-f]{16}$`).MatchString(lbARN) {
		t.Errorf("ARN %s", lbARN)
	}
	id := lbARN[strings.LastIndex(lbARN, "/")+1:]
	if got := aws.ToString(lb.DNSName); got != "nlb-"+id+".elb.us-east-1.amazonaws.com" {
		t.Errorf("DNSName %s", got)
	}
	if lb.Type != elbtypes.LoadBalancerTypeEnumNetwork || len(lb.SecurityGroups) != 0 || aws.ToString(lb.CanonicalHostedZoneId) != "Z26RNL4JYFTOTI" {
		t.Errorf("load balancer %+v", lb)
	}
	attrs, err := c.DescribeLoadBalancerAttributes(ctx, &elb.DescribeLoadBalancerAttributesInput{LoadBalancerArn: &lbARN})
	if err != nil {
		t.Fatal(err)
	}
	am := map[string]string{}
	for _, a := range attrs.Attributes {
		am[aws.ToString(a.Key)] = aws.ToString(a.Value)
	}
	if am["load_balancing.cross_zone.enabled"] != "false" || am["deletion_protection.enabled"] != "false" {
		t.Errorf("attributes %v", am)
	}
	if _, ok := am["idle_timeout.timeout_seconds"]; ok {
		t.Errorf("an ALB attribute on an NLB: %v", am)
	}
	if _, err := c.ModifyLoadBalancerAttributes(ctx, &elb.ModifyLoadBalancerAttributesInput{LoadBalancerArn: &lbARN,
		Attributes: []elbtypes.LoadBalancerAttribute{{Key: aws.String("load_balancing.cross_zone.enabled"), Value: aws.String("true")}}}); err != nil {
		t.Fatal(err)
	}

	// A TCP target group is checked over TCP with NLB's defaults; this
	// one is checked over HTTP on /health.
	good := newTCPTarget(t, "good", 200)
	sick := newTCPTarget(t, "sick", 503)
	tgOut, err := c.CreateTargetGroup(ctx, &elb.CreateTargetGroupInput{Name: aws.String("echo"), Protocol: elbtypes.ProtocolEnumTcp,
		Port: aws.Int32(7), VpcId: aws.String("vpc-1"), TargetType: elbtypes.TargetTypeEnumIp,
		HealthCheckProtocol: elbtypes.ProtocolEnumHttp, HealthCheckPath: aws.String("/health"), HealthCheckIntervalSeconds: aws.Int32(10)})
	if err != nil {
		t.Fatal(err)
	}
	tg := tgOut.TargetGroups[0]
	if aws.ToInt32(tg.HealthCheckTimeoutSeconds) != 6 || aws.ToString(tg.Matcher.HttpCode) != "200-399" || aws.ToInt32(tg.HealthyThresholdCount) != 5 {
		t.Errorf("HTTP-checked TCP target group %+v", tg)
	}
	echoTG := aws.ToString(tg.TargetGroupArn)
	tcpOut, err := c.CreateTargetGroup(ctx, &elb.CreateTargetGroupInput{Name: aws.String("tcp-checked"), Protocol: elbtypes.ProtocolEnumTcp,
		Port: aws.Int32(7), VpcId: aws.String("vpc-1"), TargetType: elbtypes.TargetTypeEnumIp})
	if err != nil {
		t.Fatal(err)
	}
	tg = tcpOut.TargetGroups[0]
	if tg.HealthCheckProtocol != elbtypes.ProtocolEnumTcp || aws.ToString(tg.HealthCheckPort) != "traffic-port" || aws.ToInt32(tg.HealthCheckIntervalSeconds) != 30 ||
		aws.ToInt32(tg.HealthCheckTimeoutSeconds) != 10 || aws.ToInt32(tg.HealthyThresholdCount) != 5 || aws.ToInt32(tg.UnhealthyThresholdCount) != 2 ||
		tg.Matcher != nil || tg.HealthCheckPath != nil {
		t.Errorf("TCP target group defaults %+v", tg)
	}
	tcpTG := aws.ToString(tg.TargetGroupArn)
	_, err = c.CreateTargetGroup(ctx, &elb.CreateTargetGroupInput{Name: aws.String("bad-matcher"), Protocol: elbtypes.ProtocolEnumTcp,
		Port: aws.Int32(7), VpcId: aws.String("vpc-1"), Matcher: &elbtypes.Matcher{HttpCode: aws.String("200")}})
	if got := apiCode(err); !strings.HasPrefix(got, "ValidationError: ") {
		t.Errorf("a matcher on a TCP health check: %v", err)
	}
	udpOut, err := c.CreateTargetGroup(ctx, &elb.CreateTargetGroupInput{Name: aws.String("udp"), Protocol: elbtypes.ProtocolEnumUdp,
		Port: aws.Int32(53), VpcId: aws.String("vpc-1"), TargetType: elbtypes.TargetTypeEnumIp,
		HealthCheckPort: aws.String(strconv.Itoa(int(good.port)))})
	if err != nil {
		t.Fatal(err)
	}
	udpTG := aws.ToString(udpOut.TargetGroups[0].TargetGroupArn)
	fnTG, err := c.CreateTargetGroup(ctx, &elb.CreateTargetGroupInput{Name: aws.String("fn"), TargetType: elbtypes.TargetTypeEnumLambda})
	if err != nil {
		t.Fatal(err)
	}
	httpTG, err := c.CreateTargetGroup(ctx, &elb.CreateTargetGroupInput{Name: aws.String("http"), Protocol: elbtypes.ProtocolEnumHttp,
		Port: aws.Int32(80), VpcId: aws.String("vpc-1"), TargetType: elbtypes.TargetTypeEnumIp})
	if err != nil {
		t.Fatal(err)
	}

	// Listener checks, as AWS makes them.
	port := freePort(t)
	listener := func(proto elbtypes.ProtocolEnum, port int32, actions []elbtypes.Action, certs ...elbtypes.Certificate) (string, error) {
		out, err := c.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: &lbARN, Protocol: proto, Port: aws.Int32(port),
			DefaultActions: actions, Certificates: certs})
		if err != nil {
			return "", err
		}
		return aws.ToString(out.Listeners[0].ListenerArn), nil
	}
	for _, tc := range []struct {
		proto   elbtypes.ProtocolEnum
		actions []elbtypes.Action
		certs   []elbtypes.Certificate
		want    string
	}{
		{elbtypes.ProtocolEnumTcp, []elbtypes.Action{{Type: elbtypes.ActionTypeEnumFixedResponse,
			FixedResponseConfig: &elbtypes.FixedResponseActionConfig{StatusCode: aws.String("200")}}}, nil, "InvalidLoadBalancerAction"},
		{elbtypes.ProtocolEnumTcp, forwardTo(aws.ToString(httpTG.TargetGroups[0].TargetGroupArn)), nil, "IncompatibleProtocols"},
		{elbtypes.ProtocolEnumTcp, forwardTo(aws.ToString(fnTG.TargetGroups[0].TargetGroupArn)), nil, "IncompatibleProtocols"},
		{elbtypes.ProtocolEnumTcpUdp, forwardTo(tcpTG), nil, "IncompatibleProtocols"},
		{elbtypes.ProtocolEnumUdp, forwardTo(tcpTG), nil, "IncompatibleProtocols"},
		{elbtypes.ProtocolEnumHttp, forwardTo(tcpTG), nil, "ValidationError: Listener protocol 'HTTP' must be one of 'TCP, TLS, UDP, TCP_UDP'"},
		{elbtypes.ProtocolEnumTls, forwardTo(tcpTG), nil, "ValidationError: A certificate must be specified for TLS listeners"},
		{elbtypes.ProtocolEnumTls, forwardTo(tcpTG), []elbtypes.Certificate{{CertificateArn: aws.String(env.Certificate(t, "tls.example.com"))}}, "UnsupportedProtocol"},
	} {
		_, err := listener(tc.proto, port, tc.actions, tc.certs...)
		if got := apiCode(err); !strings.HasPrefix(got, tc.want) {
			t.Errorf("%s listener %+v: %q, want %q", tc.proto, tc.actions[0].Type, got, tc.want)
		}
	}

	echoListener, err := listener(elbtypes.ProtocolEnumTcp, port, forwardTo(echoTG))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateRule(ctx, &elb.CreateRuleInput{ListenerArn: &echoListener, Priority: aws.Int32(1), Actions: forwardTo(echoTG),
		Conditions: []elbtypes.RuleCondition{{Field: aws.String("path-pattern"), Values: []string{"/"}}}}); err == nil {
		t.Error("a rule on an NLB listener")
	}
	tcpPort := freePort(t)
	if _, err := listener(elbtypes.ProtocolEnumTcp, tcpPort, forwardTo(tcpTG)); err != nil {
		t.Fatal(err)
	}
	udpPort := freePort(t)
	if _, err := listener(elbtypes.ProtocolEnumUdp, udpPort, forwardTo(udpTG)); err != nil {
		t.Fatal(err)
	}

	dead := freePort(t)
	udpTarget := udpEcho(t)
	register := func(tg string, ports ...int32) {
		t.Helper()
		var ts []elbtypes.TargetDescription
		for _, p := range ports {
			ts = append(ts, elbtypes.TargetDescription{Id: aws.String("127.0.0.1"), Port: aws.Int32(p)})
		}
		if _, err := c.RegisterTargets(ctx, &elb.RegisterTargetsInput{TargetGroupArn: &tg, Targets: ts}); err != nil {
			t.Fatal(err)
		}
	}
	register(echoTG, good.port, sick.port)
	register(tcpTG, good.port, dead)
	register(udpTG, udpTarget)
	health := func(tg string) map[int32]elbtypes.TargetHealth {
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
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		e, tc, u := health(echoTG), health(tcpTG), health(udpTG)
		if e[good.port].State == elbtypes.TargetHealthStateEnumHealthy && e[sick.port].State == elbtypes.TargetHealthStateEnumUnhealthy &&
			tc[good.port].State == elbtypes.TargetHealthStateEnumHealthy && tc[dead].State == elbtypes.TargetHealthStateEnumUnhealthy &&
			u[udpTarget].State == elbtypes.TargetHealthStateEnumHealthy {
			if e[sick.port].Reason != elbtypes.TargetHealthReasonEnumResponseCodeMismatch || tc[dead].Reason != elbtypes.TargetHealthReasonEnumFailedHealthChecks {
				t.Errorf("unhealthy reasons: %+v %+v", e[sick.port], tc[dead])
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("health: echo %+v, tcp %+v, udp %+v", e, tc, u)
		}
		env.Clock.Advance(10 * time.Second)
	}

	// Bytes go through the TCP listener to the healthy target only.
	for i := range 4 {
		if got := tcpRoundTrip(t, port, "hello "+strconv.Itoa(i)); got != "good:hello "+strconv.Itoa(i) {
			t.Fatalf("through the TCP listener: %q", got)
		}
	}
	if n := sick.conns.Load(); n != 0 {
		t.Errorf("the unhealthy target got %d connections", n)
	}
	if got := tcpRoundTrip(t, tcpPort, "x"); got != "good:x" {
		t.Errorf("through the TCP-checked listener: %q", got)
	}

	// Datagrams go through the UDP listener and back.
	uc, err := net.Dial("udp", "127.0.0.1:"+strconv.Itoa(int(udpPort)))
	if err != nil {
		t.Fatal(err)
	}
	defer uc.Close()
	buf := make([]byte, 64)
	for i := range 3 {
		msg := "ping " + strconv.Itoa(i)
		if _, err := uc.Write([]byte(msg)); err != nil {
			t.Fatal(err)
		}
		uc.SetReadDeadline(time.Now().Add(10 * time.Second))
		n, err := uc.Read(buf)
		if err != nil || string(buf[:n]) != "udp:"+msg {
			t.Fatalf("through the UDP listener: %q %v", buf[:n], err)
		}
	}

	// A target group serves one load balancer.
	other, err := c.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("other"), Type: elbtypes.LoadBalancerTypeEnumNetwork})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: other.LoadBalancers[0].LoadBalancerArn, Protocol: elbtypes.ProtocolEnumTcp,
		Port: aws.Int32(freePort(t)), DefaultActions: forwardTo(tcpTG)})
	if got := apiCode(err); got != "TargetGroupAssociationLimit: The following target groups cannot be associated with more than one load balancer: "+tcpTG {
		t.Errorf("a second load balancer's listener: %q", got)
	}

	// Deleting the load balancer closes its ports.
	if _, err := c.DeleteLoadBalancer(ctx, &elb.DeleteLoadBalancerInput{LoadBalancerArn: &lbARN}); err != nil {
		t.Fatal(err)
	}
	if conn, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(int(port)), time.Second); err == nil {
		conn.Close()
		t.Error("the listener's port is still open")
	}
}

func TestNLBCLI(t *testing.T) {
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
		if strings.TrimSpace(r.Stdout) == "" {
			return m
		}
		if err := json.Unmarshal([]byte(r.Stdout), &m); err != nil {
			t.Fatalf("%s: %v", r.Stdout, err)
		}
		return m
	}
	lb := run("create-load-balancer", "--name", "cli-nlb", "--type", "network", "--subnets", env.DefaultNetwork(t).Subnets[0])["LoadBalancers"].([]any)[0].(map[string]any)
	if lb["Type"] != "network" || !strings.HasSuffix(lb["DNSName"].(string), ".elb.us-east-1.amazonaws.com") {
		t.Errorf("load balancer %v", lb)
	}
	target := newTCPTarget(t, "cli", 200)
	tg := run("create-target-group", "--name", "cli-tcp", "--protocol", "TCP", "--port", "80", "--vpc-id", "vpc-1",
		"--target-type", "ip")["TargetGroups"].([]any)[0].(map[string]any)
	tgARN := tg["TargetGroupArn"].(string)
	run("register-targets", "--target-group-arn", tgARN, "--targets", "Id=127.0.0.1,Port="+strconv.Itoa(int(target.port)))
	port := strconv.Itoa(int(freePort(t)))
	l := run("create-listener", "--load-balancer-arn", lb["LoadBalancerArn"].(string), "--protocol", "TCP", "--port", port,
		"--default-actions", "Type=forward,TargetGroupArn="+tgARN)["Listeners"].([]any)[0].(map[string]any)
	if l["Protocol"] != "TCP" {
		t.Errorf("listener %v", l)
	}
	// Before its first health check a new target is initial: with no
	// healthy target the load balancer fails open.
	p, _ := strconv.Atoi(port)
	if got := tcpRoundTrip(t, int32(p), "cli"); got != "cli:cli" {
		t.Errorf("through the listener: %q", got)
	}
	r := env.CLI(t, "elbv2", "create-listener", "--load-balancer-arn", lb["LoadBalancerArn"].(string), "--protocol", "TLS", "--port", "8443",
		"--default-actions", "Type=forward,TargetGroupArn="+tgARN)
	if r.ExitCode == 0 || !strings.Contains(r.Stderr, "A certificate must be specified for TLS listeners") {
		t.Errorf("TLS listener without a certificate: %d %s", r.ExitCode, r.Stderr)
	}
}
