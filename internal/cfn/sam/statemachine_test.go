package sam

import (
	"reflect"
	"strings"
	"testing"

	"github.com/virga/virga/internal/cfn/template"
)

func TestStateMachine(t *testing.T) {
	t.Parallel()
	r := transformBody(t, []byte(`
Transform: AWS::Serverless-2016-10-31
Resources:
  Flow:
    Type: AWS::Serverless::StateMachine
    Properties:
      Name: flow
      Type: EXPRESS
      DefinitionUri: s3://bucket/flow.json
      DefinitionSubstitutions:
        Queue: q
      Policies:
        - SQSSendMessagePolicy:
            QueueName: q
      Tags:
        team: a
      Events:
        Nightly:
          Type: Schedule
          Properties:
            Schedule: rate(1 day)
            DeadLetterConfig: {Arn: arn:aws:sqs:us-east-1:000000000000:dead}
        Placed:
          Type: EventBridgeRule
          Properties:
            Pattern: {source: [app]}
            InputPath: $.detail
            DeadLetterConfig: {Type: SQS}
        Hourly:
          Type: ScheduleV2
          Properties:
            ScheduleExpression: rate(1 hour)
            DeadLetterConfig: {Type: SQS, QueueLogicalId: Late}
        Post:
          Type: Api
          Properties:
            Path: /orders
            Method: post
            UnescapeMappingTemplate: true
`))
	res := r.resources()
	sm := res["Flow"].(map[string]any)
	if sm["Type"] != "AWS::StepFunctions::StateMachine" {
		t.Fatalf("Flow: %v", sm)
	}
	p := sm["Properties"].(map[string]any)
	want := map[string]any{
		"StateMachineName":        "flow",
		"StateMachineType":        "EXPRESS",
		"DefinitionS3Location":    map[string]any{"Bucket": "bucket", "Key": "flow.json"},
		"DefinitionSubstitutions": map[string]any{"Queue": "q"},
		"RoleArn":                 map[string]any{"Fn::GetAtt": []any{"FlowRole", "Arn"}},
	}
	for k, v := range want {
		if !reflect.DeepEqual(p[k], v) {
			t.Errorf("%s = %v, want %v", k, p[k], v)
		}
	}
	role := res["FlowRole"].(map[string]any)["Properties"].(map[string]any)
	if !strings.Contains(indent(role), "states.amazonaws.com") || !strings.Contains(indent(role), "sqs:SendMessage") {
		t.Errorf("FlowRole: %s", indent(role))
	}
	rule := res["FlowPlaced"].(map[string]any)["Properties"].(map[string]any)
	target := rule["Targets"].([]any)[0].(map[string]any)
	if !reflect.DeepEqual(target["Arn"], map[string]any{"Ref": "Flow"}) || target["InputPath"] != "$.detail" {
		t.Errorf("FlowPlaced target: %v", target)
	}
	if res["FlowNightly"].(map[string]any)["Properties"].(map[string]any)["ScheduleExpression"] != "rate(1 day)" {
		t.Errorf("FlowNightly: %v", res["FlowNightly"])
	}
	for id, policy := range map[string]string{"FlowNightlyRole": "FlowNightlyRoleStartExecutionPolicy", "FlowPlacedRole": "FlowPlacedRoleStartExecutionPolicy",
		"FlowHourlyRole": "FlowHourlyStartExecutionPolicy", "FlowPostRole": "FlowPostRoleStartExecutionPolicy"} {
		if r := indent(res[id]); !strings.Contains(r, "states:StartExecution") || !strings.Contains(r, `"PolicyName": "`+policy+`"`) {
			t.Errorf("%s: %s", id, r)
		}
	}
	// The event roles' policy, as SAM's translator writes it: one action
	// as a string, and no Version.
	for _, id := range []string{"FlowNightlyRole", "FlowPlacedRole", "FlowPostRole"} {
		policies := res[id].(map[string]any)["Properties"].(map[string]any)["Policies"].([]any)
		doc := map[string]any{"Statement": []any{
			map[string]any{"Action": "states:StartExecution", "Effect": "Allow", "Resource": map[string]any{"Ref": "Flow"}},
		}}
		if got := policies[0].(map[string]any)["PolicyDocument"]; !reflect.DeepEqual(got, doc) {
			t.Errorf("%s policy: %v, want %v", id, got, doc)
		}
	}
	body := indent(res["ServerlessRestApi"])
	for _, want := range []string{"states:action/StartExecution", `\"stateMachineArn\": \"${Flow}\"`, "FlowPostRole"} {
		if !strings.Contains(body, want) {
			t.Errorf("ServerlessRestApi lacks %s: %s", want, body)
		}
	}
	sched := res["FlowHourly"].(map[string]any)
	if sched["Type"] != "AWS::Scheduler::Schedule" || res["FlowHourlyRole"] == nil {
		t.Errorf("FlowHourly: %v", sched)
	}
	deadLetter := func(id string) any {
		return res[id].(map[string]any)["Properties"].(map[string]any)["Targets"].([]any)[0].(map[string]any)["DeadLetterConfig"]
	}
	if got, want := deadLetter("FlowPlaced"), map[string]any{"Arn": map[string]any{"Fn::GetAtt": []any{"FlowPlacedQueue", "Arn"}}}; !reflect.DeepEqual(got, want) {
		t.Errorf("FlowPlaced DeadLetterConfig = %v, want %v", got, want)
	}
	if got, want := deadLetter("FlowNightly"), map[string]any{"Arn": "arn:aws:sqs:us-east-1:000000000000:dead"}; !reflect.DeepEqual(got, want) {
		t.Errorf("FlowNightly DeadLetterConfig = %v, want %v", got, want)
	}
	// EventBridge may send to the rule's queue from that rule only.
	policy := indent(res["FlowPlacedQueuePolicy"])
	for _, want := range []string{`"Service": "events.amazonaws.com"`, `"aws:SourceArn"`, `"FlowPlaced"`, `"Ref": "FlowPlacedQueue"`} {
		if !strings.Contains(policy, want) {
			t.Errorf("FlowPlacedQueuePolicy lacks %s: %s", want, policy)
		}
	}
	// A schedule sends to its queue as its role, which may.
	schedTarget := sched["Properties"].(map[string]any)["Target"].(map[string]any)
	if got, want := schedTarget["DeadLetterConfig"], map[string]any{"Arn": map[string]any{"Fn::GetAtt": []any{"Late", "Arn"}}}; !reflect.DeepEqual(got, want) {
		t.Errorf("FlowHourly DeadLetterConfig = %v, want %v", got, want)
	}
	if res["Late"] == nil || res["LateQueuePolicy"] != nil || res["FlowHourlyQueuePolicy"] != nil {
		t.Errorf("Late queue: %v", res)
	}
	if role := indent(res["FlowHourlyRole"]); !strings.Contains(role, `"PolicyName": "FlowHourlySQSPolicy"`) || !strings.Contains(role, "sqs:SendMessage") {
		t.Errorf("FlowHourlyRole: %s", role)
	}
	if body := indent(res["ServerlessRestApi"]); !strings.Contains(body, `.replaceAll(\"\\\\'\",\"'\")`) {
		t.Errorf("ServerlessRestApi's template does not unescape quotes: %s", body)
	}
}

