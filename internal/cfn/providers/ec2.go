package providers

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"

	"github.com/virga/virga/internal/cfn/resource"
)

// EC2's VPC resources. virga has no VPC networking: functions, tasks
// and load balancers reach each other on the host. VPCs, subnets and
// security groups (with their rules) are made through the EC2 API, which
// records them (see package ec2) with AWS's ids and attributes; the
// other networking types (gateways, route tables, routes, addresses,
// endpoints) are recorded here only, with ids in AWS's form, so that
// templates that build a network deploy and what names it resolves.

func init() {
	resource.Register(&resource.Type{
		Name:     "AWS::EC2::VPC",
		Provider: vpcProvider{},
		Tags:     resource.TagList,
		// "Update requires: Replacement".
		Replace:    []string{"CidrBlock", "Ipv4IpamPoolId", "Ipv4NetmaskLength", "InstanceTenancy"},
		Attributes: []string{"CidrBlock", "CidrBlockAssociations", "DefaultNetworkAcl", "DefaultSecurityGroup", "Ipv6CidrBlocks", "VpcId"},
	})
	resource.Register(&resource.Type{
		Name:       "AWS::EC2::Subnet",
		Required:   []string{"VpcId"},
		Provider:   subnetProvider{},
		Tags:       resource.TagList,
		Replace:    []string{"AvailabilityZone", "AvailabilityZoneId", "CidrBlock", "VpcId", "Ipv4IpamPoolId", "Ipv4NetmaskLength", "OutpostArn"},
		Attributes: []string{"AvailabilityZone", "AvailabilityZoneId", "CidrBlock", "Ipv6CidrBlocks", "NetworkAclAssociationId", "OutpostArn", "SubnetId", "VpcId"},
	})
	resource.Register(&resource.Type{
		Name:       "AWS::EC2::SecurityGroup",
		Required:   []string{"GroupDescription"},
		Provider:   securityGroup{},
		Tags:       resource.TagList,
		Replace:    []string{"GroupName", "GroupDescription", "VpcId"},
		Attributes: []string{"GroupId", "VpcId"},
	})
	for _, t := range []struct {
		name   string
		egress bool
	}{{"AWS::EC2::SecurityGroupIngress", false}, {"AWS::EC2::SecurityGroupEgress", true}} {
		resource.Register(&resource.Type{
			Name:       t.name,
			Required:   []string{"IpProtocol"},
			Provider:   groupRule{egress: t.egress},
			Replace:    []string{"*"},
			Attributes: []string{"Id"},
		})
	}
	for _, r := range []recorded{
		{"AWS::EC2::InternetGateway", "igw", []string{"InternetGatewayId"}},
		{"AWS::EC2::EgressOnlyInternetGateway", "eigw", []string{"Id"}},
		{"AWS::EC2::VPCGatewayAttachment", "", []string{"AttachmentType", "VpcId"}},
		{"AWS::EC2::RouteTable", "rtb", []string{"RouteTableId"}},
		{"AWS::EC2::Route", "", nil},
		{"AWS::EC2::SubnetRouteTableAssociation", "rtbassoc", []string{"Id"}},
		{"AWS::EC2::EIP", "eipalloc", []string{"AllocationId", "PublicIp"}},
		{"AWS::EC2::NatGateway", "nat", []string{"NatGatewayId"}},
		{"AWS::EC2::VPCEndpoint", "vpce", []string{"Id", "CreationTimestamp", "DnsEntries", "NetworkInterfaceIds"}},
		{"AWS::EC2::VPCCidrBlock", "vpc-cidr-assoc", []string{"Id"}},
	} {
		resource.Register(&resource.Type{Name: r.name, Provider: r, Replace: []string{"*"}, Attributes: r.attrs})
	}
}

// maxSecurityGroupName is EC2's limit on group names ("Constraints: Up
// to 255 characters in length").
const maxSecurityGroupName = 255

// awsID returns an id in AWS's form: prefix, "-" and 17 hexadecimal
// digits.
func awsID(prefix string) (string, error) {
	var b [9]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return prefix + "-" + hex.EncodeToString(b[:])[:17], nil
}

