package lambda

import (
	"errors"
	"testing"
	"time"

	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/ids"
	"github.com/virga/virga/internal/traceheader"
)

// TestChain: each invocation counts its function in the header's
// Lineage, from 0; the 17th of one chain is stopped unless the function
// allows recursion, and other functions' counts are kept.
func TestChain(t *testing.T) {
	t.Parallel()
	s := &Service{clock: clock.NewFake(time.Unix(1_700_000_000, 0)), ids: ids.New(nil), account: testAccount, region: testRegion}
	fn := &function{Name: "looper"}
	hash := s.lineageHash("looper")
	if len(hash) != 8 || hash == s.lineageHash("other") {
		t.Fatalf("lineageHash = %q", hash)
	}
	header := "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0;Lineage=0badf00d:4"
	for i := range maxRecursiveInvocations {
		h, err := s.chain(fn, header)
		if err != nil {
			t.Fatalf("invocation %d stopped: %v", i+1, err)
		}
		l, err := traceheader.ParseLineage(traceheader.Field(h, "Lineage"))
		if n, ok := l.Count(hash); err != nil || !ok || n != i {
			t.Fatalf("invocation %d: header %q, want count %d", i+1, h, i)
		}
		if n, _ := l.Count("0badf00d"); n != 4 || traceheader.Field(h, "Root") != "1-5759e988-bd862e3fe1be46a994272793" {
			t.Fatalf("invocation %d: header %q lost the chain's other fields", i+1, h)
		}
		header = h
	}
	if _, err := s.chain(fn, header); !errors.Is(err, ErrRecursiveInvocation) {
		t.Fatalf("the 17th invocation: %v, want RecursiveInvocationException", err)
	}
	if _, err := s.chain(&function{Name: "looper", RecursiveLoop: recursiveLoopAllow}, header); err != nil {
		t.Fatalf("RecursiveLoop Allow: %v", err)
	}
	// A header without a Root gets one; a malformed Lineage starts a new
	// chain.
	h, err := s.chain(fn, "Lineage=garbage")
	if err != nil || !traceheader.ValidRoot(traceheader.Field(h, "Root")) || traceheader.Field(h, "Lineage") != hash+":0" {
		t.Errorf("chain of a header without a Root = %q, %v", h, err)
	}
}
