package e2e_test

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/virga/virga/internal/config"
	"github.com/virga/virga/internal/e2e"
)

// topicProvider is a custom resource provider the test plays itself:
// CloudFormation publishes the requests to a topic, whose queue the test
// reads (requests) and answers (answer) when it chooses, or never.
type topicProvider struct {
	t     *testing.T
	cf    *cloudformation.Client
	sqs   *sqs.Client
	queue string
	topic string
}

const topicProviderStack = `Resources:
  Requests:
    Type: AWS::SQS::Queue
  RequestsPolicy:
    Type: AWS::SQS::QueuePolicy
    Properties:
      Queues: [!Ref Requests]
      PolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: sns.amazonaws.com}
            Action: sqs:SendMessage
            Resource: !GetAtt Requests.Arn
            Condition: {ArnEquals: {aws:SourceArn: !Ref Topic}}
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      Subscription:
        - Protocol: sqs
          Endpoint: !GetAtt Requests.Arn
Outputs:
  Topic:
    Value: !Ref Topic
  Queue:
    Value: !Ref Requests
`

// thingStack is one custom resource of a topicProvider.
const thingStack = `Parameters:
  Topic: {Type: String}
  Name: {Type: String, Default: a}
Resources:
  Thing:
    Type: Custom::Thing
    Properties:
      ServiceToken: !Ref Topic
      Name: !Ref Name
Outputs:
  Ref:
    Value: !Ref Thing
`

// topicProviderEnv starts virga with a topicProvider.
func topicProviderEnv(t *testing.T, opts ...e2e.Option) (*e2e.Env, *cloudformation.Client, *topicProvider) {
	t.Helper()
	env := e2e.Start(t, opts...)
	p := &topicProvider{t: t}
	cf := p.on(env)
	startStack(t, cf, "provider", topicProviderStack, nil)
	outs := createdStackOutputs(t, cf, "provider")
	p.queue, p.topic = outs["Queue"], outs["Topic"]
	return env, cf, p
}

// on points the provider's clients at env, a virga started again.
func (p *topicProvider) on(env *e2e.Env) *cloudformation.Client {
	p.cf, p.sqs = cloudformation.NewFromConfig(env.Config), sqs.NewFromConfig(env.Config)
	return p.cf
}

// create starts creating a thingStack with the Name; the channel gives
// CreateStack's error once it answers, which it does when the creation
// ends (or after a while).
func (p *topicProvider) create(stack, name string) <-chan error {
	return inBackground(func() error {
		_, err := p.cf.CreateStack(context.Background(), &cloudformation.CreateStackInput{StackName: aws.String(stack),
			TemplateBody: aws.String(thingStack), Parameters: stackParams("Topic", p.topic, "Name", name)})
		return err
	})
}

// update starts updating a thingStack to the Name, as create does.
func (p *topicProvider) update(stack, name string) <-chan error {
	return inBackground(func() error {
		_, err := p.cf.UpdateStack(context.Background(), &cloudformation.UpdateStackInput{StackName: aws.String(stack),
			UsePreviousTemplate: aws.Bool(true), Parameters: stackParams("Topic", p.topic, "Name", name)})
		return err
	})
}

// created creates a thingStack whose Create the test answers with the
// physical ID.
func (p *topicProvider) created(stack, physicalID string) {
	p.t.Helper()
	done := p.create(stack, "a")
	if req := p.next(); req["RequestType"] != "Create" || p.answer(req, physicalID) != http.StatusOK {
		p.t.Fatalf("the Create: %v", req)
	}
	if err := <-done; err != nil {
		p.t.Fatal(err)
	}
}

// next is the next request CloudFormation sent.
func (p *topicProvider) next() map[string]any {
	p.t.Helper()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); {
		out, err := p.sqs.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(p.queue),
			WaitTimeSeconds: 1, MaxNumberOfMessages: 1})
		if err != nil {
			p.t.Fatal(err)
		}
		for _, m := range out.Messages {
			p.sqs.DeleteMessage(context.Background(), &sqs.DeleteMessageInput{QueueUrl: aws.String(p.queue), ReceiptHandle: m.ReceiptHandle})
			var note struct{ Message string }
			var req map[string]any
			if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &note); err != nil {
				p.t.Fatalf("the notification: %v", err)
			}
			if err := json.Unmarshal([]byte(note.Message), &req); err != nil {
				p.t.Fatalf("the request: %v: %s", err, note.Message)
			}
			return req
		}
	}
	p.t.Fatal("no request came through the topic")
	return nil
}

