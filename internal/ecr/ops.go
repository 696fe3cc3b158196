package ecr

import (
	"context"

	"github.com/virga/virga/internal/awsproto"
)

// operations is ECR's operation table.
func (s *Service) operations() []awsproto.Operation {
	return []awsproto.Operation{
		{Name: "CreateRepository", Handler: awsproto.Handle(s.createRepository)},
		{Name: "DescribeRepositories", Handler: awsproto.Handle(s.describeRepositories)},
		{Name: "DeleteRepository", Handler: awsproto.Handle(s.deleteRepository)},
		{Name: "GetAuthorizationToken", Handler: awsproto.Handle(s.getAuthorizationToken)},
		{Name: "DescribeImages", Handler: awsproto.Handle(s.describeImages)},
		{Name: "ListImages", Handler: awsproto.Handle(s.listImages)},
		{Name: "BatchGetImage", Handler: awsproto.Handle(s.batchGetImage)},
		{Name: "BatchDeleteImage", Handler: awsproto.Handle(s.batchDeleteImage)},
		{Name: "PutImage", Handler: awsproto.Handle(s.putImage)},
		{Name: "PutImageTagMutability", Handler: awsproto.Handle(s.putImageTagMutability)},
		{Name: "PutImageScanningConfiguration", Handler: awsproto.Handle(s.putImageScanningConfiguration)},
		{Name: "StartImageScan", Handler: awsproto.Handle(s.startImageScan)},
		{Name: "DescribeImageScanFindings", Handler: awsproto.Handle(s.describeImageScanFindings)},
		{Name: "PutRegistryScanningConfiguration", Handler: awsproto.Handle(s.putRegistryScanningConfiguration)},
		{Name: "GetRegistryScanningConfiguration", Handler: awsproto.Handle(s.getRegistryScanningConfiguration)},
		{Name: "BatchGetRepositoryScanningConfiguration", Handler: awsproto.Handle(s.batchGetRepositoryScanningConfiguration)},
		{Name: "GetLifecyclePolicy", Handler: awsproto.Handle(s.getLifecyclePolicy)},
		{Name: "PutLifecyclePolicy", Handler: awsproto.Handle(s.putLifecyclePolicy)},
		{Name: "DeleteLifecyclePolicy", Handler: awsproto.Handle(s.deleteLifecyclePolicy)},
		{Name: "SetRepositoryPolicy", Handler: awsproto.Handle(s.setRepositoryPolicy)},
		{Name: "GetRepositoryPolicy", Handler: awsproto.Handle(s.getRepositoryPolicy)},
		{Name: "DeleteRepositoryPolicy", Handler: awsproto.Handle(s.deleteRepositoryPolicy)},
		{Name: "TagResource", Handler: awsproto.Handle(s.tagResource)},
		{Name: "UntagResource", Handler: awsproto.Handle(s.untagResource)},
		{Name: "ListTagsForResource", Handler: awsproto.Handle(s.listTagsForResource)},
		{Name: "BatchCheckLayerAvailability", Handler: awsproto.Handle(s.batchCheckLayerAvailability)},
		{Name: "InitiateLayerUpload", Handler: awsproto.Handle(s.initiateLayerUpload)},
		{Name: "UploadLayerPart", Handler: awsproto.Handle(s.uploadLayerPart)},
		{Name: "CompleteLayerUpload", Handler: awsproto.Handle(s.completeLayerUpload)},
		{Name: "GetDownloadUrlForLayer", Handler: awsproto.Handle(s.getDownloadUrlForLayer)},
	}
}

func ptr[T any](v T) *T { return &v }

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// requestHost is the Host the call came to, for the URIs ECR answers
// with.
func requestHost(ctx context.Context) string {
	if c := awsproto.CallFrom(ctx); c != nil && c.Request != nil {
		return c.Request.Host
	}
	return ""
}
