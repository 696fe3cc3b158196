package e2e_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/virga/virga/internal/e2e"
	virgaecs "github.com/virga/virga/internal/ecs"
)

// httpContainers stands in for the node agent with containers that
// serve HTTP: each published port of a task is a real server on
// 127.0.0.1 that answers "task ID" and, on /health, 200 unless the test
// made the task sick (then 500).
type httpContainers struct {
	mu    sync.Mutex
	tasks map[string]*httpTask
}

type httpTask struct {
	id      string
	servers []*httptest.Server
	ports   []virgaecs.BoundPort
	sick    atomic.Bool
	done    chan struct{}
	once    sync.Once
}

func newHTTPContainers() *httpContainers { return &httpContainers{tasks: map[string]*httpTask{}} }

func (d *httpContainers) StartTask(_ context.Context, spec virgaecs.TaskSpec) (virgaecs.RunningTask, error) {
	t := &httpTask{id: spec.ID, done: make(chan struct{})}
	for _, c := range spec.Containers {
		for _, p := range c.PortMappings {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/health" && t.sick.Load() {
					w.WriteHeader(http.StatusInternalServerError)
					return
				}
				fmt.Fprintf(w, "task %s", t.id)
			}))
			t.servers = append(t.servers, srv)
			t.ports = append(t.ports, virgaecs.BoundPort{Container: c.Name, ContainerPort: p.ContainerPort,
				HostPort: srv.Listener.Addr().(*net.TCPAddr).Port, Protocol: p.Protocol})
		}
	}
	d.mu.Lock()
	d.tasks[spec.ID] = t
	d.mu.Unlock()
	return t, nil
}

func (d *httpContainers) task(arn string) *httpTask {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.tasks[arn[strings.LastIndex(arn, "/")+1:]]
}

func (t *httpTask) Ports() []virgaecs.BoundPort { return t.ports }

func (t *httpTask) Wait(ctx context.Context, _ string) (int, error) {
	select {
	case <-t.done:
		return 143, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

func (t *httpTask) Stop(context.Context, time.Duration) error {
	t.once.Do(func() {
		for _, s := range t.servers {
			s.Close()
		}
		close(t.done)
	})
	return nil
}

// albService is a load balancer with a listener forwarding to an ip
// target group that checks /health every 5 seconds, and an awsvpc task
// definition "web" whose container app listens on 8080.
type albService struct {
	env *e2e.Env
	elb *elb.Client
	ecs *ecs.Client
	tg  string
	dns string
}

func newALBService(t *testing.T, env *e2e.Env) *albService {
	t.Helper()
	ctx := context.Background()
	a := &albService{env: env, elb: elb.NewFromConfig(env.Config), ecs: ecs.NewFromConfig(env.Config)}
	lb, err := a.elb.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("svc-lb"), Subnets: env.DefaultNetwork(t).Subnets[:2]})
	if err != nil {
		t.Fatal(err)
	}
	a.dns = aws.ToString(lb.LoadBalancers[0].DNSName)
	tg, err := a.elb.CreateTargetGroup(ctx, &elb.CreateTargetGroupInput{Name: aws.String("svc-tg"), Protocol: elbtypes.ProtocolEnumHttp,
		Port: aws.Int32(8080), VpcId: aws.String("vpc-1"), TargetType: elbtypes.TargetTypeEnumIp, HealthCheckPath: aws.String("/health"),
		HealthCheckIntervalSeconds: aws.Int32(5), HealthCheckTimeoutSeconds: aws.Int32(2), HealthyThresholdCount: aws.Int32(2), UnhealthyThresholdCount: aws.Int32(2)})
	if err != nil {
		t.Fatal(err)
	}
	a.tg = aws.ToString(tg.TargetGroups[0].TargetGroupArn)
	if _, err := a.elb.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: lb.LoadBalancers[0].LoadBalancerArn,
		Protocol: elbtypes.ProtocolEnumHttp, Port: aws.Int32(freePort(t)), DefaultActions: forwardTo(a.tg)}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.ecs.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("web"), NetworkMode: ecstypes.NetworkModeAwsvpc,
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("web"), Memory: aws.Int32(128),
			PortMappings: []ecstypes.PortMapping{{ContainerPort: aws.Int32(8080)}}}}}); err != nil {
		t.Fatal(err)
	}
	return a
}

