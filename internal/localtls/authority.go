package localtls

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// File names in an authority's directory.
const (
	CAFile     = "ca.pem"
	caKeyFile  = "ca-key.pem"
	BundleFile = "bundle.pem"
)

// Lifetimes: the authority outlives many starts; the server certificate
// is made at each start and kept under the 398 days browsers accept.
const (
	caLifetime     = 10 * 365 * 24 * time.Hour
	serverLifetime = 397 * 24 * time.Hour
)

// ServerNames are the DNS names the server certificate carries.
var ServerNames = []string{"localhost", "*.execute-api.localhost", "*.lambda-url.localhost"}

// systemRoots are where Linux distributions keep the system's trusted
// roots as one PEM file (Debian and Ubuntu, Fedora and Amazon Linux,
// openSUSE, Alpine's older layout).
var systemRoots = []string{
	"/etc/ssl/certs/ca-certificates.crt",
	"/etc/pki/tls/certs/ca-bundle.crt",
	"/etc/ssl/ca-bundle.pem",
	"/etc/ssl/cert.pem",
}

// Authority is virga's certificate authority and the server certificate
// it signed for this run.
type Authority struct {
	dir    string
	cert   *x509.Certificate
	key    *ecdsa.PrivateKey
	server tls.Certificate
}

// Open loads the authority kept in dir, making it (and dir) first if
// there is none, signs a server certificate for this run, and writes
// bundle.pem. now is the current time (the clock is injected).
func Open(dir string, now time.Time) (*Authority, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("tls: %w", err)
	}
	a := &Authority{dir: dir}
	certPEM, err1 := os.ReadFile(filepath.Join(dir, CAFile))
	keyPEM, err2 := os.ReadFile(filepath.Join(dir, caKeyFile))
	switch {
	case err1 == nil && err2 == nil:
		if a.cert, a.key, err1 = parseAuthority(certPEM, keyPEM); err1 != nil {
			return nil, fmt.Errorf("tls: %s: %w", dir, err1)
		}
	case errors.Is(err1, os.ErrNotExist) && errors.Is(err2, os.ErrNotExist):
		if certPEM, err1 = a.create(now); err1 != nil {
			return nil, fmt.Errorf("tls: making the certificate authority: %w", err1)
		}
	default:
		return nil, fmt.Errorf("tls: %s holds half a certificate authority: %w", dir, errors.Join(err1, err2))
	}
	if err := a.sign(now); err != nil {
		return nil, fmt.Errorf("tls: signing the server certificate: %w", err)
	}
	if err := writeBundle(filepath.Join(dir, BundleFile), certPEM); err != nil {
		return nil, fmt.Errorf("tls: %w", err)
	}
	return a, nil
}

// CAPath is the authority's certificate file, for clients to trust.
func (a *Authority) CAPath() string { return filepath.Join(a.dir, CAFile) }

// BundlePath is the system's roots followed by the authority's.
func (a *Authority) BundlePath() string { return filepath.Join(a.dir, BundleFile) }

// Certificate is the authority's certificate.
func (a *Authority) Certificate() *x509.Certificate { return a.cert }

// ServerConfig is the TLS configuration the edge serves with: the
// server certificate, HTTP/2 and HTTP/1.1 by ALPN.
func (a *Authority) ServerConfig() *tls.Config {
	return &tls.Config{
		Certificates: []tls.Certificate{a.server},
		NextProtos:   []string{"h2", "http/1.1"},
		MinVersion:   tls.VersionTLS12,
	}
}

// create makes a new authority and writes its files; it returns the
// certificate's PEM.
func (a *Authority) create(now time.Time) ([]byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{Organization: []string{"virga"}, CommonName: "virga local CA " + now.UTC().Format("2006-01-02")},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(caLifetime),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
		// Only localhost and its subdomains: the key cannot vouch for
		// any real site, whoever trusts it.
		PermittedDNSDomainsCritical: true,
		PermittedDNSDomains:         []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	if a.cert, err = x509.ParseCertificate(der); err != nil {
		return nil, err
	}
	a.key = key
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	// The key first: a certificate without its key would be half an
	// authority, which Open refuses.
	if err := writeFile(filepath.Join(a.dir, caKeyFile), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		return nil, err
	}
	if err := writeFile(filepath.Join(a.dir, CAFile), certPEM, 0o644); err != nil {
		return nil, err
	}
	return certPEM, nil
}

// sign makes this run's server certificate.
func (a *Authority) sign(now time.Time) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{Organization: []string{"virga"}, CommonName: "localhost"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(serverLifetime),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     ServerNames,
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	if tmpl.NotAfter.After(a.cert.NotAfter) {
		tmpl.NotAfter = a.cert.NotAfter
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, a.cert, &key.PublicKey, a.key)
	if err != nil {
		return err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return err
	}
	a.server = tls.Certificate{Certificate: [][]byte{der, a.cert.Raw}, PrivateKey: key, Leaf: leaf}
	return nil
}

// parseAuthority reads an authority's certificate and key from their
// PEM files, and checks that they belong together.
func parseAuthority(certPEM, keyPEM []byte) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	cb, _ := pem.Decode(certPEM)
	if cb == nil || cb.Type != "CERTIFICATE" {
		return nil, nil, errors.New(CAFile + " holds no certificate")
	}
	cert, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", CAFile, err)
	}
	if !cert.IsCA {
		return nil, nil, errors.New(CAFile + " is not a certificate authority's")
	}
	kb, _ := pem.Decode(keyPEM)
	if kb == nil || kb.Type != "PRIVATE KEY" {
		return nil, nil, errors.New(caKeyFile + " holds no private key")
	}
	k, err := x509.ParsePKCS8PrivateKey(kb.Bytes)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", caKeyFile, err)
	}
	key, ok := k.(*ecdsa.PrivateKey)
	if !ok || !key.PublicKey.Equal(cert.PublicKey) {
		return nil, nil, errors.New(caKeyFile + " is not the key of " + CAFile)
	}
	return cert, key, nil
}

// writeBundle writes the system's roots, when a file of them is found,
// followed by the authority's certificate.
func writeBundle(path string, caPEM []byte) error {
	var b bytes.Buffer
	for _, p := range systemRoots {
		if roots, err := os.ReadFile(p); err == nil && len(roots) > 0 {
			b.Write(roots)
			if roots[len(roots)-1] != '\n' {
				b.WriteByte('\n')
			}
			break
		}
	}
	b.Write(caPEM)
	return writeFile(path, b.Bytes(), 0o644)
}

// writeFile replaces path's content by data, atomically.
func writeFile(path string, data []byte, mode os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	err = errors.Join(err, f.Chmod(mode), f.Sync(), f.Close())
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

// serial is a random 128-bit serial number, as RFC 5280 allows (at
// most 20 octets, positive).
func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	return n.Add(n, big.NewInt(1))
}
