package e2e_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/virga/virga/internal/e2e"
)

// TestLambdaCodeFromS3 creates, updates and layers functions from
// packages in virga's S3, as CreateFunction, UpdateFunctionCode and
// PublishLayerVersion read S3Bucket, S3Key and S3ObjectVersion on AWS,
// with Lambda's wording of S3's errors.
func TestLambdaCodeFromS3(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	lc := lambdaClient(t, env)
	sc := s3Client(env)
	if _, err := sc.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("code")}); err != nil {
		t.Fatal(err)
	}
	if _, err := sc.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("code"),
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	put := func(key string, zip []byte) string {
		out, err := sc.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("code"), Key: aws.String(key), Body: bytes.NewReader(zip)})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.VersionId)
	}
	app := func(says string) []byte {
		return zipOf(t, zipEntry{name: "app.py", body: []byte("def handler(event, context):\n    return {'says': '" + says + "'}\n")})
	}
	v1 := put("dir/app v1.zip", app("one"))
	put("dir/app v1.zip", app("two"))

	_, err := lc.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("froms3"), Runtime: lambdatypes.RuntimePython312, Handler: aws.String("app.handler"), Role: aws.String(lambdaRole),
		Code: &lambdatypes.FunctionCode{S3Bucket: aws.String("code"), S3Key: aws.String("dir/app v1.zip"), S3ObjectVersion: aws.String(v1)}})
	if err != nil {
		t.Fatal(err)
	}
	if out := invokeJSON(t, lc, "froms3", map[string]any{}); string(out.Payload) != `{"says": "one"}` {
		t.Errorf("invoke of version %s: %s", v1, out.Payload)
	}
	if _, err := lc.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String("froms3"),
		S3Bucket: aws.String("code"), S3Key: aws.String("dir/app v1.zip")}); err != nil {
		t.Fatal(err)
	}
	if out := invokeJSON(t, lc, "froms3", map[string]any{}); string(out.Payload) != `{"says": "two"}` {
		t.Errorf("invoke after UpdateFunctionCode: %s", out.Payload)
	}
	// GetFunction's Code.Location is virga's own URL of the package, as
	// AWS's is a presigned URL of Lambda's copy, not of the caller's object.
	got, err := lc.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("froms3")})
	if err != nil {
		t.Fatal(err)
	}
	if loc := aws.ToString(got.Code.Location); !strings.HasPrefix(loc, env.Endpoint+"/_virga/") {
		t.Errorf("Code.Location = %q", loc)
	} else if res, err := http.Get(loc); err != nil || res.StatusCode != 200 {
		t.Errorf("GET Code.Location: %v %v", res, err)
	} else {
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if !bytes.Equal(body, app("two")) {
			t.Errorf("Code.Location serves %d bytes, not the package", len(body))
		}
	}

	put("layer.zip", zipOf(t, zipEntry{name: "python/shared.py", body: []byte("X = 1\n")}))
	layer, err := lc.PublishLayerVersion(ctx, &lambda.PublishLayerVersionInput{LayerName: aws.String("shared"),
		Content: &lambdatypes.LayerVersionContentInput{S3Bucket: aws.String("code"), S3Key: aws.String("layer.zip")}})
	if err != nil {
		t.Fatal(err)
	}
	if layer.Content == nil || aws.ToInt64(&layer.Content.CodeSize) == 0 {
		t.Errorf("layer content: %+v", layer.Content)
	}

	const prefix = "Error occurred while GetObject. S3 Error Code: "
	for _, c := range []struct {
		what                 string
		bucket, key, version string
		msg                  string
	}{
		{"a missing key", "code", "nope.zip", "", prefix + "NoSuchKey. S3 Error Message: The specified key does not exist."},
		{"a missing bucket", "no-such-bucket", "app.zip", "", prefix + "NoSuchBucket. S3 Error Message: The specified bucket does not exist"},
		{"a missing version", "code", "dir/app v1.zip", otherVersion(v1), prefix + "NoSuchVersion. S3 Error Message: The specified version does not exist."},
	} {
		code := &lambdatypes.FunctionCode{S3Bucket: aws.String(c.bucket), S3Key: aws.String(c.key)}
		if c.version != "" {
			code.S3ObjectVersion = aws.String(c.version)
		}
		_, err := lc.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("bad"), Runtime: lambdatypes.RuntimePython312,
			Handler: aws.String("app.handler"), Role: aws.String(lambdaRole), Code: code})
		wantLambdaError(t, "CreateFunction with "+c.what, err, "InvalidParameterValueException", c.msg)
		_, err = lc.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String("froms3"),
			S3Bucket: aws.String(c.bucket), S3Key: aws.String(c.key), S3ObjectVersion: code.S3ObjectVersion})
		wantLambdaError(t, "UpdateFunctionCode with "+c.what, err, "InvalidParameterValueException", c.msg)
		_, err = lc.PublishLayerVersion(ctx, &lambda.PublishLayerVersionInput{LayerName: aws.String("bad"),
			Content: &lambdatypes.LayerVersionContentInput{S3Bucket: aws.String(c.bucket), S3Key: aws.String(c.key), S3ObjectVersion: code.S3ObjectVersion}})
		wantLambdaError(t, "PublishLayerVersion with "+c.what, err, "InvalidParameterValueException", c.msg)
	}
}

// otherVersion is a version id of the form v has that names no version.
func otherVersion(v string) string {
	if v[0] == '0' {
		return "1" + v[1:]
	}
	return "0" + v[1:]
}
