package providers

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/virga/virga/internal/cfn/resource"
	"github.com/virga/virga/internal/clock"
)

// The wait for a stream to settle is measured on the services' clock:
// once that clock passes the bound, a stream still UPDATING fails the
// update at once.
func TestWaitStreamActiveOnClock(t *testing.T) {
	clk := clock.NewFake(time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC))
	calls := make(chan struct{}, 1)
	r := &resource.Request{Env: &resource.Env{Clock: clk,
		Call: func(ctx context.Context, service, op string, in map[string]any) (map[string]any, error) {
			select {
			case calls <- struct{}{}:
			default:
			}
			return map[string]any{"StreamDescriptionSummary": map[string]any{"StreamStatus": "UPDATING"}}, nil
		}}}
	errc := make(chan error, 1)
	go func() {
		_, err := waitStreamActive(context.Background(), r, "s")
		errc <- err
	}()
	<-calls
	clk.Advance(streamActiveWait + time.Second)
	select {
	case err := <-errc:
		if err == nil || !strings.Contains(err.Error(), "still UPDATING") {
			t.Errorf("error %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the wait outlasted its bound on the services' clock")
	}
}
