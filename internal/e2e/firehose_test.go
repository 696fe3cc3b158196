package e2e_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	fhtypes "github.com/aws/aws-sdk-go-v2/service/firehose/types"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/e2e"
)

const firehoseRole = "arn:aws:iam::" + testAccount + ":role/firehose"

// uuidSuffix matches the random end of a Firehose object key.
var uuidSuffix = `[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`

// createHose creates a DirectPut Firehose stream to bucket with a
// 60-second interval and the given prefix and compression.
func createHose(t *testing.T, fc *firehose.Client, name, bucket, prefix string, compression fhtypes.CompressionFormat) {
	t.Helper()
	_, err := fc.CreateDeliveryStream(context.Background(), &firehose.CreateDeliveryStreamInput{
		DeliveryStreamName: aws.String(name),
		ExtendedS3DestinationConfiguration: &fhtypes.ExtendedS3DestinationConfiguration{
			RoleARN: aws.String(firehoseRole), BucketARN: aws.String("arn:aws:s3:::" + bucket), Prefix: aws.String(prefix),
			BufferingHints:    &fhtypes.BufferingHints{IntervalInSeconds: aws.Int32(60), SizeInMBs: aws.Int32(1)},
			CompressionFormat: compression,
		}})
	if err != nil {
		t.Fatal(err)
	}
}

// objectsUnder waits for n objects under prefix and returns their keys
// and bodies.
func objectsUnder(t *testing.T, sc *s3.Client, bucket, prefix string, n int) map[string][]byte {
	t.Helper()
	ctx := context.Background()
	var keys []string
	eventually(t, "objects under "+prefix, func() bool {
		out, err := sc.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
		if err != nil {
			t.Fatal(err)
		}
		keys = keys[:0]
		for _, o := range out.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
		return len(keys) >= n
	})
	if len(keys) != n {
		t.Fatalf("objects under %s: %v, want %d", prefix, keys, n)
	}
	got := map[string][]byte{}
	for _, k := range keys {
		obj, err := sc.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(k)})
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(obj.Body)
		obj.Body.Close()
		got[k] = body
	}
	return got
}

// advanceUntilWritten moves virga's clock on by step until the bucket
// holds an object: for deliveries whose buffer a pass of Run fills first
// (from a Kinesis stream, after a failed write), so that the interval
// runs from a time the test does not know.
func advanceUntilWritten(t *testing.T, env *e2e.Env, sc *s3.Client, bucket string, step time.Duration) {
	t.Helper()
	eventually(t, "an object in "+bucket, func() bool {
		env.Clock.Advance(step)
		out, err := sc.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
		return err == nil && len(out.Contents) > 0
	})
}

// keyPattern is the default key of an object a stream writes under
// prefix for records that arrived at t.
func keyPattern(prefix, name string, version int, at time.Time, ext string) *regexp.Regexp {
	at = at.UTC()
	return regexp.MustCompile("^" + regexp.QuoteMeta(prefix+at.Format("2006/01/02/15/")+name+"-"+strconv.Itoa(version)+"-"+at.Format("2006-01-02-15-04-05")+"-") + uuidSuffix + regexp.QuoteMeta(ext) + "$")
}

