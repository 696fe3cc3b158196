package e2e_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	k1ecdsa "github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"

	"github.com/virga/virga/internal/app"
	"github.com/virga/virga/internal/config"
	"github.com/virga/virga/internal/e2e"
)

func createKMSKey(t *testing.T, c *kms.Client, in *kms.CreateKeyInput) *types.KeyMetadata {
	t.Helper()
	out, err := c.CreateKey(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return out.KeyMetadata
}

// TestKMSEnvelopeEncryption encrypts the way applications do: a data
// key from GenerateDataKey, its encrypted copy kept beside the data and
// decrypted later without naming the key, under an encryption context.
func TestKMSEnvelopeEncryption(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := kms.NewFromConfig(env.Config)
	ctx := context.Background()

	md := createKMSKey(t, c, &kms.CreateKeyInput{Description: aws.String("envelope")})
	if md.KeySpec != types.KeySpecSymmetricDefault || md.KeyUsage != types.KeyUsageTypeEncryptDecrypt || md.KeyManager != types.KeyManagerTypeCustomer ||
		!md.Enabled || md.KeyState != types.KeyStateEnabled || aws.ToBool(md.MultiRegion) || aws.ToString(md.Arn) != "arn:aws:kms:us-east-1:"+testAccount+":key/"+aws.ToString(md.KeyId) {
		t.Errorf("CreateKey = %+v", md)
	}
	if _, err := c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/app"), TargetKeyId: md.KeyId}); err != nil {
		t.Fatal(err)
	}
	ec := map[string]string{"tenant": "a", "purpose": "orders"}
	dk, err := c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: aws.String("alias/app"), KeySpec: types.DataKeySpecAes256, EncryptionContext: ec})
	if err != nil {
		t.Fatal(err)
	}
	if len(dk.Plaintext) != 32 || aws.ToString(dk.KeyId) != aws.ToString(md.Arn) {
		t.Fatalf("GenerateDataKey: %d bytes, key %s", len(dk.Plaintext), aws.ToString(dk.KeyId))
	}
	dec, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: dk.CiphertextBlob, EncryptionContext: ec})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(dec.Plaintext, dk.Plaintext) || aws.ToString(dec.KeyId) != aws.ToString(md.Arn) || dec.EncryptionAlgorithm != types.EncryptionAlgorithmSpecSymmetricDefault {
		t.Errorf("Decrypt = %+v", dec)
	}
	// Another context, or none, fails.
	_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: dk.CiphertextBlob, EncryptionContext: map[string]string{"tenant": "b", "purpose": "orders"}})
	expectAPIError(t, err, "InvalidCiphertextException", 400)
	_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: dk.CiphertextBlob})
	expectAPIError(t, err, "InvalidCiphertextException", 400)
	// A KeyId that is not the blob's key.
	other := createKMSKey(t, c, &kms.CreateKeyInput{})
	_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: dk.CiphertextBlob, EncryptionContext: ec, KeyId: other.KeyId})
	expectAPIError(t, err, "IncorrectKeyException", 400)
	if _, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: dk.CiphertextBlob, EncryptionContext: ec, KeyId: aws.String("alias/app")}); err != nil {
		t.Errorf("Decrypt naming the alias: %v", err)
	}
	// Garbage.
	_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: []byte("not a ciphertext")})
	expectAPIError(t, err, "InvalidCiphertextException", 400)

	// Encrypt, ReEncrypt to the other key, Decrypt.
	enc, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: md.Arn, Plaintext: []byte("secret"), EncryptionContext: ec})
	if err != nil {
		t.Fatal(err)
	}
	re, err := c.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: enc.CiphertextBlob, SourceEncryptionContext: ec, DestinationKeyId: other.KeyId})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(re.SourceKeyId) != aws.ToString(md.Arn) || aws.ToString(re.KeyId) != aws.ToString(other.Arn) {
		t.Errorf("ReEncrypt = %+v", re)
	}
	dec, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: re.CiphertextBlob})
	if err != nil || string(dec.Plaintext) != "secret" || aws.ToString(dec.KeyId) != aws.ToString(other.Arn) {
		t.Errorf("Decrypt after ReEncrypt = %+v, %v", dec, err)
	}

	wp, err := c.GenerateDataKeyWithoutPlaintext(ctx, &kms.GenerateDataKeyWithoutPlaintextInput{KeyId: md.KeyId, NumberOfBytes: aws.Int32(64)})
	if err != nil {
		t.Fatal(err)
	}
	if dec, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: wp.CiphertextBlob}); err != nil || len(dec.Plaintext) != 64 {
		t.Errorf("GenerateDataKeyWithoutPlaintext's key: %v", err)
	}
	_, err = c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: md.KeyId})
	expectAPIError(t, err, "ValidationException", 400)
	_, err = c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: md.KeyId, NumberOfBytes: aws.Int32(1025)})
	expectAPIError(t, err, "ValidationException", 400)

	// Limits: 4096 bytes of plaintext, 1-1024 random bytes.
	if _, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: make([]byte, 4096)}); err != nil {
		t.Errorf("4096 bytes: %v", err)
	}
	_, err = c.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: make([]byte, 4097)})
	expectAPIError(t, err, "ValidationException", 400)
	rnd, err := c.GenerateRandom(ctx, &kms.GenerateRandomInput{NumberOfBytes: aws.Int32(1024)})
	if err != nil || len(rnd.Plaintext) != 1024 {
		t.Errorf("GenerateRandom: %v", err)
	}
	_, err = c.GenerateRandom(ctx, &kms.GenerateRandomInput{NumberOfBytes: aws.Int32(1025)})
	expectAPIError(t, err, "ValidationException", 400)

	// Data key pairs: the private key decrypts to what was returned.
	pair, err := c.GenerateDataKeyPair(ctx, &kms.GenerateDataKeyPairInput{KeyId: md.KeyId, KeyPairSpec: types.DataKeyPairSpecEccNistP256, EncryptionContext: ec})
	if err != nil {
		t.Fatal(err)
	}
	priv, err := x509.ParsePKCS8PrivateKey(pair.PrivateKeyPlaintext)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := x509.ParsePKIXPublicKey(pair.PublicKey)
	if err != nil || !priv.(*ecdsa.PrivateKey).PublicKey.Equal(pub) {
		t.Errorf("data key pair's public key: %v", err)
	}
	if dec, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: pair.PrivateKeyCiphertextBlob, EncryptionContext: ec}); err != nil || !bytes.Equal(dec.Plaintext, pair.PrivateKeyPlaintext) {
		t.Errorf("data key pair's private key: %v", err)
	}
	for _, spec := range []types.DataKeyPairSpec{types.DataKeyPairSpecRsa2048, types.DataKeyPairSpecEccSecgP256k1} {
		wp, err := c.GenerateDataKeyPairWithoutPlaintext(ctx, &kms.GenerateDataKeyPairWithoutPlaintextInput{KeyId: md.KeyId, KeyPairSpec: spec})
		if err != nil || len(wp.PublicKey) == 0 || len(wp.PrivateKeyCiphertextBlob) == 0 {
			t.Errorf("GenerateDataKeyPairWithoutPlaintext %s: %v", spec, err)
		}
	}
}

