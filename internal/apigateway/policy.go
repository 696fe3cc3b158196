package apigateway

import (
	"encoding/json"
	"errors"

	"github.com/virga/virga/internal/wildcard"
)

// A Lambda authorizer answers with an IAM policy, which API Gateway
// evaluates for the request's method ARN
// (arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/VERB/PATH) and the action
// execute-api:Invoke: an explicit Deny wins, then an Allow; with neither
// the request is denied too. Resources and actions match with IAM's
// wildcards, "*" (any run of characters, "/" included) and "?" (one
// character). Conditions are not evaluated.

// policy is an authorizer's policy document.
type policy struct {
	Statements []statement
}

// statement is one statement of a policy, its lists normalized.
type statement struct {
	Effect       string
	Actions      []string
	NotActions   []string
	Resources    []string
	NotResources []string
}

// decision is the outcome of evaluating a policy.
type decision int

const (
	implicitDeny decision = iota
	allow
	explicitDeny
)

// parsePolicy reads a policy document, where Statement, Action and
// Resource may each be one value or a list.
func parsePolicy(raw json.RawMessage) (*policy, error) {
	var doc struct {
		Statement json.RawMessage
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	var list []json.RawMessage
	if err := oneOrMany(doc.Statement, &list); err != nil || len(list) == 0 {
		return nil, errors.New("policy without statements")
	}
	p := &policy{}
	for _, r := range list {
		var st struct {
			Effect                                   string
			Action, NotAction, Resource, NotResource json.RawMessage
		}
		if err := json.Unmarshal(r, &st); err != nil {
			return nil, err
		}
		var s statement
		s.Effect = st.Effect
		if s.Effect != "Allow" && s.Effect != "Deny" {
			return nil, errors.New("statement without a valid Effect")
		}
		for _, f := range []struct {
			raw json.RawMessage
			dst *[]string
		}{{st.Action, &s.Actions}, {st.NotAction, &s.NotActions}, {st.Resource, &s.Resources}, {st.NotResource, &s.NotResources}} {
			if len(f.raw) > 0 {
				if err := oneOrMany(f.raw, f.dst); err != nil {
					return nil, err
				}
			}
		}
		p.Statements = append(p.Statements, s)
	}
	return p, nil
}

// oneOrMany decodes a JSON value that is one T or a list of them.
func oneOrMany[T any](raw json.RawMessage, dst *[]T) error {
	if len(raw) == 0 || string(raw) == "null" {
		return errors.New("missing")
	}
	if raw[0] == '[' {
		return json.Unmarshal(raw, dst)
	}
	var one T
	if err := json.Unmarshal(raw, &one); err != nil {
		return err
	}
	*dst = []T{one}
	return nil
}

// evaluate decides whether the policy lets the request invoke the method.
func (p *policy) evaluate(methodARN string) decision {
	const action = "execute-api:Invoke"
	out := implicitDeny
	for _, s := range p.Statements {
		if !s.applies(action, methodARN) {
			continue
		}
		if s.Effect == "Deny" {
			return explicitDeny
		}
		out = allow
	}
	return out
}

func (s statement) applies(action, resource string) bool {
	actionOK := anyMatch(s.Actions, action, true) || (len(s.NotActions) > 0 && !anyMatch(s.NotActions, action, true))
	resourceOK := anyMatch(s.Resources, resource, false) || (len(s.NotResources) > 0 && !anyMatch(s.NotResources, resource, false))
	return actionOK && resourceOK
}

func anyMatch(patterns []string, s string, fold bool) bool {
	f := wildcard.Question
	if fold {
		f |= wildcard.FoldCase
	}
	for _, p := range patterns {
		if wildcard.Match(p, s, f) {
			return true
		}
	}
	return false
}
