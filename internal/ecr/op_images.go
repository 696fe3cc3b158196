package ecr

import (
	"context"
	"slices"
	"time"
)

func (s *Service) imageDetail(repo string, im *image) ImageDetail {
	d := ImageDetail{
		RegistryId:             ptr(s.account),
		RepositoryName:         ptr(repo),
		ImageDigest:            ptr(im.Digest),
		ImageSizeInBytes:       ptr(im.Size),
		ImagePushedAt:          ptr(time.UnixMilli(im.Pushed)),
		ImageManifestMediaType: ptr(im.MediaType),
		ArtifactMediaType:      nonEmpty(im.Artifact),
	}
	if len(im.Tags) > 0 {
		d.ImageTags = slices.Clone(im.Tags)
	}
	if im.Scan != nil {
		now := s.clock.Now()
		d.ImageScanStatus, d.ImageScanFindingsSummary = im.Scan.status(now), im.Scan.summary(now)
	}
	return d
}

// tagStatusMatches applies DescribeImages' and ListImages' tagStatus
// filter (ANY when absent).
func tagStatusMatches(status *TagStatus, im *image) bool {
	switch deref(status) {
	case "TAGGED":
		return len(im.Tags) > 0
	case "UNTAGGED":
		return len(im.Tags) == 0
	}
	return true
}

func (s *Service) describeImages(_ context.Context, in *DescribeImagesRequest) (*DescribeImagesResponse, error) {
	if err := s.checkRegistry(in.RegistryId); err != nil {
		return nil, err
	}
	repo := deref(in.RepositoryName)
	if _, err := s.mustRepo(repo); err != nil {
		return nil, err
	}
	out := &DescribeImagesResponse{ImageDetails: []ImageDetail{}}
	if len(in.ImageIds) > 0 {
		if in.MaxResults != nil || in.NextToken != nil {
			return nil, ErrInvalidParameter.WithMessage("Invalid parameter: nextToken and maxResults cannot be used with imageIds")
		}
		for _, id := range in.ImageIds {
			im, err := s.mustImage(repo, id)
			if err != nil {
				return nil, err
			}
			out.ImageDetails = append(out.ImageDetails, s.imageDetail(repo, im))
		}
		return out, nil
	}
	after, err := fromToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	all, err := s.images(repo)
	if err != nil {
		return nil, err
	}
	var status *TagStatus
	if in.Filter != nil {
		status = in.Filter.TagStatus
	}
	n := pageSize(in.MaxResults)
	for _, im := range all {
		if (after != "" && im.Digest <= after) || !tagStatusMatches(status, im) {
			continue
		}
		if len(out.ImageDetails) == n {
			out.NextToken = pageToken(*out.ImageDetails[n-1].ImageDigest)
			break
		}
		out.ImageDetails = append(out.ImageDetails, s.imageDetail(repo, im))
	}
	return out, nil
}

func (s *Service) listImages(_ context.Context, in *ListImagesRequest) (*ListImagesResponse, error) {
	if err := s.checkRegistry(in.RegistryId); err != nil {
		return nil, err
	}
	repo := deref(in.RepositoryName)
	if _, err := s.mustRepo(repo); err != nil {
		return nil, err
	}
	after, err := fromToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	all, err := s.images(repo)
	if err != nil {
		return nil, err
	}
	var status *TagStatus
	if in.Filter != nil {
		status = in.Filter.TagStatus
	}
	// One identifier a tag, and one for each untagged image; the page
	// key is digest, then tag.
	type entry struct {
		key string
		id  ImageIdentifier
	}
	var entries []entry
	for _, im := range all {
		if !tagStatusMatches(status, im) {
			continue
		}
		if len(im.Tags) == 0 {
			entries = append(entries, entry{im.Digest + "/", ImageIdentifier{ImageDigest: ptr(im.Digest)}})
		}
		tags := slices.Clone(im.Tags)
		slices.Sort(tags)
		for _, t := range tags {
			entries = append(entries, entry{im.Digest + "/" + t, ImageIdentifier{ImageDigest: ptr(im.Digest), ImageTag: ptr(t)}})
		}
	}
	out := &ListImagesResponse{ImageIds: []ImageIdentifier{}}
	n := pageSize(in.MaxResults)
	for i, e := range entries {
		if after != "" && e.key <= after {
			continue
		}
		if len(out.ImageIds) == n {
			out.NextToken = pageToken(entries[i-1].key)
			break
		}
		out.ImageIds = append(out.ImageIds, e.id)
	}
	return out, nil
}