// kmsPublicKey reads GetPublicKey's SubjectPublicKeyInfo: with x509
// for RSA and NIST curves, by hand for secp256k1, which x509 does not
// know.
func kmsPublicKey(t *testing.T, der []byte, spec types.KeySpec) any {
	t.Helper()
	if spec == types.KeySpecEccSecgP256k1 {
		var spki struct {
			Algorithm struct {
				Algorithm, Curve asn1.ObjectIdentifier
			}
			PublicKey asn1.BitString
		}
		if _, err := asn1.Unmarshal(der, &spki); err != nil {
			t.Fatal(err)
		}
		if !spki.Algorithm.Curve.Equal(asn1.ObjectIdentifier{1, 3, 132, 0, 10}) {
			t.Fatalf("secp256k1 curve OID = %v", spki.Algorithm.Curve)
		}
		pub, err := secp256k1.ParsePubKey(spki.PublicKey.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		return pub
	}
	pub, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		t.Fatal(err)
	}
	return pub
}

// TestKMSSignVerify signs with each family of signing keys and checks
// the signatures with Go's own crypto against GetPublicKey's key.
func TestKMSSignVerify(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := kms.NewFromConfig(env.Config)
	ctx := context.Background()
	msg := []byte("the token to sign")
	cases := []struct {
		spec types.KeySpec
		alg  types.SigningAlgorithmSpec
		hash crypto.Hash
	}{
		{types.KeySpecRsa2048, types.SigningAlgorithmSpecRsassaPssSha256, crypto.SHA256},
		{types.KeySpecRsa3072, types.SigningAlgorithmSpecRsassaPkcs1V15Sha384, crypto.SHA384},
		{types.KeySpecEccNistP256, types.SigningAlgorithmSpecEcdsaSha256, crypto.SHA256},
		{types.KeySpecEccNistP384, types.SigningAlgorithmSpecEcdsaSha384, crypto.SHA384},
		{types.KeySpecEccNistP521, types.SigningAlgorithmSpecEcdsaSha512, crypto.SHA512},
		{types.KeySpecEccSecgP256k1, types.SigningAlgorithmSpecEcdsaSha256, crypto.SHA256},
	}
	for _, tc := range cases {
		md := createKMSKey(t, c, &kms.CreateKeyInput{KeySpec: tc.spec, KeyUsage: types.KeyUsageTypeSignVerify})
		signed, err := c.Sign(ctx, &kms.SignInput{KeyId: md.KeyId, Message: msg, SigningAlgorithm: tc.alg})
		if err != nil {
			t.Fatalf("%s: %v", tc.spec, err)
		}
		pk, err := c.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: md.Arn})
		if err != nil {
			t.Fatal(err)
		}
		if pk.KeySpec != tc.spec || pk.KeyUsage != types.KeyUsageTypeSignVerify || len(pk.SigningAlgorithms) == 0 {
			t.Errorf("%s: GetPublicKey = %+v", tc.spec, pk)
		}
		h := tc.hash.New()
		h.Write(msg)
		digest := h.Sum(nil)
		var ok bool
		switch pub := kmsPublicKey(t, pk.PublicKey, tc.spec).(type) {
		case *rsa.PublicKey:
			if strings.Contains(string(tc.alg), "PSS") {
				ok = rsa.VerifyPSS(pub, tc.hash, digest, signed.Signature, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}) == nil
			} else {
				ok = rsa.VerifyPKCS1v15(pub, tc.hash, digest, signed.Signature) == nil
			}
		case *ecdsa.PublicKey:
			ok = ecdsa.VerifyASN1(pub, digest, signed.Signature)
		case *secp256k1.PublicKey:
			sig, err := k1ecdsa.ParseDERSignature(signed.Signature)
			ok = err == nil && sig.Verify(digest, pub)
		}
		if !ok {
			t.Errorf("%s %s: the signature does not verify with the public key", tc.spec, tc.alg)
		}
		// KMS verifies it too, given the message or its digest.
		v, err := c.Verify(ctx, &kms.VerifyInput{KeyId: md.KeyId, Message: digest, MessageType: types.MessageTypeDigest, Signature: signed.Signature, SigningAlgorithm: tc.alg})
		if err != nil || !v.SignatureValid {
			t.Errorf("%s: Verify = %+v, %v", tc.spec, v, err)
		}
		_, err = c.Verify(ctx, &kms.VerifyInput{KeyId: md.KeyId, Message: []byte("another message"), Signature: signed.Signature, SigningAlgorithm: tc.alg})
		expectAPIError(t, err, "KMSInvalidSignatureException", 400)
		_, err = c.Sign(ctx, &kms.SignInput{KeyId: md.KeyId, Message: digest[:10], MessageType: types.MessageTypeDigest, SigningAlgorithm: tc.alg})
		expectAPIError(t, err, "ValidationException", 400)
		_, err = c.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: msg})
		expectAPIError(t, err, "InvalidKeyUsageException", 400)
	}
	// A digest signed as DIGEST verifies with Go's crypto as the message's signature.
	md := createKMSKey(t, c, &kms.CreateKeyInput{KeySpec: types.KeySpecEccNistP256, KeyUsage: types.KeyUsageTypeSignVerify})
	digest := sha256.Sum256(msg)
	signed, err := c.Sign(ctx, &kms.SignInput{KeyId: md.KeyId, Message: digest[:], MessageType: types.MessageTypeDigest, SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256})
	if err != nil {
		t.Fatal(err)
	}
	pk, _ := c.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: md.KeyId})
	if pub := kmsPublicKey(t, pk.PublicKey, pk.KeySpec).(*ecdsa.PublicKey); !ecdsa.VerifyASN1(pub, digest[:], signed.Signature) {
		t.Error("a DIGEST signature does not verify")
	}
	_, err = c.Sign(ctx, &kms.SignInput{KeyId: md.KeyId, Message: msg, SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha384})
	expectAPIError(t, err, "InvalidKeyUsageException", 400)
	sym := createKMSKey(t, c, &kms.CreateKeyInput{})
	_, err = c.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: sym.KeyId})
	expectAPIError(t, err, "UnsupportedOperationException", 400)
}

