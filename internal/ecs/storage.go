package ecs

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/virga/virga/internal/store/keys"
)

// The records below are what the store keeps under "ecs/": the API's
// own shapes, with what ECS needs beside them. Every change is written
// through under s.mu.

// cluster is a cluster; a deleted one stays INACTIVE.
type cluster struct {
	Name     string           `json:"name"`
	ARN      string           `json:"arn"`
	Status   string           `json:"status"`
	Tags     []Tag            `json:"tags,omitempty"`
	Settings []ClusterSetting `json:"settings,omitempty"`
	// CapacityProviders and DefaultStrategy are the cluster's capacity
	// providers (FARGATE and FARGATE_SPOT) and default strategy.
	CapacityProviders []string                       `json:"capacityProviders,omitempty"`
	DefaultStrategy   []CapacityProviderStrategyItem `json:"defaultStrategy,omitempty"`
}

// family is a task definition family; its revisions are stored one per
// key.
type family struct {
	Name      string
	Revisions []*revision // index revision-1
}

// revision is one task definition revision and its tags.
type revision struct {
	Def  TaskDefinition `json:"def"`
	Tags []Tag          `json:"tags,omitempty"`
}

// task is a task: its description, and what its lifecycle needs.
type task struct {
	T       Task   `json:"task"`
	ID      string `json:"id"`
	Cluster string `json:"cluster"`
	// Service and Deployment name the service (and its deployment) that
	// started the task, if one did.
	Service    string `json:"service,omitempty"`
	Deployment string `json:"deployment,omitempty"`
	// Def is the task definition the task runs, as it was when the task
	// started.
	Def TaskDefinition `json:"def"`
	// Targets are the target groups the task is registered in, until
	// it is deregistered.
	Targets []lbTarget `json:"targets,omitempty"`
	// Network is an awsvpc task's network configuration, the subnets
	// and security groups it is placed in.
	Network *NetworkConfiguration `json:"network,omitempty"`
	// secret names the task's metadata and credential endpoints while it
	// runs (taskenv.go); it is not kept: containers do not outlive the
	// process.
	secret string
	// stats reads its containers' usage while it runs (the runtime's
	// StatsReporter, when it is one); not kept.
	stats StatsReporter
	// sentState is the statuses its last state change event showed
	// (state_events.go); not kept.
	sentState string
}

// service is a service and the scheduler's memory of it.
type service struct {
	D       ServiceDescription `json:"service"`
	Cluster string             `json:"cluster"`
	// Failures counts tasks that failed in a row; NextLaunch is when the
	// scheduler may start another after them (epoch ms).
	Failures   int   `json:"failures,omitempty"`
	NextLaunch int64 `json:"nextLaunch,omitempty"`
	Steady     bool  `json:"steady,omitempty"`
	// Completed marks the deployments whose completion the service's
	// events have told.
	Completed map[string]bool `json:"completed,omitempty"`
}

func base(kind string) []byte {
	return keys.AppendString(keys.AppendString(nil, "ecs"), kind)
}

func clusterKey(name string) []byte { return keys.AppendString(base("cluster"), name) }

func revisionKey(fam string, rev int32) []byte {
	return keys.AppendString(keys.AppendString(base("taskdef"), fam), fmt.Sprintf("%010d", rev))
}

func taskKey(id string) []byte { return keys.AppendString(base("task"), id) }

func serviceKey(clusterName, name string) []byte {
	return keys.AppendString(keys.AppendString(base("service"), clusterName), name)
}

// put writes one record.
func (s *Service) put(key []byte, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	b := s.store.NewBatch()
	defer b.Close()
	b.Set(key, raw)
	return b.Commit()
}

// del removes one record.
func (s *Service) del(key []byte) error {
	b := s.store.NewBatch()
	defer b.Close()
	b.Delete(key)
	return b.Commit()
}

// scan decodes every record under a kind.
func scan[T any](s *Service, kind string, each func(*T)) error {
	lower := base(kind)
	it, err := s.store.NewIter(lower, keys.PrefixEnd(lower))
	if err != nil {
		return err
	}
	for ok := it.First(); ok; ok = it.Next() {
		v := new(T)
		if err := json.Unmarshal(it.Value(), v); err != nil {
			it.Close()
			return fmt.Errorf("ecs: record %q: %w", it.Key(), err)
		}
		each(v)
	}
	return it.Close()
}

// hostStopped is the stoppedReason of tasks a previous process ran.
const hostStopped = "Host EC2 (instance virga) stopped: the virga process that ran the task ended"

// load reads the store into memory. Tasks that were not STOPPED ran under
// a previous process, whose containers are gone: they are stopped now.
func (s *Service) load() error {
	if err := scan(s, "cluster", func(c *cluster) { s.clusters[c.Name] = c }); err != nil {
		return err
	}
	if err := scan(s, "taskdef", func(r *revision) {
		name := deref(r.Def.Family)
		f := s.families[name]
		if f == nil {
			f = &family{Name: name}
			s.families[name] = f
		}
		for len(f.Revisions) < int(deref(r.Def.Revision)) {
			f.Revisions = append(f.Revisions, nil)
		}
		f.Revisions[deref(r.Def.Revision)-1] = r
	}); err != nil {
		return err
	}
	if err := scan(s, "service", func(v *service) { s.services[v.Cluster+"/"+deref(v.D.ServiceName)] = v }); err != nil {
		return err
	}
	var orphans []*task
	if err := scan(s, "task", func(t *task) {
		s.tasks[t.ID] = t
		if deref(t.T.LastStatus) != statusStopped {
			orphans = append(orphans, t)
		}
	}); err != nil {
		return err
	}
	now := s.clock.Now()
	for _, t := range orphans {
		t.markStopped(now, hostStopped, TaskStopCode("TerminationNotice"))
		// Its targets point at ports nothing serves any more.
		if len(t.Targets) > 0 && s.lbs != nil {
			s.deregisterTargets(t, t.Targets)
			t.Targets = nil
		}
		for i := range t.T.Containers {
			c := &t.T.Containers[i]
			if deref(c.LastStatus) != statusStopped {
				c.LastStatus = ptr(statusStopped)
				c.NetworkBindings = nil
			}
		}
		if err := s.put(taskKey(t.ID), t); err != nil {
			return err
		}
	}
	return nil
}

// revisionString is a revision number as ARNs spell it.
func revisionString(r int32) string { return strconv.Itoa(int(r)) }

// clone is a deep copy of a record's part, for an answer: answers are
// encoded after s.mu is released, while task lifecycles and the
// scheduler go on changing the records.
func clone[T any](v T) T {
	raw, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("ecs: cloning %T: %v", v, err))
	}
	var out T
	if err := json.Unmarshal(raw, &out); err != nil {
		panic(fmt.Sprintf("ecs: cloning %T: %v", v, err))
	}
	return out
}
