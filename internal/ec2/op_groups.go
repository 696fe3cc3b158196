package ec2

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/virga/virga/internal/store"
)

// maxGroupName is EC2's limit on group names and descriptions
// ("Constraints: Up to 255 characters in length").
const maxGroupName = 255

func (s *Service) groupShape(r *record) SecurityGroup {
	return SecurityGroup{GroupId: ptr(r.ID), GroupName: ptr(r.GroupName), Description: ptr(r.Description),
		VpcId: ptr(r.VpcID), OwnerId: ptr(s.account), IpPermissions: s.permissions(r.Ingress),
		IpPermissionsEgress: s.permissions(r.Egress), Tags: tagList(r.Tags)}
}

// permissions groups rules by protocol and ports, as EC2 lists them.
func (s *Service) permissions(rules []rule) []IpPermission {
	out := []IpPermission{}
	for _, r := range rules {
		i := slices.IndexFunc(out, func(p IpPermission) bool {
			return rule{Protocol: *p.IpProtocol, From: p.FromPort, To: p.ToPort}.same(rule{Protocol: r.Protocol, From: r.From, To: r.To})
		})
		if i < 0 {
			out = append(out, IpPermission{IpProtocol: ptr(r.Protocol), FromPort: r.From, ToPort: r.To,
				IpRanges: []IpRange{}, Ipv6Ranges: []Ipv6Range{}, PrefixListIds: []PrefixListId{}, UserIdGroupPairs: []UserIdGroupPair{}})
			i = len(out) - 1
		}
		p := &out[i]
		var desc *string
		if r.Description != "" {
			desc = ptr(r.Description)
		}
		switch {
		case r.CIDR != "":
			p.IpRanges = append(p.IpRanges, IpRange{CidrIp: ptr(r.CIDR), Description: desc})
		case r.CIDRv6 != "":
			p.Ipv6Ranges = append(p.Ipv6Ranges, Ipv6Range{CidrIpv6: ptr(r.CIDRv6), Description: desc})
		case r.Group != "":
			p.UserIdGroupPairs = append(p.UserIdGroupPairs, UserIdGroupPair{GroupId: ptr(r.Group), UserId: ptr(s.account), Description: desc})
		}
	}
	return out
}

func groupFields(r *record) fields {
	return func(name string) ([]string, bool) {
		switch name {
		case "group-id":
			return one(r.ID), true
		case "group-name":
			return one(r.GroupName), true
		case "description":
			return one(r.Description), true
		case "vpc-id":
			return one(r.VpcID), true
		case "owner-id":
			return nil, true
		}
		return nil, false
	}
}

// defaultVPC returns the id of the region's default VPC.
func defaultVPC(r store.Reader) (string, error) {
	v, err := r.Get(defaultsKey)
	return string(v), err
}

func (s *Service) createSecurityGroup(ctx context.Context, in *CreateSecurityGroupRequest) (*CreateSecurityGroupResult, error) {
	switch {
	case in.GroupName == nil:
		return nil, missing("GroupName")
	case in.Description == nil:
		return nil, missing("GroupDescription")
	case len(*in.GroupName) > maxGroupName:
		return nil, ErrInvalidParameterValue.Withf("Value (%s) for parameter groupName is invalid. Group name may not exceed 255 characters", *in.GroupName)
	case strings.HasPrefix(*in.GroupName, "sg-"):
		return nil, ErrInvalidParameterValue.Withf("Value (%s) for parameter GroupName is invalid. Group names may not be in the format sg-*.", *in.GroupName)
	case *in.GroupName == "default":
		return nil, ErrInvalidGroupReserved
	}
	tags, err := specTags(ctx, in.TagSpecifications, kindSecurityGroup)
	if err != nil {
		return nil, err
	}
	if deref(in.DryRun) {
		return nil, ErrDryRunOperation
	}
	g := &record{ID: s.newID("sg"), GroupName: *in.GroupName, Description: *in.Description, Tags: tags}
	err = s.update(ctx, func(r store.Reader, b store.Batch) error {
		if in.VpcId != nil {
			if _, err := find(r, kindVPC, *in.VpcId); err != nil {
				return err
			}
			g.VpcID = *in.VpcId
		} else {
			var err error
			if g.VpcID, err = defaultVPC(r); err != nil {
				return err
			}
		}
		groups, err := list(r, kindSecurityGroup)
		if err != nil {
			return err
		}
		for _, o := range groups {
			if o.VpcID == g.VpcID && o.GroupName == g.GroupName {
				return ErrInvalidGroupDuplicate.Withf("The security group '%s' already exists for VPC '%s'", g.GroupName, g.VpcID)
			}
		}
		// A new group allows all egress.
		g.Egress = []rule{{ID: s.newID("sgr"), Protocol: "-1", CIDR: "0.0.0.0/0"}}
		return put(b, g)
	})
	if err != nil {
		return nil, err
	}
	return &CreateSecurityGroupResult{GroupId: ptr(g.ID), Tags: tagList(g.Tags)}, nil
}

