package bootstraps

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/virga/virga/internal/dirlock"
)

// stampFile, inside the compiled classes, names the source and the JDK
// they were compiled from.
const stampFile = ".stamp"

// CompileJava compiles dir/Bootstrap.java (dir as Install made it) into
// dir/classes with javac, unless the classes there already come from this
// source and this JDK (jdk names it: its java.home and version). The
// classes appear at once, whole: they are made beside, then renamed into
// place. javac takes seconds, so the classes are also kept in a cache
// under the system's temporary directory, named by source and JDK, from
// which the next work directory (another virga, a test's) copies them.
func CompileJava(dir, javac, jdk string) error {
	sum := sha256.Sum256(Java)
	stamp := []byte(hex.EncodeToString(sum[:]) + "\n" + jdk + "\n")
	classes := filepath.Join(dir, JavaClasses)
	// One compiler at a time, across virga processes sharing dir: a
	// second one would move classes away under the first one's functions.
	// The wait has no caller's context: the classes are compiled once per
	// process for every Java function (package functions keeps the
	// outcome, failure included), so no one invocation's end may stop it.
	unlock, err := dirlock.Lock(context.Background(), dir)
	if err != nil {
		return err
	}
	defer unlock()
	if compiled(classes, stamp) {
		return nil
	}
	tmp, err := os.MkdirTemp(dir, ".classes-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	key := sha256.Sum256(stamp)
	cache := filepath.Join(os.TempDir(), "virga-java-bootstrap", hex.EncodeToString(key[:])[:16])
	if !compiled(cache, stamp) || copyDir(cache, tmp) != nil {
		if err := compile(dir, javac, tmp, stamp); err != nil {
			return err
		}
		saveCache(tmp, cache)
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	// Replace the old classes: move them aside first, as a directory
	// cannot be renamed over a non-empty one.
	old := classes + ".old"
	os.RemoveAll(old)
	if err := os.Rename(classes, old); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if err := os.Rename(tmp, classes); err != nil {
		return err
	}
	return os.RemoveAll(old)
}

// compiled reports whether dir holds classes of stamp.
func compiled(dir string, stamp []byte) bool {
	got, err := os.ReadFile(filepath.Join(dir, stampFile))
	return err == nil && bytes.Equal(got, stamp)
}

func compile(dir, javac, out string, stamp []byte) error {
	// String concatenation compiled inline, not through invokedynamic,
	// whose bootstrap on first use delays the first invocation.
	cmd := exec.Command(javac, "-nowarn", "-encoding", "UTF-8", "-XDstringConcat=inline", "-d", out, filepath.Join(dir, JavaFile))
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("compiling the Java bootstrap with %s: %v: %s", javac, err, bytes.TrimSpace(b))
	}
	// The stamp last: classes without it are not taken for compiled.
	return os.WriteFile(filepath.Join(out, stampFile), stamp, 0o644)
}

// saveCache copies freshly compiled classes to the cache, whole or not
// at all; a cache that cannot be written only costs the next compile.
func saveCache(from, cache string) {
	if err := os.MkdirAll(filepath.Dir(cache), 0o755); err != nil {
		return
	}
	tmp, err := os.MkdirTemp(filepath.Dir(cache), ".tmp-*")
	if err != nil {
		return
	}
	defer os.RemoveAll(tmp)
	if copyDir(from, tmp) == nil && os.Chmod(tmp, 0o755) == nil {
		os.Rename(tmp, cache) // fails when another process saved it first
	}
}

// copyDir copies the regular files of the tree from into to.
func copyDir(from, to string) error {
	return filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(from, p)
		if err != nil {
			return err
		}
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
}
