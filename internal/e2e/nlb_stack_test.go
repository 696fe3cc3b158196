package e2e_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/virga/virga/internal/e2e"
)

// ecsNLBStackTemplate is an ECS service behind a Network Load Balancer:
// a TCP listener forwarding to a TCP target group of ip targets, checked
// over HTTP on /health.
const ecsNLBStackTemplate = `
Parameters:
  Port:
    Type: Number
  Subnets:
    Type: List<AWS::EC2::Subnet::Id>
Resources:
  Nlb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Type: network
      Scheme: internal
      Subnets: !Ref Subnets
      LoadBalancerAttributes:
        - Key: load_balancing.cross_zone.enabled
          Value: "true"
  Targets:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      TargetType: ip
      Protocol: TCP
      Port: 8080
      VpcId: vpc-1
      HealthCheckProtocol: HTTP
      HealthCheckPath: /health
      TargetGroupAttributes:
        - Key: deregistration_delay.timeout_seconds
          Value: "0"
  Tcp:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref Nlb
      Port: !Ref Port
      Protocol: TCP
      DefaultActions:
        - Type: forward
          TargetGroupArn: !Ref Targets
  Def:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Family: nlb-web
      Cpu: "256"
      Memory: "512"
      NetworkMode: awsvpc
      RequiresCompatibilities: [FARGATE]
      ContainerDefinitions:
        - Name: app
          Image: web
          PortMappings: [{ContainerPort: 8080}]
  Svc:
    Type: AWS::ECS::Service
    DependsOn: Tcp
    Properties:
      ServiceName: nlb-web
      TaskDefinition: !Ref Def
      DesiredCount: 2
      LaunchType: FARGATE
      NetworkConfiguration:
        AwsvpcConfiguration: {Subnets: [!Select [0, !Ref Subnets]]}
      LoadBalancers:
        - ContainerName: app
          ContainerPort: 8080
          TargetGroupArn: !Ref Targets
Outputs:
  Nlb: {Value: !Ref Nlb}
  FullName: {Value: !GetAtt Nlb.LoadBalancerFullName}
  DNS: {Value: !GetAtt Nlb.DNSName}
  Targets: {Value: !Ref Targets}
`

func TestECSServiceBehindNLBStack(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithContainerRuntime(newHTTPContainers()))
	ctx := context.Background()
	cf := cloudformation.NewFromConfig(env.Config)
	port := freePort(t)
	created, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("nlb-web"), TemplateBody: aws.String(ecsNLBStackTemplate),
		Parameters: []cftypes.Parameter{{ParameterKey: aws.String("Port"), ParameterValue: aws.String(strconv.Itoa(int(port)))}, env.DefaultNetwork(t).SubnetsParameter()}})
	if err != nil {
		t.Fatal(err)
	}
	outs := createdStackOutputs(t, cf, "nlb-web")
	if !strings.HasPrefix(outs["FullName"], "net/") || !strings.HasSuffix(outs["DNS"], ".elb.us-east-1.amazonaws.com") {
		t.Errorf("outputs %v", outs)
	}
	c := elb.NewFromConfig(env.Config)
	lbs, err := c.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{LoadBalancerArns: []string{outs["Nlb"]}})
	if err != nil || lbs.LoadBalancers[0].Type != elbtypes.LoadBalancerTypeEnumNetwork {
		t.Fatalf("load balancer %+v, %v", lbs, err)
	}
	ls, err := c.DescribeListeners(ctx, &elb.DescribeListenersInput{LoadBalancerArn: aws.String(outs["Nlb"])})
	if err != nil || len(ls.Listeners) != 1 || ls.Listeners[0].Protocol != elbtypes.ProtocolEnumTcp {
		t.Fatalf("listeners %+v, %v", ls, err)
	}

	// Both tasks register as ip targets; connections through the TCP
	// listener reach them (while their first health checks run the load
	// balancer fails open to all targets).
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}
	seen := map[string]bool{}
	for deadline := time.Now().Add(10 * time.Second); len(seen) < 2; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("connections reached %v, want two tasks", seen)
		}
		res, err := client.Get("http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(int(port))) + "/")
		if err != nil {
			continue
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode == 200 && strings.HasPrefix(string(body), "task ") {
			seen[string(body)] = true
		}
	}
	out, err := c.DescribeTargetHealth(ctx, &elb.DescribeTargetHealthInput{TargetGroupArn: aws.String(outs["Targets"])})
	if err != nil || len(out.TargetHealthDescriptions) != 2 {
		t.Fatalf("targets %+v, %v", out, err)
	}
	if _, err := cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("nlb-web")}); err != nil {
		t.Fatal(err)
	}
	if st := settleStack(t, cf, aws.ToString(created.StackId)); st.StackStatus != cftypes.StackStatusDeleteComplete {
		t.Fatalf("stack %s", st.StackStatus)
	}
}
