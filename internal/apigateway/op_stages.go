package apigateway

import (
	"cmp"
	"context"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/virga/virga/internal/store"
)

// stageNamePattern is what a stage may be called: AWS allows letters,
// digits, hyphens and underscores, up to 128 characters.
var stageNamePattern = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,128}$`)

func checkStageName(name string) error {
	if !stageNamePattern.MatchString(name) {
		return badRequest(msgInvalidStageName)
	}
	return nil
}

func (s *Service) createStage(ctx context.Context, in *CreateStageRequest) (*Stage, error) {
	if err := checkStageName(*in.StageName); err != nil {
		return nil, err
	}
	if len(in.Tags) > maxTags {
		return nil, badRequest("Too many tags: a resource can have at most %d", maxTags)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.api(in.RestApiId)
	if err != nil {
		return nil, err
	}
	if st.stages[*in.StageName] != nil {
		return nil, ErrConflict.WithMessage(msgStageExists)
	}
	if st.deployments[*in.DeploymentId] == nil {
		return nil, notFound(msgDeploymentNotFound)
	}
	now := s.clock.Now().UTC().Truncate(time.Second)
	g := &stage{
		Name:                 *in.StageName,
		DeploymentID:         *in.DeploymentId,
		Description:          deref(in.Description),
		Variables:            maps.Clone(in.Variables),
		DocumentationVersion: deref(in.DocumentationVersion),
		Tags:                 maps.Clone(in.Tags),
		Created:              now,
		Updated:              now,
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
	if err := s.putStage(st, g); err != nil {
		return nil, err
	}
	return stageOutput(g), nil
}

// putStage commits a stage and makes it the API's. The caller holds s.mu.
func (s *Service) putStage(st *apiState, g *stage) error {
	err := s.commit(func(b store.Batch) error { return putJSON(b, stageKey(s.account, st.def.ID, g.Name), g) })
	if err != nil {
		return err
	}
	st.stages[g.Name] = g
	return nil
}

func (s *Service) getStage(ctx context.Context, in *GetStageRequest) (*Stage, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	st, err := s.api(in.RestApiId)
	if err != nil {
		return nil, err
	}
	g := st.stages[*in.StageName]
	if g == nil {
		return nil, notFound(msgStageNotFound)
	}
	return stageOutput(g), nil
}

func (s *Service) getStages(ctx context.Context, in *GetStagesRequest) (*Stages, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	st, err := s.api(in.RestApiId)
	if err != nil {
		return nil, err
	}
	all := slices.SortedFunc(maps.Values(st.stages), func(x, y *stage) int { return cmp.Compare(x.Name, y.Name) })
	out := &Stages{Item: []Stage{}}
	for _, g := range all {
		if in.DeploymentId == nil || g.DeploymentID == *in.DeploymentId {
			out.Item = append(out.Item, *stageOutput(g))
		}
	}
	return out, nil
}

func (s *Service) updateStage(ctx context.Context, in *UpdateStageRequest) (*Stage, error) {
	patches, err := parsePatches(in.PatchOperations)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.api(in.RestApiId)
	if err != nil {
		return nil, err
	}
	old := st.stages[*in.StageName]
	if old == nil {
		return nil, notFound(msgStageNotFound)
	}
	g := *old
	g.Variables = maps.Clone(old.Variables)
	g.MethodSettings = maps.Clone(old.MethodSettings)
	for _, p := range patches {
		if err := patchStage(st, &g, p); err != nil {
			return nil, err
		}
	}
	g.Updated = s.clock.Now().UTC().Truncate(time.Second)
	if err := s.putStage(st, &g); err != nil {
		return nil, err
	}
	return stageOutput(&g), nil
}

// patchStage applies one patch operation to a stage.
func patchStage(st *apiState, g *stage, p patch) error {
	if name, ok := p.under("variables"); ok {
		return applyMapPatch(&g.Variables, p, name)
	}
	if last := p.segs[len(p.segs)-1]; p.op == "remove" && len(p.segs) >= 2 && (last == "*" || slices.Contains(httpMethods, last)) {
		return removeMethodSetting(g, p)
	}
	if len(p.segs) >= 3 && !slices.Contains([]string{"accessLogSettings", "canarySettings"}, p.segs[0]) {
		return patchMethodSetting(g, p)
	}
	if p.op == "remove" && p.is("accessLogSettings") {
		g.AccessLog = nil
		return nil
	}
	if p.op != "replace" {
		if !stagePaths[p.path] {
			return errStagePath(p)
		}
		return p.invalid()
	}
	switch {
	case p.is("deploymentId"):
		if st.deployments[p.str()] == nil {
			return badRequest("Deployment id does not exist")
		}
		g.DeploymentID = p.str()
	case p.is("description"):
		g.Description = p.str()
	case p.is("documentationVersion"):
		g.DocumentationVersion = p.str()
	case p.is("clientCertificateId"):
		g.ClientCertificateID = p.str()
	case p.is("cacheClusterSize"):
		g.CacheClusterSize = p.str()
	case p.is("accessLogSettings", "destinationArn"), p.is("accessLogSettings", "format"):
		// The settings are replaced, never changed: the data plane
		// may be reading the old ones.
		next := AccessLogSettings{}
		if g.AccessLog != nil {
			next = *g.AccessLog
		}
		if p.segs[1] == "format" {
			next.Format = ptr(p.str())
		} else {
			next.DestinationArn = ptr(p.str())
		}
		g.AccessLog = &next
	case p.is("cacheClusterEnabled"), p.is("tracingEnabled"):
		v, err := p.boolValue()
		if err != nil {
			return err
		}
		if p.segs[0] == "tracingEnabled" {
			g.TracingEnabled = v
		} else {
			g.CacheClusterEnabled = v
		}
	default:
		return errStagePath(p)
	}
	return nil
}

// stagePaths are the stage's own members UpdateStage patches (method
// settings and variables aside).
var stagePaths = map[string]bool{"/deploymentId": true, "/description": true, "/cacheClusterEnabled": true,
	"/cacheClusterSize": true, "/clientCertificateId": true, "/accessLogSettings": true,
	"/accessLogSettings/destinationArn": true, "/accessLogSettings/format": true, "/tracingEnabled": true,
	"/documentationVersion": true}

// stagePathList is the list of paths UpdateStage accepts, as AWS's
// message words it (some entries run together, as AWS prints them).
const stagePathList = "[/deploymentId, /description, /cacheClusterEnabled, /cacheClusterSize, /clientCertificateId, " +
	"/accessLogSettings, /accessLogSettings/destinationArn, /accessLogSettings/format, " +
	"/{resourcePath}/{httpMethod}/metrics/enabled, /{resourcePath}/{httpMethod}/logging/dataTrace, " +
	"/{resourcePath}/{httpMethod}/logging/loglevel, /{resourcePath}/{httpMethod}/throttling/burstLimit" +
	"/{resourcePath}/{httpMethod}/throttling/rateLimit/{resourcePath}/{httpMethod}/caching/ttlInSeconds, " +
	"/{resourcePath}/{httpMethod}/caching/enabled, /{resourcePath}/{httpMethod}/caching/dataEncrypted, " +
	"/{resourcePath}/{httpMethod}/caching/requireAuthorizationForCacheControl, " +
	"/{resourcePath}/{httpMethod}/caching/unauthorizedCacheControlHeaderStrategy, /*/*/metrics/enabled, " +
	"/*/*/logging/dataTrace, /*/*/logging/loglevel, /*/*/throttling/burstLimit /*/*/throttling/rateLimit " +
	"/*/*/caching/ttlInSeconds, /*/*/caching/enabled, /*/*/caching/dataEncrypted, " +
	"/*/*/caching/requireAuthorizationForCacheControl, /*/*/caching/unauthorizedCacheControlHeaderStrategy, " +
	"/variables/{variable_name}, /tracingEnabled]"

// errStagePath is UpdateStage's answer to a path it has no member at.
func errStagePath(p patch) error {
	return badRequest("Invalid method setting path: %s. Must be one of: %s", p.path, stagePathList)
}

// A method setting's key is its method path as the patch path writes
// it, without the leading slash and the setting's two segments, the
// resource path's slashes escaped as "~1" as API Gateway documents it:
// "/~1pets~1{id}/GET/logging/loglevel" is keyed "~1pets~1{id}/GET", the
// root's "/~1/GET/..." is "~1/GET", "/*/*/..." is "*/*". API Gateway
// keeps the key as written, so "/pets/GET/..." is keyed "pets/GET"; the
// data plane matches a method whichever way its key was written
// (methodSettingFor).

// methodSettingMethod is the resource path ("/pets/{id}", "/" for the
// root, "*" for every one) and the method a method setting's key names.
func methodSettingMethod(key string) (resourcePath, verb string) {
	path, verb, ok := cutLast(key, "/")
	if !ok {
		return "", key
	}
	if path == "*" {
		return path, verb
	}
	path = strings.NewReplacer("~1", "/", "~0", "~").Replace(path)
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	return path, verb
}

// cutLast slices s around the last instance of sep.
func cutLast(s, sep string) (before, after string, found bool) {
	if i := strings.LastIndex(s, sep); i >= 0 {
		return s[:i], s[i+len(sep):], true
	}
	return s, "", false
}

// methodSettingFor is the setting a stage's method settings hold for one
// method (its resource path and verb, or "*" and "*" for the stage's
// default), whichever way its key was written.
func methodSettingFor(settings map[string]MethodSetting, resourcePath, verb string) (MethodSetting, bool) {
	for k, ms := range settings {
		if p, v := methodSettingMethod(k); p == resourcePath && v == verb {
			return ms, true
		}
	}
	return MethodSetting{}, false
}

// removeMethodSetting removes the settings of the method path a patch
// names ("/~1pets/GET", "/*/*").
func removeMethodSetting(g *stage, p patch) error {
	key := strings.TrimPrefix(p.path, "/")
	path, verb := methodSettingMethod(key)
	removed := false
	for k := range g.MethodSettings {
		if kp, kv := methodSettingMethod(k); kp == path && kv == verb {
			delete(g.MethodSettings, k)
			removed = true
		}
	}
	if !removed {
		return badRequest("Cannot remove method setting %s because there is no method setting for this method", key)
	}
	return nil
}

// patchMethodSetting records a method setting
// ("/{resourcePath}/{httpMethod}/throttling/burstLimit", "/*/*/...")
// under the key its patch path writes.
func patchMethodSetting(g *stage, p patch) error {
	n := len(p.segs)
	key, _, _ := cutLast(strings.TrimPrefix(p.path, "/"), "/")
	key, _, _ = cutLast(key, "/")
	setting := p.segs[n-2] + "/" + p.segs[n-1]
	if p.op != "replace" {
		return p.invalid()
	}
	if g.MethodSettings == nil {
		g.MethodSettings = map[string]MethodSetting{}
	}
	ms := g.MethodSettings[key]
	var err error
	boolean := func(dst **bool) {
		var v bool
		if v, err = p.boolValue(); err == nil {
			*dst = &v
		}
	}
	integer := func(dst **int32) {
		var v int32
		if v, err = p.intValue(); err == nil {
			*dst = &v
		}
	}
	switch setting {
	case "metrics/enabled":
		boolean(&ms.MetricsEnabled)
	case "logging/dataTrace":
		boolean(&ms.DataTraceEnabled)
	case "logging/loglevel":
		ms.LoggingLevel = ptr(p.str())
	case "throttling/burstLimit":
		integer(&ms.ThrottlingBurstLimit)
	case "throttling/rateLimit":
		v, e := strconv.ParseFloat(p.str(), 64)
		if e != nil {
			return badRequest("Invalid value specified for %s: %q", p.path, p.str())
		}
		ms.ThrottlingRateLimit = &v
	case "caching/enabled":
		boolean(&ms.CachingEnabled)
	case "caching/ttlInSeconds":
		integer(&ms.CacheTtlInSeconds)
	case "caching/dataEncrypted":
		boolean(&ms.CacheDataEncrypted)
	case "caching/requireAuthorizationForCacheControl":
		boolean(&ms.RequireAuthorizationForCacheControl)
	case "caching/unauthorizedCacheControlHeaderStrategy":
		ms.UnauthorizedCacheControlHeaderStrategy = ptr(UnauthorizedCacheControlHeaderStrategy(p.str()))
	default:
		return errStagePath(p)
	}
	if err != nil {
		return err
	}
	g.MethodSettings[key] = ms
	return nil
}

func (s *Service) deleteStage(ctx context.Context, in *DeleteStageRequest) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.api(in.RestApiId)
	if err != nil {
		return nil, err
	}
	g := st.stages[*in.StageName]
	if g == nil {
		return nil, notFound(msgStageNotFound)
	}
	err = s.commit(func(b store.Batch) error {
		b.Delete(stageKey(s.account, st.def.ID, g.Name))
		return nil
	})
	if err != nil {
		return nil, err
	}
	delete(st.stages, g.Name)
	return nil, nil
}

// A method setting's defaults, which GetStage shows for what the
// setting leaves unset: the account-level throttling quota (10,000
// requests a second, bursts of 5,000) and the caching defaults (a
// 300-second TTL, authorization required for Cache-Control, answered with
// a header when missing).
const (
	defaultThrottlingBurstLimit = 5000
	defaultThrottlingRateLimit  = 10000
	defaultCacheTTLSeconds      = 300
)

// methodSettingOutput is a method setting as GetStage answers it: every
// field, those left unset at their defaults, but for the logging level,
// shown only once set.
func methodSettingOutput(ms MethodSetting) MethodSetting {
	or := func(p *bool, v bool) *bool {
		if p == nil {
			return &v
		}
		return p
	}
	ms.MetricsEnabled = or(ms.MetricsEnabled, false)
	ms.DataTraceEnabled = or(ms.DataTraceEnabled, false)
	ms.CachingEnabled = or(ms.CachingEnabled, false)
	ms.CacheDataEncrypted = or(ms.CacheDataEncrypted, false)
	ms.RequireAuthorizationForCacheControl = or(ms.RequireAuthorizationForCacheControl, true)
	if ms.ThrottlingBurstLimit == nil {
		ms.ThrottlingBurstLimit = ptr(int32(defaultThrottlingBurstLimit))
	}
	if ms.ThrottlingRateLimit == nil {
		ms.ThrottlingRateLimit = ptr(float64(defaultThrottlingRateLimit))
	}
	if ms.CacheTtlInSeconds == nil {
		ms.CacheTtlInSeconds = ptr(int32(defaultCacheTTLSeconds))
	}
	if ms.UnauthorizedCacheControlHeaderStrategy == nil {
		ms.UnauthorizedCacheControlHeaderStrategy = ptr(UnauthorizedCacheControlHeaderStrategy("SUCCEED_WITH_RESPONSE_HEADER"))
	}
	return ms
}

// stageOutput is a stage as GetStage answers it.
func stageOutput(g *stage) *Stage {
	out := &Stage{
		DeploymentId:         ptr(g.DeploymentID),
		StageName:            ptr(g.Name),
		Description:          optional(g.Description),
		ClientCertificateId:  optional(g.ClientCertificateID),
		CacheClusterEnabled:  ptr(g.CacheClusterEnabled),
		CacheClusterStatus:   ptr(CacheClusterStatus("NOT_AVAILABLE")),
		MethodSettings:       map[string]MethodSetting{},
		Variables:            maps.Clone(g.Variables),
		DocumentationVersion: optional(g.DocumentationVersion),
		TracingEnabled:       ptr(g.TracingEnabled),
		Tags:                 maps.Clone(g.Tags),
		CreatedDate:          ptr(g.Created),
		LastUpdatedDate:      ptr(g.Updated),
	}
	for k, ms := range g.MethodSettings {
		out.MethodSettings[k] = methodSettingOutput(ms)
	}
	if g.CacheClusterSize != "" {
		out.CacheClusterSize = ptr(CacheClusterSize(g.CacheClusterSize))
	}
	if g.AccessLog != nil {
		al := *g.AccessLog
		out.AccessLogSettings = &al
	}
	return out
}