// TestKMSAsymmetricEncryption encrypts with an RSA key by KMS and with
// its public key locally; KMS decrypts both when told the key.
func TestKMSAsymmetricEncryption(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := kms.NewFromConfig(env.Config)
	ctx := context.Background()
	md := createKMSKey(t, c, &kms.CreateKeyInput{KeySpec: types.KeySpecRsa2048})
	if md.KeyUsage != types.KeyUsageTypeEncryptDecrypt || len(md.EncryptionAlgorithms) != 2 {
		t.Errorf("RSA key = %+v", md)
	}
	enc, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("rsa"), EncryptionAlgorithm: types.EncryptionAlgorithmSpecRsaesOaepSha256})
	if err != nil {
		t.Fatal(err)
	}
	dec, err := c.Decrypt(ctx, &kms.DecryptInput{KeyId: md.KeyId, CiphertextBlob: enc.CiphertextBlob, EncryptionAlgorithm: types.EncryptionAlgorithmSpecRsaesOaepSha256})
	if err != nil || string(dec.Plaintext) != "rsa" {
		t.Fatalf("Decrypt = %+v, %v", dec, err)
	}
	pk, err := c.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: md.KeyId})
	if err != nil {
		t.Fatal(err)
	}
	local, err := rsa.EncryptOAEP(sha256.New(), rand.Reader, kmsPublicKey(t, pk.PublicKey, pk.KeySpec).(*rsa.PublicKey), []byte("local"), nil)
	if err != nil {
		t.Fatal(err)
	}
	dec, err = c.Decrypt(ctx, &kms.DecryptInput{KeyId: md.Arn, CiphertextBlob: local, EncryptionAlgorithm: types.EncryptionAlgorithmSpecRsaesOaepSha256})
	if err != nil || string(dec.Plaintext) != "local" {
		t.Errorf("Decrypt of a local encryption = %+v, %v", dec, err)
	}
	// RSA_2048 with OAEP SHA-256 encrypts up to 190 bytes.
	if _, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: make([]byte, 190), EncryptionAlgorithm: types.EncryptionAlgorithmSpecRsaesOaepSha256}); err != nil {
		t.Errorf("190 bytes: %v", err)
	}
	_, err = c.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: make([]byte, 191), EncryptionAlgorithm: types.EncryptionAlgorithmSpecRsaesOaepSha256})
	expectAPIError(t, err, "ValidationException", 400)
	_, err = c.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("x")})
	expectAPIError(t, err, "InvalidKeyUsageException", 400)
	_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionAlgorithm: types.EncryptionAlgorithmSpecRsaesOaepSha256})
	expectAPIError(t, err, "ValidationException", 400)
}

