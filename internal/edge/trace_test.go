package edge

import (
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/virga/virga/internal/ids"
	"github.com/virga/virga/internal/traceheader"
)

// The caller's Root, Sampled and well-formed Lineage carry on; its
// Parent is replaced by virga's own segment.
func TestTraceHeaderKeepsLineage(t *testing.T) {
	t.Parallel()
	g := ids.New(rand.Reader)
	const root = "1-5759e988-bd862e3fe1be46a994272793"
	cases := map[string]string{
		"Root=" + root + ";Parent=53995c3f42cd8ad8;Sampled=0;Lineage=a87bd80c:3": "a87bd80c:3",
		"Root=" + root + ";Lineage=aae260cf:0%7C74085691:2":                      "aae260cf:0|74085691:2",
		"Root=" + root + ";Lineage=not-a-lineage":                                "",
		"Root=" + root: "",
	}
	for in, want := range cases {
		h := traceHeader(in, time.Now(), g)
		if got := traceheader.Field(h, "Lineage"); got != want {
			t.Errorf("traceHeader(%q) = %q: Lineage %q, want %q", in, h, got, want)
		}
		if traceheader.Field(h, "Root") != root || traceheader.Field(h, "Parent") == "53995c3f42cd8ad8" || !strings.HasPrefix(h, "Root=") {
			t.Errorf("traceHeader(%q) = %q", in, h)
		}
	}
}
