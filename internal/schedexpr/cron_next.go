package schedexpr

import (
	"math/bits"
	"time"
)

// next returns the first minute after after whose wall-clock reading in loc
// the expression matches.
//
// It walks the calendar in wall-clock order: years, then months, then the
// days the day rule picks in that month, then hours and minutes. Each
// reading is mapped to an instant by wallInstant: readings clocks skip are
// skipped, and readings clocks repeat fire once, at the earlier instant.
// That mapping preserves order, so the first reading whose instant is after
// after is the answer, and the walk can start at after's own reading. The
// walk ends with the year field's range, so it is bounded.
func (c *cronSpec) next(after time.Time, loc *time.Location) (time.Time, bool) {
	w := after.In(loc)
	y, mo, d := w.Date()
	h, mi := w.Hour(), w.Minute()
	if y < minYear {
		y, mo, d, h, mi = minYear, time.January, 1, 0, 0
	}
	for ; y <= maxYear; y, mo, d = y+1, time.January, 1 {
		if !c.years.has(y - minYear) {
			continue
		}
		for ; mo <= time.December; mo, d = mo+1, 1 {
			if !c.months.has(int(mo)) {
				continue
			}
			days := c.daysIn(y, mo) >> d << d // days d and later
			for days != 0 {
				day := bits.TrailingZeros32(days)
				days &= days - 1
				h0, m0 := 0, 0
				if y == w.Year() && mo == w.Month() && day == w.Day() {
					h0, m0 = h, mi
				}
				if t, ok := c.firstInDay(y, mo, day, h0, m0, after, loc); ok {
					return t, true
				}
			}
		}
	}
	return time.Time{}, false
}

// firstInDay returns the first matching reading on the given day, from
// h0:m0 on, whose instant is after after.
func (c *cronSpec) firstInDay(y int, mo time.Month, day, h0, m0 int, after time.Time, loc *time.Location) (time.Time, bool) {
	midnight := time.Date(y, mo, day, 0, 0, 0, 0, time.UTC).Unix()
	for h := h0; h < 24; h++ {
		if !c.hours.has(h) {
			continue
		}
		m := 0
		if h == h0 {
			m = m0
		}
		for ; m < 60; m++ {
			if !c.minutes.has(m) {
				continue
			}
			u, gap := wallInstant(midnight+int64(h*3600+m*60), loc)
			if gap {
				// "When the time shifts forward in Spring, your schedule
				// invocation gets skipped if the cron expression falls on a
				// non-existent date and time."
				continue
			}
			if t := time.Unix(u, 0); t.After(after) {
				return t.In(loc), true
			}
		}
	}
	return time.Time{}, false
}

// daysIn returns the days of the month the day rule picks, as bits 1-31.
func (c *cronSpec) daysIn(y int, mo time.Month) uint32 {
	last := time.Date(y, mo+1, 0, 0, 0, 0, 0, time.UTC).Day()
	first := int(time.Date(y, mo, 1, 0, 0, 0, 0, time.UTC).Weekday()) + 1 // 1 = Sunday, as cron counts
	weekday := func(d int) int { return (first+d-2)%7 + 1 }
	const sunday, saturday = 1, 7

	var d int
	switch c.days {
	case daysOfMonth:
		return uint32(c.daySet[0]) & (1<<(last+1) - 2)
	case daysOfWeek:
		var set uint32
		for day := 1; day <= last; day++ {
			if c.daySet.has(weekday(day)) {
				set |= 1 << day
			}
		}
		return set
	case lastDay:
		d = last
	case lastWeekday:
		d = last
		switch weekday(last) {
		case saturday:
			d = last - 1
		case sunday:
			d = last - 2
		}
	case nearestWeekday:
		// The weekday nearest day n, without leaving the month: 1W on a
		// Saturday is Monday the 3rd, and nW on a Sunday that ends the
		// month is the Friday before. A day the month does not have (30W
		// in February) picks nothing that month.
		d = c.day
		if d > last {
			return 0
		}
		switch weekday(d) {
		case saturday:
			if d == 1 {
				d = 3
			} else {
				d--
			}
		case sunday:
			if d == last {
				d -= 2
			} else {
				d++
			}
		}
	case lastOfWeekday:
		d = last - (weekday(last)-c.day+7)%7
	case nthWeekday:
		d = 1 + (c.day-first+7)%7 + 7*(c.nth-1)
		if d > last {
			return 0 // no fifth Monday this month
		}
	}
	return 1 << d
}
