package main

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/virga/virga/internal/e2e"
	"github.com/virga/virga/internal/testenv"
)

const deployTemplate = `AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Parameters:
  Greeting:
    Type: String
    Default: hello
Resources:
  PyFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: py/
      Handler: app.handler
      Runtime: python3.12
      Environment:
        Variables:
          GREETING: !Ref Greeting
  GoFunction:
    Type: AWS::Serverless::Function
    Metadata:
      BuildMethod: go1.x
    Properties:
      CodeUri: gofn/
      Handler: bootstrap
      Runtime: provided.al2023
Outputs:
  PyArn:
    Value: !GetAtt PyFunction.Arn
  GoArn:
    Value: !GetAtt GoFunction.Arn
`

const goFunction = `package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(ctx context.Context, in map[string]any) (map[string]any, error) {
		return map[string]any{"go": true, "got": in}, nil
	})
}
`

// TestDeployBuildsPackagesAndDeploys runs virga deploy on a SAM template
// with a Python function from a directory and a Go function it builds,
// then deploys a change, and a second time with nothing to change.
func TestDeployBuildsPackagesAndDeploys(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "py"), 0o755)
	os.MkdirAll(filepath.Join(dir, "gofn"), 0o755)
	os.WriteFile(filepath.Join(dir, "template.yaml"), []byte(deployTemplate), 0o644)
	os.WriteFile(filepath.Join(dir, "py", "app.py"), []byte("import os\ndef handler(event, context):\n    return {'greeting': os.environ['GREETING']}\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "gofn", "main.go"), []byte(goFunction), 0o644)
	// The Go function builds inside this module, which has aws-lambda-go.
	wd, _ := os.Getwd()
	root := filepath.Dir(filepath.Dir(wd))
	gomod, _ := os.ReadFile(filepath.Join(root, "go.mod"))
	gosum, _ := os.ReadFile(filepath.Join(root, "go.sum"))
	os.WriteFile(filepath.Join(dir, "gofn", "go.mod"), bytes.Replace(gomod, []byte("module github.com/virga/virga"), []byte("module example.com/gofn"), 1), 0o644)
	os.WriteFile(filepath.Join(dir, "gofn", "go.sum"), gosum, 0o644)

	deploy := func(args ...string) string {
		t.Helper()
		return deployOK(t, env, filepath.Join(dir, "template.yaml"), "built", args...)
	}
	out := deploy()
	if !strings.Contains(out, "CREATE_COMPLETE") || !strings.Contains(out, "PyArn: arn:aws:lambda:us-east-1:000000000000:function:built-PyFunction-") ||
		!strings.Contains(out, "Packaged GoFunction") {
		t.Fatalf("virga deploy printed:\n%s", out)
	}
	lc := lambda.NewFromConfig(env.Config)
	invoke := func(arnPrefix string) string {
		t.Helper()
		for _, line := range strings.Split(out, "\n") {
			if _, arn, ok := strings.Cut(line, arnPrefix+": "); ok {
				res, err := lc.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String(strings.TrimSpace(arn)), Payload: []byte(`{"n":1}`)})
				if err != nil {
					t.Fatal(err)
				}
				return string(res.Payload)
			}
		}
		t.Fatalf("no %s in the output", arnPrefix)
		return ""
	}
	if got := invoke("PyArn"); got != `{"greeting": "hello"}` {
		t.Errorf("Python function: %s", got)
	}
	if got := invoke("GoArn"); got != `{"go":true,"got":{"n":1}}` {
		t.Errorf("Go function: %s", got)
	}
	out = deploy("--parameter-overrides", "Greeting=hi")
	if !strings.Contains(out, "UPDATE_COMPLETE") {
		t.Fatalf("update printed:\n%s", out)
	}
	if got := invoke("PyArn"); got != `{"greeting": "hi"}` {
		t.Errorf("after the update: %s", got)
	}
	if out = deploy("--parameter-overrides", "Greeting=hi", "--no-fail-on-empty-changeset"); !strings.Contains(out, "No changes to deploy") {
		t.Errorf("a deploy with nothing new printed:\n%s", out)
	}
}

