package e2e_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudcontrol"
	cctypes "github.com/aws/aws-sdk-go-v2/service/cloudcontrol/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/virga/virga/internal/e2e"
)

// hotswapStack is a state machine and a queue; WORD is the machine's
// result, VISIBILITY the queue's visibility timeout and RETENTION its
// retention period.
const hotswapStack = `Resources:
  Machine:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      RoleArn: arn:aws:iam::000000000000:role/states
      DefinitionString: '{"StartAt":"P","States":{"P":{"Type":"Pass","Result":"WORD","End":true}}}'
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: VISIBILITY
      MessageRetentionPeriod: RETENTION
`

func hotswapTemplate(word, visibility, retention string) string {
	return strings.NewReplacer("WORD", word, "VISIBILITY", visibility, "RETENTION", retention).Replace(hotswapStack)
}

// deployStack creates or updates a stack with the template and waits for
// it to be complete.
func deployStack(t *testing.T, cf *cloudformation.Client, name, body string, update bool) {
	t.Helper()
	ctx := context.Background()
	var err error
	if update {
		_, err = cf.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: aws.String(name), TemplateBody: aws.String(body)})
		if err == nil {
			err = cloudformation.NewStackUpdateCompleteWaiter(cf).Wait(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(name)}, 90*time.Second)
		}
	} else {
		_, err = cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String(name), TemplateBody: aws.String(body)})
		if err == nil {
			err = cloudformation.NewStackCreateCompleteWaiter(cf).Wait(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(name)}, 90*time.Second)
		}
	}
	if err != nil {
		t.Fatalf("deploying %s: %v", name, err)
	}
}

