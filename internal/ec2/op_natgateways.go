package ec2

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/virga/virga/internal/store"
)

// NAT gateways are records: nothing is translated. A gateway is made
// available at once (CreateNatGateway answers "pending", as EC2 does,
// and DescribeNatGateways "available"), with a network interface of
// its own in its subnet, which DescribeNetworkInterfaces lists and
// which keeps the subnet and its VPC from being deleted. A deleted
// gateway gives its address back, loses its interface and stays
// visible as "deleted" for natKept, as on AWS. A public gateway in a
// VPC without an internet gateway attached is "failed"
// (Gateway.NotAttached), with no interface and no address, and is
// forgotten natKept after it was made. CreateNatGateway with a
// ClientToken used before answers the gateway made then if the
// parameters are the same, IdempotentParameterMismatch if not.

// natKept is how long a deleted NAT gateway stays visible ("A deleted
// NAT gateway remains visible for about an hour").
const natKept = time.Hour

// natGone reports whether a NAT gateway was deleted longer than natKept
// ago: it is no more, for any operation.
func (s *Service) natGone(r *record) bool {
	if r.Failure != "" && r.Deleted == nil {
		return s.clock.Now().Sub(*r.Created) > natKept
	}
	return r.Deleted != nil && s.clock.Now().Sub(*r.Deleted) > natKept
}

// forgetGone deletes the NAT gateways natGone says are no more, so
// that the store does not keep them for ever. Changes to NAT gateways
// call it.
func (s *Service) forgetGone(r store.Reader, b store.Batch) error {
	gws, err := list(r, kindNatGateway)
	for _, g := range gws {
		if s.natGone(g) {
			b.Delete(recordKey(g.ID))
		}
	}
	return err
}

func natState(r *record) NatGatewayState {
	switch {
	case r.Deleted != nil:
		return "deleted"
	case r.Failure != "":
		return "failed"
	}
	return "available"
}

func (s *Service) natShape(r *record) NatGateway {
	g := NatGateway{NatGatewayId: ptr(r.ID), SubnetId: ptr(r.Subnet), VpcId: ptr(r.VpcID), State: ptr(natState(r)),
		ConnectivityType: ptr(ConnectivityType(r.Connectivity)), CreateTime: r.Created, DeleteTime: r.Deleted,
		Tags: tagList(r.Tags), NatGatewayAddresses: []NatGatewayAddress{}}
	if r.Failure != "" {
		// A failed gateway has no interface and took no address.
		g.FailureCode, g.FailureMessage = ptr(r.Failure), ptr(r.Reason)
		return g
	}
	addr := NatGatewayAddress{NetworkInterfaceId: ptr(r.Interface), PrivateIp: ptr(r.PrivateIP)}
	if r.Allocation != "" {
		addr.AllocationId, addr.PublicIp = ptr(r.Allocation), ptr(r.PublicIP)
	}
	g.NatGatewayAddresses = append(g.NatGatewayAddresses, addr)
	return g
}

func natFields(r *record) fields {
	return func(name string) ([]string, bool) {
		switch name {
		case "nat-gateway-id":
			return one(r.ID), true
		case "state":
			return one(string(natState(r))), true
		case "subnet-id":
			return one(r.Subnet), true
		case "vpc-id":
			return one(r.VpcID), true
		}
		return nil, false
	}
}

