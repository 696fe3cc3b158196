package edge

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/restjson"
)

// sharedNameService is a restJson1 service signed as "shared" whose one
// operation answers with the service's label.
func sharedNameService(label, binding string) *awsproto.Service {
	type in struct{}
	type out struct{ Served *string }
	return (&awsproto.Service{
		Name:     "shared",
		Protocol: restjson.New(),
		Operations: []awsproto.Operation{{Name: "Get" + label, HTTP: binding,
			Handler: awsproto.Handle(func(context.Context, *in) (*out, error) { return &out{Served: &label}, nil })}},
	}).Init()
}

// TestServicesSharingASigningName checks that services signed with the
// same name (API Gateway's REST and HTTP APIs both sign "apigateway")
// are told apart by their REST routes.
func TestServicesSharingASigningName(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false, func(o *Options) {
		o.Services = append(o.Services, sharedNameService("v1", "GET /restapis"), sharedNameService("v2", "GET /v2/apis"))
	})
	get := func(path string) result {
		req, _ := http.NewRequest(http.MethodGet, f.srv.URL+path, nil)
		req.Header.Set("X-Amz-Date", "20240506T070809Z")
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDSTATIC/20240506/us-east-1/shared/aws4_request, SignedHeaders=host;x-amz-date, Signature=00")
		return f.do(t, req)
	}
	for path, want := range map[string]string{"/restapis": "v1", "/v2/apis": "v2"} {
		if r := get(path); r.status != 200 || r.body["Served"] != want {
			t.Errorf("GET %s: HTTP %d %s, want the %s service", path, r.status, r.raw, want)
		}
	}
	// A path neither serves is answered by the first, in its protocol.
	r := get("/nowhere")
	if r.status != 404 || r.header.Get("X-Amzn-ErrorType") != "UnknownOperationException" || !strings.Contains(string(r.raw), "message") {
		t.Errorf("GET /nowhere: HTTP %d %v %s", r.status, r.header, r.raw)
	}
}
