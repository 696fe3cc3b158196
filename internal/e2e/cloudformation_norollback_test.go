package e2e_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/virga/virga/internal/e2e"
)

// queues is a template of SQS queues, by logical ID, with their
// VisibilityTimeout; a timeout over 43,200 seconds fails the queue's
// creation. Each queue after the first depends on the one before, so
// that they are made one after the other.
func queues(prefix string, timeouts ...[2]string) string {
	var b strings.Builder
	b.WriteString("Resources:\n")
	for i, q := range timeouts {
		b.WriteString("  " + q[0] + ":\n    Type: AWS::SQS::Queue\n")
		if i > 0 {
			b.WriteString("    DependsOn: " + timeouts[i-1][0] + "\n")
		}
		b.WriteString("    Properties:\n      QueueName: " + prefix + "-" + strings.ToLower(q[0]) + "\n      VisibilityTimeout: " + q[1] + "\n")
	}
	return b.String()
}

// resourceStatuses is a stack's resources' statuses by logical ID.
func resourceStatuses(t *testing.T, cf *cloudformation.Client, stack string) map[string]cftypes.StackResource {
	t.Helper()
	out, err := cf.DescribeStackResources(context.Background(), &cloudformation.DescribeStackResourcesInput{StackName: aws.String(stack)})
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]cftypes.StackResource{}
	for _, r := range out.StackResources {
		m[aws.ToString(r.LogicalResourceId)] = r
	}
	return m
}

// stackStatuses is the stack-level statuses of a stack's events, oldest
// first; stack is its name or stack ID.
func stackStatuses(t *testing.T, cf *cloudformation.Client, stack string) []string {
	t.Helper()
	out, err := cf.DescribeStackEvents(context.Background(), &cloudformation.DescribeStackEventsInput{StackName: aws.String(stack)})
	if err != nil {
		t.Fatal(err)
	}
	var s []string
	for _, e := range slices.Backward(out.StackEvents) {
		if aws.ToString(e.LogicalResourceId) == aws.ToString(e.StackName) {
			s = append(s, string(e.ResourceStatus))
		}
	}
	return s
}

