package cloudformation

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/virga/virga/internal/s3url"
	"github.com/virga/virga/internal/wildcard"
)

// Stack policies: SetStackPolicy, GetStackPolicy, and the StackPolicyBody
// and StackPolicyURL of CreateStack and UpdateStack keep a stack's policy
// as given, once it is a JSON object with a Statement list. An update
// (UpdateStack, or a change set's execution) that would modify, replace
// or delete a resource the policy does not allow it to fails before it
// changes anything, and rolls back (policyDenial). UpdateStack's
// StackPolicyDuringUpdateBody (or URL) governs that update in place of
// the stack's policy; its StackPolicyBody becomes the stack's policy,
// which governs the updates after it.

// maxStackPolicy is a stack policy's size limit: "maximum size: 16 KB".
const maxStackPolicy = 16384

// errInvalidStackPolicy is CloudFormation's answer for a policy that is
// not one.
var errInvalidStackPolicy = ErrValidation.WithMessage("Error validating stack policy: Invalid stack policy")

// stackPolicy returns the policy a request gives, by body or by URL, or
// "" when it gives none.
func (s *Service) stackPolicy(ctx context.Context, body, url *string) (string, error) {
	b, u := deref(body), deref(url)
	switch {
	case b != "" && u != "":
		return "", ErrValidation.WithMessage("You cannot specify both StackPolicyURL and StackPolicyBody")
	case u != "":
		obj, err := s3url.Parse(u, s.localHosts()...)
		if err != nil {
			return "", ErrValidation.WithMessage("StackPolicyURL must be an Amazon S3 URL.")
		}
		data, err := s.readObject(ctx, obj, maxStackPolicy)
		if err != nil {
			return "", err
		}
		b = string(data)
	case b == "":
		return "", nil
	}
	var policy struct {
		Statement []json.RawMessage
	}
	if err := json.Unmarshal([]byte(b), &policy); err != nil || len(policy.Statement) == 0 {
		return "", errInvalidStackPolicy
	}
	return b, nil
}

func (s *Service) setStackPolicy(ctx context.Context, in *SetStackPolicyInput) (*noOutput, error) {
	policy, err := s.stackPolicy(ctx, in.StackPolicyBody, in.StackPolicyURL)
	if err != nil {
		return nil, err
	}
	if policy == "" {
		return nil, errInvalidStackPolicy
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.find(*in.StackName)
	if st == nil || !st.rec.Deleted.IsZero() {
		return nil, missing(*in.StackName)
	}
	st.rec.Policy = policy
	if err := s.save(st); err != nil {
		return nil, err
	}
	return &noOutput{}, nil
}

func (s *Service) getStackPolicy(ctx context.Context, in *GetStackPolicyInput) (*GetStackPolicyOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.find(*in.StackName)
	if st == nil || !st.rec.Deleted.IsZero() {
		return nil, missing(*in.StackName)
	}
	return &GetStackPolicyOutput{StackPolicyBody: optional(st.rec.Policy)}, nil
}

// policyStatement is one statement of a stack policy. Action, Resource
// and their Not forms are a string or a list of them.
type policyStatement struct {
	Effect      string
	Action      stringList
	NotAction   stringList
	Resource    stringList
	NotResource stringList
	Condition   map[string]map[string]stringList
}

// stringList is a policy value that is a string or a list of strings.
type stringList []string

func (l *stringList) UnmarshalJSON(b []byte) error {
	var one string
	if json.Unmarshal(b, &one) == nil {
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

// matches reports whether one of the patterns matches s, "*" standing
// for any run of characters.
func (l stringList) matches(s string) bool {
	for _, p := range l {
		if wildcard.Match(p, s, 0) {
			return true
		}
	}
	return false
}

// applies reports whether the statement covers action on the resource
// of the logical ID and type.
func (ps policyStatement) applies(action, logicalID, typ string) bool {
	resource := "LogicalResourceId/" + logicalID
	if (ps.Action != nil && !ps.Action.matches(action)) || (ps.NotAction != nil && ps.NotAction.matches(action)) {
		return false
	}
	if (ps.Resource != nil && !ps.Resource.matches(resource)) || (ps.NotResource != nil && ps.NotResource.matches(resource)) {
		return false
	}
	for op, keys := range ps.Condition {
		values, ok := keys["ResourceType"]
		if !ok {
			continue
		}
		switch op {
		case "StringEquals":
			if !slices.Contains(values, typ) {
				return false
			}
		case "StringLike":
			if !values.matches(typ) {
				return false
			}
		}
	}
	return true
}

// policyDenial is why the stack policy refuses the update's change to a
// resource (Update:Modify, Update:Replace or Update:Delete), "" when it
// allows it or the stack has no policy: an explicit Deny wins, and a
// change no statement allows is refused.
func policyDenial(policy string, ch changeRecord) string {
	if policy == "" {
		return ""
	}
	var action string
	switch {
	case ch.Action == "Remove":
		action = "Update:Delete"
	case ch.Action == "Modify" && ch.Replacement == "True":
		action = "Update:Replace"
	case ch.Action == "Modify":
		action = "Update:Modify"
	default:
		return ""
	}
	var doc struct{ Statement []policyStatement }
	if json.Unmarshal([]byte(policy), &doc) != nil {
		return ""
	}
	allowed := false
	for i, ps := range doc.Statement {
		if !ps.applies(action, ch.LogicalID, ch.Type) {
			continue
		}
		if ps.Effect == "Deny" {
			return fmt.Sprintf("Action denied by stack policy: Statement [#%d] does not allow [%s] for resource [LogicalResourceId/%s]", i+1, action, ch.LogicalID)
		}
		allowed = allowed || ps.Effect == "Allow"
	}
	if !allowed {
		return fmt.Sprintf("Action denied by stack policy: No statement allows [%s] for resource [LogicalResourceId/%s]", action, ch.LogicalID)
	}
	return ""
}
