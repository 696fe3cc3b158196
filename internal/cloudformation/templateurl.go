package cloudformation

import (
	"context"
	"fmt"
	"io"
	"net/url"

	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/s3url"
)

// Limits on a template's size, from CloudFormation's quotas: "Template
// body size in a request: 51,200 bytes" and "Template body size in an
// Amazon S3 object: 1 MB", which the service counts as 1,000,000 bytes
// ("Template may not exceed 1000000 bytes in size.").
const (
	maxTemplateBody = 51200
	maxTemplateURL  = 1000000
)

// Objects reads objects from virga's S3, as CloudFormation reads a
// TemplateURL. Errors are S3's (*apierr.Error with S3's code and
// message).
type Objects interface {
	Object(ctx context.Context, bucket, key, versionID string) (io.ReadCloser, int64, error)
}

// body returns a request's template: its TemplateBody, or the object
// its TemplateURL names in virga's S3.
func (s *Service) body(ctx context.Context, b, u *string) (string, error) {
	if b != nil && *b != "" && u != nil && *u != "" {
		return "", ErrValidation.WithMessage("You cannot specify both Template URL and Template Body.")
	}
	if b != nil && *b != "" {
		if len(*b) > maxTemplateBody {
			return "", ErrValidation.Withf("1 validation error detected: Value '%s' at 'templateBody' failed to satisfy constraint: "+
				"Member must have length less than or equal to %d", *b, maxTemplateBody)
		}
		return *b, nil
	}
	if u != nil && *u != "" {
		return s.fetchTemplate(ctx, *u)
	}
	return "", ErrValidation.WithMessage("Either Template URL or Template Body must be specified.")
}

// fetchTemplate reads the template a TemplateURL names, answering as
// CloudFormation does: "TemplateURL must be an Amazon S3 URL." for a URL
// that is not S3's (or virga's), "S3 error: " and S3's message for an
// object it cannot read.
func (s *Service) fetchTemplate(ctx context.Context, raw string) (string, error) {
	obj, err := s3url.Parse(raw, s.localHosts()...)
	if err != nil {
		return "", ErrValidation.WithMessage("TemplateURL must be an Amazon S3 URL.")
	}
	data, err := s.readObject(ctx, obj, maxTemplateURL)
	if err != nil {
		return "", err
	}
	return string(data), nil
}

// errTooLarge is what readObject returns for an object over its limit.
var errTooLarge = ErrValidation.Withf("Template may not exceed %d bytes in size.", maxTemplateURL)

// readObject reads an object of at most limit bytes; S3's refusals become
// ValidationErrors "S3 error: MESSAGE".
func (s *Service) readObject(ctx context.Context, obj s3url.Object, limit int64) ([]byte, error) {
	if s.d.Objects == nil {
		return nil, ErrValidation.WithMessage("S3 error: The specified bucket does not exist")
	}
	rc, size, err := s.d.Objects.Object(ctx, obj.Bucket, obj.Key, obj.VersionID)
	if err != nil {
		if e := apierr.As(err); e != nil && e.Status < 500 {
			return nil, ErrValidation.WithMessage("S3 error: " + e.Message)
		}
		return nil, err
	}
	defer rc.Close()
	if size > limit {
		return nil, errTooLarge
	}
	data, err := io.ReadAll(io.LimitReader(rc, size))
	if err != nil {
		return nil, fmt.Errorf("reading s3://%s/%s: %w", obj.Bucket, obj.Key, err)
	}
	return data, nil
}

// localHosts are the host names of virga's own endpoint, which
// TemplateURLs may name (`aws cloudformation package` and `deploy
// --s3-bucket` write URLs on the S3 endpoint they uploaded to).
func (s *Service) localHosts() []string {
	if s.d.Endpoint == nil {
		return nil
	}
	u, err := url.Parse(s.d.Endpoint())
	if err != nil || u.Hostname() == "" {
		return nil
	}
	return []string{u.Hostname()}
}