// TestCloudFormationDisableRollbackCreate: a creation that fails with
// DisableRollback stops CREATE_FAILED, keeping the resources made and
// the failed one's status and reason; an update retries the failed
// resource, and RollbackStack deletes everything (ROLLBACK_COMPLETE).
// A stack made with OnFailure DO_NOTHING may not be updated.
func TestCloudFormationDisableRollbackCreate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := e2e.Start(t)
	cf := cloudformation.NewFromConfig(env.Config)
	settle := func(name string) cftypes.Stack { return settleStack(t, cf, name) }
	sq := sqs.NewFromConfig(env.Config)
	broken := queues("keep", [2]string{"Good", "30"}, [2]string{"Bad", "99999"})
	fixed := queues("keep", [2]string{"Good", "30"}, [2]string{"Bad", "60"})

	for _, name := range []string{"keep", "undo"} {
		if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String(name),
			TemplateBody: aws.String(strings.ReplaceAll(broken, "keep-", name+"-")), DisableRollback: aws.Bool(true)}); err != nil {
			t.Fatal(err)
		}
		st := settle(name)
		if st.StackStatus != cftypes.StackStatusCreateFailed || !aws.ToBool(st.DisableRollback) {
			t.Fatalf("%s: %s (DisableRollback %v), want CREATE_FAILED", name, st.StackStatus, aws.ToBool(st.DisableRollback))
		}
		rs := resourceStatuses(t, cf, name)
		if rs["Good"].ResourceStatus != cftypes.ResourceStatusCreateComplete || rs["Bad"].ResourceStatus != cftypes.ResourceStatusCreateFailed ||
			!strings.Contains(aws.ToString(rs["Bad"].ResourceStatusReason), "VisibilityTimeout") {
			t.Fatalf("%s resources: Good %s, Bad %s %q", name, rs["Good"].ResourceStatus, rs["Bad"].ResourceStatus, aws.ToString(rs["Bad"].ResourceStatusReason))
		}
		if _, err := sq.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(name + "-good")}); err != nil {
			t.Fatalf("%s: the queue made before the failure: %v", name, err)
		}
	}

	// An update retries the failed creation; the queue made stays.
	good := resourceStatuses(t, cf, "keep")["Good"].PhysicalResourceId
	if _, err := cf.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: aws.String("keep"), TemplateBody: aws.String(fixed)}); err != nil {
		t.Fatal(err)
	}
	if st := settle("keep"); st.StackStatus != cftypes.StackStatusUpdateComplete {
		t.Fatalf("update of CREATE_FAILED: %s %s", st.StackStatus, aws.ToString(st.StackStatusReason))
	}
	rs := resourceStatuses(t, cf, "keep")
	if rs["Bad"].ResourceStatus != cftypes.ResourceStatusCreateComplete || aws.ToString(rs["Good"].PhysicalResourceId) != aws.ToString(good) {
		t.Errorf("after the retry: Bad %s, Good %s (was %s)", rs["Bad"].ResourceStatus, aws.ToString(rs["Good"].PhysicalResourceId), aws.ToString(good))
	}

	// RollbackStack deletes what a creation made: the stack had no
	// stable state.
	if _, err := cf.RollbackStack(ctx, &cloudformation.RollbackStackInput{StackName: aws.String("undo")}); err != nil {
		t.Fatal(err)
	}
	if st := settle("undo"); st.StackStatus != cftypes.StackStatusRollbackComplete {
		t.Fatalf("RollbackStack of CREATE_FAILED: %s", st.StackStatus)
	}
	if got, want := stackStatuses(t, cf, "undo"), []string{"CREATE_IN_PROGRESS", "CREATE_FAILED", "ROLLBACK_IN_PROGRESS", "ROLLBACK_COMPLETE"}; !slices.Equal(got, want) {
		t.Errorf("stack events %v, want %v", got, want)
	}
	if _, err := sq.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("undo-good")}); err == nil {
		t.Error("the rollback left the queue")
	}
	for _, name := range []string{"undo", "keep"} {
		_, err := cf.RollbackStack(ctx, &cloudformation.RollbackStackInput{StackName: aws.String(name)})
		if e := wantAPIError(t, err); e.Code != "ValidationError" || !strings.HasSuffix(e.Message, "state and can not be rolled back.") {
			t.Errorf("RollbackStack of %s: %s %q", name, e.Code, e.Message)
		}
	}
	_, err := cf.RollbackStack(ctx, &cloudformation.RollbackStackInput{StackName: aws.String("ghost")})
	if e := wantAPIError(t, err); e.Code != "ValidationError" || e.Message != "Stack [ghost] does not exist" {
		t.Errorf("RollbackStack of a missing stack: %s %q", e.Code, e.Message)
	}

	// OnFailure DO_NOTHING leaves the stack CREATE_FAILED too, but not
	// to be updated.
	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("nothing"),
		TemplateBody: aws.String(strings.ReplaceAll(broken, "keep-", "nothing-")), OnFailure: cftypes.OnFailureDoNothing}); err != nil {
		t.Fatal(err)
	}
	if st := settle("nothing"); st.StackStatus != cftypes.StackStatusCreateFailed {
		t.Fatalf("DO_NOTHING: %s", st.StackStatus)
	}
	_, err = cf.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: aws.String("nothing"), TemplateBody: aws.String(strings.ReplaceAll(fixed, "keep-", "nothing-"))})
	if e := wantAPIError(t, err); e.Code != "ValidationError" || !strings.Contains(e.Message, "[on-failure: DO_NOTHING]") {
		t.Errorf("update of a DO_NOTHING stack: %s %q", e.Code, e.Message)
	}
}