// TestFirehoseDeliversToS3: a stream is CREATING then ACTIVE; the records
// of PutRecord and PutRecordBatch are written to S3 once the buffering
// interval passes (on virga's clock), concatenated as sent, under
// Firehose's default key, gzipped for a GZIP stream; UpdateDestination
// moves the version in the keys.
func TestFirehoseDeliversToS3(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithFakeClock())
	ctx := context.Background()
	fc, sc := firehose.NewFromConfig(env.Config), s3.NewFromConfig(env.Config)
	if _, err := sc.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("sink")}); err != nil {
		t.Fatal(err)
	}
	createHose(t, fc, "plain", "sink", "plain/", fhtypes.CompressionFormatUncompressed)
	createHose(t, fc, "zipped", "sink", "zipped/", fhtypes.CompressionFormatGzip)
	d, err := fc.DescribeDeliveryStream(ctx, &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String("plain")})
	if err != nil {
		t.Fatal(err)
	}
	desc := d.DeliveryStreamDescription
	if desc.DeliveryStreamStatus != fhtypes.DeliveryStreamStatusCreating || aws.ToString(desc.VersionId) != "1" ||
		desc.DeliveryStreamType != fhtypes.DeliveryStreamTypeDirectPut ||
		aws.ToString(desc.DeliveryStreamARN) != "arn:aws:firehose:us-east-1:"+testAccount+":deliverystream/plain" {
		t.Fatalf("new stream: %+v", desc)
	}
	dest := desc.Destinations[0]
	ext := dest.ExtendedS3DestinationDescription
	if aws.ToString(dest.DestinationId) != "destinationId-000000000001" || ext == nil || aws.ToString(ext.Prefix) != "plain/" ||
		aws.ToInt32(ext.BufferingHints.IntervalInSeconds) != 60 || ext.EncryptionConfiguration.NoEncryptionConfig != fhtypes.NoEncryptionConfigNoEncryption {
		t.Fatalf("destination: %+v", dest)
	}
	env.Clock.Advance(2 * time.Second)
	d, err = fc.DescribeDeliveryStream(ctx, &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String("plain")})
	if err != nil || d.DeliveryStreamDescription.DeliveryStreamStatus != fhtypes.DeliveryStreamStatusActive {
		t.Fatalf("after a second: %v %+v", err, d)
	}

	arrived := env.Clock.Now()
	for _, name := range []string{"plain", "zipped"} {
		out, err := fc.PutRecordBatch(ctx, &firehose.PutRecordBatchInput{DeliveryStreamName: aws.String(name), Records: []fhtypes.Record{
			{Data: []byte("one\n")}, {Data: []byte("two\n")}, {Data: []byte("three\n")}}})
		if err != nil || aws.ToInt32(out.FailedPutCount) != 0 || len(out.RequestResponses) != 3 || aws.ToString(out.RequestResponses[2].RecordId) == "" {
			t.Fatalf("PutRecordBatch %s: %v %+v", name, err, out)
		}
		one, err := fc.PutRecord(ctx, &firehose.PutRecordInput{DeliveryStreamName: aws.String(name), Record: &fhtypes.Record{Data: []byte("four\n")}})
		if err != nil || aws.ToString(one.RecordId) == "" {
			t.Fatalf("PutRecord %s: %v %+v", name, err, one)
		}
	}
	// Nothing is written before the interval has passed.
	env.Clock.Advance(30 * time.Second)
	time.Sleep(600 * time.Millisecond) // two of Run's passes: it must not deliver yet
	if out, err := sc.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("sink")}); err != nil || len(out.Contents) != 0 {
		t.Fatalf("before the interval: %v %+v", err, out)
	}
	env.Clock.Advance(31 * time.Second)
	for k, body := range objectsUnder(t, sc, "sink", "plain/", 1) {
		if !keyPattern("plain/", "plain", 1, arrived, "").MatchString(k) || string(body) != "one\ntwo\nthree\nfour\n" {
			t.Fatalf("plain object %s: %q", k, body)
		}
	}
	for k, body := range objectsUnder(t, sc, "sink", "zipped/", 1) {
		if !keyPattern("zipped/", "zipped", 1, arrived, ".gz").MatchString(k) {
			t.Fatalf("zipped key %s", k)
		}
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		plain, _ := io.ReadAll(zr)
		if string(plain) != "one\ntwo\nthree\nfour\n" {
			t.Fatalf("zipped object: %q", plain)
		}
	}

	if _, err := fc.UpdateDestination(ctx, &firehose.UpdateDestinationInput{DeliveryStreamName: aws.String("plain"),
		CurrentDeliveryStreamVersionId: aws.String("1"), DestinationId: aws.String("destinationId-000000000001"),
		ExtendedS3DestinationUpdate: &fhtypes.ExtendedS3DestinationUpdate{Prefix: aws.String("v2/")}}); err != nil {
		t.Fatal(err)
	}
	arrived = env.Clock.Now()
	if _, err := fc.PutRecord(ctx, &firehose.PutRecordInput{DeliveryStreamName: aws.String("plain"), Record: &fhtypes.Record{Data: []byte("five")}}); err != nil {
		t.Fatal(err)
	}
	env.Clock.Advance(time.Minute)
	for k, body := range objectsUnder(t, sc, "sink", "v2/", 1) {
		if !keyPattern("v2/", "plain", 2, arrived, "").MatchString(k) || string(body) != "five" {
			t.Fatalf("after the update %s: %q", k, body)
		}
	}
	d, err = fc.DescribeDeliveryStream(ctx, &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String("plain")})
	if err != nil || aws.ToString(d.DeliveryStreamDescription.VersionId) != "2" || d.DeliveryStreamDescription.LastUpdateTimestamp == nil {
		t.Fatalf("after the update: %v %+v", err, d)
	}
}

