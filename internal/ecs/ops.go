package ecs

import (
	"strings"

	"github.com/virga/virga/internal/awsproto"
)

// operations is ECS's operation table.
func (s *Service) operations() []awsproto.Operation {
	return []awsproto.Operation{
		{Name: "CreateCluster", Handler: awsproto.Handle(s.createCluster)},
		{Name: "DescribeClusters", Handler: awsproto.Handle(s.describeClusters)},
		{Name: "ListClusters", Handler: awsproto.Handle(s.listClusters)},
		{Name: "DeleteCluster", Handler: awsproto.Handle(s.deleteCluster)},
		{Name: "PutClusterCapacityProviders", Handler: awsproto.Handle(s.putClusterCapacityProviders)},
		{Name: "UpdateClusterSettings", Handler: awsproto.Handle(s.updateClusterSettings)},
		{Name: "RegisterTaskDefinition", Handler: awsproto.Handle(s.registerTaskDefinition)},
		{Name: "DescribeTaskDefinition", Handler: awsproto.Handle(s.describeTaskDefinition)},
		{Name: "ListTaskDefinitions", Handler: awsproto.Handle(s.listTaskDefinitions)},
		{Name: "ListTaskDefinitionFamilies", Handler: awsproto.Handle(s.listTaskDefinitionFamilies)},
		{Name: "DeregisterTaskDefinition", Handler: awsproto.Handle(s.deregisterTaskDefinition)},
		{Name: "DeleteTaskDefinitions", Handler: awsproto.Handle(s.deleteTaskDefinitions)},
		{Name: "RunTask", Handler: awsproto.Handle(s.runTask)},
		{Name: "StartTask", Handler: awsproto.Handle(s.startTask)},
		{Name: "StopTask", Handler: awsproto.Handle(s.stopTask)},
		{Name: "DescribeTasks", Handler: awsproto.Handle(s.describeTasks)},
		{Name: "ListTasks", Handler: awsproto.Handle(s.listTasks)},
		{Name: "CreateService", Handler: awsproto.Handle(s.createService)},
		{Name: "UpdateService", Handler: awsproto.Handle(s.updateService)},
		{Name: "DeleteService", Handler: awsproto.Handle(s.deleteService)},
		{Name: "DescribeServices", Handler: awsproto.Handle(s.describeServices)},
		{Name: "ListServices", Handler: awsproto.Handle(s.listServices)},
		{Name: "TagResource", Handler: awsproto.Handle(s.tagResource)},
		{Name: "UntagResource", Handler: awsproto.Handle(s.untagResource)},
		{Name: "ListTagsForResource", Handler: awsproto.Handle(s.listTagsForResource)},
	}
}

func ptr[T any](v T) *T { return &v }

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// arn is an ECS ARN of the given resource path.
func (s *Service) arn(resource string) string {
	return "arn:aws:ecs:" + s.region + ":" + s.account + ":" + resource
}

// lastSegment is the part of a name or ARN after its last "/".
func lastSegment(ref string) string {
	if i := strings.LastIndexByte(ref, '/'); i >= 0 && strings.HasPrefix(ref, "arn:") {
		return ref[i+1:]
	}
	return ref
}

// clusterName is the name a cluster parameter (name, ARN or empty for
// the default cluster) names.
func clusterName(ref string) string {
	if ref == "" {
		return defaultCluster
	}
	return lastSegment(ref)
}
