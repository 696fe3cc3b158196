package e2e_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/virga/virga/internal/e2e"
	"github.com/virga/virga/internal/testenv"
)

// TestLambdaNodeFunctionsFindTheAWSSDK: as on AWS, a Node function imports
// the AWS SDK for JavaScript v3 without bundling it, from an ES module or
// CommonJS, and its calls reach virga with the function's role. virga
// installs the package from npm on first need.
func TestLambdaNodeFunctionsFindTheAWSSDK(t *testing.T) {
	t.Parallel()
	_, c := nodeSDKEnv(t)
	for _, tc := range []struct{ name, file, code string }{
		{"sdk-esm", "index.mjs", `import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
const sts = new STSClient({});
export const handler = async () => (await sts.send(new GetCallerIdentityCommand({}))).Arn;
`},
		{"sdk-cjs", "index.js", `const { STSClient, GetCallerIdentityCommand } = require("@aws-sdk/client-sts");
exports.handler = async () => (await new STSClient({}).send(new GetCallerIdentityCommand({}))).Arn;
`},
	} {
		createNodeFunction(t, c, tc.name, tc.file, tc.code, 30)
		out := invokeJSON(t, c, tc.name, map[string]string{})
		if out.FunctionError != nil || !strings.Contains(string(out.Payload), "assumed-role/node-exec/"+tc.name) {
			t.Errorf("%s: %s %s", tc.name, aws.ToString(out.FunctionError), out.Payload)
		}
	}
}

// TestLambdaNodeSDKNamedAtRunTime: a package of the SDK whose name the
// code builds as it runs (`@aws-sdk/client-${service}`, as the AWS CDK's
// AwsCustomResource handler does) escapes the scan of the code, and is
// installed when the code first requires or imports it: the require
// (CommonJS, synchronous) and the dynamic import (from an ES module)
// then succeed and the client calls virga. A package that does not
// exist, or is not the SDK's, fails as a missing package does.
func TestLambdaNodeSDKNamedAtRunTime(t *testing.T) {
	t.Parallel()
	env, c := nodeSDKEnv(t)
	ctx := context.Background()
	queue, err := sqs.NewFromConfig(env.Config).CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("dyn")})
	if err != nil {
		t.Fatal(err)
	}
	for _, fn := range []struct{ name, file, code string }{
		{"dyn-cjs", "index.js", "exports.handler = async (event) => {\n" +
			"  let sdk;\n" +
			"  try { sdk = require(`@aws-sdk/client-${event.service}`); } catch (e) { return { code: e.code }; }\n" +
			"  const ssm = new sdk.SSMClient({});\n" +
			"  await ssm.send(new sdk.PutParameterCommand({ Name: '/dyn/cjs', Value: 'from-cjs', Type: 'String' }));\n" +
			"  return { code: 'OK' };\n" +
			"};\n"},
		{"dyn-esm", "index.mjs", "export const handler = async (event) => {\n" +
			"  let sdk;\n" +
			"  try { sdk = await import(`@aws-sdk/client-${event.service}`); } catch (e) { return { code: e.code }; }\n" +
			"  const sqs = new sdk.SQSClient({});\n" +
			"  await sqs.send(new sdk.SendMessageCommand({ QueueUrl: event.queue, MessageBody: 'from-esm' }));\n" +
			"  return { code: 'OK' };\n" +
			"};\n"},
	} {
		createNodeFunction(t, c, fn.name, fn.file, fn.code, 300)
	}
	for _, tc := range []struct{ fn, service, want string }{
		{"dyn-cjs", "ssm", "OK"},
		{"dyn-esm", "sqs", "OK"},
		{"dyn-cjs", "virga-no-such-service", "MODULE_NOT_FOUND"},
		{"dyn-esm", "virga-no-such-service", "ERR_MODULE_NOT_FOUND"},
	} {
		out := invokeJSON(t, c, tc.fn, map[string]string{"service": tc.service, "queue": aws.ToString(queue.QueueUrl)})
		if out.FunctionError != nil || !sameJSON(out.Payload, `{"code":"`+tc.want+`"}`) {
			t.Errorf("%s with client-%s: %s %s, want code %s", tc.fn, tc.service, aws.ToString(out.FunctionError), out.Payload, tc.want)
		}
	}
	p, err := ssm.NewFromConfig(env.Config).GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/dyn/cjs")})
	if err != nil || aws.ToString(p.Parameter.Value) != "from-cjs" {
		t.Errorf("the parameter the CommonJS function put: %v %v", p, err)
	}
	msgs, err := sqs.NewFromConfig(env.Config).ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: queue.QueueUrl, WaitTimeSeconds: 1})
	if err != nil || len(msgs.Messages) != 1 || aws.ToString(msgs.Messages[0].Body) != "from-esm" {
		t.Errorf("the message the ES module sent: %v %v", msgs, err)
	}
}

// nodeSDKEnv starts virga for a test of Node functions that use the AWS
// SDK for JavaScript, which needs node and npm.
func nodeSDKEnv(t *testing.T) (*e2e.Env, *lambda.Client) {
	t.Helper()
	testenv.Tool(t, "node")
	testenv.Tool(t, "npm")
	env := e2e.Start(t)
	return env, lambdaClient(t, env)
}

// createNodeFunction creates a Node.js 20 function, index.handler, of one
// file, that runs as the role node-exec.
func createNodeFunction(t *testing.T, c *lambda.Client, name, file, code string, timeout int32) {
	t.Helper()
	if _, err := c.CreateFunction(context.Background(), &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Runtime: lambdatypes.RuntimeNodejs20x, Handler: aws.String("index.handler"),
		Role: aws.String("arn:aws:iam::000000000000:role/node-exec"), Timeout: aws.Int32(timeout),
		Code: &lambdatypes.FunctionCode{ZipFile: zipOf(t, zipEntry{name: file, body: []byte(code)})},
	}); err != nil {
		t.Fatal(err)
	}
}
