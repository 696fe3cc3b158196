package logs

// The operations' inputs and outputs come from AWS's model of CloudWatch Logs.
//go:generate go run ../awsproto/shapegen -service logs -version 2014-03-28 -package logs -out zz_shapes.go -ops CreateLogGroup,DescribeLogGroups,DeleteLogGroup,CreateLogStream,DescribeLogStreams,DeleteLogStream,PutLogEvents,GetLogEvents,FilterLogEvents,PutRetentionPolicy,DeleteRetentionPolicy,TagLogGroup,UntagLogGroup,ListTagsLogGroup,TagResource,UntagResource,ListTagsForResource
