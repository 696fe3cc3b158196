package e2e_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/acm"
	acmtypes "github.com/aws/aws-sdk-go-v2/service/acm/types"

	"github.com/virga/virga/internal/e2e"
)

// TestACMUpdateCertificateOptions: the CLI reference's
// update-certificate-options example opts a certificate out of
// certificate transparency logging, and DescribeCertificate shows it.
func TestACMUpdateCertificateOptions(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := acm.NewFromConfig(env.Config)
	ctx := context.Background()
	req, err := c.RequestCertificate(ctx, &acm.RequestCertificateInput{DomainName: aws.String("www.example.com"), ValidationMethod: acmtypes.ValidationMethodDns})
	if err != nil {
		t.Fatal(err)
	}
	res := env.CLI(t, "acm", "update-certificate-options", "--certificate-arn", aws.ToString(req.CertificateArn), "--options", "CertificateTransparencyLoggingPreference=DISABLED")
	if res.ExitCode != 0 || strings.TrimSpace(res.Stdout) != "" {
		t.Fatalf("update-certificate-options: %d %q %s", res.ExitCode, res.Stdout, res.Stderr)
	}
	d, err := c.DescribeCertificate(ctx, &acm.DescribeCertificateInput{CertificateArn: req.CertificateArn})
	if err != nil || d.Certificate.Options == nil || d.Certificate.Options.CertificateTransparencyLoggingPreference != acmtypes.CertificateTransparencyLoggingPreferenceDisabled {
		t.Fatalf("DescribeCertificate: %v %+v", err, d)
	}
	missing := strings.Replace(aws.ToString(req.CertificateArn), "certificate/", "certificate/0", 1)
	_, err = c.UpdateCertificateOptions(ctx, &acm.UpdateCertificateOptionsInput{CertificateArn: aws.String(missing),
		Options: &acmtypes.CertificateOptions{CertificateTransparencyLoggingPreference: acmtypes.CertificateTransparencyLoggingPreferenceEnabled}})
	expectAPIError(t, err, "ResourceNotFoundException", 400)
}
