package e2e_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/smithy-go"

	"github.com/virga/virga/internal/e2e"
)

// TestEventBridgePutEventsSize checks PutEvents's size limit as AWS has
// it since January 2026: entries totalling up to 1 MB are accepted and
// delivered, and more is refused, a Time counting 14 bytes.
func TestEventBridgePutEventsSize(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	eb := eventbridge.NewFromConfig(env.Config)
	url := ruleToQueue(t, env, "big-events", `{"source":["big.app"]}`)

	// 512 KiB of detail: over the old 256 KB limit.
	detail := `{"pad":"` + strings.Repeat("z", 512<<10) + `"}`
	out, err := eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
		{Source: aws.String("big.app"), DetailType: aws.String("Big"), Detail: &detail}}})
	if err != nil || out.FailedEntryCount != 0 {
		t.Fatalf("PutEvents of 512 KiB: %v %+v", err, out)
	}
	if body := queuedEvents(t, env, url, 1)[0]; !strings.Contains(body, detail) {
		t.Errorf("the queue's event does not carry the 512 KiB detail (%d bytes)", len(body))
	}

	// Exactly 1 MiB without a Time is accepted; with one it is 14 bytes
	// over.
	source, dt := "big.app", "Big"
	exact := `{"pad":"` + strings.Repeat("z", 1<<20-len(source)-len(dt)-len(`{"pad":""}`)) + `"}`
	entry := ebtypes.PutEventsRequestEntry{Source: &source, DetailType: &dt, Detail: &exact}
	if _, err := eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{entry}}); err != nil {
		t.Errorf("PutEvents of exactly 1 MiB: %v", err)
	}
	entry.Time = aws.Time(time.Now())
	_, err = eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{entry}})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "ValidationException" || ae.ErrorMessage() != "Total size of the entries in the request is over the limit." {
		t.Errorf("PutEvents of 1 MiB and a Time: %v; want ValidationException", err)
	}
}
