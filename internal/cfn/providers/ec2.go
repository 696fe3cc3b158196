package providers

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/virga/virga/internal/ids"
	"strings"

	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/cfn/resource"
)

// EC2's VPC resources. virga has no VPC networking: functions, tasks
// and load balancers reach each other on the host. VPCs, subnets,
// security groups (with their rules), internet gateways, route tables
// (with routes and associations), Elastic IP addresses and NAT gateways
// are made through the EC2 API, which records them (see package ec2)
// with AWS's ids and attributes; the other networking types
// (egress-only gateways, endpoints, CIDR blocks, network ACLs) are
// recorded here only, with ids in AWS's form, so that templates that
// build a network deploy and what names it resolves.

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
	resource.Register(&resource.Type{Name: "AWS::EC2::InternetGateway", Provider: internetGateway{}, Tags: resource.TagList,
		Attributes: []string{"InternetGatewayId"}})
	resource.Register(&resource.Type{Name: "AWS::EC2::VPCGatewayAttachment", Required: []string{"VpcId"}, Provider: gatewayAttachment{},
		Replace: []string{"*"}, Attributes: []string{"AttachmentType", "VpcId"}})
	resource.Register(&resource.Type{Name: "AWS::EC2::RouteTable", Required: []string{"VpcId"}, Provider: routeTable{}, Tags: resource.TagList,
		Replace: []string{"VpcId"}, Attributes: []string{"RouteTableId"}})
	resource.Register(&resource.Type{Name: "AWS::EC2::Route", Required: []string{"RouteTableId"}, Provider: routeProvider{},
		Replace: []string{"*"}, Attributes: []string{"CidrBlock"}})
	resource.Register(&resource.Type{Name: "AWS::EC2::SubnetRouteTableAssociation", Required: []string{"RouteTableId", "SubnetId"},
		Provider: tableAssociation{}, Replace: []string{"*"}, Attributes: []string{"Id"}})
	resource.Register(&resource.Type{Name: "AWS::EC2::EIP", Provider: eipProvider{}, Tags: resource.TagList,
		Replace:    []string{"Domain", "NetworkBorderGroup", "PublicIpv4Pool", "TransferAddress", "IpamPoolId", "Address"},
		Attributes: []string{"AllocationId", "PublicIp"}})
	resource.Register(&resource.Type{Name: "AWS::EC2::NatGateway", Required: []string{"SubnetId"}, Provider: natGateway{}, Tags: resource.TagList,
		Replace:    []string{"SubnetId", "AllocationId", "ConnectivityType", "PrivateIpAddress"},
		Attributes: []string{"NatGatewayId"}})
	for _, r := range []recorded{
		{"AWS::EC2::EgressOnlyInternetGateway", "eigw", []string{"Id"}},
		{"AWS::EC2::VPCEndpoint", "vpce", []string{"Id", "CreationTimestamp", "DnsEntries", "NetworkInterfaceIds"}},
		{"AWS::EC2::VPCCidrBlock", "vpc-cidr-assoc", []string{"Id"}},
		{"AWS::EC2::NetworkAcl", "acl", []string{"Id"}},
		{"AWS::EC2::SubnetNetworkAclAssociation", "aclassoc", []string{"AssociationId"}},
	} {
		resource.Register(&resource.Type{Name: r.name, Provider: r, Replace: []string{"*"}, Attributes: r.attrs})
	}
}

// maxSecurityGroupName is EC2's limit on group names ("Constraints: Up
// to 255 characters in length").
const maxSecurityGroupName = 255

// awsID returns an id in AWS's form: prefix, "-" and 17 hexadecimal
// digits.
func awsID(prefix string) string { return ids.New(rand.Reader).ResourceID(prefix) }

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
	acl := awsID("acl")
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
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: r.Attributes}, ec2UpdateTags(ctx, r)
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
	assoc := awsID("aclassoc")
	return &resource.Result{PhysicalID: id, Attributes: map[string]any{"SubnetId": id, "VpcId": sub["VpcId"],
		"AvailabilityZone": sub["AvailabilityZone"], "AvailabilityZoneId": sub["AvailabilityZoneId"], "CidrBlock": sub["CidrBlock"],
		"Ipv6CidrBlocks": []any{}, "NetworkAclAssociationId": assoc, "OutpostArn": ""}}, nil
}