// answer PUTs SUCCESS for req with a physical ID, and returns the HTTP
// status virga answered with.
func (p *topicProvider) answer(req map[string]any, physicalID string) int {
	return p.answerWith(req, map[string]any{"PhysicalResourceId": physicalID})
}

// answerWith PUTs SUCCESS for req with the response object's other
// fields, and returns the HTTP status virga answered with.
func (p *topicProvider) answerWith(req map[string]any, fields map[string]any) int {
	p.t.Helper()
	answer := map[string]any{"Status": "SUCCESS", "StackId": req["StackId"], "RequestId": req["RequestId"], "LogicalResourceId": req["LogicalResourceId"]}
	maps.Copy(answer, fields)
	body, _ := json.Marshal(answer)
	put, _ := http.NewRequest(http.MethodPut, req["ResponseURL"].(string), strings.NewReader(string(body)))
	resp, err := http.DefaultClient.Do(put)
	if err != nil {
		p.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// inBackground runs a call that waits for the operation it starts, which
// waits for the test's answers; the channel gives its error.
func inBackground(f func() error) <-chan error {
	done := make(chan error, 1)
	go func() { done <- f() }()
	return done
}

// hasStackEvent reports whether the stack has a stack-level event with
// the status and reason.
func hasStackEvent(t *testing.T, cf *cloudformation.Client, stack string, status cftypes.ResourceStatus, reason string) bool {
	t.Helper()
	ev, err := cf.DescribeStackEvents(context.Background(), &cloudformation.DescribeStackEventsInput{StackName: aws.String(stack)})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ev.StackEvents {
		if aws.ToString(e.LogicalResourceId) == aws.ToString(e.StackName) && e.ResourceStatus == status && aws.ToString(e.ResourceStatusReason) == reason {
			return true
		}
	}
	return false
}

// TestCloudFormationCancelUpdateStack: CancelUpdateStack stops an update
// that waits on a custom resource's provider: the resource's update is
// cancelled, the provider is asked to go back, and the stack ends
// UPDATE_ROLLBACK_COMPLETE. Only an update in progress may be cancelled.
func TestCloudFormationCancelUpdateStack(t *testing.T) {
	t.Parallel()
	_, cf, p := topicProviderEnv(t)
	ctx := context.Background()
	p.created("thing", "thing-a")
	if outs := createdStackOutputs(t, cf, "thing"); outs["Ref"] != "thing-a" {
		t.Fatalf("outputs %v", outs)
	}

	// Not in UPDATE_IN_PROGRESS, or no such stack.
	_, err := cf.CancelUpdateStack(ctx, &cloudformation.CancelUpdateStackInput{StackName: aws.String("thing")})
	if e := expectAPIError(t, err, "ValidationError", 400); e.Message != "CancelUpdateStack cannot be called from current stack status" {
		t.Errorf("message %q", e.Message)
	}
	_, err = cf.CancelUpdateStack(ctx, &cloudformation.CancelUpdateStackInput{StackName: aws.String("nothing")})
	if e := expectAPIError(t, err, "ValidationError", 400); e.Message != "Stack [nothing] does not exist" {
		t.Errorf("message %q", e.Message)
	}

	// An update whose provider does not answer (its ServiceTimeout is
	// an hour) is cancelled.
	updated := p.update("thing", "b")
	update := p.next()
	if update["RequestType"] != "Update" || update["PhysicalResourceId"] != "thing-a" {
		t.Fatalf("the Update: %v", update)
	}
	cancelled := inBackground(func() error {
		_, err := cf.CancelUpdateStack(ctx, &cloudformation.CancelUpdateStackInput{StackName: aws.String("thing"),
			ClientRequestToken: aws.String("cancel-1")})
		return err
	})
	// The rollback asks the provider to go back to Name a.
	back := p.next()
	if back["RequestType"] != "Update" || back["ResourceProperties"].(map[string]any)["Name"] != "a" ||
		back["OldResourceProperties"].(map[string]any)["Name"] != "b" {
		t.Fatalf("the rollback's request: %v", back)
	}
	p.answer(back, "thing-a")
	for _, c := range []<-chan error{cancelled, updated} {
		if err := <-c; err != nil {
			t.Fatal(err)
		}
	}
	st := settleStack(t, cf, "thing")
	if st.StackStatus != cftypes.StackStatusUpdateRollbackComplete {
		t.Fatalf("after the cancellation: %s", st.StackStatus)
	}
	if len(st.Outputs) != 1 || aws.ToString(st.Outputs[0].OutputValue) != "thing-a" {
		t.Errorf("outputs %+v", st.Outputs)
	}
	if reason := resourceReason(t, cf, "thing", "Thing", cftypes.ResourceStatusUpdateFailed); reason != "Resource update cancelled" {
		t.Errorf("UPDATE_FAILED reason %q", reason)
	}
	if !hasStackEvent(t, cf, "thing", cftypes.ResourceStatusUpdateRollbackInProgress, "User Initiated") {
		t.Error("no UPDATE_ROLLBACK_IN_PROGRESS event")
	}
	// The cancelled request's URL takes no answer any more.
	if code := p.answer(update, "thing-b"); code == http.StatusOK {
		t.Errorf("a late answer: HTTP %d", code)
	}
}

// TestCloudFormationDeleteStackWhileCreating: DeleteStack of a stack
// whose creation waits on a custom resource's provider is accepted, as
// on AWS: the stack is DELETE_IN_PROGRESS at once, the resource's
// creation is cancelled, the provider gets a Delete for whatever it may
// have made, and the stack ends DELETE_COMPLETE. An update in progress
// still refuses DeleteStack.
func TestCloudFormationDeleteStackWhileCreating(t *testing.T) {
	t.Parallel()
	_, cf, p := topicProviderEnv(t)
	ctx := context.Background()
	created := p.create("stuck", "a")
	create := p.next()
	if create["RequestType"] != "Create" {
		t.Fatalf("the Create: %v", create)
	}
	stackID := create["StackId"].(string)
	deleted := inBackground(func() error {
		_, err := cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("stuck")})
		return err
	})
	del := p.next()
	if id, _ := del["PhysicalResourceId"].(string); del["RequestType"] != "Delete" || !strings.HasPrefix(id, "stuck-Thing-") {
		t.Fatalf("the Delete: %v", del)
	}
	st, err := cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("stuck")})
	if err != nil || st.Stacks[0].StackStatus != cftypes.StackStatusDeleteInProgress {
		t.Fatalf("while the Delete waits: %+v %v", st, err)
	}
	p.answer(del, del["PhysicalResourceId"].(string))
	for _, c := range []<-chan error{deleted, created} {
		if err := <-c; err != nil {
			t.Fatal(err)
		}
	}
	if st := settleStack(t, cf, stackID); st.StackStatus != cftypes.StackStatusDeleteComplete {
		t.Fatalf("after DeleteStack: %s", st.StackStatus)
	}
	if reason := resourceReason(t, cf, stackID, "Thing", cftypes.ResourceStatusCreateFailed); reason != "Resource creation cancelled" {
		t.Errorf("CREATE_FAILED reason %q", reason)
	}
	if code := p.answer(create, "late"); code == http.StatusOK {
		t.Errorf("a late answer to the Create: HTTP %d", code)
	}

	// An update in progress is not deleted.
	p.created("busy", "busy-a")
	updated := p.update("busy", "b")
	update := p.next()
	_, err = cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("busy")})
	if e := expectAPIError(t, err, "ValidationError", 400); e.Message != "Stack [busy] cannot be deleted while in status UPDATE_IN_PROGRESS" {
		t.Errorf("message %q", e.Message)
	}
	p.answer(update, "busy-a")
	if err := <-updated; err != nil {
		t.Fatal(err)
	}
}

