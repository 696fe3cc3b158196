package ecs

import (
	"strconv"
	"strings"
)

// parseCPU reads a task-level cpu value: CPU units ("1024") or vCPUs
// ("1 vCPU", "0.25 vcpu"), as RegisterTaskDefinition accepts them. It
// returns CPU units.
func parseCPU(v string) (int, bool) {
	return parseUnits(v, []string{"vcpu"}, 1024)
}

// parseMemory reads a task-level memory value: MiB ("2048") or GB
// ("2 GB", "0.5gb"). It returns MiB.
func parseMemory(v string) (int, bool) {
	return parseUnits(v, []string{"gb"}, 1024)
}

func parseUnits(v string, suffixes []string, scale float64) (int, bool) {
	v = strings.TrimSpace(v)
	lower := strings.ToLower(v)
	for _, suf := range suffixes {
		if num, ok := strings.CutSuffix(lower, suf); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
			if err != nil || f <= 0 || f > 1e6 {
				return 0, false
			}
			return int(f * scale), true
		}
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return 0, false
	}
	return n, true
}

// fargateMemory lists, for each task CPU size Fargate offers, the task
// memory sizes (MiB) it allows, from the task definition parameters'
// table of valid combinations: the first and last sizes and the step
// between them.
var fargateMemory = map[int][3]int{
	256:   {512, 2048, 512}, // 512 MiB, 1 GB, 2 GB
	512:   {1024, 4096, 1024},
	1024:  {2048, 8192, 1024},
	2048:  {4096, 16384, 1024},
	4096:  {8192, 30720, 1024},
	8192:  {16384, 61440, 4096},
	16384: {32768, 122880, 8192},
}

// fargateFits says whether Fargate offers a task of cpu units and
// memory MiB.
func fargateFits(cpu, memory int) bool {
	r, ok := fargateMemory[cpu]
	if !ok || memory < r[0] || memory > r[1] {
		return false
	}
	if cpu == 256 {
		return memory == 512 || memory == 1024 || memory == 2048
	}
	return (memory-r[0])%r[2] == 0
}
