package functions

import (
	"context"
	"encoding/json"
	"github.com/virga/virga/internal/functions/sandbox"
	"strings"
	"sync"
	"testing"
	"time"
)

// waitProvisioned polls until the pool of s has want provisioned
// environments initialized, or a failure when want is negative.
func waitProvisioned(t *testing.T, m *Pools, s *Spec, want int) Provisioning {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		st := m.Provisioned(s.Key)
		if want >= 0 && st.Allocated == want || want < 0 && st.Failure != "" {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("provisioned: %+v, want %d", st, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// provisionedPIDs returns the processes of the pool's provisioned
// environments.
func provisionedPIDs(m *Pools, s *Spec) []int {
	p, _ := m.poolFor(s)
	p.mu.Lock()
	defer p.mu.Unlock()
	var pids []int
	for e := range p.all {
		if e.provisioned {
			pids = append(pids, e.proc.(*sandbox.Process).Pid())
		}
	}
	return pids
}

func TestProvisionedEnvironments(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	m := newPools(t, func(o *Options) { o.Clock = clk; o.IdleTimeout = time.Minute })
	s := goSpec(t)
	s.Concurrency = 5
	if err := m.Provision(s, 2); err != nil {
		t.Fatal(err)
	}
	waitProvisioned(t, m, s, 2)
	// The init ran ahead, without an invocation: its INIT_START line and
	// output are in the stream, with no START.
	events := s.Logs.(*memSink).waitFor(t, "init: starting")
	if len(events) != 2 || !strings.HasPrefix(events[0], "INIT_START Runtime Version: ") {
		t.Errorf("provisioned stream before any invocation: %q", events)
	}

	// Idle for longer than IdleTimeout: never reaped.
	clk.advance(time.Hour)
	m.reap()
	p, _ := m.poolFor(s)
	if live, idle := p.size(); live != 2 || idle != 2 {
		t.Fatalf("after reaping: %d live, %d idle", live, idle)
	}

	// The first invocation is served warm by a provisioned environment.
	res := invoke(t, m, s, `{"action":"env"}`)
	var out struct{ Env map[string]string }
	if err := json.Unmarshal(res.Payload, &out); err != nil {
		t.Fatal(err)
	}
	if got := out.Env["AWS_LAMBDA_INITIALIZATION_TYPE"]; got != "provisioned-concurrency" {
		t.Errorf("AWS_LAMBDA_INITIALIZATION_TYPE %q", got)
	}
	tail := string(res.LogTail)
	if res.InitDuration != 0 || strings.Contains(tail, "Init Duration") || strings.Contains(tail, "init: starting") {
		t.Errorf("first invocation: init %v, tail:\n%s", res.InitDuration, tail)
	}

	// Beyond the provisioned two, invocations spill to on-demand
	// environments, which start cold and say so.
	var wg sync.WaitGroup
	results := make([]*Result, 3)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := m.Invoke(context.Background(), s, &Invocation{RequestID: testIDs.UUID(), Payload: []byte(`{"action":"sleep","ms":300}`)})
			if err != nil {
				t.Error(err)
				return
			}
			results[i] = r
		}()
	}
	wg.Wait()
	cold := 0
	for _, r := range results {
		if r != nil && r.InitDuration > 0 {
			cold++
		}
	}
	if cold != 1 {
		t.Errorf("%d of 3 invocations cold with 2 provisioned", cold)
	}
	res = invoke(t, m, s, `{"action":"env"}`) // a provisioned one again, first
	json.Unmarshal(res.Payload, &out)
	if got := out.Env["AWS_LAMBDA_INITIALIZATION_TYPE"]; got != "provisioned-concurrency" {
		t.Errorf("after spilling, AWS_LAMBDA_INITIALIZATION_TYPE %q", got)
	}

	// A provisioned environment that ends is replaced.
	pids := provisionedPIDs(m, s)
	if len(pids) != 2 {
		t.Fatalf("provisioned processes %v", pids)
	}
	p.mu.Lock()
	for e := range p.all {
		if e.provisioned && e.proc.(*sandbox.Process).Pid() == pids[0] {
			e.proc.Kill()
		}
	}
	p.mu.Unlock()
	waitGone(t, pids[0])
	for i := 0; ; i++ {
		now := provisionedPIDs(m, s)
		if len(now) == 2 && now[0] != pids[0] && now[1] != pids[0] && m.Provisioned(s.Key).Allocated == 2 {
			pids = now
			break
		}
		if i > 2000 {
			t.Fatalf("not replaced: %v", now)
		}
		time.Sleep(5 * time.Millisecond)
	}

	// Fewer, then none: the extra environments end.
	if err := m.Provision(s, 1); err != nil {
		t.Fatal(err)
	}
	if st := m.Provisioned(s.Key); st.Allocated != 1 {
		t.Errorf("after Provision 1: %+v", st)
	}
	if err := m.Provision(s, 0); err != nil {
		t.Fatal(err)
	}
	for _, pid := range pids {
		waitGone(t, pid)
	}
	if n := len(provisionedPIDs(m, s)); n != 0 {
		t.Errorf("%d provisioned environments after Provision 0", n)
	}
}

func TestProvisionedInitFailureAndRetire(t *testing.T) {
	t.Parallel()
	m := newPools(t, nil)
	bad := goSpec(t)
	bad.Env = map[string]string{"INIT_EXIT": "1"}
	if err := m.Provision(bad, 1); err != nil {
		t.Fatal(err)
	}
	st := waitProvisioned(t, m, bad, -1)
	if st.Allocated != 0 || !strings.Contains(st.Failure, "Runtime.ExitError") {
		t.Errorf("failed init: %+v", st)
	}

	s := goSpec(t)
	if err := m.Provision(s, 1); err != nil {
		t.Fatal(err)
	}
	waitProvisioned(t, m, s, 1)
	pids := provisionedPIDs(m, s)
	m.Retire(strings.Split(s.Key, "#")[0])
	waitGone(t, pids[0])
	if st := m.Provisioned(s.Key); st.Allocated != 0 {
		t.Errorf("after Retire: %+v", st)
	}
}
