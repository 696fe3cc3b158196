package stepfunctions

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/virga/virga/internal/stepfunctions/asl"
	"github.com/virga/virga/internal/store/keys"
)

// activity is an activity as the store keeps it.
type activity struct {
	Name    string            `json:"name"`
	ARN     string            `json:"arn"`
	Created time.Time         `json:"created"`
	Tags    map[string]string `json:"tags,omitempty"`
}

// activityTask is a scheduled activity task waiting for a worker.
type activityTask struct {
	token   string
	input   string
	started func(worker string)
	taken   chan struct{} // closed when a worker has taken it
	takenAt time.Time     // when, set before taken is closed
}

// maxActivityPoll is how long GetActivityTask waits for a task: "The
// maximum time the service holds on to the request before responding
// is 60 seconds."
const maxActivityPoll = 60 * time.Second

func activityKey(name string) []byte { return keys.AppendString(base("activity"), name) }

// activityNameOf is the name in an activity ARN.
func activityNameOf(arn string) string { return arn[strings.LastIndexByte(arn, ':')+1:] }

func (s *Service) activityARN(name string) string {
	return "arn:aws:states:" + s.region + ":" + s.account + ":activity:" + name
}

func activityNotFound(arn string) error {
	return ErrActivityDoesNotExist.WithMessage("Activity Does Not Exist: '" + arn + "'")
}

// activityByARN loads the activity an ARN names.
func (s *Service) activityByARN(arn string) (*activity, error) {
	if !asl.ActivityARN(arn) {
		return nil, invalidARN(arn)
	}
	a, err := getJSON[activity](s.store, activityKey(activityNameOf(arn)))
	if err != nil {
		return nil, err
	}
	if a == nil || a.ARN != arn {
		return nil, activityNotFound(arn)
	}
	return a, nil
}

// createActivity is idempotent: an activity of that name answers its
// ARN and creation date.
func (s *Service) createActivity(_ context.Context, in *CreateActivityInput) (*CreateActivityOutput, error) {
	name := deref(in.Name)
	if !validName(name) {
		return nil, ErrInvalidName.WithMessage("Invalid Name: '" + name + "'")
	}
	tags, err := tagMap(nil, in.Tags)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old, err := getJSON[activity](s.store, activityKey(name))
	if err != nil {
		return nil, err
	}
	if old != nil {
		return &CreateActivityOutput{ActivityArn: &old.ARN, CreationDate: &old.Created}, nil
	}
	a := &activity{Name: name, ARN: s.activityARN(name), Created: s.clock.Now(), Tags: tags}
	if err := s.put(activityKey(name), a); err != nil {
		return nil, err
	}
	return &CreateActivityOutput{ActivityArn: &a.ARN, CreationDate: &a.Created}, nil
}

func (s *Service) describeActivity(_ context.Context, in *DescribeActivityInput) (*DescribeActivityOutput, error) {
	a, err := s.activityByARN(deref(in.ActivityArn))
	if err != nil {
		return nil, err
	}
	return &DescribeActivityOutput{ActivityArn: &a.ARN, Name: &a.Name, CreationDate: &a.Created}, nil
}

func (s *Service) listActivities(_ context.Context, in *ListActivitiesInput) (*ListActivitiesOutput, error) {
	var all []activity
	if err := scan[activity](s.store, base("activity"), func(a *activity) bool { all = append(all, *a); return true }); err != nil {
		return nil, err
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	from, to, next, err := page(len(all), in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &ListActivitiesOutput{Activities: []ActivityListItem{}, NextToken: next}
	for _, a := range all[from:to] {
		out.Activities = append(out.Activities, ActivityListItem{ActivityArn: ptr(a.ARN), Name: ptr(a.Name), CreationDate: ptr(a.Created)})
	}
	return out, nil
}

// deleteActivity deletes an activity; one that does not exist is
// deleted already.
func (s *Service) deleteActivity(_ context.Context, in *DeleteActivityInput) (*DeleteActivityOutput, error) {
	arn := deref(in.ActivityArn)
	if !asl.ActivityARN(arn) {
		return nil, invalidARN(arn)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.store.NewBatch()
	defer b.Close()
	b.Delete(activityKey(activityNameOf(arn)))
	return &DeleteActivityOutput{}, b.Commit()
}

// getActivityTask hands the oldest scheduled task of the activity to
// the worker, waiting up to 60 seconds for one; with none, the answer
// has neither taskToken nor input.
func (s *Service) getActivityTask(ctx context.Context, in *GetActivityTaskInput) (*GetActivityTaskOutput, error) {
	arn := deref(in.ActivityArn)
	if _, err := s.activityByARN(arn); err != nil {
		return nil, err
	}
	deadline := s.clock.Now().Add(maxActivityPoll)
	for {
		s.mu.Lock()
		var t *activityTask
		if q := s.activityQueue[arn]; len(q) > 0 {
			t, s.activityQueue[arn] = q[0], q[1:]
		}
		wake := s.activityWake
		s.mu.Unlock()
		if t != nil {
			t.started(deref(in.WorkerName))
			t.takenAt = s.clock.Now()
			close(t.taken)
			return &GetActivityTaskOutput{TaskToken: &t.token, Input: &t.input}, nil
		}
		if !s.clock.Now().Before(deadline) {
			return &GetActivityTaskOutput{}, nil
		}
		select {
		case <-ctx.Done():
			return &GetActivityTaskOutput{}, nil
		case <-s.base.Done():
			return &GetActivityTaskOutput{}, nil
		case <-wake:
		case <-time.After(pollInterval):
		}
	}
}

// activity runs an activity task: it waits for a worker to take it
// (GetActivityTask), then for SendTaskSuccess or SendTaskFailure, with
// HeartbeatSeconds counted from when the worker took it.
func (x *execEnv) activity(ctx context.Context, c *asl.TaskCall) (any, error) {
	s := x.s
	t := &activityTask{token: s.ids.UUID(), input: asl.Encode(c.Input), started: c.Started, taken: make(chan struct{})}
	w := &waiter{result: make(chan tokenResult, 1), heartbeat: make(chan struct{}, 1)}
	s.mu.Lock()
	s.tokens[t.token] = w
	s.activityQueue[c.Resource] = append(s.activityQueue[c.Resource], t)
	close(s.activityWake)
	s.activityWake = make(chan struct{})
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.tokens, t.token)
		q := s.activityQueue[c.Resource]
		for i, e := range q {
			if e == t {
				s.activityQueue[c.Resource] = append(q[:i:i], q[i+1:]...)
				break
			}
		}
		if len(s.activityQueue[c.Resource]) == 0 {
			delete(s.activityQueue, c.Resource)
		}
		s.mu.Unlock()
	}()
	select {
	case <-t.taken:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return x.waitToken(ctx, w, c.HeartbeatSeconds, t.takenAt)
}
