package apigateway

import (
	"strings"
	"testing"
)

// TestSelectMapping: the longest whole-segment base path takes a
// request, else the root mapping; the path below it is what the API
// serves (AWS's "orders/v1/items" examples).
func TestSelectMapping(t *testing.T) {
	t.Parallel()
	mappings := map[string]basePathMapping{
		noBasePath: {RestAPIID: "api1"}, "orders": {RestAPIID: "api2"}, "orders/v1/items": {RestAPIID: "api3"},
		"orders/v2/items": {RestAPIID: "api4"}, "orders/v2/items/categories": {RestAPIID: "api5"},
	}
	for _, c := range []struct{ path, api, rest string }{
		{"/orders", "api2", "/"},
		{"/orders/", "api2", "/"},
		{"/orders/v1/items", "api3", "/"},
		{"/orders/v1/items/123", "api3", "/123"},
		{"/orders/v2/items/categories/5", "api5", "/5"},
		{"/orders/v3/items", "api2", "/v3/items"},
		{"/ordersx/1", "api1", "/ordersx/1"},
		{"/customers", "api1", "/customers"},
		{"/", "api1", "/"},
		{"", "api1", "/"},
	} {
		m, _, rest, ok := selectMapping(mappings, c.path)
		if !ok || m.RestAPIID != c.api || rest != c.rest {
			t.Errorf("%q: %s %q %v, want %s %q", c.path, m.RestAPIID, rest, ok, c.api, c.rest)
		}
	}
	delete(mappings, noBasePath)
	if _, _, _, ok := selectMapping(mappings, "/customers"); ok {
		t.Error("a path no mapping takes was taken without a root mapping")
	}
}

// TestAPIMappingsDurable: mappings added through version 2 keep their
// ids and keys across a restart, and route requests to the domain,
// whatever the case of its Host.
func TestAPIMappingsDurable(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	api := must[*RestApi](t)(e.s.createRestAPI(ctx, &CreateRestApiRequest{Name: ptr("a")}))
	must[CustomDomain](t)(e.s.CreateCustomDomain(CustomDomain{Name: "api.example.com",
		CertificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/1"}))
	m := must[APIMapping](t)(e.s.PutAPIMapping("api.example.com", APIMapping{APIID: *api.Id, Stage: "prod", Key: "a/b"}, ErrConflict, nil))
	s := e.restart()
	d := must[CustomDomain](t)(s.CustomDomainNamed("api.example.com"))
	if len(d.Mappings) != 1 || d.Mappings[0] != m || d.EndpointType != "REGIONAL" {
		t.Fatalf("after a restart: %+v, want mapping %+v", d, m)
	}
	r, ok := s.ResolveDomain("API.Example.com:443", "/a/b/c")
	if !ok || r.APIID != *api.Id || r.Stage != "prod" || r.Path != "/c" {
		t.Errorf("ResolveDomain: %+v %v", r, ok)
	}
	if s.ServesDomain("example.com") {
		t.Error("example.com is served")
	}

	// A mapped API cannot be deleted until its mappings are.
	_, err := s.deleteRestAPI(ctx, &DeleteRestApiRequest{RestApiId: api.Id})
	wantErr(t, err, "BadRequestException", "Deleting RestApi "+*api.Id+
		" failed. Please remove all base path mappings related to the RestApi in your domains: api.example.com")
	if err := s.DeleteAPIMapping("api.example.com", m.ID, ErrNotFound); err != nil {
		t.Fatal(err)
	}
	must[*noOutput](t)(s.deleteRestAPI(ctx, &DeleteRestApiRequest{RestApiId: api.Id}))
}

// FuzzSelectMapping checks that a selected mapping's base path and the
// rest of the path make up the path, and that no longer base path would
// have matched.
func FuzzSelectMapping(f *testing.F) {
	for _, s := range []string{"/orders/v1/items/1", "/", "", "//", "/orders//v1", "/a%2Fb/c", "orders"} {
		f.Add(s)
	}
	mappings := map[string]basePathMapping{"orders": {Stage: "orders"}, "orders/v1": {Stage: "orders/v1"},
		"a%2Fb": {Stage: "a%2Fb"}, noBasePath: {Stage: noBasePath}}
	f.Fuzz(func(t *testing.T, path string) {
		m, key, rest, ok := selectMapping(mappings, path)
		if !ok || !strings.HasPrefix(rest, "/") || (key == "") != (m.Stage == noBasePath) || (key != "" && key != m.Stage) {
			t.Fatalf("%q: %+v %q %q %v", path, m, key, rest, ok)
		}
		if m.Stage == noBasePath {
			return
		}
		trimmed := strings.TrimPrefix(path, "/")
		if !strings.HasPrefix(trimmed, m.Stage) || (rest != "/" && trimmed != m.Stage+rest) {
			t.Fatalf("%q: base path %q and rest %q do not make it up", path, m.Stage, rest)
		}
	})
}
