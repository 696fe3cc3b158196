package s3

import (
	"net/http"

	"github.com/virga/virga/internal/awsproto/apierr"
)

// S3's errors, with the codes, statuses and messages of the S3 API
// reference's list of error codes. S3 answers them as <Error> documents
// with the request id inside (restxml.WithNoErrorWrapping); details such
// as <BucketName> and <Key> go after <Message>.
var (
	ErrAccessControlListNotSupported = apierr.New("AccessControlListNotSupported", http.StatusBadRequest, "The bucket does not allow ACLs")
	ErrInvalidBucketACLWithOwnership = apierr.New("InvalidBucketAclWithObjectOwnership", http.StatusBadRequest, "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting")
	ErrAccessDenied                  = apierr.New("AccessDenied", http.StatusForbidden, "Access Denied")
	ErrBadDigest                     = apierr.New("BadDigest", http.StatusBadRequest, "The Content-MD5 you specified did not match what we received.")
	ErrBucketAlreadyExists           = apierr.New("BucketAlreadyExists", http.StatusConflict, "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.")
	ErrBucketAlreadyOwnedByYou       = apierr.New("BucketAlreadyOwnedByYou", http.StatusConflict, "Your previous request to create the named bucket succeeded and you already own it.")
	ErrBucketNotEmpty                = apierr.New("BucketNotEmpty", http.StatusConflict, "The bucket you tried to delete is not empty")
	ErrEntityTooLarge                = apierr.New("EntityTooLarge", http.StatusBadRequest, "Your proposed upload exceeds the maximum allowed size")
	ErrEntityTooSmall                = apierr.New("EntityTooSmall", http.StatusBadRequest, "Your proposed upload is smaller than the minimum allowed size")
	ErrIncompleteBody                = apierr.New("IncompleteBody", http.StatusBadRequest, "You did not provide the number of bytes specified by the Content-Length HTTP header")
	ErrInvalidArgument               = apierr.New("InvalidArgument", http.StatusBadRequest, "")
	ErrInvalidBucketName             = apierr.New("InvalidBucketName", http.StatusBadRequest, "The specified bucket is not valid.")
	ErrInvalidDigest                 = apierr.New("InvalidDigest", http.StatusBadRequest, "The Content-MD5 you specified is not valid.")
	ErrInvalidLocation               = apierr.New("InvalidLocationConstraint", http.StatusBadRequest, "The specified location-constraint is not valid")
	ErrIllegalLocation               = apierr.New("IllegalLocationConstraintException", http.StatusBadRequest, "The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.")
	ErrInvalidPart                   = apierr.New("InvalidPart", http.StatusBadRequest, "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.")
	ErrInvalidPartOrder              = apierr.New("InvalidPartOrder", http.StatusBadRequest, "The list of parts was not in ascending order. Parts must be ordered by part number.")
	ErrInvalidRange                  = apierr.New("InvalidRange", http.StatusRequestedRangeNotSatisfiable, "The requested range is not satisfiable")
	ErrInvalidRequest                = apierr.New("InvalidRequest", http.StatusBadRequest, "")
	ErrInvalidTag                    = apierr.New("InvalidTag", http.StatusBadRequest, "")
	ErrKeyTooLong                    = apierr.New("KeyTooLongError", http.StatusBadRequest, "Your key is too long")
	ErrMalformedPOSTRequest          = apierr.New("MalformedPOSTRequest", http.StatusBadRequest, "The body of your POST request is not well-formed multipart/form-data.")
	ErrMaxPostPreDataLengthExceeded  = apierr.New("MaxPostPreDataLengthExceededError", http.StatusBadRequest, "Your POST request fields preceding the upload file were too large.")
	ErrInvalidTargetBucketForLogging = apierr.New("InvalidTargetBucketForLogging", http.StatusBadRequest, "The target bucket for logging does not exist")
	ErrCrossLocationLogging          = apierr.New("CrossLocationLoggingProhibited", http.StatusForbidden, "Cross S3 location logging not allowed.")
	ErrNoObjectLockConfiguration     = apierr.New("ObjectLockConfigurationNotFoundError", http.StatusNotFound, "Object Lock configuration does not exist for this bucket")
	ErrMalformedXML                  = apierr.New("MalformedXML", http.StatusBadRequest, "The XML you provided was not well-formed or did not validate against our published schema")
	ErrMethodNotAllowed              = apierr.New("MethodNotAllowed", http.StatusMethodNotAllowed, "The specified method is not allowed against this resource.")
	ErrMissingContentLength          = apierr.New("MissingContentLength", http.StatusLengthRequired, "You must provide the Content-Length HTTP header.")
	ErrNoSuchBucket                  = apierr.New("NoSuchBucket", http.StatusNotFound, "The specified bucket does not exist")
	ErrNoSuchBucketPolicy            = apierr.New("NoSuchBucketPolicy", http.StatusNotFound, "The bucket policy does not exist")
	ErrNoSuchCORS                    = apierr.New("NoSuchCORSConfiguration", http.StatusNotFound, "The CORS configuration does not exist")
	ErrNoSuchLifecycle               = apierr.New("NoSuchLifecycleConfiguration", http.StatusNotFound, "The lifecycle configuration does not exist")
	ErrNoSuchWebsiteConfiguration    = apierr.New("NoSuchWebsiteConfiguration", http.StatusNotFound, "The specified bucket does not have a website configuration")
	ErrNoSuchPublicAccessBlock       = apierr.New("NoSuchPublicAccessBlockConfiguration", http.StatusNotFound, "The public access block configuration was not found")
	ErrNoSuchOwnershipControls       = apierr.New("OwnershipControlsNotFoundError", http.StatusNotFound, "The bucket ownership controls were not found")
	ErrNoSuchKey                     = apierr.New("NoSuchKey", http.StatusNotFound, "The specified key does not exist.")
	ErrNoSuchTagSet                  = apierr.New("NoSuchTagSet", http.StatusNotFound, "The TagSet does not exist")
	ErrNoSuchUpload                  = apierr.New("NoSuchUpload", http.StatusNotFound, "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.")
	ErrNotImplemented                = apierr.New("NotImplemented", http.StatusNotImplemented, "A header you provided implies functionality that is not implemented")
	ErrNotModified                   = apierr.New("NotModified", http.StatusNotModified, "Not Modified")
	ErrPreconditionFailed            = apierr.New("PreconditionFailed", http.StatusPreconditionFailed, "At least one of the pre-conditions you specified did not hold")
	ErrContentSHA256Mismatch         = apierr.New("XAmzContentSHA256Mismatch", http.StatusBadRequest, "The provided 'x-amz-content-sha256' header does not match what was computed.")
	ErrMalformedPolicy               = apierr.New("MalformedPolicy", http.StatusBadRequest, "Policies must be valid JSON and the first byte must be '{'")
	ErrMetadataTooLarge              = apierr.New("MetadataTooLarge", http.StatusBadRequest, "Your metadata headers exceed the maximum allowed metadata size.")
	ErrInvalidPartNumber             = apierr.New("InvalidPartNumber", http.StatusRequestedRangeNotSatisfiable, "The requested partnumber is not satisfiable")
	ErrNoSuchVersion                 = apierr.New("NoSuchVersion", http.StatusNotFound, "The specified version does not exist.")
	ErrInvalidBucketState            = apierr.New("InvalidBucketState", http.StatusConflict, "The request is not valid with the current state of the bucket.")
	ErrInvalidObjectState            = apierr.New("InvalidObjectState", http.StatusForbidden, "The operation is not valid for the object's storage class")
	ErrRestoreAlreadyInProgress      = apierr.New("RestoreAlreadyInProgress", http.StatusConflict, "Object restore is already in progress.")
	ErrIllegalVersioning             = apierr.New("IllegalVersioningConfigurationException", http.StatusBadRequest, "The Versioning element must be specified")
)

