package apigateway

import (
	"cmp"
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/store/keys"
)

// A usage plan's quota is a number of requests each of its keys may make
// in a period (DAY, WEEK or MONTH), counted per key and plan. Periods
// start at midnight UTC: a day every day; a week on the day the quota's
// offset names (0 Sunday, 1 Monday, ... 6 Saturday, as the quota's
// documentation in AWS's model reads it); a month on its first day, or
// offset days later (within the month). GetUsage reports the count of
// each day with what remained of the quota at its end; UpdateUsage
// grants a key more (or fewer) requests for the rest of the current
// period by replacing /remaining.
//
// Counts live in memory, one record per key and plan with a lock of its
// own, so that counting a request takes no lock another key waits on and
// writes nothing to the store. Run writes the records that changed every
// usageFlushInterval, and Close writes them when virga stops; a crash
// loses at most the requests of the last interval, which then count as
// not made.

// usageFlushInterval is how often counts reach the store.
const usageFlushInterval = 5 * time.Second

// maxUsageDays bounds the days one GetUsage reports for each key.
const maxUsageDays = 3660

// day is a UTC calendar day, counted from 1970-01-01.
type day int32

func dayOf(t time.Time) day { return day(t.UTC().Unix() / 86400) }

func (d day) time() time.Time { return time.Unix(int64(d)*86400, 0).UTC() }

func (d day) String() string { return d.time().Format(time.DateOnly) }

func parseDay(s string) (day, bool) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return 0, false
	}
	return dayOf(t), true
}

// periodStart is the first day of the quota period that holds d.
func periodStart(q *QuotaSettings, d day) day {
	offset := 0
	if q.Offset != nil {
		offset = int(*q.Offset)
	}
	period := QuotaPeriodType("")
	if q.Period != nil {
		period = *q.Period
	}
	switch period {
	case "WEEK":
		want := ((offset % 7) + 7) % 7
		back := (int(d.time().Weekday()) - want + 7) % 7
		return d - day(back)
	case "MONTH":
		t := d.time()
		start := monthStart(t.Year(), t.Month(), offset)
		if d < start {
			start = monthStart(t.Year(), t.Month()-1, offset)
		}
		return start
	}
	return d
}

