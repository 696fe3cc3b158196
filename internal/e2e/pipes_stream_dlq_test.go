package e2e_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/pipes"
	pipestypes "github.com/aws/aws-sdk-go-v2/service/pipes/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/virga/virga/internal/e2e"
)

// pipePoisoned prints the data of the Kinesis records a pipe hands it,
// and fails the batch when one of them is "poison".
const pipePoisoned = `import base64
def handler(event, context):
    got = [base64.b64decode(r['data']).decode() for r in event]
    print('GOT ' + ','.join(got))
    if 'poison' in got:
        raise Exception('poison in the batch')
    return {}
`

// pipeDeadLetter is a stream pipe's failure record.
type pipeDeadLetter struct {
	Context struct {
		PartnerResourceArn string `json:"partnerResourceArn"`
		Condition          string `json:"condition"`
	} `json:"context"`
	Version          string `json:"version"`
	Timestamp        string `json:"timestamp"`
	KinesisBatchInfo *struct {
		ShardID                         string `json:"shardId"`
		StartSequenceNumber             string `json:"startSequenceNumber"`
		EndSequenceNumber               string `json:"endSequenceNumber"`
		ApproximateArrivalOfFirstRecord string `json:"approximateArrivalOfFirstRecord"`
		ApproximateArrivalOfLastRecord  string `json:"approximateArrivalOfLastRecord"`
		BatchSize                       int    `json:"batchSize"`
		StreamArn                       string `json:"streamArn"`
	} `json:"KinesisBatchInfo"`
}

// TestPipesKinesisDeadLetterBisect: two pipes read a Kinesis stream
// whose third record makes their Lambda target fail. The one with
// OnPartialBatchItemFailure AUTOMATIC_BISECT narrows the batch down to
// the poison record, sends only it to its dead-letter queue and
// delivers the others; the one without gives the whole batch up once
// its retries ran out. Both failure records have Pipes' shape.
func TestPipesKinesisDeadLetterBisect(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	pc, qc, kc := pipes.NewFromConfig(env.Config), sqs.NewFromConfig(env.Config), kinesis.NewFromConfig(env.Config)
	cwl := cloudwatchlogs.NewFromConfig(env.Config)
	lc := lambdaClient(t, env)
	createPythonFunction(t, lc, "bisect-target", pipePoisoned, 3)
	createPythonFunction(t, lc, "whole-target", pipePoisoned, 3)
	bisectDLQ, wholeDLQ := createPipeQueue(t, qc, "bisect-dlq"), createPipeQueue(t, qc, "whole-dlq")
	const stream = "arn:aws:kinesis:us-east-1:000000000000:stream/orders"
	if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("orders"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	var seqs []string
	for _, data := range []string{"a", "b", "poison", "d"} {
		out, err := kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("orders"), PartitionKey: aws.String("k"), Data: []byte(data)})
		if err != nil {
			t.Fatal(err)
		}
		seqs = append(seqs, aws.ToString(out.SequenceNumber))
	}
	for _, p := range []struct {
		name, dlq string
		bisect    bool
		retries   int32
	}{{"bisect", "bisect-dlq", true, 2}, {"whole", "whole-dlq", false, 1}} {
		params := &pipestypes.PipeSourceKinesisStreamParameters{StartingPosition: pipestypes.KinesisStreamStartPositionTrimHorizon,
			BatchSize: aws.Int32(4), MaximumRetryAttempts: aws.Int32(p.retries),
			DeadLetterConfig: &pipestypes.DeadLetterConfig{Arn: aws.String("arn:aws:sqs:us-east-1:000000000000:" + p.dlq)}}
		if p.bisect {
			params.OnPartialBatchItemFailure = pipestypes.OnPartialBatchItemFailureStreamsAutomaticBisect
		}
		if _, err := pc.CreatePipe(ctx, &pipes.CreatePipeInput{Name: aws.String(p.name), RoleArn: aws.String(pipeRole),
			Source: aws.String(stream), Target: aws.String("arn:aws:lambda:us-east-1:000000000000:function:" + p.name + "-target"),
			SourceParameters: &pipestypes.PipeSourceParameters{KinesisStreamParameters: params}}); err != nil {
			t.Fatal(err)
		}
	}
	read := func(url string) pipeDeadLetter {
		t.Helper()
		body := receiveBodies(t, qc, url, 1)[0]
		var rec pipeDeadLetter
		if err := json.Unmarshal([]byte(body), &rec); err != nil || rec.KinesisBatchInfo == nil {
			t.Fatalf("failure record %s: %v", body, err)
		}
		return rec
	}

	b := read(bisectDLQ)
	if b.Context.PartnerResourceArn != "arn:aws:pipes:us-east-1:000000000000:pipe/bisect" || b.Context.Condition != "RetryAttemptsExhausted" ||
		b.Version != "1.0" || b.Timestamp == "" {
		t.Errorf("bisect failure record: %+v", b)
	}
	if i := b.KinesisBatchInfo; i.BatchSize != 1 || i.StartSequenceNumber != seqs[2] || i.EndSequenceNumber != seqs[2] ||
		i.ShardID != "shardId-000000000000" || i.StreamArn != stream || !strings.HasSuffix(i.ApproximateArrivalOfFirstRecord, "Z") {
		t.Errorf("bisect batch info: %+v, want the poison record %s alone", i, seqs[2])
	}
	// a and b went through once their half was split off; the poison
	// record, alone, was sent once and retried twice (halving spends no
	// retries: AUTOMATIC_BISECT halves a batch "until ... there is one
	// failed message left") and d went through after it was given up on.
	lines := groupLines(t, cwl, "/aws/lambda/bisect-target", "GOT ", func(l []string) bool {
		return strings.Contains(strings.Join(l, "|"), "GOT d")
	})
	if want := "GOT a,b,poison,d|GOT a,b|GOT poison,d|GOT poison|GOT poison|GOT poison|GOT d"; strings.Join(lines, "|") != want {
		t.Errorf("bisect invocations:\n got %s\nwant %s", strings.Join(lines, "|"), want)
	}

	w := read(wholeDLQ)
	if i := w.KinesisBatchInfo; w.Context.Condition != "RetryAttemptsExhausted" || i.BatchSize != 4 ||
		i.StartSequenceNumber != seqs[0] || i.EndSequenceNumber != seqs[3] {
		t.Errorf("whole failure record: %+v %+v", w, i)
	}
}
