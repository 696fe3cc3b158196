package edge

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/query"
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

// TestQueryAndRESTServicesSharingASigningName checks that an awsQuery
// service and a restJson1 service signed with the same name (SES's v1
// and v2 APIs both sign "ses") are told apart whichever is listed first:
// the REST routes take what they resolve, the awsQuery service the rest.
func TestQueryAndRESTServicesSharingASigningName(t *testing.T) {
	t.Parallel()
	queryService := func() *awsproto.Service {
		type in struct{}
		type out struct{ Served *string }
		return (&awsproto.Service{
			Name:     "shared",
			Protocol: query.New("2010-12-01", "http://shared.example/doc/2010-12-01/"),
			Operations: []awsproto.Operation{{Name: "GetV1",
				Handler: awsproto.Handle(func(context.Context, *in) (*out, error) { return &out{Served: ptr("v1")}, nil })}},
		}).Init()
	}
	for _, restFirst := range []bool{false, true} {
		f := newFixture(t, false, func(o *Options) {
			if restFirst {
				o.Services = append(o.Services, sharedNameService("v2", "GET /v2/email/x"), queryService())
			} else {
				o.Services = append(o.Services, queryService(), sharedNameService("v2", "GET /v2/email/x"))
			}
		})
		sign := func(req *http.Request) {
			req.Header.Set("X-Amz-Date", "20240506T070809Z")
			req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDSTATIC/20240506/us-east-1/shared/aws4_request, SignedHeaders=host;x-amz-date, Signature=00")
		}
		req, _ := http.NewRequest(http.MethodGet, f.srv.URL+"/v2/email/x", nil)
		sign(req)
		if r := f.do(t, req); r.status != 200 || r.body["Served"] != "v2" {
			t.Errorf("restFirst=%v: GET /v2/email/x: HTTP %d %s", restFirst, r.status, r.raw)
		}
		req, _ = http.NewRequest(http.MethodPost, f.srv.URL+"/", strings.NewReader("Action=GetV1&Version=2010-12-01"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		sign(req)
		if r := f.do(t, req); r.status != 200 || !strings.Contains(string(r.raw), "<Served>v1</Served>") {
			t.Errorf("restFirst=%v: POST Action=GetV1: HTTP %d %s", restFirst, r.status, r.raw)
		}
	}
}

func ptr[T any](v T) *T { return &v }
