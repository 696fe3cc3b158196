//go:build unix

package dirlock

import (
	"testing"
	"time"
)

// TestLockWaits: a second Lock of a directory (another open file, as
// another process's would be) waits until the first is let go.
func TestLockWaits(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	unlock, err := Lock(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan func())
	go func() {
		second, err := Lock(dir)
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
