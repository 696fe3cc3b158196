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
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/virga/virga/internal/e2e"
)

// TestEC2NatGatewaysAndAddresses: Elastic IP addresses are allocated,
// described, tagged and released; a NAT gateway takes one (not one in
// use), has a network interface in its subnet, keeps its subnet and
// VPC from being deleted, and once deleted stays visible as "deleted"
// and gives its address back.
func TestEC2NatGatewaysAndAddresses(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	c := ec2.NewFromConfig(env.Config)

	alloc, err := c.AllocateAddress(ctx, &ec2.AllocateAddressInput{Domain: ec2types.DomainTypeVpc,
		TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeElasticIp, Tags: []ec2types.Tag{{Key: aws.String("Name"), Value: aws.String("egress")}}}}})
	if err != nil {
		t.Fatal(err)
	}
	aid, ip := aws.ToString(alloc.AllocationId), aws.ToString(alloc.PublicIp)
	if ip != "203.0.113.1" || alloc.Domain != ec2types.DomainTypeVpc {
		t.Fatalf("AllocateAddress: %s %s %s", aid, ip, alloc.Domain)
	}
	addrs, err := c.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{Filters: []ec2types.Filter{{Name: aws.String("tag:Name"), Values: []string{"egress"}}}})
	if err != nil || len(addrs.Addresses) != 1 || aws.ToString(addrs.Addresses[0].AllocationId) != aid {
		t.Fatalf("DescribeAddresses by tag: %+v %v", addrs, err)
	}
	_, err = c.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{AllocationIds: []string{"eipalloc-0123456789abcdef0"}})
	ec2Code(t, err, "InvalidAllocationID.NotFound")
	_, err = c.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{PublicIps: []string{"198.51.100.7"}})
	ec2Code(t, err, "InvalidAddress.NotFound")

	vpc, err := c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.20.0.0/16")})
	if err != nil {
		t.Fatal(err)
	}
	sub, err := c.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: vpc.Vpc.VpcId, CidrBlock: aws.String("10.20.1.0/24")})
	if err != nil {
		t.Fatal(err)
	}
	sid := aws.ToString(sub.Subnet.SubnetId)
	// A public NAT gateway needs its VPC's internet gateway.
	igw, err := c.CreateInternetGateway(ctx, &ec2.CreateInternetGatewayInput{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.AttachInternetGateway(ctx, &ec2.AttachInternetGatewayInput{InternetGatewayId: igw.InternetGateway.InternetGatewayId, VpcId: vpc.Vpc.VpcId}); err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateNatGateway(ctx, &ec2.CreateNatGatewayInput{SubnetId: aws.String(sid), AllocationId: aws.String("eipalloc-0123456789abcdef0")})
	ec2Code(t, err, "InvalidAllocationID.NotFound")
	made, err := c.CreateNatGateway(ctx, &ec2.CreateNatGatewayInput{SubnetId: aws.String(sid), AllocationId: aws.String(aid)})
	if err != nil {
		t.Fatal(err)
	}
	nat := aws.ToString(made.NatGateway.NatGatewayId)
	if made.NatGateway.State != ec2types.NatGatewayStatePending {
		t.Errorf("CreateNatGateway state %s, want pending", made.NatGateway.State)
	}
	_, err = c.CreateNatGateway(ctx, &ec2.CreateNatGatewayInput{SubnetId: aws.String(sid), AllocationId: aws.String(aid)})
	ec2Code(t, err, "Resource.AlreadyAssociated")
	private, err := c.CreateNatGateway(ctx, &ec2.CreateNatGatewayInput{SubnetId: aws.String(sid), ConnectivityType: ec2types.ConnectivityTypePrivate})
	if err != nil {
		t.Fatal(err)
	}

	gws, err := c.DescribeNatGateways(ctx, &ec2.DescribeNatGatewaysInput{Filter: []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{aws.ToString(vpc.Vpc.VpcId)}},
		{Name: aws.String("state"), Values: []string{"available"}}}})
	if err != nil || len(gws.NatGateways) != 2 {
		t.Fatalf("DescribeNatGateways: %+v %v", gws, err)
	}
	var g ec2types.NatGateway
	for _, x := range gws.NatGateways {
		if aws.ToString(x.NatGatewayId) == nat {
			g = x
		}
	}
	if len(g.NatGatewayAddresses) != 1 || aws.ToString(g.NatGatewayAddresses[0].PublicIp) != ip || aws.ToString(g.NatGatewayAddresses[0].PrivateIp) != "10.20.1.4" ||
		aws.ToString(g.SubnetId) != sid || g.ConnectivityType != ec2types.ConnectivityTypePublic {
		t.Fatalf("NAT gateway: %+v", g)
	}
	eni := aws.ToString(g.NatGatewayAddresses[0].NetworkInterfaceId)
	enis, err := c.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{Filters: []ec2types.Filter{{Name: aws.String("subnet-id"), Values: []string{sid}}}})
	if err != nil || len(enis.NetworkInterfaces) != 2 {
		t.Fatalf("DescribeNetworkInterfaces: %+v %v", enis, err)
	}
	one, err := c.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{NetworkInterfaceIds: []string{eni}})
	if err != nil {
		t.Fatal(err)
	}
	if n := one.NetworkInterfaces[0]; aws.ToString(n.Description) != "Interface for NAT Gateway "+nat || !aws.ToBool(n.RequesterManaged) ||
		n.Association == nil || aws.ToString(n.Association.PublicIp) != ip {
		t.Fatalf("NAT gateway's interface: %+v", n)
	}
	addrs, err = c.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{PublicIps: []string{ip}})
	if err != nil || aws.ToString(addrs.Addresses[0].NetworkInterfaceId) != eni || aws.ToString(addrs.Addresses[0].PrivateIpAddress) != "10.20.1.4" {
		t.Fatalf("the NAT gateway's address: %+v %v", addrs, err)
	}

	// A NAT gateway's address and interface are AWS's to manage.
	_, err = c.DisassociateAddress(ctx, &ec2.DisassociateAddressInput{AssociationId: addrs.Addresses[0].AssociationId})
	ec2Code(t, err, "AuthFailure")
	second, err := c.AllocateAddress(ctx, &ec2.AllocateAddressInput{})
	if err != nil || aws.ToString(second.PublicIp) != "203.0.113.2" {
		t.Fatalf("a second AllocateAddress: %+v %v", second, err)
	}
	_, err = c.AssociateAddress(ctx, &ec2.AssociateAddressInput{AllocationId: second.AllocationId, NetworkInterfaceId: aws.String(eni)})
	ec2Code(t, err, "AuthFailure")
	_, err = c.AssociateAddress(ctx, &ec2.AssociateAddressInput{AllocationId: second.AllocationId, InstanceId: aws.String("i-0123456789abcdef0")})
	ec2Code(t, err, "InvalidInstanceID.NotFound")
	_, err = c.DisassociateAddress(ctx, &ec2.DisassociateAddressInput{AssociationId: aws.String("eipassoc-0123456789abcdef0")})
	ec2Code(t, err, "InvalidAssociationID.NotFound")

	// An address in use stays; so do the subnet and the VPC.
	_, err = c.ReleaseAddress(ctx, &ec2.ReleaseAddressInput{AllocationId: aws.String(aid)})
	ec2Code(t, err, "InvalidIPAddress.InUse")
	_, err = c.DeleteSubnet(ctx, &ec2.DeleteSubnetInput{SubnetId: aws.String(sid)})
	ec2Code(t, err, "DependencyViolation")
	_, err = c.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: vpc.Vpc.VpcId})
	ec2Code(t, err, "DependencyViolation")

	if _, err := c.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{nat}, Tags: []ec2types.Tag{{Key: aws.String("tier"), Value: aws.String("egress")}}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.DescribeTags(ctx, &ec2.DescribeTagsInput{Filters: []ec2types.Filter{{Name: aws.String("resource-type"), Values: []string{"natgateway"}}}})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].ResourceId) != nat {
		t.Fatalf("DescribeTags: %+v %v", tags, err)
	}

	for _, id := range []string{nat, aws.ToString(private.NatGateway.NatGatewayId)} {
		if _, err := c.DeleteNatGateway(ctx, &ec2.DeleteNatGatewayInput{NatGatewayId: aws.String(id)}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = c.DeleteNatGateway(ctx, &ec2.DeleteNatGatewayInput{NatGatewayId: aws.String(nat)})
	ec2Code(t, err, "NatGatewayNotFound")
	gws, err = c.DescribeNatGateways(ctx, &ec2.DescribeNatGatewaysInput{NatGatewayIds: []string{nat}})
	if err != nil || len(gws.NatGateways) != 1 || gws.NatGateways[0].State != ec2types.NatGatewayStateDeleted || gws.NatGateways[0].DeleteTime == nil {
		t.Fatalf("a deleted NAT gateway: %+v %v", gws, err)
	}
	_, err = c.DescribeNatGateways(ctx, &ec2.DescribeNatGatewaysInput{NatGatewayIds: []string{"nat-0123456789abcdef0"}})
	ec2Code(t, err, "NatGatewayNotFound")
	enis, err = c.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{Filters: []ec2types.Filter{{Name: aws.String("subnet-id"), Values: []string{sid}}}})
	if err != nil || len(enis.NetworkInterfaces) != 0 {
		t.Fatalf("interfaces after the gateways' deletion: %+v %v", enis, err)
	}
	if _, err := c.ReleaseAddress(ctx, &ec2.ReleaseAddressInput{AllocationId: aws.String(aid)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.ReleaseAddress(ctx, &ec2.ReleaseAddressInput{AllocationId: aws.String(aid)})
	ec2Code(t, err, "InvalidAllocationID.NotFound")
	if _, err := c.DeleteSubnet(ctx, &ec2.DeleteSubnetInput{SubnetId: aws.String(sid)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DetachInternetGateway(ctx, &ec2.DetachInternetGatewayInput{InternetGatewayId: igw.InternetGateway.InternetGatewayId, VpcId: vpc.Vpc.VpcId}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: vpc.Vpc.VpcId}); err != nil {
		t.Fatal(err)
	}
}

// TestEC2DeletedNatGatewayFades: a deleted NAT gateway is described as
// "deleted" for an hour, then not at all.
func TestEC2DeletedNatGatewayFades(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithFakeClock())
	ctx := context.Background()
	c := ec2.NewFromConfig(env.Config)
	n := env.DefaultNetwork(t)
	made, err := c.CreateNatGateway(ctx, &ec2.CreateNatGatewayInput{SubnetId: aws.String(n.Subnets[0]), ConnectivityType: ec2types.ConnectivityTypePrivate})
	if err != nil {
		t.Fatal(err)
	}
	id := made.NatGateway.NatGatewayId
	if _, err := c.DeleteNatGateway(ctx, &ec2.DeleteNatGatewayInput{NatGatewayId: id}); err != nil {
		t.Fatal(err)
	}
	env.Clock.Advance(59 * time.Minute)
	gws, err := c.DescribeNatGateways(ctx, &ec2.DescribeNatGatewaysInput{})
	if err != nil || len(gws.NatGateways) != 1 || gws.NatGateways[0].State != ec2types.NatGatewayStateDeleted {
		t.Fatalf("after 59 minutes: %+v %v", gws, err)
	}
	env.Clock.Advance(2 * time.Minute)
	gws, err = c.DescribeNatGateways(ctx, &ec2.DescribeNatGatewaysInput{})
	if err != nil || len(gws.NatGateways) != 0 {
		t.Fatalf("after 61 minutes: %+v %v", gws, err)
	}
	_, err = c.DescribeNatGateways(ctx, &ec2.DescribeNatGatewaysInput{NatGatewayIds: []string{aws.ToString(id)}})
	ec2Code(t, err, "NatGatewayNotFound")
	// The next change forgets it.
	if _, err := c.CreateNatGateway(ctx, &ec2.CreateNatGatewayInput{SubnetId: aws.String(n.Subnets[0]), ConnectivityType: ec2types.ConnectivityTypePrivate}); err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{aws.ToString(id)}, Tags: []ec2types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
	ec2Code(t, err, "NatGatewayNotFound")
}

// TestEC2LambdaNetworkInterfaces: a function in a VPC has a network
// interface of type lambda in each of its subnets, shared by the
// functions with the same subnets and groups, gone with them.
func TestEC2LambdaNetworkInterfaces(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	c := ec2.NewFromConfig(env.Config)
	n := env.DefaultNetwork(t)
	lc := lambdaClient(t, env)
	for _, name := range []string{"inside", "beside"} {
		if _, err := lc.CreateFunction(ctx, &lambda.CreateFunctionInput{
			FunctionName: aws.String(name), Runtime: lambdatypes.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
			Role: aws.String(lambdaRole), Code: &lambdatypes.FunctionCode{ZipFile: scriptZip(t, "v1")},
			VpcConfig: &lambdatypes.VpcConfig{SubnetIds: n.Subnets[:2], SecurityGroupIds: []string{n.SecurityGroup}}}); err != nil {
			t.Fatal(err)
		}
	}
	lambdaENIs := func() []ec2types.NetworkInterface {
		t.Helper()
		out, err := c.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{Filters: []ec2types.Filter{{Name: aws.String("interface-type"), Values: []string{"lambda"}}}})
		if err != nil {
			t.Fatal(err)
		}
		return out.NetworkInterfaces
	}
	enis := lambdaENIs()
	if len(enis) != 2 {
		t.Fatalf("interfaces: %+v", enis)
	}
	e := enis[0]
	if !strings.HasPrefix(aws.ToString(e.Description), "AWS Lambda VPC ENI-beside-") || aws.ToString(e.SubnetId) != n.Subnets[0] ||
		aws.ToString(e.VpcId) != n.VpcID || len(e.Groups) != 1 || aws.ToString(e.Groups[0].GroupId) != n.SecurityGroup ||
		aws.ToString(e.Groups[0].GroupName) != "default" || !aws.ToBool(e.RequesterManaged) {
		t.Fatalf("interface: %+v", e)
	}
	one, err := c.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{NetworkInterfaceIds: []string{aws.ToString(e.NetworkInterfaceId)}})
	if err != nil || len(one.NetworkInterfaces) != 1 || aws.ToString(one.NetworkInterfaces[0].PrivateIpAddress) != aws.ToString(e.PrivateIpAddress) {
		t.Fatalf("by id: %+v %v", one, err)
	}
	for _, name := range []string{"inside", "beside"} {
		if _, err := lc.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String(name)}); err != nil {
			t.Fatal(err)
		}
	}
	if enis := lambdaENIs(); len(enis) != 0 {
		t.Fatalf("interfaces of deleted functions: %+v", enis)
	}
	_, err = c.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{NetworkInterfaceIds: []string{aws.ToString(e.NetworkInterfaceId)}})
	ec2Code(t, err, "InvalidNetworkInterfaceID.NotFound")
}

