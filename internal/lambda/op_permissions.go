package lambda

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
)

// policyStatement is one statement of a function's resource-based policy,
// its members in the order Lambda renders them.
type policyStatement struct {
	Sid       string           `json:"Sid"`
	Effect    string           `json:"Effect"`
	Principal any              `json:"Principal"`
	Action    string           `json:"Action"`
	Resource  string           `json:"Resource"`
	Condition *policyCondition `json:"Condition,omitempty"`
}

// condition adds key = *value under operator op to the statement's
// Condition when value is given.
func (st *policyStatement) condition(op, key string, value *string) {
	if value == nil {
		return
	}
	if st.Condition == nil {
		st.Condition = &policyCondition{}
	}
	st.Condition.add(op, key, *value)
}

// policyCondition is a statement's Condition, its operators and keys in
// the order Lambda renders them (StringEquals before ArnLike; within
// StringEquals, lambda:FunctionUrlAuthType, aws:PrincipalOrgID,
// AWS:SourceAccount), not in a JSON map's sorted order.
type policyCondition struct {
	ops []conditionOp
}

type conditionOp struct {
	name string
	keys [][2]string
}

// add sets key to value under operator op, keeping the order of first
// use.
func (c *policyCondition) add(op, key, value string) {
	for i := range c.ops {
		if c.ops[i].name == op {
			c.ops[i].keys = append(c.ops[i].keys, [2]string{key, value})
			return
		}
	}
	c.ops = append(c.ops, conditionOp{name: op, keys: [][2]string{{key, value}}})
}

