package logs

import (
	"context"
	"encoding/base64"
	"errors"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/ids"
	"github.com/virga/virga/internal/logs/insights"
	"github.com/virga/virga/internal/store/keys"
)

// Logs Insights' limits, from StartQuery's documentation and CloudWatch
// Logs' quotas.
const (
	maxConcurrentQueries = 30               // "up to 30 concurrent CloudWatch Logs insights queries"
	queryTimeout         = 60 * time.Minute // "Queries time out after 60 minutes of runtime."
	maxQueryGroups       = 50               // "You can include up to 50 log groups."
	defaultQueryLimit    = 1000             // StartQuery's limit: "The default is 1000."
	queryRetention       = 7 * 24 * time.Hour
	maxDescribeQueries   = 1000
)

// ErrMalformedQuery is a query that does not compile.
var ErrMalformedQuery = apierr.New("MalformedQueryException", 400, "")

// queryTable holds Logs Insights queries and their results in memory:
// AWS keeps results for 7 days, virga until it stops. Its zero value is
// ready; mu guards the map and every query's mutable fields.
type queryTable struct {
	mu      sync.Mutex
	ids     *ids.Generator
	queries map[string]*query
	// stopped is set by stopQueries: no query starts after it.
	stopped bool
	// running counts the runQuery goroutines, which stopQueries waits for.
	running sync.WaitGroup
}

type query struct {
	id, text string
	groups   []string
	created  time.Time
	cancel   context.CancelFunc

	status  string
	results [][]ResultField
	stats   QueryStatistics
}

func (s *Service) startQuery(ctx context.Context, in *StartQueryRequest) (*StartQueryResponse, error) {
	var groups []string
	given := 0
	if in.LogGroupName != nil {
		given++
		groups = append(groups, *in.LogGroupName)
	}
	if in.LogGroupNames != nil {
		given++
		groups = append(groups, in.LogGroupNames...)
	}
	if in.LogGroupIdentifiers != nil {
		given++
		for _, id := range in.LogGroupIdentifiers {
			if g, err := s.groupFromARN(id); err == nil {
				id = g
			}
			groups = append(groups, id)
		}
	}
	if given != 1 || len(groups) == 0 {
		return nil, ErrInvalidParameter.WithMessage("A StartQuery operation must include exactly one of the following parameters: logGroupName, logGroupNames or logGroupIdentifiers.")
	}
	if len(groups) > maxQueryGroups {
		return nil, ErrInvalidParameter.Withf("You can include up to %d log groups.", maxQueryGroups)
	}
	if *in.EndTime < *in.StartTime {
		return nil, ErrInvalidParameter.WithMessage("endTime cannot be before startTime.")
	}
	for _, g := range groups {
		if _, err := s.group(g); err != nil {
			return nil, err
		}
	}
	parsed, err := insights.Parse(*in.QueryString)
	if err != nil {
		return nil, malformed(err)
	}
	limit := defaultQueryLimit
	if in.Limit != nil {
		limit = int(*in.Limit)
	}

	t := &s.queries
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopped {
		return nil, ErrServiceUnavailable
	}
	if t.queries == nil {
		t.queries, t.ids = map[string]*query{}, ids.New(nil)
	}
	now := s.clock.Now()
	running := 0
	for id, q := range t.queries {
		switch {
		case q.status == "Scheduled" || q.status == "Running":
			running++
		case now.Sub(q.created) > queryRetention:
			delete(t.queries, id)
		}
	}
	if running >= maxConcurrentQueries {
		return nil, ErrLimitExceeded.Withf("Account has reached the maximum number of concurrent queries (%d).", maxConcurrentQueries)
	}
	qctx, cancel := context.WithTimeout(context.Background(), queryTimeout)
	q := &query{id: t.ids.UUID(), text: *in.QueryString, groups: groups, created: now, cancel: cancel, status: "Running"}
	t.queries[q.id] = q
	t.running.Add(1)
	go func() {
		defer t.running.Done()
		s.runQuery(qctx, q, parsed, *in.StartTime, *in.EndTime, limit)
	}()
	return &StartQueryResponse{QueryId: ptr(q.id)}, nil
}