// vpcProvider is AWS::EC2::VPC: CreateVpc. Its Ref is its id.
type vpcProvider struct{}

func ec2Tags(p props, resourceType string) []any {
	tags := tagsOf(p["Tags"])
	if len(tags) == 0 {
		return nil
	}
	return []any{map[string]any{"ResourceType": resourceType, "Tags": tagList(tags)}}
}

func (vpcProvider) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p := props(r.Properties)
	in := p.pick(map[string]any{}, "CidrBlock", "InstanceTenancy", "Ipv4IpamPoolId", "Ipv4NetmaskLength")
	if t := ec2Tags(p, "vpc"); t != nil {
		in["TagSpecifications"] = t
	}
	out, err := call(ctx, r, "ec2", "CreateVpc", in)
	if err != nil {
		return nil, err
	}
	vpc, _ := out["Vpc"].(map[string]any)
	id, _ := vpc["VpcId"].(string)
	groups, err := call(ctx, r, "ec2", "DescribeSecurityGroups", map[string]any{"Filters": []any{
		map[string]any{"Name": "vpc-id", "Values": []any{id}}, map[string]any{"Name": "group-name", "Values": []any{"default"}}}})
	if err != nil {
		return &resource.Result{PhysicalID: id}, err
	}
	sg := ""
	if l, _ := groups["SecurityGroups"].([]any); len(l) > 0 {
		sg, _ = l[0].(map[string]any)["GroupId"].(string)
	}
	acl, err := awsID("acl")
	if err != nil {
		return &resource.Result{PhysicalID: id}, err
	}
	var assocs []any
	if l, _ := vpc["CidrBlockAssociationSet"].([]any); len(l) > 0 {
		if a, _ := l[0].(map[string]any)["AssociationId"].(string); a != "" {
			assocs = append(assocs, a)
		}
	}
	return &resource.Result{PhysicalID: id, Attributes: map[string]any{"VpcId": id, "CidrBlock": vpc["CidrBlock"],
		"CidrBlockAssociations": assocs, "DefaultNetworkAcl": acl, "DefaultSecurityGroup": sg, "Ipv6CidrBlocks": []any{}}}, nil
}

func (vpcProvider) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: r.Attributes}, nil
}

func (vpcProvider) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, "ec2", "DeleteVpc", map[string]any{"VpcId": r.PhysicalID})
	return ignoreGone(err)
}

// subnetProvider is AWS::EC2::Subnet: CreateSubnet. Its Ref is its id.
type subnetProvider struct{}

func (subnetProvider) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p := props(r.Properties)
	in := p.pick(map[string]any{}, "VpcId", "CidrBlock", "AvailabilityZone", "AvailabilityZoneId")
	if t := ec2Tags(p, "subnet"); t != nil {
		in["TagSpecifications"] = t
	}
	out, err := call(ctx, r, "ec2", "CreateSubnet", in)
	if err != nil {
		return nil, err
	}
	sub, _ := out["Subnet"].(map[string]any)
	id, _ := sub["SubnetId"].(string)
	assoc, err := awsID("aclassoc")
	if err != nil {
		return &resource.Result{PhysicalID: id}, err
	}
	return &resource.Result{PhysicalID: id, Attributes: map[string]any{"SubnetId": id, "VpcId": sub["VpcId"],
		"AvailabilityZone": sub["AvailabilityZone"], "AvailabilityZoneId": sub["AvailabilityZoneId"], "CidrBlock": sub["CidrBlock"],
		"Ipv6CidrBlocks": []any{}, "NetworkAclAssociationId": assoc, "OutpostArn": ""}}, nil
}

func (subnetProvider) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: r.Attributes}, nil
}

func (subnetProvider) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, "ec2", "DeleteSubnet", map[string]any{"SubnetId": r.PhysicalID})
	return ignoreGone(err)
}