// TestFirehoseSizeHint: a buffer that reaches SizeInMBs is written at
// once, without waiting for the interval, in objects of at most that
// size.
func TestFirehoseSizeHint(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithFakeClock())
	ctx := context.Background()
	fc, sc := firehose.NewFromConfig(env.Config), s3.NewFromConfig(env.Config)
	if _, err := sc.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("big")}); err != nil {
		t.Fatal(err)
	}
	createHose(t, fc, "big", "big", "", fhtypes.CompressionFormatUncompressed)
	chunk := bytes.Repeat([]byte("x"), 400*1024)
	recs := []fhtypes.Record{{Data: chunk}, {Data: chunk}, {Data: chunk}}
	if _, err := fc.PutRecordBatch(ctx, &firehose.PutRecordBatchInput{DeliveryStreamName: aws.String("big"), Records: recs}); err != nil {
		t.Fatal(err)
	}
	// 1.2 MiB buffered against a 1 MiB hint: one object of two records
	// now; the third waits for the interval.
	got := objectsUnder(t, sc, "big", "", 1)
	for k, body := range got {
		if len(body) != 2*len(chunk) || !strings.HasPrefix(k, env.Clock.Now().UTC().Format("2006/01/02/15/")+"big-1-") {
			t.Fatalf("object %s of %d bytes", k, len(body))
		}
	}
	env.Clock.Advance(time.Minute)
	objectsUnder(t, sc, "big", "", 2)
}

