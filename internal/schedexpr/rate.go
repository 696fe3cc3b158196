package schedexpr

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// rateUnits maps a rate unit to its length. EventBridge rules require the
// singular for a value of 1 and the plural otherwise: "rate(1 minutes)"
// and "rate(5 minute)" are both rejected ("Rate expressions", EventBridge
// user guide). Scheduler's reference lists the units without that rule,
// and AWS's own published Scheduler examples use "rate(5 minute)", so
// Scheduler takes either form. Units are case-sensitive ("rate(10
// MINUTES)" is rejected).
var rateUnits = map[string]struct {
	length time.Duration
	plural bool
}{
	"minute":  {time.Minute, false},
	"minutes": {time.Minute, true},
	"hour":    {time.Hour, false},
	"hours":   {time.Hour, true},
	"day":     {24 * time.Hour, false},
	"days":    {24 * time.Hour, true},
}

// parseRate parses the inside of rate(...): a positive integer, one space
// and a unit, which must agree in number with the value when strict. It
// returns the period, or a reason the body is invalid.
func parseRate(body string, strict bool) (time.Duration, string) {
	value, unit, ok := strings.Cut(body, " ")
	if !ok {
		return 0, "rate needs a value and a unit separated by one space"
	}
	u, ok := rateUnits[unit]
	if !ok {
		return 0, "rate unit " + strconv.Quote(unit) + " is not minute(s), hour(s) or day(s)"
	}
	if value == "" || !isDigits(value) {
		return 0, "rate value " + strconv.Quote(value) + " is not a positive integer"
	}
	n, err := strconv.ParseInt(value, 10, 64)
	if err != nil || n > int64(math.MaxInt64/u.length) {
		// AWS documents no upper bound; a period must fit a time.Duration.
		return 0, "rate value " + value + " is too large"
	}
	switch {
	case n == 0:
		return 0, "rate value must be positive"
	case strict && n == 1 && u.plural:
		return 0, "rate value 1 needs a singular unit"
	case strict && n > 1 && !u.plural:
		return 0, "rate value " + value + " needs a plural unit"
	}
	return time.Duration(n) * u.length, ""
}

// nextRate returns the first of start + k*every (k >= 0) after after.
// Rate schedules count real elapsed time: a "day" is 24 hours even across a
// daylight saving change, as Scheduler documents.
func (s Schedule) nextRate(after time.Time) (time.Time, bool) {
	if after.Before(s.start) {
		return s.start.In(s.loc), true
	}
	// Whole seconds: start is minute-aligned and every is whole minutes, so
	// flooring after to the second cannot skip a fire time.
	period, start := int64(s.every/time.Second), s.start.Unix()
	if start < 0 && after.Unix() > math.MaxInt64+start {
		return time.Time{}, false
	}
	k := (after.Unix()-start)/period + 1
	if k > (math.MaxInt64-max(start, 0))/period {
		return time.Time{}, false
	}
	return time.Unix(start+k*period, 0).In(s.loc), true
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
