package xray

import (
	"context"
	"encoding/base64"
	"errors"
	"strconv"
	"time"

	"github.com/virga/virga/internal/awsproto/shape"
	"github.com/virga/virga/internal/store"
)

// maxBatchTraceIDs: BatchGetTraces' TraceIds has "Maximum number of 5
// items" (X-Ray API reference).
const maxBatchTraceIDs = 5

// summariesPage is the most trace summaries in one GetTraceSummaries
// page; AWS does not document its page size.
const summariesPage = 100

// putTraceSegments stores each valid segment document and reports the
// others in UnprocessedTraceSegments; the request itself succeeds.
func (s *Service) putTraceSegments(ctx context.Context, in *PutTraceSegmentsRequest) (*PutTraceSegmentsResult, error) {
	out := &PutTraceSegmentsResult{UnprocessedTraceSegments: []UnprocessedTraceSegment{}}
	b := s.store.NewBatch()
	defer b.Close()
	now := s.clock.Now().UTC()
	var segs []*segment
	for _, doc := range in.TraceSegmentDocuments {
		seg, id, err := parseSegment([]byte(doc))
		if err != nil {
			var ue *unprocessedError
			errors.As(err, &ue)
			u := UnprocessedTraceSegment{ErrorCode: ptr(ue.code), Message: ptr(ue.msg)}
			if id != "" {
				u.Id = ptr(id)
			}
			out.UnprocessedTraceSegments = append(out.UnprocessedTraceSegments, u)
			continue
		}
		putSegment(b, s.account, seg, []byte(doc), now)
		segs = append(segs, seg)
	}
	if b.Len() > 0 {
		if err := b.Commit(); err != nil {
			return nil, err
		}
	}
	s.export(segs)
	return out, nil
}

// batchGetTraces returns the traces asked for; ids of traces X-Ray does
// not hold are UnprocessedTraceIds.
func (s *Service) batchGetTraces(ctx context.Context, in *BatchGetTracesRequest) (*BatchGetTracesResult, error) {
	if len(in.TraceIds) > maxBatchTraceIDs {
		return nil, ErrInvalidRequest.WithMessage(shape.Message([]shape.Violation{{
			Value: "[" + strconv.Itoa(len(in.TraceIds)) + " trace ids]", Path: "traceIds",
			Constraint: "Member must have length less than or equal to " + strconv.Itoa(maxBatchTraceIDs)}}))
	}
	out := &BatchGetTracesResult{Traces: []Trace{}, UnprocessedTraceIds: []string{}}
	snap := s.store.NewSnapshot()
	defer snap.Close()
	for _, id := range in.TraceIds {
		recs, err := s.readTrace(snap, id)
		if err != nil {
			return nil, err
		}
		if len(recs) == 0 {
			out.UnprocessedTraceIds = append(out.UnprocessedTraceIds, id)
			continue
		}
		out.Traces = append(out.Traces, newTrace(id, recs).output())
	}
	return out, nil
}

// readTrace reads a trace's segments unless they are past retention.
func (s *Service) readTrace(r store.Reader, id string) ([]*segmentRecord, error) {
	if !ValidTraceID(id) {
		return nil, nil
	}
	recs, err := loadTrace(r, s.account, id)
	if err != nil || len(recs) == 0 {
		return nil, err
	}
	if s.expired(recs) {
		return nil, nil
	}
	return recs, nil
}

func (s *Service) expired(recs []*segmentRecord) bool {
	cutoff := s.clock.Now().Add(-retention)
	for _, r := range recs {
		if r.Received.After(cutoff) {
			return false
		}
	}
	return true
}

