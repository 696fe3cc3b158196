package policy

import (
	"fmt"
	"strings"
)

// Input is everything one authorization decision weighs, for one action
// on one resource.
type Input struct {
	Request Request
	// Identity are the caller's identity-based policies: inline and
	// managed, its own and its groups'.
	Identity []*Policy
	// Boundary is the caller's permissions boundary, nil when it has
	// none.
	Boundary *Policy
	// Session are the session policies of a role session (AssumeRole's
	// Policy and PolicyArns); HasSession is set when it was given any.
	Session    []*Policy
	HasSession bool
	// Resource are the resource-based policies of the resource (a queue
	// policy, a role's trust policy).
	Resource []*Policy
	// ResourceRequired is set when a resource-based policy must allow
	// whatever identity policies say: a role's trust policy for
	// sts:AssumeRole.
	ResourceRequired bool
}

// Policy types, as denial messages name them.
const (
	IdentityBased = "identity-based policy"
	ResourceBased = "resource-based policy"
	Boundary      = "permissions boundary"
	SessionPolicy = "session policy"
)

// Decision is the outcome of an evaluation.
type Decision struct {
	Allowed bool
	// Explicit is set when a Deny statement decided.
	Explicit bool
	// PolicyType is the kind of policy that denied (IdentityBased, ...).
	PolicyType string
	// PolicyID is the ARN of the managed policy whose Deny decided, if
	// it was one.
	PolicyID string
}

// Message words a denial as AWS does ("Troubleshoot access denied error
// messages"): "User: P is not authorized to perform: A on resource: R
// because no T allows the A action", or "... with an explicit deny in a
// T" (followed by ": ARN" when the policy is a managed one). action and
// resource are as Worded gives them: each service spells them its own
// way, and a resource of "" leaves " on resource" out.
func (d Decision) Message(principal, action, resource string) string {
	head := fmt.Sprintf("User: %s is not authorized to perform: %s", principal, action)
	if resource != "" {
		head += " on resource: " + resource
	}
	if d.Explicit {
		article := "a"
		if d.PolicyType == IdentityBased {
			article = "an"
		}
		msg := fmt.Sprintf("%s with an explicit deny in %s %s", head, article, d.PolicyType)
		if d.PolicyID != "" {
			msg += ": " + d.PolicyID
		}
		return msg
	}
	return fmt.Sprintf("%s because no %s allows the %s action", head, d.PolicyType, action)
}

// ShortMessage is a denial Message as API Gateway words it to the
// caller of an API: its head ("User: P is not authorized to perform: A
// on resource: R") and " with an explicit deny" when a Deny decided,
// without the reason or the policy that gave it.
func ShortMessage(message string) string {
	explicit := strings.Contains(message, " with an explicit deny")
	for _, cut := range []string{" because ", " with an explicit deny"} {
		if i := strings.Index(message, cut); i >= 0 {
			message = message[:i]
		}
	}
	if explicit {
		message += " with an explicit deny"
	}
	return message
}

// outcome is one set of policies' verdict on a request.
type outcome struct {
	allow    principalMatch // strongest principal match of an Allow; noMatch if none
	deny     bool
	denyByID string
}

func evaluate(ps []*Policy, r *Request) outcome {
	var o outcome
	for _, p := range ps {
		if p == nil {
			continue
		}
		for i := range p.Statements {
			s := &p.Statements[i]
			ok, pm := s.matches(r)
			if !ok {
				continue
			}
			if s.Deny {
				if !o.deny {
					o.deny, o.denyByID = true, p.ID
				}
				continue
			}
			o.allow = max(o.allow, pm)
		}
	}
	return o
}

