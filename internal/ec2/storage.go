package ec2

import (
	"encoding/json"
	"sort"
	"strings"
	"time"

	"github.com/virga/virga/internal/store"
)

// kind is a kind of EC2 resource: its id prefix, the resource type
// DescribeTags and tag specifications name it by, and the words of its
// errors.
type kind struct {
	prefix, resourceType, noun, notFound, malformed string
	// missing, when set, is the not-found message's format, with the
	// id for its verb, for a kind whose message is not notFound's
	// usual one.
	missing string
}

// The kinds of resources the store keeps.
var (
	kindVPC             = &kind{"vpc", "vpc", "vpc", "InvalidVpcID.NotFound", "InvalidVpcID.Malformed", ""}
	kindSubnet          = &kind{"subnet", "subnet", "subnet", "InvalidSubnetID.NotFound", "InvalidSubnetID.Malformed", ""}
	kindSecurityGroup   = &kind{"sg", "security-group", "security group", "InvalidGroup.NotFound", "InvalidGroupId.Malformed", ""}
	kindInternetGateway = &kind{"igw", "internet-gateway", "internetGateway", "InvalidInternetGatewayID.NotFound", "InvalidInternetGatewayID.Malformed", ""}
	kindRouteTable      = &kind{"rtb", "route-table", "routeTable", "InvalidRouteTableID.NotFound", "InvalidRouteTableID.Malformed", ""}
	kindAddress         = &kind{"eipalloc", "elastic-ip", "allocation", "InvalidAllocationID.NotFound", "InvalidAllocationID.Malformed", ""}
	kindNatGateway      = &kind{"nat", "natgateway", "NAT gateway", "NatGatewayNotFound", "InvalidNatGatewayID.Malformed", "NAT gateway %s was not found"}
	kindInterface       = &kind{"eni", "network-interface", "networkInterface", "InvalidNetworkInterfaceID.NotFound", "InvalidNetworkInterfaceID.Malformed", ""}
	kinds               = []*kind{kindVPC, kindSubnet, kindSecurityGroup, kindInternetGateway, kindRouteTable, kindAddress, kindNatGateway, kindInterface}
)

// kindOf returns the kind of a resource id by its prefix, or nil.
func kindOf(id string) *kind {
	prefix, rest, ok := strings.Cut(id, "-")
	if !ok || rest == "" {
		return nil
	}
	for _, k := range kinds {
		if k.prefix == prefix {
			return k
		}
	}
	return nil
}

// record is one resource. Each kind uses the fields that describe it;
// the others stay empty.
type record struct {
	ID   string            `json:"id"`
	Tags map[string]string `json:"tags,omitempty"`
	// VpcID is the VPC a subnet, group or route table is in.
	VpcID string `json:"vpcId,omitempty"`
	// CIDR is a VPC's or subnet's IPv4 block; AssociationID the id of a
	// VPC's association with it.
	CIDR          string `json:"cidr,omitempty"`
	AssociationID string `json:"associationId,omitempty"`
	// Default marks a default VPC, a default subnet of its zone, or a
	// VPC's default security group.
	Default bool `json:"default,omitempty"`
	// Tenancy is a VPC's instance tenancy; NetworkACL its default
	// network ACL's id.
	Tenancy    string `json:"tenancy,omitempty"`
	NetworkACL string `json:"networkAcl,omitempty"`
	// Zone is a subnet's availability zone; MapPublicIP its
	// MapPublicIpOnLaunch once ModifySubnetAttribute set it (until then,
	// true for a default subnet only).
	Zone        string `json:"zone,omitempty"`
	MapPublicIP *bool  `json:"mapPublicIp,omitempty"`
	// GroupName and Description are a security group's; Ingress and
	// Egress its rules.
	GroupName   string `json:"groupName,omitempty"`
	Description string `json:"description,omitempty"`
	Ingress     []rule `json:"ingress,omitempty"`
	Egress      []rule `json:"egress,omitempty"`
	// Attached is the VPC an internet gateway is attached to.
	Attached string `json:"attached,omitempty"`
	// Main marks a VPC's main route table; Routes and Associations are
	// a route table's.
	Main         bool          `json:"main,omitempty"`
	Routes       []route       `json:"routes,omitempty"`
	Associations []association `json:"associations,omitempty"`
	// PublicIP is an Elastic IP address's; AssociationID (above) its
	// association's id and Interface the network interface it is
	// associated with.
	PublicIP  string `json:"publicIp,omitempty"`
	Interface string `json:"interface,omitempty"`
	// Subnet is the subnet a NAT gateway or network interface is in,
	// PrivateIP its private address. Allocation is a public NAT
	// gateway's address, Connectivity "public" or "private", Interface
	// (above) its network interface; Created and Deleted its times
	// (a deleted gateway stays visible for a while, see natKept).
	Subnet       string     `json:"subnet,omitempty"`
	PrivateIP    string     `json:"privateIp,omitempty"`
	Allocation   string     `json:"allocation,omitempty"`
	Connectivity string     `json:"connectivity,omitempty"`
	Created      *time.Time `json:"created,omitempty"`
	Deleted      *time.Time `json:"deleted,omitempty"`
	// InterfaceType is a network interface's type ("nat_gateway");
	// Description (above) says what made it.
	InterfaceType string `json:"interfaceType,omitempty"`
	// Groups are a network interface's security groups.
	Groups []string `json:"groups,omitempty"`
	// Failure is why a NAT gateway failed (its FailureCode), Reason its
	// FailureMessage.
	Failure string `json:"failure,omitempty"`
	Reason  string `json:"reason,omitempty"`
	// Token is the ClientToken a NAT gateway was made with, Request the
	// parameters it was made from (a later request with the token must
	// repeat them).
	Token   string `json:"token,omitempty"`
	Request string `json:"request,omitempty"`
}