// stopQueries cancels the queries still running and waits for them to
// stop reading the store; StartQuery fails from then on. Run calls it as
// it returns, since the store is closed after Run returns.
func (s *Service) stopQueries() {
	t := &s.queries
	t.mu.Lock()
	t.stopped = true
	for _, q := range t.queries {
		q.cancel()
	}
	t.mu.Unlock()
	t.running.Wait()
}

// runQuery scans the groups' time index over [start, end] (seconds,
// both inclusive) and records the outcome in q.
func (s *Service) runQuery(ctx context.Context, q *query, parsed *insights.Query, start, end int64, limit int) {
	defer q.cancel()
	ex := parsed.Start(limit)
	var scanned, bytes int64
	err := func() error {
		snap := s.store.NewSnapshot()
		defer snap.Close()
		for _, g := range q.groups {
			p := timePrefix(g)
			lower := keys.AppendInt(append([]byte(nil), p...), start*1000)
			upper := keys.AppendInt(append([]byte(nil), p...), end*1000+1000)
			it, err := snap.NewIter(lower, upper)
			if err != nil {
				return err
			}
			for ok := it.First(); ok; ok = it.Next() {
				if err := ctx.Err(); err != nil {
					it.Close()
					return err
				}
				vals, err := keys.Decode(it.Key())
				if err != nil || len(vals) < 6 {
					continue
				}
				ts, _ := vals[3].(int64)
				st, _ := vals[4].(string)
				seq, _ := vals[5].(uint64)
				e, err := getJSON[event](snap, eventKey(g, st, ts, seq))
				if err != nil {
					it.Close()
					return err
				}
				if e == nil {
					continue // a deleted stream's leftover
				}
				scanned++
				bytes += int64(len(e.Message))
				ex.Add(&insights.Record{
					Timestamp: ts, Ingestion: e.Ingestion, Message: e.Message, Stream: st,
					Log: s.account + ":" + g, Ptr: encodePtr(g, st, ts, seq),
				})
			}
			if err := it.Close(); err != nil {
				return err
			}
		}
		return nil
	}()
	var rows [][]insights.Field
	if err == nil {
		rows = ex.Finish()
	}
	t := &s.queries
	t.mu.Lock()
	defer t.mu.Unlock()
	if q.status == "Cancelled" {
		return
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		q.status = "Timeout"
	case err != nil:
		q.status = "Failed"
	default:
		q.status = "Complete"
	}
	q.results = make([][]ResultField, 0, len(rows))
	for _, r := range rows {
		fs := make([]ResultField, 0, len(r))
		for _, f := range r {
			fs = append(fs, ResultField{Field: ptr(f.Name), Value: ptr(f.Value)})
		}
		q.results = append(q.results, fs)
	}
	q.stats = QueryStatistics{
		RecordsMatched: ptr(float64(ex.Matched())), RecordsScanned: ptr(float64(scanned)), BytesScanned: ptr(float64(bytes)),
	}
}

// compileError is the error StartQuery gives a query that does not
// compile, or nil.
func compileError(text string) error {
	if _, err := insights.Parse(text); err != nil {
		return malformed(err)
	}
	return nil
}

// malformed turns a parse error into MalformedQueryException with
// queryCompileError's offsets.
func malformed(err error) error {
	var ce *insights.Error
	if !errors.As(err, &ce) {
		return err
	}
	return ErrMalformedQuery.WithMessage(ce.Message).WithDetails(&struct {
		QueryCompileError *QueryCompileError `aws:"name=queryCompileError"`
	}{&QueryCompileError{
		Message:  ptr(ce.Message),
		Location: &QueryCompileErrorLocation{StartCharOffset: ptr(int32(ce.Start)), EndCharOffset: ptr(int32(ce.End))},
	}})
}

func queryNotFound() error {
	return ErrResourceNotFound.WithMessage("The specified query does not exist.")
}

