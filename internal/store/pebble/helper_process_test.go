package pebble

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// Environment variables that turn the test binary into a helper process.
const (
	helperModeEnv = "VIRGA_STORE_HELPER"       // "writer" or "open"
	helperDirEnv  = "VIRGA_STORE_HELPER_DIR"   // the data directory
	helperSyncEnv = "VIRGA_STORE_HELPER_FSYNC" // "1" opens with Options.Fsync
)

// TestHelperProcess is not a test: tests re-execute the test binary to run
// it as a second process (see startHelper). Run directly, it skips.
//
// In mode "open" it opens the store, prints "result: ok" or
// "result: <error>", and exits. In mode "writer" it commits batch after
// batch, each setting the keys of crashKeys(i), and prints "ack i" only once
// Commit has returned; it runs until killed. With VIRGA_STORE_HELPER_FSYNC=1
// it opens the store with Options.Fsync. Mode "mixed" is "writer" with
// every odd batch committed by CommitNoWait.
func TestHelperProcess(t *testing.T) {
	mode := os.Getenv(helperModeEnv)
	if mode == "" {
		t.Skip("helper process for TestCrashRecovery and TestLockAcrossProcesses; runs only when re-executed")
	}
	dir := os.Getenv(helperDirEnv)
	db, err := Open(Options{Dir: dir, Fsync: os.Getenv(helperSyncEnv) == "1"})
	switch mode {
	case "open":
		if err != nil {
			fmt.Printf("result: %v\n", err)
		} else {
			fmt.Println("result: ok")
			db.Close()
		}
		os.Exit(0)
	case "writer", "mixed":
		if err != nil {
			fmt.Printf("result: %v\n", err)
			os.Exit(1)
		}
		for i := 0; ; i++ {
			bt := db.NewBatch()
			for _, k := range crashKeys(i) {
				bt.Set([]byte(k), []byte(crashValue(k)))
			}
			commit := bt.Commit
			if mode == "mixed" && i%2 == 1 {
				commit = bt.CommitNoWait
			}
			if err := commit(); err != nil {
				fmt.Printf("result: commit %d: %v\n", i, err)
				os.Exit(1)
			}
			bt.Close()
			fmt.Printf("ack %d\n", i) // os.Stdout is unbuffered
		}
	}
	t.Fatalf("unknown %s %q", helperModeEnv, mode)
}

// helper is a running helper process.
type helper struct {
	cmd    *exec.Cmd
	lines  *bufio.Scanner
	stderr *strings.Builder
}

// startHelper starts the test binary as a helper process in mode on dir.
// The process is killed if it outlives timeout or the test.
func startHelper(t *testing.T, mode, dir string, timeout time.Duration, env ...string) *helper {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), helperModeEnv+"="+mode, helperDirEnv+"="+dir)
	cmd.Env = append(cmd.Env, env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting helper: %v", err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return &helper{cmd: cmd, lines: bufio.NewScanner(stdout), stderr: &stderr}
}

// result waits for an "open" helper's result line and for it to exit.
func (h *helper) result(t *testing.T) string {
	t.Helper()
	var res string
	for h.lines.Scan() {
		if r, ok := strings.CutPrefix(h.lines.Text(), "result: "); ok {
			res = r
		}
	}
	if err := h.cmd.Wait(); err != nil {
		t.Fatalf("helper: %v\nstderr:\n%s", err, h.stderr.String())
	}
	if res == "" {
		t.Fatalf("helper printed no result\nstderr:\n%s", h.stderr.String())
	}
	return res
}
