package restxml

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/apierr"
)

// A few S3 operations with their real bindings, enough to check that
// aws-sdk-go-v2's S3 client reads what restxml writes and writes what it
// reads.

const s3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/"

type createBucketConfiguration struct {
	LocationConstraint *string
}

type createBucketInput struct {
	Bucket *string                    `aws:"loc=uri,locname=Bucket,required"`
	ACL    *string                    `aws:"loc=header,locname=x-amz-acl"`
	Config *createBucketConfiguration `aws:"loc=payload,name=CreateBucketConfiguration"`
}

type createBucketOutput struct {
	Location *string `aws:"loc=header,locname=Location"`
}

type putObjectInput struct {
	Bucket      *string           `aws:"loc=uri,locname=Bucket,required"`
	Key         *string           `aws:"loc=uri,locname=Key,required,min=1"`
	ContentType *string           `aws:"loc=header,locname=Content-Type"`
	Metadata    map[string]string `aws:"loc=headers,locname=x-amz-meta-"`
	Body        io.ReadCloser     `aws:"loc=payload"`
}

type putObjectOutput struct {
	ETag *string `aws:"loc=header,locname=ETag"`
}

type getObjectInput struct {
	Bucket          *string    `aws:"loc=uri,locname=Bucket,required"`
	Key             *string    `aws:"loc=uri,locname=Key,required"`
	IfModifiedSince *time.Time `aws:"loc=header,locname=If-Modified-Since"`
	VersionID       *string    `aws:"loc=query,locname=versionId"`
}

type getObjectOutput struct {
	ContentLength *int64            `aws:"loc=header,locname=Content-Length"`
	ContentType   *string           `aws:"loc=header,locname=Content-Type"`
	ETag          *string           `aws:"loc=header,locname=ETag"`
	LastModified  *time.Time        `aws:"loc=header,locname=Last-Modified"`
	Metadata      map[string]string `aws:"loc=headers,locname=x-amz-meta-"`
	Body          io.ReadCloser     `aws:"loc=payload"`
}

type headObjectOutput struct {
	ContentLength *int64            `aws:"loc=header,locname=Content-Length"`
	ETag          *string           `aws:"loc=header,locname=ETag"`
	LastModified  *time.Time        `aws:"loc=header,locname=Last-Modified"`
	Metadata      map[string]string `aws:"loc=headers,locname=x-amz-meta-"`
}

type listObjectsV2Input struct {
	Bucket     *string `aws:"loc=uri,locname=Bucket,required"`
	Prefix     *string `aws:"loc=query,locname=prefix"`
	Delimiter  *string `aws:"loc=query,locname=delimiter"`
	MaxKeys    *int32  `aws:"loc=query,locname=max-keys"`
	StartAfter *string `aws:"loc=query,locname=start-after"`
}

type s3Object struct {
	Key          *string
	LastModified *time.Time
	ETag         *string
	Size         *int64
	StorageClass *string
}

type commonPrefix struct {
	Prefix *string
}

type listObjectsV2Output struct {
	_              struct{} `aws:"name=ListBucketResult"`
	Name           *string
	Prefix         *string
	Delimiter      *string
	MaxKeys        *int32
	KeyCount       *int32
	IsTruncated    *bool
	Contents       []s3Object     `aws:"flat"`
	CommonPrefixes []commonPrefix `aws:"flat"`
}

type s3Bucket struct {
	Name         *string
	CreationDate *time.Time
}

type s3Owner struct {
	DisplayName *string
	ID          *string
}

type listBucketsS3Output struct {
	_       struct{}   `aws:"name=ListAllMyBucketsResult"`
	Buckets []s3Bucket `aws:"member=Bucket"`
	Owner   *s3Owner
}

type objectIdentifier struct {
	Key       *string `aws:"required"`
	VersionID *string `aws:"name=VersionId"`
}

type deleteSpec struct {
	Objects []objectIdentifier `aws:"flat,name=Object,required"`
	Quiet   *bool
}

type deleteObjectsInput struct {
	Bucket *string     `aws:"loc=uri,locname=Bucket,required"`
	Delete *deleteSpec `aws:"loc=payload,name=Delete,required"`
}

