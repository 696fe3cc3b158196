package e2e_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/virga/virga/internal/e2e"
	"github.com/virga/virga/internal/testenv"
)

const ecsTasksTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// ecsRole makes a role ECS tasks may assume with inline policy doc ("" for none).
func ecsRole(t *testing.T, ic *iam.Client, name, doc string) string {
	t.Helper()
	ctx := context.Background()
	out, err := ic.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(ecsTasksTrust)})
	if err != nil {
		t.Fatal(err)
	}
	if doc != "" {
		if _, err := ic.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String("p"),
			PolicyDocument: aws.String(doc)}); err != nil {
			t.Fatal(err)
		}
	}
	return *out.Role.Arn
}

// TestECSExecutionRoleIAM runs real containers under --auth iam: a
// task's execution role pulls its image from virga's ECR, reads its
// secret and opens its awslogs stream, each held to the role's
// policies, and its task role's credentials are the role's session,
// whose calls are authorized as the task role. A role that may get a
// registry token but not read the repository stops the task with
// CannotPullContainerError; one that may not get a token, or read the
// secret, with ECS's ResourceInitializationError.
func TestECSExecutionRoleIAM(t *testing.T) {
	testenv.Containers(t)
	t.Parallel()
	env := e2e.Start(t, iamMode)
	ctx := context.Background()
	c := ecs.NewFromConfig(env.Config)
	images := ecr.NewFromConfig(env.Config)
	ic := iamClient(env)
	repo := createRepo(t, images, "ecsapp")
	ref, err := name.ParseReference(*repo.RepositoryUri+":v1", name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref, ecsAppImage(t), remote.WithTransport(registryTransport(env)), registryLogin(t, images)); err != nil {
		t.Fatal(err)
	}
	sec, err := secretsmanager.NewFromConfig(env.Config).CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String("app/db"), SecretString: aws.String("s3cr3t")})
	if err != nil {
		t.Fatal(err)
	}
	repoARN := "arn:aws:ecr:us-east-1:" + testAccount + ":repository/ecsapp"
	pull := `{"Effect":"Allow","Action":"ecr:GetAuthorizationToken","Resource":"*"},
		{"Effect":"Allow","Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"],"Resource":"` + repoARN + `"}`
	full := ecsRole(t, ic, "exec", `{"Version":"2012-10-17","Statement":[`+pull+`,
		{"Effect":"Allow","Action":["logs:CreateLogGroup","logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"},
		{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"`+*sec.ARN+`"}]}`)
	tokenOnly := ecsRole(t, ic, "exec-token", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["ecr:GetAuthorizationToken","secretsmanager:GetSecretValue"],"Resource":"*"}]}`)
	pullOnly := ecsRole(t, ic, "exec-pull", `{"Version":"2012-10-17","Statement":[`+pull+`]}`)
	taskRole := ecsRole(t, ic, "app-task", "")

	register := func(family, execRole string) {
		t.Helper()
		web := ecstypes.ContainerDefinition{Name: aws.String("web"), Image: aws.String(*repo.RepositoryUri + ":v1"), Essential: aws.Bool(true),
			Memory: aws.Int32(64), StopTimeout: aws.Int32(2),
			PortMappings: []ecstypes.PortMapping{{ContainerPort: aws.Int32(8080), HostPort: aws.Int32(0)}},
			Secrets:      []ecstypes.Secret{{Name: aws.String("DB_PASSWORD"), ValueFrom: sec.ARN}},
			LogConfiguration: &ecstypes.LogConfiguration{LogDriver: ecstypes.LogDriverAwslogs, Options: map[string]string{
				"awslogs-group": "/ecs/app", "awslogs-create-group": "true", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "ecs"}}}
		if _, err := c.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String(family),
			NetworkMode: ecstypes.NetworkModeBridge, ExecutionRoleArn: aws.String(execRole), TaskRoleArn: aws.String(taskRole),
			ContainerDefinitions: []ecstypes.ContainerDefinition{web}}); err != nil {
			t.Fatal(err)
		}
	}
	run := func(family string) (arn, id string) {
		t.Helper()
		out, err := c.RunTask(ctx, &ecs.RunTaskInput{TaskDefinition: aws.String(family)})
		if err != nil {
			t.Fatal(err)
		}
		arn = aws.ToString(out.Tasks[0].TaskArn)
		return arn, arn[strings.LastIndex(arn, "/")+1:]
	}
	register("nopull", tokenOnly)
	register("notoken", taskRole)
	register("nosecret", pullOnly)
	register("app", full)

	// Denied the repository: the pull is refused by the registry.
	arn, _ := run("nopull")
	stopped := waitStopped(t, c, arn)
	image := *repo.RepositoryUri + ":v1"
	host, _, _ := strings.Cut(image, "/")
	if r, want := aws.ToString(stopped.StoppedReason), "CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref "+image+
		": unexpected status from HEAD request to http://"+host+"/v2/ecsapp/manifests/v1: 403 Forbidden"; r != want ||
		stopped.StopCode != ecstypes.TaskStopCodeTaskFailedToStart {
		t.Errorf("task whose execution role may not pull:\n got %s %s\nwant %s", r, stopped.StopCode, want)
	}

	// Denied a registry token, or the secret.
	arn, id := run("notoken")
	stopped = waitStopped(t, c, arn)
	if r, want := aws.ToString(stopped.StoppedReason), "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: "+
		"unable to retrieve ecr registry auth: service call has been retried 1 time(s): AccessDeniedException: User: arn:aws:sts::"+testAccount+
		":assumed-role/app-task/"+id+" is not authorized to perform: ecr:GetAuthorizationToken on resource: * because no identity-based policy allows the ecr:GetAuthorizationToken action"; r != want {
		t.Errorf("task whose execution role may not get a token:\n got %s\nwant %s", r, want)
	}
	arn, id = run("nosecret")
	stopped = waitStopped(t, c, arn)
	if r, want := aws.ToString(stopped.StoppedReason), "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: "+
		"unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret "+*sec.ARN+" from secrets manager: AccessDeniedException: User: arn:aws:sts::"+testAccount+
		":assumed-role/exec-pull/"+id+" is not authorized to perform: secretsmanager:GetSecretValue on resource: "+*sec.ARN+
		" because no identity-based policy allows the secretsmanager:GetSecretValue action"; r != want {
		t.Errorf("task whose execution role may not read its secret:\n got %s\nwant %s", r, want)
	}

	// Allowed all: the task runs, with its secret; its task role's
	// session is held to the task role's (empty) policies.
	arn, id = run("app")
	task := waitRealTask(t, c, arn, "RUNNING")
	base := fmt.Sprintf("http://127.0.0.1:%d", aws.ToInt32(task.Containers[0].NetworkBindings[0].HostPort))
	if _, body := httpGet(t, base+"/env"); !strings.Contains(body, `"DB_PASSWORD":"s3cr3t"`) {
		t.Errorf("/env: %s", body)
	}
	session := "arn:aws:sts::" + testAccount + ":assumed-role/app-task/" + id
	if status, body := httpGet(t, base+"/whoami"); status != 200 || body != session {
		t.Errorf("GetCallerIdentity from the container: %d %s", status, body)
	}
	if status, body := httpGet(t, base+"/queues"); status != 403 || !strings.Contains(body, "User: "+session+" is not authorized to perform: sqs:listqueues on resource: arn:aws:sqs:us-east-1:"+testAccount+": because") {
		t.Errorf("ListQueues as the task role without sqs rights: %d %s", status, body)
	}
	if _, err := ic.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("app-task"), PolicyName: aws.String("sqs"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:ListQueues","Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	if status, body := httpGet(t, base+"/queues"); status != 200 || body != "ok" {
		t.Errorf("ListQueues as the task role with sqs:ListQueues: %d %s", status, body)
	}
	if _, err := c.StopTask(ctx, &ecs.StopTaskInput{Task: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	waitStopped(t, c, arn)
}
