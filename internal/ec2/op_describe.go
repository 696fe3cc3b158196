package ec2

import (
	"context"
	"slices"

	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/zones"
)

func (s *Service) describeAvailabilityZones(ctx context.Context, in *DescribeAvailabilityZonesRequest) (*DescribeAvailabilityZonesResult, error) {
	out := &DescribeAvailabilityZonesResult{AvailabilityZones: []AvailabilityZone{}}
	for _, z := range zones.Names(s.region) {
		id := zoneID(s.region, z)
		if (len(in.ZoneNames) > 0 && !slices.Contains(in.ZoneNames, z)) || (len(in.ZoneIds) > 0 && !slices.Contains(in.ZoneIds, id)) {
			continue
		}
		ok, err := matches(in.Filters, nil, func(name string) ([]string, bool) {
			switch name {
			case "zone-name":
				return one(z), true
			case "zone-id":
				return one(id), true
			case "region-name":
				return one(s.region), true
			case "state":
				return []string{"available"}, true
			case "zone-type":
				return []string{"availability-zone"}, true
			case "group-name", "network-border-group":
				return one(s.region), true
			case "opt-in-status":
				return []string{"opt-in-not-required"}, true
			}
			return nil, false
		})
		if err != nil {
			return nil, err
		}
		if ok {
			out.AvailabilityZones = append(out.AvailabilityZones, AvailabilityZone{ZoneName: ptr(z), ZoneId: ptr(id),
				RegionName: ptr(s.region), State: ptr(AvailabilityZoneState("available")),
				OptInStatus: ptr(AvailabilityZoneOptInStatus("opt-in-not-required")), GroupName: ptr(s.region),
				NetworkBorderGroup: ptr(s.region), ZoneType: ptr("availability-zone"), Messages: []AvailabilityZoneMessage{}})
		}
	}
	return out, nil
}

func (s *Service) describeInternetGateways(ctx context.Context, in *DescribeInternetGatewaysRequest) (*DescribeInternetGatewaysResult, error) {
	out := &DescribeInternetGatewaysResult{InternetGateways: []InternetGateway{}}
	err := s.describe(ctx, kindInternetGateway, in.InternetGatewayIds, in.Filters, func(r *record) fields {
		return func(name string) ([]string, bool) {
			switch name {
			case "internet-gateway-id":
				return one(r.ID), true
			case "attachment.vpc-id":
				return one(r.Attached), true
			case "attachment.state":
				if r.Attached != "" {
					return []string{"available"}, true
				}
				return nil, true
			case "owner-id":
				return one(s.account), true
			}
			return nil, false
		}
	}, func(r *record) {
		out.InternetGateways = append(out.InternetGateways, s.gatewayShape(r))
	})
	return out, err
}

func (s *Service) describeRouteTables(ctx context.Context, in *DescribeRouteTablesRequest) (*DescribeRouteTablesResult, error) {
	out := &DescribeRouteTablesResult{RouteTables: []RouteTable{}}
	err := s.describe(ctx, kindRouteTable, in.RouteTableIds, in.Filters, func(r *record) fields {
		return func(name string) ([]string, bool) {
			var v []string
			switch name {
			case "route-table-id":
				return one(r.ID), true
			case "vpc-id":
				return one(r.VpcID), true
			case "association.main":
				return boolText(r.Main), true
			case "association.subnet-id":
				for _, a := range r.Associations {
					v = append(v, one(a.Subnet)...)
				}
				return v, true
			case "association.route-table-association-id":
				for _, a := range r.Associations {
					v = append(v, a.ID)
				}
				return v, true
			case "route.destination-cidr-block":
				for _, rt := range r.Routes {
					v = append(v, rt.Destination)
				}
				return v, true
			case "route.gateway-id":
				for _, rt := range r.Routes {
					v = append(v, rt.Gateway)
				}
				return v, true
			case "owner-id":
				return one(s.account), true
			}
			return nil, false
		}
	}, func(r *record) {
		out.RouteTables = append(out.RouteTables, s.tableShape(r))
	})
	return out, err
}

// Tags: CreateTags, DeleteTags and DescribeTags act on any resource the
// store keeps.

func (s *Service) createTags(ctx context.Context, in *CreateTagsRequest) (*noOutput, error) {
	return s.changeTags(ctx, in.Resources, in.Tags, deref(in.DryRun), func(rec *record, t Tag) {
		if rec.Tags == nil {
			rec.Tags = map[string]string{}
		}
		rec.Tags[deref(t.Key)] = deref(t.Value)
	})
}

func (s *Service) deleteTags(ctx context.Context, in *DeleteTagsRequest) (*noOutput, error) {
	return s.changeTags(ctx, in.Resources, in.Tags, deref(in.DryRun), func(rec *record, t Tag) {
		// A tag given with a value is deleted only if it has that value.
		if v, ok := rec.Tags[deref(t.Key)]; ok && (t.Value == nil || *t.Value == v) {
			delete(rec.Tags, deref(t.Key))
		}
	})
}

func (s *Service) changeTags(ctx context.Context, ids []string, tags []Tag, dry bool, f func(*record, Tag)) (*noOutput, error) {
	if len(ids) == 0 {
		return nil, missing("ResourceId")
	}
	if err := reservedTag(ctx, tags); err != nil {
		return nil, err
	}
	if dry {
		return nil, ErrDryRunOperation
	}
	return done(s.update(ctx, func(r store.Reader, b store.Batch) error {
		for _, id := range ids {
			k := kindOf(id)
			if k == nil {
				return ErrInvalidID.Withf("The ID '%s' is not valid", id)
			}
			rec, err := find(r, k, id)
			if err != nil {
				return err
			}
			for _, t := range tags {
				if t.Key == nil {
					return missing("Tag.Key")
				}
				f(rec, t)
			}
			if err := put(b, rec); err != nil {
				return err
			}
		}
		return nil
	}))
}

func (s *Service) describeTags(ctx context.Context, in *DescribeTagsRequest) (*DescribeTagsResult, error) {
	out := &DescribeTagsResult{Tags: []TagDescription{}}
	err := s.read(ctx, func(r store.Reader) error {
		for _, k := range kinds {
			recs, err := list(r, k)
			if err != nil {
				return err
			}
			for _, rec := range recs {
				for _, t := range tagList(rec.Tags) {
					ok, err := matches(in.Filters, nil, func(name string) ([]string, bool) {
						switch name {
						case "resource-id":
							return one(rec.ID), true
						case "resource-type":
							return one(k.resourceType), true
						case "key":
							return one(*t.Key), true
						case "value":
							return []string{*t.Value}, true
						}
						return nil, false
					})
					if err != nil {
						return err
					}
					if ok {
						out.Tags = append(out.Tags, TagDescription{ResourceId: ptr(rec.ID), ResourceType: ptr(ResourceType(k.resourceType)),
							Key: t.Key, Value: t.Value})
					}
				}
			}
		}
		return nil
	})
	return out, err
}
