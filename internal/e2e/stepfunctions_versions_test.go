package e2e_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/e2e"
)

func passDef(result string) string {
	return `{"StartAt":"P","States":{"P":{"Type":"Pass","Result":"` + result + `","End":true}}}`
}

// TestStepFunctionsVersions publishes versions (on create, on update and
// with PublishStateMachineVersion), runs them, and checks the revision
// rules: a publish with nothing changed answers the latest version, a
// stale revisionId is a ConflictException, numbers are never reused.
func TestStepFunctionsVersions(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := sfn.NewFromConfig(env.Config)
	ctx := context.Background()

	_, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("nopub"), RoleArn: aws.String(sfnRole),
		Definition: aws.String(passDef("x")), VersionDescription: aws.String("d")})
	if ae := expectAPIError(t, err, "ValidationException", 400); ae.Message != "Version description can only be set when publish is true" {
		t.Errorf("message = %s", ae.Message)
	}

	sm, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("ver"), RoleArn: aws.String(sfnRole),
		Definition: aws.String(passDef("one")), Publish: true, VersionDescription: aws.String("first")})
	if err != nil {
		t.Fatal(err)
	}
	v1 := *sm.StateMachineArn + ":1"
	if aws.ToString(sm.StateMachineVersionArn) != v1 {
		t.Fatalf("version ARN = %v", aws.ToString(sm.StateMachineVersionArn))
	}
	d, err := c.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: &v1})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(d.StateMachineArn) != v1 || aws.ToString(d.Description) != "first" || d.RevisionId != nil || aws.ToString(d.Name) != "ver" {
		t.Errorf("describe v1 = %+v", d)
	}

	// Publishing the unchanged machine answers version 1.
	p, err := c.PublishStateMachineVersion(ctx, &sfn.PublishStateMachineVersionInput{StateMachineArn: sm.StateMachineArn})
	if err != nil || aws.ToString(p.StateMachineVersionArn) != v1 {
		t.Fatalf("idempotent publish = %v, %v", p, err)
	}

	up, err := c.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{StateMachineArn: sm.StateMachineArn, Definition: aws.String(passDef("two"))})
	if err != nil {
		t.Fatal(err)
	}
	rev2 := aws.ToString(up.RevisionId)
	if rev2 == "" || up.StateMachineVersionArn != nil {
		t.Fatalf("update = %+v", up)
	}
	p2, err := c.PublishStateMachineVersion(ctx, &sfn.PublishStateMachineVersionInput{StateMachineArn: sm.StateMachineArn, RevisionId: &rev2, Description: aws.String("second")})
	if err != nil {
		t.Fatal(err)
	}
	v2 := *sm.StateMachineArn + ":2"
	if aws.ToString(p2.StateMachineVersionArn) != v2 {
		t.Fatalf("publish = %v", aws.ToString(p2.StateMachineVersionArn))
	}
	up3, err := c.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{StateMachineArn: sm.StateMachineArn, Definition: aws.String(passDef("three"))})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.PublishStateMachineVersion(ctx, &sfn.PublishStateMachineVersionInput{StateMachineArn: sm.StateMachineArn, RevisionId: &rev2})
	ae := expectAPIError(t, err, "ConflictException", 409)
	if want := "Failed to publish the State Machine version for revision " + rev2 + ". The current State Machine revision is " + aws.ToString(up3.RevisionId) + "."; ae.Message != want {
		t.Errorf("message = %s", ae.Message)
	}

	// Version 2 is deleted; the next version is 3.
	if _, err := c.DeleteStateMachineVersion(ctx, &sfn.DeleteStateMachineVersionInput{StateMachineVersionArn: &v2}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteStateMachineVersion(ctx, &sfn.DeleteStateMachineVersionInput{StateMachineVersionArn: &v2}); err != nil {
		t.Fatalf("deleting a deleted version: %v", err)
	}
	_, err = c.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: &v2})
	if ae := expectAPIError(t, err, "StateMachineDoesNotExist", 400); ae.Message != "State Machine Does Not Exist: '"+v2+"'" {
		t.Errorf("message = %s", ae.Message)
	}
	up4, err := c.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{StateMachineArn: sm.StateMachineArn, Definition: aws.String(passDef("three")), Publish: true})
	if err != nil {
		t.Fatal(err)
	}
	v3 := *sm.StateMachineArn + ":3"
	if aws.ToString(up4.StateMachineVersionArn) != v3 {
		t.Fatalf("update with publish = %v", aws.ToString(up4.StateMachineVersionArn))
	}
	list, err := c.ListStateMachineVersions(ctx, &sfn.ListStateMachineVersionsInput{StateMachineArn: sm.StateMachineArn})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.StateMachineVersions) != 2 || aws.ToString(list.StateMachineVersions[0].StateMachineVersionArn) != v3 ||
		aws.ToString(list.StateMachineVersions[1].StateMachineVersionArn) != v1 {
		t.Fatalf("versions = %+v", list.StateMachineVersions)
	}

	// Version 1 runs its own definition; the machine runs its latest.
	run := func(arn string) *sfn.DescribeExecutionOutput {
		t.Helper()
		st, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: &arn})
		if err != nil {
			t.Fatal(err)
		}
		return waitExecution(t, c, *st.ExecutionArn)
	}
	e1 := run(v1)
	if aws.ToString(e1.Output) != `"one"` || aws.ToString(e1.StateMachineVersionArn) != v1 || e1.StateMachineAliasArn != nil ||
		aws.ToString(e1.StateMachineArn) != *sm.StateMachineArn {
		t.Errorf("version execution = %+v", e1)
	}
	dm, err := c.DescribeStateMachineForExecution(ctx, &sfn.DescribeStateMachineForExecutionInput{ExecutionArn: e1.ExecutionArn})
	if err != nil || dm.RevisionId != nil || aws.ToString(dm.Definition) != passDef("one") || aws.ToString(dm.StateMachineArn) != *sm.StateMachineArn {
		t.Errorf("machine of the version execution = %+v, %v", dm, err)
	}
	e3 := run(v3)
	dm, err = c.DescribeStateMachineForExecution(ctx, &sfn.DescribeStateMachineForExecutionInput{ExecutionArn: e3.ExecutionArn})
	if err != nil || aws.ToString(dm.RevisionId) != aws.ToString(up3.RevisionId) {
		t.Errorf("machine of the v3 execution = %+v, %v", dm, err)
	}
	e0 := run(*sm.StateMachineArn)
	if aws.ToString(e0.Output) != `"three"` || e0.StateMachineVersionArn != nil {
		t.Errorf("unqualified execution = %+v", e0)
	}
	byVersion, err := c.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: &v1})
	if err != nil {
		t.Fatal(err)
	}
	if len(byVersion.Executions) != 1 || aws.ToString(byVersion.Executions[0].ExecutionArn) != aws.ToString(e1.ExecutionArn) ||
		aws.ToString(byVersion.Executions[0].StateMachineVersionArn) != v1 {
		t.Errorf("executions of v1 = %+v", byVersion.Executions)
	}
	all, err := c.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: sm.StateMachineArn})
	if err != nil || len(all.Executions) != 3 {
		t.Errorf("executions = %+v, %v", all, err)
	}
	_, err = c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: &v2})
	expectAPIError(t, err, "StateMachineDoesNotExist", 400)
}