// TestCloudFormationOnFailureDelete: a creation that fails with
// OnFailure DELETE deletes the stack rather than rolling it back: its
// events go from CREATE_IN_PROGRESS to DELETE_IN_PROGRESS and
// DELETE_COMPLETE, what it made is gone, and only its stack ID finds it.
func TestCloudFormationOnFailureDelete(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := e2e.Start(t)
	cf := cloudformation.NewFromConfig(env.Config)
	sq := sqs.NewFromConfig(env.Config)
	out, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("gone"),
		TemplateBody: aws.String(queues("gone", [2]string{"Good", "30"}, [2]string{"Bad", "99999"})), OnFailure: cftypes.OnFailureDelete})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(out.StackId)
	if st := settleStack(t, cf, id); st.StackStatus != cftypes.StackStatusDeleteComplete || aws.ToBool(st.DisableRollback) {
		t.Fatalf("OnFailure DELETE: %s (DisableRollback %v), want DELETE_COMPLETE", st.StackStatus, aws.ToBool(st.DisableRollback))
	}
	ev, err := cf.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range slices.Backward(ev.StackEvents) {
		if aws.ToString(e.LogicalResourceId) != "gone" {
			continue
		}
		got = append(got, string(e.ResourceStatus))
		if e.ResourceStatus == cftypes.ResourceStatusDeleteInProgress &&
			aws.ToString(e.ResourceStatusReason) != "The following resource(s) failed to create: [Bad]. Delete requested by user." {
			t.Errorf("DELETE_IN_PROGRESS reason %q", aws.ToString(e.ResourceStatusReason))
		}
	}
	if want := []string{"CREATE_IN_PROGRESS", "DELETE_IN_PROGRESS", "DELETE_COMPLETE"}; !slices.Equal(got, want) {
		t.Errorf("stack events %v, want %v", got, want)
	}
	if _, err := sq.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("gone-good")}); err == nil {
		t.Error("the deletion left the queue")
	}
	_, err = cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("gone")})
	if e := wantAPIError(t, err); e.Code != "ValidationError" || e.Message != "Stack with id gone does not exist" {
		t.Errorf("DescribeStacks by name: %s %q", e.Code, e.Message)
	}
}

// TestCloudFormationChangeSetOnStackFailure: a CREATE change set's
// OnStackFailure, which DescribeChangeSet reports, decides what its
// failed creation does: DELETE deletes the stack, DO_NOTHING leaves it
// CREATE_FAILED as DisableRollback does. ExecuteChangeSet may not then
// be given DisableRollback, and DELETE is for CREATE change sets only.
func TestCloudFormationChangeSetOnStackFailure(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := e2e.Start(t)
	cf := cloudformation.NewFromConfig(env.Config)
	create := func(name string, typ cftypes.ChangeSetType, onFailure cftypes.OnStackFailure) (*cloudformation.CreateChangeSetOutput, error) {
		return cf.CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{StackName: aws.String(name), ChangeSetName: aws.String("cs"),
			ChangeSetType: typ, OnStackFailure: onFailure,
			TemplateBody: aws.String(queues(name, [2]string{"Good", "30"}, [2]string{"Bad", "99999"}))})
	}
	execute := func(name string, disableRollback *bool) error {
		_, err := cf.ExecuteChangeSet(ctx, &cloudformation.ExecuteChangeSetInput{StackName: aws.String(name),
			ChangeSetName: aws.String("cs"), DisableRollback: disableRollback})
		return err
	}

	out, err := create("csdel", cftypes.ChangeSetTypeCreate, cftypes.OnStackFailureDelete)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := cf.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{StackName: aws.String("csdel"), ChangeSetName: aws.String("cs")})
	if err != nil || cs.OnStackFailure != cftypes.OnStackFailureDelete {
		t.Fatalf("DescribeChangeSet: %v OnStackFailure %q", err, cs.OnStackFailure)
	}
	err = execute("csdel", aws.Bool(false))
	if e := wantAPIError(t, err); e.Code != "ValidationError" || !strings.HasPrefix(e.Message, "Either DisableRollback or OnStackFailure can be specified, but not both.") {
		t.Errorf("ExecuteChangeSet with DisableRollback: %s %q", e.Code, e.Message)
	}
	if err := execute("csdel", nil); err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(out.StackId)
	if st := settleStack(t, cf, id); st.StackStatus != cftypes.StackStatusDeleteComplete {
		t.Fatalf("OnStackFailure DELETE: %s, want DELETE_COMPLETE", st.StackStatus)
	}
	if got, want := stackStatuses(t, cf, id), []string{"REVIEW_IN_PROGRESS", "CREATE_IN_PROGRESS", "DELETE_IN_PROGRESS", "DELETE_COMPLETE"}; !slices.Equal(got, want) {
		t.Errorf("stack events %v, want %v", got, want)
	}

	if _, err := create("csnothing", cftypes.ChangeSetTypeCreate, cftypes.OnStackFailureDoNothing); err != nil {
		t.Fatal(err)
	}
	if err := execute("csnothing", nil); err != nil {
		t.Fatal(err)
	}
	if st := settleStack(t, cf, "csnothing"); st.StackStatus != cftypes.StackStatusCreateFailed || !aws.ToBool(st.DisableRollback) {
		t.Fatalf("OnStackFailure DO_NOTHING: %s (DisableRollback %v), want CREATE_FAILED", st.StackStatus, aws.ToBool(st.DisableRollback))
	}
	if rs := resourceStatuses(t, cf, "csnothing"); rs["Good"].ResourceStatus != cftypes.ResourceStatusCreateComplete {
		t.Errorf("Good %s, want CREATE_COMPLETE", rs["Good"].ResourceStatus)
	}

	_, err = create("csnothing", cftypes.ChangeSetTypeUpdate, cftypes.OnStackFailureDelete)
	if e := wantAPIError(t, err); e.Code != "ValidationError" {
		t.Errorf("UPDATE change set with OnStackFailure DELETE: %s %q", e.Code, e.Message)
	}
}

