package cloudtrail

import "github.com/virga/virga/internal/awsproto/apierr"

// CloudTrail's errors, as its API reference names them. All are client
// errors answered with HTTP 400.
var (
	ErrValidation                   = apierr.New("ValidationException", 400, "")
	ErrTrailNotFound                = apierr.New("TrailNotFoundException", 400, "")
	ErrTrailAlreadyExists           = apierr.New("TrailAlreadyExistsException", 400, "")
	ErrInvalidTrailName             = apierr.New("InvalidTrailNameException", 400, "")
	ErrS3BucketDoesNotExist         = apierr.New("S3BucketDoesNotExistException", 400, "")
	ErrInvalidS3BucketName          = apierr.New("InvalidS3BucketNameException", 400, "")
	ErrInvalidS3Prefix              = apierr.New("InvalidS3PrefixException", 400, "")
	ErrInvalidSnsTopicName          = apierr.New("InvalidSnsTopicNameException", 400, "")
	ErrMaximumNumberOfTrails        = apierr.New("MaximumNumberOfTrailsExceededException", 400, "")
	ErrInvalidEventSelectors        = apierr.New("InvalidEventSelectorsException", 400, "")
	ErrInvalidParameterCombination  = apierr.New("InvalidParameterCombinationException", 400, "")
	ErrInvalidLookupAttributes      = apierr.New("InvalidLookupAttributesException", 400, "")
	ErrInvalidTimeRange             = apierr.New("InvalidTimeRangeException", 400, "")
	ErrInvalidNextToken             = apierr.New("InvalidNextTokenException", 400, "")
	ErrInvalidToken                 = apierr.New("InvalidTokenException", 400, "")
	ErrInvalidMaxResults            = apierr.New("InvalidMaxResultsException", 400, "")
	ErrInvalidTag                   = apierr.New("InvalidTagParameterException", 400, "")
	ErrTagsLimitExceeded            = apierr.New("TagsLimitExceededException", 400, "")
	ErrResourceNotFound             = apierr.New("ResourceNotFoundException", 400, "")
	ErrCloudTrailARNInvalid         = apierr.New("CloudTrailARNInvalidException", 400, "")
	ErrInvalidCloudWatchLogsGroup   = apierr.New("InvalidCloudWatchLogsLogGroupArnException", 400, "")
	ErrUnsupportedOperation         = apierr.New("UnsupportedOperationException", 400, "")
	ErrInvalidEventCategory         = apierr.New("InvalidEventCategoryException", 400, "")
	ErrOperationNotPermitted        = apierr.New("OperationNotPermittedException", 400, "")
	ErrInvalidHomeRegion            = apierr.New("InvalidHomeRegionException", 400, "")
	ErrInsufficientSnsTopicPolicy   = apierr.New("InsufficientSnsTopicPolicyException", 400, "")
	ErrCloudWatchLogsDeliveryUnavai = apierr.New("CloudWatchLogsDeliveryUnavailableException", 400, "")
)

// notFound is TrailNotFoundException for the trail arn, worded as
// CloudTrail words it ("Unknown trail: ARN for the user: ACCOUNT").
func (s *Service) notFound(arn string) error {
	return ErrTrailNotFound.Withf("Unknown trail: %s for the user: %s", arn, s.account)
}
