package events

import (
	"bytes"
	"context"
	"encoding/json"

	"github.com/virga/virga/internal/awsproto/apierr"
)

// Resource policies. A bus's policy is a JSON document that PutPermission
// builds a statement at a time (or replaces whole) and RemovePermission
// takes statements out of; DescribeEventBus returns it. The policy is
// recorded, never evaluated: virga does not enforce IAM, and every
// account's events reach every bus.

// ErrPolicyLength is PutPermission's error for a policy over the limit.
var ErrPolicyLength = apierr.New("PolicyLengthExceededException", 400, "")

const (
	// maxPolicySize is EventBridge's "Event bus policy size" quota:
	// "Maximum policy size, in characters", 10,240 by default.
	maxPolicySize = 10240
	// putEventsAction is the one action PutPermission grants (the
	// AWS::Events::EventBusPolicy schema's only Action value).
	putEventsAction = "events:PutEvents"
	// orgCondition is the one condition PutPermission takes: membership of
	// an AWS organization.
	orgConditionType = "StringEquals"
	orgConditionKey  = "aws:PrincipalOrgID"
	policyVersion    = "2012-10-17"
)

// policyDoc is a bus policy: its statements are kept as they were given,
// so that a whole policy put with Policy reads back with its members.
type policyDoc struct {
	Version   string            `json:"Version"`
	Statement []json.RawMessage `json:"Statement"`
}

// permissionStatement is a statement PutPermission makes, in the member
// order EventBridge writes.
type permissionStatement struct {
	Sid       string                       `json:"Sid"`
	Effect    string                       `json:"Effect"`
	Principal any                          `json:"Principal"`
	Action    string                       `json:"Action"`
	Resource  string                       `json:"Resource"`
	Condition map[string]map[string]string `json:"Condition,omitempty"`
}

// parsePolicy reads a policy document: a JSON object whose Statement is
// an object or a list of objects. An empty text is an empty policy.
func parsePolicy(text string) (*policyDoc, error) {
	doc := &policyDoc{Version: policyVersion}
	if text == "" {
		return doc, nil
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(text), &raw); err != nil || raw == nil {
		return nil, ErrValidation.WithMessage("Policy is not a valid JSON policy document.")
	}
	if v, ok := raw["Version"]; ok {
		if err := json.Unmarshal(v, &doc.Version); err != nil {
			return nil, ErrValidation.WithMessage("Policy Version must be a string.")
		}
	}
	st := bytes.TrimSpace(raw["Statement"])
	switch {
	case len(st) == 0 || string(st) == "null":
	case st[0] == '{':
		doc.Statement = []json.RawMessage{st}
	default:
		if err := json.Unmarshal(st, &doc.Statement); err != nil {
			return nil, ErrValidation.WithMessage("Policy Statement must be an object or a list of objects.")
		}
	}
	for _, s := range doc.Statement {
		if s = bytes.TrimSpace(s); len(s) == 0 || s[0] != '{' {
			return nil, ErrValidation.WithMessage("Policy Statement must be an object or a list of objects.")
		}
	}
	return doc, nil
}

// sid is a statement's Sid, or "".
func sid(statement json.RawMessage) string {
	var s struct{ Sid any }
	json.Unmarshal(statement, &s)
	id, _ := s.Sid.(string)
	return id
}

