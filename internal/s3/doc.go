// Package s3 is Amazon S3: buckets, objects, listings, multipart uploads,
// presigned URLs and browser form uploads (POST Object, what presigned
// POST helpers prepare; op_post_object.go), over the restXml protocol.
//
// # What it owns
//
// Buckets and their configuration (tags, versioning status, ACL, policy,
// CORS rules, event notifications), objects (bytes, system and user
// metadata, tags, checksums), multipart uploads in progress, and the
// outbox of event notifications not yet delivered. Every object created
// or removed is also reported once committed to Deps.Notify (an Event:
// name such as ObjectCreated:Put, ObjectCreated:Post, ObjectCreated:Copy,
// ObjectCreated:CompleteMultipartUpload, ObjectRemoved:Delete or
// ObjectRemoved:DeleteMarkerCreated; bucket, key, size, ETag, version id,
// sequencer, and the request's id, source IP and caller).
//
// # Event notifications
//
// PutBucketNotificationConfiguration takes Lambda function, SQS queue and
// SNS topic configurations (Events with wildcards such as
// s3:ObjectCreated:*, Filter.Key.FilterRules prefix and suffix, an Id
// generated when absent) and EventBridgeConfiguration, and checks them as
// S3 does (notification_config.go): known event types, at most one
// prefix and one suffix rule, no two configurations sharing an event type
// with overlapping filters ("Configurations overlap..."), and destinations
// that exist: a function must exist, and each queue and topic is sent
// S3's s3:TestEvent then; a destination that fails is refused with
// InvalidArgument "Unable to validate the following destination
// configurations", unless x-amz-skip-destination-validation is true.
// The legacy PutBucketNotification and GetBucketNotification share the
// ?notification resource and their documents' elements (a configuration
// with one Event reads as one with Events), so they are served too.
//
// When an object is created or removed, the commit that changes it also
// writes the messages of the matching configurations to an outbox
// (notify.go): AWS's event message (eventVersion 2.1, the key
// form-encoded) as an SQS message body, an SNS message with subject
// "Amazon S3 Notification", or an asynchronous Lambda invocation's event
// (the SQS message, the SNS message and the invocation carry the trace
// header of the request that made the change: AWSTraceHeader, and the
// function's trace with the count Lambda's recursive loop detection
// keeps, which SNS hands on to its own subscriptions);
// and, with EventBridgeConfiguration, an "Object Created" or "Object
// Deleted" event from aws.s3 on the default bus. Run delivers the outbox
// through Deps.Targets in commit order and removes each message once its
// destination took it. What is guaranteed is what AWS promises: every
// acknowledged change's notifications are delivered at least once (they
// survive a crash and are sent after a restart; one taken just before a
// crash may be sent again), usually within a second. A destination that
// refuses a message is tried 8 times over about 2 minutes, then the
// message is dropped, as S3 drops notifications it cannot deliver.
//
// # Addressing
//
// The edge routes a request to S3 by its SigV4 scope ("s3", from the
// Authorization header or a presigned URL's X-Amz-Credential), by a
// bucket's virtual host (BUCKET.s3.localhost, BUCKET.s3.REGION.localhost,
// BUCKET.s3.amazonaws.com, BUCKET.s3.REGION.amazonaws.com, which it turns
// into the path-style /BUCKET/KEY), or, for an unsigned path-style
// request, by S3's routes, tried after every other service's. An unsigned
// (anonymous) path-style request is S3's only when it names a bucket that
// exists and carries no awsQuery Action, so that unsigned calls to other
// services and unknown paths keep their answers.
//
// Anonymous requests: with --auth accept (the default) they are served
// like signed ones (on AWS an anonymous read of a private object is
// AccessDenied); with --auth sigv4 or iam they are refused as every
// unsigned request is. The
// website endpoint serves a bucket's objects anonymously whatever its
// policy, as if the policy granted public read (website.go).
//
// CORS: a bucket's rules (PutBucketCors) answer browsers' OPTIONS
// preflights, unsigned even with --auth sigv4, and add the
// Access-Control-* headers to the responses of requests with an Origin
// that a rule allows.
//
// Versioning: once a bucket's versioning is Enabled every write makes a
// version with its own id and keeps the previous one, a delete without a
// version id adds a delete marker and one with a version id removes that
// version; Suspended, writes and deletes make the "null" version (see
// versions.go). ListObjectVersions lists them: keys in UTF-8 binary
// order, each key's versions and delete markers newest first, as one
// sequence in the document, paged by KeyMarker and VersionIdMarker.
//
// Lifecycle: PutBucketLifecycleConfiguration takes rules (Filter by
// prefix, tags, object size or an And of them, or the older rule-level
// Prefix; Expiration, NoncurrentVersionExpiration,
// AbortIncompleteMultipartUpload, Transitions) checked as S3 checks them
// (lifecycle.go), with the body's Content-MD5 or x-amz-checksum-*
// required. Run applies enabled rules every second on the service's
// clock (lifecycle_run.go), acting on what is due at midnight UTC after
// the rule's days, as S3 does: expiring current versions (a delete
// marker in a versioned bucket), removing noncurrent versions and
// expired object delete markers, aborting stale multipart uploads, and
// raising s3:LifecycleExpiration:* notifications. GetObject, HeadObject,
// PutObject, CopyObject and CompleteMultipartUpload report a matching
// rule in x-amz-expiration.
// Transitions are recorded and change nothing.
//
// Website hosting: PutBucketWebsite takes an index document, an error
// document and routing rules, or RedirectAllRequestsTo, checked as S3
// checks them, and the edge sends requests for BUCKET.s3-website.localhost
// (and the -REGION, .REGION and amazonaws.com forms) to Website, which
// answers them as S3's website endpoints do (website.go).
//
// Request payment, transfer acceleration and server access logging
// (op_bucket_settings.go) are recorded and reported (BucketOwner pays,
// acceleration has no status and logging is off, until set) and change
// nothing: no access log is written.
//
// Object Lock (object_lock.go): a bucket created with it, or given it by
// PutObjectLockConfiguration once versioned, keeps a default retention
// rule that new versions get; PutObject, CopyObject and
// CreateMultipartUpload take the x-amz-object-lock-* headers,
// PutObjectRetention and PutObjectLegalHold change a version's lock, and
// HeadObject and GetObject report it. A version under COMPLIANCE
// retention or a legal hold cannot be deleted by version id (403
// AccessDenied "Access Denied because object protected by object
// lock."), one under GOVERNANCE only with
// x-amz-bypass-governance-retention; retention is lengthened freely and
// shortened only under GOVERNANCE with the bypass; lifecycle rules skip
// locked versions.
//
// Replication (replication.go): PutBucketReplication takes rules
// (legacy Prefix, or Filter with Priority and DeleteMarkerReplication;
// Destination by bucket ARN and an optional StorageClass), refused
// unless the source and every destination have versioning Enabled.
// Each new version matching an enabled rule is PENDING until Run has
// copied it (same key, version id, metadata and tags) to each
// destination, then COMPLETED, or FAILED when a destination is gone;
// replicas report REPLICA and are not replicated again; delete markers
// a request makes are replicated by rules that enable it. Pending
// copies are tasks in the store and survive a restart. Not replicated:
// versions written before the configuration (ExistingObjectReplication),
// later changes to a version's tags or ACL, and deletes of a version;
// SourceSelectionCriteria, ReplicationTime, Metrics,
// AccessControlTranslation and EncryptionConfiguration are kept and
// change nothing, and the Role is not assumed.
//
// Inventory, analytics, metrics and Intelligent-Tiering configurations
// (bucket_configs.go) are kept by Id (up to 1,000 of each kind),
// returned, listed in pages of 100 with continuation tokens, and
// deleted, with NoSuchConfiguration for an Id the bucket lacks; they
// change nothing: no inventory report, analysis or metric is made, and
// no object changes tier.
//
// Public access and ownership (op_access.go): PutPublicAccessBlock and
// PutBucketOwnershipControls are kept and reported, and
// GetBucketPolicyStatus judges the policy. New buckets have ACLs
// disabled (BucketOwnerEnforced) as on AWS since April 2023: a request
// that sets an ACL other than the bucket owner's full control is
// AccessControlListNotSupported (InvalidBucketAclWithObjectOwnership at
// CreateBucket). BlockPublicPolicy refuses a public bucket policy, and
// with it or RestrictPublicBuckets the website endpoint answers 403.
//
// Checksums: every object has an ETag (the MD5 of a single upload, the
// MD5 of the parts' MD5s and "-N" for a multipart one) and an additional
// checksum: the one the client sent or named (CRC32, CRC32C, CRC64NVME,
// SHA1, SHA256; in a header or an aws-chunked trailer), checked before
// anything is committed (BadDigest), or else S3's default full-object
// CRC64NVME, which a multipart object gets by combining its parts'.
// GetObject and HeadObject return it with x-amz-checksum-mode: ENABLED,
// GetObjectAttributes whenever asked (op_object_attributes.go; its
// ObjectParts gives a multipart object's part count, never the parts).
//
// # Store layout
//
// Metadata is in the store (see meta.go and versions.go for the keys):
// one JSON record per bucket, object version, upload and part; a key's
// current version is its ("s3", "o", bucket, key) record, ordered by key
// within the bucket so that listings are range scans, and its older
// versions are ("s3", "v", bucket, key, ^order), newest first. Object
// bytes are blobs in files under DATA_DIR/s3/blobs/XX/ID, named by random
// ids, never by keys, so no key can name a path outside the directory.
// With --in-memory the blobs are in memory.
//
// # Invariants
//
//   - A record never refers to a blob that is not complete: bytes are
//     written to DATA_DIR/s3/tmp, fsynced when the store syncs its
//     commits (--fsync), renamed into place, and only then is the record
//     committed. An acknowledged PutObject or CompleteMultipartUpload
//     survives kill -9.
//   - Start-up removes what interrupted writes left: temporary files, and
//     blobs no record refers to (written, or orphaned by a delete, just
//     before a crash).
//   - A multipart object's bytes are its parts' blobs, in order (no copy
//     at completion); its ETag is the MD5 of the parts' MD5s and "-N".
//   - aws-chunked bodies (STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER],
//     STREAMING-UNSIGNED-PAYLOAD-TRAILER) are decoded as they stream;
//     with --auth sigv4 each chunk's and the trailer's signature is
//     checked (awsproto.Call.ChunkSigner), and a checksum trailer is
//     checked like an x-amz-checksum-* header. Nothing is committed
//     until the whole body has been checked.
//   - Bodies of PutObject and UploadPart are streamed to their blob
//     (Operation.StreamBody), never held in memory; GetObject streams
//     from the blobs.
//
// # Lock order
//
// One mutex, Service.mu, serializes every change to the metadata (read,
// check, commit). Reads of committed metadata take no lock. Blobs are
// written before mu is taken and removed after it is released, and
// messages to other services (test events, the outbox's) are sent
// without it. The only other lock, blobStore.mu (the in-memory blobs),
// is a leaf: nothing is locked while it is held. The outbox's retry
// state is Run's alone.
//
// # Not supported
//
// SSE-C and encryption itself (SSE headers are
// recorded and echoed; an SSE-KMS object's key must be one KMS can
// encrypt with, and is reported by its ARN), SelectObjectContent, access points and directory buckets.
// ACLs (canned, x-amz-grant-* headers or an AccessControlPolicy
// document; grants.go) are recorded but not enforced; bucket policies are enforced
// with --auth iam (as the resource-based policy of calls on the bucket
// and its objects, authz.go), except on anonymous requests, browser
// form uploads (PostObject) and the website endpoint. New buckets get
// no public access block (AWS gives them one with all four settings on
// since April 2023); BlockPublicAcls and IgnorePublicAcls have no
// effect. Lifecycle transitions and NoncurrentVersionTransitions are
// recorded and change nothing (one storage class).
// Archived objects (GLACIER, DEEP_ARCHIVE) are refused by GetObject
// (403 InvalidObjectState) until RestoreObject has made a restored copy
// (op_restore.go); a restore completes one second after it is requested
// instead of taking minutes to hours as on S3, and its copy expires at
// the midnight UTC after the days asked for. RestoreObject acts on the
// current version only; SELECT restores and Intelligent-Tiering's
// archive tiers are not served. CopyObject and UploadPartCopy refuse an
// archived source without a restored copy (403 InvalidObjectState), as
// S3 does. GLACIER_IR objects are read at once, as on S3.
// Event notifications: only ObjectCreated, ObjectRemoved,
// LifecycleExpiration, ObjectTagging, ObjectAcl:Put and
// ObjectRestore:Post events are raised (ObjectRestore:Completed and
// :Delete, replication and lifecycle transition event types are
// accepted and never happen); tagging, ACL changes and restores reach
// EventBridge as "Object Tags Added", "Object Tags Deleted", "Object ACL
// Updated" and "Object Restore Initiated". With --auth iam a destination's resource policy must allow
// s3.amazonaws.com for the bucket (aws:SourceArn), or
// PutBucketNotificationConfiguration refuses it, as S3 does, and
// notifications to it are retried and then dropped; without it no
// policy is checked. Tagging operations act on the
// current version only (their versionId is ignored). Every caller is
// virga's one account, so BucketAlreadyExists arises only for buckets
// recorded with another owner. Default encryption (?encryption) is
// recorded and reported (SSE-S3 until set otherwise; op_encryption.go),
// and an object written without its own encryption reports the
// default's algorithm and KMS key; the bytes are stored as they came
// whatever either says. A request for a
// subresource virga does not serve (?select, ?torrent and the
// others in unsupportedSubresources) answers NotImplemented (501); other
// requests no route takes answer MethodNotAllowed, as S3 does for a
// method a resource does not allow.
package s3
