package e2e_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/virga/virga/internal/e2e"
)

// TestECSClusterCapacityProviders: a cluster keeps the FARGATE capacity
// providers and default strategy CreateCluster and
// PutClusterCapacityProviders give it, with the strategy's defaults, and
// refuses providers it does not have, as the CLI reference's
// create-cluster and put-cluster-capacity-providers examples show.
func TestECSClusterCapacityProviders(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := ecs.NewFromConfig(env.Config)
	ctx := context.Background()
	strategy := func(name string, weight, base int32) types.CapacityProviderStrategyItem {
		return types.CapacityProviderStrategyItem{CapacityProvider: aws.String(name), Weight: weight, Base: base}
	}
	check := func(what string, cl *types.Cluster, providers []string, want []types.CapacityProviderStrategyItem) {
		t.Helper()
		if len(cl.CapacityProviders) != len(providers) || len(cl.DefaultCapacityProviderStrategy) != len(want) {
			t.Fatalf("%s: %v %+v", what, cl.CapacityProviders, cl.DefaultCapacityProviderStrategy)
		}
		for i, p := range providers {
			if cl.CapacityProviders[i] != p {
				t.Errorf("%s: capacityProviders %v", what, cl.CapacityProviders)
			}
		}
		for i, w := range want {
			got := cl.DefaultCapacityProviderStrategy[i]
			if *got.CapacityProvider != *w.CapacityProvider || got.Weight != w.Weight || got.Base != w.Base {
				t.Errorf("%s: strategy %d %+v", what, i, got)
			}
		}
	}
	out, err := c.CreateCluster(ctx, &ecs.CreateClusterInput{
		ClusterName:                     aws.String("MyCluster"),
		CapacityProviders:               []string{"FARGATE", "FARGATE_SPOT"},
		DefaultCapacityProviderStrategy: []types.CapacityProviderStrategyItem{strategy("FARGATE", 1, 0), strategy("FARGATE_SPOT", 1, 0)},
	})
	if err != nil {
		t.Fatal(err)
	}
	check("CreateCluster", out.Cluster, []string{"FARGATE", "FARGATE_SPOT"}, []types.CapacityProviderStrategyItem{strategy("FARGATE", 1, 0), strategy("FARGATE_SPOT", 1, 0)})

	put, err := c.PutClusterCapacityProviders(ctx, &ecs.PutClusterCapacityProvidersInput{
		Cluster:                         aws.String("MyCluster"),
		CapacityProviders:               []string{"FARGATE"},
		DefaultCapacityProviderStrategy: []types.CapacityProviderStrategyItem{strategy("FARGATE", 2, 1)},
	})
	if err != nil {
		t.Fatal(err)
	}
	check("PutClusterCapacityProviders", put.Cluster, []string{"FARGATE"}, []types.CapacityProviderStrategyItem{strategy("FARGATE", 2, 1)})
	desc, err := c.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: []string{"MyCluster"}})
	if err != nil || len(desc.Clusters) != 1 {
		t.Fatalf("DescribeClusters: %v %+v", err, desc)
	}
	check("DescribeClusters", &desc.Clusters[0], []string{"FARGATE"}, []types.CapacityProviderStrategyItem{strategy("FARGATE", 2, 1)})

	_, err = c.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("other"), CapacityProviders: []string{"MyCapacityProvider1"}})
	expectAPIError(t, err, "InvalidParameterException", 400)
	_, err = c.PutClusterCapacityProviders(ctx, &ecs.PutClusterCapacityProvidersInput{
		Cluster:                         aws.String("MyCluster"),
		CapacityProviders:               []string{"FARGATE"},
		DefaultCapacityProviderStrategy: []types.CapacityProviderStrategyItem{strategy("FARGATE_SPOT", 1, 0)},
	})
	expectAPIError(t, err, "InvalidParameterException", 400)
	_, err = c.PutClusterCapacityProviders(ctx, &ecs.PutClusterCapacityProvidersInput{
		Cluster: aws.String("missing"), CapacityProviders: []string{}, DefaultCapacityProviderStrategy: []types.CapacityProviderStrategyItem{},
	})
	expectAPIError(t, err, "ClusterNotFoundException", 400)
}

