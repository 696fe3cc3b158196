package ec2

import (
	"context"
	"net/netip"
	"slices"
	"strings"

	"github.com/virga/virga/internal/store"
)

// Internet gateways and route tables are records: nothing is routed.

func (s *Service) gatewayShape(r *record) InternetGateway {
	g := InternetGateway{InternetGatewayId: ptr(r.ID), OwnerId: ptr(s.account), Tags: tagList(r.Tags), Attachments: []InternetGatewayAttachment{}}
	if r.Attached != "" {
		// EC2 reports an attached gateway's state as "available".
		g.Attachments = append(g.Attachments, InternetGatewayAttachment{VpcId: ptr(r.Attached), State: ptr(AttachmentStatus("available"))})
	}
	return g
}

func (s *Service) createInternetGateway(ctx context.Context, in *CreateInternetGatewayRequest) (*CreateInternetGatewayResult, error) {
	tags, err := specTags(ctx, in.TagSpecifications, kindInternetGateway)
	if err != nil {
		return nil, err
	}
	if deref(in.DryRun) {
		return nil, ErrDryRunOperation
	}
	g := &record{ID: s.newID("igw"), Tags: tags}
	if err := s.update(ctx, func(r store.Reader, b store.Batch) error { return put(b, g) }); err != nil {
		return nil, err
	}
	out := s.gatewayShape(g)
	return &CreateInternetGatewayResult{InternetGateway: &out}, nil
}

func (s *Service) deleteInternetGateway(ctx context.Context, in *DeleteInternetGatewayRequest) (*noOutput, error) {
	return s.remove(ctx, kindInternetGateway, deref(in.InternetGatewayId), deref(in.DryRun), func(r store.Reader, b store.Batch, g *record) error {
		if g.Attached != "" {
			return ErrDependencyViolation.Withf("The internetGateway '%s' has dependencies and cannot be deleted.", g.ID)
		}
		return nil
	})
}

// attachment attaches (vpc not empty) or detaches an internet gateway.
func (s *Service) attachment(ctx context.Context, gateway, vpc string, attach bool) (*noOutput, error) {
	return done(s.update(ctx, func(r store.Reader, b store.Batch) error {
		g, err := find(r, kindInternetGateway, gateway)
		if err != nil {
			return err
		}
		if _, err := find(r, kindVPC, vpc); err != nil {
			return err
		}
		switch {
		case attach && g.Attached != "":
			return ErrResourceAlreadyAssociated.Withf("resource %s is already attached to network %s", g.ID, g.Attached)
		case !attach && g.Attached != vpc:
			return ErrGatewayNotAttached.Withf("resource %s is not attached to network %s", g.ID, vpc)
		case attach:
			gateways, err := list(r, kindInternetGateway)
			if err != nil {
				return err
			}
			for _, o := range gateways {
				if o.Attached == vpc {
					return ErrResourceAlreadyAssociated.Withf("resource %s is already attached to network %s", o.ID, vpc)
				}
			}
			g.Attached = vpc
		default:
			g.Attached = ""
		}
		return put(b, g)
	}))
}

func (s *Service) attachInternetGateway(ctx context.Context, in *AttachInternetGatewayRequest) (*noOutput, error) {
	if deref(in.DryRun) {
		return nil, ErrDryRunOperation
	}
	return s.attachment(ctx, deref(in.InternetGatewayId), deref(in.VpcId), true)
}

func (s *Service) detachInternetGateway(ctx context.Context, in *DetachInternetGatewayRequest) (*noOutput, error) {
	if deref(in.DryRun) {
		return nil, ErrDryRunOperation
	}
	return s.attachment(ctx, deref(in.InternetGatewayId), deref(in.VpcId), false)
}

