package s3

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/awsproto/restxml"
)

// protocol is restXml with S3's one routing rule the HTTP bindings cannot
// express: a PUT to an object with an x-amz-copy-source header is a copy
// (CopyObject, or UploadPartCopy for a part), whatever its query says.
//
// It also keeps anonymous path-style requests to what S3 can answer: the
// edge serves every service on one endpoint and tries S3's routes last
// for an unsigned request, so an unsigned request claims S3 only when it
// names a bucket that exists and is no awsQuery call (no Action
// parameter). A signed request, or one to a bucket's virtual host, is
// S3's whatever it names.
type protocol struct {
	*restxml.Protocol
	svc    *awsproto.Service
	exists func(bucket string) bool
	cors   func(c *awsproto.Call, h http.Header)
}

func (p *protocol) Resolve(c *awsproto.Call) error {
	if err := p.Protocol.Resolve(c); err != nil {
		return err
	}
	if q := c.Request.URL.Query(); len(q) > 0 {
		for _, sub := range unsupportedSubresources {
			if q.Has(sub) && !servesSubresource(c.Op, sub) {
				c.Op, c.Params = nil, nil
				return ErrNotImplemented
			}
		}
	}
	if r := c.Request; anonymous(r) && !virtualHosted(r, c.Params["Bucket"]) {
		if b := c.Params["Bucket"]; b == "" || r.URL.Query().Has("Action") || !p.exists(b) {
			c.Op, c.Params = nil, nil
			return ErrMethodNotAllowed
		}
	}
	if c.Request.Header.Get("X-Amz-Copy-Source") != "" {
		switch c.Op.Name {
		case "PutObject":
			c.Op = p.svc.Operation("CopyObject")
		case "UploadPart":
			c.Op = p.svc.Operation("UploadPartCopy")
		}
	}
	return nil
}

// unsupportedSubresources are the query parameters that name S3
// subresources virga does not serve, or serves for some methods only
// (GET ?object-lock). A request for one that no operation of its method
// serves would otherwise match a plainer route (GET /{Bucket}?lifecycle
// is ListObjects' path), so it is answered NotImplemented, as S3
// answers a feature it does not implement.
var unsupportedSubresources = []string{"restore", "select", "torrent",
	"session", "metadataTable"}

// servesSubresource reports whether op's route names the subresource.
func servesSubresource(op *awsproto.Operation, sub string) bool {
	if op == nil {
		return false
	}
	_, query, _ := strings.Cut(op.HTTP, "?")
	for _, q := range strings.Split(query, "&") {
		if name, _, _ := strings.Cut(q, "="); name == sub {
			return true
		}
	}
	return false
}

// booleanHeaders are S3's request headers of boolean type, which S3
// reads whatever their case: the aws CLI sends a flag such as
// --skip-destination-validation as "True".
var booleanHeaders = []string{"X-Amz-Bucket-Object-Lock-Enabled", "X-Amz-Bypass-Governance-Retention",
	"X-Amz-Server-Side-Encryption-Bucket-Key-Enabled", "X-Amz-Skip-Destination-Validation"}

// anonymous reports whether r carries no SigV4 authentication.
func anonymous(r *http.Request) bool {
	return r.Header.Get("Authorization") == "" && !r.URL.Query().Has("X-Amz-Credential")
}

// virtualHosted reports whether r addressed bucket by its host name: the
// edge turned /KEY at BUCKET's host into /BUCKET/KEY, which the request
// line (RequestURI) does not start with.
func virtualHosted(r *http.Request, bucket string) bool {
	line := r.RequestURI
	if i := strings.IndexByte(line, '?'); i >= 0 {
		line = line[:i]
	}
	return bucket != "" && line != "" && line != "/"+bucket && !strings.HasPrefix(line, "/"+bucket+"/")
}

// Decode reads S3's boolean headers whatever their case (the request's
// signature has been checked by now).
func (p *protocol) Decode(c *awsproto.Call, in any) error {
	for _, h := range booleanHeaders {
		if v := c.Request.Header.Get(h); v != "" && (strings.EqualFold(v, "true") || strings.EqualFold(v, "false")) {
			c.Request.Header.Set(h, strings.ToLower(v))
		}
	}
	return p.Protocol.Decode(c, in)
}

