package agent

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/virga/virga/internal/testenv"
)

// fixture is what the tests share: one agent (one containerd) and one
// registry holding the echo image.
type fixture struct {
	agent *Agent
	image string // 127.0.0.1:PORT/echo:latest
	reg   string // 127.0.0.1:PORT
	// manifestGets counts GETs of manifests by repository/reference.
	manifestGets *requestCounter
}

type requestCounter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *requestCounter) count(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[key]
}

var (
	fixOnce sync.Once
	fix     *fixture
	fixErr  error
	fixDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if fix != nil {
		fix.agent.Close()
	}
	if fixDir != "" {
		os.RemoveAll(fixDir)
	}
	os.Exit(code)
}

func shared(t *testing.T) *fixture {
	t.Helper()
	testenv.Containers(t)
	fixOnce.Do(func() {
		fixDir, fixErr = os.MkdirTemp("", "virga-agent-test-")
		if fixErr != nil {
			return
		}
		var reg, img string
		counter := &requestCounter{n: map[string]int{}}
		reg, img, fixErr = echoRegistry(fixDir, counter)
		if fixErr != nil {
			return
		}
		fix = &fixture{agent: New(Options{DataDir: filepath.Join(fixDir, "data")}), image: img, reg: reg, manifestGets: counter}
	})
	if fixErr != nil {
		t.Fatal(fixErr)
	}
	return fix
}

// echoRegistry builds testdata/echo as a static binary, makes a one-layer
// image of it and serves it from an in-process registry on loopback.
// The image is pushed as echo:latest and once:latest.
func echoRegistry(dir string, gets *requestCounter) (reg, ref string, err error) {
	bin := filepath.Join(dir, "echo")
	cmd := exec.Command("go", "build", "-o", bin, "./testdata/echo")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", "", fmt.Errorf("build echo: %v\n%s", err, out)
	}
	b, err := os.ReadFile(bin)
	if err != nil {
		return "", "", err
	}
	var layer bytes.Buffer
	tw := tar.NewWriter(&layer)
	for _, d := range []string{"tmp/", "work/"} {
		tw.WriteHeader(&tar.Header{Name: d, Typeflag: tar.TypeDir, Mode: 0o777})
	}
	tw.WriteHeader(&tar.Header{Name: "echo", Typeflag: tar.TypeReg, Mode: 0o755, Size: int64(len(b))})
	tw.Write(b)
	tw.Close()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(layer.Bytes())), nil
	})
	if err != nil {
		return "", "", err
	}
	img, err := mutate.AppendLayers(empty.Image, l)
	if err != nil {
		return "", "", err
	}
	img, err = mutate.Config(img, v1.Config{
		Cmd:        []string{"/echo", "-port", "8080"},
		Env:        []string{"PATH=/", "FROM_IMAGE=image", "OVERRIDDEN=image"},
		WorkingDir: "/",
	})
	if err != nil {
		return "", "", err
	}
	h := registry.New(registry.Logger(nopLogger()))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/manifests/") {
			gets.mu.Lock()
			gets.n[strings.Replace(strings.TrimPrefix(r.URL.Path, "/v2/"), "/manifests/", ":", 1)]++
			gets.mu.Unlock()
		}
		h.ServeHTTP(w, r)
	}))
	reg = strings.TrimPrefix(srv.URL, "http://")
	for _, repo := range []string{"echo", "once"} {
		r, err := name.ParseReference(reg + "/" + repo + ":latest")
		if err != nil {
			return "", "", err
		}
		if err := remote.Write(r, img); err != nil {
			return "", "", err
		}
	}
	return reg, reg + "/echo:latest", nil
}

// get fetches url and returns the body; it fails the test on a non-2xx.
func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		t.Fatalf("GET %s: %s: %s", url, resp.Status, b)
	}
	return string(b)
}

