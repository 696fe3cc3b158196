package e2e

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/acm"
	acmtypes "github.com/aws/aws-sdk-go-v2/service/acm/types"
)

// Certificate requests an ACM certificate for a domain name and its
// subject alternative names, validated by email so that it is issued
// at once, and returns its ARN: the certificate a custom domain name
// must name.
func (e *Env) Certificate(t testing.TB, domain string, alternatives ...string) string {
	t.Helper()
	out, err := acm.NewFromConfig(e.Config).RequestCertificate(context.Background(), &acm.RequestCertificateInput{
		DomainName: aws.String(domain), SubjectAlternativeNames: alternatives,
		ValidationMethod: acmtypes.ValidationMethodEmail})
	if err != nil {
		t.Fatalf("requesting a certificate for %s: %v", domain, err)
	}
	return aws.ToString(out.CertificateArn)
}
