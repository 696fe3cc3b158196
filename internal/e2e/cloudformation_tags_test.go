package e2e_test

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	schtypes "github.com/aws/aws-sdk-go-v2/service/scheduler/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/virga/virga/internal/e2e"
)

// stackTagsTemplate has a resource of each kind CloudFormation tags; the
// queue gives a tag of its own for a key the stack tags too.
// CloudFormation gives the stackOnly ones its stack's tags but not its
// aws:cloudformation: tags.
var stackOnly = map[string]bool{"Role": true, "User": true, "Nested": true}

// nestedTagsTemplate is the template of stackTagsTemplate's nested stack.
const nestedTagsTemplate = "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\nOutputs:\n  Queue: {Value: !Ref Queue}\n"

const stackTagsTemplate = `Parameters:
  Subnets:
    Type: List<AWS::EC2::Subnet::Id>
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: !GetAtt Role.Arn
      Code:
        ZipFile: "def handler(e, c):\n    return 1\n"
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      Tags: [{Key: team, Value: red}, {Key: own, Value: "1"}]
  Topic:
    Type: AWS::SNS::Topic
  Logs:
    Type: AWS::Logs::LogGroup
  Machine:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      RoleArn: !GetAtt Role.Arn
      Definition: {StartAt: Done, States: {Done: {Type: Succeed}}}
  Rest:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: tagged-rest
  Http:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      Name: tagged-http
      ProtocolType: HTTP
      Tags: {team: red, own: "1"}
  Bus:
    Type: AWS::Events::EventBus
    Properties:
      Name: tagged-bus
  User:
    Type: AWS::IAM::User
  Key:
    Type: AWS::KMS::Key
  Repo:
    Type: AWS::ECR::Repository
  Alb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Subnets: !Ref Subnets
  Targets:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      TargetType: ip
      Protocol: HTTP
      Port: 8080
      VpcId: vpc-1
  Group:
    Type: AWS::Scheduler::ScheduleGroup
  TrailLogs:
    Type: AWS::S3::Bucket
  Trail:
    Type: AWS::CloudTrail::Trail
    Properties:
      S3BucketName: !Ref TrailLogs
      IsLogging: false
  Alarm:
    Type: AWS::CloudWatch::Alarm
    Properties:
      Namespace: AWS/Lambda
      MetricName: Errors
      Statistic: Sum
      Period: 60
      EvaluationPeriods: 1
      Threshold: 1
      ComparisonOperator: GreaterThanOrEqualToThreshold
  Nested:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: https://tagged-nest.s3.amazonaws.com/leaf.yaml
Outputs:
  Repo: {Value: !GetAtt Repo.Arn}
  Alb: {Value: !Ref Alb}
  Targets: {Value: !Ref Targets}
  Group: {Value: !GetAtt Group.Arn}
  Trail: {Value: !GetAtt Trail.Arn}
  TrailLogs: {Value: !Ref TrailLogs}
  Alarm: {Value: !GetAtt Alarm.Arn}
  Nested: {Value: !Ref Nested}
  NestedQueue: {Value: !GetAtt Nested.Outputs.Queue}
  Key: {Value: !Ref Key}
  Role: {Value: !Ref Role}
  User: {Value: !Ref User}
  Fn: {Value: !GetAtt Fn.Arn}
  Table: {Value: !GetAtt Table.Arn}
  Queue: {Value: !Ref Queue}
  Topic: {Value: !Ref Topic}
  Logs: {Value: !GetAtt Logs.Arn}
  Machine: {Value: !Ref Machine}
  Rest: {Value: !Ref Rest}
  Http: {Value: !Ref Http}
  Bus: {Value: !GetAtt Bus.Arn}
`

