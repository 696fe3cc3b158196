package agent

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/containerd/containerd"
	runcoptions "github.com/containerd/containerd/api/types/runc/options"
	"github.com/containerd/containerd/cio"
	"github.com/containerd/containerd/errdefs"
	"github.com/containerd/containerd/oci"
	"github.com/containerd/containerd/plugin"
	"github.com/opencontainers/runtime-spec/specs-go"
)

// TaskSpec describes a group of containers that share one new network
// namespace, like an ECS task in awsvpc mode.
type TaskSpec struct {
	// ID is unique among running tasks; it names the containerd
	// containers (ID-name).
	ID string
	// Containers start in order; all share one network namespace.
	Containers []ContainerSpec
	// Callback, when set, is a host address (such as virga's
	// "127.0.0.1:4566") that the containers reach as 127.0.0.1 with the
	// same port: the agent listens there inside the task's namespace and
	// proxies each connection to the address on the host.
	Callback string
	// Callbacks are more such addresses, each reached inside as
	// 127.0.0.1 with its own port (a Lambda image function reaches its
	// Runtime API and virga's edge so). Ports must differ.
	Callbacks []string
	// Credentials, when set, answers registries' challenges for this
	// task's pulls instead of Options.Credentials (an ECS task pulls
	// with its execution role's credentials).
	Credentials func(host string) (user, secret string, err error)
	// Volumes are the task's data volumes, which containers' Mounts
	// name.
	Volumes []Volume
	// Hosts are more names the containers' /etc/hosts maps to
	// 127.0.0.1 (virga's API host names, ID.execute-api.localhost, for
	// a Lambda image function); names that are not DNS names are left
	// out.
	Hosts []string
}

// ContainerSpec describes one container of a task.
type ContainerSpec struct {
	Name  string
	Image string // reference, e.g. "127.0.0.1:4566/repo:tag"
	// EntryPoint overrides the image's ENTRYPOINT when set; the image's
	// CMD is then not used unless Command is set (as docker run
	// --entrypoint does).
	EntryPoint []string
	// Command overrides the image's CMD when set.
	Command []string
	// KeepImageCommand keeps the image's CMD with an EntryPoint override
	// (each override replaces only its own setting, as Lambda's
	// ImageConfig does).
	KeepImageCommand bool
	Env              []string // KEY=VALUE, added to (and replacing) the image's
	WorkingDir       string
	User             string // "uid", "uid:gid", "name" or "name:group"
	PortMappings     []PortMapping
	MemoryMiB        int64 // hard limit; 0 = none
	CPUUnits         int64 // ECS cpu units (1024 = one vCPU), as CPU shares; 0 = none
	// Logs receives each line the container writes, without its newline;
	// stream is "stdout" or "stderr". Calls for one stream are in order;
	// the two streams call it from two goroutines, so it must be safe for
	// concurrent use. It may be nil.
	Logs func(stream string, line []byte)
	// HealthCheck, when set, is run in the container while it runs
	// (HealthReporter reports the result).
	HealthCheck *HealthCheck
	// DependsOn are earlier containers of the task, each of which must
	// reach its condition before this one starts.
	DependsOn []Dependency
	// StartTimeout bounds how long a container that depends on this one
	// waits for it to reach a COMPLETE, SUCCESS or HEALTHY condition;
	// 0 is 3 minutes.
	StartTimeout time.Duration
	// Mounts bind the task's volumes into the container.
	Mounts []Mount
	// ReadonlyRootfs mounts the container's root file system read-only.
	ReadonlyRootfs bool
	// Files bind host files into the container, read-only, by the path
	// the container sees each at (virga's certificate authority for a
	// Lambda image function).
	Files map[string]string
}

// PortMapping exposes a container port on the host's loopback.
type PortMapping struct {
	ContainerPort int
	HostPort      int    // 0: the agent picks a free port on 127.0.0.1
	Protocol      string // "tcp" (default) or "udp"
}

// BoundPort is a port mapping as bound.
type BoundPort struct {
	Container     string
	ContainerPort int
	HostPort      int
	Protocol      string
}

// Task is a started task.
type Task interface {
	Ports() []BoundPort
	// Wait blocks until the named container exits and returns its exit
	// code (128+signal for a container killed by a signal).
	Wait(ctx context.Context, container string) (exitCode int, err error)
	// Stop sends SIGTERM to every container, SIGKILL after grace, and
	// frees the task's resources (namespace, port proxies, snapshots).
	Stop(ctx context.Context, grace time.Duration) error
}

