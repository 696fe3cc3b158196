package acm

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"testing"
	"time"

	"github.com/virga/virga/internal/awsproto/apierr"
)

// testPair makes a self-signed certificate and its key as PEM.
func testPair(t testing.TB, rsaKey bool) (cert, key []byte) {
	t.Helper()
	var k crypto.Signer
	var kder []byte
	var err error
	if rsaKey {
		rk, _ := rsa.GenerateKey(rand.Reader, 1024)
		k, kder = rk, x509.MarshalPKCS1PrivateKey(rk)
		key = pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: kder})
	} else {
		ek, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		k = ek
		if kder, err = x509.MarshalECPrivateKey(ek); err != nil {
			t.Fatal(err)
		}
		key = pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "a.example"}, DNSNames: []string{"a.example"},
		NotBefore: time.Unix(0, 0), NotAfter: time.Unix(1<<31, 0)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, k.Public(), k)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), key
}

func TestParseImport(t *testing.T) {
	t.Parallel()
	rsaCert, rsaKey := testPair(t, true)
	ecCert, ecKey := testPair(t, false)
	for _, tc := range []struct {
		name             string
		cert, key, chain []byte
		alg              string // "" when refused
	}{
		{"rsa", rsaCert, rsaKey, nil, "RSA_1024"},
		{"ec with chain", ecCert, ecKey, rsaCert, "EC_prime256v1"},
		{"key of another", rsaCert, ecKey, nil, ""},
		{"two certificates", append(append([]byte{}, rsaCert...), ecCert...), rsaKey, nil, ""},
		{"no pem", []byte("hello"), rsaKey, nil, ""},
		{"key is a certificate", rsaCert, rsaCert, nil, ""},
		{"bad chain", rsaCert, rsaKey, []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), ""},
		{"trailing text", append(append([]byte{}, rsaCert...), "junk"...), rsaKey, nil, ""},
	} {
		im, err := parseImport(tc.cert, tc.key, tc.chain)
		if tc.alg == "" {
			if !errors.Is(err, ErrValidation) {
				t.Errorf("%s: %v, want ValidationException", tc.name, err)
			}
			continue
		}
		if err != nil || im.KeyAlgorithm != tc.alg {
			t.Errorf("%s: %v %v, want %s", tc.name, im, err, tc.alg)
		}
	}
}

// FuzzParseImport: any input is parsed or refused with an AWS error,
// never a panic.
func FuzzParseImport(f *testing.F) {
	cert, key := testPair(f, false)
	f.Add(cert, key, []byte(nil))
	f.Add(cert, key, cert)
	f.Add([]byte("-----BEGIN CERTIFICATE-----\n\n-----END CERTIFICATE-----\n"), []byte("-----BEGIN PRIVATE KEY-----\nMA==\n-----END PRIVATE KEY-----\n"), []byte("x"))
	f.Add([]byte{}, []byte{}, []byte{})
	f.Fuzz(func(t *testing.T, cert, key, chain []byte) {
		im, err := parseImport(cert, key, chain)
		if err != nil {
			if apierr.As(err) == nil {
				t.Fatalf("error %v is no AWS error", err)
			}
			return
		}
		if im.Leaf == nil || im.KeyAlgorithm == "" {
			t.Fatalf("parsed %+v", im)
		}
	})
}

func TestImportedSignatureAlgorithm(t *testing.T) {
	t.Parallel()
	for a, want := range map[x509.SignatureAlgorithm]string{
		x509.SHA256WithRSA: "SHA256WITHRSA", x509.ECDSAWithSHA384: "SHA384WITHECDSA", x509.SHA512WithRSAPSS: "SHA512WITHRSAPSS",
	} {
		if got := importedSignatureAlgorithm(a); got != want {
			t.Errorf("%v: %s, want %s", a, got, want)
		}
	}
}
