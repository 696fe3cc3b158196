package cognitoidp

import (
	"context"
	"testing"
)

// TestCustomDomainHosts: the custom domains the edge asks about are
// published on creation, read back from the store by a new service (a
// restart), and withdrawn on deletion; a prefix domain is not one.
func TestCustomDomainHosts(t *testing.T) {
	t.Parallel()
	s, _ := newTestService(t)
	ctx := context.Background()
	p, err := s.createUserPool(ctx, &CreateUserPoolRequest{PoolName: ptr("custom")})
	if err != nil {
		t.Fatal(err)
	}
	arn := "arn:aws:acm:us-east-1:000000000000:certificate/0a1b2c3d"
	if _, err := s.createUserPoolDomain(ctx, &CreateUserPoolDomainRequest{UserPoolId: p.UserPool.Id, Domain: ptr("auth.example.com"),
		CustomDomainConfig: &CustomDomainConfigType{CertificateArn: &arn}}); err != nil {
		t.Fatal(err)
	}
	if !s.CustomDomain("Auth.Example.com:443") || s.CustomDomain("fuzz") || s.CustomDomain("fuzz.auth.localhost") {
		t.Fatal("CustomDomain after create")
	}
	restarted, err := New(Deps{Store: s.store, Clock: s.clock, IDs: s.ids, Account: s.account, Region: s.region})
	if err != nil {
		t.Fatal(err)
	}
	if !restarted.CustomDomain("auth.example.com") {
		t.Fatal("CustomDomain after a restart")
	}
	if _, err := s.deleteUserPoolDomain(ctx, &DeleteUserPoolDomainRequest{UserPoolId: p.UserPool.Id, Domain: ptr("auth.example.com")}); err != nil {
		t.Fatal(err)
	}
	if s.CustomDomain("auth.example.com") {
		t.Fatal("CustomDomain after delete")
	}
}
