package httpbinding

import (
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/virga/virga/internal/awsproto/shape"
)

// Value returns the structure out points to, and its plan. A nil pointer
// is an empty structure of its type.
func Value(out any) (reflect.Value, *Plan) {
	rv := reflect.ValueOf(out)
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			rv = reflect.New(rv.Type().Elem()).Elem()
			break
		}
		rv = rv.Elem()
	}
	return rv, PlanOf(rv.Type())
}

// WriteHeaders sets the headers bound in the structure rv (header members
// and header maps) on h, and returns the status to answer with: the
// status member's value when it is set, otherwise status.
func WriteHeaders(h http.Header, rv reflect.Value, p *Plan, status int) int {
	for _, f := range p.Headers {
		fv, ok := Present(rv.Field(f.Index))
		if !ok {
			continue
		}
		h.Set(f.LocName, headerText(fv, f))
	}
	for _, f := range p.HeaderMaps {
		fv, ok := Present(rv.Field(f.Index))
		if !ok {
			continue
		}
		iter := fv.MapRange()
		for iter.Next() {
			ev, ok := Present(iter.Value())
			if !ok {
				continue
			}
			// The name goes on the wire as the service spells it (S3
			// sends x-amz-meta-* in lower case, and clients keep the
			// suffix's case), not in Go's canonical form.
			h[strings.ToLower(f.LocName+iter.Key().String())] = []string{ev.String()}
		}
	}
	if f := p.Status; f != nil {
		if fv, ok := Present(rv.Field(f.Index)); ok {
			var n int64
			if fv.CanInt() {
				n = fv.Int()
			} else {
				n = int64(fv.Uint())
			}
			if n >= 100 && n <= 999 {
				status = int(n)
			}
		}
	}
	return status
}

// Present dereferences a member value and reports whether it is set: a
// nil pointer, interface, slice or map is absent.
func Present(fv reflect.Value) (reflect.Value, bool) {
	for fv.Kind() == reflect.Pointer || fv.Kind() == reflect.Interface {
		if fv.IsNil() {
			return fv, false
		}
		fv = fv.Elem()
	}
	if (fv.Kind() == reflect.Slice || fv.Kind() == reflect.Map) && fv.IsNil() {
		return fv, false
	}
	return fv, true
}

func headerText(fv reflect.Value, f *shape.Field) string {
	format := shape.RFC822
	if f.TimestampFormat != "" {
		format = f.TimestampFormat
	}
	if f.Shape.Kind != shape.List {
		return shape.Text(fv, f.Shape, format)
	}
	items := make([]string, 0, fv.Len())
	for i := 0; i < fv.Len(); i++ {
		ev, ok := Present(fv.Index(i))
		if !ok {
			continue
		}
		s := shape.Text(ev, f.Shape.Elem, format)
		if f.Shape.Elem.Kind != shape.Timestamp && strings.ContainsAny(s, `,"`) {
			s = strconv.Quote(s)
		}
		items = append(items, s)
	}
	return strings.Join(items, ", ")
}

// HasNoBody reports whether a response to method with status must not
// carry a body (HEAD, 1xx, 204 and 304).
func HasNoBody(method string, status int) bool {
	return method == http.MethodHead || status == http.StatusNoContent ||
		status == http.StatusNotModified || (status >= 100 && status < 200)
}

// Write finishes a response whose body is in memory: it sets
// Content-Type for a body that is not empty (unless a header member did)
// and Content-Length, and writes
// the status and the body. Responses that carry no body (see HasNoBody)
// get neither body nor Content-Type, and keep a Content-Length a header
// member set (HEAD answers with the length a GET would have).
func Write(w http.ResponseWriter, method string, status int, contentType string, body []byte) {
	h := w.Header()
	if HasNoBody(method, status) {
		w.WriteHeader(status)
		return
	}
	if contentType != "" && len(body) > 0 && h.Get("Content-Type") == "" {
		h.Set("Content-Type", contentType)
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// WriteRawPayload writes a blob, string, document or stream payload member
// fv (f) as the body, as it is. The default Content-Type is
// application/octet-stream for blobs and streams, text/plain for strings
// and application/json for documents. A stream is copied and closed,
// whether or not the response may carry it. It reports false, writing
// nothing, for a structure payload, which the protocol encodes.
func WriteRawPayload(w http.ResponseWriter, method string, status int, fv reflect.Value, f *shape.Field) bool {
	switch f.Shape.Kind {
	case shape.Structure:
		return false
	case shape.Stream:
		var rc io.ReadCloser
		if fv.Kind() == reflect.Interface && !fv.IsNil() {
			rc, _ = fv.Interface().(io.ReadCloser)
		}
		if rc == nil {
			Write(w, method, status, "", nil)
			return true
		}
		defer rc.Close()
		if HasNoBody(method, status) {
			w.WriteHeader(status)
			return true
		}
		if w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", "application/octet-stream")
		}
		w.WriteHeader(status)
		// A failed copy (the client went away, the source failed) cannot be
		// reported: the status is already sent.
		_, _ = io.Copy(w, rc)
		return true
	}
	v, ok := Present(fv)
	if !ok {
		Write(w, method, status, "", nil)
		return true
	}
	switch f.Shape.Kind {
	case shape.String:
		Write(w, method, status, "text/plain", []byte(v.String()))
	case shape.Document:
		Write(w, method, status, "application/json", v.Bytes())
	default:
		Write(w, method, status, "application/octet-stream", v.Bytes())
	}
	return true
}