func TestStateMachineErrors(t *testing.T) {
	t.Parallel()
	for body, want := range map[string]string{
		"Properties: {Role: r}":                                                   "Either 'Definition' or 'DefinitionUri' property must be specified.",
		"Properties: {Definition: {}, DefinitionUri: s3://b/k}":                   "Specify either 'Definition' or 'DefinitionUri' property and not both.",
		"Properties: {Definition: {}, Role: r, Policies: [AWSLambdaRole]}":        "Specify either 'Role' or 'Policies' property and not both.",
		"Properties: {Definition: {}, Events: {A: {Type: SQS}}}":                  "State machine events of type SQS are not supported by virga.",
		"Properties: {Definition: {}, DeploymentPreference: {Type: ALL_AT_ONCE}}": "'DeploymentPreference' requires 'AutoPublishAlias' property to be specified.",
		"Properties: {Definition: {}, Events: {A: {Type: Api, Properties: {Path: /x, Method: post}}, B: {Type: Api, Properties: {Path: /x, Method: POST}}}}": "Number of errors found: 1. Event with id [B] is invalid. API method \"post\" defined multiple times for path \"/x\".",
		"Properties: {Definition: {}}\n    Connectors: {C: {Properties: {Destination: {Id: M}, Permissions: [Write]}}}":                                      "Unsupported 'Permissions' provided for connector from AWS::StepFunctions::StateMachine to AWS::StepFunctions::StateMachine; valid combinations are: Read, Read + Write.",
		"Properties: {Definition: {}, Events: {A: {Type: CloudWatchEvent, Properties: {DeadLetterConfig: {Type: SNS}}}}}":                                    "The only valid value for 'Type' property of DeadLetterConfig is 'SQS'.",
		"Properties: {Definition: {}, Events: {A: {Type: Schedule, Properties: {DeadLetterConfig: {Type: SQS, Arn: a}}}}}":                                   "You can either define 'Arn' or 'Type' property of DeadLetterConfig.",
		"Properties: {Definition: {}, Events: {A: {Type: ScheduleV2, Properties: {DeadLetterConfig: {QueueLogicalId: Q}}}}}":                                 "No 'Arn' or 'Type' property provided for DeadLetterConfig.",
		"Properties: {Definition: {}, Events: {A: {Type: ScheduleV2, Properties: {DeadLetterConfig: {Type: SQS, QueueLogicalId: [Q]}}}}}":                    "QueueLogicalId must be a string",
	} {
		in, err := template.Parse([]byte("Transform: AWS::Serverless-2016-10-31\nResources:\n  M:\n    Type: AWS::Serverless::StateMachine\n    " + body + "\n"))
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = Transform(in.Tree, testOptions)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want %s", body, err, want)
		}
	}
}

