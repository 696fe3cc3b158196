package e2e_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/virga/virga/internal/e2e"
)

const websiteStackTemplate = `
Resources:
  Site:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: cfn-site
      OwnershipControls:
        Rules: [{ObjectOwnership: BucketOwnerPreferred}]
      PublicAccessBlockConfiguration:
        BlockPublicAcls: false
        BlockPublicPolicy: false
        IgnorePublicAcls: false
        RestrictPublicBuckets: false
      WebsiteConfiguration:
        IndexDocument: index.html
        ErrorDocument: error.html
        RoutingRules:
          - RoutingRuleCondition: {KeyPrefixEquals: old/}
            RedirectRule: {ReplaceKeyPrefixWith: new/}
      LifecycleConfiguration:
        Rules:
          - Id: uploads
            Status: Enabled
            Prefix: uploads/
            ExpirationInDays: 7
            AbortIncompleteMultipartUpload: {DaysAfterInitiation: 1}
          - Id: tagged
            Status: Enabled
            TagFilters: [{Key: temp, Value: "yes"}]
            NoncurrentVersionExpiration: {NoncurrentDays: 3}
            Transitions:
              - {StorageClass: GLACIER, TransitionInDays: 60}
Outputs:
  WebsiteURL: {Value: !GetAtt Site.WebsiteURL}
`

// TestS3WebsiteStack deploys a website bucket with its lifecycle, public
// access block and ownership controls from a template, and reads its
// website at the WebsiteURL's host.
func TestS3WebsiteStack(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, e2e.AWSCLI)
	env := e2e.Start(t)
	outs := deployWithCLI(t, env, "site", websiteStackTemplate)
	c := s3Client(env)
	ctx := context.Background()
	w, err := c.GetBucketWebsite(ctx, &s3.GetBucketWebsiteInput{Bucket: aws.String("cfn-site")})
	if err != nil || aws.ToString(w.IndexDocument.Suffix) != "index.html" || aws.ToString(w.ErrorDocument.Key) != "error.html" ||
		len(w.RoutingRules) != 1 || aws.ToString(w.RoutingRules[0].Redirect.ReplaceKeyPrefixWith) != "new/" {
		t.Errorf("website = %+v, %v", w, err)
	}
	lc, err := c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String("cfn-site")})
	if err != nil || len(lc.Rules) != 2 || aws.ToString(lc.Rules[0].Filter.Prefix) != "uploads/" || aws.ToInt32(lc.Rules[0].Expiration.Days) != 7 ||
		lc.Rules[1].Filter.Tag == nil || aws.ToInt32(lc.Rules[1].NoncurrentVersionExpiration.NoncurrentDays) != 3 ||
		len(lc.Rules[1].Transitions) != 1 || aws.ToInt32(lc.Rules[1].Transitions[0].Days) != 60 {
		t.Errorf("lifecycle = %+v, %v", lc, err)
	}
	pab, err := c.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String("cfn-site")})
	if err != nil || aws.ToBool(pab.PublicAccessBlockConfiguration.BlockPublicPolicy) {
		t.Errorf("public access block = %+v, %v", pab, err)
	}
	own, err := c.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: aws.String("cfn-site")})
	if err != nil || own.OwnershipControls.Rules[0].ObjectOwnership != types.ObjectOwnershipBucketOwnerPreferred {
		t.Errorf("ownership = %+v, %v", own, err)
	}
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("cfn-site"), Key: aws.String("index.html"),
		Body: strings.NewReader("welcome"), ContentType: aws.String("text/html")}); err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(outs["WebsiteURL"])
	if err != nil || u.Host != "cfn-site.s3-website-us-east-1.amazonaws.com" {
		t.Fatalf("WebsiteURL %q", outs["WebsiteURL"])
	}
	if st, _, body := websiteGet(t, env, "GET", u.Host, "/"); st != 200 || body != "welcome" {
		t.Errorf("GET %s/: %d %q", u.Host, st, body)
	}
}