// securityGroup is AWS::EC2::SecurityGroup: CreateSecurityGroup, then
// its SecurityGroupIngress and SecurityGroupEgress rules. Its Ref is
// the group's id when the template gives a VpcId, and its name
// otherwise (a default VPC's group), as AWS's is; GetAtt gives GroupId
// and VpcId. Rules given replace the all-traffic egress rule a new
// group has, as on AWS.
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
	in := p.pick(map[string]any{"GroupName": name, "Description": p.str("GroupDescription")}, "VpcId")
	if t := ec2Tags(p, "security-group"); t != nil {
		in["TagSpecifications"] = t
	}
	out, err := call(ctx, r, "ec2", "CreateSecurityGroup", in)
	if err != nil {
		return nil, err
	}
	id, _ := out["GroupId"].(string)
	groups, err := call(ctx, r, "ec2", "DescribeSecurityGroups", map[string]any{"GroupIds": []any{id}})
	vpc := ""
	if l, _ := groups["SecurityGroups"].([]any); err == nil && len(l) > 0 {
		vpc, _ = l[0].(map[string]any)["VpcId"].(string)
	}
	physical := id
	if p.str("VpcId") == "" {
		physical = name
	}
	res := &resource.Result{PhysicalID: physical, Attributes: map[string]any{"GroupId": id, "VpcId": vpc}}
	if err != nil {
		return res, err
	}
	for _, rl := range p.list("SecurityGroupIngress") {
		if err := authorize(ctx, r, id, props(asMap(rl)), false); err != nil {
			return res, err
		}
	}
	if egress := p.list("SecurityGroupEgress"); len(egress) > 0 {
		all := map[string]any{"IpProtocol": "-1", "CidrIp": "0.0.0.0/0"}
		if _, err := call(ctx, r, "ec2", "RevokeSecurityGroupEgress", map[string]any{"GroupId": id, "IpPermissions": []any{ipPermission(props(all))}}); err != nil {
			return res, err
		}
		for _, rl := range egress {
			if err := authorize(ctx, r, id, props(asMap(rl)), true); err != nil {
				return res, err
			}
		}
	}
	return res, nil
}

// ipPermission is an IpPermission for a rule as a template gives it.
func ipPermission(p props) map[string]any {
	perm := p.pick(map[string]any{"IpProtocol": p.str("IpProtocol")}, "FromPort", "ToPort")
	switch {
	case p.str("CidrIp") != "":
		perm["IpRanges"] = []any{p.pick(map[string]any{"CidrIp": p.str("CidrIp")}, "Description")}
	case p.str("CidrIpv6") != "":
		perm["Ipv6Ranges"] = []any{p.pick(map[string]any{"CidrIpv6": p.str("CidrIpv6")}, "Description")}
	case p.str("SourceSecurityGroupId") != "":
		perm["UserIdGroupPairs"] = []any{p.pick(map[string]any{"GroupId": p.str("SourceSecurityGroupId")}, "Description")}
	case p.str("DestinationSecurityGroupId") != "":
		perm["UserIdGroupPairs"] = []any{p.pick(map[string]any{"GroupId": p.str("DestinationSecurityGroupId")}, "Description")}
	}
	return perm
}

// authorizeRule adds a rule to a group and returns the rule's id.
func authorizeRule(ctx context.Context, r *resource.Request, group string, p props, egress bool) (string, error) {
	op := "AuthorizeSecurityGroupIngress"
	if egress {
		op = "AuthorizeSecurityGroupEgress"
	}
	out, err := call(ctx, r, "ec2", op, map[string]any{"GroupId": group, "IpPermissions": []any{ipPermission(p)}})
	if err != nil {
		return "", err
	}
	id := ""
	if l, _ := out["SecurityGroupRules"].([]any); len(l) > 0 {
		id, _ = asMap(l[0])["SecurityGroupRuleId"].(string)
	}
	return id, nil
}

func authorize(ctx context.Context, r *resource.Request, group string, p props, egress bool) error {
	_, err := authorizeRule(ctx, r, group, p, egress)
	return err
}

func (securityGroup) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: r.Attributes}, nil
}

