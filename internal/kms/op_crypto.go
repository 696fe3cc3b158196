package kms

import (
	"context"
	"crypto/ecdsa"
	"crypto/hmac"
	"crypto/rsa"
	"fmt"
	"io"
	"slices"
	"strings"

	k1ecdsa "github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
)

// Algorithm names.
const (
	algSymmetric = "SYMMETRIC_DEFAULT"
	messageRaw   = "RAW"
	messageHash  = "DIGEST"
)

// Data key sizes of GenerateDataKey's KeySpec.
var dataKeySizes = map[DataKeySpec]int{"AES_128": 16, "AES_256": 32}

// maxOAEPPlaintext is the most an RSA key encrypts with OAEP: the
// modulus size less two hashes and two bytes (RSA_2048 with SHA-256:
// 190 bytes, as the KMS documentation lists).
func maxOAEPPlaintext(k *rsa.PrivateKey, alg string) int {
	return k.Size() - 2*algorithmHash(alg).Size() - 2
}

// lockedForUse is forUse under s.mu.
func (s *Service) lockedForUse(ref, usage, op string) (*key, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.forUse(ref, usage, op)
}

func algorithmError(k *key, alg string) error {
	return ErrInvalidKeyUsage.WithMessage(fmt.Sprintf("Algorithm %s is incompatible with key spec %s.", alg, k.Spec))
}

// encryptWith encrypts plain under k's newest key material.
func (s *Service) encryptWith(k *key, alg string, plain []byte, ec map[string]string) ([]byte, error) {
	if !slices.Contains(encryptionAlgorithms(k.Spec, k.Usage), EncryptionAlgorithmSpec(alg)) {
		return nil, algorithmError(k, alg)
	}
	m, err := s.material(k, -1)
	if err != nil {
		return nil, err
	}
	if k.Spec == specSymmetric {
		nonce, err := randomBytes(s.rand, nonceLength)
		if err != nil {
			return nil, err
		}
		return sealBlob(m, k.ID, uint32(len(k.Material)-1), nonce, plain, ec)
	}
	if len(ec) > 0 {
		return nil, ErrValidation.WithMessage("EncryptionContext is not supported with asymmetric KMS keys.")
	}
	a, err := parseAsymmetric(k.Spec, m)
	if err != nil {
		return nil, err
	}
	if len(plain) > maxOAEPPlaintext(a.rsa, alg) {
		return nil, ErrValidation.WithMessage(fmt.Sprintf("Plaintext is too long for %s with %s: at most %d bytes.", alg, k.Spec, maxOAEPPlaintext(a.rsa, alg)))
	}
	return rsa.EncryptOAEP(algorithmHash(alg).New(), s.rand, &a.rsa.PublicKey, plain, nil)
}

// decryptBlob decrypts a ciphertext blob. Without a KeyId the blob must
// be symmetric, and names its key; with one, the key must be the one
// the blob names (IncorrectKeyException otherwise).
func (s *Service) decryptBlob(ref string, blob []byte, ec map[string]string, alg string, op string) (*key, []byte, error) {
	if alg == "" {
		alg = algSymmetric
	}
	s.mu.Lock()
	var k *key
	var err error
	var h blobHeader
	if ref != "" {
		k, err = s.forUse(ref, usageEncrypt, op)
	}
	if err == nil && (k == nil || k.Spec == specSymmetric) {
		var perr error
		h, _, perr = parseBlob(blob)
		switch {
		case k == nil && alg != algSymmetric:
			err = ErrValidation.WithMessage("KeyId is required to decrypt with an asymmetric KMS key.")
		case perr != nil:
			err = ErrInvalidCiphertext
		case k != nil && h.KeyID != k.ID:
			err = ErrIncorrectKey
		case k == nil:
			k, err = s.loadKey(h.KeyID)
			if err == nil && k == nil {
				err = ErrInvalidCiphertext
			}
			if err == nil {
				err = k.usable()
			}
		}
	}
	s.mu.Unlock()
	if err != nil {
		return nil, nil, err
	}
	if !slices.Contains(encryptionAlgorithms(k.Spec, k.Usage), EncryptionAlgorithmSpec(alg)) {
		return nil, nil, algorithmError(k, alg)
	}
	if k.Spec == specSymmetric {
		if int(h.Generation) >= len(k.Material) {
			return nil, nil, ErrInvalidCiphertext
		}
		m, err := s.material(k, int(h.Generation))
		if err != nil {
			return nil, nil, err
		}
		plain, err := openBlob(m, blob, h, ec)
		if err != nil {
			return nil, nil, ErrInvalidCiphertext
		}
		return k, plain, nil
	}
	m, err := s.material(k, -1)
	if err != nil {
		return nil, nil, err
	}
	a, err := parseAsymmetric(k.Spec, m)
	if err != nil {
		return nil, nil, err
	}
	plain, err := rsa.DecryptOAEP(algorithmHash(alg).New(), nil, a.rsa, blob, nil)
	if err != nil {
		return nil, nil, ErrInvalidCiphertext
	}
	return k, plain, nil
}

