package e2e_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	schedtypes "github.com/aws/aws-sdk-go-v2/service/scheduler/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/virga/virga/internal/e2e"
)

// ecsTargetSetup creates the cluster "jobs" and the Fargate task
// definition "job" the ECS target tests run, and returns the cluster's
// ARN.
func ecsTargetSetup(t *testing.T, c *ecs.Client) string {
	t.Helper()
	ctx := context.Background()
	cl, err := c.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("jobs")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("job"), NetworkMode: ecstypes.NetworkModeAwsvpc,
		RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate}, Cpu: aws.String("256"), Memory: aws.String("512"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("busybox")}}}); err != nil {
		t.Fatal(err)
	}
	return aws.ToString(cl.Cluster.ClusterArn)
}

// startedTasks waits until n tasks of cluster "jobs" were started by
// startedBy, and describes them.
func startedTasks(t *testing.T, c *ecs.Client, startedBy string, n int) []ecstypes.Task {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(20 * time.Second)
	for {
		l, err := c.ListTasks(ctx, &ecs.ListTasksInput{Cluster: aws.String("jobs"), StartedBy: aws.String(startedBy)})
		if err != nil {
			t.Fatal(err)
		}
		if len(l.TaskArns) >= n {
			out, err := c.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String("jobs"), Tasks: l.TaskArns, Include: []ecstypes.TaskField{ecstypes.TaskFieldTags}})
			if err != nil {
				t.Fatal(err)
			}
			return out.Tasks
		}
		if time.Now().After(deadline) {
			t.Fatalf("tasks started by %s: %v; want %d", startedBy, l.TaskArns, n)
		}
		time.Sleep(20 * time.Millisecond) // waiting for background delivery, not timing it
	}
}

func containerCommand(task ecstypes.Task) []string {
	if task.Overrides == nil || len(task.Overrides.ContainerOverrides) == 0 {
		return nil
	}
	return task.Overrides.ContainerOverrides[0].Command
}

