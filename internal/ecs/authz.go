package ecs

import (
	"strings"

	"github.com/virga/virga/internal/awsproto"
)

// resources names what a call acts on, for IAM authorization, in the
// order the Service Authorization Reference gives each operation's
// resource: a task (arn:aws:ecs:REGION:ACCOUNT:task/CLUSTER/ID), a
// service (service/CLUSTER/NAME), the task definition RunTask and
// StartTask run (task-definition/FAMILY:REVISION), or else the cluster
// (cluster/NAME). Calls that name none (ListClusters,
// RegisterTaskDefinition) are authorized on "*".
func (s *Service) resources(c *awsproto.Call, in any) []string {
	if arn := awsproto.InputString(in, "ResourceArn"); arn != "" {
		return []string{arn}
	}
	cluster := clusterName(awsproto.InputString(in, "Cluster"))
	named := func(kind string, refs ...string) []string {
		out := make([]string, 0, len(refs))
		for _, ref := range refs {
			if strings.HasPrefix(ref, "arn:") {
				out = append(out, ref)
			} else {
				out = append(out, s.arn(kind+"/"+cluster+"/"+ref))
			}
		}
		return out
	}
	if task := awsproto.InputString(in, "Task"); task != "" {
		return named("task", task)
	}
	if tasks := awsproto.InputStrings(in, "Tasks"); len(tasks) > 0 {
		return named("task", tasks...)
	}
	if svc := awsproto.InputString(in, "Service"); svc != "" {
		return named("service", svc)
	}
	if svc := awsproto.InputString(in, "ServiceName"); svc != "" && c.Op.Name == "CreateService" {
		return named("service", svc)
	}
	if svcs := awsproto.InputStrings(in, "Services"); len(svcs) > 0 {
		return named("service", svcs...)
	}
	switch c.Op.Name {
	case "RunTask", "StartTask":
		if def := awsproto.InputString(in, "TaskDefinition"); def != "" {
			if strings.HasPrefix(def, "arn:") {
				return []string{def}
			}
			return []string{s.arn("task-definition/" + def)}
		}
		return nil
	case "CreateCluster", "DeleteCluster":
		name := awsproto.InputString(in, "ClusterName")
		if name == "" {
			name = cluster
		}
		return []string{s.arn("cluster/" + clusterName(name))}
	case "DescribeClusters":
		var out []string
		for _, ref := range awsproto.InputStrings(in, "Clusters") {
			out = append(out, s.arn("cluster/"+clusterName(ref)))
		}
		return out
	}
	return nil
}