func algOrDefault(a *EncryptionAlgorithmSpec) string {
	if a == nil || *a == "" {
		return algSymmetric
	}
	return string(*a)
}

func (s *Service) encrypt(_ context.Context, in *EncryptRequest) (*EncryptResponse, error) {
	k, err := s.lockedForUse(deref(in.KeyId), usageEncrypt, "Encrypt")
	if err != nil {
		return nil, err
	}
	alg := algOrDefault(in.EncryptionAlgorithm)
	blob, err := s.encryptWith(k, alg, in.Plaintext, in.EncryptionContext)
	if err != nil {
		return nil, err
	}
	return &EncryptResponse{CiphertextBlob: blob, KeyId: ptr(k.ARN), EncryptionAlgorithm: ptr(EncryptionAlgorithmSpec(alg))}, nil
}

func (s *Service) decrypt(_ context.Context, in *DecryptRequest) (*DecryptResponse, error) {
	alg := algOrDefault(in.EncryptionAlgorithm)
	k, plain, err := s.decryptBlob(deref(in.KeyId), in.CiphertextBlob, in.EncryptionContext, alg, "Decrypt")
	if err != nil {
		return nil, err
	}
	return &DecryptResponse{KeyId: ptr(k.ARN), Plaintext: plain, EncryptionAlgorithm: ptr(EncryptionAlgorithmSpec(alg))}, nil
}

func (s *Service) reEncrypt(_ context.Context, in *ReEncryptRequest) (*ReEncryptResponse, error) {
	srcAlg := algOrDefault(in.SourceEncryptionAlgorithm)
	src, plain, err := s.decryptBlob(deref(in.SourceKeyId), in.CiphertextBlob, in.SourceEncryptionContext, srcAlg, "ReEncrypt")
	if err != nil {
		return nil, err
	}
	dst, err := s.lockedForUse(deref(in.DestinationKeyId), usageEncrypt, "ReEncrypt")
	if err != nil {
		return nil, err
	}
	dstAlg := algOrDefault(in.DestinationEncryptionAlgorithm)
	blob, err := s.encryptWith(dst, dstAlg, plain, in.DestinationEncryptionContext)
	if err != nil {
		return nil, err
	}
	return &ReEncryptResponse{CiphertextBlob: blob, SourceKeyId: ptr(src.ARN), KeyId: ptr(dst.ARN),
		SourceEncryptionAlgorithm: ptr(EncryptionAlgorithmSpec(srcAlg)), DestinationEncryptionAlgorithm: ptr(EncryptionAlgorithmSpec(dstAlg))}, nil
}