// TestECSUpdateClusterSettings: UpdateClusterSettings turns Container
// Insights on, as the CLI reference's update-cluster-settings example
// does.
func TestECSUpdateClusterSettings(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := ecs.NewFromConfig(env.Config)
	ctx := context.Background()
	if _, err := c.CreateCluster(ctx, &ecs.CreateClusterInput{}); err != nil {
		t.Fatal(err)
	}
	out, err := c.UpdateClusterSettings(ctx, &ecs.UpdateClusterSettingsInput{
		Cluster:  aws.String("default"),
		Settings: []types.ClusterSetting{{Name: types.ClusterSettingNameContainerInsights, Value: aws.String("enabled")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	desc, err := c.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: []string{"default"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, cl := range []types.Cluster{*out.Cluster, desc.Clusters[0]} {
		if len(cl.Settings) != 1 || cl.Settings[0].Name != types.ClusterSettingNameContainerInsights || aws.ToString(cl.Settings[0].Value) != "enabled" {
			t.Errorf("settings %+v", cl.Settings)
		}
	}
	_, err = c.UpdateClusterSettings(ctx, &ecs.UpdateClusterSettingsInput{Cluster: aws.String("missing"), Settings: []types.ClusterSetting{}})
	expectAPIError(t, err, "ClusterNotFoundException", 400)
}

// TestECSTaskOverridesEveryContainer: a bridge task starts PENDING, and
// a task's overrides list each of
// its definition's containers, by name where RunTask gave no override,
// and the task says whether ExecuteCommand is enabled, as the CLI
// reference's run-task and describe-tasks examples show.
func TestECSTaskOverridesEveryContainer(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := ecs.NewFromConfig(env.Config)
	ctx := context.Background()
	_, err := c.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{
		Family: aws.String("pair"),
		ContainerDefinitions: []types.ContainerDefinition{
			{Name: aws.String("web"), Image: aws.String("example.invalid/web"), Memory: aws.Int32(64), Essential: aws.Bool(true)},
			{Name: aws.String("sidecar"), Image: aws.String("example.invalid/sidecar"), Memory: aws.Int32(64), Essential: aws.Bool(false)},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	run, err := c.RunTask(ctx, &ecs.RunTaskInput{TaskDefinition: aws.String("pair"), Overrides: &types.TaskOverride{
		ContainerOverrides: []types.ContainerOverride{{Name: aws.String("sidecar"), Command: []string{"true"}}},
	}})
	if err != nil || len(run.Tasks) != 1 {
		t.Fatalf("RunTask: %v %+v", err, run)
	}
	// A bridge task has no network interface to provision: it starts
	// PENDING, as in the CLI reference's run-task example.
	if s := aws.ToString(run.Tasks[0].LastStatus); s != "PENDING" {
		t.Errorf("RunTask: lastStatus %s", s)
	}
	desc, err := c.DescribeTasks(ctx, &ecs.DescribeTasksInput{Tasks: []string{aws.ToString(run.Tasks[0].TaskArn)}})
	if err != nil || len(desc.Tasks) != 1 {
		t.Fatalf("DescribeTasks: %v %+v", err, desc)
	}
	for what, task := range map[string]types.Task{"RunTask": run.Tasks[0], "DescribeTasks": desc.Tasks[0]} {
		o := task.Overrides.ContainerOverrides
		if len(o) != 2 || aws.ToString(o[0].Name) != "web" || o[0].Command != nil ||
			aws.ToString(o[1].Name) != "sidecar" || len(o[1].Command) != 1 || task.Overrides.InferenceAcceleratorOverrides == nil {
			t.Errorf("%s: overrides %+v", what, task.Overrides)
		}
		if task.EnableExecuteCommand {
			t.Errorf("%s: enableExecuteCommand", what)
		}
	}
	res := env.CLI(t, "ecs", "describe-tasks", "--tasks", aws.ToString(run.Tasks[0].TaskArn), "--query", "tasks[0].[enableExecuteCommand,overrides.containerOverrides[0].name]", "--output", "text")
	if res.ExitCode != 0 || res.Stdout != "False\tweb\n" {
		t.Errorf("describe-tasks: %d %q %s", res.ExitCode, res.Stdout, res.Stderr)
	}
}

// TestECSCreateServiceFargate: CreateService answers a Fargate service as
// the CLI reference's create-service example shows: its tags, empty
// placement lists, the platform version it asked for (LATEST when none)
// and, on the deployment, the version that resolves to.
func TestECSCreateServiceFargate(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	c := ecs.NewFromConfig(env.Config)
	ctx := context.Background()
	_, err := c.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{
		Family: aws.String("sample-fargate"), NetworkMode: types.NetworkModeAwsvpc, RequiresCompatibilities: []types.Compatibility{types.CompatibilityFargate},
		Cpu: aws.String("256"), Memory: aws.String("512"),
		ContainerDefinitions: []types.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("example.invalid/app"), Essential: aws.Bool(true)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("MyCluster")}); err != nil {
		t.Fatal(err)
	}
	res := env.CLI(t, "ecs", "create-service", "--cluster", "MyCluster", "--service-name", "MyService", "--task-definition", "sample-fargate:1",
		"--desired-count", "0", "--launch-type", "FARGATE",
		"--network-configuration", "awsvpcConfiguration={subnets=["+env.DefaultNetwork(t).Subnets[0]+"],assignPublicIp=ENABLED}",
		"--tags", "key=key1,value=value1")
	var out struct {
		Service struct {
			PlatformVersion      *string
			PlatformFamily       *string
			PlacementConstraints []any
			PlacementStrategy    []any
			Tags                 []struct{ Key, Value string }
			Deployments          []struct{ PlatformVersion, PlatformFamily *string }
		}
	}
	if res.ExitCode != 0 || json.Unmarshal([]byte(res.Stdout), &out) != nil {
		t.Fatalf("create-service: %d %s %s", res.ExitCode, res.Stdout, res.Stderr)
	}
	v := out.Service
	if aws.ToString(v.PlatformVersion) != "LATEST" || aws.ToString(v.PlatformFamily) != "Linux" || v.PlacementConstraints == nil || v.PlacementStrategy == nil ||
		len(v.Tags) != 1 || v.Tags[0].Key != "key1" || len(v.Deployments) != 1 ||
		aws.ToString(v.Deployments[0].PlatformVersion) != "1.4.0" || aws.ToString(v.Deployments[0].PlatformFamily) != "Linux" {
		t.Errorf("create-service: %s", res.Stdout)
	}
	desc, err := c.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String("MyCluster"), Services: []string{"MyService"}})
	if err != nil || len(desc.Services) != 1 || aws.ToString(desc.Services[0].PlatformVersion) != "LATEST" || desc.Services[0].Tags != nil {
		t.Errorf("DescribeServices: %v %+v", err, desc)
	}
}
