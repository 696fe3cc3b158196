// Package pkginstall installs packages from the public registries with
// their own clients: Python distributions with pip (PyPI, or whatever
// pip's configuration and PIP_* environment variables point it at) and
// Node packages with npm (the npm registry, or the npm configuration's).
// virga deploy installs functions' requirements with it, package
// functions the AWS SDK for JavaScript that Node runtimes ship, and
// package lambda the content of the AWS-published layers it builds.
//
// It does not decide what to install or where it goes; it runs the
// client once, with the flags that keep it quiet and bounded (one retry,
// short timeouts: a registry out of reach fails in seconds, not in the
// minutes the clients' defaults take), and reports a failure with the
// client's last line of output. Failures is the memory its callers
// keep of installs that failed, so that a package that does not exist
// (or a registry out of reach) costs one client run every RetryAfter,
// not one per caller.
package pkginstall

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
)

// Pip installs with python's pip (python -m pip install) into target,
// as pip install -t does, running in target (so that "-r
// requirements.txt" names target's file). args are requirement
// specifiers and pip options. pip's output goes to log; nil keeps it
// for the error.
func Pip(ctx context.Context, python, target string, log io.Writer, args ...string) error {
	all := append([]string{"-m", "pip", "install", "-q", "--retries", "1", "--timeout", "10", "-t", "."}, args...)
	return run(ctx, target, nil, log, python, all...)
}

// NPM installs with npm (its name or path) into prefix/node_modules
// (npm install --prefix prefix), running in prefix. args are package
// specifiers and npm options. npm's output goes to log; nil keeps it
// for the error.
func NPM(ctx context.Context, npm, prefix string, log io.Writer, args ...string) error {
	all := append([]string{"install", "--prefix", prefix, "--no-audit", "--no-fund",
		"--fetch-retries", "1", "--fetch-retry-mintimeout", "1000", "--fetch-retry-maxtimeout", "10000", "--fetch-timeout", "60000"}, args...)
	return run(ctx, prefix, []string{"npm_config_update_notifier=false"}, log, npm, all...)
}

// run runs name in dir (made if missing) with env added to virga's, and
// wraps a failure with the line of output that says why when log is nil.
func run(ctx context.Context, dir string, env []string, log io.Writer, name string, args ...string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	if log == nil {
		cmd.Stdout, cmd.Stderr = &out, &out
	} else {
		cmd.Stdout, cmd.Stderr = log, log
	}
	if err := cmd.Run(); err != nil {
		if line := reason(out.String()); line != "" {
			return fmt.Errorf("%s: %w: %s", name, err, line)
		}
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// reason is the line of a failed install's output that says why: npm's
// first error line past its code, syscall and errno (it ends with where
// its log is), pip's last line.
func reason(out string) string {
	for line := range strings.SplitSeq(out, "\n") {
		msg, ok := strings.CutPrefix(strings.TrimSpace(line), "npm error ")
		if !ok {
			continue
		}
		if word, _, _ := strings.Cut(msg, " "); word != "code" && word != "syscall" && word != "errno" && strings.TrimSpace(msg) != "" {
			return strings.TrimSpace(msg)
		}
	}
	return LastLine(out)
}

// LastLine is the last non-empty line of a command's output, where pip
// and npm say why they failed.
func LastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
