//go:build !unix

package pebble

import "errors"

// dirLock is unavailable where flock(2) is.
type dirLock struct{}

// lockDir fails: on-disk stores need flock(2). Use Options.InMemory instead.
func lockDir(dir string) (*dirLock, error) {
	return nil, errors.New("on-disk store is not supported on this platform: it needs flock(2)")
}

func (l *dirLock) unlock() error { return nil }
