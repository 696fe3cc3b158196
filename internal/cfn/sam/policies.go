package sam

import (
	"fmt"
	"reflect"
	"strings"
)

// role is the execution role SAM generates for a function that names
// none, FUNCTIONRole. Event sources and properties add to it as the
// function is built; it is emitted last.
type role struct {
	id string
	// managed are the managed policy ARNs, strings or intrinsics, in the
	// order they were added and without repeats.
	managed []any
	// inline are the inline policies, {PolicyName, PolicyDocument}.
	inline []any
}

// addManaged adds a managed policy unless it is there already.
func (r *role) addManaged(arn any) {
	key := fmt.Sprint(arn)
	for _, m := range r.managed {
		if fmt.Sprint(m) == key {
			return
		}
	}
	r.managed = append(r.managed, arn)
}

// addInline adds an inline policy made of statements.
func (r *role) addInline(name string, statements []any) {
	r.inline = append(r.inline, map[string]any{
		"PolicyName": name,
		"PolicyDocument": map[string]any{
			"Version":   "2012-10-17",
			"Statement": statements,
		},
	})
}

// addDestination adds the policy that lets the role send to dest, a
// destination of type typ, as SAM's translator names and writes it:
// named id plus the type's suffix (FUNCTIONEVENTSQSPolicy,
// FUNCTIONEventInvokeConfigOnFailureS3Policy), its document without a
// Version, each action a string. With once, as for a stream event's
// destination, a policy whose document the role already has is not
// added again. A type without a policy (Kafka) adds none.
func (r *role) addDestination(id, typ string, dest any, once bool) {
	p, ok := destinationPolicies[typ]
	if !ok {
		return
	}
	statements := []any{oneActionStatement(p.action, clone(dest))}
	if p.action == "s3:PutObject" { // on the bucket's objects, and ListBucket on the bucket
		statements = []any{oneActionStatement(p.action, map[string]any{"Fn::Join": []any{"/", []any{clone(dest), "*"}}}),
			oneActionStatement("s3:ListBucket", clone(dest))}
	}
	doc := map[string]any{"Statement": statements}
	if once {
		for _, in := range r.inline {
			if reflect.DeepEqual(asMap(in)["PolicyDocument"], doc) {
				return
			}
		}
	}
	r.inline = append(r.inline, map[string]any{"PolicyName": id + p.suffix, "PolicyDocument": doc})
}

// destinationPolicies are, for each type of destination (a stream
// event's OnFailure, an EventInvokeConfig's), the suffix of the name
// of the policy that lets the role send there and the action it
// allows. SAM's translator writes SNS's in lower case.
var destinationPolicies = map[string]struct{ suffix, action string }{
	"SQS":         {"SQSPolicy", "sqs:SendMessage"},
	"SNS":         {"SNSPolicy", "sns:publish"},
	"S3":          {"S3Policy", "s3:PutObject"},
	"S3Bucket":    {"S3Policy", "s3:PutObject"},
	"EventBridge": {"EventBridgePolicy", "events:PutEvents"},
	"Lambda":      {"LambdaPolicy", "lambda:InvokeFunction"},
}

// oneActionStatement allows action on resource, the action a string.
func oneActionStatement(action string, resource any) map[string]any {
	return map[string]any{"Effect": "Allow", "Action": action, "Resource": resource}
}

// oneActionPolicy is a policy document that allows action on resource,
// as SAM's translator writes an event role's: the action a string, no
// Version.
func oneActionPolicy(action string, resource any) map[string]any {
	return map[string]any{"Statement": []any{oneActionStatement(action, resource)}}
}

// allow is an Allow statement.
func allow(actions []string, resource any) map[string]any {
	a := make([]any, len(actions))
	for i, s := range actions {
		a[i] = s
	}
	return map[string]any{"Effect": "Allow", "Action": a, "Resource": resource}
}

// serviceRolePolicies are the AWS managed policies whose ARN has the
// service-role/ path; others are directly under policy/.
var serviceRolePolicies = set(
	"AWSLambdaBasicExecutionRole", "AWSLambdaDynamoDBExecutionRole",
	"AWSLambdaKinesisExecutionRole", "AWSLambdaMSKExecutionRole", "AWSLambdaRole",
	"AWSLambdaSQSQueueExecutionRole", "AWSLambdaVPCAccessExecutionRole",
	"AWSLambdaENIManagementAccess", "AWSLambdaReplicator",
)

