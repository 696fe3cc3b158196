package e2e_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/virga/virga/internal/e2e"
)

const ecsStackTemplate = `
Parameters:
  Subnets:
    Type: List<AWS::EC2::Subnet::Id>
  Memory:
    Type: String
    Default: "512"
Resources:
  Cluster:
    Type: AWS::ECS::Cluster
    Properties:
      ClusterName: stacked
      Tags: [{Key: team, Value: web}]
  Def:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Family: stacked-web
      Cpu: "256"
      Memory: !Ref Memory
      NetworkMode: awsvpc
      RequiresCompatibilities: [FARGATE]
      ContainerDefinitions:
        - Name: app
          Image: nginx
          Essential: "true"
          PortMappings: [{ContainerPort: "80"}]
          LogConfiguration:
            LogDriver: json-file
            Options: {max-size: 10m}
  Svc:
    Type: AWS::ECS::Service
    Properties:
      Cluster: !Ref Cluster
      ServiceName: web
      TaskDefinition: !Ref Def
      DesiredCount: 2
      LaunchType: FARGATE
      DeploymentConfiguration: {MaximumPercent: 200, MinimumHealthyPercent: 50}
      NetworkConfiguration:
        AwsvpcConfiguration: {Subnets: [!Select [0, !Ref Subnets]], AssignPublicIp: ENABLED}
Outputs:
  ClusterArn: {Value: !GetAtt Cluster.Arn}
  Def: {Value: !Ref Def}
  Service: {Value: !Ref Svc}
  ServiceName: {Value: !GetAtt Svc.Name}
`

func TestECSStack(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithContainerRuntime(newContainerDouble()))
	ctx := context.Background()
	cf := cloudformation.NewFromConfig(env.Config)
	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("ecs-stack"), TemplateBody: aws.String(ecsStackTemplate),
		Parameters: []cftypes.Parameter{env.DefaultNetwork(t).SubnetsParameter()}}); err != nil {
		t.Fatal(err)
	}
	outs := createdStackOutputs(t, cf, "ecs-stack")
	if outs["ClusterArn"] != "arn:aws:ecs:us-east-1:000000000000:cluster/stacked" || outs["Def"] != "arn:aws:ecs:us-east-1:000000000000:task-definition/stacked-web:1" ||
		outs["Service"] != "arn:aws:ecs:us-east-1:000000000000:service/stacked/web" || outs["ServiceName"] != "web" {
		t.Fatalf("outputs %v", outs)
	}
	c := ecs.NewFromConfig(env.Config)
	td, err := c.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String("stacked-web")})
	if err != nil || td.TaskDefinition.ContainerDefinitions[0].LogConfiguration.Options["max-size"] != "10m" ||
		aws.ToInt32(td.TaskDefinition.ContainerDefinitions[0].PortMappings[0].HostPort) != 80 {
		t.Fatalf("task definition %+v %v", td, err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		out, err := c.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String("stacked"), Services: []string{"web"}})
		if err != nil {
			t.Fatal(err)
		}
		if out.Services[0].RunningCount == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("service %+v", out.Services[0])
		}
	}
	if _, err := cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("ecs-stack")}); err != nil {
		t.Fatal(err)
	}
	// The stack is gone once the service has drained and the cluster
	// and task definition are deleted.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		cl, err := c.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: []string{"stacked"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(cl.Clusters) == 1 && aws.ToString(cl.Clusters[0].Status) == "INACTIVE" {
			break
		}
		if time.Now().After(deadline) {
			ev, _ := cf.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: aws.String("ecs-stack")})
			t.Fatalf("cluster after the stack's deletion: %+v; events %+v", cl.Clusters, ev)
		}
	}
	svc, err := c.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String("stacked"), Services: []string{"web"}})
	if err == nil || !strings.Contains(err.Error(), "ClusterNotFoundException") {
		t.Fatalf("services of the deleted cluster: %+v %v", svc, err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		td, err = c.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String("stacked-web:1")})
		if err == nil && td.TaskDefinition.Status == "INACTIVE" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("task definition after delete: %+v %v", td, err)
		}
	}
}
