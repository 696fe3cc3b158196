package e2e_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/virga/virga/internal/e2e"
)

// metricSum polls GetMetricStatistics until the metric's Sum over
// [from, to) reaches want, and returns its datapoints.
func metricSum(t *testing.T, cw *cloudwatch.Client, ns, name string, from, to time.Time, want float64, dims ...cwtypes.Dimension) []cwtypes.Datapoint {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		out, err := cw.GetMetricStatistics(context.Background(), &cloudwatch.GetMetricStatisticsInput{
			Namespace: aws.String(ns), MetricName: aws.String(name), Dimensions: dims,
			StartTime: aws.Time(from), EndTime: aws.Time(to), Period: aws.Int32(60),
			Statistics: []cwtypes.Statistic{cwtypes.StatisticSum, cwtypes.StatisticSampleCount, cwtypes.StatisticMaximum},
		})
		if err != nil {
			t.Fatal(err)
		}
		total := 0.0
		for _, d := range out.Datapoints {
			total += aws.ToFloat64(d.Sum)
		}
		if total >= want {
			if total != want {
				t.Errorf("%s %s%v: Sum %v, want %v", ns, name, dims, total, want)
			}
			return out.Datapoints
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s %s%v: Sum %v after 15s, want %v", ns, name, dims, total, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Metric filters turn the events PutLogEvents ingests into CloudWatch
// datapoints at the events' timestamps: counts, values read from JSON
// and space-delimited fields, dimensions, units and default values.
func TestLogsMetricFilters(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithFakeClock())
	ctx := context.Background()
	base := nextMinute(env.Clock.Now()).UTC()
	env.Clock.Set(base.Add(90 * time.Second))
	cwl := cloudwatchlogs.NewFromConfig(env.Config)
	cw := cloudwatch.NewFromConfig(env.Config)
	g := "/app/web"
	if _, err := cwl.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(g)}); err != nil {
		t.Fatal(err)
	}
	if _, err := cwl.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(g), LogStreamName: aws.String("s")}); err != nil {
		t.Fatal(err)
	}
	put := func(name, pattern string, tr cwltypes.MetricTransformation) error {
		_, err := cwl.PutMetricFilter(ctx, &cloudwatchlogs.PutMetricFilterInput{LogGroupName: aws.String(g), FilterName: aws.String(name),
			FilterPattern: aws.String(pattern), MetricTransformations: []cwltypes.MetricTransformation{tr}})
		return err
	}
	for _, f := range []struct {
		name, pattern string
		tr            cwltypes.MetricTransformation
	}{
		{"errors", "ERROR", cwltypes.MetricTransformation{MetricName: aws.String("Errors"), MetricNamespace: aws.String("Web"),
			MetricValue: aws.String("1"), DefaultValue: aws.Float64(0)}},
		{"latency", `{ $.latency = * }`, cwltypes.MetricTransformation{MetricName: aws.String("Latency"), MetricNamespace: aws.String("Web"),
			MetricValue: aws.String("$.latency"), Unit: cwltypes.StandardUnitMilliseconds, Dimensions: map[string]string{"Method": "$.method"}}},
		{"bytes", `[ip, user, status=2*, bytes]`, cwltypes.MetricTransformation{MetricName: aws.String("Bytes"), MetricNamespace: aws.String("Web"),
			MetricValue: aws.String("$bytes"), Unit: cwltypes.StandardUnitBytes}},
	} {
		if err := put(f.name, f.pattern, f.tr); err != nil {
			t.Fatalf("%s: %v", f.name, err)
		}
	}
	at := func(d time.Duration) *int64 { return aws.Int64(base.Add(d).UnixMilli()) }
	if _, err := cwl.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(g), LogStreamName: aws.String("s"),
		LogEvents: []cwltypes.InputLogEvent{
			{Timestamp: at(0), Message: aws.String("ERROR disk full")},
			{Timestamp: at(time.Second), Message: aws.String(`{"latency":120,"method":"GET"}`)},
			{Timestamp: at(2 * time.Second), Message: aws.String(`{"latency":80,"method":"GET"}`)},
			{Timestamp: at(3 * time.Second), Message: aws.String(`{"latency":300,"method":"POST"}`)},
			{Timestamp: at(4 * time.Second), Message: aws.String(`10.0.0.1 bob 200 1500`)},
			{Timestamp: at(5 * time.Second), Message: aws.String(`10.0.0.1 bob 404 99`)},
			{Timestamp: at(61 * time.Second), Message: aws.String("ERROR again")},
		}}); err != nil {
		t.Fatal(err)
	}
	from, to := base.Add(-time.Minute), base.Add(3*time.Minute)
	errs := metricSum(t, cw, "Web", "Errors", from, to, 2)
	if len(errs) != 2 {
		t.Errorf("Errors datapoints %+v, want one in each of two minutes", errs)
	}
	get := metricSum(t, cw, "Web", "Latency", from, to, 200, cwtypes.Dimension{Name: aws.String("Method"), Value: aws.String("GET")})
	if len(get) != 1 || aws.ToFloat64(get[0].SampleCount) != 2 || aws.ToFloat64(get[0].Maximum) != 120 || get[0].Unit != cwtypes.StandardUnitMilliseconds ||
		!aws.ToTime(get[0].Timestamp).Equal(base) {
		t.Errorf("Latency{Method=GET} %+v", get)
	}
	metricSum(t, cw, "Web", "Latency", from, to, 300, cwtypes.Dimension{Name: aws.String("Method"), Value: aws.String("POST")})
	metricSum(t, cw, "Web", "Bytes", from, to, 1500)

	// A batch in which nothing matches publishes the default value.
	if _, err := cwl.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(g), LogStreamName: aws.String("s"),
		LogEvents: []cwltypes.InputLogEvent{{Timestamp: at(62 * time.Second), Message: aws.String("all good")}}}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		ds := metricSum(t, cw, "Web", "Errors", from, to, 2)
		n := 0.0
		for _, d := range ds {
			n += aws.ToFloat64(d.SampleCount)
		}
		if n == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Errors datapoints %+v, want a third (the default 0)", ds)
		}
		time.Sleep(50 * time.Millisecond)
	}

	// DescribeMetricFilters lists them in name order, by group, metric
	// name and namespace.
	out, err := cwl.DescribeMetricFilters(ctx, &cloudwatchlogs.DescribeMetricFiltersInput{LogGroupName: aws.String(g)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.MetricFilters) != 3 || aws.ToString(out.MetricFilters[0].FilterName) != "bytes" || aws.ToString(out.MetricFilters[2].FilterName) != "latency" ||
		out.MetricFilters[2].MetricTransformations[0].Dimensions["Method"] != "$.method" ||
		out.MetricFilters[2].MetricTransformations[0].Unit != cwltypes.StandardUnitMilliseconds ||
		aws.ToInt64(out.MetricFilters[0].CreationTime) != base.Add(90*time.Second).UnixMilli() {
		t.Errorf("DescribeMetricFilters %+v", out.MetricFilters)
	}
	out, err = cwl.DescribeMetricFilters(ctx, &cloudwatchlogs.DescribeMetricFiltersInput{MetricNamespace: aws.String("Web"), MetricName: aws.String("Errors")})
	if err != nil || len(out.MetricFilters) != 1 || aws.ToString(out.MetricFilters[0].LogGroupName) != g || aws.ToFloat64(out.MetricFilters[0].MetricTransformations[0].DefaultValue) != 0 {
		t.Errorf("DescribeMetricFilters by metric: %v %+v", err, out)
	}
	page, err := cwl.DescribeMetricFilters(ctx, &cloudwatchlogs.DescribeMetricFiltersInput{LogGroupName: aws.String(g), Limit: aws.Int32(2)})
	if err != nil || len(page.MetricFilters) != 2 || page.NextToken == nil {
		t.Fatalf("first page: %v %+v", err, page)
	}
	page, err = cwl.DescribeMetricFilters(ctx, &cloudwatchlogs.DescribeMetricFiltersInput{LogGroupName: aws.String(g), NextToken: page.NextToken})
	if err != nil || len(page.MetricFilters) != 1 || page.NextToken != nil {
		t.Errorf("second page: %v %+v", err, page)
	}

	// What PutMetricFilter refuses.
	tr := cwltypes.MetricTransformation{MetricName: aws.String("M"), MetricNamespace: aws.String("Web"), MetricValue: aws.String("1")}
	_, err = cwl.PutMetricFilter(ctx, &cloudwatchlogs.PutMetricFilterInput{LogGroupName: aws.String("/nope"), FilterName: aws.String("x"),
		FilterPattern: aws.String("x"), MetricTransformations: []cwltypes.MetricTransformation{tr}})
	expectAPIError(t, err, "ResourceNotFoundException", 400)
	expectAPIError(t, put("bad", `{ $.x = `, tr), "InvalidParameterException", 400)
	dimTr := tr
	dimTr.Dimensions, dimTr.DefaultValue = map[string]string{"X": "$.x"}, aws.Float64(0)
	expectAPIError(t, put("bad", `{ $.x = * }`, dimTr), "InvalidParameterException", 400)
	dimTr.DefaultValue = nil
	expectAPIError(t, put("bad", `ERROR`, dimTr), "InvalidParameterException", 400)
	for i := 3; i < 100; i++ {
		if err := put(fmt.Sprintf("f%03d", i), "x", tr); err != nil {
			t.Fatal(err)
		}
	}
	expectAPIError(t, put("one-too-many", "x", tr), "LimitExceededException", 400)
	if err := put("errors", "ERROR", tr); err != nil {
		t.Errorf("replacing a filter at the limit: %v", err)
	}

	_, err = cwl.DeleteMetricFilter(ctx, &cloudwatchlogs.DeleteMetricFilterInput{LogGroupName: aws.String(g), FilterName: aws.String("bytes")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = cwl.DeleteMetricFilter(ctx, &cloudwatchlogs.DeleteMetricFilterInput{LogGroupName: aws.String(g), FilterName: aws.String("bytes")})
	expectAPIError(t, err, "ResourceNotFoundException", 400)
}

// TestMetricFilter reports the messages a pattern matches, numbered
// from 0, with a space-delimited pattern's fields as extractedValues.
func TestLogsTestMetricFilter(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	cwl := cloudwatchlogs.NewFromConfig(env.Config)
	out, err := cwl.TestMetricFilter(context.Background(), &cloudwatchlogs.TestMetricFilterInput{
		FilterPattern:    aws.String(`[ip, user, status=5*, bytes]`),
		LogEventMessages: []string{"1.2.3.4 bob 200 10", `1.2.3.4 "alice b" 503 20`, "garbage"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Matches) != 1 || out.Matches[0].EventNumber != 1 || out.Matches[0].ExtractedValues["$user"] != "alice b" ||
		out.Matches[0].ExtractedValues["$bytes"] != "20" || len(out.Matches[0].ExtractedValues) != 4 {
		t.Errorf("TestMetricFilter %+v", out.Matches)
	}
	_, err = cwl.TestMetricFilter(context.Background(), &cloudwatchlogs.TestMetricFilterInput{FilterPattern: aws.String("[a,"), LogEventMessages: []string{"x"}})
	expectAPIError(t, err, "InvalidParameterException", 400)
}

const loggingHandler = `def handler(event, context):
    print("ERROR payment declined")
    print("INFO done")
    return {"ok": True}
`

// A function's own log lines feed its log group's metric filters.
func TestLogsMetricFilterOnFunctionLogs(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	lc := lambdaClient(t, env)
	cwl := cloudwatchlogs.NewFromConfig(env.Config)
	cw := cloudwatch.NewFromConfig(env.Config)
	start := time.Now().UTC().Add(-time.Minute)
	createPythonFunction(t, lc, "payer", loggingHandler, 10)
	if _, err := cwl.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("/aws/lambda/payer")}); err != nil {
		t.Fatal(err)
	}
	if _, err := cwl.PutMetricFilter(ctx, &cloudwatchlogs.PutMetricFilterInput{LogGroupName: aws.String("/aws/lambda/payer"),
		FilterName: aws.String("declines"), FilterPattern: aws.String(`"payment declined"`),
		MetricTransformations: []cwltypes.MetricTransformation{{MetricName: aws.String("Declines"), MetricNamespace: aws.String("Shop"), MetricValue: aws.String("1")}}}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := lc.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("payer"), Payload: []byte(`{}`)}); err != nil {
			t.Fatal(err)
		}
	}
	metricSum(t, cw, "Shop", "Declines", start, time.Now().Add(2*time.Minute), 2)
}

