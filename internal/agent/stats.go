package agent

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	v1 "github.com/containerd/cgroups/v3/cgroup1/stats"
	v2 "github.com/containerd/cgroups/v3/cgroup2/stats"
	"github.com/containerd/typeurl/v2"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// StatsReporter is implemented by the agent's tasks (kept apart from
// Task as OOMReporter is): Stats reads a running container's resource
// usage from its cgroup through containerd's task metrics, with the
// sample taken at the previous call as PreCPU.
type StatsReporter interface {
	Stats(ctx context.Context, container string) (Stats, error)
}

var _ StatsReporter = (*task)(nil)

// Stats is one sample of a container's resource usage, in the units
// Docker's stats use (CPU time in nanoseconds, memory in bytes).
type Stats struct {
	Read    time.Time
	PreRead time.Time // zero for the first sample
	CPU     CPUStats
	PreCPU  CPUStats
	Memory  MemoryStats
	Pids    PidsStats
}

// CPUStats are a container's CPU time and the host's.
type CPUStats struct {
	Total, Kernel, User uint64
	PerCPU              []uint64 // cgroup v1 only
	// System is the host's CPU time since boot (all CPUs, /proc/stat).
	System     uint64
	OnlineCPUs uint32
	// Periods, ThrottledPeriods and ThrottledTime (ns) are CFS's
	// throttling counters.
	Periods, ThrottledPeriods, ThrottledTime uint64
}

// MemoryStats are a container's memory use: Usage and Limit in bytes,
// MaxUsage on cgroup v1 only, and the cgroup's memory.stat counters
// by their names there.
type MemoryStats struct {
	Usage, MaxUsage, Limit uint64
	Stats                  map[string]uint64
}

// PidsStats are a container's process count and limit (0: none).
type PidsStats struct{ Current, Limit uint64 }

// Stats implements StatsReporter.
func (t *task) Stats(ctx context.Context, container string) (Stats, error) {
	c := t.container(container)
	t.mu.Lock()
	started := c != nil && c.task != nil
	t.mu.Unlock()
	if !started {
		return Stats{}, fmt.Errorf("task %s has no running container %q", t.id, container)
	}
	select {
	case <-c.exited:
		return Stats{}, fmt.Errorf("container %s has exited", container)
	default:
	}
	m, err := c.task.Metrics(nsContext(ctx))
	if err != nil {
		return Stats{}, err
	}
	data, err := typeurl.UnmarshalAny(m.Data)
	if err != nil {
		return Stats{}, err
	}
	s := Stats{Read: time.Now().UTC()}
	if err := s.fill(data); err != nil {
		return Stats{}, err
	}
	s.CPU.System = systemCPU()
	s.CPU.OnlineCPUs = uint32(runtime.NumCPU())
	t.mu.Lock()
	s.PreRead, s.PreCPU = c.prevRead, c.prevCPU
	c.prevRead, c.prevCPU = s.Read, s.CPU
	t.mu.Unlock()
	return s, nil
}

// fill reads cgroup v1 or v2 metrics into s.
func (s *Stats) fill(data any) error {
	switch m := data.(type) {
	case *v1.Metrics:
		if u := m.GetCPU().GetUsage(); u != nil {
			s.CPU.Total, s.CPU.Kernel, s.CPU.User, s.CPU.PerCPU = u.Total, u.Kernel, u.User, u.PerCPU
		}
		if th := m.GetCPU().GetThrottling(); th != nil {
			s.CPU.Periods, s.CPU.ThrottledPeriods, s.CPU.ThrottledTime = th.Periods, th.ThrottledPeriods, th.ThrottledTime
		}
		if mem := m.GetMemory(); mem != nil {
			if u := mem.GetUsage(); u != nil {
				s.Memory.Usage, s.Memory.MaxUsage, s.Memory.Limit = u.Usage, u.Max, u.Limit
			}
			s.Memory.Stats = counters(mem)
		}
		if p := m.GetPids(); p != nil {
			s.Pids = PidsStats{Current: p.Current, Limit: p.Limit}
		}
	case *v2.Metrics:
		if c := m.GetCPU(); c != nil {
			s.CPU.Total, s.CPU.User, s.CPU.Kernel = c.UsageUsec*1000, c.UserUsec*1000, c.SystemUsec*1000
			s.CPU.Periods, s.CPU.ThrottledPeriods, s.CPU.ThrottledTime = c.NrPeriods, c.NrThrottled, c.ThrottledUsec*1000
		}
		if mem := m.GetMemory(); mem != nil {
			s.Memory.Usage, s.Memory.Limit = mem.Usage, mem.UsageLimit
			s.Memory.Stats = counters(mem)
			for _, k := range []string{"usage", "usage_limit", "swap_usage", "swap_limit"} {
				delete(s.Memory.Stats, k)
			}
		}
		if p := m.GetPids(); p != nil {
			s.Pids = PidsStats{Current: p.Current, Limit: p.Limit}
		}
	default:
		return fmt.Errorf("unknown metrics type %T", data)
	}
	return nil
}

// counters are a memory stat message's integer fields by their proto
// names, which are the cgroup's memory.stat keys (cache, rss,
// total_rss, ... on v1; anon, file, ... on v2), zeros included.
func counters(m proto.Message) map[string]uint64 {
	b, err := protojson.MarshalOptions{UseProtoNames: true, EmitUnpopulated: true}.Marshal(m)
	if err != nil {
		return nil
	}
	var raw map[string]any
	if json.Unmarshal(b, &raw) != nil {
		return nil
	}
	out := map[string]uint64{}
	for k, v := range raw {
		// protojson writes 64-bit integers as strings.
		if s, ok := v.(string); ok {
			if n, err := strconv.ParseUint(s, 10, 64); err == nil {
				out[k] = n
			}
		}
	}
	return out
}

// clockTicks is USER_HZ, the unit of /proc/stat's times on Linux.
const clockTicks = 100

// systemCPU is the host's CPU time since boot in nanoseconds: the sum
// of /proc/stat's first "cpu" line, as Docker computes
// system_cpu_usage.
func systemCPU() uint64 {
	f, err := os.Open("/proc/stat")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 8 || fields[0] != "cpu" {
			continue
		}
		var ticks uint64
		for _, v := range fields[1:8] {
			n, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				return 0
			}
			ticks += n
		}
		return ticks * (uint64(time.Second) / clockTicks)
	}
	return 0
}
