// Package zones names a region's availability zones. It is the one list
// that both EC2 (DescribeAvailabilityZones, the default VPC's subnets)
// and CloudFormation's Fn::GetAZs give, so that a template's subnets land
// in zones EC2 knows. It depends on nothing.
package zones

// Names returns the names of region's availability zones: the region's
// name followed by "a", "b" and "c", as AWS names the first three zones
// of most regions.
func Names(region string) []string {
	return []string{region + "a", region + "b", region + "c"}
}
