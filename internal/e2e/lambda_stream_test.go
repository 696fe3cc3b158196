package e2e_test

import (
	"bufio"
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
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

// chunkingHandler streams three lines, pausing between them; with
// event.fail it throws after them, once the response has begun.
const chunkingHandler = `export const handler = awslambda.streamifyResponse(async (event, responseStream, context) => {
  responseStream.setContentType('text/plain');
  for (let i = 1; i <= 3; i++) {
    responseStream.write('line ' + i + '\n');
    console.log('wrote line ' + i);
    await new Promise((r) => setTimeout(r, 200));
  }
  if (event.fail) throw new Error(event.fail);
  responseStream.end();
});
`

func createNodeStreamer(t *testing.T, lc *lambda.Client, name, source string) {
	t.Helper()
	if _, err := lc.CreateFunction(context.Background(), &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Runtime: lambdatypes.RuntimeNodejs22x, Handler: aws.String("index.handler"),
		Role: aws.String(lambdaRole), Timeout: aws.Int32(30),
		Code: &lambdatypes.FunctionCode{ZipFile: zipOf(t, zipEntry{name: "index.mjs", body: []byte(source)})},
	}); err != nil {
		t.Fatal(err)
	}
}

// streamResult is what an InvokeWithResponseStream answered.
type streamResult struct {
	out      *lambda.InvokeWithResponseStreamOutput
	chunks   []string
	complete *lambdatypes.InvokeWithResponseStreamCompleteEvent
}

