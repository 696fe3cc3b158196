package lambda

import (
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestCreateFunctionDefaultsAndStates(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	zip := bootstrapZip(t)
	var created functionConfig
	f.ok(201, &created, "POST", "/2015-03-31/functions", createBody("hello", zip))
	sum := sha256.Sum256(zip)
	want := functionConfig{
		FunctionName: "hello", FunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:hello",
		Runtime: "provided.al2023", Role: testRole, Handler: "bootstrap", Description: "",
		CodeSize: int64(len(zip)), CodeSha256: base64.StdEncoding.EncodeToString(sum[:]), Version: "$LATEST",
		Timeout: 3, MemorySize: 128, LastModified: "2024-03-04T05:06:07.890+0000",
		State: "Pending", StateReason: "The function is being created.", StateReasonCode: "Creating",
		PackageType: "Zip", Architectures: []string{"x86_64"},
	}
	want.EphemeralStorage.Size = 512
	want.TracingConfig.Mode = "PassThrough"
	want.LoggingConfig.LogFormat, want.LoggingConfig.LogGroup = "Text", "/aws/lambda/hello"
	want.RevisionId = created.RevisionId
	if created.RevisionId == "" || !equalJSON(t, created, want) {
		t.Errorf("CreateFunction =\n%+v\nwant\n%+v", created, want)
	}

	// Once created, the function is Active, and its last update
	// Successful; the change of state gave it a new revision.
	var got struct {
		Configuration functionConfig
		Code          struct{ RepositoryType, Location string }
		Tags          map[string]string
	}
	f.ok(200, &got, "GET", "/2015-03-31/functions/hello", nil)
	if c := got.Configuration; c.State != "Active" || c.StateReason != "" || c.LastUpdateStatus != "Successful" || c.RevisionId == created.RevisionId || c.RevisionId == "" {
		t.Errorf("GetFunction configuration: %+v", c)
	}
	if got.Code.RepositoryType != "S3" || !strings.HasPrefix(got.Code.Location, "http://localhost.test:4566"+CodePath) {
		t.Errorf("GetFunction code: %+v", got.Code)
	}
	if got.Tags != nil {
		t.Errorf("Tags = %v for a function without tags", got.Tags)
	}

	// Code.Location downloads the package, until it expires.
	h := f.svc.CodeHandler()
	get := func(url string) (int, []byte) {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", url, nil))
		b, _ := io.ReadAll(w.Result().Body)
		return w.Code, b
	}
	if status, body := get(got.Code.Location); status != 200 || string(body) != string(zip) {
		t.Errorf("downloading Code.Location: HTTP %d, %d bytes, want the %d bytes uploaded", status, len(body), len(zip))
	}
	if status, body := get(strings.Replace(got.Code.Location, "Signature=", "Signature=0", 1)); status != 403 || !contains(string(body), "AccessDenied") {
		t.Errorf("tampered URL: HTTP %d %s", status, body)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("DELETE", got.Code.Location, nil))
	if w.Code != http.StatusMethodNotAllowed {
		t.Errorf("DELETE on Code.Location: HTTP %d", w.Code)
	}
	f.clock.Advance(codeURLLifetime + time.Second)
	if status, body := get(got.Code.Location); status != 403 || !contains(string(body), "Request has expired") {
		t.Errorf("expired URL: HTTP %d %s", status, body)
	}

	// The configuration alone, by name, partial ARN, ARN and $LATEST.
	for _, name := range []string{"hello", "000000000000:function:hello", "arn:aws:lambda:us-east-1:000000000000:function:hello"} {
		var c functionConfig
		f.ok(200, &c, "GET", "/2015-03-31/functions/"+name+"/configuration", nil)
		if c.FunctionName != "hello" || c.FunctionArn != want.FunctionArn {
			t.Errorf("GetFunctionConfiguration(%s) = %s %s", name, c.FunctionName, c.FunctionArn)
		}
	}
	var latestCfg functionConfig
	f.ok(200, &latestCfg, "GET", "/2015-03-31/functions/hello/configuration?Qualifier=$LATEST", nil)
	if latestCfg.FunctionArn != want.FunctionArn+":$LATEST" {
		t.Errorf("FunctionArn with Qualifier $LATEST = %s", latestCfg.FunctionArn)
	}
}

func TestCreateFunctionSettings(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.create("full",
		"Description", "all of it", "Timeout", 900, "MemorySize", 10240, "Runtime", "python3.12", "Handler", "app.handler",
		"Environment", map[string]any{"Variables": map[string]string{"GREETING": "hi", "AWS_ENDPOINT_URL": "http://x"}},
		"EphemeralStorage", map[string]any{"Size": 10240}, "Architectures", []string{"arm64"},
		"TracingConfig", map[string]any{"Mode": "Active"},
		"LoggingConfig", map[string]any{"LogFormat": "JSON"},
		"Tags", map[string]string{"team": "a"})
	if c.Description != "all of it" || c.Timeout != 900 || c.MemorySize != 10240 || c.Runtime != "python3.12" ||
		c.Environment == nil || c.Environment.Variables["GREETING"] != "hi" || c.EphemeralStorage.Size != 10240 ||
		c.Architectures[0] != "arm64" || c.TracingConfig.Mode != "Active" ||
		c.LoggingConfig.LogFormat != "JSON" || c.LoggingConfig.ApplicationLogLevel != "INFO" || c.LoggingConfig.SystemLogLevel != "INFO" {
		t.Errorf("CreateFunction = %+v", c)
	}
	var got struct{ Tags map[string]string }
	f.ok(200, &got, "GET", "/2015-03-31/functions/full", nil)
	if got.Tags["team"] != "a" {
		t.Errorf("Tags = %v", got.Tags)
	}
	// Every runtime AWS accepts today is accepted, interpreted or not.
	for _, r := range []string{"python3.9", "python3.14", "nodejs18.x", "nodejs24.x", "provided", "provided.al2", "go1.x", "java21", "java25", "dotnet8", "dotnet10", "ruby3.3", "ruby3.4", "ruby4.0", "java8.al2023", "java11.al2023", "java17.al2023", "nodejs26.x", "python3.15"} {
		f.create("rt-"+strings.NewReplacer(".", "-").Replace(r), "Runtime", r)
	}
	// Publish makes version 1 at once; Lambda answers with its
	// configuration, Pending, under the unqualified ARN.
	var pub functionConfig
	f.ok(201, &pub, "POST", "/2015-03-31/functions", createBody("published", bootstrapZip(t), "Publish", true))
	if pub.Version != "1" || pub.FunctionArn != "arn:aws:lambda:us-east-1:000000000000:function:published" || pub.State != "Pending" {
		t.Errorf("CreateFunction with Publish = %s %s %s", pub.Version, pub.FunctionArn, pub.State)
	}
}

func TestCreateFunctionErrors(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.create("taken")
	zip := bootstrapZip(t)
	for _, tc := range []struct {
		name    string
		body    map[string]any
		code    string
		status  int
		message string
	}{
		{"exists", createBody("taken", zip), "ResourceConflictException", 409, "Function already exist: taken"},
		{"image with a handler", createBody("img", zip, "PackageType", "Image"), "InvalidParameterValueException", 400,
			"Please don't provide Handler or Runtime or Layer when the intended function PackageType is Image."},
		{"image of another account", map[string]any{"FunctionName": "img", "PackageType": "Image", "Role": testRole,
			"Code": map[string]any{"ImageUri": "111122223333.dkr.ecr.us-east-1.amazonaws.com/app:v1"}}, "InvalidParameterValueException", 400,
			"Source image 111122223333.dkr.ecr.us-east-1.amazonaws.com/app:v1 is not valid. Provide a valid source image."},
		{"image of another region", map[string]any{"FunctionName": "img", "PackageType": "Image", "Role": testRole,
			"Code": map[string]any{"ImageUri": "000000000000.dkr.ecr.eu-west-1.amazonaws.com/app:v1"}}, "InvalidParameterValueException", 400,
			"Source image 000000000000.dkr.ecr.eu-west-1.amazonaws.com/app:v1 is not valid. Provide a valid source image."},
		{"image not in ECR", map[string]any{"FunctionName": "img", "PackageType": "Image", "Role": testRole,
			"Code": map[string]any{"ImageUri": "docker.io/library/alpine:3"}}, "InvalidParameterValueException", 400,
			"Source image docker.io/library/alpine:3 is not valid. Provide a valid source image."},
		{"missing image", map[string]any{"FunctionName": "img", "PackageType": "Image", "Role": testRole,
			"Code": map[string]any{"ImageUri": "000000000000.dkr.ecr.us-east-1.amazonaws.com/app:v1"}}, "InvalidParameterValueException", 400,
			"Source image 000000000000.dkr.ecr.us-east-1.amazonaws.com/app:v1 does not exist. Provide a valid source image."},
		{"image without a URI", map[string]any{"FunctionName": "img", "PackageType": "Image", "Role": testRole,
			"Code": map[string]any{}}, "InvalidParameterValueException", 400, "Please provide a source for function code."},
		{"no runtime", createBody("nr", zip, "Runtime", nil), "InvalidParameterValueException", 400,
			"Runtime and Handler are mandatory parameters for functions created with deployment packages."},
		{"no handler", createBody("nh", zip, "Handler", nil), "InvalidParameterValueException", 400, "Runtime and Handler are mandatory"},
		{"retired runtime", createBody("old", zip, "Runtime", "python2.7"), "InvalidParameterValueException", 400,
			"The runtime parameter of python2.7 is no longer supported for creating or updating AWS Lambda functions. We recommend you use the new runtime (python3.13) while creating or updating functions."},
		// Lambda checks the runtime itself: InvalidParameterValueException,
		// the value unquoted, and "or be a valid ARN" after the set.
		{"unknown runtime", createBody("unk", zip, "Runtime", "cobol85"), "InvalidParameterValueException", 400,
			"Value cobol85 at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: ["},
		{"memory low", createBody("m", zip, "MemorySize", 64), "ValidationException", 400,
			"1 validation error detected: Value '64' at 'memorySize' failed to satisfy constraint: Member must have value greater than or equal to 128"},
		{"memory high", createBody("m", zip, "MemorySize", 10241), "ValidationException", 400, "Member must have value less than or equal to 10240"},
		{"timeout", createBody("to", zip, "Timeout", 901), "ValidationException", 400,
			"Value '901' at 'timeout' failed to satisfy constraint: Member must have value less than or equal to 900"},
		{"timeout zero", createBody("to", zip, "Timeout", 0), "ValidationException", 400, "Member must have value greater than or equal to 1"},
		{"ephemeral", createBody("eph", zip, "EphemeralStorage", map[string]any{"Size": 100}), "ValidationException", 400,
			"Value '100' at 'ephemeralStorage.size' failed to satisfy constraint: Member must have value greater than or equal to 512"},
		{"role", createBody("role", zip, "Role", "not-a-role"), "ValidationException", 400, "at 'role' failed to satisfy constraint"},
		{"no role", createBody("role", zip, "Role", nil), "ValidationException", 400, "Value null at 'role' failed to satisfy constraint: Member must not be null"},
		{"bad name", createBody("has space", zip), "ValidationException", 400, "at 'functionName' failed to satisfy constraint"},
		{"qualified name", createBody("q:1", zip), "InvalidParameterValueException", 400, "cannot have a qualifier"},
		{"reserved env", createBody("env", zip, "Environment", map[string]any{"Variables": map[string]string{"AWS_REGION": "x", "OK": "y"}}),
			"InvalidParameterValueException", 400, "Reserved keys used in this request: AWS_REGION"},
		{"bad env name", createBody("env", zip, "Environment", map[string]any{"Variables": map[string]string{"1X": "y"}}),
			"ValidationException", 400, "Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]"},
		{"env too big", createBody("env", zip, "Environment", map[string]any{"Variables": map[string]string{"BIG": strings.Repeat("x", 4096)}}),
			"InvalidParameterValueException", 400, "exceeded the 4KB limit. String measured: {\"BIG\":"},
		{"text log levels", createBody("lg", zip, "LoggingConfig", map[string]any{"ApplicationLogLevel": "DEBUG"}),
			"InvalidParameterValueException", 400, "LogLevel is not supported when LogFormat is set to \"Text\"."},
		{"s3 code", map[string]any{"FunctionName": "s3", "Runtime": "python3.12", "Role": testRole, "Handler": "a.b",
			"Code": map[string]any{"S3Bucket": "bucket", "S3Key": "k.zip"}}, "InvalidParameterValueException", 400,
			"Error occurred while GetObject. S3 Error Code: NoSuchBucket. S3 Error Message: The specified bucket does not exist"},
		{"no code", map[string]any{"FunctionName": "nc", "Runtime": "python3.12", "Role": testRole, "Handler": "a.b", "Code": map[string]any{}},
			"InvalidParameterValueException", 400, "Please provide a source for function code."},
		{"not a zip", createBody("nz", []byte("not a zip at all")), "InvalidParameterValueException", 400,
			"Could not unzip uploaded file. Please check your file, then try to upload again."},
		{"empty zip", createBody("ez", makeZip(t)), "InvalidParameterValueException", 400, "Uploaded file must be a non-empty zip"},
		{"traversal", createBody("tr", makeZip(t, zf{name: "../evil", body: "x"})), "InvalidParameterValueException", 400, "Could not unzip uploaded file."},
		{"escaping link", createBody("ln", makeZip(t, zf{name: "link", body: "../../../etc", mode: 0o777 | os.ModeSymlink})),
			"InvalidParameterValueException", 400, "Could not unzip uploaded file."},
		{"missing layer", createBody("ml", zip, "Layers", []string{"arn:aws:lambda:us-east-1:000000000000:layer:nope:1"}),
			"InvalidParameterValueException", 400, "Layer version arn:aws:lambda:us-east-1:000000000000:layer:nope:1 does not exist."},
		{"too many layers", createBody("tml", zip, "Layers", []string{
			"arn:aws:lambda:us-east-1:000000000000:layer:a:1", "arn:aws:lambda:us-east-1:000000000000:layer:b:1",
			"arn:aws:lambda:us-east-1:000000000000:layer:c:1", "arn:aws:lambda:us-east-1:000000000000:layer:d:1",
			"arn:aws:lambda:us-east-1:000000000000:layer:e:1", "arn:aws:lambda:us-east-1:000000000000:layer:f:1"}),
			"InvalidParameterValueException", 400, "Cannot reference more than 5 layers."},
	} {
		msg := f.fails(tc.code, tc.status, "POST", "/2015-03-31/functions", tc.body)
		if !strings.Contains(msg, tc.message) {
			t.Errorf("%s: message %q, want it to contain %q", tc.name, msg, tc.message)
		}
	}
	// Nothing was left behind by the failures: one function, one
	// extracted package.
	var list struct{ Functions []functionConfig }
	f.ok(200, &list, "GET", "/2015-03-31/functions/", nil)
	if len(list.Functions) != 1 {
		t.Errorf("%d functions after failed creations, want 1", len(list.Functions))
	}
	entries, _ := os.ReadDir(f.svc.codeRoot)
	var dirs []string
	for _, e := range entries {
		if e.IsDir() {
			dirs = append(dirs, e.Name())
		}
	}
	if len(dirs) != 1 {
		t.Errorf("extraction cache holds %v, want one package", dirs)
	}
}

func TestPackageIsExtractedWithModes(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	zip := makeZip(t,
		zf{name: "bootstrap", body: "#!/bin/sh\n", mode: 0o755},
		zf{name: "lib/", mode: 0o755 | os.ModeDir},
		zf{name: "lib/data.txt", body: "data", mode: 0o600},
		zf{name: "noexec", body: "#!/bin/sh\n", mode: 0o644},
		zf{name: "current", body: "lib", mode: 0o777 | os.ModeSymlink},
		zf{name: "layerlib", body: "/opt/lib", mode: 0o777 | os.ModeSymlink},
	)
	f.ok(201, nil, "POST", "/2015-03-31/functions", createBody("modes", zip))
	f.ok(200, nil, "POST", "/2015-03-31/functions/modes/invocations", []byte(`{}`))
	spec := f.fns.invocations()[0].Spec
	for name, want := range map[string]os.FileMode{"bootstrap": 0o755, "lib/data.txt": 0o600, "noexec": 0o644} {
		fi, err := os.Stat(filepath.Join(spec.CodeDir, name))
		if err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s: %v, mode %v, want %v", name, err, fi.Mode().Perm(), want)
		}
	}
	if b, err := os.ReadFile(filepath.Join(spec.CodeDir, "current", "data.txt")); err != nil || string(b) != "data" {
		t.Errorf("reading through the package's own link: %q, %v", b, err)
	}
	if dest, err := os.Readlink(filepath.Join(spec.CodeDir, "layerlib")); err != nil || dest != "/opt/lib" {
		t.Errorf("link into /opt: %q, %v", dest, err)
	}
}

// equalJSON compares two values by their JSON forms.
func equalJSON(t testing.TB, a, b any) bool {
	t.Helper()
	return mustJSON(t, a) == mustJSON(t, b)
}
