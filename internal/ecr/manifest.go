package ecr

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
)

// Manifest media types the registry accepts: Docker's image manifest
// v2 schema 2 and manifest list, and OCI's image manifest and index.
const (
	mediaDockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
	mediaDockerList     = "application/vnd.docker.distribution.manifest.list.v2+json"
	mediaOCIManifest    = "application/vnd.oci.image.manifest.v1+json"
	mediaOCIIndex       = "application/vnd.oci.image.index.v1+json"
)

// maxManifestBytes is the largest manifest, PutImage's imageManifest
// limit in ECR's API model (4 MiB).
const maxManifestBytes = 4 << 20

// descriptor is what a manifest says of a blob or a manifest it names.
type descriptor struct {
	MediaType string `json:"mediaType"`
	Size      int64  `json:"size"`
	Digest    string `json:"digest"`
}

// parsedManifest is what the registry keeps of a manifest: its type, the
// blobs an image manifest needs, or the manifests an index names.
type parsedManifest struct {
	MediaType string
	Config    *descriptor
	Layers    []descriptor
	Manifests []descriptor
	// ArtifactType is the config's media type (or an OCI manifest's
	// artifactType), which DescribeImages reports as artifactMediaType.
	ArtifactType string
}

// errManifestInvalid is a manifest that is not one of the accepted
// kinds, or contradicts the media type it was sent with.
var errManifestInvalid = errors.New("manifest invalid")

// parseManifest reads a manifest sent with contentType (empty when the
// sender named none: then the manifest's own mediaType decides, and an
// OCI manifest or index without one is told by its members).
func parseManifest(raw []byte, contentType string) (*parsedManifest, error) {
	if len(raw) == 0 || len(raw) > maxManifestBytes {
		return nil, errManifestInvalid
	}
	var doc struct {
		SchemaVersion *int          `json:"schemaVersion"`
		MediaType     string        `json:"mediaType"`
		ArtifactType  string        `json:"artifactType"`
		Config        *descriptor   `json:"config"`
		Layers        *[]descriptor `json:"layers"`
		Manifests     *[]descriptor `json:"manifests"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, errManifestInvalid
	}
	if doc.SchemaVersion == nil || *doc.SchemaVersion != 2 {
		return nil, errManifestInvalid
	}
	contentType, _, _ = strings.Cut(contentType, ";")
	contentType = strings.TrimSpace(contentType)
	mt := doc.MediaType
	switch {
	case mt != "" && contentType != "" && mt != contentType:
		return nil, errManifestInvalid
	case mt == "":
		mt = contentType
	}
	if mt == "" {
		switch {
		case doc.Config != nil:
			mt = mediaOCIManifest
		case doc.Manifests != nil:
			mt = mediaOCIIndex
		}
	}
	p := &parsedManifest{MediaType: mt}
	switch mt {
	case mediaDockerManifest, mediaOCIManifest:
		if doc.Config == nil || doc.Manifests != nil {
			return nil, errManifestInvalid
		}
		p.Config = doc.Config
		if doc.Layers != nil {
			p.Layers = *doc.Layers
		}
		if mt == mediaDockerManifest && len(p.Layers) == 0 {
			return nil, errManifestInvalid
		}
		for _, d := range append([]descriptor{*p.Config}, p.Layers...) {
			if !validDigest(d.Digest) || d.Size < 0 {
				return nil, errManifestInvalid
			}
		}
		p.ArtifactType = doc.ArtifactType
		if p.ArtifactType == "" {
			p.ArtifactType = p.Config.MediaType
		}
	case mediaDockerList, mediaOCIIndex:
		if doc.Manifests == nil || doc.Config != nil {
			return nil, errManifestInvalid
		}
		p.Manifests = *doc.Manifests
		for _, d := range p.Manifests {
			if !validDigest(d.Digest) || d.Size < 0 {
				return nil, errManifestInvalid
			}
		}
	default:
		return nil, errManifestInvalid
	}
	return p, nil
}

// declaresMediaType reports whether a manifest names its own media
// type (a top-level mediaType member).
func declaresMediaType(raw []byte) bool {
	var doc struct {
		MediaType string `json:"mediaType"`
	}
	return json.Unmarshal(raw, &doc) == nil && doc.MediaType != ""
}

// layerSize is the sum of an image manifest's layer sizes, which
// DescribeImages reports as imageSizeInBytes.
func (p *parsedManifest) layerSize() int64 {
	var n int64
	for _, l := range p.Layers {
		n += l.Size
	}
	return n
}

// digestOf is the sha256 digest of b, as registries write it.
func digestOf(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

var (
	// tagPattern is the OCI distribution spec's tag grammar: at most 128
	// characters.
	tagPattern = regexp.MustCompile(`^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$`)
	// digestPattern: ECR stores sha256 digests only.
	digestPattern = regexp.MustCompile(`^sha256:[a-f0-9]{64}$`)
	// repoPattern is RepositoryName's pattern in ECR's API model, whose
	// length is 2 to 256.
	repoPattern = regexp.MustCompile(`^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$`)
)

func validTag(t string) bool { return tagPattern.MatchString(t) }

func validDigest(d string) bool { return digestPattern.MatchString(d) }

func validRepoName(n string) bool {
	return len(n) >= 2 && len(n) <= 256 && repoPattern.MatchString(n)
}

// registryPath is a registry request's path, /v2/NAME/KIND/REF, taken
// apart. Kind is "manifests", "blobs", "uploads" (blobs/uploads/, Ref
// the upload id or empty) or "tags" (tags/list); the API's root, /v2/,
// is Kind "".
type registryPath struct {
	Name, Kind, Ref string
}

// parseRegistryPath splits a path under /v2/. Repository names contain
// slashes, so the kind is found from the right.
func parseRegistryPath(path string) (registryPath, bool) {
	rest, ok := strings.CutPrefix(path, "/v2/")
	if !ok {
		if path == "/v2" {
			return registryPath{}, true
		}
		return registryPath{}, false
	}
	if rest == "" {
		return registryPath{}, true
	}
	if rest == "_catalog" {
		return registryPath{Kind: "catalog"}, true
	}
	if name, ok := strings.CutSuffix(rest, "/tags/list"); ok && name != "" {
		return registryPath{Name: name, Kind: "tags"}, true
	}
	if i := strings.LastIndex(rest, "/blobs/uploads/"); i > 0 {
		ref := rest[i+len("/blobs/uploads/"):]
		if strings.Contains(ref, "/") {
			return registryPath{}, false
		}
		return registryPath{Name: rest[:i], Kind: "uploads", Ref: ref}, true
	}
	if name, ok := strings.CutSuffix(rest, "/blobs/uploads"); ok && name != "" {
		return registryPath{Name: name, Kind: "uploads"}, true
	}
	for _, kind := range []string{"manifests", "blobs"} {
		if i := strings.LastIndex(rest, "/"+kind+"/"); i > 0 {
			ref := rest[i+len(kind)+2:]
			if ref == "" || strings.Contains(ref, "/") {
				return registryPath{}, false
			}
			return registryPath{Name: rest[:i], Kind: kind, Ref: ref}, true
		}
	}
	return registryPath{}, false
}

// RegistryPath reports whether a path is one of the registry's: /v2/,
// or a manifest, blob, upload or tag list route under it. The edge sends
// unsigned requests on such paths to the registry.
func RegistryPath(path string) bool {
	p, ok := parseRegistryPath(path)
	return ok && (p.Kind == "" || p.Kind == "catalog" || p.Name != "")
}
