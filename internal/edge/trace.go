package edge

import (
	"strings"
	"time"

	"github.com/virga/virga/internal/ids"
	"github.com/virga/virga/internal/traceheader"
)

// traceHeader returns the X-Ray trace header for a request: the caller's
// Root (and Sampled decision) if it sent a valid X-Amzn-Trace-Id, a new
// root otherwise, with a new Parent segment id for virga's own segment,
// and the caller's Lineage (Lambda's count of the functions its chain of
// requests has run, package traceheader) when it is well formed:
//
//	Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1;Lineage=a87bd80c:1
func traceHeader(in string, now time.Time, g *ids.Generator) string {
	root, sampled := "", "1"
	for _, part := range strings.Split(in, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Root":
			if traceheader.ValidRoot(v) {
				root = v
			}
		case "Sampled":
			if v == "0" || v == "1" {
				sampled = v
			}
		}
	}
	if root == "" {
		root = traceheader.NewRoot(now, g.Hex(12))
	}
	h := "Root=" + root + ";Parent=" + g.Hex(8) + ";Sampled=" + sampled
	if l, err := traceheader.ParseLineage(traceheader.Field(in, "Lineage")); err == nil && len(l) > 0 {
		h += ";Lineage=" + l.String()
	}
	return h
}
