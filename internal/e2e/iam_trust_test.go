package e2e_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	schedtypes "github.com/aws/aws-sdk-go-v2/service/scheduler/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/virga/virga/internal/e2e"
)

// trustFunction is a CreateFunction request for a function with role.
func trustFunction(t *testing.T, name, role string) *lambda.CreateFunctionInput {
	return &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Runtime: lambdatypes.RuntimePython312, Handler: aws.String("app.handler"),
		Role: aws.String(role),
		Code: &lambdatypes.FunctionCode{ZipFile: zipOf(t, zipEntry{name: "app.py", body: []byte("def handler(e, c):\n    return e\n")})},
	}
}

// TestIAMTrustFunctionRole: under --auth iam CreateFunction and
// UpdateFunctionConfiguration refuse an execution role Lambda cannot
// assume (missing, or trusting another service) and a dead-letter queue
// the role may not send to, with Lambda's InvalidParameterValueException.
func TestIAMTrustFunctionRole(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, iamMode)
	ctx := context.Background()
	lc := lambdaClient(t, env)
	const cannot = "The role defined for the function cannot be assumed by Lambda."

	_, err := lc.CreateFunction(ctx, trustFunction(t, "missing", "arn:aws:iam::"+testAccount+":role/nobody"))
	wantDenied(t, err, "InvalidParameterValueException", 400, cannot)
	states := serviceRole(t, env, "states-role", "states.amazonaws.com", "")
	_, err = lc.CreateFunction(ctx, trustFunction(t, "other", states))
	wantDenied(t, err, "InvalidParameterValueException", 400, cannot)

	qc := sqs.NewFromConfig(env.Config)
	mkQueue(t, qc, "fn-dlq", nil)
	dlq := queueARN("fn-dlq")
	role := serviceRole(t, env, "fn-role", "lambda.amazonaws.com", "")
	in := trustFunction(t, "with-dlq", role)
	in.DeadLetterConfig = &lambdatypes.DeadLetterConfig{TargetArn: aws.String(dlq)}
	_, err = lc.CreateFunction(ctx, in)
	wantDenied(t, err, "InvalidParameterValueException", 400, "The provided execution role does not have permissions to call SendMessage on SQS")
	topic := "arn:aws:sns:us-east-1:" + testAccount + ":fn-topic"
	in.DeadLetterConfig.TargetArn = aws.String(topic)
	_, err = lc.CreateFunction(ctx, in)
	wantDenied(t, err, "InvalidParameterValueException", 400, "The provided execution role does not have permissions to call Publish on SNS")

	putRolePolicy(t, env, "fn-role", allow("sqs:SendMessage", dlq))
	in.DeadLetterConfig.TargetArn = aws.String(dlq)
	if _, err := lc.CreateFunction(ctx, in); err != nil {
		t.Fatal(err)
	}
	// A new role must be one Lambda can assume, and one that may send
	// to the dead-letter queue the function keeps.
	_, err = lc.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("with-dlq"), Role: &states})
	wantDenied(t, err, "InvalidParameterValueException", 400, cannot)
	bare := serviceRole(t, env, "bare-role", "lambda.amazonaws.com", "")
	_, err = lc.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("with-dlq"), Role: &bare})
	wantDenied(t, err, "InvalidParameterValueException", 400, "The provided execution role does not have permissions to call SendMessage on SQS")
	_, err = lc.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("with-dlq"),
		DeadLetterConfig: &lambdatypes.DeadLetterConfig{TargetArn: aws.String(topic)}})
	wantDenied(t, err, "InvalidParameterValueException", 400, "The provided execution role does not have permissions to call Publish on SNS")
	if _, err := lc.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("with-dlq"), Role: &bare,
		DeadLetterConfig: &lambdatypes.DeadLetterConfig{TargetArn: aws.String("")}}); err != nil {
		t.Errorf("role without a dead-letter queue: %v", err)
	}
}

