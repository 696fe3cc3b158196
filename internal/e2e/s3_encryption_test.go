package e2e_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/virga/virga/internal/e2e"
)

// TestS3BucketEncryption: every bucket reports SSE-S3 default encryption
// until PutBucketEncryption sets another, and again once it is deleted;
// a stack's BucketEncryption sets it, including a rule that only turns
// the bucket key on.
func TestS3BucketEncryption(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	c := s3Client(env)
	s3Bucket(t, c, "sealed")
	rule := func(bucket string) string {
		t.Helper()
		out, err := c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String(bucket)})
		if err != nil {
			t.Fatalf("GetBucketEncryption %s: %v", bucket, err)
		}
		r := out.ServerSideEncryptionConfiguration.Rules[0]
		d := r.ApplyServerSideEncryptionByDefault
		return string(d.SSEAlgorithm) + "/" + aws.ToString(d.KMSMasterKeyID) + "/" + map[bool]string{true: "key", false: "nokey"}[aws.ToBool(r.BucketKeyEnabled)]
	}
	if got := rule("sealed"); got != "AES256//nokey" {
		t.Errorf("a new bucket: %s", got)
	}
	kc := kms.NewFromConfig(env.Config)
	key, err := kc.CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kc.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/data"), TargetKeyId: key.KeyMetadata.KeyId}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String("sealed"),
		ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{Rules: []s3types.ServerSideEncryptionRule{{
			ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAwsKms, KMSMasterKeyID: aws.String("alias/data")},
			BucketKeyEnabled:                   aws.Bool(true)}}}}); err != nil {
		t.Fatal(err)
	}
	if got := rule("sealed"); got != "aws:kms/alias/data/key" {
		t.Errorf("after PutBucketEncryption: %s", got)
	}
	// An object written without asking for an encryption reports the
	// bucket's default one.
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("sealed"), Key: aws.String("k"), Body: strings.NewReader("x")}); err != nil {
		t.Fatal(err)
	}
	if h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("sealed"), Key: aws.String("k")}); err != nil ||
		h.ServerSideEncryption != s3types.ServerSideEncryptionAwsKms || aws.ToString(h.SSEKMSKeyId) != aws.ToString(key.KeyMetadata.Arn) {
		t.Errorf("an object in a KMS bucket: %v %v %v", h.ServerSideEncryption, aws.ToString(h.SSEKMSKeyId), err)
	}
	if _, err := c.DeleteBucketEncryption(ctx, &s3.DeleteBucketEncryptionInput{Bucket: aws.String("sealed")}); err != nil {
		t.Fatal(err)
	}
	if got := rule("sealed"); got != "AES256//nokey" {
		t.Errorf("after DeleteBucketEncryption: %s", got)
	}
	_, err = c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String("sealed"),
		ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{Rules: []s3types.ServerSideEncryptionRule{{
			ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: "rot13"}}}}})
	if e := wantAPIError(t, err); e.Code != "MalformedXML" {
		t.Errorf("an unknown algorithm: %s", e.Code)
	}

	cf := cloudformation.NewFromConfig(env.Config)
	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("sealed-stack"), TemplateBody: aws.String(`Resources:
  KeyOnly:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: sealed-key-only
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - BucketKeyEnabled: true
  Kms:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: sealed-kms
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              SSEAlgorithm: aws:kms
              KMSMasterKeyID: alias/app
`)}); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		out, err := cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("sealed-stack")})
		if err != nil {
			t.Fatal(err)
		}
		if s := string(out.Stacks[0].StackStatus); !strings.HasSuffix(s, "_IN_PROGRESS") || time.Now().After(deadline) {
			if s != "CREATE_COMPLETE" {
				t.Fatalf("stack %s: %s", s, aws.ToString(out.Stacks[0].StackStatusReason))
			}
			break
		}
	}
	if got := rule("sealed-key-only"); got != "AES256//key" {
		t.Errorf("BucketKeyEnabled only: %s", got)
	}
	if got := rule("sealed-kms"); got != "aws:kms/alias/app/nokey" {
		t.Errorf("aws:kms: %s", got)
	}
}

