package logs

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/store/keys"
)

// Limits of PutLogEvents, from CloudWatch Logs' quotas.
const (
	maxBatchBytes  = 1048576 // "The maximum batch size is 1,048,576 bytes."
	eventOverhead  = 26      // bytes counted per event beside its message
	maxEventBytes  = 1048576 // a single event's message (1 MB since April 2025)
	maxPastAge     = 14 * 24 * time.Hour
	maxFutureSkew  = 2 * time.Hour
	maxBatchSpan   = 24 * time.Hour
	defaultLimit   = 10000
	maxStreamsList = 50
)

func (s *Service) createLogStream(ctx context.Context, in *CreateLogStreamRequest) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, st := *in.LogGroupName, *in.LogStreamName
	if _, err := s.group(g); err != nil {
		return nil, err
	}
	cur, err := getJSON[stream](s.store, streamKey(g, st))
	if err != nil {
		return nil, err
	}
	if cur != nil {
		return nil, ErrResourceAlreadyExists.WithMessage("The specified log stream already exists")
	}
	b := s.store.NewBatch()
	defer b.Close()
	if err := setJSON(b, streamKey(g, st), &stream{Name: st, Created: s.clock.Now().UnixMilli()}); err != nil {
		return nil, err
	}
	return &noOutput{}, b.Commit()
}

func (s *Service) deleteLogStream(ctx context.Context, in *DeleteLogStreamRequest) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, st := *in.LogGroupName, *in.LogStreamName
	if _, err := s.group(g); err != nil {
		return nil, err
	}
	cur, err := getJSON[stream](s.store, streamKey(g, st))
	if err != nil {
		return nil, err
	}
	if cur == nil {
		return nil, streamNotFound()
	}
	b := s.store.NewBatch()
	defer b.Close()
	b.Delete(streamKey(g, st))
	p := eventsPrefix(g, st)
	b.DeleteRange(p, keys.PrefixEnd(p))
	// The group's time index keeps entries of the deleted stream; readers
	// skip entries whose event is gone.
	return &noOutput{}, b.Commit()
}

