//go:build !linux

package sandbox

import (
	"os/exec"
	"syscall"
)

// Host starts processes; without Linux namespaces and cgroups they are
// plain processes in their own process group.
type Host struct {
	opts Options
	warn warnOnce
}

// New returns a Host for plain processes, logging that it is one.
func New(opts Options) *Host {
	h := &Host{opts: opts, warn: warnOnce{log: opts.Logger}}
	h.warn.warn("functions run as plain processes: sandboxes need Linux")
	return h
}

// Isolation is "process".
func (h *Host) Isolation() string { return "process" }

// Layout says where cfg's process finds its files.
func (h *Host) Layout(cfg *Config) Layout { return plainLayout(h.opts.WorkDir, cfg) }

// Start starts cfg's process.
func (h *Host) Start(cfg *Config) (*Process, error) {
	scratch, err := preparePlain(h.opts.WorkDir, cfg)
	if err != nil {
		return nil, err
	}
	cmd := &exec.Cmd{Path: cfg.Path, Args: append([]string{cfg.Path}, cfg.Args...), Env: cfg.Env,
		Stdout: cfg.Output, Stderr: cfg.Output, Dir: cfg.CodeDir, ExtraFiles: cfg.ExtraFiles,
		SysProcAttr: &syscall.SysProcAttr{Setpgid: true}}
	if err := cmd.Start(); err != nil {
		retryRemove(scratch)
		return nil, err
	}
	pid := cmd.Process.Pid
	p := &Process{pid: pid, done: make(chan struct{}),
		kill: func() { syscall.Kill(-pid, syscall.SIGKILL) },
		term: func() { syscall.Kill(pid, syscall.SIGTERM) },
		peak: func() int64 { return 0 }}
	go func() {
		cmd.Wait()
		syscall.Kill(-pid, syscall.SIGKILL)
		retryRemove(scratch)
		p.mu.Lock()
		p.exit = Exit{Status: cmd.ProcessState.String(), Code: cmd.ProcessState.ExitCode()}
		p.mu.Unlock()
		close(p.done)
	}()
	return p, nil
}
