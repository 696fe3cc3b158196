package e2e_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"github.com/virga/virga/internal/e2e"
)

const oneQueue = "Resources:\n  Box:\n    Type: AWS::SQS::Queue\n"

// cfnClient is a CloudFormation client with a helper that waits for a
// stack to settle.
func cfnClient(t *testing.T) (*cloudformation.Client, func(name string) cftypes.Stack) {
	env := e2e.Start(t)
	cf := cloudformation.NewFromConfig(env.Config)
	settle := func(name string) cftypes.Stack {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			out, err := cf.DescribeStacks(context.Background(), &cloudformation.DescribeStacksInput{StackName: aws.String(name)})
			if err != nil {
				t.Fatal(err)
			}
			st := out.Stacks[0]
			if s := string(st.StackStatus); len(s) < 12 || s[len(s)-12:] != "_IN_PROGRESS" || time.Now().After(deadline) {
				return st
			}
		}
	}
	return cf, settle
}

// TestCloudFormationStackErrors checks the wording of the errors of the
// operations that act on a stack: a missing stack is "Stack [name] does
// not exist" to UpdateStack and DescribeStackEvents (DescribeStacks says
// "Stack with id name does not exist"), and a missing change set is
// ChangeSetNotFound, which the SDK maps to its exception type.
func TestCloudFormationStackErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cf, settle := cfnClient(t)

	_, err := cf.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: aws.String("ghost"), TemplateBody: aws.String(oneQueue)})
	if e := wantAPIError(t, err); e.Code != "ValidationError" || e.Message != "Stack [ghost] does not exist" {
		t.Errorf("UpdateStack of a missing stack: %s %q", e.Code, e.Message)
	}
	_, err = cf.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: aws.String("ghost")})
	if e := wantAPIError(t, err); e.Code != "ValidationError" || e.Message != "Stack [ghost] does not exist" {
		t.Errorf("DescribeStackEvents of a missing stack: %s %q", e.Code, e.Message)
	}
	_, err = cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("ghost")})
	if e := wantAPIError(t, err); e.Code != "ValidationError" || e.Message != "Stack with id ghost does not exist" {
		t.Errorf("DescribeStacks of a missing stack: %s %q", e.Code, e.Message)
	}

	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("held"), TemplateBody: aws.String(oneQueue)}); err != nil {
		t.Fatal(err)
	}
	settle("held")
	_, err = cf.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{StackName: aws.String("held"), ChangeSetName: aws.String("nothing")})
	var gone *cftypes.ChangeSetNotFoundException
	if !errors.As(err, &gone) {
		t.Errorf("DescribeChangeSet of a missing change set: %v, want ChangeSetNotFoundException", err)
	}
	if e := wantAPIError(t, err); e.Code != "ChangeSetNotFound" || e.Status != 404 || e.Message != "ChangeSet [nothing] does not exist" {
		t.Errorf("DescribeChangeSet of a missing change set: %d %s %q", e.Status, e.Code, e.Message)
	}

	// A resource's creation is two CREATE_IN_PROGRESS events, the second
	// once the service accepted it, with its physical id.
	evs, err := cf.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: aws.String("held")})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range evs.StackEvents {
		if aws.ToString(e.LogicalResourceId) == "Box" {
			got = append(got, string(e.ResourceStatus)+"/"+aws.ToString(e.ResourceStatusReason)+"/"+map[bool]string{true: "id", false: "-"}[aws.ToString(e.PhysicalResourceId) != ""])
		}
	}
	want := []string{"CREATE_COMPLETE//id", "CREATE_IN_PROGRESS/Resource creation Initiated/id", "CREATE_IN_PROGRESS//-"}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("events of Box, newest first: %q, want %q", got, want)
	}
}