// TestFirehoseErrors: the errors of missing streams, names in use,
// stale versions, unsupported destinations, oversized batches and
// reserved tag keys; tags round-trip and ListDeliveryStreams pages.
func TestFirehoseErrors(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	fc := firehose.NewFromConfig(env.Config)
	_, err := fc.DescribeDeliveryStream(ctx, &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String("nope")})
	if e := expectAPIError(t, err, "ResourceNotFoundException", 400); e.Message != "Firehose nope under account "+testAccount+" not found." {
		t.Fatalf("message %q", e.Message)
	}
	_, err = fc.PutRecord(ctx, &firehose.PutRecordInput{DeliveryStreamName: aws.String("nope"), Record: &fhtypes.Record{Data: []byte("x")}})
	expectAPIError(t, err, "ResourceNotFoundException", 400)

	for _, name := range []string{"a", "b", "c"} {
		createHose(t, fc, name, "bucket", "", "")
	}
	_, err = fc.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("a"),
		S3DestinationConfiguration: &fhtypes.S3DestinationConfiguration{RoleARN: aws.String(firehoseRole), BucketARN: aws.String("arn:aws:s3:::bucket")}})
	if e := expectAPIError(t, err, "ResourceInUseException", 400); e.Message != "Firehose a under account "+testAccount+" already exists." {
		t.Fatalf("message %q", e.Message)
	}
	_, err = fc.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("rs"),
		RedshiftDestinationConfiguration: &fhtypes.RedshiftDestinationConfiguration{RoleARN: aws.String(firehoseRole),
			ClusterJDBCURL: aws.String("jdbc:redshift://c.abc.us-east-1.redshift.amazonaws.com:5439/db"), CopyCommand: &fhtypes.CopyCommand{DataTableName: aws.String("t")},
			Username: aws.String("u"), Password: aws.String("password"),
			S3Configuration: &fhtypes.S3DestinationConfiguration{RoleARN: aws.String(firehoseRole), BucketARN: aws.String("arn:aws:s3:::bucket")}}})
	expectAPIError(t, err, "InvalidArgumentException", 400)
	_, err = fc.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("bad name")})
	expectAPIError(t, err, "ValidationException", 400)

	_, err = fc.UpdateDestination(ctx, &firehose.UpdateDestinationInput{DeliveryStreamName: aws.String("a"),
		CurrentDeliveryStreamVersionId: aws.String("7"), DestinationId: aws.String("destinationId-000000000001"),
		S3DestinationUpdate: &fhtypes.S3DestinationUpdate{Prefix: aws.String("p/")}})
	expectAPIError(t, err, "ConcurrentModificationException", 400)

	many := make([]fhtypes.Record, 501)
	for i := range many {
		many[i] = fhtypes.Record{Data: []byte("x")}
	}
	_, err = fc.PutRecordBatch(ctx, &firehose.PutRecordBatchInput{DeliveryStreamName: aws.String("a"), Records: many})
	expectAPIError(t, err, "ValidationException", 400)
	big := bytes.Repeat([]byte("y"), 1000*1024)
	_, err = fc.PutRecordBatch(ctx, &firehose.PutRecordBatchInput{DeliveryStreamName: aws.String("a"), Records: []fhtypes.Record{
		{Data: big}, {Data: big}, {Data: big}, {Data: big}, {Data: big}}})
	expectAPIError(t, err, "InvalidArgumentException", 400)
	_, err = fc.PutRecord(ctx, &firehose.PutRecordInput{DeliveryStreamName: aws.String("a"), Record: &fhtypes.Record{Data: append(big, 'z')}})
	expectAPIError(t, err, "ValidationException", 400)

	_, err = fc.TagDeliveryStream(ctx, &firehose.TagDeliveryStreamInput{DeliveryStreamName: aws.String("a"), Tags: []fhtypes.Tag{{Key: aws.String("aws:x"), Value: aws.String("v")}}})
	expectAPIError(t, err, "InvalidArgumentException", 400)
	if _, err := fc.TagDeliveryStream(ctx, &firehose.TagDeliveryStreamInput{DeliveryStreamName: aws.String("a"),
		Tags: []fhtypes.Tag{{Key: aws.String("team"), Value: aws.String("data")}, {Key: aws.String("env"), Value: aws.String("dev")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := fc.UntagDeliveryStream(ctx, &firehose.UntagDeliveryStreamInput{DeliveryStreamName: aws.String("a"), TagKeys: []string{"env"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := fc.ListTagsForDeliveryStream(ctx, &firehose.ListTagsForDeliveryStreamInput{DeliveryStreamName: aws.String("a")})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "team" || aws.ToBool(tags.HasMoreTags) {
		t.Fatalf("tags: %v %+v", err, tags)
	}

	page, err := fc.ListDeliveryStreams(ctx, &firehose.ListDeliveryStreamsInput{Limit: aws.Int32(2)})
	if err != nil || strings.Join(page.DeliveryStreamNames, ",") != "a,b" || !aws.ToBool(page.HasMoreDeliveryStreams) {
		t.Fatalf("first page: %v %+v", err, page)
	}
	page, err = fc.ListDeliveryStreams(ctx, &firehose.ListDeliveryStreamsInput{ExclusiveStartDeliveryStreamName: aws.String("b")})
	if err != nil || strings.Join(page.DeliveryStreamNames, ",") != "c" || aws.ToBool(page.HasMoreDeliveryStreams) {
		t.Fatalf("second page: %v %+v", err, page)
	}
	if _, err := fc.DeleteDeliveryStream(ctx, &firehose.DeleteDeliveryStreamInput{DeliveryStreamName: aws.String("c")}); err != nil {
		t.Fatal(err)
	}
	_, err = fc.DeleteDeliveryStream(ctx, &firehose.DeleteDeliveryStreamInput{DeliveryStreamName: aws.String("c")})
	expectAPIError(t, err, "ResourceNotFoundException", 400)
}

// TestFirehoseRestartDeliversBuffer: records acknowledged before a
// restart are in the store and are written after it.
func TestFirehoseRestartDeliversBuffer(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx := context.Background()
	clk := clock.NewFake(time.Date(2024, 6, 3, 10, 20, 30, 0, time.UTC))
	v := startSchedVirga(t, dir, clk)
	c := e2e.ClientConfig("http://"+v.app.Addr(), "us-east-1", "test", "test", "")
	fc, sc := firehose.NewFromConfig(c), s3.NewFromConfig(c)
	if _, err := sc.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("kept")}); err != nil {
		t.Fatal(err)
	}
	createHose(t, fc, "kept", "kept", "", "")
	if _, err := fc.PutRecordBatch(ctx, &firehose.PutRecordBatchInput{DeliveryStreamName: aws.String("kept"),
		Records: []fhtypes.Record{{Data: []byte("before ")}, {Data: []byte("restart")}}}); err != nil {
		t.Fatal(err)
	}
	v.stop(t)

	clk.Advance(2 * time.Minute)
	v = startSchedVirga(t, dir, clk)
	c = e2e.ClientConfig("http://"+v.app.Addr(), "us-east-1", "test", "test", "")
	sc = s3.NewFromConfig(c)
	for k, body := range objectsUnder(t, sc, "kept", "", 1) {
		if k[:len("2024/06/03/10/kept-1-2024-06-03-10-20-30-")] != "2024/06/03/10/kept-1-2024-06-03-10-20-30-" || string(body) != "before restart" {
			t.Fatalf("after the restart %s: %q", k, body)
		}
	}
}

// TestFirehoseKinesisSource: a KinesisStreamAsSource stream delivers
// what arrives on its Kinesis data stream, and refuses PutRecord.
func TestFirehoseKinesisSource(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithFakeClock())
	ctx := context.Background()
	fc, sc, kc := firehose.NewFromConfig(env.Config), s3.NewFromConfig(env.Config), kinesis.NewFromConfig(env.Config)
	if _, err := sc.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("fromk")}); err != nil {
		t.Fatal(err)
	}
	if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("src"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	src := "arn:aws:kinesis:us-east-1:" + testAccount + ":stream/src"
	_, err := fc.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("fromk"),
		DeliveryStreamType:               fhtypes.DeliveryStreamTypeKinesisStreamAsSource,
		KinesisStreamSourceConfiguration: &fhtypes.KinesisStreamSourceConfiguration{KinesisStreamARN: aws.String(src), RoleARN: aws.String(firehoseRole)},
		S3DestinationConfiguration: &fhtypes.S3DestinationConfiguration{RoleARN: aws.String(firehoseRole), BucketARN: aws.String("arn:aws:s3:::fromk"),
			BufferingHints: &fhtypes.BufferingHints{IntervalInSeconds: aws.Int32(60)}}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = fc.PutRecord(ctx, &firehose.PutRecordInput{DeliveryStreamName: aws.String("fromk"), Record: &fhtypes.Record{Data: []byte("x")}})
	expectAPIError(t, err, "InvalidArgumentException", 400)
	d, err := fc.DescribeDeliveryStream(ctx, &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String("fromk")})
	if err != nil || d.DeliveryStreamDescription.Source == nil || aws.ToString(d.DeliveryStreamDescription.Source.KinesisStreamSourceDescription.KinesisStreamARN) != src {
		t.Fatalf("describe: %v %+v", err, d)
	}
	for _, data := range []string{"alpha,", "beta"} {
		if _, err := kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("src"), PartitionKey: aws.String("k"), Data: []byte(data)}); err != nil {
			t.Fatal(err)
		}
	}
	// Run moves the records into the buffer on its next pass; the
	// interval then runs from their arrival there.
	advanceUntilWritten(t, env, sc, "fromk", 61*time.Second)
	for k, body := range objectsUnder(t, sc, "fromk", "", 1) {
		if !strings.Contains(k, "/fromk-1-") || string(body) != "alpha,beta" {
			t.Fatalf("object %s: %q", k, body)
		}
	}
}