// TestStepFunctionsAliases routes executions through aliases of one and
// two versions and checks the alias operations' errors.
func TestStepFunctionsAliases(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := sfn.NewFromConfig(env.Config)
	ctx := context.Background()
	sm, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("al"), RoleArn: aws.String(sfnRole),
		Definition: aws.String(passDef("one")), Publish: true})
	if err != nil {
		t.Fatal(err)
	}
	up, err := c.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{StateMachineArn: sm.StateMachineArn, Definition: aws.String(passDef("two")), Publish: true})
	if err != nil {
		t.Fatal(err)
	}
	v1, v2 := aws.ToString(sm.StateMachineVersionArn), aws.ToString(up.StateMachineVersionArn)
	routing := func(arns ...any) []sfntypes.RoutingConfigurationListItem {
		var out []sfntypes.RoutingConfigurationListItem
		for i := 0; i < len(arns); i += 2 {
			out = append(out, sfntypes.RoutingConfigurationListItem{StateMachineVersionArn: aws.String(arns[i].(string)), Weight: int32(arns[i+1].(int))})
		}
		return out
	}
	for _, tc := range []struct {
		name, code, msg string
		routes          []sfntypes.RoutingConfigurationListItem
	}{
		{"123", "ValidationException", "1 validation error detected: Value '123' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: ^(?=.*[a-zA-Z_\\-\\.])[a-zA-Z0-9_\\-\\.]+$", routing(v1, 100)},
		{"a", "ValidationException", "Routing configuration must contain state machine version ARNs. Received: [" + *sm.StateMachineArn + "]", routing(*sm.StateMachineArn, 100)},
		{"a", "ValidationException", "Routing configuration must contain distinct state machine version ARNs. Received: [" + v1 + ", " + v1 + "]", routing(v1, 50, v1, 50)},
		{"a", "ValidationException", "Sum of routing configuration weights must equal 100. Received: [70, 29]", routing(v1, 70, v2, 29)},
	} {
		_, err := c.CreateStateMachineAlias(ctx, &sfn.CreateStateMachineAliasInput{Name: aws.String(tc.name), RoutingConfiguration: tc.routes})
		if ae := expectAPIError(t, err, tc.code, 400); ae.Message != tc.msg {
			t.Errorf("%s: message = %s", tc.name, ae.Message)
		}
	}

	prod, err := c.CreateStateMachineAlias(ctx, &sfn.CreateStateMachineAliasInput{Name: aws.String("PROD"), Description: aws.String("live"),
		RoutingConfiguration: routing(v1, 100)})
	if err != nil {
		t.Fatal(err)
	}
	aliasARN := *sm.StateMachineArn + ":PROD"
	if aws.ToString(prod.StateMachineAliasArn) != aliasARN {
		t.Fatalf("alias ARN = %s", aws.ToString(prod.StateMachineAliasArn))
	}
	again, err := c.CreateStateMachineAlias(ctx, &sfn.CreateStateMachineAliasInput{Name: aws.String("PROD"), Description: aws.String("live"),
		RoutingConfiguration: routing(v1, 100)})
	if err != nil || !aws.ToTime(again.CreationDate).Equal(aws.ToTime(prod.CreationDate)) {
		t.Errorf("idempotent create = %+v, %v", again, err)
	}
	_, err = c.CreateStateMachineAlias(ctx, &sfn.CreateStateMachineAliasInput{Name: aws.String("PROD"), RoutingConfiguration: routing(v2, 100)})
	if ae := expectAPIError(t, err, "ConflictException", 409); ae.Message != "Failed to create alias because an alias with the same name and a different routing configuration already exists." {
		t.Errorf("message = %s", ae.Message)
	}

	st, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: &aliasARN})
	if err != nil {
		t.Fatal(err)
	}
	ex := waitExecution(t, c, *st.ExecutionArn)
	if aws.ToString(ex.Output) != `"one"` || aws.ToString(ex.StateMachineAliasArn) != aliasARN || aws.ToString(ex.StateMachineVersionArn) != v1 {
		t.Errorf("alias execution = %+v", ex)
	}

	_, err = c.DeleteStateMachineVersion(ctx, &sfn.DeleteStateMachineVersionInput{StateMachineVersionArn: &v1})
	if ae := expectAPIError(t, err, "ConflictException", 409); ae.Message != "Version to be deleted must not be referenced by an alias. Current list of aliases referencing this version: [PROD]" {
		t.Errorf("message = %s", ae.Message)
	}

	// Half and half: both versions run, chosen at random.
	if _, err := c.UpdateStateMachineAlias(ctx, &sfn.UpdateStateMachineAliasInput{StateMachineAliasArn: &aliasARN, RoutingConfiguration: routing(v1, 50, v2, 50)}); err != nil {
		t.Fatal(err)
	}
	d, err := c.DescribeStateMachineAlias(ctx, &sfn.DescribeStateMachineAliasInput{StateMachineAliasArn: &aliasARN})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(d.Name) != "PROD" || aws.ToString(d.Description) != "live" || len(d.RoutingConfiguration) != 2 ||
		aws.ToString(d.RoutingConfiguration[1].StateMachineVersionArn) != v2 || d.RoutingConfiguration[1].Weight != 50 {
		t.Errorf("describe alias = %+v", d)
	}
	seen := map[string]bool{}
	for i := 0; i < 40 && len(seen) < 2; i++ {
		st, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: &aliasARN})
		if err != nil {
			t.Fatal(err)
		}
		ex := waitExecution(t, c, *st.ExecutionArn)
		seen[aws.ToString(ex.StateMachineVersionArn)] = true
		if want := map[string]string{v1: `"one"`, v2: `"two"`}[aws.ToString(ex.StateMachineVersionArn)]; aws.ToString(ex.Output) != want {
			t.Errorf("output %s from %s", aws.ToString(ex.Output), aws.ToString(ex.StateMachineVersionArn))
		}
	}
	if len(seen) != 2 {
		t.Errorf("a 50/50 alias ran only %v in 40 executions", seen)
	}
	byAlias, err := c.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: &aliasARN})
	if err != nil || len(byAlias.Executions) < 3 || aws.ToString(byAlias.Executions[0].StateMachineAliasArn) != aliasARN {
		t.Errorf("executions of the alias = %+v, %v", byAlias, err)
	}

	forV2, err := c.ListStateMachineAliases(ctx, &sfn.ListStateMachineAliasesInput{StateMachineArn: &v2})
	if err != nil || len(forV2.StateMachineAliases) != 1 || !strings.HasSuffix(aws.ToString(forV2.StateMachineAliases[0].StateMachineAliasArn), ":PROD") {
		t.Errorf("aliases of v2 = %+v, %v", forV2, err)
	}
	if _, err := c.DeleteStateMachineAlias(ctx, &sfn.DeleteStateMachineAliasInput{StateMachineAliasArn: &aliasARN}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DescribeStateMachineAlias(ctx, &sfn.DescribeStateMachineAliasInput{StateMachineAliasArn: &aliasARN})
	if ae := expectAPIError(t, err, "ResourceNotFound", 400); ae.Message != "Request references a resource that does not exist." {
		t.Errorf("message = %s", ae.Message)
	}
	_, err = c.UpdateStateMachineAlias(ctx, &sfn.UpdateStateMachineAliasInput{StateMachineAliasArn: &aliasARN, Description: aws.String("x")})
	expectAPIError(t, err, "ResourceNotFound", 400)
	if _, err := c.DeleteStateMachineVersion(ctx, &sfn.DeleteStateMachineVersionInput{StateMachineVersionArn: &v1}); err != nil {
		t.Fatalf("deleting a version no alias routes to: %v", err)
	}
	all, err := c.ListStateMachineAliases(ctx, &sfn.ListStateMachineAliasesInput{StateMachineArn: sm.StateMachineArn})
	if err != nil || len(all.StateMachineAliases) != 0 {
		t.Errorf("aliases = %+v, %v", all, err)
	}
}

