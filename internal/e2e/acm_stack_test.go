package e2e_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/acm"
	acmtypes "github.com/aws/aws-sdk-go-v2/service/acm/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/virga/virga/internal/e2e"
)

// TestACMStackCustomDomain: a stack makes a hosted zone, a certificate
// validated through it (CloudFormation writes the validation CNAMEs for
// the DomainValidationOptions that name the zone and waits for ISSUED)
// and a REST API custom domain name using the certificate, aliased in
// the zone. As on AWS, deleting the certificate leaves its validation
// records, so the zone, and the stack, fail to delete until they are
// removed; then the stack deletes.
func TestACMStackCustomDomain(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cf := cloudformation.NewFromConfig(env.Config)
	certs := acm.NewFromConfig(env.Config)
	r53 := route53.NewFromConfig(env.Config)
	tpl := `Resources:
  Zone:
    Type: AWS::Route53::HostedZone
    Properties: {Name: certs.example}
  Cert:
    Type: AWS::CertificateManager::Certificate
    Properties:
      DomainName: api.certs.example
      SubjectAlternativeNames: ['*.certs.example']
      ValidationMethod: DNS
      DomainValidationOptions:
        - {DomainName: api.certs.example, HostedZoneId: !Ref Zone}
        - {DomainName: '*.certs.example', HostedZoneId: !Ref Zone}
      Tags: [{Key: app, Value: demo}]
  Domain:
    Type: AWS::ApiGateway::DomainName
    Properties:
      DomainName: api.certs.example
      RegionalCertificateArn: !Ref Cert
      EndpointConfiguration: {Types: [REGIONAL]}
  Alias:
    Type: AWS::Route53::RecordSet
    Properties:
      HostedZoneId: !Ref Zone
      Name: api.certs.example
      Type: A
      AliasTarget: {DNSName: !GetAtt Domain.RegionalDomainName, HostedZoneId: !GetAtt Domain.RegionalHostedZoneId}
Outputs:
  Cert: {Value: !Ref Cert}
  Zone: {Value: !Ref Zone}
`
	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("certs"), TemplateBody: aws.String(tpl)}); err != nil {
		t.Fatal(err)
	}
	out := createdStackOutputs(t, cf, "certs")
	d := describeCert(t, certs, out["Cert"])
	if d.Status != acmtypes.CertificateStatusIssued || !slices.Equal(d.InUseBy, []string{"arn:aws:apigateway:us-east-1::/domainnames/api.certs.example"}) {
		t.Fatalf("certificate %s, in use by %v", d.Status, d.InUseBy)
	}
	tags, err := certs.ListTagsForCertificate(ctx, &acm.ListTagsForCertificateInput{CertificateArn: aws.String(out["Cert"])})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, tg := range tags.Tags {
		keys = append(keys, aws.ToString(tg.Key))
	}
	if !slices.Contains(keys, "app") || !slices.Contains(keys, "aws:cloudformation:stack-name") {
		t.Errorf("tags %v", keys)
	}
	var cnames []r53types.Change
	for _, rec := range recordList(t, r53, out["Zone"]) {
		if f := strings.Fields(rec); f[1] == "CNAME" {
			cnames = append(cnames, change(r53types.ChangeActionDelete, f[0], r53types.RRTypeCname, 60, f[2]))
		}
	}
	// api.certs.example and *.certs.example have a record each.
	if len(cnames) != 2 {
		t.Fatalf("validation records %v", recordList(t, r53, out["Zone"]))
	}

	if _, err := cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("certs")}); err != nil {
		t.Fatal(err)
	}
	if st := settleStack(t, cf, "certs"); st.StackStatus != cftypes.StackStatusDeleteFailed {
		t.Fatalf("stack %s, want DELETE_FAILED for the zone holding the validation records", st.StackStatus)
	}
	if reason := resourceReason(t, cf, "certs", "Zone", cftypes.ResourceStatusDeleteFailed); !strings.Contains(reason, "HostedZoneNotEmpty") &&
		!strings.Contains(reason, "non-required resource record sets") {
		t.Errorf("zone's DELETE_FAILED reason %q", reason)
	}
	_, err = certs.DescribeCertificate(ctx, &acm.DescribeCertificateInput{CertificateArn: aws.String(out["Cert"])})
	r53Error(t, err, "ResourceNotFoundException", "")
	if _, err := changeRecords(r53, out["Zone"], cnames...); err != nil {
		t.Fatal(err)
	}
	if _, err := cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("certs")}); err != nil {
		t.Fatal(err)
	}
	if err := cloudformation.NewStackDeleteCompleteWaiter(cf).Wait(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("certs")}, time.Minute); err != nil {
		t.Fatal(err)
	}
}

