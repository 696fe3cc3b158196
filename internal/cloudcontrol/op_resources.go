package cloudcontrol

import (
	"context"
	"errors"
	"strconv"

	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/cfn/resource"
	"github.com/virga/virga/internal/cloudformation"
)

// maxListResults is ListResources' and ListResourceRequests' page size
// when MaxResults is not given.
const maxListResults = 20

func (s *Service) getResource(ctx context.Context, in *GetResourceInput) (*GetResourceOutput, error) {
	typ, id := deref(in.TypeName), deref(in.Identifier)
	if _, err := resourceType(typ); err != nil {
		return nil, err
	}
	h, err := s.find(ctx, typ, id)
	if err != nil {
		return nil, err
	}
	if h == nil {
		return nil, notFound(typ, id)
	}
	text, err := modelText(model(*h))
	if err != nil {
		return nil, err
	}
	return &GetResourceOutput{TypeName: ptr(typ), ResourceDescription: &ResourceDescription{Identifier: ptr(id), Properties: ptr(text)}}, nil
}

func (s *Service) listResources(ctx context.Context, in *ListResourcesInput) (*ListResourcesOutput, error) {
	typ := deref(in.TypeName)
	if _, err := resourceType(typ); err != nil {
		return nil, err
	}
	filter, err := listFilter(typ, in.ResourceModel)
	if err != nil {
		return nil, err
	}
	all, err := s.held(ctx, typ)
	if err != nil {
		return nil, err
	}
	var matching []cloudformation.HeldResource
	for _, h := range all {
		if matches(model(h), filter) {
			matching = append(matching, h)
		}
	}
	held, next, err := page(matching, in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	out := &ListResourcesOutput{TypeName: ptr(typ), ResourceDescriptions: []ResourceDescription{}, NextToken: next}
	for _, h := range held {
		text, err := modelText(model(h))
		if err != nil {
			return nil, err
		}
		out.ResourceDescriptions = append(out.ResourceDescriptions, ResourceDescription{Identifier: ptr(h.PhysicalID), Properties: ptr(text)})
	}
	return out, nil
}

// page is the page of items a ListResources or ListResourceRequests
// call asks for: from the position its NextToken (one this service
// handed out) names, at most max items (maxListResults when not given),
// and the NextToken of the page after it, if any.
func page[T any](items []T, token *string, max *int32) ([]T, *string, error) {
	from := 0
	if token != nil {
		i, err := strconv.Atoi(*token)
		if err != nil || i < 0 || i > len(items) {
			return nil, nil, ErrInvalidRequest.WithMessage("The NextToken is not valid.")
		}
		from = i
	}
	n := int(deref(max))
	if n == 0 {
		n = maxListResults
	}
	if from+n >= len(items) {
		return items[from:], nil, nil
	}
	return items[from : from+n], ptr(strconv.Itoa(from + n)), nil
}

func (s *Service) updateResource(ctx context.Context, in *UpdateResourceInput) (*UpdateResourceOutput, error) {
	typ, id := deref(in.TypeName), deref(in.Identifier)
	t, err := resourceType(typ)
	if err != nil {
		return nil, err
	}
	ops, err := parsePatch(deref(in.PatchDocument))
	if err != nil {
		return nil, ErrInvalidRequest.Withf("Invalid patch document: %v", err)
	}
	h, err := s.find(ctx, typ, id)
	if err != nil {
		return nil, err
	}
	if h == nil {
		return nil, notFound(typ, id)
	}
	patched, err := applyPatch(model(*h), ops)
	if err != nil {
		return nil, ErrInvalidRequest.Withf("Invalid patch document: %v", err)
	}
	props, err := checkPatched(t, *h, patched)
	if err != nil {
		return nil, err
	}
	ev := s.event("UPDATE", typ, id)
	if resource.Equal(props, h.Properties) {
		return &UpdateResourceOutput{ProgressEvent: s.finish(ev, h, nil)}, nil
	}
	release, err := s.claimOwn(*h, id)
	if err != nil {
		return nil, err
	}
	defer release()
	updated, err := s.stacks.UpdateResource(ctx, *h, props)
	if err := stackRefusal(err, typ, id); err != nil {
		return nil, err
	}
	if err == nil && h.StackID == "" && !h.Described {
		if kerr := s.keepOwn(h.PhysicalID, updated); kerr != nil {
			return nil, kerr
		}
	}
	return &UpdateResourceOutput{ProgressEvent: s.finish(ev, &updated, err)}, nil
}

// stackRefusal is the API's error for a request the resource's stack
// refused before any provider ran: the resource is gone from it, or an
// operation runs on it; nil for anything else.
func stackRefusal(err error, typ, id string) error {
	switch {
	case errors.Is(err, cloudformation.ErrGone):
		return notFound(typ, id)
	case errors.Is(err, cloudformation.ErrStackBusy):
		return ErrResourceConflict.Withf("The resource of type '%s' with identifier '%s' is being changed by its stack's operation in progress.", typ, id)
	}
	return nil
}

// claimOwn marks a resource of the API's own as changed by a request
// until release, refusing it with ResourceConflictException while
// another request changes it. Stack resources are claimed by their
// stack (cloudformation.ErrStackBusy); for them it does nothing.
func (s *Service) claimOwn(h cloudformation.HeldResource, id string) (release func(), err error) {
	if h.StackID != "" {
		return func() {}, nil
	}
	key := h.Type + "\x00" + h.PhysicalID
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.busy[key] {
		return nil, ErrResourceConflict.Withf("The resource of type '%s' with identifier '%s' is being changed by another request in progress.", h.Type, id)
	}
	s.busy[key] = true
	return func() {
		s.mu.Lock()
		delete(s.busy, key)
		s.mu.Unlock()
	}, nil
}

// event starts the progress event of a request on a resource; id is
// empty for a CreateResource, whose resource has none yet.
func (s *Service) event(op, typ, id string) *ProgressEvent {
	ev := &ProgressEvent{TypeName: ptr(typ), RequestToken: ptr(s.ids.UUID()),
		Operation: ptr(Operation(op)), EventTime: ptr(s.clock.Now())}
	if id != "" {
		ev.Identifier = ptr(id)
	}
	return ev
}

// finish ends a request with the outcome of its provider's work, records
// it for GetResourceRequestStatus and returns it: SUCCESS with the
// resource's model (h; none for a deletion, h nil), or FAILED with the
// handler's error code and message.
func (s *Service) finish(ev *ProgressEvent, h *cloudformation.HeldResource, err error) *ProgressEvent {
	ev.EventTime = ptr(s.clock.Now())
	if err != nil {
		ev.OperationStatus = ptr(OperationStatus("FAILED"))
		code := "GeneralServiceException"
		msg := err.Error()
		if h, ok := errors.AsType[*resource.HandlerError](err); ok {
			code, msg = h.Code, h.Message
		} else if e := apierr.As(err); e != nil {
			code, msg = resource.HandlerErrorCode(e), e.Message
		}
		ev.ErrorCode, ev.StatusMessage = ptr(HandlerErrorCode(code)), ptr(msg)
	} else {
		ev.OperationStatus = ptr(OperationStatus("SUCCESS"))
		if h != nil {
			if text, err := modelText(model(*h)); err == nil {
				ev.ResourceModel = ptr(text)
			}
		}
	}
	if err := s.keep(ev); err != nil {
		s.log.Error("cloudcontrol: recording a request", "token", deref(ev.RequestToken), "err", err)
	}
	return ev
}
