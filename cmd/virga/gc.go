package main

import (
	"os"
	"runtime/debug"
)

// serverGCPercent is the garbage collector's target for `virga up`: the
// heap may grow to five times what is live before a collection, where Go's
// default is twice. virga's live heap is small (tens of MB for a
// developer's tables, queues and functions) and every request allocates,
// so at Go's default a fifth of a busy server's CPU went to collection.
// Under loadgen (DynamoDB, c=16) this setting took 6–17% off the server's
// CPU per request (query the most) for about 25 MB more peak memory; see
// bench/RESULTS.md. GOGC in the environment still decides when set, and
// GOMEMLIMIT caps the heap as Go documents.
const serverGCPercent = 400

// tuneGC applies serverGCPercent unless GOGC is set.
func tuneGC() {
	if _, ok := os.LookupEnv("GOGC"); !ok {
		debug.SetGCPercent(serverGCPercent)
	}
}