// TestCloudFormationTerminationProtection: a protected stack cannot be
// deleted, whatever its status, until UpdateTerminationProtection
// clears the protection; DescribeStacks shows it.
func TestCloudFormationTerminationProtection(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cf, settle := cfnClient(t)

	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("keep"), TemplateBody: aws.String(oneQueue),
		EnableTerminationProtection: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	st := settle("keep")
	if !aws.ToBool(st.EnableTerminationProtection) {
		t.Errorf("EnableTerminationProtection %v, want true", st.EnableTerminationProtection)
	}
	_, err := cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("keep")})
	if e := wantAPIError(t, err); e.Code != "ValidationError" || e.Message != "Stack [keep] cannot be deleted while TerminationProtection is enabled" {
		t.Errorf("DeleteStack of a protected stack: %s %q", e.Code, e.Message)
	}
	if st := settle("keep"); st.StackStatus != cftypes.StackStatusCreateComplete {
		t.Errorf("after a refused delete: %s", st.StackStatus)
	}
	out, err := cf.UpdateTerminationProtection(ctx, &cloudformation.UpdateTerminationProtectionInput{StackName: aws.String("keep"),
		EnableTerminationProtection: aws.Bool(false)})
	if err != nil || aws.ToString(out.StackId) != aws.ToString(st.StackId) {
		t.Fatalf("UpdateTerminationProtection: %+v %v", out, err)
	}
	if st := settle("keep"); aws.ToBool(st.EnableTerminationProtection) {
		t.Errorf("EnableTerminationProtection still true")
	}
	if _, err := cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("keep")}); err != nil {
		t.Fatal(err)
	}
	if err := cloudformation.NewStackDeleteCompleteWaiter(cf).Wait(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("keep")}, time.Minute); err != nil {
		t.Fatal(err)
	}
	_, err = cf.UpdateTerminationProtection(ctx, &cloudformation.UpdateTerminationProtectionInput{StackName: aws.String("keep"),
		EnableTerminationProtection: aws.Bool(true)})
	if e := wantAPIError(t, err); e.Code != "ValidationError" {
		t.Errorf("UpdateTerminationProtection of a deleted stack: %s %q", e.Code, e.Message)
	}
}

// TestCloudFormationTemplateErrorWording: ValidateTemplate and
// CreateStack answer template problems in CloudFormation's words alone,
// without virga's line and column; GetTemplateSummary gives the reason
// for the capabilities it lists.
func TestCloudFormationTemplateErrorWording(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cf, _ := cfnClient(t)
	for _, c := range []struct{ body, want string }{
		{"Resources:\n  A:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Ref Nowhere\n",
			"Template format error: Unresolved resource dependencies [Nowhere] in the Resources block of the template"},
		{"Resources:\n  A:\n    Type: AWS::SQS::Queue\n    DependsOn: B\n  B:\n    Type: AWS::SQS::Queue\n    DependsOn: A\n",
			"Circular dependency between resources: [A, B]"},
	} {
		// AWS's words, then the line virga adds for the template's author.
		located := regexp.MustCompile("^" + regexp.QuoteMeta(c.want) + ` \(line \d+, column \d+\)$`)
		_, err := cf.ValidateTemplate(ctx, &cloudformation.ValidateTemplateInput{TemplateBody: aws.String(c.body)})
		if e := wantAPIError(t, err); e.Code != "ValidationError" || !located.MatchString(e.Message) {
			t.Errorf("ValidateTemplate: %s %q, want %q and its line", e.Code, e.Message, c.want)
		}
		_, err = cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("bad"), TemplateBody: aws.String(c.body)})
		if e := wantAPIError(t, err); e.Code != "ValidationError" || !located.MatchString(e.Message) {
			t.Errorf("CreateStack: %s %q, want %q and its line", e.Code, e.Message, c.want)
		}
	}
	role := "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument: {}\n"
	sum, err := cf.GetTemplateSummary(ctx, &cloudformation.GetTemplateSummaryInput{TemplateBody: aws.String(role)})
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Capabilities) != 1 || sum.Capabilities[0] != cftypes.CapabilityCapabilityIam ||
		aws.ToString(sum.CapabilitiesReason) != "The following resource(s) require capabilities: [AWS::IAM::Role]" {
		t.Errorf("GetTemplateSummary: %v %q", sum.Capabilities, aws.ToString(sum.CapabilitiesReason))
	}
}

const tunedQueue = `
Parameters:
  Visibility:
    Type: Number
    Default: 30
Resources:
  Box:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: !Ref Visibility
      Tags:
        - {Key: team, Value: red}
`

