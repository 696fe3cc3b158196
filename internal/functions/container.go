package functions

import (
	"context"
	"errors"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/virga/virga/internal/agent"
	"github.com/virga/virga/internal/functions/sandbox"
)

// Image is what a container image function (PackageType Image) runs: an
// image and ImageConfig's overrides of its ENTRYPOINT, CMD and WORKDIR.
type Image struct {
	// Ref is the image by digest, as the node agent pulls it
	// (ACCOUNT.dkr.ecr.REGION.localhost:PORT/REPO@sha256:...).
	Ref string
	// EntryPoint and Command replace the image's ENTRYPOINT and CMD when
	// set; WorkingDir its WORKDIR.
	EntryPoint []string
	Command    []string
	WorkingDir string
}

// Containers starts tasks: the node agent (package agent).
type Containers interface {
	StartTask(ctx context.Context, spec agent.TaskSpec) (agent.Task, error)
}

// puller is implemented by Containers that can pull an image ahead of
// a task (the agent's Pull): an environment's init then starts when
// its image is there, and Init Duration counts the runtime's init, not
// the download.
type puller interface {
	Pull(ctx context.Context, ref string) error
}

// pullImage fetches an image function's image before its environment
// starts, when the Containers can; a failure is left to the start,
// which reports it.
func (m *Pools) pullImage(ctx context.Context, spec *Spec) {
	if pl, ok := m.opts.Containers.(puller); ok {
		if err := pl.Pull(ctx, spec.Image.Ref); err != nil {
			m.log.Warn("pulling a function's image", "function", spec.FunctionName, "image", spec.Image.Ref, "err", err)
		}
	}
}

// process is an environment's sandbox, whichever kind: a process in its
// own namespaces and cgroup, or a plain one (package sandbox), or a
// container the node agent runs (container).
type process interface {
	// Done is closed when the process has ended and its sandbox is gone.
	Done() <-chan struct{}
	// Exit is how it ended; valid once Done is closed.
	Exit() sandbox.Exit
	// Kill ends it; Done follows.
	Kill()
	// PeakMemoryBytes is the most memory it used so far, 0 if unknown.
	PeakMemoryBytes() int64
}

var _ process = (*sandbox.Process)(nil)

// containerName is the one container of an image function's task.
const containerName = "function"

// container is an image function's environment process: a task of one
// container, whose output goes to the environment's pipe.
type container struct {
	task agent.Task
	done chan struct{}
	kill sync.Once

	mu   sync.Mutex
	exit sandbox.Exit
	peak int64
}

// startContainer starts spec's image in a task of its own, with the
// Runtime API (apiAddr) and virga's edge reachable inside at their host
// addresses, env as its environment and its output written to out,
// which it closes when the container ends.
func (m *Pools) startContainer(ctx context.Context, id string, spec *Spec, env []string, apiAddr string, out *os.File) (*container, error) {
	if m.opts.Containers == nil {
		out.Close()
		return nil, &RuntimeError{Type: TypeService, Message: "container image functions need the node agent, which this virga does not run"}
	}
	var mu sync.Mutex
	logs := func(_ string, line []byte) {
		mu.Lock()
		defer mu.Unlock()
		out.Write(append(line[:len(line):len(line)], '\n'))
	}
	ts := agent.TaskSpec{
		ID:        "lambda-" + id,
		Callbacks: []string{apiAddr},
		Containers: []agent.ContainerSpec{{
			Name:       containerName,
			Image:      spec.Image.Ref,
			EntryPoint: spec.Image.EntryPoint,
			Command:    spec.Image.Command,
			// ImageConfig's values each override their own setting:
			// an EntryPoint keeps the image's CMD.
			KeepImageCommand: true,
			WorkingDir:       spec.Image.WorkingDir,
			Env:              env,
			MemoryMiB:        int64(orInt(spec.MemoryMB, 128)),
			Logs:             logs,
			Files:            caFiles{file: m.opts.CAFile, bundle: m.opts.CABundleFile}.mounts(),
		}},
		// The names known now: a container's /etc/hosts is written
		// when it starts.
		Hosts: m.hosts.list(),
	}
	if edge := loopbackHostPort(spec.Endpoint); edge != "" && edge != apiAddr {
		ts.Callbacks = append(ts.Callbacks, edge)
	}
	task, err := m.opts.Containers.StartTask(ctx, ts)
	if err != nil {
		out.Close()
		return nil, err
	}
	c := &container{task: task, done: make(chan struct{})}
	go func() {
		code, err := task.Wait(context.Background(), containerName)
		ex := sandbox.Exit{Code: code, Status: "exit status " + strconv.Itoa(code)}
		switch {
		case err != nil:
			ex = sandbox.Exit{Code: -1, Status: err.Error()}
		case code > 128:
			ex = sandbox.Exit{Code: -1, Status: "signal: " + signalName(code-128)}
		}
		if r, ok := task.(agent.OOMReporter); ok && r.OOMKilled(containerName) {
			ex.OOM = true
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		task.Stop(ctx, 0)
		cancel()
		mu.Lock()
		out.Close()
		mu.Unlock()
		c.mu.Lock()
		c.exit = ex
		c.mu.Unlock()
		close(c.done)
	}()
	return c, nil
}

func (c *container) Done() <-chan struct{} { return c.done }

func (c *container) Exit() sandbox.Exit {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.exit
}

// Kill stops the task at once (SIGKILL without grace); Done follows.
func (c *container) Kill() {
	c.kill.Do(func() {
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			c.task.Stop(ctx, 0)
		}()
	})
}

