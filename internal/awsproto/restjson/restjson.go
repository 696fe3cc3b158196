package restjson

import (
	"net/http"
	"reflect"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/awsproto/httpbinding"
	"github.com/virga/virga/internal/awsproto/jsoncodec"
)

// ErrorStyle is how a service spells its error bodies.
type ErrorStyle int

const (
	// MessageErrors is {"message": "..."}, as API Gateway, EventBridge
	// Scheduler and most restJson1 services answer.
	MessageErrors ErrorStyle = iota
	// LambdaErrors is {"Type": "User", "Message": "..."}, as Lambda
	// answers: Type is "Service" for server faults, and the message's
	// key is spelled as Lambda's error shape for the code models it,
	// "Message" for most, "message" for some (lambdaLowerMessage). A
	// ValidationException, which comes from the request validation in
	// front of Lambda and is not one of Lambda's modelled errors, is
	// {"message": "..."}.
	LambdaErrors
)

// lambdaLowerMessage are the Lambda errors whose shapes in Lambda's
// model name the message member "message"; the others name it
// "Message", and the wire follows the model.
var lambdaLowerMessage = map[string]bool{
	"CapacityProviderLimitExceededException":                    true,
	"CodeStorageExceededException":                              true,
	"FunctionVersionsPerCapacityProviderLimitExceededException": true,
	"InvalidParameterValueException":                            true,
	"InvalidRequestContentException":                            true,
	"PolicyLengthExceededException":                             true,
	"PreconditionFailedException":                               true,
	"ProvisionedConcurrencyConfigNotFoundException":             true,
	"RequestTooLargeException":                                  true,
	"ResourceConflictException":                                 true,
	"ResourceNotReadyException":                                 true,
	"SerializedRequestEntityTooLargeException":                  true,
	"TooManyRequestsException":                                  true,
	"UnsupportedMediaTypeException":                             true,
}

// Protocol is restJson1 for one service.
type Protocol struct {
	errorStyle       ErrorStyle
	unknownOperation *apierr.Error
	routes           *httpbinding.Routes
}

var _ awsproto.Protocol = (*Protocol)(nil)

// Option configures a Protocol.
type Option func(*Protocol)

// WithErrorStyle sets how error bodies are spelled (MessageErrors by
// default).
func WithErrorStyle(s ErrorStyle) Option { return func(p *Protocol) { p.errorStyle = s } }

// WithUnknownOperation sets the error for a request no route matches
// (UnknownOperationException, 404, by default).
func WithUnknownOperation(e *apierr.Error) Option {
	return func(p *Protocol) { p.unknownOperation = e }
}

// ErrUnknownOperation is the default answer to a request that matches no
// route.
var ErrUnknownOperation = &apierr.Error{Code: "UnknownOperationException", Status: http.StatusNotFound}

// New returns the restJson1 protocol with the given options.
func New(opts ...Option) *Protocol {
	p := &Protocol{unknownOperation: ErrUnknownOperation}
	for _, o := range opts {
		o(p)
	}
	return p
}

// Name returns "restJson1".
func (p *Protocol) Name() string { return "restJson1" }

// Init compiles the service's routes. Service.Init calls it; it panics on
// a malformed operation table, or when the protocol already serves another
// service.
func (p *Protocol) Init(s *awsproto.Service) {
	if p.routes != nil && p.routes.Service() != s {
		panic("restjson: a Protocol serves one service; call New for each")
	}
	p.routes = httpbinding.Compile(s)
}

// Resolve finds the operation the request's method, path and query are
// bound to.
func (p *Protocol) Resolve(c *awsproto.Call) error {
	if p.routes == nil || p.routes.Resolve(c) != httpbinding.Matched {
		return p.unknownOperation
	}
	return nil
}

// Decode fills in from the URI labels, query, headers and JSON body.
func (p *Protocol) Decode(c *awsproto.Call, in any) error {
	target, err := httpbinding.DecodeRequest(c.Request, c.Body, c.Params, reflectElem(in))
	if err != nil {
		return apierr.ErrSerialization.WithMessage(err.Error())
	}
	if !target.IsValid() {
		return nil
	}
	if err := jsoncodec.Unmarshal(c.Body, target.Addr().Interface()); err != nil {
		return apierr.ErrSerialization.WithMessage(err.Error())
	}
	return nil
}

// Encode writes out: its status, its headers, and its payload or body.
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
		var body []byte
		if v, ok := httpbinding.Present(fv); ok {
			body = jsoncodec.MarshalValue(make([]byte, 0, 256), v, f.Shape, f)
		}
		httpbinding.Write(w, method, status, "application/json", body)
		return
	}
	httpbinding.Write(w, method, status, "application/json", jsoncodec.Marshal(make([]byte, 0, 256), rv.Interface()))
}

// EncodeError writes e: X-Amzn-ErrorType, and the JSON error body.
func (p *Protocol) EncodeError(c *awsproto.Call, w http.ResponseWriter, e *apierr.Error) {
	WriteError(w, c.Request.Method, p.errorStyle, e)
}

// WriteError writes e in the restJson1 error shape of the given style. It
// is shared with code that answers before a call is resolved.
func WriteError(w http.ResponseWriter, method string, style ErrorStyle, e *apierr.Error) {
	h := w.Header()
	for k, v := range e.Headers {
		h.Set(k, v)
	}
	body := make([]byte, 0, 128)
	body = append(body, '{')
	if style == LambdaErrors && e.Code != "ValidationException" {
		body = append(body, `"Type":`...)
		if e.Fault {
			body = append(body, `"Service"`...)
		} else {
			body = append(body, `"User"`...)
		}
		if lambdaLowerMessage[e.Code] {
			body = append(body, `,"message":`...)
		} else {
			body = append(body, `,"Message":`...)
		}
	} else {
		body = append(body, `"message":`...)
	}
	body = jsoncodec.AppendString(body, e.Message)
	if e.Details != nil {
		rv, plan := httpbinding.Value(e.Details)
		httpbinding.WriteHeaders(h, rv, plan, 0)
		// Details' body members go beside the message.
		if d := jsoncodec.Marshal(nil, rv.Interface()); len(d) > 2 {
			body = append(body, ',')
			body = append(body, d[1:len(d)-1]...)
		}
	}
	body = append(body, '}')
	h.Set("X-Amzn-ErrorType", e.Code)
	httpbinding.Write(w, method, e.Status, "application/json", body)
}

// reflectElem returns the struct the input pointer in points to.
func reflectElem(in any) reflect.Value { return reflect.ValueOf(in).Elem() }
