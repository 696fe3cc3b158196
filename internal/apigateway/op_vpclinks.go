package apigateway

import (
	"context"
	"maps"
	"slices"
)

// VPC links are the account's: a link to network load balancers, which a
// VPC_LINK integration names by connectionId. virga records them, AVAILABLE
// at once, but does not route integrations through them (doc.go).

// vpcLinkRecord is a VPC link as the store keeps it.
type vpcLinkRecord struct {
	ID          string
	Name        string
	Description string `json:",omitempty"`
	TargetARNs  []string
	Tags        map[string]string `json:",omitempty"`
}

func newVpcLinks() *accountRecords[vpcLinkRecord] {
	return newAccountRecords("v", msgVpcLinkNotFound, func(l *vpcLinkRecord) string { return l.ID })
}

func (s *Service) createVpcLink(ctx context.Context, in *CreateVpcLinkRequest) (*VpcLink, error) {
	if len(in.Tags) > maxTags {
		return nil, badRequest("Too many tags: a resource can have at most %d", maxTags)
	}
	if len(in.TargetArns) != 1 {
		return nil, badRequest(msgVpcLinkTargets)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	l := &vpcLinkRecord{Name: *in.Name, Description: deref(in.Description), TargetARNs: slices.Clone(in.TargetArns), Tags: maps.Clone(in.Tags)}
	l.ID = s.newID(shortIDLength, s.vpcLinks.taken)
	if err := s.vpcLinks.put(s, l); err != nil {
		return nil, err
	}
	return vpcLinkOutput(l), nil
}

func (s *Service) getVpcLink(ctx context.Context, in *GetVpcLinkRequest) (*VpcLink, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	l, err := s.vpcLinks.get(*in.VpcLinkId)
	if err != nil {
		return nil, err
	}
	return vpcLinkOutput(l), nil
}

func (s *Service) getVpcLinks(ctx context.Context, in *GetVpcLinksRequest) (*VpcLinks, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	items, next := s.vpcLinks.page(in.Position, in.Limit)
	out := &VpcLinks{Position: next, Items: make([]VpcLink, 0, len(items))}
	for _, l := range items {
		out.Items = append(out.Items, *vpcLinkOutput(l))
	}
	return out, nil
}

func (s *Service) updateVpcLink(ctx context.Context, in *UpdateVpcLinkRequest) (*VpcLink, error) {
	patches, err := parsePatches(in.PatchOperations)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old, err := s.vpcLinks.get(*in.VpcLinkId)
	if err != nil {
		return nil, err
	}
	l := *old
	for _, p := range patches {
		switch {
		case p.op != "replace":
			return nil, p.invalid()
		case p.is("name"):
			l.Name = p.str()
		case p.is("description"):
			l.Description = p.str()
		default:
			return nil, p.invalid()
		}
	}
	if err := s.vpcLinks.put(s, &l); err != nil {
		return nil, err
	}
	return vpcLinkOutput(&l), nil
}

func (s *Service) deleteVpcLink(ctx context.Context, in *DeleteVpcLinkRequest) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return nil, s.vpcLinks.delete(s, *in.VpcLinkId)
}

// vpcLinkOutput is a link as GetVpcLink answers it.
func vpcLinkOutput(l *vpcLinkRecord) *VpcLink {
	return &VpcLink{Id: ptr(l.ID), Name: ptr(l.Name), Description: optional(l.Description),
		TargetArns: slices.Clone(l.TargetARNs), Status: ptr(VpcLinkStatus("AVAILABLE")), Tags: maps.Clone(l.Tags)}
}