func invokeStream(t *testing.T, lc *lambda.Client, in *lambda.InvokeWithResponseStreamInput) streamResult {
	t.Helper()
	out, err := lc.InvokeWithResponseStream(context.Background(), in)
	if err != nil {
		t.Fatalf("InvokeWithResponseStream: %v", err)
	}
	r := streamResult{out: out}
	stream := out.GetStream()
	defer stream.Close()
	for ev := range stream.Events() {
		switch ev := ev.(type) {
		case *lambdatypes.InvokeWithResponseStreamResponseEventMemberPayloadChunk:
			r.chunks = append(r.chunks, string(ev.Value.Payload))
		case *lambdatypes.InvokeWithResponseStreamResponseEventMemberInvokeComplete:
			if r.complete != nil {
				t.Error("a second InvokeComplete")
			}
			c := ev.Value
			r.complete = &c
		default:
			t.Errorf("unexpected event %T", ev)
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatalf("reading the event stream: %v", err)
	}
	if r.complete == nil {
		t.Fatal("no InvokeComplete event")
	}
	return r
}

// TestInvokeWithResponseStreamNode streams a Node.js function's lines
// through InvokeWithResponseStream, read with aws-sdk-go-v2's event
// stream reader: PayloadChunk events as written, then InvokeComplete,
// with the error of a function that fails once it has begun.
func TestInvokeWithResponseStreamNode(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	lc := lambdaClient(t, env)
	createNodeStreamer(t, lc, "lines", chunkingHandler)

	r := invokeStream(t, lc, &lambda.InvokeWithResponseStreamInput{FunctionName: aws.String("lines"), LogType: lambdatypes.LogTypeTail,
		Payload: []byte(`{}`)})
	if r.out.StatusCode != 200 || aws.ToString(r.out.ExecutedVersion) != "$LATEST" ||
		aws.ToString(r.out.ResponseStreamContentType) != "application/vnd.amazon.eventstream" {
		t.Errorf("answer: status %d, version %q, content type %q", r.out.StatusCode, aws.ToString(r.out.ExecutedVersion), aws.ToString(r.out.ResponseStreamContentType))
	}
	// Writes that reach virga together (a busy machine can hold its reader
	// back past a pause) may share an event: more than one shows that the
	// answer was streamed, not buffered whole.
	if got := strings.Join(r.chunks, ""); got != "line 1\nline 2\nline 3\n" || len(r.chunks) < 2 {
		t.Errorf("chunks %q, want the three lines in more than one event", r.chunks)
	}
	if r.complete.ErrorCode != nil || r.complete.ErrorDetails != nil {
		t.Errorf("InvokeComplete of a success: %+v", r.complete)
	}
	logs, err := base64.StdEncoding.DecodeString(aws.ToString(r.complete.LogResult))
	if err != nil || !strings.Contains(string(logs), "wrote line 3") || !strings.Contains(string(logs), "REPORT RequestId:") {
		t.Errorf("LogResult %q, %v", logs, err)
	}

	r = invokeStream(t, lc, &lambda.InvokeWithResponseStreamInput{FunctionName: aws.String("lines"), Payload: []byte(`{"fail":"stream broke"}`)})
	if got := strings.Join(r.chunks, ""); got != "line 1\nline 2\nline 3\n" {
		t.Errorf("chunks before the failure %q", got)
	}
	if aws.ToString(r.complete.ErrorCode) != "Error" || aws.ToString(r.complete.ErrorDetails) != "stream broke" || r.complete.LogResult != nil {
		t.Errorf("InvokeComplete of a failure: code %q, details %q, log %v", aws.ToString(r.complete.ErrorCode), aws.ToString(r.complete.ErrorDetails), r.complete.LogResult)
	}

	// Qualifier and DryRun.
	if _, err := lc.PublishVersion(context.Background(), &lambda.PublishVersionInput{FunctionName: aws.String("lines")}); err != nil {
		t.Fatal(err)
	}
	r = invokeStream(t, lc, &lambda.InvokeWithResponseStreamInput{FunctionName: aws.String("lines"), Qualifier: aws.String("1")})
	if aws.ToString(r.out.ExecutedVersion) != "1" || strings.Join(r.chunks, "") != "line 1\nline 2\nline 3\n" {
		t.Errorf("version 1: %q %q", aws.ToString(r.out.ExecutedVersion), r.chunks)
	}
	dry, err := lc.InvokeWithResponseStream(context.Background(), &lambda.InvokeWithResponseStreamInput{FunctionName: aws.String("lines"),
		InvocationType: lambdatypes.ResponseStreamingInvocationTypeDryRun})
	if err != nil || dry.StatusCode != 204 {
		t.Errorf("DryRun: %+v %v", dry, err)
	}
	_, err = lc.InvokeWithResponseStream(context.Background(), &lambda.InvokeWithResponseStreamInput{FunctionName: aws.String("nope")})
	wantLambdaError(t, "a missing function", err, "ResourceNotFoundException", "")

	// Invoke answers a streaming function's whole response at once.
	inv, err := lc.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String("lines")})
	if err != nil || inv.FunctionError != nil || string(inv.Payload) != "line 1\nline 2\nline 3\n" {
		t.Errorf("Invoke: %q %v %v", inv.Payload, aws.ToString(inv.FunctionError), err)
	}
	inv, err = lc.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String("lines"), Payload: []byte(`{"fail":"late"}`)})
	if err != nil || aws.ToString(inv.FunctionError) != "Unhandled" || !strings.Contains(string(inv.Payload), `"errorMessage":"late"`) {
		t.Errorf("Invoke of a failing stream: %q %v %v", inv.Payload, aws.ToString(inv.FunctionError), err)
	}
}

// TestInvokeWithResponseStreamBuffered invokes a function that does not
// stream: its whole answer comes as PayloadChunks, then InvokeComplete.
func TestInvokeWithResponseStreamBuffered(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	lc := lambdaClient(t, env)
	createNodeStreamer(t, lc, "plain", `export const handler = async (event) => ({ got: event.n });`)
	r := invokeStream(t, lc, &lambda.InvokeWithResponseStreamInput{FunctionName: aws.String("plain"), Payload: []byte(`{"n":7}`)})
	if strings.Join(r.chunks, "") != `{"got":7}` || r.complete.ErrorCode != nil {
		t.Errorf("chunks %q, complete %+v", r.chunks, r.complete)
	}
	createNodeStreamer(t, lc, "thrower", `export const handler = async () => { throw new TypeError('bad input'); };`)
	r = invokeStream(t, lc, &lambda.InvokeWithResponseStreamInput{FunctionName: aws.String("thrower")})
	if len(r.chunks) != 0 || aws.ToString(r.complete.ErrorCode) != "TypeError" || aws.ToString(r.complete.ErrorDetails) != "bad input" {
		t.Errorf("a failure: chunks %q, code %q, details %q", r.chunks, aws.ToString(r.complete.ErrorCode), aws.ToString(r.complete.ErrorDetails))
	}
}

