package e2e_test

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/virga/virga/internal/e2e"
)

// onlyObject waits for the one object under prefix in bucket and returns
// its key and body.
func onlyObject(t *testing.T, c *s3.Client, bucket, prefix string) (string, []byte) {
	t.Helper()
	ctx := context.Background()
	var key string
	eventually(t, "an object under "+prefix, func() bool {
		out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &bucket, Prefix: &prefix})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Contents) > 1 {
			t.Fatalf("%d objects under %s", len(out.Contents), prefix)
		}
		if len(out.Contents) == 1 {
			key = aws.ToString(out.Contents[0].Key)
		}
		return key != ""
	})
	_, body := s3Get(t, c, bucket, key)
	return key, body
}

// failureKeyTail is what follows the prefix of a failure record's key:
// /YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-UUID.
var failureKeyTail = regexp.MustCompile(`^/(\d{4})/(\d{2})/(\d{2})/(\d{4})-(\d{2})-(\d{2})T\d{2}\.\d{2}\.\d{2}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

func checkFailureKey(t *testing.T, key, prefix string) {
	t.Helper()
	tail, ok := strings.CutPrefix(key, prefix)
	m := failureKeyTail.FindStringSubmatch(tail)
	if !ok || m == nil || m[1] != m[4] || m[2] != m[5] || m[3] != m[6] {
		t.Errorf("key %q, want %sYYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-UUID", key, prefix)
	}
}

// TestLambdaS3FailureDestination: an S3 bucket takes the records of
// failed asynchronous invocations and of batches a stream mapping gives
// up on, as objects under aws/lambda/async/FUNCTION/ and
// aws/lambda/UUID/SHARD/; it is no destination for successes.
func TestLambdaS3FailureDestination(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	lc := lambdaClient(t, env)
	sc := s3Client(env)
	kc := kinesis.NewFromConfig(env.Config)
	ctx := context.Background()
	s3Bucket(t, sc, "failures")
	bucketARN := "arn:aws:s3:::failures"
	createPythonFunction(t, lc, "doomed", `def handler(event, context):
    raise RuntimeError('doomed')
`, 3)

	_, err := lc.PutFunctionEventInvokeConfig(ctx, &lambda.PutFunctionEventInvokeConfigInput{FunctionName: aws.String("doomed"),
		DestinationConfig: &lambdatypes.DestinationConfig{OnSuccess: &lambdatypes.OnSuccess{Destination: &bucketARN}}})
	wantLambdaError(t, "a bucket on success", err, "InvalidParameterValueException",
		"The provided destination config DestinationConfig(onSuccess=OnSuccess(destination=arn:aws:s3:::failures), onFailure=null) is invalid.")
	_, err = lc.PutFunctionEventInvokeConfig(ctx, &lambda.PutFunctionEventInvokeConfigInput{FunctionName: aws.String("doomed"),
		DestinationConfig: &lambdatypes.DestinationConfig{OnFailure: &lambdatypes.OnFailure{Destination: aws.String(bucketARN + "/key")}}})
	wantLambdaError(t, "an object's ARN", err, "InvalidParameterValueException",
		"The provided destination config DestinationConfig(onSuccess=null, onFailure=OnFailure(destination=arn:aws:s3:::failures/key)) is invalid.")

	if _, err := lc.PutFunctionEventInvokeConfig(ctx, &lambda.PutFunctionEventInvokeConfigInput{FunctionName: aws.String("doomed"),
		MaximumRetryAttempts: aws.Int32(0),
		DestinationConfig:    &lambdatypes.DestinationConfig{OnFailure: &lambdatypes.OnFailure{Destination: &bucketARN}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := lc.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("doomed"), InvocationType: lambdatypes.InvocationTypeEvent,
		Payload: []byte(`{"n":1}`)}); err != nil {
		t.Fatal(err)
	}
	key, body := onlyObject(t, sc, "failures", "aws/lambda/async/doomed/")
	checkFailureKey(t, key, "aws/lambda/async/doomed")
	var rec invocationRecord
	if err := json.Unmarshal(body, &rec); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	if rec.RequestContext.Condition != "RetriesExhausted" || rec.RequestContext.ApproximateInvokeCount != 1 ||
		rec.RequestContext.FunctionArn != "arn:aws:lambda:us-east-1:000000000000:function:doomed:$LATEST" ||
		string(rec.RequestPayload) != `{"n":1}` || rec.ResponseContext.FunctionError != "Unhandled" {
		t.Errorf("async failure record: %s", body)
	}

	// A stream mapping's discarded batch: the record of it, with the
	// batch's event as its payload.
	if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("doomed-stream"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	streamARN := "arn:aws:kinesis:us-east-1:000000000000:stream/doomed-stream"
	_, err = lc.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("doomed"),
		EventSourceArn: &streamARN, StartingPosition: lambdatypes.EventSourcePositionTrimHorizon,
		DestinationConfig: &lambdatypes.DestinationConfig{OnFailure: &lambdatypes.OnFailure{Destination: aws.String("arn:aws:s3:::failures/x")}}})
	wantLambdaError(t, "a mapping to an object's ARN", err, "InvalidParameterValueException", "")
	m, err := lc.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("doomed"),
		EventSourceArn: &streamARN, StartingPosition: lambdatypes.EventSourcePositionTrimHorizon, MaximumRetryAttempts: aws.Int32(0),
		DestinationConfig: &lambdatypes.DestinationConfig{OnFailure: &lambdatypes.OnFailure{Destination: &bucketARN}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(m.DestinationConfig.OnFailure.Destination); got != bucketARN {
		t.Errorf("mapping's OnFailure: %q", got)
	}
	if _, err := kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("doomed-stream"), PartitionKey: aws.String("k"),
		Data: []byte("lost")}); err != nil {
		t.Fatal(err)
	}
	shard := "shardId-000000000000"
	prefix := "aws/lambda/" + aws.ToString(m.UUID) + "/" + shard
	key, body = onlyObject(t, sc, "failures", prefix+"/")
	checkFailureKey(t, key, prefix)
	var srec struct {
		RequestContext struct {
			Condition   string `json:"condition"`
			FunctionArn string `json:"functionArn"`
		} `json:"requestContext"`
		KinesisBatchInfo struct {
			ShardID   string `json:"shardId"`
			BatchSize int    `json:"batchSize"`
			StreamArn string `json:"streamArn"`
		}
		Payload string `json:"payload"`
	}
	if err := json.Unmarshal(body, &srec); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	var event struct {
		Records []struct {
			Kinesis struct {
				Data []byte `json:"data"`
			} `json:"kinesis"`
		}
	}
	if err := json.Unmarshal([]byte(srec.Payload), &event); err != nil || len(event.Records) != 1 || string(event.Records[0].Kinesis.Data) != "lost" {
		t.Errorf("payload %q: %v", srec.Payload, err)
	}
	if srec.RequestContext.Condition != "RetryAttemptsExhausted" || srec.KinesisBatchInfo.ShardID != shard ||
		srec.KinesisBatchInfo.BatchSize != 1 || srec.KinesisBatchInfo.StreamArn != streamARN {
		t.Errorf("stream failure record: %s", body)
	}
}

// TestIAMEnforceS3DestinationRole: under --auth iam a bucket is an
// OnFailure destination only when the execution role may write its
// objects (s3:PutObject) and list them (s3:ListBucket), and the record
// is written as the role.
func TestIAMEnforceS3DestinationRole(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, iamMode)
	ctx := context.Background()
	lc := lambdaClient(t, env)
	sc := s3Client(env)
	s3Bucket(t, sc, "failures")
	serviceRole(t, env, "lambda-exec", "lambda.amazonaws.com", "")
	createPythonFunction(t, lc, "doomed", "def handler(event, context):\n    raise RuntimeError('doomed')\n", 10)
	put := func() error {
		_, err := lc.PutFunctionEventInvokeConfig(ctx, &lambda.PutFunctionEventInvokeConfigInput{FunctionName: aws.String("doomed"),
			MaximumRetryAttempts: aws.Int32(0),
			DestinationConfig:    &lambdatypes.DestinationConfig{OnFailure: &lambdatypes.OnFailure{Destination: aws.String("arn:aws:s3:::failures")}}})
		return err
	}
	wantLambdaError(t, "without a policy", put(), "InvalidParameterValueException",
		"The function's execution role does not have permissions to call PutObject on arn:aws:s3:::failures")
	putRolePolicy(t, env, "lambda-exec", allow("s3:PutObject", "arn:aws:s3:::failures/*"))
	wantLambdaError(t, "without ListBucket", put(), "InvalidParameterValueException",
		"The function's execution role does not have permissions to call ListBucket on arn:aws:s3:::failures")
	putRolePolicy(t, env, "lambda-exec", `{"Version":"2012-10-17","Statement":[`+
		`{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::failures/*"},`+
		`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::failures"}]}`)
	if err := put(); err != nil {
		t.Fatal(err)
	}
	if _, err := lc.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("doomed"), InvocationType: lambdatypes.InvocationTypeEvent,
		Payload: []byte(`{"n":1}`)}); err != nil {
		t.Fatal(err)
	}
	if _, body := onlyObject(t, sc, "failures", "aws/lambda/async/doomed/"); !strings.Contains(string(body), `"requestPayload":{"n":1}`) {
		t.Errorf("record %s", body)
	}
}

const samS3DestinationTemplate = `Transform: AWS::Serverless-2016-10-31
Resources:
  Failures:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: sam-failures
  Doomed:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: sam-doomed
      Runtime: python3.12
      Handler: index.handler
      InlineCode: "def handler(event, context):\n    raise RuntimeError('doomed')\n"
      EventInvokeConfig:
        MaximumRetryAttempts: 0
        DestinationConfig:
          OnFailure:
            Type: S3Bucket
            Destination: !GetAtt Failures.Arn
`

// TestIAMEnforceSAMS3Destination: under --auth iam a SAM function whose
// EventInvokeConfig sends failures to a bucket deploys (its generated
// role may write and list the bucket) and its failures land there.
func TestIAMEnforceSAMS3Destination(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, iamMode)
	ctx := context.Background()
	deployWithCLI(t, env, "s3dest", samS3DestinationTemplate)
	if _, err := lambdaClient(t, env).Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("sam-doomed"),
		InvocationType: lambdatypes.InvocationTypeEvent, Payload: []byte(`{"n":2}`)}); err != nil {
		t.Fatal(err)
	}
	if _, body := onlyObject(t, s3Client(env), "sam-failures", "aws/lambda/async/sam-doomed/"); !strings.Contains(string(body), `"requestPayload":{"n":2}`) {
		t.Errorf("record %s", body)
	}
}