// TestWatchRedeploysChangedCode runs virga up -t's loop: after the first
// deploy, editing a function's source updates the function, and the next
// invocation runs the new code within two seconds.
func TestWatchRedeploysChangedCode(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "src"), 0o755)
	tmpl := `Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
`
	os.WriteFile(filepath.Join(dir, "template.yaml"), []byte(tmpl), 0o644)
	os.WriteFile(filepath.Join(dir, "src", "app.py"), []byte("def handler(e, c):\n    return 'one'\n"), 0o644)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- watch(ctx, deployFlags{template: filepath.Join(dir, "template.yaml"), stack: "hot", endpoint: env.Endpoint, region: "us-east-1"}, &out, 100*time.Millisecond)
	}()
	lc := lambda.NewFromConfig(env.Config)
	answer := func() string {
		res, err := lc.ListFunctions(context.Background(), &lambda.ListFunctionsInput{})
		if err != nil || len(res.Functions) == 0 {
			return ""
		}
		got, err := lc.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: res.Functions[0].FunctionName})
		if err != nil {
			return ""
		}
		return string(got.Payload)
	}
	waitFor := func(want string, within time.Duration) {
		t.Helper()
		deadline := time.Now().Add(within)
		for answer() != want {
			if time.Now().After(deadline) {
				t.Fatalf("the function never answered %s; virga up -t printed:\n%s", want, out.String())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	waitFor(`"one"`, 30*time.Second)
	// Each edit must reach the function; the fastest of three must do so
	// within two seconds. One edit alone would measure whatever else the
	// machine was doing at that instant as well as the reload.
	var took []time.Duration
	for _, word := range []string{"two", "three", "four"} {
		time.Sleep(20 * time.Millisecond) // a later modification time than the last build's
		os.WriteFile(filepath.Join(dir, "src", "app.py"), []byte("def handler(e, c):\n    return '"+word+"'\n"), 0o644)
		edited := time.Now()
		waitFor(`"`+word+`"`, 20*time.Second)
		took = append(took, time.Since(edited))
	}
	if slices.Min(took) > 2*time.Second {
		t.Errorf("the new code ran %v after each edit; want the fastest within 2 s", took)
	}
	if !strings.Contains(out.String(), "updated Fn") {
		t.Errorf("virga up -t printed:\n%s", out.String())
	}
	cancel()
	<-done
}

// TestDeployHelloWorld deploys AWS's SAM hello world, as the README's tour
// does from examples/hello-sam, and calls GET /hello through the API the
// template's output names.
func TestDeployHelloWorld(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("..", "..", "examples", "hello-sam"))); err != nil {
		t.Fatal(err)
	}
	out := deployOK(t, env, filepath.Join(dir, "template.yaml"), "sam-app")
	if !strings.Contains(out, "notice: HelloWorldFunction: runtime python3.8 is retired on AWS Lambda; virga deploy runs it as python3.13") {
		t.Errorf("no notice of the retired runtime:\n%s", out)
	}
	if !strings.Contains(out, "HelloWorldFunction: arn:aws:lambda:us-east-1:000000000000:function:sam-app-HelloWorldFunction-") {
		t.Errorf("the function's ARN is not among the outputs:\n%s", out)
	}
	api := outputValue(out, "HelloWorldApi")
	if !strings.HasPrefix(api, env.Endpoint+"/_aws/execute-api/") || !strings.HasSuffix(api, "/Prod/hello/") {
		t.Fatalf("the API's output: %q\n%s", api, out)
	}
	res, err := http.Get(api)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || string(body) != `{"message": "hello world"}` {
		t.Errorf("GET /hello: %d %s", res.StatusCode, body)
	}
}

const urlTemplate = `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Page:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      FunctionUrlConfig:
        AuthType: NONE
Outputs:
  PageUrl:
    Value: !GetAtt PageUrl.FunctionUrl
`

// TestDeployFunctionURL deploys a SAM function with a public function
// URL: SAM's two permissions open it, so it answers, as on AWS.
func TestDeployFunctionURL(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "src"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "src", "app.py"), []byte("def handler(event, context):\n    return {'statusCode': 200, 'body': 'page'}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "template.yaml"), []byte(urlTemplate), 0o644); err != nil {
		t.Fatal(err)
	}
	out := deployOK(t, env, filepath.Join(dir, "template.yaml"), "url-app")
	id, _, ok := strings.Cut(strings.TrimPrefix(outputValue(out, "PageUrl"), "http://"), ".lambda-url.localhost")
	if !ok {
		t.Fatalf("the URL's output:\n%s", out)
	}
	res, err := http.Get(env.Endpoint + "/_aws/lambda-url/" + id + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || string(body) != "page" {
		t.Errorf("GET the function URL: %d %s", res.StatusCode, body)
	}
}

const threeTier = `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Timeout: 10
    Environment:
      Variables:
        TABLE: !Ref Items
Resources:
  Items:
    Type: AWS::Serverless::SimpleTable
  PyItems:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: py/
      Handler: app.handler
      Runtime: python3.12
      Policies:
        - DynamoDBCrudPolicy:
            TableName: !Ref Items
      Events:
        Create:
          Type: Api
          Properties:
            Path: /items
            Method: post
        Read:
          Type: Api
          Properties:
            Path: /items/{id}
            Method: get
  NodeItems:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: node/
      Handler: index.handler
      Runtime: nodejs20.x
      Policies:
        - DynamoDBReadPolicy:
            TableName: !Ref Items
      Events:
        Read:
          Type: HttpApi
          Properties:
            Path: /items/{id}
            Method: get
Outputs:
  RestUrl:
    Value: !Sub "https://${ServerlessRestApi}.execute-api.${AWS::Region}.amazonaws.com/Prod"
  HttpUrl:
    Value: !Sub "https://${ServerlessHttpApi}.execute-api.${AWS::Region}.amazonaws.com"
`

const threeTierPy = `import json, os
import boto3

table = boto3.resource('dynamodb').Table(os.environ['TABLE'])

def handler(event, context):
    if event['httpMethod'] == 'POST':
        item = json.loads(event['body'])
        table.put_item(Item=item)
        return {'statusCode': 201, 'body': json.dumps(item)}
    got = table.get_item(Key={'id': event['pathParameters']['id']}).get('Item')
    return {'statusCode': 200 if got else 404, 'body': json.dumps(dict(got or {}, via='python'))}
`

const threeTierNode = `const { DynamoDBClient, GetItemCommand } = require("@aws-sdk/client-dynamodb");
const db = new DynamoDBClient({});
exports.handler = async (event) => {
  const out = await db.send(new GetItemCommand({ TableName: process.env.TABLE, Key: { id: { S: event.pathParameters.id } } }));
  if (!out.Item) return { statusCode: 404, body: "{}" };
  return { statusCode: 200, body: JSON.stringify({ id: out.Item.id.S, name: out.Item.name.S, via: "node" }) };
};
`