// TestFirehoseEventBridgeTarget: a rule's Firehose target gets each
// matching event as one record; PutTargets refuses it without a role.
func TestFirehoseEventBridgeTarget(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithFakeClock())
	ctx := context.Background()
	fc, sc, eb := firehose.NewFromConfig(env.Config), s3.NewFromConfig(env.Config), eventbridge.NewFromConfig(env.Config)
	if _, err := sc.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("events")}); err != nil {
		t.Fatal(err)
	}
	createHose(t, fc, "events", "events", "", "")
	hose := "arn:aws:firehose:us-east-1:" + testAccount + ":deliverystream/events"
	if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("all"), EventPattern: aws.String(`{"source":["app"]}`)}); err != nil {
		t.Fatal(err)
	}
	_, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("all"), Targets: []ebtypes.Target{{Id: aws.String("h"), Arn: aws.String(hose)}}})
	expectAPIError(t, err, "ValidationException", 400)
	out, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("all"), Targets: []ebtypes.Target{
		{Id: aws.String("h"), Arn: aws.String(hose), RoleArn: aws.String(firehoseRole), InputPath: aws.String("$.detail")}}})
	if err != nil || out.FailedEntryCount != 0 {
		t.Fatalf("PutTargets: %v %+v", err, out)
	}
	put, err := eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
		{Source: aws.String("app"), DetailType: aws.String("t"), Detail: aws.String(`{"n":1}`)}}})
	if err != nil || put.FailedEntryCount != 0 {
		t.Fatalf("PutEvents: %v %+v", err, put)
	}
	advanceUntilWritten(t, env, sc, "events", 61*time.Second)
	for _, body := range objectsUnder(t, sc, "events", "", 1) {
		if string(body) != `{"n":1}` {
			t.Fatalf("object: %q", body)
		}
	}
}

