// Package zones names a region's availability zones. It is the one list
// that both EC2 (DescribeAvailabilityZones, the default VPC's subnets)
// and CloudFormation's Fn::GetAZs give, so that a template's subnets land
// in zones EC2 knows. It depends on nothing.
package zones