// targets returns the target group's targets by state.
func (a *albService) targets(t *testing.T) map[elbtypes.TargetHealthStateEnum][]int32 {
	t.Helper()
	out, err := a.elb.DescribeTargetHealth(context.Background(), &elb.DescribeTargetHealthInput{TargetGroupArn: &a.tg})
	if err != nil {
		t.Fatal(err)
	}
	m := map[elbtypes.TargetHealthStateEnum][]int32{}
	for _, d := range out.TargetHealthDescriptions {
		if aws.ToString(d.Target.Id) != "127.0.0.1" {
			t.Fatalf("target %s, want 127.0.0.1", aws.ToString(d.Target.Id))
		}
		m[d.TargetHealth.State] = append(m[d.TargetHealth.State], aws.ToInt32(d.Target.Port))
	}
	return m
}

// until polls cond, moving the clock 5 seconds (a health check
// interval) each time, until it holds or 20 seconds pass.
func (a *albService) until(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s; targets %v", what, a.targets(t))
		}
		a.env.Clock.Advance(5 * time.Second)
	}
}

func (a *albService) tasks(t *testing.T, status ecstypes.DesiredStatus) []ecstypes.Task {
	t.Helper()
	ctx := context.Background()
	list, err := a.ecs.ListTasks(ctx, &ecs.ListTasksInput{ServiceName: aws.String("web"), DesiredStatus: status})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.TaskArns) == 0 {
		return nil
	}
	out, err := a.ecs.DescribeTasks(ctx, &ecs.DescribeTasksInput{Tasks: list.TaskArns})
	if err != nil {
		t.Fatal(err)
	}
	return out.Tasks
}

