package providers

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/virga/virga/internal/cfn/resource"
)

func init() {
	resource.Register(&resource.Type{
		Name:         "AWS::ECS::Cluster",
		Provider:     ecsCluster{},
		Replace:      []string{"ClusterName"},
		NameProperty: "ClusterName",
		Attributes:   []string{"Arn"},
	})
	resource.Register(&resource.Type{
		Name:     "AWS::ECS::TaskDefinition",
		Provider: ecsTaskDefinition{},
		// A task definition revision is immutable: every change but its
		// tags registers a new one.
		Replace:    []string{"*"},
		Attributes: []string{"TaskDefinitionArn"},
	})
	resource.Register(&resource.Type{
		Name:     "AWS::ECS::Service",
		Provider: ecsService{},
		Replace:  []string{"Cluster", "ServiceName", "LaunchType", "Role", "SchedulingStrategy", "DeploymentController"},
		// NameProperty: a service name is unique within its cluster.
		NameProperty: "ServiceName",
		Attributes:   []string{"Name", "ServiceArn"},
	})
}

// freeKeyProps are the ECS members whose keys are the user's (a log
// driver's options, Docker labels), which keep their case when property
// names become the API's camel-case members.
var freeKeyProps = map[string]bool{"Options": true, "DockerLabels": true, "DriverOpts": true, "Labels": true}

// ecsMembers converts CloudFormation's properties (Name, PortMappings,
// ContainerPort) to ECS's members (name, portMappings, containerPort),
// at any depth.
func ecsMembers(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			if freeKeyProps[k] {
				out[lowerFirst(k)] = stringMap(e)
				continue
			}
			out[lowerFirst(k)] = ecsMembers(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = ecsMembers(e)
		}
		return out
	}
	return v
}

// ecsKinds are the ECS members templates may give as text.
var ecsKinds = map[string]kind{"Cpu": number, "Memory": number, "MemoryReservation": number, "ContainerPort": number,
	"HostPort": number, "StartTimeout": number, "StopTimeout": number, "Interval": number, "Timeout": number,
	"Retries": number, "StartPeriod": number, "Essential": boolean, "DesiredCount": number, "MaximumPercent": number,
	"MinimumHealthyPercent": number, "HealthCheckGracePeriodSeconds": number, "Enable": boolean, "Rollback": boolean,
	"EnableECSManagedTags": boolean, "EnableExecuteCommand": boolean, "ReadonlyRootFilesystem": boolean}

// ecsTags is a template's tag list as ECS's [{key, value}].
func ecsTags(v any) []any {
	m := tagMap(v)
	out := make([]any, 0, len(m))
	for _, k := range sortedKeys(m) {
		out = append(out, map[string]any{"key": k, "value": m[k]})
	}
	return out
}

// ecsCluster is AWS::ECS::Cluster: CreateCluster; its physical ID and
// Ref are its name. Tags change in place through TagResource and
// UntagResource; ClusterSettings through a second CreateCluster, which
// on ECS updates an ACTIVE cluster of the same name.
type ecsCluster struct{}

func (ecsCluster) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, ecsKinds)
	name := p.str("ClusterName")
	if name == "" {
		name = physicalName(r, 255)
	}
	// CreateCluster of an ACTIVE cluster's name updates that cluster.
	look := lookup{service: "ecs", op: "DescribeClusters", in: map[string]any{"clusters": []any{name}},
		found: func(out props) bool {
			for _, c := range out.list("clusters") {
				if c := props(asMap(c)); c.str("clusterName") == name && c.str("status") == "ACTIVE" {
					return true
				}
			}
			return false
		}}
	if err := refuseTaken(ctx, r, look, resource.AlreadyExists(r.Type, name)); err != nil {
		return nil, err
	}
	return ecsPutCluster(ctx, r, name, p)
}

func ecsPutCluster(ctx context.Context, r *resource.Request, name string, p props) (*resource.Result, error) {
	in := map[string]any{"clusterName": name}
	if tags := ecsTags(p["Tags"]); len(tags) > 0 {
		in["tags"] = tags
	}
	if s := p.list("ClusterSettings"); len(s) > 0 {
		in["settings"] = ecsMembers(s)
	}
	out, err := call(ctx, r, "ecs", "CreateCluster", in)
	if err != nil {
		return nil, err
	}
	arn := props(asMap(out["cluster"])).str("clusterArn")
	return &resource.Result{PhysicalID: name, Attributes: map[string]any{"Arn": arn}}, nil
}

func (ecsCluster) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, old := coerced(r, ecsKinds)
	res, err := ecsPutCluster(ctx, r, r.PhysicalID, p)
	if err != nil {
		return nil, err
	}
	if _, removed := tagDiff(tagMap(old["Tags"]), tagMap(p["Tags"])); len(removed) > 0 {
		arn := res.Attributes["Arn"]
		if _, err := call(ctx, r, "ecs", "UntagResource", map[string]any{"resourceArn": arn, "tagKeys": anyStrings(removed)}); err != nil {
			return nil, err
		}
	}
	return res, nil
}

func (ecsCluster) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, "ecs", "DeleteCluster", map[string]any{"cluster": r.PhysicalID})
	return ignoreGone(err)
}

// ecsTaskDefinition is AWS::ECS::TaskDefinition: RegisterTaskDefinition;
// its physical ID and Ref are the revision's ARN. Deleting it
// deregisters the revision (INACTIVE), as CloudFormation does.
type ecsTaskDefinition struct{}