func TestStateMachineAutoPublishAlias(t *testing.T) {
	t.Parallel()
	r := transformBody(t, []byte(`
Transform: AWS::Serverless-2016-10-31
Resources:
  Flow:
    Type: AWS::Serverless::StateMachine
    Properties:
      Definition: {StartAt: P, States: {P: {Type: Pass, End: true}}}
      Role: arn:aws:iam::000000000000:role/r
      AutoPublishAlias: live
      DeploymentPreference:
        Type: CANARY
        Percentage: 10
        Interval: 5
`))
	res := r.resources()
	version := res["FlowVersion"].(map[string]any)
	if version["Type"] != "AWS::StepFunctions::StateMachineVersion" || version["DeletionPolicy"] != "Retain" || version["UpdateReplacePolicy"] != "Retain" {
		t.Errorf("FlowVersion = %v", version)
	}
	wantVersion := map[string]any{"StateMachineArn": map[string]any{"Ref": "Flow"},
		"StateMachineRevisionId": map[string]any{"Fn::GetAtt": []any{"Flow", "StateMachineRevisionId"}}}
	if !reflect.DeepEqual(version["Properties"], wantVersion) {
		t.Errorf("FlowVersion properties = %v", version["Properties"])
	}
	alias := res["FlowAliaslive"].(map[string]any)
	props := alias["Properties"].(map[string]any)
	pref := props["DeploymentPreference"].(map[string]any)
	if alias["Type"] != "AWS::StepFunctions::StateMachineAlias" || props["Name"] != "live" || pref["Type"] != "CANARY" ||
		!reflect.DeepEqual(pref["StateMachineVersionArn"], map[string]any{"Ref": "FlowVersion"}) {
		t.Errorf("FlowAliaslive = %v", alias)
	}
}

// TestStateMachineRoleTracingAndTags follows AWS's translator's output:
// with Tracing enabled the generated role gets AWSXrayWriteOnlyAccess
// after the template's policies, and it carries the state machine's
// tags, SAM's first.
func TestStateMachineRoleTracingAndTags(t *testing.T) {
	t.Parallel()
	r := transformBody(t, []byte(`
Transform: AWS::Serverless-2016-10-31
Resources:
  Flow:
    Type: AWS::Serverless::StateMachine
    Properties:
      Definition:
        StartAt: A
        States:
          A:
            Type: Pass
            End: true
      Tracing:
        Enabled: true
      Tags:
        team: a
        app: b
      Policies:
        - AmazonS3ReadOnlyAccess
  Untraced:
    Type: AWS::Serverless::StateMachine
    Properties:
      Definition:
        StartAt: A
        States:
          A:
            Type: Pass
            End: true
      Tracing:
        Enabled: false
`))
	role := r.props(t, "FlowRole", tRole)
	want(t, "managed policies", role["ManagedPolicyArns"], []any{
		"arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
		"arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess",
	})
	tags := []any{
		map[string]any{"Key": "stateMachine:createdBy", "Value": "SAM"},
		map[string]any{"Key": "app", "Value": "b"},
		map[string]any{"Key": "team", "Value": "a"},
	}
	want(t, "role tags", role["Tags"], tags)
	want(t, "state machine tags", r.props(t, "Flow", "AWS::StepFunctions::StateMachine")["Tags"], tags)
	// SAM writes an empty list rather than none.
	want(t, "untraced role's managed policies", r.props(t, "UntracedRole", tRole)["ManagedPolicyArns"], []any{})
}

