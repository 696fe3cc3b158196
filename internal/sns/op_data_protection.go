package sns

import (
	"context"

	"github.com/virga/virga/internal/store"
)

// Data protection policies are stored and returned as given; virga does
// not audit, mask or deny anything by them.

// checkDataProtectionPolicy checks that a policy is a JSON object of at
// most 30,720 characters.
func checkDataProtectionPolicy(p string) error {
	if len(p) > maxDataProtectionPolicyLength || !isJSONObject(p) {
		return invalidParameter("DataProtectionPolicy")
	}
	return nil
}

func (s *Service) getDataProtectionPolicy(ctx context.Context, in *GetDataProtectionPolicyInput) (*GetDataProtectionPolicyResponse, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	t, err := s.taggedTopic(*in.ResourceArn)
	if err != nil {
		return nil, err
	}
	out := &GetDataProtectionPolicyResponse{}
	if p := t.rec.DataProtectionPolicy; p != "" {
		out.DataProtectionPolicy = ptr(p)
	}
	return out, nil
}

func (s *Service) putDataProtectionPolicy(ctx context.Context, in *PutDataProtectionPolicyInput) (*noOutput, error) {
	if err := checkDataProtectionPolicy(*in.DataProtectionPolicy); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.taggedTopic(*in.ResourceArn)
	if err != nil {
		return nil, err
	}
	rec := t.rec
	rec.DataProtectionPolicy = *in.DataProtectionPolicy
	if err := commit(s.store, func(b store.Batch) { b.Set(topicKey(t.name), mustJSON(rec)) }); err != nil {
		return nil, err
	}
	t.rec = rec
	return &noOutput{}, nil
}
