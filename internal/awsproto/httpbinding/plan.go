package httpbinding

import (
	"fmt"
	"reflect"
	"sync"

	"github.com/virga/virga/internal/awsproto/shape"
)

// Plan is where the members of one input or output structure travel.
type Plan struct {
	// Type is the structure.
	Type *shape.Type
	// Labels, Query, Headers are the members bound to URI labels, query
	// parameters and headers; QueryMap and HeaderMaps to all query
	// parameters and to headers sharing a prefix.
	Labels, Query, Headers, HeaderMaps []*shape.Field
	QueryMap                           *shape.Field
	// Payload is the member that is the whole body, if any.
	Payload *shape.Field
	// Status is the member that is the HTTP status code, if any.
	Status *shape.Field
	// HasBody reports whether any member travels in the body: the payload
	// or members without a location.
	HasBody bool
}

var plans sync.Map // *shape.Type → *Plan; a cache of pure functions of types

// PlanOf returns the plan of t, a structure type (pointers removed). It
// panics on a shape no REST protocol can carry: two payloads, a payload
// beside body members, a payload that is a list or map, two query maps, a
// status member that is not an integer, a header map that is not a map of
// strings.
func PlanOf(t reflect.Type) *Plan {
	st := shape.Of(t)
	if p, ok := plans.Load(st); ok {
		return p.(*Plan)
	}
	p := build(st)
	v, _ := plans.LoadOrStore(st, p)
	return v.(*Plan)
}

func build(st *shape.Type) *Plan {
	if st.Kind != shape.Structure {
		panic(fmt.Sprintf("httpbinding: %v is not a structure", st.Go))
	}
	p := &Plan{Type: st}
	body := false
	for _, f := range st.Fields {
		bad := func(why string) {
			panic(fmt.Sprintf("httpbinding: %v.%s: %s", st.Go, f.GoName, why))
		}
		switch f.Loc {
		case shape.Body:
			body = true
		case shape.URI:
			if !isScalar(f.Shape) {
				bad("a URI label must be a scalar")
			}
			p.Labels = append(p.Labels, f)
		case shape.Query:
			if f.LocName == "" {
				bad("a query member needs locname=")
			}
			if !isScalar(f.Shape) && !(f.Shape.Kind == shape.List && isScalar(f.Shape.Elem)) {
				bad("a query member must be a scalar or a list of scalars")
			}
			p.Query = append(p.Query, f)
		case shape.QueryMap:
			if p.QueryMap != nil {
				bad("a second query map")
			}
			if f.Shape.Kind != shape.Map || !(f.Shape.Elem.Kind == shape.String ||
				(f.Shape.Elem.Kind == shape.List && f.Shape.Elem.Elem.Kind == shape.String)) {
				bad("a query map must be a map of strings or of lists of strings")
			}
			p.QueryMap = f
		case shape.Header:
			if f.LocName == "" {
				bad("a header member needs locname=")
			}
			if !isScalar(f.Shape) && !(f.Shape.Kind == shape.List && isScalar(f.Shape.Elem)) {
				bad("a header member must be a scalar or a list of scalars")
			}
			p.Headers = append(p.Headers, f)
		case shape.Headers:
			if f.Shape.Kind != shape.Map || f.Shape.Elem.Kind != shape.String {
				bad("a header map must be a map of strings")
			}
			p.HeaderMaps = append(p.HeaderMaps, f)
		case shape.Payload:
			if p.Payload != nil {
				bad("a second payload")
			}
			switch f.Shape.Kind {
			case shape.Blob, shape.String, shape.Stream, shape.Document, shape.Structure:
			default:
				bad("a payload must be a blob, string, stream, document or structure")
			}
			p.Payload = f
		case shape.Status:
			if f.Shape.Kind != shape.Integer {
				bad("a status member must be an integer")
			}
			p.Status = f
		}
	}
	if body && p.Payload != nil {
		panic(fmt.Sprintf("httpbinding: %v has both a payload and body members", st.Go))
	}
	p.HasBody = body || p.Payload != nil
	return p
}

func isScalar(t *shape.Type) bool {
	switch t.Kind {
	case shape.String, shape.Boolean, shape.Integer, shape.Float, shape.Timestamp, shape.Blob:
		return true
	}
	return false
}
