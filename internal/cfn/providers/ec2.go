package providers

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"

	"github.com/virga/virga/internal/cfn/resource"
)

// EC2 security groups. virga has no EC2 and no VPC networking: functions
// and load balancers reach each other on the host. A template's security
// group (an ALB's SecurityGroups, a function's VpcConfig) is recorded
// with identifiers in AWS's form so that what names it resolves; its
// rules are not applied.

func init() {
	resource.Register(&resource.Type{
		Name:     "AWS::EC2::SecurityGroup",
		Required: []string{"GroupDescription"},
		Provider: securityGroup{},
		// "Update requires: Replacement".
		Replace:    []string{"GroupName", "GroupDescription", "VpcId"},
		Attributes: []string{"GroupId", "VpcId"},
	})
}

// maxSecurityGroupName is EC2's limit on group names ("Constraints: Up
// to 255 characters in length").
const maxSecurityGroupName = 255

// securityGroup is AWS::EC2::SecurityGroup. Its Ref is the group's id
// (sg- and 17 hexadecimal digits) when the template gives a VpcId, and
// its name otherwise (a default VPC's group), as AWS's is; GetAtt gives
// GroupId and VpcId.
type securityGroup struct{}

func (securityGroup) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p := props(r.Properties)
	if p.str("GroupDescription") == "" {
		return nil, errors.New("AWS::EC2::SecurityGroup: the GroupDescription property is required")
	}
	name := p.str("GroupName")
	if name == "" {
		name = physicalName(r, maxSecurityGroupName)
	}
	var b [9]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	id := "sg-" + hex.EncodeToString(b[:])[:17]
	vpc := p.str("VpcId")
	// The physical ID, and so Ref, of a group in a VPC is its id; that
	// of a default VPC's group (no VpcId) its name.
	physical := id
	if vpc == "" {
		physical = name
	}
	return &resource.Result{PhysicalID: physical, Attributes: map[string]any{"GroupId": id, "VpcId": vpc}}, nil
}

func (securityGroup) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: r.Attributes}, nil
}

func (securityGroup) Delete(ctx context.Context, r *resource.Request) error { return nil }
