package schedexpr

import (
	"strconv"
	"strings"
)

// The year field's range, from the "Cron expressions" table of the
// EventBridge user guide: "Year 1970-2199".
const (
	minYear = 1970
	maxYear = 2199
)

// bitset is a set of small integers: minutes, hours, days, months,
// weekdays, or years counted from minYear.
type bitset [4]uint64

func (b *bitset) add(i int)      { b[i>>6] |= 1 << (i & 63) }
func (b *bitset) has(i int) bool { return b[i>>6]&(1<<(i&63)) != 0 }

// field describes one cron field: its values and the wildcards it takes.
type field struct {
	name     string
	min, max int
	digits   int      // the most digits a number may have
	exact    bool     // numbers must have exactly digits digits
	names    []string // upper-case names of min, min+1, ...
	base     int      // the value stored as bit 0
	wrap     bool     // a range may wrap past max, as in 22-2
	maxStep  int      // the largest increment; 0 means / is not allowed
}

// The fields in order; they are read-only. A range whose start is after
// its end wraps around, as the user guide's "0/30 20-2 ? * MON-FRI *"
// shows; years do not wrap. Increments may not exceed the field's largest
// value: EventBridge rejects cron(*/60 * * * ? *). Day-of-week takes no
// increment: "/" is not among its wildcards.
var (
	minuteField = field{name: "minutes", min: 0, max: 59, digits: 2, wrap: true, maxStep: 59}
	hourField   = field{name: "hours", min: 0, max: 23, digits: 2, wrap: true, maxStep: 23}
	domField    = field{name: "day-of-month", min: 1, max: 31, digits: 2, wrap: true, maxStep: 31}
	monthField  = field{name: "month", min: 1, max: 12, digits: 2, wrap: true, maxStep: 12,
		names: []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}}
	dowField = field{name: "day-of-week", min: 1, max: 7, digits: 1, wrap: true,
		names: []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}}
	yearField = field{name: "year", min: minYear, max: maxYear, digits: 4, exact: true, base: minYear,
		maxStep: maxYear - minYear}
)

// dayRule says how a cron expression picks the days it fires on. Exactly
// one of day-of-month and day-of-week is "?", so one rule covers both.
type dayRule int

const (
	daysOfMonth    dayRule = iota // day-of-month is a list of days
	daysOfWeek                    // day-of-week is a list of weekdays
	lastDay                       // day-of-month L
	lastWeekday                   // day-of-month LW: the month's last Monday-Friday
	nearestWeekday                // day-of-month nW: the Monday-Friday nearest day n
	lastOfWeekday                 // day-of-week nL: the month's last weekday n
	nthWeekday                    // day-of-week n#k: the month's k-th weekday n
)

// cronSpec is a parsed cron expression.
type cronSpec struct {
	minutes, hours, months, years bitset
	days                          dayRule
	daySet                        bitset // daysOfMonth: 1-31; daysOfWeek: 1-7, 1 = Sunday
	day                           int    // nearestWeekday: day of month; lastOfWeekday, nthWeekday: weekday
	nth                           int    // nthWeekday: 1-5
}

// parseCron parses the inside of cron(...): six fields separated by spaces.
// Month and weekday names and the L and W wildcards are case-insensitive,
// as in the EventBridge console.
func parseCron(body string) (*cronSpec, string) {
	if body == "" || body[0] == ' ' || body[len(body)-1] == ' ' {
		return nil, "cron fields must be separated by spaces, with none before or after them"
	}
	fields := strings.FieldsFunc(body, func(r rune) bool { return r == ' ' })
	if len(fields) != 6 {
		return nil, "cron needs 6 fields, got " + strconv.Itoa(len(fields))
	}
	dom, dow := strings.ToUpper(fields[2]), strings.ToUpper(fields[4])

	c := &cronSpec{}
	for _, p := range []struct {
		set  *bitset
		text string
		f    *field
	}{
		{&c.minutes, fields[0], &minuteField},
		{&c.hours, fields[1], &hourField},
		{&c.months, strings.ToUpper(fields[3]), &monthField},
		{&c.years, fields[5], &yearField},
	} {
		if reason := p.f.parseList(p.set, p.text); reason != "" {
			return nil, reason
		}
	}
	// "You can't specify the Day-of-month and Day-of-week fields in the same
	// cron expression. If you specify a value or a * (asterisk) in one of
	// the fields, you must use a ? (question mark) in the other."
	var reason string
	switch {
	case dom == "?" && dow == "?":
		reason = "day-of-month and day-of-week cannot both be ?"
	case dom == "?":
		reason = c.parseDayOfWeek(dow)
	case dow == "?":
		reason = c.parseDayOfMonth(dom)
	default:
		reason = "one of day-of-month and day-of-week must be ?"
	}
	if reason != "" {
		return nil, reason
	}
	return c, ""
}