func TestECSServiceBehindALB(t *testing.T) {
	t.Parallel()
	rt := newHTTPContainers()
	env := e2e.Start(t, e2e.WithFakeClock(), e2e.WithContainerRuntime(rt))
	a := newALBService(t, env)
	ctx := context.Background()
	nc := &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{Subnets: env.DefaultNetwork(t).Subnets[:1]}}
	lbs := func(tg string) []ecstypes.LoadBalancer {
		return []ecstypes.LoadBalancer{{TargetGroupArn: aws.String(tg), ContainerName: aws.String("app"), ContainerPort: aws.Int32(8080)}}
	}

	// CreateService checks the target group as ECS does.
	_, err := a.ecs.CreateService(ctx, &ecs.CreateServiceInput{ServiceName: aws.String("web"), TaskDefinition: aws.String("web"),
		DesiredCount: aws.Int32(2), NetworkConfiguration: nc, LoadBalancers: lbs(a.tg + "0")})
	if got := apiCode(err); got != "InvalidParameterException: Unable to assume role and validate the specified targetGroupArn. Please verify that the ECS service role being passed has the proper permissions." {
		t.Fatalf("missing target group: %v", err)
	}
	lonely, err := a.elb.CreateTargetGroup(ctx, &elb.CreateTargetGroupInput{Name: aws.String("lonely"), Protocol: elbtypes.ProtocolEnumHttp,
		Port: aws.Int32(8080), VpcId: aws.String("vpc-1"), TargetType: elbtypes.TargetTypeEnumIp})
	if err != nil {
		t.Fatal(err)
	}
	lonelyARN := aws.ToString(lonely.TargetGroups[0].TargetGroupArn)
	_, err = a.ecs.CreateService(ctx, &ecs.CreateServiceInput{ServiceName: aws.String("web"), TaskDefinition: aws.String("web"),
		DesiredCount: aws.Int32(2), NetworkConfiguration: nc, LoadBalancers: lbs(lonelyARN)})
	if got := apiCode(err); got != "InvalidParameterException: The target group with targetGroupArn "+lonelyARN+" does not have an associated load balancer." {
		t.Fatalf("target group without a load balancer: %v", err)
	}

	if _, err := a.ecs.CreateService(ctx, &ecs.CreateServiceInput{ServiceName: aws.String("web"), TaskDefinition: aws.String("web"),
		DesiredCount: aws.Int32(2), NetworkConfiguration: nc, LoadBalancers: lbs(a.tg), HealthCheckGracePeriodSeconds: aws.Int32(10)}); err != nil {
		t.Fatal(err)
	}
	a.until(t, "two healthy targets", func() bool { return len(a.targets(t)[elbtypes.TargetHealthStateEnumHealthy]) == 2 })

	// Requests alternate between the two tasks.
	var got []string
	for range 4 {
		res, body := albGet(t, env, a.dns, "GET", "/", nil)
		if res.StatusCode != 200 || !strings.HasPrefix(body, "task ") {
			t.Fatalf("through the load balancer: %d %q", res.StatusCode, body)
		}
		got = append(got, body)
	}
	if got[0] == got[1] || got[0] != got[2] || got[1] != got[3] {
		t.Fatalf("requests did not alternate between two tasks: %q", got)
	}

	// Scaling out registers a third target.
	if _, err := a.ecs.UpdateService(ctx, &ecs.UpdateServiceInput{Service: aws.String("web"), DesiredCount: aws.Int32(3)}); err != nil {
		t.Fatal(err)
	}
	a.until(t, "three healthy targets", func() bool { return len(a.targets(t)[elbtypes.TargetHealthStateEnumHealthy]) == 3 })

	// A task that fails its health checks is stopped and replaced.
	running := a.tasks(t, ecstypes.DesiredStatusRunning)
	if len(running) != 3 {
		t.Fatalf("%d running tasks", len(running))
	}
	victim := aws.ToString(running[0].TaskArn)
	sickPort := aws.ToInt32(running[0].Containers[0].NetworkBindings[0].HostPort)
	rt.task(victim).sick.Store(true)
	a.until(t, "the sick task replaced", func() bool {
		healthy := a.targets(t)[elbtypes.TargetHealthStateEnumHealthy]
		return len(healthy) == 3 && !containsPort(healthy, sickPort)
	})
	// It drains (DEACTIVATING) for the deregistration delay, then stops.
	var stopped ecstypes.Task
	a.until(t, "the sick task stopped", func() bool {
		out, err := a.ecs.DescribeTasks(ctx, &ecs.DescribeTasksInput{Tasks: []string{victim}})
		if err != nil || len(out.Tasks) != 1 {
			t.Fatal(err)
		}
		stopped = out.Tasks[0]
		return aws.ToString(stopped.LastStatus) == "STOPPED"
	})
	if got := aws.ToString(stopped.StoppedReason); got != "Task failed ELB health checks in (target-group "+a.tg+")" {
		t.Fatalf("stoppedReason %q", got)
	}
	svc, err := a.ecs.DescribeServices(ctx, &ecs.DescribeServicesInput{Services: []string{"web"}})
	if err != nil {
		t.Fatal(err)
	}
	var events []string
	for _, e := range svc.Services[0].Events {
		events = append(events, aws.ToString(e.Message))
	}
	victimID := victim[strings.LastIndex(victim, "/")+1:]
	for _, want := range []string{
		"(service web) (task " + victimID + ") (port " + strconv.Itoa(int(sickPort)) + ") is unhealthy in (target-group svc-tg) due to (reason Health checks failed with these codes: [500]).",
		"(service web) registered 1 targets in (target-group " + a.tg + ")",
		"(service web) deregistered 1 targets in (target-group " + a.tg + ")",
	} {
		if !containsString(events, want) {
			t.Errorf("no event %q in %q", want, events)
		}
	}

	// Deleting the service deregisters every target; they drain for the
	// deregistration delay (300 s), then are gone.
	if _, err := a.ecs.DeleteService(ctx, &ecs.DeleteServiceInput{Service: aws.String("web"), Force: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	a.until(t, "no targets", func() bool { return len(a.targets(t)) == 0 })
	a.until(t, "the service inactive", func() bool {
		out, err := a.ecs.DescribeServices(ctx, &ecs.DescribeServicesInput{Services: []string{"web"}})
		return err == nil && aws.ToString(out.Services[0].Status) == "INACTIVE"
	})
}

func containsPort(ps []int32, p int32) bool {
	for _, x := range ps {
		if x == p {
			return true
		}
	}
	return false
}

func containsString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

const ecsALBStackTemplate = `
Parameters:
  Port:
    Type: Number
  Subnets:
    Type: List<AWS::EC2::Subnet::Id>
Resources:
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
      HealthCheckPath: /health
      TargetGroupAttributes:
        - Key: deregistration_delay.timeout_seconds
          Value: "0"
  Http:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref Alb
      Port: !Ref Port
      Protocol: HTTP
      DefaultActions:
        - Type: forward
          TargetGroupArn: !Ref Targets
  Def:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Family: alb-web
      Cpu: "256"
      Memory: "512"
      NetworkMode: awsvpc
      RequiresCompatibilities: [FARGATE]
      ContainerDefinitions:
        - Name: app
          Image: web
          PortMappings: [{ContainerPort: 8080}]
  Svc:
    Type: AWS::ECS::Service
    DependsOn: Http
    Properties:
      ServiceName: alb-web
      TaskDefinition: !Ref Def
      DesiredCount: 2
      LaunchType: FARGATE
      HealthCheckGracePeriodSeconds: 30
      NetworkConfiguration:
        AwsvpcConfiguration: {Subnets: [!Select [0, !Ref Subnets]]}
      LoadBalancers:
        - ContainerName: app
          ContainerPort: 8080
          TargetGroupArn: !Ref Targets
Outputs:
  DNS: {Value: !GetAtt Alb.DNSName}
  Targets: {Value: !Ref Targets}
`

func TestECSServiceBehindALBStack(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithContainerRuntime(newHTTPContainers()))
	ctx := context.Background()
	cf := cloudformation.NewFromConfig(env.Config)
	created, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("alb-web"), TemplateBody: aws.String(ecsALBStackTemplate),
		Parameters: []cftypes.Parameter{{ParameterKey: aws.String("Port"), ParameterValue: aws.String(strconv.Itoa(int(freePort(t))))}, env.DefaultNetwork(t).SubnetsParameter()}})
	if err != nil {
		t.Fatal(err)
	}
	outs := createdStackOutputs(t, cf, "alb-web")
	// Both tasks register; the load balancer routes to them (while
	// their first health checks run it fails open to all targets).
	seen := map[string]bool{}
	for deadline := time.Now().Add(10 * time.Second); len(seen) < 2; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("requests reached %v, want two tasks", seen)
		}
		if res, body := albGet(t, env, outs["DNS"], "GET", "/", nil); res.StatusCode == 200 && strings.HasPrefix(body, "task ") {
			seen[body] = true
		}
	}
	out, err := elb.NewFromConfig(env.Config).DescribeTargetHealth(ctx, &elb.DescribeTargetHealthInput{TargetGroupArn: aws.String(outs["Targets"])})
	if err != nil || len(out.TargetHealthDescriptions) != 2 {
		t.Fatalf("targets %+v, %v", out, err)
	}
	// Deleting the stack deletes the service, which deregisters its
	// targets.
	if _, err := cf.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("alb-web")}); err != nil {
		t.Fatal(err)
	}
	if st := settleStack(t, cf, aws.ToString(created.StackId)); st.StackStatus != cftypes.StackStatusDeleteComplete {
		t.Fatalf("stack %s", st.StackStatus)
	}
}
