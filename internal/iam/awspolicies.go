package iam

import (
	"encoding/json"
	"time"
)

// awsPolicy is an AWS managed policy virga knows: the ones serverless
// applications attach. Facts come from AWS's managed policy reference;
// where virga does not carry a policy's document (Document empty), its
// creation date and default version are not given either, and
// GetPolicyVersion answers that virga lacks it. Grants, for some of
// those, is what the policy allows according to the documentation of
// the service that relies on it (Lambda's permissions for an event
// source mapping's poller) or according to its description (a service's
// FullAccess policy grants every action of that service, AWSLambdaRole
// invoking functions, AWSXrayWriteOnlyAccess X-Ray's writes):
// authorization evaluates it, so that the roles templates give their
// functions work under --auth iam, while the API still reports the
// document as not carried.
type awsPolicy struct {
	Name     string
	Path     string
	Created  time.Time // as GetPolicy answers; minute precision where only the reference gives it
	Version  string
	Document string
	Grants   string
}

func (p awsPolicy) arn() string {
	return "arn:aws:iam::" + awsManagedAccount + ":policy" + p.Path + p.Name
}

// allows is a policy document allowing actions on every resource.
func allows(actions ...string) string {
	doc, _ := json.Marshal(map[string]any{"Version": "2012-10-17",
		"Statement": []any{map[string]any{"Effect": "Allow", "Action": actions, "Resource": "*"}}})
	return string(doc)
}

// awsPolicies is the catalogue, by ARN.
var awsPolicies = func() map[string]awsPolicy {
	list := []awsPolicy{
		{Name: "AWSLambdaBasicExecutionRole", Path: "/service-role/",
			Created: time.Date(2015, 4, 9, 15, 3, 0, 0, time.UTC), Version: "v1",
			Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:CreateLogGroup","logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"}]}`},
		{Name: "AWSLambdaDynamoDBExecutionRole", Path: "/service-role/",
			Created: time.Date(2015, 4, 9, 15, 9, 0, 0, time.UTC), Version: "v1",
			Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["dynamodb:DescribeStream","dynamodb:GetRecords","dynamodb:GetShardIterator","dynamodb:ListStreams","logs:CreateLogGroup","logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"}]}`},
		{Name: "AWSLambdaSQSQueueExecutionRole", Path: "/service-role/",
			Grants: allows("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents")},
		{Name: "AWSLambdaKinesisExecutionRole", Path: "/service-role/",
			Grants: allows("kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:ListShards", "kinesis:ListStreams", "kinesis:SubscribeToShard", "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents")},
		{Name: "AWSLambdaVPCAccessExecutionRole", Path: "/service-role/"},
		{Name: "AWSLambdaRole", Path: "/service-role/",
			Grants: allows("lambda:InvokeFunction")},
		{Name: "AWSXRayDaemonWriteAccess", Path: "/"},
		{Name: "AmazonDynamoDBFullAccess", Path: "/",
			Grants: allows("dynamodb:*")},
		{Name: "AmazonS3FullAccess", Path: "/",
			Grants: allows("s3:*")},
		{Name: "AmazonS3ReadOnlyAccess", Path: "/"},
		{Name: "AmazonSQSFullAccess", Path: "/",
			Grants: allows("sqs:*")},
		{Name: "AmazonSNSFullAccess", Path: "/",
			Grants: allows("sns:*")},
		{Name: "CloudWatchLogsFullAccess", Path: "/",
			Grants: allows("logs:*")},
		{Name: "AdministratorAccess", Path: "/",
			Created: time.Date(2015, 2, 6, 18, 39, 46, 0, time.UTC), Version: "v1",
			Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`},
		{Name: "PowerUserAccess", Path: "/",
			Created: time.Date(2015, 2, 6, 18, 39, 0, 0, time.UTC), Version: "v12",
			Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":["iam:*","organizations:*","account:*"],"Resource":"*"},{"Effect":"Allow","Action":["account:GetAccountInformation","account:GetGovCloudAccountInformation","account:GetPrimaryEmail","account:ListRegions","iam:CreateServiceLinkedRole","iam:DeleteServiceLinkedRole","iam:ListRoles","organizations:DescribeEffectivePolicy","organizations:DescribeOrganization"],"Resource":"*"}]}`},
		{Name: "ReadOnlyAccess", Path: "/"},
		// Those SAM's transform attaches, and their read-only neighbours.
		{Name: "AWSXrayWriteOnlyAccess", Path: "/",
			Grants: allows("xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets", "xray:GetSamplingStatisticSummaries")},
		{Name: "AWSLambdaExecute", Path: "/"},
		{Name: "AWSLambdaMSKExecutionRole", Path: "/service-role/"},
		{Name: "AWSLambdaENIManagementAccess", Path: "/service-role/"},
		{Name: "AWSLambdaReplicator", Path: "/service-role/"},
		{Name: "AmazonDynamoDBReadOnlyAccess", Path: "/"},
		{Name: "AmazonSQSReadOnlyAccess", Path: "/"},
		{Name: "AmazonSNSReadOnlyAccess", Path: "/"},
		{Name: "CloudWatchLogsReadOnlyAccess", Path: "/"},
		{Name: "AmazonAPIGatewayPushToCloudWatchLogs", Path: "/service-role/"},
		{Name: "SecretsManagerReadWrite", Path: "/"},
		{Name: "AmazonSSMReadOnlyAccess", Path: "/"},
	}
	m := make(map[string]awsPolicy, len(list))
	for _, p := range list {
		m[p.arn()] = p
	}
	return m
}()
