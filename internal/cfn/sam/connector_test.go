package sam

import "testing"

// TestConnectorsOfStateMachines follows AWS's translator's output for
// connectors from and to an AWS::Serverless::StateMachine: its generated
// role gets the policy, its executions are granted on their ARNs, and
// the metadata names the types as the template wrote them.
func TestConnectorsOfStateMachines(t *testing.T) {
	t.Parallel()
	r := transformBody(t, []byte(`
Transform: AWS::Serverless-2016-10-31
Resources:
  Other:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: a.h
      InlineCode: x
  Flow:
    Type: AWS::Serverless::StateMachine
    Properties:
      Definition:
        StartAt: A
        States:
          A:
            Type: Pass
            End: true
    Connectors:
      Child:
        Properties:
          Destination:
            Id: Flow
          Permissions: [Read, Write]
  Conn:
    Type: AWS::Serverless::Connector
    Properties:
      Source:
        Id: Flow
      Destination:
        Id: Other
      Permissions: [Write]
  Conn2:
    Type: AWS::Serverless::Connector
    Properties:
      Source:
        Id: Other
      Destination:
        Id: Flow
      Permissions: [Read, Write]
`))
	const policy = "AWS::IAM::ManagedPolicy"
	conn := r.resource(t, "ConnPolicy", policy)
	want(t, "state machine's role", get(conn, "Properties", "Roles"), []any{map[string]any{"Ref": "FlowRole"}})
	want(t, "invoke", get(conn, "Properties", "PolicyDocument", "Statement"), []any{map[string]any{
		"Effect":   "Allow",
		"Action":   []any{"lambda:InvokeAsync", "lambda:InvokeFunction"},
		"Resource": []any{map[string]any{"Fn::GetAtt": []any{"Other", "Arn"}}},
	}})
	want(t, "metadata", get(conn, "Metadata", "aws:sam:connectors", "Conn"), map[string]any{
		"Source":      map[string]any{"Type": "AWS::Serverless::StateMachine"},
		"Destination": map[string]any{"Type": "AWS::Serverless::Function"},
	})

	// AWS writes Read and Write as separate statements; the actions and
	// resources granted are these.
	executions := []any{map[string]any{"Fn::Sub": []any{
		"arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:execution:${DestinationName}:*",
		map[string]any{"DestinationName": map[string]any{"Fn::GetAtt": []any{"Flow", "Name"}}},
	}}}
	want(t, "start and read", get(r.props(t, "Conn2Policy", policy), "PolicyDocument", "Statement"), []any{
		map[string]any{"Effect": "Allow", "Resource": []any{map[string]any{"Ref": "Flow"}}, "Action": []any{
			"states:DescribeStateMachine", "states:ListExecutions", "states:StartExecution", "states:StartSyncExecution"}},
		map[string]any{"Effect": "Allow", "Resource": executions, "Action": []any{
			"states:DescribeExecution", "states:DescribeStateMachineForExecution", "states:GetExecutionHistory", "states:StopExecution"}},
	})
	want(t, "function's role", get(r.props(t, "Conn2Policy", policy), "Roles"), []any{map[string]any{"Ref": "OtherRole"}})

	// One state machine starting another (a nested execution) gets SAM's
	// profile for that pair, with the rule Step Functions manages for
	// .sync children.
	rule := []any{map[string]any{"Fn::Sub": "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule"}}
	want(t, "nested executions", get(r.props(t, "FlowChildPolicy", policy), "PolicyDocument", "Statement"), []any{
		map[string]any{"Effect": "Allow", "Resource": executions, "Action": []any{"states:DescribeExecution"}},
		map[string]any{"Effect": "Allow", "Resource": rule, "Action": []any{"events:DescribeRule"}},
		map[string]any{"Effect": "Allow", "Resource": []any{map[string]any{"Ref": "Flow"}}, "Action": []any{"states:StartExecution"}},
		map[string]any{"Effect": "Allow", "Resource": executions, "Action": []any{"states:StopExecution"}},
		map[string]any{"Effect": "Allow", "Resource": rule, "Action": []any{"events:PutTargets", "events:PutRule"}},
	})
	want(t, "source machine's role", get(r.props(t, "FlowChildPolicy", policy), "Roles"), []any{map[string]any{"Ref": "FlowRole"}})
}
