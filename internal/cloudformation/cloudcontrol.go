package cloudformation

import (
	"context"
	"errors"
	"maps"
	"sort"
	"strings"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/cfn/resource"
)

// HeldResource is a resource a stack holds, as the Cloud Control API
// reads and changes it: its type, physical ID, Ref and attributes, and
// the properties it was last created or updated with (the stack's tags
// merged in, dynamic references as written).
type HeldResource struct {
	StackID, StackName, LogicalID string
	Type, PhysicalID, Ref         string
	Properties, Attributes        map[string]any
}

// ErrStackBusy is what UpdateResource returns while an operation runs on
// the resource's stack, or another update of the resource.
var ErrStackBusy = errors.New("the resource's stack has an operation in progress")

// ErrGone is what UpdateResource returns when the resource is no longer
// the one named: its stack deleted or updated it meanwhile.
var ErrGone = errors.New("the resource is no longer in its stack")

// Resources returns the resources of type typ that live stacks hold:
// those with a physical ID that no deletion has removed, ordered by
// stack name and logical ID.
func (s *Service) Resources(typ string) []HeldResource {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []HeldResource
	for _, st := range s.stacks {
		for _, rs := range st.rec.Resources {
			if rs.Type != typ || !held(rs) {
				continue
			}
			out = append(out, heldResource(st, rs))
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].StackName != out[j].StackName {
			return out[i].StackName < out[j].StackName
		}
		return out[i].LogicalID < out[j].LogicalID
	})
	return out
}

// held reports whether a stack's resource exists: made, and not deleted.
func held(rs *resourceState) bool {
	return rs.PhysicalID != "" && (!strings.HasPrefix(rs.Status, "DELETE_") || rs.Status == deleteFailed)
}

func heldResource(st *stack, rs *resourceState) HeldResource {
	return HeldResource{StackID: st.rec.ID, StackName: st.rec.Name, LogicalID: rs.LogicalID, Type: rs.Type,
		PhysicalID: rs.PhysicalID, Ref: rs.ref(), Properties: clone(rs.Properties), Attributes: clone(rs.Attributes)}
}

// clone copies a JSON-like map deeply, so that callers may change it.
func clone(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	return resource.Clone(m).(map[string]any)
}

// UpdateResource updates the resource r names (by stack ID, logical ID
// and physical ID) to props in place through its type's provider, as a
// stack update does (the properties checked against the type's required
// ones, dynamic references resolved), and records props, the Ref and
// the attributes in the stack, so that the stack's next update starts
// from them. It records no stack event: the stack's status and template
// stay as they are, as they do on AWS when the Cloud Control API changes
// a stack's resource. The provider's error is returned as it is.
func (s *Service) UpdateResource(ctx context.Context, r HeldResource, props map[string]any) (HeldResource, error) {
	typ := resource.Lookup(r.Type)
	if typ == nil {
		return r, ErrGone
	}
	s.mu.Lock()
	st := s.stacks[r.StackName]
	var rs *resourceState
	if st != nil && st.rec.ID == r.StackID {
		rs = st.rec.Resources[r.LogicalID]
	}
	switch {
	case rs == nil || !held(rs) || rs.PhysicalID != r.PhysicalID || rs.Type != r.Type:
		s.mu.Unlock()
		return r, ErrGone
	case st.busy && len(st.controlled) == 0, isInProgress(st.rec.Status), st.controlled[r.LogicalID]:
		s.mu.Unlock()
		return r, ErrStackBusy
	}
	// The stack is busy, so that no operation starts on it, until the
	// last of the updates of its resources (a hotswap sends them side by
	// side) ends.
	if st.controlled == nil {
		st.controlled = map[string]bool{}
	}
	st.controlled[r.LogicalID], st.busy = true, true
	prev := *rs
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(st.controlled, r.LogicalID)
		st.busy = len(st.controlled) > 0
		s.mu.Unlock()
	}()

	resolved, err := s.forProvider(ctx, r.LogicalID, typ, props)
	if err != nil {
		return r, err
	}
	ctx = awsproto.WithReservedTags(ctx) // its calls may set the aws:cloudformation: tags
	res, err := typ.Update(ctx, &resource.Request{LogicalID: r.LogicalID, Type: r.Type, StackName: st.rec.Name, StackID: st.rec.ID,
		Properties: resolved, OldProperties: prev.Properties, PhysicalID: prev.PhysicalID, Attributes: prev.Attributes, Env: s.env()})
	if err != nil {
		return r, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if res.PhysicalID != "" {
		rs.PhysicalID = res.PhysicalID
	}
	rs.Ref, rs.Properties, rs.NoEcho = res.Ref, props, res.NoEcho
	if res.Attributes != nil {
		rs.Attributes = res.Attributes
	} else {
		rs.Attributes = maps.Clone(prev.Attributes)
	}
	rs.Updated = s.d.Clock.Now()
	if err := s.save(st); err != nil {
		return r, err
	}
	return heldResource(st, rs), nil
}
