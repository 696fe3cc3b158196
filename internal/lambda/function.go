package lambda

import (
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"time"
)

// function is everything Lambda knows about one function: its
// unpublished version, its published versions and aliases, and what
// belongs to the function as a whole. Values are replaced, never changed
// in place (see clone), so that readers need not hold Service.mu.
type function struct {
	Name   string
	Latest *version
	// Versions are the published versions, in ascending order.
	Versions []*version
	// LastVersion is the highest version number ever published; numbers
	// are not reused after a version is deleted.
	LastVersion int64
	Aliases     map[string]*AliasConfiguration
	// Reserved is the function's reserved concurrency, if set.
	Reserved *int32
	// RecursiveLoop is the recursive loop detection setting: "Allow", or
	// empty for Terminate, Lambda's default (recursion.go).
	RecursiveLoop string
	Tags          map[string]string
	// Policies are the resource-based policies, by qualifier ("" for the
	// unqualified function).
	Policies map[string]*policy
	// EventInvokeConfigs are the asynchronous invocation settings, by
	// qualifier ($LATEST for the unqualified function).
	EventInvokeConfigs map[string]*FunctionEventInvokeConfig
	// URLs are the function URLs, by qualifier ("" for the unqualified
	// function).
	URLs map[string]*urlConfig
	// Provisioned are the provisioned concurrency configurations, by
	// qualifier (a version number or an alias).
	Provisioned map[string]*provisionedConfig
}

// version is one version of a function: $LATEST (Number 0) or a
// published one.
type version struct {
	// Config is the configuration as GetFunctionConfiguration reports it
	// once the function is Active.
	Config FunctionConfiguration
	Number int64
	// Code is the deployment package; Layers the layers' packages, in the
	// order of Config.Layers, less the AWS-published layers virga
	// provides itself (awslayers.go), which have none; those virga builds
	// have a codeRef with AWSLayer set.
	Code   codeRef
	Layers []codeRef
	// Image is a container image function's image (PackageType Image),
	// which has no Code or Layers.
	Image *imageCode `json:",omitempty"`
	// Published is, for a published version, the fingerprint of the
	// $LATEST it was published from (see fingerprint).
	Published string `json:",omitempty"`
}

// codeRef is a stored deployment package or layer archive.
type codeRef struct {
	// Hex is the archive's SHA-256 in hex: its key in the store and the
	// name of its extracted directory.
	Hex string
	// Size is the archive's size and Unzipped its extracted size, in
	// bytes.
	Size     int64
	Unzipped int64
	// AWSLayer is, for the content of an AWS-published layer that virga
	// builds (awslayers.go), the layer version's ARN, and Hex is empty:
	// the content is not in the store but in the build cache, and is
	// built again if the cache lacks it. Size is then the content's size.
	AWSLayer string `json:",omitempty"`
}

// policy is a resource-based policy: its statements, as rendered JSON in
// the order they were added. Its revision is that of the version or alias
// it belongs to (see targetRevision); RevisionID records the one its last
// change gave them.
type policy struct {
	Statements []json.RawMessage
	RevisionID string
}

// clone returns a copy of f whose slices and maps may be changed without
// touching f's.
func (f *function) clone() *function {
	c := *f
	c.Versions = slices.Clone(f.Versions)
	c.Aliases = maps.Clone(f.Aliases)
	c.Tags = maps.Clone(f.Tags)
	c.Policies = maps.Clone(f.Policies)
	c.EventInvokeConfigs = maps.Clone(f.EventInvokeConfigs)
	c.URLs = maps.Clone(f.URLs)
	c.Provisioned = maps.Clone(f.Provisioned)
	if c.Provisioned == nil {
		c.Provisioned = map[string]*provisionedConfig{}
	}
	if c.Aliases == nil {
		c.Aliases = map[string]*AliasConfiguration{}
	}
	if c.Policies == nil {
		c.Policies = map[string]*policy{}
	}
	return &c
}

// versionNamed returns the version with the given name ($LATEST or a
// number), or nil.
func (f *function) versionNamed(name string) *version {
	if name == latest {
		return f.Latest
	}
	n, err := strconv.ParseInt(name, 10, 64)
	if err != nil {
		return nil
	}
	i, found := slices.BinarySearchFunc(f.Versions, n, func(v *version, n int64) int { return compareInt(v.Number, n) })
	if !found {
		return nil
	}
	return f.Versions[i]
}

// versionName is the name of a version: "$LATEST" or its number.
func (v *version) name() string { return *v.Config.Version }

// totalUnzipped is what the version's code and layers take unzipped.
func (v *version) totalUnzipped() int64 {
	n := v.Code.Unzipped
	for _, l := range v.Layers {
		n += l.Unzipped
	}
	return n
}

func compareInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// lambdaTime formats t as Lambda's timestamps read:
// 2024-03-04T05:06:07.890+0000.
func lambdaTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000-0700")
}

// copyConfig returns a deep enough copy of c that its pointers may be
// replaced without touching c (members are replaced, never written
// through).
func copyConfig(c *FunctionConfiguration) FunctionConfiguration {
	out := *c
	out.Layers = slices.Clone(c.Layers)
	out.Architectures = slices.Clone(c.Architectures)
	out.FileSystemConfigs = slices.Clone(c.FileSystemConfigs)
	return out
}

func ptr[T any](v T) *T { return &v }

func deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}
