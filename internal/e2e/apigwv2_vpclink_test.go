package e2e_test

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	gwtypes "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/virga/virga/internal/e2e"
)

// TestAPIGWv2VpcLink manages a VPC link and sends an HTTP API's requests
// through a private integration to an Application Load Balancer's
// listener, which forwards them to a target the test serves.
func TestAPIGWv2VpcLink(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	c := apigatewayv2.NewFromConfig(env.Config)
	lbs := elb.NewFromConfig(env.Config)
	net := env.DefaultNetwork(t)

	// The VPC link.
	_, err := c.CreateVpcLink(ctx, &apigatewayv2.CreateVpcLinkInput{Name: aws.String("bad"), SubnetIds: []string{"subnet-0000000000000000a"}})
	if e := expectAPIError(t, err, "BadRequestException", 400); !strings.Contains(e.Message, "subnet-0000000000000000a") {
		t.Errorf("message %q", e.Message)
	}
	_, err = c.CreateVpcLink(ctx, &apigatewayv2.CreateVpcLinkInput{Name: aws.String("bad"), SubnetIds: net.Subnets[:1], SecurityGroupIds: []string{"sg-0000000000000000a"}})
	expectAPIError(t, err, "BadRequestException", 400)
	link := mustGW(c.CreateVpcLink(ctx, &apigatewayv2.CreateVpcLinkInput{Name: aws.String("private"), SubnetIds: net.Subnets[:2],
		SecurityGroupIds: []string{net.SecurityGroup}, Tags: map[string]string{"team": "web"}}))(t)
	linkID := aws.ToString(link.VpcLinkId)
	if link.VpcLinkStatus != gwtypes.VpcLinkStatusPending || link.VpcLinkVersion != gwtypes.VpcLinkVersionV2 || link.Tags["team"] != "web" || len(link.SubnetIds) != 2 {
		t.Errorf("created %+v", link)
	}
	got := mustGW(c.GetVpcLink(ctx, &apigatewayv2.GetVpcLinkInput{VpcLinkId: &linkID}))(t)
	if got.VpcLinkStatus != gwtypes.VpcLinkStatusAvailable || aws.ToString(got.Name) != "private" || got.CreatedDate == nil {
		t.Errorf("got %+v", got)
	}
	mustGW(c.UpdateVpcLink(ctx, &apigatewayv2.UpdateVpcLinkInput{VpcLinkId: &linkID, Name: aws.String("renamed")}))(t)
	arn := "arn:aws:apigateway:us-east-1::/vpclinks/" + linkID
	mustGW(c.TagResource(ctx, &apigatewayv2.TagResourceInput{ResourceArn: &arn, Tags: map[string]string{"env": "test"}}))(t)
	all := mustGW(c.GetVpcLinks(ctx, &apigatewayv2.GetVpcLinksInput{}))(t)
	if len(all.Items) != 1 || aws.ToString(all.Items[0].Name) != "renamed" || all.Items[0].Tags["env"] != "test" {
		t.Errorf("links %+v", all.Items)
	}
	_, err = c.GetVpcLink(ctx, &apigatewayv2.GetVpcLinkInput{VpcLinkId: aws.String("nope")})
	if e := expectAPIError(t, err, "NotFoundException", 404); e.Message != "Invalid VpcLink identifier specified nope" {
		t.Errorf("message %q", e.Message)
	}

	// The load balancer: its listener forwards /items/* to the backend
	// and answers anything else itself.
	lb := mustGW(lbs.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("web"),
		Scheme: elbtypes.LoadBalancerSchemeEnumInternal, Subnets: net.Subnets[:2]}))(t).LoadBalancers[0]
	_, backendPort := backend(t, "svc")
	tg := ipTargetGroup(t, lbs, "svc", backendPort)
	empty := ipTargetGroup(t, lbs, "empty")
	listener := aws.ToString(mustGW(lbs.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: lb.LoadBalancerArn,
		Protocol: elbtypes.ProtocolEnumHttp, Port: aws.Int32(freePort(t)),
		DefaultActions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumFixedResponse,
			FixedResponseConfig: &elbtypes.FixedResponseActionConfig{StatusCode: aws.String("404"), MessageBody: aws.String("no rule")}}}}))(t).Listeners[0].ListenerArn)
	pathRule(t, lbs, listener, 10, "/items/*", forwardTo(tg))
	pathRule(t, lbs, listener, 20, "/prod/items/*", forwardTo(tg))
	pathRule(t, lbs, listener, 30, "/empty", forwardTo(empty))

	// The API: its $default stage and a named one.
	api := mustGW(c.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("front"), ProtocolType: gwtypes.ProtocolTypeHttp}))(t)
	apiID := aws.ToString(api.ApiId)
	_, err = c.CreateIntegration(ctx, &apigatewayv2.CreateIntegrationInput{ApiId: &apiID, IntegrationType: gwtypes.IntegrationTypeHttpProxy,
		ConnectionType: gwtypes.ConnectionTypeVpcLink, ConnectionId: aws.String("nope"), IntegrationUri: &listener, IntegrationMethod: aws.String("ANY")})
	expectAPIError(t, err, "NotFoundException", 404)
	integ := mustGW(c.CreateIntegration(ctx, &apigatewayv2.CreateIntegrationInput{ApiId: &apiID, IntegrationType: gwtypes.IntegrationTypeHttpProxy,
		ConnectionType: gwtypes.ConnectionTypeVpcLink, ConnectionId: &linkID, IntegrationUri: &listener, IntegrationMethod: aws.String("ANY"),
		PayloadFormatVersion: aws.String("1.0"), TlsConfig: &gwtypes.TlsConfigInput{ServerNameToVerify: aws.String("svc.example.com")},
		RequestParameters:  map[string]string{"append:header.X-Via": "gateway"},
		ResponseParameters: map[string]map[string]string{"200": {"overwrite:header.X-Mapped": "yes"}}}))(t)
	if integ.ConnectionType != gwtypes.ConnectionTypeVpcLink || aws.ToString(integ.ConnectionId) != linkID ||
		aws.ToString(integ.TlsConfig.ServerNameToVerify) != "svc.example.com" {
		t.Errorf("integration %+v", integ)
	}
	target := aws.String("integrations/" + aws.ToString(integ.IntegrationId))
	mustGW(c.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: &apiID, RouteKey: aws.String("ANY /items/{id}"), Target: target}))(t)
	mustGW(c.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: &apiID, RouteKey: aws.String("GET /empty"), Target: target}))(t)
	mustGW(c.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: &apiID, StageName: aws.String("$default"), AutoDeploy: aws.Bool(true)}))(t)
	mustGW(c.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: &apiID, StageName: aws.String("prod"), AutoDeploy: aws.Bool(true)}))(t)

	u, _ := url.Parse(env.Endpoint)
	host := apiID + ".execute-api.localhost:" + u.Port()
	r := callHTTPAPI(t, env, apiID, "POST", "/items/7?color=red", []byte("{}"), nil, false)
	if r.Status != 200 || string(r.Body) != "svc /items/7?color=red" || r.Header.Get("X-Mapped") != "yes" {
		t.Errorf("through the VPC link: HTTP %d %q %v", r.Status, r.Body, r.Header)
	}
	// The load balancer got the client's Host, and added its headers.
	if r.Header.Get("X-Got-Host") != host || r.Header.Get("X-Got-Forwarded-Proto") != "http" || r.Header.Get("X-Got-Trace") == "" {
		t.Errorf("the target saw %v", r.Header)
	}
	// A named stage's name stays in the path, as AWS sends it.
	if r := callHTTPAPI(t, env, apiID, "GET", "/prod/items/8", nil, nil, false); r.Status != 200 || string(r.Body) != "svc /prod/items/8" {
		t.Errorf("named stage: HTTP %d %q", r.Status, r.Body)
	}
	// No target: the load balancer's 503 comes back.
	if r := callHTTPAPI(t, env, apiID, "GET", "/empty", nil, nil, false); r.Status != 503 || r.Header.Get("Server") != "awselb/2.0" {
		t.Errorf("no target: HTTP %d %q", r.Status, r.Body)
	}

	// A Network Load Balancer's TCP listener passes the request on as
	// it is: no X-Forwarded headers.
	nlb := mustGW(lbs.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("net"), Type: elbtypes.LoadBalancerTypeEnumNetwork,
		Scheme: elbtypes.LoadBalancerSchemeEnumInternal, Subnets: net.Subnets[:2]}))(t).LoadBalancers[0]
	tcpListener := func(name string, ports ...int32) string {
		out := mustGW(lbs.CreateTargetGroup(ctx, &elb.CreateTargetGroupInput{Name: aws.String(name), Protocol: elbtypes.ProtocolEnumTcp,
			Port: aws.Int32(80), VpcId: aws.String("vpc-1"), TargetType: elbtypes.TargetTypeEnumIp}))(t)
		tg := out.TargetGroups[0].TargetGroupArn
		for _, p := range ports {
			mustGW(lbs.RegisterTargets(ctx, &elb.RegisterTargetsInput{TargetGroupArn: tg,
				Targets: []elbtypes.TargetDescription{{Id: aws.String("127.0.0.1"), Port: aws.Int32(p)}}}))(t)
		}
		return aws.ToString(mustGW(lbs.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: nlb.LoadBalancerArn,
			Protocol: elbtypes.ProtocolEnumTcp, Port: aws.Int32(freePort(t)), DefaultActions: forwardTo(aws.ToString(tg))}))(t).Listeners[0].ListenerArn)
	}
	for key, uri := range map[string]string{"GET /nlb/{x}": tcpListener("tcp", backendPort), "GET /nlb-empty": tcpListener("tcp-empty")} {
		out := mustGW(c.CreateIntegration(ctx, &apigatewayv2.CreateIntegrationInput{ApiId: &apiID, IntegrationType: gwtypes.IntegrationTypeHttpProxy,
			ConnectionType: gwtypes.ConnectionTypeVpcLink, ConnectionId: &linkID, IntegrationUri: aws.String(uri), IntegrationMethod: aws.String("ANY"),
			PayloadFormatVersion: aws.String("1.0")}))(t)
		mustGW(c.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: &apiID, RouteKey: aws.String(key),
			Target: aws.String("integrations/" + aws.ToString(out.IntegrationId))}))(t)
	}
	r = callHTTPAPI(t, env, apiID, "GET", "/nlb/1", nil, nil, false)
	if r.Status != 200 || string(r.Body) != "svc /nlb/1" || r.Header.Get("X-Got-Host") != host || r.Header.Get("X-Got-Forwarded-Proto") != "" {
		t.Errorf("through a Network Load Balancer: HTTP %d %q %v", r.Status, r.Body, r.Header)
	}
	// Its listener has no target: the connection is reset, and API
	// Gateway answers 500.
	if r := callHTTPAPI(t, env, apiID, "GET", "/nlb-empty", nil, nil, false); r.Status != 500 || string(r.Body) != `{"message":"Internal Server Error"}` {
		t.Errorf("no NLB target: HTTP %d %q", r.Status, r.Body)
	}

	// A VPC link in use is not deleted.
	_, err = c.DeleteVpcLink(ctx, &apigatewayv2.DeleteVpcLinkInput{VpcLinkId: &linkID})
	expectAPIError(t, err, "ConflictException", 409)

	// The listener gone, API Gateway answers 500.
	mustGW(lbs.DeleteListener(ctx, &elb.DeleteListenerInput{ListenerArn: &listener}))(t)
	if r := callHTTPAPI(t, env, apiID, "GET", "/items/7", nil, nil, false); r.Status != 500 || string(r.Body) != `{"message":"Internal Server Error"}` {
		t.Errorf("listener gone: HTTP %d %q", r.Status, r.Body)
	}

	mustGW(c.DeleteApi(ctx, &apigatewayv2.DeleteApiInput{ApiId: &apiID}))(t)
	mustGW(c.DeleteVpcLink(ctx, &apigatewayv2.DeleteVpcLinkInput{VpcLinkId: &linkID}))(t)
	_, err = c.GetVpcLink(ctx, &apigatewayv2.GetVpcLinkInput{VpcLinkId: &linkID})
	expectAPIError(t, err, "NotFoundException", 404)
}