// managedPolicyARN is the ARN of an AWS managed policy named by name,
// in the partition of the stack's region, as SAM writes it.
func (t *transformer) managedPolicyARN(name string) string {
	path := ""
	if serviceRolePolicies[name] {
		path = "service-role/"
	}
	return "arn:" + t.partition + ":iam::aws:policy/" + path + name
}

// addPolicies adds a function's Policies to its role: AWS managed policy
// names and ARNs, intrinsics (taken to be managed policy ARNs, as SAM
// does), inline policy documents and SAM policy templates. Inline
// documents and templates become inline policies named
// ROLEPolicyINDEX, INDEX being the position in Policies.
func (t *transformer) addPolicies(fn string, r *role, v any) error {
	var list []any
	switch v := v.(type) {
	case nil:
		return nil
	case []any:
		list = v
	default:
		list = []any{v}
	}
	for i, p := range list {
		name := fmt.Sprintf("%sPolicy%d", r.id, i)
		switch p := p.(type) {
		case string:
			if strings.HasPrefix(p, "arn:") {
				r.addManaged(p)
			} else {
				r.addManaged(t.managedPolicyARN(p))
			}
			continue
		case map[string]any:
			if isIntrinsic(p) {
				r.addManaged(clone(p))
				continue
			}
			if st, ok := p["Statement"]; ok {
				doc := cloneMap(p)
				if _, ok := doc["Version"]; !ok {
					doc["Version"] = "2012-10-17"
				}
				if _, isList := st.([]any); !isList {
					doc["Statement"] = []any{clone(st)}
				}
				r.inline = append(r.inline, map[string]any{"PolicyName": name, "PolicyDocument": doc})
				continue
			}
			if len(p) == 1 {
				for tmpl, params := range p {
					statements, err := t.policyTemplate(fn, tmpl, params)
					if err != nil {
						return err
					}
					if statements != nil {
						r.addInline(name, statements)
					}
				}
				continue
			}
		}
		// Wording unconfirmed.
		return resourceError(fn, "Policy at index %d in the 'Policies' property is not valid.", i)
	}
	return nil
}

// policyTemplate expands a SAM policy template into its statements.
// A template virga has no statements for gives a warning and nil.
func (t *transformer) policyTemplate(fn, name string, params any) ([]any, error) {
	tmpl, ok := policyTemplates[name]
	if !ok {
		if otherPolicyTemplates[name] {
			t.warn(fn, "the policy template %s is not modelled by virga; the role was created without its permissions", name)
			return nil, nil
		}
		// Wording unconfirmed.
		return nil, resourceError(fn, "Policy template '%s' is not a known SAM policy template.", name)
	}
	values, _ := params.(map[string]any)
	if params != nil && values == nil && !isEmptyList(params) {
		return nil, resourceError(fn, "Parameters of policy template '%s' must be a dictionary.", name)
	}
	var missing []string
	for _, p := range tmpl.params {
		if _, ok := values[p]; !ok {
			missing = append(missing, "'"+p+"'")
		}
	}
	if len(missing) > 0 {
		// Wording unconfirmed; modelled on SAM's InsufficientParameterValues.
		return nil, resourceError(fn, "Following required parameters of template '%s' don't have values: [%s]", name, strings.Join(missing, ", "))
	}
	statements := make([]any, 0, len(tmpl.statements))
	for _, s := range tmpl.statements {
		var resources []any
		for _, pattern := range s.resources {
			resources = append(resources, templateResource(pattern, tmpl.params, values))
		}
		var resource any = resources
		if len(resources) == 1 && !s.resourceList {
			resource = resources[0]
		}
		statements = append(statements, allow(s.actions, resource))
	}
	return statements, nil
}

// isEmptyList reports whether v is [] (some templates are written with
// an empty list for "no parameters").
func isEmptyList(v any) bool {
	l, ok := v.([]any)
	return ok && len(l) == 0
}

// templateResource builds a statement's resource from its pattern: "*"
// stays literal; a pattern naming template parameters, as ${tableName},
// becomes Fn::Sub with those parameters' values; any other pattern is a
// plain Fn::Sub of pseudo parameters.
func templateResource(pattern string, params []string, values map[string]any) any {
	if !strings.Contains(pattern, "${") {
		return pattern
	}
	vars := map[string]any{}
	for _, p := range params {
		// Most templates name a parameter's variable tableName; a few
		// (Route53ChangeResourceRecordSetsPolicy) keep its own name.
		for _, v := range []string{lowerFirst(p), p} {
			if strings.Contains(pattern, "${"+v+"}") {
				vars[v] = clone(values[p])
			}
		}
	}
	if len(vars) == 0 {
		return sub(pattern)
	}
	return subVars(pattern, vars)
}

