package lambda

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
)

// layer is a layer's versions. Values are replaced, never changed in
// place.
type layer struct {
	Name string
	// LastVersion is the highest version number ever published.
	LastVersion int64
	// Versions are the versions not deleted, in ascending order.
	Versions []*layerVersion
}

// layerVersion is one published version of a layer.
type layerVersion struct {
	Number                  int64
	Description             string
	LicenseInfo             *string
	CreatedDate             string
	CompatibleRuntimes      []Runtime
	CompatibleArchitectures []Architecture
	Code                    codeRef
	CodeSha256              string
	// Policy is the version's resource-based policy, if it has one; its
	// RevisionID is the policy's own revision.
	Policy *policy `json:",omitempty"`
}

func (l *layer) version(n int64) *layerVersion {
	i, found := slices.BinarySearchFunc(l.Versions, n, func(v *layerVersion, n int64) int { return compareInt(v.Number, n) })
	if !found {
		return nil
	}
	return l.Versions[i]
}

func (s *Service) layerVersionARN(name string, n int64) string {
	return s.layerARN(name) + ":" + strconv.FormatInt(n, 10)
}

// matches reports whether the version suits the ListLayers and
// ListLayerVersions filters.
func (v *layerVersion) matches(runtime *Runtime, arch *Architecture) bool {
	if runtime != nil && !slices.Contains(v.CompatibleRuntimes, *runtime) {
		return false
	}
	if arch != nil && !slices.Contains(v.CompatibleArchitectures, *arch) {
		return false
	}
	return true
}

// publishLayerVersion makes a new version of a layer (and the layer, the
// first time) from a zip archive, extracted as function code is.
func (s *Service) publishLayerVersion(ctx context.Context, in *PublishLayerVersionRequest) (*PublishLayerVersionResponse, error) {
	name, ok := s.parseLayerName(*in.LayerName)
	if !ok {
		return nil, invalidParameter("Invalid layer name: %s", *in.LayerName)
	}
	c := in.Content
	zip, err := s.zipSource(ctx, c.ZipFile, s3Code{c.S3Bucket, c.S3Key, c.S3ObjectVersion}, nil)
	if err != nil {
		return nil, err
	}
	code, sha, err := s.packageCode(zip, len(c.ZipFile) > 0)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	l := &layer{Name: name}
	if cur := s.layers[name]; cur != nil {
		l = &layer{Name: name, LastVersion: cur.LastVersion, Versions: slices.Clone(cur.Versions)}
	}
	l.LastVersion++
	v := &layerVersion{
		Number:                  l.LastVersion,
		Description:             deref(in.Description),
		LicenseInfo:             in.LicenseInfo,
		CreatedDate:             lambdaTime(s.clock.Now()),
		CompatibleRuntimes:      in.CompatibleRuntimes,
		CompatibleArchitectures: in.CompatibleArchitectures,
		Code:                    code,
		CodeSha256:              sha,
	}
	l.Versions = append(l.Versions, v)
	w := s.newWrites()
	if err := s.putCode(w, code, zip); err != nil {
		s.removeExtracted(s.unusedCode(code))
		return nil, err
	}
	w.put(layerMetaKey(name), layerMeta{LastVersion: l.LastVersion})
	w.put(layerVersionKey(name, v.Number), v)
	if err := w.commit(); err != nil {
		s.removeExtracted(s.unusedCode(code))
		return nil, err
	}
	s.layers[name] = l
	out := s.layerVersionOutput(ctx, name, v)
	return &PublishLayerVersionResponse{
		Content: out.Content, LayerArn: out.LayerArn, LayerVersionArn: out.LayerVersionArn,
		Description: out.Description, CreatedDate: out.CreatedDate, Version: out.Version,
		CompatibleRuntimes: out.CompatibleRuntimes, LicenseInfo: out.LicenseInfo,
		CompatibleArchitectures: out.CompatibleArchitectures,
	}, nil
}

func (s *Service) layerVersionOutput(ctx context.Context, name string, v *layerVersion) *GetLayerVersionResponse {
	return &GetLayerVersionResponse{
		Content: &LayerVersionContentOutput{
			Location:   ptr(s.codeURL(ctx, v.Code.Hex)),
			CodeSha256: ptr(v.CodeSha256),
			CodeSize:   ptr(v.Code.Size),
		},
		LayerArn:        ptr(s.layerARN(name)),
		LayerVersionArn: ptr(s.layerVersionARN(name, v.Number)),
		Description:     ptr(v.Description),
		CreatedDate:     ptr(v.CreatedDate),
		Version:         ptr(v.Number),
		// Lambda answers [] for lists the layer was published without.
		CompatibleRuntimes:      orEmpty(v.CompatibleRuntimes),
		LicenseInfo:             v.LicenseInfo,
		CompatibleArchitectures: orEmpty(v.CompatibleArchitectures),
	}
}

// orEmpty is s, or an empty (not nil) slice, which is encoded as [].
func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// findLayerVersion returns a layer version, or ResourceNotFoundException.
func (s *Service) findLayerVersion(name string, n int64) (*layerVersion, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if l := s.layers[name]; l != nil {
		if v := l.version(n); v != nil {
			return v, nil
		}
	}
	return nil, ErrResourceNotFound
}