const vpcLinkStackTemplate = `
Parameters:
  Subnets: {Type: "List<AWS::EC2::Subnet::Id>"}
  Vpc: {Type: String}
  ListenerPort: {Type: Number}
  BackendPort: {Type: Number}
Resources:
  Link:
    Type: AWS::ApiGatewayV2::VpcLink
    Properties:
      Name: private
      SubnetIds: !Ref Subnets
      Tags: {team: web}
  Alb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Scheme: internal
      Subnets: !Ref Subnets
  Targets:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      TargetType: ip
      Protocol: HTTP
      Port: 80
      VpcId: !Ref Vpc
      Targets:
        - {Id: 127.0.0.1, Port: !Ref BackendPort}
  Http:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref Alb
      Port: !Ref ListenerPort
      Protocol: HTTP
      DefaultActions:
        - {Type: forward, TargetGroupArn: !Ref Targets}
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      Name: front
      ProtocolType: HTTP
  Integration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Api
      IntegrationType: HTTP_PROXY
      ConnectionType: VPC_LINK
      ConnectionId: !Ref Link
      IntegrationUri: !Ref Http
      IntegrationMethod: ANY
      PayloadFormatVersion: "1.0"
  Route:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref Api
      RouteKey: $default
      Target: !Sub integrations/${Integration}
  Stage:
    Type: AWS::ApiGatewayV2::Stage
    Properties:
      ApiId: !Ref Api
      StageName: $default
      AutoDeploy: true
Outputs:
  Api: {Value: !Ref Api}
  Link: {Value: !Ref Link}
`

