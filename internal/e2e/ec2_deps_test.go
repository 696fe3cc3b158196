package e2e_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/virga/virga/internal/e2e"
)

// TestEC2DeleteInUse: EC2 refuses to delete a subnet or security group
// a function, a load balancer or an awsvpc task is placed in
// (DependencyViolation), and deletes it once that is gone.
func TestEC2DeleteInUse(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithContainerRuntime(newContainerDouble()))
	ctx := context.Background()
	ec := ec2.NewFromConfig(env.Config)
	n := env.DefaultNetwork(t)
	// place makes a subnet (in the second zone) and a group for one user.
	place := func(i int) (subnet, group string) {
		sub, err := ec.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: aws.String(n.VpcID), AvailabilityZone: aws.String("us-east-1b"),
			CidrBlock: aws.String(fmt.Sprintf("172.31.%d.0/24", 200+i))})
		if err != nil {
			t.Fatal(err)
		}
		g, err := ec.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String(fmt.Sprintf("user%d", i)), Description: aws.String("x"), VpcId: aws.String(n.VpcID)})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(sub.Subnet.SubnetId), aws.ToString(g.GroupId)
	}
	// refused checks that neither can be deleted; freed, that both can.
	refused := func(user, subnet, group string) {
		t.Helper()
		_, err := ec.DeleteSubnet(ctx, &ec2.DeleteSubnetInput{SubnetId: aws.String(subnet)})
		if want := "DependencyViolation: The subnet '" + subnet + "' has dependencies and cannot be deleted."; apiCode(err) != want {
			t.Errorf("%s: DeleteSubnet: %v, want %s", user, err, want)
		}
		_, err = ec.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: aws.String(group)})
		if want := "DependencyViolation: resource " + group + " has a dependent object"; apiCode(err) != want {
			t.Errorf("%s: DeleteSecurityGroup: %v, want %s", user, err, want)
		}
	}
	freed := func(user, subnet, group string) {
		t.Helper()
		if _, err := ec.DeleteSubnet(ctx, &ec2.DeleteSubnetInput{SubnetId: aws.String(subnet)}); err != nil {
			t.Errorf("%s gone: DeleteSubnet: %v", user, err)
		}
		if _, err := ec.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: aws.String(group)}); err != nil {
			t.Errorf("%s gone: DeleteSecurityGroup: %v", user, err)
		}
	}

	// A function.
	subnet, group := place(0)
	lc := lambdaClient(t, env)
	if _, err := lc.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("placed"), Runtime: lambdatypes.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
		Role: aws.String(lambdaRole), Code: &lambdatypes.FunctionCode{ZipFile: scriptZip(t, "v1")},
		VpcConfig: &lambdatypes.VpcConfig{SubnetIds: []string{subnet}, SecurityGroupIds: []string{group}}}); err != nil {
		t.Fatal(err)
	}
	refused("function", subnet, group)
	if _, err := lc.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String("placed")}); err != nil {
		t.Fatal(err)
	}
	freed("function", subnet, group)

	// A load balancer.
	subnet, group = place(1)
	lbc := elb.NewFromConfig(env.Config)
	lb, err := lbc.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("placed"), Subnets: []string{n.Subnets[0], subnet}, SecurityGroups: []string{group}})
	if err != nil {
		t.Fatal(err)
	}
	refused("load balancer", subnet, group)
	if _, err := lbc.DeleteLoadBalancer(ctx, &elb.DeleteLoadBalancerInput{LoadBalancerArn: lb.LoadBalancers[0].LoadBalancerArn}); err != nil {
		t.Fatal(err)
	}
	freed("load balancer", subnet, group)

	// An awsvpc task, until it stops.
	subnet, group = place(2)
	c := ecs.NewFromConfig(env.Config)
	cluster := ecsTargetSetup(t, c)
	run, err := c.RunTask(ctx, &ecs.RunTaskInput{Cluster: aws.String(cluster), TaskDefinition: aws.String("job"), LaunchType: ecstypes.LaunchTypeFargate,
		NetworkConfiguration: &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{Subnets: []string{subnet}, SecurityGroups: []string{group}}}})
	if err != nil {
		t.Fatal(err)
	}
	refused("task", subnet, group)
	if _, err := c.StopTask(ctx, &ecs.StopTaskInput{Cluster: aws.String(cluster), Task: run.Tasks[0].TaskArn}); err != nil {
		t.Fatal(err)
	}
	if err := ecs.NewTasksStoppedWaiter(c).Wait(ctx, &ecs.DescribeTasksInput{Cluster: aws.String(cluster), Tasks: []string{aws.ToString(run.Tasks[0].TaskArn)}},
		60*time.Second, func(o *ecs.TasksStoppedWaiterOptions) {
			o.MinDelay, o.MaxDelay = 20*time.Millisecond, 100*time.Millisecond
		}); err != nil {
		t.Fatal(err)
	}
	freed("task", subnet, group)
}

