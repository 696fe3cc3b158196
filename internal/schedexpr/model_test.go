package schedexpr

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// The model tests compare Next with a deliberately naive reference: it
// walks day by day and minute by minute, and decides the day rules from
// their definitions (the last Friday is a Friday with no Friday a week
// later) rather than by the arithmetic Next uses.

// refDay reports whether the day rule picks the given date.
func refDay(c *cronSpec, y int, mo time.Month, d int) bool {
	date := time.Date(y, mo, d, 0, 0, 0, 0, time.UTC)
	last := date.AddDate(0, 1, -d).Day()
	weekday := int(date.Weekday()) + 1
	isWorkday := func(day int) bool {
		wd := time.Date(y, mo, day, 0, 0, 0, 0, time.UTC).Weekday()
		return wd != time.Saturday && wd != time.Sunday
	}
	switch c.days {
	case daysOfMonth:
		return c.daySet.has(d)
	case daysOfWeek:
		return c.daySet.has(weekday)
	case lastDay:
		return d == last
	case lastWeekday:
		if !isWorkday(d) {
			return false
		}
		for later := d + 1; later <= last; later++ {
			if isWorkday(later) {
				return false
			}
		}
		return true
	case nearestWeekday:
		// The workday of this month closest to the target day.
		if c.day > last || !isWorkday(d) {
			return false
		}
		best := -1
		for day := 1; day <= last; day++ {
			if isWorkday(day) && (best < 0 || abs(day-c.day) < abs(best-c.day)) {
				best = day
			}
		}
		return d == best
	case lastOfWeekday:
		return weekday == c.day && d+7 > last
	case nthWeekday:
		return weekday == c.day && (d-1)/7+1 == c.nth
	}
	panic("unknown day rule")
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// refMatches reports whether a wall-clock reading matches the expression.
func refMatches(c *cronSpec, w time.Time) bool {
	return w.Year() >= minYear && w.Year() <= maxYear && c.years.has(w.Year()-minYear) &&
		c.months.has(int(w.Month())) && refDay(c, w.Year(), w.Month(), w.Day()) &&
		c.hours.has(w.Hour()) && c.minutes.has(w.Minute())
}

// refNextUTC returns the first matching minute after after, looking no
// further than limit.
func refNextUTC(c *cronSpec, after, limit time.Time) (time.Time, bool) {
	t := after.Truncate(time.Minute).Add(time.Minute)
	for !t.After(limit) {
		if t.Year() > maxYear {
			return time.Time{}, false
		}
		if !c.years.has(t.Year()-minYear) || !c.months.has(int(t.Month())) || !refDay(c, t.Year(), t.Month(), t.Day()) {
			t = time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, time.UTC)
			continue
		}
		if refMatches(c, t) {
			return t, true
		}
		t = t.Add(time.Minute)
	}
	return time.Time{}, false
}

// genCron returns a random valid cron expression.
func genCron(r *rand.Rand) string {
	months := []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}
	days := []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}
	num := func(lo, hi int, names []string) string {
		v := lo + r.IntN(hi-lo+1)
		if names != nil && r.IntN(2) == 0 {
			return names[v-lo]
		}
		return fmt.Sprint(v)
	}
	list := func(lo, hi int, names []string, step bool, wrap bool) string {
		if r.IntN(4) == 0 {
			if step && r.IntN(2) == 0 {
				return fmt.Sprintf("*/%d", 1+r.IntN(hi))
			}
			return "*"
		}
		items := make([]string, 1+r.IntN(3))
		for i := range items {
			a, b := num(lo, hi, names), num(lo, hi, names)
			switch k := r.IntN(5); {
			case k == 0 && step:
				items[i] = fmt.Sprintf("%s/%d", a, 1+r.IntN(hi))
			case k == 1 && step:
				items[i] = fmt.Sprintf("*/%d", 1+r.IntN(hi))
			case k == 2 && wrap:
				items[i] = a + "-" + b
			case k == 3 && step && wrap:
				items[i] = fmt.Sprintf("%s-%s/%d", a, b, 1+r.IntN(hi))
			default:
				items[i] = a
			}
		}
		return strings.Join(items, ",")
	}
	minute := list(0, 59, nil, true, true)
	hour := list(0, 23, nil, true, true)
	month := list(1, 12, months, true, true)
	year := "*"
	switch r.IntN(4) {
	case 0:
		year = fmt.Sprintf("%d-%d", 2020+r.IntN(5), 2025+r.IntN(5))
	case 1:
		year = fmt.Sprintf("%d,%d", 2020+r.IntN(10), 2020+r.IntN(10))
	}
	dom, dow := "?", "?"
	if r.IntN(2) == 0 {
		switch r.IntN(6) {
		case 0:
			dom = "L"
		case 1:
			dom = "LW"
		case 2:
			dom = fmt.Sprintf("%dW", 1+r.IntN(31))
		default:
			dom = list(1, 31, nil, true, true)
		}
	} else {
		switch r.IntN(6) {
		case 0:
			dow = "L"
		case 1:
			dow = num(1, 7, days) + "L"
		case 2:
			dow = fmt.Sprintf("%s#%d", num(1, 7, days), 1+r.IntN(5))
		default:
			dow = list(1, 7, days, false, true)
		}
	}
	return fmt.Sprintf("cron(%s %s %s %s %s %s)", minute, hour, dom, month, dow, year)
}

