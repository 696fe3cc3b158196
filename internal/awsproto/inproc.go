package awsproto

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/awsproto/jsoncodec"
	"github.com/virga/virga/internal/awsproto/shape"
)

// In-process calls: a service that drives other services' APIs the way a
// client would — CloudFormation's resource providers creating tables,
// queues and functions — calls their operations here, in Go, with the
// same decoding, validation, handlers and errors as over HTTP, but
// without the wire.

// CallOptions say who makes an in-process call and where, for handlers
// that look at the call (a queue URL is built from the host a client
// used).
type CallOptions struct {
	// Host is the host:port clients reach virga at.
	Host string
	// Caller is the caller's identity.
	Caller Caller
	// RequestID is the call's request id, which operations report where
	// AWS shows the id of the request that caused something (S3's
	// s3:TestEvent and event records, for example).
	RequestID string
	// Authorizer, when set, decides the call for Caller as the edge does
	// with --auth iam (once the input is decoded and valid), in Region;
	// nil runs the call unchecked, as virga's own.
	Authorizer Authorizer
	Region     string
}

// Call runs operation op of s with params, the operation's input as a
// JSON-like document (map[string]any, []any, string, json.Number or
// float64, bool) keyed by member names wherever the member travels on
// the wire, and returns its output as such a document. A streaming
// payload (S3's object Body) is text both ways: given as a string it is
// sent as it is, given as another JSON value as its JSON text. A blob
// payload (Lambda Invoke's Payload) is given the same way; in an output
// it is base64 like any JSON blob. Errors
// are the operation's (*apierr.Error) or a failure of virga's own.
func (s *Service) Call(ctx context.Context, opts CallOptions, op string, params map[string]any) (map[string]any, error) {
	_, out, err := s.serveInProcess(ctx, opts, op, params)
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	d := json.NewDecoder(bytes.NewReader(jsoncodec.Marshal(nil, out)))
	d.UseNumber()
	if err := d.Decode(&doc); err != nil {
		return nil, fmt.Errorf("%s %s: encoding its output: %w", s.Name, op, err)
	}
	addBound(doc, out)
	return doc, nil
}

// CallEncoded runs operation op of s as Call does, and returns its
// output as the service's protocol writes it for a client that asks for
// no variant of its own (SQS: awsQuery's XML), with its status and
// headers: what API Gateway relays when it calls the service for an HTTP
// API's integration. Errors are Call's.
func (s *Service) CallEncoded(ctx context.Context, opts CallOptions, op string, params map[string]any) (int, http.Header, []byte, error) {
	c, out, err := s.serveInProcess(ctx, opts, op, params)
	if err != nil {
		return 0, nil, nil, err
	}
	c.Status = c.Op.Status
	if c.Status == 0 {
		c.Status = http.StatusOK
	}
	rec := httptest.NewRecorder()
	s.Protocol.Encode(c, rec, out)
	return rec.Code, rec.Header(), rec.Body.Bytes(), nil
}

// serveInProcess decodes, validates and authorizes params as op's input
// and serves it, returning the call and the operation's output.
func (s *Service) serveInProcess(ctx context.Context, opts CallOptions, op string, params map[string]any) (*Call, any, error) {
	o := s.Operation(op)
	if o == nil {
		return nil, nil, apierr.ErrUnknownOperation.Withf("%s has no operation %s", s.Name, op)
	}
	in := o.Handler.NewInput()
	if err := decodeParams(params, in); err != nil {
		return nil, nil, s.ValidationError.WithMessage(err.Error())
	}
	if pv, ok := in.(Prevalidator); ok {
		if err := pv.Prevalidate(); err != nil {
			return nil, nil, err
		}
	}
	if vs := shape.Validate(in); len(vs) > 0 {
		if r, ok := in.(ViolationReviser); ok {
			revised, err := r.ReviseViolations(vs)
			if err != nil {
				return nil, nil, err
			}
			if len(revised) > 0 {
				return nil, nil, s.ValidationError.WithMessage(shape.Message(revised))
			}
		} else if s.ViolationError != nil {
			return nil, nil, s.ViolationError(in, vs)
		} else {
			return nil, nil, s.ValidationError.WithMessage(s.validationMessage(in, vs))
		}
	}
	req := &http.Request{Method: http.MethodPost, Host: opts.Host, URL: &url.URL{Path: "/"}, Header: http.Header{},
		ContentLength: contentLength(in)}
	c := NewCall(req.WithContext(ctx), opts.RequestID, time.Now())
	c.Service, c.Op, c.Caller = s, o, opts.Caller
	if opts.Authorizer != nil {
		c.Authorizer, c.Region = opts.Authorizer, opts.Region
		if !o.Anonymous && !o.Unchecked {
			if err := opts.Authorizer.Authorize(c, in); err != nil {
				return nil, nil, err
			}
		}
	}
	out, err := o.Handler.Serve(c.Context(), in)
	if err != nil {
		return nil, nil, err
	}
	return c, out, nil
}