// parseDayOfMonth parses a day-of-month other than "?". L, LW and nW stand
// alone: they cannot be combined with other days.
func (c *cronSpec) parseDayOfMonth(s string) string {
	switch {
	case s == "L":
		c.days = lastDay
	case s == "LW":
		c.days = lastWeekday
	case strings.HasSuffix(s, "W"):
		n, reason := domField.value(s[:len(s)-1])
		if reason != "" {
			return reason + " (before W)"
		}
		c.days, c.day = nearestWeekday, n
	case strings.ContainsAny(s, "LW"):
		return "day-of-month takes L, LW and nW only on their own"
	default:
		c.days = daysOfMonth
		return domField.parseList(&c.daySet, s)
	}
	return ""
}

// parseDayOfWeek parses a day-of-week other than "?". L alone is the last
// day of the week, Saturday; nL and n#k stand alone, and the user guide
// says of # that "3#1,6#3" is not valid.
func (c *cronSpec) parseDayOfWeek(s string) string {
	switch {
	case s == "L":
		c.days = daysOfWeek
		c.daySet.add(7)
	case strings.Contains(s, "#"):
		d, k, _ := strings.Cut(s, "#")
		n, reason := dowField.value(d)
		if reason != "" {
			return reason + " (before #)"
		}
		if len(k) != 1 || k[0] < '1' || k[0] > '5' {
			return "day-of-week # needs an instance 1-5, got " + strconv.Quote(k)
		}
		c.days, c.day, c.nth = nthWeekday, n, int(k[0]-'0')
	case strings.HasSuffix(s, "L"):
		n, reason := dowField.value(s[:len(s)-1])
		if reason != "" {
			return reason + " (before L)"
		}
		c.days, c.day = lastOfWeekday, n
	case strings.Contains(s, "L"):
		return "day-of-week takes L and nL only on their own"
	default:
		c.days = daysOfWeek
		return dowField.parseList(&c.daySet, s)
	}
	return ""
}

// parseList parses a comma-separated list of values, ranges (a-b), all
// values (*) and increments (a/n, a-b/n, */n) into set. A bare * must be
// the whole field.
func (f *field) parseList(set *bitset, s string) string {
	items := strings.Split(s, ",")
	for _, item := range items {
		spec, stepText, hasStep := strings.Cut(item, "/")
		step := 1
		if hasStep {
			if f.maxStep == 0 {
				return f.name + " does not take increments (/)"
			}
			n, err := strconv.Atoi(stepText)
			if !isDigits(stepText) || len(stepText) > 3 || err != nil || n < 1 || n > f.maxStep {
				return f.name + " increment " + strconv.Quote(stepText) + " is not 1-" + strconv.Itoa(f.maxStep)
			}
			step = n
		}
		var lo, hi int
		switch from, to, isRange := strings.Cut(spec, "-"); {
		case spec == "*":
			if !hasStep && len(items) > 1 {
				return f.name + " takes * only on its own"
			}
			lo, hi = f.min, f.max
		case isRange:
			var reason string
			if lo, reason = f.value(from); reason != "" {
				return reason
			}
			if hi, reason = f.value(to); reason != "" {
				return reason
			}
			if lo > hi && !f.wrap {
				return f.name + " range " + spec + " runs backwards"
			}
		default:
			var reason string
			if lo, reason = f.value(spec); reason != "" {
				return reason
			}
			hi = lo
			if hasStep { // a/n: from a to the field's end
				hi = f.max
			}
		}
		f.addRange(set, lo, hi, step)
	}
	return ""
}

// value parses one number or name.
func (f *field) value(s string) (int, string) {
	if s != "" && isDigits(s) {
		if len(s) > f.digits || f.exact && len(s) != f.digits {
			return 0, f.name + " value " + strconv.Quote(s) + " has the wrong number of digits"
		}
		n, _ := strconv.Atoi(s)
		if n < f.min || n > f.max {
			return 0, f.name + " value " + s + " is not " + strconv.Itoa(f.min) + "-" + strconv.Itoa(f.max)
		}
		return n, ""
	}
	for i, name := range f.names {
		if s == name {
			return f.min + i, ""
		}
	}
	return 0, f.name + " value " + strconv.Quote(s) + " is not valid"
}

// addRange adds lo, lo+step, ... up to hi to set, wrapping past the
// field's end when lo > hi (22-2/2 is 22, 0, 2).
func (f *field) addRange(set *bitset, lo, hi, step int) {
	span := f.max - f.min + 1
	if hi < lo {
		hi += span
	}
	for v := lo; v <= hi; v += step {
		set.add(f.min + (v-f.min)%span - f.base)
	}
}