const metricFilterTemplate = `AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Group:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: /stack/app
  Latency:
    Type: AWS::Logs::MetricFilter
    Properties:
      LogGroupName: !Ref Group
      FilterPattern: "{ $.latency = * }"
      MetricTransformations:
        - MetricName: Latency
          MetricNamespace: Stack
          MetricValue: $.latency
          Unit: Milliseconds
          Dimensions:
            - Key: Route
              Value: $.route
  Errors:
    Type: AWS::Logs::MetricFilter
    Properties:
      FilterName: errors
      LogGroupName: !Ref Group
      FilterPattern: ERROR
      MetricTransformations:
        - MetricName: Errors
          MetricNamespace: Stack
          MetricValue: "1"
          DefaultValue: "0"
Outputs:
  Latency:
    Value: !Ref Latency
`

// AWS::Logs::MetricFilter creates metric filters, named or not, with
// their template's Dimensions list as the API's map.
func TestCloudFormationLogsMetricFilter(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, e2e.AWSCLI)
	env := e2e.Start(t)
	cwl := cloudwatchlogs.NewFromConfig(env.Config)
	outs := deployWithCLI(t, env, "filters", metricFilterTemplate)
	out, err := cwl.DescribeMetricFilters(context.Background(), &cloudwatchlogs.DescribeMetricFiltersInput{LogGroupName: aws.String("/stack/app")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.MetricFilters) != 2 || aws.ToString(out.MetricFilters[0].FilterName) != "errors" ||
		aws.ToFloat64(out.MetricFilters[0].MetricTransformations[0].DefaultValue) != 0 || out.MetricFilters[0].MetricTransformations[0].DefaultValue == nil ||
		aws.ToString(out.MetricFilters[1].FilterName) != outs["Latency"] ||
		out.MetricFilters[1].MetricTransformations[0].Dimensions["Route"] != "$.route" {
		t.Errorf("metric filters %+v, outputs %v", out.MetricFilters, outs)
	}
}