// TestStateMachineInlineDefinitionString follows AWS's translator: an
// inline Definition becomes DefinitionString, its JSON text with sorted
// keys joined by newlines, each intrinsic function in it replaced by a
// ${definition_substitution_N} placeholder that DefinitionSubstitutions
// maps to the function, beside the template's own substitutions; a null
// such as "ResultPath": null stays in the text.
func TestStateMachineInlineDefinitionString(t *testing.T) {
	t.Parallel()
	r := transformBody(t, []byte(`
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: a.h, InlineCode: x}
  Flow:
    Type: AWS::Serverless::StateMachine
    Properties:
      Role: arn:aws:iam::000000000000:role/r
      DefinitionSubstitutions:
        Word: hello
      Definition:
        StartAt: Call
        States:
          Call:
            Type: Task
            Resource: !GetAtt Fn.Arn
            ResultPath: null
            Next: Say
          Say:
            Type: Pass
            Result: ${Word}
            End: true
`))
	sm := r.props(t, "Flow", "AWS::StepFunctions::StateMachine")
	if _, ok := sm["Definition"]; ok {
		t.Errorf("Definition kept: %v", sm)
	}
	join, _ := sm["DefinitionString"].(map[string]any)["Fn::Join"].([]any)
	if len(join) != 2 || join[0] != "\n" {
		t.Fatalf("DefinitionString = %v", sm["DefinitionString"])
	}
	var lines []string
	for _, l := range join[1].([]any) {
		lines = append(lines, l.(string))
	}
	wantText := `{
    "StartAt": "Call",
    "States": {
        "Call": {
            "Next": "Say",
            "Resource": "${definition_substitution_1}",
            "ResultPath": null,
            "Type": "Task"
        },
        "Say": {
            "End": true,
            "Result": "${Word}",
            "Type": "Pass"
        }
    }
}`
	want(t, "definition text", strings.Join(lines, "\n"), wantText)
	want(t, "substitutions", sm["DefinitionSubstitutions"], map[string]any{
		"definition_substitution_1": map[string]any{"Fn::GetAtt": []any{"Fn", "Arn"}},
		"Word":                      "hello",
	})
}

// TestStateMachinePropagateTags follows AWS's translator: PropagateTags
// (on the resource or in Globals.StateMachine) puts the state machine's
// tags, in place of SAM's own, on every resource generated for it that
// has Tags (the machine, its roles, its events' dead-letter queues, the
// implicit REST API and its stage) and on no other (rules, schedules,
// versions, aliases); a machine without tags keeps SAM's tag, and one
// with PropagateTags false propagates nothing.
func TestStateMachinePropagateTags(t *testing.T) {
	t.Parallel()
	r := transformBody(t, []byte(`
Transform: AWS::Serverless-2016-10-31
Globals:
  StateMachine:
    PropagateTags: true
Resources:
  Flow:
    Type: AWS::Serverless::StateMachine
    Properties:
      Definition: {StartAt: A, States: {A: {Type: Pass, End: true}}}
      Tags: {team: a, app: b}
      AutoPublishAlias: live
      Events:
        Every:
          Type: Schedule
          Properties:
            Schedule: rate(1 hour)
            DeadLetterConfig: {Type: SQS}
        Web:
          Type: Api
          Properties: {Path: /go, Method: post}
  Bare:
    Type: AWS::Serverless::StateMachine
    Properties:
      Definition: {StartAt: A, States: {A: {Type: Pass, End: true}}}
      Events:
        Bus:
          Type: EventBridgeRule
          Properties: {Pattern: {source: [x]}}
  Kept:
    Type: AWS::Serverless::StateMachine
    Properties:
      PropagateTags: false
      Definition: {StartAt: A, States: {A: {Type: Pass, End: true}}}
      Tags: {team: c}
      Events:
        Bus:
          Type: EventBridgeRule
          Properties: {Pattern: {source: [x]}}
`))
	tags := []any{map[string]any{"Key": "app", "Value": "b"}, map[string]any{"Key": "team", "Value": "a"}}
	for id, typ := range map[string]string{"Flow": "AWS::StepFunctions::StateMachine", "FlowRole": tRole, "FlowEveryRole": tRole,
		"FlowWebRole": tRole, "FlowEveryQueue": "AWS::SQS::Queue", "ServerlessRestApi": "AWS::ApiGateway::RestApi",
		"ServerlessRestApiProdStage": "AWS::ApiGateway::Stage"} {
		want(t, id+" tags", r.props(t, id, typ)["Tags"], tags)
	}
	for id, typ := range map[string]string{"FlowEvery": "AWS::Events::Rule", "FlowVersion": "AWS::StepFunctions::StateMachineVersion",
		"FlowAliaslive": "AWS::StepFunctions::StateMachineAlias", "BareBusRole": tRole, "KeptBusRole": tRole} {
		if tg, ok := r.props(t, id, typ)["Tags"]; ok {
			t.Errorf("%s has tags %v", id, tg)
		}
	}
	samTag := map[string]any{"Key": "stateMachine:createdBy", "Value": "SAM"}
	want(t, "untagged machine's tags", r.props(t, "Bare", "AWS::StepFunctions::StateMachine")["Tags"], []any{samTag})
	want(t, "unpropagated role's tags", r.props(t, "KeptRole", tRole)["Tags"], []any{samTag, map[string]any{"Key": "team", "Value": "c"}})
}
