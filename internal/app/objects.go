package app

import (
	"context"
	"io"
	"net/http"

	"github.com/virga/virga/internal/events"
	"github.com/virga/virga/internal/pipes"
	"github.com/virga/virga/internal/s3"
)

// objects reads S3 objects for the services that take S3 locations
// (Lambda's Code.S3Bucket, CloudFormation's TemplateURL). S3 is built
// after them, so it is looked up at each call.
type objects struct{ a *App }

func (o objects) Object(ctx context.Context, bucket, key, versionID string) (io.ReadCloser, int64, error) {
	if o.a.buckets == nil {
		return nil, 0, s3.ErrNoSuchBucket
	}
	return o.a.buckets.Object(ctx, bucket, key, versionID)
}

// PutObject stores an object as a service writing to a bucket does
// (Step Functions' ResultWriter).
func (o objects) PutObject(ctx context.Context, bucket, key string, body []byte, contentType string) error {
	if o.a.buckets == nil {
		return s3.ErrNoSuchBucket
	}
	return o.a.buckets.PutObjectBytes(ctx, bucket, key, body, contentType)
}

// ObjectKeys lists a bucket's keys under a prefix (DynamoDB's imports).
func (o objects) ObjectKeys(ctx context.Context, bucket, prefix string) ([]string, error) {
	if o.a.buckets == nil {
		return nil, s3.ErrNoSuchBucket
	}
	return o.a.buckets.ObjectKeys(ctx, bucket, prefix)
}

// BucketExists reports whether a bucket exists (DynamoDB's exports).
func (o objects) BucketExists(name string) bool {
	return o.a.buckets != nil && o.a.buckets.BucketExists(name)
}

// restStages serves REST API stages to EventBridge's API Gateway
// targets. API Gateway is built after EventBridge, so it is looked up at
// each call.
type restStages struct{ a *App }

func (r restStages) Handler(apiID string) http.Handler {
	if r.a.restAPIs == nil {
		return nil
	}
	return r.a.restAPIs.Handler(apiID)
}

// pipesHTTP lets EventBridge Pipes reach API destinations and API
// Gateway REST APIs through EventBridge's one mechanism for them.
type pipesHTTP struct{ bus *events.Service }

func (p pipesHTTP) CallHTTP(ctx context.Context, arn string, hp *pipes.PipeTargetHttpParameters, body []byte) ([]byte, error) {
	var params *events.HttpParameters
	if hp != nil {
		params = &events.HttpParameters{HeaderParameters: hp.HeaderParameters, PathParameterValues: hp.PathParameterValues,
			QueryStringParameters: hp.QueryStringParameters}
	}
	return p.bus.CallHTTP(ctx, arn, params, body)
}