// TestCloudFormationChangeSetDetails: a Modify names each property that
// changes, whether that recreates the resource, and its cause: the
// template (DirectModification, Static) or a parameter's new value (a
// Dynamic DirectModification with a Static ParameterReference naming
// the parameter, as AWS's documented example shows); Tags are their
// own scope.
func TestCloudFormationChangeSetDetails(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cf, settle := cfnClient(t)
	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("tuned"), TemplateBody: aws.String(tunedQueue)}); err != nil {
		t.Fatal(err)
	}
	settle("tuned")
	changed := strings.Replace(tunedQueue, "Value: red}", "Value: blue}\n      MessageRetentionPeriod: 3600\n      QueueName: tuned-box", 1)
	if _, err := cf.CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{StackName: aws.String("tuned"), ChangeSetName: aws.String("retune"),
		TemplateBody: aws.String(changed), Parameters: []cftypes.Parameter{{ParameterKey: aws.String("Visibility"), ParameterValue: aws.String("60")}}}); err != nil {
		t.Fatal(err)
	}
	d, err := cf.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{StackName: aws.String("tuned"), ChangeSetName: aws.String("retune")})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Changes) != 1 {
		t.Fatalf("changes: %+v", d.Changes)
	}
	rc := d.Changes[0].ResourceChange
	if rc.Action != cftypes.ChangeActionModify || rc.Replacement != cftypes.ReplacementTrue {
		t.Errorf("action %s replacement %s, want Modify True (QueueName replaces)", rc.Action, rc.Replacement)
	}
	if len(rc.Scope) != 2 || rc.Scope[0] != cftypes.ResourceAttributeProperties || rc.Scope[1] != cftypes.ResourceAttributeTags {
		t.Errorf("scope %v", rc.Scope)
	}
	got := map[string]bool{}
	for _, det := range rc.Details {
		got[fmt.Sprintf("%s/%s/%s/%s/%s/%s", det.Target.Attribute, aws.ToString(det.Target.Name), det.Target.RequiresRecreation,
			det.Evaluation, det.ChangeSource, aws.ToString(det.CausingEntity))] = true
	}
	for _, want := range []string{
		"Properties/MessageRetentionPeriod/Never/Static/DirectModification/",
		"Properties/QueueName/Always/Static/DirectModification/",
		"Tags//Never/Static/DirectModification/",
		"Properties/VisibilityTimeout/Never/Dynamic/DirectModification/",
		"Properties/VisibilityTimeout/Never/Static/ParameterReference/Visibility",
	} {
		if !got[want] {
			t.Errorf("no detail %s among %v", want, got)
		}
	}
	if len(got) != 5 {
		t.Errorf("details %v, want 5", got)
	}
	if n := len(rc.Details); n == 0 || rc.Details[n-1].ChangeSource != cftypes.ChangeSourceParameterReference {
		t.Errorf("the parameter's detail is not last: %+v", rc.Details)
	}
	if d.NotificationARNs == nil || d.Capabilities == nil {
		t.Errorf("NotificationARNs %v, Capabilities %v: want them present and empty", d.NotificationARNs, d.Capabilities)
	}

	// A parameter's new value alone modifies the resources that use it.
	if _, err := cf.CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{StackName: aws.String("tuned"), ChangeSetName: aws.String("slower"),
		UsePreviousTemplate: aws.Bool(true), Parameters: []cftypes.Parameter{{ParameterKey: aws.String("Visibility"), ParameterValue: aws.String("90")}}}); err != nil {
		t.Fatal(err)
	}
	d, err = cf.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{StackName: aws.String("tuned"), ChangeSetName: aws.String("slower")})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Changes) != 1 || d.Changes[0].ResourceChange.Replacement != cftypes.ReplacementFalse || len(d.Changes[0].ResourceChange.Details) != 2 ||
		d.Changes[0].ResourceChange.Details[0].Evaluation != cftypes.EvaluationTypeDynamic ||
		aws.ToString(d.Changes[0].ResourceChange.Details[1].CausingEntity) != "Visibility" {
		t.Errorf("parameter-only change set: %+v", d.Changes)
	}
}

