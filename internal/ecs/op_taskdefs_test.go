package ecs

import (
	"context"
	"fmt"
	"testing"

	"github.com/virga/virga/internal/awsproto/apierr"
)

func container(name string, mem int32) ContainerDefinition {
	c := ContainerDefinition{Name: ptr(name), Image: ptr("nginx")}
	if mem > 0 {
		c.Memory = ptr(mem)
	}
	return c
}

func TestRegisterTaskDefinitionRules(t *testing.T) {
	t.Parallel()
	fargate := []Compatibility{compatFargate}
	for _, c := range []struct {
		name string
		in   RegisterTaskDefinitionRequest
		want string // "Code: message", or "" for success
	}{
		{"no memory anywhere", RegisterTaskDefinitionRequest{ContainerDefinitions: []ContainerDefinition{container("a", 0)}},
			"ClientException: Invalid setting for container 'a'. At least one of 'memory' or 'memoryReservation' must be specified."},
		{"task memory suffices", RegisterTaskDefinitionRequest{Memory: ptr("512"), ContainerDefinitions: []ContainerDefinition{container("a", 0)}}, ""},
		{"container above task", RegisterTaskDefinitionRequest{Memory: ptr("512"), ContainerDefinitions: []ContainerDefinition{container("a", 1024)}},
			"ClientException: The 'memory' setting for container 'a' is greater than for the task."},
		{"fargate bridge", RegisterTaskDefinitionRequest{RequiresCompatibilities: fargate, NetworkMode: ptr(modeBridge), Cpu: ptr("256"), Memory: ptr("512"),
			ContainerDefinitions: []ContainerDefinition{container("a", 0)}}, "ClientException: Fargate only supports network mode ‘awsvpc’."},
		{"fargate without cpu", RegisterTaskDefinitionRequest{RequiresCompatibilities: fargate, NetworkMode: ptr(modeAwsvpc), Memory: ptr("512"),
			ContainerDefinitions: []ContainerDefinition{container("a", 0)}}, "ClientException: Fargate requires that 'cpu' be defined at the task level."},
		{"fargate combination", RegisterTaskDefinitionRequest{RequiresCompatibilities: fargate, NetworkMode: ptr(modeAwsvpc), Cpu: ptr("2 vCPU"), Memory: ptr("2 GB"),
			ContainerDefinitions: []ContainerDefinition{container("a", 0)}},
			"ClientException: No Fargate configuration exists for given values: 2048 CPU, 2048 memory. See the Amazon ECS documentation for the valid values."},
		{"fargate awslogs without execution role", RegisterTaskDefinitionRequest{RequiresCompatibilities: fargate, NetworkMode: ptr(modeAwsvpc), Cpu: ptr("256"), Memory: ptr("512"),
			ContainerDefinitions: []ContainerDefinition{{Name: ptr("a"), Image: ptr("x"), LogConfiguration: &LogConfiguration{LogDriver: ptr(LogDriver("awslogs"))}}}},
			"ClientException: Fargate requires task definition to have execution role ARN to support log driver awslogs."},
		{"secrets without execution role", RegisterTaskDefinitionRequest{ContainerDefinitions: []ContainerDefinition{{Name: ptr("a"), Image: ptr("x"), Memory: ptr(int32(64)),
			Secrets: []Secret{}}}},
			"ClientException: When you are specifying container secrets, you must also specify a value for 'executionRoleArn'."},
		{"private registry auth without execution role", RegisterTaskDefinitionRequest{ContainerDefinitions: []ContainerDefinition{{Name: ptr("a"), Image: ptr("x"), Memory: ptr(int32(64)),
			RepositoryCredentials: &RepositoryCredentials{CredentialsParameter: ptr("arn:aws:secretsmanager:us-east-1:000000000000:secret:reg-AbCdEf")}}}},
			"ClientException: Private repository authentication requires that the task definition specify a value for executionRoleArn."},
		{"fargate ECR image without execution role", RegisterTaskDefinitionRequest{RequiresCompatibilities: fargate, NetworkMode: ptr(modeAwsvpc), Cpu: ptr("256"), Memory: ptr("512"),
			ContainerDefinitions: []ContainerDefinition{{Name: ptr("a"), Image: ptr("000000000000.dkr.ecr.us-east-1.localhost:4566/repo:1")}}},
			"ClientException: Fargate requires task definition to have execution role ARN to support ECR images."},
		{"awsvpc host port differs", RegisterTaskDefinitionRequest{NetworkMode: ptr(modeAwsvpc), Memory: ptr("512"),
			ContainerDefinitions: []ContainerDefinition{{Name: ptr("a"), Image: ptr("x"), PortMappings: []PortMapping{{ContainerPort: ptr(int32(80)), HostPort: ptr(int32(8080))}}}}},
			"ClientException: When networkMode=awsvpc, the host ports must either be undefined or equal to the container port values."},
		{"duplicate names", RegisterTaskDefinitionRequest{ContainerDefinitions: []ContainerDefinition{container("a", 64), container("a", 64)}},
			"ClientException: Duplicate container names are not allowed."},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			in := c.in
			in.Family = ptr("f")
			_, err := h.s.registerTaskDefinition(context.Background(), &in)
			got := ""
			if e := apierr.As(err); e != nil {
				got = e.Code + ": " + e.Message
			} else if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Fatalf("got %q\nwant %q", got, c.want)
			}
		})
	}
}