// TestFirehoseCLI: the aws CLI creates a stream and puts a record
// (base64 blob over awsJson 1.1).
func TestFirehoseCLI(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	r := env.CLI(t, "firehose", "create-delivery-stream", "--delivery-stream-name", "cli",
		"--s3-destination-configuration", "RoleARN="+firehoseRole+",BucketARN=arn:aws:s3:::b")
	if r.ExitCode != 0 || !strings.Contains(r.Stdout, `"DeliveryStreamARN": "arn:aws:firehose:us-east-1:`+testAccount+`:deliverystream/cli"`) {
		t.Fatalf("create: %+v", r)
	}
	r = env.CLI(t, "firehose", "put-record", "--delivery-stream-name", "cli", "--record", "Data=aGVsbG8=")
	var put struct{ RecordId string }
	if r.ExitCode != 0 || json.Unmarshal([]byte(r.Stdout), &put) != nil {
		t.Fatalf("put-record: %+v", r)
	}
	// A RecordId is 224 characters of standard base64, as Firehose's
	// put-record example shows it.
	if raw, err := base64.StdEncoding.DecodeString(put.RecordId); err != nil || len(put.RecordId) != 224 || len(raw) != 168 {
		t.Fatalf("RecordId %q: %v", put.RecordId, err)
	}
	r = env.CLI(t, "firehose", "describe-delivery-stream", "--delivery-stream-name", "nope")
	if r.ExitCode == 0 || !strings.Contains(r.Stderr, "ResourceNotFoundException") {
		t.Fatalf("describe missing: %+v", r)
	}
}