// TestKMSKeyStates disables, schedules for deletion, cancels and lets a
// deletion happen on a fake clock.
func TestKMSKeyStates(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithFakeClock())
	c := kms.NewFromConfig(env.Config)
	ctx := context.Background()
	md := createKMSKey(t, c, &kms.CreateKeyInput{Tags: []types.Tag{{TagKey: aws.String("team"), TagValue: aws.String("core")}}})
	arn := aws.ToString(md.Arn)

	if _, err := c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: md.KeyId}); err != nil {
		t.Fatal(err)
	}
	_, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("x")})
	if got := expectAPIError(t, err, "DisabledException", 400); got.Message != arn+" is disabled." {
		t.Errorf("disabled: %q", got.Message)
	}
	if d, _ := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: md.KeyId}); d.KeyMetadata.Enabled || d.KeyMetadata.KeyState != types.KeyStateDisabled {
		t.Errorf("disabled key: %+v", d.KeyMetadata)
	}
	if _, err := c.EnableKey(ctx, &kms.EnableKeyInput{KeyId: md.KeyId}); err != nil {
		t.Fatal(err)
	}
	enc, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("x")})
	if err != nil {
		t.Fatal(err)
	}

	_, err = c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: md.KeyId, PendingWindowInDays: aws.Int32(6)})
	expectAPIError(t, err, "ValidationException", 400)
	_, err = c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: md.KeyId, PendingWindowInDays: aws.Int32(31)})
	expectAPIError(t, err, "ValidationException", 400)
	sched, err := c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: md.KeyId, PendingWindowInDays: aws.Int32(7)})
	if err != nil {
		t.Fatal(err)
	}
	if sched.KeyState != types.KeyStatePendingDeletion || aws.ToInt32(sched.PendingWindowInDays) != 7 ||
		!sched.DeletionDate.Equal(env.Clock.Now().Add(7*24*time.Hour).Truncate(time.Millisecond)) {
		t.Errorf("ScheduleKeyDeletion = %+v", sched)
	}
	_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	if got := expectAPIError(t, err, "KMSInvalidStateException", 400); got.Message != arn+" is pending deletion." {
		t.Errorf("pending deletion: %q", got.Message)
	}
	_, err = c.EnableKey(ctx, &kms.EnableKeyInput{KeyId: md.KeyId})
	expectAPIError(t, err, "KMSInvalidStateException", 400)
	if _, err := c.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: md.KeyId}); err != nil {
		t.Fatal(err)
	}
	// A cancelled deletion leaves the key disabled.
	_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	expectAPIError(t, err, "DisabledException", 400)

	// Description, policy and tags.
	if _, err := c.UpdateKeyDescription(ctx, &kms.UpdateKeyDescriptionInput{KeyId: md.KeyId, Description: aws.String("new")}); err != nil {
		t.Fatal(err)
	}
	pol, err := c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: md.KeyId, PolicyName: aws.String("default")})
	if err != nil || !strings.Contains(aws.ToString(pol.Policy), `"arn:aws:iam::`+testAccount+`:root"`) {
		t.Errorf("default policy = %v, %v", pol, err)
	}
	policy := `{"Version":"2012-10-17","Statement":[]}`
	if _, err := c.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: md.KeyId, PolicyName: aws.String("default"), Policy: aws.String(policy)}); err != nil {
		t.Fatal(err)
	}
	if pol, _ := c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: md.KeyId, PolicyName: aws.String("default")}); aws.ToString(pol.Policy) != policy {
		t.Errorf("policy = %s", aws.ToString(pol.Policy))
	}
	_, err = c.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: md.KeyId, PolicyName: aws.String("default"), Policy: aws.String("{nope")})
	expectAPIError(t, err, "MalformedPolicyDocumentException", 400)
	if _, err := c.TagResource(ctx, &kms.TagResourceInput{KeyId: md.KeyId, Tags: []types.Tag{{TagKey: aws.String("env"), TagValue: aws.String("dev")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagResource(ctx, &kms.UntagResourceInput{KeyId: md.KeyId, TagKeys: []string{"team"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: md.KeyId})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].TagKey) != "env" {
		t.Errorf("ListResourceTags = %+v, %v", tags, err)
	}

	// The deletion happens when the window has passed.
	if _, err := c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: md.KeyId, PendingWindowInDays: aws.Int32(7)}); err != nil {
		t.Fatal(err)
	}
	env.Clock.Advance(7*24*time.Hour + time.Second)
	_, err = c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: md.KeyId})
	if got := expectAPIError(t, err, "NotFoundException", 400); got.Message != "Key '"+arn+"' does not exist" {
		t.Errorf("deleted key: %q", got.Message)
	}
	_, err = c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("not-a-key")})
	expectAPIError(t, err, "NotFoundException", 400)
}

