package apigateway

import (
	"testing"
	"time"
)

func date(s string) day {
	d, ok := parseDay(s)
	if !ok {
		panic(s)
	}
	return d
}

// TestPeriodStart checks the first day of quota periods: days, weeks
// from the offset's weekday (0 Sunday), months from their first day or
// offset days later, across month and year ends and in February.
func TestPeriodStart(t *testing.T) {
	q := func(period string, offset int32) *QuotaSettings {
		p := QuotaPeriodType(period)
		return &QuotaSettings{Limit: ptr(int32(10)), Period: &p, Offset: &offset}
	}
	for _, c := range []struct {
		q         *QuotaSettings
		day, want string
	}{
		{q("DAY", 0), "2024-03-15", "2024-03-15"},
		{q("WEEK", 0), "2024-03-15", "2024-03-10"}, // a Friday; the week began on Sunday
		{q("WEEK", 0), "2024-03-10", "2024-03-10"},
		{q("WEEK", 1), "2024-03-10", "2024-03-04"}, // a Sunday, in a week from Monday
		{q("WEEK", 5), "2024-03-15", "2024-03-15"},
		{q("WEEK", 6), "2024-01-01", "2023-12-30"}, // across the year's end
		{q("MONTH", 0), "2024-03-31", "2024-03-01"},
		{q("MONTH", 0), "2024-03-01", "2024-03-01"},
		{q("MONTH", 9), "2024-03-15", "2024-03-10"},
		{q("MONTH", 9), "2024-03-05", "2024-02-10"},
		{q("MONTH", 9), "2024-01-05", "2023-12-10"},
		{q("MONTH", 30), "2024-02-29", "2024-02-29"}, // beyond February's end: its last day
		{q("MONTH", 30), "2024-03-15", "2024-02-29"},
		{q("MONTH", 30), "2024-03-31", "2024-03-31"},
	} {
		if got := periodStart(c.q, date(c.day)); got != date(c.want) {
			t.Errorf("%s offset %d, %s: period starts %s, want %s", *c.q.Period, *c.q.Offset, c.day, got, c.want)
		}
	}
}

// TestQuotaTakeAndReport counts requests against a daily quota, refuses
// the one over it, starts again the next day at midnight UTC, and
// reports each day's [used, remaining].
func TestQuotaTakeAndReport(t *testing.T) {
	var u usageTable
	period := QuotaPeriodType("DAY")
	p := &usagePlanRecord{ID: "plan", Quota: &QuotaSettings{Limit: ptr(int32(3)), Period: &period}}
	day1 := time.Date(2024, 2, 28, 23, 59, 0, 0, time.UTC)
	for i := range 3 {
		if !u.take(p, "k", day1) {
			t.Fatalf("request %d refused", i+1)
		}
	}
	if u.take(p, "k", day1) {
		t.Fatal("4th request of a quota of 3 allowed")
	}
	if !u.take(p, "other", day1) {
		t.Fatal("another key shares the quota")
	}
	if !u.take(p, "k", day1.Add(time.Minute)) {
		t.Fatal("not allowed again at midnight UTC")
	}
	got := u.get("plan", "k").report(p.Quota, date("2024-02-28"), date("2024-03-01"))
	want := [][]int64{{3, 0}, {1, 2}, {0, 3}}
	if len(got) != 3 || got[0][0] != 3 || got[0][1] != 0 || got[1][0] != 1 || got[1][1] != 2 || got[2][1] != 3 {
		t.Fatalf("report = %v, want %v", got, want)
	}
	// Across a month in a monthly quota, remaining carries from day to day.
	mp := QuotaPeriodType("MONTH")
	pm := &usagePlanRecord{ID: "m", Quota: &QuotaSettings{Limit: ptr(int32(5)), Period: &mp}}
	u.take(pm, "k", time.Date(2024, 1, 31, 10, 0, 0, 0, time.UTC))
	u.take(pm, "k", time.Date(2024, 1, 31, 11, 0, 0, 0, time.UTC))
	u.take(pm, "k", time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC))
	got = u.get("m", "k").report(pm.Quota, date("2024-01-30"), date("2024-02-01"))
	if got[0][1] != 5 || got[1][0] != 2 || got[1][1] != 3 || got[2][0] != 1 || got[2][1] != 4 {
		t.Fatalf("monthly report = %v", got)
	}
}