// TestCloudFormationCustomResourceRestart: virga stops while a stack's
// creation waits on a custom resource's provider. At the next start the
// creation is rolled back: the resource's creation was cancelled, its
// provider gets the Delete it is owed, and the stack ends
// ROLLBACK_COMPLETE, not ROLLBACK_FAILED with what the provider made
// orphaned.
func TestCloudFormationCustomResourceRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	onDisk := e2e.WithConfig(func(c *config.Config) { c.InMemory, c.DataDir = false, dir })
	env, _, p := topicProviderEnv(t, onDisk)
	created := p.create("stuck", "a")
	if create := p.next(); create["RequestType"] != "Create" {
		t.Fatalf("the Create: %v", create)
	}
	env.Stop(t)
	<-created // the stop ends its wait: it answers, or its connection closes

	cf := p.on(e2e.Start(t, onDisk))
	del := p.next()
	if id, _ := del["PhysicalResourceId"].(string); del["RequestType"] != "Delete" || !strings.HasPrefix(id, "stuck-Thing-") {
		t.Fatalf("the Delete: %v", del)
	}
	p.answer(del, del["PhysicalResourceId"].(string))
	if st := settleStack(t, cf, "stuck"); st.StackStatus != cftypes.StackStatusRollbackComplete {
		t.Fatalf("after the restart: %s %s", st.StackStatus, aws.ToString(st.StackStatusReason))
	}
	if reason := resourceReason(t, cf, "stuck", "Thing", cftypes.ResourceStatusCreateFailed); reason != "Resource creation cancelled" {
		t.Errorf("CREATE_FAILED reason %q", reason)
	}
	if !hasStackEvent(t, cf, "stuck", cftypes.ResourceStatusRollbackInProgress, "The operation was interrupted when virga stopped. Rollback requested by user.") {
		t.Error("no ROLLBACK_IN_PROGRESS event for the interruption")
	}
}

