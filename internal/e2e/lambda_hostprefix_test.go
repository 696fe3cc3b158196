package e2e_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// TestLambdaSDKHostPrefixReachesVirga: boto3 and the AWS SDK for
// JavaScript v3 send Step Functions' StartSyncExecution to the endpoint's
// host with the model's host prefix (sync-127.0.0.1), a name nothing
// resolves; inside functions it reaches virga, so a function that runs an
// express workflow synchronously gets its result.
func TestLambdaSDKHostPrefixReachesVirga(t *testing.T) {
	t.Parallel()
	env, c := nodeSDKEnv(t)
	ctx := context.Background()
	m, err := sfn.NewFromConfig(env.Config).CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("doubler"),
		Type: sfntypes.StateMachineTypeExpress, RoleArn: aws.String(sfnRole),
		Definition: aws.String(`{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"sum.$":"States.MathAdd($.n, $.n)"},"End":true}}}`)})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(m.StateMachineArn)
	createPythonFunction(t, c, "sync-py", `import boto3
def handler(event, context):
    r = boto3.client('stepfunctions').start_sync_execution(stateMachineArn=event['arn'], input='{"n": 21}')
    return r['status'] + ' ' + r['output']
`, 60)
	createNodeFunction(t, c, "sync-node", "index.mjs", `import { SFNClient, StartSyncExecutionCommand } from "@aws-sdk/client-sfn";
const sfn = new SFNClient({});
export const handler = async (event) => {
  const r = await sfn.send(new StartSyncExecutionCommand({ stateMachineArn: event.arn, input: '{"n": 4}' }));
  return r.status + ' ' + r.output;
};
`, 300)
	for fn, want := range map[string]string{"sync-py": `"SUCCEEDED {\"sum\":42}"`, "sync-node": `"SUCCEEDED {\"sum\":8}"`} {
		out := invokeJSON(t, c, fn, map[string]string{"arn": arn})
		if out.FunctionError != nil || strings.TrimSpace(string(out.Payload)) != want {
			t.Errorf("%s: %s %s, want %s", fn, aws.ToString(out.FunctionError), out.Payload, want)
		}
	}
}
