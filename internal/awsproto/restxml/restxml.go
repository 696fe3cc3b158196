package restxml

import (
	"bytes"
	"io"
	"net/http"
	"reflect"
	"strings"
	"sync"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/awsproto/httpbinding"
	"github.com/virga/virga/internal/awsproto/shape"
	"github.com/virga/virga/internal/awsproto/xmlcodec"
)

// Protocol is restXml for one service.
type Protocol struct {
	namespace        string
	noErrorWrapping  bool
	contentType      string
	unknownOperation *apierr.Error
	methodNotAllowed *apierr.Error
	malformedXML     *apierr.Error
	invalidArgument  *apierr.Error
	routes           *httpbinding.Routes
}

var _ awsproto.Protocol = (*Protocol)(nil)

// Option configures a Protocol.
type Option func(*Protocol)

// WithNamespace sets the XML namespace of response root elements that do
// not name their own (S3: "http://s3.amazonaws.com/doc/2006-03-01/"), and
// of wrapped error responses.
func WithNamespace(uri string) Option { return func(p *Protocol) { p.namespace = uri } }

// WithNoErrorWrapping writes errors as S3 does, <Error>…</Error> with the
// request id inside, instead of <ErrorResponse><Error>…</Error>….
func WithNoErrorWrapping() Option { return func(p *Protocol) { p.noErrorWrapping = true } }

// WithContentType sets the Content-Type of XML responses (default
// application/xml; Route 53 answers text/xml).
func WithContentType(ct string) Option { return func(p *Protocol) { p.contentType = ct } }

// WithUnknownOperation sets the error for a request no route matches
// (UnknownOperationException, 404, by default).
func WithUnknownOperation(e *apierr.Error) Option {
	return func(p *Protocol) { p.unknownOperation = e }
}

// WithMethodNotAllowed sets the error for a request whose path and query
// match a route of another method (S3: MethodNotAllowed, 405). By default
// it is the unknown operation error.
func WithMethodNotAllowed(e *apierr.Error) Option {
	return func(p *Protocol) { p.methodNotAllowed = e }
}

// WithMalformedXML sets the error for a body that is not well-formed XML
// or has a member of the wrong type (S3: MalformedXML, 400). Its message
// is replaced by what is wrong unless it has one of its own. By default
// it is SerializationException.
func WithMalformedXML(e *apierr.Error) Option { return func(p *Protocol) { p.malformedXML = e } }

// WithInvalidArgument sets the error for a URI label, query parameter or
// header of the wrong type (S3: InvalidArgument, 400). Its message is
// replaced by what is wrong. By default it is SerializationException.
func WithInvalidArgument(e *apierr.Error) Option {
	return func(p *Protocol) { p.invalidArgument = e }
}

// ErrUnknownOperation is the default answer to a request that matches no
// route.
var ErrUnknownOperation = &apierr.Error{Code: "UnknownOperationException", Status: http.StatusNotFound}

// New returns the restXml protocol with the given options.
func New(opts ...Option) *Protocol {
	p := &Protocol{
		contentType:      "application/xml",
		unknownOperation: ErrUnknownOperation,
		malformedXML:     apierr.ErrSerialization,
		invalidArgument:  apierr.ErrSerialization,
	}
	for _, o := range opts {
		o(p)
	}
	if p.methodNotAllowed == nil {
		p.methodNotAllowed = p.unknownOperation
	}
	return p
}

// Name returns "restXml".
func (p *Protocol) Name() string { return "restXml" }

// Init compiles the service's routes and checks its output shapes' root
// tags. Service.Init calls it; it panics on a malformed operation table,
// or when the protocol already serves another service.
func (p *Protocol) Init(s *awsproto.Service) {
	if p.routes != nil && p.routes.Service() != s {
		panic("restxml: a Protocol serves one service; call New for each")
	}
	p.routes = httpbinding.Compile(s)
	for i := range s.Operations {
		out := s.Operations[i].Handler.OutputType()
		rootOf(out)
		if f := httpbinding.PlanOf(out).Payload; f != nil && f.Shape.Kind == shape.Structure {
			rootOf(f.Type)
		}
	}
}

// Resolve finds the operation the request's method, path and query are
// bound to.
func (p *Protocol) Resolve(c *awsproto.Call) error {
	if p.routes == nil {
		return p.unknownOperation
	}
	switch p.routes.Resolve(c) {
	case httpbinding.Matched:
		return nil
	case httpbinding.MethodNotAllowed:
		return p.methodNotAllowed
	}
	return p.unknownOperation
}

// Decode fills in from the URI labels, query, headers and XML body.
func (p *Protocol) Decode(c *awsproto.Call, in any) error {
	v := reflect.ValueOf(in).Elem()
	target, err := httpbinding.DecodeRequest(c.Request, c.Body, c.Params, v)
	if err != nil {
		return p.invalidArgument.WithMessage(err.Error())
	}
	if c.BodyStream != nil {
		// The edge left the body unread: the stream payload reads it.
		if f := httpbinding.PlanOf(v.Type()).Payload; f != nil && f.Shape.Kind == shape.Stream {
			v.Field(f.Index).Set(reflect.ValueOf(io.NopCloser(c.BodyStream)))
		}
	}
	if !target.IsValid() {
		return nil
	}
	if err := xmlcodec.Unmarshal(c.Body, target.Addr().Interface()); err != nil {
		if p.malformedXML.Message != "" {
			return p.malformedXML
		}
		return p.malformedXML.WithMessage(err.Error())
	}
	return nil
}