// getEventually retries get until the container listens.
func getEventually(t *testing.T, url string) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(url)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode/100 == 2 {
				return string(b)
			}
			err = fmt.Errorf("%s: %s", resp.Status, b)
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s: %v", url, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// logLines collects a container's lines.
type logLines struct {
	mu    sync.Mutex
	lines []string
}

func (l *logLines) add(stream string, line []byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, stream+": "+string(line))
}

func (l *logLines) has(s string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, x := range l.lines {
		if x == s {
			return true
		}
	}
	return false
}

func (l *logLines) waitFor(t *testing.T, s string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !l.has(s) {
		if time.Now().After(deadline) {
			l.mu.Lock()
			defer l.mu.Unlock()
			t.Fatalf("no log line %q in %q", s, l.lines)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func startTask(t *testing.T, a *Agent, spec TaskSpec) Task {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	tk, err := a.StartTask(ctx, spec)
	if err != nil {
		t.Fatalf("StartTask: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		tk.Stop(ctx, 0)
	})
	return tk
}

func taskID(t *testing.T) string {
	return strings.NewReplacer("/", "-", "_", "-").Replace(strings.ToLower(t.Name()))
}

func hostPort(t *testing.T, tk Task, container string, port int) int {
	t.Helper()
	for _, p := range tk.Ports() {
		if p.Container == container && p.ContainerPort == port {
			return p.HostPort
		}
	}
	t.Fatalf("no port %d of %s in %+v", port, container, tk.Ports())
	return 0
}

func TestHostPortReachesContainer(t *testing.T) {
	t.Parallel()
	f := shared(t)
	var logs logLines
	tk := startTask(t, f.agent, TaskSpec{ID: taskID(t), Containers: []ContainerSpec{{
		Name:         "web",
		Image:        f.image,
		Env:          []string{"GREETING=hello", "OVERRIDDEN=task"},
		PortMappings: []PortMapping{{ContainerPort: 8080}},
		Logs:         logs.add,
	}}})
	port := hostPort(t, tk, "web", 8080)
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	if got := getEventually(t, base+"/env?name=GREETING"); got != "hello" {
		t.Errorf("GREETING = %q, want hello", got)
	}
	if got := get(t, base+"/env?name=FROM_IMAGE"); got != "image" {
		t.Errorf("FROM_IMAGE = %q, want the image's", got)
	}
	if got := get(t, base+"/env?name=OVERRIDDEN"); got != "task" {
		t.Errorf("OVERRIDDEN = %q, want the task's", got)
	}
	logs.waitFor(t, "stderr: listening on 8080")
	get(t, base+"/log?msg=hi")
	logs.waitFor(t, "stdout: out: hi")
	logs.waitFor(t, "stderr: err: hi")

	get(t, base+"/exit?code=3")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	code, err := tk.Wait(ctx, "web")
	if err != nil || code != 3 {
		t.Fatalf("Wait = %d, %v; want 3", code, err)
	}
}

func TestContainersShareLocalhost(t *testing.T) {
	t.Parallel()
	f := shared(t)
	tk := startTask(t, f.agent, TaskSpec{ID: taskID(t), Containers: []ContainerSpec{
		{
			Name:         "front",
			Image:        f.image,
			PortMappings: []PortMapping{{ContainerPort: 8080}},
		},
		{
			Name:    "back",
			Image:   f.image,
			Command: []string{"/echo", "-port", "9090"},
			Env:     []string{"WHO=back"},
		},
	}})
	base := "http://127.0.0.1:" + strconv.Itoa(hostPort(t, tk, "front", 8080))
	getEventually(t, base+"/env?name=WHO")
	if got := getEventually(t, base+"/get?url=http://localhost:9090/env?name=WHO"); got != "back" {
		t.Errorf("front → localhost:9090 = %q, want back", got)
	}
	// localhost and the task's host name resolve to loopback.
	if got := get(t, base+"/resolve?name="+taskID(t)); got != taskID(t)+" 127.0.0.1" {
		t.Errorf("resolve host name = %q", got)
	}
}

func TestOverrides(t *testing.T) {
	t.Parallel()
	f := shared(t)
	var logs logLines
	tk := startTask(t, f.agent, TaskSpec{ID: taskID(t), Containers: []ContainerSpec{
		{
			Name:         "web",
			Image:        f.image,
			EntryPoint:   []string{"/echo", "-say", "from-entrypoint"},
			Command:      []string{"-port", "7070"},
			WorkingDir:   "/work",
			User:         "1000:1001",
			PortMappings: []PortMapping{{ContainerPort: 7070}},
			Logs:         logs.add,
		},
		{
			Name:       "once",
			Image:      f.image,
			EntryPoint: []string{"/echo"},
			Command:    []string{"-exit", "7", "-say", "short"},
			Logs:       logs.add,
		},
	}})
	base := "http://127.0.0.1:" + strconv.Itoa(hostPort(t, tk, "web", 7070))
	if got := getEventually(t, base+"/id"); got != "1000:1001 /work" {
		t.Errorf("uid:gid cwd = %q, want 1000:1001 /work", got)
	}
	logs.waitFor(t, "stdout: from-entrypoint")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if code, err := tk.Wait(ctx, "once"); err != nil || code != 7 {
		t.Fatalf("Wait(once) = %d, %v; want 7", code, err)
	}
	// Output written before the exit is there once Wait returns.
	if !logs.has("stdout: short") || !logs.has("stderr: exiting with 7") {
		t.Errorf("logs = %q", logs.lines)
	}
}

func TestStopKillsAfterGrace(t *testing.T) {
	t.Parallel()
	f := shared(t)
	var logs logLines
	tk := startTask(t, f.agent, TaskSpec{ID: taskID(t), Containers: []ContainerSpec{
		{Name: "stubborn", Image: f.image, Env: []string{"IGNORE_SIGTERM=1"}, PortMappings: []PortMapping{{ContainerPort: 8080}}, Logs: logs.add},
		{Name: "polite", Image: f.image, Command: []string{"/echo", "-port", "8081"}, Logs: logs.add},
	}})
	port := hostPort(t, tk, "stubborn", 8080)
	getEventually(t, "http://127.0.0.1:"+strconv.Itoa(port)+"/env?name=X")
	logs.waitFor(t, "stderr: listening on 8081")

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	grace := 1500 * time.Millisecond
	start := time.Now()
	if err := tk.Stop(ctx, grace); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took < grace {
		t.Errorf("Stop took %s, less than the grace %s", took, grace)
	}
	if code, err := tk.Wait(ctx, "stubborn"); err != nil || code != 137 {
		t.Errorf("Wait(stubborn) = %d, %v; want 137 (SIGKILL)", code, err)
	}
	if tk.(OOMReporter).OOMKilled("stubborn") {
		t.Error("OOMKilled = true for a container killed by Stop")
	}
	if code, err := tk.Wait(ctx, "polite"); err != nil || code != 0 {
		t.Errorf("Wait(polite) = %d, %v; want 0", code, err)
	}
	if !logs.has("stdout: ignoring SIGTERM") || !logs.has("stdout: SIGTERM: exiting") {
		t.Errorf("logs = %q", logs.lines)
	}
	// The host port is closed and the containers are gone.
	if c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port)); err == nil {
		c.Close()
		t.Errorf("host port %d still open after Stop", port)
	}
	client, _, err := f.agent.connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := client.Containers(nsContext(ctx), fmt.Sprintf("labels.%q==%s", "dev.virga.task", taskID(t)))
	if err != nil || len(cs) != 0 {
		t.Errorf("containers after Stop: %d, %v", len(cs), err)
	}
}

func TestMemoryLimitAndCPUShares(t *testing.T) {
	t.Parallel()
	f := shared(t)
	tk := startTask(t, f.agent, TaskSpec{ID: taskID(t), Containers: []ContainerSpec{{
		Name: "web", Image: f.image, MemoryMiB: 64, CPUUnits: 256,
	}}})
	ctx := nsContext(context.Background())
	pid := tk.(*task).container("web").task.Pid()
	if got := cgroupValue(t, pid, "memory", "memory.limit_in_bytes", "memory.max"); got != strconv.Itoa(64<<20) {
		t.Errorf("memory limit = %s, want %d", got, 64<<20)
	}
	// cgroup v1 keeps the shares; v2 converts them to a weight.
	if got := cgroupValue(t, pid, "cpu", "cpu.shares", "cpu.weight"); got != "256" && got != strconv.Itoa(1+((256-2)*9999)/262142) {
		t.Errorf("cpu shares/weight = %s, want 256", got)
	}
	if peak := tk.(MemoryReporter).PeakMemoryBytes("web"); peak <= 0 || peak > 64<<20 {
		t.Errorf("peak memory = %d, want some within the 64 MiB limit", peak)
	}
	_ = ctx
}

// cgroupValue reads a file of pid's cgroup: v1name under the
// controller's hierarchy, or v2name in the unified one.
func cgroupValue(t *testing.T, pid uint32, controller, v1name, v2name string) string {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		var file string
		switch {
		case parts[0] == "0" && parts[1] == "":
			file = filepath.Join("/sys/fs/cgroup", parts[2], v2name)
			if _, err := os.Stat(file); err != nil {
				continue
			}
		case strings.Contains(","+parts[1]+",", ","+controller+","):
			file = filepath.Join("/sys/fs/cgroup", controller, parts[2], v1name)
		default:
			continue
		}
		v, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(v))
	}
	t.Fatalf("no %s cgroup for pid %d in %s", controller, pid, b)
	return ""
}

