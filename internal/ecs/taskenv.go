package ecs

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// Credentials are a task role's temporary credentials.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	Expiration      time.Time
}

// Roles issues a task role's credentials: an STS session of role named
// session.
type Roles interface {
	AssumeRole(ctx context.Context, role, session string) (Credentials, error)
}

// EndpointPath is where the edge serves the task metadata and credential
// endpoints (MetadataHandler).
const EndpointPath = "/_virga/ecs/"

// outOfMemory is a container's reason when the kernel killed it for
// reaching its memory limit, as ECS's stopped-task errors word it.
const outOfMemory = "OutOfMemoryError: Container killed due to memory usage"

// taskEnv is what ECS sets in every container of a task, before the
// container definition's own environment (which may replace it):
// AWS_REGION, AWS_DEFAULT_REGION, AWS_EXECUTION_ENV,
// ECS_CONTAINER_METADATA_URI_V4, AWS_CONTAINER_CREDENTIALS_FULL_URI when
// the task has a role, and virga's AWS_ENDPOINT_URL. s.mu is held.
func (s *Service) taskEnv(t *task, container string) []KeyValuePair {
	env := []KeyValuePair{
		{Name: ptr("AWS_REGION"), Value: ptr(s.region)},
		{Name: ptr("AWS_DEFAULT_REGION"), Value: ptr(s.region)},
	}
	exec := "AWS_ECS_EC2"
	if deref(t.T.LaunchType) == launchFargate {
		exec = "AWS_ECS_FARGATE"
	}
	env = append(env, KeyValuePair{Name: ptr("AWS_EXECUTION_ENV"), Value: ptr(exec)})
	if s.endpoint == nil {
		return env
	}
	base := s.endpoint()
	if t.secret == "" {
		t.secret = s.ids.Hex(16)
		s.secrets[t.secret] = t.ID
	}
	env = append(env,
		KeyValuePair{Name: ptr("AWS_ENDPOINT_URL"), Value: ptr(base)},
		KeyValuePair{Name: ptr("ECS_CONTAINER_METADATA_URI_V4"), Value: ptr(base + EndpointPath + "v4/" + t.secret + "/" + container)})
	if taskRole(t) != "" && s.roles != nil {
		env = append(env, KeyValuePair{Name: ptr("AWS_CONTAINER_CREDENTIALS_FULL_URI"), Value: ptr(base + EndpointPath + "credentials/" + t.secret)})
	}
	return env
}

// taskRole is the role a task's containers get credentials for: the
// override's, else the task definition's.
func taskRole(t *task) string {
	if t.T.Overrides != nil && deref(t.T.Overrides.TaskRoleArn) != "" {
		return deref(t.T.Overrides.TaskRoleArn)
	}
	return deref(t.Def.TaskRoleArn)
}

