// Package agent is virga's node agent: it runs tasks, groups of
// containers that share one network namespace (an ECS task in awsvpc
// mode, a Lambda image function), through containerd and runc.
//
//	consumer (ecs, lambda) ─► Agent.StartTask(spec)
//	  connect: containerd at Options.ContainerdAddress, or our own child
//	           containerd (first call only), then orphan removal
//	  pull:    each image resolved at its registry, pulled and unpacked
//	           once per digest
//	  netns:   a new network namespace with only lo, held by the agent
//	  bind:    host ports on 127.0.0.1 ─► proxies into the namespace;
//	           the callback listener inside ─► the host address
//	  start:   containers in order, each joining the namespace
//	Task.Wait(container) ─► exit code; Task.Stop(grace) ─► SIGTERM,
//	  SIGKILL after grace, containers/snapshots/proxies/namespace freed
//
// What it owns: containerd namespace "virga" (its containers, images,
// snapshots and leases), the containerd it starts (config, root, state,
// socket and log under DATA_DIR/containerd, the stdout/stderr FIFOs under
// DATA_DIR/containerd/fifo), the containers' cgroups under
// /virga-containers/<owner>/<container id> (beside Lambda's "virga"
// cgroups; owner as below, so that two virgas never share one),
// runc's state for them under /run/virga/<owner>/runc (runc's default
// directory is shared by every containerd on the machine), and the
// listeners of the port mappings and callbacks. It knows nothing of
// ECS's or Lambda's API shapes: a consumer turns its task definition
// into a TaskSpec and ErrPull/ErrStart into its own error words.
//
// containerd: the client module is github.com/containerd/containerd
// v1.7, whose API (containerd.services.*.v1 over gRPC) is the one a 1.6
// daemon, Debian bookworm's, serves. The agent starts its own containerd
// only when the first task starts, so that virga without containers
// costs nothing; it writes a version 2 config with its own root, state
// and socket and without the CRI plugin, waits for the socket to answer,
// and stops it (SIGTERM, SIGKILL after 10 s) on Close. A containerd left
// by a run that died (its pid in DATA_DIR/containerd/containerd.pid) is
// stopped before a new one starts. The snapshotter is overlayfs when
// containerd loaded it and a trial overlay mount under DATA_DIR works,
// native otherwise (Options.Snapshotter forces one). Each container
// carries the label dev.virga.owner (a hash of the data directory); on
// connecting, the agent kills and deletes the containers with its own
// label, the orphans of a run that died, and leaves any other
// containers of a shared containerd alone. With --in-memory the data
// directory is a new temporary one per run, so orphans of an in-memory
// run on a shared containerd are not found by the next run.
//
// Images: references resolve through containerd's docker resolver. A
// registry on loopback (127.0.0.0/8, ::1, localhost, *.localhost) is
// spoken to in plain HTTP, any other in HTTPS; a name under .localhost
// is dialed at 127.0.0.1 with its port while the request keeps its
// Host, so an ECR-style host such as
// 000000000000.dkr.ecr.us-east-1.localhost:4566 reaches virga. A tag is
// resolved at the registry at each start, and a failure is ErrPull even
// when an image of that name is cached: Fargate's behaviour, and that of
// ECS_IMAGE_PULL_BEHAVIOR=always on EC2 (whose default falls back to
// the cached image). A digest already pulled and unpacked, in this run
// or a previous one, is not fetched again (Agent.Pull pulls ahead of a
// task, the same way). Options.Credentials answers
// registry authentication challenges, or a task's own
// TaskSpec.Credentials for its pulls (PullWith for a pull ahead), so
// that a registry authorizes each pull, resolving included, for whom
// it is made. The cgroup driver is runc's
// cgroupfs, on cgroup v1 or v2 hosts alike (no systemd needed).
//
// Networking, without bridges, veth pairs, iptables or CNI plugins: the
// agent makes each task's network namespace itself (unshare(2) on a
// locked OS thread, lo brought up with an ioctl) and holds it open by a
// file descriptor; every container joins it through
// /proc/<virga pid>/fd/<fd>, so the containers reach each other on
// 127.0.0.1, and the namespace outlives any one container. Port
// mappings: for each, the agent listens on 127.0.0.1:HostPort (0 picks a
// free port) in the host namespace and, for each connection, dials
// 127.0.0.1:ContainerPort from a goroutine that locked its OS thread and
// setns(2)'d into the task's namespace; that goroutine returns without
// unlocking, so Go ends the thread and no other goroutine ever runs in
// the task's namespace. A socket stays in the namespace it was made in,
// so the proxy then copies bytes from ordinary goroutines. A UDP
// mapping relays datagrams the same way: each client address gets its
// own socket in the namespace, connected to the container port, so that
// replies return to it; a flow idle for 60 s is closed. The callback
// (TaskSpec.Callback, such as virga's own address for AWS_ENDPOINT_URL,
// and each of TaskSpec.Callbacks, such as a Lambda environment's Runtime
// API) is the same in reverse: a listener made inside the namespace on
// 127.0.0.1:<port>, each connection dialed to the host address. This
// needs no network configuration as root and works where no CNI plugin
// is installed; a task's ports are on the host's loopback only. The
// namespace has no route out: a container reaches the callback addresses
// and its task's other containers, nothing else (no internet, no DNS
// server; /etc/resolv.conf is the host's, for images that read it).
// Every container of a task has the task id as host name and an
// /etc/hosts mapping it, localhost and TaskSpec.Hosts to loopback,
// written when the task starts. ContainerSpec.Files binds host files
// into a container, read-only.
//
// Containers: the image's config (env, entrypoint, cmd, working
// directory, user) with the spec's overrides: Env adds to and replaces
// the image's variables; EntryPoint replaces the ENTRYPOINT and drops
// the image's CMD (unless KeepImageCommand, as Lambda's ImageConfig
// wants); Command replaces the CMD. MemoryMiB is the cgroup's
// hard memory limit; CPUUnits are cpu shares (cgroup v1 cpu.shares, v2
// cpu.weight as runc converts them), a relative weight as ECS's
// container-level cpu is. stdout and stderr reach ContainerSpec.Logs a
// line at a time; output written before a container exits has been
// handed over when Wait returns (bounded by 2 s for a process that keeps
// the pipes open). The exit code of a container killed by a signal is
// 128+signal (137 after SIGKILL); a task's OOMKilled (interface
// OOMReporter) says whether the kernel killed it for reaching its memory
// limit, from containerd's /tasks/oom events; its ImageDigest
// (interface ImageDigester) is the digest a container's image reference
// resolved to, and its PeakMemoryBytes (interface MemoryReporter) reads
// a running container's peak memory from its cgroup.
//
// Volumes (volumes.go): a task's Volume is a host directory that its
// containers' Mounts bind read-write or read-only: by default an empty
// one under DATA_DIR/containerd/tasks/<task id>/volumes/<name>, removed
// with the task's directory when it stops; a Shared one under
// DATA_DIR/volumes/<name>, kept across tasks; a HostPath only when it
// resolves (symbolic links followed) to Options.HostVolumeRoot or
// below it, and never without that root. Names are one path element
// (letters, digits, - and _), and a volume directory that is a symbolic
// link is refused, so no volume the agent makes lies outside its data
// directory. ReadonlyRootfs mounts a container's root read-only.
//
// Stats (stats.go, interface StatsReporter): a running container's
// memory, CPU and pids counters from containerd's task metrics (cgroup
// v1 or v2), in Docker's units, with the host's CPU time from
// /proc/stat and the previous sample's CPU kept per container.
//
// Health checks and dependencies (health.go): a container's
// HealthCheck command runs inside it as a containerd exec (the
// container's process spec with the check's argv) every Interval, the
// first an Interval after it starts, each run killed after Timeout; a
// run that exits 0 makes it HEALTHY, Retries failed runs in a row
// UNHEALTHY, and failures within StartPeriod count only once it was
// healthy (Docker's HEALTHCHECK rules). HealthReporter reads the
// status. A container's DependsOn are earlier containers of its task:
// StartTask waits before starting it until each reached its condition
// (START: started; COMPLETE: exited; SUCCESS: exited 0; HEALTHY:
// healthy). A SUCCESS dependency that exits non-zero, or one that has
// not reached its condition within its StartTimeout (3 minutes by
// default) of starting, fails StartTask with a DependencyError
// (ErrDependency); Stop ends the wait.
//
// Invariants:
//   - A task is in Agent.tasks from its namespace's creation until its
//     Stop has freed everything; a failed StartTask stops what it made.
//   - No goroutine other than the one that made a namespace socket runs
//     on a thread in a task's namespace; such threads are never reused.
//   - Only connect starts, and only Close stops, the agent's containerd.
//     A containerd of the agent's that died is started again by the next
//     StartTask; the tasks it ran lose their handles (Wait returns an
//     error) and their containers are removed as orphans. The pull cache
//     is emptied with the old connection.
//
// Lock order: Agent.mu (connection) before Agent.tasksMu (task map)
// before task.mu (containers, proxies); pullCache.mu and Agent.oomMu
// are leaves, and a pull waits on its digest's entry in pullCache
// without holding any lock. Stop does not hold
// task.mu while it waits for containers.
//
// Not supported: outbound network access beyond the callback address
// (TCP only), protocols other than tcp and udp in port mappings, host
// ports on addresses other than 127.0.0.1, bridge or host network
// modes, image signature or provenance checks, private registries'
// credential helpers beyond Options.Credentials, volume drivers (a
// volume is a directory), tmpfs mounts, ulimits, Linux capabilities and privileged mode, the image's
// own HEALTHCHECK (only a spec's HealthCheck runs), restart policies,
// CPU quota (hard CPU limits), swap limits,
// GPU devices, rootless operation (the agent needs root), and Windows
// containers.
package agent