func TestCallbackReachesHost(t *testing.T) {
	t.Parallel()
	f := shared(t)
	host := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "host saw "+r.URL.Path)
	}))
	defer host.Close()
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "other saw "+r.URL.Path)
	}))
	defer other.Close()
	hostAddr := strings.TrimPrefix(host.URL, "http://")
	otherAddr := strings.TrimPrefix(other.URL, "http://")
	_, port, _ := net.SplitHostPort(hostAddr)
	_, otherPort, _ := net.SplitHostPort(otherAddr)
	tk := startTask(t, f.agent, TaskSpec{ID: taskID(t), Callback: hostAddr, Callbacks: []string{otherAddr}, Containers: []ContainerSpec{{
		Name: "web", Image: f.image, PortMappings: []PortMapping{{ContainerPort: 8080}},
		Env: []string{"AWS_ENDPOINT_URL=http://127.0.0.1:" + port},
	}}})
	base := "http://127.0.0.1:" + strconv.Itoa(hostPort(t, tk, "web", 8080))
	if got := getEventually(t, base+"/get?url=http://127.0.0.1:"+port+"/queue"); got != "host saw /queue" {
		t.Errorf("callback = %q", got)
	}
	if got := getEventually(t, base+"/get?url=http://127.0.0.1:"+otherPort+"/runtime"); got != "other saw /runtime" {
		t.Errorf("second callback = %q", got)
	}
}

