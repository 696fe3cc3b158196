package lambda

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/virga/virga/internal/pkginstall"
)

func TestAWSPublishedLayers(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const ext = "arn:aws:lambda:us-east-1:177933569100:layer:AWS-Parameters-and-Secrets-Lambda-Extension:11"
	zip := bootstrapZip(t)
	f.ok(201, nil, "POST", "/2018-10-31/layers/libs/versions", map[string]any{"Content": map[string]any{"ZipFile": b64(zip)}})
	own := "arn:aws:lambda:us-east-1:" + testAccount + ":layer:libs:1"
	cfg := f.create("ext", "Layers", []string{own, ext})
	if len(cfg.Layers) != 2 || cfg.Layers[1].Arn != ext || cfg.Layers[1].CodeSize != 0 {
		t.Errorf("Layers = %+v", cfg.Layers)
	}
	f.ok(200, nil, "POST", "/2015-03-31/functions/ext/invocations", []byte(`{}`))
	calls := f.fns.invocations()
	if spec := calls[len(calls)-1].Spec; !spec.ParamsSecrets || len(spec.LayerDirs) != 1 {
		t.Errorf("the extension's Spec: ParamsSecrets %v, %d layer directories", spec.ParamsSecrets, len(spec.LayerDirs))
	}
	// Without the layer, the extension goes with it.
	f.ok(200, nil, "PUT", "/2015-03-31/functions/ext/configuration", map[string]any{"Layers": []string{own}})
	f.ok(200, nil, "POST", "/2015-03-31/functions/ext/invocations", []byte(`{}`))
	calls = f.fns.invocations()
	if calls[len(calls)-1].Spec.ParamsSecrets {
		t.Error("the extension outlived its layer")
	}
	for _, tc := range []struct{ layer, code, msg string }{
		{"arn:aws:lambda:us-east-1:094274105915:layer:AWSLambdaPowertoolsJavaV2:1", "InvalidParameterValueException", "is published by AWS, and virga has no copy of its content"},
		{"arn:aws:lambda:us-east-1:017000801446:layer:SomethingElse:4", "InvalidParameterValueException", "is published by AWS, and virga has no copy of its content"},
		{"arn:aws:lambda:us-east-1:" + testAccount + ":layer:AWS-Parameters-and-Secrets-Lambda-Extension:1", "InvalidParameterValueException", "does not exist"},
		{"arn:aws:lambda:us-east-1:123456789012:layer:other:1", "InvalidParameterValueException", "does not exist"},
		{ext[:len(ext)-2] + "12", "InvalidParameterValueException", "Two different versions of the same layer"},
	} {
		layers := []string{tc.layer}
		if strings.HasSuffix(tc.layer, ":12") {
			layers = []string{ext, tc.layer}
		}
		r := f.do("POST", "/2015-03-31/functions", createBody("refused", zip, "Layers", layers))
		if code, msg := r.errorCode(t); r.Status != 400 || code != tc.code || !strings.Contains(msg, tc.msg) {
			t.Errorf("%s: %d %s %s", tc.layer, r.Status, code, msg)
		}
	}
}

func TestParsePowertools(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		ok       bool
		python   bool
		major    int
		packages string
	}{
		{"AWSLambdaPowertoolsPythonV3-python312-x86_64:7", true, true, 3, "aws-lambda-powertools[all]==3.*"},
		{"AWSLambdaPowertoolsPythonV3-python313-arm64:7", true, true, 3, "aws-lambda-powertools[all]==3.*"},
		{"AWSLambdaPowertoolsPythonV2-Arm64:79", true, true, 2, "aws-lambda-powertools[all]==2.*"},
		{"AWSLambdaPowertoolsPythonV2:79", true, true, 2, "aws-lambda-powertools[all]==2.*"},
		{"AWSLambdaPowertoolsPython:3", true, true, 1, "aws-lambda-powertools[pydantic]==1.*"},
		{"AWSLambdaPowertoolsTypeScriptV2:20", true, false, 2, "@aws-lambda-powertools/commons@2 @aws-lambda-powertools/logger@2 @aws-lambda-powertools/metrics@2 " +
			"@aws-lambda-powertools/tracer@2 @aws-lambda-powertools/parameters@2 @aws-lambda-powertools/idempotency@2 @aws-lambda-powertools/batch@2 " +
			"@aws-lambda-powertools/jmespath@2 @aws-lambda-powertools/parser@2"},
		{"AWSLambdaPowertoolsTypeScript:27", true, false, 1, "@aws-lambda-powertools/commons@1 @aws-lambda-powertools/logger@1 @aws-lambda-powertools/metrics@1 " +
			"@aws-lambda-powertools/tracer@1 @aws-lambda-powertools/parameters@1 @aws-lambda-powertools/idempotency@1 @aws-lambda-powertools/batch@1"},
		{"AWSLambdaPowertoolsTypeScriptV2-x86:20", false, false, 0, ""},
		{"AWSLambdaPowertoolsJavaV2:1", false, false, 0, ""},
		{"AWSLambdaPowertoolsPythonV3:0", false, false, 0, ""},
		{"AWSLambdaPowertoolsPythonV3:x", false, false, 0, ""},
	} {
		p, ok := parsePowertools("arn:aws:lambda:us-east-1:017000801446:layer:" + tc.name)
		if ok != tc.ok || p.python != tc.python || p.major != tc.major || (ok && strings.Join(p.packages(), " ") != tc.packages) {
			t.Errorf("%s: %+v %v, packages %v", tc.name, p, ok, p.packages())
		}
	}
}

