package schedexpr

import (
	"strconv"
	"time"
)

// atLayout is the one form an at() expression takes, with no fraction and
// no zone: "at(2022-11-20T13:00:00)". The zone is the schedule's
// ScheduleExpressionTimezone.
const atLayout = "2006-01-02T15:04:05"

// parseAt parses the inside of at(...) as a wall-clock time in loc. A time
// already past is valid: Scheduler accepts it and the schedule never fires.
func parseAt(body string, loc *time.Location) (time.Time, string) {
	// time.Parse accepts a fractional second the layout does not ask for;
	// checking the length first rules it out.
	if len(body) != len(atLayout) {
		return time.Time{}, "at needs yyyy-mm-ddThh:mm:ss, got " + strconv.Quote(body)
	}
	wall, err := time.Parse(atLayout, body)
	if err != nil {
		return time.Time{}, "at: " + err.Error()
	}
	u, _ := wallInstant(wall.Unix(), loc)
	return time.Unix(u, 0).In(loc), ""
}
