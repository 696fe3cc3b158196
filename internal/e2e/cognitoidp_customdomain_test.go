package e2e_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/acm"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/virga/virga/internal/e2e"
)

// TestCognitoCustomDomain: a user pool's custom domain takes an issued
// us-east-1 certificate that covers it, is described with its
// certificate and CloudFront distribution, serves the token endpoint
// to requests whose Host is the domain, changes certificate, and is
// deleted; certificates that do not qualify are refused.
func TestCognitoCustomDomain(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	c := cip.NewFromConfig(env.Config)
	pool, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("custom")})
	if err != nil {
		t.Fatal(err)
	}
	poolID := aws.ToString(pool.UserPool.Id)
	cert, other, second := env.Certificate(t, "auth.example.com"), env.Certificate(t, "www.example.com"), env.Certificate(t, "*.example.com")
	create := func(domain, arn string) (*cip.CreateUserPoolDomainOutput, error) {
		return c.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: &poolID, Domain: aws.String(domain),
			CustomDomainConfig: &types.CustomDomainConfigType{CertificateArn: aws.String(arn)}})
	}
	// Refusals: a certificate that does not cover the domain, one of
	// another region, one that does not exist.
	_, err = create("auth.example.com", other)
	expectAPIError(t, err, "InvalidParameterException", 400)
	_, err = create("auth.example.com", strings.Replace(cert, ":us-east-1:", ":eu-west-1:", 1))
	expectAPIError(t, err, "InvalidParameterException", 400)
	_, err = create("auth.example.com", cert[:len(cert)-4]+"0000")
	expectAPIError(t, err, "InvalidParameterException", 400)
	// A prefix domain still may not contain dots.
	_, err = c.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: &poolID, Domain: aws.String("auth.example.com")})
	expectAPIError(t, err, "InvalidParameterException", 400)

	out, err := create("auth.example.com", cert)
	if err != nil || !strings.HasSuffix(aws.ToString(out.CloudFrontDomain), ".cloudfront.net") {
		t.Fatalf("CreateUserPoolDomain = %+v, %v", out, err)
	}
	_, err = create("login.example.com", second)
	expectAPIError(t, err, "InvalidParameterException", 400) // one custom domain a pool
	d, err := c.DescribeUserPoolDomain(ctx, &cip.DescribeUserPoolDomainInput{Domain: aws.String("auth.example.com")})
	if err != nil || aws.ToString(d.DomainDescription.UserPoolId) != poolID || d.DomainDescription.Status != types.DomainStatusTypeActive ||
		aws.ToString(d.DomainDescription.CloudFrontDistribution) != aws.ToString(out.CloudFrontDomain) ||
		d.DomainDescription.CustomDomainConfig == nil || aws.ToString(d.DomainDescription.CustomDomainConfig.CertificateArn) != cert {
		t.Fatalf("DescribeUserPoolDomain = %+v, %v", d.DomainDescription, err)
	}
	dp, err := c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: &poolID})
	if err != nil || aws.ToString(dp.UserPool.CustomDomain) != "auth.example.com" {
		t.Fatalf("pool's CustomDomain = %+v, %v", dp, err)
	}

	// The token endpoint answers on the domain's host name: a request
	// without client credentials gets an OAuth 2.0 error.
	token := func() (int, map[string]any) {
		req, err := http.NewRequest(http.MethodPost, env.Endpoint+"/oauth2/token",
			strings.NewReader(url.Values{"grant_type": {"client_credentials"}, "client_id": {"nobody"}}.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		req.Host = "auth.example.com"
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var m map[string]any
		json.NewDecoder(res.Body).Decode(&m)
		return res.StatusCode, m
	}
	if status, body := token(); status != 400 || body["error"] == nil {
		t.Fatalf("token endpoint on the custom domain = %d %v", status, body)
	}

	// UpdateUserPoolDomain changes the certificate, to one that covers
	// the domain only.
	_, err = c.UpdateUserPoolDomain(ctx, &cip.UpdateUserPoolDomainInput{UserPoolId: &poolID, Domain: aws.String("auth.example.com"),
		CustomDomainConfig: &types.CustomDomainConfigType{CertificateArn: aws.String(other)}})
	expectAPIError(t, err, "InvalidParameterException", 400)
	if u, err := c.UpdateUserPoolDomain(ctx, &cip.UpdateUserPoolDomainInput{UserPoolId: &poolID, Domain: aws.String("auth.example.com"),
		CustomDomainConfig: &types.CustomDomainConfigType{CertificateArn: aws.String(second)}}); err != nil ||
		aws.ToString(u.CloudFrontDomain) != aws.ToString(out.CloudFrontDomain) {
		t.Fatalf("UpdateUserPoolDomain = %+v, %v", u, err)
	}
	d, err = c.DescribeUserPoolDomain(ctx, &cip.DescribeUserPoolDomainInput{Domain: aws.String("auth.example.com")})
	if err != nil || aws.ToString(d.DomainDescription.CustomDomainConfig.CertificateArn) != second {
		t.Fatalf("DescribeUserPoolDomain after update = %+v, %v", d.DomainDescription, err)
	}

	// ACM shows the certificate in use by the domain's distribution,
	// and keeps it until the domain is deleted.
	certs := acm.NewFromConfig(env.Config)
	dc, err := certs.DescribeCertificate(ctx, &acm.DescribeCertificateInput{CertificateArn: aws.String(second)})
	if err != nil || len(dc.Certificate.InUseBy) != 1 || !strings.HasPrefix(dc.Certificate.InUseBy[0], "arn:aws:cloudfront::") {
		t.Fatalf("DescribeCertificate = %+v, %v", dc, err)
	}
	_, err = certs.DeleteCertificate(ctx, &acm.DeleteCertificateInput{CertificateArn: aws.String(second)})
	expectAPIError(t, err, "ResourceInUseException", 400)

	_, err = c.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: &poolID})
	expectAPIError(t, err, "InvalidParameterException", 400)
	if _, err := c.DeleteUserPoolDomain(ctx, &cip.DeleteUserPoolDomainInput{UserPoolId: &poolID, Domain: aws.String("auth.example.com")}); err != nil {
		t.Fatal(err)
	}
	if status, body := token(); status == 400 && body["error"] != nil {
		t.Fatalf("token endpoint after delete = %d %v", status, body)
	}
	if d, err := c.DescribeUserPoolDomain(ctx, &cip.DescribeUserPoolDomainInput{Domain: aws.String("auth.example.com")}); err != nil || d.DomainDescription.UserPoolId != nil {
		t.Fatalf("DescribeUserPoolDomain after delete = %+v, %v", d, err)
	}
	if _, err := certs.DeleteCertificate(ctx, &acm.DeleteCertificateInput{CertificateArn: aws.String(second)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: &poolID}); err != nil {
		t.Fatal(err)
	}
}

