package ec2

import (
	"context"
	"net/netip"
	"slices"
	"strings"

	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/zones"
)

// reservedAddresses are the addresses AWS keeps in every subnet ("The
// first four IP addresses and the last IP address in each subnet CIDR
// block are not available").
const reservedAddresses = 5

func (s *Service) subnetShape(r *record) Subnet {
	p := netip.MustParsePrefix(r.CIDR)
	free := int32(1)<<(32-p.Bits()) - reservedAddresses
	return Subnet{SubnetId: ptr(r.ID), VpcId: ptr(r.VpcID), CidrBlock: ptr(r.CIDR), AvailabilityZone: ptr(r.Zone),
		AvailabilityZoneId: ptr(zoneID(s.region, r.Zone)), AvailableIpAddressCount: ptr(free), DefaultForAz: ptr(r.Default),
		MapPublicIpOnLaunch: ptr(r.mapsPublicIP()), State: ptr(SubnetState("available")), OwnerId: ptr(s.account),
		AssignIpv6AddressOnCreation: ptr(false), MapCustomerOwnedIpOnLaunch: ptr(false),
		SubnetArn: ptr("arn:aws:ec2:" + s.region + ":" + s.account + ":subnet/" + r.ID), Tags: tagList(r.Tags),
		Ipv6CidrBlockAssociationSet: []SubnetIpv6CidrBlockAssociation{}}
}

func (s *Service) subnetFields(r *record) fields {
	return func(name string) ([]string, bool) {
		switch name {
		case "subnet-id":
			return one(r.ID), true
		case "vpc-id":
			return one(r.VpcID), true
		case "cidr-block", "cidr", "cidrBlock":
			return one(r.CIDR), true
		case "availability-zone", "availabilityZone":
			return one(r.Zone), true
		case "availability-zone-id":
			return one(zoneID(s.region, r.Zone)), true
		case "default-for-az", "defaultForAz":
			return boolText(r.Default), true
		case "map-public-ip-on-launch":
			return boolText(r.mapsPublicIP()), true
		case "state":
			return []string{"available"}, true
		case "owner-id":
			return one(s.account), true
		case "subnet-arn":
			return one("arn:aws:ec2:" + s.region + ":" + s.account + ":subnet/" + r.ID), true
		}
		return nil, false
	}
}

func (s *Service) createSubnet(ctx context.Context, in *CreateSubnetRequest) (*CreateSubnetResult, error) {
	switch {
	case in.VpcId == nil:
		return nil, missing("VpcId")
	case in.CidrBlock == nil:
		return nil, missing("CidrBlock")
	}
	p, err := parseCIDR(*in.CidrBlock, "cidrBlock")
	if err != nil {
		return nil, err
	}
	zone, err := s.zone(in.AvailabilityZone, in.AvailabilityZoneId)
	if err != nil {
		return nil, err
	}
	tags, err := specTags(ctx, in.TagSpecifications, kindSubnet)
	if err != nil {
		return nil, err
	}
	if deref(in.DryRun) {
		return nil, ErrDryRunOperation
	}
	sub := &record{ID: s.newID("subnet"), VpcID: *in.VpcId, CIDR: p.String(), Zone: zone, Tags: tags}
	err = s.update(ctx, func(r store.Reader, b store.Batch) error {
		vpc, err := find(r, kindVPC, *in.VpcId)
		if err != nil {
			return err
		}
		if err := blockSize(p, func(m string) error { return ErrInvalidSubnetRange.WithMessage(m) }); err != nil {
			return err
		}
		if !within(p, netip.MustParsePrefix(vpc.CIDR)) {
			return ErrInvalidSubnetRange.Withf("The CIDR '%s' is invalid.", p)
		}
		subnets, err := list(r, kindSubnet)
		if err != nil {
			return err
		}
		for _, o := range subnets {
			if o.VpcID == vpc.ID && netip.MustParsePrefix(o.CIDR).Overlaps(p) {
				return ErrInvalidSubnetConflict.Withf("The CIDR '%s' conflicts with another subnet", p)
			}
		}
		return put(b, sub)
	})
	if err != nil {
		return nil, err
	}
	out := s.subnetShape(sub)
	out.State = ptr(SubnetState("pending"))
	return &CreateSubnetResult{Subnet: &out}, nil
}

// zone returns the zone a subnet is created in: the one named, by name
// or id, or the region's first.
func (s *Service) zone(name, id *string) (string, error) {
	names := zones.Names(s.region)
	switch {
	case name != nil && id != nil:
		return "", ErrInvalidParameterCombination.WithMessage("Only one of availabilityZone or availabilityZoneId may be specified.")
	case name != nil:
		if !slices.Contains(names, *name) {
			return "", ErrInvalidParameterValue.Withf("Value (%s) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: %s.",
				*name, strings.Join(names, ", "))
		}
		return *name, nil
	case id != nil:
		for _, z := range names {
			if zoneID(s.region, z) == *id {
				return z, nil
			}
		}
		return "", ErrInvalidParameterValue.Withf("Value (%s) for parameter availabilityZoneId is invalid. Subnets can currently only be created in the following availability zones: %s.",
			*id, strings.Join(names, ", "))
	}
	return names[0], nil
}