func (s *Service) batchGetImage(_ context.Context, in *BatchGetImageRequest) (*BatchGetImageResponse, error) {
	if err := s.checkRegistry(in.RegistryId); err != nil {
		return nil, err
	}
	repo := deref(in.RepositoryName)
	if _, err := s.mustRepo(repo); err != nil {
		return nil, err
	}
	out := &BatchGetImageResponse{Images: []Image{}, Failures: []ImageFailure{}}
	for _, id := range in.ImageIds {
		im, code, reason, err := s.resolve(repo, id)
		if err != nil {
			return nil, err
		}
		// A manifest of a type acceptedMediaTypes leaves out is still
		// answered, as stored: ECR answers so when it cannot convert it.
		if code != "" {
			out.Failures = append(out.Failures, ImageFailure{ImageId: ptr(id), FailureCode: ptr(code), FailureReason: ptr(reason)})
			continue
		}
		got := ImageIdentifier{ImageDigest: ptr(im.Digest), ImageTag: id.ImageTag}
		out.Images = append(out.Images, Image{RegistryId: ptr(s.account), RepositoryName: ptr(repo), ImageId: &got,
			ImageManifest: ptr(string(im.Manifest)), ImageManifestMediaType: ptr(im.MediaType)})
	}
	return out, nil
}

func (s *Service) batchDeleteImage(_ context.Context, in *BatchDeleteImageRequest) (*BatchDeleteImageResponse, error) {
	if err := s.checkRegistry(in.RegistryId); err != nil {
		return nil, err
	}
	repo := deref(in.RepositoryName)
	s.mu.Lock()
	defer s.mu.Unlock()
	out := &BatchDeleteImageResponse{ImageIds: []ImageIdentifier{}, Failures: []ImageFailure{}}
	for _, id := range in.ImageIds {
		// Each identifier is its own commit: a later one sees what an
		// earlier one removed.
		r, err := s.mustRepo(repo)
		if err != nil {
			return nil, err
		}
		im, code, reason, err := s.resolve(repo, id)
		if err != nil {
			return nil, err
		}
		if code != "" {
			out.Failures = append(out.Failures, ImageFailure{ImageId: ptr(id), FailureCode: ptr(code), FailureReason: ptr(reason)})
			continue
		}
		b := s.store.NewBatch()
		if tg := deref(id.ImageTag); tg != "" && id.ImageDigest == nil && len(im.Tags) > 1 {
			// Removing one of several tags leaves the image; removing
			// its last tag deletes it.
			b.Delete(tagKey(repo, tg))
			if err := s.untagImage(b, r, im.Digest, tg); err != nil {
				b.Close()
				return nil, err
			}
			out.ImageIds = append(out.ImageIds, ImageIdentifier{ImageDigest: ptr(im.Digest), ImageTag: ptr(tg)})
		} else {
			ok, err := s.deleteImage(b, r, im)
			if err != nil {
				b.Close()
				return nil, err
			}
			if !ok {
				b.Close()
				out.Failures = append(out.Failures, ImageFailure{ImageId: ptr(id), FailureCode: ptr(ImageFailureCode("ImageReferencedByManifestList")),
					FailureReason: ptr("Requested image referenced by manifest list: [" + im.Digest + "]")})
				continue
			}
			if len(im.Tags) == 0 {
				out.ImageIds = append(out.ImageIds, ImageIdentifier{ImageDigest: ptr(im.Digest)})
			}
			for _, t := range im.Tags {
				out.ImageIds = append(out.ImageIds, ImageIdentifier{ImageDigest: ptr(im.Digest), ImageTag: ptr(t)})
			}
			if err := setJSON(b, repoKey(repo), r); err != nil {
				b.Close()
				return nil, err
			}
		}
		err = b.Commit()
		b.Close()
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *Service) putImage(_ context.Context, in *PutImageRequest) (*PutImageResponse, error) {
	if err := s.checkRegistry(in.RegistryId); err != nil {
		return nil, err
	}
	repo := deref(in.RepositoryName)
	tg := deref(in.ImageTag)
	if tg != "" && !validTag(tg) {
		return nil, ErrInvalidParameter.WithMessage("Invalid parameter at 'imageTag' failed to satisfy constraint: 'must satisfy regular expression '[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}''")
	}
	raw := []byte(deref(in.ImageManifest))
	if in.ImageManifestMediaType == nil && !declaresMediaType(raw) {
		// ECR needs the type: in the manifest or beside it.
		return nil, errInvalidManifest
	}
	p, err := s.pushManifest(repo, raw, deref(in.ImageManifestMediaType), tg, deref(in.ImageDigest))
	if err != nil {
		return nil, err
	}
	if p.existed {
		return nil, ErrImageAlreadyExists.Withf("Image with digest '%s' and tag '%s' already exists in the repository with name '%s' in registry with id '%s'", p.image.Digest, tg, repo, s.account)
	}
	return &PutImageResponse{Image: &Image{RegistryId: ptr(s.account), RepositoryName: ptr(repo),
		ImageId:       &ImageIdentifier{ImageDigest: ptr(p.image.Digest), ImageTag: in.ImageTag},
		ImageManifest: in.ImageManifest, ImageManifestMediaType: ptr(p.image.MediaType)}}, nil
}
