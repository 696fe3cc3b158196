// Package sandbox starts the process of a Lambda execution environment:
// the runtime (a `bootstrap`, a Go binary, python3 or node running our
// bootstrap), isolated and limited as Lambda isolates it.
//
// As root on Linux each process gets:
//
//   - its own mount, PID, IPC and UTS namespaces. The mount namespace is
//     the host's view with the function's code bound read-only at
//     /var/task, the runtime's files at /var/runtime, its layers at /opt
//     (one bound read-only, several merged by a read-only overlay, later
//     layers winning), the host's /var entries bound back under a
//     read-only tmpfs /var, and a private tmpfs /tmp of EphemeralMB.
//     Every other mount of the namespace is made read-only
//     (mount_setattr, recursively; cgroupfs excepted, which the thread
//     joins the environment's cgroup through), so /tmp is the only place
//     a function writes to, as on Lambda; devices such as /dev/null
//     still work. Where the host's /bin/sh is dash, bash is bound over
//     it, read-only, as on Amazon Linux. Config.Files binds host files
//     into the view, read-only: under /var (made in its tmpfs) or over a
//     file of the host's (virga's /etc/hosts for functions);
//     Config.Links makes symbolic links in /var's tmpfs (the runtime's
//     interpreter at /var/lang/bin/python, as on Lambda). The process
//     still runs as root, and /proc is the host's. The network is the
//     host's, so functions reach virga on loopback.
//   - a cgroup (v2 when its memory, pids and cpu controllers are
//     available, v1 otherwise) under a "virga" directory beside virga's
//     own cgroup: memory limit = MemoryMB (no swap), a pids limit, and
//     CPU weight proportional to memory (1,769 MB = one vCPU's share).
//     Max Memory Used is the cgroup's peak; an OOM kill is read from its
//     counters.
//   - a binding to ceil(MemoryMB / 1,769) CPUs, the least busy (cpus_linux.go):
//     "at 1,769 MB, a function has the equivalent of one vCPU", so a
//     runtime sizes its threads to that (Go's GOMAXPROCS, Node's pools)
//     rather than spinning on every core against its neighbours; warm
//     invocations at concurrency 8 cost the runtimes about a third less
//     CPU. The binding applies to plain processes too.
//
// Without root, namespaces or cgroups it falls back to a plain process in
// its own process group, working in the code directory, and logs one
// warning when the Host is made. Paths the runtime sees differ then;
// Layout says which.
//
// How a sandboxed process is made, cheaply: a goroutine locks itself to
// an OS thread, unshares a mount namespace for that thread only, builds
// the mounts, joins the cgroup (v1: the thread's tid, then it moves back;
// v2: clone3 into the cgroup's fd), and forks the runtime with new PID,
// IPC and UTS namespaces. The runtime inherits all of it; no helper
// process, no second exec. The thread then waits for the process (it
// holds the parent-death signal: if virga dies, the runtime, PID 1 of its
// namespace, dies and takes every process of the namespace with it), and
// is discarded with its namespace when the process ends.
//
// /proc is the host's: the PID namespace isolates signals and lifetime,
// not what /proc lists.
package sandbox
