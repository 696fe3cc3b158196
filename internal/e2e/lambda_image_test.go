package e2e_test

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/virga/virga/internal/e2e"
	"github.com/virga/virga/internal/testenv"
)

// functionImage builds internal/lambda/testfunction (aws-lambda-go) as a
// static binary and makes a one-layer image with it as the entry point
// (/main), CMD handler.default, WORKDIR /var/task and IMAGE_VERSION set
// to version.
func functionImage(t *testing.T, bin []byte, version string) v1.Image {
	t.Helper()
	var layer bytes.Buffer
	tw := tar.NewWriter(&layer)
	for _, d := range []string{"tmp/", "var/", "var/task/"} {
		tw.WriteHeader(&tar.Header{Name: d, Typeflag: tar.TypeDir, Mode: 0o777})
	}
	tw.WriteHeader(&tar.Header{Name: "main", Typeflag: tar.TypeReg, Mode: 0o755, Size: int64(len(bin))})
	tw.Write(bin)
	tw.Close()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(layer.Bytes())), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	img, err := mutate.AppendLayers(empty.Image, l)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf.Architecture, cf.OS = runtime.GOARCH, "linux"
	cf.Config = v1.Config{
		Entrypoint: []string{"/main"},
		Cmd:        []string{"handler.default"},
		WorkingDir: "/var/task",
		Env:        []string{"PATH=/usr/local/bin:/usr/bin:/bin", "IMAGE_VERSION=" + version},
	}
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		t.Fatal(err)
	}
	return img
}