type deletedObject struct {
	Key *string
}

type deleteError struct {
	Key     *string
	Code    *string
	Message *string
}

type deleteObjectsOutput struct {
	_       struct{}        `aws:"name=DeleteResult"`
	Deleted []deletedObject `aws:"flat"`
	Errors  []deleteError   `aws:"flat,name=Error"`
}

type s3Tag struct {
	Key   *string `aws:"required"`
	Value *string `aws:"required"`
}

type tagging struct {
	TagSet []s3Tag `aws:"member=Tag,required"`
}

type putBucketTaggingInput struct {
	Bucket  *string  `aws:"loc=uri,locname=Bucket,required"`
	Tagging *tagging `aws:"loc=payload,name=Tagging,xmlns=http://s3.amazonaws.com/doc/2006-03-01/,required"`
}

type bucketInput struct {
	Bucket *string `aws:"loc=uri,locname=Bucket,required"`
}

type getBucketTaggingOutput struct {
	_      struct{} `aws:"name=Tagging"`
	TagSet []s3Tag  `aws:"member=Tag"`
}

type noSuchBucketDetails struct {
	BucketName *string
}

type noSuchKeyDetails struct {
	Key *string
}

var (
	errNoSuchBucket = apierr.New("NoSuchBucket", 404, "The specified bucket does not exist")
	errNoSuchKey    = apierr.New("NoSuchKey", 404, "The specified key does not exist.")
)

type storedObject struct {
	data        []byte
	contentType string
	meta        map[string]string
	modified    time.Time
}

// fakeS3 keeps buckets in memory.
type fakeS3 struct {
	mu      sync.Mutex
	buckets map[string]map[string]storedObject
	tags    map[string][]s3Tag
	created time.Time
}

func (s *fakeS3) service() *awsproto.Service {
	return (&awsproto.Service{
		Name:     "s3",
		Protocol: New(s3Options()...),
		Operations: []awsproto.Operation{
			{Name: "ListBuckets", HTTP: "GET /", Handler: awsproto.Handle(s.listBuckets)},
			{Name: "CreateBucket", HTTP: "PUT /{Bucket}", Handler: awsproto.Handle(s.createBucket)},
			{Name: "ListObjectsV2", HTTP: "GET /{Bucket}?list-type=2", Handler: awsproto.Handle(s.listObjectsV2)},
			{Name: "PutObject", HTTP: "PUT /{Bucket}/{Key+}", Handler: awsproto.Handle(s.putObject)},
			{Name: "GetObject", HTTP: "GET /{Bucket}/{Key+}", Handler: awsproto.Handle(s.getObject)},
			{Name: "HeadObject", HTTP: "HEAD /{Bucket}/{Key+}", Handler: awsproto.Handle(s.headObject)},
			{Name: "DeleteObjects", HTTP: "POST /{Bucket}?delete", Handler: awsproto.Handle(s.deleteObjects)},
			{Name: "PutBucketTagging", HTTP: "PUT /{Bucket}?tagging", Status: 204, Handler: awsproto.Handle(s.putBucketTagging)},
			{Name: "GetBucketTagging", HTTP: "GET /{Bucket}?tagging", Handler: awsproto.Handle(s.getBucketTagging)},
		},
	}).Init()
}

func (s *fakeS3) bucket(name string) (map[string]storedObject, error) {
	b, ok := s.buckets[name]
	if !ok {
		return nil, errNoSuchBucket.WithDetails(&noSuchBucketDetails{BucketName: &name})
	}
	return b, nil
}

func (s *fakeS3) listBuckets(context.Context, *struct{}) (*listBucketsS3Output, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := &listBucketsS3Output{Owner: &s3Owner{ID: ptr("owner-id"), DisplayName: ptr("me")}}
	for name := range s.buckets {
		out.Buckets = append(out.Buckets, s3Bucket{Name: ptr(name), CreationDate: ptr(s.created)})
	}
	sort.Slice(out.Buckets, func(i, j int) bool { return *out.Buckets[i].Name < *out.Buckets[j].Name })
	return out, nil
}

