package e2e_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/virga/virga/internal/e2e"
)

// TestCLIEC2CreateVpcIpv6Set: create-vpc answers an empty
// Ipv6CidrBlockAssociationSet, as the CLI reference's example shows,
// and describe-vpcs leaves it out for a VPC without IPv6.
func TestCLIEC2CreateVpcIpv6Set(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	res := env.CLI(t, "ec2", "create-vpc", "--cidr-block", "10.0.0.0/16")
	var created struct{ Vpc map[string]json.RawMessage }
	if res.ExitCode != 0 || json.Unmarshal([]byte(res.Stdout), &created) != nil || string(created.Vpc["Ipv6CidrBlockAssociationSet"]) != "[]" {
		t.Fatalf("create-vpc: %d %s %s", res.ExitCode, res.Stdout, res.Stderr)
	}
	var id string
	if err := json.Unmarshal(created.Vpc["VpcId"], &id); err != nil {
		t.Fatal(err)
	}
	res = env.CLI(t, "ec2", "describe-vpcs", "--vpc-ids", id)
	var described struct{ Vpcs []map[string]json.RawMessage }
	if res.ExitCode != 0 || json.Unmarshal([]byte(res.Stdout), &described) != nil || len(described.Vpcs) != 1 {
		t.Fatalf("describe-vpcs: %d %s %s", res.ExitCode, res.Stdout, res.Stderr)
	}
	if _, ok := described.Vpcs[0]["Ipv6CidrBlockAssociationSet"]; ok {
		t.Errorf("describe-vpcs: %s", res.Stdout)
	}
}

// TestCLIEC2ModifySubnetAttribute: the CLI reference's
// modify-subnet-attribute example makes a subnet map public IPv4
// addresses on launch, which describe-subnets and its
// map-public-ip-on-launch filter then show; EC2 takes one attribute a
// call.
func TestCLIEC2ModifySubnetAttribute(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := ec2.NewFromConfig(env.Config)
	ctx := context.Background()
	vpc, err := c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16")})
	if err != nil {
		t.Fatal(err)
	}
	sn, err := c.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: vpc.Vpc.VpcId, CidrBlock: aws.String("10.0.1.0/24")})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(sn.Subnet.SubnetId)
	if res := env.CLI(t, "ec2", "modify-subnet-attribute", "--subnet-id", id, "--map-public-ip-on-launch"); res.ExitCode != 0 {
		t.Fatalf("modify-subnet-attribute: %d %s", res.ExitCode, res.Stderr)
	}
	res := env.CLI(t, "ec2", "describe-subnets", "--filters", "Name=map-public-ip-on-launch,Values=true", "Name=vpc-id,Values="+aws.ToString(vpc.Vpc.VpcId),
		"--query", "Subnets[].[SubnetId,MapPublicIpOnLaunch]", "--output", "text")
	if res.ExitCode != 0 || res.Stdout != id+"\tTrue\n" {
		t.Errorf("describe-subnets: %d %q %s", res.ExitCode, res.Stdout, res.Stderr)
	}
	_, err = c.ModifySubnetAttribute(ctx, &ec2.ModifySubnetAttributeInput{SubnetId: aws.String(id), MapPublicIpOnLaunch: &ec2types.AttributeBooleanValue{Value: aws.Bool(false)}})
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{SubnetIds: []string{id}})
	if err != nil || len(out.Subnets) != 1 || aws.ToBool(out.Subnets[0].MapPublicIpOnLaunch) {
		t.Errorf("DescribeSubnets: %v %+v", err, out)
	}
	_, err = c.ModifySubnetAttribute(ctx, &ec2.ModifySubnetAttributeInput{SubnetId: aws.String(id),
		MapPublicIpOnLaunch: &ec2types.AttributeBooleanValue{Value: aws.Bool(true)}, AssignIpv6AddressOnCreation: &ec2types.AttributeBooleanValue{Value: aws.Bool(false)}})
	expectAPIError(t, err, "InvalidParameterCombination", 400)
	_, err = c.ModifySubnetAttribute(ctx, &ec2.ModifySubnetAttributeInput{SubnetId: aws.String("subnet-0123456789abcdef0"), MapPublicIpOnLaunch: &ec2types.AttributeBooleanValue{Value: aws.Bool(true)}})
	expectAPIError(t, err, "InvalidSubnetID.NotFound", 400)
}