// group finds a group by id, or by name in the default VPC.
func group(r store.Reader, id, name *string) (*record, error) {
	switch {
	case id != nil:
		return find(r, kindSecurityGroup, *id)
	case name != nil:
		vpc, err := defaultVPC(r)
		if err != nil {
			return nil, err
		}
		groups, err := list(r, kindSecurityGroup)
		if err != nil {
			return nil, err
		}
		for _, g := range groups {
			if g.VpcID == vpc && g.GroupName == *name {
				return g, nil
			}
		}
		return nil, ErrInvalidGroupNotFound.Withf("The security group '%s' does not exist in default VPC '%s'", *name, vpc)
	}
	return nil, ErrMissingParameter.WithMessage("Either the parameter groupId or groupName must be specified.")
}

func (s *Service) deleteSecurityGroup(ctx context.Context, in *DeleteSecurityGroupRequest) (*noOutput, error) {
	if deref(in.DryRun) {
		return nil, ErrDryRunOperation
	}
	return done(s.update(ctx, func(r store.Reader, b store.Batch) error {
		g, err := group(r, in.GroupId, in.GroupName)
		if err != nil {
			return err
		}
		if g.Default {
			return ErrCannotDelete.WithMessage("the specified group: \"" + g.ID + "\" name: \"default\" cannot be deleted by a user")
		}
		used, err := s.inUse(g.ID)
		if err != nil {
			return err
		}
		if used {
			return ErrDependencyViolation.Withf("resource %s has a dependent object", g.ID)
		}
		groups, err := list(r, kindSecurityGroup)
		if err != nil {
			return err
		}
		for _, o := range groups {
			if o.ID == g.ID {
				continue
			}
			for _, rl := range append(slices.Clone(o.Ingress), o.Egress...) {
				if rl.Group == g.ID {
					return ErrDependencyViolation.Withf("resource %s has a dependent object", g.ID)
				}
			}
		}
		b.Delete(recordKey(g.ID))
		return nil
	}))
}