// rawStreamZip builds internal/lambda/testfunction/rawstream, a custom
// runtime speaking the Runtime API with net/http alone, as bootstrap.
func rawStreamZip(t *testing.T) []byte { return testFunctionZip(t, "rawstream") }

// testFunctionZip builds internal/lambda/testfunction/NAME, as bootstrap
// in a zip, as sam build builds a Go function.
func testFunctionZip(t *testing.T, name string) []byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), "bootstrap")
	cmd := exec.Command("go", "build", "-trimpath", "-tags", "lambda.norpc", "-o", out, "github.com/virga/virga/internal/lambda/testfunction/"+name)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the streaming runtime: %v\n%s", err, b)
	}
	bin, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return zipOf(t, zipEntry{name: "bootstrap", body: bin, mode: 0o755})
}

// TestInvokeWithResponseStreamCustomRuntime streams from a provided
// runtime that speaks the Runtime API directly: chunks, and the error
// trailers of a stream that fails.
func TestInvokeWithResponseStreamCustomRuntime(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	lc := lambdaClient(t, env)
	createGoFunction(t, lc, "raw", rawStreamZip(t))
	r := invokeStream(t, lc, &lambda.InvokeWithResponseStreamInput{FunctionName: aws.String("raw"),
		Payload: []byte(`{"words":["alpha ","beta ","gamma"],"ms":200}`)})
	// Words that reach virga together may share an event (see
	// TestInvokeWithResponseStreamNode).
	if strings.Join(r.chunks, "") != "alpha beta gamma" || len(r.chunks) < 2 || len(r.chunks) > 3 || r.complete.ErrorCode != nil {
		t.Errorf("chunks %q, complete %+v", r.chunks, r.complete)
	}
	r = invokeStream(t, lc, &lambda.InvokeWithResponseStreamInput{FunctionName: aws.String("raw"),
		Payload: []byte(`{"words":["half"],"fail":"disk gone"}`)})
	if strings.Join(r.chunks, "") != "half" || aws.ToString(r.complete.ErrorCode) != "Runtime.StreamFailure" ||
		aws.ToString(r.complete.ErrorDetails) != "disk gone" {
		t.Errorf("failing stream: chunks %q, code %q, details %q", r.chunks, aws.ToString(r.complete.ErrorCode), aws.ToString(r.complete.ErrorDetails))
	}
	// Invoke collects the stream.
	out := invokeJSON(t, lc, "raw", map[string]any{"words": []string{"a", "b"}})
	if string(out.Payload) != "ab" || out.FunctionError != nil {
		t.Errorf("Invoke: %q %v", out.Payload, aws.ToString(out.FunctionError))
	}
}

// slowStreamHandler writes its prelude and a first line, then waits
// before the second: a client of a RESPONSE_STREAM URL has the first
// line while the function still runs.
const slowStreamHandler = `export const handler = awslambda.streamifyResponse(async (event, responseStream) => {
  responseStream = awslambda.HttpResponseStream.from(responseStream, {
    statusCode: 202, headers: {'content-type': 'text/event-stream'}, cookies: ['a=1', 'b=2'] });
  responseStream.write('data: first\n\n');
  await new Promise((r) => setTimeout(r, 1500));
  responseStream.write('data: second\n\n');
  responseStream.end();
});
`

