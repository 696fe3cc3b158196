package e2e_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"

	"github.com/virga/virga/internal/e2e"
	"github.com/virga/virga/internal/testenv"
)

// A Node function naming Powertools' TypeScript layer by ARN gets the
// layer's packages, which virga installs from npm on first use, logs
// with Powertools' Logger, and reads a parameter with its Parameters
// utility (whose SSM client the runtime provides, as AWS's does).
func TestLambdaPowertoolsTypeScriptLayer(t *testing.T) {
	t.Parallel()
	env, c := nodeSDKEnv(t)
	ctx := context.Background()
	if _, err := ssm.NewFromConfig(env.Config).PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/orders/table"), Value: aws.String("orders-v2"), Type: ssmtypes.ParameterTypeString}); err != nil {
		t.Fatal(err)
	}
	const layer = "arn:aws:lambda:us-east-1:094274105915:layer:AWSLambdaPowertoolsTypeScriptV2:20"
	code := zipOf(t, zipEntry{name: "index.js", body: []byte(`const { Logger } = require('@aws-lambda-powertools/logger');
const { getParameter } = require('@aws-lambda-powertools/parameters/ssm');
const logger = new Logger({ serviceName: 'orders' });
exports.handler = async (event) => {
  logger.info('order placed', { orderId: event.id });
  return { ok: true, table: await getParameter('/orders/table') };
};
`)})
	// Two functions created at once share one build of the layer.
	sizes := make([]int64, 2)
	var wg sync.WaitGroup
	for i := range sizes {
		wg.Go(func() {
			out, err := c.CreateFunction(ctx, &lambda.CreateFunctionInput{
				FunctionName: aws.String(fmt.Sprintf("pt-ts-%d", i)), Runtime: lambdatypes.RuntimeNodejs20x, Handler: aws.String("index.handler"),
				Role: aws.String(lambdaRole), Layers: []string{layer}, Code: &lambdatypes.FunctionCode{ZipFile: code},
			})
			if err != nil {
				t.Error(err)
				return
			}
			if len(out.Layers) != 1 || aws.ToString(out.Layers[0].Arn) != layer {
				t.Errorf("Layers = %+v", out.Layers)
				return
			}
			sizes[i] = out.Layers[0].CodeSize
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	if sizes[0] <= 0 || sizes[0] != sizes[1] {
		t.Errorf("the layer's CodeSize: %v", sizes)
	}
	lv, err := c.GetLayerVersionByArn(ctx, &lambda.GetLayerVersionByArnInput{Arn: aws.String(layer)})
	if err != nil {
		t.Fatal(err)
	}
	if lv.Content == nil || lv.Content.CodeSize != sizes[0] || aws.ToString(lv.LayerVersionArn) != layer || lv.Version != 20 {
		t.Errorf("GetLayerVersionByArn = %+v", lv)
	}
	byName, err := c.GetLayerVersion(ctx, &lambda.GetLayerVersionInput{LayerName: aws.String(strings.TrimSuffix(layer, ":20")), VersionNumber: aws.Int64(20)})
	if err != nil {
		t.Fatal(err)
	}
	if byName.Content == nil || byName.Content.CodeSize != sizes[0] || aws.ToString(byName.LayerArn) != strings.TrimSuffix(layer, ":20") {
		t.Errorf("GetLayerVersion = %+v", byName)
	}
	out := invokeJSON(t, c, "pt-ts-0", map[string]any{"id": "o-1"}, func(in *lambda.InvokeInput) { in.LogType = lambdatypes.LogTypeTail })
	if out.FunctionError != nil || !sameJSON(out.Payload, `{"ok":true,"table":"orders-v2"}`) {
		t.Fatalf("Invoke: %s %s", aws.ToString(out.FunctionError), out.Payload)
	}
	logs, _ := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
	if !hasLogRecord(string(logs), map[string]any{"message": "order placed", "service": "orders", "orderId": "o-1", "level": "INFO"}) {
		t.Errorf("no structured line from Powertools' Logger in:\n%s", logs)
	}
}

// hasLogRecord reports whether a line of logs is a JSON object with
// every field of want.
func hasLogRecord(logs string, want map[string]any) bool {
	for line := range strings.SplitSeq(logs, "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(strings.TrimSpace(line)), &rec) != nil {
			continue
		}
		ok := true
		for k, v := range want {
			ok = ok && rec[k] == v
		}
		if ok {
			return true
		}
	}
	return false
}

// A Python function naming Powertools' Python layer by ARN gets the
// newest release of the layer's major version, which virga installs with
// pip on first use; here pip's own environment variables point it at a
// directory of wheels instead of PyPI. A layer pip (or npm) cannot fetch
// fails CreateFunction and UpdateFunctionConfiguration.
//
// It sets pip's and npm's environment variables for the whole process,
// so it does not run in parallel (parallel tests wait until it is done).
func TestLambdaPowertoolsPythonLayer(t *testing.T) {
	testenv.Tool(t, "python3")
	wheels := t.TempDir()
	for _, v := range []string{"2.40.0", "3.1.0", "3.9.0"} {
		writeWheel(t, wheels, "aws_lambda_powertools", v, map[string]string{"aws_lambda_powertools/__init__.py": fmt.Sprintf("__version__ = %q\n", v)})
	}
	pipLog := filepath.Join(t.TempDir(), "pip.log")
	t.Setenv("PIP_NO_INDEX", "1")
	t.Setenv("PIP_FIND_LINKS", wheels)
	t.Setenv("PIP_LOG", pipLog)
	env := e2e.Start(t)
	c := lambdaClient(t, env)
	ctx := context.Background()
	const layer = "arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python312-x86_64:7"
	code := zipOf(t, zipEntry{name: "app.py", body: []byte("import aws_lambda_powertools\n\ndef handler(event, context):\n    return {'version': aws_lambda_powertools.__version__}\n")})
	var wg sync.WaitGroup
	for i := range 3 {
		wg.Go(func() {
			if _, err := c.CreateFunction(ctx, &lambda.CreateFunctionInput{
				FunctionName: aws.String(fmt.Sprintf("pt-py-%d", i)), Runtime: lambdatypes.RuntimePython312, Handler: aws.String("app.handler"),
				Role: aws.String(lambdaRole), Layers: []string{layer}, Code: &lambdatypes.FunctionCode{ZipFile: code},
			}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	log, err := os.ReadFile(pipLog)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(log), "Successfully installed aws-lambda-powertools"); n != 1 {
		t.Errorf("pip installed the layer %d times for three functions", n)
	}
	got, err := c.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("pt-py-2")})
	if err != nil {
		t.Fatal(err)
	}
	if l := got.Configuration.Layers; len(l) != 1 || aws.ToString(l[0].Arn) != layer || l[0].CodeSize <= 0 {
		t.Errorf("GetFunction's Layers = %+v", l)
	}
	out := invokeJSON(t, c, "pt-py-1", map[string]any{})
	if out.FunctionError != nil || !sameJSON(out.Payload, `{"version":"3.9.0"}`) {
		t.Errorf("Invoke: %s %s", aws.ToString(out.FunctionError), out.Payload)
	}

	// No 1.x release to be had: the request naming the layer fails.
	const old = "arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPython:3"
	_, err = c.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("pt-py-old"), Runtime: lambdatypes.RuntimePython312, Handler: aws.String("app.handler"),
		Role: aws.String(lambdaRole), Layers: []string{old}, Code: &lambdatypes.FunctionCode{ZipFile: code},
	})
	wantUnfetchable(t, err, old, "aws-lambda-powertools[pydantic]==1.*")
	_, err = c.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("pt-py-0"), Layers: []string{old}})
	wantUnfetchable(t, err, old, "aws-lambda-powertools[pydantic]==1.*")
	if _, err := c.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("pt-py-old")}); err == nil {
		t.Error("the function was created")
	}

	// npm with its registry out of reach fails in seconds, saying why.
	testenv.Tool(t, "npm")
	t.Setenv("npm_config_registry", "http://127.0.0.1:1/")
	const ts = "arn:aws:lambda:us-east-1:094274105915:layer:AWSLambdaPowertoolsTypeScriptV2:21"
	_, err = c.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("pt-ts-unreachable"), Runtime: lambdatypes.RuntimeNodejs20x, Handler: aws.String("index.handler"),
		Role: aws.String(lambdaRole), Layers: []string{ts}, Code: &lambdatypes.FunctionCode{ZipFile: zipOf(t, zipEntry{name: "index.js", body: []byte("exports.handler = async () => 1;\n")})},
	})
	wantUnfetchable(t, err, ts, "@aws-lambda-powertools/commons@2")
	if err == nil || !strings.Contains(err.Error(), "ECONNREFUSED") {
		t.Errorf("the error does not say why: %v", err)
	}
}

