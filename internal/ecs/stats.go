package ecs

import "time"

// statsTarget is a container whose stats are asked for: its name in
// the task and its runtime id (the metadata's DockerId).
type statsTarget struct{ name, id string }

// statsTargets finds, for the metadata's /stats endpoints, the running
// task whose secret is secret and that has container: that container,
// or every container of the task with all. The runtime is called
// without s.mu.
func (s *Service) statsTargets(secret, container string, all bool) (StatsReporter, []statsTarget) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.secretTask(secret)
	if t == nil || t.stats == nil || containerMetadata(t, container) == nil {
		return nil, nil
	}
	var out []statsTarget
	for _, c := range t.T.Containers {
		if all || deref(c.Name) == container {
			out = append(out, statsTarget{deref(c.Name), deref(c.RuntimeId)})
		}
	}
	return t.stats, out
}

// statsJSON is Docker's container stats document (Engine API
// ContainerStats), which the task metadata's /stats endpoints return,
// with Docker's field names.
type statsJSON struct {
	Read         time.Time       `json:"read"`
	PreRead      time.Time       `json:"preread"`
	PidsStats    pidsStatsJSON   `json:"pids_stats"`
	BlkioStats   blkioStatsJSON  `json:"blkio_stats"`
	NumProcs     uint32          `json:"num_procs"`
	StorageStats struct{}        `json:"storage_stats"`
	CPUStats     cpuStatsJSON    `json:"cpu_stats"`
	PreCPUStats  cpuStatsJSON    `json:"precpu_stats"`
	MemoryStats  memoryStatsJSON `json:"memory_stats"`
	Name         string          `json:"name"`
	ID           string          `json:"id"`
}

type pidsStatsJSON struct {
	Current uint64 `json:"current,omitempty"`
	Limit   uint64 `json:"limit,omitempty"`
}

// blkioStatsJSON is left empty: virga does not read block I/O.
type blkioStatsJSON struct {
	IoServiceBytesRecursive []struct{} `json:"io_service_bytes_recursive"`
	IoServicedRecursive     []struct{} `json:"io_serviced_recursive"`
	IoQueueRecursive        []struct{} `json:"io_queue_recursive"`
	IoServiceTimeRecursive  []struct{} `json:"io_service_time_recursive"`
	IoWaitTimeRecursive     []struct{} `json:"io_wait_time_recursive"`
	IoMergedRecursive       []struct{} `json:"io_merged_recursive"`
	IoTimeRecursive         []struct{} `json:"io_time_recursive"`
	SectorsRecursive        []struct{} `json:"sectors_recursive"`
}

type cpuUsageJSON struct {
	TotalUsage        uint64   `json:"total_usage"`
	PercpuUsage       []uint64 `json:"percpu_usage,omitempty"`
	UsageInKernelmode uint64   `json:"usage_in_kernelmode"`
	UsageInUsermode   uint64   `json:"usage_in_usermode"`
}

type throttlingJSON struct {
	Periods          uint64 `json:"periods"`
	ThrottledPeriods uint64 `json:"throttled_periods"`
	ThrottledTime    uint64 `json:"throttled_time"`
}

type cpuStatsJSON struct {
	CPUUsage       cpuUsageJSON   `json:"cpu_usage"`
	SystemUsage    uint64         `json:"system_cpu_usage,omitempty"`
	OnlineCPUs     uint32         `json:"online_cpus,omitempty"`
	ThrottlingData throttlingJSON `json:"throttling_data"`
}

type memoryStatsJSON struct {
	Usage    uint64            `json:"usage,omitempty"`
	MaxUsage uint64            `json:"max_usage,omitempty"`
	Stats    map[string]uint64 `json:"stats,omitempty"`
	Limit    uint64            `json:"limit,omitempty"`
}

func cpuJSON(c CPUStats) cpuStatsJSON {
	return cpuStatsJSON{
		CPUUsage:       cpuUsageJSON{TotalUsage: c.Total, PercpuUsage: c.PerCPU, UsageInKernelmode: c.Kernel, UsageInUsermode: c.User},
		SystemUsage:    c.System,
		OnlineCPUs:     c.OnlineCPUs,
		ThrottlingData: throttlingJSON{Periods: c.Periods, ThrottledPeriods: c.ThrottledPeriods, ThrottledTime: c.ThrottledTime},
	}
}

// dockerStats is a sample as Docker's stats document; Docker names a
// container "/" + its name, here its runtime id.
func dockerStats(st ContainerStats, id string) *statsJSON {
	return &statsJSON{
		Read: st.Read, PreRead: st.PreRead,
		PidsStats:   pidsStatsJSON{Current: st.Pids, Limit: st.PidsLimit},
		CPUStats:    cpuJSON(st.CPU),
		PreCPUStats: cpuJSON(st.PreCPU),
		MemoryStats: memoryStatsJSON{Usage: st.MemoryUsage, MaxUsage: st.MemoryMaxUsage, Stats: st.MemoryCounters, Limit: st.MemoryLimit},
		Name:        "/" + id,
		ID:          id,
	}
}
