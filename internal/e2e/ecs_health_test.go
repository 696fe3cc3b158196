package e2e_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/virga/virga/internal/e2e"
	"github.com/virga/virga/internal/testenv"
)

// TestECSContainerHealthSecretsAndDependencies runs real containers: a
// task's secrets (Secrets Manager with a JSON key, Parameter Store) and
// environment file (S3) reach its container's environment; its app
// container starts only after an init container exited 0 and a db
// container's health check passed; a missing secret and an init
// container that fails stop tasks with ECS's reasons; a service
// replaces a task whose essential container fails its health check.
func TestECSContainerHealthSecretsAndDependencies(t *testing.T) {
	testenv.Containers(t)
	t.Parallel()
	env := e2e.Start(t, sigv4Mode)
	ctx := context.Background()
	c := ecs.NewFromConfig(env.Config)
	uri, _ := pushECSApp(t, env, "ecsapp-health")
	image := aws.String(uri)
	probe := func(code string) *ecstypes.HealthCheck {
		return &ecstypes.HealthCheck{Command: []string{"CMD", "/ecsapp", "exit", code}, Interval: aws.Int32(5), Retries: aws.Int32(1)}
	}
	register := func(family string, defs ...ecstypes.ContainerDefinition) {
		t.Helper()
		if _, err := c.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String(family),
			NetworkMode: ecstypes.NetworkModeBridge, ExecutionRoleArn: aws.String("arn:aws:iam::000000000000:role/exec"),
			ContainerDefinitions: defs}); err != nil {
			t.Fatal(err)
		}
	}

	// A service whose only container fails its health check: started
	// first, as its check takes an interval.
	register("sick", ecstypes.ContainerDefinition{Name: aws.String("web"), Image: image, Memory: aws.Int32(64),
		StopTimeout: aws.Int32(2), HealthCheck: probe("1")})
	if _, err := c.CreateService(ctx, &ecs.CreateServiceInput{ServiceName: aws.String("sick"), TaskDefinition: aws.String("sick"),
		DesiredCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}

	// Secrets and an environment file.
	sm := secretsmanager.NewFromConfig(env.Config)
	sec, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("app/db"),
		SecretString: aws.String(`{"user":"admin","password":"hunter2"}`)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ssm.NewFromConfig(env.Config).PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/app/token"),
		Value: aws.String("tok-1"), Type: "SecureString"}); err != nil {
		t.Fatal(err)
	}
	bs := s3.NewFromConfig(env.Config, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := bs.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("cfg")}); err != nil {
		t.Fatal(err)
	}
	if _, err := bs.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("cfg"), Key: aws.String("app.env"),
		Body: strings.NewReader("# settings\nMODE=file\nGREETING=from-file\n")}); err != nil {
		t.Fatal(err)
	}

	register("deps",
		ecstypes.ContainerDefinition{Name: aws.String("init"), Image: image, Memory: aws.Int32(64), Essential: aws.Bool(false),
			Command: []string{"exit", "0"}},
		ecstypes.ContainerDefinition{Name: aws.String("db"), Image: image, Memory: aws.Int32(64), StopTimeout: aws.Int32(2),
			Environment: []ecstypes.KeyValuePair{{Name: aws.String("PORT"), Value: aws.String("9090")}}, HealthCheck: probe("0")},
		ecstypes.ContainerDefinition{Name: aws.String("app"), Image: image, Memory: aws.Int32(64), StopTimeout: aws.Int32(2),
			PortMappings:     []ecstypes.PortMapping{{ContainerPort: aws.Int32(8080), HostPort: aws.Int32(0)}},
			Environment:      []ecstypes.KeyValuePair{{Name: aws.String("GREETING"), Value: aws.String("from-environment")}},
			EnvironmentFiles: []ecstypes.EnvironmentFile{{Type: ecstypes.EnvironmentFileTypeS3, Value: aws.String("arn:aws:s3:::cfg/app.env")}},
			Secrets: []ecstypes.Secret{
				{Name: aws.String("DB_USER"), ValueFrom: aws.String(*sec.ARN + ":user::")},
				{Name: aws.String("DB_SECRET"), ValueFrom: aws.String(*sec.ARN)},
				{Name: aws.String("TOKEN"), ValueFrom: aws.String("arn:aws:ssm:us-east-1:000000000000:parameter/app/token")},
			},
			DependsOn: []ecstypes.ContainerDependency{
				{ContainerName: aws.String("init"), Condition: ecstypes.ContainerConditionSuccess},
				{ContainerName: aws.String("db"), Condition: ecstypes.ContainerConditionHealthy},
			}})
	run, err := c.RunTask(ctx, &ecs.RunTaskInput{TaskDefinition: aws.String("deps")})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(run.Tasks[0].TaskArn)
	task := waitRealTask(t, c, arn, "RUNNING")
	byName := map[string]ecstypes.Container{}
	for _, ct := range task.Containers {
		byName[aws.ToString(ct.Name)] = ct
	}
	if got := byName["db"].HealthStatus; got != ecstypes.HealthStatusHealthy {
		t.Errorf("db healthStatus %s when app started", got)
	}
	if task.HealthStatus != ecstypes.HealthStatusHealthy {
		t.Errorf("task healthStatus %s", task.HealthStatus)
	}
	if ec := byName["init"].ExitCode; ec == nil || *ec != 0 {
		t.Errorf("init exit code %v", ec)
	}
	_, body := httpGet(t, fmt.Sprintf("http://127.0.0.1:%d/env", aws.ToInt32(byName["app"].NetworkBindings[0].HostPort)))
	var cenv map[string]string
	if err := json.Unmarshal([]byte(body), &cenv); err != nil {
		t.Fatalf("/env: %v: %s", err, body)
	}
	for k, want := range map[string]string{"DB_USER": "admin", "DB_SECRET": `{"user":"admin","password":"hunter2"}`, "TOKEN": "tok-1",
		"MODE": "file", "GREETING": "from-environment"} {
		if cenv[k] != want {
			t.Errorf("container's %s = %q, want %q", k, cenv[k], want)
		}
	}
	if _, err := c.StopTask(ctx, &ecs.StopTaskInput{Task: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}

	// A missing secret, and an init container that exits 1.
	register("nosecret", ecstypes.ContainerDefinition{Name: aws.String("app"), Image: image, Memory: aws.Int32(64),
		Secrets: []ecstypes.Secret{{Name: aws.String("X"), ValueFrom: aws.String("arn:aws:secretsmanager:us-east-1:000000000000:secret:gone-AbCdEf")}}})
	register("badinit",
		ecstypes.ContainerDefinition{Name: aws.String("init"), Image: image, Memory: aws.Int32(64), Essential: aws.Bool(false),
			Command: []string{"exit", "1"}},
		ecstypes.ContainerDefinition{Name: aws.String("app"), Image: image, Memory: aws.Int32(64),
			DependsOn: []ecstypes.ContainerDependency{{ContainerName: aws.String("init"), Condition: ecstypes.ContainerConditionSuccess}}})
	for family, want := range map[string]string{
		"nosecret": "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: ",
		"badinit":  "dependency graph: failed to resolve container ordering dependency [init] for target [app] as dependency did not exit successfully.",
	} {
		run, err := c.RunTask(ctx, &ecs.RunTaskInput{TaskDefinition: aws.String(family)})
		if err != nil {
			t.Fatal(err)
		}
		got := waitStopped(t, c, aws.ToString(run.Tasks[0].TaskArn))
		if got.StopCode != ecstypes.TaskStopCodeTaskFailedToStart || !strings.HasPrefix(aws.ToString(got.StoppedReason), want) {
			t.Errorf("%s: stopCode %s, stoppedReason %q", family, got.StopCode, aws.ToString(got.StoppedReason))
		}
	}

	// The service's unhealthy task is stopped and replaced.
	deadline := time.Now().Add(20 * time.Second)
	for {
		list, err := c.ListTasks(ctx, &ecs.ListTasksInput{ServiceName: aws.String("sick"), DesiredStatus: ecstypes.DesiredStatusStopped})
		if err != nil {
			t.Fatal(err)
		}
		if len(list.TaskArns) > 0 {
			out, err := c.DescribeTasks(ctx, &ecs.DescribeTasksInput{Tasks: list.TaskArns[:1]})
			if err != nil {
				t.Fatal(err)
			}
			got := out.Tasks[0]
			if aws.ToString(got.StoppedReason) != "Task failed container health checks" || got.StopCode != ecstypes.TaskStopCodeServiceSchedulerInitiated ||
				got.HealthStatus != ecstypes.HealthStatusUnhealthy || got.Containers[0].HealthStatus != ecstypes.HealthStatusUnhealthy {
				t.Errorf("unhealthy task: reason %q code %s health %s/%s", aws.ToString(got.StoppedReason), got.StopCode, got.HealthStatus, got.Containers[0].HealthStatus)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the unhealthy service task was never stopped")
		}
		time.Sleep(100 * time.Millisecond)
	}
	deadline = time.Now().Add(20 * time.Second)
	for {
		list, err := c.ListTasks(ctx, &ecs.ListTasksInput{ServiceName: aws.String("sick"), DesiredStatus: ecstypes.DesiredStatusRunning})
		if err != nil {
			t.Fatal(err)
		}
		if len(list.TaskArns) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no replacement task")
		}
		time.Sleep(100 * time.Millisecond)
	}
}
