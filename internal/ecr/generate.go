package ecr

// The operations' inputs and outputs come from AWS's model of Amazon ECR.
//go:generate go run ../awsproto/shapegen -service ecr -version 2015-09-21 -package ecr -out zz_shapes.go -ops CreateRepository,DescribeRepositories,DeleteRepository,GetAuthorizationToken,DescribeImages,ListImages,BatchGetImage,BatchDeleteImage,PutImage,PutImageTagMutability,PutImageScanningConfiguration,GetLifecyclePolicy,PutLifecyclePolicy,DeleteLifecyclePolicy,SetRepositoryPolicy,GetRepositoryPolicy,DeleteRepositoryPolicy,TagResource,UntagResource,ListTagsForResource,BatchCheckLayerAvailability,InitiateLayerUpload,UploadLayerPart,CompleteLayerUpload,GetDownloadUrlForLayer
