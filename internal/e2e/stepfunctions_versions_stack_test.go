package e2e_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/virga/virga/internal/e2e"
)

const versionedMachineStack = `Resources:
  Machine:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      StateMachineName: versioned
      RoleArn: arn:aws:iam::000000000000:role/states
      DefinitionString: '{"StartAt":"P","States":{"P":{"Type":"Pass","Result":"WORD","End":true}}}'
  Worker:
    Type: AWS::StepFunctions::Activity
    Properties:
      Name: stack-worker
  Version:
    Type: AWS::StepFunctions::StateMachineVersion
    Properties:
      StateMachineArn: !Ref Machine
      StateMachineRevisionId: !GetAtt Machine.StateMachineRevisionId
      Description: from the stack
  Live:
    Type: AWS::StepFunctions::StateMachineAlias
    Properties:
      Name: live
      DeploymentPreference:
        StateMachineVersionArn: !Ref Version
        Type: ALL_AT_ONCE
Outputs:
  Version:
    Value: !Ref Version
  Alias:
    Value: !GetAtt Live.Arn
  Activity:
    Value: !Ref Worker
  ActivityName:
    Value: !GetAtt Worker.Name
`

// TestStepFunctionsVersionStack deploys a machine, a version of it and
// an alias (and an activity) with CloudFormation, then changes the definition: the
// version is replaced by a new one and the alias follows it.
func TestStepFunctionsVersionStack(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, e2e.AWSCLI)
	env := e2e.Start(t)
	c := sfn.NewFromConfig(env.Config)
	ctx := context.Background()
	machine := "arn:aws:states:us-east-1:000000000000:stateMachine:versioned"
	check := func(outs map[string]string, version, word string) {
		t.Helper()
		if outs["Version"] != machine+":"+version || outs["Alias"] != machine+":live" ||
			outs["Activity"] != "arn:aws:states:us-east-1:000000000000:activity:stack-worker" || outs["ActivityName"] != "stack-worker" {
			t.Fatalf("outputs = %v", outs)
		}
		st, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(outs["Alias"])})
		if err != nil {
			t.Fatal(err)
		}
		d := waitExecution(t, c, *st.ExecutionArn)
		if aws.ToString(d.Output) != `"`+word+`"` || aws.ToString(d.StateMachineVersionArn) != outs["Version"] {
			t.Errorf("execution through the alias = %s on %s", aws.ToString(d.Output), aws.ToString(d.StateMachineVersionArn))
		}
	}
	check(deployWithCLI(t, env, "versioned", strings.ReplaceAll(versionedMachineStack, "WORD", "one")), "1", "one")
	v, err := c.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(machine + ":1")})
	if err != nil || aws.ToString(v.Description) != "from the stack" {
		t.Errorf("version 1 = %+v, %v", v, err)
	}
	check(deployWithCLI(t, env, "versioned", strings.ReplaceAll(versionedMachineStack, "WORD", "two")), "2", "two")
	list, err := c.ListStateMachineVersions(ctx, &sfn.ListStateMachineVersionsInput{StateMachineArn: aws.String(machine)})
	if err != nil || len(list.StateMachineVersions) != 1 {
		t.Errorf("versions after the replacement = %+v, %v", list, err)
	}
}

const samAutoPublishMachine = `Transform: AWS::Serverless-2016-10-31
Resources:
  Flow:
    Type: AWS::Serverless::StateMachine
    Properties:
      Name: autopub
      Role: arn:aws:iam::000000000000:role/states
      AutoPublishAlias: live
      Definition:
        StartAt: P
        States:
          P: {Type: Pass, Result: WORD, End: true}
Outputs:
  Alias:
    Value: !Ref FlowAliaslive
`

// TestSAMStateMachineAutoPublishAlias deploys a SAM state machine with
// AutoPublishAlias twice: each definition becomes a version, the alias
// moves to the newest, and the earlier version is kept.
func TestSAMStateMachineAutoPublishAlias(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, e2e.AWSCLI)
	env := e2e.Start(t)
	c := sfn.NewFromConfig(env.Config)
	ctx := context.Background()
	machine := "arn:aws:states:us-east-1:000000000000:stateMachine:autopub"
	for i, word := range []string{"one", "two"} {
		outs := deployWithCLI(t, env, "autopub", strings.ReplaceAll(samAutoPublishMachine, "WORD", word))
		if outs["Alias"] != machine+":live" {
			t.Fatalf("outputs = %v", outs)
		}
		st, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(outs["Alias"])})
		if err != nil {
			t.Fatal(err)
		}
		d := waitExecution(t, c, *st.ExecutionArn)
		if want := machine + ":" + []string{"1", "2"}[i]; aws.ToString(d.Output) != `"`+word+`"` || aws.ToString(d.StateMachineVersionArn) != want {
			t.Errorf("deploy %d: %s on %s", i+1, aws.ToString(d.Output), aws.ToString(d.StateMachineVersionArn))
		}
	}
	list, err := c.ListStateMachineVersions(ctx, &sfn.ListStateMachineVersionsInput{StateMachineArn: aws.String(machine)})
	if err != nil || len(list.StateMachineVersions) != 2 {
		t.Errorf("versions = %+v, %v", list, err)
	}
}
