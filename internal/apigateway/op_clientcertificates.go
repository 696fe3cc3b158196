package apigateway

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"maps"
	"math/big"
	"time"
)

// Client certificates are the account's: self-signed certificates API
// Gateway would present to an HTTP integration's endpoint, which a stage
// names by clientCertificateId. virga makes and keeps them (an RSA 2048
// key, valid for a year, as AWS's are) but its HTTP integrations do not
// present them.

// clientCertValidity is how long a generated certificate is valid.
const clientCertValidity = 365 * 24 * time.Hour

// clientCertRecord is a client certificate as the store keeps it; the
// private key stays in the store, as on AWS it never leaves API Gateway.
type clientCertRecord struct {
	ID          string
	Description string `json:",omitempty"`
	PEM         string
	KeyPEM      string
	Created     time.Time
	Expires     time.Time
	Tags        map[string]string `json:",omitempty"`
}

func newClientCerts() *accountRecords[clientCertRecord] {
	return newAccountRecords("c", msgClientCertNotFound, func(c *clientCertRecord) string { return c.ID })
}

func (s *Service) generateClientCertificate(ctx context.Context, in *GenerateClientCertificateRequest) (*ClientCertificate, error) {
	if len(in.Tags) > maxTags {
		return nil, badRequest("Too many tags: a resource can have at most %d", maxTags)
	}
	now := s.clock.Now().UTC().Truncate(time.Second)
	certPEM, keyPEM, err := selfSignedCertificate(now, now.Add(clientCertValidity))
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := &clientCertRecord{Description: deref(in.Description), PEM: certPEM, KeyPEM: keyPEM,
		Created: now, Expires: now.Add(clientCertValidity), Tags: maps.Clone(in.Tags)}
	c.ID = s.newID(shortIDLength, s.clientCerts.taken)
	if err := s.clientCerts.put(s, c); err != nil {
		return nil, err
	}
	return clientCertOutput(c), nil
}

// selfSignedCertificate makes a key and a certificate it signs, both PEM.
func selfSignedCertificate(from, until time.Time) (string, string, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return "", "", err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
	if err != nil {
		return "", "", err
	}
	tpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: "ApiGateway"},
		NotBefore: from, NotAfter: until, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		return "", "", err
	}
	cert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	priv := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	return string(cert), string(priv), nil
}

func (s *Service) getClientCertificate(ctx context.Context, in *GetClientCertificateRequest) (*ClientCertificate, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	c, err := s.clientCerts.get(*in.ClientCertificateId)
	if err != nil {
		return nil, err
	}
	return clientCertOutput(c), nil
}

func (s *Service) getClientCertificates(ctx context.Context, in *GetClientCertificatesRequest) (*ClientCertificates, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	items, next := s.clientCerts.page(in.Position, in.Limit)
	out := &ClientCertificates{Position: next, Items: make([]ClientCertificate, 0, len(items))}
	for _, c := range items {
		out.Items = append(out.Items, *clientCertOutput(c))
	}
	return out, nil
}

func (s *Service) updateClientCertificate(ctx context.Context, in *UpdateClientCertificateRequest) (*ClientCertificate, error) {
	patches, err := parsePatches(in.PatchOperations)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old, err := s.clientCerts.get(*in.ClientCertificateId)
	if err != nil {
		return nil, err
	}
	c := *old
	for _, p := range patches {
		if p.op != "replace" || !p.is("description") {
			return nil, p.invalid()
		}
		c.Description = p.str()
	}
	if err := s.clientCerts.put(s, &c); err != nil {
		return nil, err
	}
	return clientCertOutput(&c), nil
}

func (s *Service) deleteClientCertificate(ctx context.Context, in *DeleteClientCertificateRequest) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return nil, s.clientCerts.delete(s, *in.ClientCertificateId)
}

// clientCertOutput is a certificate as GetClientCertificate answers it.
func clientCertOutput(c *clientCertRecord) *ClientCertificate {
	return &ClientCertificate{ClientCertificateId: ptr(c.ID), Description: optional(c.Description),
		PemEncodedCertificate: ptr(c.PEM), CreatedDate: ptr(c.Created), ExpirationDate: ptr(c.Expires),
		Tags: maps.Clone(c.Tags)}
}
