package agent

import (
	"reflect"
	"testing"

	v1 "github.com/containerd/cgroups/v3/cgroup1/stats"
	v2 "github.com/containerd/cgroups/v3/cgroup2/stats"
)

func TestStatsFill(t *testing.T) {
	t.Parallel()
	var s1 Stats
	if err := s1.fill(&v1.Metrics{
		CPU:    &v1.CPUStat{Usage: &v1.CPUUsage{Total: 30, Kernel: 10, User: 20, PerCPU: []uint64{15, 15}}, Throttling: &v1.Throttle{Periods: 4, ThrottledPeriods: 1, ThrottledTime: 7}},
		Memory: &v1.MemoryStat{Cache: 5, RSS: 9, Usage: &v1.MemoryEntry{Usage: 100, Max: 150, Limit: 64 << 20}},
		Pids:   &v1.PidsStat{Current: 3, Limit: 99},
	}); err != nil {
		t.Fatal(err)
	}
	want := CPUStats{Total: 30, Kernel: 10, User: 20, PerCPU: []uint64{15, 15}, Periods: 4, ThrottledPeriods: 1, ThrottledTime: 7}
	if !reflect.DeepEqual(s1.CPU, want) || s1.Memory.Usage != 100 || s1.Memory.MaxUsage != 150 || s1.Memory.Limit != 64<<20 ||
		s1.Memory.Stats["cache"] != 5 || s1.Memory.Stats["rss"] != 9 || s1.Pids != (PidsStats{3, 99}) {
		t.Errorf("cgroup v1: %+v", s1)
	}
	if _, ok := s1.Memory.Stats["total_rss"]; !ok {
		t.Error("cgroup v1: zero counters left out")
	}

	var s2 Stats
	if err := s2.fill(&v2.Metrics{
		CPU:    &v2.CPUStat{UsageUsec: 3, UserUsec: 2, SystemUsec: 1, NrPeriods: 4, NrThrottled: 1, ThrottledUsec: 5},
		Memory: &v2.MemoryStat{Anon: 8, File: 2, Usage: 10, UsageLimit: 20},
		Pids:   &v2.PidsStat{Current: 1},
	}); err != nil {
		t.Fatal(err)
	}
	want = CPUStats{Total: 3000, User: 2000, Kernel: 1000, Periods: 4, ThrottledPeriods: 1, ThrottledTime: 5000}
	if !reflect.DeepEqual(s2.CPU, want) || s2.Memory.Usage != 10 || s2.Memory.Limit != 20 || s2.Memory.Stats["anon"] != 8 ||
		s2.Memory.Stats["file"] != 2 || s2.Pids.Current != 1 {
		t.Errorf("cgroup v2: %+v", s2)
	}
	if _, ok := s2.Memory.Stats["usage"]; ok {
		t.Error("cgroup v2: usage among memory.stat's counters")
	}
	if err := new(Stats).fill("other"); err == nil {
		t.Error("unknown metrics type accepted")
	}
	if systemCPU() == 0 {
		t.Error("no host CPU time from /proc/stat")
	}
}
