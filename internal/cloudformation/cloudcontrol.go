package cloudformation

import (
	"cmp"
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
	// Described: no stack holds it, and its properties are what the
	// type's read handler found in its service (see Described).
	Described bool `json:",omitempty"`
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

// Described returns the resources of type typ that its service has, as
// the type's read handler (resource.Type.Lister) describes them, held by
// no stack here or not; none for a type without one.
func (s *Service) Described(ctx context.Context, typ string) ([]HeldResource, error) {
	t := resource.Lookup(typ)
	if t == nil || t.Lister == nil {
		return nil, nil
	}
	found, err := t.Lister.List(ctx, s.env())
	if err != nil {
		return nil, err
	}
	out := make([]HeldResource, 0, len(found))
	for _, d := range found {
		out = append(out, HeldResource{Type: typ, PhysicalID: d.PhysicalID,
			Ref: cmp.Or(d.Ref, d.PhysicalID), Properties: d.Properties, Attributes: d.Attributes, Described: true})
	}
	return out, nil
}

// held reports whether a stack's resource exists: made, and not deleted.
func held(rs *resourceState) bool {
	return rs.PhysicalID != "" && rs.Gone != rs.PhysicalID && (!strings.HasPrefix(rs.Status, "DELETE_") || rs.Status == deleteFailed)
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
// a stack's resource. A resource no stack holds (StackID empty, one
// CreateResource made) is updated alike, and the caller records it. The
// provider's error is returned as it is.
func (s *Service) UpdateResource(ctx context.Context, r HeldResource, props map[string]any) (HeldResource, error) {
	typ := resource.Lookup(r.Type)
	if typ == nil {
		return r, ErrGone
	}
	if r.StackID == "" {
		res, err := s.updateInPlace(ctx, typ, r, props)
		if err != nil {
			return r, err
		}
		return unheldResource(r.Type, r.LogicalID, props, res, r.Attributes), nil
	}
	st, rs, release, err := s.claim(r)
	if err != nil {
		return r, err
	}
	defer release()
	res, err := s.updateInPlace(ctx, typ, r, props)
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
		rs.Attributes = maps.Clone(r.Attributes)
	}
	rs.Updated = s.d.Clock.Now()
	if err := s.save(st); err != nil {
		return r, err
	}
	return heldResource(st, rs), nil
}

// updateInPlace runs the provider's update of r to props.
func (s *Service) updateInPlace(ctx context.Context, typ *resource.Type, r HeldResource, props map[string]any) (*resource.Result, error) {
	resolved, err := s.forProvider(ctx, r.LogicalID, typ, props)
	if err != nil {
		return nil, err
	}
	if r.StackID != "" {
		ctx = awsproto.WithReservedTags(ctx) // its calls may set the aws:cloudformation: tags
	}
	return typ.Update(ctx, &resource.Request{LogicalID: r.LogicalID, Type: r.Type, StackName: r.StackName, StackID: r.StackID,
		Properties: resolved, OldProperties: r.Properties, PhysicalID: r.PhysicalID, Attributes: r.Attributes, Env: s.env()})
}

// claim finds the stack resource r names and marks it as changed by the
// Cloud Control API, so that no operation starts on its stack until
// release: ErrGone when the stack no longer holds it, ErrStackBusy while
// an operation runs on the stack or another request on the resource.
func (s *Service) claim(r HeldResource) (st *stack, rs *resourceState, release func(), err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st = s.stacks[r.StackName]
	if st != nil && st.rec.ID == r.StackID {
		rs = st.rec.Resources[r.LogicalID]
	}
	switch {
	case rs == nil || !held(rs) || rs.PhysicalID != r.PhysicalID || rs.Type != r.Type:
		return nil, nil, nil, ErrGone
	case st.busy && len(st.controlled) == 0, isInProgress(st.rec.Status), st.controlled[r.LogicalID]:
		return nil, nil, nil, ErrStackBusy
	}
	// The stack is busy, so that no operation starts on it, until the
	// last of the requests on its resources (a hotswap sends them side
	// by side) ends.
	if st.controlled == nil {
		st.controlled = map[string]bool{}
	}
	st.controlled[r.LogicalID], st.busy = true, true
	return st, rs, func() {
		s.mu.Lock()
		delete(st.controlled, r.LogicalID)
		st.busy = len(st.controlled) > 0
		s.mu.Unlock()
	}, nil
}

// CreateResource creates a resource of type typ with props outside any
// stack through its type's provider, as a stack's creation does (the
// properties checked against the type's required ones, dynamic
// references resolved), and returns it for the caller to record. A
// name the type generates is made from logicalID, as CloudFormation
// makes one from a resource's logical ID (no stack name before it). A
// creation that fails after its resource was made deletes it again. The
// provider's error is returned as it is.
func (s *Service) CreateResource(ctx context.Context, typ, logicalID string, props map[string]any) (HeldResource, error) {
	t := resource.Lookup(typ)
	if t == nil {
		return HeldResource{}, ErrGone
	}
	resolved, err := s.forProvider(ctx, logicalID, t, props)
	if err != nil {
		return HeldResource{}, err
	}
	req := &resource.Request{LogicalID: logicalID, Type: typ, Properties: resolved, Env: s.env()}
	res, err := t.Create(resource.Detach(ctx), req)
	if err != nil {
		if res != nil && res.PhysicalID != "" {
			req.PhysicalID, req.Attributes = res.PhysicalID, res.Attributes
			if derr := t.Delete(resource.Detach(ctx), req); derr != nil && !errors.Is(derr, resource.ErrNotFound) {
				s.log.Warn("cloudformation: deleting a resource whose creation failed", "type", typ, "id", res.PhysicalID, "err", derr)
			}
		}
		return HeldResource{}, err
	}
	return unheldResource(typ, logicalID, props, res, nil), nil
}

// unheldResource is a resource no stack holds, as a provider's Create or
// Update left it; prevAttributes stand when the Update returned none.
func unheldResource(typ, logicalID string, props map[string]any, res *resource.Result, prevAttributes map[string]any) HeldResource {
	attrs := res.Attributes
	if attrs == nil {
		attrs = prevAttributes
	}
	return HeldResource{LogicalID: logicalID, Type: typ, PhysicalID: res.PhysicalID, Ref: cmp.Or(res.Ref, res.PhysicalID),
		Properties: clone(props), Attributes: clone(attrs)}
}

// DeleteResource deletes the resource r names through its type's
// provider. A resource a stack holds stays in the stack's resources, as
// it does on AWS (the stack has drifted), but is no longer held (see
// resourceState.Gone); a resource already gone is no error.
func (s *Service) DeleteResource(ctx context.Context, r HeldResource) error {
	t := resource.Lookup(r.Type)
	if t == nil {
		return ErrGone
	}
	req := &resource.Request{LogicalID: r.LogicalID, Type: r.Type, StackName: r.StackName, StackID: r.StackID,
		Properties: r.Properties, PhysicalID: r.PhysicalID, Attributes: r.Attributes, Env: s.env()}
	if r.StackID == "" {
		return ignoreNotFound(t.Delete(resource.Detach(ctx), req))
	}
	st, rs, release, err := s.claim(r)
	if err != nil {
		return err
	}
	defer release()
	resolved, err := s.forProvider(ctx, r.LogicalID, t, r.Properties)
	if err == nil {
		req.Properties = resolved
	}
	if err := ignoreNotFound(t.Delete(resource.Detach(ctx), req)); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rs.Gone = rs.PhysicalID
	return s.save(st)
}

// ignoreNotFound is err, or nil when it says that the resource was
// already gone.
func ignoreNotFound(err error) error {
	if errors.Is(err, resource.ErrNotFound) {
		return nil
	}
	return err
}