// ModelInput gives the members of an input document named in Pascal
// case (their first letter in upper case, as Step Functions' AWS SDK
// integrations name them: "StateMachineArn" for Step Functions'
// stateMachineArn) the names o's model gives them, for Call. Map keys
// are data and stay as they are.
func ModelInput(o *Operation, params map[string]any) map[string]any {
	m, _ := memberNames(params, shape.Of(reflect.TypeOf(o.Handler.NewInput())), false).(map[string]any)
	return m
}

// PascalOutput names the members of an output document of o, as Call
// returns it, in Pascal case.
func PascalOutput(o *Operation, doc map[string]any) map[string]any {
	m, _ := memberNames(doc, shape.Of(o.Handler.OutputType()), true).(map[string]any)
	return m
}

// memberNames renames the members of the structures in doc, a document
// of shape t: to their model names, matching the first letter of a name
// in either case (pascal false), or to their model names with the first
// letter in upper case (pascal true). Other keys are kept as they are.
func memberNames(doc any, t *shape.Type, pascal bool) any {
	switch t.Kind {
	case shape.Structure:
		m, ok := doc.(map[string]any)
		if !ok {
			return doc
		}
		out := make(map[string]any, len(m))
		for k, v := range m {
			f := t.FieldByName(k)
			if f == nil {
				for _, c := range t.Fields {
					if upperFirst(c.Name) == upperFirst(k) {
						f = c
						break
					}
				}
			}
			if f == nil || f.Shape == nil {
				out[k] = v
				continue
			}
			name := f.Name
			if pascal {
				name = upperFirst(name)
			}
			out[name] = memberNames(v, f.Shape, pascal)
		}
		return out
	case shape.List:
		l, ok := doc.([]any)
		if !ok || t.Elem == nil {
			return doc
		}
		out := make([]any, len(l))
		for i, e := range l {
			out[i] = memberNames(e, t.Elem, pascal)
		}
		return out
	case shape.Map:
		m, ok := doc.(map[string]any)
		if !ok || t.Elem == nil {
			return doc
		}
		out := make(map[string]any, len(m))
		for k, v := range m {
			out[k] = memberNames(v, t.Elem, pascal)
		}
		return out
	}
	return doc
}

// streamText is the content of a streaming payload (S3's Body) given
// in a document: a string as it is, any other JSON value as its JSON
// text, as Step Functions writes an object given for PutObject's Body.
func streamText(v any) (string, error) {
	if s, ok := v.(string); ok {
		return s, nil
	}
	b, err := json.Marshal(v)
	return string(b), err
}

// contentLengthField is the member of input type t bound to the
// Content-Length header, which an HTTP request carries beside a
// streaming payload (S3's PutObject), or nil.
func contentLengthField(t reflect.Type) *shape.Field {
	for _, f := range shape.Of(t).Fields {
		if f.Loc == shape.Header && strings.EqualFold(f.LocName, "Content-Length") {
			return f
		}
	}
	return nil
}

// setContentLength sets the member of rv bound to the Content-Length
// header to n, the length of the streaming payload, unless params give
// it.
func setContentLength(rv reflect.Value, params map[string]any, n int64) {
	if f := contentLengthField(rv.Type()); f != nil {
		if _, given := params[f.Name]; !given {
			shape.SetText(shape.Settable(rv.Field(f.Index)), f.Shape, strconv.FormatInt(n, 10), "")
		}
	}
}