// TestCloudFormationStackTagsPropagate: CloudFormation tags a stack's
// resources with the stack's tags, a resource's own tag winning for the
// same key, and with aws:cloudformation:stack-name, stack-id and
// logical-id; UpdateStack with new tags and the same template retags
// them.
func TestCloudFormationStackTagsPropagate(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cf := cloudformation.NewFromConfig(env.Config)
	putObject(t, s3Client(env), "tagged-nest", "leaf.yaml", []byte(nestedTagsTemplate))
	created, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("tagged"),
		TemplateBody: aws.String(stackTagsTemplate), Capabilities: []cftypes.Capability{cftypes.CapabilityCapabilityIam},
		Parameters: []cftypes.Parameter{env.DefaultNetwork(t).SubnetsParameter()},
		Tags:       []cftypes.Tag{{Key: aws.String("team"), Value: aws.String("blue")}, {Key: aws.String("env"), Value: aws.String("test")}}})
	if err != nil {
		t.Fatal(err)
	}
	outs := createdStackOutputs(t, cf, "tagged")
	stackID := aws.ToString(created.StackId)
	nested, err := cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(outs["Nested"])})
	if err != nil {
		t.Fatal(err)
	}
	nestedName := aws.ToString(nested.Stacks[0].StackName)

	lc, dc, qc := lambda.NewFromConfig(env.Config), dynamodb.NewFromConfig(env.Config), sqs.NewFromConfig(env.Config)
	sc, lg, sf := sns.NewFromConfig(env.Config), cloudwatchlogs.NewFromConfig(env.Config), sfn.NewFromConfig(env.Config)
	agc, a2c, ec := apigateway.NewFromConfig(env.Config), apigatewayv2.NewFromConfig(env.Config), eventbridge.NewFromConfig(env.Config)
	ic, kc := iam.NewFromConfig(env.Config), kms.NewFromConfig(env.Config)
	erc, elc, schc := ecr.NewFromConfig(env.Config), elasticloadbalancingv2.NewFromConfig(env.Config), scheduler.NewFromConfig(env.Config)
	ctc, cwc, s3c := cloudtrail.NewFromConfig(env.Config), cloudwatch.NewFromConfig(env.Config), s3Client(env)
	// tagsOf lists each resource's tags, by logical id.
	tagsOf := func() map[string]map[string]string {
		t.Helper()
		got := map[string]map[string]string{}
		fn, err := lc.ListTags(ctx, &lambda.ListTagsInput{Resource: aws.String(outs["Fn"])})
		if err != nil {
			t.Fatal(err)
		}
		got["Fn"] = fn.Tags
		table, err := dc.ListTagsOfResource(ctx, &dynamodb.ListTagsOfResourceInput{ResourceArn: aws.String(outs["Table"])})
		if err != nil {
			t.Fatal(err)
		}
		got["Table"] = pairs(table.Tags, func(tg ddbtypes.Tag) (*string, *string) { return tg.Key, tg.Value })
		queue, err := qc.ListQueueTags(ctx, &sqs.ListQueueTagsInput{QueueUrl: aws.String(outs["Queue"])})
		if err != nil {
			t.Fatal(err)
		}
		got["Queue"] = queue.Tags
		topic, err := sc.ListTagsForResource(ctx, &sns.ListTagsForResourceInput{ResourceArn: aws.String(outs["Topic"])})
		if err != nil {
			t.Fatal(err)
		}
		got["Topic"] = pairs(topic.Tags, func(tg snstypes.Tag) (*string, *string) { return tg.Key, tg.Value })
		logs, err := lg.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: aws.String(strings.TrimSuffix(outs["Logs"], ":*"))})
		if err != nil {
			t.Fatal(err)
		}
		got["Logs"] = logs.Tags
		machine, err := sf.ListTagsForResource(ctx, &sfn.ListTagsForResourceInput{ResourceArn: aws.String(outs["Machine"])})
		if err != nil {
			t.Fatal(err)
		}
		got["Machine"] = pairs(machine.Tags, func(tg sfntypes.Tag) (*string, *string) { return tg.Key, tg.Value })
		rest, err := agc.GetTags(ctx, &apigateway.GetTagsInput{ResourceArn: aws.String("arn:aws:apigateway:us-east-1::/restapis/" + outs["Rest"])})
		if err != nil {
			t.Fatal(err)
		}
		got["Rest"] = rest.Tags
		http, err := a2c.GetTags(ctx, &apigatewayv2.GetTagsInput{ResourceArn: aws.String("arn:aws:apigateway:us-east-1::/apis/" + outs["Http"])})
		if err != nil {
			t.Fatal(err)
		}
		got["Http"] = http.Tags
		bus, err := ec.ListTagsForResource(ctx, &eventbridge.ListTagsForResourceInput{ResourceARN: aws.String(outs["Bus"])})
		if err != nil {
			t.Fatal(err)
		}
		got["Bus"] = pairs(bus.Tags, func(tg ebtypes.Tag) (*string, *string) { return tg.Key, tg.Value })
		role, err := ic.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: aws.String(outs["Role"])})
		if err != nil {
			t.Fatal(err)
		}
		got["Role"] = pairs(role.Tags, func(tg iamtypes.Tag) (*string, *string) { return tg.Key, tg.Value })
		user, err := ic.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: aws.String(outs["User"])})
		if err != nil {
			t.Fatal(err)
		}
		got["User"] = pairs(user.Tags, func(tg iamtypes.Tag) (*string, *string) { return tg.Key, tg.Value })
		key, err := kc.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: aws.String(outs["Key"])})
		if err != nil {
			t.Fatal(err)
		}
		got["Key"] = pairs(key.Tags, func(tg kmstypes.Tag) (*string, *string) { return tg.TagKey, tg.TagValue })
		repo, err := erc.ListTagsForResource(ctx, &ecr.ListTagsForResourceInput{ResourceArn: aws.String(outs["Repo"])})
		if err != nil {
			t.Fatal(err)
		}
		got["Repo"] = pairs(repo.Tags, func(tg ecrtypes.Tag) (*string, *string) { return tg.Key, tg.Value })
		elb, err := elc.DescribeTags(ctx, &elasticloadbalancingv2.DescribeTagsInput{ResourceArns: []string{outs["Alb"], outs["Targets"]}})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range elb.TagDescriptions {
			id := map[string]string{outs["Alb"]: "Alb", outs["Targets"]: "Targets"}[aws.ToString(d.ResourceArn)]
			got[id] = pairs(d.Tags, func(tg elbtypes.Tag) (*string, *string) { return tg.Key, tg.Value })
		}
		group, err := schc.ListTagsForResource(ctx, &scheduler.ListTagsForResourceInput{ResourceArn: aws.String(outs["Group"])})
		if err != nil {
			t.Fatal(err)
		}
		got["Group"] = pairs(group.Tags, func(tg schtypes.Tag) (*string, *string) { return tg.Key, tg.Value })
		trail, err := ctc.ListTags(ctx, &cloudtrail.ListTagsInput{ResourceIdList: []string{outs["Trail"]}})
		if err != nil || len(trail.ResourceTagList) != 1 {
			t.Fatal(trail, err)
		}
		got["Trail"] = pairs(trail.ResourceTagList[0].TagsList, func(tg cttypes.Tag) (*string, *string) { return tg.Key, tg.Value })
		bucket, err := s3c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(outs["TrailLogs"])})
		if err != nil {
			t.Fatal(err)
		}
		got["TrailLogs"] = pairs(bucket.TagSet, func(tg s3types.Tag) (*string, *string) { return tg.Key, tg.Value })
		alarm, err := cwc.ListTagsForResource(ctx, &cloudwatch.ListTagsForResourceInput{ResourceARN: aws.String(outs["Alarm"])})
		if err != nil {
			t.Fatal(err)
		}
		got["Alarm"] = pairs(alarm.Tags, func(tg cwtypes.Tag) (*string, *string) { return tg.Key, tg.Value })
		nested, err := cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(outs["Nested"])})
		if err != nil || len(nested.Stacks) != 1 {
			t.Fatal(nested, err)
		}
		got["Nested"] = pairs(nested.Stacks[0].Tags, func(tg cftypes.Tag) (*string, *string) { return tg.Key, tg.Value })
		nestedQueue, err := qc.ListQueueTags(ctx, &sqs.ListQueueTagsInput{QueueUrl: aws.String(outs["NestedQueue"])})
		if err != nil {
			t.Fatal(err)
		}
		got["Nested/Queue"] = nestedQueue.Tags
		return got
	}
	check := func(when string, stackTags map[string]string) {
		t.Helper()
		for id, got := range tagsOf() {
			want := maps.Clone(stackTags)
			if id == "Nested/Queue" {
				// The nested stack's resources have its tags, which are
				// its parent's, and their own stack's aws: tags.
				want["aws:cloudformation:stack-name"] = nestedName
				want["aws:cloudformation:stack-id"] = outs["Nested"]
				want["aws:cloudformation:logical-id"] = "Queue"
			} else if !stackOnly[id] {
				want["aws:cloudformation:stack-name"] = "tagged"
				want["aws:cloudformation:stack-id"] = stackID
				want["aws:cloudformation:logical-id"] = id
			}
			if id == "Queue" || id == "Http" {
				want["team"], want["own"] = "red", "1"
			}
			if !maps.Equal(got, want) {
				t.Errorf("%s: %s's tags = %v, want %v", when, id, got, want)
			}
		}
	}
	check("after CreateStack", map[string]string{"team": "blue", "env": "test"})
	// Only CloudFormation sets tags in the aws: namespace.
	_, err = lc.TagResource(ctx, &lambda.TagResourceInput{Resource: aws.String(outs["Fn"]), Tags: map[string]string{"aws:cloudformation:stack-name": "other"}})
	expectAPIError(t, err, "InvalidParameterValueException", 400)
	_, err = dc.TagResource(ctx, &dynamodb.TagResourceInput{ResourceArn: aws.String(outs["Table"]), Tags: []ddbtypes.Tag{{Key: aws.String("aws:x"), Value: aws.String("y")}}})
	expectAPIError(t, err, "ValidationException", 400)
	_, err = s3c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String(outs["TrailLogs"]),
		Tagging: &s3types.Tagging{TagSet: []s3types.Tag{{Key: aws.String("aws:x"), Value: aws.String("y")}}}})
	expectAPIError(t, err, "InvalidTag", 400)

	if _, err := cf.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: aws.String("tagged"), UsePreviousTemplate: aws.Bool(true),
		Capabilities: []cftypes.Capability{cftypes.CapabilityCapabilityIam},
		Parameters:   []cftypes.Parameter{{ParameterKey: aws.String("Subnets"), UsePreviousValue: aws.Bool(true)}},
		Tags:         []cftypes.Tag{{Key: aws.String("team"), Value: aws.String("green")}}}); err != nil {
		t.Fatal(err)
	}
	if st := settleStack(t, cf, "tagged"); st.StackStatus != cftypes.StackStatusUpdateComplete {
		t.Fatalf("UpdateStack: %s %s", st.StackStatus, aws.ToString(st.StackStatusReason))
	}
	check("after UpdateStack", map[string]string{"team": "green"})
}

