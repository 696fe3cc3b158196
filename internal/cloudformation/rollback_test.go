package cloudformation

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/virga/virga/internal/cfn/resource"
)

func init() {
	// Test::OpaqueThing is a Test::Thing whose provider, like a custom
	// resource's, CloudFormation knows nothing of.
	resource.Register(&resource.Type{Name: "Test::OpaqueThing", Provider: thingProvider{}, Replace: []string{}, Opaque: true})
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
