package vpcref

import (
	"errors"
	"reflect"
	"testing"
)

// records is a Network over fixed subnets and groups.
type records struct {
	subnets map[string]Subnet
	groups  map[string]string
}

func (r records) Subnet(id string) (string, string, bool, error) {
	sn, ok := r.subnets[id]
	return sn.VpcID, sn.Zone, ok, nil
}

func (r records) SecurityGroup(id string) (string, bool, error) {
	vpc, ok := r.groups[id]
	return vpc, ok, nil
}

func TestCheck(t *testing.T) {
	t.Parallel()
	n := records{
		subnets: map[string]Subnet{"subnet-a": {"subnet-a", "vpc-1", "us-east-1a"}, "subnet-b": {"subnet-b", "vpc-1", "us-east-1b"},
			"subnet-c": {"subnet-c", "vpc-2", "us-east-1c"}},
		groups: map[string]string{"sg-1": "vpc-1", "sg-2": "vpc-2"},
	}
	for _, tc := range []struct {
		name            string
		network         Network
		subnets, groups []string
		want            []Subnet
		wantGroups      []Group
		foreign         string
		foreignSubnet   string
		missing         *NotFoundError
		message, code   string
	}{
		{name: "found", network: n, subnets: []string{"subnet-b", "subnet-a"}, groups: []string{"sg-1"},
			want: []Subnet{{"subnet-b", "vpc-1", "us-east-1b"}, {"subnet-a", "vpc-1", "us-east-1a"}}, wantGroups: []Group{{"sg-1", "vpc-1"}}},
		{name: "foreign group", network: n, subnets: []string{"subnet-a"}, groups: []string{"sg-1", "sg-2"},
			want: []Subnet{{"subnet-a", "vpc-1", "us-east-1a"}}, wantGroups: []Group{{"sg-1", "vpc-1"}, {"sg-2", "vpc-2"}}, foreign: "sg-2"},
		{name: "subnets of two VPCs", network: n, subnets: []string{"subnet-a", "subnet-b", "subnet-c"}, groups: []string{"sg-1"},
			want:       []Subnet{{"subnet-a", "vpc-1", "us-east-1a"}, {"subnet-b", "vpc-1", "us-east-1b"}, {"subnet-c", "vpc-2", "us-east-1c"}},
			wantGroups: []Group{{"sg-1", "vpc-1"}}, foreignSubnet: "subnet-c"},
		{name: "missing subnet first", network: n, subnets: []string{"subnet-a", "subnet-x"}, groups: []string{"sg-x"},
			missing: &NotFoundError{ID: "subnet-x"}, message: "The subnet ID 'subnet-x' does not exist", code: "InvalidSubnetID.NotFound"},
		{name: "missing group", network: n, subnets: []string{"subnet-a"}, groups: []string{"sg-1", "sg-x"},
			missing: &NotFoundError{Group: true, ID: "sg-x"}, message: "The security group 'sg-x' does not exist", code: "InvalidGroup.NotFound"},
		{name: "malformed group", network: n, subnets: []string{"subnet-a"}, groups: []string{"subnet-a"},
			missing: &NotFoundError{Group: true, ID: "subnet-a", Malformed: true}, message: `Invalid id: "subnet-a" (expecting "sg-...")`, code: "InvalidGroupId.Malformed"},
		{name: "malformed subnet", network: n, subnets: []string{"sg-1"},
			missing: &NotFoundError{ID: "sg-1", Malformed: true}, message: `Invalid id: "sg-1" (expecting "subnet-...")`, code: "InvalidSubnetID.Malformed"},
		{name: "no network", subnets: []string{"subnet-x"}, groups: []string{"sg-x"}, want: []Subnet{{ID: "subnet-x"}}, wantGroups: []Group{{ID: "sg-x"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Check(tc.network, tc.subnets, tc.groups)
			if tc.missing == nil {
				if err != nil || !reflect.DeepEqual(got, Placement{tc.want, tc.wantGroups}) {
					t.Fatalf("Check = %+v, %v; want %+v %+v", got, err, tc.want, tc.wantGroups)
				}
				if g, ok := got.ForeignGroup(); g.ID != tc.foreign || ok != (tc.foreign != "") {
					t.Fatalf("ForeignGroup = %+v %v, want %q", g, ok, tc.foreign)
				}
				if sn, ok := got.ForeignSubnet(); sn.ID != tc.foreignSubnet || ok != (tc.foreignSubnet != "") {
					t.Fatalf("ForeignSubnet = %+v %v, want %q", sn, ok, tc.foreignSubnet)
				}
				return
			}
			var nf *NotFoundError
			if !errors.As(err, &nf) || *nf != *tc.missing || nf.Error() != tc.message || nf.Code() != tc.code {
				t.Fatalf("Check error = %v, want %+v %q", err, tc.missing, tc.message)
			}
		})
	}
}
