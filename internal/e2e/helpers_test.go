package e2e_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/virga/virga/internal/e2e"
)

// testAccount is the account virga runs as by default.
const testAccount = "000000000000"

// stsAPIVersion is STS's awsQuery Version parameter.
const stsAPIVersion = "2011-06-15"

// stsClient is an STS client of env signing with the given credentials.
func stsClient(env *e2e.Env, key, secret, token string) *sts.Client {
	return sts.NewFromConfig(e2e.ClientConfig(env.Endpoint, env.Cfg.Region, key, secret, token))
}

// apiError is what a client learns from an AWS error: the code, the
// message and the HTTP status.
type apiError struct {
	Code, Message string
	Status        int
}

// wantAPIError asserts that err is an AWS API error and returns it.
func wantAPIError(t testing.TB, err error) apiError {
	t.Helper()
	if err == nil {
		t.Fatal("call succeeded; want an AWS error")
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error is not a smithy.APIError: %v", err)
	}
	out := apiError{Code: ae.ErrorCode(), Message: ae.ErrorMessage()}
	var re *awshttp.ResponseError
	if !errors.As(err, &re) {
		t.Fatalf("error carries no HTTP response: %v", err)
	}
	out.Status = re.HTTPStatusCode()
	if re.ServiceRequestID() == "" {
		t.Errorf("error %s carries no request id", out.Code)
	}
	return out
}