// TestCloudFormationListExportsPages: ListExports answers 100 exports a
// page with a NextToken for the rest, and the SDK's paginator reads
// them all, each once.
func TestCloudFormationListExportsPages(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cf, settle := cfnClient(t)
	var b strings.Builder
	b.WriteString(oneQueue + "Outputs:\n")
	for i := range 130 {
		fmt.Fprintf(&b, "  Out%d:\n    Value: v%d\n    Export:\n      Name: shared-%03d\n", i, i, i)
	}
	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("many"), TemplateBody: aws.String(b.String())}); err != nil {
		t.Fatal(err)
	}
	if st := settle("many"); st.StackStatus != cftypes.StackStatusCreateComplete {
		t.Fatalf("stack: %s %s", st.StackStatus, aws.ToString(st.StackStatusReason))
	}
	first, err := cf.ListExports(ctx, &cloudformation.ListExportsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Exports) != 100 || first.NextToken == nil {
		t.Errorf("first page: %d exports, NextToken %v", len(first.Exports), first.NextToken)
	}
	seen := map[string]bool{}
	pages := 0
	for p := cloudformation.NewListExportsPaginator(cf, &cloudformation.ListExportsInput{}); p.HasMorePages(); {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, e := range out.Exports {
			if seen[aws.ToString(e.Name)] {
				t.Errorf("export %s twice", aws.ToString(e.Name))
			}
			seen[aws.ToString(e.Name)] = true
		}
	}
	if len(seen) != 130 || pages != 2 {
		t.Errorf("%d exports in %d pages, want 130 in 2", len(seen), pages)
	}
}

// TestCloudFormationDescribeStacksShape: a stack only created has no
// LastUpdatedTime (AWS returns it once the stack was updated, and for a
// stack created by change set); NotificationARNs, RollbackConfiguration
// and Tags come back empty rather than missing, as AWS answers them.
func TestCloudFormationDescribeStacksShape(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cf, settle := cfnClient(t)
	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("plain"), TemplateBody: aws.String(oneQueue)}); err != nil {
		t.Fatal(err)
	}
	st := settle("plain")
	if st.LastUpdatedTime != nil {
		t.Errorf("LastUpdatedTime %v after a creation", st.LastUpdatedTime)
	}
	if st.NotificationARNs == nil || st.RollbackConfiguration == nil || st.Tags == nil {
		t.Errorf("NotificationARNs %v, RollbackConfiguration %v, Tags %v: want them present and empty", st.NotificationARNs, st.RollbackConfiguration, st.Tags)
	}
	if _, err := cf.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: aws.String("plain"),
		TemplateBody: aws.String(oneQueue + "    Properties:\n      DelaySeconds: 5\n")}); err != nil {
		t.Fatal(err)
	}
	if st := settle("plain"); st.StackStatus != cftypes.StackStatusUpdateComplete || st.LastUpdatedTime == nil || st.LastUpdatedTime.Before(*st.CreationTime) {
		t.Errorf("after an update: %s, LastUpdatedTime %v", st.StackStatus, st.LastUpdatedTime)
	}

	if _, err := cf.CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{StackName: aws.String("staged"), ChangeSetName: aws.String("first"),
		ChangeSetType: cftypes.ChangeSetTypeCreate, TemplateBody: aws.String(oneQueue)}); err != nil {
		t.Fatal(err)
	}
	if _, err := cf.ExecuteChangeSet(ctx, &cloudformation.ExecuteChangeSetInput{StackName: aws.String("staged"), ChangeSetName: aws.String("first")}); err != nil {
		t.Fatal(err)
	}
	if st := settle("staged"); st.StackStatus != cftypes.StackStatusCreateComplete || st.LastUpdatedTime == nil {
		t.Errorf("created by change set: %s, LastUpdatedTime %v", st.StackStatus, st.LastUpdatedTime)
	}
}

