package ssm

import (
	"context"
	"encoding/json"

	"github.com/virga/virga/internal/deliver"
)

// Parameter Store sends a "Parameter Store Change" event from aws.ssm to
// the default event bus when PutParameter creates or updates a parameter
// and when DeleteParameter or DeleteParameters deletes one. The detail
// names the operation (Create, Update, Delete), the parameter and its
// type, and its description when it has one; the parameter's ARN is the
// event's resource. The events are sent once the service's lock is
// released, best effort as AWS sends them.
const (
	changeDetailType = "Parameter Store Change"
	changeCreate     = "Create"
	changeUpdate     = "Update"
	changeDelete     = "Delete"
)

// change is a Parameter Store Change event to send.
type change struct {
	op, name, typ, description string
}

// deleted is the change that deleting p makes.
func deleted(p *param) change {
	v := p.current()
	return change{op: changeDelete, name: p.Name, typ: v.Type, description: v.Description}
}

// emitChanges puts the changes' events on the default bus.
func (s *Service) emitChanges(ctx context.Context, changes []change) {
	if s.events == nil {
		return
	}
	bus := "arn:aws:events:" + s.region + ":" + s.account + ":event-bus/default"
	for _, c := range changes {
		detail, _ := json.Marshal(struct {
			Operation   string `json:"operation"`
			Name        string `json:"name"`
			Type        string `json:"type"`
			Description string `json:"description,omitempty"`
		}{c.op, c.name, c.typ, c.description})
		// Delivery is best effort: a bus that cannot take the event
		// does not fail the call that changed the parameter.
		_ = s.events.Deliver(ctx, bus, deliver.Message{Body: detail, Source: policyEventSource, DetailType: changeDetailType,
			Resources: []string{s.arn(c.name)}})
	}
}