// rule is one security group rule: a protocol and port range from (or
// to) one source: an IPv4 or IPv6 block or another group.
type rule struct {
	ID          string `json:"id"`
	Protocol    string `json:"protocol"`
	From        *int32 `json:"from,omitempty"`
	To          *int32 `json:"to,omitempty"`
	CIDR        string `json:"cidr,omitempty"`
	CIDRv6      string `json:"cidrv6,omitempty"`
	Group       string `json:"group,omitempty"`
	Description string `json:"description,omitempty"`
}

// same reports whether two rules allow the same traffic, whatever
// their ids and descriptions.
func (r rule) same(o rule) bool {
	eq := func(a, b *int32) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }
	return r.Protocol == o.Protocol && eq(r.From, o.From) && eq(r.To, o.To) &&
		r.CIDR == o.CIDR && r.CIDRv6 == o.CIDRv6 && r.Group == o.Group
}

// route is one route of a route table, to a gateway ("local" for the
// VPC's own block).
type route struct {
	Destination string `json:"destination"`
	Gateway     string `json:"gateway"`
	Origin      string `json:"origin"`
}

// association ties a route table to a subnet (or, for the main table,
// to its VPC).
type association struct {
	ID     string `json:"id"`
	Subnet string `json:"subnet,omitempty"`
	Main   bool   `json:"main,omitempty"`
}

// Keys: "ec2/r/<id>" holds a resource, "ec2/defaults" marks the default
// VPC made.
var (
	recordPrefix = []byte("ec2/r/")
	defaultsKey  = []byte("ec2/defaults")
)

func recordKey(id string) []byte { return append(append([]byte{}, recordPrefix...), id...) }

// get reads the resource with the id, or nil.
func get(r store.Reader, id string) (*record, error) {
	return store.GetJSON[record](r, recordKey(id))
}

// put adds the resource to b.
func put(b store.Batch, rec *record) error { return store.SetJSON(b, recordKey(rec.ID), rec) }

// list returns the resources of a kind, in id order.
func list(r store.Reader, k *kind) ([]*record, error) {
	lower := recordKey(k.prefix + "-")
	upper := recordKey(k.prefix + ".")
	it, err := r.NewIter(lower, upper)
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var out []*record
	for ok := it.First(); ok; ok = it.Next() {
		rec := new(record)
		if err := json.Unmarshal(it.Value(), rec); err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	return out, it.Error()
}

// tagList is a resource's tags in key order, as EC2 lists them.
func tagList(tags map[string]string) []Tag {
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]Tag, 0, len(keys))
	for _, k := range keys {
		out = append(out, Tag{Key: ptr(k), Value: ptr(tags[k])})
	}
	return out
}

func ptr[T any](v T) *T { return &v }