// Encode writes out: its status, its headers, and its payload or XML body.
func (p *Protocol) Encode(c *awsproto.Call, w http.ResponseWriter, out any) {
	rv, plan := httpbinding.Value(out)
	status := httpbinding.WriteHeaders(w.Header(), rv, plan, c.Status)
	c.Status = status // a status member overrides the operation's, for the request log too
	method := c.Request.Method
	if f := plan.Payload; f != nil {
		fv := rv.Field(f.Index)
		if httpbinding.WriteRawPayload(w, method, status, fv, f) {
			return
		}
		v, ok := httpbinding.Present(fv)
		if !ok {
			httpbinding.Write(w, method, status, "", nil)
			return
		}
		r := rootOf(v.Type())
		name, ns := f.XMLName, f.XMLNamespace
		if r.name != "" && f.XMLName == f.GoName {
			name = r.name
		}
		if ns == "" {
			ns = r.namespace
		}
		httpbinding.Write(w, method, status, p.contentType, p.document(name, ns, v))
		return
	}
	if !plan.HasBody {
		httpbinding.Write(w, method, status, "", nil)
		return
	}
	r := rootOf(rv.Type())
	name := r.name
	if name == "" {
		name = rv.Type().Name()
	}
	httpbinding.Write(w, method, status, p.contentType, p.document(name, r.namespace, rv))
}

const xmlHeader = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"

// document renders the structure v as an XML document whose root element
// is name, in namespace ns (or the protocol's).
func (p *Protocol) document(name, ns string, v reflect.Value) []byte {
	if ns == "" {
		ns = p.namespace
	}
	var b bytes.Buffer
	b.WriteString(xmlHeader)
	b.WriteByte('<')
	b.WriteString(name)
	if ns != "" {
		b.WriteString(` xmlns="`)
		xmlcodec.Escape(&b, ns)
		b.WriteByte('"')
	}
	writeAttributes(&b, v)
	b.WriteByte('>')
	xmlcodec.WriteMembers(&b, v.Interface())
	b.WriteString("</")
	b.WriteString(name)
	b.WriteString(">")
	return b.Bytes()
}

// writeAttributes writes the root's attribute members.
func writeAttributes(b *bytes.Buffer, v reflect.Value) {
	t := shape.Of(v.Type())
	for _, f := range t.Fields {
		if !f.XMLAttribute || f.Loc != shape.Body {
			continue
		}
		fv, ok := httpbinding.Present(v.Field(f.Index))
		if !ok {
			continue
		}
		format := shape.ISO8601
		if f.TimestampFormat != "" {
			format = f.TimestampFormat
		}
		b.WriteByte(' ')
		b.WriteString(f.XMLName)
		b.WriteString(`="`)
		xmlcodec.Escape(b, shape.Text(fv, f.Shape, format))
		b.WriteByte('"')
	}
}

// EncodeError writes e in the protocol's error shape.
func (p *Protocol) EncodeError(c *awsproto.Call, w http.ResponseWriter, e *apierr.Error) {
	WriteError(w, c.Request.Method, c.RequestID, p.namespace, p.contentType, p.noErrorWrapping, e)
}

// WriteError writes e in the restXml error shape: wrapped in
// <ErrorResponse> (in namespace ns) unless noWrapping. It is shared with
// code that answers before a call is resolved.
func WriteError(w http.ResponseWriter, method, requestID, ns, contentType string, noWrapping bool, e *apierr.Error) {
	h := w.Header()
	for k, v := range e.Headers {
		h.Set(k, v)
	}
	var details reflect.Value
	if e.Details != nil {
		var plan *httpbinding.Plan
		details, plan = httpbinding.Value(e.Details)
		httpbinding.WriteHeaders(h, details, plan, 0)
	}
	var b bytes.Buffer
	b.WriteString(xmlHeader)
	if noWrapping {
		b.WriteString("<Error>")
	} else {
		b.WriteString("<ErrorResponse")
		if ns != "" {
			b.WriteString(` xmlns="`)
			xmlcodec.Escape(&b, ns)
			b.WriteByte('"')
		}
		b.WriteString("><Error><Type>")
		if e.Fault {
			b.WriteString("Receiver")
		} else {
			b.WriteString("Sender")
		}
		b.WriteString("</Type>")
	}
	b.WriteString("<Code>")
	xmlcodec.Escape(&b, e.Code)
	b.WriteString("</Code><Message>")
	xmlcodec.Escape(&b, e.Message)
	b.WriteString("</Message>")
	if details.IsValid() {
		xmlcodec.WriteMembers(&b, details.Interface())
	}
	if noWrapping {
		b.WriteString("<RequestId>")
		xmlcodec.Escape(&b, requestID)
		b.WriteString("</RequestId></Error>")
	} else {
		b.WriteString("</Error><RequestId>")
		xmlcodec.Escape(&b, requestID)
		b.WriteString("</RequestId></ErrorResponse>")
	}
	httpbinding.Write(w, method, e.Status, contentType, b.Bytes())
}

// root is what a type's root tag says.
type root struct{ name, namespace string }

var roots sync.Map // reflect.Type → root; a cache of pure functions of types

// rootOf reads the root tag of a structure type: the first blank field
// with an aws tag. It panics on a tag with other keys than name and xmlns.
func rootOf(t reflect.Type) root {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if r, ok := roots.Load(t); ok {
		return r.(root)
	}
	var r root
	if t.Kind() == reflect.Struct {
		for i := 0; i < t.NumField(); i++ {
			sf := t.Field(i)
			tag, ok := sf.Tag.Lookup("aws")
			if sf.Name != "_" || !ok {
				continue
			}
			for _, part := range strings.Split(tag, ",") {
				k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
				switch k {
				case "name":
					r.name = v
				case "xmlns":
					r.namespace = v
				case "":
				default:
					panic("restxml: " + t.String() + ": unknown root tag " + k)
				}
			}
			break
		}
	}
	roots.Store(t, r)
	return r
}