func (subnetProvider) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: r.Attributes}, ec2UpdateTags(ctx, r)
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

// Update applies a change of Tags and of the inline rules: rules no
// longer given are revoked, new ones authorized.
func (securityGroup) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	res := &resource.Result{PhysicalID: r.PhysicalID, Attributes: r.Attributes}
	id, _ := r.Attributes["GroupId"].(string)
	p, old := props(r.Properties), props(r.OldProperties)
	for _, side := range []struct {
		prop, revoke string
		egress       bool
	}{{"SecurityGroupIngress", "RevokeSecurityGroupIngress", false}, {"SecurityGroupEgress", "RevokeSecurityGroupEgress", true}} {
		was, now := ruleSet(old.list(side.prop)), ruleSet(p.list(side.prop))
		for k, perm := range was {
			if _, kept := now[k]; !kept {
				if _, err := call(ctx, r, "ec2", side.revoke, map[string]any{"GroupId": id, "IpPermissions": []any{ipPermission(props(perm))}}); ignoreGone(err) != nil {
					return res, err
				}
			}
		}
		for k, perm := range now {
			if _, had := was[k]; !had {
				if err := authorize(ctx, r, id, props(perm), side.egress); err != nil {
					return res, err
				}
			}
		}
	}
	return res, ec2UpdateTags(ctx, r)
}

// ruleSet returns a template's rules by their JSON text.
func ruleSet(rules []any) map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, rl := range rules {
		b, _ := json.Marshal(rl)
		out[string(b)] = asMap(rl)
	}
	return out
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
// own: its Ref is a new id with the type's prefix, and its attributes
// that id.
type recorded struct {
	name, prefix string
	attrs        []string
}

func (t recorded) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	id := awsID(t.prefix)
	attrs := map[string]any{}
	for _, a := range t.attrs {
		attrs[a] = id
	}
	if r.Type == "AWS::EC2::VPCEndpoint" {
		attrs["CreationTimestamp"] = r.Env.Now().UTC().Format("2006-01-02T15:04:05.000Z")
		attrs["DnsEntries"], attrs["NetworkInterfaceIds"] = []any{}, []any{}
	}
	return &resource.Result{PhysicalID: id, Attributes: attrs}, nil
}

func (t recorded) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: r.Attributes}, nil
}

func (t recorded) Delete(ctx context.Context, r *resource.Request) error { return nil }

// eipProvider is AWS::EC2::EIP: AllocateAddress. Its Ref is the
// address's public IP, as AWS's is; GetAtt gives AllocationId too.
type eipProvider struct{}

func (eipProvider) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	in := map[string]any{"Domain": "vpc"}
	if t := ec2Tags(props(r.Properties), "elastic-ip"); t != nil {
		in["TagSpecifications"] = t
	}
	out, err := call(ctx, r, "ec2", "AllocateAddress", in)
	if err != nil {
		return nil, err
	}
	ip, _ := out["PublicIp"].(string)
	return &resource.Result{PhysicalID: ip, Attributes: map[string]any{"AllocationId": out["AllocationId"], "PublicIp": ip}}, nil
}

func (eipProvider) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: r.Attributes}, ec2UpdateTags(ctx, r)
}

func (eipProvider) Delete(ctx context.Context, r *resource.Request) error {
	id, _ := r.Attributes["AllocationId"].(string)
	if id == "" {
		return nil
	}
	_, err := call(ctx, r, "ec2", "ReleaseAddress", map[string]any{"AllocationId": id})
	return ignoreGone(err)
}

// natGateway is AWS::EC2::NatGateway: CreateNatGateway. Its Ref is its
// id.
type natGateway struct{}

