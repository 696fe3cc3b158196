package events

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/virga/virga/internal/eventpattern"
	"github.com/virga/virga/internal/store/keys"
)

// Archives. An archive takes the events that reach its bus and match its
// pattern (all of them without one), except replayed events, and keeps
// them in the store, keyed by the event's time, for RetentionDays (0:
// for ever). An event is archived in the same commit that counts it, and
// before its targets get it: an event PutEvents acknowledges is in every
// archive it matched. Expiry runs in Run, about once a minute by the
// clock, and counts retention from the event's time.

const (
	archiveEnabled = "ENABLED"
	// archiveSweepEvery is how often expired events leave the archives.
	archiveSweepEvery = time.Minute
	day               = 24 * time.Hour
)

// archive is an archive with its compiled pattern.
type archive struct {
	rec     archiveRecord
	pattern *eventpattern.Pattern
}

// archiveRecord is an archive as the store keeps it, its event count
// and size included.
type archiveRecord struct {
	Name          string    `json:"name"`
	Bus           string    `json:"bus"`
	EventPattern  string    `json:"pattern,omitempty"`
	Description   string    `json:"description,omitempty"`
	RetentionDays int32     `json:"retentionDays,omitempty"`
	Created       time.Time `json:"created"`
	State         string    `json:"state"`
	EventCount    int64     `json:"eventCount,omitempty"`
	SizeBytes     int64     `json:"sizeBytes,omitempty"`
}

// Store layout (with service.go's):
//
//	("events", "archive", NAME)                      archiveRecord
//	("events", "archived", NAME, TIME, ARRIVED, EVENTID)  the event as targets got it
//
// TIME is the event's time and ARRIVED when the archive took it (both
// Unix nanoseconds): events of the same second keep their order.
func archiveKey(name string) []byte { return eventsKey("archive", name) }
func archivedPrefix(name string) []byte {
	return eventsKey("archived", name)
}
func archivedKey(name string, t, arrived time.Time, id string) []byte {
	k := keys.AppendInt(keys.AppendInt(archivedPrefix(name), t.UnixNano()), arrived.UnixNano())
	return keys.AppendString(k, id)
}

// archivedTime is the event time in an archived event's key.
func archivedTime(k []byte) (time.Time, bool) {
	parts, err := keys.Decode(k)
	if err != nil || len(parts) != 6 {
		return time.Time{}, false
	}
	n, ok := parts[3].(int64)
	return time.Unix(0, n).UTC(), ok
}

func compileArchive(r archiveRecord) (*archive, error) {
	a := &archive{rec: r}
	if r.EventPattern != "" {
		p, err := eventpattern.Compile([]byte(r.EventPattern), eventpattern.EventBridge)
		if err != nil {
			return nil, err
		}
		a.pattern = p
	}
	return a, nil
}

func (s *Service) loadArchives() error {
	return s.scan(eventsKey("archive"), func(k, v []byte) error {
		var r archiveRecord
		if err := json.Unmarshal(v, &r); err != nil {
			return err
		}
		a, err := compileArchive(r)
		if err != nil {
			return err
		}
		s.archives[r.Name] = a
		return nil
	})
}

func (s *Service) archiveARN(name string) string {
	return "arn:aws:events:" + s.region + ":" + s.account + ":archive/" + name
}

// busOfARN is the bus an event bus ARN of this account and region names.
func (s *Service) busOfARN(arn string) (string, bool) {
	return strings.CutPrefix(arn, "arn:aws:events:"+s.region+":"+s.account+":event-bus/")
}

// archiveOfARN is the archive an archive ARN of this account and region
// names.
func (s *Service) archiveOfARN(arn string) (string, bool) {
	return strings.CutPrefix(arn, "arn:aws:events:"+s.region+":"+s.account+":archive/")
}

// checkPattern compiles an event pattern as PutRule does.
func checkPattern(pattern string) error {
	if _, err := eventpattern.Compile([]byte(pattern), eventpattern.EventBridge); err != nil {
		var pe *eventpattern.Error
		if errors.As(err, &pe) {
			return ErrInvalidPattern.WithMessage(pe.Error())
		}
		return ErrInvalidPattern.WithMessage("Event pattern is not valid. Reason: " + err.Error())
	}
	return nil
}