func TestTaskDefinitionRevisions(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := context.Background()
	for _, fam := range []string{"web", "web", "web", "api"} {
		out, err := h.s.registerTaskDefinition(ctx, &RegisterTaskDefinitionRequest{Family: ptr(fam), ContainerDefinitions: []ContainerDefinition{container("a", 64)}})
		if err != nil {
			t.Fatal(err)
		}
		if c := out.TaskDefinition.Compatibilities; fmt.Sprint(c) != "[EXTERNAL EC2]" || deref(out.TaskDefinition.NetworkMode) != modeBridge {
			t.Fatalf("compatibilities %v, network mode %v", c, deref(out.TaskDefinition.NetworkMode))
		}
	}
	if _, err := h.s.deregisterTaskDefinition(ctx, &DeregisterTaskDefinitionRequest{TaskDefinition: ptr("web:3")}); err != nil {
		t.Fatal(err)
	}
	// "web" is now its latest ACTIVE revision, 2.
	d, err := h.s.describeTaskDefinition(ctx, &DescribeTaskDefinitionRequest{TaskDefinition: ptr("web")})
	if err != nil || deref(d.TaskDefinition.Revision) != 2 {
		t.Fatalf("describe web: %+v %v", d, err)
	}
	list, err := h.s.listTaskDefinitions(ctx, &ListTaskDefinitionsRequest{Sort: ptr(SortOrder("DESC")), MaxResults: ptr(int32(2))})
	if err != nil || len(list.TaskDefinitionArns) != 2 || list.NextToken == nil ||
		list.TaskDefinitionArns[0] != h.s.arn("task-definition/web:2") || list.TaskDefinitionArns[1] != h.s.arn("task-definition/web:1") {
		t.Fatalf("first page: %+v %v", list, err)
	}
	list, err = h.s.listTaskDefinitions(ctx, &ListTaskDefinitionsRequest{Sort: ptr(SortOrder("DESC")), MaxResults: ptr(int32(2)), NextToken: list.NextToken})
	if err != nil || len(list.TaskDefinitionArns) != 1 || list.NextToken != nil || list.TaskDefinitionArns[0] != h.s.arn("task-definition/api:1") {
		t.Fatalf("second page: %+v %v", list, err)
	}
	inactive, err := h.s.listTaskDefinitions(ctx, &ListTaskDefinitionsRequest{FamilyPrefix: ptr("web"), Status: ptr(defInactive)})
	if err != nil || len(inactive.TaskDefinitionArns) != 1 {
		t.Fatalf("inactive: %+v %v", inactive, err)
	}
	del, err := h.s.deleteTaskDefinitions(ctx, &DeleteTaskDefinitionsRequest{TaskDefinitions: []string{"web:3", "web:1"}})
	if err != nil || len(del.TaskDefinitions) != 1 || deref(del.TaskDefinitions[0].Status) != defDeleting || len(del.Failures) != 1 {
		t.Fatalf("delete: %+v %v", del, err)
	}
	fams, err := h.s.listTaskDefinitionFamilies(ctx, &ListTaskDefinitionFamiliesRequest{FamilyPrefix: ptr("w")})
	if err != nil || len(fams.Families) != 1 || fams.Families[0] != "web" {
		t.Fatalf("families: %+v %v", fams, err)
	}
	// A family without ACTIVE revisions is listed by default and as
	// INACTIVE, not as ACTIVE.
	if _, err := h.s.deregisterTaskDefinition(ctx, &DeregisterTaskDefinitionRequest{TaskDefinition: ptr("api:1")}); err != nil {
		t.Fatal(err)
	}
	for status, want := range map[TaskDefinitionFamilyStatus]string{"": "[api web]", "ACTIVE": "[web]", "INACTIVE": "[api]"} {
		in := &ListTaskDefinitionFamiliesRequest{}
		if status != "" {
			in.Status = ptr(status)
		}
		fams, err := h.s.listTaskDefinitionFamilies(ctx, in)
		if err != nil || fmt.Sprint(fams.Families) != want {
			t.Fatalf("families with status %q: %v %v, want %s", status, fams.Families, err, want)
		}
	}
	if _, err := h.s.runTask(ctx, &RunTaskRequest{TaskDefinition: ptr("web:3")}); apierr.As(err) == nil || apierr.As(err).Message != "TaskDefinition is inactive" {
		t.Fatalf("running an inactive revision: %v", err)
	}
	if _, err := h.s.runTask(ctx, &RunTaskRequest{TaskDefinition: ptr("nope")}); apierr.As(err) == nil || apierr.As(err).Message != "TaskDefinition not found." {
		t.Fatalf("running a missing one: %v", err)
	}
}
