package s3

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/store/keys"
)

// Store layout (package keys tuples, values JSON):
//
//	("s3", "b", bucket)                    bucketRecord
//	("s3", "o", bucket, key)               objectRecord
//	("s3", "u", bucket, key, uploadID)     uploadRecord
//	("s3", "p", uploadID, partNumber)      partRecord
//	("s3", "n", sequencer, n)              outboxRecord (notify.go)
//	("s3", "r", sequencer, n)              replicationTask (replication.go)
//
// Objects sort by key within their bucket, so listings are range scans.
// Object bytes are blobs (blobStore), named by the ids the records hold.

func bucketKey(name string) []byte {
	return keys.AppendString(keys.AppendString(keys.AppendString(nil, "s3"), "b"), name)
}

func bucketsPrefix() []byte { return keys.AppendString(keys.AppendString(nil, "s3"), "b") }

func objectsPrefix(bucket string) []byte {
	return keys.AppendString(keys.AppendString(keys.AppendString(nil, "s3"), "o"), bucket)
}

func objectKey(bucket, key string) []byte { return keys.AppendString(objectsPrefix(bucket), key) }

func uploadsPrefix(bucket string) []byte {
	return keys.AppendString(keys.AppendString(keys.AppendString(nil, "s3"), "u"), bucket)
}

func uploadKey(bucket, key, id string) []byte {
	return keys.AppendString(keys.AppendString(uploadsPrefix(bucket), key), id)
}

func partsPrefix(uploadID string) []byte {
	return keys.AppendString(keys.AppendString(keys.AppendString(nil, "s3"), "p"), uploadID)
}

func partKey(uploadID string, n int) []byte { return keys.AppendInt(partsPrefix(uploadID), int64(n)) }

// bucketRecord is a bucket and its configuration.
type bucketRecord struct {
	Name       string               `json:"name"`
	Created    time.Time            `json:"created"`
	Region     string               `json:"region"`
	Owner      string               `json:"owner,omitempty"` // the account that created it
	Tags       []tag                `json:"tags,omitempty"`
	Versioning string               `json:"versioning,omitempty"` // Enabled | Suspended
	MFADelete  string               `json:"mfaDelete,omitempty"`
	ACL        *AccessControlPolicy `json:"acl,omitempty"`
	Policy     string               `json:"policy,omitempty"`
	CORS       []CORSRule           `json:"cors,omitempty"`
	Ownership  string               `json:"ownership,omitempty"`
	ObjectLock bool                 `json:"objectLock,omitempty"`
	// ObjectLockRule is the default retention new versions get
	// (object_lock.go); nil is none.
	ObjectLockRule *ObjectLockRule `json:"objectLockRule,omitempty"`
	// Notification is the bucket's event notification configuration.
	Notification *NotificationConfiguration `json:"notification,omitempty"`
	// Encryption is the default encryption configuration PutBucketEncryption
	// set; nil is S3's SSE-S3 default.
	Encryption *ServerSideEncryptionConfiguration `json:"encryption,omitempty"`
	// Lifecycle is the bucket's lifecycle configuration (lifecycle.go).
	Lifecycle *BucketLifecycleConfiguration `json:"lifecycle,omitempty"`
	// Website is the bucket's website configuration (website.go).
	Website *WebsiteConfiguration `json:"website,omitempty"`
	// PublicAccessBlock is the bucket's public access block; nil is none.
	PublicAccessBlock *PublicAccessBlockConfiguration `json:"publicAccessBlock,omitempty"`
	// Payer is who pays for requests (Requester; "" is BucketOwner)
	// and Accelerate the transfer acceleration status ("" is never
	// set); both are recorded and change nothing (op_bucket_settings.go).
	Payer      string `json:"payer,omitempty"`
	Accelerate string `json:"accelerate,omitempty"`
	// Logging is the server access logging PutBucketLogging set; nil is
	// off.
	Logging *LoggingEnabled `json:"logging,omitempty"`
	// Replication is the bucket's replication configuration
	// (replication.go); nil is none.
	Replication *ReplicationConfiguration `json:"replication,omitempty"`
	// Configs are the bucket's inventory, analytics, metrics and
	// Intelligent-Tiering configurations, by kind and Id
	// (bucket_configs.go).
	Configs map[string]map[string]json.RawMessage `json:"configs,omitempty"`
}

