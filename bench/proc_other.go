//go:build !linux

package main

import (
	"errors"
	"os/exec"
	"time"
)

// processCPUOf cannot read another process's CPU time here: the
// out-of-process rows' CPU/req count the client only.
func processCPUOf(int) func() time.Duration { return func() time.Duration { return 0 } }

func dieWithParent(*exec.Cmd) {}

func startLasting(cmd *exec.Cmd) error { return cmd.Start() }

func inMemoryFS(string) bool { return false }

func inGroup(*exec.Cmd) {}

const privateVarEnv = "VIRGA_BENCH_PRIVATE_VAR"

func privateVarUnsupported() string { return "mount namespaces are Linux's" }

func withPrivateVar(string, string, ...string) (*exec.Cmd, error) {
	return nil, errors.New(privateVarUnsupported())
}

func privateVarHelper(string) error { return errors.New(privateVarUnsupported()) }

func treeCPU(int) func() time.Duration { return func() time.Duration { return 0 } }

func childrenCPU(string) func() time.Duration { return func() time.Duration { return 0 } }
