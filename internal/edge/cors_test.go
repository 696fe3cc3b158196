package edge

import (
	"context"
	"net/http"
	"testing"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/restjson"
)

// TestPreflightRouting checks which preflights the edge answers: those
// announcing a request another REST service's routes resolve, even when
// a service that owns its CORS (S3, whose paths are any bucket's) would
// resolve the path too, and those to /; the rest reach the owner.
func TestPreflightRouting(t *testing.T) {
	t.Parallel()
	type in struct{}
	type out struct{ Served *string }
	served := "owner"
	owner := (&awsproto.Service{
		Name: "owner", Protocol: restjson.New(), OwnsCORS: true,
		Operations: []awsproto.Operation{
			{Name: "Preflight", HTTP: "OPTIONS /{Bucket}/{Key+}", Anonymous: true,
				Handler: awsproto.Handle(func(context.Context, *in) (*out, error) { return &out{Served: &served}, nil })},
			{Name: "Get", HTTP: "GET /{Bucket}/{Key+}",
				Handler: awsproto.Handle(func(context.Context, *in) (*out, error) { return &out{Served: &served}, nil })},
		},
	}).Init()
	f := newFixture(t, true, func(o *Options) {
		o.Services = append([]*awsproto.Service{owner}, append(o.Services, sharedNameService("v1", "POST /items/{Id}"))...)
	})
	preflight := func(path, method string) result {
		req, _ := http.NewRequest(http.MethodOptions, f.srv.URL+path, nil)
		req.Header.Set("Origin", "https://app.example")
		req.Header.Set("Access-Control-Request-Method", method)
		req.Header.Set("Access-Control-Request-Headers", "authorization,content-type")
		return f.do(t, req)
	}
	for _, path := range []string{"/items/1", "/"} {
		r := preflight(path, "POST")
		if r.status != 200 || len(r.raw) != 0 || r.header.Get("Access-Control-Allow-Origin") != "*" ||
			r.header.Get("Access-Control-Allow-Methods") != "POST" ||
			r.header.Get("Access-Control-Allow-Headers") != "authorization,content-type" {
			t.Errorf("preflight to %s: HTTP %d %v %s", path, r.status, r.header, r.raw)
		}
	}
	r := preflight("/bucket/key", "GET")
	if r.status != 200 || r.body["Served"] != "owner" || r.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("preflight to the owner's path: HTTP %d %v %s", r.status, r.header, r.raw)
	}
	// Without Access-Control-Request-Method it is no preflight: routed
	// as any request.
	req, _ := http.NewRequest(http.MethodOptions, f.srv.URL+"/items/1", nil)
	req.Header.Set("Origin", "https://app.example")
	if r := f.do(t, req); r.body["Served"] != "owner" {
		t.Errorf("OPTIONS without Access-Control-Request-Method: HTTP %d %s", r.status, r.raw)
	}
}