// TestKMSCreateKeySpecs checks the key usages each key spec allows.
func TestKMSCreateKeySpecs(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := kms.NewFromConfig(env.Config)
	ctx := context.Background()
	for _, bad := range []struct {
		spec  types.KeySpec
		usage types.KeyUsageType
	}{
		{types.KeySpecSymmetricDefault, types.KeyUsageTypeSignVerify},
		{types.KeySpecEccNistP256, ""},
		{types.KeySpecEccNistP256, types.KeyUsageTypeEncryptDecrypt},
		{types.KeySpecHmac256, ""},
		{types.KeySpecHmac256, types.KeyUsageTypeSignVerify},
		{types.KeySpecRsa2048, types.KeyUsageTypeGenerateVerifyMac},
	} {
		_, err := c.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: bad.spec, KeyUsage: bad.usage})
		expectAPIError(t, err, "ValidationException", 400)
	}
	md := createKMSKey(t, c, &kms.CreateKeyInput{KeySpec: types.KeySpecHmac384, KeyUsage: types.KeyUsageTypeGenerateVerifyMac})
	if len(md.MacAlgorithms) != 1 || md.MacAlgorithms[0] != types.MacAlgorithmSpecHmacSha384 {
		t.Errorf("HMAC key = %+v", md)
	}
	mac, err := c.GenerateMac(ctx, &kms.GenerateMacInput{KeyId: md.KeyId, Message: []byte("m"), MacAlgorithm: types.MacAlgorithmSpecHmacSha384})
	if err != nil || len(mac.Mac) != 48 {
		t.Fatalf("GenerateMac = %v", err)
	}
	v, err := c.VerifyMac(ctx, &kms.VerifyMacInput{KeyId: md.KeyId, Message: []byte("m"), Mac: mac.Mac, MacAlgorithm: types.MacAlgorithmSpecHmacSha384})
	if err != nil || !v.MacValid {
		t.Errorf("VerifyMac = %+v, %v", v, err)
	}
	_, err = c.VerifyMac(ctx, &kms.VerifyMacInput{KeyId: md.KeyId, Message: []byte("n"), Mac: mac.Mac, MacAlgorithm: types.MacAlgorithmSpecHmacSha384})
	expectAPIError(t, err, "KMSInvalidMacException", 400)
	_, err = c.GenerateMac(ctx, &kms.GenerateMacInput{KeyId: md.KeyId, Message: []byte("m"), MacAlgorithm: types.MacAlgorithmSpecHmacSha256})
	expectAPIError(t, err, "InvalidKeyUsageException", 400)
	_, err = c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: md.KeyId})
	expectAPIError(t, err, "UnsupportedOperationException", 400)
}

