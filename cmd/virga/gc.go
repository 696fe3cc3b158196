package main

import (
	"os"
	"runtime/debug"
)

// serverGCPercent is the garbage collector's target for `virga up`: the
// heap may grow to five times what is live before a collection, where Go's
// default is twice. virga's live heap is small (tens of MB for a
// developer's tables, queues and functions) and every request allocates,
// so collection is a steady share of a busy server's CPU. Under loadgen
// (DynamoDB, c=16, two runs of three rounds with bench/abtest.sh; see
// bench/RESULTS.md) this took the median CPU per request down by about 7%
// for GetItem and 9-23% for Query, not measurably for PutItem, for about
// 40 MB more peak memory. GOGC in the environment still decides when set,
// and GOMEMLIMIT caps the heap as Go documents.
const serverGCPercent = 400

// tuneGC applies serverGCPercent unless GOGC is set.
func tuneGC() {
	if _, ok := os.LookupEnv("GOGC"); !ok {
		debug.SetGCPercent(serverGCPercent)
	}
}
