package cloudformation

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/cfn/resource"
	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/ids"
	pebblestore "github.com/virga/virga/internal/store/pebble"
)

// things is a fake world the Test::Thing provider creates things in.
type things struct {
	mu      sync.Mutex
	live    map[string]map[string]any // physical id → properties
	next    int
	creates []string
}

var world = &things{live: map[string]map[string]any{}}

type thingProvider struct{}

func (thingProvider) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	if r.Properties["Fail"] == "yes" {
		return nil, apierr.New("ValidationException", 400, "thing "+r.LogicalID+" refused")
	}
	world.mu.Lock()
	defer world.mu.Unlock()
	world.next++
	id := fmt.Sprintf("%s-%s-%d", r.StackName, r.LogicalID, world.next)
	world.live[id] = r.Properties
	world.creates = append(world.creates, r.LogicalID)
	return &resource.Result{PhysicalID: id, Attributes: map[string]any{"Name": r.Properties["Name"], "Id": id}}, nil
}

func (thingProvider) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	if r.Properties["Fail"] == "update" {
		return nil, errors.New("update refused")
	}
	world.mu.Lock()
	defer world.mu.Unlock()
	world.live[r.PhysicalID] = r.Properties
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: map[string]any{"Name": r.Properties["Name"], "Id": r.PhysicalID}}, nil
}

func (thingProvider) Delete(ctx context.Context, r *resource.Request) error {
	world.mu.Lock()
	defer world.mu.Unlock()
	if _, ok := world.live[r.PhysicalID]; !ok {
		return resource.ErrNotFound
	}
	if r.Properties["Fail"] == "delete" {
		return apierr.New("ConflictException", 409, "thing "+r.LogicalID+" refuses to go")
	}
	// A thing another refers to as its Parent stays, as an API
	// Gateway integration a route targets does.
	for _, props := range world.live {
		if props["Parent"] == r.PhysicalID {
			return apierr.New("ConflictException", 409, "thing "+r.LogicalID+" is referenced")
		}
	}
	delete(world.live, r.PhysicalID)
	return nil
}

func init() {
	resource.Register(&resource.Type{Name: "Test::Thing", Provider: thingProvider{}, Replace: []string{"Key"}})
}

func (w *things) has(prefix string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	for id := range w.live {
		if strings.HasPrefix(id, prefix) {
			return true
		}
	}
	return false
}

