package e2e_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/virga/virga/internal/e2e"
)

// The SDK speaks rpcv2Cbor and the Debian aws CLI awsQuery; both see the
// same metrics.
func TestCloudWatchMetricsCBORAndQuery(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cw := cloudwatch.NewFromConfig(env.Config)
	now := time.Now().UTC().Truncate(time.Minute)
	at := now.Add(-5 * time.Minute)
	dims := []cwtypes.Dimension{{Name: aws.String("Service"), Value: aws.String("checkout")}}
	_, err := cw.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{
		Namespace: aws.String("Shop"),
		MetricData: []cwtypes.MetricDatum{
			{MetricName: aws.String("Latency"), Dimensions: dims, Timestamp: aws.Time(at), Value: aws.Float64(10), Unit: cwtypes.StandardUnitMilliseconds},
			{MetricName: aws.String("Latency"), Dimensions: dims, Timestamp: aws.Time(at.Add(10 * time.Second)), Values: []float64{20, 30}, Counts: []float64{1, 2}, Unit: cwtypes.StandardUnitMilliseconds},
			{MetricName: aws.String("Latency"), Dimensions: dims, Timestamp: aws.Time(at.Add(time.Minute)),
				StatisticValues: &cwtypes.StatisticSet{SampleCount: aws.Float64(2), Sum: aws.Float64(100), Minimum: aws.Float64(40), Maximum: aws.Float64(60)}, Unit: cwtypes.StandardUnitMilliseconds},
			{MetricName: aws.String("Orders"), Value: aws.Float64(1)},
		},
	})
	if err != nil {
		t.Fatal(err)
	}

	// AWS/ namespaces are AWS's.
	_, err = cw.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("AWS/Lambda"),
		MetricData: []cwtypes.MetricDatum{{MetricName: aws.String("Errors"), Value: aws.Float64(1)}}})
	if got := expectAPIError(t, err, "InvalidParameterValue", 400); got.Message != "The value AWS/ for parameter Namespace is invalid." {
		t.Errorf("AWS/ namespace: message %q", got.Message)
	}

	stats, err := cw.GetMetricStatistics(ctx, &cloudwatch.GetMetricStatisticsInput{
		Namespace: aws.String("Shop"), MetricName: aws.String("Latency"), Dimensions: dims,
		StartTime: aws.Time(now.Add(-10 * time.Minute)), EndTime: aws.Time(now), Period: aws.Int32(60),
		Statistics:         []cwtypes.Statistic{cwtypes.StatisticSampleCount, cwtypes.StatisticAverage, cwtypes.StatisticSum, cwtypes.StatisticMinimum, cwtypes.StatisticMaximum},
		ExtendedStatistics: []string{"p50"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(stats.Datapoints) != 2 || aws.ToString(stats.Label) != "Latency" {
		t.Fatalf("datapoints %+v", stats.Datapoints)
	}
	first, second := stats.Datapoints[0], stats.Datapoints[1]
	if first.Timestamp.After(*second.Timestamp) {
		first, second = second, first
	}
	// 10, 20, 30, 30: count 4, sum 90; p50 is 20 (nearest rank).
	if !first.Timestamp.Equal(at) || *first.SampleCount != 4 || *first.Sum != 90 || *first.Minimum != 10 || *first.Maximum != 30 ||
		*first.Average != 22.5 || first.Unit != cwtypes.StandardUnitMilliseconds || first.ExtendedStatistics["p50"] != 20 {
		t.Errorf("first minute %+v %v", first, first.ExtendedStatistics)
	}
	if *second.SampleCount != 2 || *second.Sum != 100 || *second.Maximum != 60 || len(second.ExtendedStatistics) != 0 {
		t.Errorf("second minute %+v", second)
	}

	_, err = cw.GetMetricStatistics(ctx, &cloudwatch.GetMetricStatisticsInput{
		Namespace: aws.String("Shop"), MetricName: aws.String("Latency"),
		StartTime: aws.Time(now.Add(-48 * time.Hour)), EndTime: aws.Time(now), Period: aws.Int32(60),
		Statistics: []cwtypes.Statistic{cwtypes.StatisticSum},
	})
	if got := expectAPIError(t, err, "InvalidParameterCombination", 400); got.Message != "You have requested up to 2,880 datapoints, which exceeds the limit of 1,440. You may reduce the datapoints requested by increasing Period, or decreasing the time range." {
		t.Errorf("too many datapoints: %q", got.Message)
	}

	list, err := cw.ListMetrics(ctx, &cloudwatch.ListMetricsInput{Namespace: aws.String("Shop"),
		Dimensions: []cwtypes.DimensionFilter{{Name: aws.String("Service")}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Metrics) != 1 || aws.ToString(list.Metrics[0].MetricName) != "Latency" {
		t.Errorf("ListMetrics = %+v", list.Metrics)
	}

	data, err := cw.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(now.Add(-10 * time.Minute)), EndTime: aws.Time(now),
		MetricDataQueries: []cwtypes.MetricDataQuery{
			{Id: aws.String("lat"), MetricStat: &cwtypes.MetricStat{Metric: &cwtypes.Metric{Namespace: aws.String("Shop"), MetricName: aws.String("Latency"), Dimensions: dims}, Period: aws.Int32(60), Stat: aws.String("Maximum")}},
			{Id: aws.String("hidden"), ReturnData: aws.Bool(false), MetricStat: &cwtypes.MetricStat{Metric: &cwtypes.Metric{Namespace: aws.String("Shop"), MetricName: aws.String("Latency"), Dimensions: dims}, Period: aws.Int32(60), Stat: aws.String("SampleCount")}},
			{Id: aws.String("perSample"), Label: aws.String("max per sample"), Expression: aws.String("lat / hidden")},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(data.MetricDataResults) != 2 {
		t.Fatalf("results %+v", data.MetricDataResults)
	}
	// Metric math: the minutes' maxima, 30 and 60, over their sample
	// counts, 4 and 2.
	if m := data.MetricDataResults[1]; aws.ToString(m.Label) != "max per sample" || len(m.Values) != 2 || m.Values[0] != 30 || m.Values[1] != 7.5 {
		t.Errorf("expression result %+v", m)
	}
	_, err = cw.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(now.Add(-10 * time.Minute)), EndTime: aws.Time(now),
		MetricDataQueries: []cwtypes.MetricDataQuery{{Id: aws.String("e"), Expression: aws.String("INSIGHT_RULE_METRIC('rule', 'Sum')")}},
	})
	expectAPIError(t, err, "ValidationError", 400)
	r := data.MetricDataResults[0]
	// Newest first (TimestampDescending).
	if aws.ToString(r.Id) != "lat" || aws.ToString(r.Label) != "Latency" || r.StatusCode != cwtypes.StatusCodeComplete ||
		len(r.Values) != 2 || r.Values[0] != 60 || r.Values[1] != 30 || !r.Timestamps[1].Equal(at) {
		t.Errorf("GetMetricData result %+v", r)
	}

	// The aws CLI (awsQuery) reads what the SDK (rpcv2Cbor) wrote.
	var cliStats struct {
		Label      string
		Datapoints []struct {
			Timestamp string
			Sum       float64
			Unit      string
		}
	}
	cliJSON(t, env.CLI(t, "cloudwatch", "get-metric-statistics", "--namespace", "Shop", "--metric-name", "Latency",
		"--dimensions", "Name=Service,Value=checkout", "--start-time", strconv.FormatInt(now.Add(-10*time.Minute).Unix(), 10),
		"--end-time", strconv.FormatInt(now.Unix(), 10), "--period", "60", "--statistics", "Sum"), &cliStats)
	sum := 0.0
	for _, d := range cliStats.Datapoints {
		sum += d.Sum
	}
	if cliStats.Label != "Latency" || len(cliStats.Datapoints) != 2 || sum != 190 {
		t.Errorf("CLI statistics %+v", cliStats)
	}
	res := env.CLI(t, "cloudwatch", "put-metric-data", "--namespace", "AWS/EC2", "--metric-name", "X", "--value", "1")
	if res.ExitCode == 0 || !strings.Contains(res.Stderr, "InvalidParameterValue") || !strings.Contains(res.Stderr, "The value AWS/ for parameter Namespace is invalid.") {
		t.Errorf("CLI AWS/ namespace: exit %d, %s", res.ExitCode, res.Stderr)
	}
	if res := env.CLI(t, "cloudwatch", "put-metric-data", "--namespace", "Shop", "--metric-name", "Orders", "--value", "2"); res.ExitCode != 0 {
		t.Fatalf("CLI put-metric-data: %s", res.Stderr)
	}
	var cliList struct {
		Metrics []struct{ Namespace, MetricName string }
	}
	cliJSON(t, env.CLI(t, "cloudwatch", "list-metrics", "--namespace", "Shop"), &cliList)
	if len(cliList.Metrics) != 2 {
		t.Errorf("CLI list-metrics %+v", cliList)
	}
}

// Current botocore speaks awsJson 1.0 to CloudWatch (X-Amz-Target
// GraniteServiceVersion20100801.<Operation>), with awsQuery's error codes
// in X-Amzn-Query-Error.
func TestCloudWatchAWSJSON(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	creds := aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}
	call := func(op, body string) rawResponse {
		return do(t, env, rawRequest{Method: "POST", Body: body, Sign: &creds, Service: "monitoring", Headers: map[string]string{
			"X-Amz-Target": "GraniteServiceVersion20100801." + op, "Content-Type": "application/x-amz-json-1.0", "X-Amzn-Query-Mode": "true"}})
	}
	if r := call("PutMetricData", `{"Namespace":"J","MetricData":[{"MetricName":"m","Value":2,"Timestamp":`+strconv.FormatInt(time.Now().Unix(), 10)+`}]}`); r.Status != 200 {
		t.Fatalf("PutMetricData: %d %s", r.Status, r.Body)
	}
	r := call("ListMetrics", `{"Namespace":"J"}`)
	if r.Status != 200 || !strings.Contains(string(r.Body), `"MetricName":"m"`) || r.Header.Get("Content-Type") != "application/x-amz-json-1.0" {
		t.Errorf("ListMetrics: %d %s %v", r.Status, r.Body, r.Header)
	}
	r = call("PutMetricData", `{"Namespace":"AWS/X","MetricData":[{"MetricName":"m","Value":2}]}`)
	if r.Status != 400 || r.Header.Get("X-Amzn-Query-Error") != "InvalidParameterValue;Sender" ||
		!strings.Contains(string(r.Body), `"__type":"com.amazonaws.cloudwatch#InvalidParameterValueException"`) {
		t.Errorf("AWS/ namespace: %d %s %v", r.Status, r.Body, r.Header)
	}
}
