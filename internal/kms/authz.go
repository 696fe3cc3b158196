package kms

import (
	"context"
	"strings"

	"github.com/virga/virga/internal/awsproto"
)

// resources names the key a call acts on, for IAM authorization: its
// key ARN, from KeyId (or TargetKeyId) in any of its forms. An alias
// that names no key yet (an AWS managed key's, which the operation
// makes) and calls on no key (CreateKey, ListKeys) act on "*".
func (s *Service) resources(c *awsproto.Call, in any) []string {
	ref := awsproto.InputString(in, "KeyId")
	if ref == "" {
		ref = awsproto.InputString(in, "TargetKeyId")
	}
	if ref == "" {
		return nil
	}
	if id := keyIDFromARN(ref); id != "" {
		return []string{ref}
	}
	name := ref
	if strings.HasPrefix(ref, "arn:") {
		name = aliasFromARN(ref)
	}
	if !strings.HasPrefix(name, "alias/") {
		if !validKeyID(name) {
			return nil
		}
		return []string{s.keyARN(strings.ToLower(name))}
	}
	a, err := s.loadAlias(name)
	if err != nil || a == nil {
		return nil
	}
	return []string{s.keyARN(a.KeyID)}
}

// resourcePolicy is a key's key policy. KMS requires it to allow every
// use of the key: the default policy does so by naming the account,
// which hands the decision to IAM policies.
func (s *Service) resourcePolicy(ctx context.Context, arn string) (string, error) {
	id := keyIDFromARN(arn)
	if id == "" {
		return "", nil
	}
	// Read the record as stored: loadKey's housekeeping (rotation,
	// deletion) belongs to the operation, under s.mu.
	k, err := getJSON[key](s.store, keyKey(strings.ToLower(id)))
	if err != nil || k == nil {
		return "", err
	}
	return k.Policy, nil
}
