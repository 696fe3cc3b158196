package e2e_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	aas "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	aastypes "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/virga/virga/internal/e2e"
)

// TestApplicationAutoScalingLambda registers an alias's provisioned
// concurrency: the alias gets MinCapacity environments, a target
// tracking policy watches ProvisionedConcurrencyUtilization, and a
// missing alias is refused.
func TestApplicationAutoScalingLambda(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	lc := lambdaClient(t, env)
	c := aas.NewFromConfig(env.Config)
	createPythonFunction(t, lc, "scaled", "def handler(event, context):\n    return 1\n", 10)
	if _, err := lc.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("scaled")}); err != nil {
		t.Fatal(err)
	}
	if _, err := lc.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String("scaled"), Name: aws.String("live"), FunctionVersion: aws.String("1")}); err != nil {
		t.Fatal(err)
	}
	ns, dim := aastypes.ServiceNamespaceLambda, aastypes.ScalableDimensionLambdaFunctionProvisionedConcurrency
	_, err := c.RegisterScalableTarget(ctx, &aas.RegisterScalableTargetInput{ServiceNamespace: ns, ScalableDimension: dim,
		ResourceId: aws.String("function:scaled:nope"), MinCapacity: aws.Int32(1), MaxCapacity: aws.Int32(2)})
	if !strings.HasPrefix(apiCode(err), "ValidationException") {
		t.Errorf("a missing alias: %v", err)
	}
	if _, err := c.RegisterScalableTarget(ctx, &aas.RegisterScalableTargetInput{ServiceNamespace: ns, ScalableDimension: dim,
		ResourceId: aws.String("function:scaled:live"), MinCapacity: aws.Int32(1), MaxCapacity: aws.Int32(3)}); err != nil {
		t.Fatal(err)
	}
	pc, err := lc.GetProvisionedConcurrencyConfig(ctx, &lambda.GetProvisionedConcurrencyConfigInput{FunctionName: aws.String("scaled"), Qualifier: aws.String("live")})
	if err != nil || aws.ToInt32(pc.RequestedProvisionedConcurrentExecutions) != 1 {
		t.Fatalf("provisioned concurrency after registering with MinCapacity 1: %+v, %v", pc, err)
	}
	waitProvisionedReady(t, lc, "scaled", "live")
	pol, err := c.PutScalingPolicy(ctx, &aas.PutScalingPolicyInput{PolicyName: aws.String("utilization"), ServiceNamespace: ns,
		ScalableDimension: dim, ResourceId: aws.String("function:scaled:live"), PolicyType: aastypes.PolicyTypeTargetTrackingScaling,
		TargetTrackingScalingPolicyConfiguration: &aastypes.TargetTrackingScalingPolicyConfiguration{TargetValue: aws.Float64(0.7),
			PredefinedMetricSpecification: &aastypes.PredefinedMetricSpecification{PredefinedMetricType: aastypes.MetricTypeLambdaProvisionedConcurrencyUtilization}}})
	if err != nil || len(pol.Alarms) != 2 || !strings.HasPrefix(aws.ToString(pol.Alarms[0].AlarmName), "TargetTracking-function:scaled:live-AlarmHigh-") {
		t.Errorf("PutScalingPolicy = %+v, %v", pol, err)
	}
	if _, err := c.DeleteScalingPolicy(ctx, &aas.DeleteScalingPolicyInput{PolicyName: aws.String("utilization"), ServiceNamespace: ns,
		ScalableDimension: dim, ResourceId: aws.String("function:scaled:live")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteScalingPolicy(ctx, &aas.DeleteScalingPolicyInput{PolicyName: aws.String("utilization"), ServiceNamespace: ns,
		ScalableDimension: dim, ResourceId: aws.String("function:scaled:live")})
	if got, want := apiCode(err), "ObjectNotFoundException: No scaling policy found for service namespace: lambda, resource ID: function:scaled:live, scalable dimension: lambda:function:ProvisionedConcurrency, policy name: utilization"; got != want {
		t.Errorf("deleting a deleted policy: %q, want %q", got, want)
	}
}

// TestApplicationAutoScalingECS registers a service's desired count:
// a count above MaxCapacity comes down to it. Then a step scaling policy
// and a target tracking policy change it when their alarms go into
// ALARM.
func TestApplicationAutoScalingECS(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithContainerRuntime(newContainerDouble()))
	network := env.DefaultNetwork(t)
	ctx := context.Background()
	ec := ecs.NewFromConfig(env.Config)
	c := aas.NewFromConfig(env.Config)
	if _, err := ec.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("apps")}); err != nil {
		t.Fatal(err)
	}
	if _, err := ec.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("web"), NetworkMode: ecstypes.NetworkModeAwsvpc,
		RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate}, Cpu: aws.String("256"), Memory: aws.String("512"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("nginx")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := ec.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String("apps"), ServiceName: aws.String("web"),
		TaskDefinition: aws.String("web"), DesiredCount: aws.Int32(4), LaunchType: ecstypes.LaunchTypeFargate,
		NetworkConfiguration: &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{Subnets: network.Subnets[:1]}}}); err != nil {
		t.Fatal(err)
	}
	ns, dim := aastypes.ServiceNamespaceEcs, aastypes.ScalableDimensionECSServiceDesiredCount
	_, err := c.RegisterScalableTarget(ctx, &aas.RegisterScalableTargetInput{ServiceNamespace: ns, ScalableDimension: dim,
		ResourceId: aws.String("service/apps/missing"), MinCapacity: aws.Int32(1), MaxCapacity: aws.Int32(2)})
	if got := apiCode(err); got != "ValidationException: ECS service doesn't exist: service/apps/missing" {
		t.Errorf("a missing service: %q", got)
	}
	if _, err := c.RegisterScalableTarget(ctx, &aas.RegisterScalableTargetInput{ServiceNamespace: ns, ScalableDimension: dim,
		ResourceId: aws.String("service/apps/web"), MinCapacity: aws.Int32(1), MaxCapacity: aws.Int32(2)}); err != nil {
		t.Fatal(err)
	}
	out, err := ec.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String("apps"), Services: []string{"web"}})
	if err != nil || len(out.Services) != 1 || out.Services[0].DesiredCount != 2 {
		t.Fatalf("desired count after registering with MaxCapacity 2: %+v, %v", out, err)
	}
	acts, err := c.DescribeScalingActivities(ctx, &aas.DescribeScalingActivitiesInput{ServiceNamespace: ns})
	if err != nil || len(acts.ScalingActivities) != 1 || aws.ToString(acts.ScalingActivities[0].Description) != "Setting desired count to 2." ||
		aws.ToString(acts.ScalingActivities[0].Cause) != "maximum capacity was set to 2" {
		t.Errorf("activities = %+v, %v", acts, err)
	}

	// Policies run when their alarms go into ALARM.
	if _, err := c.RegisterScalableTarget(ctx, &aas.RegisterScalableTargetInput{ServiceNamespace: ns, ScalableDimension: dim,
		ResourceId: aws.String("service/apps/web"), MaxCapacity: aws.Int32(10)}); err != nil {
		t.Fatal(err)
	}
	desiredCount := func() int32 {
		t.Helper()
		out, err := ec.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String("apps"), Services: []string{"web"}})
		if err != nil {
			t.Fatal(err)
		}
		return out.Services[0].DesiredCount
	}
	cw := cloudwatch.NewFromConfig(env.Config)
	alarm := func(name, value string) {
		t.Helper()
		if _, err := cw.SetAlarmState(ctx, &cloudwatch.SetAlarmStateInput{AlarmName: aws.String(name), StateValue: cwtypes.StateValueAlarm,
			StateReason: aws.String("test"), StateReasonData: aws.String(`{"version":"1.0","recentDatapoints":[` + value + `],"threshold":70}`)}); err != nil {
			t.Fatal(err)
		}
	}
	step, err := c.PutScalingPolicy(ctx, &aas.PutScalingPolicyInput{PolicyName: aws.String("steps"), ServiceNamespace: ns,
		ScalableDimension: dim, ResourceId: aws.String("service/apps/web"), PolicyType: aastypes.PolicyTypeStepScaling,
		StepScalingPolicyConfiguration: &aastypes.StepScalingPolicyConfiguration{AdjustmentType: aastypes.AdjustmentTypeChangeInCapacity,
			StepAdjustments: []aastypes.StepAdjustment{
				{MetricIntervalLowerBound: aws.Float64(0), MetricIntervalUpperBound: aws.Float64(20), ScalingAdjustment: aws.Int32(1)},
				{MetricIntervalLowerBound: aws.Float64(20), ScalingAdjustment: aws.Int32(3)}}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String("cpu-high"), Namespace: aws.String("AWS/ECS"),
		MetricName: aws.String("CPUUtilization"), Statistic: cwtypes.StatisticAverage, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1),
		Threshold: aws.Float64(70), ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold,
		AlarmActions: []string{aws.ToString(step.PolicyARN)}}); err != nil {
		t.Fatal(err)
	}
	alarm("cpu-high", "85")
	if got := desiredCount(); got != 3 {
		t.Errorf("desired count after a breach of 15 over the threshold = %d, want 2+1", got)
	}
	tracking, err := c.PutScalingPolicy(ctx, &aas.PutScalingPolicyInput{PolicyName: aws.String("cpu"), ServiceNamespace: ns,
		ScalableDimension: dim, ResourceId: aws.String("service/apps/web"), PolicyType: aastypes.PolicyTypeTargetTrackingScaling,
		TargetTrackingScalingPolicyConfiguration: &aastypes.TargetTrackingScalingPolicyConfiguration{TargetValue: aws.Float64(50),
			PredefinedMetricSpecification: &aastypes.PredefinedMetricSpecification{PredefinedMetricType: aastypes.MetricTypeECSServiceAverageCPUUtilization}}})
	if err != nil {
		t.Fatal(err)
	}
	alarm(aws.ToString(tracking.Alarms[0].AlarmName), "100")
	if got := desiredCount(); got != 6 {
		t.Errorf("desired count after AlarmHigh at 100%% of a 50%% target = %d, want 3*2", got)
	}
	alarm(aws.ToString(tracking.Alarms[1].AlarmName), "10")
	if got := desiredCount(); got != 2 {
		t.Errorf("desired count after AlarmLow at 10%% of a 50%% target = %d, want ceil(6/5)", got)
	}
	acts, err = c.DescribeScalingActivities(ctx, &aas.DescribeScalingActivitiesInput{ServiceNamespace: ns})
	if err != nil || len(acts.ScalingActivities) != 4 ||
		aws.ToString(acts.ScalingActivities[0].Cause) != "monitor alarm "+aws.ToString(tracking.Alarms[1].AlarmName)+" in state ALARM triggered policy cpu" {
		t.Errorf("activities = %+v, %v", acts, err)
	}
}

