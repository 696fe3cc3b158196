package kms

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// Key specs and usages, as the API spells them.
const (
	specSymmetric = "SYMMETRIC_DEFAULT"
	specK1        = "ECC_SECG_P256K1"

	usageEncrypt = "ENCRYPT_DECRYPT"
	usageSign    = "SIGN_VERIFY"
	usageMac     = "GENERATE_VERIFY_MAC"
)

// symmetricKeySize: symmetric KMS keys are 256-bit AES-GCM keys.
const symmetricKeySize = 32

// hmacKeySizes are the HMAC key specs' key lengths in bytes: "HMAC_224
// ... HMAC_512" name the key length in bits.
var hmacKeySizes = map[string]int{"HMAC_224": 28, "HMAC_256": 32, "HMAC_384": 48, "HMAC_512": 64}

var rsaBits = map[string]int{"RSA_2048": 2048, "RSA_3072": 3072, "RSA_4096": 4096}

var nistCurves = map[string]elliptic.Curve{"ECC_NIST_P256": elliptic.P256(), "ECC_NIST_P384": elliptic.P384(), "ECC_NIST_P521": elliptic.P521()}

// usagesFor lists the key usages a key spec allows, the first being
// what CreateKey uses when the request names none it can take.
func usagesFor(spec string) []string {
	switch {
	case spec == specSymmetric:
		return []string{usageEncrypt}
	case rsaBits[spec] != 0:
		return []string{usageEncrypt, usageSign}
	case nistCurves[spec] != nil, spec == specK1:
		return []string{usageSign}
	case hmacKeySizes[spec] != 0:
		return []string{usageMac}
	}
	return nil
}

// newMaterial makes key material for a key spec: the AES key of a
// symmetric key, the HMAC key of an HMAC key, the PKCS #8 DER private
// key of an RSA or NIST curve key, and the 32-byte private scalar of an
// ECC_SECG_P256K1 key (x509 does not know that curve).
func newMaterial(spec string, rnd io.Reader) ([]byte, error) {
	switch {
	case spec == specSymmetric:
		return randomBytes(rnd, symmetricKeySize)
	case hmacKeySizes[spec] != 0:
		return randomBytes(rnd, hmacKeySizes[spec])
	case rsaBits[spec] != 0:
		k, err := rsa.GenerateKey(rnd, rsaBits[spec])
		if err != nil {
			return nil, err
		}
		return x509.MarshalPKCS8PrivateKey(k)
	case nistCurves[spec] != nil:
		k, err := ecdsa.GenerateKey(nistCurves[spec], rnd)
		if err != nil {
			return nil, err
		}
		return x509.MarshalPKCS8PrivateKey(k)
	case spec == specK1:
		k, err := secp256k1.GeneratePrivateKeyFromRand(rnd)
		if err != nil {
			return nil, err
		}
		return k.Serialize(), nil
	}
	return nil, fmt.Errorf("kms: no key material for key spec %s", spec)
}

func randomBytes(rnd io.Reader, n int) ([]byte, error) {
	b := make([]byte, n)
	_, err := io.ReadFull(rnd, b)
	return b, err
}

// asymmetric is the private key of an asymmetric KMS key.
type asymmetric struct {
	rsa *rsa.PrivateKey
	ec  *ecdsa.PrivateKey
	k1  *secp256k1.PrivateKey
}

func parseAsymmetric(spec string, m []byte) (asymmetric, error) {
	if spec == specK1 {
		if len(m) != 32 {
			return asymmetric{}, errors.New("kms: bad secp256k1 key material")
		}
		return asymmetric{k1: secp256k1.PrivKeyFromBytes(m)}, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(m)
	if err != nil {
		return asymmetric{}, err
	}
	switch k := k.(type) {
	case *rsa.PrivateKey:
		return asymmetric{rsa: k}, nil
	case *ecdsa.PrivateKey:
		return asymmetric{ec: k}, nil
	}
	return asymmetric{}, fmt.Errorf("kms: unexpected private key %T", k)
}

// OIDs of the SubjectPublicKeyInfo of a secp256k1 key (RFC 5480 and SEC 2).
var (
	oidECPublicKey = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidSecp256k1   = asn1.ObjectIdentifier{1, 3, 132, 0, 10}
)

// publicKeyDER is the DER-encoded X.509 SubjectPublicKeyInfo that
// GetPublicKey returns.
func (a asymmetric) publicKeyDER() ([]byte, error) {
	switch {
	case a.rsa != nil:
		return x509.MarshalPKIXPublicKey(&a.rsa.PublicKey)
	case a.ec != nil:
		return x509.MarshalPKIXPublicKey(&a.ec.PublicKey)
	}
	params, err := asn1.Marshal(oidSecp256k1)
	if err != nil {
		return nil, err
	}
	point := a.k1.PubKey().SerializeUncompressed()
	return asn1.Marshal(struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}{
		Algorithm: pkix.AlgorithmIdentifier{Algorithm: oidECPublicKey, Parameters: asn1.RawValue{FullBytes: params}},
		PublicKey: asn1.BitString{Bytes: point, BitLength: 8 * len(point)},
	})
}

