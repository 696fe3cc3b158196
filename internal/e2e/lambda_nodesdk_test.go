package e2e_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/virga/virga/internal/e2e"
	"github.com/virga/virga/internal/testenv"
)

// TestLambdaNodeFunctionsFindTheAWSSDK: as on AWS, a Node function imports
// the AWS SDK for JavaScript v3 without bundling it, from an ES module or
// CommonJS, and its calls reach virga with the function's role. virga
// installs the package from npm on first need.
func TestLambdaNodeFunctionsFindTheAWSSDK(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "node")
	testenv.Tool(t, "npm")
	env := e2e.Start(t)
	c := lambdaClient(t, env)
	ctx := context.Background()
	for _, tc := range []struct{ name, file, code string }{
		{"sdk-esm", "index.mjs", `import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
const sts = new STSClient({});
export const handler = async () => (await sts.send(new GetCallerIdentityCommand({}))).Arn;
`},
		{"sdk-cjs", "index.js", `const { STSClient, GetCallerIdentityCommand } = require("@aws-sdk/client-sts");
exports.handler = async () => (await new STSClient({}).send(new GetCallerIdentityCommand({}))).Arn;
`},
	} {
		if _, err := c.CreateFunction(ctx, &lambda.CreateFunctionInput{
			FunctionName: aws.String(tc.name), Runtime: lambdatypes.RuntimeNodejs20x, Handler: aws.String("index.handler"),
			Role: aws.String("arn:aws:iam::000000000000:role/node-exec"), Timeout: aws.Int32(30),
			Code: &lambdatypes.FunctionCode{ZipFile: zipOf(t, zipEntry{name: tc.file, body: []byte(tc.code)})},
		}); err != nil {
			t.Fatal(err)
		}
		out := invokeJSON(t, c, tc.name, map[string]string{})
		if out.FunctionError != nil || !strings.Contains(string(out.Payload), "assumed-role/node-exec/"+tc.name) {
			t.Errorf("%s: %s %s", tc.name, aws.ToString(out.FunctionError), out.Payload)
		}
	}
}