// MetadataHandler serves, under EndpointPath, what containers reach
// through the URIs taskEnv gives them:
//
//	GET v4/{secret}/{container}       task metadata v4, the container's
//	GET v4/{secret}/{container}/task  task metadata v4, the task's
//	GET v4/{secret}/{container}/stats       Docker stats of the container
//	GET v4/{secret}/{container}/task/stats  Docker stats of every container, by id
//	GET credentials/{secret}          the task role's credentials
//
// The secret is the task's own, made when it starts and forgotten when
// it stops; anything else is 404.
func (s *Service) MetadataHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+EndpointPath+"v4/{secret}/{container}", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		t := s.secretTask(r.PathValue("secret"))
		var out any
		if t != nil {
			if c := containerMetadata(t, r.PathValue("container")); c != nil {
				out = c
			}
		}
		s.mu.Unlock()
		writeMetadata(w, out)
	})
	mux.HandleFunc("GET "+EndpointPath+"v4/{secret}/{container}/task", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		t := s.secretTask(r.PathValue("secret"))
		var out any
		if t != nil && containerMetadata(t, r.PathValue("container")) != nil {
			out = s.taskMetadata(t)
		}
		s.mu.Unlock()
		writeMetadata(w, out)
	})
	mux.HandleFunc("GET "+EndpointPath+"v4/{secret}/{container}/stats", func(w http.ResponseWriter, r *http.Request) {
		rep, ids := s.statsTargets(r.PathValue("secret"), r.PathValue("container"), false)
		if rep == nil || len(ids) == 0 {
			writeMetadata(w, nil)
			return
		}
		st, err := rep.Stats(r.Context(), ids[0].name)
		if err != nil {
			writeMetadata(w, nil)
			return
		}
		writeMetadata(w, dockerStats(st, ids[0].id))
	})
	mux.HandleFunc("GET "+EndpointPath+"v4/{secret}/{container}/task/stats", func(w http.ResponseWriter, r *http.Request) {
		rep, ids := s.statsTargets(r.PathValue("secret"), r.PathValue("container"), true)
		if rep == nil {
			writeMetadata(w, nil)
			return
		}
		out := map[string]*statsJSON{}
		for _, c := range ids {
			out[c.id] = nil // a container that is not running has none
			if st, err := rep.Stats(r.Context(), c.name); err == nil {
				out[c.id] = dockerStats(st, c.id)
			}
		}
		writeMetadata(w, out)
	})
	mux.HandleFunc("GET "+EndpointPath+"credentials/{secret}", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		t := s.secretTask(r.PathValue("secret"))
		role, id := "", ""
		if t != nil {
			role, id = taskRole(t), t.ID
		}
		s.mu.Unlock()
		if role == "" || s.roles == nil {
			writeCredentialsError(w, http.StatusNotFound, "NotFound", "no credentials for this task: it has no task role")
			return
		}
		c, err := s.roles.AssumeRole(r.Context(), role, id)
		if err != nil {
			writeCredentialsError(w, http.StatusInternalServerError, "AssumeRoleError", err.Error())
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(struct {
			RoleArn         string
			AccessKeyId     string
			SecretAccessKey string
			Token           string
			Expiration      string
		}{role, c.AccessKeyID, c.SecretAccessKey, c.SessionToken, c.Expiration.UTC().Format(time.RFC3339)})
	})
	return mux
}

// secretTask is the running task whose secret is secret, or nil. s.mu
// is held.
func (s *Service) secretTask(secret string) *task {
	id, ok := s.secrets[secret]
	if !ok {
		return nil
	}
	return s.tasks[id]
}

func writeMetadata(w http.ResponseWriter, v any) {
	if v == nil {
		http.Error(w, "404 page not found", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// writeCredentialsError answers as the container credentials endpoint
// does on error: a JSON body with code and message.
func writeCredentialsError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"code": code, "message": msg})
}

// metadataLimits are a container's (CPU units, memory MiB) or a task's
// (CPU in vCPUs, memory MiB) limits.
type metadataLimits struct {
	CPU    *float64 `json:",omitempty"`
	Memory *int64   `json:",omitempty"`
}

type metadataNetwork struct {
	NetworkMode   string
	IPv4Addresses []string
}

type metadataPort struct {
	ContainerPort int32
	Protocol      string
	HostPort      int32
	HostIp        string
}

type metadataContainer struct {
	DockerId      string
	Name          string
	DockerName    string
	Image         string
	ImageID       string `json:",omitempty"`
	Labels        map[string]string
	DesiredStatus string
	KnownStatus   string
	Limits        metadataLimits
	CreatedAt     *time.Time `json:",omitempty"`
	StartedAt     *time.Time `json:",omitempty"`
	FinishedAt    *time.Time `json:",omitempty"`
	ExitCode      *int32     `json:",omitempty"`
	Type          string
	LogDriver     string            `json:",omitempty"`
	LogOptions    map[string]string `json:",omitempty"`
	ContainerARN  string
	Networks      []metadataNetwork
	Ports         []metadataPort `json:",omitempty"`
}

