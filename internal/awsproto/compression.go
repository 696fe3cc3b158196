package awsproto

import (
	"bytes"
	"compress/gzip"
	"io"
	"strings"

	"github.com/virga/virga/internal/awsproto/apierr"
)

// MaxDecompressedBody bounds a gzip-compressed request body once
// inflated, for services whose MaxBodyBytes is larger.
const MaxDecompressedBody = DefaultMaxBody

// Inflate replaces a gzip-compressed body (Content-Encoding: gzip, which
// SDKs send for operations with Smithy's requestCompression trait, such
// as CloudWatch's PutMetricData and DynamoDB's operations) with its
// content, once: it drops gzip from the request's Content-Encoding.
// Several gzip members one after another are one body, as gzip allows.
// Protocols whose operations may be compressed call it before they read
// the body. A service with a BadContentEncoding error refuses, with it,
// an encoding other than gzip and a body that is not valid gzip.
func Inflate(c *Call) error {
	h := c.Request.Header
	enc := h.Get("Content-Encoding")
	if enc == "" {
		return nil
	}
	var strict *apierr.Error
	if c.Service != nil {
		strict = c.Service.BadContentEncoding
	}
	broken := func(err error) error {
		if strict != nil {
			return strict
		}
		return apierr.ErrSerialization.WithMessage("The request body is not valid gzip: " + err.Error())
	}
	var rest []string
	gz := false
	for _, e := range strings.Split(enc, ",") {
		switch e = strings.TrimSpace(e); {
		case strings.EqualFold(e, "gzip"):
			gz = true
		case (strings.EqualFold(e, "identity") || strings.EqualFold(e, "amz-1.0")) && strict != nil:
			// No encoding at all; amz-1.0 is what older clients of
			// the JSON protocols send with a plain body.
		case e != "":
			if strict != nil {
				return strict
			}
			rest = append(rest, e)
		}
	}
	if !gz || (len(c.Body) == 0 && strict == nil) {
		return nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(c.Body))
	if err != nil {
		return broken(err)
	}
	// The service's own limit bounds the inflated body as it bounds a
	// plain one (CloudWatch's PutMetricData: 1 MB).
	limit := int64(MaxDecompressedBody)
	if c.Service != nil && c.Service.MaxBodyBytes > 0 && c.Service.MaxBodyBytes < limit {
		limit = c.Service.MaxBodyBytes
	}
	body, err := io.ReadAll(io.LimitReader(zr, limit+1))
	if err != nil {
		return broken(err)
	}
	if int64(len(body)) > limit {
		return apierr.New("RequestEntityTooLarge", 413, "Request size exceeded the maximum allowed size once decompressed.")
	}
	c.Body = body
	if len(rest) == 0 {
		h.Del("Content-Encoding")
	} else {
		h.Set("Content-Encoding", strings.Join(rest, ", "))
	}
	return nil
}