// TestStepFunctionsVersionsRestart keeps versions, aliases and the
// version an execution ran across a restart.
func TestStepFunctionsVersionsRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	clk := clock.NewFake(time.Now())
	c, stop := startSfnVirga(t, dir, clk)
	ctx := context.Background()
	sm, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("kept"), RoleArn: aws.String(sfnRole),
		Definition: aws.String(passDef("one")), Publish: true})
	if err != nil {
		t.Fatal(err)
	}
	aliasARN := *sm.StateMachineArn + ":live"
	if _, err := c.CreateStateMachineAlias(ctx, &sfn.CreateStateMachineAliasInput{Name: aws.String("live"),
		RoutingConfiguration: []sfntypes.RoutingConfigurationListItem{{StateMachineVersionArn: sm.StateMachineVersionArn, Weight: 100}}}); err != nil {
		t.Fatal(err)
	}
	st, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: &aliasARN})
	if err != nil {
		t.Fatal(err)
	}
	waitExecution(t, c, *st.ExecutionArn)
	stop()
	c, _ = startSfnVirga(t, dir, clk)
	d, err := c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: st.ExecutionArn})
	if err != nil || aws.ToString(d.StateMachineAliasArn) != aliasARN || aws.ToString(d.StateMachineVersionArn) != aws.ToString(sm.StateMachineVersionArn) {
		t.Errorf("execution after restart = %+v, %v", d, err)
	}
	up, err := c.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{StateMachineArn: sm.StateMachineArn, Definition: aws.String(passDef("two")), Publish: true})
	if err != nil || aws.ToString(up.StateMachineVersionArn) != *sm.StateMachineArn+":2" {
		t.Fatalf("publish after restart = %+v, %v", up, err)
	}
	st, err = c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: &aliasARN})
	if err != nil {
		t.Fatal(err)
	}
	if d := waitExecution(t, c, *st.ExecutionArn); aws.ToString(d.Output) != `"one"` {
		t.Errorf("alias after restart ran %s", aws.ToString(d.Output))
	}
}