// TestEventBridgeRuleRunsECSTask: a rule's target on an ECS cluster runs
// its EcsParameters' task with RunTask, started by
// events-rule/RULE (its first 36 characters), in the target's group,
// with a constant Input that is a task overrides document as the task's
// overrides; a task RunTask refuses goes to the target's dead-letter
// queue.
func TestEventBridgeRuleRunsECSTask(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithContainerRuntime(newContainerDouble()))
	ctx := context.Background()
	ec := ecs.NewFromConfig(env.Config)
	eb := eventbridge.NewFromConfig(env.Config)
	q := sqs.NewFromConfig(env.Config)
	cluster := ecsTargetSetup(t, ec)
	role := aws.String("arn:aws:iam::" + testAccount + ":role/events-ecs")
	dlqURL, dlqARN := schedQueue(t, q, "ecs-dlq")

	rule := "nightly-report-generation-for-all-tenants"
	if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String(rule), EventPattern: aws.String(`{"source":["app.jobs"]}`)}); err != nil {
		t.Fatal(err)
	}
	params := &ebtypes.EcsParameters{TaskDefinitionArn: aws.String("job"), TaskCount: aws.Int32(2), LaunchType: ebtypes.LaunchTypeFargate,
		Group: aws.String("reports"), NetworkConfiguration: &ebtypes.NetworkConfiguration{AwsvpcConfiguration: &ebtypes.AwsVpcConfiguration{
			Subnets: env.DefaultNetwork(t).Subnets[:1], AssignPublicIp: ebtypes.AssignPublicIpEnabled}},
		Tags: []ebtypes.Tag{{Key: aws.String("team"), Value: aws.String("data")}}}

	// Without EcsParameters, or without a role, the target is refused.
	out, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String(rule), Targets: []ebtypes.Target{{Id: aws.String("bare"), Arn: aws.String(cluster), RoleArn: role}}})
	if err != nil || out.FailedEntryCount != 1 {
		t.Fatalf("PutTargets without EcsParameters: %+v, %v", out, err)
	}
	if _, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String(rule),
		Targets: []ebtypes.Target{{Id: aws.String("norole"), Arn: aws.String(cluster), EcsParameters: params}}}); !strings.Contains(apiCode(err), "ValidationException") {
		t.Fatalf("PutTargets without RoleArn: %v", err)
	}

	out, err = eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String(rule), Targets: []ebtypes.Target{
		{Id: aws.String("run"), Arn: aws.String(cluster), RoleArn: role, EcsParameters: params,
			Input: aws.String(`{"containerOverrides":[{"name":"app","command":["report","--all"]}]}`)},
		{Id: aws.String("transformed"), Arn: aws.String(cluster), RoleArn: role, EcsParameters: &ebtypes.EcsParameters{TaskDefinitionArn: aws.String("job"),
			Group: aws.String("transformed"), NetworkConfiguration: params.NetworkConfiguration},
			InputTransformer: &ebtypes.InputTransformer{InputPathsMap: map[string]string{"cmd": "$.detail.cmd"},
				InputTemplate: aws.String(`{"containerOverrides":[{"name":"app","command":[<cmd>]}]}`)}},
		{Id: aws.String("event"), Arn: aws.String(cluster), RoleArn: role, EcsParameters: &ebtypes.EcsParameters{TaskDefinitionArn: aws.String("job"),
			Group: aws.String("event"), NetworkConfiguration: params.NetworkConfiguration}},
		{Id: aws.String("missing"), Arn: aws.String(cluster), RoleArn: role, EcsParameters: &ebtypes.EcsParameters{TaskDefinitionArn: aws.String("nosuch")},
			RetryPolicy: &ebtypes.RetryPolicy{MaximumRetryAttempts: aws.Int32(0)}, DeadLetterConfig: &ebtypes.DeadLetterConfig{Arn: aws.String(dlqARN)}},
	}})
	if err != nil || out.FailedEntryCount != 0 {
		t.Fatalf("PutTargets: %+v, %v", out, err)
	}
	if _, err := eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{Source: aws.String("app.jobs"),
		DetailType: aws.String("Run"), Detail: aws.String(`{"cmd":"from-event"}`)}}}); err != nil {
		t.Fatal(err)
	}
	startedBy := ("events-rule/" + rule)[:36]
	tasks := startedTasks(t, ec, startedBy, 4)
	groups := map[string][]ecstypes.Task{}
	for _, task := range tasks {
		groups[aws.ToString(task.Group)] = append(groups[aws.ToString(task.Group)], task)
	}
	// An InputTransformer's output is the overrides too; the event itself
	// is not a task overrides document, and the task runs without any.
	if g := groups["transformed"]; len(g) != 1 || !slices.Equal(containerCommand(g[0]), []string{"from-event"}) {
		t.Fatalf("transformed tasks %+v", g)
	}
	if g := groups["event"]; len(g) != 1 || containerCommand(g[0]) != nil {
		t.Fatalf("event tasks %+v", g)
	}
	for _, task := range groups["reports"] {
		if aws.ToString(task.StartedBy) != startedBy || aws.ToString(task.Group) != "reports" || task.LaunchType != ecstypes.LaunchTypeFargate ||
			!slices.Equal(containerCommand(task), []string{"report", "--all"}) || !strings.Contains(aws.ToString(task.TaskDefinitionArn), "task-definition/job:1") {
			t.Fatalf("task %+v", task)
		}
		if !slices.ContainsFunc(task.Tags, func(tag ecstypes.Tag) bool {
			return aws.ToString(tag.Key) == "team" && aws.ToString(tag.Value) == "data"
		}) {
			t.Fatalf("task tags %+v", task.Tags)
		}
	}
	if len(groups["reports"]) != 2 {
		t.Fatalf("tasks %+v", tasks)
	}
	got := schedDrain(t, q, dlqURL, func(ms []sqstypes.Message) bool { return len(ms) > 0 })
	if !strings.Contains(aws.ToString(got[0].Body), `"source":"app.jobs"`) {
		t.Fatalf("dead-lettered %q", aws.ToString(got[0].Body))
	}
}

