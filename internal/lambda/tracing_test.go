package lambda

import (
	"context"
	"github.com/virga/virga/internal/traceheader"
	"testing"
)

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
