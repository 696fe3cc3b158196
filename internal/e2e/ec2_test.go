package e2e_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"
	"github.com/virga/virga/internal/e2e"
)

func ec2Code(t *testing.T, err error, want string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != want {
		t.Fatalf("error = %v, want %s", err, want)
	}
}

// TestEC2DefaultVPC: a region has a default VPC with a default subnet in
// each zone and a default security group, as a new AWS account has.
func TestEC2DefaultVPC(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := ec2.NewFromConfig(env.Config)
	ctx := context.Background()

	vpcs, err := c.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{Filters: []types.Filter{{Name: aws.String("is-default"), Values: []string{"true"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(vpcs.Vpcs) != 1 || aws.ToString(vpcs.Vpcs[0].CidrBlock) != "172.31.0.0/16" || !aws.ToBool(vpcs.Vpcs[0].IsDefault) ||
		!strings.HasPrefix(aws.ToString(vpcs.Vpcs[0].VpcId), "vpc-") || len(aws.ToString(vpcs.Vpcs[0].VpcId)) != 21 {
		t.Fatalf("default VPC: %+v", vpcs.Vpcs)
	}
	vpc := aws.ToString(vpcs.Vpcs[0].VpcId)
	zones, err := c.DescribeAvailabilityZones(ctx, &ec2.DescribeAvailabilityZonesInput{})
	if err != nil {
		t.Fatal(err)
	}
	subs, err := c.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: []types.Filter{
		{Name: aws.String("vpc-id"), Values: []string{vpc}}, {Name: aws.String("default-for-az"), Values: []string{"true"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(zones.AvailabilityZones) != 3 || len(subs.Subnets) != len(zones.AvailabilityZones) {
		t.Fatalf("zones %d, default subnets %d", len(zones.AvailabilityZones), len(subs.Subnets))
	}
	if aws.ToString(zones.AvailabilityZones[0].ZoneName) != "us-east-1a" || aws.ToString(zones.AvailabilityZones[0].ZoneId) != "use1-az1" {
		t.Errorf("first zone: %+v", zones.AvailabilityZones[0])
	}
	groups, err := c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupNames: []string{"default"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(groups.SecurityGroups) != 1 || aws.ToString(groups.SecurityGroups[0].VpcId) != vpc ||
		len(groups.SecurityGroups[0].IpPermissionsEgress) != 1 {
		t.Fatalf("default group: %+v", groups.SecurityGroups)
	}
	igws, err := c.DescribeInternetGateways(ctx, &ec2.DescribeInternetGatewaysInput{Filters: []types.Filter{{Name: aws.String("attachment.vpc-id"), Values: []string{vpc}}}})
	if err != nil {
		t.Fatal(err)
	}
	tables, err := c.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: []types.Filter{{Name: aws.String("association.main"), Values: []string{"true"}},
		{Name: aws.String("vpc-id"), Values: []string{vpc}}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(igws.InternetGateways) != 1 || len(tables.RouteTables) != 1 || len(tables.RouteTables[0].Routes) != 2 ||
		aws.ToString(tables.RouteTables[0].Routes[1].GatewayId) != aws.ToString(igws.InternetGateways[0].InternetGatewayId) {
		t.Fatalf("gateways %+v, tables %+v", igws.InternetGateways, tables.RouteTables)
	}
}

// TestEC2VPCLifecycle creates a VPC, subnets and a group with rules,
// finds them by tag and id, and deletes them, with EC2's errors on the
// way.
func TestEC2VPCLifecycle(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := ec2.NewFromConfig(env.Config)
	ctx := context.Background()

	_, err := c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/8")})
	ec2Code(t, err, "InvalidVpc.Range")
	_, err = c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/33")})
	ec2Code(t, err, "InvalidParameterValue")
	_, err = c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16"), DryRun: aws.Bool(true)})
	ec2Code(t, err, "DryRunOperation")
	made, err := c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16"), TagSpecifications: []types.TagSpecification{
		{ResourceType: types.ResourceTypeVpc, Tags: []types.Tag{{Key: aws.String("Name"), Value: aws.String("app")}}}}})
	if err != nil {
		t.Fatal(err)
	}
	vpc := aws.ToString(made.Vpc.VpcId)
	byTag, err := c.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{Filters: []types.Filter{{Name: aws.String("tag:Name"), Values: []string{"ap*"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(byTag.Vpcs) != 1 || aws.ToString(byTag.Vpcs[0].VpcId) != vpc || aws.ToString(byTag.Vpcs[0].Tags[0].Value) != "app" {
		t.Fatalf("by tag: %+v", byTag.Vpcs)
	}
	_, err = c.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{"vpc-0123456789abcdef0"}})
	ec2Code(t, err, "InvalidVpcID.NotFound")
	_, err = c.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{Filters: []types.Filter{{Name: aws.String("nonsense"), Values: []string{"x"}}}})
	ec2Code(t, err, "InvalidParameterValue")

	_, err = c.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: aws.String(vpc), CidrBlock: aws.String("10.1.0.0/24")})
	ec2Code(t, err, "InvalidSubnet.Range")
	_, err = c.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: aws.String(vpc), CidrBlock: aws.String("10.0.0.0/24"), AvailabilityZone: aws.String("us-east-1z")})
	ec2Code(t, err, "InvalidParameterValue")
	sub, err := c.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: aws.String(vpc), CidrBlock: aws.String("10.0.0.0/24"), AvailabilityZone: aws.String("us-east-1b")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(sub.Subnet.AvailabilityZoneId) != "use1-az2" || aws.ToInt32(sub.Subnet.AvailableIpAddressCount) != 251 {
		t.Errorf("subnet: %+v", sub.Subnet)
	}
	_, err = c.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: aws.String(vpc), CidrBlock: aws.String("10.0.0.128/25")})
	ec2Code(t, err, "InvalidSubnet.Conflict")

	sg, err := c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("web"), Description: aws.String("web"), VpcId: aws.String(vpc)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("web"), Description: aws.String("again"), VpcId: aws.String(vpc)})
	ec2Code(t, err, "InvalidGroup.Duplicate")
	perm := types.IpPermission{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(443), ToPort: aws.Int32(443),
		IpRanges: []types.IpRange{{CidrIp: aws.String("0.0.0.0/0"), Description: aws.String("https")}}}
	auth, err := c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: sg.GroupId, IpPermissions: []types.IpPermission{perm}})
	if err != nil {
		t.Fatal(err)
	}
	if len(auth.SecurityGroupRules) != 1 || !strings.HasPrefix(aws.ToString(auth.SecurityGroupRules[0].SecurityGroupRuleId), "sgr-") {
		t.Errorf("authorize: %+v", auth.SecurityGroupRules)
	}
	_, err = c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: sg.GroupId, IpPermissions: []types.IpPermission{perm}})
	ec2Code(t, err, "InvalidPermission.Duplicate")
	got, err := c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: []types.Filter{
		{Name: aws.String("vpc-id"), Values: []string{vpc}}, {Name: aws.String("group-name"), Values: []string{"web"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.SecurityGroups) != 1 || len(got.SecurityGroups[0].IpPermissions) != 1 ||
		aws.ToString(got.SecurityGroups[0].IpPermissions[0].IpRanges[0].Description) != "https" {
		t.Fatalf("group: %+v", got.SecurityGroups)
	}
	if _, err := c.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{GroupId: sg.GroupId, IpPermissions: []types.IpPermission{perm}}); err != nil {
		t.Fatal(err)
	}
	_, err = c.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{GroupId: sg.GroupId, IpPermissions: []types.IpPermission{perm}})
	ec2Code(t, err, "InvalidPermission.NotFound")

	if _, err := c.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{aws.ToString(sub.Subnet.SubnetId)}, Tags: []types.Tag{{Key: aws.String("tier"), Value: aws.String("private")}}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.DescribeTags(ctx, &ec2.DescribeTagsInput{Filters: []types.Filter{{Name: aws.String("key"), Values: []string{"tier"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(tags.Tags) != 1 || tags.Tags[0].ResourceType != types.ResourceTypeSubnet {
		t.Errorf("tags: %+v", tags.Tags)
	}

	// CDK's ec2.Vpc strips its default group's rules as this does.
	def, err := c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: []types.Filter{
		{Name: aws.String("vpc-id"), Values: []string{vpc}}, {Name: aws.String("group-name"), Values: []string{"default"}}}})
	if err != nil || len(def.SecurityGroups) != 1 {
		t.Fatalf("default group: %v %+v", err, def)
	}
	defID := def.SecurityGroups[0].GroupId
	if _, err := c.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{GroupId: defID, IpPermissions: []types.IpPermission{
		{IpProtocol: aws.String("-1"), UserIdGroupPairs: []types.UserIdGroupPair{{GroupId: defID, UserId: aws.String("000000000000")}}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.RevokeSecurityGroupEgress(ctx, &ec2.RevokeSecurityGroupEgressInput{GroupId: defID, IpPermissions: []types.IpPermission{
		{IpProtocol: aws.String("-1"), IpRanges: []types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}}}}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: defID})
	ec2Code(t, err, "CannotDelete")

	_, err = c.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: aws.String(vpc)})
	ec2Code(t, err, "DependencyViolation")
	if _, err := c.DeleteSubnet(ctx, &ec2.DeleteSubnetInput{SubnetId: sub.Subnet.SubnetId}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: sg.GroupId}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: aws.String(vpc)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: aws.String(vpc)})
	ec2Code(t, err, "InvalidVpcID.NotFound")
}

