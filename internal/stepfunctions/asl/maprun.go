package asl

import (
	"context"
	"sync"
	"time"
)

// Map Run statuses, as DescribeMapRun names them.
const (
	MapRunRunning   = "RUNNING"
	MapRunSucceeded = "SUCCEEDED"
	MapRunFailed    = "FAILED"
	MapRunAborted   = "ABORTED"
)

// MapRunCounts counts a Map Run's items or child workflow executions
// by status, as DescribeMapRun's itemCounts and executionCounts do.
type MapRunCounts struct {
	Pending        int64 `json:"pending"`
	Running        int64 `json:"running"`
	Succeeded      int64 `json:"succeeded"`
	Failed         int64 `json:"failed"`
	TimedOut       int64 `json:"timedOut"`
	Aborted        int64 `json:"aborted"`
	Total          int64 `json:"total"`
	ResultsWritten int64 `json:"resultsWritten"`
}

// MapRunInfo is what a Map Run is at one moment: the Env keeps it for
// DescribeMapRun and ListMapRuns.
type MapRunInfo struct {
	ARN string `json:"arn"`
	// StateMachineARN names the children's workflow:
	// arn:aws:states:REGION:ACCOUNT:stateMachine:MACHINE/LABEL.
	StateMachineARN string    `json:"stateMachineArn"`
	Status          string    `json:"status"`
	Start           time.Time `json:"start"`
	Stop            time.Time `json:"stop,omitzero"`
	// MaxConcurrency is 0 when the state sets no limit.
	MaxConcurrency             int          `json:"maxConcurrency"`
	ToleratedFailurePercentage float64      `json:"toleratedFailurePercentage"`
	ToleratedFailureCount      int64        `json:"toleratedFailureCount"`
	Items                      MapRunCounts `json:"items"`
	Executions                 MapRunCounts `json:"executions"`
	// Top says that the Map Run is the execution's own state's (not a
	// Parallel branch's or a Map iteration's): a resumed or redriven
	// execution goes on with it (Execution.MapRunARN).
	Top bool `json:"-"`
}

// MapRun is a Distributed Map state's Map Run while it runs. Its
// maximum concurrency and tolerated failure threshold may change
// (Update) until it ends; the Env hears of every change
// (Env.MapRunChanged).
type MapRun struct {
	env   Env
	lim   *limiter
	mu    sync.Mutex
	info  MapRunInfo
	rs    *runSettings
	sizes []int64 // the items in each child's input
}

// Update changes a running Map Run's maximum concurrency (0: no limit,
// which is 10,000 children at once) and tolerated failure threshold,
// each when not nil. It answers false once the Map Run has ended.
func (m *MapRun) Update(maxConcurrency *int, pct *float64, count *int64) bool {
	m.mu.Lock()
	if m.info.Status != MapRunRunning {
		m.mu.Unlock()
		return false
	}
	if maxConcurrency != nil {
		m.info.MaxConcurrency = *maxConcurrency
		m.lim.setLimit(mapRunLimit(*maxConcurrency))
	}
	if pct != nil {
		m.info.ToleratedFailurePercentage, m.rs.pct, m.rs.hasPct = *pct, *pct, true
	}
	if count != nil {
		m.info.ToleratedFailureCount, m.rs.count, m.rs.hasCount = *count, float64(*count), true
	}
	m.mu.Unlock()
	m.env.MapRunChanged(m)
	return true
}

// Info returns the Map Run as it is now.
func (m *MapRun) Info() MapRunInfo {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.info
}

// mapRunLimit is how many children run at once for a MaxConcurrency.
func mapRunLimit(n int) int {
	if n <= 0 || n > maxMapRunChildren {
		return maxMapRunChildren
	}
	return n
}

// change applies f to the Map Run's record and tells the Env.
func (m *MapRun) change(f func(i *MapRunInfo)) {
	m.mu.Lock()
	f(&m.info)
	m.mu.Unlock()
	m.env.MapRunChanged(m)
}

// The statuses a Map Run's child moves between.
const (
	statusPending   = "PENDING"
	statusRunning   = MapRunRunning
	statusSucceeded = MapRunSucceeded
	statusFailed    = MapRunFailed
	statusAborted   = MapRunAborted
)

// count is the counter of a child status.
func (c *MapRunCounts) count(status string) *int64 {
	switch status {
	case statusPending:
		return &c.Pending
	case statusRunning:
		return &c.Running
	case statusSucceeded:
		return &c.Succeeded
	case statusFailed:
		return &c.Failed
	}
	return &c.Aborted
}

// move moves child i from one status to another, in executions and in
// items.
func (m *MapRun) move(i int, from, to string) {
	m.change(func(info *MapRunInfo) {
		*info.Executions.count(from)--
		*info.Executions.count(to)++
		*info.Items.count(from) -= m.sizes[i]
		*info.Items.count(to) += m.sizes[i]
	})
}

// end ends the Map Run with status at stop: children that had not
// ended are aborted.
func (m *MapRun) end(status string, stop time.Time) {
	m.change(func(info *MapRunInfo) {
		info.Status, info.Stop = status, stop
		for _, c := range []*MapRunCounts{&info.Executions, &info.Items} {
			c.Aborted += c.Pending + c.Running
			c.Pending, c.Running = 0, 0
		}
	})
}

// threshold returns the tolerated failure threshold as it is now.
func (m *MapRun) threshold() runSettings {
	m.mu.Lock()
	defer m.mu.Unlock()
	return *m.rs
}

// limiter lets at most limit goroutines run at once; the limit may
// change while they run.
type limiter struct {
	mu          sync.Mutex
	limit, busy int
	wake        chan struct{} // closed when busy falls or limit grows
}

func newLimiter(limit int) *limiter {
	return &limiter{limit: max(limit, 1), wake: make(chan struct{})}
}

// acquire waits for a place, or for ctx to end (its error).
func (l *limiter) acquire(ctx context.Context) error {
	for {
		l.mu.Lock()
		if l.busy < l.limit {
			l.busy++
			l.mu.Unlock()
			return nil
		}
		wake := l.wake
		l.mu.Unlock()
		select {
		case <-wake:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (l *limiter) release() {
	l.mu.Lock()
	l.busy--
	l.signal()
	l.mu.Unlock()
}

func (l *limiter) setLimit(n int) {
	l.mu.Lock()
	l.limit = max(n, 1)
	l.signal()
	l.mu.Unlock()
}

// signal wakes the goroutines waiting in acquire; l.mu is held.
func (l *limiter) signal() {
	close(l.wake)
	l.wake = make(chan struct{})
}