// TestFirehoseSNSSubscription: a topic's firehose subscriptions put each
// message on their stream as one line: the unsigned notification, or the
// message alone with RawMessageDelivery.
func TestFirehoseSNSSubscription(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithFakeClock())
	ctx := context.Background()
	fc, sc, nc := firehose.NewFromConfig(env.Config), s3.NewFromConfig(env.Config), sns.NewFromConfig(env.Config)
	if _, err := sc.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("archive")}); err != nil {
		t.Fatal(err)
	}
	createHose(t, fc, "env", "archive", "env/", "")
	createHose(t, fc, "raw", "archive", "raw/", "")
	topic, err := nc.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("orders")})
	if err != nil {
		t.Fatal(err)
	}
	for name, raw := range map[string]string{"env": "false", "raw": "true"} {
		if _, err := nc.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("firehose"),
			Endpoint:   aws.String("arn:aws:firehose:us-east-1:" + testAccount + ":deliverystream/" + name),
			Attributes: map[string]string{"SubscriptionRoleArn": firehoseRole, "RawMessageDelivery": raw}}); err != nil {
			t.Fatal(err)
		}
	}
	for _, msg := range []string{"first", "second"} {
		if _, err := nc.Publish(ctx, &sns.PublishInput{TopicArn: topic.TopicArn, Message: aws.String(msg), Subject: aws.String("s")}); err != nil {
			t.Fatal(err)
		}
	}
	env.Clock.Advance(61 * time.Second)
	for _, body := range objectsUnder(t, sc, "archive", "raw/", 1) {
		if string(body) != "first\nsecond\n" {
			t.Fatalf("raw: %q", body)
		}
	}
	for _, body := range objectsUnder(t, sc, "archive", "env/", 1) {
		lines := strings.Split(strings.TrimSuffix(string(body), "\n"), "\n")
		if len(lines) != 2 {
			t.Fatalf("envelopes: %q", body)
		}
		var n struct{ Type, TopicArn, Subject, Message, Signature string }
		if err := json.Unmarshal([]byte(lines[1]), &n); err != nil {
			t.Fatal(err)
		}
		if n.Type != "Notification" || n.TopicArn != aws.ToString(topic.TopicArn) || n.Subject != "s" || n.Message != "second" || n.Signature != "" {
			t.Fatalf("envelope: %s", lines[1])
		}
	}
}

// firehoseTemplate is a bucket and a Firehose stream writing to it under
// PREFIX.
const firehoseTemplate = `Resources:
  Sink:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: cfn-sink
  Hose:
    Type: AWS::KinesisFirehose::DeliveryStream
    Properties:
      DeliveryStreamName: cfn-hose
      ExtendedS3DestinationConfiguration:
        BucketARN: !GetAtt Sink.Arn
        RoleARN: arn:aws:iam::000000000000:role/firehose
        Prefix: PREFIX
        BufferingHints:
          IntervalInSeconds: "60"
          SizeInMBs: 1
      Tags:
        - Key: team
          Value: data
Outputs:
  Name:
    Value: !Ref Hose
  Arn:
    Value: !GetAtt Hose.Arn
`