// TestS3ObjectKMSKey: an SSE-KMS object reports the ARN of its key in
// x-amz-server-side-encryption-aws-kms-key-id on PutObject, GetObject,
// HeadObject, CopyObject and multipart uploads: the key the request
// names (by id or alias), or the AWS managed key aws/s3 when it names
// none. A key KMS does not know is S3's KMS.NotFoundException; an SSE-S3
// object reports no key.
func TestS3ObjectKMSKey(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	c := s3Client(env)
	kc := kms.NewFromConfig(env.Config)
	s3Bucket(t, c, "keyed")
	key, err := kc.CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kc.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/objects"), TargetKeyId: key.KeyMetadata.KeyId}); err != nil {
		t.Fatal(err)
	}
	keyARN := aws.ToString(key.KeyMetadata.Arn)
	check := func(what, got, want string) {
		t.Helper()
		if got != want {
			t.Errorf("%s: SSEKMSKeyId %q, want %q", what, got, want)
		}
	}
	put := func(name string, sse s3types.ServerSideEncryption, ref string) string {
		t.Helper()
		in := &s3.PutObjectInput{Bucket: aws.String("keyed"), Key: aws.String(name), Body: strings.NewReader("x"), ServerSideEncryption: sse}
		if ref != "" {
			in.SSEKMSKeyId = aws.String(ref)
		}
		out, err := c.PutObject(ctx, in)
		if err != nil {
			t.Fatalf("PutObject %s: %v", name, err)
		}
		if out.ServerSideEncryption != sse {
			t.Errorf("PutObject %s: ServerSideEncryption %s", name, out.ServerSideEncryption)
		}
		return aws.ToString(out.SSEKMSKeyId)
	}
	check("PutObject by key id", put("by-id", s3types.ServerSideEncryptionAwsKms, aws.ToString(key.KeyMetadata.KeyId)), keyARN)
	check("PutObject by alias", put("by-alias", s3types.ServerSideEncryptionAwsKms, "alias/objects"), keyARN)
	managed := put("managed", s3types.ServerSideEncryptionAwsKms, "")
	desc, err := kc.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/aws/s3")})
	if err != nil {
		t.Fatal(err)
	}
	check("PutObject without a key", managed, aws.ToString(desc.KeyMetadata.Arn))
	check("PutObject SSE-S3", put("plain", s3types.ServerSideEncryptionAes256, ""), "")

	get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("keyed"), Key: aws.String("by-alias")})
	if err != nil {
		t.Fatal(err)
	}
	get.Body.Close()
	check("GetObject", aws.ToString(get.SSEKMSKeyId), keyARN)
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("keyed"), Key: aws.String("managed")})
	if err != nil {
		t.Fatal(err)
	}
	check("HeadObject", aws.ToString(head.SSEKMSKeyId), aws.ToString(desc.KeyMetadata.Arn))
	cp, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("keyed"), Key: aws.String("copy"), CopySource: aws.String("keyed/plain"),
		ServerSideEncryption: s3types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String("alias/objects")})
	if err != nil {
		t.Fatal(err)
	}
	check("CopyObject", aws.ToString(cp.SSEKMSKeyId), keyARN)

	mp, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("keyed"), Key: aws.String("parts"),
		ServerSideEncryption: s3types.ServerSideEncryptionAwsKms, SSEKMSKeyId: key.KeyMetadata.KeyId})
	if err != nil {
		t.Fatal(err)
	}
	check("CreateMultipartUpload", aws.ToString(mp.SSEKMSKeyId), keyARN)
	part, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("keyed"), Key: aws.String("parts"), UploadId: mp.UploadId,
		PartNumber: aws.Int32(1), Body: strings.NewReader("x")})
	if err != nil {
		t.Fatal(err)
	}
	check("UploadPart", aws.ToString(part.SSEKMSKeyId), keyARN)
	done, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("keyed"), Key: aws.String("parts"), UploadId: mp.UploadId,
		MultipartUpload: &s3types.CompletedMultipartUpload{Parts: []s3types.CompletedPart{{PartNumber: aws.Int32(1), ETag: part.ETag}}}})
	if err != nil {
		t.Fatal(err)
	}
	check("CompleteMultipartUpload", aws.ToString(done.SSEKMSKeyId), keyARN)

	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("keyed"), Key: aws.String("nokey"), Body: strings.NewReader("x"),
		ServerSideEncryption: s3types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String("0e4f1a3c-1111-4222-8333-944455556666")})
	e := wantAPIError(t, err)
	want := "Key 'arn:aws:kms:" + env.Cfg.Region + ":" + testAccount + ":key/0e4f1a3c-1111-4222-8333-944455556666' does not exist"
	if e.Code != "KMS.NotFoundException" || e.Status != 400 || e.Message != want {
		t.Errorf("an unknown key: %d %s %q", e.Status, e.Code, e.Message)
	}
}

// TestS3ObjectKMSKeyFromStack: an object in a bucket whose default
// encryption names a KMS key (as the CDK's BucketEncryption.KMS writes
// it, the key's ARN from the same stack) reports that key on every write
// and read.
func TestS3ObjectKMSKeyFromStack(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cf := cloudformation.NewFromConfig(env.Config)
	created, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("kms-objects"), TemplateBody: aws.String(`Resources:
  Key:
    Type: AWS::KMS::Key
    Properties:
      KeyPolicy:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {AWS: !Sub "arn:aws:iam::${AWS::AccountId}:root"}
            Action: kms:*
            Resource: "*"
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: kms-objects
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              SSEAlgorithm: aws:kms
              KMSMasterKeyID: !GetAtt Key.Arn
Outputs:
  KeyArn:
    Value: !GetAtt Key.Arn
`)})
	if err != nil {
		t.Fatal(err)
	}
	if err := cloudformation.NewStackCreateCompleteWaiter(cf).Wait(ctx, &cloudformation.DescribeStacksInput{StackName: created.StackId}, 60*time.Second); err != nil {
		t.Fatal(err)
	}
	st, err := cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: created.StackId})
	if err != nil {
		t.Fatal(err)
	}
	keyArn := aws.ToString(st.Stacks[0].Outputs[0].OutputValue)
	// The client keeps each response's headers: the encryption S3 reports
	// is in x-amz-server-side-encryption and its -aws-kms-key-id.
	seen := &originTransport{origin: "http://localhost"}
	c := s3Client(env, func(o *s3.Options) { o.HTTPClient = &http.Client{Transport: seen} })
	b := aws.String("kms-objects")
	check := func(what string, err error, want string) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		h := seen.lastHeader()
		if alg, key := h.Get("X-Amz-Server-Side-Encryption"), h.Get("X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id"); alg != "aws:kms" || key != want {
			t.Errorf("%s: %s %q, want aws:kms %q", what, alg, key, want)
		}
	}
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("k"), Body: strings.NewReader("x")})
	check("PutObject", err, keyArn)
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String("k")})
	check("HeadObject", err, keyArn)
	get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String("k")})
	check("GetObject", err, keyArn)
	get.Body.Close()
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String("k2"), CopySource: aws.String("kms-objects/k")})
	check("CopyObject", err, keyArn)
	_, err = c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String("big")})
	check("CreateMultipartUpload", err, keyArn)

}

