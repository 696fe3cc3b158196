package pebble

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestFreshDirGetsFormat(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "nested", "data")
	db, err := Open(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	data, err := os.ReadFile(filepath.Join(dir, formatFileName))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.TrimSpace(string(data)), fmt.Sprintf(`{"format":%d}`, formatVersion); got != want {
		t.Errorf("FORMAT = %s, want %s", got, want)
	}
	for _, name := range []string{lockFileName, pebbleDirName} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("missing %s: %v", name, err)
		}
	}
}

func TestFormatChecks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		setup   func(t *testing.T, dir string)
		wantErr string // "" means Open succeeds; %s is the directory
	}{
		{"current format", func(t *testing.T, dir string) {
			writeTestFile(t, dir, formatFileName, `{"format":1}`)
		}, ""},
		{"newer format", func(t *testing.T, dir string) {
			writeTestFile(t, dir, formatFileName, `{"format":7}`)
		}, "data directory %s was written by a newer virga (format 7; this build reads up to 1)"},
		{"garbage format", func(t *testing.T, dir string) {
			writeTestFile(t, dir, formatFileName, "not json")
		}, `data directory %s has an unreadable FORMAT file: "not json"`},
		{"zero format", func(t *testing.T, dir string) {
			writeTestFile(t, dir, formatFileName, `{"format":0}`)
		}, `data directory %s has an unreadable FORMAT file: "{\"format\":0}"`},
		{"pebble data without FORMAT", func(t *testing.T, dir string) {
			if err := os.Mkdir(filepath.Join(dir, pebbleDirName), 0o755); err != nil {
				t.Fatal(err)
			}
		}, "data directory %s holds Pebble data but no FORMAT file; refusing to guess its format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			tt.setup(t, dir)
			db, err := Open(Options{Dir: dir})
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				db.Close()
				return
			}
			if err == nil {
				db.Close()
				t.Fatalf("Open succeeded, want %q", fmt.Sprintf(tt.wantErr, dir))
			}
			if got, want := err.Error(), fmt.Sprintf(tt.wantErr, dir); got != want {
				t.Errorf("Open error = %q, want %q", got, want)
			}
			var fe *FormatError
			if tt.name == "newer format" && (!errors.As(err, &fe) || fe.Found != 7 || fe.Supported != formatVersion) {
				t.Errorf("error %v is not a *FormatError{Found: 7}", err)
			}
			if entries, _ := os.ReadDir(filepath.Join(dir, pebbleDirName)); len(entries) > 0 {
				t.Errorf("refused Open created Pebble files: %v", entries)
			}
			// A refused Open releases the lock.
			writeTestFile(t, dir, formatFileName, `{"format":1}`)
			os.Remove(filepath.Join(dir, pebbleDirName))
			db, err = Open(Options{Dir: dir})
			if err != nil {
				t.Fatalf("Open after fixing the directory: %v", err)
			}
			db.Close()
		})
	}
}

func writeTestFile(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestOpenNeedsDir(t *testing.T) {
	t.Parallel()
	if db, err := Open(Options{}); err == nil {
		db.Close()
		t.Fatal("Open without Dir or InMemory succeeded")
	}
}

// TestLockInProcess checks that a second Open in the same process fails:
// flock locks belong to open file descriptions, so the second open(2) of
// the lock file conflicts with the first.
func TestLockInProcess(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db, err := Open(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Open(Options{Dir: dir})
	want := fmt.Sprintf("data directory %s is in use by process %d", dir, os.Getpid())
	var inUse *InUseError
	if !errors.As(err, &inUse) || inUse.PID != os.Getpid() || err.Error() != want {
		t.Fatalf("second Open = %v, want %q", err, want)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = Open(Options{Dir: dir})
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	db.Close()
}

// TestUnlockWithSharedDescriptor checks that Close releases the lock even
// while another descriptor shares the lock file's open file description, as
// a child process does between fork and exec.
func TestUnlockWithSharedDescriptor(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db, err := Open(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	fd, err := syscall.Dup(int(db.lock.f.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(fd)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = Open(Options{Dir: dir})
	if err != nil {
		t.Fatalf("Open after Close, with the old descriptor still shared: %v", err)
	}
	db.Close()
}

// TestLockAcrossProcesses checks that another process cannot open a held
// directory, is told who holds it, and can open it once it is released.
func TestLockAcrossProcesses(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db, err := Open(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	got := startHelper(t, "open", dir, 20*time.Second).result(t)
	if want := fmt.Sprintf("data directory %s is in use by process %d", dir, os.Getpid()); got != want {
		t.Errorf("second process: %q, want %q", got, want)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if got := startHelper(t, "open", dir, 20*time.Second).result(t); got != "ok" {
		t.Errorf("second process after Close: %q, want ok", got)
	}
}
