package sandbox

import "testing"

func TestCPUSetBalances(t *testing.T) {
	t.Parallel()
	s := &cpuSet{cpus: []int{0, 2, 5, 7}, load: make([]int, 4)}
	a := s.take(128)
	b := s.take(1769)
	c := s.take(2000) // two CPUs
	if len(a) != 1 || len(b) != 1 || len(c) != 2 || a[0] == b[0] || contains(c, a[0]) || contains(c, b[0]) {
		t.Fatalf("picked %v %v %v", a, b, c)
	}
	if all := s.take(10240); all != nil {
		t.Fatalf("6 CPUs of 4 should not bind: %v", all)
	}
	s.release(a)
	if d := s.take(128); d[0] != a[0] {
		t.Fatalf("released CPU %d not reused: %v (load %v)", a[0], d, s.load)
	}
}