// TestDeployThreeTier deploys a REST API and an HTTP API in front of a
// Python (boto3) and a Node.js (AWS SDK v3) function over one table, from
// one template: POST through the REST API creates an item, GET through
// either API reads it back.
func TestDeployThreeTier(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, "/usr/bin/node")
	env := e2e.Start(t)
	dir := t.TempDir()
	for path, body := range map[string]string{"template.yaml": threeTier, "py/app.py": threeTierPy, "node/index.js": threeTierNode} {
		os.MkdirAll(filepath.Dir(filepath.Join(dir, path)), 0o755)
		os.WriteFile(filepath.Join(dir, path), []byte(body), 0o644)
	}
	out := deployOK(t, env, filepath.Join(dir, "template.yaml"), "tiers")
	urls := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		for _, k := range []string{"RestUrl", "HttpUrl"} {
			if _, v, ok := strings.Cut(line, k+": "); ok {
				urls[k] = strings.TrimSuffix(strings.TrimSpace(v), "/")
			}
		}
	}
	call := func(method, url, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, url, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if code, body := call("POST", urls["RestUrl"]+"/items", `{"id":"42","name":"answer"}`); code != 201 {
		t.Fatalf("POST through the REST API: %d %s\n%s", code, body, out)
	}
	if code, body := call("GET", urls["RestUrl"]+"/items/42", ""); code != 200 || !strings.Contains(body, `"name": "answer"`) || !strings.Contains(body, `"via": "python"`) {
		t.Errorf("GET through the REST API: %d %s", code, body)
	}
	if code, body := call("GET", urls["HttpUrl"]+"/items/42", ""); code != 200 || body != `{"id":"42","name":"answer","via":"node"}` {
		t.Errorf("GET through the HTTP API: %d %s", code, body)
	}
	if code, _ := call("GET", urls["HttpUrl"]+"/items/nope", ""); code != 404 {
		t.Errorf("a missing item: %d", code)
	}
}

// TestDeployInstallsDependencies covers the Python and Node.js build
// steps: requirements.txt (pip, falling back with a warning to the
// host's packages when it cannot install) and package.json (npm).
func TestDeployInstallsDependencies(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, "/usr/bin/npm")
	env := e2e.Start(t)
	dir := t.TempDir()
	files := map[string]string{
		"template.yaml": `Transform: AWS::Serverless-2016-10-31
Resources:
  Py:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: py/
      Handler: app.handler
      Runtime: python3.12
  Node:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: node/
      Handler: index.handler
      Runtime: nodejs20.x
Outputs:
  Node:
    Value: !Ref Node
`,
		"py/app.py":           "import json\ndef handler(e, c):\n    return json.dumps({'ok': True})\n",
		"py/requirements.txt": "virga-no-such-package==0.0.0\n",
		"node/index.js":       "exports.handler = async () => ({ node: require('./package.json').name });\n",
		"node/package.json":   `{"name": "tiny", "version": "1.0.0", "dependencies": {}}`,
	}
	writeFiles(t, dir, files)
	out := deployOK(t, env, filepath.Join(dir, "template.yaml"), "deps")
	if !strings.Contains(out, "warning: Py: pip install failed") || !strings.Contains(out, "Installing Node's production dependencies") {
		t.Errorf("virga deploy printed:\n%s", out)
	}
	name := outputValue(out, "Node")
	res, err := lambda.NewFromConfig(env.Config).Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String(name)})
	if err != nil || string(res.Payload) != `{"node":"tiny"}` {
		t.Errorf("the Node.js function: %s %v", res.Payload, err)
	}
}

// TestDeployFallsBackToHostPythonPackages: when pip cannot install a
// function's requirements, virga deploy packages the host's copies of
// them (and of what they import), since a function does not see the
// host's site directories; and it names what the host lacks.
func TestDeployFallsBackToHostPythonPackages(t *testing.T) {
	t.Parallel()
	testenv.PythonWith(t, "requests", "urllib3")
	env := e2e.Start(t)
	dir := t.TempDir()
	files := map[string]string{
		"template.yaml": `Transform: AWS::Serverless-2016-10-31
Resources:
  Py:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: py/
      Handler: app.handler
      Runtime: python3.13
Outputs:
  Py:
    Value: !Ref Py
`,
		"py/app.py": "import requests, urllib3\ndef handler(e, c):\n    return {'requests': requests.__name__, 'urllib3': urllib3.__name__}\n",
		// pip cannot install the second, index or not.
		"py/requirements.txt": "# the function's libraries\nrequests>=2 ; python_version >= '3.8'\nvirga-no-such-package==0.0.0\n",
	}
	writeFiles(t, dir, files)
	out := deployOK(t, env, filepath.Join(dir, "template.yaml"), "pyhost")
	if !strings.Contains(out, "warning: Py: pip install failed") || !strings.Contains(out, "this host's python3 does not have virga-no-such-package: the function cannot import it") {
		t.Errorf("virga deploy printed:\n%s", out)
	}
	res, err := lambda.NewFromConfig(env.Config).Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String(outputValue(out, "Py"))})
	if err != nil || res.FunctionError != nil || string(res.Payload) != `{"requests": "requests", "urllib3": "urllib3"}` {
		t.Errorf("the function: %s %v", res.Payload, err)
	}
}