// TestSchedulerScheduleRunsECSTask: a schedule's ECS cluster target runs
// its task when the schedule fires, started by chronos-schedule/NAME,
// with the Input as the task's overrides; GetSchedule answers the
// EcsParameters.
func TestSchedulerScheduleRunsECSTask(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithFakeClock(), e2e.WithContainerRuntime(newContainerDouble()))
	ctx := context.Background()
	ec := ecs.NewFromConfig(env.Config)
	sc := scheduler.NewFromConfig(env.Config)
	cluster := ecsTargetSetup(t, ec)
	at := nextMinute(env.Clock.Now()).Add(time.Minute).UTC()
	target := &schedtypes.Target{Arn: aws.String(cluster), RoleArn: aws.String(schedRole),
		Input: aws.String(`{"containerOverrides":[{"name":"app","command":["tick"]}]}`),
		EcsParameters: &schedtypes.EcsParameters{TaskDefinitionArn: aws.String("job"), LaunchType: schedtypes.LaunchTypeFargate,
			NetworkConfiguration: &schedtypes.NetworkConfiguration{AwsvpcConfiguration: &schedtypes.AwsVpcConfiguration{Subnets: env.DefaultNetwork(t).Subnets[:1]}}}}
	if _, err := sc.CreateSchedule(ctx, &scheduler.CreateScheduleInput{Name: aws.String("tick"), FlexibleTimeWindow: schedOff,
		ScheduleExpression: aws.String("at(" + at.Format("2006-01-02T15:04:05") + ")"),
		Target:             &schedtypes.Target{Arn: aws.String(cluster), RoleArn: aws.String(schedRole)}}); !strings.Contains(apiCode(err), "ValidationException") {
		t.Fatalf("CreateSchedule without EcsParameters: %v", err)
	}
	if _, err := sc.CreateSchedule(ctx, &scheduler.CreateScheduleInput{Name: aws.String("tick"), FlexibleTimeWindow: schedOff,
		ScheduleExpression: aws.String("at(" + at.Format("2006-01-02T15:04:05") + ")"), Target: target}); err != nil {
		t.Fatal(err)
	}
	got, err := sc.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: aws.String("tick")})
	if err != nil || got.Target.EcsParameters == nil || aws.ToString(got.Target.EcsParameters.TaskDefinitionArn) != "job" {
		t.Fatalf("GetSchedule: %+v, %v", got, err)
	}
	env.Clock.Set(at.Add(5 * time.Second))
	task := startedTasks(t, ec, "chronos-schedule/tick", 1)[0]
	if aws.ToString(task.Group) != "family:job" || !slices.Equal(containerCommand(task), []string{"tick"}) {
		t.Fatalf("task %+v", task)
	}
}

// TestIAMEnforceSchedulerECSRole: under --auth iam a schedule's ECS
// target calls RunTask as a session of the target's RoleArn: without
// ecs:RunTask the occurrence goes to the dead-letter queue with ECS's
// AccessDeniedException; once the role allows it, the next occurrence
// starts the task.
func TestIAMEnforceSchedulerECSRole(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, iamMode, e2e.WithFakeClock(), e2e.WithContainerRuntime(newContainerDouble()))
	ctx := context.Background()
	ec := ecs.NewFromConfig(env.Config)
	sc := scheduler.NewFromConfig(env.Config)
	qc := sqs.NewFromConfig(env.Config)
	cluster := ecsTargetSetup(t, ec)
	dlqURL, dlqARN := schedQueue(t, qc, "ecs-dlq")
	role := serviceRole(t, env, "ecs-schedule-role", "scheduler.amazonaws.com", allow("sqs:SendMessage", dlqARN))
	if _, err := sc.CreateSchedule(ctx, &scheduler.CreateScheduleInput{Name: aws.String("batch"), ScheduleExpression: aws.String("rate(1 minute)"),
		FlexibleTimeWindow: schedOff, Target: &schedtypes.Target{Arn: aws.String(cluster), RoleArn: aws.String(role),
			EcsParameters: &schedtypes.EcsParameters{TaskDefinitionArn: aws.String("job"), LaunchType: schedtypes.LaunchTypeFargate,
				NetworkConfiguration: &schedtypes.NetworkConfiguration{AwsvpcConfiguration: &schedtypes.AwsVpcConfiguration{Subnets: env.DefaultNetwork(t).Subnets[:1]}}},
			DeadLetterConfig: &schedtypes.DeadLetterConfig{Arn: aws.String(dlqARN)}}}); err != nil {
		t.Fatal(err)
	}
	occ := nextMinute(env.Clock.Now())
	env.Clock.Set(occ.Add(time.Second))
	dead := schedDrain(t, qc, dlqURL, func(ms []sqstypes.Message) bool { return len(ms) > 0 })
	if attrs := sqsAttrStrings(dead[0].MessageAttributes); attrs["ERROR_CODE"] != "AccessDeniedException" ||
		!strings.Contains(attrs["ERROR_MESSAGE"], "assumed-role/ecs-schedule-role/") || !strings.Contains(attrs["ERROR_MESSAGE"], "ecs:RunTask") {
		t.Fatalf("dead letters %q, attributes %v", schedBodies(dead), attrs)
	}

	putRolePolicy(t, env, "ecs-schedule-role", allow("ecs:RunTask", "*"))
	env.Clock.Set(occ.Add(time.Minute + time.Second))
	startedTasks(t, ec, "chronos-schedule/batch", 1)
}

