package e2e_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
)

// waitConditionTemplate makes a handle and a wait condition on it.
const waitConditionTemplate = `Parameters:
  Count:
    Type: Number
  Timeout:
    Type: Number
Resources:
  Handle:
    Type: AWS::CloudFormation::WaitConditionHandle
  Wait:
    Type: AWS::CloudFormation::WaitCondition
    Properties:
      Handle: !Ref Handle
      Count: !Ref Count
      Timeout: !Ref Timeout
  After:
    Type: AWS::SQS::Queue
    DependsOn: Wait
Outputs:
  Data:
    Value: !GetAtt Wait.Data
  Ref:
    Value: !Ref Wait
`

// TestCloudFormationWaitCondition signals wait conditions as the
// documentation's curl command does: Count successes complete the wait
// condition with their data, a FAILURE or the timeout fails it with
// CloudFormation's reason.
func TestCloudFormationWaitCondition(t *testing.T) {
	t.Parallel()
	cf, settle := cfnClient(t)
	ctx := context.Background()
	// handle waits for the stack's handle and returns its URL.
	handle := func(stack string) string {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			out, err := cf.DescribeStackResource(ctx, &cloudformation.DescribeStackResourceInput{StackName: aws.String(stack), LogicalResourceId: aws.String("Handle")})
			if err == nil && out.StackResourceDetail.ResourceStatus == cftypes.ResourceStatusCreateComplete {
				return aws.ToString(out.StackResourceDetail.PhysicalResourceId)
			}
		}
		t.Fatalf("%s: no handle", stack)
		return ""
	}
	signal := func(url, body string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPut, url, strings.NewReader(body))
		req.Header.Set("Content-Type", "")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("signal %s: %s", body, resp.Status)
		}
	}

	startStack(t, cf, "waits", waitConditionTemplate, stackParams("Count", "2", "Timeout", "600"))
	u := handle("waits")
	signal(u, `{"Status":"SUCCESS","Reason":"r","UniqueId":"id1","Data":"d"}`)
	signal(u, `{"Status":"SUCCESS","Reason":"r","UniqueId":"id1","Data":"again"}`) // the same signal
	if st, err := cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("waits")}); err != nil || st.Stacks[0].StackStatus != cftypes.StackStatusCreateInProgress {
		t.Fatalf("the stack did not wait for a second signal: %v", err)
	}
	signal(u, `{"Status":"SUCCESS","Reason":"r","UniqueId":"id2","Data":"e"}`)
	st := settle("waits")
	if st.StackStatus != cftypes.StackStatusCreateComplete {
		t.Fatalf("stack %s: %s", st.StackStatus, resourceReason(t, cf, "waits", "Wait", cftypes.ResourceStatusCreateFailed))
	}
	if outs := outputsOf(st); outs["Data"] != `{"id1":"again","id2":"e"}` || outs["Ref"] != aws.ToString(st.StackId)+"/Wait" {
		t.Errorf("outputs %v", outs)
	}

	startStack(t, cf, "fails", waitConditionTemplate, stackParams("Count", "1", "Timeout", "600"))
	signal(handle("fails"), `{"Status":"FAILURE","Reason":"install broke","UniqueId":"i-1","Data":"x"}`)
	if st := settle("fails"); st.StackStatus != cftypes.StackStatusRollbackComplete {
		t.Fatalf("failed signal: stack %s", st.StackStatus)
	}
	if got := resourceReason(t, cf, "fails", "Wait", cftypes.ResourceStatusCreateFailed); got != "WaitCondition received failed message: 'install broke' for uniqueId: i-1" {
		t.Errorf("failure reason %q", got)
	}

	startStack(t, cf, "times-out", waitConditionTemplate, stackParams("Count", "2", "Timeout", "1"))
	if st := settle("times-out"); st.StackStatus != cftypes.StackStatusRollbackComplete {
		t.Fatalf("timeout: stack %s", st.StackStatus)
	}
	if got := resourceReason(t, cf, "times-out", "Wait", cftypes.ResourceStatusCreateFailed); got != "WaitCondition timed out. Received 0 conditions when expecting 2" {
		t.Errorf("timeout reason %q", got)
	}
	// A deleted stack's handle takes no signal.
	req, _ := http.NewRequest(http.MethodPut, u, strings.NewReader(`{"Status":"SUCCESS","UniqueId":"late"}`))
	if _, err := cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: st.StackId}); err != nil {
		t.Fatal(err)
	}
	if st := settle(aws.ToString(st.StackId)); st.StackStatus != cftypes.StackStatusDeleteComplete {
		t.Fatalf("delete: %s", st.StackStatus)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("a deleted stack's handle answered %s", resp.Status)
	}
}
