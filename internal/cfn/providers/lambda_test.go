package providers_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/virga/virga/internal/testenv"
)

// needs requires the interpreter a test's functions run on.
func needs(t *testing.T, tool string) {
	t.Helper()
	testenv.Tool(t, tool)
}

// invoke runs a function through Lambda's HTTP API and returns its
// result, failing the test on a function error. (In-process calls carry
// no payload back: Invoke's output is all header and payload members.)
func (s *stack) invoke(fn string, event any) map[string]any {
	s.t.Helper()
	payload, _ := json.Marshal(event)
	out, err := lambda.NewFromConfig(s.v.Config).Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String(fn), Payload: payload})
	if err != nil {
		s.t.Fatalf("invoking %s: %v", fn, err)
	}
	if out.FunctionError != nil {
		s.t.Fatalf("invoking %s: %s: %s", fn, *out.FunctionError, out.Payload)
	}
	var res map[string]any
	if err := json.Unmarshal(out.Payload, &res); err != nil {
		s.t.Fatalf("invoking %s: %v: %s", fn, err, out.Payload)
	}
	return res
}

const pythonSource = `import os

def handler(event, context):
    return {"greeting": os.environ["GREETING"] + ", " + event["name"], "n": os.environ.get("COUNT"), "fn": context.function_name}
`

func TestFunction(t *testing.T) {
	t.Parallel()
	needs(t, "python3")
	s := newStack(t)
	role := s.create("AWS::IAM::Role", "Role", map[string]any{"AssumeRolePolicyDocument": trust()})
	props := map[string]any{
		"Runtime":                      "python3.12",
		"Handler":                      "index.handler",
		"Role":                         role.attr("Arn"),
		"Code":                         map[string]any{"ZipFile": pythonSource},
		"MemorySize":                   "256",
		"Timeout":                      num("10"),
		"Environment":                  map[string]any{"Variables": map[string]any{"GREETING": "hello", "COUNT": num("3")}},
		"TracingConfig":                map[string]any{"Mode": "Active"},
		"Architectures":                []any{"x86_64"},
		"ReservedConcurrentExecutions": num("5"),
		"RecursiveLoop":                "Allow",
		"Tags":                         []any{map[string]any{"Key": "team", "Value": "core"}},
	}
	fn := s.create("AWS::Lambda::Function", "Fn", props)
	name := fn.ref()
	if !handlerGenerated(name, "Fn") {
		t.Errorf("generated function name %q", name)
	}
	got := s.call("lambda", "GetFunction", map[string]any{"FunctionName": name})
	if str(got, "Configuration", "FunctionArn") != fn.attr("Arn") || str(got, "Configuration", "Role") != role.attr("Arn") ||
		str(got, "Configuration", "MemorySize") != "256" || str(got, "Configuration", "Timeout") != "10" ||
		str(got, "Configuration", "Environment", "Variables", "COUNT") != "3" || str(got, "Configuration", "TracingConfig", "Mode") != "Active" ||
		str(got, "Concurrency", "ReservedConcurrentExecutions") != "5" || str(got, "Tags", "team") != "core" {
		t.Errorf("function as created: %v", got)
	}
	recursion := func() any {
		return s.call("lambda", "GetFunctionRecursionConfig", map[string]any{"FunctionName": name})["RecursiveLoop"]
	}
	if got := recursion(); got != "Allow" {
		t.Errorf("RecursiveLoop as created: %v", got)
	}
	if fn.attr("SnapStartResponse.ApplyOn") != "None" {
		t.Errorf("SnapStartResponse.ApplyOn: %q", fn.attr("SnapStartResponse.ApplyOn"))
	}
	if res := s.invoke(name, map[string]any{"name": "virga"}); res["greeting"] != "hello, virga" || res["n"] != "3" || res["fn"] != name {
		t.Errorf("the inline function answered %v", res)
	}

	fn.checkReplacement(map[string]map[string]any{
		"FunctionName": {"FunctionName": "other"},
		"Code":         {"Code": map[string]any{"ZipFile": "def handler(e, c): pass"}},
		"MemorySize":   {"MemorySize": num("512")},
		"Role":         {"Role": testRole},
		"Runtime":      {"Runtime": "python3.13"},
	}, "FunctionName")

	fn.update(with(props, map[string]any{
		"Code":                         map[string]any{"ZipFile": strings.Replace(pythonSource, `", " + event["name"]`, `" and goodbye, " + event["name"]`, 1)},
		"MemorySize":                   num("512"),
		"Environment":                  map[string]any{"Variables": map[string]any{"GREETING": "hello"}},
		"TracingConfig":                nil,
		"ReservedConcurrentExecutions": nil,
		"RecursiveLoop":                nil,
		"Tags":                         []any{map[string]any{"Key": "team", "Value": "core"}, map[string]any{"Key": "cost", "Value": "7"}},
	}))
	if got := recursion(); got != "Terminate" {
		t.Errorf("RecursiveLoop after the update without it: %v", got)
	}
	got = s.call("lambda", "GetFunction", map[string]any{"FunctionName": name})
	if str(got, "Configuration", "MemorySize") != "512" || get(got, "Configuration", "Environment", "Variables", "COUNT") != nil ||
		str(got, "Configuration", "TracingConfig", "Mode") != "PassThrough" || get(got, "Concurrency") != nil || str(got, "Tags", "cost") != "7" {
		t.Errorf("function after the update: %v", got)
	}
	if res := s.invoke(name, map[string]any{"name": "virga"}); res["greeting"] != "hello and goodbye, virga" || res["n"] != nil {
		t.Errorf("the updated function answered %v", res)
	}

	fn.delete()
	if code := s.callErr("lambda", "GetFunction", map[string]any{"FunctionName": name}); code != "ResourceNotFoundException" {
		t.Errorf("GetFunction after the delete: %q", code)
	}
}

