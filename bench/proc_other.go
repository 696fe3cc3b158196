//go:build !linux

package main

import (
	"os/exec"
	"time"
)

// processCPUOf cannot read another process's CPU time here: the
// out-of-process rows' CPU/req count the client only.
func processCPUOf(int) func() time.Duration { return func() time.Duration { return 0 } }

func dieWithParent(*exec.Cmd) {}

func inMemoryFS(string) bool { return false }
