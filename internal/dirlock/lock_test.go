//go:build unix

package dirlock

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// TestLockWaits: a second Lock of a directory (another open file, as
// another process's would be) waits until the first is let go.
func TestLockWaits(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	unlock, err := Lock(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan func())
	go func() {
		second, err := Lock(context.Background(), dir)
		if err != nil {
			t.Error(err)
			second = func() {}
		}
		got <- second
	}()
	select {
	case second := <-got:
		second()
		t.Fatal("the second Lock did not wait for the first")
	case <-time.After(200 * time.Millisecond):
	}
	unlock()
	select {
	case second := <-got:
		second()
	case <-time.After(30 * time.Second):
		t.Fatal("the second Lock did not get the lock once the first let go")
	}
}

// TestLockHonoursContext: a Lock waiting for another holder returns
// its context's error when the context is cancelled or its deadline
// passes, and the lock is then free for the next once the holder lets
// go.
func TestLockHonoursContext(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	unlock, err := Lock(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		second, err := Lock(ctx, dir)
		if err == nil {
			second()
		}
		done <- err
	}()
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("a cancelled Lock went on waiting")
	}
	ctx, cancel = context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := Lock(ctx, dir); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("past its deadline: %v", err)
	}
	unlock()
	again, err := Lock(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	again()
}

// TestLockHeldByAnotherProcess: a lock another process holds (flock(1)
// holding it while it sleeps) is waited for until the context ends.
func TestLockHeldByAnotherProcess(t *testing.T) {
	t.Parallel()
	flock, err := exec.LookPath("flock")
	if err != nil {
		t.Skip("no flock(1) on this host")
	}
	dir := t.TempDir()
	ready := dir + "/ready"
	cmd := exec.Command(flock, dir+"/.lock", "sh", "-c", "touch "+ready+"; sleep 60")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // its shell and sleep go with it
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); cmd.Wait() })
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if _, err := os.Stat(ready); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("flock(1) did not take the lock")
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := Lock(ctx, dir); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("while another process holds the lock: %v", err)
	}
}
