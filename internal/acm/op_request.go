package acm

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/store"
)

// idempotencyWindow is how long a RequestCertificate IdempotencyToken
// holds: "Idempotency tokens time out after one hour".
const idempotencyWindow = time.Hour

// Limits of ACM's quotas and API reference.
const (
	maxDomainNames = 100 // domain names per certificate, the quota's upper bound
	maxTags        = 50  // tags per certificate
)

func (s *Service) requestCertificate(ctx context.Context, in *RequestCertificateRequest) (*RequestCertificateResponse, error) {
	if in.CertificateAuthorityArn != nil {
		return nil, apierr.ErrNotImplemented.WithMessage("virga issues no private certificates: ACM Private CA is not implemented.")
	}
	domain := strings.ToLower(*in.DomainName)
	names := []string{domain}
	for _, n := range in.SubjectAlternativeNames {
		if n = strings.ToLower(n); !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	if len(names) > maxDomainNames {
		return nil, ErrLimitExceeded.Withf("Cannot request certificate with more than %d domain names.", maxDomainNames)
	}
	method := cmpOr(string(deref(in.ValidationMethod)), methodEmail)
	var vdomains map[string]string
	for _, o := range in.DomainValidationOptions {
		d, v := strings.ToLower(*o.DomainName), strings.ToLower(*o.ValidationDomain)
		if !slices.Contains(names, d) {
			// Wording unconfirmed.
			return nil, ErrInvalidDomainValidationOptions.Withf("DomainValidationOption DomainName %s is not one of the certificate's domain names.", d)
		}
		if base := strings.TrimPrefix(d, "*."); v != base && !strings.HasSuffix(base, "."+v) {
			// Wording unconfirmed.
			return nil, ErrInvalidDomainValidationOptions.Withf("ValidationDomain %s is not %s or a superdomain of it.", v, base)
		}
		if vdomains == nil {
			vdomains = map[string]string{}
		}
		vdomains[d] = v
	}
	tags, err := checkTags(ctx, nil, in.Tags)
	if err != nil {
		return nil, err
	}
	var arn string
	err = s.update(ctx, func(b store.Batch) error {
		now := s.clock.Now().UTC()
		if in.IdempotencyToken != nil {
			all, err := s.all(s.store)
			if err != nil {
				return err
			}
			for _, c := range all {
				if c.Token == *in.IdempotencyToken && c.DomainName == domain && now.Sub(c.CreatedAt) < idempotencyWindow {
					arn = c.ARN
					return nil
				}
			}
		}
		c := &certificate{
			DomainName: domain, SANs: names, Type: typeAmazon, Method: method, ValidationDomains: vdomains,
			Status: statusPending, KeyAlgorithm: cmpOr(string(deref(in.KeyAlgorithm)), "RSA_2048"),
			Token: deref(in.IdempotencyToken), Tags: tags, CreatedAt: now.Truncate(time.Millisecond),
		}
		if in.Options != nil && in.Options.CertificateTransparencyLoggingPreference != nil {
			c.Transparency = string(*in.Options.CertificateTransparencyLoggingPreference)
		}
		if err := s.newARN(b, c); err != nil {
			return err
		}
		if method == methodEmail {
			// No mail is sent: the approval is taken as given.
			s.issue(c, now)
		}
		arn = c.ARN
		return s.settle(b, c)
	})
	if err != nil {
		return nil, err
	}
	return &RequestCertificateResponse{CertificateArn: &arn}, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// current reads a certificate and brings its status up to date,
// writing the change back.
func (s *Service) current(ctx context.Context, arn string) (*certificate, error) {
	var c *certificate
	err := s.update(ctx, func(b store.Batch) error {
		var err error
		if c, err = s.load(s.store, arn); err != nil {
			return err
		}
		changed, err := s.refresh(c)
		if err != nil || !changed {
			return err
		}
		return s.put(b, c)
	})
	return c, err
}

func (s *Service) describeCertificate(ctx context.Context, in *DescribeCertificateRequest) (*DescribeCertificateResponse, error) {
	c, err := s.current(ctx, *in.CertificateArn)
	if err != nil {
		return nil, err
	}
	return &DescribeCertificateResponse{Certificate: s.detail(c)}, nil
}

// inUseBy returns the ARNs of the resources that use c.
func (s *Service) inUseBy(c *certificate) []string {
	if s.users == nil {
		return nil
	}
	return s.users.CertificateUsers(c.ARN)
}

// describedKeyAlgorithm is a key algorithm as DescribeCertificate writes
// it: "RSA-2048", "EC-prime256v1".
func describedKeyAlgorithm(a string) string { return strings.Replace(a, "_", "-", 1) }

// detail is c as DescribeCertificate answers it.
func (s *Service) detail(c *certificate) *CertificateDetail {
	d := &CertificateDetail{
		CertificateArn: &c.ARN, DomainName: &c.DomainName, SubjectAlternativeNames: c.SANs,
		Status: ptr(CertificateStatus(c.Status)), Type: ptr(CertificateType(c.Type)),
		KeyAlgorithm: ptr(KeyAlgorithm(describedKeyAlgorithm(c.KeyAlgorithm))),
		InUseBy:      s.inUseBy(c),
		KeyUsages:    []KeyUsage{}, ExtendedKeyUsages: []ExtendedKeyUsage{},
		RenewalEligibility: ptr(RenewalEligibility("INELIGIBLE")),
	}
	if d.InUseBy == nil {
		d.InUseBy = []string{}
	}
	if c.Type == typeAmazon {
		d.CreatedAt = &c.CreatedAt
		d.Options = &CertificateOptions{CertificateTransparencyLoggingPreference: ptr(CertificateTransparencyLoggingPreference(cmpOr(c.Transparency, "ENABLED")))}
		d.DomainValidationOptions = s.domainValidations(c)
		if len(d.InUseBy) > 0 {
			d.RenewalEligibility = ptr(RenewalEligibility("ELIGIBLE"))
		}
	} else {
		d.ImportedAt = &c.ImportedAt
	}
	if c.Subject != "" {
		d.Subject = &c.Subject
	}
	if c.NotAfter.IsZero() { // never issued
		return d
	}
	d.Serial, d.Issuer, d.SignatureAlgorithm = &c.Serial, &c.Issuer, &c.SigAlg
	d.NotBefore, d.NotAfter = &c.NotBefore, &c.NotAfter
	if !c.IssuedAt.IsZero() {
		d.IssuedAt = &c.IssuedAt
	}
	ku, eku := usages(c)
	for _, u := range ku {
		d.KeyUsages = append(d.KeyUsages, KeyUsage{Name: ptr(u)})
	}
	for _, u := range eku {
		d.ExtendedKeyUsages = append(d.ExtendedKeyUsages, ExtendedKeyUsage{Name: ptr(u), OID: ptr(extendedKeyUsageOIDs[u])})
	}
	return d
}

// domainValidations are an issued-by-ACM certificate's names with how
// each is validated: the CNAME for DNS, the addresses approval would be
// mailed to for EMAIL.
func (s *Service) domainValidations(c *certificate) []DomainValidation {
	out := make([]DomainValidation, 0, len(c.SANs))
	for _, d := range c.SANs {
		v := DomainValidation{DomainName: ptr(d), ValidationMethod: ptr(ValidationMethod(c.Method)),
			ValidationDomain: ptr(cmpOr(c.ValidationDomains[d], d)), ValidationStatus: ptr(DomainStatus("SUCCESS"))}
		if c.NotAfter.IsZero() { // never issued
			if ok, _ := s.domainValidated(d); !ok && c.Status == statusPending {
				v.ValidationStatus = ptr(DomainStatus(statusPending))
			} else if !ok {
				v.ValidationStatus = ptr(DomainStatus("FAILED"))
			}
		}
		if c.Method == methodDNS {
			name, value := s.validationRecord(d)
			v.ResourceRecord = &ResourceRecord{Name: &name, Type: ptr(RecordType("CNAME")), Value: &value}
		} else {
			base := strings.TrimPrefix(*v.ValidationDomain, "*.")
			for _, box := range []string{"admin", "administrator", "hostmaster", "postmaster", "webmaster"} {
				v.ValidationEmails = append(v.ValidationEmails, box+"@"+base)
			}
		}
		out = append(out, v)
	}
	return out
}
