package e2e_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/virga/virga/internal/e2e"
)

// TestELBv2NetworkRefs: a load balancer's subnets and security groups
// must be ones EC2 keeps, one subnet per availability zone; its VpcId
// and zones are its subnets'.
func TestELBv2NetworkRefs(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	c := elb.NewFromConfig(env.Config)
	n := env.DefaultNetwork(t)
	// A second subnet in the first default subnet's zone.
	zone := "us-east-1a"
	extra, err := ec2.NewFromConfig(env.Config).CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: aws.String(n.VpcID),
		CidrBlock: aws.String("172.31.200.0/24"), AvailabilityZone: aws.String(zone)})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		subnets, groups []string
		want            string
	}{
		{[]string{n.Subnets[0], "subnet-12345"}, nil, "SubnetNotFound: The subnet ID 'subnet-12345' does not exist"},
		{n.Subnets[:2], []string{n.SecurityGroup, "sg-0123456789abcdef0"}, "InvalidSecurityGroup: The security group 'sg-0123456789abcdef0' does not exist"},
		{[]string{n.Subnets[0], aws.ToString(extra.Subnet.SubnetId)}, nil,
			"InvalidConfigurationRequest: A load balancer cannot be attached to multiple subnets in the same Availability Zone"},
	} {
		_, err := c.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("refs"), Subnets: tc.subnets, SecurityGroups: tc.groups})
		if apiCode(err) != tc.want {
			t.Errorf("CreateLoadBalancer %v %v: %v, want %s", tc.subnets, tc.groups, err, tc.want)
		}
	}
	made, err := c.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("refs"), Subnets: n.Subnets[:2], SecurityGroups: []string{n.SecurityGroup}})
	if err != nil {
		t.Fatal(err)
	}
	lb := made.LoadBalancers[0]
	if aws.ToString(lb.VpcId) != n.VpcID || len(lb.AvailabilityZones) != 2 || aws.ToString(lb.AvailabilityZones[0].ZoneName) != zone ||
		aws.ToString(lb.AvailabilityZones[1].SubnetId) != n.Subnets[1] || lb.SecurityGroups[0] != n.SecurityGroup {
		t.Fatalf("load balancer: %s %+v %v", aws.ToString(lb.VpcId), lb.AvailabilityZones, lb.SecurityGroups)
	}
}

// TestECSNetworkRefs: an awsvpc task's or service's subnets and security
// groups must be ones EC2 keeps, its subnets and groups in one VPC; a task placed in a real subnet names it
// in its network interface.
func TestECSNetworkRefs(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithContainerRuntime(newContainerDouble()))
	ctx := context.Background()
	c := ecs.NewFromConfig(env.Config)
	cluster := ecsTargetSetup(t, c)
	n := env.DefaultNetwork(t)
	vpc := func(subnets, groups []string) *ecstypes.NetworkConfiguration {
		return &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{Subnets: subnets, SecurityGroups: groups}}
	}
	other := otherVPCSubnet(t, env)
	ec := ec2.NewFromConfig(env.Config)
	elsewhere, err := ec.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.9.0.0/16")})
	if err != nil {
		t.Fatal(err)
	}
	foreign, err := ec.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("elsewhere"), Description: aws.String("x"), VpcId: elsewhere.Vpc.VpcId})
	if err != nil {
		t.Fatal(err)
	}
	fg := aws.ToString(foreign.GroupId)
	for _, tc := range []struct {
		nc   *ecstypes.NetworkConfiguration
		want string
	}{
		{vpc([]string{"subnet-12345"}, nil), "InvalidParameterException: Error retrieving subnet information for [subnet-12345]: The subnet ID 'subnet-12345' does not exist"},
		{vpc([]string{n.Subnets[0], other}, nil), "InvalidParameterException: subnets must all be in the same VPC: " + other + " is not in " + n.VpcID + "."},
		{vpc(n.Subnets[:1], []string{"sg-12345"}), "InvalidParameterException: Error retrieving security group information for [sg-12345]: The security group 'sg-12345' does not exist"},
		{vpc(n.Subnets[:1], []string{n.SecurityGroup, fg}), "InvalidParameterException: Security group " + fg + " does not appear to belong to the same VPC as the input subnets."},
	} {
		_, err := c.RunTask(ctx, &ecs.RunTaskInput{Cluster: aws.String(cluster), TaskDefinition: aws.String("job"), LaunchType: ecstypes.LaunchTypeFargate, NetworkConfiguration: tc.nc})
		if apiCode(err) != tc.want {
			t.Errorf("RunTask: %v, want %s", err, tc.want)
		}
		_, err = c.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String(cluster), ServiceName: aws.String("refs"), TaskDefinition: aws.String("job"),
			DesiredCount: aws.Int32(1), LaunchType: ecstypes.LaunchTypeFargate, NetworkConfiguration: tc.nc})
		if apiCode(err) != tc.want {
			t.Errorf("CreateService: %v, want %s", err, tc.want)
		}
	}
	run, err := c.RunTask(ctx, &ecs.RunTaskInput{Cluster: aws.String(cluster), TaskDefinition: aws.String("job"), LaunchType: ecstypes.LaunchTypeFargate,
		NetworkConfiguration: vpc(n.Subnets[1:2], []string{n.SecurityGroup})})
	if err != nil {
		t.Fatal(err)
	}
	var subnet string
	for _, a := range run.Tasks[0].Attachments {
		for _, d := range a.Details {
			if aws.ToString(d.Name) == "subnetId" {
				subnet = aws.ToString(d.Value)
			}
		}
	}
	if subnet != n.Subnets[1] {
		t.Fatalf("task's subnet %q, want %q (%+v)", subnet, n.Subnets[1], run.Tasks[0].Attachments)
	}
	// The task runs in its subnet's zone (the second default subnet's).
	if got := aws.ToString(run.Tasks[0].AvailabilityZone); got != "us-east-1b" {
		t.Fatalf("task's AvailabilityZone %q, want us-east-1b", got)
	}
}