// TestCloudControlHotswap changes a stack's state machine and queue
// through the Cloud Control API as `cdk deploy --hotswap` does
// (UpdateResource with a JSON Patch of the changed properties, the
// physical ID as identifier): the services show the change, the request
// is SUCCESS, and the stack's next update starts from the new
// properties.
func TestCloudControlHotswap(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cf := cloudformation.NewFromConfig(env.Config)
	cc := cloudcontrol.NewFromConfig(env.Config)
	states := sfn.NewFromConfig(env.Config)
	queues := sqs.NewFromConfig(env.Config)

	deployStack(t, cf, "hot", hotswapTemplate("one", "30", "3600"), false)
	physical := map[string]string{}
	res, err := cf.DescribeStackResources(ctx, &cloudformation.DescribeStackResourcesInput{StackName: aws.String("hot")})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res.StackResources {
		physical[aws.ToString(r.LogicalResourceId)] = aws.ToString(r.PhysicalResourceId)
	}
	machine, queue := physical["Machine"], physical["Queue"]

	// GetResource: the properties and the read-only values.
	got, err := cc.GetResource(ctx, &cloudcontrol.GetResourceInput{TypeName: aws.String("AWS::SQS::Queue"), Identifier: aws.String(queue)})
	if err != nil {
		t.Fatal(err)
	}
	var props map[string]any
	if err := json.Unmarshal([]byte(aws.ToString(got.ResourceDescription.Properties)), &props); err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.ResourceDescription.Identifier) != queue || props["QueueUrl"] != queue || props["VisibilityTimeout"] != 30.0 ||
		!strings.HasPrefix(props["Arn"].(string), "arn:aws:sqs:us-east-1:") {
		t.Errorf("GetResource = %s, %s", aws.ToString(got.ResourceDescription.Identifier), aws.ToString(got.ResourceDescription.Properties))
	}

	update := func(typ, id, patch string) *cctypes.ProgressEvent {
		t.Helper()
		out, err := cc.UpdateResource(ctx, &cloudcontrol.UpdateResourceInput{TypeName: aws.String(typ), Identifier: aws.String(id), PatchDocument: aws.String(patch)})
		if err != nil {
			t.Fatalf("UpdateResource %s: %v", typ, err)
		}
		ev := out.ProgressEvent
		if ev.OperationStatus != cctypes.OperationStatusSuccess || ev.Operation != cctypes.OperationUpdate || aws.ToString(ev.Identifier) != id {
			t.Fatalf("UpdateResource %s = %s %s: %s", typ, ev.Operation, ev.OperationStatus, aws.ToString(ev.StatusMessage))
		}
		st, err := cc.GetResourceRequestStatus(ctx, &cloudcontrol.GetResourceRequestStatusInput{RequestToken: ev.RequestToken})
		if err != nil || st.ProgressEvent.OperationStatus != cctypes.OperationStatusSuccess {
			t.Fatalf("GetResourceRequestStatus = %+v, %v", st, err)
		}
		return ev
	}
	definition := func() string {
		t.Helper()
		d, err := states.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(machine)})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(d.Definition)
	}
	visibility := func() string {
		t.Helper()
		a, err := queues.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(queue),
			AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameVisibilityTimeout}})
		if err != nil {
			t.Fatal(err)
		}
		return a.Attributes["VisibilityTimeout"]
	}

	// The patches the CDK sends: a replace of each changed property.
	two := `{"StartAt":"P","States":{"P":{"Type":"Pass","Result":"two","End":true}}}`
	patch, _ := json.Marshal([]map[string]any{{"op": "replace", "path": "/DefinitionString", "value": two}})
	first := update("AWS::StepFunctions::StateMachine", machine, string(patch))
	if d := definition(); !strings.Contains(d, `"two"`) {
		t.Errorf("definition after UpdateResource = %s", d)
	}
	second := update("AWS::SQS::Queue", queue, `[{"op":"replace","path":"/VisibilityTimeout","value":45}]`)
	if v := visibility(); v != "45" {
		t.Errorf("VisibilityTimeout after UpdateResource = %s", v)
	}
	list, err := cc.ListResourceRequests(ctx, &cloudcontrol.ListResourceRequestsInput{})
	if err != nil || len(list.ResourceRequestStatusSummaries) != 2 ||
		aws.ToString(list.ResourceRequestStatusSummaries[0].RequestToken) != aws.ToString(second.RequestToken) ||
		aws.ToString(list.ResourceRequestStatusSummaries[1].RequestToken) != aws.ToString(first.RequestToken) {
		t.Errorf("ListResourceRequests = %+v, %v", list, err)
	}
	listed, err := cc.ListResources(ctx, &cloudcontrol.ListResourcesInput{TypeName: aws.String("AWS::StepFunctions::StateMachine")})
	if err != nil || len(listed.ResourceDescriptions) != 1 || aws.ToString(listed.ResourceDescriptions[0].Identifier) != machine ||
		!strings.Contains(aws.ToString(listed.ResourceDescriptions[0].Properties), `\"two\"`) {
		t.Errorf("ListResources = %+v, %v", listed, err)
	}

	// A hotswap sends its updates side by side: updates of two resources
	// of one stack at once both succeed.
	results := make(chan error, 2)
	for _, u := range []struct{ typ, id, patch string }{
		{"AWS::StepFunctions::StateMachine", machine, string(patch)},
		{"AWS::SQS::Queue", queue, `[{"op":"replace","path":"/VisibilityTimeout","value":45}]`},
	} {
		go func() {
			out, err := cc.UpdateResource(ctx, &cloudcontrol.UpdateResourceInput{TypeName: aws.String(u.typ), Identifier: aws.String(u.id), PatchDocument: aws.String(u.patch)})
			if err == nil && out.ProgressEvent.OperationStatus != cctypes.OperationStatusSuccess {
				err = errors.New(aws.ToString(out.ProgressEvent.StatusMessage))
			}
			results <- err
		}()
	}
	for range 2 {
		if err := <-results; err != nil {
			t.Errorf("UpdateResource side by side: %v", err)
		}
	}

	// The deployment that follows a hotswap, with the template the
	// hotswap applied: only what changed besides is updated.
	deployStack(t, cf, "hot", hotswapTemplate("two", "45", "7200"), true)
	evs, err := cf.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: aws.String("hot")})
	if err != nil {
		t.Fatal(err)
	}
	updated := map[string]bool{}
	for _, e := range evs.StackEvents {
		if e.ResourceStatus == cftypes.ResourceStatusUpdateComplete {
			updated[aws.ToString(e.LogicalResourceId)] = true
		}
	}
	if updated["Machine"] || !updated["Queue"] {
		t.Errorf("resources the update updated = %v, want the queue alone", updated)
	}
	// And one back to the first template restores what the hotswap
	// changed.
	deployStack(t, cf, "hot", hotswapTemplate("one", "30", "3600"), true)
	if d := definition(); !strings.Contains(d, `"one"`) {
		t.Errorf("definition after the stack's update = %s", d)
	}
	if v := visibility(); v != "30" {
		t.Errorf("VisibilityTimeout after the stack's update = %s", v)
	}
}