func (s *Service) deleteSubnet(ctx context.Context, in *DeleteSubnetRequest) (*noOutput, error) {
	if in.SubnetId == nil {
		return nil, missing("SubnetId")
	}
	return s.remove(ctx, kindSubnet, *in.SubnetId, deref(in.DryRun), func(r store.Reader, b store.Batch, sub *record) error {
		if used, err := s.inUse(sub.ID); err != nil || used {
			if used {
				err = ErrDependencyViolation.Withf("The subnet '%s' has dependencies and cannot be deleted.", sub.ID)
			}
			return err
		}
		// A network interface in it (a NAT gateway's) keeps it.
		enis, err := list(r, kindInterface)
		if err != nil {
			return err
		}
		if slices.ContainsFunc(enis, func(e *record) bool { return e.Subnet == sub.ID }) {
			return ErrDependencyViolation.Withf("The subnet '%s' has dependencies and cannot be deleted.", sub.ID)
		}
		// Its route table associations go with it.
		tables, err := list(r, kindRouteTable)
		if err != nil {
			return err
		}
		for _, t := range tables {
			n := len(t.Associations)
			t.Associations = slices.DeleteFunc(t.Associations, func(a association) bool { return a.Subnet == sub.ID })
			if len(t.Associations) != n {
				if err := put(b, t); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

func (s *Service) describeSubnets(ctx context.Context, in *DescribeSubnetsRequest) (*DescribeSubnetsResult, error) {
	out := &DescribeSubnetsResult{Subnets: []Subnet{}}
	err := s.describe(ctx, kindSubnet, in.SubnetIds, in.Filters, s.subnetFields, func(r *record) {
		out.Subnets = append(out.Subnets, s.subnetShape(r))
	})
	return out, err
}

// mapsPublicIP is a subnet's MapPublicIpOnLaunch.
func (r *record) mapsPublicIP() bool {
	if r.MapPublicIP != nil {
		return *r.MapPublicIP
	}
	return r.Default
}

// modifySubnetAttribute sets one attribute of a subnet, as EC2 takes
// one a call. virga keeps MapPublicIpOnLaunch (it assigns no addresses,
// but answers what was set); AssignIpv6AddressOnCreation can only be
// off, as no subnet has an IPv6 block; the other attributes are
// refused.
func (s *Service) modifySubnetAttribute(ctx context.Context, in *ModifySubnetAttributeRequest) (*noOutput, error) {
	if in.SubnetId == nil {
		return nil, missing("SubnetId")
	}
	var named []string
	for name, set := range map[string]bool{
		"mapPublicIpOnLaunch": in.MapPublicIpOnLaunch != nil, "assignIpv6AddressOnCreation": in.AssignIpv6AddressOnCreation != nil,
		"mapCustomerOwnedIpOnLaunch": in.MapCustomerOwnedIpOnLaunch != nil, "customerOwnedIpv4Pool": in.CustomerOwnedIpv4Pool != nil,
		"enableDns64": in.EnableDns64 != nil, "privateDnsHostnameTypeOnLaunch": in.PrivateDnsHostnameTypeOnLaunch != nil,
		"enableResourceNameDnsARecordOnLaunch": in.EnableResourceNameDnsARecordOnLaunch != nil, "enableResourceNameDnsAAAARecordOnLaunch": in.EnableResourceNameDnsAAAARecordOnLaunch != nil,
		"enableLniAtDeviceIndex": in.EnableLniAtDeviceIndex != nil, "disableLniAtDeviceIndex": in.DisableLniAtDeviceIndex != nil,
	} {
		if set {
			named = append(named, name)
		}
	}
	slices.Sort(named)
	switch {
	case len(named) == 0:
		return nil, ErrInvalidParameterCombination.WithMessage("No attributes specified.")
	case len(named) > 1:
		return nil, ErrInvalidParameterCombination.Withf("Fields for multiple attribute types specified: %s", strings.Join(named, ", "))
	case in.AssignIpv6AddressOnCreation != nil && deref(in.AssignIpv6AddressOnCreation.Value):
		return nil, ErrInvalidParameterValue.Withf("Subnet %s has no IPv6 CIDR block: virga keeps none", *in.SubnetId)
	case in.AssignIpv6AddressOnCreation != nil:
	case in.MapPublicIpOnLaunch == nil:
		return nil, ErrInvalidParameterValue.Withf("The subnet attribute %s is not supported by virga", named[0])
	}
	return done(s.update(ctx, func(r store.Reader, b store.Batch) error {
		sn, err := find(r, kindSubnet, *in.SubnetId)
		if err != nil {
			return err
		}
		if in.MapPublicIpOnLaunch != nil {
			sn.MapPublicIP = ptr(deref(in.MapPublicIpOnLaunch.Value))
		}
		return put(b, sn)
	}))
}