func TestFunctionNodeInline(t *testing.T) {
	t.Parallel()
	needs(t, "node")
	s := newStack(t)
	fn := s.create("AWS::Lambda::Function", "Fn", map[string]any{
		"FunctionName": "node-inline",
		"Runtime":      "nodejs20.x",
		"Handler":      "index.handler",
		"Role":         testRole,
		// CommonJS, as AWS loads inline Node.js code (index.js).
		"Code": map[string]any{"ZipFile": "exports.handler = async (event) => ({ doubled: event.n * 2 });\n"},
	})
	if fn.ref() != "node-inline" {
		t.Errorf("Ref %q", fn.ref())
	}
	if res := s.invoke("node-inline", map[string]any{"n": 21}); res["doubled"] != float64(42) {
		t.Errorf("the inline Node.js function answered %v", res)
	}
	fn.delete()
}

// TestFunctionInlineIsIndex: inline source is index.py whatever the
// handler names, as AWS writes it, so a handler naming another module
// fails its invocation here as it would there.
func TestFunctionInlineIsIndex(t *testing.T) {
	t.Parallel()
	needs(t, "python3")
	s := newStack(t)
	s.create("AWS::Lambda::Function", "Fn", map[string]any{
		"FunctionName": "inline-app", "Runtime": "python3.12", "Handler": "app.handler", "Role": testRole,
		"Code": map[string]any{"ZipFile": "def handler(e, c):\n    return 1\n"},
	})
	out, err := lambda.NewFromConfig(s.v.Config).Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String("inline-app")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.FunctionError) != "Unhandled" || !strings.Contains(string(out.Payload), "Runtime.ImportModuleError") {
		t.Errorf("a handler naming module app answered %s %s, want Runtime.ImportModuleError", aws.ToString(out.FunctionError), out.Payload)
	}
}