func (s *Service) describeSecurityGroups(ctx context.Context, in *DescribeSecurityGroupsRequest) (*DescribeSecurityGroupsResult, error) {
	out := &DescribeSecurityGroupsResult{SecurityGroups: []SecurityGroup{}}
	ids := in.GroupIds
	if len(in.GroupNames) > 0 {
		// Names name groups of the default VPC.
		err := s.read(ctx, func(r store.Reader) error {
			for _, name := range in.GroupNames {
				g, err := group(r, nil, &name)
				if err != nil {
					return err
				}
				ids = append(ids, g.ID)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	err := s.describe(ctx, kindSecurityGroup, ids, in.Filters, groupFields, func(r *record) {
		out.SecurityGroups = append(out.SecurityGroups, s.groupShape(r))
	})
	return out, err
}

// ruleInput is what Authorize and Revoke take: permissions, or the
// older single-rule parameters.
type ruleInput struct {
	groupID, groupName  *string
	perms               []IpPermission
	cidr, proto         *string
	from, to            *int32
	egress, revoke, dry bool
	ruleIDs             []string
}

// rules expands permissions into one rule per source, checking them as
// EC2 does.
func (s *Service) rules(in *ruleInput) ([]rule, error) {
	perms := in.perms
	if in.proto != nil || in.cidr != nil {
		perms = append(perms, IpPermission{IpProtocol: in.proto, FromPort: in.from, ToPort: in.to})
		if in.cidr != nil {
			perms[len(perms)-1].IpRanges = []IpRange{{CidrIp: in.cidr}}
		}
	}
	var out []rule
	for _, p := range perms {
		proto := strings.ToLower(deref(p.IpProtocol))
		switch proto {
		case "":
			return nil, missing("ipPermissions.protocol")
		case "all":
			proto = "-1"
		case "6":
			proto = "tcp"
		case "17":
			proto = "udp"
		case "1":
			proto = "icmp"
		}
		base := rule{Protocol: proto}
		switch proto {
		case "-1":
		case "tcp", "udp", "icmp", "icmpv6":
			if p.FromPort == nil || p.ToPort == nil {
				return nil, ErrInvalidParameterValue.Withf("Invalid value 'Must specify both from and to ports with TCP/UDP.' for portRange")
			}
			if proto != "icmp" && proto != "icmpv6" && (*p.FromPort < 0 || *p.ToPort > 65535 || *p.FromPort > *p.ToPort) {
				return nil, ErrInvalidParameterValue.Withf("Invalid TCP/UDP port range %d - %d", *p.FromPort, *p.ToPort)
			}
			base.From, base.To = p.FromPort, p.ToPort
		default:
			return nil, ErrInvalidParameterValue.Withf("Invalid value '%s' for IP protocol. Unknown protocol.", proto)
		}
		n := len(out)
		for _, r := range p.IpRanges {
			c := deref(r.CidrIp)
			if _, err := netip.ParsePrefix(c); err != nil {
				return nil, ErrInvalidParameterValue.Withf("CIDR block %s is malformed", c)
			}
			x := base
			x.CIDR, x.Description = c, deref(r.Description)
			out = append(out, x)
		}
		for _, r := range p.Ipv6Ranges {
			c := deref(r.CidrIpv6)
			if pp, err := netip.ParsePrefix(c); err != nil || !pp.Addr().Is6() {
				return nil, ErrInvalidParameterValue.Withf("CIDR block %s is malformed", c)
			}
			x := base
			x.CIDRv6, x.Description = c, deref(r.Description)
			out = append(out, x)
		}
		for _, r := range p.UserIdGroupPairs {
			if r.GroupId == nil {
				return nil, missing("groupId")
			}
			x := base
			x.Group, x.Description = *r.GroupId, deref(r.Description)
			out = append(out, x)
		}
		if len(out) == n {
			return nil, ErrInvalidParameterValue.WithMessage("The request must specify an IP range, IPv6 range, prefix list or security group as a source.")
		}
	}
	return out, nil
}

// describeRule is how EC2 names a rule in its errors.
func describeRule(r rule) string {
	peer := r.CIDR + r.CIDRv6 + r.Group
	ports := ""
	if r.From != nil {
		ports = fmt.Sprintf(", from port: %d, to port: %d", *r.From, *r.To)
	}
	proto := strings.ToUpper(r.Protocol)
	if r.Protocol == "-1" {
		proto = "ALL"
	}
	return fmt.Sprintf("peer: %s, %s%s, ALLOW", peer, proto, ports)
}

// changeRules authorizes or revokes rules of a group.
func (s *Service) changeRules(ctx context.Context, in *ruleInput) ([]SecurityGroupRule, error) {
	var changed []SecurityGroupRule
	err := s.update(ctx, func(r store.Reader, b store.Batch) error {
		g, err := group(r, in.groupID, in.groupName)
		if err != nil {
			return err
		}
		rules, err := s.rules(in)
		if err != nil {
			return err
		}
		for _, x := range rules {
			if x.Group != "" {
				if _, err := find(r, kindSecurityGroup, x.Group); err != nil {
					return err
				}
			}
		}
		list := &g.Ingress
		if in.egress {
			list = &g.Egress
		}
		if in.dry {
			return ErrDryRunOperation
		}
		for _, x := range rules {
			i := slices.IndexFunc(*list, x.same)
			switch {
			case in.revoke && i < 0:
				return ErrInvalidPermissionNotFound
			case in.revoke:
				*list = slices.Delete(*list, i, i+1)
			case i >= 0:
				return ErrInvalidPermissionDuplicate.Withf("the specified rule \"%s\" already exists", describeRule(x))
			default:
				x.ID = s.newID("sgr")
				*list = append(*list, x)
				changed = append(changed, s.ruleShape(g, x, in.egress))
			}
		}
		if in.revoke && len(in.ruleIDs) > 0 {
			for _, id := range in.ruleIDs {
				i := slices.IndexFunc(*list, func(x rule) bool { return x.ID == id })
				if i < 0 {
					return ErrInvalidPermissionNotFound
				}
				*list = slices.Delete(*list, i, i+1)
			}
		}
		return put(b, g)
	})
	return changed, err
}

func (s *Service) ruleShape(g *record, x rule, egress bool) SecurityGroupRule {
	out := SecurityGroupRule{SecurityGroupRuleId: ptr(x.ID), GroupId: ptr(g.ID), GroupOwnerId: ptr(s.account),
		IsEgress: ptr(egress), IpProtocol: ptr(x.Protocol), FromPort: x.From, ToPort: x.To, Tags: []Tag{}}
	if out.FromPort == nil {
		out.FromPort, out.ToPort = ptr(int32(-1)), ptr(int32(-1))
	}
	switch {
	case x.CIDR != "":
		out.CidrIpv4 = ptr(x.CIDR)
	case x.CIDRv6 != "":
		out.CidrIpv6 = ptr(x.CIDRv6)
	default:
		out.ReferencedGroupInfo = &ReferencedSecurityGroup{GroupId: ptr(x.Group), UserId: ptr(s.account)}
	}
	if x.Description != "" {
		out.Description = ptr(x.Description)
	}
	return out
}

func (s *Service) authorizeSecurityGroupIngress(ctx context.Context, in *AuthorizeSecurityGroupIngressRequest) (*AuthorizeSecurityGroupIngressResult, error) {
	rules, err := s.changeRules(ctx, &ruleInput{groupID: in.GroupId, groupName: in.GroupName, perms: in.IpPermissions,
		cidr: in.CidrIp, proto: in.IpProtocol, from: in.FromPort, to: in.ToPort, dry: deref(in.DryRun)})
	if err != nil {
		return nil, err
	}
	return &AuthorizeSecurityGroupIngressResult{Return: ptr(true), SecurityGroupRules: rules}, nil
}

func (s *Service) authorizeSecurityGroupEgress(ctx context.Context, in *AuthorizeSecurityGroupEgressRequest) (*AuthorizeSecurityGroupEgressResult, error) {
	if in.GroupId == nil {
		return nil, missing("GroupId")
	}
	rules, err := s.changeRules(ctx, &ruleInput{groupID: in.GroupId, perms: in.IpPermissions,
		cidr: in.CidrIp, proto: in.IpProtocol, from: in.FromPort, to: in.ToPort, egress: true, dry: deref(in.DryRun)})
	if err != nil {
		return nil, err
	}
	return &AuthorizeSecurityGroupEgressResult{Return: ptr(true), SecurityGroupRules: rules}, nil
}

func (s *Service) revokeSecurityGroupIngress(ctx context.Context, in *RevokeSecurityGroupIngressRequest) (*RevokeSecurityGroupIngressResult, error) {
	_, err := s.changeRules(ctx, &ruleInput{groupID: in.GroupId, groupName: in.GroupName, perms: in.IpPermissions,
		cidr: in.CidrIp, proto: in.IpProtocol, from: in.FromPort, to: in.ToPort, revoke: true, ruleIDs: in.SecurityGroupRuleIds, dry: deref(in.DryRun)})
	if err != nil {
		return nil, err
	}
	return &RevokeSecurityGroupIngressResult{Return: ptr(true)}, nil
}

func (s *Service) revokeSecurityGroupEgress(ctx context.Context, in *RevokeSecurityGroupEgressRequest) (*RevokeSecurityGroupEgressResult, error) {
	if in.GroupId == nil {
		return nil, missing("GroupId")
	}
	_, err := s.changeRules(ctx, &ruleInput{groupID: in.GroupId, perms: in.IpPermissions,
		cidr: in.CidrIp, proto: in.IpProtocol, from: in.FromPort, to: in.ToPort, egress: true, revoke: true, ruleIDs: in.SecurityGroupRuleIds, dry: deref(in.DryRun)})
	if err != nil {
		return nil, err
	}
	return &RevokeSecurityGroupEgressResult{Return: ptr(true)}, nil
}
