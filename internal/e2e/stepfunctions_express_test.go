package e2e_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/virga/virga/internal/e2e"
)

// TestStepFunctionsExpressNotDescribed checks that an express
// execution, even a running one, is not known to the operations AWS
// does not support for express executions: they answer InvalidArn for
// its ARN, and ListExecutions refuses an express machine.
func TestStepFunctionsExpressNotDescribed(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	c := sfn.NewFromConfig(env.Config)
	sm, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("fast"), RoleArn: aws.String(sfnRole),
		Type: sfntypes.StateMachineTypeExpress, Definition: aws.String(`{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":100000,"End":true}}}`)})
	if err != nil {
		t.Fatal(err)
	}
	start, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn})
	if err != nil {
		t.Fatal(err)
	}
	arn := start.ExecutionArn
	if !strings.Contains(aws.ToString(arn), ":express:fast:") {
		t.Fatalf("arn = %s", aws.ToString(arn))
	}
	const want = "Invalid Arn: 'Resource type not valid in this context: express'"
	check := func(op string, err error) {
		t.Helper()
		var inv *sfntypes.InvalidArn
		if !errors.As(err, &inv) || inv.ErrorMessage() != want {
			t.Errorf("%s: err = %v, want InvalidArn %q", op, err, want)
		}
	}
	_, err = c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: arn})
	check("DescribeExecution", err)
	_, err = c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: arn})
	check("GetExecutionHistory", err)
	_, err = c.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: arn})
	check("StopExecution", err)
	_, err = c.DescribeStateMachineForExecution(ctx, &sfn.DescribeStateMachineForExecutionInput{ExecutionArn: arn})
	check("DescribeStateMachineForExecution", err)
	_, err = c.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: sm.StateMachineArn})
	var typ *sfntypes.StateMachineTypeNotSupported
	if !errors.As(err, &typ) {
		t.Errorf("ListExecutions: err = %v, want StateMachineTypeNotSupported", err)
	}
	if _, err := c.DeleteStateMachine(ctx, &sfn.DeleteStateMachineInput{StateMachineArn: sm.StateMachineArn}); err != nil {
		t.Fatal(err)
	}
}