// TestKMSAliases creates, lists, moves and deletes aliases, and checks
// the names AWS refuses.
func TestKMSAliases(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := kms.NewFromConfig(env.Config)
	ctx := context.Background()
	a := createKMSKey(t, c, &kms.CreateKeyInput{})
	b := createKMSKey(t, c, &kms.CreateKeyInput{})
	signing := createKMSKey(t, c, &kms.CreateKeyInput{KeySpec: types.KeySpecEccNistP256, KeyUsage: types.KeyUsageTypeSignVerify})

	_, err := c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("noprefix"), TargetKeyId: a.KeyId})
	expectAPIError(t, err, "ValidationException", 400)
	_, err = c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/aws/mine"), TargetKeyId: a.KeyId})
	expectAPIError(t, err, "NotAuthorizedException", 400)
	for _, n := range []string{"alias/one", "alias/two", "alias/three"} {
		if _, err := c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(n), TargetKeyId: a.Arn}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/one"), TargetKeyId: b.KeyId})
	if got := expectAPIError(t, err, "AlreadyExistsException", 400); !strings.Contains(got.Message, "alias/one") {
		t.Errorf("exists: %q", got.Message)
	}
	_, err = c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/four"), TargetKeyId: aws.String("alias/one")})
	expectAPIError(t, err, "ValidationException", 400)

	// By alias name and alias ARN.
	for _, ref := range []string{"alias/two", "arn:aws:kms:us-east-1:" + testAccount + ":alias/two"} {
		d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(ref)})
		if err != nil || aws.ToString(d.KeyMetadata.KeyId) != aws.ToString(a.KeyId) {
			t.Errorf("DescribeKey(%s) = %v", ref, err)
		}
	}
	_, err = c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/missing")})
	if got := expectAPIError(t, err, "NotFoundException", 400); got.Message != "Alias arn:aws:kms:us-east-1:"+testAccount+":alias/missing is not found." {
		t.Errorf("missing alias: %q", got.Message)
	}

	// All aliases, AWS managed ones included without a target until used.
	all, err := c.ListAliases(ctx, &kms.ListAliasesInput{})
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{}
	for _, e := range all.Aliases {
		names[aws.ToString(e.AliasName)] = aws.ToString(e.TargetKeyId)
	}
	if names["alias/one"] != aws.ToString(a.KeyId) || len(names) != 11 { // three of ours, eight AWS managed
		t.Errorf("ListAliases = %v", names)
	}
	if target, ok := names["alias/aws/s3"]; !ok || target != "" {
		t.Errorf("alias/aws/s3 before use: %q, %v", target, ok)
	}
	// Pages of two, by KeyId.
	var paged []string
	in := &kms.ListAliasesInput{KeyId: a.KeyId, Limit: aws.Int32(2)}
	for {
		out, err := c.ListAliases(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range out.Aliases {
			paged = append(paged, aws.ToString(e.AliasName))
		}
		if !out.Truncated {
			break
		}
		in.Marker = out.NextMarker
	}
	if strings.Join(paged, ",") != "alias/one,alias/three,alias/two" {
		t.Errorf("pages = %v", paged)
	}

	if _, err := c.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: aws.String("alias/one"), TargetKeyId: b.KeyId}); err != nil {
		t.Fatal(err)
	}
	if d, _ := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/one")}); aws.ToString(d.KeyMetadata.KeyId) != aws.ToString(b.KeyId) {
		t.Errorf("alias/one after UpdateAlias: %s", aws.ToString(d.KeyMetadata.KeyId))
	}
	_, err = c.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: aws.String("alias/one"), TargetKeyId: signing.KeyId})
	expectAPIError(t, err, "ValidationException", 400)
	if _, err := c.DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: aws.String("alias/one")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: aws.String("alias/one")})
	expectAPIError(t, err, "NotFoundException", 400)

	// An AWS managed key is made on first reference.
	enc, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String("alias/aws/secretsmanager"), Plaintext: []byte("x")})
	if err != nil {
		t.Fatal(err)
	}
	d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/aws/secretsmanager")})
	if err != nil || d.KeyMetadata.KeyManager != types.KeyManagerTypeAws || aws.ToString(d.KeyMetadata.Arn) != aws.ToString(enc.KeyId) {
		t.Errorf("managed key = %+v, %v", d, err)
	}
	_, err = c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: d.KeyMetadata.KeyId})
	expectAPIError(t, err, "UnsupportedOperationException", 400)

	// ListKeys pages: a, b, signing and the AWS managed key.
	seenKeys := map[string]bool{}
	pages := 0
	lk := &kms.ListKeysInput{Limit: aws.Int32(3)}
	for {
		out, err := c.ListKeys(ctx, lk)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, k := range out.Keys {
			seenKeys[aws.ToString(k.KeyId)] = true
		}
		if !out.Truncated {
			break
		}
		lk.Marker = out.NextMarker
	}
	if len(seenKeys) != 4 || pages != 2 {
		t.Errorf("ListKeys: %d keys in %d pages", len(seenKeys), pages)
	}

	// Management operations take a key id or key ARN, not an alias.
	_, err = c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String("alias/two")})
	expectAPIError(t, err, "NotFoundException", 400)
	_, err = c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("arn:aws:kms:eu-west-1:" + testAccount + ":key/" + aws.ToString(a.KeyId))})
	expectAPIError(t, err, "NotFoundException", 400)
}

