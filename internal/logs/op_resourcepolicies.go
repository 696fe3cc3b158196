package logs

import (
	"context"
	"encoding/json"
	"sort"

	"github.com/virga/virga/internal/store/keys"
)

// maxResourcePolicies is the number of resource policies an account may
// have: "An account can have up to 10 resource policies per AWS Region."
const maxResourcePolicies = 10

// resourcePolicy is an account's resource policy, which lets AWS
// services put log events into its log groups.
type resourcePolicy struct {
	Name     string `json:"name"`
	Document string `json:"document"`
	Updated  int64  `json:"updated"` // epoch ms
}

func resourcePolicyKey(name string) []byte { return keys.AppendString(base("respolicy"), name) }

func (p *resourcePolicy) shape() ResourcePolicy {
	return ResourcePolicy{PolicyName: ptr(p.Name), PolicyDocument: ptr(p.Document), LastUpdatedTime: ptr(p.Updated)}
}

// putResourcePolicy creates or replaces the policy policyName names.
func (s *Service) putResourcePolicy(ctx context.Context, in *PutResourcePolicyRequest) (*PutResourcePolicyResponse, error) {
	name, doc := deref(in.PolicyName), deref(in.PolicyDocument)
	if name == "" {
		return nil, ErrInvalidParameter.WithMessage("policyName is required.")
	}
	if doc == "" {
		return nil, ErrInvalidParameter.WithMessage("policyDocument is required.")
	}
	var parsed map[string]any
	if json.Unmarshal([]byte(doc), &parsed) != nil || parsed == nil {
		return nil, ErrInvalidParameter.WithMessage("Invalid policy document: it must be a JSON object.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	all, err := s.resourcePolicies()
	if err != nil {
		return nil, err
	}
	exists := false
	for _, p := range all {
		exists = exists || p.Name == name
	}
	if !exists && len(all) >= maxResourcePolicies {
		return nil, ErrLimitExceeded.WithMessage("Resource limit exceeded.")
	}
	p := &resourcePolicy{Name: name, Document: doc, Updated: s.clock.Now().UnixMilli()}
	b := s.store.NewBatch()
	defer b.Close()
	if err := setJSON(b, resourcePolicyKey(name), p); err != nil {
		return nil, err
	}
	if err := b.Commit(); err != nil {
		return nil, err
	}
	sh := p.shape()
	return &PutResourcePolicyResponse{ResourcePolicy: &sh}, nil
}

// describeResourcePolicies lists the account's resource policies by
// name; there are never more than a page of them.
func (s *Service) describeResourcePolicies(ctx context.Context, in *DescribeResourcePoliciesRequest) (*DescribeResourcePoliciesResponse, error) {
	s.mu.Lock()
	all, err := s.resourcePolicies()
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	out := &DescribeResourcePoliciesResponse{ResourcePolicies: []ResourcePolicy{}}
	for _, p := range all {
		out.ResourcePolicies = append(out.ResourcePolicies, p.shape())
	}
	return out, nil
}

// deleteResourcePolicy deletes the policy policyName names.
func (s *Service) deleteResourcePolicy(ctx context.Context, in *DeleteResourcePolicyRequest) (*noOutput, error) {
	name := deref(in.PolicyName)
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := getJSON[resourcePolicy](s.store, resourcePolicyKey(name))
	if err != nil {
		return nil, err
	}
	if p == nil {
		return nil, ErrResourceNotFound.WithMessage("The specified resource policy does not exist.")
	}
	b := s.store.NewBatch()
	defer b.Close()
	b.Delete(resourcePolicyKey(name))
	if err := b.Commit(); err != nil {
		return nil, err
	}
	return &noOutput{}, nil
}

// resourcePolicies reads the account's resource policies, by name. The
// caller holds s.mu.
func (s *Service) resourcePolicies() ([]*resourcePolicy, error) {
	p := base("respolicy")
	it, err := s.store.NewIter(p, keys.PrefixEnd(p))
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var out []*resourcePolicy
	for ok := it.First(); ok; ok = it.Next() {
		rp := &resourcePolicy{}
		if err := json.Unmarshal(it.Value(), rp); err != nil {
			return nil, err
		}
		out = append(out, rp)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, it.Error()
}