func TestCronNextModelUTC(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	const window = 3 * 366 * 24 * time.Hour
	fired := 0
	for range 400 {
		expr := genCron(r)
		s := mustParse(t, expr, Options{})
		after := time.Date(2019+r.IntN(8), time.Month(1+r.IntN(12)), 1+r.IntN(28), r.IntN(24), r.IntN(60), r.IntN(2)*30, 0, time.UTC)
		for range 5 {
			limit := after.Add(window)
			want, found := refNextUTC(s.cron, after, limit)
			got, ok := s.Next(after)
			if !found {
				if ok && !got.After(limit) {
					t.Fatalf("%s: Next(%s) = %s, reference finds none before %s", expr, after.Format(time.RFC3339), got.Format(time.RFC3339), limit.Format(time.RFC3339))
				}
				break
			}
			if !ok || !got.Equal(want) {
				t.Fatalf("%s: Next(%s) = %s %v, reference %s", expr, after.Format(time.RFC3339), got.Format(time.RFC3339), ok, want.Format(time.RFC3339))
			}
			fired++
			after = want
		}
	}
	t.Logf("%d fire times compared", fired)
	if fired < 1000 {
		t.Fatalf("only %d fire times compared; the generator is too sparse", fired)
	}
}

// TestCronNextModelDST walks every minute around daylight saving changes
// and checks that Next visits exactly the instants whose wall-clock reading
// matches, each reading once.
func TestCronNextModelDST(t *testing.T) {
	t.Parallel()
	transitions := []struct{ zone, at string }{
		{"America/New_York", "2024-03-10T07:00:00Z"},
		{"America/New_York", "2024-11-03T06:00:00Z"},
		{"Europe/London", "2024-03-31T01:00:00Z"},
		{"Europe/London", "2024-10-27T01:00:00Z"},
		{"Australia/Sydney", "2024-04-06T16:00:00Z"},
		{"Australia/Sydney", "2024-10-05T16:00:00Z"},
		{"Australia/Lord_Howe", "2024-04-06T15:00:00Z"},
		{"Australia/Lord_Howe", "2024-10-05T15:30:00Z"},
		// Past the transitions zone files list, where Go computes them
		// from the zone's rule, and across a year boundary there.
		{"America/New_York", "2150-03-08T07:00:00Z"},
		{"America/New_York", "2150-11-01T06:00:00Z"},
		{"America/New_York", "2129-01-01T00:00:00Z"},
	}
	r := rand.New(rand.NewPCG(3, 4))
	fired := 0
	for _, tr := range transitions {
		loc := mustLoad(t, tr.zone)
		center := mustTime(t, tr.at)
		from, to := center.Add(-30*time.Hour), center.Add(30*time.Hour)
		for range 40 {
			// Dense times of day; every day of the month.
			minute := []string{"*", "*/15", "0,30", "15,45", "0/7", "59", "0"}[r.IntN(7)]
			hour := []string{"*", "0-4", "1", "2", "1-2", "22-3", "*/2", "3"}[r.IntN(8)]
			expr := fmt.Sprintf("cron(%s %s * * ? *)", minute, hour)
			s := mustParse(t, expr, Options{Dialect: DialectScheduler, Location: loc})

			var want []time.Time
			for u := from.Add(time.Minute); !u.After(to); u = u.Add(time.Minute) {
				w := u.In(loc)
				if refMatches(s.cron, w) && firstOccurrence(u, loc) {
					want = append(want, u)
				}
			}
			at := from
			for i, w := range want {
				got, ok := s.Next(at)
				if !ok || !got.Equal(w) {
					t.Fatalf("%s in %s: fire #%d after %s = %s, want %s", expr, tr.zone, i+1,
						at.In(loc).Format(time.RFC3339), got.In(loc).Format(time.RFC3339), w.In(loc).Format(time.RFC3339))
				}
				at = got
			}
			if got, ok := s.Next(at); ok && !got.After(to) {
				t.Fatalf("%s in %s: extra fire %s", expr, tr.zone, got.In(loc).Format(time.RFC3339))
			}
			fired += len(want)
		}
	}
	t.Logf("%d fire times compared", fired)
	if fired < 5000 {
		t.Fatalf("only %d fire times compared; the expressions are too sparse", fired)
	}
}

// firstOccurrence reports whether no earlier instant reads the same on the
// wall clock. Clocks are set back by 30 minutes, an hour or two hours.
func firstOccurrence(u time.Time, loc *time.Location) bool {
	w := u.In(loc)
	for _, back := range []time.Duration{30 * time.Minute, time.Hour, 2 * time.Hour} {
		e := u.Add(-back).In(loc)
		if e.Year() == w.Year() && e.YearDay() == w.YearDay() && e.Hour() == w.Hour() && e.Minute() == w.Minute() {
			return false
		}
	}
	return true
}

// TestGenCronParses guards the generator: everything it makes must parse.
func TestGenCronParses(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(5, 6))
	for range 2000 {
		expr := genCron(r)
		if _, err := Parse(expr, Options{}); err != nil {
			t.Fatalf("%s: %v", expr, err.(*Error).Reason)
		}
	}
}