// idRe is containerd's identifier syntax; maxIDLen its limit.
var idRe = regexp.MustCompile(`^[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*$`)

const maxIDLen = 76

// containerID names a task's container in containerd.
func containerID(taskID, name string) string {
	id := taskID + "-" + name
	if idRe.MatchString(id) && len(id) <= maxIDLen {
		return id
	}
	sum := sha256.Sum256([]byte(name))
	return taskID + "-" + hex.EncodeToString(sum[:6])
}

type task struct {
	a     *Agent
	id    string
	ns    *netns
	ports []BoundPort
	// hostname is every container's host name; hostsFile, mounted as
	// their /etc/hosts, maps it and localhost to loopback.
	hostname  string
	hostsFile string
	// volumes are the host directories of the task's volumes, by name.
	volumes map[string]string

	// starting is held while StartTask binds and starts containers;
	// Stop waits for it, so that it sees every container made.
	starting sync.Mutex

	// mu guards the fields below; taken after the agent's tasksMu.
	mu         sync.Mutex
	proxies    []interface{ close() }
	containers []*runningContainer
	stopped    bool
	stopping   chan struct{} // closed as Stop begins
	stopDone   chan struct{}
	stopErr    error
}

type runningContainer struct {
	name      string
	container containerd.Container
	task      containerd.Task // nil until created
	exited    chan struct{}   // closed with code set
	code      int
	oomKilled bool
	oom       *oomFlag
	digest    string // the image manifest's digest, "sha256:..."
	waitErr   error
	logs      []*lineWriter
	health    *health
	startedAt time.Time
	// prevRead and prevCPU are the previous Stats sample's (task.mu).
	prevRead time.Time
	prevCPU  CPUStats
}

var (
	_ Task           = (*task)(nil)
	_ OOMReporter    = (*task)(nil)
	_ MemoryReporter = (*task)(nil)
	_ ImageDigester  = (*task)(nil)
	_ HealthReporter = (*task)(nil)
)

// ImageDigester is implemented by the agent's tasks (kept apart from
// Task as OOMReporter is): ImageDigest is the digest of the image
// manifest a container runs, as resolved when the task started.
type ImageDigester interface {
	ImageDigest(container string) string
}

// OOMReporter is implemented by the agent's tasks (an addition to the
// Task interface, kept apart so that consumers' own Task fakes need not
// implement it): OOMKilled says whether an exited container was killed
// for reaching its memory limit.
type OOMReporter interface {
	OOMKilled(container string) bool
}

// MemoryReporter is implemented by the agent's tasks (kept apart from
// Task as OOMReporter is): PeakMemoryBytes is the most memory the named
// running container has used, from its cgroup (v2 memory.peak, or
// memory.current where the kernel has no peak; v1
// memory.max_usage_in_bytes), or 0 when unknown (the container is gone).
type MemoryReporter interface {
	PeakMemoryBytes(container string) int64
}