// zipOf is a deployment package of one file.
func zipOf(t *testing.T, name, body string) string {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte(body)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(buf.Bytes())
}

func TestFunctionPackages(t *testing.T) {
	t.Parallel()
	needs(t, "python3")
	s := newStack(t)
	// The engine's package (ZipFileBytes) wins over the S3 location it
	// came from.
	fn := s.create("AWS::Lambda::Function", "Packaged", map[string]any{
		"Runtime": "python3.12", "Handler": "app.main", "Role": testRole,
		"Code": map[string]any{"S3Bucket": "bucket", "S3Key": "app.zip",
			"ZipFileBytes": zipOf(t, "app.py", "def main(event, context):\n    return {'packaged': True}\n")},
	})
	if res := s.invoke(fn.ref(), map[string]any{}); res["packaged"] != true {
		t.Errorf("the packaged function answered %v", res)
	}
	fn.delete()

	_, err := s.tryCreate("AWS::Lambda::Function", "Fn", map[string]any{
		"Runtime": "python3.12", "Handler": "index.handler", "Role": testRole, "Code": map[string]any{"S3Bucket": "bucket", "S3Key": "app.zip"},
	})
	if err == nil || !strings.Contains(err.Error(), "S3 Error Code: NoSuchBucket") {
		t.Errorf("code in a bucket that does not exist: %v", err)
	}
	_, err = s.tryCreate("AWS::Lambda::Function", "Fn", map[string]any{
		"PackageType": "Image", "Role": testRole,
		"Code": map[string]any{"ImageUri": "000000000000.dkr.ecr.us-east-1.amazonaws.com/app:latest"},
	})
	if err == nil || !strings.Contains(err.Error(), "Source image 000000000000.dkr.ecr.us-east-1.amazonaws.com/app:latest does not exist.") {
		t.Errorf("code in an image that does not exist: %v", err)
	}
	_, err = s.tryCreate("AWS::Lambda::Function", "Fn", map[string]any{
		"Runtime": "java21", "Handler": "app.Handler", "Role": testRole, "Code": map[string]any{"ZipFile": "class App {}"},
	})
	if err == nil || !strings.Contains(err.Error(), "only for Node.js and Python") {
		t.Errorf("inline Java: %v", err)
	}
	// The API's own errors come back as they are.
	_, err = s.tryCreate("AWS::Lambda::Function", "Fn", map[string]any{
		"Runtime": "python3.12", "Handler": "index.handler", "Role": "not-a-role", "Code": map[string]any{"ZipFile": "x = 1"},
	})
	if err == nil || !strings.Contains(err.Error(), "ValidationException") {
		t.Errorf("a bad role: %v", err)
	}
}