// emfHandler prints its metrics in the embedded metric format, as
// Powertools' Metrics and the embedded metric libraries do: one with a
// dimension and a list of values, one without dimensions, and a line
// that is not a valid document (its metric's value is a string).
const emfHandler = `import json, time
def handler(event, context):
    ts = int(time.time() * 1000)
    print(json.dumps({"_aws": {"Timestamp": ts, "CloudWatchMetrics": [
        {"Namespace": "Orders", "Dimensions": [["service"]], "Metrics": [{"Name": "Placed", "Unit": "Count"}]},
        {"Namespace": "Orders", "Dimensions": [[]], "Metrics": [{"Name": "Latency", "Unit": "Milliseconds"}]}]},
        "service": "checkout", "Placed": [1, 2], "Latency": 40}))
    print(json.dumps({"_aws": {"Timestamp": ts, "CloudWatchMetrics": [
        {"Namespace": "Orders", "Dimensions": [[]], "Metrics": [{"Name": "Bogus"}]}]}, "Bogus": "x"}))
    print("Placed 7 orders")
    return {}
`

// CloudWatch Logs extracts the metrics a function prints in the
// embedded metric format, with their dimensions, units and values.
func TestFunctionLogsEmbeddedMetricFormat(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	lc := lambdaClient(t, env)
	cw := cloudwatch.NewFromConfig(env.Config)
	start := time.Now().UTC().Add(-time.Minute)
	createPythonFunction(t, lc, "checkout", emfHandler, 10)
	for range 2 {
		if _, err := lc.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("checkout"), Payload: []byte(`{}`)}); err != nil {
			t.Fatal(err)
		}
	}
	end := time.Now().Add(2 * time.Minute)
	metricSum(t, cw, "Orders", "Placed", start, end, 6, cwtypes.Dimension{Name: aws.String("service"), Value: aws.String("checkout")})
	dps := metricSum(t, cw, "Orders", "Latency", start, end, 80)
	if len(dps) == 0 || dps[0].Unit != cwtypes.StandardUnitMilliseconds {
		t.Errorf("Latency's datapoints: %+v", dps)
	}
	out, err := cw.ListMetrics(ctx, &cloudwatch.ListMetricsInput{Namespace: aws.String("Orders")})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range out.Metrics {
		names = append(names, fmt.Sprintf("%s%d", aws.ToString(m.MetricName), len(m.Dimensions)))
	}
	if fmt.Sprint(names) != "[Latency0 Placed1]" {
		t.Errorf("ListMetrics Orders: %v", names)
	}
}