// PeakMemoryBytes is the container's cgroup's peak while it runs (the
// agent's MemoryReporter), the last one read once it has ended.
func (c *container) PeakMemoryBytes() int64 {
	select {
	case <-c.done:
	default:
		if r, ok := c.task.(agent.MemoryReporter); ok {
			if n := r.PeakMemoryBytes(containerName); n > 0 {
				c.mu.Lock()
				c.peak = max(c.peak, n)
				c.mu.Unlock()
			}
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.peak
}

// signalName words a signal as Go's wait status does.
func signalName(sig int) string {
	switch sig {
	case 9:
		return "killed"
	case 15:
		return "terminated"
	case 6:
		return "aborted"
	case 11:
		return "segmentation fault"
	}
	return "signal " + strconv.Itoa(sig)
}

// loopbackHostPort is the host:port of a loopback endpoint URL (virga's
// own, http://127.0.0.1:4566), which a container reaches through a
// callback; "" for any other.
func loopbackHostPort(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil || u.Port() == "" {
		return ""
	}
	h := u.Hostname()
	if ip := net.ParseIP(h); (ip != nil && ip.IsLoopback()) || h == "localhost" {
		return u.Host
	}
	return ""
}

// containerEnviron is an image function's environment: Lambda's
// variables as for a custom runtime, less PATH and LD_LIBRARY_PATH,
// which the image's configuration sets, unless the function sets them.
func containerEnviron(spec *Spec, apiAddr, group, stream, initType string, creds Credentials, ca caFiles) []string {
	p := envPaths{taskRoot: "/var/task", runtimeDir: "/var/runtime"}
	if ca.file != "" {
		p.caFile = sandboxCAFile
	}
	if ca.bundle != "" {
		p.caBundle = sandboxCABundle
	}
	env := environ(spec, runtimeInfo{kind: kindProvided}, p, apiAddr, group, stream, initType, creds)
	out := env[:0]
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		if (k == "PATH" || k == "LD_LIBRARY_PATH") && spec.Env[k] == "" {
			continue
		}
		out = append(out, kv)
	}
	return out
}

// startContainer starts the environment of an image function: its
// container, through the node agent. It returns a Result (the
// invocation's error, as for a runtime that cannot start) or an error
// when the environment could not start, nothing when e.proc runs. The
// output pipe's write end w passes to the container, which closes it.
func (e *environment) startContainer(ctx context.Context, inv *Invocation, w *os.File, started time.Time) (*Result, error) {
	p := e.pool
	m := p.m
	spec := &p.spec
	var creds Credentials
	if spec.Credentials != nil {
		var err error
		if creds, err = spec.Credentials(ctx); err != nil {
			w.Close()
			e.discard()
			return nil, &RuntimeError{Type: TypeService, Message: "getting the execution role's credentials: " + err.Error()}
		}
	}
	ca := caFiles{file: m.opts.CAFile, bundle: m.opts.CABundleFile}
	env := containerEnviron(spec, e.api.Addr(), p.group, e.stream, e.initType, creds, ca)
	c, err := m.startContainer(ctx, e.id, spec, env, e.api.Addr(), w)
	var se *agent.StartError
	switch {
	case err == nil:
		e.proc = c
		return nil, nil
	case errors.As(err, &se) && se.Container != "":
		// The image's entry point could not be run (runc's reason);
		// a task that could not be set up at all (no containerd) is the
		// host's failure, below.
		msg := requestPrefix(inv) + "Error: " + err.Error()
		return e.failInit(inv, errorDoc(typeInvalidEntrypoint, msg), msg+"\n"+typeInvalidEntrypoint, started, statusError, typeInvalidEntrypoint), nil
	}
	e.discard()
	var re *RuntimeError
	if errors.As(err, &re) {
		return nil, re
	}
	return nil, &RuntimeError{Type: TypeService, Message: "starting the function's container: " + err.Error()}
}

// caFiles are virga's certificate authority files on the host
// (Options.CAFile, CABundleFile).
type caFiles struct{ file, bundle string }

// mounts binds them where environments see them (/var/virga/).
func (c caFiles) mounts() map[string]string {
	m := map[string]string{}
	if c.file != "" {
		m[sandboxCAFile] = c.file
	}
	if c.bundle != "" {
		m[sandboxCABundle] = c.bundle
	}
	return m
}
