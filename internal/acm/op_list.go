package acm

import (
	"context"
	"encoding/base64"
	"slices"

	"github.com/virga/virga/internal/store"
)

// defaultKeyTypes are the key algorithms ListCertificates lists unless
// asked for others: "Default filtering returns only RSA_1024 and
// RSA_2048 certificates".
var defaultKeyTypes = []KeyAlgorithm{"RSA_1024", "RSA_2048"}

// defaultMaxItems is how many certificates a page holds unless MaxItems
// says otherwise.
const defaultMaxItems = 1000

func (s *Service) listCertificates(ctx context.Context, in *ListCertificatesRequest) (*ListCertificatesResponse, error) {
	all, err := s.refreshedAll(ctx)
	if err != nil {
		return nil, err
	}
	keyTypes := defaultKeyTypes
	var f Filters
	if in.Includes != nil {
		f = *in.Includes
		if len(f.KeyTypes) > 0 {
			keyTypes = f.KeyTypes
		}
	}
	var list []*certificate
	for _, c := range all {
		if len(in.CertificateStatuses) > 0 && !slices.Contains(in.CertificateStatuses, CertificateStatus(c.Status)) {
			continue
		}
		if !slices.Contains(keyTypes, KeyAlgorithm(c.KeyAlgorithm)) || !usagesMatch(c, f) {
			continue
		}
		list = append(list, c)
	}
	if deref(in.SortOrder) == "DESCENDING" {
		slices.Reverse(list)
	}
	start := 0
	if in.NextToken != nil {
		arn, err := base64.RawURLEncoding.DecodeString(*in.NextToken)
		start = slices.IndexFunc(list, func(c *certificate) bool { return c.ARN == string(arn) })
		if err != nil || start < 0 {
			// Wording unconfirmed.
			return nil, ErrInvalidArgs.WithMessage("The NextToken is not valid.")
		}
	}
	n := int(deref(in.MaxItems))
	if n == 0 {
		n = defaultMaxItems
	}
	out := &ListCertificatesResponse{CertificateSummaryList: []CertificateSummary{}}
	end := min(start+n, len(list))
	for _, c := range list[start:end] {
		out.CertificateSummaryList = append(out.CertificateSummaryList, s.summary(c))
	}
	if end < len(list) {
		out.NextToken = ptr(base64.RawURLEncoding.EncodeToString([]byte(list[end].ARN)))
	}
	return out, nil
}

// refreshedAll returns every certificate, oldest first, with its status
// brought up to date (and written back).
func (s *Service) refreshedAll(ctx context.Context) ([]*certificate, error) {
	var all []*certificate
	err := s.update(ctx, func(b store.Batch) error {
		var err error
		if all, err = s.all(s.store); err != nil {
			return err
		}
		for _, c := range all {
			changed, err := s.refresh(c)
			if err != nil {
				return err
			}
			if changed {
				if err := s.put(b, c); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return all, err
}

// usagesMatch reports whether c has one of the key usages and one of
// the extended key usages the filter names (ANY matches every one).
func usagesMatch(c *certificate, f Filters) bool {
	ku, eku := usages(c)
	if len(f.KeyUsage) > 0 && !slices.Contains(f.KeyUsage, "ANY") &&
		!slices.ContainsFunc(ku, func(u KeyUsageName) bool { return slices.Contains(f.KeyUsage, u) }) {
		return false
	}
	if len(f.ExtendedKeyUsage) > 0 && !slices.Contains(f.ExtendedKeyUsage, "ANY") &&
		!slices.ContainsFunc(eku, func(u ExtendedKeyUsageName) bool { return slices.Contains(f.ExtendedKeyUsage, u) }) {
		return false
	}
	return true
}

// usages are the key usages and extended key usages of a certificate
// that was issued (or imported): a TLS server's and client's. One never
// issued has none.
func usages(c *certificate) ([]KeyUsageName, []ExtendedKeyUsageName) {
	if c.NotAfter.IsZero() {
		return nil, nil
	}
	return []KeyUsageName{"DIGITAL_SIGNATURE", "KEY_ENCIPHERMENT"}, []ExtendedKeyUsageName{"TLS_WEB_SERVER_AUTHENTICATION", "TLS_WEB_CLIENT_AUTHENTICATION"}
}

// extendedKeyUsageOIDs are the OIDs of the extended key usages.
var extendedKeyUsageOIDs = map[ExtendedKeyUsageName]string{
	"TLS_WEB_SERVER_AUTHENTICATION": "1.3.6.1.5.5.7.3.1",
	"TLS_WEB_CLIENT_AUTHENTICATION": "1.3.6.1.5.5.7.3.2",
}

// summary is c as ListCertificates answers it.
func (s *Service) summary(c *certificate) CertificateSummary {
	ku, eku := usages(c)
	inUse := len(s.inUseBy(c)) > 0
	out := CertificateSummary{
		CertificateArn: ptr(c.ARN), DomainName: ptr(c.DomainName), SubjectAlternativeNameSummaries: c.SANs,
		HasAdditionalSubjectAlternativeNames: ptr(false), Status: ptr(CertificateStatus(c.Status)),
		Type: ptr(CertificateType(c.Type)), KeyAlgorithm: ptr(KeyAlgorithm(c.KeyAlgorithm)),
		KeyUsages: ku, ExtendedKeyUsages: eku, InUse: &inUse, Exported: ptr(false),
		RenewalEligibility: ptr(RenewalEligibility("INELIGIBLE")),
	}
	if inUse && c.Type == typeAmazon {
		out.RenewalEligibility = ptr(RenewalEligibility("ELIGIBLE"))
	}
	if c.Type == typeAmazon {
		out.CreatedAt = ptr(c.CreatedAt)
	} else {
		out.ImportedAt = ptr(c.ImportedAt)
	}
	if !c.NotAfter.IsZero() {
		out.NotBefore, out.NotAfter = ptr(c.NotBefore), ptr(c.NotAfter)
		if !c.IssuedAt.IsZero() {
			out.IssuedAt = ptr(c.IssuedAt)
		}
	}
	return out
}
