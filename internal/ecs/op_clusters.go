package ecs

import (
	"context"
	"slices"
	"sort"
)

// defaultCluster is the cluster operations use when they name none.
const defaultCluster = "default"

// Cluster statuses.
const (
	statusActive   = "ACTIVE"
	statusInactive = "INACTIVE"
)

// activeCluster returns the ACTIVE cluster ref names. The default
// cluster is created the first time an operation that runs tasks uses
// it, as a node joining it would create it on AWS.
func (s *Service) activeCluster(ref string, createDefault bool) (*cluster, error) {
	name := clusterName(ref)
	c := s.clusters[name]
	if (c == nil || c.Status != statusActive) && createDefault && ref == "" {
		var err error
		if c, err = s.makeCluster(name, nil, nil); err != nil {
			return nil, err
		}
	}
	if c == nil || c.Status != statusActive {
		return nil, ErrClusterNotFound
	}
	return c, nil
}

func (s *Service) makeCluster(name string, tags []Tag, settings []ClusterSetting) (*cluster, error) {
	c := s.clusters[name]
	if c == nil {
		c = &cluster{Name: name, ARN: s.arn("cluster/" + name)}
	}
	c.Status = statusActive
	if tags != nil {
		c.Tags = tags
	}
	if settings != nil {
		c.Settings = settings
	}
	if err := s.put(clusterKey(name), c); err != nil {
		return nil, err
	}
	s.clusters[name] = c
	return c, nil
}

func (s *Service) createCluster(_ context.Context, in *CreateClusterRequest) (*CreateClusterResponse, error) {
	name := deref(in.ClusterName)
	if name == "" {
		name = defaultCluster
	}
	if !validName(name) {
		return nil, ErrInvalidParameter.WithMessage("Cluster name can only contain letters, numbers, hyphens, and underscores. Length should be between 1 and 255.")
	}
	providers, strategy, err := capacityProviders(in.CapacityProviders, in.DefaultCapacityProviderStrategy)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.makeCluster(name, in.Tags, in.Settings)
	if err != nil {
		return nil, err
	}
	if providers != nil {
		c.CapacityProviders, c.DefaultStrategy = providers, strategy
		if err := s.put(clusterKey(name), c); err != nil {
			return nil, err
		}
	}
	return &CreateClusterResponse{Cluster: s.describeCluster(c, true)}, nil
}

// fargateProviders are the capacity providers every account has; virga
// has no others (CreateCapacityProvider is not supported).
var fargateProviders = []string{"FARGATE", "FARGATE_SPOT"}

// capacityProviders checks a cluster's capacity providers and default
// strategy as ECS does, and answers them with the strategy's defaults
// (weight and base 0) filled in.
func capacityProviders(providers []string, strategy []CapacityProviderStrategyItem) ([]string, []CapacityProviderStrategyItem, error) {
	for _, p := range providers {
		if !slices.Contains(fargateProviders, p) {
			return nil, nil, ErrInvalidParameter.WithMessage("The specified capacity provider was not found. Specify a valid capacity provider and try again.")
		}
	}
	out := make([]CapacityProviderStrategyItem, 0, len(strategy))
	for _, item := range strategy {
		if !slices.Contains(providers, deref(item.CapacityProvider)) {
			return nil, nil, ErrInvalidParameter.WithMessage("The specified capacity provider strategy cannot contain a capacity provider that is not associated with the cluster. Associate the capacity provider with the cluster or specify a valid capacity provider and try again.")
		}
		out = append(out, CapacityProviderStrategyItem{CapacityProvider: item.CapacityProvider, Weight: ptr(deref(item.Weight)), Base: ptr(deref(item.Base))})
	}
	if providers == nil {
		return nil, nil, nil
	}
	return slices.Clone(providers), out, nil
}

func (s *Service) putClusterCapacityProviders(_ context.Context, in *PutClusterCapacityProvidersRequest) (*PutClusterCapacityProvidersResponse, error) {
	providers, strategy, err := capacityProviders(in.CapacityProviders, in.DefaultCapacityProviderStrategy)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.activeCluster(deref(in.Cluster), false)
	if err != nil {
		return nil, err
	}
	c.CapacityProviders, c.DefaultStrategy = providers, strategy
	if err := s.put(clusterKey(c.Name), c); err != nil {
		return nil, err
	}
	return &PutClusterCapacityProvidersResponse{Cluster: s.describeCluster(c, false)}, nil
}

