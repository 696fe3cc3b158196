package e2e_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/virga/virga/internal/e2e"
)

const s3StackTemplate = `
Resources:
  Named:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: cfn-named-bucket
      Tags:
        - {Key: team, Value: storage}
      VersioningConfiguration: {Status: Enabled}
      CorsConfiguration:
        CorsRules:
          - {AllowedMethods: [GET], AllowedOrigins: ["*"], MaxAge: 600}
  Generated:
    Type: AWS::S3::Bucket
  Policy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Named
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: "*"
            Action: s3:GetObject
            Resource: !Sub "${Named.Arn}/*"
Outputs:
  Name: {Value: !Ref Named}
  Generated: {Value: !Ref Generated}
  Arn: {Value: !GetAtt Named.Arn}
  DomainName: {Value: !GetAtt Named.DomainName}
  RegionalDomainName: {Value: !GetAtt Named.RegionalDomainName}
  WebsiteURL: {Value: !GetAtt Named.WebsiteURL}
`

func TestS3CloudFormation(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, e2e.AWSCLI)
	env := e2e.Start(t)
	outs := deployWithCLI(t, env, "store", s3StackTemplate)
	want := map[string]string{
		"Name": "cfn-named-bucket", "Arn": "arn:aws:s3:::cfn-named-bucket",
		"DomainName":         "cfn-named-bucket.s3.amazonaws.com",
		"RegionalDomainName": "cfn-named-bucket.s3.us-east-1.amazonaws.com",
		"WebsiteURL":         "http://cfn-named-bucket.s3-website-us-east-1.amazonaws.com",
	}
	for k, v := range want {
		if outs[k] != v {
			t.Errorf("output %s = %q, want %q", k, outs[k], v)
		}
	}
	if !regexp.MustCompile(`^store-generated-[a-z0-9]{13}$`).MatchString(outs["Generated"]) {
		t.Errorf("generated bucket name %q", outs["Generated"])
	}
	c := s3Client(env)
	ctx := context.Background()
	tg, err := c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String("cfn-named-bucket")})
	if err != nil {
		t.Fatal(err)
	}
	// The template's tag, and CloudFormation's own.
	if got := pairs(tg.TagSet, func(t types.Tag) (*string, *string) { return t.Key, t.Value }); got["team"] != "storage" ||
		got["aws:cloudformation:logical-id"] != "Named" || len(got) != 4 {
		t.Errorf("tags = %v", got)
	}
	v, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String("cfn-named-bucket")})
	if err != nil || v.Status != types.BucketVersioningStatusEnabled {
		t.Errorf("versioning = %+v, %v", v, err)
	}
	cors, err := c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: aws.String("cfn-named-bucket")})
	if err != nil || len(cors.CORSRules) != 1 || aws.ToInt32(cors.CORSRules[0].MaxAgeSeconds) != 600 {
		t.Errorf("cors = %+v, %v", cors, err)
	}
	pol, err := c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("cfn-named-bucket")})
	if err != nil || !strings.Contains(aws.ToString(pol.Policy), "arn:aws:s3:::cfn-named-bucket/*") {
		t.Errorf("policy = %v, %v", aws.ToString(pol.Policy), err)
	}

	// A bucket with objects cannot be deleted, so neither can its stack.
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(outs["Generated"]), Key: aws.String("k"), Body: strings.NewReader("x")}); err != nil {
		t.Fatal(err)
	}
	cf := cloudformation.NewFromConfig(env.Config)
	if _, err := cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("store")}); err != nil {
		t.Fatal(err)
	}
	var why string
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		st, err := cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("store")})
		if err != nil {
			t.Fatal(err)
		}
		if st.Stacks[0].StackStatus == cftypes.StackStatusDeleteFailed {
			why = aws.ToString(st.Stacks[0].StackStatusReason)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("stack %s, want DELETE_FAILED", st.Stacks[0].StackStatus)
		}
	}
	evs, err := cf.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: aws.String("store")})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range evs.StackEvents {
		if aws.ToString(e.LogicalResourceId) == "Generated" && e.ResourceStatus == cftypes.ResourceStatusDeleteFailed &&
			strings.Contains(aws.ToString(e.ResourceStatusReason), "The bucket you tried to delete is not empty") {
			found = true
		}
	}
	if !found {
		t.Errorf("no DELETE_FAILED event for the non-empty bucket (stack: %q)", why)
	}
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(outs["Generated"]), Key: aws.String("k")}); err != nil {
		t.Fatal(err)
	}
	if _, err := cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("store")}); err != nil {
		t.Fatal(err)
	}
	if err := cloudformation.NewStackDeleteCompleteWaiter(cf).Wait(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("store")}, time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("cfn-named-bucket")}); err == nil {
		t.Errorf("bucket survived its stack")
	}
}