// TestCLIDeployTagsPropagate: aws cloudformation deploy --tags tags the
// stack's resources through its change set, and a deploy that changes
// only the tags retags them.
func TestCLIDeployTagsPropagate(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, e2e.AWSCLI)
	env := e2e.Start(t)
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "template.yaml")
	if err := os.WriteFile(file, []byte("Resources:\n  Queue:\n    Type: AWS::SQS::Queue\nOutputs:\n  Queue: {Value: !Ref Queue}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cf := cloudformation.NewFromConfig(env.Config)
	qc := sqs.NewFromConfig(env.Config)
	for _, team := range []string{"blue", "green"} {
		awaitFreshChangeSetName(t, cf, "cli-tags")
		if res := env.CLI(t, "cloudformation", "deploy", "--stack-name", "cli-tags", "--template-file", file, "--tags", "team="+team); res.ExitCode != 0 {
			t.Fatalf("deploy --tags team=%s: exit %d\n%s\n%s", team, res.ExitCode, res.Stdout, res.Stderr)
		}
		st := settleStack(t, cf, "cli-tags")
		var url string
		for _, o := range st.Outputs {
			url = aws.ToString(o.OutputValue)
		}
		tags, err := qc.ListQueueTags(ctx, &sqs.ListQueueTagsInput{QueueUrl: aws.String(url)})
		if err != nil || tags.Tags["team"] != team || tags.Tags["aws:cloudformation:stack-name"] != "cli-tags" ||
			tags.Tags["aws:cloudformation:logical-id"] != "Queue" || tags.Tags["aws:cloudformation:stack-id"] != aws.ToString(st.StackId) {
			t.Errorf("after deploy --tags team=%s: %v %v", team, tags, err)
		}
	}
}

// pairs is a list of tags as a map, with kv giving an entry's key and
// value.
func pairs[T any](l []T, kv func(T) (*string, *string)) map[string]string {
	out := map[string]string{}
	for _, e := range l {
		k, v := kv(e)
		out[aws.ToString(k)] = aws.ToString(v)
	}
	return out
}

// TestCloudFormationStackTagsBesideLimit: CloudFormation's aws: tags do
// not count toward Lambda's and DynamoDB's 50 tags per resource, so a
// stack with 50 tags of its own deploys and retags its function and
// table.
func TestCloudFormationStackTagsBesideLimit(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cf := cloudformation.NewFromConfig(env.Config)
	const template = `Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: ` + lambdaRole + `
      Code:
        ZipFile: "def handler(e, c):\n    return 1\n"
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
Outputs:
  Fn: {Value: !GetAtt Fn.Arn}
  Table: {Value: !GetAtt Table.Arn}
`
	tags := func(value string) []cftypes.Tag {
		var out []cftypes.Tag
		for i := range 50 {
			out = append(out, cftypes.Tag{Key: aws.String(fmt.Sprintf("k%02d", i)), Value: aws.String(value)})
		}
		return out
	}
	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("fifty"),
		TemplateBody: aws.String(template), Tags: tags("a")}); err != nil {
		t.Fatal(err)
	}
	outs := createdStackOutputs(t, cf, "fifty")
	if _, err := cf.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: aws.String("fifty"),
		UsePreviousTemplate: aws.Bool(true), Tags: tags("b")}); err != nil {
		t.Fatal(err)
	}
	if st := settleStack(t, cf, "fifty"); st.StackStatus != cftypes.StackStatusUpdateComplete {
		t.Fatalf("update: %s %s", st.StackStatus, aws.ToString(st.StackStatusReason))
	}
	fn, err := lambda.NewFromConfig(env.Config).ListTags(ctx, &lambda.ListTagsInput{Resource: aws.String(outs["Fn"])})
	if err != nil {
		t.Fatal(err)
	}
	table, err := dynamodb.NewFromConfig(env.Config).ListTagsOfResource(ctx, &dynamodb.ListTagsOfResourceInput{ResourceArn: aws.String(outs["Table"])})
	if err != nil {
		t.Fatal(err)
	}
	if len(fn.Tags) != 53 || fn.Tags["k49"] != "b" || len(table.Tags) != 53 {
		t.Errorf("function has %d tags (k49=%q), table %d; want 53 each, k49=b", len(fn.Tags), fn.Tags["k49"], len(table.Tags))
	}
}
