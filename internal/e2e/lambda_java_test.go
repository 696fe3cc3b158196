package e2e_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/virga/virga/internal/e2e"
	"github.com/virga/virga/internal/functions/javatest"
)

// createJavaFunction creates a Java function from the test package with
// its layer, and waits until it is Active.
func createJavaFunction(t *testing.T, c *lambda.Client, name, runtime, handler string, timeout int32, layerARN string) {
	t.Helper()
	pkg := javatest.Build(t)
	in := &lambda.CreateFunctionInput{
		FunctionName: aws.String(name),
		Runtime:      lambdatypes.Runtime(runtime),
		Handler:      aws.String(handler),
		Role:         aws.String(lambdaRole),
		Code:         &lambdatypes.FunctionCode{ZipFile: javatest.Zip(t, pkg.CodeDir)},
		Timeout:      aws.Int32(timeout),
		MemorySize:   aws.Int32(256),
	}
	if layerARN != "" {
		in.Layers = []string{layerARN}
	}
	ctx := context.Background()
	if _, err := c.CreateFunction(ctx, in); err != nil {
		t.Fatalf("CreateFunction(%s): %v", name, err)
	}
	if err := lambda.NewFunctionActiveV2Waiter(c).Wait(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(name)}, 30*time.Second); err != nil {
		t.Fatalf("waiting for %s: %v", name, err)
	}
}

// TestJavaFunctions invokes Java functions through the Lambda API in each
// handler form, with a layer, then an unhandled exception, a class that
// cannot load and a timeout.
func TestJavaFunctions(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	lc := lambdaClient(t, env)
	ctx := context.Background()
	pkg := javatest.Build(t)
	layer, err := lc.PublishLayerVersion(ctx, &lambda.PublishLayerVersionInput{LayerName: aws.String("shared"),
		Content: &lambdatypes.LayerVersionContentInput{ZipFile: javatest.Zip(t, pkg.LayerDir)}})
	if err != nil {
		t.Fatal(err)
	}
	layerARN := aws.ToString(layer.LayerVersionArn)

	createJavaFunction(t, lc, "hello", "java21", "example.Hello", 10, layerARN)
	out := invokeJSON(t, lc, "hello", map[string]any{"n": 1}, func(in *lambda.InvokeInput) { in.LogType = lambdatypes.LogTypeTail })
	var got map[string]any
	if err := json.Unmarshal(out.Payload, &got); err != nil || out.FunctionError != nil {
		t.Fatalf("%v %s", err, out.Payload)
	}
	if got["functionName"] != "hello" || got["memory"] != 256.0 || got["execEnv"] != "AWS_Lambda_java21" || got["layer"] != "from a layer" ||
		got["arn"] != "arn:aws:lambda:us-east-1:000000000000:function:hello" {
		t.Errorf("hello: %s", out.Payload)
	}
	tail, _ := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
	if !strings.Contains(string(tail), "hello from java\rsecond line") || !strings.Contains(string(tail), "Init Duration: ") {
		t.Errorf("log tail:\n%s", tail)
	}

	for _, c := range []struct{ name, runtime, handler, payload, want string }{
		{"streams", "java17", "example.Streams", `{"a":1}`, `echo:{"a":1}:streams`},
		{"order", "java11", "example.Pojos::order", `{"id":"o","qty":2,"tags":["t"],"customer":{"name":"c"}}`,
			`{"orderId":"o/c/t","total":6,"paid":true,"url":"https://example.com/o/c/t"}`},
		{"upper", "java8.al2", "example.Pojos::upper", `"abc"`, `"ABC"`},
		{"copy", "java25", "example.Pojos::copy", `[1]`, `[1]!`},
	} {
		createJavaFunction(t, lc, c.name, c.runtime, c.handler, 10, "")
		res, err := lc.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(c.name), Payload: []byte(c.payload)})
		if err != nil || res.FunctionError != nil || string(res.Payload) != c.want {
			t.Errorf("%s: %v %v %s, want %s", c.name, err, aws.ToString(res.FunctionError), res.Payload, c.want)
		}
	}

	// An exception: Lambda's Java error document.
	createJavaFunction(t, lc, "fails", "java17", "example.Pojos::fail", 10, "")
	res := invokeJSON(t, lc, "fails", map[string]any{})
	var doc struct {
		ErrorMessage, ErrorType string
		StackTrace              []string
	}
	if err := json.Unmarshal(res.Payload, &doc); err != nil || aws.ToString(res.FunctionError) != "Unhandled" ||
		doc.ErrorType != "java.lang.IllegalStateException" || doc.ErrorMessage != "bad state" ||
		len(doc.StackTrace) == 0 || !strings.HasPrefix(doc.StackTrace[0], "example.Pojos.deeper(Pojos.java:") {
		t.Errorf("exception: %v %s", err, res.Payload)
	}

	// A class compiled for a newer Java than the JVM's fails its init.
	createJavaFunction(t, lc, "future", "java21", "example.Future::handle", 10, "")
	res = invokeJSON(t, lc, "future", "x")
	if err := json.Unmarshal(res.Payload, &doc); err != nil || aws.ToString(res.FunctionError) != "Unhandled" ||
		doc.ErrorType != "java.lang.UnsupportedClassVersionError" || !strings.Contains(doc.ErrorMessage, "class file version 100.0") {
		t.Errorf("newer class file: %v %s", err, res.Payload)
	}

	// A timeout.
	createJavaFunction(t, lc, "sleeps", "java17", "example.Pojos::sleep", 2, "")
	start := time.Now()
	res = invokeJSON(t, lc, "sleeps", map[string]any{})
	if aws.ToString(res.FunctionError) != "Unhandled" || !strings.Contains(string(res.Payload), "Task timed out after 2.00 seconds") {
		t.Errorf("timeout: %s", res.Payload)
	}
	if time.Since(start) > 20*time.Second {
		t.Errorf("the timeout took %v", time.Since(start))
	}
}

// TestJavaSQSEventSourceMapping: messages sent to a queue reach a Java
// RequestHandler<SQSEvent, String> through an event source mapping, its
// JSON names ("Records", "eventSourceARN") mapped onto the class's
// properties.
func TestJavaSQSEventSourceMapping(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	lc := lambdaClient(t, env)
	qc := sqs.NewFromConfig(env.Config)
	cwl := cloudwatchlogs.NewFromConfig(env.Config)
	ctx := context.Background()
	createJavaFunction(t, lc, "queue-java", "java21", "example.Queue", 10, "")
	q, err := qc.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("java-in")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lc.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("queue-java"),
		EventSourceArn: aws.String("arn:aws:sqs:us-east-1:000000000000:java-in"), BatchSize: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	if _, err := qc.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String("from-sqs"),
		MessageAttributes: map[string]sqstypes.MessageAttributeValue{"color": {DataType: aws.String("String"), StringValue: aws.String("blue")}}}); err != nil {
		t.Fatal(err)
	}
	msg := waitForLogMessage(t, cwl, "/aws/lambda/queue-java", "received from-sqs")
	if !strings.Contains(msg, "received from-sqs/blue@arn:aws:sqs:us-east-1:000000000000:java-in#1") {
		t.Errorf("log: %q", msg)
	}
	// The message is deleted once the function succeeded.
	eventually(t, "the queue to empty", func() bool {
		a, err := qc.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl,
			AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages, sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible}})
		return err == nil && a.Attributes["ApproximateNumberOfMessages"] == "0" && a.Attributes["ApproximateNumberOfMessagesNotVisible"] == "0"
	})
}
