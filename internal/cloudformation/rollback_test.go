package cloudformation

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/virga/virga/internal/cfn/resource"
	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/ids"
	pebblestore "github.com/virga/virga/internal/store/pebble"
)

func init() {
	// Test::OpaqueThing is a Test::Thing whose provider, like a custom
	// resource's, CloudFormation knows nothing of, and which, like a
	// custom resource's ServiceToken, refuses to change its Token.
	resource.Register(&resource.Type{Name: "Test::OpaqueThing", Provider: opaqueThing{}, Replace: []string{}, Opaque: true})
}

type opaqueThing struct{ thingProvider }

func (p opaqueThing) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	if r.OldProperties["Token"] != r.Properties["Token"] {
		return nil, resource.Refuse("Modifying token is not allowed.")
	}
	return p.thingProvider.Update(ctx, r)
}

// TestRollbackStackOfTemplateThatNoLongerEvaluates: RollbackStack of a
// stack whose failed update's template no longer evaluates (its
// Systems Manager parameter is gone) rolls an opaque resource whose
// update failed back as it stands, rather than crashing.
func TestRollbackStackOfTemplateThatNoLongerEvaluates(t *testing.T) {
	s := newTestService(t)
	ctx := context.Background()
	var ssmGone atomic.Bool
	s.d.SSMParameters = func(name string) (string, string, bool, error) {
		if ssmGone.Load() || name != "/cfg/setting" {
			return "", "", false, nil
		}
		return "String", "two", true, nil
	}
	const before = "Resources:\n  C:\n    Type: Test::OpaqueThing\n    Properties:\n      Name: one\n"
	const after = `Parameters:
  Setting:
    Type: AWS::SSM::Parameter::Value<String>
    Default: /cfg/setting
Resources:
  C:
    Type: Test::OpaqueThing
    Properties:
      Name: !Ref Setting
      Fail: update
`
	if _, err := s.createStack(ctx, &CreateStackInput{StackName: ptr("gone-param"), TemplateBody: ptr(before)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.updateStack(ctx, &UpdateStackInput{StackName: ptr("gone-param"), TemplateBody: ptr(after), DisableRollback: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	if status, st := stackStatus(t, s, "gone-param"); status != updateFailed {
		t.Fatalf("after the failed update: %s (%s)", status, deref(st.StackStatusReason))
	}
	ssmGone.Store(true)
	if _, err := s.rollbackStack(ctx, &RollbackStackInput{StackName: ptr("gone-param")}); err != nil {
		t.Fatal(err)
	}
	if status, st := stackStatus(t, s, "gone-param"); status != updateRollbackComplete {
		t.Fatalf("after RollbackStack: %s (%s)", status, deref(st.StackStatusReason))
	}
}

// TestExecuteChangeSetOnce: of two ExecuteChangeSet calls of the same
// change set at the same time, one starts the update and the other is
// refused, rather than both running it on the stack at once.
func TestExecuteChangeSetOnce(t *testing.T) {
	s := newTestService(t)
	ctx := context.Background()
	changed := strings.Replace(thingsTemplate, "Default: hello", "Default: hi", 1)
	// The calls race: a few rounds make a double start show.
	for round := range 5 {
		name := fmt.Sprintf("twice%d", round)
		if _, err := s.createStack(ctx, &CreateStackInput{StackName: ptr(name), TemplateBody: ptr(thingsTemplate)}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.createChangeSet(ctx, &CreateChangeSetInput{StackName: ptr(name), ChangeSetName: ptr("greet"), TemplateBody: ptr(changed)}); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var started atomic.Int32
		for range 8 {
			wg.Go(func() {
				if _, err := s.executeChangeSet(ctx, &ExecuteChangeSetInput{StackName: ptr(name), ChangeSetName: ptr("greet")}); err == nil {
					started.Add(1)
				}
			})
		}
		wg.Wait()
		if n := started.Load(); n != 1 {
			t.Fatalf("%s: %d executions of one change set started", name, n)
		}
	}
}

// TestRollbackStackAfterRestartLeavesRefusedUpdate: an update the
// provider refused without touching the resource is not undone by the
// rollback, even when virga restarted in between (RollbackStack of a
// stack an update with rollback disabled left UPDATE_FAILED).
func TestRollbackStackAfterRestartLeavesRefusedUpdate(t *testing.T) {
	db, err := pebblestore.Open(pebblestore.Options{InMemory: true, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	deps := Deps{Store: db, Clock: clock.NewFake(time.Now()), IDs: ids.New(nil), Account: "000000000000", Region: "us-east-1"}
	s, err := New(deps)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	const body = "Resources:\n  C:\n    Type: Test::OpaqueThing\n    Properties:\n      Token: a\n"
	if _, err := s.createStack(ctx, &CreateStackInput{StackName: ptr("refused"), TemplateBody: ptr(body)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.updateStack(ctx, &UpdateStackInput{StackName: ptr("refused"), TemplateBody: ptr(strings.Replace(body, "Token: a", "Token: b", 1)),
		DisableRollback: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	if status, st := stackStatus(t, s, "refused"); status != updateFailed {
		t.Fatalf("after the refused update: %s (%s)", status, deref(st.StackStatusReason))
	}
	s.Close()
	if s, err = New(deps); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.rollbackStack(ctx, &RollbackStackInput{StackName: ptr("refused")}); err != nil {
		t.Fatal(err)
	}
	if status, st := stackStatus(t, s, "refused"); status != updateRollbackComplete {
		t.Fatalf("after RollbackStack: %s (%s)", status, deref(st.StackStatusReason))
	}
}
