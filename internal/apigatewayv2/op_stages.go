package apigatewayv2

import (
	"context"
	"maps"
	"regexp"
	"slices"
	"strings"
)

var (
	// stageName is what a stage may be called: $default, or letters,
	// digits, hyphens and underscores.
	stageName = regexp.MustCompile(`^(\$default|[A-Za-z0-9_-]{1,128})$`)
	// stageVariableName and stageVariableValue are the characters stage
	// variables may use, as API Gateway documents them.
	stageVariableName  = regexp.MustCompile(`^[A-Za-z0-9_]{1,64}$`)
	stageVariableValue = regexp.MustCompile(`^[A-Za-z0-9\-._~:/?#&=,]{0,512}$`)
)

func (s *Service) createStage(ctx context.Context, in *CreateStageRequest) (*CreateStageResponse, error) {
	name := *in.StageName
	if !stageName.MatchString(name) {
		return nil, badRequest("Invalid stage name %q: use $default, or up to 128 letters, digits, hyphens and underscores.", name)
	}
	if err := checkStageVariables(in.StageVariables); err != nil {
		return nil, err
	}
	a, err := s.updateStages(*in.ApiId, name, func(a *apiRecord) (bool, error) {
		if a.Stages[name] != nil {
			return false, ErrConflict.WithMessage("Stage already exists")
		}
		if err := checkRouteSettings(a, in.RouteSettings); err != nil {
			return false, err
		}
		now := s.now()
		st := &stageRecord{Name: name, Description: deref(in.Description, ""), AutoDeploy: deref(in.AutoDeploy, false),
			Variables: in.StageVariables, AccessLog: in.AccessLogSettings, DefaultRouteSettings: in.DefaultRouteSettings,
			RouteSettings: in.RouteSettings, ClientCertificateID: deref(in.ClientCertificateId, ""),
			Created: now, Updated: now, Tags: in.Tags}
		if st.Variables == nil {
			st.Variables = map[string]string{}
		}
		if id := deref(in.DeploymentId, ""); id != "" {
			if a.Deployments[id] == nil {
				return false, deploymentNotFound(id)
			}
			s.pointStage(st, id)
		}
		a.Stages[name] = st
		return st.AutoDeploy, nil
	})
	if err != nil {
		return nil, err
	}
	out := CreateStageResponse(stageShape(a.Stages[name]))
	return &out, nil
}

// updateStages runs a change to an API's stages; when fn reports it, its
// stage gets a deployment of the API's configuration, as a stage does
// when it is created with AutoDeploy or gains it.
func (s *Service) updateStages(apiID, name string, fn func(a *apiRecord) (deploy bool, err error)) (*apiRecord, error) {
	return s.change(apiID, func(a *apiRecord) ([]*stageRecord, error) {
		deploy, err := fn(a)
		if err != nil || !deploy {
			return nil, err
		}
		return []*stageRecord{a.Stages[name]}, nil
	})
}

func checkStageVariables(vars map[string]string) error {
	for k, v := range vars {
		if !stageVariableName.MatchString(k) {
			return badRequest("Invalid stage variable name %q: stage variable names are alphanumeric and underscores.", k)
		}
		if !stageVariableValue.MatchString(v) {
			return badRequest("Invalid stage variable value %q for %s: values are letters, digits and -._~:/?#&=, only.", v, k)
		}
	}
	return nil
}

// checkRouteSettings checks that each key of a stage's RouteSettings is
// the key of one of the API's routes, which API Gateway requires: a
// setting for a route that does not exist (say, one since deleted) is
// NotFoundException.
func checkRouteSettings(a *apiRecord, settings map[string]RouteSettings) error {
	for _, key := range slices.Sorted(maps.Keys(settings)) {
		if routeBySettingsKey(a, key) == nil {
			return ErrNotFound.Withf("Unable to find Route by key %s within the provided RouteSettings", key)
		}
	}
	return nil
}

// routeBySettingsKey is the route a RouteSettings key names, or nil.
func routeBySettingsKey(a *apiRecord, key string) *routeRecord {
	if a.ProtocolType == protocolWebSocket {
		return routeByKey(a, key)
	}
	k, err := parseRouteKey(key)
	if err != nil {
		return nil
	}
	return routeByKey(a, k.String())
}

func (s *Service) getStage(ctx context.Context, in *GetStageRequest) (*GetStageResponse, error) {
	a, err := s.get(*in.ApiId)
	if err != nil {
		return nil, err
	}
	st := a.Stages[*in.StageName]
	if st == nil {
		return nil, stageNotFound(*in.StageName)
	}
	out := GetStageResponse(stageShape(st))
	return &out, nil
}