// dataKey makes a data key of the requested size and encrypts it under
// the symmetric key ref names.
func (s *Service) dataKey(ref string, n *int32, spec *DataKeySpec, ec map[string]string, op string) (*key, []byte, []byte, error) {
	size := 0
	switch {
	case n != nil && spec != nil, n == nil && spec == nil:
		return nil, nil, nil, ErrValidation.WithMessage("Please specify either number of bytes or key spec.")
	case n != nil:
		size = int(*n)
	default:
		size = dataKeySizes[*spec]
	}
	k, err := s.lockedForUse(ref, usageEncrypt, op)
	if err != nil {
		return nil, nil, nil, err
	}
	if k.Spec != specSymmetric {
		return nil, nil, nil, ErrInvalidKeyUsage.WithMessage(k.ARN + " is not a symmetric encryption KMS key.")
	}
	plain, err := randomBytes(s.rand, size)
	if err != nil {
		return nil, nil, nil, err
	}
	blob, err := s.encryptWith(k, algSymmetric, plain, ec)
	return k, plain, blob, err
}

func (s *Service) generateDataKey(_ context.Context, in *GenerateDataKeyRequest) (*GenerateDataKeyResponse, error) {
	k, plain, blob, err := s.dataKey(deref(in.KeyId), in.NumberOfBytes, in.KeySpec, in.EncryptionContext, "GenerateDataKey")
	if err != nil {
		return nil, err
	}
	return &GenerateDataKeyResponse{CiphertextBlob: blob, Plaintext: plain, KeyId: ptr(k.ARN)}, nil
}

func (s *Service) generateDataKeyWithoutPlaintext(_ context.Context, in *GenerateDataKeyWithoutPlaintextRequest) (*GenerateDataKeyWithoutPlaintextResponse, error) {
	k, _, blob, err := s.dataKey(deref(in.KeyId), in.NumberOfBytes, in.KeySpec, in.EncryptionContext, "GenerateDataKeyWithoutPlaintext")
	if err != nil {
		return nil, err
	}
	return &GenerateDataKeyWithoutPlaintextResponse{CiphertextBlob: blob, KeyId: ptr(k.ARN)}, nil
}

// dataKeyPair makes a key pair and encrypts its private key under the
// symmetric key ref names.
func (s *Service) dataKeyPair(ref string, spec DataKeyPairSpec, ec map[string]string, op string) (k *key, private, public, blob []byte, err error) {
	if spec == "SM2" {
		return nil, nil, nil, nil, ErrUnsupportedOperation.WithMessage("KeyPairSpec SM2 is supported only in China Regions.")
	}
	k, err = s.lockedForUse(ref, usageEncrypt, op)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	if k.Spec != specSymmetric {
		return nil, nil, nil, nil, ErrInvalidKeyUsage.WithMessage(k.ARN + " is not a symmetric encryption KMS key.")
	}
	m, err := newMaterial(string(spec), s.rand)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	a, err := parseAsymmetric(string(spec), m)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	if private, err = a.privateKeyDER(); err != nil {
		return nil, nil, nil, nil, err
	}
	if public, err = a.publicKeyDER(); err != nil {
		return nil, nil, nil, nil, err
	}
	blob, err = s.encryptWith(k, algSymmetric, private, ec)
	return k, private, public, blob, err
}

func (s *Service) generateDataKeyPair(_ context.Context, in *GenerateDataKeyPairRequest) (*GenerateDataKeyPairResponse, error) {
	k, private, public, blob, err := s.dataKeyPair(deref(in.KeyId), deref(in.KeyPairSpec), in.EncryptionContext, "GenerateDataKeyPair")
	if err != nil {
		return nil, err
	}
	return &GenerateDataKeyPairResponse{PrivateKeyCiphertextBlob: blob, PrivateKeyPlaintext: private, PublicKey: public,
		KeyId: ptr(k.ARN), KeyPairSpec: in.KeyPairSpec}, nil
}