// Encode answers a GetObject of a range with 206 Partial Content.
func (p *protocol) Encode(c *awsproto.Call, w http.ResponseWriter, out any) {
	if o, ok := out.(*GetObjectOutput); ok && o.ContentRange != nil {
		c.Status = http.StatusPartialContent
	}
	if o, ok := out.(interface{ httpStatus() int }); ok {
		c.Status = o.httpStatus()
	}
	if o, ok := out.(*listVersionsOutput); ok {
		p.cors(c, w.Header())
		setHostID(c, w.Header())
		// Render the model's document without the entries, then put
		// them in listing order.
		list := *o.out
		list.Versions, list.DeleteMarkers = nil, nil
		rec := &bufferedResponse{header: w.Header()}
		p.Protocol.Encode(c, rec, &list)
		body := versionsDocument(o, rec.body.Bytes())
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(rec.status)
		w.Write(body)
		return
	}
	p.cors(c, w.Header())
	setHostID(c, w.Header())
	p.Protocol.Encode(c, w, out)
}

// setHostID sets x-amz-id-2, the second request id S3 puts on every
// response (SDKs report it as the host id), derived from the request id.
func setHostID(c *awsproto.Call, h http.Header) {
	sum := sha256.Sum256([]byte(c.RequestID))
	h.Set("X-Amz-Id-2", base64.StdEncoding.EncodeToString(sum[:]))
}

// EncodeError adds the CORS headers to errors too, as S3 does, so that a
// browser can read them.
func (p *protocol) EncodeError(c *awsproto.Call, w http.ResponseWriter, e *apierr.Error) {
	if c.Request.Method != http.MethodOptions {
		p.cors(c, w.Header())
	}
	setHostID(c, w.Header())
	p.Protocol.EncodeError(c, w, e)
}

