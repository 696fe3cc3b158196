package lambda

import (
	"context"
	"github.com/virga/virga/internal/traceheader"
	"testing"
	"time"

	"github.com/virga/virga/internal/ids"
)

// TestSamplerReservoir: the default rule samples the first request of
// each second, then about 5% of the rest.
func TestSamplerReservoir(t *testing.T) {
	var p sampler
	g := ids.New(nil)
	t0 := time.Unix(1_700_000_000, 0)
	if !p.sample(t0, g) {
		t.Fatal("the first request of a second was not sampled")
	}
	n := 0
	for i := 0; i < 10000; i++ {
		if p.sample(t0.Add(500*time.Millisecond), g) {
			n++
		}
	}
	if n < 300 || n > 750 {
		t.Errorf("sampled %d of 10000 beyond the reservoir; want about 500 (5%%)", n)
	}
	if !p.sample(t0.Add(time.Second), g) {
		t.Error("the first request of the next second was not sampled")
	}
}

func TestParseTraceHeader(t *testing.T) {
	root, parent, sampled := parseTraceHeader("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1")
	if root != "1-5759e988-bd862e3fe1be46a994272793" || parent != "53995c3f42cd8ad8" || sampled != "1" {
		t.Errorf("parseTraceHeader = %s, %s, %s", root, parent, sampled)
	}
	if !traceheader.ValidRoot(root) || traceheader.ValidRoot("1-5759e988-bd862e3fe1be46a99427279z") || traceheader.ValidRoot("") {
		t.Error("traceheader.ValidRoot")
	}
}

// TestUpstreamTrace: an asynchronous invocation is judged by the header
// its caller sent, not by the one the edge made up when it sent none.
func TestUpstreamTrace(t *testing.T) {
	const edge = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=1111111111111111;Sampled=1"
	root, parent, sampled := upstreamTrace(withUpstreamTrace(context.Background(), ""), edge)
	if root != "1-5759e988-bd862e3fe1be46a994272793" || parent != "" || sampled != "" {
		t.Errorf("no caller header: %s, %s, %s", root, parent, sampled)
	}
	caller := "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0"
	if _, parent, sampled := upstreamTrace(withUpstreamTrace(context.Background(), caller), edge); parent != "53995c3f42cd8ad8" || sampled != "0" {
		t.Errorf("caller header: %s, %s", parent, sampled)
	}
	// Outside any call (an event source mapping), the invocation's own
	// header is the upstream one.
	if _, _, sampled := upstreamTrace(context.Background(), edge); sampled != "1" {
		t.Errorf("no call: sampled %q", sampled)
	}
}