func (s *Service) createNatGateway(ctx context.Context, in *CreateNatGatewayRequest) (*CreateNatGatewayResult, error) {
	connectivity := string(deref(in.ConnectivityType))
	if connectivity == "" {
		connectivity = "public"
	}
	if connectivity == "public" && in.AllocationId == nil {
		return nil, missing("AllocationId")
	}
	tags, err := specTags(ctx, in.TagSpecifications, kindNatGateway)
	if err != nil {
		return nil, err
	}
	if deref(in.DryRun) {
		return nil, ErrDryRunOperation
	}
	now := s.clock.Now().UTC().Truncate(time.Second)
	token := deref(in.ClientToken)
	request := strings.Join([]string{deref(in.SubnetId), connectivity, deref(in.AllocationId), deref(in.PrivateIpAddress)}, "|")
	g := &record{ID: s.newID("nat"), Subnet: deref(in.SubnetId), Connectivity: connectivity, Created: &now, Tags: tags,
		Token: token, Request: request}
	eni := &record{ID: s.newID("eni"), InterfaceType: "nat_gateway", Description: "Interface for NAT Gateway " + g.ID}
	var earlier *record
	err = s.update(ctx, func(r store.Reader, b store.Batch) error {
		if token != "" {
			// The same token and parameters are the gateway made
			// before; the token with others is an error.
			e, err := s.natByToken(r, token)
			switch {
			case err != nil:
				return err
			case e != nil && e.Request != request:
				// Wording unconfirmed.
				return ErrIdempotentParameterMismatch.Withf("Client token %s was used before with other parameters.", token)
			case e != nil:
				earlier = e
				return nil
			}
		}
		sub, err := find(r, kindSubnet, g.Subnet)
		if err != nil {
			return err
		}
		if err := s.forgetGone(r, b); err != nil {
			return err
		}
		g.VpcID = sub.VpcID
		var addr *record
		if connectivity == "public" {
			if addr, err = find(r, kindAddress, *in.AllocationId); err != nil {
				return err
			}
			if addr.Interface != "" {
				return ErrResourceAlreadyAssociated.Withf("Elastic IP address %s is already associated", addr.ID)
			}
			attached, err := internetGatewayOf(r, sub.VpcID)
			if err != nil {
				return err
			}
			if !attached {
				// AWS makes the gateway and then marks it failed.
				g.Failure, g.Reason = "Gateway.NotAttached", "Network "+sub.VpcID+" has no Internet gateway attached"
				g.Allocation = addr.ID
				return put(b, g)
			}
		}
		g.Interface = eni.ID
		eni.VpcID, eni.Subnet, eni.Zone = sub.VpcID, sub.ID, sub.Zone
		if eni.PrivateIP, err = freeAddress(r, sub, deref(in.PrivateIpAddress)); err != nil {
			return err
		}
		g.PrivateIP = eni.PrivateIP
		if addr != nil {
			addr.AssociationID, addr.Interface, addr.PrivateIP = s.newID("eipassoc"), eni.ID, eni.PrivateIP
			g.Allocation, g.PublicIP = addr.ID, addr.PublicIP
			if err := put(b, addr); err != nil {
				return err
			}
		}
		if err := put(b, eni); err != nil {
			return err
		}
		return put(b, g)
	})
	if err != nil {
		return nil, err
	}
	if earlier != nil {
		out := s.natShape(earlier)
		return &CreateNatGatewayResult{NatGateway: &out, ClientToken: in.ClientToken}, nil
	}
	out := s.natShape(g)
	// Create answers pending, whatever comes next: a failure is reported
	// by DescribeNatGateways, once the gateway is "failed".
	out.State = ptr(NatGatewayState("pending"))
	out.FailureCode, out.FailureMessage = nil, nil
	return &CreateNatGatewayResult{NatGateway: &out, ClientToken: in.ClientToken}, nil
}

// natByToken is the NAT gateway made with the ClientToken, or nil.
func (s *Service) natByToken(r store.Reader, token string) (*record, error) {
	gws, err := list(r, kindNatGateway)
	for _, g := range gws {
		if g.Token == token && !s.natGone(g) {
			return g, err
		}
	}
	return nil, err
}

// internetGatewayOf reports whether an internet gateway is attached to
// the VPC.
func internetGatewayOf(r store.Reader, vpc string) (bool, error) {
	gws, err := list(r, kindInternetGateway)
	return slices.ContainsFunc(gws, func(g *record) bool { return g.Attached == vpc }), err
}

// freeAddress returns the private address a new interface in the subnet
// takes: the one asked for, or the lowest no interface has, after the
// addresses AWS reserves (the first four and the last).
func freeAddress(r store.Reader, sub *record, want string) (string, error) {
	enis, err := list(r, kindInterface)
	if err != nil {
		return "", err
	}
	taken := map[string]bool{}
	for _, e := range enis {
		if e.Subnet == sub.ID {
			taken[e.PrivateIP] = true
		}
	}
	block := netip.MustParsePrefix(sub.CIDR)
	if want != "" {
		ip, err := netip.ParseAddr(want)
		if err != nil || !block.Contains(ip) {
			return "", ErrInvalidParameterValue.Withf("Value (%s) for parameter privateIpAddress is invalid. The address is not in the subnet's CIDR block.", want)
		}
		if taken[want] {
			return "", ErrInvalidParameterValue.Withf("Address %s is in use.", want)
		}
		return want, nil
	}
	ip := block.Addr()
	for range reservedAddresses - 1 {
		ip = ip.Next()
	}
	for ; block.Contains(ip.Next()); ip = ip.Next() {
		if !taken[ip.String()] {
			return ip.String(), nil
		}
	}
	return "", ErrInvalidParameterValue.Withf("Subnet %s has insufficient free addresses to create this NAT gateway", sub.ID)
}

