package stepfunctions

import (
	"strings"

	"github.com/virga/virga/internal/awsproto"
)

// resources names the state machine, execution, activity or map run a
// call acts on, for IAM authorization: the ARN the call is given
// (StartExecution's state machine, DescribeExecution's execution), or
// for CreateStateMachine and CreateActivity the ARN the new one will
// have. Calls that name none (ListStateMachines) are authorized on "*".
func (s *Service) resources(c *awsproto.Call, in any) []string {
	for _, f := range []string{"ExecutionArn", "StateMachineArn", "StateMachineAliasArn",
		"StateMachineVersionArn", "ActivityArn", "MapRunArn", "ResourceArn"} {
		if arn := awsproto.InputString(in, f); strings.HasPrefix(arn, "arn:") {
			return []string{arn}
		}
	}
	name := awsproto.InputString(in, "Name")
	if name == "" {
		return nil
	}
	switch c.Op.Name {
	case "CreateStateMachine":
		return []string{s.machineARN(name)}
	case "CreateActivity":
		return []string{s.activityARN(name)}
	}
	return nil
}