// TestKMSRotation: a rotated key encrypts with new material and still
// decrypts what older material encrypted; automatic rotation follows
// RotationPeriodInDays, on-demand rotation leaves that schedule alone.
func TestKMSRotation(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithFakeClock())
	c := kms.NewFromConfig(env.Config)
	ctx := context.Background()
	md := createKMSKey(t, c, &kms.CreateKeyInput{})
	encrypt := func(s string) []byte {
		t.Helper()
		out, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte(s)})
		if err != nil {
			t.Fatal(err)
		}
		return out.CiphertextBlob
	}
	blobs := map[string][]byte{"first": encrypt("first")}
	_, err := c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: md.KeyId, RotationPeriodInDays: aws.Int32(89)})
	expectAPIError(t, err, "ValidationException", 400)
	enabledAt := env.Clock.Now()
	if _, err := c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: md.KeyId, RotationPeriodInDays: aws.Int32(90)}); err != nil {
		t.Fatal(err)
	}
	st, err := c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: md.KeyId})
	if err != nil || !st.KeyRotationEnabled || aws.ToInt32(st.RotationPeriodInDays) != 90 || aws.ToString(st.KeyId) != aws.ToString(md.KeyId) ||
		!st.NextRotationDate.Equal(enabledAt.Add(90*24*time.Hour).Truncate(time.Millisecond)) {
		t.Fatalf("GetKeyRotationStatus = %+v, %v", st, err)
	}

	// On demand: new material now, the automatic schedule unchanged.
	if _, err := c.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: md.KeyId}); err != nil {
		t.Fatal(err)
	}
	blobs["second"] = encrypt("second")
	if st, _ := c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: md.KeyId}); !st.NextRotationDate.Equal(enabledAt.Add(90 * 24 * time.Hour).Truncate(time.Millisecond)) {
		t.Errorf("next rotation after an on-demand one: %v", st.NextRotationDate)
	}
	env.Clock.Advance(91 * 24 * time.Hour)
	blobs["third"] = encrypt("third")
	gens := map[string]bool{}
	for _, b := range blobs {
		gens[string(b[37:41])] = true
	}
	if len(gens) != 3 {
		t.Errorf("three encryptions used %d generations of key material", len(gens))
	}
	for want, blob := range blobs {
		dec, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob})
		if err != nil || string(dec.Plaintext) != want {
			t.Errorf("Decrypt %s = %v", want, err)
		}
	}
	rots, err := c.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: md.KeyId})
	if err != nil || len(rots.Rotations) != 2 || rots.Rotations[0].RotationType != types.RotationTypeOnDemand || rots.Rotations[1].RotationType != types.RotationTypeAutomatic {
		t.Errorf("ListKeyRotations = %+v, %v", rots, err)
	}

	if _, err := c.DisableKeyRotation(ctx, &kms.DisableKeyRotationInput{KeyId: md.KeyId}); err != nil {
		t.Fatal(err)
	}
	if st, _ := c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: md.KeyId}); st.KeyRotationEnabled || st.NextRotationDate != nil {
		t.Errorf("rotation still enabled: %+v", st)
	}
	// A disabled key does not rotate; enabled after its date, it rotates
	// once, at once.
	if _, err := c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: md.KeyId, RotationPeriodInDays: aws.Int32(90)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: md.KeyId}); err != nil {
		t.Fatal(err)
	}
	env.Clock.Advance(200 * 24 * time.Hour)
	if _, err := c.EnableKey(ctx, &kms.EnableKeyInput{KeyId: md.KeyId}); err != nil {
		t.Fatal(err)
	}
	rots, _ = c.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: md.KeyId})
	if len(rots.Rotations) != 3 || !rots.Rotations[2].RotationDate.Equal(env.Clock.Now().Truncate(time.Millisecond)) {
		t.Errorf("rotations after re-enabling: %+v", rots.Rotations)
	}
	if st, _ := c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: md.KeyId}); !st.NextRotationDate.Equal(env.Clock.Now().Add(90 * 24 * time.Hour).Truncate(time.Millisecond)) {
		t.Errorf("next rotation after re-enabling: %v", st.NextRotationDate)
	}

	signer := createKMSKey(t, c, &kms.CreateKeyInput{KeySpec: types.KeySpecRsa2048, KeyUsage: types.KeyUsageTypeSignVerify})
	_, err = c.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: signer.KeyId})
	expectAPIError(t, err, "UnsupportedOperationException", 400)
	_, err = c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: signer.KeyId})
	expectAPIError(t, err, "UnsupportedOperationException", 400)
}

