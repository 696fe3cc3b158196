package e2e_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"

	"github.com/virga/virga/internal/e2e"
	"github.com/virga/virga/internal/testenv"
)

const pythonJSONLogging = `import logging

logger = logging.getLogger()

def handler(event, context):
    print("printed")
    logger.info("an info line")
    logger.warning("a warning", extra={"orderId": 42})
    return {"stream": context.log_stream_name}
`

const nodeJSONLogging = `exports.handler = async (event, context) => {
  console.debug('a debug line');
  console.info('an info line', 7);
  console.error(new Error('an error'));
  return { stream: context.logStreamName };
};
`

// jsonLogRecords invokes a function and returns the JSON objects of its
// log stream once done accepts them: every event must be one.
func jsonLogRecords(t *testing.T, c *lambda.Client, cwl *cloudwatchlogs.Client, name string, done func([]map[string]any) bool) []map[string]any {
	t.Helper()
	out := invokeJSON(t, c, name, map[string]string{})
	var got struct{ Stream string }
	if err := json.Unmarshal(out.Payload, &got); err != nil || out.FunctionError != nil || got.Stream == "" {
		t.Fatalf("invoking %s: %v %s", name, err, out.Payload)
	}
	var recs []map[string]any
	logEvents(t, cwl, "/aws/lambda/"+name, got.Stream, func(msgs []string) bool {
		recs = recs[:0]
		for _, m := range msgs {
			var rec map[string]any
			if err := json.Unmarshal([]byte(m), &rec); err != nil {
				t.Fatalf("log event %q is not JSON: %v", m, err)
			}
			recs = append(recs, rec)
		}
		return done(recs)
	})
	return recs
}

// typesOf lists the records' "type" (system records) or "level"
// (application records).
func typesOf(recs []map[string]any) string {
	var out []string
	for _, r := range recs {
		if typ, ok := r["type"].(string); ok {
			out = append(out, typ)
		} else {
			out = append(out, "level:"+r["level"].(string))
		}
	}
	return strings.Join(out, " ")
}

// TestLambdaJSONLogs: functions whose LoggingConfig says JSON log their
// records to CloudWatch Logs as AWS does: the runtime's logger writes
// JSON objects filtered by ApplicationLogLevel, Lambda's own lines are
// platform records filtered by SystemLogLevel, and the API returns the
// configuration with its defaults.
func TestLambdaJSONLogs(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := lambdaClient(t, env)
	cwl := cloudwatchlogs.NewFromConfig(env.Config)
	ctx := context.Background()

	t.Run("python", func(t *testing.T) {
		testenv.Tool(t, "python3")
		_, err := c.CreateFunction(ctx, &lambda.CreateFunctionInput{
			FunctionName: aws.String("jsonpy"), Runtime: lambdatypes.RuntimePython312, Handler: aws.String("app.handler"),
			Role: aws.String(lambdaRole), Code: &lambdatypes.FunctionCode{ZipFile: zipOf(t, zipEntry{name: "app.py", body: []byte(pythonJSONLogging)})},
			LoggingConfig: &lambdatypes.LoggingConfig{LogFormat: lambdatypes.LogFormatJson, ApplicationLogLevel: lambdatypes.ApplicationLogLevelWarn},
		})
		if err != nil {
			t.Fatal(err)
		}
		recs := jsonLogRecords(t, c, cwl, "jsonpy", func(recs []map[string]any) bool {
			return len(recs) > 0 && recs[len(recs)-1]["type"] == "platform.report"
		})
		if got := typesOf(recs); got != "platform.start level:WARNING platform.report" {
			t.Fatalf("records: %s", got)
		}
		if w := recs[1]; w["message"] != "a warning" || w["logger"] != "root" || w["orderId"] != float64(42) || w["requestId"] == nil {
			t.Errorf("warning: %v", w)
		}
		report := recs[2]["record"].(map[string]any)
		if report["status"] != "success" || report["metrics"].(map[string]any)["initDurationMs"] == nil {
			t.Errorf("report: %v", report)
		}
	})

	t.Run("node", func(t *testing.T) {
		testenv.Tool(t, "node")
		_, err := c.CreateFunction(ctx, &lambda.CreateFunctionInput{
			FunctionName: aws.String("jsonnode"), Runtime: lambdatypes.RuntimeNodejs22x, Handler: aws.String("index.handler"),
			Role: aws.String(lambdaRole), Code: &lambdatypes.FunctionCode{ZipFile: zipOf(t, zipEntry{name: "index.js", body: []byte(nodeJSONLogging)})},
			LoggingConfig: &lambdatypes.LoggingConfig{LogFormat: lambdatypes.LogFormatJson},
		})
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := c.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String("jsonnode")})
		if err != nil {
			t.Fatal(err)
		}
		if lc := cfg.LoggingConfig; lc.LogFormat != lambdatypes.LogFormatJson || lc.ApplicationLogLevel != lambdatypes.ApplicationLogLevelInfo ||
			lc.SystemLogLevel != lambdatypes.SystemLogLevelInfo || aws.ToString(lc.LogGroup) != "/aws/lambda/jsonnode" {
			t.Errorf("LoggingConfig: %+v", lc)
		}
		recs := jsonLogRecords(t, c, cwl, "jsonnode", func(recs []map[string]any) bool {
			return len(recs) > 0 && recs[len(recs)-1]["type"] == "platform.report"
		})
		if got := typesOf(recs); got != "platform.start level:INFO level:ERROR platform.report" {
			t.Fatalf("records: %s", got)
		}
		if r := recs[1]; r["message"] != "an info line 7" || r["requestId"] == nil || r["timestamp"] == nil {
			t.Errorf("info: %v", r)
		}
		if msg, _ := recs[2]["message"].(map[string]any); msg["errorType"] != "Error" || msg["errorMessage"] != "an error" {
			t.Errorf("error: %v", recs[2])
		}

		// DEBUG system logs add the runtime's done record; a new
		// configuration means a new environment, whose init is logged too.
		if _, err := c.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{
			FunctionName:  aws.String("jsonnode"),
			LoggingConfig: &lambdatypes.LoggingConfig{SystemLogLevel: lambdatypes.SystemLogLevelDebug, ApplicationLogLevel: lambdatypes.ApplicationLogLevelError},
		}); err != nil {
			t.Fatal(err)
		}
		if err := lambda.NewFunctionUpdatedV2Waiter(c).Wait(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("jsonnode")}, 30*time.Second); err != nil {
			t.Fatal(err)
		}
		recs = jsonLogRecords(t, c, cwl, "jsonnode", func(recs []map[string]any) bool {
			return len(recs) > 0 && recs[len(recs)-1]["type"] == "platform.report"
		})
		if got := typesOf(recs); got != "platform.initStart platform.initRuntimeDone platform.initReport platform.start level:ERROR platform.runtimeDone platform.report" {
			t.Errorf("records at DEBUG: %s", got)
		}

		// Levels belong to JSON logs.
		_, err = c.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{
			FunctionName:  aws.String("jsonnode"),
			LoggingConfig: &lambdatypes.LoggingConfig{LogFormat: lambdatypes.LogFormatText, SystemLogLevel: lambdatypes.SystemLogLevelWarn},
		})
		var apiErr smithy.APIError
		if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "InvalidParameterValueException" ||
			!strings.HasPrefix(apiErr.ErrorMessage(), `LogLevel is not supported when LogFormat is set to "Text".`) {
			t.Errorf("levels with Text: %v", err)
		}
	})
}
