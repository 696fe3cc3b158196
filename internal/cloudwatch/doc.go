// Package cloudwatch is Amazon CloudWatch's metrics and metric alarms
// (namespace "monitoring"). aws-sdk-go-v2 speaks Smithy's rpcv2Cbor to
// it, current botocore awsJson 1.0 (X-Amz-Target
// GraniteServiceVersion20100801.<Operation>), and older clients (the aws
// CLI and boto3 that Debian ships) awsQuery; all three serve one
// operation table (package querycompat), and errors carry their awsQuery
// codes in X-Amzn-Query-Error for rpcv2Cbor and awsJson clients.
//
// Metrics: PutMetricData (Value, Values/Counts, StatisticValues, Unit,
// Dimensions, Timestamp, StorageResolution; at most 1000 metrics a call,
// 30 dimensions, 150 values a datum, a 1 MB body; namespaces starting
// "AWS/" are AWS's), ListMetrics (Namespace, MetricName, dimension
// filters, RecentlyActive, 500 a page), GetMetricStatistics (the five
// statistics and percentiles pNN.NN, Unit, at most 1,440 datapoints) and
// GetMetricData (MetricStat queries, Label, ReturnData, ScanBy,
// MaxDatapoints, NextToken, and metric math: Expressions of numbers,
// query Ids, + - * / ^, comparisons, AND/OR, arrays and the functions of
// the User Guide's table, scalars, time series and arrays of time
// series as it types them, in mathexpr.go and mathfuncs.go; an array
// gives one MetricDataResult per member under the expression's Id;
// SEARCH over the stored metrics that reported data in the past two
// weeks, at most 500 a search, in search.go). An array literal holds at
// most 500 time series (virga's bound, after AWS's 500 metrics a
// GetMetricData call; AWS documents none for arrays), and FILL,
// TIME_SERIES and the clock functions make at most 100,800 points a
// series (a call's datapoints), so one expression computes at most 500
// times 100,800 points. Services publish their own metrics through
// RecordPoints (Lambda's AWS/Lambda metrics, aggregated per minute by
// an Aggregator; CloudWatch Logs' metric filters through AddAt, at
// their log events' timestamps. The Aggregator holds samples in memory
// for up to FlushInterval: a crash loses that second, as AWS's own
// metrics are only eventually visible; a shutdown flushes after the last
// invocation has ended).
//
// Store layout (tuples, package keys):
//
//	("cloudwatch", "series", id)            → series (JSON): namespace, name, dimensions, last put
//	("cloudwatch", "point", id, ms, seq)    → point (JSON): unit, count, sum, min, max, values, counts
//	("cloudwatch", "alarm", name)           → alarm (JSON), with its history
//
// id is the namespace, metric name and sorted dimensions joined by NULs.
// Every datum is kept as put, with its values for percentiles, for
// Retention (15 days, AWS's one-minute resolution); queries aggregate
// the points of each period on read. Run sweeps older points hourly.
// The series index is also held in memory (for ListMetrics), bounded to
// maxSeries metrics.
//
// Alarms: PutMetricAlarm (Statistic or ExtendedStatistic, or Metrics:
// metric math queries of which one returns data (queries.go), Period,
// (at most 20, 10 of each kind, giving one time series, not SEARCH),
// EvaluationPeriods, DatapointsToAlarm, Threshold, the four static
// ComparisonOperators, TreatMissingData, the three action lists,
// ActionsEnabled, Tags), DescribeAlarms, DescribeAlarmsForMetric,
// DeleteAlarms, SetAlarmState, Enable/DisableAlarmActions,
// DescribeAlarmHistory and the tag operations. Run evaluates each alarm
// once a minute on the service's clock over its last EvaluationPeriods
// periods ending at the minute, moves its state (M out of N, with
// TreatMissingData) and publishes AWS's alarm notification JSON to the
// SNS topics among the new state's actions (through Notifier), and
// invokes the Lambda functions among them asynchronously with
// CloudWatch's alarm event (lambda_action.go, through Functions), when
// the function exists and its resource policy allows the principal
// lambda.alarms.cloudwatch.amazonaws.com for the alarm (AWS:SourceArn,
// AWS:SourceAccount); an action that cannot run is logged.
//
// Composite alarms (composite.go, the AlarmRule language in
// alarmrule.go): PutCompositeAlarm stores an alarm among the metric
// alarms with its rule; it is ALARM while the rule holds and OK
// otherwise, evaluated on creation, after every SetAlarmState and after
// every round of metric alarm evaluations and after DeleteAlarms
// (repeatedly, for composites of composites), with the same SNS and Lambda actions (the SNS message
// carries AlarmRule instead of Trigger). DescribeAlarms lists them
// under AlarmTypes CompositeAlarm (metric alarms only without
// AlarmTypes), and answers ChildrenOfAlarmName and ParentsOfAlarmName.
//
// Dashboards (op_dashboards.go): PutDashboard, GetDashboard,
// ListDashboards (by name prefix, 1000 a page) and DeleteDashboards (all
// the named dashboards, or none when one is missing), stored as
// ("cloudwatch", "dashboard", name) → body and time of the last put.
// Dashboards are global: their ARNs (arn:aws:cloudwatch::ACCOUNT:dashboard/NAME)
// name no region. PutDashboard checks names as AWS does and the body's
// outline (a JSON object whose widgets are a list of objects), answering
// InvalidParameterInput with AWS's "The dashboard body is invalid, there
// are N validation errors" and the findings' paths; what a widget holds
// is not checked, so PutDashboard never answers warnings.
//
// Concurrency: Service.mu guards the series index, the alarms and their
// store writes, and orders dashboard writes; notifications are published
// after it is released.
//
// Not supported: Metrics Insights queries (SELECT ...), in GetMetricData
// and in alarms; the metric math functions INSIGHT_RULE_METRIC,
// ANOMALY_DETECTION_BAND and SERVICE_QUOTA (a ValidationError saying
// so); AWS's wording of metric math errors (virga's say what is wrong);
// SEARCH's case-sensitive matching of composite tokens, its
// cross-account :aws.AccountId and the labels AWS gives its results
// (virga's are the dimension values and the metric name); anomaly detection (its comparison operators
// and ThresholdMetricId); composite alarms' action suppression (ActionsSuppressor, refused), their AWS state reasons (virga's say which way the rule evaluated), and deleting an alarm a composite alarm names (allowed; the rule then finds it in no state);
// alarm actions other than SNS topics and Lambda functions (Auto
// Scaling, EC2, SSM are kept but not run), and the retries CloudWatch
// makes when Lambda cannot be reached (virga's Lambda queues the event
// at once); an action that fails is not recorded in the alarm's
// history; EvaluateLowSampleCountPercentile is kept, not
// applied; metric streams, insight rules, Contributor
// Insights; coarsening of datapoints older than 15 days (they are
// dropped); cross-account observability (IncludeLinkedAccounts).
package cloudwatch