func (securityGroup) Delete(ctx context.Context, r *resource.Request) error {
	id, _ := r.Attributes["GroupId"].(string)
	if id == "" {
		return nil
	}
	_, err := call(ctx, r, "ec2", "DeleteSecurityGroup", map[string]any{"GroupId": id})
	return ignoreGone(err)
}

// groupRule is AWS::EC2::SecurityGroupIngress and ::SecurityGroupEgress:
// one rule of a group, named by GroupId (or, for ingress, GroupName in
// the default VPC). Its Ref is the rule's id (sgr-...).
type groupRule struct{ egress bool }

func (g groupRule) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p := props(r.Properties)
	group := p.str("GroupId")
	if group == "" && p.str("GroupName") != "" {
		out, err := call(ctx, r, "ec2", "DescribeSecurityGroups", map[string]any{"GroupNames": []any{p.str("GroupName")}})
		if err != nil {
			return nil, err
		}
		if l, _ := out["SecurityGroups"].([]any); len(l) > 0 {
			group, _ = asMap(l[0])["GroupId"].(string)
		}
	}
	id, err := authorizeRule(ctx, r, group, p, g.egress)
	if err != nil {
		return nil, err
	}
	return &resource.Result{PhysicalID: id, Attributes: map[string]any{"Id": id, "GroupId": group}}, nil
}

func (g groupRule) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: r.Attributes}, nil
}

func (g groupRule) Delete(ctx context.Context, r *resource.Request) error {
	group, _ := r.Attributes["GroupId"].(string)
	op := "RevokeSecurityGroupIngress"
	if g.egress {
		op = "RevokeSecurityGroupEgress"
	}
	_, err := call(ctx, r, "ec2", op, map[string]any{"GroupId": group, "SecurityGroupRuleIds": []any{r.PhysicalID}})
	return ignoreGone(err)
}

// recorded is a networking type virga records without an API of its
// own: its Ref is a new id with the type's prefix (or, for types AWS
// gives no id, the logical id's own form), and its attributes that id.
type recorded struct {
	name, prefix string
	attrs        []string
}

func (t recorded) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p := props(r.Properties)
	if t.prefix == "" {
		// A gateway attachment and a route have no id of their own:
		// AWS's physical id joins what they tie together.
		if r.Type == "AWS::EC2::VPCGatewayAttachment" {
			typ := "IGW"
			if p.str("VpnGatewayId") != "" {
				typ = "VGW"
			}
			return &resource.Result{PhysicalID: typ + "|" + p.str("VpcId"),
				Attributes: map[string]any{"AttachmentType": strings.ToLower(typ), "VpcId": p.str("VpcId")}}, nil
		}
		return &resource.Result{PhysicalID: p.str("RouteTableId") + "|" + p.str("DestinationCidrBlock") + p.str("DestinationIpv6CidrBlock"),
			Attributes: map[string]any{}}, nil
	}
	id, err := awsID(t.prefix)
	if err != nil {
		return nil, err
	}
	attrs := map[string]any{}
	for _, a := range t.attrs {
		attrs[a] = id
	}
	switch r.Type {
	case "AWS::EC2::EIP":
		// The Ref of an address is its public IP, from the
		// documentation range TEST-NET-3 (RFC 5737), which routes
		// nowhere.
		var b [1]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, err
		}
		ip := "203.0.113." + strconv.Itoa(int(b[0])%254+1)
		attrs["PublicIp"] = ip
		return &resource.Result{PhysicalID: ip, Attributes: attrs}, nil
	case "AWS::EC2::VPCEndpoint":
		attrs["CreationTimestamp"] = r.Env.Now().UTC().Format("2006-01-02T15:04:05.000Z")
		attrs["DnsEntries"], attrs["NetworkInterfaceIds"] = []any{}, []any{}
	}
	return &resource.Result{PhysicalID: id, Attributes: attrs}, nil
}

func (t recorded) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: r.Attributes}, nil
}

func (t recorded) Delete(ctx context.Context, r *resource.Request) error { return nil }