// TestNetworkRefsForeignGroup: a function's or load balancer's security
// groups must be in its subnets' VPC.
func TestNetworkRefsForeignGroup(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	n := env.DefaultNetwork(t)
	ec := ec2.NewFromConfig(env.Config)
	vpc, err := ec.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.9.0.0/16")})
	if err != nil {
		t.Fatal(err)
	}
	g, err := ec.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("elsewhere"), Description: aws.String("x"), VpcId: vpc.Vpc.VpcId})
	if err != nil {
		t.Fatal(err)
	}
	foreign := aws.ToString(g.GroupId)
	_, err = elb.NewFromConfig(env.Config).CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("foreign"), Subnets: n.Subnets[:2],
		SecurityGroups: []string{n.SecurityGroup, foreign}})
	if want := "InvalidConfigurationRequest: Security group '" + foreign + "' does not belong to VPC '" + n.VpcID + "'"; apiCode(err) != want {
		t.Errorf("CreateLoadBalancer: %v, want %s", err, want)
	}
	_, err = lambdaClient(t, env).CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("foreign"), Runtime: lambdatypes.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
		Role: aws.String(lambdaRole), Code: &lambdatypes.FunctionCode{ZipFile: scriptZip(t, "v1")},
		VpcConfig: &lambdatypes.VpcConfig{SubnetIds: n.Subnets[:1], SecurityGroupIds: []string{foreign}}})
	if want := "InvalidParameterValueException: Security Groups are required to be in the same VPC."; apiCode(err) != want {
		t.Errorf("CreateFunction: %v, want %s", err, want)
	}
}

// otherVPCSubnet makes a VPC besides the default one, and a subnet in
// it, whose id it returns.
func otherVPCSubnet(t *testing.T, env *e2e.Env) string {
	t.Helper()
	ctx := context.Background()
	ec := ec2.NewFromConfig(env.Config)
	vpc, err := ec.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.8.0.0/16")})
	if err != nil {
		t.Fatal(err)
	}
	sn, err := ec.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: vpc.Vpc.VpcId, CidrBlock: aws.String("10.8.1.0/24"), AvailabilityZone: aws.String("us-east-1c")})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(sn.Subnet.SubnetId)
}

// TestNetworkRefsSubnetsOfTwoVPCs: a function's or load balancer's
// subnets must all be in one VPC.
func TestNetworkRefsSubnetsOfTwoVPCs(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	n := env.DefaultNetwork(t)
	other := otherVPCSubnet(t, env)
	_, err := elb.NewFromConfig(env.Config).CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("split"), Subnets: []string{n.Subnets[0], other}})
	if want := "InvalidConfigurationRequest: Subnet '" + other + "' does not belong to VPC '" + n.VpcID + "'"; apiCode(err) != want {
		t.Errorf("CreateLoadBalancer: %v, want %s", err, want)
	}
	lc := lambdaClient(t, env)
	split := &lambdatypes.VpcConfig{SubnetIds: []string{n.Subnets[0], other}, SecurityGroupIds: []string{n.SecurityGroup}}
	_, err = lc.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("split"), Runtime: lambdatypes.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
		Role: aws.String(lambdaRole), Code: &lambdatypes.FunctionCode{ZipFile: scriptZip(t, "v1")}, VpcConfig: split})
	const want = "InvalidParameterValueException: Subnets are required to be in the same VPC."
	if apiCode(err) != want {
		t.Errorf("CreateFunction: %v, want %s", err, want)
	}
	if _, err := lc.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("split"), Runtime: lambdatypes.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
		Role: aws.String(lambdaRole), Code: &lambdatypes.FunctionCode{ZipFile: scriptZip(t, "v1")}}); err != nil {
		t.Fatal(err)
	}
	_, err = lc.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("split"), VpcConfig: split})
	if apiCode(err) != want {
		t.Errorf("UpdateFunctionConfiguration: %v, want %s", err, want)
	}
}