const cognitoCustomDomainTemplate = `
Resources:
  Pool:
    Type: AWS::Cognito::UserPool
  Domain:
    Type: AWS::Cognito::UserPoolDomain
    Properties:
      UserPoolId: !Ref Pool
      Domain: login.example.com
      CustomDomainConfig:
        CertificateArn: CERT
Outputs:
  Distribution:
    Value: !GetAtt Domain.CloudFrontDistribution
`

// TestCognitoCustomDomainStack: AWS::Cognito::UserPoolDomain makes a
// custom domain, GetAtt CloudFrontDistribution is its distribution, and
// a new certificate updates it in place.
func TestCognitoCustomDomainStack(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cf := cloudformation.NewFromConfig(env.Config)
	c := cip.NewFromConfig(env.Config)
	first, second := env.Certificate(t, "login.example.com"), env.Certificate(t, "*.example.com")
	describe := func() *types.DomainDescriptionType {
		d, err := c.DescribeUserPoolDomain(ctx, &cip.DescribeUserPoolDomainInput{Domain: aws.String("login.example.com")})
		if err != nil || d.DomainDescription.CustomDomainConfig == nil {
			t.Fatalf("DescribeUserPoolDomain = %+v, %v", d, err)
		}
		return d.DomainDescription
	}
	deployStack(t, cf, "customdomain", strings.Replace(cognitoCustomDomainTemplate, "CERT", first, 1), false)
	d := describe()
	st, err := cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("customdomain")})
	if err != nil || len(st.Stacks[0].Outputs) != 1 || aws.ToString(st.Stacks[0].Outputs[0].OutputValue) != aws.ToString(d.CloudFrontDistribution) ||
		aws.ToString(d.CustomDomainConfig.CertificateArn) != first {
		t.Fatalf("stack outputs %+v (%v), domain %+v", st, err, d)
	}
	deployStack(t, cf, "customdomain", strings.Replace(cognitoCustomDomainTemplate, "CERT", second, 1), true)
	if d2 := describe(); aws.ToString(d2.CustomDomainConfig.CertificateArn) != second || aws.ToString(d2.UserPoolId) != aws.ToString(d.UserPoolId) {
		t.Fatalf("after update: %+v", d2)
	}
}