// StartTask pulls the images, makes the task's network namespace, binds
// its ports and starts its containers in order. On error nothing of the
// task is left behind.
func (a *Agent) StartTask(ctx context.Context, spec TaskSpec) (Task, error) {
	if !idRe.MatchString(spec.ID) || len(spec.ID) > maxIDLen-13 {
		return nil, &StartError{Err: fmt.Errorf("task id %q: want letters, digits and . _ - (at most %d)", spec.ID, maxIDLen-13)}
	}
	if len(spec.Containers) == 0 {
		return nil, &StartError{Err: errors.New("a task needs at least one container")}
	}
	seen := map[string]bool{}
	for _, c := range spec.Containers {
		if c.Name == "" || seen[c.Name] {
			return nil, &StartError{Container: c.Name, Err: errors.New("container names must be unique and not empty")}
		}
		seen[c.Name] = true
		for _, pm := range c.PortMappings {
			if pm.Protocol != "" && pm.Protocol != "tcp" && pm.Protocol != "udp" {
				return nil, &StartError{Container: c.Name, Err: fmt.Errorf("port mapping %d/%s: the protocol is tcp or udp", pm.ContainerPort, pm.Protocol)}
			}
			if pm.ContainerPort < 1 || pm.ContainerPort > 65535 || pm.HostPort < 0 || pm.HostPort > 65535 {
				return nil, &StartError{Container: c.Name, Err: fmt.Errorf("port mapping %d:%d: ports are 1-65535", pm.HostPort, pm.ContainerPort)}
			}
		}
	}
	a.tasksMu.Lock()
	if _, dup := a.tasks[spec.ID]; dup {
		a.tasksMu.Unlock()
		return nil, &StartError{Err: fmt.Errorf("task %s is already running", spec.ID)}
	}
	a.tasksMu.Unlock()

	client, snap, err := a.connect(ctx)
	if err != nil {
		return nil, &StartError{Err: err}
	}
	ctx = nsContext(ctx)
	images := make([]containerd.Image, len(spec.Containers))
	for i, c := range spec.Containers {
		img, err := a.image(ctx, client, snap, c.Image, spec.Credentials)
		if err != nil {
			return nil, err
		}
		images[i] = img
	}

	ns, err := newNetns()
	if err != nil {
		return nil, &StartError{Err: fmt.Errorf("network namespace: %w", err)}
	}
	t := &task{a: a, id: spec.ID, ns: ns, hostname: hostname(spec.ID), stopping: make(chan struct{})}
	a.tasksMu.Lock()
	if _, dup := a.tasks[spec.ID]; dup {
		a.tasksMu.Unlock()
		ns.close()
		return nil, &StartError{Err: fmt.Errorf("task %s is already running", spec.ID)}
	}
	a.tasks[spec.ID] = t
	a.tasksMu.Unlock()

	fail := func(err error) (Task, error) {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		_ = t.Stop(cctx, 0)
		return nil, err
	}
	t.starting.Lock()
	err = t.writeHosts(spec.Hosts)
	if err == nil {
		t.volumes, err = t.volumeDirs(spec.Volumes)
	}
	if err == nil {
		err = t.bind(spec)
	}
	specs := map[string]ContainerSpec{}
	for _, c := range spec.Containers {
		specs[c.Name] = c
	}
	for i, c := range spec.Containers {
		if err != nil {
			break
		}
		if err = t.awaitDependencies(ctx, c, specs); err != nil {
			break
		}
		if serr := t.start(ctx, client, snap, images[i], c); serr != nil {
			err = &StartError{Container: c.Name, Err: serr}
		}
	}
	t.starting.Unlock()
	if err != nil {
		return fail(err)
	}
	return t, nil
}

// bind listens on the task's host ports and, inside the namespace, on
// the callback address.
func (t *task) bind(spec TaskSpec) error {
	callbacks := spec.Callbacks
	if spec.Callback != "" {
		callbacks = append([]string{spec.Callback}, callbacks...)
	}
	for _, target := range callbacks {
		_, port, err := net.SplitHostPort(target)
		if err != nil {
			return &StartError{Err: fmt.Errorf("callback address %q: %w", target, err)}
		}
		ln, err := t.ns.listen("tcp", net.JoinHostPort("127.0.0.1", port))
		if err != nil {
			return &StartError{Err: fmt.Errorf("callback listener %s: %w", target, err)}
		}
		t.proxies = append(t.proxies, newProxy(ln, func(ctx context.Context) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "tcp", target)
		}))
	}
	for _, c := range spec.Containers {
		for _, pm := range c.PortMappings {
			if pm.Protocol == "udp" {
				if err := t.bindUDP(c.Name, pm); err != nil {
					return err
				}
				continue
			}
			ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(pm.HostPort)))
			if err != nil {
				return &StartError{Container: c.Name, Err: fmt.Errorf("host port %d: %w", pm.HostPort, err)}
			}
			target := net.JoinHostPort("127.0.0.1", strconv.Itoa(pm.ContainerPort))
			ns := t.ns
			t.proxies = append(t.proxies, newProxy(ln, func(ctx context.Context) (net.Conn, error) {
				return ns.dial(ctx, "tcp", target)
			}))
			t.ports = append(t.ports, BoundPort{
				Container:     c.Name,
				ContainerPort: pm.ContainerPort,
				HostPort:      ln.Addr().(*net.TCPAddr).Port,
				Protocol:      "tcp",
			})
		}
	}
	return nil
}

// bindUDP relays datagrams from 127.0.0.1:HostPort to the container
// port inside the namespace.
func (t *task) bindUDP(container string, pm PortMapping) error {
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: pm.HostPort})
	if err != nil {
		return &StartError{Container: container, Err: fmt.Errorf("host port %d/udp: %w", pm.HostPort, err)}
	}
	target := net.JoinHostPort("127.0.0.1", strconv.Itoa(pm.ContainerPort))
	ns := t.ns
	t.proxies = append(t.proxies, newUDPProxy(conn, func(ctx context.Context) (net.Conn, error) {
		return ns.dial(ctx, "udp", target)
	}))
	t.ports = append(t.ports, BoundPort{
		Container:     container,
		ContainerPort: pm.ContainerPort,
		HostPort:      conn.LocalAddr().(*net.UDPAddr).Port,
		Protocol:      "udp",
	})
	return nil
}