// samScaledAlias is a SAM function whose alias has provisioned
// concurrency that a scalable target and a target tracking policy
// manage, as SAM's documentation and the CDK write it.
const samScaledAlias = `Transform: AWS::Serverless-2016-10-31
Resources:
  Warm:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      AutoPublishAlias: live
      ProvisionedConcurrencyConfig:
        ProvisionedConcurrentExecutions: 1
      InlineCode: |
        def handler(event, context):
            return 1
  Target:
    Type: AWS::ApplicationAutoScaling::ScalableTarget
    DependsOn: WarmAliaslive
    Properties:
      MinCapacity: 2
      MaxCapacity: 4
      ResourceId: !Sub function:${Warm}:live
      ScalableDimension: lambda:function:ProvisionedConcurrency
      ServiceNamespace: lambda
  Policy:
    Type: AWS::ApplicationAutoScaling::ScalingPolicy
    Properties:
      PolicyName: utilization
      PolicyType: TargetTrackingScaling
      ScalingTargetId: !Ref Target
      TargetTrackingScalingPolicyConfiguration:
        TargetValue: 0.7
        PredefinedMetricSpecification:
          PredefinedMetricType: LambdaProvisionedConcurrencyUtilization
Outputs:
  Function:
    Value: !Ref Warm
`

// TestApplicationAutoScalingSAMAlias deploys, with the aws CLI, a SAM function whose
// alias's provisioned concurrency is a scalable target: the target's
// MinCapacity raises it.
func TestApplicationAutoScalingSAMAlias(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	fn := deployWithCLI(t, env, "warm", samScaledAlias)["Function"]
	lc := lambda.NewFromConfig(env.Config)
	pc, err := lc.GetProvisionedConcurrencyConfig(ctx, &lambda.GetProvisionedConcurrencyConfigInput{FunctionName: aws.String(fn), Qualifier: aws.String("live")})
	if err != nil || aws.ToInt32(pc.RequestedProvisionedConcurrentExecutions) != 2 {
		t.Errorf("provisioned concurrency = %+v, %v; want MinCapacity 2", pc, err)
	}
	pols, err := aas.NewFromConfig(env.Config).DescribeScalingPolicies(ctx, &aas.DescribeScalingPoliciesInput{ServiceNamespace: aastypes.ServiceNamespaceLambda})
	if err != nil || len(pols.ScalingPolicies) != 1 || aws.ToString(pols.ScalingPolicies[0].ResourceId) != "function:"+fn+":live" {
		t.Errorf("DescribeScalingPolicies = %+v, %v", pols, err)
	}
}