func TestLambdaImageFunction(t *testing.T) {
	testenv.Containers(t)
	t.Parallel()
	env := e2e.Start(t, sigv4Mode)
	ctx := context.Background()
	repos := ecr.NewFromConfig(env.Config)
	c := lambdaClient(t, env)
	repo := createRepo(t, repos, "fn")
	tok, err := repos.GetAuthorizationToken(ctx, &ecr.GetAuthorizationTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.StdEncoding.DecodeString(*tok.AuthorizationData[0].AuthorizationToken)
	user, pass, _ := strings.Cut(string(raw), ":")
	out := filepath.Join(t.TempDir(), "main")
	cmd := exec.Command("go", "build", "-trimpath", "-tags", "lambda.norpc", "-o", out, "github.com/virga/virga/internal/lambda/testfunction")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the test function: %v\n%s", err, b)
	}
	bin, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	push := func(tag, version string) v1.Hash {
		img := functionImage(t, bin, version)
		r, err := name.ParseReference(*repo.RepositoryUri+":"+tag, name.Insecure)
		if err != nil {
			t.Fatal(err)
		}
		if err := remote.Write(r, img, remote.WithTransport(registryTransport(env)), remote.WithAuth(&authn.Basic{Username: user, Password: pass})); err != nil {
			t.Fatalf("pushing %s: %v", tag, err)
		}
		d, err := img.Digest()
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	d1 := push("v1", "v1")
	uri := *repo.RepositoryUri + ":v1"

	create := func(m func(*lambda.CreateFunctionInput)) (*lambda.CreateFunctionOutput, error) {
		in := &lambda.CreateFunctionInput{
			FunctionName: aws.String("img"),
			PackageType:  lambdatypes.PackageTypeImage,
			Role:         aws.String(lambdaRole),
			Code:         &lambdatypes.FunctionCode{ImageUri: aws.String(uri)},
			MemorySize:   aws.Int32(256),
			Timeout:      aws.Int32(3),
			Environment:  &lambdatypes.Environment{Variables: map[string]string{"FOO": "bar"}},
		}
		if m != nil {
			m(in)
		}
		return c.CreateFunction(ctx, in)
	}
	// Lambda's refusals.
	for _, tc := range []struct {
		what string
		m    func(*lambda.CreateFunctionInput)
		want string
	}{
		{"a handler", func(in *lambda.CreateFunctionInput) { in.Handler = aws.String("main") },
			"Please don't provide Handler or Runtime or Layer when the intended function PackageType is Image."},
		{"a runtime", func(in *lambda.CreateFunctionInput) { in.Runtime = lambdatypes.RuntimeProvidedal2023 },
			"Please don't provide Handler or Runtime or Layer when the intended function PackageType is Image."},
		{"a missing tag", func(in *lambda.CreateFunctionInput) { in.Code.ImageUri = aws.String(*repo.RepositoryUri + ":nope") },
			"Source image " + *repo.RepositoryUri + ":nope does not exist. Provide a valid source image."},
		{"a missing repository", func(in *lambda.CreateFunctionInput) {
			in.Code.ImageUri = aws.String(testAccount + ".dkr.ecr.us-east-1.amazonaws.com/none:v1")
		}, "Source image " + testAccount + ".dkr.ecr.us-east-1.amazonaws.com/none:v1 does not exist. Provide a valid source image."},
		{"another account's image", func(in *lambda.CreateFunctionInput) {
			in.Code.ImageUri = aws.String("111122223333.dkr.ecr.us-east-1.amazonaws.com/fn:v1")
		}, "Source image 111122223333.dkr.ecr.us-east-1.amazonaws.com/fn:v1 is not valid. Provide a valid source image."},
		{"no tag", func(in *lambda.CreateFunctionInput) { in.Code.ImageUri = repo.RepositoryUri },
			"Source image " + *repo.RepositoryUri + " is not valid. Provide a valid source image."},
	} {
		_, err := create(tc.m)
		var ipe *lambdatypes.InvalidParameterValueException
		if !errorsAs(err, &ipe) || ipe.ErrorMessage() != tc.want {
			t.Errorf("CreateFunction with %s: %v, want %q", tc.what, err, tc.want)
		}
	}

	if _, err := create(nil); err != nil {
		t.Fatalf("CreateFunction: %v", err)
	}
	got, err := c.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("img")})
	if err != nil {
		t.Fatal(err)
	}
	if got.Configuration.PackageType != lambdatypes.PackageTypeImage || got.Configuration.Handler != nil || got.Configuration.Runtime != "" {
		t.Errorf("configuration: PackageType %q, Handler %v, Runtime %q", got.Configuration.PackageType, got.Configuration.Handler, got.Configuration.Runtime)
	}
	if aws.ToString(got.Code.RepositoryType) != "ECR" || aws.ToString(got.Code.ImageUri) != uri ||
		aws.ToString(got.Code.ResolvedImageUri) != *repo.RepositoryUri+"@"+d1.String() {
		t.Errorf("code: %+v", got.Code)
	}
	if aws.ToString(got.Configuration.CodeSha256) != d1.Hex {
		t.Errorf("CodeSha256 %q, want %q", aws.ToString(got.Configuration.CodeSha256), d1.Hex)
	}

	// Cold, then warm.
	start := time.Now()
	res := invokeJSON(t, c, "img", map[string]any{"op": "echo", "n": 1}, func(in *lambda.InvokeInput) { in.LogType = lambdatypes.LogTypeTail })
	cold := time.Since(start)
	if res.FunctionError != nil || !sameJSON(res.Payload, `{"op":"echo","n":1}`) {
		t.Fatalf("cold invoke: %v %s", aws.ToString(res.FunctionError), res.Payload)
	}
	tail, _ := base64.StdEncoding.DecodeString(aws.ToString(res.LogResult))
	if !strings.Contains(string(tail), "Init Duration:") || !strings.Contains(string(tail), "Memory Size: 256 MB") ||
		strings.Contains(string(tail), "Max Memory Used: 0 MB") {
		t.Errorf("cold REPORT: %s", tail)
	}
	coldReport := string(tail[strings.Index(string(tail), "REPORT"):])
	start = time.Now()
	res = invokeJSON(t, c, "img", map[string]any{"op": "echo", "n": 2}, func(in *lambda.InvokeInput) { in.LogType = lambdatypes.LogTypeTail })
	warm := time.Since(start)
	tail, _ = base64.StdEncoding.DecodeString(aws.ToString(res.LogResult))
	if !sameJSON(res.Payload, `{"op":"echo","n":2}`) || strings.Contains(string(tail), "Init Duration:") {
		t.Errorf("warm invoke: %s, log %s", res.Payload, tail)
	}
	t.Logf("image function: cold invoke %v, warm invoke %v; cold %s", cold, warm, strings.TrimSpace(coldReport))

	var vars struct {
		Env map[string]string `json:"env"`
	}
	res = invokeJSON(t, c, "img", map[string]any{"op": "env", "names": []string{"FOO", "IMAGE_VERSION", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_RUNTIME_API"}})
	if err := json.Unmarshal(res.Payload, &vars); err != nil {
		t.Fatalf("env: %s", res.Payload)
	}
	if vars.Env["FOO"] != "bar" || vars.Env["IMAGE_VERSION"] != "v1" || vars.Env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] != "256" ||
		!strings.HasPrefix(vars.Env["AWS_LAMBDA_RUNTIME_API"], "127.0.0.1:") {
		t.Errorf("env: %v", vars.Env)
	}
	var args struct {
		Args []string `json:"args"`
		WD   string   `json:"wd"`
	}
	res = invokeJSON(t, c, "img", map[string]any{"op": "args"})
	if json.Unmarshal(res.Payload, &args); strings.Join(args.Args, " ") != "/main handler.default" || args.WD != "/var/task" {
		t.Errorf("args: %s", res.Payload)
	}

	// The function's error, as for a zip function.
	res = invokeJSON(t, c, "img", map[string]any{"op": "fail", "message": "boom"})
	if aws.ToString(res.FunctionError) != "Unhandled" || !sameJSON(res.Payload, `{"errorMessage":"boom","errorType":"errorString"}`) {
		t.Errorf("fail: %v %s", aws.ToString(res.FunctionError), res.Payload)
	}
	// The timeout.
	res = invokeJSON(t, c, "img", map[string]any{"op": "sleep", "ms": 10000})
	if aws.ToString(res.FunctionError) != "Unhandled" || !strings.Contains(string(res.Payload), "Task timed out after 3.00 seconds") {
		t.Errorf("timeout: %v %s", aws.ToString(res.FunctionError), res.Payload)
	}

	// ImageConfig overrides the image's CMD and WORKDIR.
	if _, err := c.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{
		FunctionName: aws.String("img"),
		ImageConfig:  &lambdatypes.ImageConfig{Command: []string{"other.handler"}, WorkingDirectory: aws.String("/tmp")},
	}); err != nil {
		t.Fatal(err)
	}
	res = invokeJSON(t, c, "img", map[string]any{"op": "args"})
	if json.Unmarshal(res.Payload, &args); strings.Join(args.Args, " ") != "/main other.handler" || args.WD != "/tmp" {
		t.Errorf("args with ImageConfig: %s", res.Payload)
	}
	// An EntryPoint alone keeps the image's CMD.
	if _, err := c.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{
		FunctionName: aws.String("img"),
		ImageConfig:  &lambdatypes.ImageConfig{EntryPoint: []string{"/main", "-v"}},
	}); err != nil {
		t.Fatal(err)
	}
	res = invokeJSON(t, c, "img", map[string]any{"op": "args"})
	if json.Unmarshal(res.Payload, &args); strings.Join(args.Args, " ") != "/main -v handler.default" || args.WD != "/var/task" {
		t.Errorf("args with an EntryPoint: %s", res.Payload)
	}
	if _, err := c.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{
		FunctionName: aws.String("img"),
		ImageConfig:  &lambdatypes.ImageConfig{Command: []string{"other.handler"}},
	}); err != nil {
		t.Fatal(err)
	}
	cfg, err := c.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String("img")})
	if err != nil {
		t.Fatal(err)
	}
	if ic := cfg.ImageConfigResponse; ic == nil || ic.ImageConfig == nil || strings.Join(ic.ImageConfig.Command, " ") != "other.handler" {
		t.Errorf("ImageConfigResponse: %+v", cfg.ImageConfigResponse)
	}
	if _, err := c.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{
		FunctionName: aws.String("img"), Handler: aws.String("main"),
	}); err == nil || !strings.Contains(err.Error(), "Please don't provide Handler or Runtime or Layer") {
		t.Errorf("UpdateFunctionConfiguration with a handler: %v", err)
	}

	// A new image: the function runs its digest.
	if _, err := c.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{
		FunctionName: aws.String("img"), ZipFile: []byte("PK"),
	}); err == nil || !strings.Contains(err.Error(), "Please provide ImageUri when updating a function with packageType Image.") {
		t.Errorf("UpdateFunctionCode with a zip: %v", err)
	}
	d2 := push("v2", "v2")
	if _, err := c.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{
		FunctionName: aws.String("img"), ImageUri: aws.String(*repo.RepositoryUri + ":v2"),
	}); err != nil {
		t.Fatal(err)
	}
	res = invokeJSON(t, c, "img", map[string]any{"op": "env", "names": []string{"IMAGE_VERSION"}})
	if json.Unmarshal(res.Payload, &vars); vars.Env["IMAGE_VERSION"] != "v2" {
		t.Errorf("after UpdateFunctionCode: %s", res.Payload)
	}
	got, err = c.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("img")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.Code.ResolvedImageUri) != *repo.RepositoryUri+"@"+d2.String() {
		t.Errorf("ResolvedImageUri after update: %s", aws.ToString(got.Code.ResolvedImageUri))
	}

	// An entry point the image does not have: the environment cannot
	// start, as Lambda answers it.
	if _, err := c.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{
		FunctionName: aws.String("img"),
		ImageConfig:  &lambdatypes.ImageConfig{EntryPoint: []string{"/no/such/binary"}},
	}); err != nil {
		t.Fatal(err)
	}
	res = invokeJSON(t, c, "img", map[string]any{"op": "echo"})
	var doc struct{ ErrorType string }
	if json.Unmarshal(res.Payload, &doc); aws.ToString(res.FunctionError) != "Unhandled" || doc.ErrorType != "Runtime.InvalidEntrypoint" {
		t.Errorf("a missing entry point: %v %s", aws.ToString(res.FunctionError), res.Payload)
	}
}
