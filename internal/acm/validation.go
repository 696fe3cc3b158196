package acm

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
)

// Certificate statuses and validation methods.
const (
	statusPending  = "PENDING_VALIDATION"
	statusIssued   = "ISSUED"
	statusExpired  = "EXPIRED"
	statusTimedOut = "VALIDATION_TIMED_OUT"

	methodDNS   = "DNS"
	methodEmail = "EMAIL"

	typeAmazon   = "AMAZON_ISSUED"
	typeImported = "IMPORTED"
)

// validity is how long an issued certificate is valid: "ACM
// certificates are valid for 395 days".
const validity = 395 * 24 * time.Hour

// validationTimeout is how long a certificate waits for validation:
// "If ACM is not able to validate the certificate within 72 hours ...
// the certificate status changes to VALIDATION_TIMED_OUT".
const validationTimeout = 72 * time.Hour

// validationRecord returns the CNAME that proves control of a domain
// name for DNS validation: its name below the domain and its value
// below acm-validations.aws. As ACM's, the record depends on the
// account and the domain only (a wildcard name shares its base
// domain's), so every certificate of an account for a name is
// validated by the same record, and a record left in place validates
// the next one.
func (s *Service) validationRecord(domain string) (name, value string) {
	base := strings.ToLower(strings.TrimPrefix(domain, "*."))
	h := sha256.Sum256([]byte(s.account + "\x00" + base))
	return "_" + hex.EncodeToString(h[:16]) + "." + base + ".", "_" + hex.EncodeToString(h[16:]) + ".acm-validations.aws."
}

// domainValidated reports whether a domain name of a DNS-validated
// certificate is validated: its validation CNAME is in the virga
// Route 53 public zone that holds the name. A name no virga zone holds
// has its DNS outside virga, where nothing could ever be found, and is
// taken as validated, as is every name when virga has no DNS.
func (s *Service) domainValidated(domain string) (bool, error) {
	if s.dns == nil {
		return true, nil
	}
	name, value := s.validationRecord(domain)
	values, hosted, err := s.dns.Lookup(name, "CNAME")
	if err != nil || !hosted {
		return err == nil, err
	}
	for _, v := range values {
		if strings.TrimSuffix(strings.ToLower(v), ".") == strings.TrimSuffix(value, ".") {
			return true, nil
		}
	}
	return false, nil
}

// refresh brings a certificate's status up to date: a pending
// certificate (DNS-validated: an EMAIL one is issued at its request)
// whose names are all validated is issued, or times out after
// validationTimeout; an issued one past its NotAfter expires. It reports whether it changed c.
func (s *Service) refresh(c *certificate) (bool, error) {
	now := s.clock.Now().UTC()
	switch c.Status {
	case statusPending:
		if now.Sub(c.CreatedAt) > validationTimeout {
			c.Status = statusTimedOut
			return true, nil
		}
		for _, d := range c.SANs {
			ok, err := s.domainValidated(d)
			if err != nil || !ok {
				return false, err
			}
		}
		s.issue(c, now)
		return true, nil
	case statusIssued:
		if !c.NotAfter.IsZero() && now.After(c.NotAfter) {
			c.Status = statusExpired
			return true, nil
		}
	}
	return false, nil
}

// issue makes c an issued certificate at now.
func (s *Service) issue(c *certificate, now time.Time) {
	now = now.Truncate(time.Second)
	c.Status, c.IssuedAt, c.NotBefore, c.NotAfter = statusIssued, now, now, now.Add(validity)
	c.Serial = colonHex(s.ids.Hex(16))
	c.Subject, c.Issuer = "CN="+c.DomainName, issuerName
	c.SigAlg = signatureAlgorithm(c.KeyAlgorithm)
}

// issuerName is the issuer ACM names for its public certificates.
const issuerName = "Amazon"

// colonHex writes hex digits in pairs joined by colons, as ACM writes
// serial numbers.
func colonHex(h string) string {
	var b strings.Builder
	for i := 0; i+1 < len(h); i += 2 {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(h[i : i+2])
	}
	return b.String()
}

// signatureAlgorithm is the algorithm ACM's issuer signs with for a key
// algorithm: an RSA certificate is signed by an RSA issuer, an EC one
// by an EC issuer.
func signatureAlgorithm(keyAlgorithm string) string {
	if strings.HasPrefix(keyAlgorithm, "EC") {
		return "SHA256WITHECDSA"
	}
	return "SHA256WITHRSA"
}