// PutLogEvents extracts the embedded metric format from the events it
// stores when the request says they are in it (x-amzn-logs-format:
// json/emf, as the CloudWatch agent sends them), and only then.
func TestPutLogEventsEmbeddedMetricFormatHeader(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cwl := cloudwatchlogs.NewFromConfig(env.Config)
	cw := cloudwatch.NewFromConfig(env.Config)
	start := time.Now().UTC().Add(-time.Minute)
	if _, err := cwl.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("agent")}); err != nil {
		t.Fatal(err)
	}
	if _, err := cwl.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String("agent"), LogStreamName: aws.String("host")}); err != nil {
		t.Fatal(err)
	}
	put := func(value int, opts ...func(*cloudwatchlogs.Options)) {
		t.Helper()
		now := time.Now().UnixMilli()
		msg := fmt.Sprintf(`{"_aws":{"Timestamp":%d,"CloudWatchMetrics":[{"Namespace":"Agent","Dimensions":[["host"]],"Metrics":[{"Name":"Load","Unit":"Percent"}]}]},"host":"h1","Load":%d}`, now, value)
		if _, err := cwl.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String("agent"), LogStreamName: aws.String("host"),
			LogEvents: []cwltypes.InputLogEvent{{Timestamp: aws.Int64(now), Message: aws.String(msg)}}}, opts...); err != nil {
			t.Fatal(err)
		}
	}
	put(1000) // no header: stored, not extracted
	put(40, func(o *cloudwatchlogs.Options) {
		o.APIOptions = append(o.APIOptions, smithyhttp.AddHeaderValue("x-amzn-logs-format", "json/emf"))
	})
	metricSum(t, cw, "Agent", "Load", start, time.Now().Add(2*time.Minute), 40, cwtypes.Dimension{Name: aws.String("host"), Value: aws.String("h1")})
}