func (s *Service) createArchive(ctx context.Context, in *CreateArchiveRequest) (*CreateArchiveResponse, error) {
	busName, ok := s.busOfARN(*in.EventSourceArn)
	if !ok {
		return nil, ErrValidation.Withf("Parameter EventSourceArn is not valid. Reason: %s is not the ARN of an event bus in this account and Region.", *in.EventSourceArn)
	}
	pattern := deref(in.EventPattern)
	if pattern != "" {
		if err := checkPattern(pattern); err != nil {
			return nil, err
		}
	}
	rec := archiveRecord{Name: *in.ArchiveName, Bus: busName, EventPattern: pattern, Description: deref(in.Description),
		Created: s.clock.Now().UTC(), State: archiveEnabled}
	if in.RetentionDays != nil {
		rec.RetentionDays = *in.RetentionDays
	}
	a, err := compileArchive(rec)
	if err != nil {
		return nil, ErrInvalidPattern.WithMessage(err.Error())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.archives[rec.Name] != nil {
		return nil, ErrAlreadyExists.Withf("Archive %s already exists.", rec.Name)
	}
	if _, err := s.lookupBus(busName); err != nil {
		return nil, err
	}
	if err := s.put(archiveKey(rec.Name), rec); err != nil {
		return nil, err
	}
	s.archives[rec.Name] = a
	return &CreateArchiveResponse{ArchiveArn: ptr(s.archiveARN(rec.Name)), State: ptr(rec.State), CreationTime: ptr(rec.Created)}, nil
}

// lookupArchive finds an archive; the caller holds s.mu.
func (s *Service) lookupArchive(name string) (*archive, error) {
	a := s.archives[name]
	if a == nil {
		return nil, ErrNotFound.Withf("Archive %s does not exist.", name)
	}
	return a, nil
}

func (s *Service) describeArchive(ctx context.Context, in *DescribeArchiveRequest) (*DescribeArchiveResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.lookupArchive(*in.ArchiveName)
	if err != nil {
		return nil, err
	}
	r := a.rec
	return &DescribeArchiveResponse{ArchiveArn: ptr(s.archiveARN(r.Name)), ArchiveName: ptr(r.Name),
		EventSourceArn: ptr(s.busARN(r.Bus)), Description: optional(r.Description), EventPattern: optional(r.EventPattern),
		State: ptr(r.State), RetentionDays: ptr(r.RetentionDays), SizeBytes: ptr(r.SizeBytes), EventCount: ptr(r.EventCount),
		CreationTime: ptr(r.Created)}, nil
}

func (s *Service) listArchives(ctx context.Context, in *ListArchivesRequest) (*ListArchivesResponse, error) {
	var source string
	if in.EventSourceArn != nil {
		bus, ok := s.busOfARN(*in.EventSourceArn)
		if !ok {
			return &ListArchivesResponse{Archives: []Archive{}}, nil
		}
		source = bus
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for _, n := range sortedNames(s.archives) {
		r := s.archives[n].rec
		if (in.NamePrefix == nil || strings.HasPrefix(n, *in.NamePrefix)) &&
			(in.EventSourceArn == nil || r.Bus == source) && (in.State == nil || r.State == *in.State) {
			names = append(names, n)
		}
	}
	page, next, err := paginate(names, in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	out := &ListArchivesResponse{Archives: []Archive{}, NextToken: next}
	for _, n := range page {
		r := s.archives[n].rec
		out.Archives = append(out.Archives, Archive{ArchiveName: ptr(n), EventSourceArn: ptr(s.busARN(r.Bus)), State: ptr(r.State),
			RetentionDays: ptr(r.RetentionDays), SizeBytes: ptr(r.SizeBytes), EventCount: ptr(r.EventCount), CreationTime: ptr(r.Created)})
	}
	return out, nil
}

// UpdateArchive changes what it is given: an EventPattern of "" removes
// the pattern, so that the archive takes every event again.
func (s *Service) updateArchive(ctx context.Context, in *UpdateArchiveRequest) (*UpdateArchiveResponse, error) {
	if in.EventPattern != nil && *in.EventPattern != "" {
		if err := checkPattern(*in.EventPattern); err != nil {
			return nil, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old, err := s.lookupArchive(*in.ArchiveName)
	if err != nil {
		return nil, err
	}
	rec := old.rec
	if in.Description != nil {
		rec.Description = *in.Description
	}
	if in.EventPattern != nil {
		rec.EventPattern = *in.EventPattern
	}
	if in.RetentionDays != nil {
		rec.RetentionDays = *in.RetentionDays
	}
	a, err := compileArchive(rec)
	if err != nil {
		return nil, ErrInvalidPattern.WithMessage(err.Error())
	}
	if err := s.put(archiveKey(rec.Name), rec); err != nil {
		return nil, err
	}
	s.archives[rec.Name] = a
	return &UpdateArchiveResponse{ArchiveArn: ptr(s.archiveARN(rec.Name)), State: ptr(rec.State), CreationTime: ptr(rec.Created)}, nil
}

func (s *Service) deleteArchive(ctx context.Context, in *DeleteArchiveRequest) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.lookupArchive(*in.ArchiveName); err != nil {
		return nil, err
	}
	b := s.store.NewBatch()
	defer b.Close()
	b.Delete(archiveKey(*in.ArchiveName))
	prefix := archivedPrefix(*in.ArchiveName)
	b.DeleteRange(prefix, keys.PrefixEnd(prefix))
	if err := b.Commit(); err != nil {
		return nil, err
	}
	delete(s.archives, *in.ArchiveName)
	return &noOutput{}, nil
}

// archiveEvent stores an event that reached a bus in the bus's archives
// whose pattern it matches, with their new counts, in one commit; the
// caller holds s.mu.
func (s *Service) archiveEvent(busName string, ev *envelope, raw []byte) error {
	var hits []*archive
	for _, name := range sortedNames(s.archives) {
		a := s.archives[name]
		if a.rec.Bus == busName && a.rec.State == archiveEnabled && (a.pattern == nil || a.pattern.Match(raw)) {
			hits = append(hits, a)
		}
	}
	if len(hits) == 0 {
		return nil
	}
	arrived := s.clock.Now()
	t, err := time.Parse(eventTimeLayout, ev.Time)
	if err != nil {
		t = arrived
	}
	b := s.store.NewBatch()
	defer b.Close()
	recs := make([]archiveRecord, len(hits))
	for i, a := range hits {
		rec := a.rec
		rec.EventCount++
		rec.SizeBytes += int64(len(raw))
		data, err := json.Marshal(rec)
		if err != nil {
			return err
		}
		b.Set(archivedKey(rec.Name, t, arrived, ev.ID), raw)
		b.Set(archiveKey(rec.Name), data)
		recs[i] = rec
	}
	if err := b.Commit(); err != nil {
		return err
	}
	for i, a := range hits {
		a.rec = recs[i]
	}
	return nil
}

// expireArchives deletes the events that have outlived their archive's
// retention, at most once every archiveSweepEvery.
func (s *Service) expireArchives(log *slog.Logger) {
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.lastSweep.IsZero() && now.Sub(s.lastSweep) < archiveSweepEvery {
		return
	}
	s.lastSweep = now
	for _, name := range sortedNames(s.archives) {
		a := s.archives[name]
		if a.rec.RetentionDays <= 0 {
			continue
		}
		if err := s.expire(a, now.Add(-time.Duration(a.rec.RetentionDays)*day)); err != nil {
			log.Error("events: expiring archived events", "archive", name, "err", err)
		}
	}
}

// expire deletes an archive's events from before cutoff; the caller
// holds s.mu.
func (s *Service) expire(a *archive, cutoff time.Time) error {
	prefix := archivedPrefix(a.rec.Name)
	end := keys.AppendInt(archivedPrefix(a.rec.Name), cutoff.UnixNano())
	it, err := s.store.NewIter(prefix, end)
	if err != nil {
		return err
	}
	var n, size int64
	for it.First(); it.Valid(); it.Next() {
		n++
		size += int64(len(it.Value()))
	}
	err = it.Error()
	it.Close()
	if err != nil || n == 0 {
		return err
	}
	rec := a.rec
	rec.EventCount = max(rec.EventCount-n, 0)
	rec.SizeBytes = max(rec.SizeBytes-size, 0)
	data, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	b := s.store.NewBatch()
	defer b.Close()
	b.DeleteRange(prefix, end)
	b.Set(archiveKey(rec.Name), data)
	if err := b.Commit(); err != nil {
		return err
	}
	a.rec = rec
	return nil
}
