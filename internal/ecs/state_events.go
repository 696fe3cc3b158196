package ecs

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"sync"
	"time"

	"github.com/virga/virga/internal/awsproto/jsoncodec"
	"github.com/virga/virga/internal/deliver"
)

// ECS sends an "ECS Task State Change" event from aws.ecs to the default
// event bus when a task's status, its desired status or one of its
// containers' statuses changes (RunTask, StopTask, the service
// scheduler, the lifecycle). The detail is the task as DescribeTasks
// shows it, with AWS's differences: timestamps are ISO 8601 strings,
// updatedAt is the time of the change, and there is no healthStatus
// ("the health of the task is not provided in the task state change
// event"). Its version is the task's, which grows with each change, so
// that a consumer can tell a repeated event from a newer one; the task's
// ARN is the event's resource. The events are sent in order by one
// goroutine, after the change is stored and without Service.mu, best
// effort as AWS sends them; those a change makes while virga shuts down
// may be lost.
const (
	eventSource         = "aws.ecs"
	taskStateDetailType = "ECS Task State Change"
)

// stateEvents is the queue of events waiting to be sent.
type stateEvents struct {
	mu      sync.Mutex
	queue   []deliver.Message
	running bool
}

// taskStateChanged queues a task's state change event when its
// statuses differ from those of the last event it sent. s.mu is held.
func (s *Service) taskStateChanged(t *task) {
	if s.events == nil {
		return
	}
	state := deref(t.T.LastStatus) + "/" + deref(t.T.DesiredStatus)
	for _, c := range t.T.Containers {
		state += "/" + deref(c.LastStatus)
	}
	if state == t.sentState {
		return
	}
	t.sentState = state
	m := deliver.Message{Body: taskStateDetail(&t.T, s.clock.Now()), Source: eventSource, DetailType: taskStateDetailType,
		Resources: []string{deref(t.T.TaskArn)}}
	q := &s.stateEvents
	q.mu.Lock()
	q.queue = append(q.queue, m)
	start := !q.running
	q.running = true
	q.mu.Unlock()
	if start {
		go s.sendStateEvents()
	}
}

// sendStateEvents sends the queued events in order until the queue is
// empty.
func (s *Service) sendStateEvents() {
	bus := "arn:aws:events:" + s.region + ":" + s.account + ":event-bus/default"
	q := &s.stateEvents
	for {
		q.mu.Lock()
		if len(q.queue) == 0 || s.ctx.Err() != nil {
			q.queue, q.running = nil, false
			q.mu.Unlock()
			return
		}
		m := q.queue[0]
		q.queue = q.queue[1:]
		q.mu.Unlock()
		// A bus that cannot take the event does not hold the task.
		if err := s.events.Deliver(context.Background(), bus, m); err != nil {
			s.log.Warn("ecs: sending a task state change event", "err", err)
		}
	}
}

// taskTimestamps are the members of a task that are timestamps.
var taskTimestamps = []string{"connectivityAt", "createdAt", "executionStoppedAt", "pullStartedAt", "pullStoppedAt",
	"startedAt", "stoppedAt", "stoppingAt"}

// taskStateDetail is a task as its state change event's detail shows it.
func taskStateDetail(t *Task, now time.Time) []byte {
	var doc map[string]any
	d := json.NewDecoder(bytes.NewReader(jsoncodec.Marshal(nil, t)))
	d.UseNumber()
	if err := d.Decode(&doc); err != nil {
		return []byte("{}")
	}
	for _, k := range taskTimestamps {
		if n, ok := doc[k].(json.Number); ok {
			if f, err := strconv.ParseFloat(n.String(), 64); err == nil {
				doc[k] = isoTime(time.UnixMilli(int64(f*1000 + 0.5)))
			}
		}
	}
	doc["updatedAt"] = isoTime(now)
	delete(doc, "healthStatus")
	if cs, ok := doc["containers"].([]any); ok {
		for _, c := range cs {
			if c, ok := c.(map[string]any); ok {
				delete(c, "healthStatus")
			}
		}
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return []byte("{}")
	}
	return b
}

// isoTime is a timestamp as ECS's events write them:
// 2016-12-06T16:41:05.702Z.
func isoTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}
