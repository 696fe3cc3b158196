package logs

// The operations' inputs and outputs come from AWS's model of CloudWatch
// Logs; model_overlay.json adds members AWS introduced after the model
// Debian ships (the log group class and the ARN without its trailing :*);
// QueryCompileError, which no operation names, is the detail of Logs
// Insights' MalformedQueryException.
//go:generate go run ../awsproto/shapegen -service logs -version 2014-03-28 -package logs -overlay model_overlay.json -out zz_shapes.go -extra QueryCompileError -ops CreateLogGroup,DescribeLogGroups,DeleteLogGroup,CreateLogStream,DescribeLogStreams,DeleteLogStream,PutLogEvents,GetLogEvents,FilterLogEvents,PutRetentionPolicy,DeleteRetentionPolicy,TagLogGroup,UntagLogGroup,ListTagsLogGroup,TagResource,UntagResource,ListTagsForResource,PutSubscriptionFilter,DescribeSubscriptionFilters,DeleteSubscriptionFilter,StartQuery,GetQueryResults,StopQuery,DescribeQueries,GetLogRecord,PutQueryDefinition,DescribeQueryDefinitions,DeleteQueryDefinition,PutMetricFilter,DescribeMetricFilters,DeleteMetricFilter,TestMetricFilter,PutResourcePolicy,DescribeResourcePolicies,DeleteResourcePolicy