// expectAPIError asserts err's code and status.
func expectAPIError(t testing.TB, err error, code string, status int) apiError {
	t.Helper()
	got := wantAPIError(t, err)
	if got.Code != code || got.Status != status {
		t.Fatalf("error = %s (HTTP %d): %q; want %s (HTTP %d)", got.Code, got.Status, got.Message, code, status)
	}
	return got
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// rawRequest is one HTTP request to env, built by hand where an SDK would
// refuse to send it.
type rawRequest struct {
	Method  string
	Path    string // with query, default "/"
	Body    string
	Headers map[string]string
	// Sign, when set, signs the request with these credentials for
	// service (default "sts") at SignAt (default now).
	Sign    *aws.Credentials
	Service string
	SignAt  time.Time
}

// rawResponse is what came back.
type rawResponse struct {
	Status int
	Header http.Header
	Body   []byte
}

// do sends req to env and reads the whole response.
func do(t testing.TB, env *e2e.Env, req rawRequest) rawResponse {
	t.Helper()
	return doWith(t, http.DefaultClient, env.Endpoint, req)
}

func doWith(t testing.TB, client *http.Client, endpoint string, req rawRequest) rawResponse {
	t.Helper()
	if req.Method == "" {
		req.Method = http.MethodPost
	}
	if req.Path == "" {
		req.Path = "/"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	hr, err := http.NewRequestWithContext(ctx, req.Method, endpoint+req.Path, strings.NewReader(req.Body))
	if err != nil {
		t.Fatal(err)
	}
	if req.Body == "" {
		hr.Body = http.NoBody
	}
	for k, v := range req.Headers {
		if strings.EqualFold(k, "Host") {
			hr.Host = v
			continue
		}
		hr.Header.Set(k, v)
	}
	if req.Sign != nil {
		service := req.Service
		if service == "" {
			service = "sts"
		}
		at := req.SignAt
		if at.IsZero() {
			at = time.Now()
		}
		if err := v4.NewSigner().SignHTTP(ctx, *req.Sign, hr, sha256Hex([]byte(req.Body)), service, "us-east-1", at); err != nil {
			t.Fatal(err)
		}
	}
	resp, err := client.Do(hr)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading response: %v", req.Method, req.Path, err)
	}
	return rawResponse{Status: resp.StatusCode, Header: resp.Header, Body: body}
}

// formPost is a signed (test:test) awsQuery POST to STS.
func formPost(body string) rawRequest {
	return rawRequest{
		Body:    body,
		Headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
		Sign:    &aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"},
	}
}

// queryError is the awsQuery error body.
type queryError struct {
	XMLName xml.Name `xml:"ErrorResponse"`
	Error   struct {
		Type    string
		Code    string
		Message string
	}
	RequestID string `xml:"RequestId"`
}

// wantQueryError asserts that resp is an awsQuery error with the code and
// status, whose body's request id is the header's, and returns it.
func wantQueryError(t testing.TB, resp rawResponse, status int, code string) queryError {
	t.Helper()
	var e queryError
	if err := xml.Unmarshal(resp.Body, &e); err != nil {
		t.Fatalf("HTTP %d, body is not an awsQuery ErrorResponse (%v):\n%s", resp.Status, err, resp.Body)
	}
	if resp.Status != status || e.Error.Code != code {
		t.Fatalf("got HTTP %d %s (%q), want HTTP %d %s\n%s", resp.Status, e.Error.Code, e.Error.Message, status, code, resp.Body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/xml") {
		t.Errorf("Content-Type = %q, want text/xml", ct)
	}
	wantType := "Sender"
	if status >= 500 {
		wantType = "Receiver"
	}
	if e.Error.Type != wantType {
		t.Errorf("Error.Type = %q, want %q", e.Error.Type, wantType)
	}
	id := resp.Header.Get("X-Amzn-Requestid")
	if id == "" || e.RequestID != id {
		t.Errorf("body RequestId %q, header x-amzn-RequestId %q: want the same, non-empty", e.RequestID, id)
	}
	return e
}

// jsonError is the awsJson error body.
type jsonError struct {
	Type    string `json:"__type"`
	Message string `json:"message"`
}

// wantJSONError asserts that resp is an awsJson error with the code and
// status and returns it.
func wantJSONError(t testing.TB, resp rawResponse, status int, code string) jsonError {
	t.Helper()
	var e jsonError
	if err := json.Unmarshal(resp.Body, &e); err != nil {
		t.Fatalf("HTTP %d, body is not JSON (%v):\n%s", resp.Status, err, resp.Body)
	}
	if resp.Status != status || e.Type != code {
		t.Fatalf("got HTTP %d %s (%q), want HTTP %d %s\n%s", resp.Status, e.Type, e.Message, status, code, resp.Body)
	}
	if got := resp.Header.Get("X-Amzn-ErrorType"); got != code {
		t.Errorf("X-Amzn-ErrorType = %q, want %q", got, code)
	}
	if resp.Header.Get("X-Amzn-Requestid") == "" {
		t.Error("response has no x-amzn-RequestId")
	}
	return e
}

// wantHealthy asserts that virga still answers its health check.
func wantHealthy(t testing.TB, env *e2e.Env) {
	t.Helper()
	resp := do(t, env, rawRequest{Method: http.MethodGet, Path: "/_virga/health"})
	if resp.Status != http.StatusOK || !bytes.Contains(resp.Body, []byte(`"ok"`)) {
		t.Fatalf("/_virga/health: HTTP %d\n%s", resp.Status, resp.Body)
	}
}

// within asserts |got - want| <= tolerance.
func within(t testing.TB, what string, got, want time.Time, tolerance time.Duration) {
	t.Helper()
	if d := got.Sub(want); d < -tolerance || d > tolerance {
		t.Errorf("%s = %v, want %v ± %v", what, got, want, tolerance)
	}
}

// awaitFreshChangeSetName waits, when the stack already has the change
// set the aws CLI's deploy would create this second (it names them
// awscli-cloudformation-package-deploy-UNIXSECONDS, and CloudFormation
// keeps the executed one), for the next second: two deploys of a stack
// in one second would otherwise collide on the name.
func awaitFreshChangeSetName(t testing.TB, cf *cloudformation.Client, stack string) {
	t.Helper()
	out, err := cf.ListChangeSets(context.Background(), &cloudformation.ListChangeSetsInput{StackName: aws.String(stack)})
	if err != nil {
		return // no such stack yet
	}
	for _, cs := range out.Summaries {
		name := aws.ToString(cs.ChangeSetName)
		for deadline := time.Now().Add(2 * time.Second); name == fmt.Sprintf("awscli-cloudformation-package-deploy-%d", time.Now().Unix()); {
			if time.Now().After(deadline) {
				t.Fatalf("the clock did not pass the second of change set %s", name)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// deployWithCLI deploys template as stack with Debian's aws CLI
// (cloudformation deploy, CAPABILITY_IAM) and returns the stack's outputs.
// A failed deploy fails the test, with the stack's events in its log.
func deployWithCLI(t testing.TB, env *e2e.Env, stack, template string) map[string]string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "template.yaml")
	if err := os.WriteFile(file, []byte(template), 0o644); err != nil {
		t.Fatal(err)
	}
	cf := cloudformation.NewFromConfig(env.Config)
	ctx := context.Background()
	awaitFreshChangeSetName(t, cf, stack)
	if res := env.CLI(t, "cloudformation", "deploy", "--stack-name", stack, "--template-file", file, "--capabilities", "CAPABILITY_IAM"); res.ExitCode != 0 {
		evs, _ := cf.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: aws.String(stack)})
		if evs != nil {
			for _, e := range evs.StackEvents {
				t.Logf("%s %s %s", aws.ToString(e.LogicalResourceId), e.ResourceStatus, aws.ToString(e.ResourceStatusReason))
			}
		}
		t.Fatalf("deploy %s: exit %d\n%s\n%s", stack, res.ExitCode, res.Stdout, res.Stderr)
	}
	st, err := cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(stack)})
	if err != nil {
		t.Fatal(err)
	}
	outs := map[string]string{}
	for _, o := range st.Stacks[0].Outputs {
		outs[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
	}
	return outs
}
