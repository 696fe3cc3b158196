package e2e_test

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/acm"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"

	"github.com/virga/virga/internal/e2e"
)

const albStackTemplate = `
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Port:
    Type: Number
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: arn:aws:iam::000000000000:role/fn
      Code:
        ZipFile: |
          def handler(event, context):
              return {'statusCode': 200, 'headers': {'content-type': 'text/plain'},
                      'body': 'fn ' + event['path']}
  FnPermission:
    Type: AWS::Lambda::Permission
    Properties:
      FunctionName: !GetAtt Fn.Arn
      Action: lambda:InvokeFunction
      Principal: elasticloadbalancing.amazonaws.com
  FnTargets:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    DependsOn: FnPermission
    Properties:
      TargetType: lambda
      Targets:
        - Id: !GetAtt Fn.Arn
      TargetGroupAttributes:
        # Strings in the schema, written as a boolean and numbers:
        # CloudFormation passes their text.
        - Key: lambda.multi_value_headers.enabled
          Value: false
  Alb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Subnets: [!Ref SubnetA, !Ref SubnetB]
      SecurityGroups: [!Ref AlbGroup]
      LoadBalancerAttributes:
        - Key: idle_timeout.timeout_seconds
          Value: 30
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.0.0.0/16
  SubnetA:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: 10.0.0.0/24
      AvailabilityZone: !Select [0, !GetAZs ""]
  SubnetB:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: 10.0.1.0/24
      AvailabilityZone: !Select [1, !GetAZs ""]
  AlbGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: http in
      VpcId: !Ref Vpc
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 80
          ToPort: 80
          CidrIp: 0.0.0.0/0
  DefaultVPCGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupName: web
      GroupDescription: a default VPC's group
  Http:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref Alb
      Port: !Ref Port
      Protocol: HTTP
      DefaultActions:
        - Type: fixed-response
          FixedResponseConfig:
            StatusCode: 404
            MessageBody: none here
  FnRule:
    Type: AWS::ElasticLoadBalancingV2::ListenerRule
    Properties:
      ListenerArn: !Ref Http
      Priority: 5
      Conditions:
        - Field: path-pattern
          PathPatternConfig:
            Values: ["/fn/*"]
      Actions:
        - Type: forward
          TargetGroupArn: !Ref FnTargets
Outputs:
  Vpc:
    Value: !Ref Vpc
  DNSName:
    Value: !GetAtt Alb.DNSName
  FullName:
    Value: !GetAtt Alb.LoadBalancerFullName
  TargetGroup:
    Value: !Ref FnTargets
  Group:
    Value: !Ref AlbGroup
  GroupId:
    Value: !GetAtt AlbGroup.GroupId
  GroupVpc:
    Value: !GetAtt AlbGroup.VpcId
  DefaultVPCGroup:
    Value: !Ref DefaultVPCGroup
`