// TestTrustFunctionRoleDefaultMode: without --auth iam no role is
// checked: a function may name a role that does not exist.
func TestTrustFunctionRoleDefaultMode(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	lc := lambdaClient(t, env)
	in := trustFunction(t, "anyrole", "arn:aws:iam::"+testAccount+":role/nobody")
	in.DeadLetterConfig = &lambdatypes.DeadLetterConfig{TargetArn: aws.String(queueARN("nowhere"))}
	if _, err := lc.CreateFunction(context.Background(), in); err != nil {
		t.Fatal(err)
	}
}

// TestIAMTrustStateMachineRole: under --auth iam CreateStateMachine and
// UpdateStateMachine refuse a role Step Functions cannot assume (missing,
// or trusting another service) with AccessDeniedException; a role that
// trusts the global or the regional principal is taken.
func TestIAMTrustStateMachineRole(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, iamMode)
	ctx := context.Background()
	sc := sfn.NewFromConfig(env.Config)
	const def = `{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`
	const cannot = "Neither the global service principal states.amazonaws.com, nor the regional one is authorized to assume the provided role."
	lambdaOnly := serviceRole(t, env, "fn-only", "lambda.amazonaws.com", "")
	for _, role := range []string{"arn:aws:iam::" + testAccount + ":role/nobody", lambdaOnly} {
		_, err := sc.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("m"), RoleArn: aws.String(role), Definition: aws.String(def)})
		wantDenied(t, err, "AccessDeniedException", 400, cannot)
	}
	global := serviceRole(t, env, "global", "states.amazonaws.com", "")
	regional := serviceRole(t, env, "regional", "states.us-east-1.amazonaws.com", "")
	out, err := sc.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("m"), RoleArn: &global, Definition: aws.String(def)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = sc.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{StateMachineArn: out.StateMachineArn, RoleArn: &lambdaOnly})
	wantDenied(t, err, "AccessDeniedException", 400, cannot)
	if _, err := sc.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{StateMachineArn: out.StateMachineArn, RoleArn: &regional}); err != nil {
		t.Errorf("regional principal: %v", err)
	}
}

// TestTrustStateMachineRoleDefaultMode: without --auth iam a state
// machine may name a role that does not exist.
func TestTrustStateMachineRoleDefaultMode(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	if _, err := sfn.NewFromConfig(env.Config).CreateStateMachine(context.Background(), &sfn.CreateStateMachineInput{Name: aws.String("m"),
		RoleArn: aws.String("arn:aws:iam::" + testAccount + ":role/nobody"), Definition: aws.String(`{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`)}); err != nil {
		t.Fatal(err)
	}
}

