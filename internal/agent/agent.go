package agent

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/containerd/containerd"
	apievents "github.com/containerd/containerd/api/events"
	"github.com/containerd/containerd/namespaces"
	"github.com/containerd/typeurl/v2"
)

// Namespace is the containerd namespace that holds virga's containers,
// images and snapshots.
const Namespace = "virga"

// ownerLabel marks the containers of one virga (by its data directory),
// so that orphan removal on a shared containerd leaves others' alone.
const ownerLabel = "dev.virga.owner"

// Options configure an Agent.
type Options struct {
	// DataDir is virga's data directory. An agent that starts its own
	// containerd keeps it under DataDir/containerd.
	DataDir string
	// ContainerdAddress is the socket of a running containerd to use. When
	// empty the agent starts its own containerd, on the first StartTask.
	ContainerdAddress string
	// ContainerdBinary is the containerd executable to start; "" looks
	// up "containerd" on PATH (and in /usr/bin, /usr/sbin).
	ContainerdBinary string
	// Snapshotter forces containerd's snapshotter ("overlayfs" or
	// "native"); "" picks overlayfs when an overlay mount works, else
	// native.
	Snapshotter string
	// Credentials, when set, answers a registry's authentication
	// challenge for host with a user name and secret.
	Credentials func(host string) (user, secret string, err error)
	// HostVolumeRoot is the host directory under which a task's
	// Volume.HostPath may lie; "" mounts no host path at all, so that a
	// task definition cannot reach the host's files unless allowed.
	HostVolumeRoot string
	// Logger receives the agent's own messages; nil discards them.
	Logger *slog.Logger
}

// Agent runs tasks through containerd. It is safe for concurrent use.
type Agent struct {
	opts  Options
	log   *slog.Logger
	owner string // value of ownerLabel for this agent's containers

	// mu guards the connection: the daemon, the client and the
	// snapshotter, made once by connect.
	mu          sync.Mutex
	daemon      *daemon
	client      *containerd.Client
	snapshotter string
	closed      bool

	pulls pullCache

	// oomMu guards ooms: containerd's out-of-memory events by container
	// id, from the subscription connect starts (stopEvents ends it).
	oomMu      sync.Mutex
	ooms       map[string]*oomFlag
	stopEvents context.CancelFunc

	// tasksMu guards tasks (taken after mu, never before).
	tasksMu sync.Mutex
	tasks   map[string]*task
}

// New returns an agent. It starts nothing: containerd is reached (or
// started) when the first task starts.
func New(opts Options) *Agent {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	// Paths under DataDir go into containerd's config and the OCI specs
	// runc reads from each bundle's directory: a relative one (make
	// run's ./.virga) would name a file below the bundle instead.
	dir, err := filepath.Abs(opts.DataDir)
	if err != nil {
		dir = opts.DataDir
	}
	opts.DataDir = dir
	sum := sha256.Sum256([]byte(dir))
	return &Agent{
		opts:  opts,
		log:   log,
		owner: hex.EncodeToString(sum[:8]),
		tasks: map[string]*task{},
	}
}

// nsContext puts the agent's containerd namespace on ctx.
func nsContext(ctx context.Context) context.Context {
	return namespaces.WithNamespace(ctx, Namespace)
}

// connect reaches containerd once (starting it if the agent owns it),
// removes the orphans of a previous run, and returns the client.
func (a *Agent) connect(ctx context.Context) (*containerd.Client, string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return nil, "", errors.New("agent is closed")
	}
	if a.client != nil {
		if a.daemon == nil || !a.daemon.exited() {
			return a.client, a.snapshotter, nil
		}
		// Our containerd died (crash, OOM kill, kill by hand): start
		// another. The tasks it ran have lost their handles (their Wait
		// returns an error); the new one's orphan removal kills their
		// containers.
		a.log.Warn("containerd exited; starting it again", "log", filepath.Join(a.daemon.dir, "containerd.log"))
		a.stopEvents()
		a.client.Close()
		a.client, a.daemon = nil, nil
		// Pulled images are handles on the old connection.
		a.pulls.mu.Lock()
		a.pulls.pulls = nil
		a.pulls.mu.Unlock()
	}
	addr := a.opts.ContainerdAddress
	var d *daemon
	if addr == "" {
		var err error
		d, err = startDaemon(ctx, a.opts.ContainerdBinary, filepath.Join(a.opts.DataDir, "containerd"), a.log)
		if err != nil {
			return nil, "", err
		}
		addr = d.socket
	}
	client, err := containerd.New(addr, containerd.WithDefaultNamespace(Namespace), containerd.WithTimeout(10*time.Second))
	if err != nil {
		if d != nil {
			d.stop()
		}
		return nil, "", fmt.Errorf("connect to containerd at %s: %w", addr, err)
	}
	snap, err := chooseSnapshotter(nsContext(ctx), client, d, a.opts.Snapshotter)
	if err != nil {
		client.Close()
		if d != nil {
			d.stop()
		}
		return nil, "", err
	}
	a.daemon, a.client, a.snapshotter = d, client, snap
	evctx, stop := context.WithCancel(nsContext(context.Background()))
	a.stopEvents = stop
	go a.watchOOM(evctx, client)
	a.log.Info("containerd ready", "address", addr, "snapshotter", snap, "own", d != nil)
	a.removeOrphans(nsContext(ctx), client)
	return client, snap, nil
}

