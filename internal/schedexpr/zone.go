package schedexpr

import "time"

// maxZoneOffset bounds how far any time zone's offset is from UTC (real
// offsets range from -12h to +14h), so that the instants a wall-clock
// reading can denote all lie within this distance of the reading itself.
const maxZoneOffset = 15 * time.Hour

// wallInstant maps a wall-clock reading in loc, given as the Unix time the
// same reading denotes in UTC, to an instant (Unix seconds).
//
// Where the reading occurs twice, because clocks were set back, it returns
// the earlier instant: Scheduler "runs only once and doesn't repeat its
// invocation". Where the reading never occurs, because clocks were set
// forward, gap is true and the instant is the reading shifted forward by
// the length of the gap (02:30 on a day clocks jump from 02:00 to 03:00
// becomes 03:30), as java.time resolves it; cron expressions skip such
// readings and at() expressions use the shifted instant.
//
// It relies on offset lookups only. (time.Time.ZoneBounds is no help: past
// the last transition a zone file lists, it can report a period ending
// before the instant asked about.)
func wallInstant(wall int64, loc *time.Location) (instant int64, gap bool) {
	if loc == time.UTC {
		return wall, false
	}
	offsetAt := func(u int64) int64 {
		_, off := time.Unix(u, 0).In(loc).Zone()
		return int64(off)
	}
	// The reading denotes wall - off for an offset off in effect at that
	// instant. Clocks change at most once in a day or so, so the offsets
	// before and after the reading (and, for zones that change twice, the
	// offsets at the instants those two give) are all the candidates.
	window := int64(maxZoneOffset / time.Second)
	before, after := offsetAt(wall-window), offsetAt(wall+window)
	found := false
	for _, off := range [...]int64{before, after, offsetAt(wall - before), offsetAt(wall - after)} {
		if u := wall - off; offsetAt(u) == off && (!found || u < instant) {
			instant, found = u, true
		}
	}
	if !found {
		// In the gap, the offset from before it carries the reading past it.
		return wall - before, true
	}
	return instant, false
}