// getTraceSummaries lists the traces in a time range that match a filter
// expression, in trace id order, a page at a time. With TimeRangeType
// TraceId (the default) a trace's time is the one in its id; with Event,
// the time its entry point started.
func (s *Service) getTraceSummaries(ctx context.Context, in *GetTraceSummariesRequest) (*GetTraceSummariesResult, error) {
	start, end := *in.StartTime, *in.EndTime
	if end.Before(start) {
		return nil, invalid("Start time must be before end time")
	}
	f, err := parseFilter(deref(in.FilterExpression))
	if err != nil {
		return nil, invalid("Invalid filter expression: %s", err.Error())
	}
	after := ""
	if in.NextToken != nil {
		b, err := base64.RawURLEncoding.DecodeString(*in.NextToken)
		if err != nil || !ValidTraceID(string(b)) {
			return nil, invalid("Invalid NextToken")
		}
		after = string(b)
	}
	byEvent := in.TimeRangeType != nil && *in.TimeRangeType == "Event"
	out := &GetTraceSummariesResult{TraceSummaries: []TraceSummary{}, ApproximateTime: ptr(s.clock.Now().UTC())}
	var processed int64
	snap := s.store.NewSnapshot()
	defer snap.Close()
	errFull := errors.New("page full")
	err = eachTraceAfter(snap, s.account, after, func(id string, recs []*segmentRecord) error {
		if s.expired(recs) {
			return nil
		}
		t := newTrace(id, recs)
		facts := t.facts()
		if facts.root == nil {
			return nil
		}
		when := traceTime(id)
		if byEvent {
			when = facts.eventTime()
		}
		if when.Before(start) || when.After(end) {
			return nil
		}
		processed++
		if f != nil && !f.match(facts) {
			return nil
		}
		if len(out.TraceSummaries) == summariesPage {
			last := *out.TraceSummaries[len(out.TraceSummaries)-1].Id
			out.NextToken = ptr(base64.RawURLEncoding.EncodeToString([]byte(last)))
			return errFull
		}
		out.TraceSummaries = append(out.TraceSummaries, t.summary(facts))
		return nil
	})
	if err != nil && !errors.Is(err, errFull) {
		return nil, err
	}
	out.TracesProcessedCount = ptr(processed)
	return out, nil
}

// getTraceGraph is the service graph of the given traces.
func (s *Service) getTraceGraph(ctx context.Context, in *GetTraceGraphRequest) (*GetTraceGraphResult, error) {
	g := newGraph()
	snap := s.store.NewSnapshot()
	defer snap.Close()
	for _, id := range in.TraceIds {
		recs, err := s.readTrace(snap, id)
		if err != nil {
			return nil, err
		}
		if len(recs) > 0 {
			g.add(newTrace(id, recs))
		}
	}
	return &GetTraceGraphResult{Services: g.services(s.account)}, nil
}

// getServiceGraph is the service graph of the traces whose segments fall
// in the time range, and that match the group's filter expression when a
// group is named.
func (s *Service) getServiceGraph(ctx context.Context, in *GetServiceGraphRequest) (*GetServiceGraphResult, error) {
	start, end := *in.StartTime, *in.EndTime
	if end.Before(start) {
		return nil, invalid("Start time must be before end time")
	}
	var f filter
	if in.GroupName != nil || in.GroupARN != nil {
		g, err := s.findGroup(in.GroupName, in.GroupARN)
		if err != nil {
			return nil, err
		}
		if f, err = parseFilter(g.FilterExpression); err != nil {
			return nil, invalid("Invalid filter expression: %s", err.Error())
		}
	}
	g := newGraph()
	snap := s.store.NewSnapshot()
	defer snap.Close()
	err := eachTrace(snap, s.account, func(id string, recs []*segmentRecord) error {
		if s.expired(recs) {
			return nil
		}
		t := newTrace(id, recs)
		facts := t.facts()
		if facts.root == nil {
			return nil
		}
		if when := facts.eventTime(); when.Before(start.Add(-time.Second)) || when.After(end) {
			return nil
		}
		if f != nil && !f.match(facts) {
			return nil
		}
		g.add(t)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &GetServiceGraphResult{StartTime: ptr(start.UTC()), EndTime: ptr(end.UTC()), Services: g.services(s.account),
		ContainsOldGroupVersions: ptr(false)}, nil
}

// putTelemetryRecords accepts the daemon's telemetry; virga keeps none.
func (s *Service) putTelemetryRecords(ctx context.Context, in *PutTelemetryRecordsRequest) (*PutTelemetryRecordsResult, error) {
	return &PutTelemetryRecordsResult{}, nil
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