// TestDeploySharedCodeBuildsOnce: functions with the same CodeUri, runtime
// and build are built and uploaded once, as sam build does; each still
// runs its own handler.
func TestDeploySharedCodeBuildsOnce(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	dir := t.TempDir()
	files := map[string]string{
		"template.yaml": `Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    CodeUri: src/
    Runtime: python3.12
Resources:
  One:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.one
  Two:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.two
Outputs:
  Two:
    Value: !Ref Two
`,
		"src/app.py": "def one(e, c):\n    return 1\n\ndef two(e, c):\n    return 2\n",
	}
	writeFiles(t, dir, files)
	out := deployOK(t, env, filepath.Join(dir, "template.yaml"), "shared")
	if n := strings.Count(out, "(the same package as a function before it)"); n != 1 {
		t.Errorf("%d functions reused a package, want 1:\n%s", n, out)
	}
	name := outputValue(out, "Two")
	res, err := lambda.NewFromConfig(env.Config).Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String(name)})
	if err != nil || string(res.Payload) != "2" {
		t.Errorf("Two: %s %v", res.Payload, err)
	}
}

// TestDeployPackagesLoopFunctions: the functions an Fn::ForEach loop of
// the AWS::LanguageExtensions transform declares are packaged, once for
// every iteration, and deploy.
func TestDeployPackagesLoopFunctions(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"template.yaml": `Transform: [AWS::LanguageExtensions, AWS::Serverless-2016-10-31]
Resources:
  Fn::ForEach::Functions:
    - Name
    - [Alpha, Beta]
    - ${Name}Function:
        Type: AWS::Serverless::Function
        Properties:
          CodeUri: src/
          Runtime: python3.12
          Handler: app.handler
          Environment:
            Variables:
              WHO: ${Name}
Outputs:
  Beta:
    Value: !Ref BetaFunction
`,
		"src/app.py": "import os\n\ndef handler(e, c):\n    return os.environ['WHO']\n",
	})
	out := deployOK(t, env, filepath.Join(dir, "template.yaml"), "loops")
	if !strings.Contains(out, "Packaged ${Name}Function (") {
		t.Errorf("the loop's function was not packaged:\n%s", out)
	}
	res, err := lambda.NewFromConfig(env.Config).Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String(outputValue(out, "Beta"))})
	if err != nil || string(res.Payload) != `"Beta"` {
		t.Errorf("BetaFunction: %s %v", res.Payload, err)
	}
}

// TestDeployFailureNamesTheCause: when the stack rolls back, virga deploy's
// error names the resource that failed and why, not only the stack's
// status.
func TestDeployFailureNamesTheCause(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	file := filepath.Join(t.TempDir(), "template.yaml")
	os.WriteFile(file, []byte(`Resources:
  Good:
    Type: AWS::SNS::Topic
  Bad:
    Type: AWS::SQS::Queue
    DependsOn: Good
    Properties:
      MessageRetentionPeriod: 10
`), 0o644)
	out, err := runDeploy(env, file, "fails")
	if err == nil {
		t.Fatalf("virga deploy succeeded:\n%s", out)
	}
	if msg := err.Error(); !strings.HasPrefix(msg, "stack fails: ROLLBACK_COMPLETE: Bad (AWS::SQS::Queue): Resource handler returned message:") {
		t.Errorf("error = %q", msg)
	}

	// The stack cannot be updated, as on AWS; virga deploy starts over.
	cf := cloudformation.NewFromConfig(env.Config)
	_, err = cf.CreateChangeSet(context.Background(), &cloudformation.CreateChangeSetInput{StackName: aws.String("fails"),
		ChangeSetName: aws.String("again"), TemplateBody: aws.String("Resources:\n  T:\n    Type: AWS::SNS::Topic\n")})
	if err == nil || !strings.Contains(err.Error(), "is in ROLLBACK_COMPLETE state and can not be updated.") {
		t.Errorf("CreateChangeSet on a ROLLBACK_COMPLETE stack: %v", err)
	}
	os.WriteFile(file, []byte("Resources:\n  Good:\n    Type: AWS::SNS::Topic\n"), 0o644)
	if out, err = runDeploy(env, file, "fails"); err != nil {
		t.Fatalf("deploying again after a failed creation: %v\n%s", err, out)
	}
	if !strings.Contains(out, "is in ROLLBACK_COMPLETE (its creation failed): deleting it to deploy again") {
		t.Errorf("no notice of the deletion:\n%s", out)
	}
}

// runDeploy runs virga deploy of template as stack against env, with any
// further flags, and returns what it printed and its error.
func runDeploy(env *e2e.Env, template, stack string, args ...string) (string, error) {
	cmd := newRootCommand()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs(append([]string{"deploy", "-t", template, "--stack-name", stack, "--endpoint-url", env.Endpoint}, args...))
	err := cmd.ExecuteContext(context.Background())
	return out.String(), err
}

// deployOK is runDeploy for a deploy that must succeed: a failed one fails
// the test.
func deployOK(t *testing.T, env *e2e.Env, template, stack string, args ...string) string {
	t.Helper()
	out, err := runDeploy(env, template, stack, args...)
	if err != nil {
		t.Fatalf("virga deploy: %v\n%s", err, out)
	}
	return out
}

