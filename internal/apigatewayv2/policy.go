package apigatewayv2

import (
	"encoding/json"
	"strings"

	"github.com/virga/virga/internal/wildcard"
)

// policyDocument is the IAM policy a Lambda authorizer may answer with.
// Its statements allow or deny execute-api:Invoke on route ARNs; an
// explicit Deny wins over any Allow, and without an Allow the request is
// denied.
type policyDocument struct {
	Version   string
	Statement statements
}

type statement struct {
	Effect   string
	Action   stringList
	Resource stringList
}

// statements is a policy's Statement: one statement or a list of them.
type statements []statement

func (s *statements) UnmarshalJSON(b []byte) error {
	var one statement
	if err := json.Unmarshal(b, &one); err == nil {
		*s = statements{one}
		return nil
	}
	var many []statement
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*s = many
	return nil
}

// stringList is an Action or Resource: a string or a list of them.
type stringList []string

func (l *stringList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*l = stringList{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*l = many
	return nil
}

// allows evaluates the policy for an action on a resource.
func (p *policyDocument) allows(action, resource string) bool {
	allowed := false
	for _, st := range p.Statement {
		if !st.matches(action, resource) {
			continue
		}
		switch {
		case strings.EqualFold(st.Effect, "Deny"):
			return false
		case strings.EqualFold(st.Effect, "Allow"):
			allowed = true
		}
	}
	return allowed
}

func (st statement) matches(action, resource string) bool {
	actionOK := false
	for _, a := range st.Action {
		if wildcard.Match(a, action, wildcard.Question|wildcard.FoldCase) {
			actionOK = true
			break
		}
	}
	if !actionOK {
		return false
	}
	for _, r := range st.Resource {
		if wildcard.Match(r, resource, wildcard.Question) {
			return true
		}
	}
	return false
}
