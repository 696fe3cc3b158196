package ec2

import (
	"context"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/store"
)

func (s *Service) vpcShape(r *record) Vpc {
	return Vpc{VpcId: ptr(r.ID), CidrBlock: ptr(r.CIDR), State: ptr(VpcState("available")), OwnerId: ptr(s.account),
		InstanceTenancy: ptr(Tenancy(r.Tenancy)), IsDefault: ptr(r.Default), DhcpOptionsId: ptr("default"),
		CidrBlockAssociationSet: []VpcCidrBlockAssociation{{AssociationId: ptr(r.AssociationID), CidrBlock: ptr(r.CIDR),
			CidrBlockState: &VpcCidrBlockState{State: ptr(VpcCidrBlockStateCode("associated"))}}},
		Tags: tagList(r.Tags)}
}

func vpcFields(r *record) fields {
	return func(name string) ([]string, bool) {
		switch name {
		case "vpc-id":
			return one(r.ID), true
		case "cidr", "cidr-block-association.cidr-block", "cidrBlock":
			return one(r.CIDR), true
		case "cidr-block-association.association-id":
			return one(r.AssociationID), true
		case "cidr-block-association.state", "state":
			return []string{"available"}, true
		case "is-default", "isDefault":
			return boolText(r.Default), true
		case "dhcp-options-id":
			return []string{"default"}, true
		}
		return nil, false
	}
}