// MarshalJSON renders the condition in its order.
func (c *policyCondition) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, op := range c.ops {
		if i > 0 {
			b.WriteByte(',')
		}
		name, _ := json.Marshal(op.name)
		b.Write(name)
		b.WriteString(":{")
		for j, kv := range op.keys {
			if j > 0 {
				b.WriteByte(',')
			}
			k, _ := json.Marshal(kv[0])
			v, _ := json.Marshal(kv[1])
			b.Write(k)
			b.WriteByte(':')
			b.Write(v)
		}
		b.WriteByte('}')
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// policyDocument is a resource-based policy as GetPolicy returns it.
type policyDocument struct {
	Version   string            `json:"Version"`
	ID        string            `json:"Id"`
	Statement []json.RawMessage `json:"Statement"`
}

var accountID = regexp.MustCompile(`^\d{12}$`)

// principal renders AddPermission's Principal as IAM does: an account
// as its root, an ARN as an AWS principal, anything else as a service.
func principal(p string) any {
	switch {
	case p == "*":
		return "*"
	case accountID.MatchString(p):
		return map[string]string{"AWS": "arn:aws:iam::" + p + ":root"}
	case strings.HasPrefix(p, "arn:"):
		return map[string]string{"AWS": p}
	}
	return map[string]string{"Service": p}
}

// Policy operations, for policyTarget.
const (
	policyAdd = iota
	policyRemove
	policyGet
)

// aliasLike matches what may be an alias name: not a number, nothing
// but letters, digits, - and _.
var aliasLike = regexp.MustCompile(`^[a-zA-Z0-9_-]*[a-zA-Z_-][a-zA-Z0-9_-]*$`)

// policyTarget checks that the qualifier of a policy operation (policyAdd,
// policyRemove, policyGet) names something that exists and returns the
// key of its policy ("" for the function) and the ARN statements name.
// A qualifier naming nothing is, for AddPermission and RemovePermission,
// "Cannot find alias arn: ..." when it could be an alias name and
// "Function not found: ..." otherwise; GetPolicy answers as for a
// missing policy.
func (s *Service) policyTarget(fn *function, q string, op int) (string, string, error) {
	switch {
	case q == "":
		return "", s.functionARN(fn.Name), nil
	case q == latest:
		if op == policyAdd {
			return "", "", invalidParameter("We currently do not support adding policies for $LATEST.")
		}
		return "", s.functionARN(fn.Name), nil
	case isVersionNumber(q) && fn.versionNamed(q) != nil, fn.Aliases[q] != nil:
		return q, s.qualifiedARN(fn.Name, q), nil
	case op == policyGet:
		return "", "", ErrResourceNotFound
	case aliasLike.MatchString(q):
		return "", "", aliasNotFoundByGet(s.qualifiedARN(fn.Name, q))
	}
	return "", "", functionNotFound(s.qualifiedARN(fn.Name, q))
}

// targetRevision is the RevisionId of what a policy belongs to, the
// version's or the alias's: Lambda reports it as the policy's revision,
// and AddPermission and RemovePermission check a given RevisionId
// against it.
func (fn *function) targetRevision(q string) string {
	if a := fn.Aliases[q]; a != nil {
		return deref(a.RevisionId)
	}
	if v := fn.versionNamed(cmp.Or(q, latest)); v != nil {
		return deref(v.Config.RevisionId)
	}
	return ""
}

// bumpRevision gives what the policy of qualifier q belongs to (a version
// or an alias of fn, a clone) a new RevisionId, as a change to its policy
// does in Lambda, and records the change in w. It returns the new
// revision.
func (s *Service) bumpRevision(fn *function, w *writes, q string) string {
	rev := s.ids.UUID()
	if a := fn.Aliases[q]; a != nil {
		c := copyAlias(a)
		c.RevisionId = ptr(rev)
		fn.Aliases[q] = c
		w.put(aliasKey(fn.Name, q), c)
		return rev
	}
	v := fn.versionNamed(cmp.Or(q, latest))
	if v == nil {
		return rev
	}
	nv := *v
	nv.Config = copyConfig(&v.Config)
	nv.Config.RevisionId = ptr(rev)
	if nv.Number == 0 {
		fn.Latest = &nv
	} else {
		i := slices.Index(fn.Versions, v)
		fn.Versions[i] = &nv
	}
	w.putVersion(fn.Name, &nv)
	return rev
}

// addPermission adds a statement to the resource-based policy of a
// function, version or alias. Policies are stored and shown; enforcing
// them comes with IAM.
func (s *Service) addPermission(ctx context.Context, in *AddPermissionRequest) (*AddPermissionResponse, error) {
	t, err := s.parseTarget(*in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	fn := s.functions[t.Name]
	if fn == nil {
		return nil, functionNotFound(s.arn(t))
	}
	key, resource, err := s.policyTarget(fn, t.Qualifier, policyAdd)
	if err != nil {
		return nil, err
	}
	cur := fn.Policies[key]
	if in.RevisionId != nil && *in.RevisionId != fn.targetRevision(key) {
		return nil, ErrPreconditionFailed
	}
	st := policyStatement{
		Sid: *in.StatementId, Effect: "Allow", Principal: principal(*in.Principal),
		Action: *in.Action, Resource: resource,
	}
	if in.FunctionUrlAuthType != nil {
		st.condition("StringEquals", "lambda:FunctionUrlAuthType", ptr(string(*in.FunctionUrlAuthType)))
	}
	if in.InvokedViaFunctionUrl != nil && *in.InvokedViaFunctionUrl {
		// The statement then applies to invocations through a function
		// URL only, which carry lambda:InvokedViaFunctionUrl.
		st.condition("Bool", "lambda:InvokedViaFunctionUrl", ptr("true"))
	}
	st.condition("StringEquals", "lambda:EventSourceToken", in.EventSourceToken)
	st.condition("StringEquals", "aws:PrincipalOrgID", in.PrincipalOrgID)
	st.condition("StringEquals", "AWS:SourceAccount", in.SourceAccount)
	st.condition("ArnLike", "AWS:SourceArn", in.SourceArn)
	p, rendered, err := cur.with(st)
	if err != nil {
		return nil, err
	}
	fn = fn.clone()
	fn.Policies[key] = p
	w := s.newWrites()
	p.RevisionID = s.bumpRevision(fn, w, key)
	w.put(policyKey(fn.Name, key), p)
	if err := s.commitFunction(w, fn); err != nil {
		return nil, err
	}
	return &AddPermissionResponse{Statement: ptr(string(rendered))}, nil
}

// with returns a copy of p (nil for no policy yet) with st added, and
// st as rendered: a statement id may be used once, and the document
// must stay within the policy size limit.
func (p *policy) with(st policyStatement) (*policy, []byte, error) {
	rendered, err := json.Marshal(st)
	if err != nil {
		return nil, nil, err
	}
	out := &policy{}
	if p != nil {
		if slices.ContainsFunc(p.Statements, func(raw json.RawMessage) bool { return statementID(raw) == st.Sid }) {
			return nil, nil, ErrResourceConflict.Withf("The statement id (%s) provided already exists. Please provide a new statement id, or remove the existing statement.", st.Sid)
		}
		out.Statements = slices.Clone(p.Statements)
	}
	out.Statements = append(out.Statements, rendered)
	if doc := renderPolicy(out); len(doc) > maxPolicyBytes {
		return nil, nil, ErrPolicyLengthExceeded.Withf("The final policy size (%d) is bigger than the limit (%d).", len(doc), maxPolicyBytes)
	}
	return out, rendered, nil
}

// without returns a copy of p without the statement sid, and whether p
// had it.
func (p *policy) without(sid string) (*policy, bool) {
	out := &policy{}
	found := false
	for _, raw := range p.Statements {
		if statementID(raw) == sid {
			found = true
			continue
		}
		out.Statements = append(out.Statements, raw)
	}
	return out, found
}

// statementID is the Sid of a rendered statement.
func statementID(raw json.RawMessage) string {
	var st struct{ Sid string }
	_ = json.Unmarshal(raw, &st)
	return st.Sid
}

// statementNotFound is RemovePermission's and
// RemoveLayerVersionPermission's answer for a statement id the policy
// does not have.
func statementNotFound(sid string) error {
	return ErrResourceNotFound.Withf("Statement %s is not found in resource policy.", sid)
}

// errNoPolicy is the answer for removing from a policy that does not
// exist.
var errNoPolicy = ErrResourceNotFound.WithMessage("No policy is associated with the given resource.")

func renderPolicy(p *policy) string {
	b, _ := json.Marshal(policyDocument{Version: "2012-10-17", ID: "default", Statement: p.Statements})
	return string(b)
}

// removePermission removes a statement from a policy.
func (s *Service) removePermission(ctx context.Context, in *RemovePermissionRequest) (*noOutput, error) {
	t, err := s.parseTarget(*in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	fn := s.functions[t.Name]
	if fn == nil {
		return nil, ErrResourceNotFound.Withf("No policy found for: %s", s.functionARN(t.Name))
	}
	key, _, err := s.policyTarget(fn, t.Qualifier, policyRemove)
	if err != nil {
		return nil, err
	}
	cur := fn.Policies[key]
	if cur == nil {
		return nil, errNoPolicy
	}
	if in.RevisionId != nil && *in.RevisionId != fn.targetRevision(key) {
		return nil, ErrPreconditionFailed
	}
	p, ok := cur.without(*in.StatementId)
	if !ok {
		return nil, statementNotFound(*in.StatementId)
	}
	fn = fn.clone()
	w := s.newWrites()
	p.RevisionID = s.bumpRevision(fn, w, key)
	if len(p.Statements) == 0 {
		delete(fn.Policies, key)
		w.del(policyKey(fn.Name, key))
	} else {
		fn.Policies[key] = p
		w.put(policyKey(fn.Name, key), p)
	}
	return nil, s.commitFunction(w, fn)
}

// getPolicy returns the resource-based policy of a function, version or
// alias.
func (s *Service) getPolicy(ctx context.Context, in *GetPolicyRequest) (*GetPolicyResponse, error) {
	t, err := s.parseTarget(*in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	fn := s.functions[t.Name]
	if fn == nil {
		return nil, functionNotFound(s.arn(t))
	}
	key, _, err := s.policyTarget(fn, t.Qualifier, policyGet)
	if err != nil {
		return nil, err
	}
	p := fn.Policies[key]
	if p == nil {
		return nil, ErrResourceNotFound
	}
	return &GetPolicyResponse{Policy: ptr(renderPolicy(p)), RevisionId: ptr(fn.targetRevision(key))}, nil
}