// monthStart is the day offset days after the first of a month, kept
// within the month.
func monthStart(year int, month time.Month, offset int) day {
	first := time.Date(year, month, 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day() - 1
	return dayOf(first) + day(min(max(offset, 0), last))
}

// keyUsage is one key's use of one plan.
type keyUsage struct {
	mu sync.Mutex
	// days are the requests counted on each day.
	days map[day]int64
	// start is the period the cached count is of, and used its
	// requests; they are recomputed from days when the period changes.
	start day
	used  int64
	// extraStart is the period extra applies in: what UpdateUsage added
	// to the limit there.
	extraStart day
	extra      int64
	dirty      bool
}

// usageRecord is a keyUsage as the store keeps it.
type usageRecord struct {
	Plan       string
	Key        string
	Days       map[string]int64
	ExtraStart string `json:",omitempty"`
	Extra      int64  `json:",omitempty"`
}

type usageKey struct{ plan, key string }

// usageTable is every key's use of every plan with a quota.
type usageTable struct {
	m sync.Map // usageKey -> *keyUsage
}

func (t *usageTable) get(plan, key string) *keyUsage {
	k := usageKey{plan, key}
	if v, ok := t.m.Load(k); ok {
		return v.(*keyUsage)
	}
	v, _ := t.m.LoadOrStore(k, &keyUsage{days: map[day]int64{}, start: -1, extraStart: -1})
	return v.(*keyUsage)
}

// periodUsed brings the cached count to the period that starts at start.
// The caller holds u.mu.
func (u *keyUsage) periodUsed(start, today day) int64 {
	if u.start != start {
		u.start, u.used = start, 0
		for d, n := range u.days {
			if d >= start && d <= today {
				u.used += n
			}
		}
	}
	return u.used
}

// remaining is what the quota leaves the key in the period that starts
// at start, given used requests.
func (u *keyUsage) remaining(q *QuotaSettings, start day, used int64) int64 {
	r := int64(derefInt(q.Limit)) - used
	if u.extraStart == start {
		r += u.extra
	}
	return r
}

// take counts a request of the key against the plan's quota at now, and
// reports false, counting nothing, when the quota is spent.
func (t *usageTable) take(p *usagePlanRecord, key string, now time.Time) bool {
	u := t.get(p.ID, key)
	today := dayOf(now)
	start := periodStart(p.Quota, today)
	u.mu.Lock()
	defer u.mu.Unlock()
	used := u.periodUsed(start, today)
	if u.remaining(p.Quota, start, used) <= 0 {
		return false
	}
	u.used++
	u.days[today]++
	u.dirty = true
	return true
}

// report is the key's [used, remaining] for each day from first to last.
func (u *keyUsage) report(q *QuotaSettings, first, last day) [][]int64 {
	u.mu.Lock()
	defer u.mu.Unlock()
	out := make([][]int64, 0, last-first+1)
	var start day = -1
	var used int64
	for d := first; d <= last; d++ {
		if s := periodStart(q, d); s != start {
			start, used = s, 0
			for x := s; x < d; x++ {
				used += u.days[x]
			}
		}
		used += u.days[d]
		out = append(out, []int64{u.days[d], u.remaining(q, start, used)})
	}
	return out
}

func usageRecordKey(account, plan, key string) []byte {
	return keys.AppendString(keys.AppendString(rootKey("q", account), plan), key)
}

// loadUsage reads the stored counts.
func (s *Service) loadUsage() error {
	return scan(s.store, rootKey("q", s.account), func(r *usageRecord) {
		u := &keyUsage{days: map[day]int64{}, start: -1}
		for k, n := range r.Days {
			if d, ok := parseDay(k); ok {
				u.days[d] = n
			}
		}
		if d, ok := parseDay(r.ExtraStart); ok {
			u.extraStart, u.extra = d, r.Extra
		} else {
			u.extraStart = -1
		}
		s.usage.m.Store(usageKey{r.Plan, r.Key}, u)
	})
}

// FlushUsage writes the counts that changed since the last flush to the
// store, in one batch.
func (s *Service) FlushUsage() error {
	type pending struct {
		k usageKey
		u *keyUsage
	}
	var changed []pending
	b := s.store.NewBatch()
	defer b.Close()
	var err error
	s.usage.m.Range(func(k, v any) bool {
		u := v.(*keyUsage)
		u.mu.Lock()
		if u.dirty {
			r := usageRecord{Plan: k.(usageKey).plan, Key: k.(usageKey).key, Days: make(map[string]int64, len(u.days)), Extra: u.extra}
			for d, n := range u.days {
				r.Days[d.String()] = n
			}
			if u.extra != 0 {
				r.ExtraStart = u.extraStart.String()
			}
			err = putJSON(b, usageRecordKey(s.account, r.Plan, r.Key), r)
			u.dirty = false
			changed = append(changed, pending{k.(usageKey), u})
		}
		u.mu.Unlock()
		return err == nil
	})
	if err == nil && len(changed) > 0 {
		err = b.Commit()
	}
	if err != nil {
		// Written next time.
		for _, c := range changed {
			c.u.mu.Lock()
			c.u.dirty = true
			c.u.mu.Unlock()
		}
	}
	return err
}

// Run writes usage counts to the store every usageFlushInterval until
// ctx is done.
func (s *Service) Run(ctx context.Context, log *slog.Logger) {
	tick := time.NewTicker(usageFlushInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if err := s.FlushUsage(); err != nil && log != nil {
				log.Error("apigateway: writing usage counts", "err", err)
			}
		}
	}
}

