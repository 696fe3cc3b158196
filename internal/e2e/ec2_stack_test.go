package e2e_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/virga/virga/internal/e2e"
)

// TestEC2VPCStack deploys a network as CDK's ec2.Vpc builds one (VPC,
// public subnets, internet gateway, routes, NAT gateway, a group with
// rules) and finds its VPC, subnets and group through the EC2 API; the
// stack's deletion removes them.
func TestEC2VPCStack(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	cf := cloudformation.NewFromConfig(env.Config)
	c := ec2.NewFromConfig(env.Config)
	ctx := context.Background()
	tpl := `
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.0.0.0/16
      Tags: [{Key: Name, Value: net}]
  Public1:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: !Select [0, !Cidr [!GetAtt Vpc.CidrBlock, 2, 8]]
      AvailabilityZone: !Select [0, !GetAZs ""]
  Public2:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: !Select [1, !Cidr [!GetAtt Vpc.CidrBlock, 2, 8]]
      AvailabilityZone: !Select [1, !GetAZs ""]
  Igw:
    Type: AWS::EC2::InternetGateway
  Attach:
    Type: AWS::EC2::VPCGatewayAttachment
    Properties: {VpcId: !Ref Vpc, InternetGatewayId: !Ref Igw}
  Table:
    Type: AWS::EC2::RouteTable
    Properties: {VpcId: !Ref Vpc}
  Default:
    Type: AWS::EC2::Route
    DependsOn: Attach
    Properties: {RouteTableId: !Ref Table, DestinationCidrBlock: 0.0.0.0/0, GatewayId: !Ref Igw}
  Assoc:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties: {RouteTableId: !Ref Table, SubnetId: !Ref Public1}
  Eip:
    Type: AWS::EC2::EIP
    Properties: {Domain: vpc}
  Nat:
    Type: AWS::EC2::NatGateway
    Properties: {SubnetId: !Ref Public1, AllocationId: !GetAtt Eip.AllocationId}
  Group:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: web
      VpcId: !Ref Vpc
      SecurityGroupIngress: [{IpProtocol: tcp, FromPort: 80, ToPort: 80, CidrIp: 0.0.0.0/0}]
  FromSelf:
    Type: AWS::EC2::SecurityGroupIngress
    Properties: {GroupId: !Ref Group, IpProtocol: tcp, FromPort: 8080, ToPort: 8080, SourceSecurityGroupId: !Ref Group}
Outputs:
  Vpc: {Value: !Ref Vpc}
  Subnet: {Value: !Ref Public1}
  Zone: {Value: !GetAtt Public1.AvailabilityZone}
  Group: {Value: !GetAtt Group.GroupId}
  DefaultGroup: {Value: !GetAtt Vpc.DefaultSecurityGroup}
  Nat: {Value: !Ref Nat}
`
	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("net"), TemplateBody: aws.String(tpl)}); err != nil {
		t.Fatal(err)
	}
	out := createdStackOutputs(t, cf, "net")
	subs, err := c.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{out["Vpc"]}}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(subs.Subnets) != 2 || out["Zone"] != "us-east-1a" {
		t.Fatalf("subnets %+v, outputs %v", subs.Subnets, out)
	}
	groups, err := c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{out["Group"], out["DefaultGroup"]}})
	if err != nil {
		t.Fatal(err)
	}
	if len(groups.SecurityGroups) != 2 || len(groups.SecurityGroups[0].IpPermissions)+len(groups.SecurityGroups[1].IpPermissions) != 3 {
		t.Fatalf("groups: %+v", groups.SecurityGroups)
	}
	if _, err := cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("net")}); err != nil {
		t.Fatal(err)
	}
	if err := cloudformation.NewStackDeleteCompleteWaiter(cf).Wait(ctx,
		&cloudformation.DescribeStacksInput{StackName: aws.String("net")}, 60*time.Second, func(o *cloudformation.StackDeleteCompleteWaiterOptions) {
			o.MinDelay, o.MaxDelay = 20*time.Millisecond, 100*time.Millisecond
		}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{out["Vpc"]}})
	ec2Code(t, err, "InvalidVpcID.NotFound")
}
