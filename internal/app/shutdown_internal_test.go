package app

import (
	"context"
	"testing"
	"time"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/cloudwatch"
	"github.com/virga/virga/internal/config"
)

// TestShutdownKeepsLateLambdaMetrics: an invocation that ends while the
// background loops stop (Lambda's Run waits for its asynchronous
// invocations, the aggregator's Run flushes at once) still has its
// metrics written before the store closes.
func TestShutdownKeepsLateLambdaMetrics(t *testing.T) {
	c := config.Default()
	c.Listen = "127.0.0.1:0"
	c.DataDir = t.TempDir()
	c.XRayDaemon = "0"
	a, err := New(c, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	// The background loops stop first, as in Shutdown; then a sample
	// arrives, as from an invocation Lambda's Run waited for.
	a.stopBG()
	a.bgDone.Wait()
	a.serviceStats.Add(cloudwatch.Sample{Namespace: "AWS/Lambda", Name: "Invocations",
		Dimensions: [][2]string{{"FunctionName", "late"}}, Unit: "Count", Value: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}

	b, err := New(c, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Shutdown(context.Background())
	out, err := b.Service("monitoring").Call(ctx, awsproto.CallOptions{Host: "127.0.0.1:4566"}, "ListMetrics",
		map[string]any{"Namespace": "AWS/Lambda"})
	if err != nil {
		t.Fatal(err)
	}
	if ms, _ := out["Metrics"].([]any); len(ms) != 1 {
		t.Fatalf("metrics after a restart: %v", out)
	}
}