// updateClusterSettings replaces the cluster settings it names.
func (s *Service) updateClusterSettings(_ context.Context, in *UpdateClusterSettingsRequest) (*UpdateClusterSettingsResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.activeCluster(deref(in.Cluster), false)
	if err != nil {
		return nil, err
	}
	for _, set := range in.Settings {
		i := slices.IndexFunc(c.Settings, func(old ClusterSetting) bool { return deref(old.Name) == deref(set.Name) })
		if i < 0 {
			c.Settings = append(c.Settings, set)
		} else {
			c.Settings[i] = set
		}
	}
	if err := s.put(clusterKey(c.Name), c); err != nil {
		return nil, err
	}
	return &UpdateClusterSettingsResponse{Cluster: s.describeCluster(c, false)}, nil
}

// validName is ECS's rule for cluster and service names: up to 255
// letters, digits, hyphens and underscores.
func validName(name string) bool {
	if name == "" || len(name) > 255 {
		return false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// describeCluster is a cluster as DescribeClusters shows it, with its
// task and service counts.
func (s *Service) describeCluster(c *cluster, withTags bool) *Cluster {
	var running, pending, services int32
	for _, t := range s.tasks {
		if t.Cluster != c.Name {
			continue
		}
		switch deref(t.T.LastStatus) {
		case statusRunning:
			running++
		case statusProvisioning, statusPending, statusActivating:
			pending++
		}
	}
	for _, v := range s.services {
		if v.Cluster == c.Name && deref(v.D.Status) == statusActive {
			services++
		}
	}
	out := &Cluster{ClusterArn: ptr(c.ARN), ClusterName: ptr(c.Name), Status: ptr(c.Status),
		RunningTasksCount: ptr(running), PendingTasksCount: ptr(pending), ActiveServicesCount: ptr(services),
		RegisteredContainerInstancesCount: ptr(int32(0)), Statistics: []KeyValuePair{}, Settings: clone(c.Settings),
		CapacityProviders: append([]string{}, c.CapacityProviders...), DefaultCapacityProviderStrategy: append([]CapacityProviderStrategyItem{}, c.DefaultStrategy...)}
	if out.Settings == nil {
		out.Settings = []ClusterSetting{{Name: ptr(ClusterSettingName("containerInsights")), Value: ptr("disabled")}}
	}
	if withTags {
		out.Tags = clone(c.Tags)
	}
	return out
}

func (s *Service) describeClusters(_ context.Context, in *DescribeClustersRequest) (*DescribeClustersResponse, error) {
	refs := in.Clusters
	if len(refs) == 0 {
		refs = []string{defaultCluster}
	}
	withTags := slices.Contains(in.Include, ClusterField("TAGS"))
	s.mu.Lock()
	defer s.mu.Unlock()
	out := &DescribeClustersResponse{Clusters: []Cluster{}, Failures: []Failure{}}
	for _, ref := range refs {
		c := s.clusters[clusterName(ref)]
		if c == nil {
			out.Failures = append(out.Failures, Failure{Arn: ptr(s.arn("cluster/" + clusterName(ref))), Reason: ptr("MISSING")})
			continue
		}
		out.Clusters = append(out.Clusters, *s.describeCluster(c, withTags))
	}
	return out, nil
}

func (s *Service) listClusters(_ context.Context, in *ListClustersRequest) (*ListClustersResponse, error) {
	s.mu.Lock()
	var arns []string
	for _, c := range s.clusters {
		if c.Status == statusActive {
			arns = append(arns, c.ARN)
		}
	}
	s.mu.Unlock()
	sort.Strings(arns)
	page, next, err := paginate(arns, in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	return &ListClustersResponse{ClusterArns: page, NextToken: next}, nil
}

func (s *Service) deleteCluster(_ context.Context, in *DeleteClusterRequest) (*DeleteClusterResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.activeCluster(deref(in.Cluster), false)
	if err != nil {
		return nil, err
	}
	for _, v := range s.services {
		if v.Cluster == c.Name && deref(v.D.Status) != statusInactive {
			return nil, ErrClusterContainsServices
		}
	}
	for _, t := range s.tasks {
		if t.Cluster == c.Name && deref(t.T.LastStatus) != statusStopped {
			return nil, ErrClusterContainsTasks
		}
	}
	c.Status = statusInactive
	if err := s.put(clusterKey(c.Name), c); err != nil {
		return nil, err
	}
	return &DeleteClusterResponse{Cluster: s.describeCluster(c, false)}, nil
}