// outputValue is the value virga deploy printed for the stack output key
// (the last line that names it).
func outputValue(printed, key string) string {
	value := ""
	for _, line := range strings.Split(printed, "\n") {
		if _, v, ok := strings.Cut(line, "  "+key+": "); ok {
			value = strings.TrimSpace(v)
		}
	}
	return value
}

// TestModernizeRuntimesSDKv2: a retired Node.js runtime that shipped the
// AWS SDK for JavaScript v2 is replaced with a note that says the new one
// lacks it and virga deploy bundles it, and the functions that had it,
// themselves or through Globals, are named; other runtimes get the plain
// note.
func TestModernizeRuntimesSDKv2(t *testing.T) {
	t.Parallel()
	tree := map[string]any{
		"Globals": map[string]any{"Function": map[string]any{"Runtime": "nodejs16.x"}},
		"Resources": map[string]any{
			"Old":      map[string]any{"Type": "AWS::Serverless::Function", "Properties": map[string]any{"Runtime": "python3.8"}},
			"New":      map[string]any{"Type": "AWS::Lambda::Function", "Properties": map[string]any{"Runtime": "nodejs20.x"}},
			"Inherits": map[string]any{"Type": "AWS::Serverless::Function", "Properties": map[string]any{"Handler": "a.b"}},
			"PlainOld": map[string]any{"Type": "AWS::Lambda::Function", "Properties": map[string]any{"Runtime": "nodejs12.x"}},
			"NotAFunc": map[string]any{"Type": "AWS::SQS::Queue"},
		},
	}
	notes, sdkV2 := modernizeRuntimes(tree)
	if len(notes) != 3 {
		t.Fatalf("notes %q", notes)
	}
	if !strings.HasPrefix(notes[0], "Globals.Function: runtime nodejs16.x is retired on AWS Lambda; virga deploy runs it as nodejs22.x (") ||
		!strings.Contains(notes[0], "no AWS SDK for JavaScript v2: virga deploy bundles aws-sdk@2") {
		t.Errorf("nodejs16.x note %q", notes[0])
	}
	if notes[1] != "Old: runtime python3.8 is retired on AWS Lambda; virga deploy runs it as python3.13" {
		t.Errorf("python3.8 note %q", notes[1])
	}
	if g := tree["Globals"].(map[string]any)["Function"].(map[string]any)["Runtime"]; g != "nodejs22.x" {
		t.Errorf("Globals runtime %v", g)
	}
	want := map[string]bool{"Old": false, "New": false, "Inherits": true, "PlainOld": true}
	for id, v := range want {
		if sdkV2[id] != v {
			t.Errorf("sdkV2[%s] = %v, want %v", id, sdkV2[id], v)
		}
	}
}

// TestDeployBundlesSDKv2: a function whose template names a retired
// Node.js runtime that included the AWS SDK for JavaScript v2, and whose
// code requires it without bundling it (here it is only a devDependency),
// gets aws-sdk@2 in its package; it runs on the newer runtime and its SDK
// calls reach virga.
func TestDeployBundlesSDKv2(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, "/usr/bin/npm")
	env := e2e.Start(t)
	dir := t.TempDir()
	files := map[string]string{
		"template.yaml": `Transform: AWS::Serverless-2016-10-31
Resources:
  Setting:
    Type: AWS::SSM::Parameter
    Properties:
      Name: /legacy/greeting
      Type: String
      Value: hello from v2
  Legacy:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: lib/reader.read
      Runtime: nodejs14.x
Outputs:
  Legacy:
    Value: !Ref Legacy
`,
		"src/lib/reader.js": `const SSM = require("aws-sdk/clients/ssm");
exports.read = async () => (await new SSM().getParameter({ Name: "/legacy/greeting" }).promise()).Parameter.Value;
`,
		"src/package.json": `{"name": "legacy", "version": "1.0.0", "devDependencies": {"aws-sdk": "^2.1000.0"}}`,
	}
	writeFiles(t, dir, files)
	out := deployOK(t, env, filepath.Join(dir, "template.yaml"), "legacy")
	if !strings.Contains(out, "Bundling the AWS SDK for JavaScript v2 (aws-sdk@2) with Legacy") {
		t.Errorf("virga deploy printed:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(dir, "src", "node_modules")); err == nil {
		t.Error("the SDK was installed into the project, not the package")
	}
	res, err := lambda.NewFromConfig(env.Config).Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String(outputValue(out, "Legacy"))})
	if err != nil || res.FunctionError != nil || string(res.Payload) != `"hello from v2"` {
		t.Errorf("the function: %s %v", res.Payload, err)
	}
}