// start creates and starts one container in the task's namespace.
func (t *task) start(ctx context.Context, client *containerd.Client, snap string, img containerd.Image, c ContainerSpec) error {
	id := containerID(t.id, c.Name)
	imgSpec, err := img.Spec(ctx)
	if err != nil {
		return fmt.Errorf("read image config: %w", err)
	}
	opts := []oci.SpecOpts{
		oci.WithDefaultSpec(),
		oci.WithDefaultUnixDevices,
		oci.WithImageConfig(img),
		oci.WithLinuxNamespace(specs.LinuxNamespace{Type: specs.NetworkNamespace, Path: t.ns.path()}),
		oci.WithHostname(t.hostname),
		oci.WithCgroup(filepath.Join("/", cgroupParent, t.a.owner, id)),
		oci.WithHostResolvconf,
		oci.WithMounts([]specs.Mount{{Destination: "/etc/hosts", Type: "bind", Source: t.hostsFile, Options: []string{"rbind", "ro"}}}),
	}
	for _, dst := range slices.Sorted(maps.Keys(c.Files)) {
		opts = append(opts, oci.WithMounts([]specs.Mount{{Destination: dst, Type: "bind", Source: c.Files[dst], Options: []string{"rbind", "ro"}}}))
	}
	vols, err := mounts(c, t.volumes)
	if err != nil {
		return err
	}
	if len(vols) > 0 {
		opts = append(opts, oci.WithMounts(vols))
	}
	if c.ReadonlyRootfs {
		opts = append(opts, oci.WithRootFSReadonly())
	}
	if len(c.EntryPoint) > 0 || len(c.Command) > 0 {
		opts = append(opts, oci.WithProcessArgs(processArgs(imgSpec.Config.Entrypoint, imgSpec.Config.Cmd, c)...))
	}
	if len(c.Env) > 0 {
		opts = append(opts, oci.WithEnv(c.Env))
	}
	if c.WorkingDir != "" {
		opts = append(opts, oci.WithProcessCwd(c.WorkingDir))
	}
	if c.User != "" {
		opts = append(opts, oci.WithUser(c.User))
	}
	if c.MemoryMiB > 0 {
		opts = append(opts, oci.WithMemoryLimit(uint64(c.MemoryMiB)<<20))
	}
	if c.CPUUnits > 0 {
		shares := uint64(c.CPUUnits)
		if shares < minCPUShares {
			shares = minCPUShares
		}
		opts = append(opts, oci.WithCPUShares(shares))
	}
	ctr, err := client.NewContainer(ctx, id,
		containerd.WithRuntime(plugin.RuntimeRuncV2, &runcoptions.Options{Root: t.a.runcRoot()}),
		containerd.WithImage(img),
		containerd.WithSnapshotter(snap),
		containerd.WithNewSnapshot(id, img),
		containerd.WithContainerLabels(map[string]string{ownerLabel: t.a.owner, "dev.virga.task": t.id, "dev.virga.container": c.Name}),
		containerd.WithNewSpec(opts...),
	)
	if err != nil {
		if errdefs.IsAlreadyExists(err) {
			return fmt.Errorf("container %s already exists in containerd", id)
		}
		return err
	}
	rc := &runningContainer{name: c.Name, container: ctr, exited: make(chan struct{}), oom: t.a.oom(id),
		digest: img.Target().Digest.String(), health: newHealth()}
	t.mu.Lock()
	t.containers = append(t.containers, rc)
	t.mu.Unlock()

	stdout, stderr := io2(c.Logs)
	rc.logs = []*lineWriter{stdout, stderr}
	fifoDir := filepath.Join(t.a.fifoDir(), id)
	if err := os.MkdirAll(fifoDir, 0o700); err != nil {
		return err
	}
	tk, err := ctr.NewTask(ctx, cio.NewCreator(cio.WithStreams(nil, stdout, stderr), cio.WithFIFODir(fifoDir)))
	if err != nil {
		return err
	}
	statusC, err := tk.Wait(context.WithoutCancel(ctx))
	if err != nil {
		_, _ = tk.Delete(ctx, containerd.WithProcessKill)
		return err
	}
	// From here Stop kills and deletes the task: its exit closes exited.
	t.mu.Lock()
	rc.task = tk
	t.mu.Unlock()
	go func() {
		st := <-statusC
		code, _, err := st.Result()
		// Let the output written before the exit reach Logs first.
		copied := make(chan struct{})
		go func() {
			tk.IO().Wait()
			close(copied)
		}()
		select {
		case <-copied:
		case <-time.After(logDrainTimeout):
		}
		stdout.flush()
		stderr.flush()
		if code == 128+uint32(syscall.SIGKILL) && c.MemoryMiB > 0 {
			// The out-of-memory event and the exit travel apart.
			select {
			case <-rc.oom.c:
			case <-time.After(oomEventWait):
			}
		}
		select {
		case <-rc.oom.c:
			rc.oomKilled = true
		default:
		}
		rc.code, rc.waitErr = int(code), err
		close(rc.exited)
	}()
	if err := tk.Start(ctx); err != nil {
		return err
	}
	t.mu.Lock()
	rc.startedAt = time.Now()
	t.mu.Unlock()
	if c.HealthCheck != nil && len(c.HealthCheck.Command) > 0 && c.HealthCheck.Interval > 0 {
		go t.checkHealth(context.WithoutCancel(ctx), rc, *c.HealthCheck)
	}
	return nil
}