// TestCLIEC2 drives EC2's protocol with Debian's aws CLI.
func TestCLIEC2(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, e2e.AWSCLI)
	env := e2e.Start(t)
	var vpcs struct {
		Vpcs []struct {
			VpcId, CidrBlock string
			IsDefault        bool
		}
	}
	cliJSON(t, env.CLI(t, "ec2", "describe-vpcs", "--filters", "Name=is-default,Values=true"), &vpcs)
	if len(vpcs.Vpcs) != 1 || vpcs.Vpcs[0].CidrBlock != "172.31.0.0/16" || !vpcs.Vpcs[0].IsDefault {
		t.Fatalf("describe-vpcs: %+v", vpcs)
	}
	var sg struct{ GroupId string }
	cliJSON(t, env.CLI(t, "ec2", "create-security-group", "--group-name", "cli", "--description", "from the CLI"), &sg)
	cliJSON(t, env.CLI(t, "ec2", "authorize-security-group-ingress", "--group-id", sg.GroupId, "--ip-permissions",
		`[{"IpProtocol":"tcp","FromPort":22,"ToPort":22,"IpRanges":[{"CidrIp":"10.0.0.0/8","Description":"ssh"}]}]`), &struct{}{})
	var groups struct {
		SecurityGroups []struct {
			VpcId         string
			IpPermissions []struct {
				FromPort int32
				IpRanges []struct{ CidrIp, Description string }
			}
		}
	}
	cliJSON(t, env.CLI(t, "ec2", "describe-security-groups", "--group-ids", sg.GroupId), &groups)
	if len(groups.SecurityGroups) != 1 || groups.SecurityGroups[0].VpcId != vpcs.Vpcs[0].VpcId ||
		len(groups.SecurityGroups[0].IpPermissions) != 1 || groups.SecurityGroups[0].IpPermissions[0].FromPort != 22 ||
		groups.SecurityGroups[0].IpPermissions[0].IpRanges[0].Description != "ssh" {
		t.Errorf("describe-security-groups: %+v", groups)
	}
	res := env.CLI(t, "ec2", "describe-subnets", "--subnet-ids", "subnet-0123456789abcdef0")
	if res.ExitCode == 0 || !strings.Contains(res.Stderr, "InvalidSubnetID.NotFound") {
		t.Errorf("missing subnet: exit %d, stderr %s", res.ExitCode, res.Stderr)
	}
}

