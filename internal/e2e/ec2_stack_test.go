package e2e_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/virga/virga/internal/e2e"
)

// TestEC2VPCStack deploys a network as CDK's ec2.Vpc builds one (VPC,
// public subnets, internet gateway, routes, NAT gateway, a group with
// rules) and finds its VPC, subnets, group, NAT gateway and address
// through the EC2 API; the stack's deletion removes them.
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
  Acl:
    Type: AWS::EC2::NetworkAcl
    Properties: {VpcId: !Ref Vpc}
  AclAssoc:
    Type: AWS::EC2::SubnetNetworkAclAssociation
    Properties: {NetworkAclId: !Ref Acl, SubnetId: !Ref Public2}
  Eip:
    Type: AWS::EC2::EIP
    Properties: {Domain: vpc}
  Nat:
    Type: AWS::EC2::NatGateway
    DependsOn: Attach
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
  Table: {Value: !Ref Table}
  Acl: {Value: !GetAtt Acl.Id}
  AclAssoc: {Value: !GetAtt AclAssoc.AssociationId}
  Eip: {Value: !Ref Eip}
  Igw: {Value: !Ref Igw}
`
	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("net"), TemplateBody: aws.String(tpl)}); err != nil {
		t.Fatal(err)
	}
	out := createdStackOutputs(t, cf, "net")
	// CloudFormation sets its aws:cloudformation: tags, which EC2 refuses
	// from callers.
	tagged, err := c.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{Filters: []ec2types.Filter{
		{Name: aws.String("tag:aws:cloudformation:logical-id"), Values: []string{"Vpc"}}, {Name: aws.String("tag:aws:cloudformation:stack-name"), Values: []string{"net"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(tagged.Vpcs) != 1 || aws.ToString(tagged.Vpcs[0].VpcId) != out["Vpc"] {
		t.Fatalf("VPC by its stack's tags: %+v", tagged.Vpcs)
	}
	subs, err := c.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{out["Vpc"]}}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(subs.Subnets) != 2 || out["Zone"] != "us-east-1a" || !strings.HasPrefix(out["Acl"], "acl-") ||
		!strings.HasPrefix(out["AclAssoc"], "aclassoc-") || !strings.HasPrefix(out["Eip"], "203.0.113.") || !strings.HasPrefix(out["Nat"], "nat-") {
		t.Fatalf("subnets %+v, outputs %v", subs.Subnets, out)
	}
	groups, err := c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{out["Group"], out["DefaultGroup"]}})
	if err != nil {
		t.Fatal(err)
	}
	if len(groups.SecurityGroups) != 2 || len(groups.SecurityGroups[0].IpPermissions)+len(groups.SecurityGroups[1].IpPermissions) != 3 {
		t.Fatalf("groups: %+v", groups.SecurityGroups)
	}
	tables, err := c.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{RouteTableIds: []string{out["Table"]}})
	if err != nil {
		t.Fatal(err)
	}
	if tb := tables.RouteTables[0]; len(tb.Routes) != 2 || aws.ToString(tb.Routes[1].GatewayId) != out["Igw"] ||
		len(tb.Associations) != 1 || aws.ToString(tb.Associations[0].SubnetId) != out["Subnet"] {
		t.Fatalf("route table: %+v", tb)
	}
	igws, err := c.DescribeInternetGateways(ctx, &ec2.DescribeInternetGatewaysInput{InternetGatewayIds: []string{out["Igw"]}})
	if err != nil {
		t.Fatal(err)
	}
	if a := igws.InternetGateways[0].Attachments; len(a) != 1 || aws.ToString(a[0].VpcId) != out["Vpc"] {
		t.Fatalf("gateway: %+v", igws.InternetGateways[0])
	}
	// The NAT gateway and its address are EC2's.
	nats, err := c.DescribeNatGateways(ctx, &ec2.DescribeNatGatewaysInput{Filter: []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{out["Vpc"]}}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(nats.NatGateways) != 1 || aws.ToString(nats.NatGateways[0].NatGatewayId) != out["Nat"] || nats.NatGateways[0].State != ec2types.NatGatewayStateAvailable ||
		aws.ToString(nats.NatGateways[0].NatGatewayAddresses[0].PublicIp) != out["Eip"] || aws.ToString(nats.NatGateways[0].SubnetId) != out["Subnet"] {
		t.Fatalf("NAT gateways: %+v", nats.NatGateways)
	}
	addrs, err := c.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{PublicIps: []string{out["Eip"]}})
	if err != nil || aws.ToString(addrs.Addresses[0].NetworkInterfaceId) != aws.ToString(nats.NatGateways[0].NatGatewayAddresses[0].NetworkInterfaceId) {
		t.Fatalf("the stack's address: %+v %v", addrs, err)
	}

	// An update changes the VPC's tags and the group's rules in place.
	updated := strings.Replace(strings.Replace(tpl, "Value: net}", "Value: net2}", 1), "FromPort: 80, ToPort: 80", "FromPort: 443, ToPort: 443", 1)
	if _, err := cf.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: aws.String("net"), TemplateBody: aws.String(updated)}); err != nil {
		t.Fatal(err)
	}
	if st := settleStack(t, cf, "net"); st.StackStatus != cftypes.StackStatusUpdateComplete {
		t.Fatalf("update: %s", st.StackStatus)
	}
	vpcs, err := c.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{Filters: []ec2types.Filter{{Name: aws.String("tag:Name"), Values: []string{"net2"}}}})
	if err != nil {
		t.Fatal(err)
	}
	groups, err = c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{out["Group"]}})
	if err != nil {
		t.Fatal(err)
	}
	var ports []int32
	for _, p := range groups.SecurityGroups[0].IpPermissions {
		ports = append(ports, aws.ToInt32(p.FromPort))
	}
	if len(vpcs.Vpcs) != 1 || aws.ToString(vpcs.Vpcs[0].VpcId) != out["Vpc"] || len(ports) != 2 || (ports[0] != 443 && ports[1] != 443) ||
		ports[0] == 80 || ports[1] == 80 {
		t.Fatalf("after update: vpcs %+v, ports %v", vpcs.Vpcs, ports)
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
	nats, err = c.DescribeNatGateways(ctx, &ec2.DescribeNatGatewaysInput{NatGatewayIds: []string{out["Nat"]}})
	if err != nil || nats.NatGateways[0].State != ec2types.NatGatewayStateDeleted {
		t.Fatalf("the stack's NAT gateway after its deletion: %+v %v", nats, err)
	}
	_, err = c.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{PublicIps: []string{out["Eip"]}})
	ec2Code(t, err, "InvalidAddress.NotFound")
}
