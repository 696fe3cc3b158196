package ecr

import (
	"bytes"
	"context"
	"errors"
	"net/url"
)

// Layer part limits. InitiateLayerUpload announces partSize, ECR's
// "Maximum layer part size" quota (10 MiB); UploadLayerPart accepts up
// to 20 MiB, layerPartBlob's limit in the API model and reference. Every
// part but the last must hold at least minPartSize ("Minimum layer part
// size", 5 MiB), and an upload has at most maxParts ("Layer parts").
const (
	partSize    = 10 << 20
	minPartSize = 5 << 20
	maxParts    = 4200
)

func (s *Service) batchCheckLayerAvailability(_ context.Context, in *BatchCheckLayerAvailabilityRequest) (*BatchCheckLayerAvailabilityResponse, error) {
	if err := s.checkRegistry(in.RegistryId); err != nil {
		return nil, err
	}
	repo := deref(in.RepositoryName)
	if _, err := s.mustRepo(repo); err != nil {
		return nil, err
	}
	out := &BatchCheckLayerAvailabilityResponse{Layers: []Layer{}, Failures: []LayerFailure{}}
	for _, d := range in.LayerDigests {
		if !validDigest(d) {
			out.Failures = append(out.Failures, LayerFailure{LayerDigest: ptr(d), FailureCode: ptr(LayerFailureCode("InvalidLayerDigest")), FailureReason: ptr("Invalid layer digest")})
			continue
		}
		meta, err := s.linked(repo, d)
		if err != nil {
			return nil, err
		}
		if meta == nil {
			out.Failures = append(out.Failures, LayerFailure{LayerDigest: ptr(d), FailureCode: ptr(LayerFailureCode("MissingLayerDigest")), FailureReason: ptr("Could not find layer")})
			continue
		}
		out.Layers = append(out.Layers, Layer{LayerDigest: ptr(d), LayerAvailability: ptr(LayerAvailability("AVAILABLE")), LayerSize: ptr(meta.Size)})
	}
	return out, nil
}

func (s *Service) initiateLayerUpload(_ context.Context, in *InitiateLayerUploadRequest) (*InitiateLayerUploadResponse, error) {
	if err := s.checkRegistry(in.RegistryId); err != nil {
		return nil, err
	}
	repo := deref(in.RepositoryName)
	if _, err := s.mustRepo(repo); err != nil {
		return nil, err
	}
	u, err := s.startUpload(repo)
	if err != nil {
		return nil, err
	}
	return &InitiateLayerUploadResponse{UploadId: ptr(u.ID), PartSize: ptr(int64(partSize))}, nil
}

var errUploadNotFound = ErrUploadNotFound.WithMessage("The upload could not be found, or the specified upload ID is not valid for this repository.")

// apiUpload finds an upload of the API's by id, in repo.
func (s *Service) apiUpload(repo, id string) (*upload, error) {
	if _, err := s.mustRepo(repo); err != nil {
		return nil, err
	}
	u, err := s.loadUpload(id)
	if err != nil {
		return nil, err
	}
	if u == nil || u.Repo != repo {
		return nil, errUploadNotFound
	}
	return u, nil
}

func (s *Service) uploadLayerPart(_ context.Context, in *UploadLayerPartRequest) (*UploadLayerPartResponse, error) {
	if err := s.checkRegistry(in.RegistryId); err != nil {
		return nil, err
	}
	repo, id := deref(in.RepositoryName), deref(in.UploadId)
	defer s.uploads.lock(id)()
	u, err := s.apiUpload(repo, id)
	if err != nil {
		return nil, err
	}
	first, last := deref(in.PartFirstByte), deref(in.PartLastByte)
	if first != u.Size || last != first+int64(len(in.LayerPartBlob))-1 {
		return nil, ErrInvalidLayerPart.Withf("The layer part byte range %d-%d is invalid: the upload has received %d bytes and the part holds %d", first, last, u.Size, len(in.LayerPartBlob))
	}
	if u.ShortPart {
		return nil, ErrLayerPartTooSmall.Withf("Layer part size must be at least %d bytes, except for the last part", minPartSize)
	}
	if u.Parts >= maxParts {
		return nil, ErrLimitExceeded.Withf("The upload has reached the maximum number of layer parts (%d)", maxParts)
	}
	u.Parts++
	u.ShortPart = len(in.LayerPartBlob) < minPartSize
	if _, err := s.appendUpload(u, bytes.NewReader(in.LayerPartBlob)); err != nil {
		if errors.Is(err, errLayerTooLarge) {
			return nil, ErrInvalidLayerPart.Withf("The layer is over the maximum layer size, %d MiB", maxLayerSize>>20)
		}
		return nil, err
	}
	return &UploadLayerPartResponse{RegistryId: ptr(s.account), RepositoryName: ptr(repo), UploadId: ptr(id), LastByteReceived: ptr(u.Size - 1)}, nil
}

func (s *Service) completeLayerUpload(_ context.Context, in *CompleteLayerUploadRequest) (*CompleteLayerUploadResponse, error) {
	if err := s.checkRegistry(in.RegistryId); err != nil {
		return nil, err
	}
	repo, id := deref(in.RepositoryName), deref(in.UploadId)
	defer s.uploads.lock(id)()
	u, err := s.apiUpload(repo, id)
	if err != nil {
		return nil, err
	}
	if u.Size == 0 {
		return nil, ErrEmptyUpload.WithMessage("The layer upload does not contain any layer parts.")
	}
	digest := in.LayerDigests[0]
	if !validDigest(digest) {
		return nil, ErrInvalidLayer.Withf("Invalid layer digest: %s", digest)
	}
	if meta, err := s.linked(repo, digest); err != nil {
		return nil, err
	} else if meta != nil {
		s.cancelUpload(u)
		return nil, ErrLayerAlreadyExists.Withf("Layer with digest '%s' already exists in the repository with name '%s' in registry with id '%s'", digest, repo, s.account)
	}
	if err := s.finishUpload(u, digest); err != nil {
		if errors.Is(err, errDigestMismatch) {
			got, _ := u.digest()
			return nil, ErrInvalidLayer.Withf("The layer digest %s does not match the digest of the uploaded layer %s", digest, got)
		}
		return nil, err
	}
	return &CompleteLayerUploadResponse{RegistryId: ptr(s.account), RepositoryName: ptr(repo), UploadId: ptr(id), LayerDigest: ptr(digest)}, nil
}

func (s *Service) getDownloadUrlForLayer(ctx context.Context, in *GetDownloadUrlForLayerRequest) (*GetDownloadUrlForLayerResponse, error) {
	if err := s.checkRegistry(in.RegistryId); err != nil {
		return nil, err
	}
	repo, digest := deref(in.RepositoryName), deref(in.LayerDigest)
	if _, err := s.mustRepo(repo); err != nil {
		return nil, err
	}
	meta, err := s.linked(repo, digest)
	if err != nil {
		return nil, err
	}
	if meta == nil {
		return nil, ErrLayersNotFound.Withf("Layer with digest '%s' does not exist in the repository with name '%s' in the registry with id '%s'", digest, repo, s.account)
	}
	// The URL carries a token as a presigned URL carries its signature:
	// it is good without other credentials until the token expires.
	u := "http://" + s.registryAddr(requestHost(ctx)) + "/v2/" + repo + "/blobs/" + digest + "?" +
		url.Values{downloadTokenParam: {s.newScopedToken(blobScope(repo, digest))}}.Encode()
	return &GetDownloadUrlForLayerResponse{DownloadUrl: ptr(u), LayerDigest: ptr(digest)}, nil
}