func newTestService(t *testing.T) *Service {
	t.Helper()
	db, err := pebblestore.Open(pebblestore.Options{InMemory: true, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Deps{Store: db, Clock: clock.NewFake(time.Now()), IDs: ids.New(nil), Account: "000000000000", Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(); db.Close() })
	return s
}

const thingsTemplate = `
Parameters:
  Greeting:
    Type: String
    Default: hello
Resources:
  A:
    Type: Test::Thing
    Properties:
      Name: !Sub "${Greeting}-a"
      Key: k1
  B:
    Type: Test::Thing
    Properties:
      Name: !GetAtt A.Name
      Parent: !Ref A
Outputs:
  BName:
    Value: !GetAtt B.Name
    Export:
      Name: !Sub "${AWS::StackName}-b"
`

func stackStatus(t *testing.T, s *Service, name string) (string, Stack) {
	t.Helper()
	out, err := s.describeStacks(context.Background(), &DescribeStacksInput{StackName: &name})
	if err != nil {
		t.Fatal(err)
	}
	return string(*out.Stacks[0].StackStatus), out.Stacks[0]
}

func TestStackLifecycle(t *testing.T) {
	s := newTestService(t)
	ctx := context.Background()
	if _, err := s.createStack(ctx, &CreateStackInput{StackName: ptr("life"), TemplateBody: ptr(thingsTemplate)}); err != nil {
		t.Fatal(err)
	}
	status, st := stackStatus(t, s, "life")
	if status != createComplete || len(st.Outputs) != 1 || *st.Outputs[0].OutputValue != "hello-a" || *st.Outputs[0].ExportName != "life-b" {
		t.Fatalf("after create: %s %+v", status, st.Outputs)
	}
	if !world.has("life-A-") || !world.has("life-B-") {
		t.Fatal("things not created")
	}
	ex, _ := s.listExports(ctx, &ListExportsInput{})
	if len(ex.Exports) != 1 || *ex.Exports[0].Value != "hello-a" {
		t.Errorf("exports: %+v", ex.Exports)
	}
	_, err := s.createStack(ctx, &CreateStackInput{StackName: ptr("life"), TemplateBody: ptr(thingsTemplate)})
	if e := apierr.As(err); e == nil || e.Code != "AlreadyExistsException" {
		t.Errorf("second create: %v", err)
	}

	// A parameter change modifies A in place, and B through its GetAtt.
	if _, err := s.updateStack(ctx, &UpdateStackInput{StackName: ptr("life"), UsePreviousTemplate: ptr(true),
		Parameters: []Parameter{{ParameterKey: ptr("Greeting"), ParameterValue: ptr("hi")}}}); err != nil {
		t.Fatal(err)
	}
	status, st = stackStatus(t, s, "life")
	if status != updateComplete || *st.Outputs[0].OutputValue != "hi-a" {
		t.Fatalf("after update: %s %+v", status, st.Outputs)
	}
	_, err = s.updateStack(ctx, &UpdateStackInput{StackName: ptr("life"), UsePreviousTemplate: ptr(true),
		Parameters: []Parameter{{ParameterKey: ptr("Greeting"), UsePreviousValue: ptr(true)}}})
	if e := apierr.As(err); e == nil || e.Message != "No updates are to be performed." {
		t.Errorf("an update with no changes: %v", err)
	}

	// Changing Key replaces A: a new physical thing, the old one deleted.
	before, _ := s.describeStackResource(ctx, &DescribeStackResourceInput{StackName: ptr("life"), LogicalResourceId: ptr("A")})
	replaced := strings.Replace(thingsTemplate, "Key: k1", "Key: k2", 1)
	if _, err := s.updateStack(ctx, &UpdateStackInput{StackName: ptr("life"), TemplateBody: ptr(replaced)}); err != nil {
		t.Fatal(err)
	}
	after, _ := s.describeStackResource(ctx, &DescribeStackResourceInput{StackName: ptr("life"), LogicalResourceId: ptr("A")})
	if *after.StackResourceDetail.PhysicalResourceId == *before.StackResourceDetail.PhysicalResourceId || world.has(*before.StackResourceDetail.PhysicalResourceId) {
		t.Errorf("A was not replaced: %s → %s", *before.StackResourceDetail.PhysicalResourceId, *after.StackResourceDetail.PhysicalResourceId)
	}

	// A failing update rolls back.
	failing := strings.Replace(replaced, "Parent: !Ref A", "Parent: !Ref A\n      Fail: update", 1)
	if _, err := s.updateStack(ctx, &UpdateStackInput{StackName: ptr("life"), TemplateBody: ptr(failing)}); err != nil {
		t.Fatal(err)
	}
	if status, _ := stackStatus(t, s, "life"); status != updateRollbackComplete {
		t.Errorf("after a failed update: %s", status)
	}

	if _, err := s.deleteStack(ctx, &DeleteStackInput{StackName: ptr("life")}); err != nil {
		t.Fatal(err)
	}
	if world.has("life-") {
		t.Error("things left after delete")
	}
	_, err = s.describeStacks(ctx, &DescribeStacksInput{StackName: ptr("life")})
	if e := apierr.As(err); e == nil || e.Message != "Stack with id life does not exist" {
		t.Errorf("describe after delete: %v", err)
	}
	list, _ := s.listStacks(ctx, &ListStacksInput{StackStatusFilter: []StackStatus{deleteComplete}})
	if len(list.StackSummaries) != 1 {
		t.Errorf("deleted stacks: %+v", list.StackSummaries)
	}
}

func TestStackCreateFailureRollsBack(t *testing.T) {
	s := newTestService(t)
	ctx := context.Background()
	// C, created after B, fails.
	body := strings.Replace(thingsTemplate, "Outputs:", `  C:
    Type: Test::Thing
    DependsOn: B
    Properties:
      Fail: "yes"
Outputs:`, 1)
	if _, err := s.createStack(ctx, &CreateStackInput{StackName: ptr("broken"), TemplateBody: ptr(body)}); err != nil {
		t.Fatal(err)
	}
	status, st := stackStatus(t, s, "broken")
	if status != rollbackComplete {
		t.Errorf("after a failed create: %s (%s)", status, deref(st.StackStatusReason))
	}
	if world.has("broken-") {
		t.Error("rollback left things behind")
	}
	evs, _ := s.describeStackEvents(ctx, &DescribeStackEventsInput{StackName: ptr("broken")})
	found := false
	for _, e := range evs.StackEvents {
		if *e.LogicalResourceId == "C" && *e.ResourceStatus == createFailed && strings.Contains(deref(e.ResourceStatusReason), "thing C refused") {
			found = true
		}
	}
	if !found {
		t.Errorf("no CREATE_FAILED event for C with the provider's reason")
	}

	// An unsupported type fails the stack naming the type.
	unsupported := "Resources:\n  X:\n    Type: AWS::Nonexistent::Thing\n"
	s.createStack(ctx, &CreateStackInput{StackName: ptr("unsupported"), TemplateBody: ptr(unsupported)})
	evs, _ = s.describeStackEvents(ctx, &DescribeStackEventsInput{StackName: ptr("unsupported")})
	found = false
	for _, e := range evs.StackEvents {
		if strings.Contains(deref(e.ResourceStatusReason), "AWS::Nonexistent::Thing is not supported") {
			found = true
		}
	}
	if status, _ := stackStatus(t, s, "unsupported"); status != rollbackComplete || !found {
		t.Errorf("unsupported type: %s, reason found %v", status, found)
	}
}

func TestChangeSets(t *testing.T) {
	s := newTestService(t)
	ctx := context.Background()
	cs, err := s.createChangeSet(ctx, &CreateChangeSetInput{StackName: ptr("viacs"), ChangeSetName: ptr("first"), ChangeSetType: ptr[ChangeSetType]("CREATE"), TemplateBody: ptr(thingsTemplate)})
	if err != nil {
		t.Fatal(err)
	}
	if status, _ := stackStatus(t, s, "viacs"); status != reviewInProgress {
		t.Errorf("stack of a CREATE change set: %s", status)
	}
	d, err := s.describeChangeSet(ctx, &DescribeChangeSetInput{ChangeSetName: cs.Id})
	if err != nil || *d.Status != "CREATE_COMPLETE" || len(d.Changes) != 2 || *d.Changes[0].ResourceChange.Action != "Add" {
		t.Fatalf("DescribeChangeSet: %+v %v", d, err)
	}
	if _, err := s.executeChangeSet(ctx, &ExecuteChangeSetInput{ChangeSetName: ptr("first"), StackName: ptr("viacs")}); err != nil {
		t.Fatal(err)
	}
	if status, _ := stackStatus(t, s, "viacs"); status != createComplete {
		t.Fatalf("after executing: %s", status)
	}
	// The same template again: nothing to change.
	s.createChangeSet(ctx, &CreateChangeSetInput{StackName: ptr("viacs"), ChangeSetName: ptr("same"), TemplateBody: ptr(thingsTemplate)})
	d, _ = s.describeChangeSet(ctx, &DescribeChangeSetInput{ChangeSetName: ptr("same"), StackName: ptr("viacs")})
	if *d.Status != "FAILED" || *d.StatusReason != noChanges {
		t.Errorf("an empty change set: %s %s", *d.Status, deref(d.StatusReason))
	}
	changed := strings.Replace(thingsTemplate, "Key: k1", "Key: k9", 1)
	s.createChangeSet(ctx, &CreateChangeSetInput{StackName: ptr("viacs"), ChangeSetName: ptr("rekey"), TemplateBody: ptr(changed)})
	d, _ = s.describeChangeSet(ctx, &DescribeChangeSetInput{ChangeSetName: ptr("rekey"), StackName: ptr("viacs")})
	if len(d.Changes) != 1 || *d.Changes[0].ResourceChange.Action != "Modify" || *d.Changes[0].ResourceChange.Replacement != "True" {
		t.Errorf("a replacing change: %+v", d.Changes)
	}
	// The executed change set stays, with the two made since.
	list, _ := s.listChangeSets(ctx, &ListChangeSetsInput{StackName: ptr("viacs")})
	if len(list.Summaries) != 3 {
		t.Errorf("ListChangeSets: %d", len(list.Summaries))
	}
}

func TestLocalURLs(t *testing.T) {
	s := &Service{d: Deps{Endpoint: func() string { return "http://127.0.0.1:4566" }}}
	for in, want := range map[string]string{
		"https://abc123defg.execute-api.us-east-1.amazonaws.com/Prod/hello/": "http://127.0.0.1:4566/_aws/execute-api/abc123defg/Prod/hello/",
		"https://u1.lambda-url.eu-west-1.on.aws/":                            "http://127.0.0.1:4566/_aws/lambda-url/u1/",
		"https://abc.execute-api.us-east-1.amazonaws.com":                    "http://127.0.0.1:4566/_aws/execute-api/abc",
		"https://abc.execute-api.us-east-1.amazonaws.com/":                   "http://127.0.0.1:4566/_aws/execute-api/abc/",
		"https://abc.execute-api.us-east-1.amazonaws.com/Prod":               "http://127.0.0.1:4566/_aws/execute-api/abc/Prod",
		"wss://ws1.execute-api.us-east-1.amazonaws.com/prod":                 "ws://127.0.0.1:4566/_aws/execute-api/ws1/prod",
		"arn:aws:lambda:us-east-1:000000000000:function:f":                   "arn:aws:lambda:us-east-1:000000000000:function:f",
		"https://example.com/x":                                              "https://example.com/x",
		"https://my-app.auth.eu-west-1.amazoncognito.com/login?client_id=c1": "http://127.0.0.1:4566/_aws/auth/my-app/login?client_id=c1",
		"https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc":          "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc",
	} {
		if got := s.localURLs(in); got != want {
			t.Errorf("%s: got %s, want %s", in, got, want)
		}
	}
}

// TestFailureReason: a provider's API error becomes CloudFormation's
// resource failure reason, with the handler's service name and error code.
func TestFailureReason(t *testing.T) {
	s := newTestService(t)
	for _, c := range []struct {
		typ  string
		err  *apierr.Error
		want *regexp.Regexp
	}{
		{"AWS::SQS::Queue", apierr.New("InvalidAttributeValue", 400, "Invalid value for the parameter VisibilityTimeout."),
			regexp.MustCompile(`^Resource handler returned message: "Invalid value for the parameter VisibilityTimeout\. \(Service: Sqs, Status Code: 400, Request ID: [0-9a-f-]{36}\)" \(RequestToken: [0-9a-f-]{36}, HandlerErrorCode: InvalidRequest\)$`)},
		{"AWS::DynamoDB::Table", apierr.New("ResourceInUseException", 400, "Table already exists: t"),
			regexp.MustCompile(`\(Service: DynamoDb, .*HandlerErrorCode: AlreadyExists\)$`)},
		{"AWS::Events::Rule", apierr.New("ResourceNotFoundException", 400, "Event bus b does not exist."),
			regexp.MustCompile(`\(Service: EventBridge, .*HandlerErrorCode: NotFound\)$`)},
		{"AWS::Lambda::Function", apierr.New("ServiceException", 500, "boom"),
			regexp.MustCompile(`\(Service: Lambda, Status Code: 500, .*HandlerErrorCode: ServiceInternalError\)$`)},
	} {
		if got := s.reason(c.typ, c.err); !c.want.MatchString(got) {
			t.Errorf("%s, %s: %q", c.typ, c.err.Code, got)
		}
	}
	taken := regexp.MustCompile(`^Resource handler returned message: "r already exists" \(RequestToken: [0-9a-f-]{36}, HandlerErrorCode: AlreadyExists\)$`)
	if got := s.reason("AWS::Events::Rule", fmt.Errorf("rule: %w", &resource.HandlerError{Code: "AlreadyExists", Message: "r already exists"})); !taken.MatchString(got) {
		t.Errorf("a handler's own failure: %q", got)
	}
	if got := s.reason("AWS::SQS::Queue", errors.New("plain")); got != "plain" {
		t.Errorf("a plain error: %q", got)
	}
}

// TestLiteralImports: the exports a stored template imports by name.
func TestLiteralImports(t *testing.T) {
	got := literalImports(`{"Resources": {"T": {"Type": "AWS::SNS::Topic", "Properties": {"A": {"Fn::ImportValue": "b-url"},
		"B": [{"Fn::ImportValue": "a-arn"}, {"Fn::ImportValue": {"Fn::Sub": "${X}-y"}}]}}}}`)
	if strings.Join(got, ",") != "a-arn,b-url" {
		t.Errorf("literalImports = %q", got)
	}
	if literalImports(`not json`) != nil {
		t.Error("literalImports of a broken template")
	}
}

// TestRollbackKeepsWhatAFailedDeletionRefersTo: when the rollback cannot
// delete a resource, the resources it refers to stay (their deletion
// would fail too), while the others are deleted.
func TestRollbackKeepsWhatAFailedDeletionRefersTo(t *testing.T) {
	s := newTestService(t)
	ctx := context.Background()
	body := `Resources:
  A:
    Type: Test::Thing
  B:
    Type: Test::Thing
    Properties:
      Parent: !Ref A
      Fail: delete
  C:
    Type: Test::Thing
  D:
    Type: Test::Thing
    DependsOn: [B, C]
    Properties:
      Fail: "yes"
`
	if _, err := s.createStack(ctx, &CreateStackInput{StackName: ptr("stuck"), TemplateBody: ptr(body)}); err != nil {
		t.Fatal(err)
	}
	if status, st := stackStatus(t, s, "stuck"); status != rollbackFailed {
		t.Errorf("after the rollback: %s (%s)", status, deref(st.StackStatusReason))
	}
	if !world.has("stuck-A-") || !world.has("stuck-B-") || world.has("stuck-C-") {
		t.Errorf("left A %v (want true), B %v (want true), C %v (want false)", world.has("stuck-A-"), world.has("stuck-B-"), world.has("stuck-C-"))
	}
	evs, _ := s.describeStackEvents(ctx, &DescribeStackEventsInput{StackName: ptr("stuck")})
	for _, e := range evs.StackEvents {
		if *e.LogicalResourceId == "A" && strings.HasPrefix(*e.ResourceStatus, "DELETE") {
			t.Errorf("A, which B refers to, was deleted: %s %s", *e.ResourceStatus, deref(e.ResourceStatusReason))
		}
	}
}

// TestUpdateRollbackDeletesNewResourcesInOrder: the resources a failed
// update created are deleted in the cleanup phase, each after those that
// refer to it, and the stack ends UPDATE_ROLLBACK_COMPLETE.
func TestUpdateRollbackDeletesNewResourcesInOrder(t *testing.T) {
	s := newTestService(t)
	ctx := context.Background()
	base := "Resources:\n  X:\n    Type: Test::Thing\n"
	if _, err := s.createStack(ctx, &CreateStackInput{StackName: ptr("grow"), TemplateBody: ptr(base)}); err != nil {
		t.Fatal(err)
	}
	var more strings.Builder
	more.WriteString(base)
	for i := range 8 {
		fmt.Fprintf(&more, "  P%d:\n    Type: Test::Thing\n  C%d:\n    Type: Test::Thing\n    Properties:\n      Parent: !Ref P%d\n", i, i, i)
	}
	more.WriteString("  Late:\n    Type: Test::Thing\n    DependsOn: C0\n    Properties:\n      Fail: \"yes\"\n")
	if _, err := s.updateStack(ctx, &UpdateStackInput{StackName: ptr("grow"), TemplateBody: ptr(more.String())}); err != nil {
		t.Fatal(err)
	}
	if status, st := stackStatus(t, s, "grow"); status != updateRollbackComplete {
		t.Errorf("after the rollback: %s (%s)", status, deref(st.StackStatusReason))
	}
	if world.has("grow-P") || world.has("grow-C") || !world.has("grow-X-") {
		t.Error("the rollback left the update's things behind, or deleted the stack's own")
	}
	evs, _ := s.describeStackEvents(ctx, &DescribeStackEventsInput{StackName: ptr("grow")})
	var seq []string
	for i := len(evs.StackEvents) - 1; i >= 0; i-- {
		e := evs.StackEvents[i]
		seq = append(seq, *e.LogicalResourceId+" "+*e.ResourceStatus)
	}
	cleanup := slices.Index(seq, "grow "+updateRollbackCleanup)
	if cleanup < 0 || cleanup > slices.Index(seq, "P0 "+deleteInProgress) {
		t.Errorf("no %s event before the deletions: %q", updateRollbackCleanup, seq)
	}
}

// TestDeleteStackOutsideResourceCreation: DeleteStack of a stack whose
// creation has not started creating its resources yet, or has created
// them and not ended yet, is accepted (DELETE_IN_PROGRESS) and the
// stack is deleted, as when it comes while resources are created.
func TestDeleteStackOutsideResourceCreation(t *testing.T) {
	for _, point := range []string{"waves", "finish"} {
		t.Run(point, func(t *testing.T) {
			s := newTestService(t)
			ctx := context.Background()
			name := "del" + point
			reached, release := make(chan struct{}), make(chan struct{})
			var released sync.Once
			free := func() { released.Do(func() { close(release) }) }
			t.Cleanup(free) // before the service's Close, which waits for the creation
			s.creating = func(st *stack, at string) {
				if at == point {
					close(reached)
					<-release
				}
			}
			created := make(chan error, 1)
			go func() {
				_, err := s.createStack(ctx, &CreateStackInput{StackName: ptr(name), TemplateBody: ptr(thingsTemplate)})
				created <- err
			}()
			<-reached
			deleted := make(chan error, 1)
			go func() {
				_, err := s.deleteStack(ctx, &DeleteStackInput{StackName: ptr(name)})
				deleted <- err
			}()
			deadline := time.Now().Add(30 * time.Second)
			for {
				if status, _ := stackStatus(t, s, name); status == deleteInProgress {
					break
				}
				select {
				case err := <-deleted:
					t.Fatalf("DeleteStack during the creation: %v", err)
				default:
				}
				if time.Now().After(deadline) {
					t.Fatal("the stack never became DELETE_IN_PROGRESS")
				}
				time.Sleep(5 * time.Millisecond)
			}
			free()
			if err := <-deleted; err != nil {
				t.Fatal(err)
			}
			if err := <-created; err != nil {
				t.Fatal(err)
			}
			_, err := s.describeStacks(ctx, &DescribeStacksInput{StackName: ptr(name)})
			if e := apierr.As(err); e == nil || e.Code != "ValidationError" {
				t.Errorf("describe after the delete: %v", err)
			}
			if world.has(name + "-") {
				t.Error("things left after the delete")
			}
			list, _ := s.listStacks(ctx, &ListStacksInput{StackStatusFilter: []StackStatus{deleteComplete}})
			if len(list.StackSummaries) != 1 {
				t.Errorf("deleted stacks: %+v", list.StackSummaries)
			}
		})
	}
}