// TestEC2NatGatewayFailureTokenAndRoutes: a public NAT gateway in a VPC
// without an internet gateway is "failed" (Gateway.NotAttached) and
// takes no address; a ClientToken used again answers the same gateway,
// or IdempotentParameterMismatch with other parameters; CreateRoute
// refuses a NAT gateway that is not there.
func TestEC2NatGatewayFailureTokenAndRoutes(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	c := ec2.NewFromConfig(env.Config)
	vpc, err := c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.30.0.0/16")})
	if err != nil {
		t.Fatal(err)
	}
	vid := aws.ToString(vpc.Vpc.VpcId)
	sub, err := c.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: vpc.Vpc.VpcId, CidrBlock: aws.String("10.30.1.0/24")})
	if err != nil {
		t.Fatal(err)
	}
	alloc, err := c.AllocateAddress(ctx, &ec2.AllocateAddressInput{})
	if err != nil {
		t.Fatal(err)
	}
	failed, err := c.CreateNatGateway(ctx, &ec2.CreateNatGatewayInput{SubnetId: sub.Subnet.SubnetId, AllocationId: alloc.AllocationId})
	if err != nil {
		t.Fatal(err)
	}
	// Create answers pending; the failure is seen only later, by Describe.
	if g := failed.NatGateway; g.State != ec2types.NatGatewayStatePending || g.FailureCode != nil || g.FailureMessage != nil {
		t.Errorf("CreateNatGateway answered %s %q %q, want pending with no failure yet", g.State, aws.ToString(g.FailureCode), aws.ToString(g.FailureMessage))
	}
	gws, err := c.DescribeNatGateways(ctx, &ec2.DescribeNatGatewaysInput{NatGatewayIds: []string{aws.ToString(failed.NatGateway.NatGatewayId)}})
	if err != nil || len(gws.NatGateways) != 1 {
		t.Fatalf("DescribeNatGateways: %+v %v", gws, err)
	}
	if g := gws.NatGateways[0]; g.State != ec2types.NatGatewayStateFailed || aws.ToString(g.FailureCode) != "Gateway.NotAttached" ||
		aws.ToString(g.FailureMessage) != "Network "+vid+" has no Internet gateway attached" {
		t.Errorf("gateway without an internet gateway: %s %s %q", g.State, aws.ToString(g.FailureCode), aws.ToString(g.FailureMessage))
	}
	addrs, err := c.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{AllocationIds: []string{aws.ToString(alloc.AllocationId)}})
	if err != nil || len(addrs.Addresses) != 1 || addrs.Addresses[0].AssociationId != nil {
		t.Errorf("the failed gateway's address: %+v %v", addrs, err)
	}

	// The same token and parameters: the same gateway.
	first, err := c.CreateNatGateway(ctx, &ec2.CreateNatGatewayInput{SubnetId: sub.Subnet.SubnetId,
		ConnectivityType: ec2types.ConnectivityTypePrivate, ClientToken: aws.String("tok-1")})
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.CreateNatGateway(ctx, &ec2.CreateNatGatewayInput{SubnetId: sub.Subnet.SubnetId,
		ConnectivityType: ec2types.ConnectivityTypePrivate, ClientToken: aws.String("tok-1")})
	if err != nil || aws.ToString(again.NatGateway.NatGatewayId) != aws.ToString(first.NatGateway.NatGatewayId) || aws.ToString(again.ClientToken) != "tok-1" {
		t.Fatalf("CreateNatGateway with the token again: %+v %v", again, err)
	}
	_, err = c.CreateNatGateway(ctx, &ec2.CreateNatGatewayInput{SubnetId: sub.Subnet.SubnetId,
		ConnectivityType: ec2types.ConnectivityTypePrivate, PrivateIpAddress: aws.String("10.30.1.50"), ClientToken: aws.String("tok-1")})
	ec2Code(t, err, "IdempotentParameterMismatch")
	all, err := c.DescribeNatGateways(ctx, &ec2.DescribeNatGatewaysInput{})
	if err != nil || len(all.NatGateways) != 2 {
		t.Errorf("gateways: %+v %v", all, err)
	}

	rt, err := c.CreateRouteTable(ctx, &ec2.CreateRouteTableInput{VpcId: vpc.Vpc.VpcId})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateRoute(ctx, &ec2.CreateRouteInput{RouteTableId: rt.RouteTable.RouteTableId, DestinationCidrBlock: aws.String("0.0.0.0/0"),
		NatGatewayId: aws.String("nat-0123456789abcdef0")})
	ec2Code(t, err, "NatGatewayNotFound")
	if _, err := c.CreateRoute(ctx, &ec2.CreateRouteInput{RouteTableId: rt.RouteTable.RouteTableId, DestinationCidrBlock: aws.String("0.0.0.0/0"),
		NatGatewayId: first.NatGateway.NatGatewayId}); err != nil {
		t.Fatal(err)
	}
}