// streams returns a group's streams in name order.
func (s *Service) streams(g string) ([]stream, error) {
	p := streamsPrefix(g)
	it, err := s.store.NewIter(p, keys.PrefixEnd(p))
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var out []stream
	for ok := it.First(); ok; ok = it.Next() {
		var st stream
		if err := json.Unmarshal(it.Value(), &st); err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, it.Error()
}

func (s *Service) describeLogStreams(ctx context.Context, in *DescribeLogStreamsRequest) (*DescribeLogStreamsResponse, error) {
	g, err := s.logGroupOf(in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	if _, err := s.group(g); err != nil {
		return nil, err
	}
	all, err := s.streams(g)
	if err != nil {
		return nil, err
	}
	byTime := deref(in.OrderBy) == "LastEventTime"
	if byTime && in.LogStreamNamePrefix != nil {
		return nil, ErrInvalidParameter.WithMessage("Cannot order by LastEventTime with a logStreamNamePrefix.")
	}
	if byTime {
		sortStable(all, func(a, b stream) bool { return a.LastEvent < b.LastEvent })
	}
	if deref(in.Descending) {
		for i, j := 0, len(all)-1; i < j; i, j = i+1, j-1 {
			all[i], all[j] = all[j], all[i]
		}
	}
	start, err := offsetToken(in.NextToken, len(all))
	if err != nil {
		return nil, err
	}
	limit := maxStreamsList
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	out := &DescribeLogStreamsResponse{LogStreams: []LogStream{}}
	i := start
	for ; i < len(all) && len(out.LogStreams) < limit; i++ {
		st := all[i]
		if !strings.HasPrefix(st.Name, deref(in.LogStreamNamePrefix)) {
			continue
		}
		// A stream's storedBytes has been reported as zero since June
		// 2019; only the group's counts (DescribeLogGroups).
		ls := LogStream{
			LogStreamName: ptr(st.Name), CreationTime: ptr(st.Created), StoredBytes: ptr(int64(0)),
			Arn: ptr(s.groupARN(g) + ":log-stream:" + st.Name),
		}
		if st.FirstEvent != 0 {
			ls.FirstEventTimestamp, ls.LastEventTimestamp, ls.LastIngestionTime = ptr(st.FirstEvent), ptr(st.LastEvent), ptr(st.LastIngestion)
		}
		if st.Upload != 0 {
			ls.UploadSequenceToken = ptr(sequenceToken(st.Upload))
		}
		out.LogStreams = append(out.LogStreams, ls)
	}
	if i < len(all) {
		out.NextToken = ptr(strconv.Itoa(i))
	}
	return out, nil
}

func sortStable(ss []stream, less func(a, b stream) bool) {
	for i := 1; i < len(ss); i++ {
		for j := i; j > 0 && less(ss[j], ss[j-1]); j-- {
			ss[j], ss[j-1] = ss[j-1], ss[j]
		}
	}
}

func (s *Service) putLogEvents(ctx context.Context, in *PutLogEventsRequest) (*PutLogEventsResponse, error) {
	g, st := *in.LogGroupName, *in.LogStreamName
	size := 0
	for i, e := range in.LogEvents {
		size += len(*e.Message) + eventOverhead
		if len(*e.Message) > maxEventBytes {
			return nil, ErrInvalidParameter.Withf("Log event too large: %d bytes exceeds limit of %d", len(*e.Message), maxEventBytes)
		}
		if i > 0 && *e.Timestamp < *in.LogEvents[i-1].Timestamp {
			return nil, ErrInvalidParameter.WithMessage("Log events in a single PutLogEvents request must be in chronological order.")
		}
	}
	if size > maxBatchBytes {
		return nil, ErrInvalidParameter.WithMessage("Upload too large: " + strconv.Itoa(size) + " bytes exceeds limit of " + strconv.Itoa(maxBatchBytes))
	}
	// The 24-hour span counts only the events that can be stored (within
	// 14 days in the past and 2 hours in the future); the others are
	// rejected one by one in rejectedLogEventsInfo.
	now := s.clock.Now()
	oldest, newest := now.Add(-maxPastAge).UnixMilli(), now.Add(maxFutureSkew).UnixMilli()
	first, last := int64(-1), int64(-1)
	for _, e := range in.LogEvents {
		if ts := *e.Timestamp; ts >= oldest && ts <= newest {
			if first < 0 {
				first = ts
			}
			last = ts
		}
	}
	if first >= 0 && time.Duration(last-first)*time.Millisecond > maxBatchSpan {
		return nil, ErrInvalidParameter.WithMessage("The batch of log events in a single PutLogEvents request cannot span more than 24 hours.")
	}
	events := make([]Event, 0, len(in.LogEvents))
	for _, e := range in.LogEvents {
		events = append(events, Event{Timestamp: *e.Timestamp, Message: *e.Message})
	}
	rejected, upload, err := s.append(g, st, events, false)
	if err != nil {
		return nil, err
	}
	if c := awsproto.CallFrom(ctx); c != nil && s.metrics != nil && strings.EqualFold(c.Request.Header.Get(emfFormatHeader), emfFormat) {
		// The CloudWatch agent's way to have the embedded metric format
		// extracted from what it sends.
		var accepted []Event
		for _, e := range events {
			if e.Timestamp >= oldest && e.Timestamp <= newest {
				accepted = append(accepted, e)
			}
		}
		if ps := embeddedMetrics(accepted); len(ps) > 0 {
			s.metrics.PutFilterMetrics(ps)
		}
	}
	out := &PutLogEventsResponse{NextSequenceToken: ptr(sequenceToken(upload))}
	if rejected != nil {
		out.RejectedLogEventsInfo = rejected
	}
	return out, nil
}

// Event is one log event to append.
type Event struct {
	Timestamp int64 // epoch ms
	Message   string
}

// Append stores events in a stream, in one batch. With create, a missing
// group and stream are created, as Lambda's log writer does, and the batch
// does not wait for its sync: a function's output acknowledges nothing to
// anyone, and waiting would hold s.mu, and every function's log writer,
// through an fsync. Without create (PutLogEvents) the group and stream must
// exist and the batch is synced before the call answers. Events too old, too new or past the group's
// retention are rejected as PutLogEvents rejects them.
//
// The group's metric filters then publish their datapoints for the
// events stored, after s.mu is released.
func (s *Service) Append(g, st string, events []Event, create bool) (*RejectedLogEventsInfo, error) {
	rejected, _, err := s.append(g, st, events, create)
	return rejected, err
}

// append is Append that also returns the upload's sequence number (see
// stream.Upload).
func (s *Service) append(g, st string, events []Event, create bool) (*RejectedLogEventsInfo, uint64, error) {
	s.mu.Lock()
	mfs := s.mfs[g]
	var stored []Event
	if len(mfs) > 0 && s.metrics != nil {
		stored = make([]Event, 0, len(events))
	}
	rejected, upload, err := s.appendLocked(g, st, events, create, &stored)
	s.mu.Unlock()
	if err == nil && len(stored) > 0 {
		if ps := filterMetrics(mfs, stored); len(ps) > 0 {
			s.metrics.PutFilterMetrics(ps)
		}
	}
	return rejected, upload, err
}

// appendLocked is append under s.mu; it appends the events it stores to
// *stored when stored is not nil.
func (s *Service) appendLocked(g, st string, events []Event, create bool, stored *[]Event) (*RejectedLogEventsInfo, uint64, error) {
	grp, err := getJSON[group](s.store, groupKey(g))
	if err != nil {
		return nil, 0, err
	}
	if grp == nil {
		if !create {
			return nil, 0, groupNotFound()
		}
		if grp, err = s.ensureGroup(g, true, nil, ""); err != nil {
			return nil, 0, err
		}
	}
	meta, err := getJSON[stream](s.store, streamKey(g, st))
	if err != nil {
		return nil, 0, err
	}
	now := s.clock.Now()
	if meta == nil {
		if !create {
			return nil, 0, streamNotFound()
		}
		meta = &stream{Name: st, Created: now.UnixMilli()}
	}
	nowMs := now.UnixMilli()
	// Events past 14 days are too old; younger ones that precede the
	// group's retention period are expired. Both are reported by the
	// end (exclusive) of their run at the batch's start.
	oldest := now.Add(-maxPastAge).UnixMilli()
	expiry := oldest
	if grp.RetentionDays > 0 {
		if r := now.AddDate(0, 0, -int(grp.RetentionDays)).UnixMilli(); r > expiry {
			expiry = r
		}
	}
	newest := now.Add(maxFutureSkew).UnixMilli()
	var rejected *RejectedLogEventsInfo
	b := s.store.NewBatch()
	defer b.Close()
	seq := s.nextSeq(b, len(events))
	for i, e := range events {
		switch {
		case e.Timestamp < oldest:
			if rejected == nil {
				rejected = &RejectedLogEventsInfo{}
			}
			rejected.TooOldLogEventEndIndex = ptr(int32(i + 1))
			continue
		case e.Timestamp < expiry:
			if rejected == nil {
				rejected = &RejectedLogEventsInfo{}
			}
			rejected.ExpiredLogEventEndIndex = ptr(int32(i + 1))
			continue
		case e.Timestamp > newest:
			if rejected == nil {
				rejected = &RejectedLogEventsInfo{}
			}
			if rejected.TooNewLogEventStartIndex == nil {
				rejected.TooNewLogEventStartIndex = ptr(int32(i))
			}
			continue
		}
		n := seq + uint64(i)
		if *stored != nil {
			*stored = append(*stored, e)
		}
		if err := setJSON(b, eventKey(g, st, e.Timestamp, n), &event{Message: e.Message, Ingestion: nowMs}); err != nil {
			return nil, 0, err
		}
		b.Set(timeKey(g, e.Timestamp, st, n), nil)
		if err := s.markPending(b, g, st, e.Timestamp, n, e.Message); err != nil {
			return nil, 0, err
		}
		if meta.FirstEvent == 0 || e.Timestamp < meta.FirstEvent {
			meta.FirstEvent = e.Timestamp
		}
		if e.Timestamp > meta.LastEvent {
			meta.LastEvent = e.Timestamp
		}
		meta.StoredBytes += int64(len(e.Message) + eventOverhead)
	}
	meta.LastIngestion = nowMs
	if len(events) > 0 {
		meta.Upload = seq + uint64(len(events)) - 1
	}
	if err := setJSON(b, streamKey(g, st), meta); err != nil {
		return nil, 0, err
	}
	if create {
		err = b.CommitNoWait()
	} else {
		err = b.Commit()
	}
	if err == nil && len(s.subs.filters[g]) > 0 {
		s.subs.nudge()
	}
	return rejected, meta.Upload, err
}

// position is a place in a stream's events: the key after which (or
// before which) reading goes on.
func encodeToken(dir byte, key []byte) string {
	return string(dir) + "/" + base64.RawURLEncoding.EncodeToString(key)
}

func decodeToken(tok string) (dir byte, key []byte, err error) {
	if len(tok) < 2 || tok[1] != '/' || (tok[0] != 'f' && tok[0] != 'b') {
		return 0, nil, fmt.Errorf("bad token")
	}
	key, err = base64.RawURLEncoding.DecodeString(tok[2:])
	return tok[0], key, err
}

func (s *Service) getLogEvents(ctx context.Context, in *GetLogEventsRequest) (*GetLogEventsResponse, error) {
	g, err := s.logGroupOf(in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	st := *in.LogStreamName
	if _, err := s.group(g); err != nil {
		return nil, err
	}
	if meta, err := getJSON[stream](s.store, streamKey(g, st)); err != nil || meta == nil {
		if err != nil {
			return nil, err
		}
		return nil, streamNotFound()
	}
	p := eventsPrefix(g, st)
	lower, upper := p, keys.PrefixEnd(p)
	if in.StartTime != nil {
		lower = keys.AppendInt(append([]byte(nil), p...), *in.StartTime)
	}
	if in.EndTime != nil {
		upper = keys.AppendInt(append([]byte(nil), p...), *in.EndTime)
	}
	limit := defaultLimit
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	forward := deref(in.StartFromHead)
	var pos []byte
	if in.NextToken != nil {
		dir, key, err := decodeToken(*in.NextToken)
		if err != nil {
			return nil, ErrInvalidParameter.WithMessage("The specified nextToken is invalid.")
		}
		forward, pos = dir == 'f', key
	}
	snap := s.store.NewSnapshot()
	defer snap.Close()
	it, err := snap.NewIter(lower, upper)
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var evs []OutputLogEvent
	var firstKey, lastKey []byte
	if forward {
		ok := it.First()
		if pos != nil {
			ok = it.SeekGE(pos)
			if ok && string(it.Key()) == string(pos) {
				ok = it.Next()
			}
		}
		for ; ok && len(evs) < limit; ok = it.Next() {
			evs = append(evs, outputEvent(it.Key(), it.Value()))
			if firstKey == nil {
				firstKey = append([]byte(nil), it.Key()...)
			}
			lastKey = append(lastKey[:0], it.Key()...)
		}
	} else {
		ok := it.Last()
		if pos != nil {
			ok = it.SeekLT(pos)
		}
		for ; ok && len(evs) < limit; ok = it.Prev() {
			evs = append(evs, outputEvent(it.Key(), it.Value()))
			if lastKey == nil {
				lastKey = append([]byte(nil), it.Key()...)
			}
			firstKey = append(firstKey[:0], it.Key()...)
		}
		for i, j := 0, len(evs)-1; i < j; i, j = i+1, j-1 {
			evs[i], evs[j] = evs[j], evs[i]
		}
	}
	if err := it.Error(); err != nil {
		return nil, err
	}
	out := &GetLogEventsResponse{Events: evs}
	if out.Events == nil {
		out.Events = []OutputLogEvent{}
	}
	// With nothing new, the tokens stay where they were, which is how
	// clients know they have reached the end.
	switch {
	case lastKey != nil:
		out.NextForwardToken = ptr(encodeToken('f', lastKey))
		out.NextBackwardToken = ptr(encodeToken('b', firstKey))
	case pos != nil:
		out.NextForwardToken = ptr(encodeToken('f', pos))
		out.NextBackwardToken = ptr(encodeToken('b', pos))
	default:
		out.NextForwardToken = ptr(encodeToken('f', lower))
		out.NextBackwardToken = ptr(encodeToken('b', upperOrLower(upper, lower)))
	}
	return out, nil
}

func upperOrLower(upper, lower []byte) []byte {
	if upper != nil {
		return upper
	}
	return lower
}

// eventTimestamp reads the timestamp out of an event key (the
// next-to-last element).
func eventTimestamp(key []byte) int64 {
	vals, err := keys.Decode(key)
	if err != nil || len(vals) < 2 {
		return 0
	}
	ts, _ := vals[len(vals)-2].(int64)
	return ts
}

func outputEvent(key, value []byte) OutputLogEvent {
	var e event
	json.Unmarshal(value, &e)
	return OutputLogEvent{Timestamp: ptr(eventTimestamp(key)), Message: ptr(e.Message), IngestionTime: ptr(e.Ingestion)}
}

func (s *Service) filterLogEvents(ctx context.Context, in *FilterLogEventsRequest) (*FilterLogEventsResponse, error) {
	g, err := s.logGroupOf(in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	if _, err := s.group(g); err != nil {
		return nil, err
	}
	if in.LogStreamNames != nil && in.LogStreamNamePrefix != nil {
		return nil, ErrInvalidParameter.WithMessage("logStreamNames and logStreamNamePrefix are mutually exclusive")
	}
	pat, err := ParseFilterPattern(deref(in.FilterPattern))
	if err != nil {
		return nil, ErrInvalidParameter.WithMessage("Invalid filter pattern")
	}
	wanted := map[string]bool{}
	for _, n := range in.LogStreamNames {
		wanted[n] = true
	}
	p := timePrefix(g)
	lower, upper := p, keys.PrefixEnd(p)
	if in.StartTime != nil {
		lower = keys.AppendInt(append([]byte(nil), p...), *in.StartTime)
	}
	if in.EndTime != nil {
		upper = keys.AppendInt(append([]byte(nil), p...), *in.EndTime+1)
	}
	if in.NextToken != nil {
		_, key, err := decodeToken(*in.NextToken)
		if err != nil {
			return nil, ErrInvalidParameter.WithMessage("The specified nextToken is invalid.")
		}
		lower = append(key, 0)
	}
	limit := defaultLimit
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	snap := s.store.NewSnapshot()
	defer snap.Close()
	it, err := snap.NewIter(lower, upper)
	if err != nil {
		return nil, err
	}
	defer it.Close()
	// searchedLogStreams has been an empty list since May 2020.
	out := &FilterLogEventsResponse{Events: []FilteredLogEvent{}, SearchedLogStreams: []SearchedLogStream{}}
	var lastReturned []byte
	for ok := it.First(); ok; ok = it.Next() {
		vals, err := keys.Decode(it.Key())
		if err != nil || len(vals) < 6 {
			continue
		}
		ts, _ := vals[3].(int64)
		st, _ := vals[4].(string)
		seq, _ := vals[5].(uint64)
		if (len(wanted) > 0 && !wanted[st]) || !strings.HasPrefix(st, deref(in.LogStreamNamePrefix)) {
			continue
		}
		e, err := getJSON[event](snap, eventKey(g, st, ts, seq))
		if err != nil {
			return nil, err
		}
		if e == nil || !pat.Match(e.Message) {
			continue // a deleted stream's leftover, or filtered out
		}
		if len(out.Events) == limit {
			// Another match exists: say where to go on.
			out.NextToken = ptr(encodeToken('f', lastReturned))
			break
		}
		out.Events = append(out.Events, FilteredLogEvent{
			LogStreamName: ptr(st), Timestamp: ptr(ts), Message: ptr(e.Message), IngestionTime: ptr(e.Ingestion),
			EventId: ptr(fmt.Sprintf("%056d", seq)),
		})
		lastReturned = append(lastReturned[:0], it.Key()...)
	}
	return out, it.Error()
}

// ApplyRetention deletes events older than their group's retention.
func (s *Service) ApplyRetention() error {
	p := base("group")
	it, err := s.store.NewIter(p, keys.PrefixEnd(p))
	if err != nil {
		return err
	}
	var groups []group
	for ok := it.First(); ok; ok = it.Next() {
		var g group
		if json.Unmarshal(it.Value(), &g) == nil && g.RetentionDays > 0 {
			groups = append(groups, g)
		}
	}
	if err := it.Close(); err != nil {
		return err
	}
	now := s.clock.Now()
	for _, g := range groups {
		cutoff := now.AddDate(0, 0, -int(g.RetentionDays)).UnixMilli()
		streams, err := s.streams(g.Name)
		if err != nil {
			return err
		}
		b := s.store.NewBatch()
		for _, st := range streams {
			ep := eventsPrefix(g.Name, st.Name)
			b.DeleteRange(ep, keys.AppendInt(append([]byte(nil), ep...), cutoff))
		}
		tp := timePrefix(g.Name)
		b.DeleteRange(tp, keys.AppendInt(append([]byte(nil), tp...), cutoff))
		err = b.Commit()
		b.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// offsetToken is where a listing of n entries resumes: at 0 without a
// token, else at the offset the token holds, one virga handed out.
func offsetToken(token *string, n int) (int, error) {
	if token == nil {
		return 0, nil
	}
	i, err := strconv.Atoi(*token)
	if err != nil || i < 0 || i > n {
		return 0, ErrInvalidParameter.WithMessage("The specified nextToken is invalid.")
	}
	return i, nil
}

// PutTargetEvent stores one event that another service (an EventBridge
// rule) sends to a log group: the group must exist
// (ResourceNotFoundException otherwise), and the stream is created when
// it does not. A zero Timestamp is now; an empty stream name is the
// day's date.
func (s *Service) PutTargetEvent(g, st string, e Event) error {
	if e.Timestamp == 0 {
		e.Timestamp = s.clock.Now().UnixMilli()
	}
	if st == "" {
		st = time.UnixMilli(e.Timestamp).UTC().Format("2006-01-02")
	}
	s.mu.Lock()
	grp, err := getJSON[group](s.store, groupKey(g))
	s.mu.Unlock()
	if err != nil {
		return err
	}
	if grp == nil {
		return groupNotFound()
	}
	rejected, err := s.Append(g, st, []Event{e}, true)
	if err != nil {
		return err
	}
	if rejected != nil {
		return ErrInvalidParameter.WithMessage("The log event is outside the time range the log group accepts.")
	}
	return nil
}