func (natGateway) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p := props(r.Properties)
	in := p.pick(map[string]any{}, "SubnetId", "AllocationId", "ConnectivityType", "PrivateIpAddress")
	if t := ec2Tags(p, "natgateway"); t != nil {
		in["TagSpecifications"] = t
	}
	out, err := call(ctx, r, "ec2", "CreateNatGateway", in)
	if err != nil {
		return nil, err
	}
	id, _ := asMap(out["NatGateway"])["NatGatewayId"].(string)
	res := &resource.Result{PhysicalID: id, Attributes: map[string]any{"NatGatewayId": id}}
	// A gateway EC2 marks failed (a public one in a VPC without an
	// internet gateway) fails the resource, with EC2's reason.
	d, err := call(ctx, r, "ec2", "DescribeNatGateways", map[string]any{"NatGatewayIds": []any{id}})
	if err != nil {
		return res, err
	}
	for _, g := range asList(d["NatGateways"]) {
		if g := props(asMap(g)); g.str("State") == "failed" {
			// Wording unconfirmed.
			return res, fmt.Errorf("NAT gateway %s failed: %s", id, g.str("FailureMessage"))
		}
	}
	return res, nil
}

func (natGateway) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: r.Attributes}, ec2UpdateTags(ctx, r)
}

func (natGateway) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, "ec2", "DeleteNatGateway", map[string]any{"NatGatewayId": r.PhysicalID})
	return ignoreGone(err)
}

// internetGateway is AWS::EC2::InternetGateway: CreateInternetGateway.
type internetGateway struct{}

func (internetGateway) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	in := map[string]any{}
	if t := ec2Tags(props(r.Properties), "internet-gateway"); t != nil {
		in["TagSpecifications"] = t
	}
	out, err := call(ctx, r, "ec2", "CreateInternetGateway", in)
	if err != nil {
		return nil, err
	}
	id, _ := asMap(out["InternetGateway"])["InternetGatewayId"].(string)
	return &resource.Result{PhysicalID: id, Attributes: map[string]any{"InternetGatewayId": id}}, nil
}

func (internetGateway) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: r.Attributes}, ec2UpdateTags(ctx, r)
}

func (internetGateway) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, "ec2", "DeleteInternetGateway", map[string]any{"InternetGatewayId": r.PhysicalID})
	return ignoreGone(err)
}

// gatewayAttachment is AWS::EC2::VPCGatewayAttachment: an internet
// gateway attached with AttachInternetGateway (a VPN gateway's is
// recorded only). Its Ref is "IGW|vpc-..." as AWS's is.
type gatewayAttachment struct{}

func (gatewayAttachment) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p := props(r.Properties)
	typ := "IGW"
	if p.str("InternetGatewayId") != "" {
		if _, err := call(ctx, r, "ec2", "AttachInternetGateway", map[string]any{"InternetGatewayId": p.str("InternetGatewayId"), "VpcId": p.str("VpcId")}); err != nil {
			return nil, err
		}
	} else {
		typ = "VGW"
	}
	return &resource.Result{PhysicalID: typ + "|" + p.str("VpcId"),
		Attributes: map[string]any{"AttachmentType": strings.ToLower(typ), "VpcId": p.str("VpcId")}}, nil
}

func (gatewayAttachment) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: r.Attributes}, nil
}

func (gatewayAttachment) Delete(ctx context.Context, r *resource.Request) error {
	p := props(r.Properties)
	if p.str("InternetGatewayId") == "" {
		return nil
	}
	_, err := call(ctx, r, "ec2", "DetachInternetGateway", map[string]any{"InternetGatewayId": p.str("InternetGatewayId"), "VpcId": p.str("VpcId")})
	if ignoreGone(err) != nil && !hasCode(err, "Gateway.NotAttached") {
		return err
	}
	return nil
}

// routeTable is AWS::EC2::RouteTable: CreateRouteTable.
type routeTable struct{}

func (routeTable) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p := props(r.Properties)
	in := map[string]any{"VpcId": p.str("VpcId")}
	if t := ec2Tags(p, "route-table"); t != nil {
		in["TagSpecifications"] = t
	}
	out, err := call(ctx, r, "ec2", "CreateRouteTable", in)
	if err != nil {
		return nil, err
	}
	id, _ := asMap(out["RouteTable"])["RouteTableId"].(string)
	return &resource.Result{PhysicalID: id, Attributes: map[string]any{"RouteTableId": id}}, nil
}