// newAPI is S3's operation table. The HTTP bindings are the model's, with
// the query parameters that tell operations on one path apart; the
// ?x-id= forms are the ones aws-sdk-go-v2 sends.
func (s *Service) newAPI() *awsproto.Service {
	p := &protocol{Protocol: restxml.New(
		restxml.WithNamespace(Namespace),
		restxml.WithNoErrorWrapping(),
		restxml.WithUnknownOperation(ErrMethodNotAllowed),
		restxml.WithMethodNotAllowed(ErrMethodNotAllowed),
		restxml.WithMalformedXML(ErrMalformedXML),
		restxml.WithInvalidArgument(ErrInvalidArgument),
	)}
	svc := &awsproto.Service{
		Name:            "s3",
		Protocol:        p,
		ValidationError: ErrInvalidArgument,
		// Buckets' CORS rules answer preflights and grant the headers.
		OwnsCORS: true,
		// Bodies other than uploads are XML documents (DeleteObjects
		// takes up to 1,000 keys of up to 1,024 bytes each).
		MaxBodyBytes: 20 << 20,
		Operations: []awsproto.Operation{
			{Name: "ListBuckets", Action: "s3:ListAllMyBuckets", HTTP: "GET /", Handler: awsproto.Handle(s.listBuckets)},
			{Name: "CreateBucket", HTTP: "PUT /{Bucket}", Handler: awsproto.Handle(s.createBucket)},
			{Name: "HeadBucket", Action: "s3:ListBucket", HTTP: "HEAD /{Bucket}", Handler: awsproto.Handle(s.headBucket)},
			{Name: "DeleteBucket", HTTP: "DELETE /{Bucket}", Status: 204, Handler: awsproto.Handle(s.deleteBucket)},
			{Name: "GetBucketLocation", HTTP: "GET /{Bucket}?location", Handler: awsproto.Handle(s.getBucketLocation)},
			{Name: "GetBucketTagging", HTTP: "GET /{Bucket}?tagging", Handler: awsproto.Handle(s.getBucketTagging)},
			{Name: "PutBucketTagging", HTTP: "PUT /{Bucket}?tagging", Status: 204, Handler: awsproto.Handle(s.putBucketTagging)},
			{Name: "DeleteBucketTagging", Action: "s3:PutBucketTagging", HTTP: "DELETE /{Bucket}?tagging", Status: 204, Handler: awsproto.Handle(s.deleteBucketTagging)},
			{Name: "GetBucketRequestPayment", HTTP: "GET /{Bucket}?requestPayment", Handler: awsproto.Handle(s.getBucketRequestPayment)},
			{Name: "PutBucketRequestPayment", HTTP: "PUT /{Bucket}?requestPayment", Handler: awsproto.Handle(s.putBucketRequestPayment)},
			{Name: "GetBucketAccelerateConfiguration", Action: "s3:GetAccelerateConfiguration", HTTP: "GET /{Bucket}?accelerate", Handler: awsproto.Handle(s.getBucketAccelerateConfiguration)},
			{Name: "PutBucketAccelerateConfiguration", Action: "s3:PutAccelerateConfiguration", HTTP: "PUT /{Bucket}?accelerate", Handler: awsproto.Handle(s.putBucketAccelerateConfiguration)},
			{Name: "GetBucketLogging", HTTP: "GET /{Bucket}?logging", Handler: awsproto.Handle(s.getBucketLogging)},
			{Name: "PutBucketLogging", HTTP: "PUT /{Bucket}?logging", Handler: awsproto.Handle(s.putBucketLogging)},
			{Name: "GetObjectLockConfiguration", Action: "s3:GetBucketObjectLockConfiguration", HTTP: "GET /{Bucket}?object-lock", Handler: awsproto.Handle(s.getObjectLockConfiguration)},
			{Name: "PutObjectLockConfiguration", Action: "s3:PutBucketObjectLockConfiguration", HTTP: "PUT /{Bucket}?object-lock", Handler: awsproto.Handle(s.putObjectLockConfiguration)},
			{Name: "GetBucketReplication", Action: "s3:GetReplicationConfiguration", HTTP: "GET /{Bucket}?replication", Handler: awsproto.Handle(s.getBucketReplication)},
			{Name: "PutBucketReplication", Action: "s3:PutReplicationConfiguration", HTTP: "PUT /{Bucket}?replication", Handler: awsproto.Handle(s.putBucketReplication)},
			{Name: "DeleteBucketReplication", Action: "s3:PutReplicationConfiguration", HTTP: "DELETE /{Bucket}?replication", Status: 204, Handler: awsproto.Handle(s.deleteBucketReplication)},
			{Name: "GetBucketInventoryConfiguration", Action: "s3:GetInventoryConfiguration", HTTP: "GET /{Bucket}?inventory&id", Handler: awsproto.Handle(s.getBucketInventoryConfiguration)},
			{Name: "PutBucketInventoryConfiguration", Action: "s3:PutInventoryConfiguration", HTTP: "PUT /{Bucket}?inventory&id", Handler: awsproto.Handle(s.putBucketInventoryConfiguration)},
			{Name: "DeleteBucketInventoryConfiguration", Action: "s3:PutInventoryConfiguration", HTTP: "DELETE /{Bucket}?inventory&id", Status: 204, Handler: awsproto.Handle(s.deleteBucketInventoryConfiguration)},
			{Name: "ListBucketInventoryConfigurations", Action: "s3:GetInventoryConfiguration", HTTP: "GET /{Bucket}?inventory", Handler: awsproto.Handle(s.listBucketInventoryConfigurations)},
			{Name: "GetBucketAnalyticsConfiguration", Action: "s3:GetAnalyticsConfiguration", HTTP: "GET /{Bucket}?analytics&id", Handler: awsproto.Handle(s.getBucketAnalyticsConfiguration)},
			{Name: "PutBucketAnalyticsConfiguration", Action: "s3:PutAnalyticsConfiguration", HTTP: "PUT /{Bucket}?analytics&id", Handler: awsproto.Handle(s.putBucketAnalyticsConfiguration)},
			{Name: "DeleteBucketAnalyticsConfiguration", Action: "s3:PutAnalyticsConfiguration", HTTP: "DELETE /{Bucket}?analytics&id", Status: 204, Handler: awsproto.Handle(s.deleteBucketAnalyticsConfiguration)},
			{Name: "ListBucketAnalyticsConfigurations", Action: "s3:GetAnalyticsConfiguration", HTTP: "GET /{Bucket}?analytics", Handler: awsproto.Handle(s.listBucketAnalyticsConfigurations)},
			{Name: "GetBucketMetricsConfiguration", Action: "s3:GetMetricsConfiguration", HTTP: "GET /{Bucket}?metrics&id", Handler: awsproto.Handle(s.getBucketMetricsConfiguration)},
			{Name: "PutBucketMetricsConfiguration", Action: "s3:PutMetricsConfiguration", HTTP: "PUT /{Bucket}?metrics&id", Handler: awsproto.Handle(s.putBucketMetricsConfiguration)},
			{Name: "DeleteBucketMetricsConfiguration", Action: "s3:PutMetricsConfiguration", HTTP: "DELETE /{Bucket}?metrics&id", Status: 204, Handler: awsproto.Handle(s.deleteBucketMetricsConfiguration)},
			{Name: "ListBucketMetricsConfigurations", Action: "s3:GetMetricsConfiguration", HTTP: "GET /{Bucket}?metrics", Handler: awsproto.Handle(s.listBucketMetricsConfigurations)},
			{Name: "GetBucketIntelligentTieringConfiguration", Action: "s3:GetIntelligentTieringConfiguration", HTTP: "GET /{Bucket}?intelligent-tiering&id", Handler: awsproto.Handle(s.getBucketIntelligentTieringConfiguration)},
			{Name: "PutBucketIntelligentTieringConfiguration", Action: "s3:PutIntelligentTieringConfiguration", HTTP: "PUT /{Bucket}?intelligent-tiering&id", Handler: awsproto.Handle(s.putBucketIntelligentTieringConfiguration)},
			{Name: "DeleteBucketIntelligentTieringConfiguration", Action: "s3:PutIntelligentTieringConfiguration", HTTP: "DELETE /{Bucket}?intelligent-tiering&id", Status: 204, Handler: awsproto.Handle(s.deleteBucketIntelligentTieringConfiguration)},
			{Name: "ListBucketIntelligentTieringConfigurations", Action: "s3:GetIntelligentTieringConfiguration", HTTP: "GET /{Bucket}?intelligent-tiering", Handler: awsproto.Handle(s.listBucketIntelligentTieringConfigurations)},
			{Name: "GetBucketVersioning", HTTP: "GET /{Bucket}?versioning", Handler: awsproto.Handle(s.getBucketVersioning)},
			{Name: "PutBucketVersioning", HTTP: "PUT /{Bucket}?versioning", Handler: awsproto.Handle(s.putBucketVersioning)},
			{Name: "GetBucketAcl", HTTP: "GET /{Bucket}?acl", Handler: awsproto.Handle(s.getBucketAcl)},
			{Name: "PutBucketAcl", HTTP: "PUT /{Bucket}?acl", Handler: awsproto.Handle(s.putBucketAcl)},
			{Name: "GetBucketPolicy", HTTP: "GET /{Bucket}?policy", Handler: awsproto.Handle(s.getBucketPolicy)},
			{Name: "PutBucketPolicy", HTTP: "PUT /{Bucket}?policy", Status: 204, Handler: awsproto.Handle(s.putBucketPolicy)},
			{Name: "DeleteBucketPolicy", HTTP: "DELETE /{Bucket}?policy", Status: 204, Handler: awsproto.Handle(s.deleteBucketPolicy)},
			{Name: "GetBucketNotificationConfiguration", Action: "s3:GetBucketNotification", HTTP: "GET /{Bucket}?notification", Handler: awsproto.Handle(s.getBucketNotificationConfiguration)},
			{Name: "PutBucketNotificationConfiguration", Action: "s3:PutBucketNotification", HTTP: "PUT /{Bucket}?notification", Handler: awsproto.Handle(s.putBucketNotificationConfiguration)},
			{Name: "GetBucketEncryption", Action: "s3:GetEncryptionConfiguration", HTTP: "GET /{Bucket}?encryption", Handler: awsproto.Handle(s.getBucketEncryption)},
			{Name: "PutBucketEncryption", Action: "s3:PutEncryptionConfiguration", HTTP: "PUT /{Bucket}?encryption", Handler: awsproto.Handle(s.putBucketEncryption)},
			{Name: "DeleteBucketEncryption", Action: "s3:PutEncryptionConfiguration", HTTP: "DELETE /{Bucket}?encryption", Status: 204, Handler: awsproto.Handle(s.deleteBucketEncryption)},
			{Name: "GetBucketCors", Action: "s3:GetBucketCORS", HTTP: "GET /{Bucket}?cors", Handler: awsproto.Handle(s.getBucketCors)},
			{Name: "PutBucketCors", Action: "s3:PutBucketCORS", HTTP: "PUT /{Bucket}?cors", Handler: awsproto.Handle(s.putBucketCors)},
			{Name: "DeleteBucketCors", Action: "s3:PutBucketCORS", HTTP: "DELETE /{Bucket}?cors", Status: 204, Handler: awsproto.Handle(s.deleteBucketCors)},
			{Name: "GetBucketLifecycleConfiguration", Action: "s3:GetLifecycleConfiguration", HTTP: "GET /{Bucket}?lifecycle", Handler: awsproto.Handle(s.getBucketLifecycleConfiguration)},
			{Name: "PutBucketLifecycleConfiguration", Action: "s3:PutLifecycleConfiguration", HTTP: "PUT /{Bucket}?lifecycle", Handler: awsproto.Handle(s.putBucketLifecycleConfiguration)},
			{Name: "DeleteBucketLifecycle", Action: "s3:PutLifecycleConfiguration", HTTP: "DELETE /{Bucket}?lifecycle", Status: 204, Handler: awsproto.Handle(s.deleteBucketLifecycle)},
			{Name: "GetBucketWebsite", Action: "s3:GetBucketWebsite", HTTP: "GET /{Bucket}?website", Handler: awsproto.Handle(s.getBucketWebsite)},
			{Name: "PutBucketWebsite", Action: "s3:PutBucketWebsite", HTTP: "PUT /{Bucket}?website", Handler: awsproto.Handle(s.putBucketWebsite)},
			{Name: "DeleteBucketWebsite", Action: "s3:DeleteBucketWebsite", HTTP: "DELETE /{Bucket}?website", Status: 204, Handler: awsproto.Handle(s.deleteBucketWebsite)},
			{Name: "GetPublicAccessBlock", Action: "s3:GetBucketPublicAccessBlock", HTTP: "GET /{Bucket}?publicAccessBlock", Handler: awsproto.Handle(s.getPublicAccessBlock)},
			{Name: "PutPublicAccessBlock", Action: "s3:PutBucketPublicAccessBlock", HTTP: "PUT /{Bucket}?publicAccessBlock", Handler: awsproto.Handle(s.putPublicAccessBlock)},
			{Name: "DeletePublicAccessBlock", Action: "s3:PutBucketPublicAccessBlock", HTTP: "DELETE /{Bucket}?publicAccessBlock", Status: 204, Handler: awsproto.Handle(s.deletePublicAccessBlock)},
			{Name: "GetBucketOwnershipControls", Action: "s3:GetBucketOwnershipControls", HTTP: "GET /{Bucket}?ownershipControls", Handler: awsproto.Handle(s.getBucketOwnershipControls)},
			{Name: "PutBucketOwnershipControls", Action: "s3:PutBucketOwnershipControls", HTTP: "PUT /{Bucket}?ownershipControls", Handler: awsproto.Handle(s.putBucketOwnershipControls)},
			{Name: "DeleteBucketOwnershipControls", Action: "s3:PutBucketOwnershipControls", HTTP: "DELETE /{Bucket}?ownershipControls", Status: 204, Handler: awsproto.Handle(s.deleteBucketOwnershipControls)},
			{Name: "GetBucketPolicyStatus", Action: "s3:GetBucketPolicyStatus", HTTP: "GET /{Bucket}?policyStatus", Handler: awsproto.Handle(s.getBucketPolicyStatus)},
			{Name: "ListObjectsV2", Action: "s3:ListBucket", HTTP: "GET /{Bucket}?list-type=2", Handler: awsproto.Handle(s.listObjectsV2)},
			{Name: "ListObjects", Action: "s3:ListBucket", HTTP: "GET /{Bucket}", Handler: awsproto.Handle(s.listObjects)},
			{Name: "ListObjectVersions", Action: "s3:ListBucketVersions", HTTP: "GET /{Bucket}?versions", Handler: awsproto.Handle(s.listObjectVersions)},
			{Name: "ListMultipartUploads", Action: "s3:ListBucketMultipartUploads", HTTP: "GET /{Bucket}?uploads", Handler: awsproto.Handle(s.listMultipartUploads)},
			{Name: "DeleteObjects", Action: "s3:DeleteObject", HTTP: "POST /{Bucket}?delete", Handler: awsproto.Handle(s.deleteObjects)},
			{Name: "PutObject", HTTP: "PUT /{Bucket}/{Key+}", StreamBody: true, Handler: awsproto.Handle(s.putObject)},
			{Name: "CopyObject", Action: "s3:PutObject", HTTP: "PUT /{Bucket}/{Key+}?x-id=CopyObject", Handler: awsproto.Handle(s.copyObject)},
			{Name: "GetObject", HTTP: "GET /{Bucket}/{Key+}", Handler: awsproto.Handle(s.getObject)},
			{Name: "HeadObject", Action: "s3:GetObject", HTTP: "HEAD /{Bucket}/{Key+}", Handler: awsproto.Handle(s.headObject)},
			{Name: "DeleteObject", HTTP: "DELETE /{Bucket}/{Key+}", Status: 204, Handler: awsproto.Handle(s.deleteObject)},
			{Name: "GetObjectAcl", HTTP: "GET /{Bucket}/{Key+}?acl", Handler: awsproto.Handle(s.getObjectAcl)},
			{Name: "PutObjectAcl", HTTP: "PUT /{Bucket}/{Key+}?acl", Handler: awsproto.Handle(s.putObjectAcl)},
			{Name: "GetObjectAttributes", HTTP: "GET /{Bucket}/{Key+}?attributes", Handler: awsproto.Handle(s.getObjectAttributes)},
			{Name: "GetObjectTagging", HTTP: "GET /{Bucket}/{Key+}?tagging", Handler: awsproto.Handle(s.getObjectTagging)},
			{Name: "PutObjectTagging", HTTP: "PUT /{Bucket}/{Key+}?tagging", Handler: awsproto.Handle(s.putObjectTagging)},
			{Name: "DeleteObjectTagging", HTTP: "DELETE /{Bucket}/{Key+}?tagging", Status: 204, Handler: awsproto.Handle(s.deleteObjectTagging)},
			{Name: "GetObjectRetention", HTTP: "GET /{Bucket}/{Key+}?retention", Handler: awsproto.Handle(s.getObjectRetention)},
			{Name: "PutObjectRetention", HTTP: "PUT /{Bucket}/{Key+}?retention", Handler: awsproto.Handle(s.putObjectRetention)},
			{Name: "GetObjectLegalHold", HTTP: "GET /{Bucket}/{Key+}?legal-hold", Handler: awsproto.Handle(s.getObjectLegalHold)},
			{Name: "PutObjectLegalHold", HTTP: "PUT /{Bucket}/{Key+}?legal-hold", Handler: awsproto.Handle(s.putObjectLegalHold)},
			{Name: "RestoreObject", HTTP: "POST /{Bucket}/{Key+}?restore", Handler: awsproto.Handle(s.restoreObject)},
			{Name: "CreateMultipartUpload", Action: "s3:PutObject", HTTP: "POST /{Bucket}/{Key+}?uploads", Handler: awsproto.Handle(s.createMultipartUpload)},
			{Name: "UploadPart", Action: "s3:PutObject", HTTP: "PUT /{Bucket}/{Key+}?partNumber&uploadId", StreamBody: true, Handler: awsproto.Handle(s.uploadPart)},
			{Name: "UploadPartCopy", Action: "s3:PutObject", HTTP: "PUT /{Bucket}/{Key+}?partNumber&uploadId&x-id=UploadPartCopy", Handler: awsproto.Handle(s.uploadPartCopy)},
			{Name: "CompleteMultipartUpload", Action: "s3:PutObject", HTTP: "POST /{Bucket}/{Key+}?uploadId", Handler: awsproto.Handle(s.completeMultipartUpload)},
			{Name: "AbortMultipartUpload", HTTP: "DELETE /{Bucket}/{Key+}?uploadId", Status: 204, Handler: awsproto.Handle(s.abortMultipartUpload)},
			{Name: "ListParts", Action: "s3:ListMultipartUploadParts", HTTP: "GET /{Bucket}/{Key+}?uploadId", Handler: awsproto.Handle(s.listParts)},
			// Browser form uploads (presigned POST): the signature is in
			// the form, not on the request.
			{Name: "PostObject", Action: "s3:PutObject", HTTP: "POST /{Bucket}", StreamBody: true, Anonymous: true, Handler: awsproto.Handle(s.postObject)},
			// Browsers' CORS preflights, which are never signed.
			{Name: "PreflightBucket", HTTP: "OPTIONS /{Bucket}", Anonymous: true, Handler: awsproto.Handle(s.preflight)},
			{Name: "PreflightObject", HTTP: "OPTIONS /{Bucket}/{Key+}", Anonymous: true, Handler: awsproto.Handle(s.preflightObject)},
		},
	}
	svc.Resources = s.resources
	svc.ResourcePolicy = s.resourcePolicy
	p.svc = svc
	p.exists = s.BucketExists
	p.cors = s.corsResponse
	return svc.Init()
}

// bufferedResponse keeps a response's body, for Encode to finish it.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *bufferedResponse) Header() http.Header { return r.header }

func (r *bufferedResponse) WriteHeader(status int) { r.status = status }

func (r *bufferedResponse) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}