// TestEC2RouteTables attaches a gateway, routes through it and
// associates a subnet, with EC2's errors for what conflicts.
func TestEC2RouteTables(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := ec2.NewFromConfig(env.Config)
	ctx := context.Background()

	vpc, err := c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.2.0.0/16")})
	if err != nil {
		t.Fatal(err)
	}
	vpcID := vpc.Vpc.VpcId
	sub, err := c.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: vpcID, CidrBlock: aws.String("10.2.1.0/24")})
	if err != nil {
		t.Fatal(err)
	}
	igw, err := c.CreateInternetGateway(ctx, &ec2.CreateInternetGatewayInput{})
	if err != nil {
		t.Fatal(err)
	}
	gw := igw.InternetGateway.InternetGatewayId
	if _, err := c.AttachInternetGateway(ctx, &ec2.AttachInternetGatewayInput{InternetGatewayId: gw, VpcId: vpcID}); err != nil {
		t.Fatal(err)
	}
	_, err = c.AttachInternetGateway(ctx, &ec2.AttachInternetGatewayInput{InternetGatewayId: gw, VpcId: vpcID})
	ec2Code(t, err, "Resource.AlreadyAssociated")
	rtb, err := c.CreateRouteTable(ctx, &ec2.CreateRouteTableInput{VpcId: vpcID})
	if err != nil {
		t.Fatal(err)
	}
	table := rtb.RouteTable.RouteTableId
	if _, err := c.CreateRoute(ctx, &ec2.CreateRouteInput{RouteTableId: table, DestinationCidrBlock: aws.String("0.0.0.0/0"), GatewayId: gw}); err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateRoute(ctx, &ec2.CreateRouteInput{RouteTableId: table, DestinationCidrBlock: aws.String("0.0.0.0/0"), GatewayId: gw})
	ec2Code(t, err, "RouteAlreadyExists")
	_, err = c.CreateRoute(ctx, &ec2.CreateRouteInput{RouteTableId: table, DestinationCidrBlock: aws.String("0.0.0.0/0")})
	ec2Code(t, err, "MissingParameter")
	assoc, err := c.AssociateRouteTable(ctx, &ec2.AssociateRouteTableInput{RouteTableId: table, SubnetId: sub.Subnet.SubnetId})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: []types.Filter{
		{Name: aws.String("association.subnet-id"), Values: []string{aws.ToString(sub.Subnet.SubnetId)}}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.RouteTables) != 1 || aws.ToString(got.RouteTables[0].RouteTableId) != aws.ToString(table) || len(got.RouteTables[0].Routes) != 2 {
		t.Fatalf("tables: %+v", got.RouteTables)
	}
	_, err = c.DeleteRouteTable(ctx, &ec2.DeleteRouteTableInput{RouteTableId: table})
	ec2Code(t, err, "DependencyViolation")
	_, err = c.DeleteInternetGateway(ctx, &ec2.DeleteInternetGatewayInput{InternetGatewayId: gw})
	ec2Code(t, err, "DependencyViolation")
	if _, err := c.DisassociateRouteTable(ctx, &ec2.DisassociateRouteTableInput{AssociationId: assoc.AssociationId}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteRoute(ctx, &ec2.DeleteRouteInput{RouteTableId: table, DestinationCidrBlock: aws.String("0.0.0.0/0")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteRouteTable(ctx, &ec2.DeleteRouteTableInput{RouteTableId: table}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DetachInternetGateway(ctx, &ec2.DetachInternetGatewayInput{InternetGatewayId: gw, VpcId: vpcID}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteInternetGateway(ctx, &ec2.DeleteInternetGatewayInput{InternetGatewayId: gw}); err != nil {
		t.Fatal(err)
	}
}

// TestEC2LoadBalancerSubnets: a load balancer in EC2's subnets reports
// their VPC and zones.
func TestEC2LoadBalancerSubnets(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := ec2.NewFromConfig(env.Config)
	ctx := context.Background()
	vpc, err := c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.3.0.0/16")})
	if err != nil {
		t.Fatal(err)
	}
	var subnets []string
	for _, z := range []string{"us-east-1c", "us-east-1b"} {
		sub, err := c.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: vpc.Vpc.VpcId, AvailabilityZone: aws.String(z),
			CidrBlock: aws.String(fmt.Sprintf("10.3.%d.0/24", len(subnets)))})
		if err != nil {
			t.Fatal(err)
		}
		subnets = append(subnets, aws.ToString(sub.Subnet.SubnetId))
	}
	lb, err := elb.NewFromConfig(env.Config).CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("invpc"), Subnets: subnets})
	if err != nil {
		t.Fatal(err)
	}
	got := lb.LoadBalancers[0]
	if aws.ToString(got.VpcId) != aws.ToString(vpc.Vpc.VpcId) || len(got.AvailabilityZones) != 2 ||
		aws.ToString(got.AvailabilityZones[0].ZoneName) != "us-east-1c" || aws.ToString(got.AvailabilityZones[1].ZoneName) != "us-east-1b" {
		t.Fatalf("load balancer: vpc %s, zones %+v", aws.ToString(got.VpcId), got.AvailabilityZones)
	}
}

