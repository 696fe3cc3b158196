package apigateway

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/virga/virga/internal/store"
)

// checkDeployable reports why an API's definition cannot be deployed.
func checkDeployable(a *restAPI) error {
	if !a.hasMethods() {
		return badRequest(msgNoMethods)
	}
	for _, r := range a.Resources {
		for _, m := range r.Methods {
			if m.Integration == nil {
				return badRequest(msgNoIntegration)
			}
		}
	}
	return nil
}

func (s *Service) createDeployment(ctx context.Context, in *CreateDeploymentRequest) (*Deployment, error) {
	if in.StageName != nil {
		if err := checkStageName(*in.StageName); err != nil {
			return nil, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.api(in.RestApiId)
	if err != nil {
		return nil, err
	}
	if err := checkDeployable(st.def); err != nil {
		return nil, err
	}
	now := s.clock.Now().UTC().Truncate(time.Second)
	d := &deployment{
		ID:          s.newID(shortIDLength, func(id string) bool { return st.deployments[id] != nil }),
		Description: deref(in.Description),
		Created:     now,
		API:         st.def.clone(),
	}
	d.compile()
	var g *stage
	if in.StageName != nil {
		if old := st.stages[*in.StageName]; old != nil {
			c := *old
			g = &c
		} else {
			g = &stage{Name: *in.StageName, Description: deref(in.StageDescription), Created: now}
		}
		g.DeploymentID, g.Updated = d.ID, now
		if in.Variables != nil {
			g.Variables = maps.Clone(in.Variables)
		}
		if in.CacheClusterEnabled != nil {
			g.CacheClusterEnabled = *in.CacheClusterEnabled
		}
		if in.CacheClusterSize != nil {
			g.CacheClusterSize = string(*in.CacheClusterSize)
		}
		if in.TracingEnabled != nil {
			g.TracingEnabled = *in.TracingEnabled
		}
	}
	id := st.def.ID
	err = s.commit(func(b store.Batch) error {
		if err := putJSON(b, deploymentKey(s.account, id, d.ID), d); err != nil {
			return err
		}
		if g != nil {
			return putJSON(b, stageKey(s.account, id, g.Name), g)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	st.deployments[d.ID] = d
	if g != nil {
		st.stages[g.Name] = g
	}
	return deploymentOutput(d, false), nil
}

func (s *Service) getDeployment(ctx context.Context, in *GetDeploymentRequest) (*Deployment, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	st, err := s.api(in.RestApiId)
	if err != nil {
		return nil, err
	}
	d := st.deployments[*in.DeploymentId]
	if d == nil {
		return nil, notFound(msgDeploymentNotFound)
	}
	embed := slices.ContainsFunc(in.Embed, func(e string) bool { return strings.EqualFold(e, "apisummary") })
	return deploymentOutput(d, embed), nil
}

func (s *Service) getDeployments(ctx context.Context, in *GetDeploymentsRequest) (*Deployments, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	st, err := s.api(in.RestApiId)
	if err != nil {
		return nil, err
	}
	all := slices.SortedFunc(maps.Values(st.deployments), func(x, y *deployment) int { return cmp.Compare(x.ID, y.ID) })
	items, next := page(all, func(d *deployment) string { return d.ID }, in.Position, in.Limit)
	out := &Deployments{Position: next, Items: make([]Deployment, 0, len(items))}
	for _, d := range items {
		out.Items = append(out.Items, *deploymentOutput(d, false))
	}
	return out, nil
}

func (s *Service) deleteDeployment(ctx context.Context, in *DeleteDeploymentRequest) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.api(in.RestApiId)
	if err != nil {
		return nil, err
	}
	d := st.deployments[*in.DeploymentId]
	if d == nil {
		return nil, notFound(msgDeploymentNotFound)
	}
	for _, g := range st.stages {
		if g.DeploymentID == d.ID {
			return nil, badRequest(msgDeploymentInUse)
		}
	}
	err = s.commit(func(b store.Batch) error {
		b.Delete(deploymentKey(s.account, st.def.ID, d.ID))
		return nil
	})
	if err != nil {
		return nil, err
	}
	delete(st.deployments, d.ID)
	return nil, nil
}

// deploymentOutput is a deployment as GetDeployment answers it; with the
// summary, every method's authorization type by path and verb.
func deploymentOutput(d *deployment, summary bool) *Deployment {
	out := &Deployment{Id: ptr(d.ID), Description: optional(d.Description), CreatedDate: ptr(d.Created)}
	if summary {
		out.ApiSummary = map[string]map[string]MethodSnapshot{}
		for _, r := range d.API.Resources {
			if len(r.Methods) == 0 {
				continue
			}
			ms := map[string]MethodSnapshot{}
			for name, m := range r.Methods {
				ms[name] = MethodSnapshot{AuthorizationType: ptr(m.AuthorizationType), ApiKeyRequired: ptr(m.APIKeyRequired)}
			}
			out.ApiSummary[d.API.path(r)] = ms
		}
	}
	return out
}
