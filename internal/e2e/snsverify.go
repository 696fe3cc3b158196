package e2e

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// snsCertURL is the shape of AWS's SigningCertURL paths, which some
// validators check.
var snsCertURL = regexp.MustCompile(`/SimpleNotificationService-[0-9a-f]{32}\.pem$`)

// SNSCertificate gets the certificate a SigningCertURL names, as a
// subscriber does (an unsigned GET over HTTPS, trusting virga's
// certificate authority), and returns it parsed and as served.
func (e *Env) SNSCertificate(t testing.TB, url string) (*x509.Certificate, string) {
	t.Helper()
	if !snsCertURL.MatchString(url) {
		t.Fatalf("SigningCertURL %q is not shaped like AWS's", url)
	}
	if !strings.HasPrefix(url, "https://") {
		t.Fatalf("SigningCertURL %q is not HTTPS", url)
	}
	res, err := e.httpsClient(t).Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", url, res.StatusCode, body)
	}
	block, _ := pem.Decode(body)
	if block == nil || block.Type != "CERTIFICATE" {
		t.Fatalf("GET %s: not a PEM certificate: %q", url, body)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return cert, string(body)
}

// VerifySNSSignature checks the signature of a message SNS delivered
// (decoded from its JSON: an HTTP/S body, an SQS envelope, a Lambda
// record's Sns, whose field is SigningCertUrl) as AWS's "Verifying the
// signatures of Amazon SNS messages" says: the string to sign is
// "Name\nValue\n" for Message, MessageId, Subject (when present),
// Timestamp, TopicArn and Type of a Notification, and for Message,
// MessageId, SubscribeURL, Timestamp, Token, TopicArn and Type of a
// SubscriptionConfirmation or UnsubscribeConfirmation; Signature is its
// SHA1withRSA (SignatureVersion 1) or SHA256withRSA (2) signature,
// base64-encoded, by the key of the certificate at SigningCertURL.
func (e *Env) VerifySNSSignature(t testing.TB, m map[string]any) error {
	t.Helper()
	str := func(k string) string { s, _ := m[k].(string); return s }
	certURLField := "SigningCertURL"
	if _, ok := m["SigningCertUrl"]; ok {
		certURLField = "SigningCertUrl"
	}
	keys := []string{"Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"}
	if str("Type") == "Notification" {
		keys = []string{"Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"}
	}
	var b strings.Builder
	for _, k := range keys {
		// Subject is absent (or null, in a Lambda record) when the
		// publisher set none.
		if _, ok := m[k].(string); !ok && k == "Subject" {
			continue
		}
		b.WriteString(k + "\n" + str(k) + "\n")
	}
	cert, _ := e.SNSCertificate(t, str(certURLField))
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		t.Fatalf("the certificate's key is a %T, not RSA", cert.PublicKey)
	}
	sig, err := base64.StdEncoding.DecodeString(str("Signature"))
	if err != nil {
		t.Fatalf("Signature %q: %v", str("Signature"), err)
	}
	switch str("SignatureVersion") {
	case "1":
		sum := sha1.Sum([]byte(b.String()))
		return rsa.VerifyPKCS1v15(pub, crypto.SHA1, sum[:], sig)
	case "2":
		sum := sha256.Sum256([]byte(b.String()))
		return rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig)
	}
	t.Fatalf("SignatureVersion %q", str("SignatureVersion"))
	return nil
}

// httpsClient is an HTTP client that trusts virga's certificate
// authority, which it gets from GET /_virga/ca.pem.
func (e *Env) httpsClient(t testing.TB) *http.Client {
	t.Helper()
	res, err := http.Get(e.Endpoint + "/_virga/ca.pem")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	ca, _ := io.ReadAll(res.Body)
	roots := x509.NewCertPool()
	if res.StatusCode != 200 || !roots.AppendCertsFromPEM(ca) {
		t.Fatalf("GET /_virga/ca.pem: %d %q", res.StatusCode, ca)
	}
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
}
