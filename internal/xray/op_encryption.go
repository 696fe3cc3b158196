package xray

import (
	"context"
	"encoding/json"
)

// getEncryptionConfig returns the encryption configuration: X-Ray's own
// encryption (NONE) until PutEncryptionConfig sets a KMS key.
func (s *Service) getEncryptionConfig(ctx context.Context, in *GetEncryptionConfigRequest) (*GetEncryptionConfigResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.encryption
	return &GetEncryptionConfigResult{EncryptionConfig: &c}, nil
}

// putEncryptionConfig records the encryption configuration. The change is
// done when the call answers, so its status is ACTIVE, never UPDATING;
// nothing is encrypted with the key.
func (s *Service) putEncryptionConfig(ctx context.Context, in *PutEncryptionConfigRequest) (*PutEncryptionConfigResult, error) {
	c := EncryptionConfig{Type: in.Type, Status: ptr(EncryptionStatus("ACTIVE"))}
	switch *in.Type {
	case "KMS":
		if in.KeyId == nil {
			return nil, invalid("KeyId is required when Type is KMS")
		}
		c.KeyId = in.KeyId
	case "NONE":
		if in.KeyId != nil {
			return nil, invalid("KeyId must not be specified when Type is NONE")
		}
	}
	v, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.store.NewBatch()
	defer b.Close()
	b.Set(encryptionKey(s.account), v)
	if err := b.Commit(); err != nil {
		return nil, err
	}
	s.encryption = c
	return &PutEncryptionConfigResult{EncryptionConfig: &c}, nil
}