// contentLength is the Content-Length an in-process request for input
// in carries: its member bound to that header, or 0 (no body).
func contentLength(in any) int64 {
	rv := reflect.ValueOf(in)
	for rv.Kind() == reflect.Pointer && !rv.IsNil() {
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Struct {
		return 0
	}
	f := contentLengthField(rv.Type())
	if f == nil {
		return 0
	}
	fv := rv.Field(f.Index)
	for fv.Kind() == reflect.Pointer {
		if fv.IsNil() {
			return 0
		}
		fv = fv.Elem()
	}
	if fv.CanInt() {
		return fv.Int()
	}
	return 0
}

// upperFirst is s with its first letter in upper case.
func upperFirst(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// addBound adds to an output document the members a REST protocol puts
// in headers, the status line or the payload (Lambda Invoke's Payload,
// FunctionError, StatusCode): strings and timestamps as text, numbers
// and booleans as JSON numbers and booleans, a blob payload as base64
// like any JSON blob.
func addBound(doc map[string]any, out any) {
	rv := reflect.ValueOf(out)
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return
		}
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Struct {
		return
	}
	for _, f := range shape.Of(rv.Type()).Fields {
		if f.Loc == shape.Body {
			continue
		}
		fv := rv.Field(f.Index)
		if (fv.Kind() == reflect.Pointer || fv.Kind() == reflect.Slice || fv.Kind() == reflect.Map) && fv.IsNil() {
			continue
		}
		switch {
		case f.Shape.Kind == shape.Stream:
			// A streaming payload (S3's object Body) is its text.
			if r, ok := fv.Interface().(io.Reader); ok && r != nil {
				b, err := io.ReadAll(r)
				if c, ok := r.(io.Closer); ok {
					c.Close()
				}
				if err == nil {
					doc[f.Name] = string(b)
				}
			}
		case f.Loc == shape.Payload && f.Shape.Kind == shape.Blob:
			if b, ok := fv.Interface().([]byte); ok {
				doc[f.Name] = base64.StdEncoding.EncodeToString(b)
			}
		case f.Shape.Kind == shape.Structure || f.Shape.Kind == shape.List || f.Shape.Kind == shape.Map:
			var v any
			json.Unmarshal(jsoncodec.MarshalValue(nil, fv, f.Shape, f), &v)
			doc[f.Name] = v
		default:
			for fv.Kind() == reflect.Pointer {
				fv = fv.Elem()
			}
			text := shape.Text(fv, f.Shape, f.TimestampFormat)
			// Numbers and booleans keep their JSON types, as the SDKs
			// give them (Lambda Invoke's StatusCode is 200, not "200").
			switch f.Shape.Kind {
			case shape.Integer, shape.Float:
				doc[f.Name] = json.Number(text)
			case shape.Boolean:
				doc[f.Name] = text == "true"
			default:
				doc[f.Name] = text
			}
		}
	}
}

// decodeParams fills in from params: body members as the JSON protocols
// decode them, then members bound to the URI, query string or headers
// from their scalar values.
func decodeParams(params map[string]any, in any) error {
	body, err := json.Marshal(params)
	if err != nil {
		return err
	}
	if err := jsoncodec.Unmarshal(body, in); err != nil {
		return err
	}
	rv := reflect.ValueOf(in).Elem()
	for _, f := range shape.Of(rv.Type()).Fields {
		if f.Loc == shape.Body {
			continue
		}
		v, ok := params[f.Name]
		if !ok || v == nil {
			continue
		}
		if f.Shape.Kind == shape.Stream {
			text, err := streamText(v)
			if err != nil {
				return fmt.Errorf("member %s: %w", f.Name, err)
			}
			rv.Field(f.Index).Set(reflect.ValueOf(io.NopCloser(strings.NewReader(text))))
			setContentLength(rv, params, int64(len(text)))
			continue
		}
		if f.Loc == shape.Payload && f.Shape.Kind == shape.Blob && rv.Field(f.Index).Kind() == reflect.Slice {
			// A blob payload (Lambda Invoke's Payload) is the request's
			// body, text like a streaming one.
			text, err := streamText(v)
			if err != nil {
				return fmt.Errorf("member %s: %w", f.Name, err)
			}
			rv.Field(f.Index).SetBytes([]byte(text))
			continue
		}
		switch x := v.(type) {
		case []any:
			// A list bound to the query string or headers: its elements
			// are scalars.
			if f.Shape.Kind != shape.List {
				return fmt.Errorf("member %s takes a single value", f.Name)
			}
			fv := shape.Settable(rv.Field(f.Index))
			list := reflect.MakeSlice(fv.Type(), len(x), len(x))
			for i, e := range x {
				if err := shape.SetText(shape.Settable(list.Index(i)), f.Shape.Elem, fmt.Sprint(e), f.TimestampFormat); err != nil {
					return fmt.Errorf("member %s: %w", f.Name, err)
				}
			}
			fv.Set(list)
		case map[string]any:
			if f.Loc != shape.Payload || f.Shape.Kind != shape.Structure {
				return fmt.Errorf("member %s takes a single value", f.Name)
			}
			// A structure payload (S3's Tagging, CORSConfiguration) is
			// decoded as a body would be.
			b, err := json.Marshal(x)
			if err != nil {
				return err
			}
			pv := reflect.New(rv.Field(f.Index).Type().Elem())
			if err := jsoncodec.Unmarshal(b, pv.Interface()); err != nil {
				return fmt.Errorf("member %s: %w", f.Name, err)
			}
			rv.Field(f.Index).Set(pv)
		default:
			text := fmt.Sprint(x)
			if err := shape.SetText(shape.Settable(rv.Field(f.Index)), f.Shape, text, f.TimestampFormat); err != nil {
				return fmt.Errorf("member %s: %w", f.Name, err)
			}
		}
	}
	return nil
}
