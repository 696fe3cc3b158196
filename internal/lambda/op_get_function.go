package lambda

import (
	"cmp"
	"context"
	"encoding/base64"
	"strings"
)

// lookup finds the function and version a read operation names: the
// function alone means $LATEST; an alias means the version it points to.
// The configuration it returns carries the ARN the request used.
func (s *Service) lookup(t target) (*function, *version, *FunctionConfiguration, error) {
	s.mu.RLock()
	fn := s.functions[t.Name]
	s.mu.RUnlock()
	if fn == nil {
		return nil, nil, nil, functionNotFound(s.arn(t))
	}
	var v *version
	switch q := t.Qualifier; {
	case q == "" || q == latest || isVersionNumber(q):
		v = fn.versionNamed(cmp.Or(q, latest))
	default:
		if a := fn.Aliases[q]; a != nil {
			v = fn.versionNamed(*a.FunctionVersion)
		}
	}
	if v == nil {
		return nil, nil, nil, functionNotFound(s.arn(t))
	}
	cfg := copyConfig(&v.Config)
	cfg.FunctionArn = ptr(s.arn(t))
	return fn, v, &cfg, nil
}

// getFunction returns a version's configuration, a link to download its
// deployment package, and the function's tags and reserved concurrency.
func (s *Service) getFunction(ctx context.Context, in *GetFunctionRequest) (*GetFunctionResponse, error) {
	t, err := s.parseTarget(*in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	fn, v, cfg, err := s.lookup(t)
	if err != nil {
		return nil, err
	}
	out := &GetFunctionResponse{
		Configuration: cfg,
		Code:          &FunctionCodeLocation{RepositoryType: ptr("S3"), Location: ptr(s.codeURL(ctx, v.Code.Hex))},
		Tags:          copyTags(fn.Tags),
	}
	if v.Image != nil {
		// An image function's code is its image: ImageUri as given and
		// ResolvedImageUri, the digest it runs.
		out.Code = &FunctionCodeLocation{RepositoryType: ptr("ECR"), ImageUri: ptr(v.Image.URI), ResolvedImageUri: ptr(v.Image.resolved())}
	}
	if fn.Reserved != nil {
		out.Concurrency = &Concurrency{ReservedConcurrentExecutions: fn.Reserved}
	}
	return out, nil
}

// getFunctionConfiguration returns a version's configuration.
func (s *Service) getFunctionConfiguration(ctx context.Context, in *GetFunctionConfigurationRequest) (*FunctionConfiguration, error) {
	t, err := s.parseTarget(*in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	_, _, cfg, err := s.lookup(t)
	return cfg, err
}

// listFunctions lists functions by name, their $LATEST versions or, with
// FunctionVersion ALL, every version.
func (s *Service) listFunctions(ctx context.Context, in *ListFunctionsRequest) (*ListFunctionsResponse, error) {
	s.mu.RLock()
	fns := make([]*function, 0, len(s.functions))
	for _, name := range sortedKeys(s.functions) {
		fns = append(fns, s.functions[name])
	}
	s.mu.RUnlock()
	type item struct {
		key string
		cfg *FunctionConfiguration
	}
	var items []item
	for _, fn := range fns {
		versions := []*version{fn.Latest}
		if deref(in.FunctionVersion) == "ALL" {
			versions = append(versions, fn.Versions...)
		}
		for _, v := range versions {
			cfg := listedConfig(&v.Config)
			if v.Number == 0 && deref(in.FunctionVersion) == "ALL" {
				// Listed beside its versions, $LATEST is named by its
				// qualified ARN, as ListVersionsByFunction names it.
				cfg.FunctionArn = ptr(s.qualifiedARN(fn.Name, latest))
			}
			items = append(items, item{key: fn.Name + "\x00" + versionSortKey(v.Number), cfg: &cfg})
		}
	}
	page, next, err := paginate(items, func(i item) string { return i.key }, in.Marker, capItems(in.MaxItems, maxListItems), defaultListItems)
	if err != nil {
		return nil, err
	}
	out := &ListFunctionsResponse{Functions: []FunctionConfiguration{}, NextMarker: next}
	for _, i := range page {
		out.Functions = append(out.Functions, *i.cfg)
	}
	return out, nil
}

// listedConfig is a version's configuration as ListFunctions shows it:
// "a subset of the FunctionConfiguration fields", without the state
// fields (State, StateReason, StateReasonCode, LastUpdateStatus,
// LastUpdateStatusReason, LastUpdateStatusReasonCode) and
// RuntimeVersionConfig, which only GetFunction and
// GetFunctionConfiguration report.
func listedConfig(c *FunctionConfiguration) FunctionConfiguration {
	cfg := copyConfig(c)
	cfg.RuntimeVersionConfig = nil
	cfg.State, cfg.StateReason, cfg.StateReasonCode = nil, nil, nil
	cfg.LastUpdateStatus, cfg.LastUpdateStatusReason, cfg.LastUpdateStatusReasonCode = nil, nil, nil
	return cfg
}

// capItems bounds a request's MaxItems by what the operation returns in
// one response at most, whatever the caller asks for.
func capItems(maxItems *int32, limit int32) *int32 {
	if maxItems != nil && *maxItems > limit {
		return &limit
	}
	return maxItems
}

// versionSortKey orders versions by number as strings.
func versionSortKey(n int64) string {
	const digits = 20
	s := []byte(strings.Repeat("0", digits))
	for i := digits - 1; n > 0; i-- {
		s[i] = byte('0' + n%10)
		n /= 10
	}
	return string(s)
}

// paginate returns the items after the marker (the key of the last item
// of the previous page, base64-encoded), at most maxItems of them (def
// when not given), and the marker of the next page if there is one.
// items are in key order.
func paginate[T any](items []T, key func(T) string, marker *string, maxItems *int32, def int) ([]T, *string, error) {
	start := 0
	if marker != nil && *marker != "" {
		after, err := base64.RawURLEncoding.DecodeString(*marker)
		if err != nil {
			return nil, nil, invalidParameter("Invalid pagination token %s", *marker)
		}
		for start < len(items) && key(items[start]) <= string(after) {
			start++
		}
	}
	n := def
	if maxItems != nil {
		n = int(*maxItems)
	}
	end := min(start+n, len(items))
	page := items[start:end]
	var next *string
	if end < len(items) && end > start {
		next = ptr(base64.RawURLEncoding.EncodeToString([]byte(key(items[end-1]))))
	}
	return page, next, nil
}
