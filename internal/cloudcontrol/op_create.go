package cloudcontrol

import (
	"context"
	"encoding/json"
	"strings"
)

// noHandlers are the types CloudFormation knows that have no resource
// handlers, which the Cloud Control API cannot create, update or delete
// (UnsupportedActionException): a template's placeholders, and the
// types virga's provider makes only within a stack.
var noHandlers = map[string]bool{
	"AWS::CloudFormation::WaitConditionHandle": true,
	"AWS::CDK::Metadata":                       true,
	"AWS::CloudFormation::Stack":               true,
}

func (s *Service) createResource(ctx context.Context, in *CreateResourceInput) (*CreateResourceOutput, error) {
	typ, desired := deref(in.TypeName), deref(in.DesiredState)
	t, err := resourceType(typ)
	if err != nil {
		return nil, err
	}
	if noHandlers[typ] {
		return nil, unsupported(typ, "CREATE")
	}
	var props map[string]any
	if err := json.Unmarshal([]byte(desired), &props); err != nil || props == nil {
		return nil, ErrInvalidRequest.WithMessage("The DesiredState is not a JSON object.")
	}
	if err := checkRequired(t, props); err != nil {
		return nil, err
	}
	ev, err := s.once(in.ClientToken, "CREATE\x00"+typ+"\x00"+desired, func() (*ProgressEvent, error) {
		ev := s.event("CREATE", typ, "")
		h, err := s.stacks.CreateResource(ctx, typ, generatedNameStem(typ), props)
		if err == nil {
			ev.Identifier = ptr(h.PhysicalID)
			err = s.keepOwn("", h)
		}
		return s.finish(ev, &h, err), nil
	})
	if err != nil {
		return nil, err
	}
	return &CreateResourceOutput{ProgressEvent: ev}, nil
}

// generatedNameStem is what the name of a resource of type typ that
// its desired state does not name is made from, where CloudFormation
// would put the resource's logical ID: the type's last part (a queue
// named "Queue-1T2Y3ZQ4W5V6X").
func generatedNameStem(typ string) string {
	return typ[strings.LastIndex(typ, "::")+len("::"):]
}

func (s *Service) deleteResource(ctx context.Context, in *DeleteResourceInput) (*DeleteResourceOutput, error) {
	typ, id := deref(in.TypeName), deref(in.Identifier)
	if _, err := resourceType(typ); err != nil {
		return nil, err
	}
	if noHandlers[typ] {
		return nil, unsupported(typ, "DELETE")
	}
	ev, err := s.once(in.ClientToken, "DELETE\x00"+typ+"\x00"+id, func() (*ProgressEvent, error) {
		h, err := s.find(ctx, typ, id)
		if err != nil {
			return nil, err
		}
		if h == nil {
			return nil, notFound(typ, id)
		}
		release, err := s.claimOwn(*h, id)
		if err != nil {
			return nil, err
		}
		defer release()
		ev := s.event("DELETE", typ, id)
		err = s.stacks.DeleteResource(ctx, *h)
		if rerr := stackRefusal(err, typ, id); rerr != nil {
			return nil, rerr
		}
		if err == nil && h.StackID == "" {
			err = s.dropOwn(*h)
		}
		return s.finish(ev, nil, err), nil
	})
	if err != nil {
		return nil, err
	}
	return &DeleteResourceOutput{ProgressEvent: ev}, nil
}
