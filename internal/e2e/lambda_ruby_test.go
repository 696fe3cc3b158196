package e2e_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/virga/virga/internal/e2e"
	"github.com/virga/virga/internal/testenv"
)

// rubyApp is a Ruby function's code with a handler of each form AWS's
// Ruby runtime resolves, one that raises, one that outlives its timeout
// and an SQS consumer.
const rubyApp = `require 'json'
require 'logger'

def handler(event:, context:)
  puts "event #{event.to_json}"
  Logger.new($stdout).info('from the logger')
  { 'got' => event, 'fn' => context.function_name, 'region' => ENV['AWS_REGION'],
    'env' => ENV['AWS_EXECUTION_ENV'], 'left' => context.get_remaining_time_in_millis }
end

def boom(event:, context:)
  raise IOError, 'disk on fire'
end

def slow(event:, context:)
  puts 'sleeping'
  sleep 30
end

def consume(event:, context:)
  event['Records'].each { |r| puts "BODY #{r['body']} #{r['eventSource']}" }
  { 'batchItemFailures' => [] }
end

module Shop
  class Orders
    def self.handle(event:, context:)
      { 'order' => event['id'], 'request' => context.aws_request_id }
    end
  end
end
`

func createRubyFunction(t testing.TB, c *lambda.Client, name, handler string, timeout int32) {
	t.Helper()
	if _, err := c.CreateFunction(context.Background(), &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Runtime: lambdatypes.RuntimeRuby33, Handler: aws.String(handler),
		Role: aws.String(lambdaRole), Timeout: aws.Int32(timeout),
		Code: &lambdatypes.FunctionCode{ZipFile: zipOf(t, zipEntry{name: "app.rb", body: []byte(rubyApp)})},
	}); err != nil {
		t.Fatalf("CreateFunction %s: %v", name, err)
	}
}

// TestLambdaRubyFunction: a ruby3.3 function through the Lambda API, each
// handler form, an exception and a timeout as AWS reports them, and its
// log tail.
func TestLambdaRubyFunction(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "ruby")
	env := e2e.Start(t)
	c := lambdaClient(t, env)

	createRubyFunction(t, c, "rb-plain", "app.handler", 3)
	out := invokeJSON(t, c, "rb-plain", map[string]int{"x": 1}, func(in *lambda.InvokeInput) { in.LogType = lambdatypes.LogTypeTail })
	var got struct {
		Got             map[string]int
		Fn, Region, Env string
		Left            int
	}
	if err := json.Unmarshal(out.Payload, &got); err != nil || out.FunctionError != nil || got.Got["x"] != 1 || got.Fn != "rb-plain" ||
		got.Region != "us-east-1" || got.Env != "AWS_Lambda_ruby3.3" || got.Left <= 0 || got.Left > 3000 {
		t.Errorf("app.handler: %v %s", aws.ToString(out.FunctionError), out.Payload)
	}
	tail, err := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
	id := requestIDOf(t, out)
	if err != nil || !strings.Contains(string(tail), "START RequestId: "+id) || !strings.Contains(string(tail), "\nevent {\"x\":1}\n") ||
		!strings.Contains(string(tail), "  INFO "+id+" -- : from the logger\n") || !strings.Contains(string(tail), "REPORT RequestId: "+id) {
		t.Errorf("LogResult:\n%s", tail)
	}

	createRubyFunction(t, c, "rb-class", "app.Shop::Orders.handle", 3)
	out = invokeJSON(t, c, "rb-class", map[string]string{"id": "o-1"})
	if !sameJSON(out.Payload, `{"order":"o-1","request":"`+requestIDOf(t, out)+`"}`) || out.FunctionError != nil {
		t.Errorf("app.Shop::Orders.handle: %s", out.Payload)
	}

	createRubyFunction(t, c, "rb-boom", "app.boom", 3)
	out = invokeJSON(t, c, "rb-boom", map[string]int{})
	var doc struct {
		ErrorMessage, ErrorType string
		StackTrace              []string
	}
	if err := json.Unmarshal(out.Payload, &doc); err != nil || aws.ToString(out.FunctionError) != "Unhandled" ||
		doc.ErrorType != "Function<IOError>" || doc.ErrorMessage != "disk on fire" ||
		len(doc.StackTrace) != 1 || !strings.HasPrefix(doc.StackTrace[0], "/var/task/app.rb:12:in ") {
		t.Errorf("app.boom: %v %s", aws.ToString(out.FunctionError), out.Payload)
	}

	createRubyFunction(t, c, "rb-slow", "app.slow", 1)
	out = invokeJSON(t, c, "rb-slow", map[string]int{})
	if err := json.Unmarshal(out.Payload, &doc); err != nil || aws.ToString(out.FunctionError) != "Unhandled" ||
		!strings.HasSuffix(doc.ErrorMessage, requestIDOf(t, out)+" Task timed out after 1.00 seconds") {
		t.Errorf("app.slow: %v %s", aws.ToString(out.FunctionError), out.Payload)
	}
}

// TestLambdaRubySQSEventSourceMapping: messages sent to a queue reach a
// Ruby handler through an event source mapping.
func TestLambdaRubySQSEventSourceMapping(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "ruby")
	env := e2e.Start(t)
	lc := lambdaClient(t, env)
	qc := sqs.NewFromConfig(env.Config)
	cwl := cloudwatchlogs.NewFromConfig(env.Config)
	ctx := context.Background()

	createRubyFunction(t, lc, "rb-consumer", "app.consume", 3)
	q, err := qc.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("rb-in")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lc.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{
		FunctionName: aws.String("rb-consumer"), EventSourceArn: aws.String("arn:aws:sqs:us-east-1:000000000000:rb-in"),
		FunctionResponseTypes: []lambdatypes.FunctionResponseType{lambdatypes.FunctionResponseTypeReportBatchItemFailures},
	}); err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{"one", "two"} {
		if _, err := qc.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String(body)}); err != nil {
			t.Fatal(err)
		}
	}
	groupLines(t, cwl, "/aws/lambda/rb-consumer", "BODY ", func(l []string) bool {
		return hasLine(l, "BODY one aws:sqs") && hasLine(l, "BODY two aws:sqs")
	})
}