// TestAPIGWv2VpcLinkStack makes the same chain with CloudFormation: a
// VPC link (Ref is its id), a load balancer and a private integration.
func TestAPIGWv2VpcLinkStack(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cf := cloudformation.NewFromConfig(env.Config)
	net := env.DefaultNetwork(t)
	_, backendPort := backend(t, "svc")
	startStack(t, cf, "private", vpcLinkStackTemplate, stackParams(
		"Subnets", strings.Join(net.Subnets[:2], ","), "Vpc", net.VpcID,
		"ListenerPort", strconv.Itoa(int(freePort(t))), "BackendPort", strconv.Itoa(int(backendPort))))
	outs := createdStackOutputs(t, cf, "private")
	c := apigatewayv2.NewFromConfig(env.Config)
	link := mustGW(c.GetVpcLink(ctx, &apigatewayv2.GetVpcLinkInput{VpcLinkId: aws.String(outs["Link"])}))(t)
	if aws.ToString(link.Name) != "private" || link.Tags["team"] != "web" || link.VpcLinkStatus != gwtypes.VpcLinkStatusAvailable {
		t.Errorf("VPC link %+v", link)
	}
	if r := callHTTPAPI(t, env, outs["Api"], "GET", "/orders/1?x=2", nil, nil, false); r.Status != 200 || string(r.Body) != "svc /orders/1?x=2" {
		t.Errorf("through the stack's VPC link: HTTP %d %q", r.Status, r.Body)
	}

	deleteStackWaiting(t, cf, "private")
	if links := mustGW(c.GetVpcLinks(ctx, &apigatewayv2.GetVpcLinksInput{}))(t); len(links.Items) != 0 {
		t.Errorf("after delete: %+v", links.Items)
	}
}
