package e2e_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	fhtypes "github.com/aws/aws-sdk-go-v2/service/firehose/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/virga/virga/internal/e2e"
)

// firehoseTransformer upper-cases records, drops those that say "drop"
// and fails those that say "fail", as a Firehose processor answers.
const firehoseTransformer = `
import base64

def handler(event, context):
    assert event['deliveryStreamArn'].endswith(':deliverystream/shout'), event
    out = []
    for r in event['records']:
        data = base64.b64decode(r['data']).decode()
        assert r['approximateArrivalTimestamp'] > 0
        if data.startswith('drop'):
            out.append({'recordId': r['recordId'], 'result': 'Dropped', 'data': r['data']})
        elif data.startswith('fail'):
            out.append({'recordId': r['recordId'], 'result': 'ProcessingFailed', 'data': r['data']})
        else:
            out.append({'recordId': r['recordId'], 'result': 'Ok',
                        'data': base64.b64encode(data.upper().encode()).decode()})
    return {'records': out}
`

// TestFirehoseLambdaTransformation: a stream with a Lambda processor
// delivers its Ok records as the function returned them, leaves out the
// Dropped ones, and writes the ProcessingFailed ones under
// processing-failed/ as one JSON document each.
func TestFirehoseLambdaTransformation(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithFakeClock())
	ctx := context.Background()
	fc, sc, lc := firehose.NewFromConfig(env.Config), s3.NewFromConfig(env.Config), lambda.NewFromConfig(env.Config)
	if _, err := sc.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("shouts")}); err != nil {
		t.Fatal(err)
	}
	createPythonFunction(t, lc, "shouter", firehoseTransformer, 30)
	fn := "arn:aws:lambda:us-east-1:" + testAccount + ":function:shouter"
	param := func(name fhtypes.ProcessorParameterName, v string) fhtypes.ProcessorParameter {
		return fhtypes.ProcessorParameter{ParameterName: name, ParameterValue: aws.String(v)}
	}
	_, err := fc.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{
		DeliveryStreamName: aws.String("shout"),
		ExtendedS3DestinationConfiguration: &fhtypes.ExtendedS3DestinationConfiguration{
			RoleARN: aws.String(firehoseRole), BucketARN: aws.String("arn:aws:s3:::shouts"), Prefix: aws.String("out/"),
			BufferingHints: &fhtypes.BufferingHints{IntervalInSeconds: aws.Int32(60), SizeInMBs: aws.Int32(1)},
			ProcessingConfiguration: &fhtypes.ProcessingConfiguration{Enabled: aws.Bool(true), Processors: []fhtypes.Processor{{
				Type: fhtypes.ProcessorTypeLambda, Parameters: []fhtypes.ProcessorParameter{
					param(fhtypes.ProcessorParameterNameLambdaArn, fn),
					param(fhtypes.ProcessorParameterNameLambdaNumberOfRetries, "1"),
					param(fhtypes.ProcessorParameterNameBufferSizeInMb, "1"),
					param(fhtypes.ProcessorParameterNameBufferIntervalInSeconds, "60"),
				}}}},
		}})
	if err != nil {
		t.Fatal(err)
	}
	env.Clock.Advance(2 * time.Second)
	arrived := env.Clock.Now()
	if _, err := fc.PutRecordBatch(ctx, &firehose.PutRecordBatchInput{DeliveryStreamName: aws.String("shout"), Records: []fhtypes.Record{
		{Data: []byte("one\n")}, {Data: []byte("drop me\n")}, {Data: []byte("fail me\n")}, {Data: []byte("two\n")}}}); err != nil {
		t.Fatal(err)
	}
	env.Clock.Advance(61 * time.Second)

	for k, body := range objectsUnder(t, sc, "shouts", "out/", 1) {
		if !keyPattern("out/", "shout", 1, arrived, "").MatchString(k) || string(body) != "ONE\nTWO\n" {
			t.Errorf("delivered %s: %q", k, body)
		}
	}
	for k, body := range objectsUnder(t, sc, "shouts", "processing-failed/", 1) {
		if !keyPattern("processing-failed/", "shout", 1, arrived, "").MatchString(k) {
			t.Errorf("failed records under %s", k)
		}
		lines := strings.Split(strings.TrimSuffix(string(body), "\n"), "\n")
		if len(lines) != 1 {
			t.Fatalf("failed records: %q", body)
		}
		var rec struct {
			AttemptsMade     int    `json:"attemptsMade"`
			ArrivalTimestamp int64  `json:"arrivalTimestamp"`
			ErrorCode        string `json:"errorCode"`
			RawData          string `json:"rawData"`
			LambdaARN        string `json:"lambdaArn"`
		}
		if err := json.Unmarshal([]byte(lines[0]), &rec); err != nil {
			t.Fatal(err)
		}
		raw, _ := base64.StdEncoding.DecodeString(rec.RawData)
		if rec.AttemptsMade != 1 || rec.ArrivalTimestamp != arrived.UnixMilli() || rec.ErrorCode != "Lambda.ProcessingFailedStatus" ||
			string(raw) != "fail me\n" || rec.LambdaARN != fn {
			t.Errorf("failed record: %s", lines[0])
		}
	}

	// A processor of a type virga does not run is refused.
	_, err = fc.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{
		DeliveryStreamName: aws.String("deagg"),
		ExtendedS3DestinationConfiguration: &fhtypes.ExtendedS3DestinationConfiguration{
			RoleARN: aws.String(firehoseRole), BucketARN: aws.String("arn:aws:s3:::shouts"),
			ProcessingConfiguration: &fhtypes.ProcessingConfiguration{Enabled: aws.Bool(true), Processors: []fhtypes.Processor{{
				Type: fhtypes.ProcessorTypeRecordDeAggregation}}},
		}})
	if code := apiCode(err); !strings.HasPrefix(code, "InvalidArgumentException:") {
		t.Errorf("RecordDeAggregation processor: %v", err)
	}
}

