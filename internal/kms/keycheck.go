package kms

// CheckEncryptionKey reports whether the key a KeyId (key id, key ARN,
// alias name or alias ARN) names can encrypt and decrypt data now, as a
// service that encrypts with it (Secrets Manager, Parameter Store)
// finds out: nil, or KMS's own error (NotFoundException,
// DisabledException, KMSInvalidStateException for a key pending
// deletion, InvalidKeyUsageException for a key that is not a symmetric
// encryption key). An AWS managed key's alias makes the key, as its
// first use does on AWS.
func (s *Service) CheckEncryptionKey(ref string) error {
	_, err := s.EncryptionKeyARN(ref)
	return err
}

// EncryptionKeyARN is CheckEncryptionKey that also returns the key's
// ARN, which a service that encrypts with the key reports (S3's
// x-amz-server-side-encryption-aws-kms-key-id).
func (s *Service) EncryptionKeyARN(ref string) (string, error) {
	k, err := s.lockedForUse(ref, usageEncrypt, "Encrypt")
	if err != nil {
		return "", err
	}
	if k.Spec != specSymmetric {
		return "", ErrInvalidKeyUsage.WithMessage(k.ARN + " is not a symmetric encryption KMS key.")
	}
	return k.ARN, nil
}