// TestEC2FunctionVpcConfig: a function's VpcConfig must name subnets
// and security groups EC2 keeps (CreateFunction and
// UpdateFunctionConfiguration answer EC2's error as Lambda relays it),
// and the function reports its subnets' VPC.
func TestEC2FunctionVpcConfig(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	lc := lambdaClient(t, env)
	n := env.DefaultNetwork(t)
	create := func(name string, vc *lambdatypes.VpcConfig) (*lambda.CreateFunctionOutput, error) {
		return lc.CreateFunction(ctx, &lambda.CreateFunctionInput{
			FunctionName: aws.String(name), Runtime: lambdatypes.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
			Role: aws.String(lambdaRole), Code: &lambdatypes.FunctionCode{ZipFile: scriptZip(t, "v1")}, VpcConfig: vc})
	}
	for _, tc := range []struct {
		vc   *lambdatypes.VpcConfig
		want string
	}{
		{&lambdatypes.VpcConfig{SubnetIds: n.Subnets[:1], SecurityGroupIds: []string{"sg-0123456789abcdef0"}},
			"InvalidParameterValueException: Error occurred while DescribeSecurityGroups. EC2 Error Code: InvalidGroup.NotFound. EC2 Error Message: The security group 'sg-0123456789abcdef0' does not exist"},
		{&lambdatypes.VpcConfig{SubnetIds: []string{n.Subnets[0], "subnet-12345"}, SecurityGroupIds: []string{n.SecurityGroup}},
			"InvalidParameterValueException: Error occurred while DescribeSubnets. EC2 Error Code: InvalidSubnetID.NotFound. EC2 Error Message: The subnet ID 'subnet-12345' does not exist"},
		{&lambdatypes.VpcConfig{SubnetIds: n.Subnets[:1]},
			"InvalidParameterValueException: SubnetIds and SecurityIds must coexist or be both empty list."},
		// A subnet id given as a group is malformed, as EC2 reads it.
		{&lambdatypes.VpcConfig{SubnetIds: n.Subnets[:1], SecurityGroupIds: n.Subnets[:1]},
			"InvalidParameterValueException: Error occurred while DescribeSecurityGroups. EC2 Error Code: InvalidGroupId.Malformed. EC2 Error Message: Invalid id: \"" + n.Subnets[0] + "\" (expecting \"sg-...\")"},
	} {
		if _, err := create("invpc", tc.vc); apiCode(err) != tc.want {
			t.Errorf("CreateFunction with %+v: %v, want %s", tc.vc, err, tc.want)
		}
	}
	made, err := create("invpc", &lambdatypes.VpcConfig{SubnetIds: n.Subnets[:2], SecurityGroupIds: []string{n.SecurityGroup}})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(made.VpcConfig.VpcId); got != n.VpcID {
		t.Fatalf("VpcConfig.VpcId = %q, want %q", got, n.VpcID)
	}
	if err := lambda.NewFunctionActiveV2Waiter(lc).Wait(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("invpc")}, 60*time.Second); err != nil {
		t.Fatal(err)
	}
	_, err = lc.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("invpc"),
		VpcConfig: &lambdatypes.VpcConfig{SubnetIds: []string{"subnet-0000000000000000a"}, SecurityGroupIds: []string{n.SecurityGroup}}})
	if want := "InvalidParameterValueException: Error occurred while DescribeSubnets. EC2 Error Code: InvalidSubnetID.NotFound. EC2 Error Message: The subnet ID 'subnet-0000000000000000a' does not exist"; apiCode(err) != want {
		t.Fatalf("UpdateFunctionConfiguration: %v, want %s", err, want)
	}
	got, err := lc.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String("invpc")})
	if err != nil || aws.ToString(got.VpcConfig.VpcId) != n.VpcID || len(got.VpcConfig.SubnetIds) != 2 || got.VpcConfig.SecurityGroupIds[0] != n.SecurityGroup {
		t.Fatalf("GetFunctionConfiguration: %v %+v", err, got.VpcConfig)
	}
}

