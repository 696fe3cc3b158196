package e2e_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/virga/virga/internal/e2e"
	"github.com/virga/virga/internal/testenv"
)

// TestECSVolumesAndStats runs one task of two real containers: a file
// the first writes to their task volume is read by the second, which
// has the volume through volumesFrom, read-only, and cannot write it;
// the first, with readonlyRootFilesystem, cannot write outside the
// volume; the task metadata's /stats and /task/stats give Docker's
// stats with the container's memory in use.
func TestECSVolumesAndStats(t *testing.T) {
	testenv.Containers(t)
	t.Parallel()
	env := e2e.Start(t, sigv4Mode)
	ctx := context.Background()
	c := ecs.NewFromConfig(env.Config)
	uri, _ := pushECSApp(t, env, "ecsapp-volumes")
	image := aws.String(uri)
	app := func(name string, port int32) ecstypes.ContainerDefinition {
		return ecstypes.ContainerDefinition{Name: aws.String(name), Image: image, Memory: aws.Int32(64), StopTimeout: aws.Int32(2),
			Environment:  []ecstypes.KeyValuePair{{Name: aws.String("PORT"), Value: aws.String(fmt.Sprint(port))}},
			PortMappings: []ecstypes.PortMapping{{ContainerPort: aws.Int32(port), HostPort: aws.Int32(0)}}}
	}
	writer := app("writer", 8080)
	writer.MountPoints = []ecstypes.MountPoint{{SourceVolume: aws.String("scratch"), ContainerPath: aws.String("/data")}}
	writer.ReadonlyRootFilesystem = aws.Bool(true)
	reader := app("reader", 8081)
	reader.VolumesFrom = []ecstypes.VolumeFrom{{SourceContainer: aws.String("writer"), ReadOnly: aws.Bool(true)}}
	if _, err := c.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("volumes"),
		NetworkMode: ecstypes.NetworkModeBridge, Volumes: []ecstypes.Volume{{Name: aws.String("scratch")}},
		ContainerDefinitions: []ecstypes.ContainerDefinition{writer, reader}}); err != nil {
		t.Fatal(err)
	}
	run, err := c.RunTask(ctx, &ecs.RunTaskInput{TaskDefinition: aws.String("volumes")})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(run.Tasks[0].TaskArn)
	task := waitRealTask(t, c, arn, "RUNNING")
	urls, ids := map[string]string{}, map[string]string{}
	for _, ct := range task.Containers {
		urls[*ct.Name] = fmt.Sprintf("http://127.0.0.1:%d", aws.ToInt32(ct.NetworkBindings[0].HostPort))
		ids[*ct.Name] = aws.ToString(ct.RuntimeId)
	}
	httpGet(t, urls["writer"]+"/env") // both servers listen
	httpGet(t, urls["reader"]+"/env")
	put := func(url, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPut, url, strings.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	if status, body := put(urls["writer"]+"/file?path=/data/hello", "from writer"); status != 200 {
		t.Fatalf("write to the task volume: %d %s", status, body)
	}
	if status, body := httpGet(t, urls["reader"]+"/file?path=/data/hello"); status != 200 || body != "from writer" {
		t.Errorf("read through volumesFrom: %d %q", status, body)
	}
	if status, body := put(urls["reader"]+"/file?path=/data/other", "x"); status != 500 || !strings.Contains(body, "read-only file system") {
		t.Errorf("write to a read-only volumesFrom mount: %d %s", status, body)
	}
	if status, body := put(urls["writer"]+"/file?path=/tmp/x", "x"); status != 500 || !strings.Contains(body, "read-only file system") {
		t.Errorf("write to a read-only root file system: %d %s", status, body)
	}
	if status, body := put(urls["reader"]+"/file?path=/tmp/x", "x"); status != 200 {
		t.Errorf("write to a writable root file system: %d %s", status, body)
	}

	// Docker's stats through the task metadata endpoint.
	type stats struct {
		Read      string `json:"read"`
		ID        string `json:"id"`
		Name      string `json:"name"`
		PidsStats struct {
			Current uint64 `json:"current"`
		} `json:"pids_stats"`
		CPUStats struct {
			CPUUsage struct {
				TotalUsage uint64 `json:"total_usage"`
			} `json:"cpu_usage"`
			SystemCPUUsage uint64 `json:"system_cpu_usage"`
			OnlineCPUs     uint32 `json:"online_cpus"`
		} `json:"cpu_stats"`
		PreCPUStats json.RawMessage `json:"precpu_stats"`
		MemoryStats struct {
			Usage uint64            `json:"usage"`
			Limit uint64            `json:"limit"`
			Stats map[string]uint64 `json:"stats"`
		} `json:"memory_stats"`
	}
	status, body := httpGet(t, urls["writer"]+"/metadata?path=/stats")
	var one stats
	if err := json.Unmarshal([]byte(body), &one); status != 200 || err != nil {
		t.Fatalf("/stats: %d %v %s", status, err, body)
	}
	if one.ID != ids["writer"] || one.MemoryStats.Usage == 0 || one.MemoryStats.Limit != 64<<20 || one.CPUStats.CPUUsage.TotalUsage == 0 ||
		one.CPUStats.SystemCPUUsage == 0 || one.CPUStats.OnlineCPUs == 0 || one.PidsStats.Current == 0 || one.PreCPUStats == nil || one.Read == "" {
		t.Errorf("/stats %s", body)
	}
	status, body = httpGet(t, urls["reader"]+"/metadata?path=/task/stats")
	var all map[string]*stats
	if err := json.Unmarshal([]byte(body), &all); status != 200 || err != nil {
		t.Fatalf("/task/stats: %d %v %s", status, err, body)
	}
	if len(all) != 2 || all[ids["writer"]] == nil || all[ids["reader"]] == nil || all[ids["reader"]].MemoryStats.Usage == 0 {
		t.Errorf("/task/stats %s", body)
	}

	if _, err := c.StopTask(ctx, &ecs.StopTaskInput{Task: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	waitRealTask(t, c, arn, "STOPPED")
}
