package e2e_test

import (
	"encoding/json"
	"testing"

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
