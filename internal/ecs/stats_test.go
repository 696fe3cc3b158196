package ecs

import (
	"encoding/json"
	"testing"
	"time"
)

// TestDockerStatsFields checks the document's field names against
// Docker's ContainerStats.
func TestDockerStatsFields(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	b, err := json.Marshal(dockerStats(ContainerStats{Read: at, CPU: CPUStats{Total: 5, Kernel: 2, User: 3, System: 100, OnlineCPUs: 2},
		MemoryUsage: 10, MemoryLimit: 20, MemoryCounters: map[string]uint64{"rss": 7}, Pids: 1}, "t1-web"))
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"read", "preread", "pids_stats", "blkio_stats", "num_procs", "storage_stats", "cpu_stats", "precpu_stats", "memory_stats", "name", "id"} {
		if _, ok := got[k]; !ok {
			t.Errorf("no %s in %s", k, b)
		}
	}
	cpu := got["cpu_stats"].(map[string]any)
	usage := cpu["cpu_usage"].(map[string]any)
	mem := got["memory_stats"].(map[string]any)
	if usage["total_usage"] != 5.0 || usage["usage_in_kernelmode"] != 2.0 || usage["usage_in_usermode"] != 3.0 ||
		cpu["system_cpu_usage"] != 100.0 || cpu["online_cpus"] != 2.0 || cpu["throttling_data"] == nil ||
		mem["usage"] != 10.0 || mem["limit"] != 20.0 || mem["stats"].(map[string]any)["rss"] != 7.0 ||
		got["read"] != "2026-01-02T03:04:05Z" || got["name"] != "/t1-web" || got["id"] != "t1-web" {
		t.Errorf("stats %s", b)
	}
}