func (s *Service) createVpc(ctx context.Context, in *CreateVpcRequest) (*CreateVpcResult, error) {
	if in.CidrBlock == nil {
		return nil, missing("CidrBlock")
	}
	p, err := parseCIDR(*in.CidrBlock, "cidrBlock")
	if err != nil {
		return nil, err
	}
	if err := blockSize(p, func(m string) error { return ErrInvalidVpcRange.WithMessage(m) }); err != nil {
		return nil, err
	}
	tags, err := specTags(ctx, in.TagSpecifications, kindVPC)
	if err != nil {
		return nil, err
	}
	if deref(in.DryRun) {
		return nil, ErrDryRunOperation
	}
	tenancy := string(deref(in.InstanceTenancy))
	if tenancy == "" {
		tenancy = "default"
	}
	vpc := s.newVPC(p.String(), tenancy, false)
	vpc.Tags = tags
	err = s.update(ctx, func(r store.Reader, b store.Batch) error {
		for _, rec := range append(s.vpcCompanions(vpc), vpc) {
			if err := put(b, rec); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := s.vpcShape(vpc)
	// CreateVpc answers the (empty) IPv6 associations; DescribeVpcs
	// leaves them out.
	out.State, out.Ipv6CidrBlockAssociationSet = ptr(VpcState("pending")), []VpcIpv6CidrBlockAssociation{}
	return &CreateVpcResult{Vpc: &out}, nil
}

func (s *Service) deleteVpc(ctx context.Context, in *DeleteVpcRequest) (*noOutput, error) {
	if in.VpcId == nil {
		return nil, missing("VpcId")
	}
	if deref(in.DryRun) {
		return nil, ErrDryRunOperation
	}
	return done(s.update(ctx, func(r store.Reader, b store.Batch) error {
		vpc, err := find(r, kindVPC, *in.VpcId)
		if err != nil {
			return err
		}
		// A VPC goes with its default group and main route table; any
		// other subnet, group, table, attached gateway, NAT gateway not
		// deleted or network interface keeps it.
		var companions []string
		for _, k := range []*kind{kindSubnet, kindSecurityGroup, kindRouteTable, kindInternetGateway, kindNatGateway, kindInterface} {
			recs, err := list(r, k)
			if err != nil {
				return err
			}
			for _, rec := range recs {
				switch {
				case rec.VpcID == vpc.ID && (rec.Main || (k == kindSecurityGroup && rec.Default)):
					companions = append(companions, rec.ID)
				case rec.Deleted != nil:
				case rec.VpcID == vpc.ID || rec.Attached == vpc.ID:
					return ErrDependencyViolation.Withf("The vpc '%s' has dependencies and cannot be deleted.", vpc.ID)
				}
			}
		}
		for _, id := range append(companions, vpc.ID) {
			b.Delete(recordKey(id))
		}
		return nil
	}))
}

func (s *Service) describeVpcs(ctx context.Context, in *DescribeVpcsRequest) (*DescribeVpcsResult, error) {
	out := &DescribeVpcsResult{Vpcs: []Vpc{}}
	err := s.describe(ctx, kindVPC, in.VpcIds, in.Filters, vpcFields, func(r *record) {
		out.Vpcs = append(out.Vpcs, s.vpcShape(r))
	})
	return out, err
}

// noOutput is the output of an operation whose model has none.
type noOutput struct{}

// done is the answer of an operation with no output that ends in err.
func done(err error) (*noOutput, error) {
	if err != nil {
		return nil, err
	}
	return &noOutput{}, nil
}

// find returns the resource of kind k with the id, or k's not-found
// error.
func find(r store.Reader, k *kind, id string) (*record, error) {
	if kindOf(id) != k {
		return nil, malformed(k, id)
	}
	rec, err := get(r, id)
	if err != nil {
		return nil, err
	}
	if rec == nil {
		return nil, notFound(k, id)
	}
	return rec, nil
}

// remove deletes the resource of kind k with the id once check, which
// may write what goes with it to b, lets it go.
func (s *Service) remove(ctx context.Context, k *kind, id string, dry bool, check func(r store.Reader, b store.Batch, rec *record) error) (*noOutput, error) {
	if dry {
		return nil, ErrDryRunOperation
	}
	return done(s.update(ctx, func(r store.Reader, b store.Batch) error {
		rec, err := find(r, k, id)
		if err != nil {
			return err
		}
		if err := check(r, b, rec); err != nil {
			return err
		}
		b.Delete(recordKey(rec.ID))
		return nil
	}))
}

// describe calls add with each resource of kind k among ids (all when
// there are none) that passes the filters. An id that names nothing is
// k's not-found error, as EC2 answers.
func (s *Service) describe(ctx context.Context, k *kind, ids []string, filters []Filter, f func(*record) fields, add func(*record)) error {
	return s.read(ctx, func(r store.Reader) error {
		var recs []*record
		if len(ids) > 0 {
			for _, id := range ids {
				rec, err := find(r, k, id)
				if err != nil {
					return err
				}
				recs = append(recs, rec)
			}
		} else {
			var err error
			if recs, err = list(r, k); err != nil {
				return err
			}
		}
		for _, rec := range recs {
			ok, err := matches(filters, rec.Tags, f(rec))
			if err != nil {
				return err
			}
			if ok {
				add(rec)
			}
		}
		return nil
	})
}

// specTags returns the tags tag specifications give resources of kind
// k; a specification for another resource type is an error, and so is
// a key callers may not set (reservedTag).
func specTags(ctx context.Context, specs []TagSpecification, k *kind) (map[string]string, error) {
	var tags map[string]string
	for _, spec := range specs {
		if rt := string(deref(spec.ResourceType)); rt != k.resourceType {
			return nil, ErrInvalidParameterValue.Withf("'%s' is not a valid taggable resource type for this operation.", rt)
		}
		if err := reservedTag(ctx, spec.Tags); err != nil {
			return nil, err
		}
		for _, t := range spec.Tags {
			if tags == nil {
				tags = map[string]string{}
			}
			tags[deref(t.Key)] = deref(t.Value)
		}
	}
	return tags, nil
}

// reservedTag is the error for tags with a key in the aws: namespace,
// which EC2 keeps for AWS's own tags and refuses from callers (not from
// CloudFormation's aws:cloudformation: tags, see
// awsproto.WithReservedTags); nil if there is none.
func reservedTag(ctx context.Context, tags []Tag) error {
	if k, ok := awsproto.ForbiddenTagKey(ctx, tags, func(t Tag) string { return deref(t.Key) }); ok {
		return ErrInvalidParameterValue.Withf("Value ( %s ) for parameter key is invalid. Tag keys starting with 'aws:' are reserved for internal use", k)
	}
	return nil
}