func TestSameContainerPortTwoTasks(t *testing.T) {
	t.Parallel()
	f := shared(t)
	spec := func(id, who string) TaskSpec {
		return TaskSpec{ID: id, Containers: []ContainerSpec{{
			Name: "web", Image: f.image, Env: []string{"WHO=" + who}, PortMappings: []PortMapping{{ContainerPort: 8080}},
		}}}
	}
	a := startTask(t, f.agent, spec(taskID(t)+"-a", "a"))
	b := startTask(t, f.agent, spec(taskID(t)+"-b", "b"))
	pa, pb := hostPort(t, a, "web", 8080), hostPort(t, b, "web", 8080)
	if pa == pb {
		t.Fatalf("both tasks on host port %d", pa)
	}
	if got := getEventually(t, "http://127.0.0.1:"+strconv.Itoa(pa)+"/env?name=WHO"); got != "a" {
		t.Errorf("task a's port answered %q", got)
	}
	if got := getEventually(t, "http://127.0.0.1:"+strconv.Itoa(pb)+"/env?name=WHO"); got != "b" {
		t.Errorf("task b's port answered %q", got)
	}
	// A fixed host port already taken fails the start, leaving nothing.
	_, err := f.agent.StartTask(context.Background(), TaskSpec{ID: taskID(t) + "-c", Containers: []ContainerSpec{{
		Name: "web", Image: f.image, PortMappings: []PortMapping{{ContainerPort: 8080, HostPort: pa}},
	}}})
	if !errors.Is(err, ErrStart) {
		t.Errorf("start on a taken host port: %v, want ErrStart", err)
	}
}