func (s *Service) tableShape(r *record) RouteTable {
	t := RouteTable{RouteTableId: ptr(r.ID), VpcId: ptr(r.VpcID), OwnerId: ptr(s.account), Tags: tagList(r.Tags),
		PropagatingVgws: []PropagatingVgw{}, Routes: []Route{}, Associations: []RouteTableAssociation{}}
	for _, rt := range r.Routes {
		route := Route{DestinationCidrBlock: ptr(rt.Destination), Origin: ptr(RouteOrigin(rt.Origin)), State: ptr(RouteState("active"))}
		switch prefix, _, _ := strings.Cut(rt.Gateway, "-"); prefix {
		case "nat":
			route.NatGatewayId = ptr(rt.Gateway)
		case "eigw":
			route.EgressOnlyInternetGatewayId = ptr(rt.Gateway)
		case "eni":
			route.NetworkInterfaceId = ptr(rt.Gateway)
		case "pcx":
			route.VpcPeeringConnectionId = ptr(rt.Gateway)
		case "tgw":
			route.TransitGatewayId = ptr(rt.Gateway)
		case "i":
			route.InstanceId = ptr(rt.Gateway)
		default:
			route.GatewayId = ptr(rt.Gateway)
		}
		t.Routes = append(t.Routes, route)
	}
	for _, a := range r.Associations {
		ta := RouteTableAssociation{RouteTableAssociationId: ptr(a.ID), RouteTableId: ptr(r.ID), Main: ptr(a.Main),
			AssociationState: &RouteTableAssociationState{State: ptr(RouteTableAssociationStateCode("associated"))}}
		if a.Subnet != "" {
			ta.SubnetId = ptr(a.Subnet)
		}
		t.Associations = append(t.Associations, ta)
	}
	return t
}

func (s *Service) createRouteTable(ctx context.Context, in *CreateRouteTableRequest) (*CreateRouteTableResult, error) {
	tags, err := specTags(ctx, in.TagSpecifications, kindRouteTable)
	if err != nil {
		return nil, err
	}
	if deref(in.DryRun) {
		return nil, ErrDryRunOperation
	}
	t := &record{ID: s.newID("rtb"), VpcID: deref(in.VpcId), Tags: tags}
	err = s.update(ctx, func(r store.Reader, b store.Batch) error {
		vpc, err := find(r, kindVPC, t.VpcID)
		if err != nil {
			return err
		}
		t.Routes = []route{{Destination: vpc.CIDR, Gateway: "local", Origin: "CreateRouteTable"}}
		return put(b, t)
	})
	if err != nil {
		return nil, err
	}
	out := s.tableShape(t)
	return &CreateRouteTableResult{RouteTable: &out}, nil
}

func (s *Service) deleteRouteTable(ctx context.Context, in *DeleteRouteTableRequest) (*noOutput, error) {
	return s.remove(ctx, kindRouteTable, deref(in.RouteTableId), deref(in.DryRun), func(r store.Reader, b store.Batch, t *record) error {
		if len(t.Associations) > 0 {
			return ErrDependencyViolation.Withf("The routeTable '%s' has dependencies and cannot be deleted.", t.ID)
		}
		return nil
	})
}

// routeTarget is the one target a CreateRoute names: a gateway (internet
// or egress-only), a NAT gateway, or another target virga records by id.
func routeTarget(in *CreateRouteRequest) (string, error) {
	var given []string
	for _, p := range []*string{in.GatewayId, in.NatGatewayId, in.EgressOnlyInternetGatewayId, in.InstanceId,
		in.NetworkInterfaceId, in.VpcPeeringConnectionId, in.TransitGatewayId, in.VpcEndpointId, in.LocalGatewayId, in.CarrierGatewayId} {
		if p != nil {
			given = append(given, *p)
		}
	}
	switch len(given) {
	case 0:
		return "", ErrMissingParameter.WithMessage("The request must contain exactly one of gatewayId, natGatewayId, networkInterfaceId, vpcPeeringConnectionId, egressOnlyInternetGatewayId, transitGatewayId, localGatewayId, carrierGatewayId, vpcEndpointId or instanceId")
	case 1:
		return given[0], nil
	}
	return "", ErrInvalidParameterCombination.WithMessage("The parameter gatewayId cannot be used with another target parameter")
}

