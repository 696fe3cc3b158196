package e2e_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/virga/virga/internal/e2e"
)

// TestELBv2SetNetwork: SetSecurityGroups, SetSubnets and SetIpAddressType
// change a load balancer as the CLI reference's examples do, and
// DescribeLoadBalancers shows the change.
func TestELBv2SetNetwork(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := elb.NewFromConfig(env.Config)
	ctx := context.Background()
	net := env.DefaultNetwork(t)
	sg, err := ec2.NewFromConfig(env.Config).CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{
		GroupName: aws.String("lb"), Description: aws.String("lb"), VpcId: aws.String(net.VpcID)})
	if err != nil {
		t.Fatal(err)
	}
	lb, err := c.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("my-load-balancer"), Subnets: net.Subnets[:2], SecurityGroups: []string{net.SecurityGroup}})
	if err != nil {
		t.Fatal(err)
	}
	arn := lb.LoadBalancers[0].LoadBalancerArn

	groups, err := c.SetSecurityGroups(ctx, &elb.SetSecurityGroupsInput{LoadBalancerArn: arn, SecurityGroups: []string{aws.ToString(sg.GroupId)}})
	if err != nil || len(groups.SecurityGroupIds) != 1 || groups.SecurityGroupIds[0] != aws.ToString(sg.GroupId) {
		t.Fatalf("SetSecurityGroups: %v %+v", err, groups)
	}
	_, err = c.SetSecurityGroups(ctx, &elb.SetSecurityGroupsInput{LoadBalancerArn: arn, SecurityGroups: []string{"sg-0123456789abcdef0"}})
	expectAPIError(t, err, "InvalidSecurityGroup", 400)

	subnets, err := c.SetSubnets(ctx, &elb.SetSubnetsInput{LoadBalancerArn: arn, Subnets: net.Subnets[1:3]})
	if err != nil || len(subnets.AvailabilityZones) != 2 || aws.ToString(subnets.AvailabilityZones[0].SubnetId) != net.Subnets[1] ||
		aws.ToString(subnets.AvailabilityZones[1].ZoneName) != "us-east-1c" {
		t.Fatalf("SetSubnets: %v %+v", err, subnets)
	}
	_, err = c.SetSubnets(ctx, &elb.SetSubnetsInput{LoadBalancerArn: arn, Subnets: []string{"subnet-0123456789abcdef0"}})
	expectAPIError(t, err, "SubnetNotFound", 400)

	ipType, err := c.SetIpAddressType(ctx, &elb.SetIpAddressTypeInput{LoadBalancerArn: arn, IpAddressType: elbtypes.IpAddressTypeDualstack})
	if err != nil || ipType.IpAddressType != elbtypes.IpAddressTypeDualstack {
		t.Fatalf("SetIpAddressType: %v %+v", err, ipType)
	}
	_, err = c.SetIpAddressType(ctx, &elb.SetIpAddressTypeInput{LoadBalancerArn: aws.String(aws.ToString(arn) + "0"), IpAddressType: elbtypes.IpAddressTypeIpv4})
	expectAPIError(t, err, "LoadBalancerNotFound", 400)

	desc, err := c.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{LoadBalancerArns: []string{aws.ToString(arn)}})
	if err != nil || len(desc.LoadBalancers) != 1 {
		t.Fatalf("DescribeLoadBalancers: %v %+v", err, desc)
	}
	got := desc.LoadBalancers[0]
	if len(got.SecurityGroups) != 1 || got.SecurityGroups[0] != aws.ToString(sg.GroupId) || len(got.AvailabilityZones) != 2 ||
		aws.ToString(got.AvailabilityZones[0].SubnetId) != net.Subnets[1] || got.IpAddressType != elbtypes.IpAddressTypeDualstack {
		t.Errorf("DescribeLoadBalancers: %+v", got)
	}

	nlb, err := c.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("my-nlb"), Type: elbtypes.LoadBalancerTypeEnumNetwork, Subnets: net.Subnets[:1]})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.SetSecurityGroups(ctx, &elb.SetSecurityGroupsInput{LoadBalancerArn: nlb.LoadBalancers[0].LoadBalancerArn, SecurityGroups: []string{net.SecurityGroup}})
	expectAPIError(t, err, "InvalidConfigurationRequest", 400)
}