func (routeTable) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: r.Attributes}, ec2UpdateTags(ctx, r)
}

func (routeTable) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, "ec2", "DeleteRouteTable", map[string]any{"RouteTableId": r.PhysicalID})
	return ignoreGone(err)
}

// routeTargets are the properties of AWS::EC2::Route that name its
// target, the same as CreateRoute's parameters.
var routeTargets = []string{"GatewayId", "NatGatewayId", "EgressOnlyInternetGatewayId", "InstanceId", "NetworkInterfaceId",
	"VpcPeeringConnectionId", "TransitGatewayId", "VpcEndpointId", "LocalGatewayId", "CarrierGatewayId"}

// routeProvider is AWS::EC2::Route: CreateRoute. Its Ref is
// "rtb-...|DESTINATION".
type routeProvider struct{}

func (routeProvider) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p := props(r.Properties)
	in := p.pick(map[string]any{}, append([]string{"RouteTableId", "DestinationCidrBlock", "DestinationIpv6CidrBlock"}, routeTargets...)...)
	if _, err := call(ctx, r, "ec2", "CreateRoute", in); err != nil {
		return nil, err
	}
	dest := p.str("DestinationCidrBlock") + p.str("DestinationIpv6CidrBlock")
	return &resource.Result{PhysicalID: p.str("RouteTableId") + "|" + dest, Attributes: map[string]any{"CidrBlock": dest}}, nil
}

func (routeProvider) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: r.Attributes}, nil
}

func (routeProvider) Delete(ctx context.Context, r *resource.Request) error {
	p := props(r.Properties)
	in := p.pick(map[string]any{}, "RouteTableId", "DestinationCidrBlock", "DestinationIpv6CidrBlock")
	_, err := call(ctx, r, "ec2", "DeleteRoute", in)
	if ignoreGone(err) != nil && !hasCode(err, "InvalidRoute.NotFound") {
		return err
	}
	return nil
}

// tableAssociation is AWS::EC2::SubnetRouteTableAssociation:
// AssociateRouteTable. Its Ref is the association's id.
type tableAssociation struct{}

func (tableAssociation) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p := props(r.Properties)
	out, err := call(ctx, r, "ec2", "AssociateRouteTable", map[string]any{"RouteTableId": p.str("RouteTableId"), "SubnetId": p.str("SubnetId")})
	if err != nil {
		return nil, err
	}
	id, _ := out["AssociationId"].(string)
	return &resource.Result{PhysicalID: id, Attributes: map[string]any{"Id": id}}, nil
}

func (tableAssociation) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: r.Attributes}, nil
}

func (tableAssociation) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, "ec2", "DisassociateRouteTable", map[string]any{"AssociationId": r.PhysicalID})
	if ignoreGone(err) != nil && !hasCode(err, "InvalidAssociationID.NotFound") {
		return err
	}
	return nil
}

// hasCode reports whether err is an AWS error with the code.
func hasCode(err error, code string) bool {
	var e *apierr.Error
	return errors.As(err, &e) && e.Code == code
}

// ec2UpdateTags applies a change of a resource's Tags with CreateTags
// and DeleteTags.
func ec2UpdateTags(ctx context.Context, r *resource.Request) error {
	id := r.PhysicalID
	for _, a := range []string{"GroupId", "AllocationId"} {
		if v, _ := r.Attributes[a].(string); v != "" {
			id = v
		}
	}
	set, removed := tagDiff(tagsOf(props(r.OldProperties)["Tags"]), tagsOf(props(r.Properties)["Tags"]))
	if len(removed) > 0 {
		keys := make([]any, len(removed))
		for i, k := range removed {
			keys[i] = map[string]any{"Key": k}
		}
		if _, err := call(ctx, r, "ec2", "DeleteTags", map[string]any{"Resources": []any{id}, "Tags": keys}); err != nil {
			return err
		}
	}
	if len(set) > 0 {
		if _, err := call(ctx, r, "ec2", "CreateTags", map[string]any{"Resources": []any{id}, "Tags": tagList(set)}); err != nil {
			return err
		}
	}
	return nil
}
