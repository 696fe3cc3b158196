package vpcref

import (
	"fmt"
	"strings"
)

// Network is EC2's subnets and security groups as other services see
// them.
type Network interface {
	// Subnet returns the VPC and availability zone of a subnet, and
	// false when there is no such subnet.
	Subnet(id string) (vpcID, zone string, ok bool, err error)
	// SecurityGroup returns the VPC of a security group, and false when
	// there is no such group.
	SecurityGroup(id string) (vpcID string, ok bool, err error)
}

// Subnet is a subnet a resource is placed in.
type Subnet struct {
	ID, VpcID, Zone string
}

// NotFoundError is a subnet or security group id EC2 does not know. Its
// Error is EC2's own message for it.
type NotFoundError struct {
	// Group is true for a security group, false for a subnet.
	Group bool
	ID    string
	// Malformed is true for an id not of the kind's form (a subnet's
	// "subnet-…", a group's "sg-…"), which EC2 calls malformed rather
	// than missing.
	Malformed bool
}

func (e *NotFoundError) Error() string {
	if e.Malformed {
		return fmt.Sprintf("Invalid id: \"%s\" (expecting \"%s...\")", e.ID, e.prefix())
	}
	if e.Group {
		return fmt.Sprintf("The security group '%s' does not exist", e.ID)
	}
	return fmt.Sprintf("The subnet ID '%s' does not exist", e.ID)
}

// Code is EC2's error code for the missing resource.
func (e *NotFoundError) Code() string {
	switch {
	case e.Malformed && e.Group:
		return "InvalidGroupId.Malformed"
	case e.Malformed:
		return "InvalidSubnetID.Malformed"
	case e.Group:
		return "InvalidGroup.NotFound"
	}
	return "InvalidSubnetID.NotFound"
}

// prefix is the start of every id of the kind, as EC2 makes them.
func (e *NotFoundError) prefix() string {
	if e.Group {
		return "sg-"
	}
	return "subnet-"
}

// missing returns the error for an id EC2 did not find: malformed when
// it lacks its kind's prefix.
func missing(group bool, id string) *NotFoundError {
	e := &NotFoundError{Group: group, ID: id}
	e.Malformed = !strings.HasPrefix(id, e.prefix()) || id == e.prefix()
	return e
}

// Operation is the EC2 operation that finds the resource missing, which
// some services name in their messages.
func (e *NotFoundError) Operation() string {
	if e.Group {
		return "DescribeSecurityGroups"
	}
	return "DescribeSubnets"
}

// Group is a security group a resource is placed in.
type Group struct {
	ID, VpcID string
}

// Placement is what Check found: the subnets and security groups a
// resource is placed in, with their VPCs.
type Placement struct {
	Subnets []Subnet
	Groups  []Group
}

// VpcID is the VPC of the placement's first subnet, "" when there is
// none.
func (p Placement) VpcID() string {
	if len(p.Subnets) == 0 {
		return ""
	}
	return p.Subnets[0].VpcID
}

// ForeignSubnet returns the first subnet outside the VPC of the first
// one, and false when every subnet is in it (or nothing is known of
// their VPCs): a Lambda function, a load balancer and an awsvpc task
// are each placed in one VPC, and AWS refuses subnets of two.
func (p Placement) ForeignSubnet() (Subnet, bool) {
	vpc := p.VpcID()
	for _, sn := range p.Subnets {
		if vpc != "" && sn.VpcID != "" && sn.VpcID != vpc {
			return sn, true
		}
	}
	return Subnet{}, false
}

// ForeignGroup returns the first security group outside the VPC of the
// subnets, and false when every group is in it (or nothing is known of
// their VPCs).
func (p Placement) ForeignGroup() (Group, bool) {
	vpc := p.VpcID()
	for _, g := range p.Groups {
		if vpc != "" && g.VpcID != "" && g.VpcID != vpc {
			return g, true
		}
	}
	return Group{}, false
}

// Check returns the subnets and security groups with the ids, in their
// order, once every subnet and then every security group is found; the
// first that is not is a *NotFoundError. A nil Network checks nothing:
// the subnets and groups come back with no VPC or zone.
func Check(n Network, subnets, groups []string) (Placement, error) {
	p := Placement{Subnets: make([]Subnet, 0, len(subnets)), Groups: make([]Group, 0, len(groups))}
	for _, id := range subnets {
		sn := Subnet{ID: id}
		if n != nil {
			vpc, zone, ok, err := n.Subnet(id)
			if err != nil {
				return Placement{}, err
			}
			if !ok {
				return Placement{}, missing(false, id)
			}
			sn.VpcID, sn.Zone = vpc, zone
		}
		p.Subnets = append(p.Subnets, sn)
	}
	for _, id := range groups {
		g := Group{ID: id}
		if n != nil {
			vpc, ok, err := n.SecurityGroup(id)
			if err != nil {
				return Placement{}, err
			}
			if !ok {
				return Placement{}, missing(true, id)
			}
			g.VpcID = vpc
		}
		p.Groups = append(p.Groups, g)
	}
	return p, nil
}

// Interface is a network interface AWS makes in a subnet for another
// service's resources: a Lambda function's Hyperplane ENI, which the
// functions with the same subnet and security groups share. EC2 lists
// them with its own (DescribeNetworkInterfaces).
type Interface struct {
	Subnet string
	// Groups are its security groups, in id order.
	Groups []string
	// Type is its InterfaceType ("lambda"); Description says whose it is.
	Type, Description string
}