// TestS3KMSKeyNeedsKMS: a write naming a KMS key without asking for
// SSE-KMS is S3's InvalidArgument, not an object whose key was dropped;
// and a copy made without encryption headers is encrypted as the
// destination bucket's default says, whatever the source's key.
func TestS3KMSKeyNeedsKMS(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	c := s3Client(env)
	s3Bucket(t, c, "plain-default")
	key, err := kms.NewFromConfig(env.Config).CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	b, id := aws.String("plain-default"), key.KeyMetadata.KeyId
	refused := func(what string, err error) {
		t.Helper()
		e := wantAPIError(t, err)
		if e.Code != "InvalidArgument" || e.Status != 400 ||
			e.Message != "Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms" {
			t.Errorf("%s: %d %s %q", what, e.Status, e.Code, e.Message)
		}
	}
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("a"), Body: strings.NewReader("x"), SSEKMSKeyId: id})
	refused("PutObject with only a key", err)
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("a"), Body: strings.NewReader("x"), SSEKMSKeyId: id,
		ServerSideEncryption: s3types.ServerSideEncryptionAes256})
	refused("PutObject SSE-S3 with a key", err)
	if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String("a")}); err == nil {
		t.Error("a refused PutObject made its object")
	}
	_, err = c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String("m"), SSEKMSKeyId: id})
	refused("CreateMultipartUpload with only a key", err)

	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("sealed"), Body: strings.NewReader("x"),
		ServerSideEncryption: s3types.ServerSideEncryptionAwsKms, SSEKMSKeyId: id}); err != nil {
		t.Fatal(err)
	}
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String("c"), CopySource: aws.String("plain-default/sealed"), SSEKMSKeyId: id})
	refused("CopyObject with only a key", err)
	cp, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String("c"), CopySource: aws.String("plain-default/sealed")})
	if err != nil {
		t.Fatal(err)
	}
	if cp.ServerSideEncryption != s3types.ServerSideEncryptionAes256 || cp.SSEKMSKeyId != nil {
		t.Errorf("a copy of an SSE-KMS object into an SSE-S3 bucket: %s %q", cp.ServerSideEncryption, aws.ToString(cp.SSEKMSKeyId))
	}
	h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String("c")})
	if err != nil || h.ServerSideEncryption != s3types.ServerSideEncryptionAes256 || h.SSEKMSKeyId != nil {
		t.Errorf("HeadObject of the copy: %s %q %v", h.ServerSideEncryption, aws.ToString(h.SSEKMSKeyId), err)
	}
}

// TestS3UnsupportedSSE: a write asking for an encryption S3 does not
// have is InvalidArgument, and no object is made.
func TestS3UnsupportedSSE(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	c := s3Client(env)
	s3Bucket(t, c, "sse-values")
	b := aws.String("sse-values")
	refused := func(what string, err error) {
		t.Helper()
		e := wantAPIError(t, err)
		if e.Code != "InvalidArgument" || e.Status != 400 || e.Message != "The encryption method specified is not supported" {
			t.Errorf("%s: %d %s %q", what, e.Status, e.Code, e.Message)
		}
	}
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("a"), Body: strings.NewReader("x"), ServerSideEncryption: "rot13"})
	refused("PutObject", err)
	if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String("a")}); err == nil {
		t.Error("a refused PutObject made its object")
	}
	_, err = c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String("m"), ServerSideEncryption: "aes256"})
	refused("CreateMultipartUpload", err)
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("src"), Body: strings.NewReader("x")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String("c"), CopySource: aws.String("sse-values/src"), ServerSideEncryption: "rot13"})
	refused("CopyObject", err)
	for _, alg := range []s3types.ServerSideEncryption{s3types.ServerSideEncryptionAes256, s3types.ServerSideEncryptionAwsKms} {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String(string(alg)), Body: strings.NewReader("x"), ServerSideEncryption: alg}); err != nil {
			t.Errorf("PutObject %s: %v", alg, err)
		}
	}
}
