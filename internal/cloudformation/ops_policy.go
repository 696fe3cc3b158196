package cloudformation

import (
	"context"
	"encoding/json"

	"github.com/virga/virga/internal/s3url"
)

// Stack policies: SetStackPolicy, GetStackPolicy, and the StackPolicyBody
// and StackPolicyURL of CreateStack and UpdateStack keep a stack's policy
// as given, once it is a JSON object with a Statement list. The policy is
// not enforced: updates change every resource whatever it says.

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