func (s *Service) generateDataKeyPairWithoutPlaintext(_ context.Context, in *GenerateDataKeyPairWithoutPlaintextRequest) (*GenerateDataKeyPairWithoutPlaintextResponse, error) {
	k, _, public, blob, err := s.dataKeyPair(deref(in.KeyId), deref(in.KeyPairSpec), in.EncryptionContext, "GenerateDataKeyPairWithoutPlaintext")
	if err != nil {
		return nil, err
	}
	return &GenerateDataKeyPairWithoutPlaintextResponse{PrivateKeyCiphertextBlob: blob, PublicKey: public, KeyId: ptr(k.ARN), KeyPairSpec: in.KeyPairSpec}, nil
}

func (s *Service) generateRandom(_ context.Context, in *GenerateRandomRequest) (*GenerateRandomResponse, error) {
	if in.CustomKeyStoreId != nil {
		return nil, ErrUnsupportedOperation.WithMessage("Custom key stores are not supported.")
	}
	if in.NumberOfBytes == nil {
		return nil, ErrValidation.WithMessage("NumberOfBytes is required.")
	}
	b, err := randomBytes(s.rand, int(*in.NumberOfBytes))
	if err != nil {
		return nil, err
	}
	return &GenerateRandomResponse{Plaintext: b}, nil
}

// signingKey resolves a key for Sign or Verify and returns its private
// key and the digest the algorithm signs: the message's hash for RAW,
// the message itself for DIGEST, which must be as long as the hash.
func (s *Service) signingKey(ref string, alg SigningAlgorithmSpec, msgType *MessageType, msg []byte, op string) (*key, asymmetric, []byte, error) {
	k, err := s.lockedForUse(ref, usageSign, op)
	if err != nil {
		return nil, asymmetric{}, nil, err
	}
	if !slices.Contains(signingAlgorithms(k.Spec, k.Usage), alg) {
		return nil, asymmetric{}, nil, algorithmError(k, string(alg))
	}
	h := algorithmHash(string(alg))
	digest := msg
	switch t := string(deref(msgType)); t {
	case "", messageRaw:
		hh := h.New()
		hh.Write(msg)
		digest = hh.Sum(nil)
	case messageHash:
		if len(msg) != h.Size() {
			return nil, asymmetric{}, nil, ErrValidation.WithMessage(fmt.Sprintf("Digest is invalid length for algorithm %s.", alg))
		}
	}
	m, err := s.material(k, -1)
	if err != nil {
		return nil, asymmetric{}, nil, err
	}
	a, err := parseAsymmetric(k.Spec, m)
	return k, a, digest, err
}

func signDigest(a asymmetric, alg string, digest []byte, rnd io.Reader) ([]byte, error) {
	h := algorithmHash(alg)
	switch {
	case a.k1 != nil:
		return k1ecdsa.Sign(a.k1, digest).Serialize(), nil
	case a.ec != nil:
		return ecdsa.SignASN1(rnd, a.ec, digest)
	case strings.HasPrefix(alg, "RSASSA_PSS"):
		return rsa.SignPSS(rnd, a.rsa, h, digest, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
	}
	return rsa.SignPKCS1v15(nil, a.rsa, h, digest)
}

func verifyDigest(a asymmetric, alg string, digest, sig []byte) bool {
	h := algorithmHash(alg)
	switch {
	case a.k1 != nil:
		parsed, err := k1ecdsa.ParseDERSignature(sig)
		return err == nil && parsed.Verify(digest, a.k1.PubKey())
	case a.ec != nil:
		return ecdsa.VerifyASN1(&a.ec.PublicKey, digest, sig)
	case strings.HasPrefix(alg, "RSASSA_PSS"):
		return rsa.VerifyPSS(&a.rsa.PublicKey, h, digest, sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}) == nil
	}
	return rsa.VerifyPKCS1v15(&a.rsa.PublicKey, h, digest, sig) == nil
}

