package e2e_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/virga/virga/internal/e2e"
)

// TestStepFunctionsPutEventsIntegration runs the optimized EventBridge
// integration: each entry's Resources gain the execution's ARN and its
// state machine's, and a response with failed entries fails the task
// with EventBridge.FailedEntry, which a Catch sees with the response as
// its cause. An entry's Time may be ISO 8601 text, as the context
// object's times are.
func TestStepFunctionsPutEventsIntegration(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	c := sfn.NewFromConfig(env.Config)
	queue := ruleToQueue(t, env, "sfn-put-events", `{"source":["orders.workflow"]}`)
	def := `{"StartAt":"Emit","States":{
	  "Emit":{"Type":"Task","Resource":"arn:aws:states:::events:putEvents","Parameters":{"Entries":[
	    {"Source":"orders.workflow","DetailType":"OrderPlaced","Detail":{"orderId.$":"$.id"},"Resources":["arn:aws:s3:::orders"],
	     "Time":"2024-05-06T07:08:09.123Z"}]},
	    "ResultPath":"$.sent","Next":"Broken"},
	  "Broken":{"Type":"Task","Resource":"arn:aws:states:::events:putEvents","Parameters":{"Entries":[
	    {"Source":"orders.workflow","DetailType":"Bad","Detail":"not json"}]},
	    "Catch":[{"ErrorEquals":["EventBridge.FailedEntry"],"ResultPath":"$.caught","Next":"Done"}],"Next":"Done"},
	  "Done":{"Type":"Succeed"}}}`
	m, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("emitter"), Definition: aws.String(def), RoleArn: aws.String(sfnRole)})
	if err != nil {
		t.Fatal(err)
	}
	run, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: m.StateMachineArn, Input: aws.String(`{"id":"o-1"}`)})
	if err != nil {
		t.Fatal(err)
	}
	done := waitExecution(t, c, aws.ToString(run.ExecutionArn))
	var out struct {
		Sent struct {
			FailedEntryCount int
			Entries          []map[string]string
		} `json:"sent"`
		Caught struct{ Error, Cause string } `json:"caught"`
	}
	if err := json.Unmarshal([]byte(aws.ToString(done.Output)), &out); err != nil {
		t.Fatalf("%s: output %q: %v", done.Status, aws.ToString(done.Output), err)
	}
	if out.Sent.FailedEntryCount != 0 || len(out.Sent.Entries) != 1 || out.Sent.Entries[0]["EventId"] == "" {
		t.Errorf("putEvents result %+v", out.Sent)
	}
	var cause struct {
		FailedEntryCount int
		Entries          []map[string]string
	}
	if out.Caught.Error != "EventBridge.FailedEntry" || json.Unmarshal([]byte(out.Caught.Cause), &cause) != nil ||
		cause.FailedEntryCount != 1 || len(cause.Entries) != 1 || cause.Entries[0]["ErrorCode"] != "MalformedDetail" {
		t.Errorf("caught %+v, want EventBridge.FailedEntry with the response as the cause", out.Caught)
	}

	var ev struct {
		Time      string            `json:"time"`
		Resources []string          `json:"resources"`
		Detail    map[string]string `json:"detail"`
	}
	body := queuedEvents(t, env, queue, 1)[0]
	if err := json.Unmarshal([]byte(body), &ev); err != nil {
		t.Fatal(err)
	}
	want := []string{"arn:aws:s3:::orders", aws.ToString(run.ExecutionArn), aws.ToString(m.StateMachineArn)}
	if !slices.Equal(ev.Resources, want) || ev.Detail["orderId"] != "o-1" || ev.Time != "2024-05-06T07:08:09Z" {
		t.Errorf("event time %s resources %q detail %v, want %q", ev.Time, ev.Resources, ev.Detail, want)
	}
}