// TestCloudFormationDisableRollbackUpdate: an update that fails with
// DisableRollback (UpdateStack, or ExecuteChangeSet) stops
// UPDATE_FAILED, keeping what it changed and made; a later update
// carries on from there, and RollbackStack returns the stack to its
// last stable state (UPDATE_ROLLBACK_COMPLETE): changed resources get
// their properties back, new ones go, the template is the old one.
func TestCloudFormationDisableRollbackUpdate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := e2e.Start(t)
	cf := cloudformation.NewFromConfig(env.Config)
	settle := func(name string) cftypes.Stack { return settleStack(t, cf, name) }
	sq := sqs.NewFromConfig(env.Config)
	timeout := func(queue string) string {
		t.Helper()
		u, err := sq.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(queue)})
		if err != nil {
			return "gone"
		}
		a, err := sq.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: u.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{"VisibilityTimeout"}})
		if err != nil {
			t.Fatal(err)
		}
		return a.Attributes["VisibilityTimeout"]
	}
	for _, name := range []string{"retry", "back", "cs", "drop"} {
		if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String(name),
			TemplateBody: aws.String(queues(name, [2]string{"Good", "30"}))}); err != nil {
			t.Fatal(err)
		}
		if st := settle(name); st.StackStatus != cftypes.StackStatusCreateComplete {
			t.Fatalf("%s: %s", name, st.StackStatus)
		}
		failing := queues(name, [2]string{"Good", "60"}, [2]string{"New", "45"}, [2]string{"Bad", "99999"})
		if name == "cs" {
			if _, err := cf.CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{StackName: aws.String(name), ChangeSetName: aws.String("c1"),
				TemplateBody: aws.String(failing)}); err != nil {
				t.Fatal(err)
			}
			if _, err := cf.ExecuteChangeSet(ctx, &cloudformation.ExecuteChangeSetInput{StackName: aws.String(name), ChangeSetName: aws.String("c1"),
				DisableRollback: aws.Bool(true)}); err != nil {
				t.Fatal(err)
			}
		} else if _, err := cf.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: aws.String(name), TemplateBody: aws.String(failing),
			DisableRollback: aws.Bool(true)}); err != nil {
			t.Fatal(err)
		}
		st := settle(name)
		if st.StackStatus != cftypes.StackStatusUpdateFailed || !aws.ToBool(st.DisableRollback) {
			t.Fatalf("%s: %s %s, want UPDATE_FAILED", name, st.StackStatus, aws.ToString(st.StackStatusReason))
		}
		rs := resourceStatuses(t, cf, name)
		if rs["Good"].ResourceStatus != cftypes.ResourceStatusUpdateComplete || rs["New"].ResourceStatus != cftypes.ResourceStatusCreateComplete ||
			rs["Bad"].ResourceStatus != cftypes.ResourceStatusCreateFailed || aws.ToString(rs["Bad"].ResourceStatusReason) == "" {
			t.Errorf("%s resources: Good %s, New %s, Bad %s %q", name, rs["Good"].ResourceStatus, rs["New"].ResourceStatus,
				rs["Bad"].ResourceStatus, aws.ToString(rs["Bad"].ResourceStatusReason))
		}
		if got := timeout(name + "-good"); got != "60" {
			t.Errorf("%s: the updated queue's timeout is %s, want 60 (kept)", name, got)
		}
	}

	// A stack left UPDATE_FAILED may be updated: the update carries on.
	if _, err := cf.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: aws.String("retry"),
		TemplateBody: aws.String(queues("retry", [2]string{"Good", "60"}, [2]string{"New", "45"}, [2]string{"Bad", "50"}))}); err != nil {
		t.Fatal(err)
	}
	if st := settle("retry"); st.StackStatus != cftypes.StackStatusUpdateComplete {
		t.Fatalf("update of UPDATE_FAILED: %s %s", st.StackStatus, aws.ToString(st.StackStatusReason))
	}
	if got := timeout("retry-bad"); got != "50" {
		t.Errorf("the retried queue's timeout is %s, want 50", got)
	}
	// So may one a change set left UPDATE_FAILED, by another change set.
	if _, err := cf.CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{StackName: aws.String("cs"), ChangeSetName: aws.String("c2"),
		TemplateBody: aws.String(queues("cs", [2]string{"Good", "60"}, [2]string{"New", "45"}, [2]string{"Bad", "50"}))}); err != nil {
		t.Fatal(err)
	}
	if _, err := cf.ExecuteChangeSet(ctx, &cloudformation.ExecuteChangeSetInput{StackName: aws.String("cs"), ChangeSetName: aws.String("c2")}); err != nil {
		t.Fatal(err)
	}
	if st := settle("cs"); st.StackStatus != cftypes.StackStatusUpdateComplete {
		t.Fatalf("change set on UPDATE_FAILED: %s %s", st.StackStatus, aws.ToString(st.StackStatusReason))
	}

	// RollbackStack returns the stack to its last stable state.
	if _, err := cf.RollbackStack(ctx, &cloudformation.RollbackStackInput{StackName: aws.String("back")}); err != nil {
		t.Fatal(err)
	}
	if st := settle("back"); st.StackStatus != cftypes.StackStatusUpdateRollbackComplete {
		t.Fatalf("RollbackStack of UPDATE_FAILED: %s %s", st.StackStatus, aws.ToString(st.StackStatusReason))
	}
	want := []string{"CREATE_IN_PROGRESS", "CREATE_COMPLETE", "UPDATE_IN_PROGRESS", "UPDATE_FAILED",
		"UPDATE_ROLLBACK_IN_PROGRESS", "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS", "UPDATE_ROLLBACK_COMPLETE"}
	if got := stackStatuses(t, cf, "back"); !slices.Equal(got, want) {
		t.Errorf("stack events %v, want %v", got, want)
	}
	if got := timeout("back-good"); got != "30" {
		t.Errorf("the rolled back queue's timeout is %s, want 30", got)
	}
	if got := timeout("back-new"); got != "gone" {
		t.Errorf("the queue the failed update made is still there (timeout %s)", got)
	}
	rs := resourceStatuses(t, cf, "back")
	if len(rs) != 1 || rs["Good"].ResourceStatus != cftypes.ResourceStatusUpdateComplete {
		t.Errorf("resources after the rollback: %v", rs)
	}
	tpl, err := cf.GetTemplate(ctx, &cloudformation.GetTemplateInput{StackName: aws.String("back")})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(aws.ToString(tpl.TemplateBody), "New") {
		t.Errorf("the template after the rollback is the failed update's:\n%s", aws.ToString(tpl.TemplateBody))
	}

	// Deleting a stack left UPDATE_FAILED deletes every resource it has.
	if _, err := cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("drop")}); err != nil {
		t.Fatal(err)
	}
	out, err := cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("drop")})
	if err == nil {
		t.Fatalf("the deleted stack is still there: %s", out.Stacks[0].StackStatus)
	}
	for _, q := range []string{"drop-good", "drop-new"} {
		if got := timeout(q); got != "gone" {
			t.Errorf("the deletion of an UPDATE_FAILED stack left %s", q)
		}
	}

	// A stack that is not in UPDATE_ROLLBACK_FAILED cannot continue a
	// rollback.
	_, err = cf.ContinueUpdateRollback(ctx, &cloudformation.ContinueUpdateRollbackInput{StackName: aws.String("back")})
	if e := wantAPIError(t, err); e.Code != "ValidationError" || !strings.Contains(e.Message, "UPDATE_ROLLBACK_COMPLETE state") {
		t.Errorf("ContinueUpdateRollback of UPDATE_ROLLBACK_COMPLETE: %s %q", e.Code, e.Message)
	}
	// With rollback disabled, an update may not replace a resource.
	_, err = cf.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: aws.String("back"), DisableRollback: aws.Bool(true),
		TemplateBody: aws.String(queues("back-renamed", [2]string{"Good", "30"}))})
	if e := wantAPIError(t, err); e.Code != "ValidationError" || e.Message != "Replacement type updates not supported on stack with disable-rollback." {
		t.Errorf("a replacement with rollback disabled: %s %q", e.Code, e.Message)
	}
}

