// Package testenv lets tests ask for the tools they need from the
// machine (an interpreter, the aws CLI, containerd) with one rule: on a
// developer's machine a missing tool skips the test with a message that
// says how to get it, and under CI=true it fails the test, because CI
// installs everything through scripts/install-test-deps.sh and a skip
// there would hide a gap.
package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// CI reports whether the tests run under CI: CI is set, and not to
// "false". .ci/run sets CI=true.
func CI() bool {
	v := os.Getenv("CI")
	return v != "" && v != "false"
}

// Require skips t, or fails it under CI=true, when missing is not empty;
// missing says what the machine lacks.
func Require(t testing.TB, missing string) {
	t.Helper()
	if missing == "" {
		return
	}
	if CI() {
		t.Fatalf("%s (under CI=true every tool is required: scripts/install-test-deps.sh installs it)", missing)
	}
	t.Skipf("%s: run scripts/install-test-deps.sh as root", missing)
}

// Tool requires the named program on PATH and returns its path.
func Tool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		Require(t, name+" is not installed")
	}
	return p
}

// PythonWith requires a host python3 that can import every one of
// modules and returns its path: Debian's /usr/bin/python3 (whose python3-*
// packages scripts/install-test-deps.sh installs) if it can, else the
// first python3 on PATH (a pyenv or virtual environment's).
func PythonWith(t testing.TB, modules ...string) string {
	t.Helper()
	var tried []string
	for _, p := range []string{"/usr/bin/python3", "python3"} {
		path, err := exec.LookPath(p)
		if err != nil {
			continue
		}
		if exec.Command(path, "-c", "import "+strings.Join(modules, ", ")).Run() == nil {
			return path
		}
		tried = append(tried, path)
	}
	Require(t, fmt.Sprintf("no python3 on this host (%s) can import %s", strings.Join(tried, ", "), strings.Join(modules, ", ")))
	return ""
}

// Containers requires what running containers needs: root, containerd
// and runc, on PATH or where Debian installs them.
func Containers(t testing.TB) {
	t.Helper()
	Require(t, containersMissing())
}

func containersMissing() string {
	if os.Geteuid() != 0 {
		return "containers need root"
	}
	for _, name := range []string{"containerd", "runc"} {
		if !installed(name) {
			return name + " is not installed"
		}
	}
	return ""
}

// installed reports whether name is on PATH or in one of the system
// directories a root shell may not have on its PATH.
func installed(name string) bool {
	if _, err := exec.LookPath(name); err == nil {
		return true
	}
	for _, dir := range []string{"/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return true
		}
	}
	return false
}
