package asl

import (
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestWorkerBoundIsCPUTime: a worker that waits (here stopped, as one
// waiting for a CPU on a busy machine) is not killed when its CPU-time
// budget's worth of time has passed on the clock; one that computes is
// killed once it has used its budget.
func TestWorkerBoundIsCPUTime(t *testing.T) {
	t.Parallel()
	w, err := startWorker()
	if err != nil {
		t.Fatal(err)
	}
	defer w.kill()
	if _, ok := w.cpuTime(); !ok {
		t.Skip("no /proc/PID/stat here: the bound is time on the clock")
	}

	if err := w.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	stop, killed := make(chan struct{}), make(chan bool, 1)
	go w.watch(stop, killed, 50*time.Millisecond, time.Minute)
	// Five times the budget on the clock, none of it on a CPU.
	for deadline := time.Now().Add(250 * time.Millisecond); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		select {
		case <-killed:
			t.Fatal("a stopped worker was killed for time it did not compute")
		default:
		}
	}
	close(stop)
	if <-killed {
		t.Fatal("a stopped worker was killed")
	}
	w.cmd.Process.Signal(syscall.SIGCONT)

	// Computing, it is killed once it has used the budget.
	stop, killed = make(chan struct{}), make(chan bool, 1)
	go w.watch(stop, killed, 50*time.Millisecond, time.Minute)
	if _, err := w.in.Write([]byte(`{"src":"$count([1..10000000]) + $count([1..10000000]) + $count([1..10000000])","vars":{}}` + "\n")); err != nil {
		t.Fatal(err)
	}
	line, err := w.out.ReadBytes('\n')
	close(stop)
	if !<-killed || err == nil {
		t.Fatalf("a worker past its budget answered %s (err %v)", strings.TrimSpace(string(line)), err)
	}
}