// lowerFirst is a parameter's name as a Fn::Sub variable: TableName
// becomes tableName.
func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// samPolicyTemplate describes one SAM policy template: its parameters and
// statements, from "AWS SAM policy template list". A resource pattern
// refers to parameter P as ${p} (lower-case first letter).
type samPolicyTemplate struct {
	params     []string
	statements []templateStatement
}

type templateStatement struct {
	actions   []string
	resources []string
	// resourceList writes a single resource as a one-element list, as
	// the template does.
	resourceList bool
}

// Common ARN patterns of the templates.
const (
	arnPrefix    = "arn:${AWS::Partition}:"
	regionAcct   = ":${AWS::Region}:${AWS::AccountId}:"
	ddbTable     = arnPrefix + "dynamodb" + regionAcct + "table/${tableName}"
	ddbTableIdx  = ddbTable + "/index/*"
	s3Bucket     = arnPrefix + "s3:::${bucketName}"
	s3Objects    = s3Bucket + "/*"
	sqsQueue     = arnPrefix + "sqs" + regionAcct + "${queueName}"
	kinesisStrm  = arnPrefix + "kinesis" + regionAcct + "stream/${streamName}"
	kmsKey       = arnPrefix + "kms" + regionAcct + "key/${keyId}"
	ssmParameter = arnPrefix + "ssm" + regionAcct + "parameter"
	sesIdentity  = arnPrefix + "ses" + regionAcct + "identity/${identityName}"
)

var (
	dynamoDBRead  = []string{"dynamodb:GetItem", "dynamodb:Scan", "dynamodb:Query", "dynamodb:BatchGetItem", "dynamodb:DescribeTable"}
	dynamoDBWrite = []string{"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem"}
	dynamoDBCrud  = []string{
		"dynamodb:GetItem", "dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:Scan",
		"dynamodb:Query", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem",
		"dynamodb:BatchGetItem", "dynamodb:DescribeTable", "dynamodb:ConditionCheckItem",
	}
	ssmGet = []string{"ssm:GetParameters", "ssm:GetParameter", "ssm:GetParametersByPath"}
)

