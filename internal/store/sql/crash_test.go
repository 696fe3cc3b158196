package pgstore

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/virga/virga/internal/store/sql/pgtest"
	"github.com/virga/virga/internal/store/storetest"
)

// Environment variables that turn the test binary into a writer process.
const (
	helperModeEnv = "VIRGA_PGSTORE_HELPER"     // "writer" or "mixed"
	helperURLEnv  = "VIRGA_PGSTORE_HELPER_URL" // the database
)

// crashKeys are the keys that batch i of the crash writer sets.
func crashKeys(i int) []string {
	return []string{fmt.Sprintf("k%08d/a", i), fmt.Sprintf("k%08d/b", i), fmt.Sprintf("k%08d/c", i)}
}

// crashValue is the value the crash writer stores under key.
func crashValue(key string) string {
	return "value of " + key + strings.Repeat(".", 200)
}

// TestHelperProcess is not a test: the crash tests re-execute the test
// binary to run it as a writer process. Run directly, it skips.
//
// It opens the store at VIRGA_PGSTORE_HELPER_URL and commits batch after
// batch, each setting the keys of crashKeys(i), printing "ack i" once
// Commit has returned, until it fails or is killed. In mode "mixed" every
// odd batch is committed with CommitNoWait.
func TestHelperProcess(t *testing.T) {
	mode := os.Getenv(helperModeEnv)
	if mode == "" {
		t.Skip("writer process for TestCrashRecovery; runs only when re-executed")
	}
	db, err := Open(context.Background(), Options{URL: os.Getenv(helperURLEnv)})
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

// TestCrashRecovery runs a writer process against a private server with
// fsync on, kills both the writer and the whole server with SIGKILL in the
// middle of a stream of commits, restarts the server and checks what
// survived: every batch acknowledged by Commit, with every batch before
// it; each batch whole; and nothing but a prefix of the batches. In mode
// "mixed", batches acknowledged by CommitNoWait may be lost, but only as
// the prefix allows.
func TestCrashRecovery(t *testing.T) {
	t.Parallel()
	bin := pgtest.Require(t)
	for _, mode := range []string{"writer", "mixed"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			srv, err := pgtest.Start(bin, pgtest.Options{Fsync: true})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(srv.Stop) // after the store's own cleanup
			url, err := srv.NewDatabase()
			if err != nil {
				t.Fatal(err)
			}
			last := runCrashWriter(t, srv, mode, url)

			if err := srv.Restart(); err != nil {
				t.Fatalf("restarting the server: %v", err)
			}
			db := openURL(t, url)
			// The surviving prefix: batch i present means 0..i all are.
			end := 0
			for ; ; end++ {
				n := 0
				for _, k := range crashKeys(end) {
					if v := storetest.GetString(t, db, k); v != "<absent>" {
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
			lastSynced := last
			if mode == "mixed" && lastSynced%2 == 1 {
				lastSynced--
			}
			if end <= lastSynced {
				t.Fatalf("batches 0..%d survived; batch %d was acknowledged by a waiting Commit", end-1, lastSynced)
			}
			upper := []byte(fmt.Sprintf("k%08d", end))
			if n := len(storetest.Scan(t, db, nil, upper, false)); n != len(storetest.Scan(t, db, nil, nil, false)) {
				t.Errorf("batches beyond the surviving prefix 0..%d exist", end-1)
			}
			t.Logf("%d batches acknowledged, %d survived", last+1, end)
		})
	}
}

// runCrashWriter runs a writer in mode on url, kills it and the server
// after 300 acknowledgements and returns the last batch acknowledged.
func runCrashWriter(t *testing.T, srv *pgtest.Server, mode, url string) int {
	t.Helper()
	const acksBeforeKill = 300
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), helperModeEnv+"="+mode, helperURLEnv+"="+url)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	lines := bufio.NewScanner(stdout)
	last, killed := -1, false
	for lines.Scan() {
		s, ok := strings.CutPrefix(lines.Text(), "ack ")
		if !ok {
			if killed && strings.HasPrefix(lines.Text(), "result: commit") {
				continue // the server went away under it
			}
			t.Fatalf("writer printed %q\nstderr:\n%s", lines.Text(), stderr.String())
		}
		i, err := strconv.Atoi(s)
		if err != nil || i != last+1 {
			t.Fatalf("writer acked %q after %d", s, last)
		}
		last = i
		if last+1 == acksBeforeKill && !killed {
			// Keep reading afterwards: acks printed before the kills
			// landed count too.
			cmd.Process.Kill()
			srv.Kill()
			killed = true
		}
	}
	if !killed {
		t.Fatalf("writer stopped after %d acks, before the kill\nstderr:\n%s", last+1, stderr.String())
	}
	return last
}