// TestACMStackPendingAndExpiry: a certificate whose names lie in a
// virga zone but whose template has the zone write no records stays
// PENDING_VALIDATION, and its stack fails once the wait is over,
// naming the records missing; a pending certificate times out after 72
// hours, and an issued one expires 395 days after its issue.
func TestACMStackPendingAndExpiry(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithFakeClock())
	ctx := context.Background()
	cf := cloudformation.NewFromConfig(env.Config)
	certs := acm.NewFromConfig(env.Config)
	newZone(t, route53.NewFromConfig(env.Config), "wait.example")
	tpl := `Resources:
  Cert:
    Type: AWS::CertificateManager::Certificate
    Properties: {DomainName: www.wait.example, ValidationMethod: DNS}
`
	// CreateStack answers once the creation is over (or after a while):
	// the test moves the clock meanwhile.
	created := make(chan error, 1)
	go func() {
		_, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("waits"), TemplateBody: aws.String(tpl)})
		created <- err
	}()
	var arn string
	for deadline := time.Now().Add(30 * time.Second); arn == ""; time.Sleep(20 * time.Millisecond) {
		list, err := certs.ListCertificates(ctx, &acm.ListCertificatesInput{})
		if err != nil {
			t.Fatal(err)
		}
		if len(list.CertificateSummaryList) > 0 {
			arn = aws.ToString(list.CertificateSummaryList[0].CertificateArn)
		}
		if time.Now().After(deadline) {
			t.Fatal("no certificate requested")
		}
	}
	record := aws.ToString(describeCert(t, certs, arn).DomainValidationOptions[0].ResourceRecord.Name)
	// The clock moves until the wait, whenever it began, is over.
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		env.Clock.Advance(6 * time.Minute)
		st, err := cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("waits")})
		if err != nil {
			t.Fatal(err)
		}
		if s := st.Stacks[0].StackStatus; s == cftypes.StackStatusRollbackComplete {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("stack %s, want ROLLBACK_COMPLETE", s)
		}
	}
	if err := <-created; err != nil {
		t.Fatal(err)
	}
	if reason := resourceReason(t, cf, "waits", "Cert", cftypes.ResourceStatusCreateFailed); !strings.Contains(reason, "PENDING_VALIDATION") ||
		!strings.Contains(reason, record) {
		t.Errorf("CREATE_FAILED reason %q, want the missing record %s", reason, record)
	}

	issued, err := certs.RequestCertificate(ctx, &acm.RequestCertificateInput{DomainName: aws.String("elsewhere.example")})
	if err != nil {
		t.Fatal(err)
	}
	pending, err := certs.RequestCertificate(ctx, &acm.RequestCertificateInput{DomainName: aws.String("wait.example"), ValidationMethod: acmtypes.ValidationMethodDns})
	if err != nil {
		t.Fatal(err)
	}
	env.Clock.Advance(71 * time.Hour)
	if d := describeCert(t, certs, aws.ToString(pending.CertificateArn)); d.Status != acmtypes.CertificateStatusPendingValidation {
		t.Fatalf("71 hours on: %s", d.Status)
	}
	env.Clock.Advance(2 * time.Hour)
	if d := describeCert(t, certs, aws.ToString(pending.CertificateArn)); d.Status != acmtypes.CertificateStatusValidationTimedOut {
		t.Fatalf("73 hours on: %s", d.Status)
	}
	env.Clock.Advance(396 * 24 * time.Hour)
	if d := describeCert(t, certs, aws.ToString(issued.CertificateArn)); d.Status != acmtypes.CertificateStatusExpired {
		t.Fatalf("a year and a month on: %s", d.Status)
	}
}
