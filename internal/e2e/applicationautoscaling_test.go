package e2e_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	aas "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	aastypes "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/virga/virga/internal/e2e"
)

// provisionedTable creates a table with provisioned throughput rcu/wcu.
func provisionedTable(t *testing.T, db *dynamodb.Client, name string, rcu, wcu int64) {
	t.Helper()
	_, err := db.CreateTable(context.Background(), &dynamodb.CreateTableInput{TableName: aws.String(name),
		AttributeDefinitions:  []ddbtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:             []ddbtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash}},
		ProvisionedThroughput: &ddbtypes.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(rcu), WriteCapacityUnits: aws.Int64(wcu)}})
	if err != nil {
		t.Fatal(err)
	}
}

func readCapacity(t *testing.T, db *dynamodb.Client, name string) int64 {
	t.Helper()
	out, err := db.DescribeTable(context.Background(), &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToInt64(out.Table.ProvisionedThroughput.ReadCapacityUnits)
}

// TestApplicationAutoScalingDynamoDB registers a table's read capacity
// as a scalable target, which moves the table's capacity inside its
// bounds, puts a target tracking policy (with its two CloudWatch
// alarms) and a scheduled action, pages and filters, tags, and
// deregisters, which takes the policy and its alarms along.
func TestApplicationAutoScalingDynamoDB(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	c := aas.NewFromConfig(env.Config)
	db := dynamodb.NewFromConfig(env.Config)
	cw := cloudwatch.NewFromConfig(env.Config)
	provisionedTable(t, db, "orders", 1, 1)
	ns, dim := aastypes.ServiceNamespaceDynamodb, aastypes.ScalableDimensionDynamoDBTableReadCapacityUnits

	// Errors: a missing table, a malformed resource ID, a dimension of
	// another namespace, a new target without bounds, min above max.
	for _, tc := range []struct {
		in   aas.RegisterScalableTargetInput
		want string
	}{
		{aas.RegisterScalableTargetInput{ServiceNamespace: ns, ScalableDimension: dim, ResourceId: aws.String("table/missing"), MinCapacity: aws.Int32(1), MaxCapacity: aws.Int32(2)}, "ValidationException"},
		{aas.RegisterScalableTargetInput{ServiceNamespace: ns, ScalableDimension: dim, ResourceId: aws.String("table/t1"), MinCapacity: aws.Int32(1), MaxCapacity: aws.Int32(2)}, "ValidationException: DynamoDB table 't1' does not exist"},
		{aas.RegisterScalableTargetInput{ServiceNamespace: ns, ScalableDimension: dim, ResourceId: aws.String("orders"), MinCapacity: aws.Int32(1), MaxCapacity: aws.Int32(2)}, "ValidationException: Unsupported service namespace, resource type or scalable dimension"},
		{aas.RegisterScalableTargetInput{ServiceNamespace: ns, ScalableDimension: dim, ResourceId: aws.String(" table/orders"), MinCapacity: aws.Int32(1), MaxCapacity: aws.Int32(2)}, "ValidationException: Unsupported service namespace, resource type or scalable dimension"},
		{aas.RegisterScalableTargetInput{ServiceNamespace: ns, ScalableDimension: aastypes.ScalableDimensionECSServiceDesiredCount, ResourceId: aws.String("table/orders"), MinCapacity: aws.Int32(1), MaxCapacity: aws.Int32(2)}, "ValidationException: Unsupported service namespace, resource type or scalable dimension"},
		{aas.RegisterScalableTargetInput{ServiceNamespace: ns, ScalableDimension: dim, ResourceId: aws.String("table/orders")}, "ValidationException"},
		{aas.RegisterScalableTargetInput{ServiceNamespace: ns, ScalableDimension: dim, ResourceId: aws.String("table/orders"), MinCapacity: aws.Int32(5), MaxCapacity: aws.Int32(2)}, "ValidationException: Minimum capacity cannot be greater than maximum capacity"},
	} {
		_, err := c.RegisterScalableTarget(ctx, &tc.in)
		if got := apiCode(err); !strings.HasPrefix(got, tc.want) {
			t.Errorf("RegisterScalableTarget(%s, %s): %v, want %s", aws.ToString(tc.in.ResourceId), tc.in.ScalableDimension, err, tc.want)
		}
	}

	reg, err := c.RegisterScalableTarget(ctx, &aas.RegisterScalableTargetInput{ServiceNamespace: ns, ScalableDimension: dim,
		ResourceId: aws.String("table/orders"), MinCapacity: aws.Int32(5), MaxCapacity: aws.Int32(20),
		Tags: map[string]string{"team": "shop"}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(aws.ToString(reg.ScalableTargetARN), "arn:aws:application-autoscaling:us-east-1:000000000000:scalable-target/") {
		t.Errorf("ScalableTargetARN = %q", aws.ToString(reg.ScalableTargetARN))
	}
	if got := readCapacity(t, db, "orders"); got != 5 {
		t.Errorf("read capacity after registering with MinCapacity 5 = %d, want 5", got)
	}
	acts, err := c.DescribeScalingActivities(ctx, &aas.DescribeScalingActivitiesInput{ServiceNamespace: ns, ResourceId: aws.String("table/orders")})
	if err != nil || len(acts.ScalingActivities) != 1 || acts.ScalingActivities[0].StatusCode != aastypes.ScalingActivityStatusCodeSuccessful ||
		aws.ToString(acts.ScalingActivities[0].Description) != "Setting read capacity units to 5." {
		t.Errorf("DescribeScalingActivities = %+v, %v", acts, err)
	}

	// A policy on a target that is not registered.
	_, err = c.PutScalingPolicy(ctx, &aas.PutScalingPolicyInput{PolicyName: aws.String("p"), ServiceNamespace: ns,
		ScalableDimension: aastypes.ScalableDimensionDynamoDBTableWriteCapacityUnits, ResourceId: aws.String("table/orders"),
		PolicyType: aastypes.PolicyTypeTargetTrackingScaling,
		TargetTrackingScalingPolicyConfiguration: &aastypes.TargetTrackingScalingPolicyConfiguration{TargetValue: aws.Float64(70),
			PredefinedMetricSpecification: &aastypes.PredefinedMetricSpecification{PredefinedMetricType: aastypes.MetricTypeDynamoDBWriteCapacityUtilization}}})
	if got, want := apiCode(err), "ObjectNotFoundException: No scalable target registered for service namespace: dynamodb, resource ID: table/orders, scalable dimension: dynamodb:table:WriteCapacityUnits"; got != want {
		t.Errorf("PutScalingPolicy on an unregistered target: %q, want %q", got, want)
	}

	pol, err := c.PutScalingPolicy(ctx, &aas.PutScalingPolicyInput{PolicyName: aws.String("reads"), ServiceNamespace: ns,
		ScalableDimension: dim, ResourceId: aws.String("table/orders"), PolicyType: aastypes.PolicyTypeTargetTrackingScaling,
		TargetTrackingScalingPolicyConfiguration: &aastypes.TargetTrackingScalingPolicyConfiguration{TargetValue: aws.Float64(70),
			PredefinedMetricSpecification: &aastypes.PredefinedMetricSpecification{PredefinedMetricType: aastypes.MetricTypeDynamoDBReadCapacityUtilization}}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(aws.ToString(pol.PolicyARN), ":scalingPolicy:") || !strings.HasSuffix(aws.ToString(pol.PolicyARN), ":resource/dynamodb/table/orders:policyName/reads") {
		t.Errorf("PolicyARN = %q", aws.ToString(pol.PolicyARN))
	}
	if len(pol.Alarms) != 2 || !strings.HasPrefix(aws.ToString(pol.Alarms[0].AlarmName), "TargetTracking-table/orders-AlarmHigh-") ||
		!strings.HasPrefix(aws.ToString(pol.Alarms[1].AlarmName), "TargetTracking-table/orders-AlarmLow-") {
		t.Fatalf("Alarms = %+v", pol.Alarms)
	}
	names := []string{aws.ToString(pol.Alarms[0].AlarmName), aws.ToString(pol.Alarms[1].AlarmName)}
	alarms, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: names})
	if err != nil || len(alarms.MetricAlarms) != 2 || aws.ToString(alarms.MetricAlarms[0].MetricName) != "ConsumedReadCapacityUnits" ||
		alarms.MetricAlarms[0].AlarmActions[0] != aws.ToString(pol.PolicyARN) {
		t.Errorf("the policy's alarms: %+v, %v", alarms, err)
	}
	// A metric of another dimension is refused.
	_, err = c.PutScalingPolicy(ctx, &aas.PutScalingPolicyInput{PolicyName: aws.String("bad"), ServiceNamespace: ns,
		ScalableDimension: dim, ResourceId: aws.String("table/orders"), PolicyType: aastypes.PolicyTypeTargetTrackingScaling,
		TargetTrackingScalingPolicyConfiguration: &aastypes.TargetTrackingScalingPolicyConfiguration{TargetValue: aws.Float64(70),
			PredefinedMetricSpecification: &aastypes.PredefinedMetricSpecification{PredefinedMetricType: aastypes.MetricTypeECSServiceAverageCPUUtilization}}})
	if !strings.HasPrefix(apiCode(err), "ValidationException") {
		t.Errorf("an ECS metric on a table: %v", err)
	}

	if _, err := c.PutScheduledAction(ctx, &aas.PutScheduledActionInput{ServiceNamespace: ns, ScalableDimension: dim,
		ResourceId: aws.String("table/orders"), ScheduledActionName: aws.String("night"), Schedule: aws.String("cron(0 22 * * ? *)"),
		ScalableTargetAction: &aastypes.ScalableTargetAction{MaxCapacity: aws.Int32(6)}}); err != nil {
		t.Fatal(err)
	}
	_, err = c.PutScheduledAction(ctx, &aas.PutScheduledActionInput{ServiceNamespace: ns, ScalableDimension: dim,
		ResourceId: aws.String("table/orders"), ScheduledActionName: aws.String("bad"), Schedule: aws.String("cron(nope)"),
		ScalableTargetAction: &aastypes.ScalableTargetAction{MaxCapacity: aws.Int32(6)}})
	if !strings.HasPrefix(apiCode(err), "ValidationException") {
		t.Errorf("a malformed schedule: %v", err)
	}
	sa, err := c.DescribeScheduledActions(ctx, &aas.DescribeScheduledActionsInput{ServiceNamespace: ns})
	if err != nil || len(sa.ScheduledActions) != 1 || aws.ToString(sa.ScheduledActions[0].Schedule) != "cron(0 22 * * ? *)" ||
		!strings.HasSuffix(aws.ToString(sa.ScheduledActions[0].ScheduledActionARN), ":scheduledActionName/night") {
		t.Errorf("DescribeScheduledActions = %+v, %v", sa, err)
	}

	// Pages of one target, filters.
	provisionedTable(t, db, "users", 1, 1)
	if _, err := c.RegisterScalableTarget(ctx, &aas.RegisterScalableTargetInput{ServiceNamespace: ns, ScalableDimension: dim,
		ResourceId: aws.String("table/users"), MinCapacity: aws.Int32(1), MaxCapacity: aws.Int32(3)}); err != nil {
		t.Fatal(err)
	}
	var seen []string
	var token *string
	for {
		out, err := c.DescribeScalableTargets(ctx, &aas.DescribeScalableTargetsInput{ServiceNamespace: ns, MaxResults: aws.Int32(1), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range out.ScalableTargets {
			seen = append(seen, aws.ToString(st.ResourceId))
		}
		if token = out.NextToken; token == nil {
			break
		}
	}
	if strings.Join(seen, ",") != "table/orders,table/users" {
		t.Errorf("paged targets = %v", seen)
	}
	one, err := c.DescribeScalableTargets(ctx, &aas.DescribeScalableTargetsInput{ServiceNamespace: ns, ResourceIds: []string{"table/users"}})
	if err != nil || len(one.ScalableTargets) != 1 || aws.ToInt32(one.ScalableTargets[0].MaxCapacity) != 3 ||
		one.ScalableTargets[0].CreationTime == nil || !strings.Contains(aws.ToString(one.ScalableTargets[0].RoleARN), "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable") {
		t.Errorf("DescribeScalableTargets(table/users) = %+v, %v", one, err)
	}

	// Tags.
	arn := reg.ScalableTargetARN
	if _, err := c.TagResource(ctx, &aas.TagResourceInput{ResourceARN: arn, Tags: map[string]string{"env": "dev"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagResource(ctx, &aas.UntagResourceInput{ResourceARN: arn, TagKeys: []string{"team"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.ListTagsForResource(ctx, &aas.ListTagsForResourceInput{ResourceARN: arn})
	if err != nil || len(tags.Tags) != 1 || tags.Tags["env"] != "dev" {
		t.Errorf("ListTagsForResource = %+v, %v", tags, err)
	}

	// Deregistering takes the policy, its alarms and the scheduled
	// action along.
	if _, err := c.DeregisterScalableTarget(ctx, &aas.DeregisterScalableTargetInput{ServiceNamespace: ns, ScalableDimension: dim,
		ResourceId: aws.String("table/orders")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeregisterScalableTarget(ctx, &aas.DeregisterScalableTargetInput{ServiceNamespace: ns, ScalableDimension: dim,
		ResourceId: aws.String("table/orders")})
	if !strings.HasPrefix(apiCode(err), "ObjectNotFoundException") {
		t.Errorf("deregistering twice: %v", err)
	}
	ps, err := c.DescribeScalingPolicies(ctx, &aas.DescribeScalingPoliciesInput{ServiceNamespace: ns, ResourceId: aws.String("table/orders")})
	if err != nil || len(ps.ScalingPolicies) != 0 {
		t.Errorf("policies after deregistering: %+v, %v", ps, err)
	}
	sa, err = c.DescribeScheduledActions(ctx, &aas.DescribeScheduledActionsInput{ServiceNamespace: ns})
	if err != nil || len(sa.ScheduledActions) != 0 {
		t.Errorf("scheduled actions after deregistering: %+v, %v", sa, err)
	}
	alarms, err = cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: names})
	if err != nil || len(alarms.MetricAlarms) != 0 {
		t.Errorf("alarms after deregistering: %+v, %v", alarms.MetricAlarms, err)
	}
}

// TestApplicationAutoScalingScheduledAction runs an at() scheduled
// action: the target's bounds change, and the table's capacity with
// them.
func TestApplicationAutoScalingScheduledAction(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	c := aas.NewFromConfig(env.Config)
	db := dynamodb.NewFromConfig(env.Config)
	provisionedTable(t, db, "events", 2, 2)
	ns, dim := aastypes.ServiceNamespaceDynamodb, aastypes.ScalableDimensionDynamoDBTableReadCapacityUnits
	if _, err := c.RegisterScalableTarget(ctx, &aas.RegisterScalableTargetInput{ServiceNamespace: ns, ScalableDimension: dim,
		ResourceId: aws.String("table/events"), MinCapacity: aws.Int32(1), MaxCapacity: aws.Int32(10)}); err != nil {
		t.Fatal(err)
	}
	at := time.Now().UTC().Add(2 * time.Second).Format("2006-01-02T15:04:05")
	if _, err := c.PutScheduledAction(ctx, &aas.PutScheduledActionInput{ServiceNamespace: ns, ScalableDimension: dim,
		ResourceId: aws.String("table/events"), ScheduledActionName: aws.String("rush"), Schedule: aws.String("at(" + at + ")"),
		ScalableTargetAction: &aastypes.ScalableTargetAction{MinCapacity: aws.Int32(8)}}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for readCapacity(t, db, "events") != 8 {
		if time.Now().After(deadline) {
			t.Fatalf("read capacity = %d a minute after the scheduled action's time, want 8", readCapacity(t, db, "events"))
		}
		time.Sleep(100 * time.Millisecond)
	}
	out, err := c.DescribeScalableTargets(ctx, &aas.DescribeScalableTargetsInput{ServiceNamespace: ns})
	if err != nil || len(out.ScalableTargets) != 1 || aws.ToInt32(out.ScalableTargets[0].MinCapacity) != 8 {
		t.Errorf("target after the action: %+v, %v", out, err)
	}
}

const scalingStack = `AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      AttributeDefinitions:
        - AttributeName: pk
          AttributeType: S
      KeySchema:
        - AttributeName: pk
          KeyType: HASH
      ProvisionedThroughput:
        ReadCapacityUnits: 1
        WriteCapacityUnits: 1
  ReadTarget:
    Type: AWS::ApplicationAutoScaling::ScalableTarget
    Properties:
      MinCapacity: 3
      MaxCapacity: "50"
      ResourceId: !Sub table/${Table}
      ScalableDimension: dynamodb:table:ReadCapacityUnits
      ServiceNamespace: dynamodb
      ScheduledActions:
        - ScheduledActionName: weekday-mornings
          Schedule: cron(0 7 ? * MON-FRI *)
          ScalableTargetAction:
            MinCapacity: 10
  ReadPolicy:
    Type: AWS::ApplicationAutoScaling::ScalingPolicy
    Properties:
      PolicyName: reads
      PolicyType: TargetTrackingScaling
      ScalingTargetId: !Ref ReadTarget
      TargetTrackingScalingPolicyConfiguration:
        TargetValue: 70
        ScaleInCooldown: 60
        ScaleOutCooldown: 60
        PredefinedMetricSpecification:
          PredefinedMetricType: DynamoDBReadCapacityUtilization
Outputs:
  Target:
    Value: !Ref ReadTarget
  Policy:
    Value: !Ref ReadPolicy
  TableName:
    Value: !Ref Table
`

// TestApplicationAutoScalingStack deploys a provisioned table with a
// read capacity target and a target tracking policy: Refs are AWS's,
// the table's capacity is raised to MinCapacity, the aws CLI lists the
// target, and deleting the stack deregisters it.
func TestApplicationAutoScalingStack(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	cf := cloudformation.NewFromConfig(env.Config)
	deployStack(t, cf, "scaling", scalingStack, false)
	st, err := cf.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("scaling")})
	if err != nil {
		t.Fatal(err)
	}
	outs := map[string]string{}
	for _, o := range st.Stacks[0].Outputs {
		outs[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
	}
	table := outs["TableName"]
	if want := "table/" + table + "|dynamodb:table:ReadCapacityUnits|dynamodb"; outs["Target"] != want {
		t.Errorf("Ref ReadTarget = %q, want %q", outs["Target"], want)
	}
	if !strings.HasSuffix(outs["Policy"], ":resource/dynamodb/table/"+table+":policyName/reads") {
		t.Errorf("Ref ReadPolicy = %q", outs["Policy"])
	}
	db := dynamodb.NewFromConfig(env.Config)
	if got := readCapacity(t, db, table); got != 3 {
		t.Errorf("read capacity = %d, want MinCapacity 3", got)
	}

	res := env.CLI(t, "application-autoscaling", "describe-scalable-targets", "--service-namespace", "dynamodb")
	if res.ExitCode != 0 {
		t.Fatalf("describe-scalable-targets: %s", res.Stderr)
	}
	var listed struct {
		ScalableTargets []struct {
			ResourceId               string
			MinCapacity, MaxCapacity int
		}
	}
	if err := json.Unmarshal([]byte(res.Stdout), &listed); err != nil || len(listed.ScalableTargets) != 1 ||
		listed.ScalableTargets[0].ResourceId != "table/"+table || listed.ScalableTargets[0].MaxCapacity != 50 {
		t.Errorf("describe-scalable-targets = %s (%v)", res.Stdout, err)
	}
	c := aas.NewFromConfig(env.Config)
	pols, err := c.DescribeScalingPolicies(ctx, &aas.DescribeScalingPoliciesInput{ServiceNamespace: aastypes.ServiceNamespaceDynamodb})
	if err != nil || len(pols.ScalingPolicies) != 1 || len(pols.ScalingPolicies[0].Alarms) != 2 ||
		aws.ToInt32(pols.ScalingPolicies[0].TargetTrackingScalingPolicyConfiguration.ScaleInCooldown) != 60 {
		t.Errorf("DescribeScalingPolicies = %+v, %v", pols, err)
	}
	sa, err := c.DescribeScheduledActions(ctx, &aas.DescribeScheduledActionsInput{ServiceNamespace: aastypes.ServiceNamespaceDynamodb})
	if err != nil || len(sa.ScheduledActions) != 1 || aws.ToString(sa.ScheduledActions[0].ScheduledActionName) != "weekday-mornings" {
		t.Errorf("DescribeScheduledActions = %+v, %v", sa, err)
	}

	if _, err := cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("scaling")}); err != nil {
		t.Fatal(err)
	}
	if err := cloudformation.NewStackDeleteCompleteWaiter(cf).Wait(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("scaling")}, 90*time.Second); err != nil {
		t.Fatal(err)
	}
	left, err := c.DescribeScalableTargets(ctx, &aas.DescribeScalableTargetsInput{ServiceNamespace: aastypes.ServiceNamespaceDynamodb})
	if err != nil || len(left.ScalableTargets) != 0 {
		t.Errorf("targets after deleting the stack: %+v, %v", left, err)
	}
}