// TestCloudFormationExecutedChangeSet: executing a change set deletes
// the stack's other change sets and keeps the one executed, Status
// CREATE_COMPLETE and ExecutionStatus EXECUTE_COMPLETE; executing it
// again is refused for its execution status, and a failed (empty)
// change set for its status.
func TestCloudFormationExecutedChangeSet(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cf, settle := cfnClient(t)
	for _, name := range []string{"go", "other"} {
		if _, err := cf.CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{StackName: aws.String("run"), ChangeSetName: aws.String(name),
			ChangeSetType: cftypes.ChangeSetTypeCreate, TemplateBody: aws.String(oneQueue)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := cf.ExecuteChangeSet(ctx, &cloudformation.ExecuteChangeSetInput{StackName: aws.String("run"), ChangeSetName: aws.String("go")}); err != nil {
		t.Fatal(err)
	}
	st := settle("run")
	list, err := cf.ListChangeSets(ctx, &cloudformation.ListChangeSetsInput{StackName: aws.String("run")})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Summaries) != 1 || aws.ToString(list.Summaries[0].ChangeSetName) != "go" ||
		list.Summaries[0].Status != cftypes.ChangeSetStatusCreateComplete || list.Summaries[0].ExecutionStatus != cftypes.ExecutionStatusExecuteComplete {
		t.Errorf("change sets after execution: %+v", list.Summaries)
	}
	_, err = cf.ExecuteChangeSet(ctx, &cloudformation.ExecuteChangeSetInput{StackName: aws.String("run"), ChangeSetName: aws.String("go")})
	want := "ChangeSet [" + aws.ToString(st.StackId) + "] cannot be executed in its current execution status of [EXECUTE_COMPLETE]"
	if e := wantAPIError(t, err); e.Code != "InvalidChangeSetStatus" || e.Message != want {
		t.Errorf("executing it again: %s %q", e.Code, e.Message)
	}

	empty, err := cf.CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{StackName: aws.String("run"), ChangeSetName: aws.String("same"),
		TemplateBody: aws.String(oneQueue)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = cf.ExecuteChangeSet(ctx, &cloudformation.ExecuteChangeSetInput{StackName: aws.String("run"), ChangeSetName: aws.String("same")})
	want = "ChangeSet [" + aws.ToString(empty.Id) + "] cannot be executed in its current status of [FAILED]"
	if e := wantAPIError(t, err); e.Code != "InvalidChangeSetStatus" || e.Message != want {
		t.Errorf("executing an empty change set: %s %q", e.Code, e.Message)
	}
}

// TestCloudFormationNoEchoMasked: a NoEcho parameter's value is masked
// wherever a stack or change set is described.
func TestCloudFormationNoEchoMasked(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cf, settle := cfnClient(t)
	body := "Parameters:\n  Secret:\n    Type: String\n    NoEcho: true\n  Open:\n    Type: String\n" + oneQueue
	params := []cftypes.Parameter{{ParameterKey: aws.String("Secret"), ParameterValue: aws.String("hunter2")},
		{ParameterKey: aws.String("Open"), ParameterValue: aws.String("plain")}}
	if _, err := cf.CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{StackName: aws.String("hush"), ChangeSetName: aws.String("first"),
		ChangeSetType: cftypes.ChangeSetTypeCreate, TemplateBody: aws.String(body), Parameters: params}); err != nil {
		t.Fatal(err)
	}
	d, err := cf.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{StackName: aws.String("hush"), ChangeSetName: aws.String("first")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cf.ExecuteChangeSet(ctx, &cloudformation.ExecuteChangeSetInput{StackName: aws.String("hush"), ChangeSetName: aws.String("first")}); err != nil {
		t.Fatal(err)
	}
	st := settle("hush")
	for what, ps := range map[string][]cftypes.Parameter{"DescribeChangeSet": d.Parameters, "DescribeStacks": st.Parameters} {
		got := map[string]string{}
		for _, p := range ps {
			got[aws.ToString(p.ParameterKey)] = aws.ToString(p.ParameterValue)
		}
		if got["Secret"] != "****" || got["Open"] != "plain" {
			t.Errorf("%s parameters: %v", what, got)
		}
	}
}

// TestCloudFormationRequestConflicts: the argument conflicts CreateStack
// and ValidateTemplate refuse, in AWS's words.
func TestCloudFormationRequestConflicts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cf, _ := cfnClient(t)
	_, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("both"), TemplateBody: aws.String(oneQueue),
		DisableRollback: aws.Bool(true), OnFailure: cftypes.OnFailureDelete})
	if e := wantAPIError(t, err); e.Code != "ValidationError" || e.Message != "Either DisableRollback or OnFailure can be specified, not both." {
		t.Errorf("DisableRollback with OnFailure: %s %q", e.Code, e.Message)
	}
	_, err = cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("both"), TemplateBody: aws.String(oneQueue),
		TemplateURL: aws.String("https://s3.amazonaws.com/bucket/template.yaml")})
	if e := wantAPIError(t, err); e.Code != "ValidationError" || e.Message != "You cannot specify both Template URL and Template Body." {
		t.Errorf("TemplateBody with TemplateURL: %s %q", e.Code, e.Message)
	}
	// A file name where the template belongs, as --template-body without file://.
	_, err = cf.ValidateTemplate(ctx, &cloudformation.ValidateTemplateInput{TemplateBody: aws.String("template.yaml")})
	if e := wantAPIError(t, err); e.Code != "ValidationError" || e.Message != "Template format error: unsupported structure." {
		t.Errorf("a bare string: %s %q", e.Code, e.Message)
	}
}