type metadataTask struct {
	Cluster          string
	ServiceName      string `json:",omitempty"`
	TaskARN          string
	Family           string
	Revision         string
	DesiredStatus    string
	KnownStatus      string
	Limits           *metadataLimits `json:",omitempty"`
	PullStartedAt    *time.Time      `json:",omitempty"`
	PullStoppedAt    *time.Time      `json:",omitempty"`
	AvailabilityZone string
	LaunchType       string
	Containers       []metadataContainer
}

// containerMetadata is a container's task metadata v4, or nil when the
// task has no such container. The task's lock is held.
func containerMetadata(t *task, name string) *metadataContainer {
	for i, c := range t.T.Containers {
		if deref(c.Name) != name {
			continue
		}
		cd := t.Def.ContainerDefinitions[i]
		m := &metadataContainer{DockerId: deref(c.RuntimeId), Name: name, DockerName: deref(c.RuntimeId),
			Image: deref(cd.Image), ImageID: deref(c.ImageDigest),
			Labels: map[string]string{
				"com.amazonaws.ecs.cluster":                 deref(t.T.ClusterArn),
				"com.amazonaws.ecs.container-name":          name,
				"com.amazonaws.ecs.task-arn":                deref(t.T.TaskArn),
				"com.amazonaws.ecs.task-definition-family":  deref(t.Def.Family),
				"com.amazonaws.ecs.task-definition-version": strconv.Itoa(int(deref(t.Def.Revision))),
			},
			DesiredStatus: deref(t.T.DesiredStatus), KnownStatus: deref(c.LastStatus),
			CreatedAt: t.T.CreatedAt, StartedAt: t.T.StartedAt, ExitCode: c.ExitCode,
			Type: "NORMAL", ContainerARN: deref(c.ContainerArn),
			Networks: []metadataNetwork{{NetworkMode: string(deref(t.Def.NetworkMode)), IPv4Addresses: []string{"127.0.0.1"}}}}
		for _, b := range c.NetworkBindings {
			m.Ports = append(m.Ports, metadataPort{ContainerPort: deref(b.ContainerPort), Protocol: string(deref(b.Protocol)),
				HostPort: deref(b.HostPort), HostIp: "127.0.0.1"})
		}
		if deref(c.LastStatus) == statusStopped {
			m.FinishedAt = t.T.StoppedAt
		}
		if cd.Cpu != nil {
			v := float64(*cd.Cpu)
			m.Limits.CPU = &v
		}
		if cd.Memory != nil {
			v := int64(*cd.Memory)
			m.Limits.Memory = &v
		}
		if lc := cd.LogConfiguration; lc != nil {
			m.LogDriver = string(deref(lc.LogDriver))
			m.LogOptions = map[string]string{}
			for k, v := range lc.Options {
				m.LogOptions[k] = v
			}
			if _, stream, _, ok := awslogsStream(t.ID, name, lc); ok {
				m.LogOptions["awslogs-stream"] = stream
			}
		}
		return m
	}
	return nil
}

// taskMetadata is a task's metadata v4. s.mu is held.
func (s *Service) taskMetadata(t *task) *metadataTask {
	m := &metadataTask{Cluster: deref(t.T.ClusterArn), ServiceName: t.Service, TaskARN: deref(t.T.TaskArn),
		Family: deref(t.Def.Family), Revision: strconv.Itoa(int(deref(t.Def.Revision))),
		DesiredStatus: deref(t.T.DesiredStatus), KnownStatus: deref(t.T.LastStatus),
		PullStartedAt: t.T.PullStartedAt, PullStoppedAt: t.T.PullStoppedAt,
		AvailabilityZone: deref(t.T.AvailabilityZone), LaunchType: string(deref(t.T.LaunchType))}
	var l metadataLimits
	if v, err := strconv.ParseFloat(deref(t.T.Cpu), 64); err == nil {
		v /= 1024
		l.CPU = &v
	}
	if v, err := strconv.ParseInt(deref(t.T.Memory), 10, 64); err == nil {
		l.Memory = &v
	}
	if l.CPU != nil || l.Memory != nil {
		m.Limits = &l
	}
	for _, c := range t.T.Containers {
		m.Containers = append(m.Containers, *containerMetadata(t, deref(c.Name)))
	}
	return m
}
