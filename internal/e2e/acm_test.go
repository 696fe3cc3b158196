package e2e_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/acm"
	acmtypes "github.com/aws/aws-sdk-go-v2/service/acm/types"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	apigw2types "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/virga/virga/internal/e2e"
)

func describeCert(t *testing.T, c *acm.Client, arn string) *acmtypes.CertificateDetail {
	t.Helper()
	out, err := c.DescribeCertificate(context.Background(), &acm.DescribeCertificateInput{CertificateArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	return out.Certificate
}

// TestACMDNSValidation: a certificate for names in a virga zone stays
// PENDING_VALIDATION, with the CNAME to write for each name, until the
// zone has the record; then it is ISSUED for 395 days and
// GetCertificate returns a chain that verifies for its names. A name
// no virga zone holds is issued at once, as is an EMAIL certificate.
func TestACMDNSValidation(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := acm.NewFromConfig(env.Config)
	r53 := route53.NewFromConfig(env.Config)
	ctx := context.Background()
	zone := newZone(t, r53, "shop.example")

	req, err := c.RequestCertificate(ctx, &acm.RequestCertificateInput{DomainName: aws.String("shop.example"),
		SubjectAlternativeNames: []string{"*.shop.example", "api.shop.example"}, ValidationMethod: acmtypes.ValidationMethodDns,
		IdempotencyToken: aws.String("tok1"), Tags: []acmtypes.Tag{{Key: aws.String("team"), Value: aws.String("web")}}})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(req.CertificateArn)
	if !strings.HasPrefix(arn, "arn:aws:acm:us-east-1:"+testAccount+":certificate/") || len(arn) != len("arn:aws:acm:us-east-1:"+testAccount+":certificate/")+36 {
		t.Fatalf("ARN %s", arn)
	}
	again, err := c.RequestCertificate(ctx, &acm.RequestCertificateInput{DomainName: aws.String("shop.example"),
		ValidationMethod: acmtypes.ValidationMethodDns, IdempotencyToken: aws.String("tok1")})
	if err != nil || aws.ToString(again.CertificateArn) != arn {
		t.Fatalf("same token: %v %v, want %s", again, err, arn)
	}

	d := describeCert(t, c, arn)
	if d.Status != acmtypes.CertificateStatusPendingValidation || d.Type != acmtypes.CertificateTypeAmazonIssued ||
		!slices.Equal(d.SubjectAlternativeNames, []string{"shop.example", "*.shop.example", "api.shop.example"}) ||
		len(d.DomainValidationOptions) != 3 || d.NotAfter != nil || d.CreatedAt == nil {
		t.Fatalf("pending certificate: %+v", d)
	}
	records := map[string]string{}
	for _, v := range d.DomainValidationOptions {
		rr := v.ResourceRecord
		if v.ValidationStatus != acmtypes.DomainStatusPendingValidation || v.ValidationMethod != acmtypes.ValidationMethodDns || rr == nil ||
			rr.Type != acmtypes.RecordTypeCname || !strings.HasPrefix(aws.ToString(rr.Name), "_") ||
			!strings.HasSuffix(aws.ToString(rr.Name), "."+strings.TrimPrefix(aws.ToString(v.DomainName), "*.")+".") ||
			!strings.HasSuffix(aws.ToString(rr.Value), ".acm-validations.aws.") {
			t.Fatalf("validation option %+v %+v", v, rr)
		}
		records[aws.ToString(rr.Name)] = aws.ToString(rr.Value)
	}
	// The wildcard shares its base domain's record.
	if len(records) != 2 {
		t.Fatalf("records %v, want 2 distinct", records)
	}
	_, err = c.GetCertificate(ctx, &acm.GetCertificateInput{CertificateArn: aws.String(arn)})
	r53Error(t, err, "RequestInProgressException", "")

	var changes []r53types.Change
	for name, value := range records {
		changes = append(changes, change(r53types.ChangeActionUpsert, name, r53types.RRTypeCname, 300, value))
	}
	if _, err := changeRecords(r53, zone, changes[:1]...); err != nil {
		t.Fatal(err)
	}
	if d := describeCert(t, c, arn); d.Status != acmtypes.CertificateStatusPendingValidation {
		t.Fatalf("one record of two: %s", d.Status)
	}
	if _, err := changeRecords(r53, zone, changes[1:]...); err != nil {
		t.Fatal(err)
	}
	d = describeCert(t, c, arn)
	if d.Status != acmtypes.CertificateStatusIssued || d.IssuedAt == nil || d.NotBefore == nil ||
		d.NotAfter.Sub(*d.NotBefore) != 395*24*time.Hour || aws.ToString(d.Issuer) != "Amazon" ||
		aws.ToString(d.Subject) != "CN=shop.example" || aws.ToString(d.Serial) == "" || len(d.ExtendedKeyUsages) == 0 {
		t.Fatalf("issued certificate: %+v", d)
	}
	for _, v := range d.DomainValidationOptions {
		if v.ValidationStatus != acmtypes.DomainStatusSuccess {
			t.Fatalf("validation %+v", v)
		}
	}

	got, err := c.GetCertificate(ctx, &acm.GetCertificateInput{CertificateArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	leaf := parsePEMCert(t, aws.ToString(got.Certificate))
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM([]byte(aws.ToString(got.CertificateChain))) {
		t.Fatalf("chain %q", aws.ToString(got.CertificateChain))
	}
	for _, name := range []string{"shop.example", "www.shop.example", "api.shop.example"} {
		if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, DNSName: name, CurrentTime: leaf.NotBefore.Add(time.Hour)}); err != nil {
			t.Errorf("verify for %s: %v", name, err)
		}
	}
	if _, ok := leaf.PublicKey.(interface{ Size() int }); !ok || leaf.PublicKeyAlgorithm != x509.RSA {
		t.Errorf("key %v, want RSA_2048", leaf.PublicKeyAlgorithm)
	}
	again2, err := c.GetCertificate(ctx, &acm.GetCertificateInput{CertificateArn: aws.String(arn)})
	if err != nil || aws.ToString(again2.Certificate) != aws.ToString(got.Certificate) {
		t.Fatalf("second GetCertificate differs: %v", err)
	}

	// Outside every virga zone, and by EMAIL: issued at once.
	outside, err := c.RequestCertificate(ctx, &acm.RequestCertificateInput{DomainName: aws.String("elsewhere.example"),
		ValidationMethod: acmtypes.ValidationMethodDns, KeyAlgorithm: acmtypes.KeyAlgorithmEcPrime256v1})
	if err != nil {
		t.Fatal(err)
	}
	if d := describeCert(t, c, aws.ToString(outside.CertificateArn)); d.Status != acmtypes.CertificateStatusIssued ||
		d.KeyAlgorithm != "EC-prime256v1" || aws.ToString(d.SignatureAlgorithm) != "SHA256WITHECDSA" {
		t.Fatalf("certificate outside virga's zones: %s %s", d.Status, d.KeyAlgorithm)
	}
	mail, err := c.RequestCertificate(ctx, &acm.RequestCertificateInput{DomainName: aws.String("www.shop.example"),
		DomainValidationOptions: []acmtypes.DomainValidationOption{{DomainName: aws.String("www.shop.example"), ValidationDomain: aws.String("shop.example")}}})
	if err != nil {
		t.Fatal(err)
	}
	d = describeCert(t, c, aws.ToString(mail.CertificateArn))
	if d.Status != acmtypes.CertificateStatusIssued || len(d.DomainValidationOptions) != 1 ||
		d.DomainValidationOptions[0].ValidationMethod != acmtypes.ValidationMethodEmail ||
		!slices.Contains(d.DomainValidationOptions[0].ValidationEmails, "admin@shop.example") {
		t.Fatalf("EMAIL certificate: %+v", d)
	}

	_, err = c.RequestCertificate(ctx, &acm.RequestCertificateInput{DomainName: aws.String("a.shop.example"),
		DomainValidationOptions: []acmtypes.DomainValidationOption{{DomainName: aws.String("b.shop.example"), ValidationDomain: aws.String("shop.example")}}})
	r53Error(t, err, "InvalidDomainValidationOptionsException", "")
	_, err = c.RequestCertificate(ctx, &acm.RequestCertificateInput{DomainName: aws.String("-bad.example")})
	r53Error(t, err, "ValidationException", "")
	// Each subject alternative name is a domain name by DomainName's
	// rule, a bad one reported on the whole list.
	_, err = c.RequestCertificate(ctx, &acm.RequestCertificateInput{DomainName: aws.String("good.example"),
		SubjectAlternativeNames: []string{"www.good.example", "a..b"}})
	r53Error(t, err, "ValidationException", "1 validation error detected: Value '[www.good.example, a..b]' at 'subjectAlternativeNames' "+
		"failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 253, "+
		"Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: "+
		`^(\*\.)?(((?!-)[A-Za-z0-9-]{0,62}[A-Za-z0-9])\.)+((?!-)[A-Za-z0-9-]{1,62}[A-Za-z0-9])$]`)
	_, err = c.RequestCertificate(ctx, &acm.RequestCertificateInput{DomainName: aws.String("good.example"),
		SubjectAlternativeNames: []string{strings.Repeat("a", 250) + ".example"}})
	r53Error(t, err, "ValidationException", "")
}

func parsePEMCert(t *testing.T, text string) *x509.Certificate {
	t.Helper()
	b, _ := pem.Decode([]byte(text))
	if b == nil {
		t.Fatalf("no PEM in %q", text)
	}
	c, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestACMListTagsDelete: ListCertificates filters by status and key
// type and pages; tags are added, replaced, listed and removed; the
// errors for a missing certificate, a malformed ARN and a reserved tag
// key are ACM's; a certificate an API Gateway domain name uses is
// named in InUseBy and cannot be deleted.
func TestACMListTagsDelete(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := acm.NewFromConfig(env.Config)
	ctx := context.Background()
	newZone(t, route53.NewFromConfig(env.Config), "pending.example")
	var arns []string
	for _, name := range []string{"one.example", "two.example", "x.pending.example"} {
		out, err := c.RequestCertificate(ctx, &acm.RequestCertificateInput{DomainName: aws.String(name), ValidationMethod: acmtypes.ValidationMethodDns})
		if err != nil {
			t.Fatal(err)
		}
		arns = append(arns, aws.ToString(out.CertificateArn))
	}
	ec, err := c.RequestCertificate(ctx, &acm.RequestCertificateInput{DomainName: aws.String("ec.example"), KeyAlgorithm: acmtypes.KeyAlgorithmEcSecp384r1})
	if err != nil {
		t.Fatal(err)
	}

	listed := func(in *acm.ListCertificatesInput) []string {
		t.Helper()
		var out []string
		p := acm.NewListCertificatesPaginator(c, in)
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if in.MaxItems != nil && len(page.CertificateSummaryList) > int(*in.MaxItems) {
				t.Fatalf("page of %d, MaxItems %d", len(page.CertificateSummaryList), *in.MaxItems)
			}
			for _, s := range page.CertificateSummaryList {
				out = append(out, aws.ToString(s.CertificateArn))
			}
		}
		return out
	}
	if got := listed(&acm.ListCertificatesInput{MaxItems: aws.Int32(1)}); !slices.Equal(got, arns) {
		t.Fatalf("all RSA: %v, want %v", got, arns)
	}
	if got := listed(&acm.ListCertificatesInput{CertificateStatuses: []acmtypes.CertificateStatus{acmtypes.CertificateStatusPendingValidation}}); !slices.Equal(got, arns[2:]) {
		t.Fatalf("pending: %v, want %v", got, arns[2:])
	}
	if got := listed(&acm.ListCertificatesInput{Includes: &acmtypes.Filters{KeyTypes: []acmtypes.KeyAlgorithm{acmtypes.KeyAlgorithmEcSecp384r1}}}); !slices.Equal(got, []string{aws.ToString(ec.CertificateArn)}) {
		t.Fatalf("EC: %v", got)
	}
	_, err = c.ListCertificates(ctx, &acm.ListCertificatesInput{NextToken: aws.String("nonsense")})
	r53Error(t, err, "InvalidArgsException", "")

	arn := aws.String(arns[0])
	if _, err := c.AddTagsToCertificate(ctx, &acm.AddTagsToCertificateInput{CertificateArn: arn, Tags: []acmtypes.Tag{
		{Key: aws.String("env"), Value: aws.String("dev")}, {Key: aws.String("owner"), Value: aws.String("a")}, {Key: aws.String("flag")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AddTagsToCertificate(ctx, &acm.AddTagsToCertificateInput{CertificateArn: arn, Tags: []acmtypes.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.RemoveTagsFromCertificate(ctx, &acm.RemoveTagsFromCertificateInput{CertificateArn: arn, Tags: []acmtypes.Tag{
		{Key: aws.String("owner"), Value: aws.String("not-a")}, {Key: aws.String("flag")}}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.ListTagsForCertificate(ctx, &acm.ListTagsForCertificateInput{CertificateArn: arn})
	if err != nil {
		t.Fatal(err)
	}
	var kv []string
	for _, tg := range tags.Tags {
		kv = append(kv, aws.ToString(tg.Key)+"="+aws.ToString(tg.Value))
	}
	if !slices.Equal(kv, []string{"env=prod", "owner=a"}) {
		t.Fatalf("tags %v", kv)
	}
	_, err = c.AddTagsToCertificate(ctx, &acm.AddTagsToCertificateInput{CertificateArn: arn, Tags: []acmtypes.Tag{{Key: aws.String("aws:x"), Value: aws.String("y")}}})
	r53Error(t, err, "InvalidTagException", "")

	missing := "arn:aws:acm:us-east-1:" + testAccount + ":certificate/00000000-0000-0000-0000-000000000000"
	_, err = c.DescribeCertificate(ctx, &acm.DescribeCertificateInput{CertificateArn: aws.String(missing)})
	r53Error(t, err, "ResourceNotFoundException", "Could not find certificate "+missing+" in account "+testAccount+".")
	_, err = c.DescribeCertificate(ctx, &acm.DescribeCertificateInput{CertificateArn: aws.String("arn:aws:acm:us-east-1:" + testAccount + ":key/1234")})
	r53Error(t, err, "InvalidArnException", "")

	// In use by a custom domain name: named, and not deleted.
	apis := apigatewayv2.NewFromConfig(env.Config)
	if _, err := apis.CreateDomainName(ctx, &apigatewayv2.CreateDomainNameInput{DomainName: aws.String("one.example"),
		DomainNameConfigurations: []apigw2types.DomainNameConfiguration{{CertificateArn: arn, EndpointType: apigw2types.EndpointTypeRegional}}}); err != nil {
		t.Fatal(err)
	}
	if d := describeCert(t, c, *arn); !slices.Equal(d.InUseBy, []string{"arn:aws:apigateway:us-east-1::/domainnames/one.example"}) ||
		d.RenewalEligibility != acmtypes.RenewalEligibilityEligible {
		t.Fatalf("InUseBy %v %s", d.InUseBy, d.RenewalEligibility)
	}
	_, err = c.DeleteCertificate(ctx, &acm.DeleteCertificateInput{CertificateArn: arn})
	r53Error(t, err, "ResourceInUseException", "Certificate "+*arn+" in account "+testAccount+" is in use.")
	if _, err := apis.DeleteDomainName(ctx, &apigatewayv2.DeleteDomainNameInput{DomainName: aws.String("one.example")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteCertificate(ctx, &acm.DeleteCertificateInput{CertificateArn: arn}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DescribeCertificate(ctx, &acm.DescribeCertificateInput{CertificateArn: arn})
	r53Error(t, err, "ResourceNotFoundException", "")
	_, err = c.DeleteCertificate(ctx, &acm.DeleteCertificateInput{CertificateArn: arn})
	r53Error(t, err, "ResourceNotFoundException", "")
}

// selfSigned makes a certificate for names with its key, as PEM.
func selfSigned(t *testing.T, names ...string) (cert, key []byte) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(0x1234), Subject: pkix.Name{CommonName: names[0], Organization: []string{"Example Org"}},
		Issuer: pkix.Name{CommonName: names[0]}, DNSNames: names, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, k.Public(), k)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder})
}

// TestACMImportCertificate: an imported certificate is described by its
// fields and returned as given; a key that is not the certificate's, or
// text that is no PEM, is a ValidationException; reimporting replaces
// the certificate under the same ARN.
func TestACMImportCertificate(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := acm.NewFromConfig(env.Config)
	ctx := context.Background()
	cert, key := selfSigned(t, "imported.example", "www.imported.example")
	out, err := c.ImportCertificate(ctx, &acm.ImportCertificateInput{Certificate: cert, PrivateKey: key, CertificateChain: cert,
		Tags: []acmtypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(out.CertificateArn)
	d := describeCert(t, c, arn)
	if d.Type != acmtypes.CertificateTypeImported || d.Status != acmtypes.CertificateStatusIssued || aws.ToString(d.DomainName) != "imported.example" ||
		!slices.Equal(d.SubjectAlternativeNames, []string{"imported.example", "www.imported.example"}) || d.ImportedAt == nil ||
		d.KeyAlgorithm != "EC-prime256v1" || aws.ToString(d.Serial) != "12:34" || aws.ToString(d.SignatureAlgorithm) != "SHA256WITHECDSA" {
		t.Fatalf("imported: %+v", d)
	}
	got, err := c.GetCertificate(ctx, &acm.GetCertificateInput{CertificateArn: aws.String(arn)})
	if err != nil || aws.ToString(got.Certificate) != string(cert) || aws.ToString(got.CertificateChain) != string(cert) {
		t.Fatalf("GetCertificate: %v", err)
	}

	_, otherKey := selfSigned(t, "imported.example")
	_, err = c.ImportCertificate(ctx, &acm.ImportCertificateInput{Certificate: cert, PrivateKey: otherKey})
	r53Error(t, err, "ValidationException", "")
	_, err = c.ImportCertificate(ctx, &acm.ImportCertificateInput{Certificate: []byte("not a certificate"), PrivateKey: key})
	r53Error(t, err, "ValidationException", "Unable to parse certificate. Please ensure the certificate is in PEM format.")

	cert2, key2 := selfSigned(t, "renewed.example")
	re, err := c.ImportCertificate(ctx, &acm.ImportCertificateInput{CertificateArn: aws.String(arn), Certificate: cert2, PrivateKey: key2})
	if err != nil || aws.ToString(re.CertificateArn) != arn {
		t.Fatalf("reimport: %v", err)
	}
	if d := describeCert(t, c, arn); aws.ToString(d.DomainName) != "renewed.example" {
		t.Fatalf("reimported: %s", aws.ToString(d.DomainName))
	}
}

// TestACMCLI: the aws CLI requests and describes a certificate.
func TestACMCLI(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	var req struct{ CertificateArn string }
	cliJSON(t, env.CLI(t, "acm", "request-certificate", "--domain-name", "cli.example", "--validation-method", "DNS",
		"--subject-alternative-names", "www.cli.example"), &req)
	var desc struct {
		Certificate struct {
			CertificateArn, Status, DomainName string
			DomainValidationOptions            []struct {
				ResourceRecord struct{ Name, Type, Value string }
			}
		}
	}
	cliJSON(t, env.CLI(t, "acm", "describe-certificate", "--certificate-arn", req.CertificateArn), &desc)
	if desc.Certificate.CertificateArn != req.CertificateArn || desc.Certificate.Status != "ISSUED" || len(desc.Certificate.DomainValidationOptions) != 2 ||
		desc.Certificate.DomainValidationOptions[0].ResourceRecord.Type != "CNAME" {
		t.Fatalf("%+v", desc)
	}
	var list struct {
		CertificateSummaryList []struct{ CertificateArn string }
	}
	cliJSON(t, env.CLI(t, "acm", "list-certificates"), &list)
	if len(list.CertificateSummaryList) != 1 || list.CertificateSummaryList[0].CertificateArn != req.CertificateArn {
		t.Fatalf("%+v", list)
	}
}

// TestACMIAMEnforce: under --auth iam a call on one certificate is
// authorized on its ARN: a user allowed acm:DescribeCertificate on one
// certificate describes it and is denied the other.
func TestACMIAMEnforce(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, iamMode)
	ctx := context.Background()
	admin := acm.NewFromConfig(env.Config)
	var arns []string
	for _, name := range []string{"mine.example", "theirs.example"} {
		out, err := admin.RequestCertificate(ctx, &acm.RequestCertificateInput{DomainName: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		arns = append(arns, aws.ToString(out.CertificateArn))
	}
	user := acm.NewFromConfig(iamUser(t, env, "certreader",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"acm:DescribeCertificate","Resource":"`+arns[0]+`"}]}`))
	if _, err := user.DescribeCertificate(ctx, &acm.DescribeCertificateInput{CertificateArn: aws.String(arns[0])}); err != nil {
		t.Fatal(err)
	}
	_, err := user.DescribeCertificate(ctx, &acm.DescribeCertificateInput{CertificateArn: aws.String(arns[1])})
	r53Error(t, err, "AccessDeniedException", "")
	_, err = user.ListCertificates(ctx, &acm.ListCertificatesInput{})
	r53Error(t, err, "AccessDeniedException", "")
}
