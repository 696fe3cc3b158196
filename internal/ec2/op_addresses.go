package ec2

import (
	"context"
	"net/netip"
	"slices"

	"github.com/virga/virga/internal/store"
)

// Elastic IP addresses are records: nothing is reachable at them. Each
// is allocated in the VPC domain from the documentation range
// TEST-NET-3 (RFC 5737), which routes nowhere, so that no address
// virga hands out is anyone's real one.
var addressRange = netip.MustParsePrefix("203.0.113.0/24")

func (s *Service) addressShape(r *record) Address {
	a := Address{AllocationId: ptr(r.ID), PublicIp: ptr(r.PublicIP), Domain: ptr(DomainType("vpc")),
		PublicIpv4Pool: ptr("amazon"), NetworkBorderGroup: ptr(s.region), Tags: tagList(r.Tags)}
	if r.Interface != "" {
		a.AssociationId, a.NetworkInterfaceId = ptr(r.AssociationID), ptr(r.Interface)
		a.NetworkInterfaceOwnerId, a.PrivateIpAddress = ptr(s.account), ptr(r.PrivateIP)
	}
	return a
}

func (s *Service) addressFields(r *record) fields {
	return func(name string) ([]string, bool) {
		switch name {
		case "allocation-id":
			return one(r.ID), true
		case "association-id":
			return one(r.AssociationID), true
		case "domain":
			return []string{"vpc"}, true
		case "instance-id":
			return nil, true
		case "network-border-group":
			return one(s.region), true
		case "network-interface-id":
			return one(r.Interface), true
		case "network-interface-owner-id":
			if r.Interface != "" {
				return one(s.account), true
			}
			return nil, true
		case "private-ip-address":
			return one(r.PrivateIP), true
		case "public-ip":
			return one(r.PublicIP), true
		}
		return nil, false
	}
}

func (s *Service) allocateAddress(ctx context.Context, in *AllocateAddressRequest) (*AllocateAddressResult, error) {
	tags, err := specTags(ctx, in.TagSpecifications, kindAddress)
	if err != nil {
		return nil, err
	}
	if deref(in.DryRun) {
		return nil, ErrDryRunOperation
	}
	a := &record{ID: s.newID("eipalloc"), Tags: tags}
	err = s.update(ctx, func(r store.Reader, b store.Batch) error {
		addrs, err := list(r, kindAddress)
		if err != nil {
			return err
		}
		taken := map[string]bool{}
		for _, o := range addrs {
			taken[o.PublicIP] = true
		}
		// The lowest free address, skipping the network's and the
		// broadcast address.
		for ip := addressRange.Addr().Next(); addressRange.Contains(ip.Next()); ip = ip.Next() {
			if !taken[ip.String()] {
				a.PublicIP = ip.String()
				return put(b, a)
			}
		}
		return ErrAddressLimitExceeded
	})
	if err != nil {
		return nil, err
	}
	return &AllocateAddressResult{AllocationId: ptr(a.ID), PublicIp: ptr(a.PublicIP), Domain: ptr(DomainType("vpc")),
		PublicIpv4Pool: ptr("amazon"), NetworkBorderGroup: ptr(s.region)}, nil
}

// findAddress returns the address an allocation id or (when there is
// none) a public IP names.
func findAddress(r store.Reader, allocation, publicIP *string) (*record, error) {
	if allocation != nil {
		return find(r, kindAddress, *allocation)
	}
	if publicIP == nil {
		return nil, missing("AllocationId")
	}
	addrs, err := list(r, kindAddress)
	if err != nil {
		return nil, err
	}
	if i := slices.IndexFunc(addrs, func(a *record) bool { return a.PublicIP == *publicIP }); i >= 0 {
		return addrs[i], nil
	}
	return nil, ErrInvalidAddressNotFound.Withf("Address '%s' not found.", *publicIP)
}