// TestCloudControlErrors: the Cloud Control API's errors for a type
// virga has no provider for, a resource no stack holds, a patch that is
// no JSON Patch or does not apply, and one that changes what cannot
// change.
func TestCloudControlErrors(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cf := cloudformation.NewFromConfig(env.Config)
	cc := cloudcontrol.NewFromConfig(env.Config)
	deployStack(t, cf, "errs", `Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: named
`, false)
	url := env.Endpoint + "/000000000000/named"
	if out, err := sqs.NewFromConfig(env.Config).GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("named")}); err == nil {
		url = aws.ToString(out.QueueUrl)
	}
	update := func(typ, id, patch string) error {
		_, err := cc.UpdateResource(ctx, &cloudcontrol.UpdateResourceInput{TypeName: aws.String(typ), Identifier: aws.String(id), PatchDocument: aws.String(patch)})
		return err
	}
	_, err := cc.GetResource(ctx, &cloudcontrol.GetResourceInput{TypeName: aws.String("AWS::Nothing::Here"), Identifier: aws.String("x")})
	expectAPIError(t, err, "TypeNotFoundException", 400)
	_, err = cc.GetResource(ctx, &cloudcontrol.GetResourceInput{TypeName: aws.String("AWS::SQS::Queue"), Identifier: aws.String("https://nowhere/1/q")})
	if e := expectAPIError(t, err, "ResourceNotFoundException", 400); !strings.Contains(e.Message, "https://nowhere/1/q") {
		t.Errorf("message = %q", e.Message)
	}
	expectAPIError(t, update("AWS::SQS::Queue", url, `{"op":"replace"}`), "InvalidRequestException", 400)
	expectAPIError(t, update("AWS::SQS::Queue", url, `[{"op":"remove","path":"/Missing"}]`), "InvalidRequestException", 400)
	expectAPIError(t, update("AWS::SQS::Queue", url, `[{"op":"jump","path":"/X"}]`), "InvalidRequestException", 400)
	e := expectAPIError(t, update("AWS::SQS::Queue", url, `[{"op":"replace","path":"/QueueName","value":"other"}]`), "NotUpdatableException", 400)
	if e.Message != "Invalid patch update: createOnlyProperties [/properties/QueueName] cannot be updated" {
		t.Errorf("message = %q", e.Message)
	}
	e = expectAPIError(t, update("AWS::SQS::Queue", url, `[{"op":"replace","path":"/Arn","value":"arn:x"}]`), "NotUpdatableException", 400)
	if e.Message != "Invalid patch update: readOnlyProperties [/properties/Arn] cannot be updated" {
		t.Errorf("message = %q", e.Message)
	}
	expectAPIError(t, update("AWS::SQS::Queue", "https://nowhere/1/q", `[]`), "ResourceNotFoundException", 400)
	_, err = cc.GetResourceRequestStatus(ctx, &cloudcontrol.GetResourceRequestStatusInput{RequestToken: aws.String("0b5e4b2a-unknown")})
	expectAPIError(t, err, "RequestTokenNotFoundException", 400)

	// A value the service refuses fails the request, with the handler's
	// error code.
	out, err := cc.UpdateResource(ctx, &cloudcontrol.UpdateResourceInput{TypeName: aws.String("AWS::SQS::Queue"), Identifier: aws.String(url),
		PatchDocument: aws.String(`[{"op":"add","path":"/VisibilityTimeout","value":99999}]`)})
	if err != nil {
		t.Fatal(err)
	}
	if ev := out.ProgressEvent; ev.OperationStatus != cctypes.OperationStatusFailed || ev.ErrorCode != cctypes.HandlerErrorCodeInvalidRequest || aws.ToString(ev.StatusMessage) == "" {
		t.Errorf("UpdateResource of a refused value = %s %s %s", ev.OperationStatus, ev.ErrorCode, aws.ToString(ev.StatusMessage))
	}
}
