package sns

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/virga/virga/internal/sealed"
	"github.com/virga/virga/internal/store"
)

// Message signatures. SNS signs what it delivers in its JSON form
// (notifications and subscription confirmations to HTTP/S endpoints, SQS
// envelopes, Lambda records) so that a subscriber can tell its messages
// from forgeries: the string to sign (stringToSign) is signed with RSA,
// PKCS #1 v1.5, over SHA-1 for SignatureVersion 1 and SHA-256 for 2, and
// the message names the certificate of the key in SigningCertURL.
//
// virga holds one RSA key with a self-signed certificate for it, made the
// first time a message is signed and kept in the store (so in the data
// directory, the private key sealed), so that subscribers that pinned or
// cached the certificate keep verifying across restarts. The certificate
// is served, unsigned GET, at SigningCertURL on virga's own endpoint,
// over HTTPS: https://HOST:PORT/SimpleNotificationService-<32 hex
// digits>.pem, shaped like AWS's, the digits the start of the
// certificate's SHA-256 fingerprint. A validator fetching it must trust
// virga's certificate authority (DATA_DIR/tls/ca.pem; functions do), and
// one that insists on an sns.REGION.amazonaws.com host or on a
// certificate that chains to Amazon's roots must be told to accept
// virga's (sns-validator's hostPattern, for example); the signature
// itself verifies as AWS's does.

// signingKeyBits is the size of the RSA key messages are signed with, that
// of AWS's SNS certificates.
const signingKeyBits = 2048

// certFilePattern matches the path of a signing certificate.
var certFilePattern = regexp.MustCompile(`^/SimpleNotificationService-[0-9a-f]{32}\.pem$`)

// CertificatePath reports whether a request path names a signing
// certificate, which CertificateHandler serves.
func CertificatePath(path string) bool {
	return strings.HasPrefix(path, "/SimpleNotificationService-") && certFilePattern.MatchString(path)
}

// signingKey is the key messages are signed with and its certificate.
type signingKey struct {
	key *rsa.PrivateKey
	// certPEM is the certificate, PEM-encoded, as it is served.
	certPEM []byte
	// file is the certificate's name in SigningCertURL.
	file string
}

// signingKeyRecord is the signing key as the store keeps it (sns/k).
type signingKeyRecord struct {
	// Key is the private key in PKCS #8, sealed.
	Key []byte `json:"key"`
	// Cert is the certificate, DER-encoded.
	Cert []byte `json:"cert"`
}

func signingKeyKey() []byte { return snsKey("k") }
func dataKeyKey() []byte    { return snsKey("datakey") }

// signingKey returns the signing key, reading it from the store, or
// making and storing it, the first time.
func (s *Service) signingKey() (*signingKey, error) {
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	if s.key != nil {
		return s.key, nil
	}
	box, err := sealed.Load(s.store, dataKeyKey(), nil)
	if err != nil {
		return nil, err
	}
	var rec signingKeyRecord
	v, err := s.store.Get(signingKeyKey())
	switch {
	case errors.Is(err, store.ErrNotFound):
		if rec, err = newSigningKeyRecord(box, s.clock.Now()); err != nil {
			return nil, err
		}
		if err := commit(s.store, func(b store.Batch) { b.Set(signingKeyKey(), mustJSON(rec)) }); err != nil {
			return nil, err
		}
	case err != nil:
		return nil, err
	default:
		if err := json.Unmarshal(v, &rec); err != nil {
			return nil, fmt.Errorf("sns: signing key record: %w", err)
		}
	}
	der, err := box.Open(rec.Key)
	if err != nil {
		return nil, fmt.Errorf("sns: signing key: %w", err)
	}
	k, err := parseSigningKey(der, rec.Cert)
	if err != nil {
		return nil, err
	}
	s.key = k
	return k, nil
}

