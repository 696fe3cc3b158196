package e2e_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/virga/virga/internal/e2e"
)

// deleteStackWaiting deletes a stack and waits until it is gone.
func deleteStackWaiting(t *testing.T, cf *cloudformation.Client, name string) {
	t.Helper()
	ctx := context.Background()
	if _, err := cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	if err := cloudformation.NewStackDeleteCompleteWaiter(cf).Wait(ctx,
		&cloudformation.DescribeStacksInput{StackName: aws.String(name)}, 60*time.Second, func(o *cloudformation.StackDeleteCompleteWaiterOptions) {
			o.MinDelay, o.MaxDelay = 20*time.Millisecond, 100*time.Millisecond
		}); err != nil {
		t.Fatal(err)
	}
}

// settleStack waits for a stack's operation to end and returns the stack.
func settleStack(t *testing.T, cf *cloudformation.Client, name string) cftypes.Stack {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		out, err := cf.DescribeStacks(context.Background(), &cloudformation.DescribeStacksInput{StackName: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		st := out.Stacks[0]
		if !strings.HasSuffix(string(st.StackStatus), "_IN_PROGRESS") || time.Now().After(deadline) {
			return st
		}
	}
}

// createdStackOutputs waits for a stack's creation and returns its
// outputs by key; a creation that did not complete fails the test with
// the stack's events in the log.
func createdStackOutputs(t *testing.T, cf *cloudformation.Client, name string) map[string]string {
	t.Helper()
	st := settleStack(t, cf, name)
	if st.StackStatus != cftypes.StackStatusCreateComplete {
		ev, _ := cf.DescribeStackEvents(context.Background(), &cloudformation.DescribeStackEventsInput{StackName: aws.String(name)})
		for _, e := range ev.StackEvents {
			t.Logf("%s %s %s", aws.ToString(e.LogicalResourceId), e.ResourceStatus, aws.ToString(e.ResourceStatusReason))
		}
		t.Fatalf("stack %s", st.StackStatus)
	}
	return outputsOf(st)
}

// outputsOf is a stack's outputs by key.
func outputsOf(st cftypes.Stack) map[string]string {
	outs := map[string]string{}
	for _, o := range st.Outputs {
		outs[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
	}
	return outs
}

// createSAMStack creates stack name from template with the capabilities
// a SAM application needs and answers its outputs once it is created.
func createSAMStack(t *testing.T, env *e2e.Env, name, template string) map[string]string {
	t.Helper()
	cf := cloudformation.NewFromConfig(env.Config)
	if _, err := cf.CreateStack(context.Background(), &cloudformation.CreateStackInput{StackName: aws.String(name), TemplateBody: aws.String(template),
		Capabilities: []cftypes.Capability{cftypes.CapabilityCapabilityIam, cftypes.CapabilityCapabilityAutoExpand}}); err != nil {
		t.Fatal(err)
	}
	return createdStackOutputs(t, cf, name)
}

// putObject stores an object in virga's S3, making the bucket if needed.
func putObject(t *testing.T, sc *s3.Client, bucket, key string, body []byte) {
	t.Helper()
	ctx := context.Background()
	if _, err := sc.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)}); err != nil {
		if _, err := sc.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := sc.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body)}); err != nil {
		t.Fatal(err)
	}
}

const templateFromS3 = `Description: a template in S3
Parameters:
  Suffix:
    Type: String
    Default: one
Resources:
  Box:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub "box-${Suffix}"
Outputs:
  Name:
    Value: !GetAtt Box.QueueName
`

