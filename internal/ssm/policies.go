package ssm

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strconv"
	"time"

	"github.com/virga/virga/internal/deliver"
)

// Parameter policies, from "Assigning parameter policies in Parameter
// Store" and the PutParameter API reference: a JSON array of policies,
// each {"Type", "Version", "Attributes"}, on advanced parameters only.
const (
	policyExpiration         = "Expiration"
	policyExpirationNotify   = "ExpirationNotification"
	policyNoChangeNotify     = "NoChangeNotification"
	policyStatusPending      = "Pending"
	policyStatusFinished     = "Finished"
	policyEventSource        = "aws.ssm"
	policyEventDetailType    = "Parameter Store Policy Action"
	policyEventStatus        = "Finished"
	maxPolicies              = 10 // PoliciesLimitExceededException: "The maximum is 10."
	policyPoll               = 50 * time.Millisecond
	policyUnitDays, unitHour = "Days", "Hours"
)

// policyRecord is one policy of a parameter version: the policy's JSON
// as given, what it says, and whether it has been carried out.
type policyRecord struct {
	Text   string `json:"text"`
	Type   string `json:"type"`
	Status string `json:"status"`
	// At is the Expiration's time (epoch ms); Offset is how long before
	// the expiration (ExpirationNotification) or after the last change
	// (NoChangeNotification) it acts, in ms.
	At     int64 `json:"at,omitempty"`
	Offset int64 `json:"offset,omitempty"`
}

// Events puts events on EventBridge buses.
type Events interface {
	Deliver(ctx context.Context, arn string, m deliver.Message) error
}

// policyDoc is a policy as PutParameter's Policies give it.
type policyDoc struct {
	Type       string                     `json:"Type"`
	Version    string                     `json:"Version"`
	Attributes map[string]json.RawMessage `json:"Attributes"`
}

// parsePolicies reads PutParameter's Policies: a JSON array of up to 10
// policies of the three types, at most one of each type.
func parsePolicies(raw string) ([]policyRecord, error) {
	var docs []json.RawMessage
	if err := json.Unmarshal([]byte(raw), &docs); err != nil {
		return nil, ErrInvalidPolicyAttribute.WithMessage("Invalid policies input: " + raw + ". The policies must be a JSON array.")
	}
	if len(docs) > maxPolicies {
		return nil, ErrPoliciesLimitExceeded.WithMessage("You specified more than the maximum number of allowed policies for the parameter. The maximum is 10.")
	}
	out := []policyRecord{}
	seen := map[string]bool{}
	for _, d := range docs {
		var doc policyDoc
		if err := json.Unmarshal(d, &doc); err != nil {
			return nil, ErrInvalidPolicyAttribute.WithMessage("Invalid policy: " + string(d) + ".")
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, d); err != nil {
			return nil, ErrInvalidPolicyAttribute.WithMessage("Invalid policy: " + string(d) + ".")
		}
		r := policyRecord{Text: compact.String(), Type: doc.Type, Status: policyStatusPending}
		if doc.Version != "1.0" {
			return nil, ErrInvalidPolicyAttribute.WithMessage("Invalid policy version: " + doc.Version + ". The supported version is 1.0.")
		}
		attr := func(name string) string {
			var s string
			if json.Unmarshal(doc.Attributes[name], &s) != nil {
				return ""
			}
			return s
		}
		switch doc.Type {
		case policyExpiration:
			at, ok := parsePolicyTime(attr("Timestamp"))
			if !ok {
				return nil, ErrInvalidPolicyAttribute.WithMessage("Invalid Timestamp: " + attr("Timestamp") + ". Use the ISO_INSTANT or ISO_OFFSET_DATE_TIME format.")
			}
			r.At = at.UnixMilli()
		case policyExpirationNotify, policyNoChangeNotify:
			key := "Before"
			if doc.Type == policyNoChangeNotify {
				key = "After"
			}
			n, err := strconv.Atoi(attr(key))
			if err != nil || n <= 0 {
				return nil, ErrInvalidPolicyAttribute.WithMessage("Invalid " + key + " attribute of " + doc.Type + ": it must be a positive whole number.")
			}
			switch attr("Unit") {
			case policyUnitDays:
				r.Offset = int64(n) * 24 * int64(time.Hour/time.Millisecond)
			case unitHour:
				r.Offset = int64(n) * int64(time.Hour/time.Millisecond)
			default:
				return nil, ErrInvalidPolicyAttribute.WithMessage("Invalid Unit attribute of " + doc.Type + ": " + attr("Unit") + ". Valid units are Days and Hours.")
			}
		default:
			return nil, ErrInvalidPolicyType.WithMessage("The policy type isn't supported: " + doc.Type + ". Parameter Store supports the following policy types: Expiration, ExpirationNotification, and NoChangeNotification.")
		}
		if seen[doc.Type] {
			return nil, ErrIncompatiblePolicy.WithMessage("There is a conflict in the policies specified for this parameter: more than one " + doc.Type + " policy.")
		}
		seen[doc.Type] = true
		out = append(out, r)
	}
	return out, nil
}