// TestFunctionURLStreamsAsWritten reads a RESPONSE_STREAM URL with
// net/http: the status, headers and cookies of the prelude, and the
// first event before the function has written the second.
func TestFunctionURLStreamsAsWritten(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	lc := lambdaClient(t, env)
	createNodeStreamer(t, lc, "sse", slowStreamHandler)
	res := getStreamingURL(t, env, lc, "sse")
	defer res.Body.Close()
	if res.StatusCode != 202 || res.Header.Get("Content-Type") != "text/event-stream" || len(res.Header.Values("Set-Cookie")) != 2 ||
		res.TransferEncoding == nil || res.TransferEncoding[0] != "chunked" || res.Header.Get("X-Amzn-Requestid") == "" {
		t.Errorf("head: %d %v %v", res.StatusCode, res.TransferEncoding, res.Header)
	}
	br := bufio.NewReader(res.Body)
	first, err := br.ReadString('\n')
	firstAt := time.Now()
	if err != nil || first != "data: first\n" {
		t.Fatalf("first line %q, %v", first, err)
	}
	rest, err := io.ReadAll(br)
	endAt := time.Now()
	if err != nil || string(rest) != "\ndata: second\n\n" {
		t.Errorf("rest %q, %v", rest, err)
	}
	// The function waits 1.5 s between its two writes; the first reached
	// the client before that wait was over.
	if gap := endAt.Sub(firstAt); gap < time.Second {
		t.Errorf("the first event came %v before the end: it was not streamed", gap)
	}
}

// TestFunctionURLStreamsAwsLambdaGo reads a RESPONSE_STREAM URL of a
// function that returns aws-lambda-go's
// LambdaFunctionURLStreamingResponse, which the library posts chunked
// without Lambda-Runtime-Function-Response-Mode: the prelude's status
// and headers, and the first line before the function has written the
// second. A buffered Invoke still gets the whole response.
func TestFunctionURLStreamsAwsLambdaGo(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	lc := lambdaClient(t, env)
	createGoFunction(t, lc, "gostream", testFunctionZip(t, "urlstream"))
	res := getStreamingURL(t, env, lc, "gostream")
	defer res.Body.Close()
	if res.StatusCode != 201 || res.Header.Get("X-Custom-Header") != "streamed" || res.Header.Get("Content-Type") != "text/plain; charset=utf-8" ||
		res.TransferEncoding == nil || res.TransferEncoding[0] != "chunked" {
		t.Errorf("head: %d %v %v", res.StatusCode, res.TransferEncoding, res.Header)
	}
	br := bufio.NewReader(res.Body)
	first, err := br.ReadString('\n')
	firstAt := time.Now()
	if err != nil || first != "first\n" {
		t.Fatalf("first line %q, %v", first, err)
	}
	rest, err := io.ReadAll(br)
	if err != nil || string(rest) != "second\n" {
		t.Errorf("rest %q, %v", rest, err)
	}
	// The function waits 1.5 s between its two writes.
	if gap := time.Since(firstAt); gap < time.Second {
		t.Errorf("the first line came %v before the end: it was not streamed", gap)
	}
	out := invokeJSON(t, lc, "gostream", map[string]any{"queryStringParameters": map[string]string{"ms": "1"}})
	if !strings.HasSuffix(string(out.Payload), "first\nsecond\n") || out.FunctionError != nil {
		t.Errorf("Invoke: %q %v", out.Payload, aws.ToString(out.FunctionError))
	}
}

// getStreamingURL gives the function a public URL in RESPONSE_STREAM
// mode, without auth, and GETs it.
func getStreamingURL(t *testing.T, env *e2e.Env, lc *lambda.Client, function string) *http.Response {
	t.Helper()
	created, err := lc.CreateFunctionUrlConfig(context.Background(), &lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String(function),
		AuthType: lambdatypes.FunctionUrlAuthTypeNone, InvokeMode: lambdatypes.InvokeModeResponseStream})
	if err != nil {
		t.Fatal(err)
	}
	allowPublicURL(t, lc, function)
	u, _ := url.Parse(aws.ToString(created.FunctionUrl))
	res, err := http.Get(env.Endpoint + "/_aws/lambda-url/" + strings.Split(u.Hostname(), ".")[0] + "/")
	if err != nil {
		t.Fatal(err)
	}
	return res
}
