package e2e

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// Network is the region's default VPC as a test places functions, load
// balancers and tasks in it: services refuse subnet and security group
// ids EC2 does not keep.
type Network struct {
	VpcID string
	// Subnets are the default subnets, one per availability zone, in
	// zone order.
	Subnets []string
	// SecurityGroup is the VPC's default security group.
	SecurityGroup string
}

// DefaultNetwork returns the default VPC's subnets and security group.
func (e *Env) DefaultNetwork(t testing.TB) Network {
	t.Helper()
	ctx := context.Background()
	c := ec2.NewFromConfig(e.Config)
	subs, err := c.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: []ec2types.Filter{{Name: aws.String("default-for-az"), Values: []string{"true"}}}})
	if err != nil || len(subs.Subnets) < 2 {
		t.Fatalf("default subnets: %v %+v", err, subs)
	}
	slices.SortFunc(subs.Subnets, func(a, b ec2types.Subnet) int {
		return strings.Compare(aws.ToString(a.AvailabilityZone), aws.ToString(b.AvailabilityZone))
	})
	n := Network{VpcID: aws.ToString(subs.Subnets[0].VpcId)}
	for _, s := range subs.Subnets {
		n.Subnets = append(n.Subnets, aws.ToString(s.SubnetId))
	}
	groups, err := c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: []ec2types.Filter{
		{Name: aws.String("vpc-id"), Values: []string{n.VpcID}}, {Name: aws.String("group-name"), Values: []string{"default"}}}})
	if err != nil || len(groups.SecurityGroups) != 1 {
		t.Fatalf("default security group: %v %+v", err, groups)
	}
	n.SecurityGroup = aws.ToString(groups.SecurityGroups[0].GroupId)
	return n
}

// SubnetsParameter is the CloudFormation parameter Subnets (a
// List<AWS::EC2::Subnet::Id>) with two of the subnets, in two zones,
// which test templates take for their load balancers and tasks.
func (n Network) SubnetsParameter() cftypes.Parameter {
	return cftypes.Parameter{ParameterKey: aws.String("Subnets"), ParameterValue: aws.String(strings.Join(n.Subnets[:2], ","))}
}