func TestELBv2Stack(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cf := cloudformation.NewFromConfig(env.Config)
	// The listener's port is taken: the stack is still created, and the
	// load balancer is reachable through virga's endpoint.
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	port := strconv.Itoa(taken.Addr().(*net.TCPAddr).Port)
	created, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("alb"), TemplateBody: aws.String(albStackTemplate),
		Parameters: []cftypes.Parameter{{ParameterKey: aws.String("Port"), ParameterValue: aws.String(port)}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := cloudformation.NewStackCreateCompleteWaiter(cf).Wait(ctx, &cloudformation.DescribeStacksInput{StackName: created.StackId}, 90e9); err != nil {
		evs, _ := cf.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: created.StackId})
		for _, e := range evs.StackEvents {
			t.Logf("%s %s %s", aws.ToString(e.LogicalResourceId), e.ResourceStatus, aws.ToString(e.ResourceStatusReason))
		}
		t.Fatal(err)
	}
	st, err := cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("alb")})
	if err != nil {
		t.Fatal(err)
	}
	outs := map[string]string{}
	for _, o := range st.Stacks[0].Outputs {
		outs[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
	}
	dns := outs["DNSName"]
	if !strings.HasSuffix(dns, ".us-east-1.elb.localhost") || !strings.HasPrefix(outs["FullName"], "app/") {
		t.Fatalf("outputs %v", outs)
	}
	// Security groups are recorded: Ref is the id in a VPC, the name
	// in a default VPC.
	if g := outs["Group"]; len(g) != len("sg-")+17 || !strings.HasPrefix(g, "sg-") || outs["GroupId"] != g ||
		outs["GroupVpc"] != outs["Vpc"] || outs["DefaultVPCGroup"] != "web" {
		t.Errorf("security groups: %v", outs)
	}
	if res, body := albGet(t, env, dns, "GET", "/fn/hello", nil); res.StatusCode != 200 || body != "fn /fn/hello" {
		t.Errorf("lambda rule: %d %q", res.StatusCode, body)
	}
	if res, body := albGet(t, env, dns, "GET", "/other", nil); res.StatusCode != 404 || body != "none here" {
		t.Errorf("default: %d %q", res.StatusCode, body)
	}
	c := elb.NewFromConfig(env.Config)
	tg := outs["TargetGroup"]
	attrs, err := c.DescribeTargetGroups(ctx, &elb.DescribeTargetGroupsInput{TargetGroupArns: []string{tg}})
	if err != nil || len(attrs.TargetGroups[0].LoadBalancerArns) != 1 {
		t.Errorf("target group: %+v %v", attrs, err)
	}

	if _, err := cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("alb")}); err != nil {
		t.Fatal(err)
	}
	if err := cloudformation.NewStackDeleteCompleteWaiter(cf).Wait(ctx, &cloudformation.DescribeStacksInput{StackName: created.StackId}, 90e9); err != nil {
		t.Fatal(err)
	}
	lbs, err := c.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{})
	if err != nil || len(lbs.LoadBalancers) != 0 {
		t.Errorf("after delete: %+v %v", lbs, err)
	}
}

const listenerCertificateTemplate = `
Parameters:
  Port: {Type: Number}
  Default: {Type: String}
  Extra: {Type: String}
Resources:
  Alb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
  Https:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref Alb
      Port: !Ref Port
      Protocol: HTTPS
      Certificates: [{CertificateArn: !Ref Default}]
      DefaultActions:
        - Type: fixed-response
          FixedResponseConfig: {StatusCode: "200"}
  More:
    Type: AWS::ElasticLoadBalancingV2::ListenerCertificate
    Properties:
      ListenerArn: !Ref Https
      Certificates: [{CertificateArn: !Ref Extra}]
Outputs:
  Listener: {Value: !Ref Https}
`

func TestELBv2ListenerCertificateStack(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cf := cloudformation.NewFromConfig(env.Config)
	def, extra := env.Certificate(t, "a.example.com"), env.Certificate(t, "b.example.com")
	port := strconv.Itoa(int(freePort(t)))
	startStack(t, cf, "certs", listenerCertificateTemplate, stackParams("Port", port, "Default", def, "Extra", extra))
	listener := createdStackOutputs(t, cf, "certs")["Listener"]
	c := elb.NewFromConfig(env.Config)
	want := fmt.Sprintf("[%s:true %s:false]", def, extra)
	if got := listenerCertificates(t, c, listener); fmt.Sprint(got) != want {
		t.Errorf("listener certificates: %v, want %v", got, want)
	}
	// An update adds the new certificate and removes the one left out.
	other := env.Certificate(t, "c.example.com")
	if _, err := cf.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: aws.String("certs"),
		UsePreviousTemplate: aws.Bool(true), Parameters: stackParams("Port", port, "Default", def, "Extra", other)}); err != nil {
		t.Fatal(err)
	}
	if st := settleStack(t, cf, "certs"); st.StackStatus != "UPDATE_COMPLETE" {
		t.Fatalf("update: %s", st.StackStatus)
	}
	want = fmt.Sprintf("[%s:true %s:false]", def, other)
	if got := listenerCertificates(t, c, listener); fmt.Sprint(got) != want {
		t.Errorf("after update: %v, want %v", got, want)
	}
	deleteStackWaiting(t, cf, "certs")
	// Both certificates are free again.
	for _, arn := range []string{extra, other, def} {
		if _, err := acm.NewFromConfig(env.Config).DeleteCertificate(ctx, &acm.DeleteCertificateInput{CertificateArn: aws.String(arn)}); err != nil {
			t.Errorf("deleting %s: %v", arn, err)
		}
	}
}