// TestCLIDeployDisableRollback runs `aws cloudformation deploy
// --disable-rollback` on a template that fails, which leaves the stack
// CREATE_FAILED, then `aws cloudformation rollback-stack`.
func TestCLIDeployDisableRollback(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, e2e.AWSCLI)
	env := e2e.Start(t)
	cf := cloudformation.NewFromConfig(env.Config)
	file := filepath.Join(t.TempDir(), "template.yaml")
	if err := os.WriteFile(file, []byte(queues("cli", [2]string{"Good", "30"}, [2]string{"Bad", "99999"})), 0o644); err != nil {
		t.Fatal(err)
	}
	if res := env.CLI(t, "cloudformation", "deploy", "--stack-name", "cli", "--template-file", file, "--disable-rollback"); res.ExitCode == 0 {
		t.Fatalf("deploy of a failing template succeeded:\n%s", res.Stdout)
	}
	if st := settleStack(t, cf, "cli"); st.StackStatus != cftypes.StackStatusCreateFailed || !aws.ToBool(st.DisableRollback) {
		t.Fatalf("after deploy --disable-rollback: %s", st.StackStatus)
	}
	if rs := resourceStatuses(t, cf, "cli"); rs["Good"].ResourceStatus != cftypes.ResourceStatusCreateComplete {
		t.Errorf("the queue made before the failure: %s", rs["Good"].ResourceStatus)
	}
	res := env.CLI(t, "cloudformation", "rollback-stack", "--stack-name", "cli")
	if res.ExitCode != 0 || !strings.Contains(res.Stdout, "StackId") {
		t.Fatalf("rollback-stack: exit %d\n%s\n%s", res.ExitCode, res.Stdout, res.Stderr)
	}
	if st := settleStack(t, cf, "cli"); st.StackStatus != cftypes.StackStatusRollbackComplete {
		t.Fatalf("after rollback-stack: %s", st.StackStatus)
	}
}