// Evaluate decides a request as AWS's "Policy evaluation logic" does
// within one account:
//
//  1. an explicit Deny in any policy denies;
//  2. a resource-based policy that allows the caller by its own ARN (or
//     everyone) allows, whatever the identity policies say; one that
//     allows the caller's role allows unless a permissions boundary or
//     session policy does not;
//  3. otherwise an identity-based policy must allow, and so must the
//     permissions boundary and the session policies when there are any.
func Evaluate(in *Input) Decision {
	r := &in.Request
	res := evaluate(in.Resource, r)
	id := evaluate(in.Identity, r)
	var bound, sess outcome
	if in.Boundary != nil {
		bound = evaluate([]*Policy{in.Boundary}, r)
	}
	if in.HasSession {
		sess = evaluate(in.Session, r)
	}
	switch {
	case id.deny:
		return Decision{Explicit: true, PolicyType: IdentityBased, PolicyID: id.denyByID}
	case res.deny:
		return Decision{Explicit: true, PolicyType: ResourceBased}
	case bound.deny:
		return Decision{Explicit: true, PolicyType: Boundary, PolicyID: in.Boundary.ID}
	case sess.deny:
		return Decision{Explicit: true, PolicyType: SessionPolicy, PolicyID: sess.denyByID}
	}
	if in.ResourceRequired && res.allow == noMatch {
		return Decision{PolicyType: ResourceBased}
	}
	if res.allow == exactMatch {
		return Decision{Allowed: true}
	}
	if res.allow != roleMatch && id.allow == noMatch {
		return Decision{PolicyType: IdentityBased}
	}
	if in.Boundary != nil && bound.allow == noMatch {
		return Decision{PolicyType: Boundary}
	}
	if in.HasSession && sess.allow == noMatch {
		return Decision{PolicyType: SessionPolicy}
	}
	return Decision{Allowed: true}
}

// Allows reports whether one policy on its own has an Allow statement
// that applies to r and no Deny that does (a trust policy's verdict).
func (p *Policy) Allows(r *Request) bool {
	o := evaluate([]*Policy{p}, r)
	return !o.deny && o.allow != noMatch
}

// Match is a statement that decided a request, in its policy.
type Match struct {
	Policy    *Policy
	Statement *Statement
}

// Explanation is a decision with its reasons, as IAM's policy simulator
// reports them.
type Explanation struct {
	Decision
	// Matched are the statements that decided: the identity-based and
	// resource-based policies' Deny statements that apply when one
	// does, else their Allow statements that apply when the request is
	// allowed, and none for an implicit deny.
	Matched []Match
	// Missing are the condition keys, as the documents spell them, of
	// the statements about the request (their principal, action and
	// resource match) that the request context lacks, each once.
	Missing []string
	// BoundaryAllows reports whether the permissions boundary allows
	// the request; it is true when there is none.
	BoundaryAllows bool
}

// Explain decides in as Evaluate does and says why.
func Explain(in *Input) Explanation {
	x := Explanation{Decision: Evaluate(in), BoundaryAllows: true}
	r := &in.Request
	if in.Boundary != nil {
		x.BoundaryAllows = in.Boundary.Allows(r)
	}
	seen := map[string]bool{}
	for _, set := range [][]*Policy{in.Identity, in.Resource, {in.Boundary}, in.Session} {
		for _, p := range set {
			if p == nil {
				continue
			}
			for i := range p.Statements {
				s := &p.Statements[i]
				if !s.applies(r) {
					continue
				}
				for _, c := range s.Conditions {
					if _, ok := r.Context[c.Key]; !ok && !seen[c.Key] {
						seen[c.Key] = true
						x.Missing = append(x.Missing, c.Name)
					}
				}
			}
		}
	}
	if !x.Allowed && !x.Explicit {
		return x
	}
	for _, set := range [][]*Policy{in.Identity, in.Resource} {
		for _, p := range set {
			if p == nil {
				continue
			}
			for i := range p.Statements {
				s := &p.Statements[i]
				if ok, _ := s.matches(r); ok && s.Deny == x.Explicit {
					x.Matched = append(x.Matched, Match{Policy: p, Statement: s})
				}
			}
		}
	}
	return x
}
