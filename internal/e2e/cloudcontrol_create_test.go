package e2e_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudcontrol"
	cctypes "github.com/aws/aws-sdk-go-v2/service/cloudcontrol/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/virga/virga/internal/e2e"
)

// ccWait waits for a Cloud Control request to succeed, as `aws
// cloudcontrol wait resource-request-success` does, and returns its
// final progress event.
func ccWait(t *testing.T, cc *cloudcontrol.Client, ev *cctypes.ProgressEvent) *cctypes.ProgressEvent {
	t.Helper()
	out, err := cloudcontrol.NewResourceRequestSuccessWaiter(cc, func(o *cloudcontrol.ResourceRequestSuccessWaiterOptions) {
		o.MinDelay, o.MaxDelay = 100*time.Millisecond, time.Second
	}).WaitForOutput(context.Background(), &cloudcontrol.GetResourceRequestStatusInput{RequestToken: ev.RequestToken}, 60*time.Second)
	if err != nil {
		t.Fatalf("waiting for %s %s: %v", ev.Operation, aws.ToString(ev.RequestToken), err)
	}
	return out.ProgressEvent
}

// listedIDs are the identifiers ListResources lists for typ, or its
// error.
func listedIDs(cc *cloudcontrol.Client, typ, model string) ([]string, error) {
	in := &cloudcontrol.ListResourcesInput{TypeName: aws.String(typ)}
	if model != "" {
		in.ResourceModel = aws.String(model)
	}
	out, err := cc.ListResources(context.Background(), in)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, d := range out.ResourceDescriptions {
		ids = append(ids, aws.ToString(d.Identifier))
	}
	return ids, nil
}