func (ecsTaskDefinition) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, ecsKinds)
	family := p.str("Family")
	if family == "" {
		family = physicalName(r, 255)
	}
	in := map[string]any{"family": family}
	for k, v := range p {
		switch k {
		case "Family", "Tags":
		case "Cpu", "Memory":
			// Task-level sizes are text in the API ("256", "1 vCPU").
			s, _ := text(v)
			in[lowerFirst(k)] = s
		default:
			in[lowerFirst(k)] = ecsMembers(v)
		}
	}
	if tags := ecsTags(p["Tags"]); len(tags) > 0 {
		in["tags"] = tags
	}
	out, err := call(ctx, r, "ecs", "RegisterTaskDefinition", in)
	if err != nil {
		return nil, err
	}
	arn := props(asMap(out["taskDefinition"])).str("taskDefinitionArn")
	return &resource.Result{PhysicalID: arn, Attributes: map[string]any{"TaskDefinitionArn": arn}}, nil
}

func (ecsTaskDefinition) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	// Every change replaces (Replace "*"): only an unchanged template
	// comes here.
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: map[string]any{"TaskDefinitionArn": r.PhysicalID}}, nil
}

func (ecsTaskDefinition) Delete(ctx context.Context, r *resource.Request) error {
	_, err := call(ctx, r, "ecs", "DeregisterTaskDefinition", map[string]any{"taskDefinition": r.PhysicalID})
	if err != nil && strings.Contains(err.Error(), "Unable to describe task definition") {
		return nil
	}
	return ignoreGone(err)
}

// ecsService is AWS::ECS::Service: CreateService (DesiredCount 1 when
// the template sets none, as CloudFormation's default for a new
// service); its physical ID and Ref are the service's ARN, its Name
// attribute the service's name. Updates go through UpdateService
// (desired count, task definition, deployment configuration, load
// balancers, network configuration); deleting it is DeleteService with
// force, which stops its tasks.
type ecsService struct{}

func (ecsService) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, ecsKinds)
	name := p.str("ServiceName")
	if name == "" {
		name = physicalName(r, 255)
	}
	in := map[string]any{"serviceName": name, "desiredCount": json.Number("1")}
	for k, v := range p {
		switch k {
		case "ServiceName", "Tags":
		case "PlacementStrategies":
			in["placementStrategy"] = ecsMembers(v)
		default:
			in[lowerFirst(k)] = ecsMembers(v)
		}
	}
	if tags := ecsTags(p["Tags"]); len(tags) > 0 {
		in["tags"] = tags
	}
	out, err := call(ctx, r, "ecs", "CreateService", in)
	if err != nil {
		return nil, err
	}
	return ecsServiceResult(asMap(out["service"])), nil
}

func ecsServiceResult(svc map[string]any) *resource.Result {
	arn := props(svc).str("serviceArn")
	return &resource.Result{PhysicalID: arn, Attributes: map[string]any{"Name": props(svc).str("serviceName"), "ServiceArn": arn}}
}

// ecsServiceCluster is the cluster a service's ARN names
// (arn:aws:ecs:REGION:ACCOUNT:service/CLUSTER/NAME).
func ecsServiceCluster(arn string) string {
	parts := strings.Split(arn, "/")
	if len(parts) == 3 {
		return parts[1]
	}
	return ""
}

func (ecsService) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	p, _ := coerced(r, ecsKinds)
	in := map[string]any{"cluster": ecsServiceCluster(r.PhysicalID), "service": r.PhysicalID}
	for _, k := range []string{"DesiredCount", "TaskDefinition", "DeploymentConfiguration", "LoadBalancers", "NetworkConfiguration",
		"HealthCheckGracePeriodSeconds", "EnableExecuteCommand", "PlacementConstraints"} {
		if v, ok := p[k]; ok {
			in[lowerFirst(k)] = ecsMembers(v)
		}
	}
	out, err := call(ctx, r, "ecs", "UpdateService", in)
	if err != nil {
		return nil, err
	}
	return ecsServiceResult(asMap(out["service"])), nil
}

// ecsDrainPoll is how often Delete looks whether a deleted service's
// tasks have stopped.
const ecsDrainPoll = 50 * time.Millisecond

// Delete deletes the service and, as CloudFormation does, waits until
// it has drained (INACTIVE), so that its cluster can be deleted next.
func (ecsService) Delete(ctx context.Context, r *resource.Request) error {
	cluster := ecsServiceCluster(r.PhysicalID)
	_, err := call(ctx, r, "ecs", "DeleteService", map[string]any{"cluster": cluster, "service": r.PhysicalID, "force": true})
	if err != nil && !strings.Contains(err.Error(), "ServiceNotActiveException") {
		return ignoreGone(err)
	}
	for {
		out, err := call(ctx, r, "ecs", "DescribeServices", map[string]any{"cluster": cluster, "services": []any{r.PhysicalID}})
		if err != nil {
			return ignoreGone(err)
		}
		svcs, _ := out["services"].([]any)
		if len(svcs) == 0 || props(asMap(svcs[0])).str("status") == "INACTIVE" {
			return nil
		}
		if err := resource.Sleep(ctx, ecsDrainPoll); err != nil {
			return err
		}
	}
}