func (s *Service) sign(_ context.Context, in *SignRequest) (*SignResponse, error) {
	alg := deref(in.SigningAlgorithm)
	k, a, digest, err := s.signingKey(deref(in.KeyId), alg, in.MessageType, in.Message, "Sign")
	if err != nil {
		return nil, err
	}
	sig, err := signDigest(a, string(alg), digest, s.rand)
	if err != nil {
		return nil, err
	}
	return &SignResponse{KeyId: ptr(k.ARN), Signature: sig, SigningAlgorithm: ptr(alg)}, nil
}

func (s *Service) verify(_ context.Context, in *VerifyRequest) (*VerifyResponse, error) {
	alg := deref(in.SigningAlgorithm)
	k, a, digest, err := s.signingKey(deref(in.KeyId), alg, in.MessageType, in.Message, "Verify")
	if err != nil {
		return nil, err
	}
	if !verifyDigest(a, string(alg), digest, in.Signature) {
		return nil, ErrInvalidSignature
	}
	return &VerifyResponse{KeyId: ptr(k.ARN), SignatureValid: ptr(true), SigningAlgorithm: ptr(alg)}, nil
}

func (s *Service) getPublicKey(_ context.Context, in *GetPublicKeyRequest) (*GetPublicKeyResponse, error) {
	s.mu.Lock()
	k, err := s.resolve(deref(in.KeyId))
	if err == nil {
		err = k.usable()
	}
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if k.Spec == specSymmetric || hmacKeySizes[k.Spec] != 0 {
		return nil, ErrUnsupportedOperation.WithMessage(k.ARN + " key spec " + k.Spec + " has no public key.")
	}
	m, err := s.material(k, -1)
	if err != nil {
		return nil, err
	}
	a, err := parseAsymmetric(k.Spec, m)
	if err != nil {
		return nil, err
	}
	der, err := a.publicKeyDER()
	if err != nil {
		return nil, err
	}
	return &GetPublicKeyResponse{KeyId: ptr(k.ARN), PublicKey: der, CustomerMasterKeySpec: ptr(CustomerMasterKeySpec(k.Spec)),
		KeySpec: ptr(KeySpec(k.Spec)), KeyUsage: ptr(KeyUsageType(k.Usage)),
		EncryptionAlgorithms: encryptionAlgorithms(k.Spec, k.Usage), SigningAlgorithms: signingAlgorithms(k.Spec, k.Usage)}, nil
}

// mac computes the HMAC of msg with k's key material.
func (s *Service) mac(ref string, alg MacAlgorithmSpec, msg []byte, op string) (*key, []byte, error) {
	k, err := s.lockedForUse(ref, usageMac, op)
	if err != nil {
		return nil, nil, err
	}
	if !slices.Contains(macAlgorithms(k.Spec), alg) {
		return nil, nil, algorithmError(k, string(alg))
	}
	m, err := s.material(k, -1)
	if err != nil {
		return nil, nil, err
	}
	h := hmac.New(algorithmHash(string(alg)).New, m)
	h.Write(msg)
	return k, h.Sum(nil), nil
}

func (s *Service) generateMac(_ context.Context, in *GenerateMacRequest) (*GenerateMacResponse, error) {
	k, sum, err := s.mac(deref(in.KeyId), deref(in.MacAlgorithm), in.Message, "GenerateMac")
	if err != nil {
		return nil, err
	}
	return &GenerateMacResponse{Mac: sum, MacAlgorithm: in.MacAlgorithm, KeyId: ptr(k.ARN)}, nil
}

func (s *Service) verifyMac(_ context.Context, in *VerifyMacRequest) (*VerifyMacResponse, error) {
	k, sum, err := s.mac(deref(in.KeyId), deref(in.MacAlgorithm), in.Message, "VerifyMac")
	if err != nil {
		return nil, err
	}
	if !hmac.Equal(sum, in.Mac) {
		return nil, ErrInvalidMac
	}
	return &VerifyMacResponse{KeyId: ptr(k.ARN), MacValid: ptr(true), MacAlgorithm: in.MacAlgorithm}, nil
}