// TestCloudControlCreateResource creates queues through the Cloud
// Control API outside any stack, as `aws cloudcontrol` and Terraform's
// awscc provider do: the request answers IN_PROGRESS and succeeds with
// the queue's URL as identifier; the queue exists in SQS, GetResource,
// ListResources and UpdateResource find it beside a stack's queue, a
// repeated ClientToken runs nothing again, and DeleteResource deletes
// it.
func TestCloudControlCreateResource(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cc := cloudcontrol.NewFromConfig(env.Config)
	queues := sqs.NewFromConfig(env.Config)
	deployStack(t, cloudformation.NewFromConfig(env.Config), "held", "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n", false)

	in := &cloudcontrol.CreateResourceInput{TypeName: aws.String("AWS::SQS::Queue"), ClientToken: aws.String("token-1"),
		DesiredState: aws.String(`{"QueueName":"made","VisibilityTimeout":45}`)}
	out, err := cc.CreateResource(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if ev := out.ProgressEvent; ev.OperationStatus != cctypes.OperationStatusInProgress || ev.Operation != cctypes.OperationCreate {
		t.Fatalf("CreateResource answered %s %s", ev.Operation, ev.OperationStatus)
	}
	done := ccWait(t, cc, out.ProgressEvent)
	url, err := queues.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("made")})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(url.QueueUrl)
	if aws.ToString(done.Identifier) != id || !strings.Contains(aws.ToString(done.ResourceModel), `"VisibilityTimeout":45`) {
		t.Errorf("request's outcome: identifier %s, model %s; want %s", aws.ToString(done.Identifier), aws.ToString(done.ResourceModel), id)
	}

	// The same ClientToken with the same request runs nothing again;
	// with another, it is refused.
	again, err := cc.CreateResource(ctx, in)
	if err != nil || aws.ToString(again.ProgressEvent.RequestToken) != aws.ToString(out.ProgressEvent.RequestToken) {
		t.Errorf("repeated CreateResource = %v, %v; want request %s", again, err, aws.ToString(out.ProgressEvent.RequestToken))
	}
	_, err = cc.CreateResource(ctx, &cloudcontrol.CreateResourceInput{TypeName: aws.String("AWS::SQS::Queue"), ClientToken: aws.String("token-1"),
		DesiredState: aws.String(`{"QueueName":"other"}`)})
	expectAPIError(t, err, "ClientTokenConflictException", 400)

	got, err := cc.GetResource(ctx, &cloudcontrol.GetResourceInput{TypeName: aws.String("AWS::SQS::Queue"), Identifier: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	json.Unmarshal([]byte(aws.ToString(got.ResourceDescription.Properties)), &m)
	if m["QueueName"] != "made" || m["QueueUrl"] != id || !strings.HasSuffix(m["Arn"].(string), ":made") {
		t.Errorf("GetResource = %v", m)
	}
	ids, err := listedIDs(cc, "AWS::SQS::Queue", "")
	if err != nil || len(ids) != 2 || ids[1] != id {
		t.Errorf("ListResources = %v, %v; want the stack's queue and %s", ids, err, id)
	}

	up, err := cc.UpdateResource(ctx, &cloudcontrol.UpdateResourceInput{TypeName: aws.String("AWS::SQS::Queue"), Identifier: aws.String(id),
		PatchDocument: aws.String(`[{"op":"replace","path":"/VisibilityTimeout","value":60}]`)})
	if err != nil || up.ProgressEvent.OperationStatus != cctypes.OperationStatusSuccess {
		t.Fatalf("UpdateResource = %v, %v", up, err)
	}
	attrs, err := queues.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(id), AttributeNames: []sqstypes.QueueAttributeName{"VisibilityTimeout"}})
	if err != nil || attrs.Attributes["VisibilityTimeout"] != "60" {
		t.Errorf("VisibilityTimeout after UpdateResource = %v, %v", attrs, err)
	}

	// A name in use fails the request with the handler's AlreadyExists.
	taken, err := cc.CreateResource(ctx, &cloudcontrol.CreateResourceInput{TypeName: aws.String("AWS::SQS::Queue"), DesiredState: aws.String(`{"QueueName":"made"}`)})
	if err != nil {
		t.Fatal(err)
	}
	st, err := cc.GetResourceRequestStatus(ctx, &cloudcontrol.GetResourceRequestStatusInput{RequestToken: taken.ProgressEvent.RequestToken})
	if err != nil || st.ProgressEvent.OperationStatus != cctypes.OperationStatusFailed || st.ProgressEvent.ErrorCode != cctypes.HandlerErrorCodeAlreadyExists {
		t.Errorf("creating a taken name: %+v, %v", st, err)
	}

	del, err := cc.DeleteResource(ctx, &cloudcontrol.DeleteResourceInput{TypeName: aws.String("AWS::SQS::Queue"), Identifier: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	if ev := ccWait(t, cc, del.ProgressEvent); aws.ToString(ev.Identifier) != id || ev.Operation != cctypes.OperationDelete {
		t.Errorf("DeleteResource's outcome = %+v", ev)
	}
	if _, err := queues.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("made")}); err == nil {
		t.Error("the queue outlived DeleteResource")
	}
	_, err = cc.GetResource(ctx, &cloudcontrol.GetResourceInput{TypeName: aws.String("AWS::SQS::Queue"), Identifier: aws.String(id)})
	expectAPIError(t, err, "ResourceNotFoundException", 400)
	if ids, err := listedIDs(cc, "AWS::SQS::Queue", ""); err != nil || len(ids) != 1 {
		t.Errorf("ListResources after the deletion = %v, %v", ids, err)
	}

	// A queue the desired state does not name gets a generated name.
	gen, err := cc.CreateResource(ctx, &cloudcontrol.CreateResourceInput{TypeName: aws.String("AWS::SQS::Queue"), DesiredState: aws.String(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	if id := aws.ToString(ccWait(t, cc, gen.ProgressEvent).Identifier); !strings.Contains(id, "/Queue-") {
		t.Errorf("generated queue = %s", id)
	}
}

// TestCloudControlDeleteStackResource deletes a stack's queue through
// the Cloud Control API: the queue is gone, the stack still lists it
// (it has drifted, as on AWS), the API no longer finds it, and the
// stack's deletion succeeds.
func TestCloudControlDeleteStackResource(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cc := cloudcontrol.NewFromConfig(env.Config)
	cf := cloudformation.NewFromConfig(env.Config)
	deployStack(t, cf, "drifts", "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: drifting\n", false)
	url, err := sqs.NewFromConfig(env.Config).GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("drifting")})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(url.QueueUrl)
	del, err := cc.DeleteResource(ctx, &cloudcontrol.DeleteResourceInput{TypeName: aws.String("AWS::SQS::Queue"), Identifier: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	ccWait(t, cc, del.ProgressEvent)
	if _, err := sqs.NewFromConfig(env.Config).GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("drifting")}); err == nil {
		t.Error("the queue outlived DeleteResource")
	}
	_, err = cc.GetResource(ctx, &cloudcontrol.GetResourceInput{TypeName: aws.String("AWS::SQS::Queue"), Identifier: aws.String(id)})
	expectAPIError(t, err, "ResourceNotFoundException", 400)
	res, err := cf.DescribeStackResources(ctx, &cloudformation.DescribeStackResourcesInput{StackName: aws.String("drifts")})
	if err != nil || len(res.StackResources) != 1 || aws.ToString(res.StackResources[0].PhysicalResourceId) != id {
		t.Errorf("the stack's resources after DeleteResource = %+v, %v", res, err)
	}
	if _, err := cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("drifts")}); err != nil {
		t.Fatal(err)
	}
	if err := cloudformation.NewStackDeleteCompleteWaiter(cf).Wait(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("drifts")}, 90*time.Second); err != nil {
		t.Errorf("deleting the stack: %v", err)
	}
}