// TestEC2NatGatewayStackFails: a stack's public NAT gateway in a VPC
// without an internet gateway fails the stack, with EC2's reason.
func TestEC2NatGatewayStackFails(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cf := cloudformation.NewFromConfig(env.Config)
	name := aws.String("natfails")
	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: name, TemplateBody: aws.String(`Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.40.0.0/16}
  Subnet:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.40.1.0/24}
  Eip:
    Type: AWS::EC2::EIP
    Properties: {Domain: vpc}
  Nat:
    Type: AWS::EC2::NatGateway
    Properties: {SubnetId: !Ref Subnet, AllocationId: !GetAtt Eip.AllocationId}
`)}); err != nil {
		t.Fatal(err)
	}
	err := cloudformation.NewStackCreateCompleteWaiter(cf).Wait(ctx, &cloudformation.DescribeStacksInput{StackName: name}, 90*time.Second)
	if err == nil {
		t.Fatal("the stack was made")
	}
	events, err := cf.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: name})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range events.StackEvents {
		if aws.ToString(e.LogicalResourceId) == "Nat" && e.ResourceStatus == cftypes.ResourceStatusCreateFailed &&
			strings.Contains(aws.ToString(e.ResourceStatusReason), "has no Internet gateway attached") {
			found = true
		}
	}
	if !found {
		t.Errorf("no CREATE_FAILED event for Nat: %+v", events.StackEvents)
	}
}