// parsePolicyTime reads an Expiration's Timestamp, in ISO_INSTANT
// (2018-12-02T21:34:33.000Z) or ISO_OFFSET_DATE_TIME
// (2019-11-01T22:13:48.87+10:30:00, whose offset may have seconds).
func parsePolicyTime(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999-07:00:00", "2006-01-02T15:04-07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// due is when a pending policy of version v acts, given the parameter's
// Expiration (0 when it has none); ok is false when it never will.
func (r *policyRecord) due(v *version, expiration int64) (int64, bool) {
	if r.Status != policyStatusPending {
		return 0, false
	}
	switch r.Type {
	case policyExpiration:
		return r.At, true
	case policyExpirationNotify:
		return expiration - r.Offset, expiration != 0
	case policyNoChangeNotify:
		return v.Modified + r.Offset, true
	}
	return 0, false
}

func expirationOf(v *version) int64 {
	for _, r := range v.Policies {
		if r.Type == policyExpiration {
			return r.At
		}
	}
	return 0
}

// inlinePolicies is how responses show a version's policies.
func inlinePolicies(v *version) []ParameterInlinePolicy {
	out := []ParameterInlinePolicy{}
	for _, r := range v.Policies {
		out = append(out, ParameterInlinePolicy{PolicyText: ptr(r.Text), PolicyType: ptr(r.Type), PolicyStatus: ptr(r.Status)})
	}
	return out
}

// schedule notes that a policy may be due at ms, so Run looks then.
func (s *Service) schedule(ms int64) {
	for {
		cur := s.nextDue.Load()
		if cur != 0 && cur <= ms {
			return
		}
		if s.nextDue.CompareAndSwap(cur, ms) {
			return
		}
	}
}

// Run carries out parameter policies as the clock reaches them, until
// ctx ends: Parameter Store, as AWS's, acts on policies in periodic
// scans, here every policyPoll once something is due.
func (s *Service) Run(ctx context.Context, log *slog.Logger) {
	t := time.NewTicker(policyPoll)
	defer t.Stop()
	s.schedule(1) // look once at what the store holds
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if due := s.nextDue.Load(); due != 0 && s.clock.Now().UnixMilli() >= due {
				if err := s.applyPolicies(ctx, log); err != nil && log != nil {
					log.Warn("ssm: parameter policies", "err", err)
				}
			}
		}
	}
}

// policyAction is an event a policy's action puts on the default bus.
type policyAction struct {
	name, arn, paramType, policyType string
}

// applyPolicies carries out every policy whose time has come: an
// Expiration deletes its parameter, a notification marks itself
// Finished; each puts a "Parameter Store Policy Action" event from
// aws.ssm on the default bus. It notes when the next policy is due.
func (s *Service) applyPolicies(ctx context.Context, log *slog.Logger) error {
	s.nextDue.Store(0)
	now := s.clock.Now().UnixMilli()
	var actions []policyAction
	var next int64
	s.mu.Lock()
	var changed []*param
	var expired []string
	err := s.each("", "", func(p *param) bool {
		v := p.current()
		exp := expirationOf(v)
		touched := false
		for i := range v.Policies {
			r := &v.Policies[i]
			at, ok := r.due(v, exp)
			if !ok {
				continue
			}
			if at > now {
				if next == 0 || at < next {
					next = at
				}
				continue
			}
			actions = append(actions, policyAction{name: p.Name, arn: s.arn(p.Name), paramType: v.Type, policyType: r.Type})
			r.Status = policyStatusFinished
			touched = true
			if r.Type == policyExpiration {
				expired = append(expired, p.Name)
			}
		}
		if touched {
			cp := *p
			changed = append(changed, &cp)
		}
		return true
	})
	if err == nil {
		for _, p := range changed {
			if !containsString(expired, p.Name) {
				if err = s.save(p); err != nil {
					break
				}
			}
		}
	}
	if err == nil && len(expired) > 0 {
		err = s.remove(expired...)
	}
	s.mu.Unlock()
	if next != 0 {
		s.schedule(next)
	}
	if err != nil {
		return err
	}
	for _, a := range actions {
		s.emitPolicyAction(ctx, log, a)
	}
	return nil
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// emitPolicyAction puts a policy's event on the default bus, with the
// detail AWS documents for "Parameter Store Policy Action" events.
func (s *Service) emitPolicyAction(ctx context.Context, log *slog.Logger, a policyAction) {
	if s.events == nil {
		return
	}
	detail, _ := json.Marshal(map[string]string{
		"parameter-name": a.name,
		"parameter-type": a.paramType,
		"policy-type":    a.policyType,
		"action-status":  policyEventStatus,
	})
	bus := "arn:aws:events:" + s.region + ":" + s.account + ":event-bus/default"
	if err := s.events.Deliver(ctx, bus, deliver.Message{Body: detail, Source: policyEventSource, DetailType: policyEventDetailType,
		Resources: []string{a.arn}}); err != nil && log != nil {
		log.Warn("ssm: putting a policy event on the default bus", "parameter", a.name, "err", err)
	}
}