// cgroupParent holds the containers' cgroups, beside (not under) the
// "virga" cgroup of Lambda's sandboxes.
const cgroupParent = "virga-containers"

// logDrainTimeout bounds the wait, after a container exits, for its
// output still in the FIFOs (a process it left behind may hold them).
const logDrainTimeout = 2 * time.Second

// oomEventWait bounds the wait, after a container with a memory limit
// was killed, for containerd's out-of-memory event.
const oomEventWait = 500 * time.Millisecond

// minCPUShares is the kernel's smallest cpu.shares (as Docker clamps).
const minCPUShares = 2

// hostname is a task's host name: its id, cut to the 63 bytes of a
// DNS label.
func hostname(taskID string) string {
	if len(taskID) > 63 {
		return taskID[:63]
	}
	return taskID
}

// dir is the task's own directory: its /etc/hosts and its task-scoped
// volumes, removed when it stops.
func (t *task) dir() string {
	return filepath.Join(t.a.opts.DataDir, "containerd", "tasks", t.id)
}

// writeHosts writes the task's /etc/hosts.
func (t *task) writeHosts(more []string) error {
	dir := t.dir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return &StartError{Err: err}
	}
	t.hostsFile = filepath.Join(dir, "hosts")
	hosts := "127.0.0.1\tlocalhost " + t.hostname + "\n::1\tlocalhost ip6-localhost ip6-loopback\n"
	for _, n := range more {
		if hostName(n) {
			hosts += "127.0.0.1\t" + n + "\n"
		}
	}
	if err := os.WriteFile(t.hostsFile, []byte(hosts), 0o644); err != nil {
		return &StartError{Err: err}
	}
	return nil
}

// runcRoot is runc's state directory for the agent's containers. runc's
// default, /run/containerd/runc/<namespace>, is shared by every
// containerd on the machine: two agents' containers of one id would
// collide there.
func (a *Agent) runcRoot() string {
	return filepath.Join("/run", "virga", a.owner, "runc")
}

// fifoDir holds the FIFOs of the containers' stdout and stderr.
func (a *Agent) fifoDir() string {
	return filepath.Join(a.opts.DataDir, "containerd", "fifo")
}

func (t *task) Ports() []BoundPort {
	return append([]BoundPort(nil), t.ports...)
}

func (t *task) container(name string) *runningContainer {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, c := range t.containers {
		if c.name == name {
			return c
		}
	}
	return nil
}