// nestingStack holds a queue and a nested stack, a thingStack with a
// queue of its own (nestedThings serves its template).
const nestingStack = `Parameters:
  Topic: {Type: String}
  Name: {Type: String, Default: a}
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Child:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: https://s3.amazonaws.com/nested-things/child.yaml
      Parameters: {Topic: !Ref Topic, Name: !Ref Name}
`

// nestedThings starts a topicProvider whose S3 serves nestingStack's
// child.
func nestedThings(t *testing.T) (*cloudformation.Client, *topicProvider) {
	t.Helper()
	env, cf, p := topicProviderEnv(t)
	child := strings.Replace(thingStack, "Outputs:", "  Queue:\n    Type: AWS::SQS::Queue\nOutputs:", 1)
	putObject(t, s3Client(env), "nested-things", "child.yaml", []byte(child))
	return cf, p
}

// createNesting starts creating the nestingStack "nesting", as create
// does.
func createNesting(cf *cloudformation.Client, p *topicProvider) <-chan error {
	return inBackground(func() error {
		_, err := cf.CreateStack(context.Background(), &cloudformation.CreateStackInput{StackName: aws.String("nesting"),
			TemplateBody: aws.String(nestingStack), Parameters: stackParams("Topic", p.topic)})
		return err
	})
}

// stackQueues are the queues whose names start with the stack's.
func stackQueues(t *testing.T, sc *sqs.Client, stack string) []string {
	t.Helper()
	out, err := sc.ListQueues(context.Background(), &sqs.ListQueuesInput{QueueNamePrefix: aws.String(stack)})
	if err != nil {
		t.Fatal(err)
	}
	return out.QueueUrls
}

// TestCloudFormationDeleteNestingStackWhileCreating: DeleteStack of a
// stack whose nested stack's creation waits on a custom resource's
// provider cancels the nested stack's creation too: the provider gets
// its Delete, both stacks end DELETE_COMPLETE, and no queue either made
// remains. (The parent recorded no physical ID for a nested stack whose
// wait it cut short, which orphaned the nested stack, busy for ever.)
func TestCloudFormationDeleteNestingStackWhileCreating(t *testing.T) {
	t.Parallel()
	cf, p := nestedThings(t)
	ctx := context.Background()
	created := createNesting(cf, p)
	create := p.next()
	if create["RequestType"] != "Create" {
		t.Fatalf("the Create: %v", create)
	}
	childID := create["StackId"].(string)
	parentID := stackID(t, cf, "nesting")
	deleted := inBackground(func() error {
		_, err := cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("nesting")})
		return err
	})
	del := p.next()
	if id, _ := del["PhysicalResourceId"].(string); del["RequestType"] != "Delete" || del["StackId"] != childID || id == "" {
		t.Fatalf("the Delete: %v", del)
	}
	p.answer(del, del["PhysicalResourceId"].(string))
	for _, c := range []<-chan error{deleted, created} {
		if err := <-c; err != nil {
			t.Fatal(err)
		}
	}
	for _, stack := range []string{parentID, childID} {
		if st := settleStack(t, cf, stack); st.StackStatus != cftypes.StackStatusDeleteComplete {
			t.Errorf("%s after DeleteStack: %s %s", stack, st.StackStatus, aws.ToString(st.StackStatusReason))
		}
	}
	if qs := stackQueues(t, p.sqs, "nesting"); len(qs) != 0 {
		t.Errorf("queues left: %v", qs)
	}
}

