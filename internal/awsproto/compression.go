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
// as CloudWatch's PutMetricData) with its content, once: it drops gzip
// from the request's Content-Encoding. Protocols whose operations may be
// compressed call it before they read the body.
func Inflate(c *Call) error {
	h := c.Request.Header
	enc := h.Get("Content-Encoding")
	if enc == "" || len(c.Body) == 0 {
		return nil
	}
	var rest []string
	gz := false
	for _, e := range strings.Split(enc, ",") {
		if e = strings.TrimSpace(e); strings.EqualFold(e, "gzip") {
			gz = true
		} else if e != "" {
			rest = append(rest, e)
		}
	}
	if !gz {
		return nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(c.Body))
	if err != nil {
		return apierr.ErrSerialization.WithMessage("The request body is not valid gzip: " + err.Error())
	}
	// The service's own limit bounds the inflated body as it bounds a
	// plain one (CloudWatch's PutMetricData: 1 MB).
	limit := int64(MaxDecompressedBody)
	if c.Service != nil && c.Service.MaxBodyBytes > 0 && c.Service.MaxBodyBytes < limit {
		limit = c.Service.MaxBodyBytes
	}
	body, err := io.ReadAll(io.LimitReader(zr, limit+1))
	if err != nil {
		return apierr.ErrSerialization.WithMessage("The request body is not valid gzip: " + err.Error())
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