func (s *fakeS3) createBucket(_ context.Context, in *createBucketInput) (*createBucketOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if in.Config == nil || aws.ToString(in.Config.LocationConstraint) != "eu-west-1" || aws.ToString(in.ACL) != "private" {
		return nil, apierr.New("InvalidArgument", 400, "test: missing configuration or ACL")
	}
	s.buckets[*in.Bucket] = map[string]storedObject{}
	return &createBucketOutput{Location: ptr("/" + *in.Bucket)}, nil
}

func (s *fakeS3) putObject(_ context.Context, in *putObjectInput) (*putObjectOutput, error) {
	data, err := io.ReadAll(in.Body)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.bucket(*in.Bucket)
	if err != nil {
		return nil, err
	}
	b[*in.Key] = storedObject{data: data, contentType: aws.ToString(in.ContentType), meta: in.Metadata, modified: s.created}
	return &putObjectOutput{ETag: ptr(`"etag-` + *in.Key + `"`)}, nil
}

func (s *fakeS3) find(bucket, key string) (storedObject, error) {
	b, err := s.bucket(bucket)
	if err != nil {
		return storedObject{}, err
	}
	o, ok := b[key]
	if !ok {
		return storedObject{}, errNoSuchKey.WithDetails(&noSuchKeyDetails{Key: &key})
	}
	return o, nil
}

func (s *fakeS3) getObject(_ context.Context, in *getObjectInput) (*getObjectOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.find(*in.Bucket, *in.Key)
	if err != nil {
		return nil, err
	}
	if in.IfModifiedSince != nil && !o.modified.After(*in.IfModifiedSince) {
		return nil, &apierr.Error{Code: "NotModified", Status: 304, Message: "Not Modified"}
	}
	return &getObjectOutput{ContentLength: ptr(int64(len(o.data))), ContentType: &o.contentType, ETag: ptr(`"etag-` + *in.Key + `"`),
		LastModified: &o.modified, Metadata: o.meta, Body: io.NopCloser(bytes.NewReader(o.data))}, nil
}

func (s *fakeS3) headObject(_ context.Context, in *getObjectInput) (*headObjectOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.find(*in.Bucket, *in.Key)
	if err != nil {
		return nil, err
	}
	return &headObjectOutput{ContentLength: ptr(int64(len(o.data))), ETag: ptr(`"etag-` + *in.Key + `"`),
		LastModified: &o.modified, Metadata: o.meta}, nil
}

func (s *fakeS3) listObjectsV2(_ context.Context, in *listObjectsV2Input) (*listObjectsV2Output, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.bucket(*in.Bucket)
	if err != nil {
		return nil, err
	}
	prefix, delim := aws.ToString(in.Prefix), aws.ToString(in.Delimiter)
	out := &listObjectsV2Output{Name: in.Bucket, Prefix: in.Prefix, Delimiter: in.Delimiter, MaxKeys: ptr[int32](1000), IsTruncated: ptr(false)}
	keys := make([]string, 0, len(b))
	for k := range b {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	seen := map[string]bool{}
	for _, k := range keys {
		if !strings.HasPrefix(k, prefix) {
			continue
		}
		if delim != "" {
			if i := strings.Index(k[len(prefix):], delim); i >= 0 {
				p := k[:len(prefix)+i+len(delim)]
				if !seen[p] {
					seen[p] = true
					out.CommonPrefixes = append(out.CommonPrefixes, commonPrefix{Prefix: ptr(p)})
				}
				continue
			}
		}
		o := b[k]
		out.Contents = append(out.Contents, s3Object{Key: ptr(k), LastModified: &o.modified, ETag: ptr(`"etag-` + k + `"`),
			Size: ptr(int64(len(o.data))), StorageClass: ptr("STANDARD")})
	}
	out.KeyCount = ptr(int32(len(out.Contents) + len(out.CommonPrefixes)))
	return out, nil
}

func (s *fakeS3) deleteObjects(_ context.Context, in *deleteObjectsInput) (*deleteObjectsOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.bucket(*in.Bucket)
	if err != nil {
		return nil, err
	}
	out := &deleteObjectsOutput{}
	for _, o := range in.Delete.Objects {
		if _, ok := b[*o.Key]; !ok {
			out.Errors = append(out.Errors, deleteError{Key: o.Key, Code: ptr("NoSuchKey"), Message: ptr("The specified key does not exist.")})
			continue
		}
		delete(b, *o.Key)
		out.Deleted = append(out.Deleted, deletedObject{Key: o.Key})
	}
	return out, nil
}

func (s *fakeS3) putBucketTagging(_ context.Context, in *putBucketTaggingInput) (*struct{}, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.bucket(*in.Bucket); err != nil {
		return nil, err
	}
	s.tags[*in.Bucket] = in.Tagging.TagSet
	return nil, nil
}

func (s *fakeS3) getBucketTagging(_ context.Context, in *bucketInput) (*getBucketTaggingOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.bucket(*in.Bucket); err != nil {
		return nil, err
	}
	return &getBucketTaggingOutput{TagSet: s.tags[*in.Bucket]}, nil
}

// handler serves svc as the edge would: read the body, start a call.
func handler(svc *awsproto.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		c := awsproto.NewCall(r, "REQID123", time.Now())
		c.Body = body
		svc.Serve(c, w)
	})
}