// TestDeployMakefileLeavesTheProjectAlone: a Makefile's recipe runs in a
// copy of the code, as sam build runs it, so files it makes on the way
// (here the handler itself) do not land in the project.
func TestDeployMakefileLeavesTheProjectAlone(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, "/usr/bin/node")
	env := e2e.Start(t)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "template.yaml"), []byte(`Transform: AWS::Serverless-2016-10-31
Resources:
  Made:
    Type: AWS::Serverless::Function
    Metadata:
      BuildMethod: makefile
    Properties:
      CodeUri: src/
      Handler: made.handler
      Runtime: nodejs22.x
Outputs:
  Name:
    Value: !Ref Made
`), 0o644)
	os.MkdirAll(filepath.Join(dir, "src"), 0o755)
	os.WriteFile(filepath.Join(dir, "src", "Makefile"), []byte("build-Made:\n\techo 'exports.handler = async () => \"made in \" + process.env.AWS_LAMBDA_FUNCTION_NAME.length' > made.js\n\tcp made.js $(ARTIFACTS_DIR)/\n"), 0o644)
	out := deployOK(t, env, filepath.Join(dir, "template.yaml"), "made")
	if _, err := os.Stat(filepath.Join(dir, "src", "made.js")); err == nil {
		t.Error("the recipe's made.js was left in the project")
	}
	res, err := lambda.NewFromConfig(env.Config).Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String(outputValue(out, "Name"))})
	if err != nil || res.FunctionError != nil || !strings.HasPrefix(string(res.Payload), `"made in `) {
		t.Errorf("invoke: %v %s", err, res.Payload)
	}
}

// TestMakefileGoBuildIsReproducible: a Makefile's go build runs in a new
// copy of the code each time, and still makes the same package from the
// same code, so that an unchanged function deploys as unchanged.
func TestMakefileGoBuildIsReproducible(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module made\n\ngo 1.22\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n\nfunc main() { panic(\"where am I\") }\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "Makefile"), []byte("build-Made:\n\tCGO_ENABLED=0 go build -o bootstrap .\n\tcp bootstrap $(ARTIFACTS_DIR)/\n"), 0o644)
	c := codeLocation{logicalID: "Made", method: "makefile", runtime: "provided.al2023", handler: "bootstrap", dir: dir}
	buildTwice(t, c)
}

// TestBuildGoFunctionsOfOneModule: in a Go repository with one go.mod at
// its root and a directory per function (CodeUri functions/NAME/), each
// function builds with go build, with or without BuildMethod, and so
// does one that names BuildMethod makefile while the only Makefile is
// the repository's (run by hand before sam deploy, as AWS's
// serverless-go-demo does). A makefile function with neither a Makefile
// nor Go code says what is missing.
func TestBuildGoFunctionsOfOneModule(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"go.mod":                 "module demo\n\ngo 1.22\n",
		"Makefile":               "build-%:\n\tcd functions/$* && go build -o bootstrap\n",
		"functions/list/main.go": "package main\n\nfunc main() { println(\"list\") }\n",
		"functions/put/main.go":  "package main\n\nfunc main() { println(\"put\") }\n",
		"functions/empty/README": "nothing to build\n",
	})
	for _, c := range []codeLocation{
		{logicalID: "ListFunction", method: "makefile", runtime: "provided.al2", handler: "bootstrap", dir: filepath.Join(dir, "functions", "list")},
		{logicalID: "PutFunction", runtime: "provided.al2023", handler: "bootstrap", dir: filepath.Join(dir, "functions", "put")},
	} {
		var log bytes.Buffer
		pkg, native, err := build(context.Background(), c, &log)
		if err != nil {
			t.Fatalf("%s: %v\n%s", c.logicalID, err, log.String())
		}
		zr, err := zip.NewReader(bytes.NewReader(pkg), int64(len(pkg)))
		if err != nil {
			t.Fatal(err)
		}
		if len(zr.File) != 1 || zr.File[0].Name != "bootstrap" || !native {
			t.Errorf("%s: package %v (native %v), want a native bootstrap alone; log:\n%s", c.logicalID, zr.File, native, log.String())
		}
	}
	c := codeLocation{logicalID: "EmptyFunction", method: "makefile", runtime: "provided.al2", handler: "bootstrap", dir: filepath.Join(dir, "functions", "empty")}
	if _, _, err := build(context.Background(), c, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "BuildMethod makefile builds with the Makefile in CodeUri") {
		t.Errorf("a makefile function without a Makefile or Go code: %v", err)
	}
}