func TestVersionAliasLayer(t *testing.T) {
	t.Parallel()
	needs(t, "python3")
	s := newStack(t)
	fn := s.create("AWS::Lambda::Function", "Fn", map[string]any{
		"FunctionName": "versioned", "Runtime": "python3.12", "Handler": "index.handler", "Role": testRole,
		"Code": map[string]any{"ZipFile": "def handler(e, c):\n    return {'v': 1}\n"},
	})

	ver := s.create("AWS::Lambda::Version", "V1", map[string]any{"FunctionName": fn.ref(), "Description": "first"})
	if ver.ref() != fn.attr("Arn")+":1" || ver.attr("Version") != "1" {
		t.Errorf("version Ref %s, Version %s", ver.ref(), ver.attr("Version"))
	}
	got := s.call("lambda", "GetFunctionConfiguration", map[string]any{"FunctionName": "versioned", "Qualifier": "1"})
	if str(got, "Description") != "first" {
		t.Errorf("version 1: %v", got)
	}
	ver.checkReplacement(map[string]map[string]any{
		"Description":  {"Description": "second"},
		"FunctionName": {"FunctionName": "other"},
		"CodeSha256":   {"CodeSha256": "abc"},
	}, "Description", "FunctionName", "CodeSha256")

	al := s.create("AWS::Lambda::Alias", "Live", map[string]any{
		"FunctionName": fn.ref(), "Name": "live", "FunctionVersion": ver.attr("Version"),
	})
	if al.ref() != fn.attr("Arn")+":live" || al.attr("AliasArn") != al.ref() {
		t.Errorf("alias Ref %s, AliasArn %s", al.ref(), al.attr("AliasArn"))
	}
	al.checkReplacement(map[string]map[string]any{
		"Name":            {"Name": "other"},
		"FunctionName":    {"FunctionName": "other"},
		"FunctionVersion": {"FunctionVersion": "$LATEST"},
		"Description":     {"Description": "d"},
	}, "Name", "FunctionName")
	al.update(map[string]any{
		"FunctionName": fn.ref(), "Name": "live", "FunctionVersion": "$LATEST", "Description": "tracking",
	})
	got = s.call("lambda", "GetAlias", map[string]any{"FunctionName": "versioned", "Name": "live"})
	if str(got, "FunctionVersion") != "$LATEST" || str(got, "Description") != "tracking" {
		t.Errorf("alias after the update: %v", got)
	}
	al.delete()
	if code := s.callErr("lambda", "GetAlias", map[string]any{"FunctionName": "versioned", "Name": "live"}); code != "ResourceNotFoundException" {
		t.Errorf("GetAlias after the delete: %q", code)
	}
	ver.delete()
	if code := s.callErr("lambda", "GetFunctionConfiguration", map[string]any{"FunctionName": "versioned", "Qualifier": "1"}); code != "ResourceNotFoundException" {
		t.Errorf("version 1 after the delete: %q", code)
	}

	layer := s.create("AWS::Lambda::LayerVersion", "Layer", map[string]any{
		"CompatibleRuntimes": []any{"python3.12"},
		"Content":            map[string]any{"ZipFileBytes": zipOf(t, "python/helpers.py", "X = 1\n")},
	})
	if !strings.Contains(layer.ref(), ":layer:"+testStack+"-Layer-") || layer.attr("LayerVersionArn") != layer.ref() {
		t.Errorf("layer version Ref %s", layer.ref())
	}
	got = s.call("lambda", "GetLayerVersionByArn", map[string]any{"Arn": layer.ref()})
	if str(got, "Version") != "1" {
		t.Errorf("layer version: %v", got)
	}
	layer.checkReplacement(map[string]map[string]any{"Description": {"Description": "d"}}, "Description")
	if _, err := s.tryCreate("AWS::Lambda::LayerVersion", "S3Layer", map[string]any{
		"Content": map[string]any{"S3Bucket": "b", "S3Key": "k"},
	}); err == nil {
		t.Error("a layer from S3 was published")
	}
	perm := s.create("AWS::Lambda::LayerVersionPermission", "LayerPerm", map[string]any{
		"LayerVersionArn": layer.ref(), "Action": "lambda:GetLayerVersion", "Principal": "*", "OrganizationId": "o-t194hfs8cz",
	})
	arn, sid, _ := strings.Cut(perm.ref(), "#")
	if arn != layer.ref() || !generated(sid, "LayerPerm") || perm.attr("Id") != perm.ref() {
		t.Errorf("layer version permission Ref %s", perm.ref())
	}
	policy := s.call("lambda", "GetLayerVersionPolicy", map[string]any{"LayerName": layer.ref()[:strings.LastIndex(layer.ref(), ":")], "VersionNumber": 1})
	if !strings.Contains(str(policy, "Policy"), `"Sid":"`+sid+`"`) || !strings.Contains(str(policy, "Policy"), `"aws:PrincipalOrgID":"o-t194hfs8cz"`) {
		t.Errorf("layer version policy: %v", policy)
	}
	perm.checkReplacement(map[string]map[string]any{"Principal": {"Principal": "123456789012"}}, "Principal")
	perm.delete()
	if code := s.callErr("lambda", "GetLayerVersionPolicy", map[string]any{"LayerName": layer.ref()[:strings.LastIndex(layer.ref(), ":")], "VersionNumber": 1}); code != "ResourceNotFoundException" {
		t.Errorf("the layer version policy after the delete: %q", code)
	}
	layer.delete()
	if code := s.callErr("lambda", "GetLayerVersionByArn", map[string]any{"Arn": layer.ref()}); code != "ResourceNotFoundException" {
		t.Errorf("the layer version after the delete: %q", code)
	}
	fn.delete()
}