func FuzzParsePowertools(f *testing.F) {
	for _, s := range []string{
		"arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python312-x86_64:7",
		"arn:aws:lambda:us-east-1:094274105915:layer:AWSLambdaPowertoolsTypeScriptV2:20",
		"arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPython:3",
		"arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV99:99999999999999999999",
		"arn:aws:lambda:us-east-1:017000801446:layer:x:1", "::::::::", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, arn string) {
		p, ok := parsePowertools(arn)
		if ok && (p.major < 1 || p.version < 1 || len(p.packages()) == 0 || !strings.Contains(arn, p.name)) {
			t.Errorf("%q: %+v", arn, p)
		}
	})
}

// fakePip makes f's functions run Python with a script that, as pip
// install -t . would, puts a package into its working directory and
// records its arguments in the file it returns.
func fakePip(t *testing.T, f *fixture) string {
	t.Helper()
	dir := t.TempDir()
	record := filepath.Join(dir, "pip-args")
	script := filepath.Join(dir, "python")
	body := "#!/bin/sh\nmkdir -p aws_lambda_powertools && echo built > aws_lambda_powertools/__init__.py && echo \"$@\" >> " + record + "\n"
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	f.fns.mu.Lock()
	f.fns.python = script
	f.fns.mu.Unlock()
	return record
}

const powertoolsPython = "arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python312-x86_64:7"

// The Powertools Python layers are installed with the pip of the
// interpreter Python functions run with, not the python3 on PATH.
func TestPowertoolsPythonUsesFunctionsInterpreter(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	record := fakePip(t, f)
	cfg := f.create("pt", "Runtime", "python3.12", "Handler", "app.handler", "Layers", []string{powertoolsPython})
	if len(cfg.Layers) != 1 || cfg.Layers[0].CodeSize == 0 {
		t.Errorf("Layers = %+v", cfg.Layers)
	}
	args, err := os.ReadFile(record)
	if err != nil {
		t.Fatalf("the functions' interpreter did not install the layer: %v", err)
	}
	if want := "-m pip install"; !strings.HasPrefix(string(args), want) || !strings.Contains(string(args), "aws-lambda-powertools[all]==3.*") {
		t.Errorf("interpreter arguments %q", args)
	}
}

// UpdateFunctionConfiguration on a missing function answers
// ResourceNotFoundException without building the layers it names.
func TestUpdateMissingFunctionBuildsNoLayer(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	record := fakePip(t, f)
	r := f.do("PUT", "/2015-03-31/functions/missing/configuration", map[string]any{"Layers": []string{powertoolsPython}})
	if code, _ := r.errorCode(t); r.Status != 404 || code != "ResourceNotFoundException" {
		t.Errorf("%d %s: %s", r.Status, code, r.Body)
	}
	if _, err := os.Stat(record); err == nil {
		t.Error("the layer was built for a function that does not exist")
	}
}

// TestAWSLayerBuildFailureRemembered: a layer build the installer fails
// costs one installer run, not one per request or invocation that
// needs the layer, until pkginstall.RetryAfter has passed; a function
// whose built content is gone is refused at invocation the same way.
func TestAWSLayerBuildFailureRemembered(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tmp := t.TempDir()
	runs, fail := filepath.Join(tmp, "runs"), filepath.Join(tmp, "fail")
	// The interpreter's pip: it records each run, then installs a module
	// into the working directory, or fails as pip does while fail exists.
	python := filepath.Join(tmp, "python3")
	script := "#!/bin/sh\necho run >> " + runs + "\nif [ -e " + fail + " ]; then echo 'ERROR: No matching distribution found'; exit 1; fi\necho x > mod.py\n"
	if err := os.WriteFile(python, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	f.fns.python = python
	count := func() int {
		b, _ := os.ReadFile(runs)
		return strings.Count(string(b), "run")
	}
	refused := func(what string, r response, wantRuns int) {
		t.Helper()
		if code, msg := r.errorCode(t); r.Status != 400 || code != "InvalidParameterValueException" || !strings.Contains(msg, "No matching distribution found") {
			t.Errorf("%s: %d %s %s", what, r.Status, code, msg)
		}
		if got := count(); got != wantRuns {
			t.Errorf("%s: the installer ran %d times, want %d", what, got, wantRuns)
		}
	}
	const layer = "arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python312-x86_64:7"
	zip := bootstrapZip(t)
	if err := os.WriteFile(fail, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	refused("CreateFunction", f.do("POST", "/2015-03-31/functions", createBody("pt-1", zip, "Layers", []string{layer})), 1)
	refused("CreateFunction again", f.do("POST", "/2015-03-31/functions", createBody("pt-2", zip, "Layers", []string{layer})), 1)
	f.clock.Advance(pkginstall.RetryAfter)
	refused("CreateFunction after RetryAfter", f.do("POST", "/2015-03-31/functions", createBody("pt-3", zip, "Layers", []string{layer})), 2)

	// Built, then gone: each invocation would build it again.
	if err := os.Remove(fail); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(pkginstall.RetryAfter)
	f.create("pt-4", "Layers", []string{layer})
	built, _ := filepath.Glob(filepath.Join(f.dataDir, "lambda", "awslayers", "AWSLambdaPowertoolsPythonV3*"))
	if len(built) == 0 {
		t.Fatal("the layer was not built")
	}
	for _, p := range built {
		os.RemoveAll(p)
	}
	if err := os.WriteFile(fail, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if r := f.do("POST", "/2015-03-31/functions/pt-4/invocations", []byte(`{}`)); r.Status == 200 {
			t.Errorf("invocation %d without the layer's content succeeded", i)
		}
	}
	if got := count(); got != 4 {
		t.Errorf("two invocations ran the installer %d times in all, want 4 (one for them)", got)
	}
}