// privateKeyDER is the PKCS #8 DER private key GenerateDataKeyPair
// returns.
func (a asymmetric) privateKeyDER() ([]byte, error) {
	switch {
	case a.rsa != nil:
		return x509.MarshalPKCS8PrivateKey(a.rsa)
	case a.ec != nil:
		return x509.MarshalPKCS8PrivateKey(a.ec)
	}
	params, err := asn1.Marshal(oidSecp256k1)
	if err != nil {
		return nil, err
	}
	point := a.k1.PubKey().SerializeUncompressed()
	inner, err := asn1.Marshal(struct {
		Version    int
		PrivateKey []byte
		PublicKey  asn1.BitString `asn1:"optional,explicit,tag:1"`
	}{1, a.k1.Serialize(), asn1.BitString{Bytes: point, BitLength: 8 * len(point)}})
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(struct {
		Version    int
		Algorithm  pkix.AlgorithmIdentifier
		PrivateKey []byte
	}{0, pkix.AlgorithmIdentifier{Algorithm: oidECPublicKey, Parameters: asn1.RawValue{FullBytes: params}}, inner})
}

// encryptionAlgorithms lists what a key encrypts with.
func encryptionAlgorithms(spec, usage string) []EncryptionAlgorithmSpec {
	switch {
	case usage != usageEncrypt:
		return nil
	case spec == specSymmetric:
		return []EncryptionAlgorithmSpec{"SYMMETRIC_DEFAULT"}
	}
	return []EncryptionAlgorithmSpec{"RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"}
}

// signingAlgorithms lists what a key signs with: RSA keys with every
// PSS and PKCS #1 v1.5 algorithm, each curve with the ECDSA algorithm of
// its size (secp256k1 with ECDSA_SHA_256).
func signingAlgorithms(spec, usage string) []SigningAlgorithmSpec {
	if usage != usageSign {
		return nil
	}
	switch spec {
	case "ECC_NIST_P256", specK1:
		return []SigningAlgorithmSpec{"ECDSA_SHA_256"}
	case "ECC_NIST_P384":
		return []SigningAlgorithmSpec{"ECDSA_SHA_384"}
	case "ECC_NIST_P521":
		return []SigningAlgorithmSpec{"ECDSA_SHA_512"}
	}
	return []SigningAlgorithmSpec{"RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512",
		"RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512"}
}

// macAlgorithms lists the one MAC algorithm of an HMAC key spec.
func macAlgorithms(spec string) []MacAlgorithmSpec {
	if hmacKeySizes[spec] == 0 {
		return nil
	}
	return []MacAlgorithmSpec{MacAlgorithmSpec("HMAC_SHA_" + strings.TrimPrefix(spec, "HMAC_"))}
}

// algorithmHash is the hash a signing, MAC or OAEP algorithm names by
// its suffix (_SHA_1, _SHA_224 ... _SHA_512).
func algorithmHash(alg string) crypto.Hash {
	switch {
	case strings.HasSuffix(alg, "_SHA_1"):
		return crypto.SHA1
	case strings.HasSuffix(alg, "_SHA_224"):
		return crypto.SHA224
	case strings.HasSuffix(alg, "_SHA_256"):
		return crypto.SHA256
	case strings.HasSuffix(alg, "_SHA_384"):
		return crypto.SHA384
	case strings.HasSuffix(alg, "_SHA_512"):
		return crypto.SHA512
	}
	return 0
}
