package e2e_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/virga/virga/internal/e2e"
)

// lambdaRole is the execution role the tests' functions run as.
const lambdaRole = "arn:aws:iam::" + testAccount + ":role/lambda-exec"

// lambdaClient returns a Lambda client of env. Until the lambda service
// is wired into the app these tests cannot run; they say so and skip,
// rather than fail every e2e run.
func lambdaClient(t *testing.T, env *e2e.Env) *lambda.Client {
	t.Helper()
	req, err := http.NewRequest("GET", env.Endpoint+"/2015-03-31/functions/", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 && strings.Contains(string(body), "UnknownOperationException") {
		t.Skip("the lambda service is not wired into internal/app yet")
	}
	c := lambda.NewFromConfig(env.Config)
	if _, err := c.ListFunctions(context.Background(), &lambda.ListFunctionsInput{}); err != nil {
		t.Fatalf("ListFunctions: %v", err)
	}
	return c
}

// zipEntry is one file of a deployment package.
type zipEntry struct {
	name string
	body []byte
	mode fs.FileMode
}

// zipOf builds a zip archive of the entries.
func zipOf(t testing.TB, entries ...zipEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		mode := e.mode
		if mode == 0 {
			mode = 0o644
		}
		h.SetMode(mode)
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(e.body); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// goFunctionZip builds internal/lambda/testfunction, a function written
// with aws-lambda-go, for Linux on this machine's architecture, and
// returns a deployment package with it as the executable bootstrap (for
// the provided runtimes; binary names it too, for go1.x).
func goFunctionZip(t testing.TB, binary string) []byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), binary)
	cmd := exec.Command("go", "build", "-trimpath", "-tags", "lambda.norpc", "-o", out, "github.com/virga/virga/internal/lambda/testfunction")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the test function: %v\n%s", err, b)
	}
	bin, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return zipOf(t, zipEntry{name: binary, body: bin, mode: 0o755})
}

// hostArchitecture is the Lambda architecture of this machine.
func hostArchitecture() lambdatypes.Architecture {
	if runtime.GOARCH == "arm64" {
		return lambdatypes.ArchitectureArm64
	}
	return lambdatypes.ArchitectureX8664
}

// createGoFunction creates a provided.al2023 function from the test
// function and waits until it is Active.
func createGoFunction(t testing.TB, c *lambda.Client, name string, zip []byte, more ...func(*lambda.CreateFunctionInput)) *lambda.CreateFunctionOutput {
	t.Helper()
	in := &lambda.CreateFunctionInput{
		FunctionName:  aws.String(name),
		Runtime:       lambdatypes.RuntimeProvidedal2023,
		Handler:       aws.String("bootstrap"),
		Role:          aws.String(lambdaRole),
		Code:          &lambdatypes.FunctionCode{ZipFile: zip},
		Architectures: []lambdatypes.Architecture{hostArchitecture()},
		Timeout:       aws.Int32(30),
	}
	for _, m := range more {
		m(in)
	}
	ctx := context.Background()
	out, err := c.CreateFunction(ctx, in)
	if err != nil {
		t.Fatalf("CreateFunction(%s): %v", name, err)
	}
	if err := lambda.NewFunctionActiveV2Waiter(c).Wait(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(name)}, 30*time.Second); err != nil {
		t.Fatalf("waiting for %s to be Active: %v", name, err)
	}
	return out
}

// invokeJSON invokes a function synchronously with payload as JSON.
func invokeJSON(t testing.TB, c *lambda.Client, name string, payload any, more ...func(*lambda.InvokeInput)) *lambda.InvokeOutput {
	t.Helper()
	body, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	in := &lambda.InvokeInput{FunctionName: aws.String(name), Payload: body}
	for _, m := range more {
		m(in)
	}
	out, err := c.Invoke(context.Background(), in)
	if err != nil {
		t.Fatalf("Invoke(%s, %s): %v", name, body, err)
	}
	return out
}

// symlinkMode marks a zip entry as a symbolic link.
const symlinkMode = fs.ModeSymlink

func errorsAs(err error, target any) bool { return errors.As(err, target) }

// sameJSON reports whether got is the JSON value want, whatever the
// spacing and key order.
func sameJSON(got []byte, want string) bool {
	var a, b any
	if json.Unmarshal(got, &a) != nil || json.Unmarshal([]byte(want), &b) != nil {
		return false
	}
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}
