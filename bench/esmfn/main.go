// Command esmfn is the Lambda function of the bench's SQS event source
// mapping rows, built as `bootstrap` for provided.al2023. The bench puts
// "SEQ SENT_NS ..." at the start of each message body, SENT_NS being the
// Unix time in nanoseconds just before it called SendMessage. For each
// record, the function POSTs "SEQ SENT_NS START_NS" to the URL in
// BENCH_COLLECTOR_URL, START_NS being the time its handler started: the
// bench's latency is START_NS − SENT_NS, both read from the same clock.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

// collectorEnv names the variable that holds the bench's collector URL.
const collectorEnv = "BENCH_COLLECTOR_URL"

func main() {
	url := os.Getenv(collectorEnv)
	hc := &http.Client{Timeout: 5 * time.Second}
	lambda.Start(func(ctx context.Context, raw json.RawMessage) error {
		// The first statement: decoding the event is the function's work.
		start := time.Now().UnixNano()
		if url == "" {
			return fmt.Errorf("%s is not set", collectorEnv)
		}
		var ev events.SQSEvent
		if err := json.Unmarshal(raw, &ev); err != nil {
			return err
		}
		for _, r := range ev.Records {
			f := strings.Fields(r.Body)
			if len(f) < 2 {
				return fmt.Errorf("message %s: body does not start with SEQ SENT_NS", r.MessageId)
			}
			if err := report(ctx, hc, url, fmt.Sprintf("%s %s %d", f[0], f[1], start)); err != nil {
				return err
			}
		}
		return nil
	})
}

// report POSTs one line to the collector.
func report(ctx context.Context, hc *http.Client, url, line string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(line))
	if err != nil {
		return err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusNoContent {
		return fmt.Errorf("collector answered %s", resp.Status)
	}
	return nil
}