// TestCloudFormationContinueUpdateRollback: a rollback that fails (the
// queue it would restore was deleted behind the stack's back) leaves
// the stack UPDATE_ROLLBACK_FAILED, which may not be updated;
// ContinueUpdateRollback skipping that queue finishes the rollback.
func TestCloudFormationContinueUpdateRollback(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := e2e.Start(t)
	cf := cloudformation.NewFromConfig(env.Config)
	sq := sqs.NewFromConfig(env.Config)
	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("stuck"),
		TemplateBody: aws.String(queues("stuck", [2]string{"Good", "30"}))}); err != nil {
		t.Fatal(err)
	}
	if st := settleStack(t, cf, "stuck"); st.StackStatus != cftypes.StackStatusCreateComplete {
		t.Fatalf("create: %s", st.StackStatus)
	}
	if _, err := cf.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: aws.String("stuck"), DisableRollback: aws.Bool(true),
		TemplateBody: aws.String(queues("stuck", [2]string{"Good", "60"}, [2]string{"New", "45"}, [2]string{"Bad", "99999"}))}); err != nil {
		t.Fatal(err)
	}
	if st := settleStack(t, cf, "stuck"); st.StackStatus != cftypes.StackStatusUpdateFailed {
		t.Fatalf("update: %s", st.StackStatus)
	}
	u, err := sq.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("stuck-good")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sq.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: u.QueueUrl}); err != nil {
		t.Fatal(err)
	}
	if _, err := cf.RollbackStack(ctx, &cloudformation.RollbackStackInput{StackName: aws.String("stuck")}); err != nil {
		t.Fatal(err)
	}
	if st := settleStack(t, cf, "stuck"); st.StackStatus != cftypes.StackStatusUpdateRollbackFailed {
		t.Fatalf("rollback with the queue gone: %s", st.StackStatus)
	}
	if rs := resourceStatuses(t, cf, "stuck"); rs["Good"].ResourceStatus != cftypes.ResourceStatusUpdateFailed {
		t.Errorf("the queue that could not be rolled back: %s", rs["Good"].ResourceStatus)
	}
	_, err = cf.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: aws.String("stuck"), TemplateBody: aws.String(queues("stuck", [2]string{"Good", "30"}))})
	if e := wantAPIError(t, err); e.Code != "ValidationError" || !strings.Contains(e.Message, "is in UPDATE_ROLLBACK_FAILED state and can not be updated.") {
		t.Errorf("update of UPDATE_ROLLBACK_FAILED: %s %q", e.Code, e.Message)
	}
	if _, err := cf.ContinueUpdateRollback(ctx, &cloudformation.ContinueUpdateRollbackInput{StackName: aws.String("stuck"),
		ResourcesToSkip: []string{"Good"}}); err != nil {
		t.Fatal(err)
	}
	if st := settleStack(t, cf, "stuck"); st.StackStatus != cftypes.StackStatusUpdateRollbackComplete {
		t.Fatalf("ContinueUpdateRollback: %s", st.StackStatus)
	}
	rs := resourceStatuses(t, cf, "stuck")
	if len(rs) != 1 || rs["Good"].ResourceStatus != cftypes.ResourceStatusUpdateComplete {
		t.Errorf("resources after ContinueUpdateRollback: %v", rs)
	}
	if _, err := sq.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("stuck-new")}); err == nil {
		t.Error("the queue the failed update made is still there")
	}
}

