package apigateway

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/store/keys"
)

// Usage plans say which API stages the keys they hold may call, how fast
// (throttle, and per method of a stage, apiStages[].throttle:
// throttling.go) and how much (quota: usage.go).

// usagePlanRecord is a usage plan as the store keeps it, with the ids of
// its keys.
type usagePlanRecord struct {
	ID          string
	Name        string
	Description string `json:",omitempty"`
	APIStages   []ApiStage
	Throttle    *ThrottleSettings `json:",omitempty"`
	Quota       *QuotaSettings    `json:",omitempty"`
	Tags        map[string]string `json:",omitempty"`
	Keys        []string          `json:",omitempty"`
}

func usagePlanRecordKey(account, id string) []byte {
	return keys.AppendString(rootKey("u", account), id)
}

// allows reports whether the plan names the API's stage.
func (p *usagePlanRecord) allows(apiID, stage string) bool {
	for _, as := range p.APIStages {
		if deref(as.ApiId) == apiID && deref(as.Stage) == stage {
			return true
		}
	}
	return false
}

// checkAPIStages checks that a plan's stages exist. The caller holds s.mu.
func (s *Service) checkAPIStages(stages []ApiStage) error {
	for _, as := range stages {
		st, err := s.api(as.ApiId)
		if err != nil {
			return err
		}
		if st.stages[deref(as.Stage)] == nil {
			return badRequest(msgUsagePlanStage, deref(as.ApiId), deref(as.Stage))
		}
	}
	return nil
}

func (s *Service) createUsagePlan(ctx context.Context, in *CreateUsagePlanRequest) (*UsagePlan, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkAPIStages(in.ApiStages); err != nil {
		return nil, err
	}
	if len(in.Tags) > maxTags {
		return nil, badRequest("Too many tags: a resource can have at most %d", maxTags)
	}
	p := &usagePlanRecord{Name: *in.Name, Description: deref(in.Description), APIStages: slices.Clone(in.ApiStages),
		Throttle: in.Throttle, Quota: in.Quota, Tags: maps.Clone(in.Tags)}
	p.ID = s.newID(shortIDLength, func(id string) bool { return s.plans[id] != nil })
	if err := s.putUsagePlan(p); err != nil {
		return nil, err
	}
	return usagePlanOutput(p), nil
}

// putUsagePlan stores p and makes it the plan with its id. The caller
// holds s.mu.
func (s *Service) putUsagePlan(p *usagePlanRecord) error {
	if err := s.commit(func(b store.Batch) error { return putJSON(b, usagePlanRecordKey(s.account, p.ID), p) }); err != nil {
		return err
	}
	s.plans[p.ID] = p
	return nil
}

// plan returns the usage plan with the given id. The caller holds s.mu.
func (s *Service) plan(id string) (*usagePlanRecord, error) {
	p := s.plans[id]
	if p == nil {
		return nil, notFound(msgUsagePlanNotFound)
	}
	return p, nil
}

func (s *Service) getUsagePlan(ctx context.Context, in *GetUsagePlanRequest) (*UsagePlan, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, err := s.plan(*in.UsagePlanId)
	if err != nil {
		return nil, err
	}
	return usagePlanOutput(p), nil
}

func (s *Service) getUsagePlans(ctx context.Context, in *GetUsagePlansRequest) (*UsagePlans, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var all []*usagePlanRecord
	for _, p := range s.plans {
		if in.KeyId == nil || slices.Contains(p.Keys, *in.KeyId) {
			all = append(all, p)
		}
	}
	slices.SortFunc(all, func(x, y *usagePlanRecord) int { return cmp.Compare(x.ID, y.ID) })
	items, next := page(all, func(p *usagePlanRecord) string { return p.ID }, in.Position, in.Limit)
	out := &UsagePlans{Position: next, Items: make([]UsagePlan, 0, len(items))}
	for _, p := range items {
		out.Items = append(out.Items, *usagePlanOutput(p))
	}
	return out, nil
}

func (s *Service) updateUsagePlan(ctx context.Context, in *UpdateUsagePlanRequest) (*UsagePlan, error) {
	patches, err := parsePatches(in.PatchOperations)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old, err := s.plan(*in.UsagePlanId)
	if err != nil {
		return nil, err
	}
	p := *old
	p.APIStages = slices.Clone(old.APIStages)
	for _, pt := range patches {
		if err := s.patchUsagePlan(&p, pt); err != nil {
			return nil, err
		}
	}
	if err := s.putUsagePlan(&p); err != nil {
		return nil, err
	}
	return usagePlanOutput(&p), nil
}