func TestPullError(t *testing.T) {
	t.Parallel()
	f := shared(t)
	_, err := f.agent.StartTask(context.Background(), TaskSpec{ID: taskID(t), Containers: []ContainerSpec{{
		Name: "web", Image: f.reg + "/missing:latest",
	}}})
	if !errors.Is(err, ErrPull) || !strings.Contains(err.Error(), "not found") {
		t.Fatalf("err = %v, want ErrPull saying not found", err)
	}
}

func TestRestartRemovesOrphans(t *testing.T) {
	t.Parallel()
	f := shared(t)
	for _, tc := range []struct {
		name       string
		killDaemon bool
	}{
		{"containerd left running", false},
		{"containerd killed", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			a := New(Options{DataDir: dir})
			abandoned := false
			t.Cleanup(func() {
				if !abandoned { // the test failed before: leave no containerd
					a.Close()
				}
			})
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			tk, err := a.StartTask(ctx, TaskSpec{ID: "orphan", Containers: []ContainerSpec{{Name: "web", Image: f.image}}})
			if err != nil {
				t.Fatal(err)
			}
			pid := tk.(*task).container("web").task.Pid()
			oldDaemon := a.daemon.cmd.Process.Pid
			a.abandon(tc.killDaemon) // virga dies; the container runs on
			abandoned = true
			if err := syscallKill0(int(pid)); err != nil {
				t.Fatalf("container process gone before the restart: %v", err)
			}

			b := New(Options{DataDir: dir})
			defer b.Close()
			client, _, err := b.connect(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if syscallKill0(oldDaemon) == nil {
				t.Errorf("the previous containerd (pid %d) still runs", oldDaemon)
			}
			cs, err := client.Containers(nsContext(ctx))
			if err != nil || len(cs) != 0 {
				t.Errorf("containers after restart: %d, %v", len(cs), err)
			}
			deadline := time.Now().Add(30 * time.Second)
			for syscallKill0(int(pid)) == nil {
				if time.Now().After(deadline) {
					t.Fatalf("orphan process %d still running", pid)
				}
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
}

func TestPullOncePerDigest(t *testing.T) {
	t.Parallel()
	f := shared(t)
	_, port, _ := net.SplitHostPort(f.reg)
	// An ECR-style name under .localhost reaches the loopback registry.
	ref := "000000000000.dkr.ecr.us-east-1.localhost:" + port + "/once:latest"
	for _, id := range []string{"1", "2"} {
		tk := startTask(t, f.agent, TaskSpec{ID: taskID(t) + "-" + id, Containers: []ContainerSpec{{
			Name: "c", Image: ref, Command: []string{"/echo", "-exit", "0"},
		}}})
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		code, err := tk.Wait(ctx, "c")
		cancel()
		if err != nil || code != 0 {
			t.Fatalf("Wait = %d, %v", code, err)
		}
	}
	// The tag is resolved at each start; the manifest by digest is
	// fetched by the first pull only.
	f.manifestGets.mu.Lock()
	defer f.manifestGets.mu.Unlock()
	byDigest := 0
	for k, n := range f.manifestGets.n {
		if strings.HasPrefix(k, "once:sha256:") {
			byDigest += n
		}
	}
	t.Logf("manifest GETs: %v", f.manifestGets.n)
	if byDigest > 1 {
		t.Errorf("manifest of once fetched by digest %d times, want at most 1 (%v)", byDigest, f.manifestGets.n)
	}
}

func TestMissingContainerdSaysWhatToInstall(t *testing.T) {
	t.Parallel()
	a := New(Options{DataDir: t.TempDir(), ContainerdBinary: filepath.Join(t.TempDir(), "containerd")})
	defer a.Close()
	_, err := a.StartTask(context.Background(), TaskSpec{ID: "t", Containers: []ContainerSpec{{Name: "c", Image: "127.0.0.1:1/x:latest"}}})
	if !errors.Is(err, ErrStart) || !strings.Contains(err.Error(), "apt-get install containerd runc") {
		t.Fatalf("err = %v, want ErrStart naming the Debian packages", err)
	}
}

func TestUDPPortMapping(t *testing.T) {
	t.Parallel()
	f := shared(t)
	tk := startTask(t, f.agent, TaskSpec{ID: taskID(t), Containers: []ContainerSpec{{
		Name: "dns", Image: f.image, Command: []string{"/echo", "-udp", "5353"},
		PortMappings: []PortMapping{{ContainerPort: 5353, Protocol: "udp"}, {ContainerPort: 8080}},
	}}})
	var port int
	for _, p := range tk.Ports() {
		if p.Protocol == "udp" {
			port = p.HostPort
		}
	}
	getEventually(t, "http://127.0.0.1:"+strconv.Itoa(hostPort(t, tk, "dns", 8080))+"/env?name=X")
	c, err := net.Dial("udp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	buf := make([]byte, 100)
	for deadline := time.Now().Add(20 * time.Second); ; {
		c.Write([]byte("ping"))
		c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		n, err := c.Read(buf)
		if err == nil {
			if got := string(buf[:n]); got != "PING" {
				t.Fatalf("reply %q, want PING", got)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no UDP reply: %v", err)
		}
	}
}

func TestRefusesUnknownProtocol(t *testing.T) {
	t.Parallel()
	a := New(Options{DataDir: t.TempDir()})
	defer a.Close()
	_, err := a.StartTask(context.Background(), TaskSpec{ID: "t", Containers: []ContainerSpec{{
		Name: "c", Image: "127.0.0.1:1/x:latest", PortMappings: []PortMapping{{ContainerPort: 53, Protocol: "sctp"}},
	}}})
	if !errors.Is(err, ErrStart) || !strings.Contains(err.Error(), "tcp or udp") {
		t.Fatalf("err = %v, want ErrStart for sctp", err)
	}
}

func TestNativeSnapshotter(t *testing.T) {
	t.Parallel()
	f := shared(t)
	a := New(Options{DataDir: t.TempDir(), Snapshotter: "native"})
	defer a.Close()
	var logs logLines
	tk := startTask(t, a, TaskSpec{ID: "native", Containers: []ContainerSpec{{
		Name: "c", Image: f.image, Command: []string{"/echo", "-say", "on native", "-exit", "0"}, Logs: logs.add,
	}}})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if code, err := tk.Wait(ctx, "c"); err != nil || code != 0 {
		t.Fatalf("Wait = %d, %v", code, err)
	}
	if a.snapshotter != "native" || !logs.has("stdout: on native") {
		t.Errorf("snapshotter %s, logs %q", a.snapshotter, logs.lines)
	}
}

func TestOOMKilled(t *testing.T) {
	t.Parallel()
	f := shared(t)
	tk := startTask(t, f.agent, TaskSpec{ID: taskID(t), Containers: []ContainerSpec{{
		Name: "hog", Image: f.image, MemoryMiB: 32, PortMappings: []PortMapping{{ContainerPort: 8080}},
	}}})
	base := "http://127.0.0.1:" + strconv.Itoa(hostPort(t, tk, "hog", 8080))
	getEventually(t, base+"/env?name=X")
	if resp, err := http.Get(base + "/alloc?mb=128"); err == nil {
		resp.Body.Close()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if code, err := tk.Wait(ctx, "hog"); err != nil || code != 137 {
		t.Fatalf("Wait = %d, %v; want 137", code, err)
	}
	if !tk.(OOMReporter).OOMKilled("hog") {
		t.Error("OOMKilled = false for a container killed at its memory limit")
	}
}

func TestContainerdDiedIsStartedAgain(t *testing.T) {
	t.Parallel()
	f := shared(t)
	a := New(Options{DataDir: t.TempDir()})
	defer a.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	first, err := a.StartTask(ctx, TaskSpec{ID: "first", Containers: []ContainerSpec{{Name: "web", Image: f.image}}})
	if err != nil {
		t.Fatal(err)
	}
	defer first.Stop(ctx, 0)
	pid := first.(*task).container("web").task.Pid()
	a.mu.Lock()
	a.daemon.kill()
	a.mu.Unlock()
	if _, err := first.Wait(ctx, "web"); err == nil {
		t.Error("Wait on a task whose containerd died returned no error")
	}

	second := startTask(t, a, TaskSpec{ID: "second", Containers: []ContainerSpec{{Name: "web", Image: f.image, Command: []string{"/echo", "-exit", "4"}}}})
	if code, err := second.Wait(ctx, "web"); err != nil || code != 4 {
		t.Errorf("Wait(second) = %d, %v; want 4", code, err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for syscallKill0(int(pid)) == nil {
		if time.Now().After(deadline) {
			t.Fatalf("the first task's process %d still runs", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestStartFailureLeavesNothing(t *testing.T) {
	t.Parallel()
	f := shared(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	start := time.Now()
	_, err := f.agent.StartTask(ctx, TaskSpec{ID: taskID(t), Containers: []ContainerSpec{
		{Name: "ok", Image: f.image, PortMappings: []PortMapping{{ContainerPort: 8080}}},
		{Name: "broken", Image: f.image, EntryPoint: []string{"/no/such/binary"}},
	}})
	var se *StartError
	if !errors.As(err, &se) || se.Container != "broken" {
		t.Fatalf("err = %v, want a StartError for container broken", err)
	}
	if took := time.Since(start); took > 20*time.Second {
		t.Errorf("a failed start took %s", took)
	}
	client, _, err := f.agent.connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := client.Containers(nsContext(ctx), fmt.Sprintf("labels.%q==%s", "dev.virga.task", taskID(t)))
	if err != nil || len(cs) != 0 {
		t.Errorf("containers after a failed start: %d, %v", len(cs), err)
	}
	f.agent.tasksMu.Lock()
	_, still := f.agent.tasks[taskID(t)]
	f.agent.tasksMu.Unlock()
	if still {
		t.Error("the failed task is still registered")
	}
}

// TestRelativeDataDir: a data directory named relative to the working
// directory (make run's ./.virga) runs containers as an absolute one
// does; runc would otherwise look for the task's /etc/hosts below the
// container's bundle.
func TestRelativeDataDir(t *testing.T) {
	t.Parallel()
	f := shared(t)
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(wd, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	a := New(Options{DataDir: rel})
	t.Cleanup(func() { a.Close() })
	tk := startTask(t, a, TaskSpec{ID: taskID(t), Containers: []ContainerSpec{{
		Name: "web", Image: f.image, PortMappings: []PortMapping{{ContainerPort: 8080}},
	}}})
	port := hostPort(t, tk, "web", 8080)
	if got := getEventually(t, "http://127.0.0.1:"+strconv.Itoa(port)+"/env?name=FROM_IMAGE"); got != "image" {
		t.Errorf("FROM_IMAGE = %q, want the image's", got)
	}
}