func TestS3SDK(t *testing.T) {
	t.Parallel()
	created := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	fake := &fakeS3{buckets: map[string]map[string]storedObject{}, tags: map[string][]s3Tag{}, created: created}
	srv := httptest.NewServer(handler(fake.service()))
	t.Cleanup(srv.Close)
	client := s3.New(s3.Options{
		Region:                     "us-east-1",
		BaseEndpoint:               aws.String(srv.URL),
		UsePathStyle:               true,
		Credentials:                credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		HTTPClient:                 srv.Client(),
		RetryMaxAttempts:           1,
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	})
	ctx := context.Background()
	apiCode := func(err error) string {
		var api smithy.APIError
		if errors.As(err, &api) {
			return api.ErrorCode()
		}
		return ""
	}

	// The subtests share the fake's state, so they run in order.
	t.Run("CreateBucket", func(t *testing.T) {
		out, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("photos"), ACL: types.BucketCannedACLPrivate,
			CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraintEuWest1}})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.Location) != "/photos" {
			t.Errorf("Location %q", aws.ToString(out.Location))
		}
	})

	t.Run("PutObject", func(t *testing.T) {
		for _, key := range []string{"2024/a b+c.jpg", "2024/x.txt", "top.txt"} {
			out, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("photos"), Key: aws.String(key),
				Body: bytes.NewReader([]byte("data of " + key)), ContentType: aws.String("text/plain"),
				Metadata: map[string]string{"Owner": "me", "kind": "test"}})
			if err != nil {
				t.Fatal(err)
			}
			if aws.ToString(out.ETag) != `"etag-`+key+`"` {
				t.Errorf("ETag %q", aws.ToString(out.ETag))
			}
		}
	})

	t.Run("GetObject", func(t *testing.T) {
		out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("photos"), Key: aws.String("2024/a b+c.jpg")})
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(out.Body)
		out.Body.Close()
		if string(data) != "data of 2024/a b+c.jpg" || aws.ToInt64(out.ContentLength) != int64(len(data)) ||
			aws.ToString(out.ContentType) != "text/plain" || !aws.ToTime(out.LastModified).Equal(created) {
			t.Errorf("decoded %q %+v", data, out)
		}
		if out.Metadata["owner"] != "me" || out.Metadata["kind"] != "test" {
			t.Errorf("metadata %v", out.Metadata)
		}
		_, err = client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("photos"), Key: aws.String("2024/a b+c.jpg"),
			IfModifiedSince: aws.Time(created)})
		if apiCode(err) != "NotModified" {
			t.Errorf("If-Modified-Since: %v", err)
		}
	})

	t.Run("NoSuchKey", func(t *testing.T) {
		_, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("photos"), Key: aws.String("missing")})
		var nsk *types.NoSuchKey
		if !errors.As(err, &nsk) || apiCode(err) != "NoSuchKey" || nsk.ErrorMessage() != "The specified key does not exist." {
			t.Errorf("err = %T %v", err, err)
		}
		// GetObject does not model NoSuchBucket: the client sees its code.
		_, err = client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("nobucket"), Key: aws.String("k")})
		var api smithy.APIError
		if !errors.As(err, &api) || api.ErrorCode() != "NoSuchBucket" || api.ErrorMessage() != "The specified bucket does not exist" {
			t.Errorf("err = %T %v", err, err)
		}
	})

	t.Run("HeadObject", func(t *testing.T) {
		out, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("photos"), Key: aws.String("top.txt")})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToInt64(out.ContentLength) != int64(len("data of top.txt")) || aws.ToString(out.ETag) != `"etag-top.txt"` ||
			out.Metadata["owner"] != "me" {
			t.Errorf("decoded %+v", out)
		}
		_, err = client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("photos"), Key: aws.String("missing")})
		var nf *types.NotFound
		if !errors.As(err, &nf) {
			t.Errorf("HEAD of a missing key: %T %v, want NotFound (from the status: HEAD errors have no body)", err, err)
		}
	})

	t.Run("ListObjectsV2", func(t *testing.T) {
		out, err := client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("photos"), Delimiter: aws.String("/")})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToInt32(out.KeyCount) != 2 || len(out.Contents) != 1 || aws.ToString(out.Contents[0].Key) != "top.txt" ||
			aws.ToInt64(out.Contents[0].Size) != 15 || !aws.ToTime(out.Contents[0].LastModified).Equal(created) ||
			out.Contents[0].StorageClass != types.ObjectStorageClassStandard ||
			len(out.CommonPrefixes) != 1 || aws.ToString(out.CommonPrefixes[0].Prefix) != "2024/" || aws.ToBool(out.IsTruncated) {
			t.Errorf("decoded %+v", out)
		}
		out, err = client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("photos"), Prefix: aws.String("2024/")})
		if err != nil || len(out.Contents) != 2 {
			t.Errorf("with a prefix: %+v, %v", out, err)
		}
	})

	t.Run("ListBuckets", func(t *testing.T) {
		out, err := client.ListBuckets(ctx, &s3.ListBucketsInput{})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Buckets) != 1 || aws.ToString(out.Buckets[0].Name) != "photos" || !aws.ToTime(out.Buckets[0].CreationDate).Equal(created) ||
			aws.ToString(out.Owner.ID) != "owner-id" {
			t.Errorf("decoded %+v", out)
		}
	})

	t.Run("tagging", func(t *testing.T) {
		_, err := client.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String("photos"),
			Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("team"), Value: aws.String("a&b")}, {Key: aws.String("env"), Value: aws.String("")}}}})
		if err != nil {
			t.Fatal(err)
		}
		out, err := client.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String("photos")})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.TagSet) != 2 || aws.ToString(out.TagSet[0].Value) != "a&b" || aws.ToString(out.TagSet[1].Key) != "env" {
			t.Errorf("decoded %+v", out.TagSet)
		}
	})

	t.Run("DeleteObjects", func(t *testing.T) {
		out, err := client.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("photos"), Delete: &types.Delete{
			Objects: []types.ObjectIdentifier{{Key: aws.String("top.txt")}, {Key: aws.String("missing")}}}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Deleted) != 1 || aws.ToString(out.Deleted[0].Key) != "top.txt" ||
			len(out.Errors) != 1 || aws.ToString(out.Errors[0].Code) != "NoSuchKey" {
			t.Errorf("decoded %+v", out)
		}
	})

	t.Run("method not allowed", func(t *testing.T) {
		_, err := client.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("photos")})
		if apiCode(err) != "MethodNotAllowed" {
			t.Errorf("err = %v", err)
		}
	})

	t.Run("undeclared operation", func(t *testing.T) {
		// GET /photos?acl has no route of its own, and neither has GET
		// /{Bucket}; PUT /{Bucket} has the path.
		_, err := client.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String("photos")})
		if apiCode(err) != "MethodNotAllowed" {
			t.Errorf("err = %v", err)
		}
	})
}