type tag struct {
	Key   string `json:"k"`
	Value string `json:"v"`
}

// segment is a run of an object's bytes kept in one blob.
type segment struct {
	Blob string `json:"blob"`
	Size int64  `json:"size"`
}

// objectRecord is an object's metadata.
type objectRecord struct {
	Key                string            `json:"key"`
	Size               int64             `json:"size"`
	ETag               string            `json:"etag"` // quoted
	LastModified       time.Time         `json:"modified"`
	ContentType        string            `json:"contentType,omitempty"`
	ContentEncoding    string            `json:"contentEncoding,omitempty"`
	ContentDisposition string            `json:"contentDisposition,omitempty"`
	ContentLanguage    string            `json:"contentLanguage,omitempty"`
	CacheControl       string            `json:"cacheControl,omitempty"`
	Expires            string            `json:"expires,omitempty"` // as sent
	Metadata           map[string]string `json:"meta,omitempty"`
	Tags               []tag             `json:"tags,omitempty"`
	StorageClass       string            `json:"storageClass,omitempty"`
	WebsiteRedirect    string            `json:"redirect,omitempty"`
	SSE                string            `json:"sse,omitempty"`
	// SSEKMSKeyID is the ARN of the KMS key an SSE-KMS object is
	// encrypted with; the request's key reference until it is written.
	SSEKMSKeyID string         `json:"sseKmsKeyId,omitempty"`
	Checksum    objectChecksum `json:"checksum,omitempty"`
	PartsCount  int            `json:"parts,omitempty"`
	Segments    []segment      `json:"segments"`
	// VersionID is the version's id, "" for the null version;
	// DeleteMarker marks a delete marker; Order orders a key's versions.
	// ACL is the object's access control list; nil is private.
	ACL          *AccessControlPolicy `json:"acl,omitempty"`
	VersionID    string               `json:"vid,omitempty"`
	DeleteMarker bool                 `json:"marker,omitempty"`
	Order        uint64               `json:"order,omitempty"`
	// RestoreDone and RestoreExpiry bound the restored copy of an
	// archived object (op_restore.go): made until RestoreDone, readable
	// from then until RestoreExpiry.
	RestoreDone   time.Time `json:"restoreDone,omitzero"`
	RestoreExpiry time.Time `json:"restoreExpiry,omitzero"`
	// ReplicationStatus is PENDING, COMPLETED or FAILED for a version
	// the bucket's replication rules copy elsewhere, REPLICA for a copy
	// (replication.go), "" otherwise.
	ReplicationStatus string `json:"repl,omitempty"`
	// LockMode (GOVERNANCE, COMPLIANCE) and LockUntil are the version's
	// Object Lock retention, LegalHold its legal hold (ON, OFF; "" never
	// set; object_lock.go).
	LockMode  string    `json:"lockMode,omitempty"`
	LockUntil time.Time `json:"lockUntil,omitzero"`
	LegalHold string    `json:"legalHold,omitempty"`
}

// uploadRecord is a multipart upload in progress.
type uploadRecord struct {
	ID        string       `json:"id"`
	Key       string       `json:"key"`
	Initiated time.Time    `json:"initiated"`
	Object    objectRecord `json:"object"` // the metadata the object will have
}

// partRecord is an uploaded part.
type partRecord struct {
	Number       int            `json:"n"`
	Blob         string         `json:"blob"`
	Size         int64          `json:"size"`
	ETag         string         `json:"etag"`
	LastModified time.Time      `json:"modified"`
	Checksum     objectChecksum `json:"checksum,omitempty"`
}

// getJSON reads the record at key into v; found is false if there is none.
func getJSON(r store.Reader, key []byte, v any) (found bool, err error) {
	data, err := r.Get(key)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, json.Unmarshal(data, v)
}

func setJSON(b store.Batch, key []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	b.Set(key, data)
	return nil
}