func (s *Service) deleteNatGateway(ctx context.Context, in *DeleteNatGatewayRequest) (*DeleteNatGatewayResult, error) {
	id := deref(in.NatGatewayId)
	if deref(in.DryRun) {
		return nil, ErrDryRunOperation
	}
	err := s.update(ctx, func(r store.Reader, b store.Batch) error {
		g, err := find(r, kindNatGateway, id)
		if err != nil {
			return err
		}
		if g.Deleted != nil {
			return notFound(kindNatGateway, id)
		}
		if err := s.forgetGone(r, b); err != nil {
			return err
		}
		now := s.clock.Now().UTC().Truncate(time.Second)
		g.Deleted = &now
		if g.Allocation != "" && g.Interface != "" {
			a, err := get(r, g.Allocation)
			if err != nil {
				return err
			}
			if a != nil && a.Interface == g.Interface {
				a.AssociationID, a.Interface, a.PrivateIP = "", "", ""
				if err := put(b, a); err != nil {
					return err
				}
			}
		}
		if g.Interface != "" {
			b.Delete(recordKey(g.Interface))
		}
		return put(b, g)
	})
	if err != nil {
		return nil, err
	}
	return &DeleteNatGatewayResult{NatGatewayId: ptr(id)}, nil
}

func (s *Service) describeNatGateways(ctx context.Context, in *DescribeNatGatewaysRequest) (*DescribeNatGatewaysResult, error) {
	out := &DescribeNatGatewaysResult{NatGateways: []NatGateway{}}
	var gone string
	err := s.describe(ctx, kindNatGateway, in.NatGatewayIds, in.Filter, natFields, func(r *record) {
		if !s.natGone(r) {
			out.NatGateways = append(out.NatGateways, s.natShape(r))
		} else if len(in.NatGatewayIds) > 0 && gone == "" {
			gone = r.ID
		}
	})
	if err == nil && gone != "" {
		err = notFound(kindNatGateway, gone)
	}
	return out, err
}

// Network interfaces: virga has only the ones AWS makes for its own
// resources, which the caller may list but not change: a NAT gateway's,
// kept with it, and those of other services' resources (a Lambda
// function's in a VPC), which they report when asked
// (RegisterInterfaces).

func (s *Service) interfaceShape(r *record) NetworkInterface {
	n := NetworkInterface{NetworkInterfaceId: ptr(r.ID), SubnetId: ptr(r.Subnet), VpcId: ptr(r.VpcID),
		AvailabilityZone: ptr(r.Zone), Description: ptr(r.Description), InterfaceType: ptr(NetworkInterfaceType(r.InterfaceType)),
		OwnerId: ptr(s.account), RequesterManaged: ptr(true), SourceDestCheck: ptr(false), Status: ptr(NetworkInterfaceStatus("in-use")),
		MacAddress: ptr(macAddress(r.ID)), PrivateIpAddress: ptr(r.PrivateIP), PrivateDnsName: ptr(s.privateDNS(r.PrivateIP)),
		Groups: s.groupIdentifiers(r.Groups), Ipv6Addresses: []NetworkInterfaceIpv6Address{}, TagSet: tagList(r.Tags)}
	addr := NetworkInterfacePrivateIpAddress{Primary: ptr(true), PrivateIpAddress: n.PrivateIpAddress, PrivateDnsName: n.PrivateDnsName}
	if pub := s.publicAddress(r.ID); pub != nil {
		assoc := &NetworkInterfaceAssociation{AllocationId: ptr(pub.ID), AssociationId: ptr(pub.AssociationID), PublicIp: ptr(pub.PublicIP),
			IpOwnerId: ptr(s.account)}
		n.Association, addr.Association = assoc, assoc
	}
	n.PrivateIpAddresses = []NetworkInterfacePrivateIpAddress{addr}
	return n
}

// groupIdentifiers names security groups by id and name.
func (s *Service) groupIdentifiers(ids []string) []GroupIdentifier {
	out := []GroupIdentifier{}
	for _, id := range ids {
		g := GroupIdentifier{GroupId: ptr(id)}
		if rec, err := s.lookup(kindSecurityGroup, id); err == nil && rec != nil {
			g.GroupName = ptr(rec.GroupName)
		}
		out = append(out, g)
	}
	return out
}

// publicAddress returns the Elastic IP address associated with the
// interface with the id, or nil.
func (s *Service) publicAddress(eni string) *record {
	var found *record
	_ = s.read(context.Background(), func(r store.Reader) error {
		addrs, err := list(r, kindAddress)
		for _, a := range addrs {
			if a.Interface == eni {
				found = a
			}
		}
		return err
	})
	return found
}

// privateDNS is the private DNS name of an address in the region, as
// EC2 names it ("ip-10-0-1-5.ec2.internal" in us-east-1).
func (s *Service) privateDNS(ip string) string {
	host := "ip-" + strings.ReplaceAll(ip, ".", "-")
	if s.region == "us-east-1" {
		return host + ".ec2.internal"
	}
	return host + "." + s.region + ".compute.internal"
}

