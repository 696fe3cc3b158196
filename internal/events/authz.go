package events

import (
	"strings"

	"github.com/virga/virga/internal/awsproto"
)

// ruleOps are the operations IAM authorizes on a rule
// (arn:aws:events:REGION:ACCOUNT:rule/NAME on the default bus,
// rule/BUS/NAME on another), with the member that names it.
var ruleOps = map[string]string{
	"PutRule": "Name", "DeleteRule": "Name", "DescribeRule": "Name", "EnableRule": "Name",
	"DisableRule": "Name", "PutTargets": "Rule", "RemoveTargets": "Rule", "ListTargetsByRule": "Rule",
}

// busOps are the operations IAM authorizes on an event bus
// (arn:aws:events:REGION:ACCOUNT:event-bus/NAME), named by Name.
var busOps = map[string]bool{"CreateEventBus": true, "DeleteEventBus": true, "DescribeEventBus": true, "UpdateEventBus": true}

// resources names the rule or event bus a call acts on, for IAM
// authorization; PutEvents needs events:PutEvents on the bus of each
// entry. Calls that name none (ListRules, ListEventBuses) are authorized
// on "*".
func (s *Service) resources(c *awsproto.Call, in any) []string {
	if arn := awsproto.InputString(in, "ResourceARN"); arn != "" {
		return []string{arn}
	}
	bus := awsproto.InputString(in, "EventBusName")
	if strings.HasPrefix(bus, "arn:") {
		bus = bus[strings.LastIndexByte(bus, '/')+1:]
	}
	if field, ok := ruleOps[c.Op.Name]; ok {
		name := awsproto.InputString(in, field)
		if name == "" {
			return nil
		}
		if bus == "" {
			bus = defaultBus
		}
		return []string{s.ruleARN(bus, name)}
	}
	if busOps[c.Op.Name] {
		if name := awsproto.InputString(in, "Name"); name != "" {
			return []string{s.busARN(name)}
		}
		return nil
	}
	if r, ok := in.(*PutEventsRequest); ok {
		seen := map[string]bool{}
		var out []string
		for _, e := range r.Entries {
			b := deref(e.EventBusName)
			if b == "" {
				b = defaultBus
			}
			if strings.HasPrefix(b, "arn:") {
				b = b[strings.LastIndexByte(b, '/')+1:]
			}
			if arn := s.busARN(b); !seen[arn] {
				seen[arn] = true
				out = append(out, arn)
			}
		}
		return out
	}
	return nil
}