// patchUsagePlan applies one patch operation to a plan: its name and
// description, its stages (add or remove /apiStages with the value
// "API_ID:STAGE"), its throttle and quota settings.
func (s *Service) patchUsagePlan(p *usagePlanRecord, pt patch) error {
	switch {
	case pt.is("apiStages") && (pt.op == "add" || pt.op == "remove"):
		apiID, stage, ok := strings.Cut(pt.str(), ":")
		if !ok {
			return badRequest("Invalid API Stage specified: %s", pt.str())
		}
		as := ApiStage{ApiId: ptr(apiID), Stage: ptr(stage)}
		if pt.op == "add" {
			if err := s.checkAPIStages([]ApiStage{as}); err != nil {
				return err
			}
			if !p.allows(apiID, stage) {
				p.APIStages = append(p.APIStages, as)
			}
			return nil
		}
		p.APIStages = slices.DeleteFunc(p.APIStages, func(x ApiStage) bool { return deref(x.ApiId) == apiID && deref(x.Stage) == stage })
		return nil
	case len(pt.segs) == 6 && pt.segs[0] == "apiStages" && pt.segs[2] == "throttle" &&
		(pt.segs[5] == "rateLimit" || pt.segs[5] == "burstLimit"):
		return patchStageThrottle(p, pt)
	case pt.op == "remove" && (pt.is("throttle") || pt.is("quota")):
		if pt.segs[0] == "throttle" {
			p.Throttle = nil
		} else {
			p.Quota = nil
		}
	case pt.op != "replace":
		return pt.invalid()
	case pt.is("throttle", "rateLimit"):
		v, err := strconv.ParseFloat(pt.str(), 64)
		if err != nil {
			return badRequest("Invalid value specified for %s: %q", pt.path, pt.str())
		}
		p.Throttle = cloneOr(p.Throttle)
		p.Throttle.RateLimit = ptr(v)
	case pt.is("name"):
		p.Name = pt.str()
	case pt.is("description"):
		p.Description = pt.str()
	case pt.is("throttle", "burstLimit"), pt.is("quota", "limit"), pt.is("quota", "offset"):
		n, err := pt.intValue()
		if err != nil {
			return err
		}
		switch pt.segs[0] {
		case "throttle":
			p.Throttle = cloneOr(p.Throttle)
			p.Throttle.BurstLimit = ptr(n)
		default:
			p.Quota = cloneOr(p.Quota)
			if pt.segs[1] == "limit" {
				p.Quota.Limit = ptr(n)
			} else {
				p.Quota.Offset = ptr(n)
			}
		}
	case pt.is("quota", "period"):
		p.Quota = cloneOr(p.Quota)
		p.Quota.Period = ptr(QuotaPeriodType(pt.str()))
	default:
		return pt.invalid()
	}
	return nil
}

// patchStageThrottle sets, or removes, the plan's throttle for one method
// of one of its stages:
// /apiStages/{apiId}:{stage}/throttle/{resourcePath}/{httpMethod}/rateLimit
// (or burstLimit), the resource path's slashes escaped as ~1.
func patchStageThrottle(p *usagePlanRecord, pt patch) error {
	apiID, stage, _ := strings.Cut(pt.segs[1], ":")
	i := slices.IndexFunc(p.APIStages, func(as ApiStage) bool { return deref(as.ApiId) == apiID && deref(as.Stage) == stage })
	if i < 0 {
		return badRequest("Invalid API Stage specified: %s", pt.segs[1])
	}
	method := pt.segs[3] + "/" + pt.segs[4]
	as := p.APIStages[i]
	as.Throttle = maps.Clone(as.Throttle)
	if as.Throttle == nil {
		as.Throttle = map[string]ThrottleSettings{}
	}
	th := as.Throttle[method]
	switch {
	case pt.op == "remove":
		if pt.segs[5] == "rateLimit" {
			th.RateLimit = nil
		} else {
			th.BurstLimit = nil
		}
	case pt.op != "replace" && pt.op != "add":
		return pt.invalid()
	case pt.segs[5] == "rateLimit":
		v, err := strconv.ParseFloat(pt.str(), 64)
		if err != nil {
			return badRequest("Invalid value specified for %s: %q", pt.path, pt.str())
		}
		th.RateLimit = ptr(v)
	default:
		n, err := pt.intValue()
		if err != nil {
			return err
		}
		th.BurstLimit = ptr(n)
	}
	if th.RateLimit == nil && th.BurstLimit == nil {
		delete(as.Throttle, method)
	} else {
		as.Throttle[method] = th
	}
	p.APIStages[i] = as
	return nil
}

