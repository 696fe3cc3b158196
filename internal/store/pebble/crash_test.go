package pebble

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
)

// crashKeys are the keys that batch i of the crash writer sets.
func crashKeys(i int) []string {
	return []string{fmt.Sprintf("k%08d/a", i), fmt.Sprintf("k%08d/b", i), fmt.Sprintf("k%08d/c", i)}
}

// crashValue is the value the crash writer stores under key, long enough
// that batches span WAL blocks now and then.
func crashValue(key string) string {
	return "value of " + key + strings.Repeat(".", 200)
}

// TestCrashRecovery kills a writer process with SIGKILL in the middle of a
// stream of commits and checks that every batch whose Commit had returned
// survives, and that the one batch possibly in flight is all or nothing:
// with commits that wait for an fsync, and with the default, commits that
// return once the WAL record is written to the operating system.
func TestCrashRecovery(t *testing.T) {
	t.Parallel()
	for _, fsync := range []bool{false, true} {
		t.Run(fmt.Sprintf("fsync=%v", fsync), func(t *testing.T) {
			t.Parallel()
			testCrashRecovery(t, fsync)
		})
	}
}

func testCrashRecovery(t *testing.T, fsync bool) {
	const acksBeforeKill = 300
	dir := t.TempDir()
	var env []string
	if fsync {
		env = append(env, helperSyncEnv+"=1")
	}
	h := startHelper(t, "writer", dir, 20*time.Second, env...)

	last := -1
	killed := false
	for h.lines.Scan() {
		line := h.lines.Text()
		s, ok := strings.CutPrefix(line, "ack ")
		if !ok {
			t.Fatalf("writer printed %q\nstderr:\n%s", line, h.stderr.String())
		}
		i, err := strconv.Atoi(s)
		if err != nil || i != last+1 {
			t.Fatalf("writer acked %q after %d", s, last)
		}
		last = i
		if last+1 == acksBeforeKill && !killed {
			// Keep reading afterwards: acks printed before the kill landed
			// count too.
			if err := h.cmd.Process.Kill(); err != nil {
				t.Fatalf("kill: %v", err)
			}
			killed = true
		}
	}
	h.cmd.Wait()
	if !killed {
		t.Fatalf("writer stopped after %d acks, before the kill\nstderr:\n%s", last+1, h.stderr.String())
	}

	db, err := Open(Options{Dir: dir})
	if err != nil {
		t.Fatalf("Open after crash: %v", err)
	}
	defer db.Close()
	for i := 0; i <= last; i++ {
		for _, k := range crashKeys(i) {
			if got := getString(t, db, k); got != crashValue(k) {
				t.Fatalf("acknowledged key %s = %q after crash, want its value", k, got)
			}
		}
	}
	// Batch last+1 may have committed without being acknowledged, but only
	// as a whole; nothing later was ever started.
	present := 0
	for _, k := range crashKeys(last + 1) {
		if v := getString(t, db, k); v != "<absent>" {
			if v != crashValue(k) {
				t.Fatalf("in-flight key %s = %q", k, v)
			}
			present++
		}
	}
	if present != 0 && present != len(crashKeys(last+1)) {
		t.Errorf("in-flight batch %d partly applied: %d of %d keys", last+1, present, len(crashKeys(last+1)))
	}
	upper := []byte(fmt.Sprintf("k%08d", last+2))
	if n := len(scan(t, db, nil, upper, false)); n != len(scan(t, db, nil, nil, false)) {
		t.Errorf("keys beyond batch %d exist", last+1)
	}
	t.Logf("%d batches acknowledged; in-flight batch applied: %v", last+1, present > 0)
}

// TestCrashRecoveryNoWait kills a writer whose every other batch is
// committed with CommitNoWait: every batch acknowledged by a waiting Commit
// survives, with every batch before it, and what survives is a prefix of
// the batches, each whole.
func TestCrashRecoveryNoWait(t *testing.T) {
	t.Parallel()
	const acksBeforeKill = 300
	dir := t.TempDir()
	h := startHelper(t, "mixed", dir, 20*time.Second)
	last := -1
	for h.lines.Scan() {
		s, ok := strings.CutPrefix(h.lines.Text(), "ack ")
		if !ok {
			t.Fatalf("writer printed %q\nstderr:\n%s", h.lines.Text(), h.stderr.String())
		}
		i, err := strconv.Atoi(s)
		if err != nil || i != last+1 {
			t.Fatalf("writer acked %q after %d", s, last)
		}
		last = i
		if last+1 == acksBeforeKill {
			if err := h.cmd.Process.Kill(); err != nil {
				t.Fatalf("kill: %v", err)
			}
		}
	}
	h.cmd.Wait()
	if last+1 < acksBeforeKill {
		t.Fatalf("writer stopped after %d acks, before the kill\nstderr:\n%s", last+1, h.stderr.String())
	}
	lastSynced := last
	if lastSynced%2 == 1 {
		lastSynced--
	}

	db, err := Open(Options{Dir: dir})
	if err != nil {
		t.Fatalf("Open after crash: %v", err)
	}
	defer db.Close()
	// Find the surviving prefix: batch i present means 0..i all are.
	end := 0
	for ; ; end++ {
		n := 0
		for _, k := range crashKeys(end) {
			if v := getString(t, db, k); v != "<absent>" {
				if v != crashValue(k) {
					t.Fatalf("key %s = %q", k, v)
				}
				n++
			}
		}
		if n == 0 {
			break
		}
		if n != len(crashKeys(end)) {
			t.Fatalf("batch %d partly applied: %d keys", end, n)
		}
	}
	if end <= lastSynced {
		t.Fatalf("batches 0..%d survived; batch %d was acknowledged by a synced Commit", end-1, lastSynced)
	}
	upper := []byte(fmt.Sprintf("k%08d", end))
	if n := len(scan(t, db, nil, upper, false)); n != len(scan(t, db, nil, nil, false)) {
		t.Errorf("batches beyond the surviving prefix 0..%d exist", end-1)
	}
	t.Logf("%d batches acknowledged, %d survived", last+1, end)
}