// buildTwice builds c twice and returns the first package; the two must
// be the same bytes.
func buildTwice(t *testing.T, c codeLocation) []byte {
	t.Helper()
	first, _, err := build(context.Background(), c, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	second, _, err := build(context.Background(), c, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first, second) {
		t.Error("two builds of the same code made different packages")
	}
	return first
}

// TestDeployLargeTemplate deploys a template over CloudFormation's
// 51,200-byte TemplateBody limit: virga deploy puts it in virga's S3 and
// passes its TemplateURL, as sam deploy does.
func TestDeployLargeTemplate(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	file := filepath.Join(t.TempDir(), "template.yaml")
	var b strings.Builder
	b.WriteString("Resources:\n")
	for i := range 200 {
		fmt.Fprintf(&b, "  Topic%d:\n    Type: AWS::SNS::Topic\n    Properties:\n      DisplayName: %s\n", i, strings.Repeat("d", 250))
	}
	os.WriteFile(file, []byte(b.String()), 0o644)
	out := deployOK(t, env, file, "large")
	if !strings.Contains(out, "over CloudFormation's 51200-byte TemplateBody limit) to "+env.Endpoint+"/virga-artifacts/templates/") {
		t.Errorf("output does not say where the template went:\n%s", out)
	}
	cf := cloudformation.NewFromConfig(env.Config)
	res, err := cf.ListStackResources(context.Background(), &cloudformation.ListStackResourcesInput{StackName: aws.String("large")})
	if err != nil || len(res.StackResourceSummaries) == 0 {
		t.Fatalf("resources: %v %v", res, err)
	}
}

// TestDeployOtherRegionNotice: virga serves one region, so a deploy asked
// for another (--region, or a samconfig's region) is made in virga's and
// says so instead of leaving the outputs' ARNs to surprise.
func TestDeployOtherRegionNotice(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	file := filepath.Join(t.TempDir(), "template.yaml")
	os.WriteFile(file, []byte("Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n"), 0o644)
	out := deployOK(t, env, file, "elsewhere", "--region", "ca-central-1")
	want := "notice: virga serves region " + env.Config.Region + ": the stack is deployed there, not in ca-central-1"
	if !strings.Contains(out, want) {
		t.Errorf("output lacks %q:\n%s", want, out)
	}
	if out := deployOK(t, env, file, "here", "--region", env.Config.Region); strings.Contains(out, "notice: virga serves region") {
		t.Errorf("a deploy to virga's own region has the notice:\n%s", out)
	}
}

// TestDeployNestedLocalTemplates deploys a template that nests an
// application and a stack by local paths, as sam deploy takes them: the
// nested templates' functions are built and their templates stored in
// virga's S3, and the parent reads their outputs.
func TestDeployNestedLocalTemplates(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, "/usr/bin/python3")
	env := e2e.Start(t)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "template.yaml"), []byte(`Transform: AWS::Serverless-2016-10-31
Resources:
  Greeter:
    Type: AWS::Serverless::Application
    Properties:
      Location: ./nested/greeter.yaml
      Parameters:
        Word: hi
  Topics:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: topics.yaml
Outputs:
  Greeter:
    Value: !GetAtt Greeter.Outputs.FunctionName
  Topic:
    Value: !GetAtt Topics.Outputs.TopicName
`), 0o644)
	os.MkdirAll(filepath.Join(dir, "nested", "src"), 0o755)
	// The nested template's CodeUri is relative to the nested template.
	os.WriteFile(filepath.Join(dir, "nested", "greeter.yaml"), []byte(`Transform: AWS::Serverless-2016-10-31
Parameters:
  Word:
    Type: String
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      Environment:
        Variables:
          WORD: !Ref Word
Outputs:
  FunctionName:
    Value: !Ref Fn
`), 0o644)
	os.WriteFile(filepath.Join(dir, "nested", "src", "app.py"), []byte("import os\n\ndef handler(event, context):\n    return os.environ['WORD']\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "topics.yaml"), []byte(`Resources:
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: nested-topic
Outputs:
  TopicName:
    Value: !GetAtt Topic.TopicName
`), 0o644)
	out := deployOK(t, env, filepath.Join(dir, "template.yaml"), "nesting")
	for _, want := range []string{"Uploaded the template of Greeter (./nested/greeter.yaml) to " + env.Endpoint + "/virga-artifacts/templates/",
		"Uploaded the template of Topics (topics.yaml) to " + env.Endpoint + "/virga-artifacts/templates/", "Packaged Fn ("} {
		if !strings.Contains(out, want) {
			t.Errorf("output does not say %q:\n%s", want, out)
		}
	}
	if got := outputValue(out, "Topic"); got != "nested-topic" {
		t.Errorf("Topic output = %q", got)
	}
	res, err := lambda.NewFromConfig(env.Config).Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String(outputValue(out, "Greeter"))})
	if err != nil || res.FunctionError != nil || string(res.Payload) != `"hi"` {
		t.Errorf("the nested function: %s %v", res.Payload, err)
	}
}

// TestDeployRubyFunction deploys Ruby functions as sam build builds them:
// a Gemfile's gems go to vendor/bundle (here from vendor/cache, the
// package index being out of reach), where the function's GEM_PATH finds
// them; a Gemfile that cannot be installed leaves a warning and the
// host's gems. The aws CLI invokes the result.
func TestDeployRubyFunction(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "ruby")
	testenv.Tool(t, "bundle")
	gemTool := testenv.Tool(t, "gem")
	env := e2e.Start(t)
	dir := t.TempDir()
	files := map[string]string{
		"template.yaml": `Transform: AWS::Serverless-2016-10-31
Resources:
  Rb:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: rb/
      Handler: app.Greeter::Handler.call
      Runtime: ruby3.3
  RbHost:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: host/
      Handler: app.handler
      Runtime: ruby3.4
Outputs:
  Rb:
    Value: !Ref Rb
  RbHost:
    Value: !Ref RbHost
`,
		"rb/app.rb": `require 'virgahi'

module Greeter
  class Handler
    def self.call(event:, context:)
      { 'greeting' => VirgaHi.say(event['name']) }
    end
  end
end
`,
		"rb/Gemfile":             "source 'https://rubygems.org'\ngem 'virgahi'\n",
		"gemsrc/virgahi.gemspec": "Gem::Specification.new do |s|\n  s.name = 'virgahi'\n  s.version = '0.1.0'\n  s.summary = 'a test gem'\n  s.authors = ['virga']\n  s.files = ['lib/virgahi.rb']\nend\n",
		"gemsrc/lib/virgahi.rb":  "module VirgaHi\n  def self.say(name)\n    \"hi #{name} from a gem\"\n  end\nend\n",
		"host/app.rb":            "require 'json'\n\ndef handler(event:, context:)\n  { 'host' => JSON.generate([1]) }\nend\n",
		"host/Gemfile":           "source 'https://rubygems.org'\ngem 'virga-no-such-gem'\n",
	}
	writeFiles(t, dir, files)
	build := exec.Command(gemTool, "build", "virgahi.gemspec")
	build.Dir = filepath.Join(dir, "gemsrc")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("gem build: %v\n%s", err, out)
	}
	os.MkdirAll(filepath.Join(dir, "rb", "vendor", "cache"), 0o755)
	if err := os.Rename(filepath.Join(dir, "gemsrc", "virgahi-0.1.0.gem"), filepath.Join(dir, "rb", "vendor", "cache", "virgahi-0.1.0.gem")); err != nil {
		t.Fatal(err)
	}

	out := deployOK(t, env, filepath.Join(dir, "template.yaml"), "rubyapp")
	if !strings.Contains(out, "Installing Rb's Gemfile with bundler into vendor/bundle") ||
		!strings.Contains(out, "warning: RbHost: bundle install failed") {
		t.Errorf("virga deploy printed:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(dir, "rb", "vendor", "bundle")); err == nil {
		t.Error("bundle install wrote into the project")
	}
	for _, c := range []struct{ output, payload, want string }{
		{"Rb", `{"name":"ana"}`, `{"greeting":"hi ana from a gem"}`},
		{"RbHost", `{}`, `{"host":"[1]"}`},
	} {
		outFile := filepath.Join(t.TempDir(), "out.json")
		res := env.CLI(t, "lambda", "invoke", "--function-name", outputValue(out, c.output),
			"--cli-binary-format", "raw-in-base64-out", "--payload", c.payload, outFile)
		got, _ := os.ReadFile(outFile)
		if res.ExitCode != 0 || strings.Contains(res.Stdout, "FunctionError") || string(got) != c.want {
			t.Errorf("aws lambda invoke %s: %d %s %s\n%s", c.output, res.ExitCode, res.Stdout, res.Stderr, got)
		}
	}
}

// writeFiles writes a project's files (path → content) under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for path, body := range files {
		path = filepath.Join(dir, path)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// rustRuntime is a Rust function with no dependencies: it speaks the
// Runtime API over std's TcpStream and answers every invocation with
// {"from":"rust"}.
const rustRuntime = `use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;

fn main() {
    let api = std::env::var("AWS_LAMBDA_RUNTIME_API").unwrap();
    loop {
        let mut s = TcpStream::connect(&api).unwrap();
        write!(s, "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
        let mut r = BufReader::new(s);
        let mut id = String::new();
        loop {
            let mut line = String::new();
            r.read_line(&mut line).unwrap();
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("Lambda-Runtime-Aws-Request-Id") {
                    id = value.trim().to_string();
                }
            }
        }
        let body = "{\"from\":\"rust\"}";
        let mut s = TcpStream::connect(&api).unwrap();
        write!(s, "POST /2018-06-01/runtime/invocation/{}/response HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}", id, body.len(), body).unwrap();
        let mut answer = Vec::new();
        s.read_to_end(&mut answer).ok();
    }
}
`

// TestDeployRustCargoLambda: a function with BuildMethod
// rust-cargolambda (sam init's Rust hello world) is built with cargo
// for this machine, its binary deployed as bootstrap.
func TestDeployRustCargoLambda(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "cargo")
	env := e2e.Start(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"template.yaml": `Transform: AWS::Serverless-2016-10-31
Resources:
  Rusty:
    Type: AWS::Serverless::Function
    Metadata:
      BuildMethod: rust-cargolambda
    Properties:
      CodeUri: ./rust_app
      Handler: bootstrap
      Runtime: provided.al2023
Outputs:
  Rusty:
    Value: !Ref Rusty
`,
		"rust_app/Cargo.toml":  "[package]\nname = \"rust_app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\n",
		"rust_app/src/main.rs": rustRuntime,
	})
	out := deployOK(t, env, filepath.Join(dir, "template.yaml"), "rusty")
	res, err := lambda.NewFromConfig(env.Config).Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String(outputValue(out, "Rusty"))})
	if err != nil || res.FunctionError != nil || string(res.Payload) != `{"from":"rust"}` {
		t.Errorf("the function: %s %v\n%s", res.Payload, err, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "rust_app", "target")); err == nil {
		t.Errorf("cargo built into the project's target")
	}
}

// TestDeployBuildsRuntimeLayers: a layer whose BuildMethod names a
// Python runtime is built as sam build builds it, into python/ with its
// requirements, so that a function importing the layer's module finds
// it under /opt/python.
func TestDeployBuildsRuntimeLayers(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"template.yaml": `Transform: AWS::Serverless-2016-10-31
Resources:
  Shared:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: shared/
      CompatibleRuntimes: [python3.12]
    Metadata:
      BuildMethod: python3.12
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: fn/
      Handler: app.handler
      Runtime: python3.12
      Layers: [!Ref Shared]
Outputs:
  Fn:
    Value: !Ref Fn
`,
		"shared/greeting.py":      "def greet(name):\n    return 'hello ' + name\n",
		"shared/requirements.txt": "# nothing to install\n",
		"fn/app.py":               "import greeting\ndef handler(event, context):\n    return greeting.greet('layer')\n",
	})
	out := deployOK(t, env, filepath.Join(dir, "template.yaml"), "layered")
	res, err := lambda.NewFromConfig(env.Config).Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String(outputValue(out, "Fn"))})
	if err != nil || res.FunctionError != nil || string(res.Payload) != `"hello layer"` {
		t.Errorf("the function: %s %v\n%s", res.Payload, err, out)
	}
}