// Close writes the usage counts that have not reached the store yet.
func (s *Service) Close() error { return s.FlushUsage() }

// forgetUsage drops a plan's counts, with the plan. The caller holds
// s.mu and adds the store's deletion to b.
func (s *Service) forgetUsage(b store.Batch, plan string) {
	s.usage.m.Range(func(k, _ any) bool {
		if k.(usageKey).plan == plan {
			s.usage.m.Delete(k)
		}
		return true
	})
	prefix := keys.AppendString(rootKey("q", s.account), plan)
	b.DeleteRange(prefix, keys.PrefixEnd(prefix))
}

// usageOutput is the usage of the plan's keys (one key when keyID is
// set) from first to last, a page of keys at a time.
func (s *Service) usageOutput(p *usagePlanRecord, keyID *string, first, last day, position *string, limit *int32) *Usage {
	out := &Usage{UsagePlanId: ptr(p.ID), StartDate: ptr(first.String()), EndDate: ptr(last.String()), Items: map[string][][]int64{}}
	if p.Quota == nil {
		return out
	}
	ids := slices.Clone(p.Keys)
	if keyID != nil {
		ids = []string{*keyID}
	}
	slices.SortFunc(ids, cmp.Compare[string])
	page, next := page(ids, func(id string) string { return id }, position, limit)
	out.Position = next
	for _, id := range page {
		out.Items[id] = s.usage.get(p.ID, id).report(p.Quota, first, last)
	}
	return out
}

func (s *Service) getUsage(ctx context.Context, in *GetUsageRequest) (*Usage, error) {
	first, ok1 := parseDay(*in.StartDate)
	last, ok2 := parseDay(*in.EndDate)
	if !ok1 || !ok2 {
		return nil, badRequest("Invalid date format. Dates must be in the format yyyy-MM-dd")
	}
	if last < first {
		return nil, badRequest("The end date must not be before the start date")
	}
	if last-first >= maxUsageDays {
		return nil, badRequest("The time range must not exceed %d days", maxUsageDays)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, err := s.plan(*in.UsagePlanId)
	if err != nil {
		return nil, err
	}
	if in.KeyId != nil && !slices.Contains(p.Keys, *in.KeyId) {
		return nil, notFound(msgUsagePlanKeyNotFound)
	}
	return s.usageOutput(p, in.KeyId, first, last, in.Position, in.Limit), nil
}

// updateUsage replaces what remains of a key's quota in the current
// period: "replace /remaining" with the number of requests left.
func (s *Service) updateUsage(ctx context.Context, in *UpdateUsageRequest) (*Usage, error) {
	patches, err := parsePatches(in.PatchOperations)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, err := s.plan(*in.UsagePlanId)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(p.Keys, *in.KeyId) {
		return nil, notFound(msgUsagePlanKeyNotFound)
	}
	if p.Quota == nil {
		return nil, badRequest("Usage plan %s has no quota", p.ID)
	}
	today := dayOf(s.clock.Now())
	start := periodStart(p.Quota, today)
	u := s.usage.get(p.ID, *in.KeyId)
	for _, pt := range patches {
		if pt.op != "replace" || !pt.is("remaining") {
			return nil, pt.invalid()
		}
		n, err := pt.intValue()
		if err != nil {
			return nil, err
		}
		u.mu.Lock()
		used := u.periodUsed(start, today)
		// remaining = limit - used + extra
		u.extraStart, u.extra = start, int64(n)-int64(derefInt(p.Quota.Limit))+used
		u.dirty = true
		u.mu.Unlock()
	}
	if err := s.FlushUsage(); err != nil {
		return nil, err
	}
	return s.usageOutput(p, in.KeyId, today, today, nil, nil), nil
}

// derefInt is *p, or 0 for nil.
func derefInt(p *int32) int32 {
	if p == nil {
		return 0
	}
	return *p
}