// placedStackNetwork is a VPC with a subnet and a group, for the
// resources the stacks of TestEC2StackWithPlacedResources place in them.
const placedStackNetwork = `
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.7.0.0/16}
  Subnet:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.7.1.0/24}
  Group:
    Type: AWS::EC2::SecurityGroup
    Properties: {GroupDescription: placed, VpcId: !Ref Vpc}
`

// TestEC2StackWithPlacedResources: a stack with a VPC, a subnet, a group
// and a function or an awsvpc service placed in them deletes cleanly:
// CloudFormation deletes the function, or the service once its tasks
// stopped, before the subnet and group it depends on.
func TestEC2StackWithPlacedResources(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithContainerRuntime(newContainerDouble()))
	cf := cloudformation.NewFromConfig(env.Config)
	ctx := context.Background()
	for name, resources := range map[string]string{
		"function": `
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: arn:aws:iam::000000000000:role/fn
      VpcConfig:
        SubnetIds: [!Ref Subnet]
        SecurityGroupIds: [!GetAtt Group.GroupId]
      Code:
        ZipFile: |
          def handler(event, context):
              return 1
`,
		"service": `
  Cluster:
    Type: AWS::ECS::Cluster
  Def:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Cpu: "256"
      Memory: "512"
      NetworkMode: awsvpc
      RequiresCompatibilities: [FARGATE]
      ContainerDefinitions: [{Name: app, Image: nginx}]
  Svc:
    Type: AWS::ECS::Service
    Properties:
      Cluster: !Ref Cluster
      TaskDefinition: !Ref Def
      DesiredCount: 2
      LaunchType: FARGATE
      NetworkConfiguration:
        AwsvpcConfiguration: {Subnets: [!Ref Subnet], SecurityGroups: [!Ref Group]}
`,
	} {
		t.Run(name, func(t *testing.T) {
			tpl := placedStackNetwork + resources + "Outputs:\n  Vpc: {Value: !Ref Vpc}\n"
			if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String(name), TemplateBody: aws.String(tpl)}); err != nil {
				t.Fatal(err)
			}
			out := createdStackOutputs(t, cf, name)
			if _, err := cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String(name)}); err != nil {
				t.Fatal(err)
			}
			if err := cloudformation.NewStackDeleteCompleteWaiter(cf).Wait(ctx,
				&cloudformation.DescribeStacksInput{StackName: aws.String(name)}, 60*time.Second, func(o *cloudformation.StackDeleteCompleteWaiterOptions) {
					o.MinDelay, o.MaxDelay = 20*time.Millisecond, 100*time.Millisecond
				}); err != nil {
				t.Fatalf("%v: %v", err, stackStatuses(t, cf, name))
			}
			_, err := ec2.NewFromConfig(env.Config).DescribeVpcs(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{out["Vpc"]}})
			ec2Code(t, err, "InvalidVpcID.NotFound")
		})
	}
}