// cloneOr is a copy of *v, or a new T when v is nil.
func cloneOr[T any](v *T) *T {
	out := new(T)
	if v != nil {
		*out = *v
	}
	return out
}

func (s *Service) deleteUsagePlan(ctx context.Context, in *DeleteUsagePlanRequest) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.plan(*in.UsagePlanId); err != nil {
		return nil, err
	}
	err := s.commit(func(b store.Batch) error {
		b.Delete(usagePlanRecordKey(s.account, *in.UsagePlanId))
		s.forgetUsage(b, *in.UsagePlanId)
		return nil
	})
	if err != nil {
		return nil, err
	}
	delete(s.plans, *in.UsagePlanId)
	return nil, nil
}

// usagePlanOutput is a plan as GetUsagePlan answers it.
func usagePlanOutput(p *usagePlanRecord) *UsagePlan {
	out := &UsagePlan{Id: ptr(p.ID), Name: ptr(p.Name), Description: optional(p.Description),
		ApiStages: slices.Clone(p.APIStages), Throttle: p.Throttle, Quota: p.Quota, Tags: maps.Clone(p.Tags)}
	if out.ApiStages == nil {
		out.ApiStages = []ApiStage{}
	}
	return out
}

func (s *Service) createUsagePlanKey(ctx context.Context, in *CreateUsagePlanKeyRequest) (*UsagePlanKey, error) {
	if *in.KeyType != "API_KEY" {
		return nil, badRequest("Invalid key type specified: %s", *in.KeyType)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old, err := s.plan(*in.UsagePlanId)
	if err != nil {
		return nil, err
	}
	k := s.keys[*in.KeyId]
	if k == nil {
		return nil, notFound(msgAPIKeyNotFound)
	}
	if slices.Contains(old.Keys, k.ID) {
		return nil, ErrConflict.WithMessage(msgUsagePlanKeyExists)
	}
	p := *old
	p.Keys = append(slices.Clone(old.Keys), k.ID)
	if err := s.putUsagePlan(&p); err != nil {
		return nil, err
	}
	return usagePlanKeyOutput(k), nil
}

func (s *Service) getUsagePlanKey(ctx context.Context, in *GetUsagePlanKeyRequest) (*UsagePlanKey, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, err := s.plan(*in.UsagePlanId)
	if err != nil {
		return nil, err
	}
	k := s.keys[*in.KeyId]
	if k == nil || !slices.Contains(p.Keys, k.ID) {
		return nil, notFound(msgUsagePlanKeyNotFound)
	}
	return usagePlanKeyOutput(k), nil
}

func (s *Service) getUsagePlanKeys(ctx context.Context, in *GetUsagePlanKeysRequest) (*UsagePlanKeys, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, err := s.plan(*in.UsagePlanId)
	if err != nil {
		return nil, err
	}
	var all []*apiKeyRecord
	for _, id := range p.Keys {
		if k := s.keys[id]; k != nil && (in.NameQuery == nil || strings.HasPrefix(k.Name, *in.NameQuery)) {
			all = append(all, k)
		}
	}
	slices.SortFunc(all, func(x, y *apiKeyRecord) int { return cmp.Compare(x.ID, y.ID) })
	items, next := page(all, func(k *apiKeyRecord) string { return k.ID }, in.Position, in.Limit)
	out := &UsagePlanKeys{Position: next, Items: make([]UsagePlanKey, 0, len(items))}
	for _, k := range items {
		out.Items = append(out.Items, *usagePlanKeyOutput(k))
	}
	return out, nil
}

func (s *Service) deleteUsagePlanKey(ctx context.Context, in *DeleteUsagePlanKeyRequest) (*noOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, err := s.plan(*in.UsagePlanId)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(old.Keys, *in.KeyId) {
		return nil, notFound(msgUsagePlanKeyNotFound)
	}
	p := *old
	p.Keys = slices.DeleteFunc(slices.Clone(old.Keys), func(id string) bool { return id == *in.KeyId })
	return nil, s.putUsagePlan(&p)
}

// usagePlanKeyOutput is a plan's key as GetUsagePlanKey answers it,
// value included.
func usagePlanKeyOutput(k *apiKeyRecord) *UsagePlanKey {
	return &UsagePlanKey{Id: ptr(k.ID), Type: ptr("API_KEY"), Value: ptr(k.Value), Name: ptr(k.Name)}
}
