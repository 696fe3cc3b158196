package sandbox

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestStartRetriesTextFileBusy: an executable still open for writing
// somewhere (here, by the test; in virga, by a child forked while the
// code was being written) cannot be exec'd; the start waits a moment and
// tries again instead of failing the environment.
func TestStartRetriesTextFileBusy(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "bootstrap")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("#!/bin/sh\necho ok\n")
	released := time.AfterFunc(15*time.Millisecond, func() { f.Close() })
	defer released.Stop()

	cmd := &exec.Cmd{Path: path, Args: []string{path}}
	if err := startRetryingBusy(cmd); err != nil {
		t.Fatalf("start while the file was briefly busy: %v", err)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("wait: %v", err)
	}
}