func (t *task) Wait(ctx context.Context, name string) (int, error) {
	c := t.container(name)
	t.mu.Lock()
	started := c != nil && c.task != nil
	t.mu.Unlock()
	if !started {
		return 0, fmt.Errorf("task %s has no container %q", t.id, name)
	}
	select {
	case <-c.exited:
		if c.waitErr != nil {
			return 0, c.waitErr
		}
		return c.code, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// OOMKilled reports whether the named container, which has exited, was
// killed by the kernel for reaching its memory limit (ECS's
// "OutOfMemoryError: Container killed due to memory usage").
func (t *task) OOMKilled(container string) bool {
	c := t.container(container)
	if c == nil {
		return false
	}
	select {
	case <-c.exited:
		return c.oomKilled
	default:
		return false
	}
}

// ImageDigest is the digest of the image manifest a container runs
// ("sha256:..."), or "" for no such container.
func (t *task) ImageDigest(container string) string {
	if c := t.container(container); c != nil {
		return c.digest
	}
	return ""
}

// Stop stops every container (SIGTERM, SIGKILL after grace), deletes the
// containers, their snapshots and FIFOs, closes the proxies and the
// namespace. A second Stop waits for the first.
func (t *task) Stop(ctx context.Context, grace time.Duration) error {
	t.mu.Lock()
	if t.stopped {
		done := t.stopDone
		t.mu.Unlock()
		select {
		case <-done:
			return t.stopErr
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	t.stopped = true
	t.stopDone = make(chan struct{})
	if t.stopping != nil {
		close(t.stopping)
	}
	t.mu.Unlock()

	t.starting.Lock()
	// (empty critical section: waits for a StartTask in progress)
	t.starting.Unlock()
	t.mu.Lock()
	cs := append([]*runningContainer(nil), t.containers...)
	t.mu.Unlock()

	ctx = nsContext(ctx)
	var wg sync.WaitGroup
	errs := make([]error, len(cs))
	for i, c := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = c.stop(ctx, grace)
		}()
	}
	wg.Wait()
	t.closeProxies()
	t.ns.close()
	for _, c := range cs {
		_ = os.RemoveAll(filepath.Join(t.a.fifoDir(), c.container.ID()))
		t.a.forgetOOM(c.container.ID())
	}
	if t.hostsFile != "" {
		_ = os.RemoveAll(filepath.Dir(t.hostsFile))
	}
	t.a.tasksMu.Lock()
	if t.a.tasks[t.id] == t {
		delete(t.a.tasks, t.id)
	}
	t.a.tasksMu.Unlock()
	t.stopErr = errors.Join(errs...)
	close(t.stopDone)
	return t.stopErr
}

func (t *task) closeProxies() {
	t.mu.Lock()
	ps := t.proxies
	t.proxies = nil
	t.mu.Unlock()
	for _, p := range ps {
		p.close()
	}
}

// stop ends one container and deletes it with its snapshot.
func (c *runningContainer) stop(ctx context.Context, grace time.Duration) error {
	if c.task != nil {
		select {
		case <-c.exited:
		default:
			if grace > 0 {
				if err := c.task.Kill(ctx, syscall.SIGTERM); err != nil && !errdefs.IsNotFound(err) {
					return fmt.Errorf("stop %s: %w", c.name, err)
				}
				select {
				case <-c.exited:
				case <-time.After(grace):
				case <-ctx.Done():
				}
			}
		}
		select {
		case <-c.exited:
		default:
			_ = c.task.Kill(ctx, syscall.SIGKILL, containerd.WithKillAll)
			select {
			case <-c.exited:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		if _, err := c.task.Delete(ctx); err != nil && !errdefs.IsNotFound(err) {
			return fmt.Errorf("delete task %s: %w", c.name, err)
		}
	}
	for _, w := range c.logs {
		w.flush()
	}
	if err := c.container.Delete(ctx, containerd.WithSnapshotCleanup); err != nil && !errdefs.IsNotFound(err) {
		return fmt.Errorf("delete container %s: %w", c.name, err)
	}
	return nil
}

// PeakMemoryBytes implements MemoryReporter.
func (t *task) PeakMemoryBytes(container string) int64 {
	rel := filepath.Join(cgroupParent, t.a.owner, containerID(t.id, container))
	for _, f := range []string{
		filepath.Join("/sys/fs/cgroup", rel, "memory.peak"),
		filepath.Join("/sys/fs/cgroup", rel, "memory.current"),
		filepath.Join("/sys/fs/cgroup/memory", rel, "memory.max_usage_in_bytes"),
	} {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		if n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64); err == nil {
			return n
		}
	}
	return 0
}

// processArgs is a container's command line: the image's ENTRYPOINT and
// CMD with the spec's overrides.
func processArgs(imageEntryPoint, imageCmd []string, c ContainerSpec) []string {
	ep, cmd := imageEntryPoint, imageCmd
	if len(c.EntryPoint) > 0 {
		ep = c.EntryPoint
		if !c.KeepImageCommand {
			cmd = nil
		}
	}
	if len(c.Command) > 0 {
		cmd = c.Command
	}
	return append(append([]string{}, ep...), cmd...)
}

// hostName reports whether n is a DNS name a hosts file can carry:
// letters, digits, hyphens and dots, 1 to 253 of them.
func hostName(n string) bool {
	if n == "" || len(n) > 253 {
		return false
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}
