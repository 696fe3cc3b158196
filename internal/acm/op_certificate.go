package acm

import (
	"context"
	"crypto/x509"
	"encoding/hex"
	"strings"
	"time"

	"github.com/virga/virga/internal/store"
)

func (s *Service) getCertificate(ctx context.Context, in *GetCertificateRequest) (*GetCertificateResponse, error) {
	c, err := s.current(ctx, *in.CertificateArn)
	if err != nil {
		return nil, err
	}
	if c.NotAfter.IsZero() { // never issued
		return nil, notIssued(c.ARN)
	}
	if c.Body == "" {
		// Made outside the lock (RSA keys take a while), kept by the
		// first caller to store one.
		body, chain, err := makeChain(c)
		if err != nil {
			return nil, err
		}
		err = s.changeCertificate(ctx, c.ARN, func(stored *certificate) error {
			if stored.Body == "" {
				stored.Body, stored.Chain = body, chain
			}
			c = stored
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	out := &GetCertificateResponse{Certificate: &c.Body}
	if c.Chain != "" {
		out.CertificateChain = &c.Chain
	}
	return out, nil
}

func (s *Service) importCertificate(ctx context.Context, in *ImportCertificateRequest) (*ImportCertificateResponse, error) {
	im, err := parseImport(in.Certificate, in.PrivateKey, in.CertificateChain)
	if err != nil {
		return nil, err
	}
	tags, err := checkTags(ctx, nil, in.Tags)
	if err != nil {
		return nil, err
	}
	var arn string
	err = s.update(ctx, func(b store.Batch) error {
		now := s.clock.Now().UTC()
		c := &certificate{Type: typeImported, Tags: tags}
		if in.CertificateArn != nil {
			old, err := s.load(s.store, *in.CertificateArn)
			if err != nil {
				return err
			}
			if old.Type != typeImported {
				// Wording unconfirmed.
				return ErrInvalidParameter.Withf("Certificate %s was not imported and cannot be reimported.", old.ARN)
			}
			if len(in.Tags) > 0 {
				// Wording unconfirmed.
				return ErrInvalidParameter.WithMessage("Tags cannot be applied when reimporting a certificate.")
			}
			c = old
		} else {
			if err := s.newARN(b, c); err != nil {
				return err
			}
			c.CreatedAt = now
		}
		setImported(c, im, now)
		arn = c.ARN
		return s.settle(b, c)
	})
	if err != nil {
		return nil, err
	}
	return &ImportCertificateResponse{CertificateArn: &arn}, nil
}

// setImported describes c by the imported certificate.
func setImported(c *certificate, im *imported, now time.Time) {
	leaf := im.Leaf
	c.SANs = nil
	if cn := leaf.Subject.CommonName; cn != "" {
		c.SANs = append(c.SANs, strings.ToLower(cn))
	}
	for _, n := range leaf.DNSNames {
		if n = strings.ToLower(n); len(c.SANs) == 0 || c.SANs[0] != n {
			c.SANs = append(c.SANs, n)
		}
	}
	if len(c.SANs) > 0 {
		c.DomainName = c.SANs[0]
	}
	c.Status, c.KeyAlgorithm = statusIssued, im.KeyAlgorithm
	c.ImportedAt = now.Truncate(time.Millisecond)
	c.NotBefore, c.NotAfter = leaf.NotBefore.UTC(), leaf.NotAfter.UTC()
	c.Serial = colonHex(hex.EncodeToString(leaf.SerialNumber.Bytes()))
	c.Subject = leaf.Subject.String()
	c.Issuer = leaf.Issuer.CommonName
	if len(leaf.Issuer.Organization) > 0 {
		c.Issuer = leaf.Issuer.Organization[0]
	}
	c.SigAlg = importedSignatureAlgorithm(leaf.SignatureAlgorithm)
	c.Body = pemCertificate(leaf.Raw)
	c.Chain = ""
	for _, x := range im.Chain {
		c.Chain += pemCertificate(x.Raw)
	}
}

// importedSignatureAlgorithm writes an X.509 signature algorithm as ACM
// does: SHA256WITHRSA, SHA384WITHECDSA.
func importedSignatureAlgorithm(a x509.SignatureAlgorithm) string {
	name := strings.ToUpper(a.String())
	hash, alg, ok := strings.Cut(name, "-")
	if hash == "ECDSA" {
		hash, alg = alg, hash
	}
	if !ok {
		return name
	}
	return hash + "WITH" + alg
}