// TestCloudControlCreateErrors: the Cloud Control API's errors for a
// create request it refuses before any handler runs, and for a
// ListResources of a type whose list handler needs a parent.
func TestCloudControlCreateErrors(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cc := cloudcontrol.NewFromConfig(env.Config)
	create := func(typ, desired string) error {
		_, err := cc.CreateResource(ctx, &cloudcontrol.CreateResourceInput{TypeName: aws.String(typ), DesiredState: aws.String(desired)})
		return err
	}
	expectAPIError(t, create("AWS::Nothing::Here", `{}`), "TypeNotFoundException", 400)
	expectAPIError(t, create("AWS::SQS::Queue", `[1]`), "InvalidRequestException", 400)
	e := expectAPIError(t, create("AWS::Lambda::Permission", `{"Action":"lambda:InvokeFunction"}`), "ValidationException", 400)
	if e.Message != "Model validation failed (#: required key [FunctionName] not found\n#: required key [Principal] not found)" {
		t.Errorf("message = %q", e.Message)
	}
	e = expectAPIError(t, create("AWS::CloudFormation::WaitConditionHandle", `{}`), "UnsupportedActionException", 400)
	if e.Message != "Resource type AWS::CloudFormation::WaitConditionHandle does not support CREATE action" {
		t.Errorf("message = %q", e.Message)
	}
	_, err := cc.DeleteResource(ctx, &cloudcontrol.DeleteResourceInput{TypeName: aws.String("AWS::SQS::Queue"), Identifier: aws.String("https://nowhere/1/q")})
	expectAPIError(t, err, "ResourceNotFoundException", 400)

	_, err = listedIDs(cc, "AWS::Lambda::Permission", "")
	e = expectAPIError(t, err, "InvalidRequestException", 400)
	if !strings.Contains(e.Message, "Required property:  [FunctionName]") {
		t.Errorf("message = %q", e.Message)
	}
	if ids, err := listedIDs(cc, "AWS::Lambda::Permission", `{"FunctionName":"none"}`); err != nil || len(ids) != 0 {
		t.Errorf("ListResources of a function's permissions = %v, %v", ids, err)
	}
}

// TestCloudControlCLI drives `aws cloudcontrol` as its user guide does:
// create-resource, wait resource-request-success, get-resource,
// list-resources and delete-resource.
func TestCloudControlCLI(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, e2e.AWSCLI)
	env := e2e.Start(t)
	var created struct {
		ProgressEvent struct{ RequestToken, OperationStatus string }
	}
	cliJSON(t, env.CLI(t, "cloudcontrol", "create-resource", "--type-name", "AWS::SQS::Queue", "--desired-state", `{"QueueName":"q"}`), &created)
	if created.ProgressEvent.OperationStatus != "IN_PROGRESS" {
		t.Errorf("create-resource answered %s", created.ProgressEvent.OperationStatus)
	}
	cliOK(t, env.CLI(t, "cloudcontrol", "wait", "resource-request-success", "--request-token", created.ProgressEvent.RequestToken), "wait")
	var status struct{ ProgressEvent struct{ Identifier string } }
	cliJSON(t, env.CLI(t, "cloudcontrol", "get-resource-request-status", "--request-token", created.ProgressEvent.RequestToken), &status)
	id := status.ProgressEvent.Identifier
	if !strings.HasSuffix(id, "/q") {
		t.Fatalf("identifier = %q", id)
	}
	var got struct {
		ResourceDescription struct{ Identifier, Properties string }
	}
	cliJSON(t, env.CLI(t, "cloudcontrol", "get-resource", "--type-name", "AWS::SQS::Queue", "--identifier", id), &got)
	if !strings.Contains(got.ResourceDescription.Properties, `"QueueName":"q"`) {
		t.Errorf("get-resource = %+v", got)
	}
	var listed struct{ ResourceDescriptions []struct{ Identifier string } }
	cliJSON(t, env.CLI(t, "cloudcontrol", "list-resources", "--type-name", "AWS::SQS::Queue"), &listed)
	if len(listed.ResourceDescriptions) != 1 || listed.ResourceDescriptions[0].Identifier != id {
		t.Errorf("list-resources = %+v", listed)
	}
	var deleted struct{ ProgressEvent struct{ RequestToken string } }
	cliJSON(t, env.CLI(t, "cloudcontrol", "delete-resource", "--type-name", "AWS::SQS::Queue", "--identifier", id), &deleted)
	cliOK(t, env.CLI(t, "cloudcontrol", "wait", "resource-request-success", "--request-token", deleted.ProgressEvent.RequestToken), "wait")
	cliJSON(t, env.CLI(t, "cloudcontrol", "list-resources", "--type-name", "AWS::SQS::Queue"), &listed)
	if len(listed.ResourceDescriptions) != 0 {
		t.Errorf("list-resources after delete-resource = %+v", listed)
	}
}

// TestCloudControlIAMActions: the Cloud Control API's calls are
// authorized as CloudFormation's actions, as AWS names them.
func TestCloudControlIAMActions(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, iamMode)
	cc := cloudcontrol.NewFromConfig(iamUser(t, env, "lister",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"cloudformation:ListResources","Resource":"*"}]}`))
	if _, err := listedIDs(cc, "AWS::SQS::Queue", ""); err != nil {
		t.Errorf("ListResources allowed by cloudformation:ListResources: %v", err)
	}
	_, err := cc.CreateResource(context.Background(), &cloudcontrol.CreateResourceInput{TypeName: aws.String("AWS::SQS::Queue"), DesiredState: aws.String(`{}`)})
	if e := expectAPIError(t, err, "AccessDeniedException", 400); !strings.Contains(e.Message, "cloudformation:CreateResource") {
		t.Errorf("message = %q", e.Message)
	}
}