// TestCloudFormationRollbackStackRetainExceptOnCreate: RollbackStack
// keeps a resource the failed creation made whose DeletionPolicy is
// Retain, unless RetainExceptOnCreate asks for it to go too.
func TestCloudFormationRollbackStackRetainExceptOnCreate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := e2e.Start(t)
	cf := cloudformation.NewFromConfig(env.Config)
	sq := sqs.NewFromConfig(env.Config)
	for name, deleteNew := range map[string]bool{"retain": false, "except": true} {
		body := strings.Replace(queues(name, [2]string{"Kept", "30"}, [2]string{"Bad", "99999"}), "    Properties:", "    DeletionPolicy: Retain\n    Properties:", 1)
		if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String(name), TemplateBody: aws.String(body),
			DisableRollback: aws.Bool(true)}); err != nil {
			t.Fatal(err)
		}
		if st := settleStack(t, cf, name); st.StackStatus != cftypes.StackStatusCreateFailed {
			t.Fatalf("%s: %s", name, st.StackStatus)
		}
		if _, err := cf.RollbackStack(ctx, &cloudformation.RollbackStackInput{StackName: aws.String(name), RetainExceptOnCreate: aws.Bool(deleteNew)}); err != nil {
			t.Fatal(err)
		}
		if st := settleStack(t, cf, name); st.StackStatus != cftypes.StackStatusRollbackComplete {
			t.Fatalf("%s: RollbackStack: %s", name, st.StackStatus)
		}
		_, err := sq.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(name + "-kept")})
		if kept := err == nil; kept == deleteNew {
			t.Errorf("RetainExceptOnCreate %v: the Retain queue kept: %v", deleteNew, kept)
		}
	}
}