// policyTemplates are the templates virga expands: those for the services
// virga emulates, and the commonest others.
var policyTemplates = map[string]samPolicyTemplate{
	"AMIDescribePolicy": {statements: []templateStatement{
		{actions: []string{"ec2:DescribeImages"}, resources: []string{"*"}},
	}},
	"AWSSecretsManagerGetSecretValuePolicy": {params: []string{"SecretArn"}, statements: []templateStatement{
		{actions: []string{"secretsmanager:GetSecretValue"}, resources: []string{"${secretArn}"}},
	}},
	"CloudFormationDescribeStacksPolicy": {statements: []templateStatement{
		{actions: []string{"cloudformation:DescribeStacks"}, resources: []string{arnPrefix + "cloudformation" + regionAcct + "stack/*"}},
	}},
	"CloudWatchDashboardPolicy": {statements: []templateStatement{
		{actions: []string{"cloudwatch:GetDashboard", "cloudwatch:ListDashboards", "cloudwatch:PutDashboard", "cloudwatch:ListMetrics"}, resources: []string{"*"}},
	}},
	"CloudWatchDescribeAlarmHistoryPolicy": {statements: []templateStatement{
		{actions: []string{"cloudwatch:DescribeAlarmHistory"}, resources: []string{"*"}},
	}},
	"CloudWatchPutMetricPolicy": {statements: []templateStatement{
		{actions: []string{"cloudwatch:PutMetricData"}, resources: []string{"*"}},
	}},
	"DynamoDBBackupFullAccessPolicy": {params: []string{"TableName"}, statements: []templateStatement{
		{actions: []string{"dynamodb:CreateBackup", "dynamodb:DescribeContinuousBackups"}, resources: []string{ddbTable}},
		{actions: []string{"dynamodb:DeleteBackup", "dynamodb:DescribeBackup", "dynamodb:ListBackups"}, resources: []string{ddbTable + "/backup/*"}},
	}},
	"DynamoDBCrudPolicy": {params: []string{"TableName"}, statements: []templateStatement{
		{actions: dynamoDBCrud, resources: []string{ddbTable, ddbTableIdx}},
	}},
	"DynamoDBReadPolicy": {params: []string{"TableName"}, statements: []templateStatement{
		{actions: dynamoDBRead, resources: []string{ddbTable, ddbTableIdx}},
	}},
	"DynamoDBReconfigurePolicy": {params: []string{"TableName"}, statements: []templateStatement{
		{actions: []string{"dynamodb:UpdateTable"}, resources: []string{ddbTable}},
	}},
	"DynamoDBRestoreFromBackupPolicy": {params: []string{"TableName"}, statements: []templateStatement{
		{actions: []string{"dynamodb:RestoreTableFromBackup"}, resources: []string{ddbTable + "/backup/*"}},
		{actions: []string{
			"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:GetItem",
			"dynamodb:Query", "dynamodb:Scan", "dynamodb:BatchWriteItem",
		}, resources: []string{ddbTable}},
	}},
	"DynamoDBStreamReadPolicy": {params: []string{"TableName", "StreamName"}, statements: []templateStatement{
		{actions: []string{"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"}, resources: []string{ddbTable + "/stream/${streamName}"}},
		{actions: []string{"dynamodb:ListStreams"}, resources: []string{ddbTable + "/stream/*"}},
	}},
	"DynamoDBWritePolicy": {params: []string{"TableName"}, statements: []templateStatement{
		{actions: dynamoDBWrite, resources: []string{ddbTable, ddbTableIdx}},
	}},
	"EC2DescribePolicy": {statements: []templateStatement{
		{actions: []string{"ec2:DescribeRegions", "ec2:DescribeInstances"}, resources: []string{"*"}},
	}},
	"EcsRunTaskPolicy": {params: []string{"TaskDefinition"}, statements: []templateStatement{
		{actions: []string{"ecs:RunTask"}, resources: []string{arnPrefix + "ecs" + regionAcct + "task-definition/${taskDefinition}"}},
	}},
	"EventBridgePutEventsPolicy": {params: []string{"EventBusName"}, statements: []templateStatement{
		{actions: []string{"events:PutEvents"}, resources: []string{arnPrefix + "events" + regionAcct + "event-bus/${eventBusName}"}},
	}},
	"FilterLogEventsPolicy": {params: []string{"LogGroupName"}, statements: []templateStatement{
		{actions: []string{"logs:FilterLogEvents"}, resources: []string{arnPrefix + "logs" + regionAcct + "log-group:${logGroupName}:log-stream:*"}},
	}},
	"KinesisCrudPolicy": {params: []string{"StreamName"}, statements: []templateStatement{
		{actions: []string{
			"kinesis:AddTagsToStream", "kinesis:CreateStream", "kinesis:DecreaseStreamRetentionPeriod",
			"kinesis:DeleteStream", "kinesis:DescribeStream", "kinesis:DescribeStreamSummary",
			"kinesis:GetShardIterator", "kinesis:IncreaseStreamRetentionPeriod",
			"kinesis:ListTagsForStream", "kinesis:MergeShards", "kinesis:PutRecord",
			"kinesis:PutRecords", "kinesis:SplitShard", "kinesis:RemoveTagsFromStream",
		}, resources: []string{kinesisStrm}},
	}},
	"KinesisStreamReadPolicy": {params: []string{"StreamName"}, statements: []templateStatement{
		{actions: []string{"kinesis:ListStreams", "kinesis:DescribeLimits"}, resources: []string{arnPrefix + "kinesis" + regionAcct + "stream/*"}},
		{actions: []string{"kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords", "kinesis:GetShardIterator"}, resources: []string{kinesisStrm}},
	}},
	"KMSDecryptPolicy": {params: []string{"KeyId"}, statements: []templateStatement{
		{actions: []string{"kms:Decrypt"}, resources: []string{kmsKey}},
	}},
	"KMSEncryptPolicy": {params: []string{"KeyId"}, statements: []templateStatement{
		{actions: []string{"kms:Encrypt"}, resources: []string{kmsKey}},
	}},
	"KMSEncryptPolicy_v2": {params: []string{"KeyId"}, statements: []templateStatement{
		{actions: []string{
			"kms:Encrypt", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext",
			"kms:GenerateDataKeyPair", "kms:GenerateDataKeyPairWithoutPlaintext",
		}, resources: []string{kmsKey}},
	}},
	"LambdaInvokePolicy": {params: []string{"FunctionName"}, statements: []templateStatement{
		{actions: []string{"lambda:InvokeFunction"}, resources: []string{arnPrefix + "lambda" + regionAcct + "function:${functionName}*"}},
	}},
	"S3CrudPolicy": {params: []string{"BucketName"}, statements: []templateStatement{
		{actions: []string{
			"s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation", "s3:GetObjectVersion",
			"s3:PutObject", "s3:PutObjectAcl", "s3:GetLifecycleConfiguration",
			"s3:PutLifecycleConfiguration", "s3:DeleteObject",
		}, resources: []string{s3Bucket, s3Objects}},
	}},
	"S3FullAccessPolicy": {params: []string{"BucketName"}, statements: []templateStatement{
		{actions: []string{
			"s3:GetObject", "s3:GetObjectAcl", "s3:GetObjectVersion", "s3:PutObject",
			"s3:PutObjectAcl", "s3:DeleteObject", "s3:DeleteObjectTagging",
			"s3:DeleteObjectVersionTagging", "s3:GetObjectTagging",
			"s3:GetObjectVersionTagging", "s3:PutObjectTagging", "s3:PutObjectVersionTagging",
		}, resources: []string{s3Objects}, resourceList: true},
		{actions: []string{
			"s3:ListBucket", "s3:GetBucketLocation", "s3:GetLifecycleConfiguration",
			"s3:PutLifecycleConfiguration",
		}, resources: []string{s3Bucket}, resourceList: true},
	}},
	"S3ReadPolicy": {params: []string{"BucketName"}, statements: []templateStatement{
		{actions: []string{
			"s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation", "s3:GetObjectVersion",
			"s3:GetLifecycleConfiguration",
		}, resources: []string{s3Bucket, s3Objects}},
	}},
	"S3WritePolicy": {params: []string{"BucketName"}, statements: []templateStatement{
		{actions: []string{"s3:PutObject", "s3:PutObjectAcl", "s3:PutLifecycleConfiguration"}, resources: []string{s3Bucket, s3Objects}},
	}},
	"SESBulkTemplatedCrudPolicy": {params: []string{"IdentityName"}, statements: []templateStatement{
		{actions: []string{
			"ses:GetIdentityVerificationAttributes", "ses:SendEmail", "ses:SendRawEmail",
			"ses:SendTemplatedEmail", "ses:SendBulkTemplatedEmail", "ses:VerifyEmailIdentity",
		}, resources: []string{sesIdentity}},
	}},
	"SESBulkTemplatedCrudPolicy_v2": {params: []string{"IdentityName", "TemplateName"}, statements: []templateStatement{
		{actions: []string{"ses:SendEmail", "ses:SendRawEmail", "ses:SendTemplatedEmail", "ses:SendBulkTemplatedEmail"},
			resources: []string{sesIdentity, arnPrefix + "ses" + regionAcct + "template/${templateName}"}},
		{actions: []string{"ses:GetIdentityVerificationAttributes", "ses:VerifyEmailIdentity"}, resources: []string{"*"}},
	}},
	"SESCrudPolicy": {params: []string{"IdentityName"}, statements: []templateStatement{
		{actions: []string{
			"ses:GetIdentityVerificationAttributes", "ses:SendEmail", "ses:SendRawEmail", "ses:VerifyEmailIdentity",
		}, resources: []string{sesIdentity}},
	}},
	"SESEmailTemplateCrudPolicy": {statements: []templateStatement{
		{actions: []string{
			"ses:CreateTemplate", "ses:GetTemplate", "ses:ListTemplates", "ses:UpdateTemplate",
			"ses:DeleteTemplate", "ses:TestRenderTemplate",
		}, resources: []string{"*"}},
	}},
	"SESSendBouncePolicy": {params: []string{"IdentityName"}, statements: []templateStatement{
		{actions: []string{"ses:SendBounce"}, resources: []string{sesIdentity}},
	}},
	"SNSCrudPolicy": {params: []string{"TopicName"}, statements: []templateStatement{
		{actions: []string{"sns:ListSubscriptionsByTopic", "sns:CreateTopic", "sns:SetTopicAttributes", "sns:Subscribe", "sns:Publish"},
			resources: []string{arnPrefix + "sns" + regionAcct + "${topicName}*"}},
	}},
	"SNSPublishMessagePolicy": {params: []string{"TopicName"}, statements: []templateStatement{
		{actions: []string{"sns:Publish"}, resources: []string{arnPrefix + "sns" + regionAcct + "${topicName}"}},
	}},
	"SQSPollerPolicy": {params: []string{"QueueName"}, statements: []templateStatement{
		{actions: []string{
			"sqs:ChangeMessageVisibility", "sqs:ChangeMessageVisibilityBatch", "sqs:DeleteMessage",
			"sqs:DeleteMessageBatch", "sqs:GetQueueAttributes", "sqs:ReceiveMessage",
		}, resources: []string{sqsQueue}},
	}},
	"SQSSendMessagePolicy": {params: []string{"QueueName"}, statements: []templateStatement{
		{actions: []string{"sqs:SendMessage*"}, resources: []string{sqsQueue}},
	}},
	"SSMParameterReadPolicy": {params: []string{"ParameterName"}, statements: []templateStatement{
		{actions: []string{"ssm:DescribeParameters"}, resources: []string{"*"}},
		{actions: ssmGet, resources: []string{ssmParameter + "/${parameterName}"}},
	}},
	"SSMParameterWithSlashPrefixReadPolicy": {params: []string{"ParameterName"}, statements: []templateStatement{
		{actions: []string{"ssm:DescribeParameters"}, resources: []string{"*"}},
		{actions: ssmGet, resources: []string{ssmParameter + "${parameterName}"}},
	}},
	"StepFunctionsExecutionPolicy": {params: []string{"StateMachineName"}, statements: []templateStatement{
		{actions: []string{"states:StartExecution"}, resources: []string{arnPrefix + "states" + regionAcct + "stateMachine:${stateMachineName}"}},
	}},
	"StepFunctionsExecutionPolicy_v2": {params: []string{"StateMachineName"}, statements: []templateStatement{
		{actions: []string{"states:StartExecution", "states:StartSyncExecution"}, resources: []string{arnPrefix + "states" + regionAcct + "stateMachine:${stateMachineName}"}},
	}},
	"StepFunctionsCallbackPolicy": {params: []string{"StateMachineName"}, statements: []templateStatement{
		{actions: []string{"states:SendTaskFailure", "states:SendTaskHeartbeat", "states:SendTaskSuccess"}, resources: []string{arnPrefix + "states" + regionAcct + "stateMachine:${stateMachineName}"}},
	}},
	"Route53ChangeResourceRecordSetsPolicy": {params: []string{"HostedZoneId"}, statements: []templateStatement{
		{actions: []string{"route53:ChangeResourceRecordSets"}, resources: []string{arnPrefix + "route53:::hostedzone/${HostedZoneId}"}},
	}},
	"VPCAccessPolicy": {statements: []templateStatement{
		{actions: []string{"ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DetachNetworkInterface"}, resources: []string{"*"}},
	}},
}

