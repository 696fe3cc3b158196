package ec2

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/zones"
)

// CIDR block sizes a VPC's or subnet's IPv4 block may have ("The
// allowed block size is between a /16 netmask (65,536 IP addresses) and
// /28 netmask (16 IP addresses)").
const (
	minPrefixLen = 16
	maxPrefixLen = 28
)

// zoneID returns the id of an availability zone of the region: the
// region's short form and the zone's number ("use1-az1" for us-east-1a).
func zoneID(region, zone string) string {
	short := map[string]string{"north": "n", "south": "s", "east": "e", "west": "w", "central": "c",
		"northeast": "ne", "northwest": "nw", "southeast": "se", "southwest": "sw"}
	parts := strings.Split(region, "-")
	var b strings.Builder
	for i, p := range parts {
		if s, ok := short[p]; ok && i > 0 {
			b.WriteString(s)
		} else {
			b.WriteString(p)
		}
	}
	n := 1
	if l := strings.TrimPrefix(zone, region); len(l) == 1 {
		n = int(l[0]-'a') + 1
	}
	return fmt.Sprintf("%s-az%d", b.String(), n)
}

// parseCIDR parses an IPv4 CIDR block as EC2 takes it for the parameter
// param: the address must be the block's first.
func parseCIDR(s, param string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil || !p.Addr().Is4() {
		return netip.Prefix{}, ErrInvalidParameterValue.Withf("Value (%s) for parameter %s is invalid. This is not a valid CIDR block.", s, param)
	}
	if p.Masked() != p {
		return netip.Prefix{}, ErrInvalidParameterValue.Withf("Value (%s) for parameter %s is invalid. This is not a valid CIDR block.", s, param)
	}
	return p, nil
}

// blockSize checks that a VPC's or subnet's block is /16 to /28, with
// the error e.
func blockSize(p netip.Prefix, e func(string) error) error {
	if p.Bits() < minPrefixLen || p.Bits() > maxPrefixLen {
		return e(fmt.Sprintf("The CIDR '%s' is invalid.", p))
	}
	return nil
}

// within reports whether block inner lies in block outer.
func within(inner, outer netip.Prefix) bool {
	return outer.Bits() <= inner.Bits() && outer.Contains(inner.Addr())
}

// Default VPC: 172.31.0.0/16 with a /20 subnet in each zone, as on a new
// AWS account.
const (
	defaultVPCBlock  = "172.31.0.0/16"
	defaultSubnetLen = 20
)

// ensureDefaults makes the region's default VPC once: its default
// subnets, default security group, main route table with a route to its
// internet gateway. Callers hold s.mu.
func (s *Service) ensureDefaults() error {
	if _, err := s.store.Get(defaultsKey); err == nil {
		return nil
	} else if err != store.ErrNotFound {
		return err
	}
	b := s.store.NewBatch()
	defer b.Close()
	vpc := s.newVPC(defaultVPCBlock, "default", true)
	igw := &record{ID: s.newID("igw"), Attached: vpc.ID}
	recs := append(s.vpcCompanions(vpc), vpc, igw)
	for _, r := range recs {
		if r.Main {
			r.Routes = append(r.Routes, route{Destination: "0.0.0.0/0", Gateway: igw.ID, Origin: "CreateRoute"})
		}
	}
	base := netip.MustParsePrefix(defaultVPCBlock).Addr().As4()
	for i, zone := range zones.Names(s.region) {
		a := base
		a[2] = byte(i * 16)
		recs = append(recs, &record{ID: s.newID("subnet"), VpcID: vpc.ID, Zone: zone, Default: true,
			CIDR: netip.PrefixFrom(netip.AddrFrom4(a), defaultSubnetLen).String()})
	}
	for _, r := range recs {
		if err := put(b, r); err != nil {
			return err
		}
	}
	b.Set(defaultsKey, []byte(vpc.ID))
	return b.Commit()
}

// newVPC returns a new VPC record.
func (s *Service) newVPC(cidr, tenancy string, isDefault bool) *record {
	return &record{ID: s.newID("vpc"), CIDR: cidr, AssociationID: s.newID("vpc-cidr-assoc"), Default: isDefault,
		Tenancy: tenancy, NetworkACL: s.newID("acl")}
}

// vpcCompanions returns what EC2 makes with a VPC: its default security
// group (all egress allowed, ingress from itself) and its main route
// table (a local route for its block).
func (s *Service) vpcCompanions(vpc *record) []*record {
	sg := &record{ID: s.newID("sg"), VpcID: vpc.ID, Default: true, GroupName: "default",
		Description: "default VPC security group"}
	sg.Ingress = []rule{{ID: s.newID("sgr"), Protocol: "-1", Group: sg.ID}}
	sg.Egress = []rule{{ID: s.newID("sgr"), Protocol: "-1", CIDR: "0.0.0.0/0"}}
	rtb := &record{ID: s.newID("rtb"), VpcID: vpc.ID, Main: true,
		Routes:       []route{{Destination: vpc.CIDR, Gateway: "local", Origin: "CreateRouteTable"}},
		Associations: []association{{ID: s.newID("rtbassoc"), Main: true}}}
	return []*record{sg, rtb}
}