// TestFirehoseCloudFormation: AWS::KinesisFirehose::DeliveryStream
// deploys (Ref is the name, Arn the ARN), changes its destination in
// place, refuses a destination without its BucketARN with
// CloudFormation's schema message, and goes with its stack.
func TestFirehoseCloudFormation(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cf, fc := cloudformation.NewFromConfig(env.Config), firehose.NewFromConfig(env.Config)
	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("hose"),
		TemplateBody: aws.String(strings.Replace(firehoseTemplate, "PREFIX", "one/", 1))}); err != nil {
		t.Fatal(err)
	}
	st := settleStack(t, cf, "hose")
	if st.StackStatus != cftypes.StackStatusCreateComplete {
		t.Fatalf("create: %s", st.StackStatus)
	}
	outs := map[string]string{}
	for _, o := range st.Outputs {
		outs[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
	}
	if outs["Name"] != "cfn-hose" || outs["Arn"] != "arn:aws:firehose:us-east-1:"+testAccount+":deliverystream/cfn-hose" {
		t.Fatalf("outputs: %v", outs)
	}
	describe := func() *fhtypes.DeliveryStreamDescription {
		t.Helper()
		d, err := fc.DescribeDeliveryStream(ctx, &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String("cfn-hose")})
		if err != nil {
			t.Fatal(err)
		}
		return d.DeliveryStreamDescription
	}
	ext := describe().Destinations[0].ExtendedS3DestinationDescription
	if aws.ToString(ext.BucketARN) != "arn:aws:s3:::cfn-sink" || aws.ToString(ext.Prefix) != "one/" || aws.ToInt32(ext.BufferingHints.IntervalInSeconds) != 60 {
		t.Fatalf("destination: %+v", ext)
	}
	if _, err := cf.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: aws.String("hose"),
		TemplateBody: aws.String(strings.Replace(firehoseTemplate, "PREFIX", "two/", 1))}); err != nil {
		t.Fatal(err)
	}
	if st := settleStack(t, cf, "hose"); st.StackStatus != cftypes.StackStatusUpdateComplete {
		t.Fatalf("update: %s %s", st.StackStatus, aws.ToString(st.StackStatusReason))
	}
	if d := describe(); aws.ToString(d.Destinations[0].ExtendedS3DestinationDescription.Prefix) != "two/" || aws.ToString(d.VersionId) != "2" {
		t.Fatalf("after the update: %+v", d.Destinations[0].ExtendedS3DestinationDescription)
	}

	bad := strings.Replace(strings.Replace(firehoseTemplate, "PREFIX", "x/", 1), "        BucketARN: !GetAtt Sink.Arn\n", "", 1)
	bad = strings.ReplaceAll(strings.ReplaceAll(bad, "cfn-hose", "cfn-bad"), "cfn-sink", "cfn-bad-sink")
	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("bad"), TemplateBody: aws.String(bad)}); err != nil {
		t.Fatal(err)
	}
	if st := settleStack(t, cf, "bad"); st.StackStatus != cftypes.StackStatusRollbackComplete {
		t.Fatalf("bad: %s", st.StackStatus)
	}
	ev, err := cf.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: aws.String("bad")})
	if err != nil {
		t.Fatal(err)
	}
	want := "Properties validation failed for resource Hose with message: #/ExtendedS3DestinationConfiguration: required key [BucketARN] not found"
	found := false
	for _, e := range ev.StackEvents {
		if aws.ToString(e.LogicalResourceId) == "Hose" && e.ResourceStatus == cftypes.ResourceStatusCreateFailed {
			found = aws.ToString(e.ResourceStatusReason) == want
			if !found {
				t.Errorf("reason %q, want %q", aws.ToString(e.ResourceStatusReason), want)
			}
		}
	}
	if !found {
		t.Error("no CREATE_FAILED event for Hose")
	}

	if _, err := cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("hose")}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the stream deleted with its stack", func() bool {
		_, err := fc.DescribeDeliveryStream(ctx, &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String("cfn-hose")})
		return err != nil && wantAPIError(t, err).Code == "ResourceNotFoundException"
	})
}

// TestFirehoseRetriesMissingBucket: records due for a bucket that does
// not exist stay buffered, and are written once it does.
func TestFirehoseRetriesMissingBucket(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithFakeClock())
	ctx := context.Background()
	fc, sc := firehose.NewFromConfig(env.Config), s3.NewFromConfig(env.Config)
	createHose(t, fc, "later", "later", "", "")
	if _, err := fc.PutRecord(ctx, &firehose.PutRecordInput{DeliveryStreamName: aws.String("later"), Record: &fhtypes.Record{Data: []byte("kept")}}); err != nil {
		t.Fatal(err)
	}
	env.Clock.Advance(61 * time.Second)
	if _, err := sc.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("later")}); err != nil {
		t.Fatal(err)
	}
	advanceUntilWritten(t, env, sc, "later", 5*time.Second)
	for _, body := range objectsUnder(t, sc, "later", "", 1) {
		if string(body) != "kept" {
			t.Fatalf("object: %q", body)
		}
	}
}
