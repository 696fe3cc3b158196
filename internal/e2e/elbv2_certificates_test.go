package e2e_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/acm"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/virga/virga/internal/e2e"
)

// httpsListener makes a load balancer with an HTTPS listener whose
// default certificate is cert, and returns the listener's ARN.
func httpsListener(t *testing.T, c *elb.Client, name, cert string) string {
	t.Helper()
	ctx := context.Background()
	lb, err := c.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	l, err := c.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: lb.LoadBalancers[0].LoadBalancerArn,
		Protocol: elbtypes.ProtocolEnumHttps, Port: aws.Int32(freePort(t)),
		Certificates: []elbtypes.Certificate{{CertificateArn: aws.String(cert)}},
		DefaultActions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumFixedResponse,
			FixedResponseConfig: &elbtypes.FixedResponseActionConfig{StatusCode: aws.String("200")}}}})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(l.Listeners[0].ListenerArn)
}

// listenerCertificates describes a listener's certificate list as
// "ARN:default" strings.
func listenerCertificates(t *testing.T, c *elb.Client, listener string) []string {
	t.Helper()
	out, err := c.DescribeListenerCertificates(context.Background(), &elb.DescribeListenerCertificatesInput{ListenerArn: &listener})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, cert := range out.Certificates {
		got = append(got, fmt.Sprintf("%s:%t", aws.ToString(cert.CertificateArn), aws.ToBool(cert.IsDefault)))
	}
	return got
}

func TestELBv2ListenerCertificates(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := elb.NewFromConfig(env.Config)
	ctx := context.Background()
	def, extra := env.Certificate(t, "a.example.com"), env.Certificate(t, "b.example.com")
	listener := httpsListener(t, c, "sni", def)
	if got := listenerCertificates(t, c, listener); fmt.Sprint(got) != fmt.Sprintf("[%s:true]", def) {
		t.Errorf("before: %v", got)
	}
	add := func(listener string, arn string) error {
		_, err := c.AddListenerCertificates(ctx, &elb.AddListenerCertificatesInput{ListenerArn: &listener,
			Certificates: []elbtypes.Certificate{{CertificateArn: aws.String(arn)}}})
		return err
	}
	remove := func(arn string) error {
		_, err := c.RemoveListenerCertificates(ctx, &elb.RemoveListenerCertificatesInput{ListenerArn: &listener,
			Certificates: []elbtypes.Certificate{{CertificateArn: aws.String(arn)}}})
		return err
	}
	out, err := c.AddListenerCertificates(ctx, &elb.AddListenerCertificatesInput{ListenerArn: &listener,
		Certificates: []elbtypes.Certificate{{CertificateArn: aws.String(extra)}}})
	if err != nil || len(out.Certificates) != 1 || aws.ToString(out.Certificates[0].CertificateArn) != extra {
		t.Fatalf("add: %+v %v", out, err)
	}
	// A certificate already in the list is not added again.
	for _, arn := range []string{extra, def} {
		if err := add(listener, arn); err != nil {
			t.Fatal(err)
		}
	}
	want := fmt.Sprintf("[%s:true %s:false]", def, extra)
	if got := listenerCertificates(t, c, listener); fmt.Sprint(got) != want {
		t.Errorf("after add: %v, want %v", got, want)
	}
	// The listener itself still names its default certificate only.
	ls, err := c.DescribeListeners(ctx, &elb.DescribeListenersInput{ListenerArns: []string{listener}})
	if err != nil || len(ls.Listeners[0].Certificates) != 1 {
		t.Errorf("listener: %+v %v", ls, err)
	}
	// ACM counts the load balancer among the added certificate's users.
	_, err = acm.NewFromConfig(env.Config).DeleteCertificate(ctx, &acm.DeleteCertificateInput{CertificateArn: &extra})
	expectAPIError(t, err, "ResourceInUseException", 400)

	missing := "arn:aws:acm:us-east-1:000000000000:certificate/00000000-0000-0000-0000-000000000002"
	if e := expectAPIError(t, add(listener, missing), "CertificateNotFound", 400); e.Message != "Certificate '"+missing+"' not found" {
		t.Errorf("message %q", e.Message)
	}
	gone := listener + "0"
	expectAPIError(t, add(gone, extra), "ListenerNotFound", 400)
	_, err = c.DescribeListenerCertificates(ctx, &elb.DescribeListenerCertificatesInput{ListenerArn: &gone})
	expectAPIError(t, err, "ListenerNotFound", 400)
	_, err = c.RemoveListenerCertificates(ctx, &elb.RemoveListenerCertificatesInput{ListenerArn: &gone,
		Certificates: []elbtypes.Certificate{{CertificateArn: aws.String(extra)}}})
	expectAPIError(t, err, "ListenerNotFound", 400)

	// The default certificate cannot be removed; the added one can.
	expectAPIError(t, remove(def), "OperationNotPermitted", 400)
	if err := remove(extra); err != nil {
		t.Fatal(err)
	}
	if got := listenerCertificates(t, c, listener); fmt.Sprint(got) != fmt.Sprintf("[%s:true]", def) {
		t.Errorf("after remove: %v", got)
	}

	// 25 certificates besides the default ones per load balancer, over
	// all its listeners.
	for i := range 25 {
		if err := add(listener, env.Certificate(t, "n"+strconv.Itoa(i)+".example.com")); err != nil {
			t.Fatalf("certificate %d: %v", i+1, err)
		}
	}
	expectAPIError(t, add(listener, extra), "TooManyCertificates", 400)
	page, err := c.DescribeListenerCertificates(ctx, &elb.DescribeListenerCertificatesInput{ListenerArn: &listener, PageSize: aws.Int32(20)})
	if err != nil || len(page.Certificates) != 20 || page.NextMarker == nil {
		t.Fatalf("first page: %d %v", len(page.Certificates), err)
	}
	page, err = c.DescribeListenerCertificates(ctx, &elb.DescribeListenerCertificatesInput{ListenerArn: &listener, Marker: page.NextMarker})
	if err != nil || len(page.Certificates) != 6 || page.NextMarker != nil {
		t.Errorf("second page: %d %v", len(page.Certificates), err)
	}
}

