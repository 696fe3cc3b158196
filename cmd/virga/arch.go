package main

import (
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// Architectures: virga runs functions natively, and Lambda refuses, as
// AWS does, an executable built for another architecture than the
// function's. A template written for Graviton (Architectures: [arm64])
// would never run on an x86_64 machine, nor one written for x86_64 on an
// arm64 machine. So virga deploy builds native functions (provided.*
// and go1.x) for this machine, and deploys them with this machine's
// architecture, saying so when the template declares another. Makefile
// builds often fix GOARCH in their recipe; they run with a go command
// that builds for this machine whatever GOARCH the recipe sets. An
// executable the build made for another machine (a prebuilt binary, a
// cross-compiled Rust one) fails the deploy with a message that says
// what to change, rather than every invocation with exec format error.

// hostArchitecture is this machine's architecture as Lambda names it.
func hostArchitecture() string {
	if runtime.GOARCH == "arm64" {
		return "arm64"
	}
	return "x86_64"
}

// elfArchitecture is the Lambda architecture an ELF machine stands for,
// or the machine's own name for those Lambda does not have.
func elfArchitecture(m elf.Machine) string {
	switch m {
	case elf.EM_X86_64:
		return "x86_64"
	case elf.EM_AARCH64:
		return "arm64"
	}
	return strings.ToLower(strings.TrimPrefix(m.String(), "EM_"))
}

// nativeExecutable is the file a function's runtime starts from its
// code: bootstrap for the OS-only runtimes, the handler for go1.x; ""
// for runtimes that start an interpreter.
func nativeExecutable(c codeLocation) string {
	switch {
	case c.layer:
		return ""
	case c.runtime == "go1.x":
		if c.handler == "" {
			return "bootstrap"
		}
		return filepath.Base(c.handler)
	case strings.HasPrefix(c.runtime, "provided"):
		return "bootstrap"
	}
	return ""
}

// checkExecutable reports whether a build left a native executable for
// the function in dir, and fails when it is built for another machine.
func checkExecutable(c codeLocation, dir string) (bool, error) {
	name := nativeExecutable(c)
	if name == "" {
		return false, nil
	}
	f, err := elf.Open(filepath.Join(dir, name))
	if err != nil {
		// Missing (a layer may bring it), a script, or not an executable:
		// Lambda says what is wrong when the function starts.
		return false, nil
	}
	defer f.Close()
	if arch := elfArchitecture(f.Machine); arch != hostArchitecture() {
		return false, fmt.Errorf("%s: the build made %s for %s, but virga runs functions natively on this %s machine: build it for %s (for Go, GOARCH=%s)",
			c.logicalID, name, arch, hostArchitecture(), hostArchitecture(), runtime.GOARCH)
	}
	return true, nil
}

// useHostArchitecture makes a function whose build is native for this
// machine declare this machine's architecture, and says so when its
// template declared another.
func useHostArchitecture(c codeLocation, log io.Writer) {
	if c.function == nil {
		return
	}
	host := hostArchitecture()
	if c.architecture != "" && c.architecture != host {
		fmt.Fprintf(log, "notice: %s: declared for %s; virga runs functions natively, so it is built and deployed for %s, this machine's architecture\n",
			c.logicalID, c.architecture, host)
	}
	c.function["Architectures"] = []any{host}
}

// hostGoCommand writes, in dir, a go command that runs this machine's
// go with GOOS=linux and GOARCH set to this machine's, for builds whose
// recipe names another architecture. It returns "" when go is not
// installed.
func hostGoCommand(dir string) (string, error) {
	goPath, err := exec.LookPath("go")
	if errors.Is(err, exec.ErrNotFound) {
		return "", nil
	} else if err != nil {
		return "", err
	}
	if goPath, err = filepath.Abs(goPath); err != nil {
		return "", err
	}
	script := fmt.Sprintf("#!/bin/sh\nGOOS=linux GOARCH=%s exec '%s' \"$@\"\n", runtime.GOARCH, strings.ReplaceAll(goPath, "'", `'\''`))
	if err := os.WriteFile(filepath.Join(dir, "go"), []byte(script), 0o755); err != nil {
		return "", err
	}
	return dir, nil
}
