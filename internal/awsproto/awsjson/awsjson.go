package awsjson

import (
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/awsproto/jsoncodec"
)

// Protocol is awsJson for one service.
type Protocol struct {
	// Version is "1.0" or "1.1".
	Version string
	// TargetPrefix is the part of X-Amz-Target before the operation's
	// name and the dot that ends it.
	TargetPrefix string
	// QualifiedTargetPrefix, when set, is a second prefix some clients
	// send: the model's fully qualified one, which botocore (the aws
	// CLI) sends for CloudTrail
	// ("com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101") where
	// the Go SDK sends "CloudTrail_20131101".
	QualifiedTargetPrefix string
	// ErrorNamespace, when set, prefixes __type in error bodies
	// ("com.amazonaws.dynamodb.v20120810#"), as some services do.
	ErrorNamespace string
	// QueryCompatible marks a service that also speaks awsQuery (Smithy's
	// awsQueryCompatible trait): errors carry their awsQuery code and
	// fault in the X-Amzn-Query-Error header, which SDKs report as the
	// error's code.
	QueryCompatible bool
	// CompressOver, when positive, compresses a response body longer
	// than this many bytes with gzip or deflate, as the request's
	// Accept-Encoding prefers (DynamoDB: over 4 KB).
	CompressOver int
	// CRC32 adds X-Amz-Crc32, the CRC-32 of the body as sent (compressed
	// or not), to every response with a body, as DynamoDB does.
	CRC32 bool
	// Server, when set, is the Server header of every response (DynamoDB
	// answers "Server").
	Server string

	contentType string
}

var _ awsproto.Protocol = (*Protocol)(nil)

// New returns the awsJson protocol of the given version for a service
// whose targets start with targetPrefix.
func New(version, targetPrefix string) *Protocol {
	return &Protocol{Version: version, TargetPrefix: targetPrefix, contentType: "application/x-amz-json-" + version}
}

// Name returns "awsJson1_0" or "awsJson1_1".
func (p *Protocol) Name() string { return "awsJson" + strings.ReplaceAll(p.Version, ".", "_") }

// Resolve finds the operation named by X-Amz-Target.
func (p *Protocol) Resolve(c *awsproto.Call) error {
	target := c.Request.Header.Get("X-Amz-Target")
	prefix := TargetPrefixOf(target)
	name, ok := strings.CutPrefix(target, prefix+".")
	if !ok || (prefix != p.TargetPrefix && (p.QualifiedTargetPrefix == "" || prefix != p.QualifiedTargetPrefix)) ||
		c.Service.Operation(name) == nil {
		return apierr.ErrUnknownOperation.WithMessage("")
	}
	if c.Request.Method != http.MethodPost {
		return apierr.ErrUnknownOperation.WithMessage("")
	}
	c.Op = c.Service.Operation(name)
	return nil
}

// TargetPrefixOf returns the prefix of an X-Amz-Target value: what
// precedes its last dot (operation names have none), or the whole value
// when it has no dot.
func TargetPrefixOf(target string) string {
	if i := strings.LastIndexByte(target, '.'); i >= 0 {
		return target[:i]
	}
	return target
}

// Decode reads the JSON body, inflated first if it is gzip-compressed,
// into in.
func (p *Protocol) Decode(c *awsproto.Call, in any) error {
	if err := awsproto.Inflate(c); err != nil {
		return err
	}
	if err := jsoncodec.Unmarshal(c.Body, in); err != nil {
		return apierr.ErrSerialization.WithMessage(err.Error())
	}
	return nil
}

// bodies recycles response buffers: a Query page is tens of KB, and
// growing a fresh buffer to that size for every response showed in
// profiles.
var bodies = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// maxPooledBody keeps unusually large buffers out of the pool.
const maxPooledBody = 1 << 20

// Encode writes out as the JSON body.
func (p *Protocol) Encode(c *awsproto.Call, w http.ResponseWriter, out any) {
	if _, ok := out.(*awsproto.NoBody); ok {
		w.Header().Set("Content-Type", p.contentType)
		p.writeBody(c.Request, w, c.Status, nil)
		return
	}
	bp := bodies.Get().(*[]byte)
	body := jsoncodec.Marshal((*bp)[:0], out)
	w.Header().Set("Content-Type", p.contentType)
	p.writeBody(c.Request, w, c.Status, body)
	if cap(body) <= maxPooledBody {
		*bp = body[:0]
		bodies.Put(bp)
	}
}

// EncodeError writes e as {"__type": ..., "message": ...}.
func (p *Protocol) EncodeError(c *awsproto.Call, w http.ResponseWriter, e *apierr.Error) {
	if p.QueryCompatible {
		fault := "Sender"
		if e.Fault {
			fault = "Receiver"
		}
		w.Header().Set("X-Amzn-Query-Error", e.CodeForQuery()+";"+fault)
	}
	setErrorHeaders(w, p.contentType, e)
	var r *http.Request
	if c != nil {
		r = c.Request
	}
	p.writeBody(r, w, e.Status, appendError(make([]byte, 0, 128), p.ErrorNamespace, e))
}

// WriteError writes e in the awsJson error shape. It is shared with code
// that answers before a service is known (the edge's routing errors).
func WriteError(w http.ResponseWriter, contentType, namespace string, e *apierr.Error) {
	body := appendError(make([]byte, 0, 128), namespace, e)
	setErrorHeaders(w, contentType, e)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(e.Status)
	w.Write(body)
}

// appendError appends e's awsJson error body.
func appendError(body []byte, namespace string, e *apierr.Error) []byte {
	body = append(body, `{"__type":`...)
	body = jsoncodec.AppendString(body, namespace+e.Code)
	if e.Details != nil {
		// Details' members go beside __type and message.
		d := jsoncodec.Marshal(nil, e.Details)
		if len(d) > 2 {
			body = append(body, ',')
			body = append(body, d[1:len(d)-1]...)
		}
	}
	if e.Message != "" {
		body = append(body, `,"message":`...)
		body = jsoncodec.AppendString(body, e.Message)
	}
	return append(body, '}')
}

// setErrorHeaders sets an error response's headers but its length.
func setErrorHeaders(w http.ResponseWriter, contentType string, e *apierr.Error) {
	h := w.Header()
	for k, v := range e.Headers {
		h.Set(k, v)
	}
	h.Set("Content-Type", contentType)
	h.Set("X-Amzn-ErrorType", e.Code)
}