// TestKMSRestart stops virga and starts it again on the same data
// directory: keys, aliases and their material survive, and ciphertexts
// made before decrypt after.
func TestKMSRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	start := func() (*app.App, *kms.Client) {
		cfg := config.Default()
		cfg.Listen, cfg.DataDir, cfg.InMemory = "127.0.0.1:0", dir, false
		a, err := app.New(cfg, app.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := a.Start(); err != nil {
			t.Fatal(err)
		}
		return a, kms.NewFromConfig(e2e.ClientConfig("http://"+a.Addr(), cfg.Region, "test", "test", ""))
	}
	stop := func(a *app.App) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := a.Shutdown(ctx); err != nil {
			t.Errorf("stopping virga: %v", err)
		}
	}
	ctx := context.Background()
	a, c := start()
	md := createKMSKey(t, c, &kms.CreateKeyInput{})
	if _, err := c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/kept"), TargetKeyId: md.KeyId}); err != nil {
		t.Fatal(err)
	}
	enc, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String("alias/kept"), Plaintext: []byte("survives")})
	if err != nil {
		t.Fatal(err)
	}
	signer := createKMSKey(t, c, &kms.CreateKeyInput{KeySpec: types.KeySpecEccNistP256, KeyUsage: types.KeyUsageTypeSignVerify})
	pk1, err := c.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: signer.KeyId})
	if err != nil {
		t.Fatal(err)
	}
	stop(a)

	a, c = start()
	defer stop(a)
	dec, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	if err != nil || string(dec.Plaintext) != "survives" {
		t.Fatalf("Decrypt after a restart = %v", err)
	}
	if d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/kept")}); err != nil || aws.ToString(d.KeyMetadata.KeyId) != aws.ToString(md.KeyId) {
		t.Errorf("alias after a restart: %v", err)
	}
	pk2, err := c.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: signer.KeyId})
	if err != nil || !bytes.Equal(pk1.PublicKey, pk2.PublicKey) {
		t.Errorf("public key after a restart: %v", err)
	}
}
