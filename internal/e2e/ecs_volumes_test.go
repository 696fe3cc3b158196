package e2e_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/virga/virga/internal/e2e"
	"github.com/virga/virga/internal/testenv"
)

// TestECSVolumes runs one task of two real containers: a file
// the first writes to their task volume is read by the second, which
// has the volume through volumesFrom, read-only, and cannot write it;
// the first, with readonlyRootFilesystem, cannot write outside the
// volume.
func TestECSVolumes(t *testing.T) {
	testenv.Containers(t)
	t.Parallel()
	env := e2e.Start(t, sigv4Mode)
	ctx := context.Background()
	c := ecs.NewFromConfig(env.Config)
	images := ecr.NewFromConfig(env.Config)
	repo := createRepo(t, images, "ecsapp-volumes")
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
	if err := remote.Write(ref, ecsAppImage(t), remote.WithTransport(registryTransport(env)),
		remote.WithAuth(&authn.Basic{Username: user, Password: pass})); err != nil {
		t.Fatal(err)
	}
	image := aws.String(*repo.RepositoryUri + ":v1")
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
	urls := map[string]string{}
	for _, ct := range task.Containers {
		urls[*ct.Name] = fmt.Sprintf("http://127.0.0.1:%d", aws.ToInt32(ct.NetworkBindings[0].HostPort))
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

	if _, err := c.StopTask(ctx, &ecs.StopTaskInput{Task: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	waitRealTask(t, c, arn, "STOPPED")
}