// ecsTargetsTemplate is the common scheduled-task stack: a rule and a
// schedule that run a Fargate task on a cluster.
const ecsTargetsTemplate = `{"Parameters":{"Subnets":{"Type":"List<AWS::EC2::Subnet::Id>"}},"Resources":{
 "Cluster":{"Type":"AWS::ECS::Cluster","Properties":{"ClusterName":"jobs"}},
 "Def":{"Type":"AWS::ECS::TaskDefinition","Properties":{"Family":"job","NetworkMode":"awsvpc","RequiresCompatibilities":["FARGATE"],
  "Cpu":"256","Memory":"512","ContainerDefinitions":[{"Name":"app","Image":"busybox"}]}},
 "Rule":{"Type":"AWS::Events::Rule","Properties":{"Name":"on-upload","EventPattern":{"source":["app.uploads"]},"Targets":[{"Id":"task",
  "Arn":{"Fn::GetAtt":["Cluster","Arn"]},"RoleArn":"arn:aws:iam::000000000000:role/events-ecs",
  "Input":"{\"containerOverrides\":[{\"name\":\"app\",\"command\":[\"ingest\"]}]}",
  "EcsParameters":{"TaskDefinitionArn":{"Ref":"Def"},"TaskCount":1,"LaunchType":"FARGATE",
   "NetworkConfiguration":{"AwsVpcConfiguration":{"Subnets":[{"Fn::Select":[0,{"Ref":"Subnets"}]}],"AssignPublicIp":"ENABLED"}}}}]}},
 "Schedule":{"Type":"AWS::Scheduler::Schedule","Properties":{"Name":"hourly","ScheduleExpression":"rate(1 hour)",
  "FlexibleTimeWindow":{"Mode":"OFF"},"Target":{"Arn":{"Fn::GetAtt":["Cluster","Arn"]},"RoleArn":"arn:aws:iam::000000000000:role/scheduler-exec",
  "EcsParameters":{"TaskDefinitionArn":{"Ref":"Def"},"LaunchType":"FARGATE","Group":"hourly-jobs",
   "NetworkConfiguration":{"AwsvpcConfiguration":{"Subnets":[{"Fn::Select":[0,{"Ref":"Subnets"}]}]}}}}}}}}`

// TestECSTargetsStack: the scheduled-task templates deploy, and their
// rule and schedule run the task.
func TestECSTargetsStack(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithFakeClock(), e2e.WithContainerRuntime(newContainerDouble()))
	ctx := context.Background()
	cf := cloudformation.NewFromConfig(env.Config)
	ec := ecs.NewFromConfig(env.Config)
	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("jobs"), TemplateBody: aws.String(ecsTargetsTemplate),
		Parameters: []cftypes.Parameter{env.DefaultNetwork(t).SubnetsParameter()}}); err != nil {
		t.Fatal(err)
	}
	createdStackOutputs(t, cf, "jobs")
	if _, err := eventbridge.NewFromConfig(env.Config).PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
		{Source: aws.String("app.uploads"), DetailType: aws.String("Uploaded"), Detail: aws.String(`{}`)}}}); err != nil {
		t.Fatal(err)
	}
	task := startedTasks(t, ec, "events-rule/on-upload", 1)[0]
	if !slices.Equal(containerCommand(task), []string{"ingest"}) || task.LaunchType != ecstypes.LaunchTypeFargate {
		t.Fatalf("rule's task %+v", task)
	}
	env.Clock.Set(env.Clock.Now().Add(time.Hour + time.Minute))
	task = startedTasks(t, ec, "chronos-schedule/hourly", 1)[0]
	if aws.ToString(task.Group) != "hourly-jobs" {
		t.Fatalf("schedule's task %+v", task)
	}
}
