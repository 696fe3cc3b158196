package acm

import (
	"context"
	"errors"
	"slices"
	"strings"
)

// Certificate is a certificate as the services that name one (API
// Gateway's custom domain names) see it.
type Certificate struct {
	ARN    string
	Status string // ISSUED, PENDING_VALIDATION, EXPIRED, ...
	// Names are the certificate's domain names: its DomainName and
	// subject alternative names, lower-case.
	Names []string
}

// Issued reports whether the certificate may be used.
func (c Certificate) Issued() bool { return c.Status == statusIssued }

// Covers reports whether the certificate is valid for a host name: one
// of its names is the host, or a wildcard name ("*.example.com")
// stands for the host's first label ("api.example.com", not
// "a.b.example.com" nor "example.com").
func (c Certificate) Covers(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if slices.Contains(c.Names, host) {
		return true
	}
	label, parent, ok := strings.Cut(host, ".")
	return ok && label != "" && parent != "" && slices.Contains(c.Names, "*."+parent)
}

// Lookup returns the certificate an ARN names, its status brought up to
// date, and false when the ARN names no certificate of this account
// and region.
func (s *Service) Lookup(arn string) (Certificate, bool, error) {
	c, err := s.current(context.Background(), arn)
	if errors.Is(err, ErrResourceNotFound) || errors.Is(err, ErrInvalidArn) {
		return Certificate{}, false, nil
	}
	if err != nil {
		return Certificate{}, false, err
	}
	return Certificate{ARN: c.ARN, Status: c.Status, Names: slices.Clone(c.SANs)}, true, nil
}