// getLayerVersion describes a layer version, with a link to download it.
func (s *Service) getLayerVersion(ctx context.Context, in *GetLayerVersionRequest) (*GetLayerVersionResponse, error) {
	if *in.VersionNumber < 1 {
		return nil, errLayerVersionBelowOne
	}
	if arn := fmt.Sprintf("%s:%d", *in.LayerName, *in.VersionNumber); s.awsLayer(arn) == builtLayer {
		return s.awsLayerVersionOutput(ctx, arn)
	}
	name, ok := s.parseLayerName(*in.LayerName)
	if !ok {
		return nil, ErrResourceNotFound
	}
	v, err := s.findLayerVersion(name, *in.VersionNumber)
	if err != nil {
		return nil, err
	}
	return s.layerVersionOutput(ctx, name, v), nil
}

// errLayerVersionBelowOne is Lambda's answer to a layer version number
// of 0 or less, which the model does not bound.
var errLayerVersionBelowOne = invalidParameter("Layer Version Cannot be less than 1")

// getLayerVersionByArn is GetLayerVersion with the version's ARN.
func (s *Service) getLayerVersionByArn(ctx context.Context, in *GetLayerVersionByArnRequest) (*GetLayerVersionResponse, error) {
	if s.awsLayer(*in.Arn) == builtLayer {
		return s.awsLayerVersionOutput(ctx, *in.Arn)
	}
	name, n, ok := s.parseLayerVersionARN(*in.Arn)
	if !ok {
		return nil, ErrResourceNotFound
	}
	v, err := s.findLayerVersion(name, n)
	if err != nil {
		return nil, err
	}
	return s.layerVersionOutput(ctx, name, v), nil
}

func listItem(s *Service, name string, v *layerVersion) *LayerVersionsListItem {
	return &LayerVersionsListItem{
		LayerVersionArn: ptr(s.layerVersionARN(name, v.Number)),
		Version:         ptr(v.Number),
		Description:     ptr(v.Description),
		CreatedDate:     ptr(v.CreatedDate),
		// Lambda answers [] for lists the layer was published without.
		CompatibleRuntimes:      orEmpty(v.CompatibleRuntimes),
		LicenseInfo:             v.LicenseInfo,
		CompatibleArchitectures: orEmpty(v.CompatibleArchitectures),
	}
}

// listLayers lists layers by name, each with its latest version that
// suits the filters; layers with none are left out.
func (s *Service) listLayers(ctx context.Context, in *ListLayersRequest) (*ListLayersResponse, error) {
	s.mu.RLock()
	var items []LayersListItem
	for _, name := range sortedKeys(s.layers) {
		l := s.layers[name]
		for i := len(l.Versions) - 1; i >= 0; i-- {
			if v := l.Versions[i]; v.matches(in.CompatibleRuntime, in.CompatibleArchitecture) {
				items = append(items, LayersListItem{LayerName: ptr(name), LayerArn: ptr(s.layerARN(name)), LatestMatchingVersion: listItem(s, name, v)})
				break
			}
		}
	}
	s.mu.RUnlock()
	page, next, err := paginate(items, func(i LayersListItem) string { return *i.LayerName }, in.Marker, in.MaxItems, defaultListItems)
	if err != nil {
		return nil, err
	}
	return &ListLayersResponse{Layers: append([]LayersListItem{}, page...), NextMarker: next}, nil
}

// listLayerVersions lists a layer's versions that suit the filters,
// newest first.
func (s *Service) listLayerVersions(ctx context.Context, in *ListLayerVersionsRequest) (*ListLayerVersionsResponse, error) {
	name, ok := s.parseLayerName(*in.LayerName)
	var items []LayerVersionsListItem
	s.mu.RLock()
	if l := s.layers[name]; ok && l != nil {
		for i := len(l.Versions) - 1; i >= 0; i-- {
			if v := l.Versions[i]; v.matches(in.CompatibleRuntime, in.CompatibleArchitecture) {
				items = append(items, *listItem(s, name, v))
			}
		}
	}
	s.mu.RUnlock()
	page, next, err := paginate(items, func(i LayerVersionsListItem) string { return versionSortKey(math.MaxInt64 - *i.Version) },
		in.Marker, in.MaxItems, defaultListItems)
	if err != nil {
		return nil, err
	}
	return &ListLayerVersionsResponse{LayerVersions: append([]LayerVersionsListItem{}, page...), NextMarker: next}, nil
}

// deleteLayerVersion deletes a layer version. Functions that use it keep
// their copy, as on AWS; deleting a version that does not exist
// succeeds.
func (s *Service) deleteLayerVersion(ctx context.Context, in *DeleteLayerVersionRequest) (*noOutput, error) {
	if *in.VersionNumber < 1 {
		return nil, errLayerVersionBelowOne
	}
	name, ok := s.parseLayerName(*in.LayerName)
	if !ok {
		return nil, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.layers[name]
	if cur == nil || cur.version(*in.VersionNumber) == nil {
		return nil, nil
	}
	l := &layer{Name: name, LastVersion: cur.LastVersion}
	var gone *layerVersion
	for _, v := range cur.Versions {
		if v.Number == *in.VersionNumber {
			gone = v
			continue
		}
		l.Versions = append(l.Versions, v)
	}
	s.layers[name] = l
	w := s.newWrites()
	w.del(layerVersionKey(name, gone.Number))
	removed := s.collectCode(w, gone.Code)
	if err := w.commit(); err != nil {
		s.layers[name] = cur
		return nil, err
	}
	s.removeExtracted(removed)
	return nil, nil
}
