package stepfunctions

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/ids"
	pebblestore "github.com/virga/virga/internal/store/pebble"
)

func newTestService(t *testing.T) *Service {
	t.Helper()
	st, err := pebblestore.Open(pebblestore.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	s := New(Deps{Store: st, Clock: clock.NewFake(time.Now()), IDs: ids.New(nil), Account: "000000000000", Region: "us-east-1"})
	t.Cleanup(func() { s.Close() })
	return s
}

func wantCode(t *testing.T, op string, err error, code string) {
	t.Helper()
	var ae *apierr.Error
	if !errors.As(err, &ae) || ae.Code != code {
		t.Errorf("%s: err = %v, want %s", op, err, code)
	}
}

// TestDeletingMachine checks a machine in the middle of its deletion:
// DescribeStateMachine shows DELETING, and starting, updating or
// creating it again answers StateMachineDeleting.
func TestDeletingMachine(t *testing.T) {
	t.Parallel()
	s := newTestService(t)
	ctx := context.Background()
	def := `{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`
	role := "arn:aws:iam::000000000000:role/r"
	out, err := s.createStateMachine(ctx, &CreateStateMachineInput{Name: ptr("m"), Definition: ptr(def), RoleArn: ptr(role)})
	if err != nil {
		t.Fatal(err)
	}
	m, _ := s.loadMachine("m")
	m.Status = statusDeleting
	if err := s.put(machineKey("m"), m); err != nil {
		t.Fatal(err)
	}
	d, err := s.describeStateMachine(ctx, &DescribeStateMachineInput{StateMachineArn: out.StateMachineArn})
	if err != nil || d.Status == nil || *d.Status != "DELETING" {
		t.Errorf("DescribeStateMachine: %v %v", err, d)
	}
	_, err = s.startExecution(ctx, &StartExecutionInput{StateMachineArn: out.StateMachineArn})
	wantCode(t, "StartExecution", err, "StateMachineDeleting")
	_, err = s.updateStateMachine(ctx, &UpdateStateMachineInput{StateMachineArn: out.StateMachineArn, Definition: ptr(def)})
	wantCode(t, "UpdateStateMachine", err, "StateMachineDeleting")
	_, err = s.createStateMachine(ctx, &CreateStateMachineInput{Name: ptr("m"), Definition: ptr(def), RoleArn: ptr(role)})
	wantCode(t, "CreateStateMachine", err, "StateMachineDeleting")
}

// TestResumeFinishesDeletion checks that a machine virga stopped while
// deleting it is deleted when virga starts again, its executions with
// it, rather than resumed.
func TestResumeFinishesDeletion(t *testing.T) {
	t.Parallel()
	s := newTestService(t)
	now := s.clock.Now()
	m := &machine{Name: "m", ARN: s.machineARN("m"), Definition: `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":100000,"End":true}}}`,
		Type: "STANDARD", Created: now, Updated: now, Status: statusDeleting}
	e := &execution{ARN: s.executionARN("m", "e"), MachineARN: m.ARN, Machine: "m", Name: "e", Definition: m.Definition,
		Status: "RUNNING", Start: now, Input: "{}", Events: 1}
	if err := s.put(machineKey("m"), m, execKey("m", "e"), e); err != nil {
		t.Fatal(err)
	}
	s.resume(slog.New(slog.DiscardHandler))
	s.mu.Lock()
	n := len(s.running)
	s.mu.Unlock()
	if n != 0 {
		t.Errorf("%d executions resumed", n)
	}
	if got, _ := s.loadMachine("m"); got != nil {
		t.Errorf("machine still stored: %+v", got)
	}
	if got, _ := s.loadExecution("m", "e"); got != nil {
		t.Errorf("execution still stored: %+v", got)
	}
}