func TestPermissionURLMappingInvokeConfig(t *testing.T) {
	t.Parallel()
	needs(t, "python3")
	s := newStack(t)
	fn := s.create("AWS::Lambda::Function", "Fn", map[string]any{
		"FunctionName": "target", "Runtime": "python3.12", "Handler": "index.handler", "Role": testRole,
		"Code": map[string]any{"ZipFile": "def handler(e, c):\n    return {}\n"},
	})

	perm := s.create("AWS::Lambda::Permission", "Perm", map[string]any{
		"FunctionName": fn.attr("Arn"), "Action": "lambda:InvokeFunction", "Principal": "sns.amazonaws.com",
		"SourceArn": "arn:aws:sns:us-east-1:000000000000:topic",
	})
	if !generated(perm.ref(), "Perm") || perm.attr("Id") != perm.ref() {
		t.Errorf("permission Ref %s", perm.ref())
	}
	policy := s.call("lambda", "GetPolicy", map[string]any{"FunctionName": "target"})
	if !strings.Contains(str(policy, "Policy"), `"Sid":"`+perm.ref()+`"`) {
		t.Errorf("policy: %v", policy)
	}
	// InvokedViaFunctionUrl (a string, as a template may give it) limits
	// the statement to invocations through a function URL.
	viaURL := s.create("AWS::Lambda::Permission", "ViaURL", map[string]any{
		"FunctionName": "target", "Action": "lambda:InvokeFunction", "Principal": "*", "InvokedViaFunctionUrl": "true",
	})
	policy = s.call("lambda", "GetPolicy", map[string]any{"FunctionName": "target"})
	if !strings.Contains(str(policy, "Policy"), `"Sid":"`+viaURL.ref()+`"`) ||
		!strings.Contains(str(policy, "Policy"), `"Condition":{"Bool":{"lambda:InvokedViaFunctionUrl":"true"}}`) {
		t.Errorf("policy with InvokedViaFunctionUrl: %v", policy)
	}
	viaURL.delete()
	perm.checkReplacement(map[string]map[string]any{"Principal": {"Principal": "events.amazonaws.com"}}, "Principal")
	perm.delete()
	policy, err := s.env.Call(t.Context(), "lambda", "GetPolicy", map[string]any{"FunctionName": "target"})
	if err == nil && strings.Contains(str(policy, "Policy"), perm.ref()) {
		t.Errorf("policy after the delete: %v", policy)
	}

	url := s.create("AWS::Lambda::Url", "Url", map[string]any{
		"TargetFunctionArn": fn.attr("Arn"), "AuthType": "NONE",
		"Cors": map[string]any{"AllowOrigins": []any{"*"}, "MaxAge": "60", "AllowCredentials": "false"},
	})
	cfg := s.call("lambda", "GetFunctionUrlConfig", map[string]any{"FunctionName": "target"})
	if url.attr("FunctionUrl") != str(cfg, "FunctionUrl") || url.attr("FunctionArn") != fn.attr("Arn") || url.ref() != fn.attr("Arn") ||
		str(cfg, "Cors", "MaxAge") != "60" {
		t.Errorf("URL %v, attributes %v", cfg, url.result.Attributes)
	}
	url.checkReplacement(map[string]map[string]any{
		"TargetFunctionArn": {"TargetFunctionArn": "other"},
		"Qualifier":         {"Qualifier": "live"},
		"AuthType":          {"AuthType": "AWS_IAM"},
	}, "TargetFunctionArn", "Qualifier")
	url.update(map[string]any{"TargetFunctionArn": fn.attr("Arn"), "AuthType": "AWS_IAM"})
	cfg = s.call("lambda", "GetFunctionUrlConfig", map[string]any{"FunctionName": "target"})
	if str(cfg, "AuthType") != "AWS_IAM" {
		t.Errorf("URL after the update: %v", cfg)
	}
	url.delete()
	if code := s.callErr("lambda", "GetFunctionUrlConfig", map[string]any{"FunctionName": "target"}); code != "ResourceNotFoundException" {
		t.Errorf("the URL after the delete: %q", code)
	}

	q := s.create("AWS::SQS::Queue", "Jobs", map[string]any{})
	esm := s.create("AWS::Lambda::EventSourceMapping", "Mapping", map[string]any{
		"EventSourceArn": q.attr("Arn"), "FunctionName": "target", "BatchSize": "5", "Enabled": "true",
	})
	m := s.call("lambda", "GetEventSourceMapping", map[string]any{"UUID": esm.ref()})
	if str(m, "BatchSize") != "5" || str(m, "EventSourceArn") != q.attr("Arn") || esm.attr("Id") != esm.ref() {
		t.Errorf("mapping %v, attributes %v", m, esm.result.Attributes)
	}
	esm.checkReplacement(map[string]map[string]any{
		"EventSourceArn": {"EventSourceArn": "arn:aws:sqs:us-east-1:000000000000:other"},
		"BatchSize":      {"BatchSize": num("9")},
	}, "EventSourceArn")
	esm.update(map[string]any{"EventSourceArn": q.attr("Arn"), "FunctionName": "target", "BatchSize": num("8"), "Enabled": false})
	m = s.call("lambda", "GetEventSourceMapping", map[string]any{"UUID": esm.ref()})
	if str(m, "BatchSize") != "8" || (str(m, "State") != "Disabled" && str(m, "State") != "Disabling") {
		t.Errorf("mapping after the update: %v", m)
	}
	esm.delete()
	if code := s.callErr("lambda", "GetEventSourceMapping", map[string]any{"UUID": esm.ref()}); code != "ResourceNotFoundException" {
		t.Errorf("the mapping after the delete: %q", code)
	}

	eic := s.create("AWS::Lambda::EventInvokeConfig", "Async", map[string]any{
		"FunctionName": "target", "Qualifier": "$LATEST", "MaximumRetryAttempts": "1", "MaximumEventAgeInSeconds": num("120"),
		"DestinationConfig": map[string]any{"OnFailure": map[string]any{"Destination": q.attr("Arn")}},
	})
	c := s.call("lambda", "GetFunctionEventInvokeConfig", map[string]any{"FunctionName": "target", "Qualifier": "$LATEST"})
	if str(c, "MaximumRetryAttempts") != "1" || str(c, "DestinationConfig", "OnFailure", "Destination") != q.attr("Arn") {
		t.Errorf("invoke config: %v", c)
	}
	eic.checkReplacement(map[string]map[string]any{
		"Qualifier":            {"Qualifier": "live"},
		"MaximumRetryAttempts": {"MaximumRetryAttempts": num("2")},
	}, "Qualifier")
	eic.update(map[string]any{"FunctionName": "target", "Qualifier": "$LATEST", "MaximumRetryAttempts": num("0")})
	c = s.call("lambda", "GetFunctionEventInvokeConfig", map[string]any{"FunctionName": "target", "Qualifier": "$LATEST"})
	if str(c, "MaximumRetryAttempts") != "0" || get(c, "DestinationConfig", "OnFailure", "Destination") != nil {
		t.Errorf("invoke config after the update: %v", c)
	}
	eic.delete()
	if code := s.callErr("lambda", "GetFunctionEventInvokeConfig", map[string]any{"FunctionName": "target", "Qualifier": "$LATEST"}); code != "ResourceNotFoundException" {
		t.Errorf("the invoke config after the delete: %q", code)
	}
	q.delete()
	fn.delete()
}

