package events

import (
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/virga/virga/internal/store/keys"
)

// Replays. StartReplay records a replay in STARTING; Run moves it along
// on its ticks:
//
//	STARTING ─► RUNNING ─► (a batch of archived events per tick) ─► COMPLETED
//	    └─────────┴─ CancelReplay ─► CANCELLING ─► CANCELLED
//	RUNNING ─► FAILED when its archive is deleted under it
//
// A replay sends the archive's events whose time falls in [EventStartTime,
// EventEndTime), in time order, to the rules of the archive's bus (only to
// the rules in Destination.FilterArns when given), with "replay-name" in
// the event; archives never take replayed events. Unlike AWS, which
// replays a minute of events at a time, virga replays as fast as the
// targets take them. The replay's position is stored after each batch, so
// a restart carries on from there.

const (
	replayStarting   = "STARTING"
	replayRunning    = "RUNNING"
	replayCancelling = "CANCELLING"
	replayCompleted  = "COMPLETED"
	replayCancelled  = "CANCELLED"
	replayFailed     = "FAILED"
	// replayBatch bounds the events a replay sends per tick of Run.
	replayBatch = 100
)

// replayRecord is a replay as the store keeps it.
type replayRecord struct {
	Name        string    `json:"name"`
	Description string    `json:"description,omitempty"`
	Archive     string    `json:"archive"`
	Bus         string    `json:"bus"`
	FilterArns  []string  `json:"filterArns,omitempty"`
	EventStart  time.Time `json:"eventStart"`
	EventEnd    time.Time `json:"eventEnd"`
	State       string    `json:"state"`
	StateReason string    `json:"stateReason,omitempty"`
	Started     time.Time `json:"started"`
	Ended       time.Time `json:"ended,omitzero"`
	// LastReplayed is the time of the last event replayed.
	LastReplayed time.Time `json:"lastReplayed,omitzero"`
	// Cursor is the key of the last event replayed.
	Cursor []byte `json:"cursor,omitempty"`
}

// Store layout (with service.go's):
//
//	("events", "replay", NAME)   replayRecord
func replayKey(name string) []byte { return eventsKey("replay", name) }

func (s *Service) loadReplays() error {
	return s.scan(eventsKey("replay"), func(k, v []byte) error {
		var r replayRecord
		if err := json.Unmarshal(v, &r); err != nil {
			return err
		}
		s.replays[r.Name] = &r
		return nil
	})
}

func (s *Service) replayARN(name string) string {
	return "arn:aws:events:" + s.region + ":" + s.account + ":replay/" + name
}

// done reports whether a replay has stopped for good.
func (r *replayRecord) done() bool {
	return r.State == replayCompleted || r.State == replayCancelled || r.State == replayFailed
}