// TestFirehoseZeroBuffering: AWS takes buffering intervals from 0
// seconds, for the destination and for a Lambda processor; a stream
// with both at 0 delivers a record without waiting for the clock.
func TestFirehoseZeroBuffering(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithFakeClock())
	ctx := context.Background()
	fc, sc, lc := firehose.NewFromConfig(env.Config), s3.NewFromConfig(env.Config), lambda.NewFromConfig(env.Config)
	if _, err := sc.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("now")}); err != nil {
		t.Fatal(err)
	}
	createPythonFunction(t, lc, "shouter", strings.Replace(firehoseTransformer, ":deliverystream/shout", ":deliverystream/now", 1), 30)
	_, err := fc.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{
		DeliveryStreamName: aws.String("now"),
		ExtendedS3DestinationConfiguration: &fhtypes.ExtendedS3DestinationConfiguration{
			RoleARN: aws.String(firehoseRole), BucketARN: aws.String("arn:aws:s3:::now"),
			BufferingHints: &fhtypes.BufferingHints{IntervalInSeconds: aws.Int32(0), SizeInMBs: aws.Int32(1)},
			ProcessingConfiguration: &fhtypes.ProcessingConfiguration{Enabled: aws.Bool(true), Processors: []fhtypes.Processor{{
				Type: fhtypes.ProcessorTypeLambda, Parameters: []fhtypes.ProcessorParameter{
					{ParameterName: fhtypes.ProcessorParameterNameLambdaArn, ParameterValue: aws.String("arn:aws:lambda:us-east-1:" + testAccount + ":function:shouter")},
					{ParameterName: fhtypes.ProcessorParameterNameBufferIntervalInSeconds, ParameterValue: aws.String("0")},
				}}}},
		}})
	if err != nil {
		t.Fatal(err)
	}
	d, err := fc.DescribeDeliveryStream(ctx, &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String("now")})
	if err != nil {
		t.Fatal(err)
	}
	if hints := d.DeliveryStreamDescription.Destinations[0].ExtendedS3DestinationDescription.BufferingHints; aws.ToInt32(hints.IntervalInSeconds) != 0 {
		t.Errorf("IntervalInSeconds = %d", aws.ToInt32(hints.IntervalInSeconds))
	}
	if _, err := fc.PutRecord(ctx, &firehose.PutRecordInput{DeliveryStreamName: aws.String("now"), Record: &fhtypes.Record{Data: []byte("hi\n")}}); err != nil {
		t.Fatal(err)
	}
	for k, body := range objectsUnder(t, sc, "now", "", 1) {
		if string(body) != "HI\n" {
			t.Errorf("delivered %s: %q", k, body)
		}
	}
}
