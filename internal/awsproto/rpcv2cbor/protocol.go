package rpcv2cbor

import (
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/awsproto/jsoncodec"
)

// Header values of the protocol.
const (
	// HeaderProtocol names the protocol on requests and responses.
	HeaderProtocol = "Smithy-Protocol"
	// ProtocolID is HeaderProtocol's value.
	ProtocolID = "rpc-v2-cbor"
	// ContentType is the media type of every body.
	ContentType = "application/cbor"
)

// Protocol is rpcv2Cbor for one service.
type Protocol struct {
	// ServiceName is the service shape's name, the {ServiceName} of the
	// request path ("GraniteServiceVersion20100801" for CloudWatch).
	ServiceName string
	// ErrorNamespace prefixes an error's code in __type: the namespace of
	// the service's shape ids, with its "#" ("com.amazonaws.cloudwatch#").
	ErrorNamespace string
	// QueryCompatible marks a service that also speaks awsQuery (Smithy's
	// awsQueryCompatible trait): errors carry their awsQuery code and
	// fault in the X-Amzn-Query-Error header.
	QueryCompatible bool
}

var _ awsproto.Protocol = (*Protocol)(nil)

// New returns rpcv2Cbor for the service shape named serviceName, whose
// shape ids are in namespace ("com.amazonaws.cloudwatch").
func New(serviceName, namespace string) *Protocol {
	return &Protocol{ServiceName: serviceName, ErrorNamespace: namespace + "#"}
}

// Name returns "rpcv2Cbor".
func (p *Protocol) Name() string { return "rpcv2Cbor" }

// Is reports whether r is made in rpcv2Cbor: the protocol's header names
// it.
func Is(r *http.Request) bool { return r.Header.Get(HeaderProtocol) == ProtocolID }

// Resolve finds the operation the request path names. As the protocol
// claims requests, the path's last four segments are
// service/{ServiceName}/operation/{Operation}, whatever prefix comes
// before them; ServiceName may also be the service's absolute shape id
// with "." for "#"; and a request with an X-Amz-Target or X-Amzn-Target
// header is refused.
func (p *Protocol) Resolve(c *awsproto.Call) error {
	r := c.Request
	segs := strings.Split(strings.TrimSuffix(r.URL.Path, "/"), "/")
	if len(segs) < 5 || r.Method != http.MethodPost || !Is(r) ||
		r.Header.Get("X-Amz-Target") != "" || r.Header.Get("X-Amzn-Target") != "" {
		return apierr.ErrUnknownOperation.WithMessage("")
	}
	segs = segs[len(segs)-4:]
	svc, op := segs[1], segs[3]
	if segs[0] != "service" || segs[2] != "operation" ||
		svc != p.ServiceName && svc != strings.TrimSuffix(p.ErrorNamespace, "#")+"."+p.ServiceName {
		return apierr.ErrUnknownOperation.WithMessage("")
	}
	o := c.Service.Operation(op)
	if o == nil {
		return apierr.ErrUnknownOperation.WithMessage("")
	}
	c.Op = o
	return nil
}

// Decode reads the CBOR body, inflated if it is gzip-compressed, into
// in. An empty body is an empty input.
func (p *Protocol) Decode(c *awsproto.Call, in any) error {
	if err := awsproto.Inflate(c); err != nil {
		return err
	}
	if len(c.Body) == 0 {
		return nil
	}
	if mt, _, err := mime.ParseMediaType(c.Request.Header.Get("Content-Type")); err != nil || mt != ContentType {
		return apierr.ErrSerialization.WithMessage("Content-Type must be " + ContentType)
	}
	doc, err := Decode(c.Body)
	if err != nil {
		return apierr.ErrSerialization.WithMessage(err.Error())
	}
	if _, ok := doc.(map[string]any); !ok && doc != nil {
		return apierr.ErrSerialization.WithMessage("the input is not a CBOR map")
	}
	if err := jsoncodec.UnmarshalValue(doc, in); err != nil {
		return apierr.ErrSerialization.WithMessage(err.Error())
	}
	return nil
}

// Encode writes out as a CBOR map.
func (p *Protocol) Encode(c *awsproto.Call, w http.ResponseWriter, out any) {
	body := Marshal(make([]byte, 0, 512), out)
	h := w.Header()
	h.Set(HeaderProtocol, ProtocolID)
	h.Set("Content-Type", ContentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(c.Status)
	w.Write(body)
}

// EncodeError writes e as the map {"__type": ..., "message": ...}, with
// the members of its details beside them.
func (p *Protocol) EncodeError(c *awsproto.Call, w http.ResponseWriter, e *apierr.Error) {
	h := w.Header()
	if p.QueryCompatible {
		fault := "Sender"
		if e.Fault {
			fault = "Receiver"
		}
		h.Set("X-Amzn-Query-Error", e.CodeForQuery()+";"+fault)
	}
	WriteError(w, p.ErrorNamespace, e)
}

// WriteError writes e in the rpcv2Cbor error shape.
func WriteError(w http.ResponseWriter, namespace string, e *apierr.Error) {
	var details []byte
	n := 1
	if e.Details != nil {
		// Details' members go beside __type and message.
		d := Marshal(nil, e.Details)
		dec := decoder{data: d}
		if m, _, count, ind, err := dec.head(); err == nil && m == majorMap && !ind {
			n += int(count)
			details = d[dec.pos:]
		}
	}
	if e.Message != "" {
		n++
	}
	body := AppendMapHead(make([]byte, 0, 128), n)
	body = AppendText(body, "__type")
	body = AppendText(body, namespace+e.Code)
	body = append(body, details...)
	if e.Message != "" {
		body = AppendText(body, "message")
		body = AppendText(body, e.Message)
	}
	h := w.Header()
	for k, v := range e.Headers {
		h.Set(k, v)
	}
	h.Set(HeaderProtocol, ProtocolID)
	h.Set("Content-Type", ContentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(e.Status)
	w.Write(body)
}
