package apigatewayv2

import (
	"net/http/httptest"
	"testing"

	"github.com/virga/virga/internal/apigateway"
)

// TestDomainRequestContext: through a custom domain, requestContext's
// domainName and domainPrefix, and the access log's, are the domain's;
// on the API's own host they are the API's.
func TestDomainRequestContext(t *testing.T) {
	t.Parallel()
	s := &Service{}
	a := &apiRecord{ID: "abc123"}
	own := httptest.NewRequest("GET", "http://abc123.execute-api.localhost:4566/x", nil)
	viaDomain := own.WithContext(apigateway.WithDomainRequest(own.Context(), apigateway.DomainRequest{Domain: "api.example.com", Path: "/v1/x"}))
	for _, c := range []struct {
		inv          *invocation
		name, prefix string
	}{
		{&invocation{r: own, api: a}, "abc123.execute-api.localhost", "abc123"},
		{&invocation{r: viaDomain, api: a}, "api.example.com", "api"},
	} {
		if got := domainName(c.inv.r); got != c.name {
			t.Errorf("domainName %q, want %q", got, c.name)
		}
		if got := s.accessLogValue(c.inv, gatewayResponse(200), "domainPrefix", 0); got != c.prefix {
			t.Errorf("access log domainPrefix %q, want %q", got, c.prefix)
		}
	}
}