// removeOrphans deletes this agent's containers left by a run that died
// before stopping them: their tasks are killed, then the containers and
// their snapshots deleted.
func (a *Agent) removeOrphans(ctx context.Context, client *containerd.Client) {
	cs, err := client.Containers(ctx, fmt.Sprintf("labels.%q==%s", ownerLabel, a.owner))
	if err != nil {
		a.log.Warn("list orphan containers", "err", err)
		return
	}
	for _, c := range cs {
		a.log.Info("removing orphan container", "id", c.ID())
		if t, err := c.Task(ctx, nil); err == nil {
			_ = t.Kill(ctx, syscall.SIGKILL, containerd.WithKillAll)
			if _, err := t.Delete(ctx, containerd.WithProcessKill); err != nil {
				a.log.Warn("delete orphan task", "id", c.ID(), "err", err)
			}
		}
		if err := c.Delete(ctx, containerd.WithSnapshotCleanup); err != nil {
			a.log.Warn("delete orphan container", "id", c.ID(), "err", err)
		}
	}
}

// Close stops the tasks still running (SIGKILL), then the containerd the
// agent started, if any. Images and snapshots of pulled images stay in
// containerd's store for the next run.
func (a *Agent) Close() error {
	a.tasksMu.Lock()
	var ts []*task
	for _, t := range a.tasks {
		ts = append(ts, t)
	}
	a.tasksMu.Unlock()
	var wg sync.WaitGroup
	for _, t := range ts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			_ = t.Stop(ctx, 0)
		}()
	}
	wg.Wait()
	a.mu.Lock()
	defer a.mu.Unlock()
	a.closed = true
	if a.stopEvents != nil {
		a.stopEvents()
	}
	var err error
	if a.client != nil {
		err = a.client.Close()
		a.client = nil
	}
	if a.daemon != nil {
		if derr := a.daemon.stop(); derr != nil && err == nil {
			err = derr
		}
		a.daemon = nil
	}
	// runc's state directories, empty once the tasks are deleted.
	_ = os.RemoveAll(filepath.Dir(a.runcRoot()))
	_ = os.Remove(filepath.Dir(filepath.Dir(a.runcRoot())))
	removeCgroupParents(a.owner)
	return err
}

// removeCgroupParents removes the agent's cgroup directories that runc
// made as parents of the containers' cgroups (empty once they are
// deleted), in each cgroup v1 hierarchy or the v2 one. A directory still
// in use stays: rmdir fails on it.
func removeCgroupParents(owner string) {
	dirs, _ := filepath.Glob(filepath.Join("/sys/fs/cgroup", "*", cgroupParent, owner))
	dirs = append(dirs, filepath.Join("/sys/fs/cgroup", cgroupParent, owner))
	for _, d := range dirs {
		_ = os.Remove(d)
		_ = os.Remove(filepath.Dir(d)) // virga-containers, if no other agent's
	}
}

// abandon drops everything as a crash of virga would: tasks are left
// running, the proxies close with the process, and containerd is left
// running too (a kill -9 of virga) or killed (killDaemon). For tests of
// orphan removal.
func (a *Agent) abandon(killDaemon bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.closed = true
	a.tasksMu.Lock()
	for _, t := range a.tasks {
		t.closeProxies()
	}
	a.tasksMu.Unlock()
	if a.client != nil {
		a.client.Close()
	}
	if a.daemon != nil && killDaemon {
		a.daemon.kill()
	}
}

// watchOOM records containerd's out-of-memory events: a container the
// kernel killed for reaching its memory limit.
func (a *Agent) watchOOM(ctx context.Context, client *containerd.Client) {
	envs, errs := client.EventService().Subscribe(ctx, `topic=="/tasks/oom"`)
	for {
		select {
		case env := <-envs:
			var ev apievents.TaskOOM
			if err := typeurl.UnmarshalTo(env.Event, &ev); err != nil {
				continue
			}
			a.oom(ev.ContainerID).fire()
		case err := <-errs:
			if err != nil && ctx.Err() == nil {
				a.log.Warn("containerd events ended", "err", err)
			}
			return
		}
	}
}

// oomFlag is closed when a container ran out of memory.
type oomFlag struct {
	once sync.Once
	c    chan struct{}
}

func (f *oomFlag) fire() { f.once.Do(func() { close(f.c) }) }

// oom returns the container's flag, made on first use.
func (a *Agent) oom(containerID string) *oomFlag {
	a.oomMu.Lock()
	defer a.oomMu.Unlock()
	if a.ooms == nil {
		a.ooms = map[string]*oomFlag{}
	}
	f, ok := a.ooms[containerID]
	if !ok {
		f = &oomFlag{c: make(chan struct{})}
		a.ooms[containerID] = f
	}
	return f
}

// forgetOOM drops the flag of a deleted container.
func (a *Agent) forgetOOM(containerID string) {
	a.oomMu.Lock()
	defer a.oomMu.Unlock()
	delete(a.ooms, containerID)
}
