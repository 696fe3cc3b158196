package ecs

import (
	"context"
	"time"
)

// Runtime runs a task's containers on a node. It is the node agent seen
// from ECS: internal/app adapts the agent to it.
type Runtime interface {
	// StartTask starts every container of spec, in order, in one network
	// namespace, and returns the running task. An error says what failed
	// in words a user can act on.
	StartTask(ctx context.Context, spec TaskSpec) (RunningTask, error)
}

// ImagePuller is implemented by runtimes that can pull a task's images
// ahead of StartTask, as the ECS agent pulls them before it creates the
// containers (and their awslogs streams). An error says what failed, as
// StartTask's do.
type ImagePuller interface {
	PullImages(ctx context.Context, spec TaskSpec) error
}

// TaskSpec is a task to start.
type TaskSpec struct {
	// ID is the task's id, unique on the node.
	ID         string
	Containers []ContainerSpec
	// ExecutionRole is the role the task's images are pulled with (its
	// execution role, with roles enforced); "" pulls with virga's own
	// rights.
	ExecutionRole string
	// Volumes are the task's data volumes, which containers' Mounts
	// name.
	Volumes []VolumeSpec
}

// VolumeSpec is one of a task's volumes: an empty directory made for
// the task (the default), a host path (HostPath), or a volume kept by
// name across tasks (Shared, made when missing with Autoprovision).
type VolumeSpec struct {
	Name          string
	HostPath      string
	Shared        bool
	Autoprovision bool
}

// MountSpec mounts a task volume into a container.
type MountSpec struct {
	Volume        string
	ContainerPath string
	ReadOnly      bool
}

// ContainerSpec is one container of a task, after overrides.
type ContainerSpec struct {
	Name         string
	Image        string
	EntryPoint   []string // overrides the image's ENTRYPOINT when set
	Command      []string // overrides the image's CMD when set
	Env          []string // KEY=VALUE
	WorkingDir   string
	User         string
	PortMappings []PublishedPort
	MemoryMiB    int64 // hard limit; 0 is none
	CPUUnits     int64 // 1024 is one vCPU; 0 is none
	// Logs receives the container's output, one call per line; stream
	// is "stdout" or "stderr". Nil discards it.
	Logs func(stream string, line []byte)
	// HealthCheck, when set, runs in the container (HealthReporter).
	HealthCheck *HealthCheckSpec
	// DependsOn are earlier containers that must reach their condition
	// (START, COMPLETE, SUCCESS, HEALTHY) before this one starts; one
	// that cannot fails StartTask.
	DependsOn []DependencySpec
	// StartTimeout is how long containers depending on this one wait
	// for it to reach their condition; 0 is the runtime's default.
	StartTimeout time.Duration
	// Mounts are the container's mountPoints, then those of the
	// containers in its volumesFrom.
	Mounts []MountSpec
	// ReadonlyRootfs mounts the container's root file system read-only
	// (readonlyRootFilesystem).
	ReadonlyRootfs bool
}

// HealthCheckSpec is a container's health check with ECS's defaults
// applied: Command is the argv to run in the container.
type HealthCheckSpec struct {
	Command                        []string
	Interval, Timeout, StartPeriod time.Duration
	Retries                        int
}

// DependencySpec is one dependsOn entry.
type DependencySpec struct {
	Container string
	Condition string
}

// HealthReporter is implemented by running tasks whose containers have
// health checks: Health is HEALTHY, UNHEALTHY or UNKNOWN.
type HealthReporter interface {
	Health(container string) string
}

// PublishedPort publishes a container port on the node.
type PublishedPort struct {
	ContainerPort int
	HostPort      int    // 0: the runtime picks a free port
	Protocol      string // "tcp" or "udp"
}

// BoundPort is a port mapping as the runtime bound it.
type BoundPort struct {
	Container     string
	ContainerPort int
	HostPort      int
	Protocol      string
}

// RunningTask is a started task.
type RunningTask interface {
	// Ports are the task's port mappings with their host ports.
	Ports() []BoundPort
	// Wait blocks until the named container exits and returns its exit
	// code.
	Wait(ctx context.Context, container string) (exitCode int, err error)
	// Stop signals every container to stop, kills them after grace, and
	// frees the task's resources.
	Stop(ctx context.Context, grace time.Duration) error
}

// OOMReporter is implemented by running tasks that know why a container
// ended: OOMKilled says whether the kernel killed it for reaching its
// memory limit (its reason is then ECS's OutOfMemoryError).
type OOMReporter interface {
	OOMKilled(container string) bool
}

// ImageDigester is implemented by running tasks that know which image
// manifest each container runs: ImageDigest is its digest
// ("sha256:..."), DescribeTasks' imageDigest and the metadata's ImageID.
type ImageDigester interface {
	ImageDigest(container string) string
}

// StatsReporter is implemented by running tasks that can read a
// running container's resource usage (the task metadata's /stats).
type StatsReporter interface {
	Stats(ctx context.Context, container string) (ContainerStats, error)
}

// ContainerStats is one sample of a container's resource usage, with
// the previous sample's CPU (PreRead zero for the first), in Docker's
// units: nanoseconds of CPU time, bytes of memory.
type ContainerStats struct {
	Read, PreRead   time.Time
	CPU, PreCPU     CPUStats
	MemoryUsage     uint64
	MemoryMaxUsage  uint64
	MemoryLimit     uint64
	MemoryCounters  map[string]uint64
	Pids, PidsLimit uint64
}

// CPUStats are a container's CPU time and the host's (System).
type CPUStats struct {
	Total, Kernel, User                      uint64
	PerCPU                                   []uint64
	System                                   uint64
	OnlineCPUs                               uint32
	Periods, ThrottledPeriods, ThrottledTime uint64
}

// Logs writes containers' output to CloudWatch Logs for the awslogs log
// driver.
type Logs interface {
	// OpenStream makes sure a task's stream can be written before its
	// containers start: it creates the stream, and the group too when
	// createGroup is set (awslogs-create-group); without it a missing
	// group is CloudWatch Logs' ResourceNotFoundException.
	OpenStream(group, stream string, createGroup bool) error
	// WriteLog appends one line, stamped with at, to the stream, creating
	// the stream if missing, and the group too when createGroup is set
	// (awslogs-create-group); a missing group is an error otherwise.
	WriteLog(group, stream string, createGroup bool, at time.Time, line string) error
}
