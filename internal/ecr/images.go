package ecr

import (
	"fmt"
	"slices"
	"strings"
)

// errInvalidManifest is how ECR refuses a manifest it cannot read.
var errInvalidManifest = ErrInvalidParameter.WithMessage("Invalid parameter at 'ImageManifest' failed to satisfy constraint: 'Invalid JSON syntax'")

// pushed is what pushManifest did.
type pushed struct {
	image *image
	// existed: the manifest was already there, under the same tag if one
	// was given (PutImage answers ImageAlreadyExistsException; the
	// registry accepts the push again).
	existed bool
}

// pushManifest stores a manifest in a repository, by digest and under
// tag if one is given, after checking what it names is there: an image
// manifest's config and layers as blobs of the repository, an index's
// manifests as images of it. wantDigest, when set, must be the
// manifest's digest. The errors are ECR's API errors; the registry
// translates them.
func (s *Service) pushManifest(repoName string, raw []byte, contentType, tagName, wantDigest string) (*pushed, error) {
	p, err := parseManifest(raw, contentType)
	if err != nil {
		return nil, errInvalidManifest
	}
	digest := digestOf(raw)
	if wantDigest != "" && wantDigest != digest {
		return nil, ErrImageDigestDoesNotMatch.Withf("Invalid parameter at 'imageDigest' failed to satisfy constraint: 'The provided digest %s does not match the digest of the manifest %s'", wantDigest, digest)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.mustRepo(repoName)
	if err != nil {
		return nil, err
	}
	im := &image{Digest: digest, MediaType: p.MediaType, Artifact: p.ArtifactType, Manifest: raw, Pushed: s.clock.Now().UnixMilli()}
	if p.Config != nil {
		var missing []string
		for _, d := range append([]descriptor{*p.Config}, p.Layers...) {
			meta, err := s.linked(repoName, d.Digest)
			if err != nil {
				return nil, err
			}
			if meta == nil {
				missing = append(missing, d.Digest)
			}
		}
		if len(missing) > 0 {
			return nil, ErrLayersNotFound.Withf("Layers with digests '[%s]' required for pushing image into repository with name '%s' in the registry with id '%s' do not exist", strings.Join(missing, ", "), repoName, s.account)
		}
		im.Size = p.layerSize()
	}
	for _, d := range p.Manifests {
		child, err := s.loadImage(repoName, d.Digest)
		if err != nil {
			return nil, err
		}
		if child == nil {
			return nil, ErrReferencedImagesNotFound.Withf("Manifest with digest '%s' referenced by the image index does not exist in the repository with name '%s' in the registry with id '%s'", d.Digest, repoName, s.account)
		}
		im.Children = append(im.Children, d.Digest)
		im.Size += child.Size
	}
	old, err := s.loadImage(repoName, digest)
	if err != nil {
		return nil, err
	}
	var prev string // the digest tagName pointed at
	if tagName != "" {
		if prev, err = s.tagged(repoName, tagName); err != nil {
			return nil, err
		}
	}
	if old != nil && (tagName == "" || prev == digest) {
		return &pushed{image: old, existed: true}, nil
	}
	if prev != "" && prev != digest && r.Mutability == "IMMUTABLE" {
		return nil, ErrImageTagAlreadyExists.Withf("The image tag '%s' already exists in the '%s' repository and cannot be overwritten because the repository is immutable.", tagName, repoName)
	}
	if old == nil && r.ImageCount >= maxImages {
		return nil, ErrLimitExceeded.Withf("The maximum number of images (%d) per repository has been reached for the repository with name '%s'", maxImages, repoName)
	}
	b := s.store.NewBatch()
	defer b.Close()
	if old != nil {
		im = old
	} else {
		r.ImageCount++
		if p.Config != nil {
			scan, err := s.scansOnPush(r)
			if err != nil {
				return nil, err
			}
			if scan {
				im.Scan = &imageScan{Started: im.Pushed}
			}
		}
	}
	if tagName != "" {
		if prev != "" {
			if err := s.untagImage(b, r, prev, tagName); err != nil {
				return nil, err
			}
		}
		im.Tags = append(im.Tags, tagName)
		b.Set(tagKey(repoName, tagName), []byte(digest))
	}
	if err := setJSON(b, imageKey(repoName, digest), im); err != nil {
		return nil, err
	}
	if err := setJSON(b, repoKey(repoName), r); err != nil {
		return nil, err
	}
	if err := b.Commit(); err != nil {
		return nil, err
	}
	if r.Lifecycle != "" {
		s.lifecycle.dirty.Store(true)
	}
	return &pushed{image: im}, nil
}

// untagImage takes tagName off the image digest names, in b. An image
// whose tag moves to another keeps existing, untagged.
func (s *Service) untagImage(b interface {
	Set(k, v []byte)
}, r *repository, digest, tagName string) error {
	im, err := s.loadImage(r.Name, digest)
	if err != nil || im == nil {
		return err
	}
	im.Tags = slices.DeleteFunc(im.Tags, func(t string) bool { return t == tagName })
	raw, err := jsonBytes(im)
	if err != nil {
		return err
	}
	b.Set(imageKey(r.Name, digest), raw)
	return nil
}

// resolve finds the image an identifier names: by digest, by tag, or by
// both (which must agree).
func (s *Service) resolve(repo string, id ImageIdentifier) (*image, ImageFailureCode, string, error) {
	dg, tg := deref(id.ImageDigest), deref(id.ImageTag)
	if dg == "" && tg == "" {
		return nil, "MissingDigestAndTag", "Invalid request parameters: both tag and digest cannot be null", nil
	}
	if dg != "" && !validDigest(dg) {
		return nil, "InvalidImageDigest", "Invalid request parameters: image digest should satisfy the regex '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'", nil
	}
	if tg != "" {
		d, err := s.tagged(repo, tg)
		if err != nil {
			return nil, "", "", err
		}
		if d == "" {
			return nil, "ImageNotFound", "Requested image not found", nil
		}
		if dg != "" && d != dg {
			return nil, "ImageTagDoesNotMatchDigest", "Invalid request parameters: given tag does not map to the given digest", nil
		}
		dg = d
	}
	im, err := s.loadImage(repo, dg)
	if err != nil {
		return nil, "", "", err
	}
	if im == nil {
		return nil, "ImageNotFound", "Requested image not found", nil
	}
	return im, "", "", nil
}

// mustImage is resolve for operations that fail on an identifier that
// names no image, with DescribeImages' errors.
func (s *Service) mustImage(repo string, id ImageIdentifier) (*image, error) {
	im, code, reason, err := s.resolve(repo, id)
	if err != nil {
		return nil, err
	}
	if code == "InvalidImageDigest" || code == "MissingDigestAndTag" {
		return nil, ErrInvalidParameter.WithMessage(reason)
	}
	if code != "" {
		return nil, ErrImageNotFound.Withf("The image with imageId %s does not exist within the repository with name '%s' in the registry with id '%s'", imageIDString(id), repo, s.account)
	}
	return im, nil
}

// deleteImage removes an image and its tags, in b; false (with the
// failure) if an index in the repository still names it.
func (s *Service) deleteImage(b interface {
	Delete(k []byte)
}, r *repository, im *image) (bool, error) {
	all, err := s.images(r.Name)
	if err != nil {
		return false, err
	}
	for _, other := range all {
		if slices.Contains(other.Children, im.Digest) {
			return false, nil
		}
	}
	for _, t := range im.Tags {
		b.Delete(tagKey(r.Name, t))
	}
	b.Delete(imageKey(r.Name, im.Digest))
	r.ImageCount--
	return true, nil
}

func imageIDString(id ImageIdentifier) string {
	q := func(p *string) string {
		if p == nil {
			return "null"
		}
		return "'" + *p + "'"
	}
	return fmt.Sprintf("{imageDigest:%s, imageTag:%s}", q(id.ImageDigest), q(id.ImageTag))
}