// newSigningKeyRecord makes an RSA key and a self-signed certificate for
// it.
func newSigningKeyRecord(box *sealed.Box, now time.Time) (signingKeyRecord, error) {
	key, err := rsa.GenerateKey(rand.Reader, signingKeyBits)
	if err != nil {
		return signingKeyRecord{}, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return signingKeyRecord{}, err
	}
	name := pkix.Name{CommonName: "sns.amazonaws.com", Organization: []string{"virga"}}
	template := &x509.Certificate{
		SerialNumber: serial,
		Subject:      name,
		Issuer:       name,
		NotBefore:    now.Add(-time.Hour).UTC(),
		// RFC 5280's "no well-defined expiration date": the key is
		// kept for good.
		NotAfter:              time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
	}
	cert, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		return signingKeyRecord{}, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return signingKeyRecord{}, err
	}
	return signingKeyRecord{Key: box.Seal(der), Cert: cert}, nil
}

// parseSigningKey is the signing key of a PKCS #8 private key and its
// DER certificate.
func parseSigningKey(keyDER, certDER []byte) (*signingKey, error) {
	k, err := x509.ParsePKCS8PrivateKey(keyDER)
	if err != nil {
		return nil, fmt.Errorf("sns: signing key: %w", err)
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("sns: signing key is a %T, not RSA", k)
	}
	fingerprint := sha256.Sum256(certDER)
	return &signingKey{
		key:     rk,
		certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: certDER}),
		file:    "SimpleNotificationService-" + hex.EncodeToString(fingerprint[:16]) + ".pem",
	}, nil
}

// sign is the base64 signature of s for a SignatureVersion: SHA1withRSA
// for "1", SHA256withRSA for "2".
func (k *signingKey) sign(version, s string) string {
	var sig []byte
	var err error
	if version == "2" {
		sum := sha256.Sum256([]byte(s))
		sig, err = rsa.SignPKCS1v15(nil, k.key, crypto.SHA256, sum[:])
	} else {
		sum := sha1.Sum([]byte(s))
		sig, err = rsa.SignPKCS1v15(nil, k.key, crypto.SHA1, sum[:])
	}
	if err != nil {
		// PKCS #1 v1.5 signing with a valid key and a supported hash
		// does not fail.
		panic("sns: signing: " + err.Error())
	}
	return base64.StdEncoding.EncodeToString(sig)
}

// signer signs a topic's messages: virga's key, with the topic's
// SignatureVersion.
type signer struct {
	key     *signingKey
	version string
}

// sign signs a message's fields, named in alphabetical order.
func (g signer) sign(fields ...[2]string) string {
	return g.key.sign(g.version, stringToSign(fields...))
}

// stringToSign is what SNS signs: the named fields in alphabetical order,
// each as "Name\nValue\n"; empty optional fields are left out.
func stringToSign(fields ...[2]string) string {
	var b strings.Builder
	for _, f := range fields {
		if f[1] == "" && (f[0] == "Subject" || f[0] == "SubscribeURL" || f[0] == "Token") {
			continue
		}
		b.WriteString(f[0])
		b.WriteByte('\n')
		b.WriteString(f[1])
		b.WriteByte('\n')
	}
	return b.String()
}

// signingCertURL is where the certificate of g's key is served: over
// HTTPS, as AWS's is and as validators insist (sns-validator fetches it
// with https.get), on virga's own port, which answers TLS too (package
// localtls; clients trust virga's authority, as functions do).
func (s *Service) signingCertURL(g signer) string {
	base := s.baseURL()
	if rest, ok := strings.CutPrefix(base, "http://"); ok {
		base = "https://" + rest
	}
	return base + "/" + g.key.file
}

// CertificateHandler serves the signing certificate at the path
// SigningCertURL names (see CertificatePath), PEM-encoded; any other
// certificate name is not found.
func (s *Service) CertificateHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		k, err := s.signingKey()
		if err != nil {
			s.log.Error("sns: reading the signing key", "error", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		if r.URL.Path != "/"+k.file {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/x-pem-file")
		w.Header().Set("Content-Length", fmt.Sprint(len(k.certPEM)))
		if r.Method != http.MethodHead {
			w.Write(k.certPEM)
		}
	})
}
