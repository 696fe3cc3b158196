package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// The event source mapping rows: messages sent one at a time to a queue
// that a mapping (BatchSize 1) delivers to ./esmfn, which reports when
// its handler started.
const (
	// esmMessages is each row's sample: "p50 and p99 over ~200
	// messages". By nearest rank, p99 is the second slowest.
	esmMessages = 200
	// esmWarmups are unmeasured messages first: the first starts the
	// function's environment.
	esmWarmups = 5
	// esmPause is the wait after a message's report before the next
	// message, so that no two messages are ever in flight and the
	// pollers are back in their long poll.
	esmPause = 20 * time.Millisecond
	// esmTimeout bounds the wait for one message's report; a message
	// that takes longer counts as failed.
	esmTimeout = 10 * time.Second
	// esmFunctionTimeout is the function's timeout, in seconds, and
	// esmVisibility the queue's VisibilityTimeout, which Lambda wants at
	// least as long.
	esmFunctionTimeout = 10
	esmVisibility      = "30"
	esmQueue           = "bench-esm"
	esmFunctionName    = "esm"
	// esmCollectorEnv is the variable that tells the function where to
	// report (esmfn's collectorEnv).
	esmCollectorEnv = "BENCH_COLLECTOR_URL"
)

// esmTargets are the rows, in the order they print: virga on its durable
// store and in memory.
var esmTargets = []string{virgaDiskName, virgaMemName}

// esmSender sends message seq to a mapping's queue, its body starting
// with seq and sent (Unix nanoseconds).
type esmSender func(ctx context.Context, seq int, sent time.Time) error

// esmCell is one row: a target's latencies, message by message.
type esmCell struct {
	target   string
	send     esmSender
	lat      []time.Duration
	failures int
	firstErr error
}

func (ec *esmCell) name() string { return suiteSQS + "/" + workESM + "/" + ec.target }

// esmFunction is what every target's mapping delivers to: ./esmfn,
// zipped, reporting to collector.
type esmFunction struct {
	zipped    []byte
	collector *collector
}

// setUp creates the function, the queue and the mapping in the virga at
// endpoint, waits until the mapping is Enabled and returns its sender.
func (f *esmFunction) setUp(ctx context.Context, endpoint string, hc *http.Client, c *sqs.Client) (esmSender, error) {
	lc := newLambdaClient(endpoint, hc)
	arch := lambdatypes.ArchitectureX8664
	if runtime.GOARCH == "arm64" {
		arch = lambdatypes.ArchitectureArm64
	}
	fn, err := lc.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName:  aws.String(esmFunctionName),
		Runtime:       lambdatypes.RuntimeProvidedal2023,
		Handler:       aws.String("bootstrap"),
		Role:          aws.String("arn:aws:iam::000000000000:role/bench"),
		Code:          &lambdatypes.FunctionCode{ZipFile: f.zipped},
		Architectures: []lambdatypes.Architecture{arch},
		Timeout:       aws.Int32(esmFunctionTimeout),
		Environment:   &lambdatypes.Environment{Variables: map[string]string{esmCollectorEnv: f.collector.url}},
	})
	if err != nil {
		return nil, fmt.Errorf("CreateFunction: %w", err)
	}
	q, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(esmQueue),
		Attributes: map[string]string{string(types.QueueAttributeNameVisibilityTimeout): esmVisibility}})
	if err != nil {
		return nil, fmt.Errorf("CreateQueue: %w", err)
	}
	attrs, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl,
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameQueueArn}})
	if err != nil {
		return nil, fmt.Errorf("GetQueueAttributes: %w", err)
	}
	m, err := lc.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{
		FunctionName:   fn.FunctionArn,
		EventSourceArn: aws.String(attrs.Attributes[string(types.QueueAttributeNameQueueArn)]),
		BatchSize:      aws.Int32(1),
	})
	if err != nil {
		return nil, fmt.Errorf("CreateEventSourceMapping: %w", err)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		got, err := lc.GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: m.UUID})
		if err != nil {
			return nil, fmt.Errorf("GetEventSourceMapping: %w", err)
		}
		if aws.ToString(got.State) == "Enabled" {
			break
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("the mapping is still %s after 30s", aws.ToString(got.State))
		}
	}
	url := q.QueueUrl
	return func(ctx context.Context, seq int, sent time.Time) error {
		prefix := fmt.Sprintf("%d %d ", seq, sent.UnixNano())
		body := prefix + sqsBody[len(prefix):]
		_, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: url, MessageBody: &body})
		return err
	}, nil
}

// collector is the HTTP server on loopback the function reports to: one
// POST of "SEQ SENT_NS START_NS" per record.
type collector struct {
	url     string
	reports chan esmReport
}

type esmReport struct {
	seq         int
	sent, start int64 // Unix nanoseconds
}

func startCollector() (*collector, func(), error) {
	c := &collector{reports: make(chan esmReport, 64)}
	endpoint, stop, err := serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		var rep esmReport
		if err == nil {
			_, err = fmt.Sscan(string(body), &rep.seq, &rep.sent, &rep.start)
		}
		if err != nil {
			http.Error(w, "want SEQ SENT_NS START_NS", http.StatusBadRequest)
			return
		}
		select {
		case c.reports <- rep:
		default: // nobody waits for so many: a stale report
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	if err != nil {
		return nil, nil, err
	}
	c.url = endpoint + "/report"
	return c, stop, nil
}

// await returns the report of message seq, dropping stale ones (a
// message redelivered after its visibility timeout).
func (c *collector) await(ctx context.Context, seq int, timeout time.Duration) (esmReport, error) {
	t := time.NewTimer(timeout)
	defer t.Stop()
	for {
		select {
		case rep := <-c.reports:
			if rep.seq == seq {
				return rep, nil
			}
		case <-t.C:
			return esmReport{}, fmt.Errorf("message %d: no report within %v", seq, timeout)
		case <-ctx.Done():
			return esmReport{}, ctx.Err()
		}
	}
}

// runESM sends the rows' messages one at a time, interleaved like the
// other suites' rounds (each round one message to every row, starting one
// further each round), each after the previous one's report and a pause.
func runESM(ctx context.Context, cells []*esmCell, coll *collector) {
	seq := 0
	once := func(ec *esmCell) (time.Duration, error) {
		seq++
		sent := time.Now()
		if err := ec.send(ctx, seq, sent); err != nil {
			return 0, fmt.Errorf("SendMessage: %w", err)
		}
		rep, err := coll.await(ctx, seq, esmTimeout)
		if err != nil {
			return 0, err
		}
		if rep.sent != sent.UnixNano() {
			return 0, errors.New("the report's send time is not the message's")
		}
		time.Sleep(esmPause)
		return time.Duration(rep.start - rep.sent), nil
	}
	for _, ec := range cells {
		for range esmWarmups {
			once(ec)
		}
	}
	for round := range esmMessages {
		for i := range cells {
			ec := cells[(i+round)%len(cells)]
			d, err := once(ec)
			if err != nil {
				ec.failures++
				if ec.firstErr == nil {
					ec.firstErr = err
				}
				continue
			}
			ec.lat = append(ec.lat, d)
		}
	}
	for _, ec := range cells {
		fmt.Fprintf(os.Stderr, "  %-22s %d messages, %d failed\n", ec.name(), esmMessages, ec.failures)
	}
}