// TestEC2ReservedTagKeys: EC2 refuses tag keys in the aws: namespace, in
// any letter case, from CreateTags, DeleteTags and tag specifications
// (CloudFormation's own aws:cloudformation: tags are TestEC2VPCStack's).
func TestEC2ReservedTagKeys(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := ec2.NewFromConfig(env.Config)
	ctx := context.Background()

	reserved := func(err error, key string) {
		t.Helper()
		ec2Code(t, err, "InvalidParameterValue")
		if want := "Value ( " + key + " ) for parameter key is invalid. Tag keys starting with 'aws:' are reserved for internal use"; !strings.Contains(err.Error(), want) {
			t.Errorf("error = %v, want %q", err, want)
		}
	}
	_, err := c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.1.0.0/16"), TagSpecifications: []types.TagSpecification{
		{ResourceType: types.ResourceTypeVpc, Tags: []types.Tag{{Key: aws.String("Name"), Value: aws.String("a")}, {Key: aws.String("aws:cloudformation:stack-name"), Value: aws.String("s")}}}}})
	reserved(err, "aws:cloudformation:stack-name")
	made, err := c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.1.0.0/16")})
	if err != nil {
		t.Fatal(err)
	}
	vpc := aws.ToString(made.Vpc.VpcId)
	_, err = c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("g"), Description: aws.String("g"), VpcId: aws.String(vpc),
		TagSpecifications: []types.TagSpecification{{ResourceType: types.ResourceTypeSecurityGroup, Tags: []types.Tag{{Key: aws.String("AWS:x"), Value: aws.String("v")}}}}})
	reserved(err, "AWS:x")
	_, err = c.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{vpc}, Tags: []types.Tag{{Key: aws.String("Aws:owner"), Value: aws.String("me")}}})
	reserved(err, "Aws:owner")
	_, err = c.DeleteTags(ctx, &ec2.DeleteTagsInput{Resources: []string{vpc}, Tags: []types.Tag{{Key: aws.String("aws:cloudformation:logical-id")}}})
	reserved(err, "aws:cloudformation:logical-id")

	// Keys that only contain aws: elsewhere are the caller's.
	if _, err := c.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{vpc}, Tags: []types.Tag{{Key: aws.String("team:aws:x"), Value: aws.String("v")}}}); err != nil {
		t.Fatal(err)
	}
	vpcs, err := c.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{vpc}})
	if err != nil {
		t.Fatal(err)
	}
	if tags := vpcs.Vpcs[0].Tags; len(tags) != 1 || aws.ToString(tags[0].Key) != "team:aws:x" {
		t.Fatalf("tags: %+v", tags)
	}
}