// TestCloudFormationResourceMetadata: DescribeStackResource answers the
// resource's Metadata attribute as JSON, "{}" for one without.
func TestCloudFormationResourceMetadata(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cf, settle := cfnClient(t)
	body := oneQueue + "  Noted:\n    Type: AWS::SQS::Queue\n    Metadata:\n      Owner: {Team: blue}\n"
	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("meta"), TemplateBody: aws.String(body)}); err != nil {
		t.Fatal(err)
	}
	settle("meta")
	for id, want := range map[string]string{"Box": "{}", "Noted": `{"Owner":{"Team":"blue"}}`} {
		out, err := cf.DescribeStackResource(ctx, &cloudformation.DescribeStackResourceInput{StackName: aws.String("meta"), LogicalResourceId: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		if got := aws.ToString(out.StackResourceDetail.Metadata); got != want {
			t.Errorf("%s Metadata %s, want %s", id, got, want)
		}
	}
}

// TestCloudFormationDuplicateExport: an export name is unique in the
// account and region; a stack that exports a name another stack
// exports fails and rolls back, and the export stays the first stack's.
func TestCloudFormationDuplicateExport(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cf, settle := cfnClient(t)
	exporting := oneQueue + "Outputs:\n  Url:\n    Value: !Ref Box\n    Export:\n      Name: shared-url\n"
	for _, name := range []string{"owner", "rival"} {
		if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String(name), TemplateBody: aws.String(exporting)}); err != nil {
			t.Fatal(err)
		}
		settle(name)
	}
	if st := settle("rival"); st.StackStatus != cftypes.StackStatusRollbackComplete {
		t.Errorf("rival: %s", st.StackStatus)
	}
	reasonOf := func(stack string, status cftypes.ResourceStatus) string {
		t.Helper()
		evs, err := cf.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: aws.String(stack)})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs.StackEvents {
			if e.ResourceStatus == status && aws.ToString(e.LogicalResourceId) == stack {
				return aws.ToString(e.ResourceStatusReason)
			}
		}
		return ""
	}
	if why := reasonOf("rival", cftypes.ResourceStatusRollbackInProgress); why != "Export with name shared-url is already exported by stack owner. Rollback requested by user." {
		t.Errorf("ROLLBACK_IN_PROGRESS reason %q", why)
	}
	// An update that adds the name rolls back too.
	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("later"), TemplateBody: aws.String(oneQueue)}); err != nil {
		t.Fatal(err)
	}
	settle("later")
	changed := strings.Replace(exporting, "AWS::SQS::Queue\n", "AWS::SQS::Queue\n    Properties:\n      DelaySeconds: 5\n", 1)
	if _, err := cf.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: aws.String("later"), TemplateBody: aws.String(changed)}); err != nil {
		t.Fatal(err)
	}
	if st := settle("later"); st.StackStatus != cftypes.StackStatusUpdateRollbackComplete {
		t.Errorf("later: %s", st.StackStatus)
	}
	if why := reasonOf("later", cftypes.ResourceStatusUpdateRollbackInProgress); why != "Export with name shared-url is already exported by stack owner." {
		t.Errorf("UPDATE_ROLLBACK_IN_PROGRESS reason %q", why)
	}
	ex, err := cf.ListExports(ctx, &cloudformation.ListExportsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ex.Exports) != 1 || !strings.Contains(aws.ToString(ex.Exports[0].ExportingStackId), ":stack/owner/") {
		t.Errorf("exports: %+v", ex.Exports)
	}
}