// bucketDetails and the other details types are the elements S3 adds to
// an error's body.
type bucketDetails struct {
	BucketName *string
}

type keyDetails struct {
	Key *string
}

type uploadDetails struct {
	UploadId *string
}

type rangeDetails struct {
	RangeRequested   *string
	ActualObjectSize *string
}

type conditionDetails struct {
	Condition *string
}

type partDetails struct {
	UploadId   *string
	PartNumber *string
	ETag       *string
}

type sizeDetails struct {
	ProposedSize   *string
	MinSizeAllowed *string
	MaxSizeAllowed *string
}

type argumentDetails struct {
	ArgumentName  *string
	ArgumentValue *string
}

type digestDetails struct {
	ExpectedDigest   *string
	CalculatedDigest *string
}

func noSuchBucket(name string) error {
	return ErrNoSuchBucket.WithDetails(&bucketDetails{BucketName: &name})
}
func noSuchKey(key string) error   { return ErrNoSuchKey.WithDetails(&keyDetails{Key: &key}) }
func noSuchUpload(id string) error { return ErrNoSuchUpload.WithDetails(&uploadDetails{UploadId: &id}) }

// errCannedAndGrants refuses a request that gives an ACL twice.
var errCannedAndGrants = ErrInvalidRequest.WithMessage("Specifying both Canned ACLs and Header Grants is not allowed")

func invalidArgument(name, value, message string) error {
	return ErrInvalidArgument.WithMessage(message).WithDetails(&argumentDetails{ArgumentName: &name, ArgumentValue: &value})
}

func invalidBucketName(name string) error {
	return ErrInvalidBucketName.WithDetails(&bucketDetails{BucketName: &name})
}

func precondition(condition string) error {
	return ErrPreconditionFailed.WithDetails(&conditionDetails{Condition: &condition})
}
