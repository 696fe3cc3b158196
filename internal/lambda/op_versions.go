package lambda

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
)

// newVersion publishes fn's $LATEST as its next version and returns it;
// fn is the caller's copy, whose LastVersion it advances. description
// replaces $LATEST's when given.
func (s *Service) newVersion(fn *function, description *string) *version {
	fn.LastVersion++
	n := fn.LastVersion
	name := strconv.FormatInt(n, 10)
	cfg := copyConfig(&fn.Latest.Config)
	cfg.Version = ptr(name)
	cfg.FunctionArn = ptr(s.qualifiedARN(fn.Name, name))
	cfg.RevisionId = ptr(s.ids.UUID())
	cfg.LastModified = ptr(lambdaTime(s.clock.Now()))
	if description != nil {
		cfg.Description = description
	}
	return &version{Config: cfg, Number: n, Code: fn.Latest.Code, Layers: fn.Latest.Layers, Image: fn.Latest.Image, Published: fingerprint(fn.Latest)}
}

// fingerprint identifies $LATEST's code and configuration, without what
// changes with every update (revision, time), so that PublishVersion can
// tell whether anything changed since the last version.
func fingerprint(v *version) string {
	c := copyConfig(&v.Config)
	c.RevisionId, c.LastModified = nil, nil
	b, _ := json.Marshal(struct {
		C FunctionConfiguration
		H string
	}{c, v.Code.Hex})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// publishVersion snapshots $LATEST as a new version, unless the latest
// published version already has its code and configuration, which is
// then returned, as Lambda does.
func (s *Service) publishVersion(ctx context.Context, in *PublishVersionRequest) (*FunctionConfiguration, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn, err := s.latestForUpdate(*in.FunctionName, in.RevisionId)
	if err != nil {
		return nil, err
	}
	if in.CodeSha256 != nil && *in.CodeSha256 != deref(fn.Latest.Config.CodeSha256) {
		return nil, invalidParameter("CodeSHA256 (%s) is different from current CodeSHA256 in $LATEST (%s). Please try again with the CodeSHA256 in $LATEST.",
			*in.CodeSha256, deref(fn.Latest.Config.CodeSha256))
	}
	if n := len(fn.Versions); n > 0 && fn.Versions[n-1].Published == fingerprint(fn.Latest) {
		cfg := copyConfig(&fn.Versions[n-1].Config)
		return &cfg, nil
	}
	fn = fn.clone()
	v := s.newVersion(fn, in.Description)
	fn.Versions = append(fn.Versions, v)
	w := s.newWrites()
	w.putVersion(fn.Name, v)
	// Publishing gives $LATEST a new revision too, as Lambda does.
	s.bumpRevision(fn, w, "")
	w.putMeta(fn)
	if err := s.commitFunction(w, fn); err != nil {
		return nil, err
	}
	cfg := copyConfig(&v.Config)
	return &cfg, nil
}

// listVersionsByFunction lists $LATEST and the published versions.
func (s *Service) listVersionsByFunction(ctx context.Context, in *ListVersionsByFunctionRequest) (*ListVersionsByFunctionResponse, error) {
	t, err := s.parseTarget(*in.FunctionName, nil)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	fn := s.functions[t.Name]
	s.mu.RUnlock()
	if fn == nil {
		return nil, functionNotFound(s.functionARN(t.Name))
	}
	versions := append([]*version{fn.Latest}, fn.Versions...)
	page, next, err := paginate(versions, func(v *version) string { return versionSortKey(v.Number) }, in.Marker, capItems(in.MaxItems, maxListItems), defaultListItems)
	if err != nil {
		return nil, err
	}
	out := &ListVersionsByFunctionResponse{Versions: []FunctionConfiguration{}, NextMarker: next}
	for _, v := range page {
		cfg := listedConfig(&v.Config)
		if v.Number == 0 {
			cfg.FunctionArn = ptr(s.qualifiedARN(fn.Name, latest))
		}
		out.Versions = append(out.Versions, cfg)
	}
	return out, nil
}

// deleteFunction deletes a function with everything it has, or, with a
// version number as qualifier, one published version that no alias
// uses.
func (s *Service) deleteFunction(ctx context.Context, in *DeleteFunctionRequest) (*noOutput, error) {
	t, err := s.parseTarget(*in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	fn := s.functions[t.Name]
	if fn == nil {
		// Lambda names the function, whatever the qualifier.
		return nil, functionNotFound(s.functionARN(t.Name))
	}
	switch q := t.Qualifier; {
	case q == "":
		return nil, s.deleteWholeFunction(fn)
	case q == latest:
		return nil, invalidParameter("$LATEST version cannot be deleted without deleting the function.")
	case !isVersionNumber(q):
		return nil, invalidParameter("Deletion of aliases is not supported by DeleteFunction; use DeleteAlias to delete alias %s.", s.arn(t))
	}
	v := fn.versionNamed(t.Qualifier)
	if v == nil {
		return nil, functionNotFound(s.arn(t))
	}
	var users []string
	for _, name := range sortedKeys(fn.Aliases) {
		a := fn.Aliases[name]
		_, routed := a.RoutingConfig.weights()[t.Qualifier]
		if *a.FunctionVersion == t.Qualifier || routed {
			users = append(users, name)
		}
	}
	if len(users) > 0 {
		return nil, ErrResourceConflict.Withf("Unable to delete version because the following aliases reference it: %v", users)
	}
	fn = fn.clone()
	for i, x := range fn.Versions {
		if x == v {
			fn.Versions = append(fn.Versions[:i], fn.Versions[i+1:]...)
			break
		}
	}
	delete(fn.Policies, t.Qualifier)
	delete(fn.Provisioned, t.Qualifier)
	w := s.newWrites()
	w.del(versionKey(fn.Name, v.Number))
	w.del(policyKey(fn.Name, t.Qualifier))
	w.del(provisionedKey(fn.Name, t.Qualifier))
	if err := s.commitFunction(w, fn, append([]codeRef{v.Code}, v.Layers...)...); err != nil {
		return nil, err
	}
	s.retireVersion(s.arn(t))
	return nil, nil
}

// deleteWholeFunction deletes fn, its versions, aliases, policies and
// queued invocations, and stops its environments. It runs under s.mu.
func (s *Service) deleteWholeFunction(fn *function) error {
	w := s.newWrites()
	w.delPrefix(functionKey(fn.Name))
	w.delPrefix(functionQueueKey(fn.Name))
	delete(s.functions, fn.Name)
	released := []codeRef{}
	for _, v := range append([]*version{fn.Latest}, fn.Versions...) {
		released = append(released, v.Code)
		released = append(released, v.Layers...)
	}
	gone := s.collectCode(w, released...)
	if err := w.commit(); err != nil {
		s.functions[fn.Name] = fn
		return err
	}
	s.tally()
	s.removeExtracted(gone)
	s.retireFunction(fn.Name)
	return nil
}

// weights returns an alias's additional version weights (nil-safe).
func (r *AliasRoutingConfiguration) weights() map[string]float64 {
	if r == nil {
		return nil
	}
	return r.AdditionalVersionWeights
}
