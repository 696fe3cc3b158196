package e2e_test

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/virga/virga/internal/e2e"
	"github.com/virga/virga/internal/testenv"
)

// pushECSApp creates an ECR repository and pushes the ecsapp image to
// it as :v1 with the registry's token, as a client would; it returns the
// image's URI and digest.
func pushECSApp(t *testing.T, env *e2e.Env, repository string) (string, v1.Hash) {
	t.Helper()
	ctx := context.Background()
	images := ecr.NewFromConfig(env.Config)
	repo := createRepo(t, images, repository)
	tok, err := images.GetAuthorizationToken(ctx, &ecr.GetAuthorizationTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.StdEncoding.DecodeString(*tok.AuthorizationData[0].AuthorizationToken)
	user, pass, _ := strings.Cut(string(raw), ":")
	ref, err := name.ParseReference(*repo.RepositoryUri+":v1", name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	img := ecsAppImage(t)
	digest, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref, img, remote.WithTransport(registryTransport(env)),
		remote.WithAuth(&authn.Basic{Username: user, Password: pass})); err != nil {
		t.Fatal(err)
	}
	return *repo.RepositoryUri + ":v1", digest
}

// ecsAppImage builds testdata/ecsapp as a static binary and makes a
// one-layer image that runs it.
func ecsAppImage(t *testing.T) v1.Image {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "ecsapp")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", bin, "./testdata/ecsapp")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build ecsapp: %v\n%s", err, out)
	}
	b, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	var layer bytes.Buffer
	tw := tar.NewWriter(&layer)
	tw.WriteHeader(&tar.Header{Name: "tmp/", Typeflag: tar.TypeDir, Mode: 0o777})
	tw.WriteHeader(&tar.Header{Name: "ecsapp", Typeflag: tar.TypeReg, Mode: 0o755, Size: int64(len(b))})
	tw.Write(b)
	tw.Close()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(layer.Bytes())), nil })
	if err != nil {
		t.Fatal(err)
	}
	img, err := mutate.AppendLayers(empty.Image, l)
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := img.ConfigFile()
	cfg = cfg.DeepCopy()
	cfg.Architecture, cfg.OS = "amd64", "linux"
	cfg.Config.Entrypoint = []string{"/ecsapp"}
	img, err = mutate.ConfigFile(img, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// waitTask polls DescribeTasks until the task's lastStatus is status.
func waitRealTask(t *testing.T, c *ecs.Client, arn, status string) ecstypes.Task {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, err := c.DescribeTasks(context.Background(), &ecs.DescribeTasksInput{Tasks: []string{arn}})
		if err != nil {
			t.Fatal(err)
		}
		if got := aws.ToString(out.Tasks[0].LastStatus); got == status {
			return out.Tasks[0]
		} else if got == "STOPPED" {
			t.Fatalf("task %s stopped (want %s): %s; containers %+v", arn, status, aws.ToString(out.Tasks[0].StoppedReason), out.Tasks[0].Containers)
		}
		if time.Now().After(deadline) {
			t.Fatalf("task %s never %s: %+v", arn, status, out.Tasks[0])
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// httpGet GETs url and returns the status and body. A RUNNING task's
// server may not listen yet (ECS does not wait for it either): a
// connection that fails is tried again for ten seconds.
func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	var resp *http.Response
	for {
		var err error
		if resp, err = http.Get(url); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s: %v", url, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestECSContainers runs real containers (containerd and runc) for ECS:
// an image pushed to virga's ECR, with the registry requiring
// authentication, runs as a task whose container answers on its host
// port, sees what ECS sets in its environment, reads its task metadata
// and calls virga back with its task role's credentials; its output
// reaches CloudWatch Logs; StopTask's SIGTERM ends it with its exit code; a
// container killed at its memory limit is OutOfMemoryError; a
// missing image is CannotPullContainerError; a service keeps its
// desired count of containers and replaces one that exits.
func TestECSContainers(t *testing.T) {
	testenv.Containers(t)
	t.Parallel()
	env := e2e.Start(t, sigv4Mode, e2e.WithFakeClock())
	ctx := context.Background()
	c := ecs.NewFromConfig(env.Config)
	uri, digest := pushECSApp(t, env, "ecsapp")
	repoURI := strings.TrimSuffix(uri, ":v1")

	const role = "arn:aws:iam::000000000000:role/ecsapp-task"
	web := ecstypes.ContainerDefinition{Name: aws.String("web"), Image: aws.String(uri), Essential: aws.Bool(true),
		Memory: aws.Int32(64), StopTimeout: aws.Int32(5),
		PortMappings: []ecstypes.PortMapping{{ContainerPort: aws.Int32(8080), HostPort: aws.Int32(0)}},
		Environment:  []ecstypes.KeyValuePair{{Name: aws.String("GREETING"), Value: aws.String("hello")}},
		LogConfiguration: &ecstypes.LogConfiguration{LogDriver: ecstypes.LogDriverAwslogs, Options: map[string]string{
			"awslogs-group": "/ecs/ecsapp", "awslogs-create-group": "true", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "ecs"}}}
	if _, err := c.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("ecsapp"),
		NetworkMode: ecstypes.NetworkModeBridge, TaskRoleArn: aws.String(role), ContainerDefinitions: []ecstypes.ContainerDefinition{web}}); err != nil {
		t.Fatal(err)
	}
	run, err := c.RunTask(ctx, &ecs.RunTaskInput{TaskDefinition: aws.String("ecsapp")})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(run.Tasks[0].TaskArn)
	taskID := arn[strings.LastIndex(arn, "/")+1:]
	task := waitRealTask(t, c, arn, "RUNNING")
	nb := task.Containers[0].NetworkBindings
	if len(nb) != 1 || aws.ToInt32(nb[0].ContainerPort) != 8080 || aws.ToInt32(nb[0].HostPort) == 0 {
		t.Fatalf("networkBindings %+v", nb)
	}
	if got := aws.ToString(task.Containers[0].ImageDigest); got != digest.String() {
		t.Errorf("imageDigest %q, want %s", got, digest)
	}
	base := fmt.Sprintf("http://127.0.0.1:%d", aws.ToInt32(nb[0].HostPort))

	// What ECS sets, and what the task definition adds.
	_, body := httpGet(t, base+"/env")
	var cenv map[string]string
	if err := json.Unmarshal([]byte(body), &cenv); err != nil {
		t.Fatalf("/env: %v: %s", err, body)
	}
	for k, want := range map[string]string{"AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1", "AWS_EXECUTION_ENV": "AWS_ECS_EC2",
		"AWS_ENDPOINT_URL": env.Endpoint, "GREETING": "hello"} {
		if cenv[k] != want {
			t.Errorf("container's %s = %q, want %q", k, cenv[k], want)
		}
	}
	for _, k := range []string{"ECS_CONTAINER_METADATA_URI_V4", "AWS_CONTAINER_CREDENTIALS_FULL_URI"} {
		if !strings.HasPrefix(cenv[k], env.Endpoint+"/_virga/ecs/") {
			t.Errorf("container's %s = %q", k, cenv[k])
		}
	}

	// Task metadata v4, read from inside the container.
	status, body := httpGet(t, base+"/metadata?path=/task")
	var meta struct {
		Cluster, TaskARN, Family, Revision, KnownStatus string
		Containers                                      []struct {
			Name, DockerId, Image, ImageID, KnownStatus, LogDriver string
			Labels                                                 map[string]string
			LogOptions                                             map[string]string
			Limits                                                 struct{ Memory int }
			Ports                                                  []struct{ ContainerPort, HostPort int32 }
		}
	}
	if err := json.Unmarshal([]byte(body), &meta); status != 200 || err != nil {
		t.Fatalf("task metadata: %d %v %s", status, err, body)
	}
	if meta.TaskARN != arn || meta.Family != "ecsapp" || meta.Revision != "1" || meta.KnownStatus != "RUNNING" ||
		meta.Cluster != "arn:aws:ecs:us-east-1:000000000000:cluster/default" || len(meta.Containers) != 1 {
		t.Errorf("task metadata %s", body)
	} else if mc := meta.Containers[0]; mc.Name != "web" || mc.Labels["com.amazonaws.ecs.task-arn"] != arn || mc.Limits.Memory != 64 ||
		mc.LogDriver != "awslogs" || mc.LogOptions["awslogs-stream"] != "ecs/web/"+taskID ||
		mc.ImageID != digest.String() || len(mc.Ports) != 1 || mc.Ports[0].ContainerPort != 8080 || mc.Ports[0].HostPort != aws.ToInt32(nb[0].HostPort) {
		t.Errorf("task metadata's container %+v", mc)
	}
	if status, body := httpGet(t, base+"/metadata"); status != 200 || !strings.Contains(body, `"Name":"web"`) {
		t.Errorf("container metadata: %d %s", status, body)
	}

	// The SDK in the container finds the task role's credentials and
	// calls virga with them.
	if status, body := httpGet(t, base+"/whoami"); status != 200 || body != "arn:aws:sts::000000000000:assumed-role/ecsapp-task/"+taskID {
		t.Errorf("GetCallerIdentity from the container: %d %s", status, body)
	}

	// The container's stdout in CloudWatch Logs.
	logs := cloudwatchlogs.NewFromConfig(env.Config)
	deadline := time.Now().Add(10 * time.Second)
	for {
		out, err := logs.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String("/ecs/ecsapp"),
			LogStreamName: aws.String("ecs/web/" + taskID), StartFromHead: aws.Bool(true)})
		if err == nil && len(out.Events) > 0 && aws.ToString(out.Events[0].Message) == "ecsapp listening on 8080" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no log line: %v %+v", err, out)
		}
		env.Clock.Advance(time.Second) // the log writers flush on virga's clock
		time.Sleep(50 * time.Millisecond)
	}

	// StopTask: SIGTERM, on which the server exits 0.
	if _, err := c.StopTask(ctx, &ecs.StopTaskInput{Task: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	stopped := waitRealTask(t, c, arn, "STOPPED")
	if code := stopped.Containers[0].ExitCode; code == nil || *code != 0 || stopped.StopCode != ecstypes.TaskStopCodeUserInitiated {
		t.Errorf("stopped task: exitCode %v stopCode %s", aws.ToInt32(code), stopped.StopCode)
	}

	// A container killed at its memory limit (64 MiB).
	run, err = c.RunTask(ctx, &ecs.RunTaskInput{TaskDefinition: aws.String("ecsapp")})
	if err != nil {
		t.Fatal(err)
	}
	oom := waitRealTask(t, c, aws.ToString(run.Tasks[0].TaskArn), "RUNNING")
	oomBase := fmt.Sprintf("http://127.0.0.1:%d", aws.ToInt32(oom.Containers[0].NetworkBindings[0].HostPort))
	httpGet(t, oomBase+"/env") // listening
	http.Get(oomBase + "/alloc?mb=256")
	oom = waitStopped(t, c, aws.ToString(oom.TaskArn))
	if cont := oom.Containers[0]; aws.ToString(cont.Reason) != "OutOfMemoryError: Container killed due to memory usage" || aws.ToInt32(cont.ExitCode) != 137 ||
		aws.ToString(oom.StoppedReason) != "Essential container in task exited" {
		t.Errorf("OOM-killed task: reason %q exit %d, task %q", aws.ToString(cont.Reason), aws.ToInt32(cont.ExitCode), aws.ToString(oom.StoppedReason))
	}

	// An image the registry does not have.
	bad := web
	bad.Image = aws.String(repoURI + ":missing")
	if _, err := c.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("missing"),
		NetworkMode: ecstypes.NetworkModeBridge, ContainerDefinitions: []ecstypes.ContainerDefinition{bad}}); err != nil {
		t.Fatal(err)
	}
	run, err = c.RunTask(ctx, &ecs.RunTaskInput{TaskDefinition: aws.String("missing")})
	if err != nil {
		t.Fatal(err)
	}
	failed := waitStopped(t, c, aws.ToString(run.Tasks[0].TaskArn))
	if !strings.HasPrefix(aws.ToString(failed.StoppedReason), "CannotPullContainerError: ") || failed.StopCode != ecstypes.TaskStopCodeTaskFailedToStart {
		t.Errorf("missing image: %s %s", aws.ToString(failed.StoppedReason), failed.StopCode)
	}

	// A service keeps two containers running and replaces one that exits.
	if _, err := c.CreateService(ctx, &ecs.CreateServiceInput{ServiceName: aws.String("svc"), TaskDefinition: aws.String("ecsapp"),
		DesiredCount: aws.Int32(2)}); err != nil {
		t.Fatal(err)
	}
	ports := serviceTasks(t, c, 2, nil)
	var gone string
	for arn, port := range ports {
		gone = arn
		httpGet(t, fmt.Sprintf("http://127.0.0.1:%d/env", port)) // listening
		http.Get(fmt.Sprintf("http://127.0.0.1:%d/exit?code=3", port))
		break
	}
	exited := waitStopped(t, c, gone)
	if code := exited.Containers[0].ExitCode; code == nil || *code != 3 || aws.ToString(exited.StoppedReason) != "Essential container in task exited" {
		t.Errorf("exited task: exitCode %v reason %s", code, aws.ToString(exited.StoppedReason))
	}
	env.Clock.Advance(11 * time.Second) // past the launch backoff
	for arn, port := range serviceTasks(t, c, 2, map[string]bool{gone: true}) {
		if status, _ := httpGet(t, fmt.Sprintf("http://127.0.0.1:%d/env", port)); status != 200 {
			t.Errorf("service task %s: %d", arn, status)
		}
	}
	if _, err := c.DeleteService(ctx, &ecs.DeleteServiceInput{Service: aws.String("svc"), Force: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
}

// waitStopped polls DescribeTasks until the task is STOPPED.
func waitStopped(t *testing.T, c *ecs.Client, arn string) ecstypes.Task {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, err := c.DescribeTasks(context.Background(), &ecs.DescribeTasksInput{Tasks: []string{arn}})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.Tasks[0].LastStatus) == "STOPPED" {
			return out.Tasks[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("task %s never STOPPED: %+v", arn, out.Tasks[0])
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// serviceTasks waits until service svc runs n RUNNING tasks none of
// which is in not, and returns their host ports by task ARN.
func serviceTasks(t *testing.T, c *ecs.Client, n int, not map[string]bool) map[string]int32 {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(30 * time.Second)
	for {
		ports := map[string]int32{}
		list, err := c.ListTasks(ctx, &ecs.ListTasksInput{ServiceName: aws.String("svc"), DesiredStatus: ecstypes.DesiredStatusRunning})
		if err != nil {
			t.Fatal(err)
		}
		if len(list.TaskArns) > 0 {
			out, err := c.DescribeTasks(ctx, &ecs.DescribeTasksInput{Tasks: list.TaskArns})
			if err != nil {
				t.Fatal(err)
			}
			for _, task := range out.Tasks {
				if aws.ToString(task.LastStatus) == "RUNNING" && !not[aws.ToString(task.TaskArn)] && len(task.Containers[0].NetworkBindings) == 1 {
					ports[aws.ToString(task.TaskArn)] = aws.ToInt32(task.Containers[0].NetworkBindings[0].HostPort)
				}
			}
		}
		if len(ports) == n {
			return ports
		}
		if time.Now().After(deadline) {
			t.Fatalf("service runs %d tasks, want %d", len(ports), n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
