package ecr

import "github.com/virga/virga/internal/awsproto/apierr"

// Amazon ECR's errors, as its API reference names them. Messages that
// name a repository are filled in where they are raised.
var (
	ErrInvalidParameter         = apierr.New("InvalidParameterException", 400, "")
	ErrValidation               = apierr.New("ValidationException", 400, "")
	ErrRepositoryNotFound       = apierr.New("RepositoryNotFoundException", 400, "")
	ErrRepositoryAlreadyExists  = apierr.New("RepositoryAlreadyExistsException", 400, "")
	ErrRepositoryNotEmpty       = apierr.New("RepositoryNotEmptyException", 400, "")
	ErrImageNotFound            = apierr.New("ImageNotFoundException", 400, "")
	ErrImageAlreadyExists       = apierr.New("ImageAlreadyExistsException", 400, "")
	ErrImageTagAlreadyExists    = apierr.New("ImageTagAlreadyExistsException", 400, "")
	ErrImageDigestDoesNotMatch  = apierr.New("ImageDigestDoesNotMatchException", 400, "")
	ErrLayersNotFound           = apierr.New("LayersNotFoundException", 400, "")
	ErrLayerInaccessible        = apierr.New("LayerInaccessibleException", 400, "")
	ErrInvalidLayer             = apierr.New("InvalidLayerException", 400, "")
	ErrInvalidLayerPart         = apierr.New("InvalidLayerPartException", 400, "")
	ErrLayerAlreadyExists       = apierr.New("LayerAlreadyExistsException", 400, "")
	ErrEmptyUpload              = apierr.New("EmptyUploadException", 400, "")
	ErrUploadNotFound           = apierr.New("UploadNotFoundException", 400, "")
	ErrLifecyclePolicyNotFound  = apierr.New("LifecyclePolicyNotFoundException", 400, "")
	ErrRepositoryPolicyNotFound = apierr.New("RepositoryPolicyNotFoundException", 400, "")
	ErrInvalidTagParameter      = apierr.New("InvalidTagParameterException", 400, "")
	ErrTooManyTags              = apierr.New("TooManyTagsException", 400, "")
	ErrLimitExceeded            = apierr.New("LimitExceededException", 400, "")
	ErrUnsupportedImageType     = apierr.New("UnsupportedImageTypeException", 400, "")
	ErrReferencedImagesNotFound = apierr.New("ReferencedImagesNotFoundException", 400, "")
	ErrLayerPartTooSmall        = apierr.New("LayerPartTooSmallException", 400, "")
	ErrScanNotFound             = apierr.New("ScanNotFoundException", 400, "")
	ErrServer                   = apierr.New("ServerException", 500, "")
)
