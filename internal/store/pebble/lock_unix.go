//go:build unix

package pebble

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// dirLock is the data directory's lock: an flock(2) on the lock file, which
// is released when the file is closed or the process dies.
type dirLock struct {
	f *os.File
}

// lockDir takes dir's lock without waiting. If another open file description
// holds it, in this process or another, it returns an *InUseError.
func lockDir(dir string) (*dirLock, error) {
	path := filepath.Join(dir, lockFileName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("data directory %s: opening lock file: %w", dir, err)
	}
	if err := flock(f, syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		pid := readPID(f)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, &InUseError{Dir: dir, PID: pid}
		}
		return nil, fmt.Errorf("data directory %s: locking %s: %w", dir, lockFileName, err)
	}
	// The PID is informational (it names the holder in InUseError), so it
	// is not fsynced.
	pid := []byte(strconv.Itoa(os.Getpid()) + "\n")
	if err := f.Truncate(0); err != nil {
		f.Close()
		return nil, fmt.Errorf("data directory %s: writing lock file: %w", dir, err)
	}
	if _, err := f.WriteAt(pid, 0); err != nil {
		f.Close()
		return nil, fmt.Errorf("data directory %s: writing lock file: %w", dir, err)
	}
	return &dirLock{f: f}, nil
}

// unlock clears the PID and releases the lock. The lock file itself stays:
// removing it would let a later Open lock a new file while a racing one
// still holds the old, unlinked one.
//
// Closing the file is not enough to release the lock: a child process that
// this process is forking shares the open file description until its exec
// closes it, and the lock lives as long as any reference to the
// description. An explicit LOCK_UN releases it for all of them.
func (l *dirLock) unlock() error {
	terr := l.f.Truncate(0)
	uerr := flock(l.f, syscall.LOCK_UN)
	if err := l.f.Close(); err != nil {
		return err
	}
	if uerr != nil {
		return uerr
	}
	return terr
}

// flock applies how to f's descriptor, retrying if a signal interrupts it.
func flock(f *os.File, how int) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	cerr := rc.Control(func(fd uintptr) {
		for {
			ferr = syscall.Flock(int(fd), how)
			if ferr != syscall.EINTR {
				return
			}
		}
	})
	if cerr != nil {
		return cerr
	}
	return ferr
}

// readPID returns the PID recorded in the lock file, or 0 if it holds none.
// The holder writes it just after locking, so a racing reader may see an
// empty file.
func readPID(f *os.File) int {
	buf := make([]byte, 32)
	n, _ := f.ReadAt(buf, 0)
	pid, err := strconv.Atoi(strings.TrimSpace(string(buf[:n])))
	if err != nil || pid <= 0 {
		return 0
	}
	return pid
}