func (s *Service) describeAddresses(ctx context.Context, in *DescribeAddressesRequest) (*DescribeAddressesResult, error) {
	out := &DescribeAddressesResult{Addresses: []Address{}}
	err := s.describe(ctx, kindAddress, in.AllocationIds, in.Filters, s.addressFields, func(r *record) {
		if len(in.PublicIps) == 0 || slices.Contains(in.PublicIps, r.PublicIP) {
			out.Addresses = append(out.Addresses, s.addressShape(r))
		}
	})
	if err != nil {
		return nil, err
	}
	// A public IP asked for that no address has is an error, as an
	// allocation id is.
	for _, ip := range in.PublicIps {
		err := s.read(ctx, func(r store.Reader) error { _, err := findAddress(r, nil, &ip); return err })
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *Service) releaseAddress(ctx context.Context, in *ReleaseAddressRequest) (*noOutput, error) {
	if in.AllocationId == nil && in.PublicIp != nil {
		return nil, ErrInvalidParameterValue.WithMessage("You must specify an allocation id when releasing a VPC elastic IP address")
	}
	if in.AllocationId == nil {
		return nil, missing("AllocationId")
	}
	return s.remove(ctx, kindAddress, *in.AllocationId, deref(in.DryRun), func(r store.Reader, b store.Batch, a *record) error {
		if a.Interface != "" {
			return ErrInvalidIPAddressInUse.Withf("Address %s is in use.", a.PublicIP)
		}
		return nil
	})
}

func (s *Service) associateAddress(ctx context.Context, in *AssociateAddressRequest) (*AssociateAddressResult, error) {
	if deref(in.DryRun) {
		return nil, ErrDryRunOperation
	}
	id := s.newID("eipassoc")
	err := s.update(ctx, func(r store.Reader, b store.Batch) error {
		a, err := findAddress(r, in.AllocationId, in.PublicIp)
		if err != nil {
			return err
		}
		var eni *record
		switch {
		case in.NetworkInterfaceId != nil:
			if eni, err = find(r, kindInterface, *in.NetworkInterfaceId); err != nil {
				return err
			}
		case in.InstanceId != nil:
			return ErrInvalidInstanceIDNotFound.Withf("The instance ID '%s' does not exist", *in.InstanceId)
		default:
			return missing("NetworkInterfaceId")
		}
		switch {
		case eni.InterfaceType != "":
			// An interface AWS manages (a NAT gateway's) takes no
			// address from the caller.
			return ErrAuthFailure
		case a.Interface != "" && !deref(in.AllowReassociation):
			return ErrResourceAlreadyAssociated.Withf("resource %s is already associated with associate-id %s", a.ID, a.AssociationID)
		}
		ip := deref(in.PrivateIpAddress)
		if ip == "" {
			ip = eni.PrivateIP
		}
		a.AssociationID, a.Interface, a.PrivateIP = id, eni.ID, ip
		return put(b, a)
	})
	if err != nil {
		return nil, err
	}
	return &AssociateAddressResult{AssociationId: ptr(id)}, nil
}

func (s *Service) disassociateAddress(ctx context.Context, in *DisassociateAddressRequest) (*noOutput, error) {
	if deref(in.DryRun) {
		return nil, ErrDryRunOperation
	}
	return done(s.update(ctx, func(r store.Reader, b store.Batch) error {
		addrs, err := list(r, kindAddress)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(addrs, func(a *record) bool {
			return a.Interface != "" && (a.AssociationID == deref(in.AssociationId) || (in.AssociationId == nil && a.PublicIP == deref(in.PublicIp)))
		})
		if i < 0 {
			if in.AssociationId == nil {
				return missing("AssociationId")
			}
			return ErrInvalidAssociationIDNotFound.Withf("The association ID '%s' does not exist", *in.AssociationId)
		}
		a := addrs[i]
		eni, err := get(r, a.Interface)
		if err != nil {
			return err
		}
		if eni != nil && eni.InterfaceType != "" {
			return ErrAuthFailure
		}
		a.AssociationID, a.Interface, a.PrivateIP = "", "", ""
		return put(b, a)
	}))
}