func (s *Service) createRoute(ctx context.Context, in *CreateRouteRequest) (*CreateRouteResult, error) {
	dest := deref(in.DestinationCidrBlock)
	if in.DestinationIpv6CidrBlock != nil {
		dest = *in.DestinationIpv6CidrBlock
	}
	if dest == "" {
		return nil, missing("destinationCidrBlock")
	}
	if _, err := netip.ParsePrefix(dest); err != nil {
		return nil, ErrInvalidParameterValue.Withf("Value (%s) for parameter destinationCidrBlock is invalid. This is not a valid CIDR block.", dest)
	}
	target, err := routeTarget(in)
	if err != nil {
		return nil, err
	}
	if deref(in.DryRun) {
		return nil, ErrDryRunOperation
	}
	err = s.update(ctx, func(r store.Reader, b store.Batch) error {
		t, err := find(r, kindRouteTable, deref(in.RouteTableId))
		if err != nil {
			return err
		}
		switch k := kindOf(target); k {
		case kindInternetGateway:
			if _, err := find(r, k, target); err != nil {
				return err
			}
		case kindNatGateway:
			g, err := find(r, k, target)
			if err != nil {
				return err
			}
			if g.Deleted != nil || s.natGone(g) {
				return notFound(k, target)
			}
		}
		if slices.ContainsFunc(t.Routes, func(x route) bool { return x.Destination == dest }) {
			return ErrRouteAlreadyExists.Withf("The route identified by %s already exists.", dest)
		}
		t.Routes = append(t.Routes, route{Destination: dest, Gateway: target, Origin: "CreateRoute"})
		return put(b, t)
	})
	if err != nil {
		return nil, err
	}
	return &CreateRouteResult{Return: ptr(true)}, nil
}

func (s *Service) deleteRoute(ctx context.Context, in *DeleteRouteRequest) (*noOutput, error) {
	dest := deref(in.DestinationCidrBlock)
	if in.DestinationIpv6CidrBlock != nil {
		dest = *in.DestinationIpv6CidrBlock
	}
	if deref(in.DryRun) {
		return nil, ErrDryRunOperation
	}
	return done(s.update(ctx, func(r store.Reader, b store.Batch) error {
		t, err := find(r, kindRouteTable, deref(in.RouteTableId))
		if err != nil {
			return err
		}
		i := slices.IndexFunc(t.Routes, func(x route) bool { return x.Destination == dest && x.Gateway != "local" })
		if i < 0 {
			return ErrInvalidRouteNotFound.Withf("no route with destination-cidr-block %s in route table %s", dest, t.ID)
		}
		t.Routes = slices.Delete(t.Routes, i, i+1)
		return put(b, t)
	}))
}

func (s *Service) associateRouteTable(ctx context.Context, in *AssociateRouteTableRequest) (*AssociateRouteTableResult, error) {
	if in.SubnetId == nil {
		return nil, missing("subnetId")
	}
	if deref(in.DryRun) {
		return nil, ErrDryRunOperation
	}
	id := s.newID("rtbassoc")
	err := s.update(ctx, func(r store.Reader, b store.Batch) error {
		t, err := find(r, kindRouteTable, deref(in.RouteTableId))
		if err != nil {
			return err
		}
		sub, err := find(r, kindSubnet, *in.SubnetId)
		if err != nil {
			return err
		}
		if sub.VpcID != t.VpcID {
			return ErrInvalidParameterValue.Withf("Route table %s and subnet %s belong to different networks", t.ID, sub.ID)
		}
		tables, err := list(r, kindRouteTable)
		if err != nil {
			return err
		}
		for _, o := range tables {
			if i := slices.IndexFunc(o.Associations, func(a association) bool { return a.Subnet == sub.ID }); i >= 0 {
				return ErrResourceAlreadyAssociated.Withf("the specified association for route table %s conflicts with an existing association", t.ID)
			}
		}
		t.Associations = append(t.Associations, association{ID: id, Subnet: sub.ID})
		return put(b, t)
	})
	if err != nil {
		return nil, err
	}
	return &AssociateRouteTableResult{AssociationId: ptr(id),
		AssociationState: &RouteTableAssociationState{State: ptr(RouteTableAssociationStateCode("associated"))}}, nil
}

func (s *Service) disassociateRouteTable(ctx context.Context, in *DisassociateRouteTableRequest) (*noOutput, error) {
	id := deref(in.AssociationId)
	if deref(in.DryRun) {
		return nil, ErrDryRunOperation
	}
	return done(s.update(ctx, func(r store.Reader, b store.Batch) error {
		tables, err := list(r, kindRouteTable)
		if err != nil {
			return err
		}
		for _, t := range tables {
			i := slices.IndexFunc(t.Associations, func(a association) bool { return a.ID == id })
			switch {
			case i < 0:
				continue
			case t.Associations[i].Main:
				return ErrInvalidParameterValue.Withf("cannot disassociate the main route table association %s", id)
			}
			t.Associations = slices.Delete(t.Associations, i, i+1)
			return put(b, t)
		}
		return ErrInvalidAssociationIDNotFound.Withf("The association ID '%s' does not exist", id)
	}))
}