// TestCloudFormationTemplateURL reads templates from virga's S3 by every
// URL form S3 documents and by virga's own endpoint, and answers for what
// it cannot read as CloudFormation does.
func TestCloudFormationTemplateURL(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cf := cloudformation.NewFromConfig(env.Config)
	sc := s3Client(env)
	putObject(t, sc, "templates", "dir/my template.yaml", []byte(templateFromS3))
	putObject(t, sc, "templates", "two.yaml", []byte(strings.Replace(templateFromS3, "Default: one", "Default: two", 1)))

	for i, u := range []string{
		"https://templates.s3.amazonaws.com/dir/my%20template.yaml",
		"https://s3.amazonaws.com/templates/dir/my%20template.yaml",
		"https://s3.us-east-1.amazonaws.com/templates/dir/my%20template.yaml",
		"https://templates.s3.us-east-1.amazonaws.com/dir/my%20template.yaml",
		env.Endpoint + "/templates/dir/my%20template.yaml",
		"http://templates.s3.localhost:4566/dir/my%20template.yaml",
	} {
		v, err := cf.ValidateTemplate(ctx, &cloudformation.ValidateTemplateInput{TemplateURL: aws.String(u)})
		if err != nil {
			t.Errorf("ValidateTemplate %s: %v", u, err)
			continue
		}
		if aws.ToString(v.Description) != "a template in S3" || len(v.Parameters) != 1 {
			t.Errorf("ValidateTemplate %s: %+v", u, v)
		}
		sum, err := cf.GetTemplateSummary(ctx, &cloudformation.GetTemplateSummaryInput{TemplateURL: aws.String(u)})
		if err != nil || len(sum.ResourceTypes) != 1 || sum.ResourceTypes[0] != "AWS::SQS::Queue" {
			t.Errorf("GetTemplateSummary %s: %+v %v", u, sum, err)
		}
		if i > 0 {
			continue
		}
		if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("fromurl"), TemplateURL: aws.String(u)}); err != nil {
			t.Fatal(err)
		}
		if st := settleStack(t, cf, "fromurl"); st.StackStatus != cftypes.StackStatusCreateComplete || aws.ToString(st.Outputs[0].OutputValue) != "box-one" {
			t.Fatalf("stack from %s: %s %+v", u, st.StackStatus, st.Outputs)
		}
	}
	two := env.Endpoint + "/templates/two.yaml"
	if _, err := cf.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: aws.String("fromurl"), TemplateURL: aws.String(two)}); err != nil {
		t.Fatal(err)
	}
	if st := settleStack(t, cf, "fromurl"); st.StackStatus != cftypes.StackStatusUpdateComplete || aws.ToString(st.Outputs[0].OutputValue) != "box-two" {
		t.Fatalf("stack updated from %s: %s %+v", two, st.StackStatus, st.Outputs)
	}
	got, err := cf.GetTemplate(ctx, &cloudformation.GetTemplateInput{StackName: aws.String("fromurl")})
	if err != nil || !strings.Contains(aws.ToString(got.TemplateBody), "Default: two") {
		t.Errorf("GetTemplate: %v %v", got, err)
	}
	cs, err := cf.CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{StackName: aws.String("viacs"), ChangeSetName: aws.String("first"),
		ChangeSetType: cftypes.ChangeSetTypeCreate, TemplateURL: aws.String("https://templates.s3.amazonaws.com/two.yaml")})
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		d, err := cf.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{ChangeSetName: cs.Id})
		if err != nil {
			t.Fatal(err)
		}
		if d.Status == cftypes.ChangeSetStatusCreateComplete {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("change set from a TemplateURL: %s %s", d.Status, aws.ToString(d.StatusReason))
		}
	}

	big := "Resources:\n  Box:\n    Type: AWS::SQS::Queue\n" + "#" + strings.Repeat("x", 51200) + "\n"
	putObject(t, sc, "templates", "big.yaml", []byte(big))
	if _, err := cf.ValidateTemplate(ctx, &cloudformation.ValidateTemplateInput{TemplateURL: aws.String(env.Endpoint + "/templates/big.yaml")}); err != nil {
		t.Errorf("a template over 51,200 bytes from S3: %v", err)
	}
	putObject(t, sc, "templates", "huge.yaml", []byte(big+"#"+strings.Repeat("y", 1000000)+"\n"))

	for _, c := range []struct{ what, url, msg string }{
		{"a URL that is not S3's", "https://example.com/t.yaml", "TemplateURL must be an Amazon S3 URL."},
		{"an s3:// URI", "s3://templates/two.yaml", "TemplateURL must be an Amazon S3 URL."},
		{"a missing key", "https://templates.s3.amazonaws.com/nope.yaml", "S3 error: The specified key does not exist."},
		{"a missing bucket", "https://s3.amazonaws.com/no-such-bucket/t.yaml", "S3 error: The specified bucket does not exist"},
		{"a template over 1 MB", env.Endpoint + "/templates/huge.yaml", "Template may not exceed 1000000 bytes in size."},
	} {
		_, err := cf.ValidateTemplate(ctx, &cloudformation.ValidateTemplateInput{TemplateURL: aws.String(c.url)})
		if e := wantAPIError(t, err); e.Code != "ValidationError" || e.Message != c.msg {
			t.Errorf("ValidateTemplate with %s: %s %q, want %q", c.what, e.Code, e.Message, c.msg)
		}
		_, err = cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("bad"), TemplateURL: aws.String(c.url)})
		if e := wantAPIError(t, err); e.Code != "ValidationError" || e.Message != c.msg {
			t.Errorf("CreateStack with %s: %s %q, want %q", c.what, e.Code, e.Message, c.msg)
		}
	}

	// A TemplateBody is held to 51,200 bytes.
	_, err = cf.ValidateTemplate(ctx, &cloudformation.ValidateTemplateInput{TemplateBody: aws.String(big)})
	want := "1 validation error detected: Value '" + big + "' at 'templateBody' failed to satisfy constraint: Member must have length less than or equal to 51200"
	if e := wantAPIError(t, err); e.Code != "ValidationError" || e.Message != want {
		t.Errorf("a TemplateBody over 51,200 bytes: %s %.200q", e.Code, e.Message)
	}
	_, err = cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("big"), TemplateBody: aws.String(big)})
	if e := wantAPIError(t, err); e.Code != "ValidationError" || !strings.HasSuffix(e.Message, "Member must have length less than or equal to 51200") {
		t.Errorf("CreateStack with a TemplateBody over 51,200 bytes: %s %.200q", e.Code, e.Message)
	}
	_, err = cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("both"), TemplateBody: aws.String(oneQueue),
		TemplateURL: aws.String(two)})
	if e := wantAPIError(t, err); e.Code != "ValidationError" || e.Message != "You cannot specify both Template URL and Template Body." {
		t.Errorf("both: %s %q", e.Code, e.Message)
	}
}
