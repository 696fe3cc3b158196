package acm

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"strings"
	"time"
)

// A certificate ACM issues is made, on the first GetCertificate, as a
// real X.509 chain for its names: the certificate, with a key of its
// KeyAlgorithm, signed by an issuing certificate made for it alone
// (the chain). Its private key is thrown away, as ACM never lets one
// out of a public certificate; TLS clients that trust the chain accept
// it for the certificate's names.

// newKey makes a private key of an ACM key algorithm.
func newKey(algorithm string) (crypto.Signer, error) {
	switch algorithm {
	case "RSA_1024":
		return rsa.GenerateKey(rand.Reader, 1024)
	case "RSA_3072":
		return rsa.GenerateKey(rand.Reader, 3072)
	case "RSA_4096":
		return rsa.GenerateKey(rand.Reader, 4096)
	case "EC_prime256v1":
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "EC_secp384r1":
		return ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case "EC_secp521r1":
		return ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	}
	return rsa.GenerateKey(rand.Reader, 2048)
}

// makeChain makes c's certificate and its chain as PEM.
func makeChain(c *certificate) (body, chain string, err error) {
	issuerAlgorithm := "RSA_2048"
	if strings.HasPrefix(c.KeyAlgorithm, "EC") {
		issuerAlgorithm = "EC_prime256v1"
	}
	caKey, err := newKey(issuerAlgorithm)
	if err != nil {
		return "", "", err
	}
	caTemplate := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{Country: []string{"US"}, Organization: []string{issuerName}, CommonName: issuerName},
		NotBefore:             c.NotBefore.Add(-time.Hour),
		NotAfter:              c.NotAfter.Add(time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTemplate, caTemplate, caKey.Public(), caKey)
	if err != nil {
		return "", "", err
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return "", "", err
	}
	key, err := newKey(c.KeyAlgorithm)
	if err != nil {
		return "", "", err
	}
	serial, ok := new(big.Int).SetString(strings.ReplaceAll(c.Serial, ":", ""), 16)
	if !ok {
		serial = big.NewInt(2)
	}
	usage := x509.KeyUsageDigitalSignature
	if _, isRSA := key.(*rsa.PrivateKey); isRSA {
		usage |= x509.KeyUsageKeyEncipherment
	}
	leaf := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: c.DomainName},
		DNSNames:     c.SANs,
		NotBefore:    c.NotBefore,
		NotAfter:     c.NotAfter,
		KeyUsage:     usage,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, leaf, ca, key.Public(), caKey)
	if err != nil {
		return "", "", err
	}
	return pemCertificate(der), pemCertificate(caDER), nil
}

func pemCertificate(der []byte) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// imported is what ImportCertificate learns of a certificate.
type imported struct {
	Leaf         *x509.Certificate
	KeyAlgorithm string
	Chain        []*x509.Certificate
}

// parseImport reads ImportCertificate's PEM: exactly one certificate,
// its private key (PKCS #1, SEC 1 or PKCS #8, unencrypted, RSA or EC)
// which must match the certificate's public key, and an optional chain
// of certificates. Errors are ACM's ValidationException.
func parseImport(certPEM, keyPEM, chainPEM []byte) (*imported, error) {
	certs, err := pemCertificates(certPEM)
	if err != nil || len(certs) == 0 {
		return nil, ErrValidation.WithMessage("Unable to parse certificate. Please ensure the certificate is in PEM format.")
	}
	if len(certs) > 1 {
		// Wording unconfirmed.
		return nil, ErrValidation.WithMessage("The certificate field contains more than one certificate. You can specify only one certificate in this field.")
	}
	leaf := certs[0]
	key, err := parsePrivateKey(keyPEM)
	if err != nil {
		return nil, err
	}
	pub, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(leaf.PublicKey) {
		// Wording unconfirmed.
		return nil, ErrValidation.WithMessage("The private key does not match the public key in the certificate.")
	}
	alg, err := keyAlgorithm(leaf.PublicKey)
	if err != nil {
		return nil, err
	}
	out := &imported{Leaf: leaf, KeyAlgorithm: alg}
	if len(chainPEM) > 0 {
		if out.Chain, err = pemCertificates(chainPEM); err != nil || len(out.Chain) == 0 {
			// Wording unconfirmed.
			return nil, ErrValidation.WithMessage("Unable to parse certificate chain. Please ensure the chain is in PEM format.")
		}
	}
	return out, nil
}

// pemCertificates reads the CERTIFICATE blocks of a PEM text, failing
// on any other block or on text outside the blocks.
func pemCertificates(text []byte) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	rest := bytes.TrimSpace(text)
	for len(rest) > 0 {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil || b.Type != "CERTIFICATE" {
			return nil, fmt.Errorf("not a PEM certificate")
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
		rest = bytes.TrimSpace(rest)
	}
	return out, nil
}

// parsePrivateKey reads one unencrypted PEM private key.
func parsePrivateKey(text []byte) (crypto.Signer, error) {
	b, rest := pem.Decode(bytes.TrimSpace(text))
	// Wording unconfirmed.
	bad := ErrValidation.WithMessage("Unable to parse private key. Please ensure the key is an unencrypted PEM-encoded RSA or EC private key.")
	if b == nil || len(bytes.TrimSpace(rest)) > 0 {
		return nil, bad
	}
	var key any
	var err error
	switch b.Type {
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(b.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(b.Bytes)
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(b.Bytes)
	default:
		return nil, bad
	}
	if err != nil {
		return nil, bad
	}
	switch k := key.(type) {
	case *rsa.PrivateKey, *ecdsa.PrivateKey:
		return k.(crypto.Signer), nil
	case ed25519.PrivateKey:
		return nil, ErrValidation.WithMessage("The private key is not supported.")
	}
	return nil, bad
}

// keyAlgorithm names a public key as ACM's KeyAlgorithm does.
func keyAlgorithm(pub any) (string, error) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		switch bits := k.N.BitLen(); bits {
		case 1024, 2048, 3072, 4096:
			return fmt.Sprintf("RSA_%d", bits), nil
		}
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256():
			return "EC_prime256v1", nil
		case elliptic.P384():
			return "EC_secp384r1", nil
		case elliptic.P521():
			return "EC_secp521r1", nil
		}
	}
	// Wording unconfirmed.
	return "", ErrValidation.WithMessage("The certificate's key algorithm is not supported.")
}
