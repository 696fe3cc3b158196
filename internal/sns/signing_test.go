package sns

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/virga/virga/internal/sealed"
)

// testSigningKey is one signing key for the package's tests: making an
// RSA key takes long enough to do it once.
var testSigningKey = func() func(t testing.TB) *signingKey {
	var once sync.Once
	var key *signingKey
	var err error
	return func(t testing.TB) *signingKey {
		t.Helper()
		once.Do(func() {
			var box *sealed.Box
			if box, err = sealed.New(make([]byte, 32), nil); err != nil {
				return
			}
			var rec signingKeyRecord
			if rec, err = newSigningKeyRecord(box, time.Now()); err != nil {
				return
			}
			der, openErr := box.Open(rec.Key)
			if openErr != nil {
				err = openErr
				return
			}
			key, err = parseSigningKey(der, rec.Cert)
		})
		if err != nil {
			t.Fatal(err)
		}
		return key
	}
}()

// verify checks a signature as a subscriber does: with the public key of
// the PEM certificate, SHA1withRSA for version 1 and SHA256withRSA for 2.
func verify(t testing.TB, certPEM []byte, version, stringToSign, signature string) error {
	t.Helper()
	block, _ := pem.Decode(certPEM)
	if block == nil || block.Type != "CERTIFICATE" {
		t.Fatalf("not a PEM certificate: %q", certPEM)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		t.Fatalf("the certificate's key is a %T", cert.PublicKey)
	}
	sig, err := base64.StdEncoding.DecodeString(signature)
	if err != nil {
		t.Fatalf("signature %q: %v", signature, err)
	}
	if version == "2" {
		sum := sha256.Sum256([]byte(stringToSign))
		return rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig)
	}
	sum := sha1.Sum([]byte(stringToSign))
	return rsa.VerifyPKCS1v15(pub, crypto.SHA1, sum[:], sig)
}

func TestSignaturesVerify(t *testing.T) {
	t.Parallel()
	key := testSigningKey(t)
	const msg = "Message\nhi\nMessageId\nm\nTimestamp\n2024-05-06T06:08:09.120Z\nTopicArn\narn:aws:sns:us-east-1:000000000000:t\nType\nNotification\n"
	for _, version := range []string{"1", "2"} {
		sig := key.sign(version, msg)
		if err := verify(t, key.certPEM, version, msg, sig); err != nil {
			t.Errorf("version %s: %v", version, err)
		}
		if err := verify(t, key.certPEM, version, msg+"x", sig); err == nil {
			t.Errorf("version %s: the signature verifies another string", version)
		}
	}
	if err := verify(t, key.certPEM, "2", msg, key.sign("1", msg)); err == nil {
		t.Error("a version 1 signature verifies as version 2")
	}
	if !CertificatePath("/" + key.file) {
		t.Errorf("CertificatePath does not accept %s", key.file)
	}
	for _, p := range []string{"/SimpleNotificationService-virga.pem", "/" + key.file + "/x", "/x/" + key.file} {
		if CertificatePath(p) {
			t.Errorf("CertificatePath accepts %s", p)
		}
	}
}

// TestSigningKeyKept checks that the signing key is made once and kept
// in the store, so that a restart signs with the same certificate, and
// that the certificate is served under its own name only.
func TestSigningKeyKept(t *testing.T) {
	t.Parallel()
	st := newTestStore(t)
	s := newTestService(t, st, nil)
	first, err := s.signingKey()
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := s.signingKey(); again != first {
		t.Error("the key is read again")
	}
	second, err := newTestService(t, st, nil).signingKey()
	if err != nil {
		t.Fatal(err)
	}
	if second.file != first.file || string(second.certPEM) != string(first.certPEM) || !second.key.Equal(first.key) {
		t.Errorf("after a restart the key is %s, want %s", second.file, first.file)
	}

	h := s.CertificateHandler()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/"+first.file, nil))
	if rec.Code != 200 || rec.Body.String() != string(first.certPEM) {
		t.Errorf("GET the certificate: %d %q", rec.Code, rec.Body.String())
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem", nil))
	if rec.Code != 404 {
		t.Errorf("GET another certificate: %d", rec.Code)
	}
}