// TestCloudFormationCancelNestingStackUpdate: CancelUpdateStack of a
// stack whose nested stack's update waits on a custom resource's
// provider cancels the nested stack's update too, as on AWS: the nested
// stack rolls back (its provider is asked to go back), and so does the
// parent, to UPDATE_ROLLBACK_COMPLETE rather than meeting a busy nested
// stack (UPDATE_ROLLBACK_FAILED). A stack rolling back refuses
// DeleteStack, as AWS's does. The stack's deletion then leaves nothing
// behind.
func TestCloudFormationCancelNestingStackUpdate(t *testing.T) {
	t.Parallel()
	cf, p := nestedThings(t)
	ctx := context.Background()
	created := createNesting(cf, p)
	if req := p.next(); req["RequestType"] != "Create" || p.answer(req, "thing-a") != http.StatusOK {
		t.Fatalf("the Create: %v", req)
	}
	if err := <-created; err != nil {
		t.Fatal(err)
	}
	if st := settleStack(t, cf, "nesting"); st.StackStatus != cftypes.StackStatusCreateComplete {
		t.Fatalf("after CreateStack: %s %s", st.StackStatus, aws.ToString(st.StackStatusReason))
	}

	updated := inBackground(func() error {
		_, err := cf.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: aws.String("nesting"),
			UsePreviousTemplate: aws.Bool(true), Parameters: stackParams("Topic", p.topic, "Name", "b")})
		return err
	})
	update := p.next()
	if update["RequestType"] != "Update" || update["PhysicalResourceId"] != "thing-a" {
		t.Fatalf("the Update: %v", update)
	}
	childID := update["StackId"].(string)
	cancelled := inBackground(func() error {
		_, err := cf.CancelUpdateStack(ctx, &cloudformation.CancelUpdateStackInput{StackName: aws.String("nesting")})
		return err
	})
	back := p.next()
	if back["RequestType"] != "Update" || back["StackId"] != childID || back["ResourceProperties"].(map[string]any)["Name"] != "a" {
		t.Fatalf("the nested stack's rollback's request: %v", back)
	}
	// A rollback in progress is not deleted (AWS answers so too; it
	// has no way to stop a rollback).
	_, err := cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String(childID)})
	if e := expectAPIError(t, err, "ValidationError", 400); !strings.HasSuffix(e.Message, "cannot be deleted while in status UPDATE_ROLLBACK_IN_PROGRESS") {
		t.Errorf("DeleteStack while the nested stack rolls back: %q", e.Message)
	}
	p.answer(back, "thing-a")
	for _, c := range []<-chan error{cancelled, updated} {
		if err := <-c; err != nil {
			t.Fatal(err)
		}
	}
	for _, stack := range []string{"nesting", childID} {
		if st := settleStack(t, cf, stack); st.StackStatus != cftypes.StackStatusUpdateRollbackComplete {
			t.Errorf("%s after the cancellation: %s %s", stack, st.StackStatus, aws.ToString(st.StackStatusReason))
		}
	}

	parentID := stackID(t, cf, "nesting")
	deleted := inBackground(func() error {
		_, err := cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("nesting")})
		return err
	})
	if del := p.next(); del["RequestType"] != "Delete" || p.answer(del, "thing-a") != http.StatusOK {
		t.Fatalf("the Delete: %v", del)
	}
	if err := <-deleted; err != nil {
		t.Fatal(err)
	}
	if st := settleStack(t, cf, parentID); st.StackStatus != cftypes.StackStatusDeleteComplete {
		t.Fatalf("after DeleteStack: %s %s", st.StackStatus, aws.ToString(st.StackStatusReason))
	}
	if qs := stackQueues(t, p.sqs, "nesting"); len(qs) != 0 {
		t.Errorf("queues left: %v", qs)
	}
}

// stackID is the ID of the stack named name.
func stackID(t *testing.T, cf *cloudformation.Client, name string) string {
	t.Helper()
	out, err := cf.DescribeStacks(context.Background(), &cloudformation.DescribeStacksInput{StackName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.Stacks[0].StackId)
}