// text is the policy as DescribeEventBus returns it: compact JSON, with
// <, > and & as written; "" once no statement is left.
func (d *policyDoc) text() (string, error) {
	if len(d.Statement) == 0 {
		return "", nil
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(d); err != nil {
		return "", err
	}
	var c bytes.Buffer
	if err := json.Compact(&c, bytes.TrimSpace(b.Bytes())); err != nil {
		return "", err
	}
	return c.String(), nil
}

// put replaces the statement with the same Sid, or appends it.
func (d *policyDoc) put(statement json.RawMessage) {
	id := sid(statement)
	for i, s := range d.Statement {
		if id != "" && sid(s) == id {
			d.Statement[i] = statement
			return
		}
	}
	d.Statement = append(d.Statement, statement)
}

// remove takes out the statements with Sid id and reports whether there
// was one.
func (d *policyDoc) remove(id string) bool {
	kept := d.Statement[:0]
	for _, s := range d.Statement {
		if sid(s) != id {
			kept = append(kept, s)
		}
	}
	found := len(kept) < len(d.Statement)
	d.Statement = kept
	return found
}

func (s *Service) putPermission(ctx context.Context, in *PutPermissionRequest) (*noOutput, error) {
	busName := s.busName(in.EventBusName)
	byParts := in.StatementId != nil || in.Action != nil || in.Principal != nil || in.Condition != nil
	var statement json.RawMessage
	switch {
	case in.Policy != nil && byParts:
		return nil, ErrValidation.WithMessage("Policy cannot be combined with StatementId, Action, Principal or Condition.")
	case in.Policy != nil:
		if _, err := parsePolicy(*in.Policy); err != nil {
			return nil, err
		}
	default:
		st, err := s.permission(busName, in)
		if err != nil {
			return nil, err
		}
		statement = st
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.lookupBus(busName)
	if err != nil {
		return nil, err
	}
	var text string
	if in.Policy != nil {
		doc, _ := parsePolicy(*in.Policy)
		if text, err = doc.text(); err != nil {
			return nil, err
		}
	} else {
		doc, err := parsePolicy(b.rec.Policy)
		if err != nil {
			return nil, err
		}
		doc.put(statement)
		if text, err = doc.text(); err != nil {
			return nil, err
		}
	}
	if len(text) > maxPolicySize {
		return nil, ErrPolicyLength.Withf("The policy of event bus %s would exceed %d characters.", busName, maxPolicySize)
	}
	return &noOutput{}, s.setPolicy(b, text)
}

// permission is the statement PutPermission's StatementId, Action,
// Principal and Condition make.
func (s *Service) permission(busName string, in *PutPermissionRequest) (json.RawMessage, error) {
	for _, p := range []struct {
		name string
		v    *string
	}{{"StatementId", in.StatementId}, {"Action", in.Action}, {"Principal", in.Principal}} {
		if p.v == nil || *p.v == "" {
			return nil, ErrValidation.Withf("Parameter %s is required when Policy is not given.", p.name)
		}
	}
	if *in.Action != putEventsAction {
		return nil, ErrValidation.Withf("Action %s is not supported: the only action is %s.", *in.Action, putEventsAction)
	}
	st := permissionStatement{Sid: *in.StatementId, Effect: "Allow", Action: putEventsAction, Resource: s.busARN(busName)}
	if *in.Principal == "*" {
		st.Principal = "*"
	} else {
		st.Principal = map[string]string{"AWS": "arn:aws:iam::" + *in.Principal + ":root"}
	}
	if c := in.Condition; c != nil {
		if deref(c.Type) != orgConditionType || deref(c.Key) != orgConditionKey {
			return nil, ErrValidation.Withf("Condition must have Type %s and Key %s.", orgConditionType, orgConditionKey)
		}
		if *in.Principal != "*" {
			return nil, ErrValidation.WithMessage("A Condition requires Principal \"*\".")
		}
		st.Condition = map[string]map[string]string{orgConditionType: {orgConditionKey: deref(c.Value)}}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(st); err != nil {
		return nil, err
	}
	return json.RawMessage(bytes.TrimSpace(b.Bytes())), nil
}

func (s *Service) removePermission(ctx context.Context, in *RemovePermissionRequest) (*noOutput, error) {
	busName := s.busName(in.EventBusName)
	all := in.RemoveAllPermissions != nil && *in.RemoveAllPermissions
	if !all && deref(in.StatementId) == "" {
		return nil, ErrValidation.WithMessage("Parameter StatementId is required unless RemoveAllPermissions is true.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.lookupBus(busName)
	if err != nil {
		return nil, err
	}
	if all {
		return &noOutput{}, s.setPolicy(b, "")
	}
	if b.rec.Policy == "" {
		return nil, ErrNotFound.Withf("Event bus %s does not have a policy.", busName)
	}
	doc, err := parsePolicy(b.rec.Policy)
	if err != nil {
		return nil, err
	}
	if !doc.remove(*in.StatementId) {
		return nil, ErrNotFound.WithMessage("Statement with the provided id does not exist.")
	}
	text, err := doc.text()
	if err != nil {
		return nil, err
	}
	return &noOutput{}, s.setPolicy(b, text)
}

// setPolicy stores a bus's new policy; the caller holds s.mu.
func (s *Service) setPolicy(b *bus, text string) error {
	rec := b.rec
	rec.Policy = text
	rec.Modified = s.clock.Now()
	if err := s.put(busKey(rec.Name), rec); err != nil {
		return err
	}
	b.rec = rec
	return nil
}
