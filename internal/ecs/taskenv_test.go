package ecs

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/virga/virga/internal/ids"
)

type fakeRoles struct{ exp time.Time }

func (r fakeRoles) AssumeRole(_ context.Context, role, session string) (Credentials, error) {
	return Credentials{AccessKeyID: "ASIA" + session[:4], SecretAccessKey: "secret", SessionToken: "token " + role, Expiration: r.exp}, nil
}

// oomRuntime's tasks say every exited container was killed for memory.
type oomRuntime struct{ *fakeRuntime }

type oomTask struct{ *fakeTask }

func (oomTask) OOMKilled(string) bool { return true }

func (r oomRuntime) StartTask(ctx context.Context, spec TaskSpec) (RunningTask, error) {
	t, err := r.fakeRuntime.StartTask(ctx, spec)
	if err != nil {
		return nil, err
	}
	return oomTask{t.(*fakeTask)}, nil
}

// envHarness is ECS with an endpoint and task roles, over rt.
func envHarness(t *testing.T, rt Runtime) *harness {
	h := newHarness(t)
	h.s.Close()
	s, err := New(Deps{Store: h.db, Clock: h.clock, IDs: ids.New(nil), Account: "000000000000", Region: "eu-west-1", Runtime: rt,
		Tick: time.Hour, Endpoint: func() string { return "http://127.0.0.1:4566" }, Roles: fakeRoles{h.clock.Now().Add(time.Hour)}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	h.s = s
	switch r := rt.(type) {
	case *fakeRuntime:
		h.rt = r
	case oomRuntime:
		h.rt = r.fakeRuntime
	}
	return h
}

func (h *harness) runOne(role string, env ...KeyValuePair) string {
	h.t.Helper()
	ctx := context.Background()
	def := &RegisterTaskDefinitionRequest{Family: ptr("app"), ContainerDefinitions: []ContainerDefinition{{Name: ptr("web"), Image: ptr("img"),
		Memory: ptr(int32(128)), Environment: env}}}
	if role != "" {
		def.TaskRoleArn = ptr(role)
	}
	if _, err := h.s.registerTaskDefinition(ctx, def); err != nil {
		h.t.Fatal(err)
	}
	out, err := h.s.runTask(ctx, &RunTaskRequest{TaskDefinition: ptr("app")})
	if err != nil {
		h.t.Fatal(err)
	}
	arn := deref(out.Tasks[0].TaskArn)
	id := arn[strings.LastIndex(arn, "/")+1:]
	h.until("RUNNING", func() bool {
		h.s.mu.Lock()
		defer h.s.mu.Unlock()
		return deref(h.s.tasks[id].T.LastStatus) == statusRunning
	})
	return id
}

func get(h http.Handler, url string) (int, string) {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", url, nil))
	return w.Code, w.Body.String()
}

// TestTaskEnvironment: what ECS sets in a task's containers, the
// definition's environment replacing it, and the endpoints behind the
// URIs it gives them, which end with the task.
func TestTaskEnvironment(t *testing.T) {
	h := envHarness(t, newFakeRuntime())
	const role = "arn:aws:iam::000000000000:role/app"
	id := h.runOne(role, KeyValuePair{Name: ptr("AWS_REGION"), Value: ptr("mine")})
	spec := h.rt.specs()[0]
	env := map[string]string{}
	for _, kv := range spec.Containers[0].Env {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	for k, want := range map[string]string{"AWS_REGION": "mine", "AWS_DEFAULT_REGION": "eu-west-1", "AWS_EXECUTION_ENV": "AWS_ECS_EC2",
		"AWS_ENDPOINT_URL": "http://127.0.0.1:4566"} {
		if env[k] != want {
			t.Errorf("%s = %q, want %q", k, env[k], want)
		}
	}
	meta, creds := env["ECS_CONTAINER_METADATA_URI_V4"], env["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
	if !strings.HasPrefix(meta, "http://127.0.0.1:4566"+EndpointPath+"v4/") || !strings.HasSuffix(meta, "/web") ||
		!strings.HasPrefix(creds, "http://127.0.0.1:4566"+EndpointPath+"credentials/") {
		t.Fatalf("URIs %q %q", meta, creds)
	}
	hd := h.s.MetadataHandler()
	meta, creds = strings.TrimPrefix(meta, "http://127.0.0.1:4566"), strings.TrimPrefix(creds, "http://127.0.0.1:4566")

	code, body := get(hd, creds)
	var c struct{ RoleArn, AccessKeyId, SecretAccessKey, Token, Expiration string }
	if err := json.Unmarshal([]byte(body), &c); code != 200 || err != nil || c.RoleArn != role || c.AccessKeyId != "ASIA"+id[:4] ||
		c.Token != "token "+role || c.Expiration != "2026-01-01T01:00:00Z" {
		t.Errorf("credentials: %d %s", code, body)
	}
	code, body = get(hd, meta+"/task")
	var task struct {
		TaskARN, Family, Revision, KnownStatus, LaunchType, AvailabilityZone string
		Containers                                                           []struct{ Name, DockerId string }
	}
	if err := json.Unmarshal([]byte(body), &task); code != 200 || err != nil || !strings.HasSuffix(task.TaskARN, "/"+id) ||
		task.Family != "app" || task.Revision != "1" || task.KnownStatus != "RUNNING" || task.LaunchType != "EC2" ||
		task.AvailabilityZone != "eu-west-1a" || len(task.Containers) != 1 || task.Containers[0].DockerId != id+"-web" {
		t.Errorf("task metadata: %d %s", code, body)
	}
	if code, body := get(hd, meta); code != 200 || !strings.Contains(body, `"Name":"web"`) || !strings.Contains(body, `"NetworkMode":"bridge"`) {
		t.Errorf("container metadata: %d %s", code, body)
	}
	for _, u := range []string{EndpointPath + "credentials/nope", EndpointPath + "v4/nope/web", strings.TrimSuffix(meta, "web") + "other"} {
		if code, _ := get(hd, u); code != 404 {
			t.Errorf("GET %s: %d, want 404", u, code)
		}
	}

	if _, err := h.s.stopTask(context.Background(), &StopTaskRequest{Task: ptr(id)}); err != nil {
		t.Fatal(err)
	}
	h.until("STOPPED", func() bool {
		h.s.mu.Lock()
		defer h.s.mu.Unlock()
		return deref(h.s.tasks[id].T.LastStatus) == statusStopped
	})
	if code, _ := get(hd, creds); code != 404 {
		t.Errorf("credentials of a stopped task: %d", code)
	}
}

// TestTaskWithoutRole: no credentials URI; the credentials endpoint of
// the task answers 404.
func TestTaskWithoutRole(t *testing.T) {
	h := envHarness(t, newFakeRuntime())
	h.runOne("")
	for _, kv := range h.rt.specs()[0].Containers[0].Env {
		if strings.HasPrefix(kv, "AWS_CONTAINER_CREDENTIALS_FULL_URI=") {
			t.Errorf("env has %s", kv)
		}
	}
}

// TestOutOfMemoryReason: a container the kernel killed for its memory
// limit has ECS's OutOfMemoryError as its reason.
func TestOutOfMemoryReason(t *testing.T) {
	rt := oomRuntime{newFakeRuntime()}
	h := envHarness(t, rt)
	id := h.runOne("")
	if err := h.rt.exit(id, "web", 137); err != nil {
		t.Fatal(err)
	}
	h.until("STOPPED", func() bool {
		h.s.mu.Lock()
		defer h.s.mu.Unlock()
		return deref(h.s.tasks[id].T.LastStatus) == statusStopped
	})
	h.s.mu.Lock()
	defer h.s.mu.Unlock()
	c := h.s.tasks[id].T.Containers[0]
	if deref(c.Reason) != "OutOfMemoryError: Container killed due to memory usage" || deref(c.ExitCode) != 137 {
		t.Errorf("container reason %q exit %d", deref(c.Reason), deref(c.ExitCode))
	}
}