func (s *Service) getQueryResults(ctx context.Context, in *GetQueryResultsRequest) (*GetQueryResultsResponse, error) {
	t := &s.queries
	t.mu.Lock()
	defer t.mu.Unlock()
	q := t.queries[*in.QueryId]
	if q == nil {
		return nil, queryNotFound()
	}
	out := &GetQueryResultsResponse{Status: ptr(QueryStatus(q.status)), Results: q.results, Statistics: &q.stats}
	if out.Results == nil {
		out.Results = [][]ResultField{}
	}
	if q.stats.RecordsMatched == nil {
		out.Statistics = &QueryStatistics{RecordsMatched: ptr(0.0), RecordsScanned: ptr(0.0), BytesScanned: ptr(0.0)}
	}
	return out, nil
}

func (s *Service) stopQuery(ctx context.Context, in *StopQueryRequest) (*StopQueryResponse, error) {
	t := &s.queries
	t.mu.Lock()
	defer t.mu.Unlock()
	q := t.queries[*in.QueryId]
	if q == nil {
		return nil, queryNotFound()
	}
	if q.status != "Scheduled" && q.status != "Running" {
		// Only a query still running can be stopped.
		return &StopQueryResponse{Success: ptr(false)}, nil
	}
	q.status = "Cancelled"
	q.cancel()
	return &StopQueryResponse{Success: ptr(true)}, nil
}

func (s *Service) describeQueries(ctx context.Context, in *DescribeQueriesRequest) (*DescribeQueriesResponse, error) {
	t := &s.queries
	t.mu.Lock()
	var list []*query
	for _, q := range t.queries {
		if in.Status != nil && q.status != string(*in.Status) {
			continue
		}
		if in.LogGroupName != nil && q.groups[0] != *in.LogGroupName {
			continue
		}
		list = append(list, q)
	}
	infos := make([]QueryInfo, 0, len(list))
	sort.Slice(list, func(i, j int) bool {
		if !list[i].created.Equal(list[j].created) {
			return list[i].created.After(list[j].created)
		}
		return list[i].id < list[j].id
	})
	for _, q := range list {
		infos = append(infos, QueryInfo{
			QueryId: ptr(q.id), QueryString: ptr(q.text), Status: ptr(QueryStatus(q.status)),
			CreateTime: ptr(q.created.UnixMilli()), LogGroupName: ptr(q.groups[0]),
		})
	}
	t.mu.Unlock()
	start, err := offsetToken(in.NextToken, len(infos))
	if err != nil {
		return nil, err
	}
	limit := maxDescribeQueries
	if in.MaxResults != nil {
		limit = int(*in.MaxResults)
	}
	out := &DescribeQueriesResponse{Queries: infos[start:]}
	if len(out.Queries) > limit {
		out.Queries = out.Queries[:limit]
		out.NextToken = ptr(strconv.Itoa(start + limit))
	}
	return out, nil
}

// encodePtr makes an event's @ptr: its place in the store, which
// GetLogRecord reads back.
func encodePtr(g, st string, ts int64, seq uint64) string {
	return base64.RawURLEncoding.EncodeToString(eventKey(g, st, ts, seq))
}

func (s *Service) getLogRecord(ctx context.Context, in *GetLogRecordRequest) (*GetLogRecordResponse, error) {
	bad := ErrInvalidParameter.WithMessage("The specified logRecordPointer is invalid.")
	key, err := base64.RawURLEncoding.DecodeString(*in.LogRecordPointer)
	if err != nil {
		return nil, bad
	}
	vals, err := keys.Decode(key)
	if err != nil || len(vals) != 6 || vals[0] != "logs" || vals[1] != "event" {
		return nil, bad
	}
	g, _ := vals[2].(string)
	st, _ := vals[3].(string)
	ts, _ := vals[4].(int64)
	seq, _ := vals[5].(uint64)
	e, err := getJSON[event](s.store, eventKey(g, st, ts, seq))
	if err != nil {
		return nil, err
	}
	if e == nil {
		return nil, ErrResourceNotFound.WithMessage("The specified log record does not exist.")
	}
	rec := map[string]string{
		"@timestamp": strconv.FormatInt(ts, 10), "@ingestionTime": strconv.FormatInt(e.Ingestion, 10),
		"@message": e.Message, "@logStream": st, "@log": s.account + ":" + g,
	}
	for k, v := range insights.Discover(e.Message) {
		rec[k] = v.String()
	}
	return &GetLogRecordResponse{LogRecord: rec}, nil
}
