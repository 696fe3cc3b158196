package console

import (
	"encoding/json"
	"net"
	"strings"
	"testing"
)

// FuzzTimeline: whatever segment documents a trace holds, the timeline
// places every span id once, first a root, each span at most one level
// deeper than the one before it.
func FuzzTimeline(f *testing.F) {
	f.Add(`[{"id":"a","name":"front","start_time":1,"end_time":2,"subsegments":[{"id":"b","start_time":1.1}]},{"id":"c","parent_id":"b","start_time":1.2}]`)
	f.Add(`[{"id":"a","parent_id":"b"},{"id":"b","parent_id":"a"}]`)
	f.Add(`[{"id":"a","subsegments":[{"id":"a"}]},{"id":"a"}]`)
	f.Add(`[{"id":"x","parent_id":"x","subsegments":[{"id":"y","parent_id":"z"}]}]`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, docsJSON string) {
		var docs []document
		if json.Unmarshal([]byte(docsJSON), &docs) != nil {
			return
		}
		ids := map[string]bool{}
		var collect func(d document)
		collect = func(d document) {
			ids[d.ID] = true
			for _, s := range d.Subsegments {
				collect(s)
			}
		}
		for _, d := range docs {
			collect(d)
		}
		got := timeline(docs)
		placed := map[string]bool{}
		for i, sp := range got {
			if placed[sp.ID] {
				t.Fatalf("span %q placed twice: %+v", sp.ID, got)
			}
			placed[sp.ID] = true
			if (i == 0 && sp.Depth != 0) || (i > 0 && sp.Depth > got[i-1].Depth+1) || sp.Depth < 0 {
				t.Fatalf("span %d at depth %d: %+v", i, sp.Depth, got)
			}
		}
		if len(placed) != len(ids) {
			t.Fatalf("placed %d of %d ids: %+v", len(placed), len(ids), got)
		}
	})
}

// FuzzLoopbackHost: a Host accepted as this machine is localhost, a
// name under .localhost, or a loopback address.
func FuzzLoopbackHost(f *testing.F) {
	for _, s := range []string{"127.0.0.1:4566", "localhost", "LOCALHOST.:80", "[::1]:4566", "a.localhost", "evil.example",
		"127.0.0.1.nip.io", "[::ffff:127.0.0.1]:1", "localhost.evil.example", "0.0.0.0", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, host string) {
		if !loopbackHost(host) {
			return
		}
		h := host
		if hh, _, err := net.SplitHostPort(host); err == nil {
			h = hh
		}
		h = strings.TrimSuffix(strings.ToLower(strings.Trim(h, "[]")), ".")
		if ip := net.ParseIP(h); ip != nil {
			if !ip.IsLoopback() {
				t.Fatalf("%q accepted: %s is not loopback", host, ip)
			}
			return
		}
		if h != "localhost" && !strings.HasSuffix(h, ".localhost") {
			t.Fatalf("%q accepted", host)
		}
	})
}

// FuzzParseReport: a report is read only with its request id, and
// never panics on what a function writes to its log.
func FuzzParseReport(f *testing.F) {
	f.Add("REPORT RequestId: a\tDuration: 2.04 ms\tBilled Duration: 3 ms\tMemory Size: 128 MB\tMax Memory Used: 10 MB\t")
	f.Add(`{"type":"platform.report","record":{"requestId":"r","metrics":{"durationMs":1}}}`)
	f.Add("REPORT RequestId: \tDuration: x ms")
	f.Add("REPORT ")
	f.Fuzz(func(t *testing.T, line string) {
		inv, ok := parseReport(line)
		if ok != (inv.RequestID != "") {
			t.Fatalf("parseReport(%q) = %+v, %v", line, inv, ok)
		}
	})
}
