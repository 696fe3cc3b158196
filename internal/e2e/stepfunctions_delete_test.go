package e2e_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/virga/virga/internal/e2e"
)

// TestStepFunctionsDeleteRacesStart starts executions while the machine
// is deleted: each StartExecution either wins (and its execution goes
// with the machine) or is refused with StateMachineDeleting or
// StateMachineDoesNotExist; no execution outlives its machine.
func TestStepFunctionsDeleteRacesStart(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	c := sfn.NewFromConfig(env.Config)
	def := `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":100000,"End":true}}}`
	for round := range 60 {
		sm, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String(fmt.Sprintf("race-%d", round)),
			Definition: aws.String(def), RoleArn: aws.String(sfnRole)})
		if err != nil {
			t.Fatal(err)
		}
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			started []string
		)
		gate := make(chan struct{})
		for i := range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-gate
				out, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Name: aws.String(fmt.Sprintf("e%d", i))})
				var deleting *sfntypes.StateMachineDeleting
				var gone *sfntypes.StateMachineDoesNotExist
				switch {
				case err == nil:
					mu.Lock()
					started = append(started, aws.ToString(out.ExecutionArn))
					mu.Unlock()
				case errors.As(err, &deleting), errors.As(err, &gone):
				default:
					t.Errorf("StartExecution: %v", err)
				}
			}()
		}
		close(gate)
		if _, err := c.DeleteStateMachine(ctx, &sfn.DeleteStateMachineInput{StateMachineArn: sm.StateMachineArn}); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
		if _, err := c.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: sm.StateMachineArn}); err == nil {
			t.Fatalf("round %d: machine still there after its deletion", round)
		}
		for _, arn := range started {
			out, err := c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
			if err == nil {
				t.Fatalf("round %d: execution %s outlived its machine (%s)", round, arn, out.Status)
			}
		}
	}
}