func (s *Service) startReplay(ctx context.Context, in *StartReplayRequest) (*StartReplayResponse, error) {
	archiveName, ok := s.archiveOfARN(*in.EventSourceArn)
	if !ok {
		return nil, ErrValidation.Withf("Parameter EventSourceArn is not valid. Reason: %s is not the ARN of an archive in this account and Region.", *in.EventSourceArn)
	}
	if !in.EventStartTime.Before(*in.EventEndTime) {
		return nil, ErrValidation.WithMessage("Parameter EventStartTime is not valid. Reason: EventStartTime must be before EventEndTime.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.replays[*in.ReplayName] != nil {
		return nil, ErrAlreadyExists.Withf("Replay %s already exists.", *in.ReplayName)
	}
	a, err := s.lookupArchive(archiveName)
	if err != nil {
		return nil, err
	}
	if *in.Destination.Arn != s.busARN(a.rec.Bus) {
		return nil, ErrValidation.WithMessage("Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.")
	}
	for _, arn := range in.Destination.FilterArns {
		busName, rule, ok := s.ruleOfARN(arn)
		if !ok || busName != a.rec.Bus {
			return nil, ErrValidation.Withf("Parameter Destination.FilterArns is not valid. Reason: %s is not the ARN of a rule on event bus %s.", arn, a.rec.Bus)
		}
		if _, _, err := s.lookupRule(busName, rule); err != nil {
			return nil, err
		}
	}
	rec := &replayRecord{Name: *in.ReplayName, Description: deref(in.Description), Archive: archiveName, Bus: a.rec.Bus,
		FilterArns: in.Destination.FilterArns, EventStart: in.EventStartTime.UTC(), EventEnd: in.EventEndTime.UTC(),
		State: replayStarting, Started: s.clock.Now().UTC()}
	if err := s.put(replayKey(rec.Name), rec); err != nil {
		return nil, err
	}
	s.replays[rec.Name] = rec
	return &StartReplayResponse{ReplayArn: ptr(s.replayARN(rec.Name)), State: ptr(rec.State), ReplayStartTime: ptr(rec.Started)}, nil
}

// ruleOfARN splits a rule ARN of this account and Region into its bus and
// rule names.
func (s *Service) ruleOfARN(arn string) (busName, name string, ok bool) {
	path, ok := strings.CutPrefix(arn, "arn:aws:events:"+s.region+":"+s.account+":rule/")
	if !ok || path == "" {
		return "", "", false
	}
	if i := strings.LastIndex(path, "/"); i >= 0 {
		return path[:i], path[i+1:], true
	}
	return defaultBus, path, true
}

// lookupReplay finds a replay; the caller holds s.mu.
func (s *Service) lookupReplay(name string) (*replayRecord, error) {
	r := s.replays[name]
	if r == nil {
		return nil, ErrNotFound.Withf("Replay %s does not exist.", name)
	}
	return r, nil
}

func (s *Service) describeReplay(ctx context.Context, in *DescribeReplayRequest) (*DescribeReplayResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.lookupReplay(*in.ReplayName)
	if err != nil {
		return nil, err
	}
	return &DescribeReplayResponse{ReplayName: ptr(r.Name), ReplayArn: ptr(s.replayARN(r.Name)), Description: optional(r.Description),
		State: ptr(r.State), StateReason: optional(r.StateReason), EventSourceArn: ptr(s.archiveARN(r.Archive)),
		Destination:    &ReplayDestination{Arn: ptr(s.busARN(r.Bus)), FilterArns: r.FilterArns},
		EventStartTime: ptr(r.EventStart), EventEndTime: ptr(r.EventEnd), EventLastReplayedTime: optionalTime(r.LastReplayed),
		ReplayStartTime: ptr(r.Started), ReplayEndTime: optionalTime(r.Ended)}, nil
}

func optionalTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func (s *Service) listReplays(ctx context.Context, in *ListReplaysRequest) (*ListReplaysResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for _, n := range sortedNames(s.replays) {
		r := s.replays[n]
		if (in.NamePrefix == nil || strings.HasPrefix(n, *in.NamePrefix)) && (in.State == nil || r.State == *in.State) &&
			(in.EventSourceArn == nil || s.archiveARN(r.Archive) == *in.EventSourceArn) {
			names = append(names, n)
		}
	}
	page, next, err := paginate(names, in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	out := &ListReplaysResponse{Replays: []Replay{}, NextToken: next}
	for _, n := range page {
		r := s.replays[n]
		out.Replays = append(out.Replays, Replay{ReplayName: ptr(n), EventSourceArn: ptr(s.archiveARN(r.Archive)), State: ptr(r.State),
			StateReason: optional(r.StateReason), EventStartTime: ptr(r.EventStart), EventEndTime: ptr(r.EventEnd),
			EventLastReplayedTime: optionalTime(r.LastReplayed), ReplayStartTime: ptr(r.Started), ReplayEndTime: optionalTime(r.Ended)})
	}
	return out, nil
}

func (s *Service) cancelReplay(ctx context.Context, in *CancelReplayRequest) (*CancelReplayResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.lookupReplay(*in.ReplayName)
	if err != nil {
		return nil, err
	}
	if r.State != replayStarting && r.State != replayRunning {
		return nil, ErrIllegalStatus.Withf("Replay %s is in state %s and cannot be cancelled.", r.Name, r.State)
	}
	if err := s.setReplay(r, func(r *replayRecord) { r.State = replayCancelling }); err != nil {
		return nil, err
	}
	return &CancelReplayResponse{ReplayArn: ptr(s.replayARN(r.Name)), State: ptr(r.State)}, nil
}

// setReplay stores a change to a replay; the caller holds s.mu.
func (s *Service) setReplay(r *replayRecord, change func(*replayRecord)) error {
	next := *r
	change(&next)
	if err := s.put(replayKey(next.Name), &next); err != nil {
		return err
	}
	*r = next
	return nil
}

// advanceReplays moves each unfinished replay one step (see the diagram
// at the top of this file).
func (s *Service) advanceReplays(ctx context.Context, log *slog.Logger) {
	s.mu.Lock()
	var running []string
	for _, name := range sortedNames(s.replays) {
		r := s.replays[name]
		var err error
		switch r.State {
		case replayStarting:
			err = s.setReplay(r, func(r *replayRecord) { r.State = replayRunning })
		case replayCancelling:
			now := s.clock.Now().UTC()
			err = s.setReplay(r, func(r *replayRecord) { r.State, r.Ended = replayCancelled, now })
		case replayRunning:
			running = append(running, name)
		}
		if err != nil {
			log.Error("events: recording a replay's state", "replay", name, "err", err)
		}
	}
	s.mu.Unlock()
	for _, name := range running {
		if err := s.replayBatch(ctx, name); err != nil {
			log.Error("events: replaying", "replay", name, "err", err)
		}
	}
}

// replayBatch sends a running replay's next events and records how far
// it got, or that it is done.
func (s *Service) replayBatch(ctx context.Context, name string) error {
	s.mu.Lock()
	r := s.replays[name]
	if r == nil || r.State != replayRunning {
		s.mu.Unlock()
		return nil
	}
	if s.archives[r.Archive] == nil {
		defer s.mu.Unlock()
		now := s.clock.Now().UTC()
		return s.setReplay(r, func(r *replayRecord) {
			r.State, r.StateReason, r.Ended = replayFailed, "Archive "+r.Archive+" was deleted.", now
		})
	}
	rec := *r
	s.mu.Unlock()

	prefix := archivedPrefix(rec.Archive)
	lower := keys.AppendInt(slices.Clone(prefix), rec.EventStart.UnixNano())
	if len(rec.Cursor) > 0 {
		lower = append(slices.Clone(rec.Cursor), 0) // just after the cursor
	}
	upper := keys.AppendInt(slices.Clone(prefix), rec.EventEnd.UnixNano())
	type archived struct {
		key []byte
		at  time.Time
		raw []byte
	}
	var batch []archived
	it, err := s.store.NewIter(lower, upper)
	if err != nil {
		return err
	}
	for it.First(); it.Valid() && len(batch) < replayBatch; it.Next() {
		at, _ := archivedTime(it.Key())
		batch = append(batch, archived{slices.Clone(it.Key()), at, slices.Clone(it.Value())})
	}
	err = it.Error()
	it.Close()
	if err != nil {
		return err
	}

	only := map[string]bool{}
	for _, arn := range rec.FilterArns {
		only[arn] = true
	}
	for _, a := range batch {
		var ev envelope
		if err := json.Unmarshal(a.raw, &ev); err != nil {
			continue // not an event: nothing to replay
		}
		ev.ReplayName = rec.Name
		s.deliverMatches(ctx, rec.Bus, &ev, ev.encode(), "", only)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if r.State != replayRunning {
		return nil // cancelled meanwhile: Run finishes it next
	}
	now := s.clock.Now().UTC()
	return s.setReplay(r, func(r *replayRecord) {
		if n := len(batch); n > 0 {
			r.Cursor, r.LastReplayed = batch[n-1].key, batch[n-1].at
		}
		if len(batch) < replayBatch {
			r.State, r.Ended = replayCompleted, now
		}
	})
}