// wantUnfetchable checks err is the InvalidParameterValueException of a
// layer whose content could not be fetched.
func wantUnfetchable(t *testing.T, err error, layer, what string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidParameterValueException" ||
		!strings.Contains(ae.ErrorMessage(), layer) || !strings.Contains(ae.ErrorMessage(), "could not fetch "+what) {
		t.Errorf("err = %v", err)
	}
}

// writeWheel writes a pure-Python wheel of distribution dist (its name
// with underscores) at version into dir, with files.
func writeWheel(t *testing.T, dir, dist, version string, files map[string]string) {
	t.Helper()
	info := fmt.Sprintf("%s-%s.dist-info/", dist, version)
	entries := []zipEntry{
		{name: info + "METADATA", body: fmt.Appendf(nil, "Metadata-Version: 2.1\nName: %s\nVersion: %s\n", strings.ReplaceAll(dist, "_", "-"), version)},
		{name: info + "WHEEL", body: []byte("Wheel-Version: 1.0\nGenerator: virga-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n")},
		{name: info + "RECORD"},
	}
	for name, body := range files {
		entries = append(entries, zipEntry{name: name, body: []byte(body)})
	}
	if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-%s-py3-none-any.whl", dist, version)), zipOf(t, entries...), 0o644); err != nil {
		t.Fatal(err)
	}
}
