package bootstraps

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// stampFile, inside the compiled classes, names the source and the JDK
// they were compiled from.
const stampFile = ".stamp"

// CompileJava compiles dir/Bootstrap.java (dir as Install made it) into
// dir/classes with javac, unless the classes there already come from this
// source and this JDK (jdk names it: its java.home and version). The
// classes appear at once, whole: they are compiled beside, then renamed
// into place. javac takes seconds; every later environment of every Java
// function starts from the compiled classes.
func CompileJava(dir, javac, jdk string) error {
	sum := sha256.Sum256(Java)
	stamp := []byte(hex.EncodeToString(sum[:]) + "\n" + jdk + "\n")
	classes := filepath.Join(dir, JavaClasses)
	// One compiler at a time, across virga processes sharing dir: a
	// second one would move classes away under the first one's functions.
	unlock, err := lockDir(dir)
	if err != nil {
		return err
	}
	defer unlock()
	if got, err := os.ReadFile(filepath.Join(classes, stampFile)); err == nil && bytes.Equal(got, stamp) {
		return nil
	}
	tmp, err := os.MkdirTemp(dir, ".classes-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	cmd := exec.Command(javac, "-nowarn", "-encoding", "UTF-8", "-d", tmp, filepath.Join(dir, JavaFile))
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("compiling the Java bootstrap with %s: %v: %s", javac, err, bytes.TrimSpace(out))
	}
	if err := os.WriteFile(filepath.Join(tmp, stampFile), stamp, 0o644); err != nil {
		return err
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