func (s *Service) getStages(ctx context.Context, in *GetStagesRequest) (*GetStagesResponse, error) {
	a, err := s.get(*in.ApiId)
	if err != nil {
		return nil, err
	}
	all := slices.SortedFunc(maps.Values(a.Stages), func(x, y *stageRecord) int { return strings.Compare(x.Name, y.Name) })
	items, next, err := page(all, in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &GetStagesResponse{Items: make([]Stage, 0, len(items)), NextToken: next}
	for _, st := range items {
		out.Items = append(out.Items, stageShape(st))
	}
	return out, nil
}

func (s *Service) updateStage(ctx context.Context, in *UpdateStageRequest) (*UpdateStageResponse, error) {
	if err := checkStageVariables(in.StageVariables); err != nil {
		return nil, err
	}
	name := *in.StageName
	a, err := s.updateStages(*in.ApiId, name, func(a *apiRecord) (bool, error) {
		st := a.Stages[name]
		if st == nil {
			return false, stageNotFound(name)
		}
		wasAuto := st.AutoDeploy
		setIf(&st.Description, in.Description)
		setIf(&st.AutoDeploy, in.AutoDeploy)
		setIf(&st.ClientCertificateID, in.ClientCertificateId)
		if in.StageVariables != nil {
			st.Variables = in.StageVariables
		}
		if in.AccessLogSettings != nil {
			st.AccessLog = in.AccessLogSettings
		}
		if in.DefaultRouteSettings != nil {
			st.DefaultRouteSettings = in.DefaultRouteSettings
		}
		if in.RouteSettings != nil {
			if err := checkRouteSettings(a, in.RouteSettings); err != nil {
				return false, err
			}
			st.RouteSettings = in.RouteSettings
		}
		if id := deref(in.DeploymentId, ""); id != "" {
			if a.Deployments[id] == nil {
				return false, deploymentNotFound(id)
			}
			s.pointStage(st, id)
		}
		st.Updated = s.now()
		return st.AutoDeploy && !wasAuto, nil
	})
	if err != nil {
		return nil, err
	}
	out := UpdateStageResponse(stageShape(a.Stages[name]))
	return &out, nil
}

func (s *Service) deleteStage(ctx context.Context, in *DeleteStageRequest) (*noOutput, error) {
	_, err := s.update(*in.ApiId, false, func(a *apiRecord) error {
		if a.Stages[*in.StageName] == nil {
			return stageNotFound(*in.StageName)
		}
		delete(a.Stages, *in.StageName)
		return nil
	})
	if err == nil {
		s.authCache.resetStage(*in.ApiId, *in.StageName)
	}
	return nil, err
}

// deleteAccessLogSettings turns a stage's access logging off.
func (s *Service) deleteAccessLogSettings(ctx context.Context, in *DeleteAccessLogSettingsRequest) (*noOutput, error) {
	name := *in.StageName
	_, err := s.updateStages(*in.ApiId, name, func(a *apiRecord) (bool, error) {
		st := a.Stages[name]
		if st == nil {
			return false, stageNotFound(name)
		}
		st.AccessLog = nil
		st.Updated = s.now()
		return false, nil
	})
	return nil, err
}

// deleteRouteSettings removes a stage's settings for one route, which
// is how a setting outlives its route's deletion no longer.
func (s *Service) deleteRouteSettings(ctx context.Context, in *DeleteRouteSettingsRequest) (*noOutput, error) {
	name, key := *in.StageName, *in.RouteKey
	_, err := s.updateStages(*in.ApiId, name, func(a *apiRecord) (bool, error) {
		st := a.Stages[name]
		if st == nil {
			return false, stageNotFound(name)
		}
		if _, ok := st.RouteSettings[key]; !ok {
			return false, ErrNotFound.Withf("Unable to find Route by key %s within the provided RouteSettings", key)
		}
		delete(st.RouteSettings, key)
		st.Updated = s.now()
		return false, nil
	})
	return nil, err
}

func (s *Service) resetAuthorizersCache(ctx context.Context, in *ResetAuthorizersCacheRequest) (*noOutput, error) {
	a, err := s.get(*in.ApiId)
	if err != nil {
		return nil, err
	}
	if a.Stages[*in.StageName] == nil {
		return nil, stageNotFound(*in.StageName)
	}
	s.authCache.resetStage(*in.ApiId, *in.StageName)
	return nil, nil
}

// stageShape renders a stage as the operations return it.
func stageShape(st *stageRecord) Stage {
	drs := st.DefaultRouteSettings
	if drs == nil {
		drs = &RouteSettings{DetailedMetricsEnabled: ptr(false)}
	}
	return Stage{
		AccessLogSettings:           st.AccessLog,
		ApiGatewayManaged:           ptrIf(st.Managed),
		AutoDeploy:                  ptr(st.AutoDeploy),
		ClientCertificateId:         ptrNonEmpty(st.ClientCertificateID),
		CreatedDate:                 ptr(st.Created),
		DefaultRouteSettings:        drs,
		DeploymentId:                ptrNonEmpty(st.DeploymentID),
		Description:                 ptrNonEmpty(st.Description),
		LastDeploymentStatusMessage: ptrNonEmpty(st.LastDeploymentStatus),
		LastUpdatedDate:             ptr(st.Updated),
		RouteSettings:               nonNilMap(st.RouteSettings),
		StageName:                   ptr(st.Name),
		StageVariables:              nonNilMap(st.Variables),
		Tags:                        tagsOut(st.Tags),
	}
}

func (s *Service) createDeployment(ctx context.Context, in *CreateDeploymentRequest) (*CreateDeploymentResponse, error) {
	var d *deploymentRecord
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.apis[*in.ApiId]
	if old == nil {
		return nil, s.apiNotFound(*in.ApiId)
	}
	a, err := old.clone()
	if err != nil {
		return nil, err
	}
	var st *stageRecord
	if name := deref(in.StageName, ""); name != "" {
		if st = a.Stages[name]; st == nil {
			return nil, stageNotFound(name)
		}
	}
	if len(a.Routes) == 0 {
		return nil, badRequest("Unable to deploy API because no routes exist in this API")
	}
	d = s.newDeployment(a, deref(in.Description, ""), false)
	if st != nil {
		s.pointStage(st, d.ID)
	}
	if err := s.commit(a, map[string]*snapshot{d.ID: a.snapshot()}, nil); err != nil {
		return nil, err
	}
	out := CreateDeploymentResponse(deploymentShape(d))
	return &out, nil
}

func (s *Service) getDeployment(ctx context.Context, in *GetDeploymentRequest) (*GetDeploymentResponse, error) {
	a, err := s.get(*in.ApiId)
	if err != nil {
		return nil, err
	}
	d := a.Deployments[*in.DeploymentId]
	if d == nil {
		return nil, deploymentNotFound(*in.DeploymentId)
	}
	out := GetDeploymentResponse(deploymentShape(d))
	return &out, nil
}

func (s *Service) getDeployments(ctx context.Context, in *GetDeploymentsRequest) (*GetDeploymentsResponse, error) {
	a, err := s.get(*in.ApiId)
	if err != nil {
		return nil, err
	}
	all := slices.SortedFunc(maps.Values(a.Deployments), func(x, y *deploymentRecord) int {
		if c := x.Created.Compare(y.Created); c != 0 {
			return c
		}
		return strings.Compare(x.ID, y.ID)
	})
	items, next, err := page(all, in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &GetDeploymentsResponse{Items: make([]Deployment, 0, len(items)), NextToken: next}
	for _, d := range items {
		out.Items = append(out.Items, deploymentShape(d))
	}
	return out, nil
}

func (s *Service) updateDeployment(ctx context.Context, in *UpdateDeploymentRequest) (*UpdateDeploymentResponse, error) {
	var d *deploymentRecord
	_, err := s.update(*in.ApiId, false, func(a *apiRecord) error {
		if d = a.Deployments[*in.DeploymentId]; d == nil {
			return deploymentNotFound(*in.DeploymentId)
		}
		setIf(&d.Description, in.Description)
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := UpdateDeploymentResponse(deploymentShape(d))
	return &out, nil
}

func (s *Service) deleteDeployment(ctx context.Context, in *DeleteDeploymentRequest) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.apis[*in.ApiId]
	if old == nil {
		return nil, s.apiNotFound(*in.ApiId)
	}
	id := *in.DeploymentId
	if old.Deployments[id] == nil {
		return nil, deploymentNotFound(id)
	}
	for _, st := range old.Stages {
		if st.DeploymentID == id {
			return nil, badRequest("Active stages pointing to this deployment must be moved or deleted")
		}
	}
	a, err := old.clone()
	if err != nil {
		return nil, err
	}
	delete(a.Deployments, id)
	return nil, s.commit(a, nil, []string{id})
}

// deploymentShape renders a deployment as the operations return it.
func deploymentShape(d *deploymentRecord) Deployment {
	status := DeploymentStatus("DEPLOYED")
	return Deployment{
		AutoDeployed:     ptr(d.AutoDeployed),
		CreatedDate:      ptr(d.Created),
		DeploymentId:     ptr(d.ID),
		DeploymentStatus: &status,
		Description:      ptrNonEmpty(d.Description),
	}
}
