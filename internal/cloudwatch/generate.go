package cloudwatch

// The operations' inputs and outputs come from AWS's model of CloudWatch
// (the awsQuery model Debian's python3-botocore ships; the rpcv2Cbor
// protocol carries the same shapes). Only metrics, metric alarms, tags and
// dashboards are generated; model_overlay.json adds what AWS introduced
// since (a metric alarm's StateTransitionedTimestamp).
//go:generate go run ../awsproto/shapegen -service cloudwatch -version 2010-08-01 -package cloudwatch -overlay model_overlay.json -out zz_shapes.go -ops PutDashboard,GetDashboard,ListDashboards,DeleteDashboards,PutCompositeAlarm,PutMetricData,ListMetrics,GetMetricStatistics,GetMetricData,PutMetricAlarm,DescribeAlarms,DescribeAlarmsForMetric,DeleteAlarms,SetAlarmState,EnableAlarmActions,DisableAlarmActions,DescribeAlarmHistory,TagResource,UntagResource,ListTagsForResource
