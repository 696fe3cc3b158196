// Package querycompat serves a service that speaks awsQuery and newer
// protocols on one operation table (Smithy's awsQueryCompatible trait).
// SQS's current SDKs send awsJson 1.0 (X-Amz-Target:
// AmazonSQS.SendMessage); CloudWatch's send rpcv2Cbor (Smithy-Protocol:
// rpc-v2-cbor, aws-sdk-go-v2) or awsJson 1.0 (current botocore); older
// clients, such as the aws CLI and boto3 that Debian ships, still send
// awsQuery forms to both. Each request is answered in the protocol it was
// made in.
package querycompat

import (
	"net/http"
	"strings"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/awsproto/awsjson"
	"github.com/virga/virga/internal/awsproto/query"
	"github.com/virga/virga/internal/awsproto/rpcv2cbor"
)

// Protocol dispatches each call to CBOR, JSON or Query; a service may
// lack CBOR or JSON.
type Protocol struct {
	JSON  *awsjson.Protocol
	CBOR  *rpcv2cbor.Protocol
	Query *query.Protocol
}

var _ awsproto.Protocol = (*Protocol)(nil)

// New returns a protocol for a service with both forms. The JSON form is
// marked QueryCompatible, so its errors carry their awsQuery codes.
func New(j *awsjson.Protocol, q *query.Protocol) *Protocol {
	j.QueryCompatible = true
	return &Protocol{JSON: j, Query: q}
}

// NewCBOR returns a protocol for a service that speaks rpcv2Cbor, awsJson
// and awsQuery. The CBOR and JSON forms are marked QueryCompatible.
func NewCBOR(c *rpcv2cbor.Protocol, j *awsjson.Protocol, q *query.Protocol) *Protocol {
	c.QueryCompatible = true
	j.QueryCompatible = true
	return &Protocol{CBOR: c, JSON: j, Query: q}
}

// Name returns the primary protocol's name (awsJson's or rpcv2Cbor's).
func (p *Protocol) Name() string {
	if p.CBOR != nil {
		return p.CBOR.Name()
	}
	return p.JSON.Name()
}

// For returns the protocol r is made in: rpcv2Cbor when its
// Smithy-Protocol header says so, awsJson when it names an X-Amz-Target
// or sends an awsJson body, awsQuery otherwise.
func (p *Protocol) For(r *http.Request) awsproto.Protocol {
	if p.CBOR != nil && rpcv2cbor.Is(r) {
		return p.CBOR
	}
	if p.JSON != nil && (r.Header.Get("X-Amz-Target") != "" ||
		strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-amz-json-")) {
		return p.JSON
	}
	return p.Query
}

// Resolve finds the operation in the request's protocol.
func (p *Protocol) Resolve(c *awsproto.Call) error { return p.For(c.Request).Resolve(c) }

// Decode reads the input in the request's protocol.
func (p *Protocol) Decode(c *awsproto.Call, in any) error { return p.For(c.Request).Decode(c, in) }

// Encode writes the output in the request's protocol.
func (p *Protocol) Encode(c *awsproto.Call, w http.ResponseWriter, out any) {
	p.For(c.Request).Encode(c, w, out)
}

// EncodeError writes e in the request's protocol.
func (p *Protocol) EncodeError(c *awsproto.Call, w http.ResponseWriter, e *apierr.Error) {
	p.For(c.Request).EncodeError(c, w, e)
}
