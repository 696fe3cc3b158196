package e2e_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	fhtypes "github.com/aws/aws-sdk-go-v2/service/firehose/types"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	kinesistypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/virga/virga/internal/e2e"
	"github.com/virga/virga/internal/logs"
)

// gzippedMessages reads the CloudWatch Logs messages out of data that
// holds gzip members one after another (a Firehose object, or one
// Kinesis record).
func gzippedMessages(t *testing.T, data []byte) []logs.DataMessage {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("not gzip: %v", err)
	}
	var out []logs.DataMessage
	dec := json.NewDecoder(zr)
	for {
		var m logs.DataMessage
		if err := dec.Decode(&m); errors.Is(err, io.EOF) {
			return out
		} else if err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
}

// TestLogsSubscriptionToStreams: subscription filters deliver to a
// Firehose stream and to a Kinesis data stream as CloudWatch Logs does:
// a gzip-compressed CONTROL_MESSAGE when the filter is put, then each
// log stream's matching events as a gzip-compressed DATA_MESSAGE.
func TestLogsSubscriptionToStreams(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithFakeClock())
	ctx := context.Background()
	fc, sc, kc := firehose.NewFromConfig(env.Config), s3.NewFromConfig(env.Config), kinesis.NewFromConfig(env.Config)
	cwl := cloudwatchlogs.NewFromConfig(env.Config)
	if _, err := sc.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("logsink")}); err != nil {
		t.Fatal(err)
	}
	createHose(t, fc, "logs", "logsink", "cwl/", fhtypes.CompressionFormatUncompressed)
	if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("logs"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	env.Clock.Advance(2 * time.Second)
	const group = "/app/web"
	if _, err := cwl.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(group)}); err != nil {
		t.Fatal(err)
	}
	if _, err := cwl.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String("s1")}); err != nil {
		t.Fatal(err)
	}
	role := "arn:aws:iam::" + testAccount + ":role/cwl"
	for name, dest := range map[string]string{
		"tohose":   "arn:aws:firehose:us-east-1:" + testAccount + ":deliverystream/logs",
		"tostream": "arn:aws:kinesis:us-east-1:" + testAccount + ":stream/logs",
	} {
		if _, err := cwl.PutSubscriptionFilter(ctx, &cloudwatchlogs.PutSubscriptionFilterInput{LogGroupName: aws.String(group),
			FilterName: aws.String(name), FilterPattern: aws.String("ERROR"), DestinationArn: aws.String(dest), RoleArn: aws.String(role)}); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	now := env.Clock.Now().UnixMilli()
	if _, err := cwl.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String("s1"),
		LogEvents: []cwltypes.InputLogEvent{{Timestamp: aws.Int64(now), Message: aws.String("ERROR one")},
			{Timestamp: aws.Int64(now), Message: aws.String("INFO two")}, {Timestamp: aws.Int64(now), Message: aws.String("ERROR three")}}}); err != nil {
		t.Fatal(err)
	}

	// check finds the control message and the data message among what a
	// destination received; it reports false while the data message is
	// yet to come.
	check := func(what, health string, got []logs.DataMessage) bool {
		var control, data *logs.DataMessage
		for i := range got {
			switch got[i].MessageType {
			case "CONTROL_MESSAGE":
				control = &got[i]
			case "DATA_MESSAGE":
				data = &got[i]
			}
		}
		if data == nil {
			return false
		}
		if control == nil || control.Owner != "CloudwatchLogs" || len(control.LogEvents) != 1 ||
			control.LogEvents[0].Message != "CWL CONTROL MESSAGE: Checking health of destination "+health+"." {
			t.Fatalf("%s: control message %+v", what, control)
		}
		if data.Owner != testAccount || data.LogGroup != group || data.LogStream != "s1" || len(data.SubscriptionFilters) != 1 ||
			len(data.LogEvents) != 2 || data.LogEvents[0].Message != "ERROR one" || data.LogEvents[1].Message != "ERROR three" {
			t.Fatalf("%s: data message %+v", what, data)
		}
		return true
	}

	// Firehose writes what it buffered once its interval passes.
	eventually(t, "the data message in S3", func() bool {
		env.Clock.Advance(61 * time.Second)
		out, err := sc.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("logsink")})
		if err != nil {
			t.Fatal(err)
		}
		var got []logs.DataMessage
		for _, o := range out.Contents {
			obj, err := sc.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("logsink"), Key: o.Key})
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(obj.Body)
			obj.Body.Close()
			got = append(got, gzippedMessages(t, body)...)
		}
		return check("Firehose", "Firehose", got)
	})

	shards, err := kc.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("logs")})
	if err != nil {
		t.Fatal(err)
	}
	it, err := kc.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("logs"),
		ShardId: shards.Shards[0].ShardId, ShardIteratorType: kinesistypes.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	var got []logs.DataMessage
	iter := it.ShardIterator
	eventually(t, "the data message in Kinesis", func() bool {
		out, err := kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter})
		if err != nil {
			t.Fatal(err)
		}
		iter = out.NextShardIterator
		for _, r := range out.Records {
			got = append(got, gzippedMessages(t, r.Data)...)
		}
		return check("Kinesis", "Kinesis stream", got)
	})
}
