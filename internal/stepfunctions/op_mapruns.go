package stepfunctions

import (
	"context"
	"sort"

	"github.com/virga/virga/internal/stepfunctions/asl"
)

// mapRunNotFound is ResourceNotFound for a Map Run (virga's wording).
func mapRunNotFound(arn string) error {
	return ErrResourceNotFound.WithMessage("Map Run Does Not Exist: '" + arn + "'")
}

// loadMapRun returns the Map Run arn names.
func (s *Service) loadMapRun(arn string) (*mapRun, error) {
	machine, id, ok := mapRunName(arn)
	if !ok {
		return nil, invalidARN(arn)
	}
	m, err := getJSON[mapRun](s.store, mapRunKey(machine, id))
	if err != nil {
		return nil, err
	}
	if m == nil || m.ARN != arn {
		return nil, mapRunNotFound(arn)
	}
	return m, nil
}

func (s *Service) describeMapRun(_ context.Context, in *DescribeMapRunInput) (*DescribeMapRunOutput, error) {
	m, err := s.loadMapRun(deref(in.MapRunArn))
	if err != nil {
		return nil, err
	}
	out := &DescribeMapRunOutput{MapRunArn: &m.ARN, ExecutionArn: &m.Execution, Status: ptr(MapRunStatus(m.Status)),
		StartDate: &m.Start, MaxConcurrency: ptr(int32(m.MaxConcurrency)),
		ToleratedFailurePercentage: ptr(float32(m.ToleratedFailurePercentage)), ToleratedFailureCount: &m.ToleratedFailureCount,
		ItemCounts:      (*MapRunItemCounts)(mapRunCounts(m.Items)),
		ExecutionCounts: (*MapRunExecutionCounts)(mapRunCounts(m.Executions))}
	if !m.Stop.IsZero() {
		out.StopDate = &m.Stop
	}
	return out, nil
}

// mapRunCounts is counts in the shape of itemCounts and executionCounts
// (which have the same members).
func mapRunCounts(c asl.MapRunCounts) *MapRunItemCounts {
	return &MapRunItemCounts{Pending: &c.Pending, Running: &c.Running, Succeeded: &c.Succeeded, Failed: &c.Failed,
		TimedOut: &c.TimedOut, Aborted: &c.Aborted, Total: &c.Total, ResultsWritten: &c.ResultsWritten}
}

func (s *Service) listMapRuns(_ context.Context, in *ListMapRunsInput) (*ListMapRunsOutput, error) {
	e, err := s.executionByARN(deref(in.ExecutionArn))
	if err != nil {
		return nil, err
	}
	var all []*mapRun
	if err := scan[mapRun](s.store, mapRunPrefix(e.Machine), func(m *mapRun) bool {
		if m.Execution == e.ARN {
			all = append(all, m)
		}
		return true
	}); err != nil {
		return nil, err
	}
	// Newest first, as ListExecutions lists.
	sort.SliceStable(all, func(i, j int) bool { return all[i].Start.After(all[j].Start) })
	from, to, next, err := page(len(all), in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &ListMapRunsOutput{MapRuns: []MapRunListItem{}, NextToken: next}
	for _, m := range all[from:to] {
		item := MapRunListItem{ExecutionArn: &m.Execution, MapRunArn: &m.ARN, StateMachineArn: &m.StateMachineARN, StartDate: &m.Start}
		if !m.Stop.IsZero() {
			item.StopDate = &m.Stop
		}
		out.MapRuns = append(out.MapRuns, item)
	}
	return out, nil
}

// updateMapRun changes a running Map Run's maxConcurrency and tolerated
// failure threshold; one that has ended is a ValidationException
// (virga's wording).
func (s *Service) updateMapRun(_ context.Context, in *UpdateMapRunInput) (*UpdateMapRunOutput, error) {
	arn := deref(in.MapRunArn)
	if _, err := s.loadMapRun(arn); err != nil {
		return nil, err
	}
	s.mapRunMu.Lock()
	m := s.mapRuns[arn]
	s.mapRunMu.Unlock()
	var conc *int
	if in.MaxConcurrency != nil {
		conc = ptr(int(*in.MaxConcurrency))
	}
	var pct *float64
	if in.ToleratedFailurePercentage != nil {
		pct = ptr(float64(*in.ToleratedFailurePercentage))
	}
	if m == nil || !m.Update(conc, pct, in.ToleratedFailureCount) {
		return nil, ErrValidation.WithMessage("Map Run is not running: '" + arn + "'")
	}
	return &UpdateMapRunOutput{}, nil
}