// otherPolicyTemplates are SAM's templates that virga does not expand:
// a function that uses one is built with a warning, without the
// template's permissions.
var otherPolicyTemplates = set(
	"AcmGetCertificatePolicy", "AthenaQueryPolicy", "AWSSecretsManagerRotationPolicy",
	"CodeCommitCrudPolicy", "CodeCommitReadPolicy", "CodePipelineLambdaExecutionPolicy",
	"CodePipelineReadOnlyPolicy", "ComprehendBasicAccessPolicy", "CostExplorerReadOnlyPolicy",
	"EC2CopyImagePolicy", "EFSWriteAccessPolicy", "EKSDescribePolicy",
	"ElasticMapReduceAddJobFlowStepsPolicy", "ElasticMapReduceCancelStepsPolicy",
	"ElasticMapReduceModifyInstanceFleetPolicy", "ElasticMapReduceModifyInstanceGroupsPolicy",
	"ElasticMapReduceSetTerminationProtectionPolicy", "ElasticMapReduceTerminateJobFlowsPolicy",
	"ElasticsearchHttpPostPolicy", "FirehoseCrudPolicy", "FirehoseWritePolicy",
	"MobileAnalyticsWriteOnlyAccessPolicy", "OrganizationsListAccountsPolicy",
	"PinpointEndpointAccessPolicy", "PollyFullAccessPolicy", "RekognitionDetectOnlyPolicy",
	"RekognitionFacesManagementPolicy", "RekognitionFacesPolicy", "RekognitionLabelsPolicy",
	"RekognitionNoDataAccessPolicy", "RekognitionReadPolicy", "RekognitionWriteOnlyAccessPolicy",
	"SageMakerCreateEndpointConfigPolicy",
	"SageMakerCreateEndpointPolicy", "ServerlessRepoReadWriteAccessPolicy",
	"TextractDetectAnalyzePolicy", "TextractGetResultPolicy",
	"TextractPolicy",
)
