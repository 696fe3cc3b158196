package sandbox

import (
	"sync"
	"syscall"
	"unsafe"
)

// cpuSet places environments on CPUs: each process is bound to
// ceil(MemoryMB / 1,769) CPUs ("at 1,769 MB, a function has the
// equivalent of one vCPU"), the least busy ones, so that its runtime
// sizes itself to the CPU it is entitled to (Go's GOMAXPROCS, Node's
// thread pools) instead of spinning threads over every core of the host
// against its neighbours. The cgroup's CPU share still divides a busy
// CPU in proportion to memory.
type cpuSet struct {
	mu   sync.Mutex
	cpus []int // allowed to virga
	load []int // environments bound to each
}

// cpuMask is a sched_setaffinity mask for up to 1,024 CPUs.
type cpuMask [16]uint64

func newCPUSet() *cpuSet {
	var m cpuMask
	_, _, errno := syscall.RawSyscall(syscall.SYS_SCHED_GETAFFINITY, 0, unsafe.Sizeof(m), uintptr(unsafe.Pointer(&m)))
	if errno != 0 {
		return nil
	}
	s := &cpuSet{}
	for i := 0; i < len(m)*64; i++ {
		if m[i/64]&(1<<(i%64)) != 0 {
			s.cpus = append(s.cpus, i)
		}
	}
	if len(s.cpus) < 2 {
		return nil // nothing to choose from
	}
	s.load = make([]int, len(s.cpus))
	return s
}

// take picks the CPUs for an environment of memoryMB: indexes into cpus.
func (s *cpuSet) take(memoryMB int) []int {
	n := min(len(s.cpus), max(1, (memoryMB+mbPerVCPU-1)/mbPerVCPU))
	if n == len(s.cpus) {
		return nil // every CPU: no binding
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	picked := make([]int, 0, n)
	for len(picked) < n {
		best := -1
		for i := range s.cpus {
			if contains(picked, i) {
				continue
			}
			if best < 0 || s.load[i] < s.load[best] {
				best = i
			}
		}
		picked = append(picked, best)
		s.load[best]++
	}
	return picked
}

// release returns what take picked.
func (s *cpuSet) release(picked []int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, i := range picked {
		s.load[i]--
	}
}

// bindThread binds the calling thread (and so the process it forks) to
// the picked CPUs.
func (s *cpuSet) bindThread(picked []int) error {
	var m cpuMask
	for _, i := range picked {
		c := s.cpus[i]
		m[c/64] |= 1 << (c % 64)
	}
	_, _, errno := syscall.RawSyscall(syscall.SYS_SCHED_SETAFFINITY, 0, unsafe.Sizeof(m), uintptr(unsafe.Pointer(&m)))
	if errno != 0 {
		return errno
	}
	return nil
}

func contains[T comparable](list []T, x T) bool {
	for _, y := range list {
		if y == x {
			return true
		}
	}
	return false
}