// macAddress is an interface's MAC address, made from its id: a
// locally administered unicast address, as EC2's are.
func macAddress(id string) string {
	hex := id[len(id)-10:]
	mac := "02"
	for i := 0; i < len(hex); i += 2 {
		mac += ":" + hex[i:i+2]
	}
	return mac
}

func (s *Service) interfaceFields(r *record) fields {
	return func(name string) ([]string, bool) {
		switch name {
		case "network-interface-id":
			return one(r.ID), true
		case "subnet-id":
			return one(r.Subnet), true
		case "vpc-id":
			return one(r.VpcID), true
		case "availability-zone":
			return one(r.Zone), true
		case "description":
			return one(r.Description), true
		case "interface-type":
			return one(r.InterfaceType), true
		case "owner-id":
			return one(s.account), true
		case "private-ip-address", "addresses.private-ip-address":
			return one(r.PrivateIP), true
		case "private-dns-name":
			return one(s.privateDNS(r.PrivateIP)), true
		case "mac-address":
			return one(macAddress(r.ID)), true
		case "requester-managed":
			return boolText(true), true
		case "source-dest-check":
			return boolText(false), true
		case "status":
			return []string{"in-use"}, true
		case "group-id":
			return r.Groups, true
		case "group-name":
			var names []string
			for _, g := range s.groupIdentifiers(r.Groups) {
				names = append(names, deref(g.GroupName))
			}
			return names, true
		case "attachment.instance-id":
			return nil, true
		case "association.allocation-id", "association.association-id", "association.public-ip":
			pub := s.publicAddress(r.ID)
			if pub == nil {
				return nil, true
			}
			return one(map[string]string{"association.allocation-id": pub.ID, "association.association-id": pub.AssociationID,
				"association.public-ip": pub.PublicIP}[name]), true
		}
		return nil, false
	}
}

func (s *Service) describeNetworkInterfaces(ctx context.Context, in *DescribeNetworkInterfacesRequest) (*DescribeNetworkInterfacesResult, error) {
	out := &DescribeNetworkInterfacesResult{NetworkInterfaces: []NetworkInterface{}}
	err := s.read(ctx, func(r store.Reader) error {
		recs, err := list(r, kindInterface)
		if err != nil {
			return err
		}
		others, err := s.otherInterfaces(r)
		if err != nil {
			return err
		}
		recs = append(recs, others...)
		if len(in.NetworkInterfaceIds) > 0 {
			byID := map[string]*record{}
			for _, rec := range recs {
				byID[rec.ID] = rec
			}
			recs = recs[:0]
			for _, id := range in.NetworkInterfaceIds {
				if kindOf(id) != kindInterface {
					return malformed(kindInterface, id)
				}
				if byID[id] == nil {
					return notFound(kindInterface, id)
				}
				recs = append(recs, byID[id])
			}
		}
		for _, rec := range recs {
			ok, err := matches(in.Filters, rec.Tags, s.interfaceFields(rec))
			if err != nil {
				return err
			}
			if ok {
				out.NetworkInterfaces = append(out.NetworkInterfaces, s.interfaceShape(rec))
			}
		}
		return nil
	})
	return out, err
}

// otherInterfaces returns the registered services' interfaces as
// records: each with an id made from its subnet and groups, so that it
// keeps it while they stay, and a private address from the top of its
// subnet, below the last (reserved) one.
func (s *Service) otherInterfaces(r store.Reader) ([]*record, error) {
	var out []*record
	next := map[string]netip.Addr{}
	for _, f := range s.interfaces {
		ifs, err := f()
		if err != nil {
			return nil, err
		}
		for _, i := range ifs {
			sub, err := get(r, i.Subnet)
			if err != nil {
				return nil, err
			}
			if sub == nil || kindOf(i.Subnet) != kindSubnet {
				continue
			}
			ip, ok := next[sub.ID]
			if !ok {
				ip = lastAddress(netip.MustParsePrefix(sub.CIDR))
			}
			ip = ip.Prev()
			next[sub.ID] = ip
			sum := sha256.Sum256([]byte(i.Subnet + "|" + strings.Join(i.Groups, ",")))
			out = append(out, &record{ID: "eni-" + hex.EncodeToString(sum[:])[:17], Subnet: sub.ID, VpcID: sub.VpcID, Zone: sub.Zone,
				PrivateIP: ip.String(), InterfaceType: i.Type, Description: i.Description, Groups: i.Groups})
		}
	}
	return out, nil
}

// lastAddress is the last address of an IPv4 block.
func lastAddress(p netip.Prefix) netip.Addr {
	a := p.Masked().Addr().As4()
	for i := p.Bits(); i < 32; i++ {
		a[i/8] |= 1 << (7 - i%8)
	}
	return netip.AddrFrom4(a)
}