func TestELBv2SSLPoliciesAndLimits(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := elb.NewFromConfig(env.Config)
	ctx := context.Background()
	all, err := c.DescribeSSLPolicies(ctx, &elb.DescribeSSLPoliciesInput{})
	if err != nil || len(all.SslPolicies) < 5 {
		t.Fatalf("all policies: %+v %v", all, err)
	}
	one, err := c.DescribeSSLPolicies(ctx, &elb.DescribeSSLPoliciesInput{Names: []string{"ELBSecurityPolicy-TLS13-1-2-2021-06"}})
	if err != nil || len(one.SslPolicies) != 1 {
		t.Fatalf("one policy: %+v %v", one, err)
	}
	p := one.SslPolicies[0]
	if fmt.Sprint(p.SslProtocols) != "[TLSv1.2 TLSv1.3]" || aws.ToString(p.Ciphers[0].Name) != "TLS_AES_128_GCM_SHA256" ||
		aws.ToInt32(p.Ciphers[0].Priority) != 1 || fmt.Sprint(p.SupportedLoadBalancerTypes) != "[application network]" {
		t.Errorf("policy: %+v", p)
	}
	def, err := c.DescribeSSLPolicies(ctx, &elb.DescribeSSLPoliciesInput{Names: []string{"ELBSecurityPolicy-2016-08"}})
	if err != nil || fmt.Sprint(def.SslPolicies[0].SslProtocols) != "[TLSv1 TLSv1.1 TLSv1.2]" || len(def.SslPolicies[0].Ciphers) != 18 {
		t.Errorf("default policy: %+v %v", def, err)
	}
	_, err = c.DescribeSSLPolicies(ctx, &elb.DescribeSSLPoliciesInput{Names: []string{"ELBSecurityPolicy-Nope"}})
	expectAPIError(t, err, "SSLPolicyNotFound", 400)

	// CreateListener and ModifyListener take the policies' names only.
	cert := env.Certificate(t, "p.example.com")
	lb, err := c.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("policies")})
	if err != nil {
		t.Fatal(err)
	}
	in := &elb.CreateListenerInput{LoadBalancerArn: lb.LoadBalancers[0].LoadBalancerArn,
		Protocol: elbtypes.ProtocolEnumHttps, Port: aws.Int32(freePort(t)), SslPolicy: aws.String("ELBSecurityPolicy-Nope"),
		Certificates: []elbtypes.Certificate{{CertificateArn: aws.String(cert)}},
		DefaultActions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumFixedResponse,
			FixedResponseConfig: &elbtypes.FixedResponseActionConfig{StatusCode: aws.String("200")}}}}
	_, err = c.CreateListener(ctx, in)
	expectAPIError(t, err, "SSLPolicyNotFound", 400)
	in.SslPolicy = aws.String("ELBSecurityPolicy-TLS13-1-2-2021-06")
	l, err := c.CreateListener(ctx, in)
	if err != nil || aws.ToString(l.Listeners[0].SslPolicy) != "ELBSecurityPolicy-TLS13-1-2-2021-06" {
		t.Fatalf("create: %+v %v", l, err)
	}
	_, err = c.ModifyListener(ctx, &elb.ModifyListenerInput{ListenerArn: l.Listeners[0].ListenerArn, SslPolicy: aws.String("ELBSecurityPolicy-Nope")})
	expectAPIError(t, err, "SSLPolicyNotFound", 400)

	limits, err := c.DescribeAccountLimits(ctx, &elb.DescribeAccountLimitsInput{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, l := range limits.Limits {
		got[aws.ToString(l.Name)] = aws.ToString(l.Max)
	}
	for name, max := range map[string]string{"application-load-balancers": "50", "listeners-per-application-load-balancer": "50",
		"rules-per-application-load-balancer": "100", "certificates-per-application-load-balancer": "25", "target-groups": "3000"} {
		if got[name] != max {
			t.Errorf("limit %s = %q, want %s", name, got[name], max)
		}
	}
}