// TestIAMTrustScheduleRole: under --auth iam CreateSchedule and
// UpdateSchedule refuse a target role Scheduler cannot assume (missing,
// trusting another service, or trusting Scheduler only for another
// schedule group) with ValidationException.
func TestIAMTrustScheduleRole(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, iamMode)
	ctx := context.Background()
	c := scheduler.NewFromConfig(env.Config)
	const cannot = "The execution role you provide must allow AWS EventBridge Scheduler to assume the role."
	target := queueARN("anything")
	schedule := func(name, role string) *scheduler.CreateScheduleInput {
		return &scheduler.CreateScheduleInput{Name: aws.String(name), ScheduleExpression: aws.String("rate(1 hour)"),
			FlexibleTimeWindow: &schedtypes.FlexibleTimeWindow{Mode: schedtypes.FlexibleTimeWindowModeOff},
			Target:             &schedtypes.Target{Arn: aws.String(target), RoleArn: aws.String(role)}}
	}
	other := serviceRole(t, env, "events-role", "events.amazonaws.com", "")
	for _, role := range []string{"arn:aws:iam::" + testAccount + ":role/nobody", other} {
		_, err := c.CreateSchedule(ctx, schedule("s", role))
		wantDenied(t, err, "ValidationException", 400, cannot)
	}
	// A trust policy may hold Scheduler to a schedule group.
	if _, err := iamClient(env).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("group-role"), AssumeRolePolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"scheduler.amazonaws.com"},"Action":"sts:AssumeRole",` +
			`"Condition":{"StringEquals":{"aws:SourceAccount":"` + testAccount + `","aws:SourceArn":"arn:aws:scheduler:us-east-1:` + testAccount + `:schedule-group/default"}}}}`)}); err != nil {
		t.Fatal(err)
	}
	groupRole := "arn:aws:iam::" + testAccount + ":role/group-role"
	if _, err := c.CreateSchedule(ctx, schedule("s", groupRole)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateScheduleGroup(ctx, &scheduler.CreateScheduleGroupInput{Name: aws.String("g")}); err != nil {
		t.Fatal(err)
	}
	in := schedule("s", groupRole)
	in.GroupName = aws.String("g")
	_, err := c.CreateSchedule(ctx, in)
	wantDenied(t, err, "ValidationException", 400, cannot)
	_, err = c.UpdateSchedule(ctx, &scheduler.UpdateScheduleInput{Name: aws.String("s"), ScheduleExpression: aws.String("rate(1 hour)"),
		FlexibleTimeWindow: in.FlexibleTimeWindow, Target: &schedtypes.Target{Arn: aws.String(target), RoleArn: aws.String(other)}})
	wantDenied(t, err, "ValidationException", 400, cannot)
}

// TestTrustScheduleRoleDefaultMode: without --auth iam a schedule may
// name a role that does not exist.
func TestTrustScheduleRoleDefaultMode(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	if _, err := scheduler.NewFromConfig(env.Config).CreateSchedule(context.Background(), &scheduler.CreateScheduleInput{Name: aws.String("s"),
		ScheduleExpression: aws.String("rate(1 hour)"), FlexibleTimeWindow: &schedtypes.FlexibleTimeWindow{Mode: schedtypes.FlexibleTimeWindowModeOff},
		Target: &schedtypes.Target{Arn: aws.String(queueARN("anything")), RoleArn: aws.String("arn:aws:iam::" + testAccount + ":role/nobody")}}); err != nil {
		t.Fatal(err)
	}
}

// TestEventTargetsRequireRole: in every auth mode PutTargets refuses,
// with ValidationException, a target EventBridge reaches only as a role
// (a state machine, an event bus, a queue in another account) when it
// names no RoleArn; a queue of the rule's account needs none.
func TestEventTargetsRequireRole(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	eb := eventbridge.NewFromConfig(env.Config)
	if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r"), EventPattern: aws.String(`{"source":["app"]}`)}); err != nil {
		t.Fatal(err)
	}
	role := "arn:aws:iam::" + testAccount + ":role/events"
	for _, arn := range []string{
		"arn:aws:states:us-east-1:" + testAccount + ":stateMachine:m",
		"arn:aws:events:us-east-1:" + testAccount + ":event-bus/other",
		"arn:aws:sqs:us-east-1:111122223333:theirs",
	} {
		_, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("r"), Targets: []ebtypes.Target{{Id: aws.String("t"), Arn: aws.String(arn)}}})
		wantDenied(t, err, "ValidationException", 400, "RoleArn is required for target "+arn+".")
		out, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("r"), Targets: []ebtypes.Target{{Id: aws.String("t"), Arn: aws.String(arn), RoleArn: &role}}})
		if err != nil || out.FailedEntryCount != 0 {
			t.Errorf("%s with a role: %v %+v", arn, err, out)
		}
	}
	out, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("r"), Targets: []ebtypes.Target{{Id: aws.String("q"), Arn: aws.String(queueARN("mine"))}}})
	if err != nil || out.FailedEntryCount != 0 {
		t.Errorf("queue of the account: %v %+v", err, out)
	}
}