func TestVersionAliasProvisionedConcurrency(t *testing.T) {
	t.Parallel()
	needs(t, "python3")
	s := newStack(t)
	fn := s.create("AWS::Lambda::Function", "Fn", map[string]any{
		"FunctionName": "warm", "Runtime": "python3.12", "Handler": "index.handler", "Role": testRole,
		"Code": map[string]any{"ZipFile": "import os\ndef handler(e, c):\n    return {'init': os.environ['AWS_LAMBDA_INITIALIZATION_TYPE']}\n"},
	})
	status := func(q string) string {
		out, err := s.env.Call(context.Background(), "lambda", "GetProvisionedConcurrencyConfig", map[string]any{"FunctionName": "warm", "Qualifier": q})
		if err != nil {
			return s.callErr("lambda", "GetProvisionedConcurrencyConfig", map[string]any{"FunctionName": "warm", "Qualifier": q})
		}
		return str(out, "Status")
	}
	// Created only once the environments are READY.
	ver := s.create("AWS::Lambda::Version", "V1", map[string]any{
		"FunctionName": fn.ref(), "ProvisionedConcurrencyConfig": map[string]any{"ProvisionedConcurrentExecutions": "1"},
	})
	if got := status("1"); got != "READY" {
		t.Errorf("version 1 after create: %s", got)
	}
	if got := s.invoke("warm:1", map[string]any{}); got["init"] != "provisioned-concurrency" {
		t.Errorf("version 1 invoked: %v", got)
	}
	ver.delete()

	v2 := s.create("AWS::Lambda::Version", "V2", map[string]any{"FunctionName": fn.ref()})
	al := s.create("AWS::Lambda::Alias", "Live", map[string]any{
		"FunctionName": fn.ref(), "Name": "live", "FunctionVersion": v2.attr("Version"),
		"ProvisionedConcurrencyConfig": map[string]any{"ProvisionedConcurrentExecutions": 1},
	})
	if got := status("live"); got != "READY" {
		t.Errorf("alias after create: %s", got)
	}
	al.update(map[string]any{"FunctionName": fn.ref(), "Name": "live", "FunctionVersion": v2.attr("Version")})
	if got := status("live"); got != "ProvisionedConcurrencyConfigNotFoundException" {
		t.Errorf("alias after the update without it: %s", got)
	}
	al.delete()
	fn.delete()
}

// TestFunctionCreateFailsAfterMaking: a function whose reserved
// concurrency is refused after CreateFunction made it is named in the
// result, so that the rollback deletes it; one CreateFunction refused is
// not.
func TestFunctionCreateFailsAfterMaking(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	role := s.create("AWS::IAM::Role", "Role", map[string]any{"AssumeRolePolicyDocument": trust()})
	props := map[string]any{
		"FunctionName":                 "made",
		"Runtime":                      "python3.12",
		"Handler":                      "index.handler",
		"Role":                         role.attr("Arn"),
		"Code":                         map[string]any{"ZipFile": pythonSource},
		"ReservedConcurrentExecutions": num("100000"), // more than the account has
	}
	if res := s.failedCreate("AWS::Lambda::Function", "Fn", props); res == nil || res.PhysicalID != "made" {
		t.Fatalf("Create: %+v", res)
	}
	s.call("lambda", "GetFunction", map[string]any{"FunctionName": "made"})

	delete(props, "ReservedConcurrentExecutions")
	if res := s.failedCreate("AWS::Lambda::Function", "Fn", props); res != nil {
		t.Fatalf("Create of a taken name: %+v", res)
	}
}
