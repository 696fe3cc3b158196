package apigatewayv2

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/virga/virga/internal/store/keys"
	"github.com/virga/virga/internal/vpcref"
)

// A VPC link (version 2) is what HTTP APIs' private integrations go
// through to reach a load balancer's listener: its subnets and security
// groups must be ones EC2 keeps. AWS provisions network interfaces for a
// new link, which is PENDING for a while; virga has none to provision,
// so CreateVpcLink answers PENDING, as AWS does, and the link is
// AVAILABLE from then on.

// Statuses of a VPC link, with the messages AWS gives them.
const (
	vpcLinkPending          = "PENDING"
	vpcLinkAvailable        = "AVAILABLE"
	vpcLinkPendingMessage   = "VPC link is provisioning ENIs"
	vpcLinkAvailableMessage = "VPC link is ready to route traffic"
)

// vpcLinkRecord is a VPC link as stored.
type vpcLinkRecord struct {
	ID             string
	Name           string
	SubnetIDs      []string
	SecurityGroups []string `json:",omitempty"`
	Created        time.Time
	Tags           map[string]string `json:",omitempty"`
}

func vpcLinkKey(account, id string) []byte { return keys.AppendString(rootKey(account, "v"), id) }

func vpcLinkNotFound(id string) error {
	return ErrNotFound.Withf("Invalid VpcLink identifier specified %s", id)
}

func (s *Service) createVpcLink(ctx context.Context, in *CreateVpcLinkRequest) (*CreateVpcLinkResponse, error) {
	if len(in.SubnetIds) == 0 {
		return nil, badRequest("SubnetIds must contain at least one subnet.")
	}
	if _, err := vpcref.Check(s.network, in.SubnetIds, in.SecurityGroupIds); err != nil {
		if nf, ok := errors.AsType[*vpcref.NotFoundError](err); ok {
			return nil, badRequest("%s", nf.Error())
		}
		return nil, err
	}
	if len(in.Tags) > maxTags {
		return nil, badRequest("A resource can have at most %d tags.", maxTags)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	l := &vpcLinkRecord{ID: newID(s.ids, s.vpcLinks, 6), Name: *in.Name,
		SubnetIDs: slices.Clone(in.SubnetIds), SecurityGroups: slices.Clone(in.SecurityGroupIds),
		Created: s.now(), Tags: maps.Clone(in.Tags)}
	if err := s.putVpcLink(l); err != nil {
		return nil, err
	}
	out := CreateVpcLinkResponse(vpcLinkShape(l))
	out.VpcLinkStatus, out.VpcLinkStatusMessage = ptr(VpcLinkStatus(vpcLinkPending)), ptr(vpcLinkPendingMessage)
	return &out, nil
}

func (s *Service) getVpcLink(ctx context.Context, in *GetVpcLinkRequest) (*GetVpcLinkResponse, error) {
	l, err := s.vpcLink(*in.VpcLinkId)
	if err != nil {
		return nil, err
	}
	out := GetVpcLinkResponse(vpcLinkShape(l))
	return &out, nil
}

func (s *Service) getVpcLinks(ctx context.Context, in *GetVpcLinksRequest) (*GetVpcLinksResponse, error) {
	items, next, err := pageOldestFirst(s, s.vpcLinks, func(l *vpcLinkRecord) (time.Time, string) { return l.Created, l.ID }, in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &GetVpcLinksResponse{Items: make([]VpcLink, 0, len(items)), NextToken: next}
	for _, l := range items {
		out.Items = append(out.Items, vpcLinkShape(l))
	}
	return out, nil
}

func (s *Service) updateVpcLink(ctx context.Context, in *UpdateVpcLinkRequest) (*UpdateVpcLinkResponse, error) {
	l, err := s.changeVpcLink(*in.VpcLinkId, func(l *vpcLinkRecord) error {
		setIf(&l.Name, in.Name)
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := UpdateVpcLinkResponse(vpcLinkShape(l))
	return &out, nil
}

// deleteVpcLink deletes a VPC link that no integration uses (one in use
// is ConflictException, in virga's words).
func (s *Service) deleteVpcLink(ctx context.Context, in *DeleteVpcLinkRequest) (*noOutput, error) {
	id := *in.VpcLinkId
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.vpcLinks[id] == nil {
		return nil, vpcLinkNotFound(id)
	}
	for _, apiID := range slices.Sorted(maps.Keys(s.apis)) {
		a := s.apis[apiID]
		for _, integID := range slices.Sorted(maps.Keys(a.Integrations)) {
			if integ := a.Integrations[integID]; integ.ConnectionType == connectionVpcLink && integ.ConnectionID == id {
				return nil, ErrConflict.Withf("VPC link %s is used by integration %s of API %s.", id, integ.ID, a.ID)
			}
		}
	}
	b := s.store.NewBatch()
	defer b.Close()
	b.Delete(vpcLinkKey(s.account, id))
	if err := b.Commit(); err != nil {
		return nil, err
	}
	delete(s.vpcLinks, id)
	return nil, nil
}

// vpcLink returns the VPC link with the id.
func (s *Service) vpcLink(id string) (*vpcLinkRecord, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	l := s.vpcLinks[id]
	if l == nil {
		return nil, vpcLinkNotFound(id)
	}
	return l, nil
}

// changeVpcLink changes a copy of a VPC link with fn, commits it and
// publishes it.
func (s *Service) changeVpcLink(id string, fn func(l *vpcLinkRecord) error) (*vpcLinkRecord, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.vpcLinks[id]
	if old == nil {
		return nil, vpcLinkNotFound(id)
	}
	l := *old
	l.Tags = maps.Clone(old.Tags)
	if err := fn(&l); err != nil {
		return nil, err
	}
	if err := s.putVpcLink(&l); err != nil {
		return nil, err
	}
	return &l, nil
}

// putVpcLink writes a VPC link and publishes it. The caller holds s.mu.
func (s *Service) putVpcLink(l *vpcLinkRecord) error {
	v, err := json.Marshal(l)
	if err != nil {
		return err
	}
	b := s.store.NewBatch()
	defer b.Close()
	b.Set(vpcLinkKey(s.account, l.ID), v)
	if err := b.Commit(); err != nil {
		return err
	}
	s.vpcLinks[l.ID] = l
	return nil
}

// loadVpcLinks reads the stored VPC links into s.
func (s *Service) loadVpcLinks() error {
	return scan(s.store, rootKey(s.account, "v"), func(v []byte) error {
		var l vpcLinkRecord
		if err := json.Unmarshal(v, &l); err != nil {
			return fmt.Errorf("apigatewayv2: VPC link record: %w", err)
		}
		s.vpcLinks[l.ID] = &l
		return nil
	})
}

func vpcLinkShape(l *vpcLinkRecord) VpcLink {
	return VpcLink{CreatedDate: ptr(l.Created), Name: ptr(l.Name),
		SecurityGroupIds: nonNilSlice(l.SecurityGroups), SubnetIds: nonNilSlice(l.SubnetIDs),
		Tags: tagsOut(l.Tags), VpcLinkId: ptr(l.ID),
		VpcLinkStatus: ptr(VpcLinkStatus(vpcLinkAvailable)), VpcLinkStatusMessage: ptr(vpcLinkAvailableMessage),
		VpcLinkVersion: ptr(VpcLinkVersion("V2"))}
}

func nonNilSlice[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
