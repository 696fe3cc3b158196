//go:build unix

package dirlock

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// maxPoll is the longest Lock waits between two tries of a lock another
// holds: flock(2) cannot be interrupted when a context ends, so Lock
// tries without blocking, from 1 ms apart doubling to this.
const maxPoll = 50 * time.Millisecond

// Lock holds an exclusive flock on dir/.lock until unlock, waiting for
// another holder to let go, or returning ctx.Err() when ctx ends first.
func Lock(ctx context.Context, dir string) (unlock func(), err error) {
	f, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	var timer *time.Timer
	for wait := time.Millisecond; ; {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { f.Close() }, nil
		}
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, err
		}
		if timer == nil {
			timer = time.NewTimer(wait)
			defer timer.Stop()
		} else {
			timer.Reset(wait)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-timer.C:
		}
		wait = min(2*wait, maxPoll)
	}
}
