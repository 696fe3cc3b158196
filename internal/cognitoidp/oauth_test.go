package cognitoidp

import (
	"context"
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/ids"
	"github.com/virga/virga/internal/store/pebble"
)

// newTestService is Cognito user pools over an in-memory store, with a
// pool that has the prefix domain "fuzz" and an OAuth client.
func newTestService(t testing.TB) (*Service, string) {
	db, err := pebble.Open(pebble.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s, err := New(Deps{Store: db, Clock: clock.NewFake(time.Unix(1_700_000_000, 0)), IDs: ids.New(rand.Reader),
		Account: "000000000000", Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	p, err := s.createUserPool(ctx, &CreateUserPoolRequest{PoolName: ptr("fuzz")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.createUserPoolDomain(ctx, &CreateUserPoolDomainRequest{UserPoolId: p.UserPool.Id, Domain: ptr("fuzz")}); err != nil {
		t.Fatal(err)
	}
	c, err := s.createUserPoolClient(ctx, &CreateUserPoolClientRequest{UserPoolId: p.UserPool.Id, ClientName: ptr("web"),
		AllowedOAuthFlowsUserPoolClient: ptr(true), AllowedOAuthFlows: []OAuthFlowType{"code", "implicit"},
		AllowedOAuthScopes: []string{"openid", "email"}, CallbackURLs: []string{"https://app.example/cb"}})
	if err != nil {
		t.Fatal(err)
	}
	return s, deref(c.UserPoolClient.ClientId)
}

// FuzzOAuthHandler checks that the domain's endpoints never panic and
// answer every request, whatever its method, path, query, body and
// Authorization header.
func FuzzOAuthHandler(f *testing.F) {
	s, clientID := newTestService(f)
	h := s.OAuthHandler()
	for _, seed := range [][4]string{
		{"POST", "/oauth2/token", "grant_type=client_credentials&scope=a%2Fb", "Basic " + "Y2xpZW50OnNlY3JldA=="},
		{"POST", "/oauth2/token", "grant_type=authorization_code&code=x&redirect_uri=https://app.example/cb&client_id=" + clientID, ""},
		{"POST", "/oauth2/token", "grant_type=refresh_token&refresh_token=zzz&client_id=" + clientID, ""},
		{"GET", "/oauth2/authorize?response_type=code&client_id=" + clientID + "&redirect_uri=https://app.example/cb&scope=openid", "", ""},
		{"POST", "/login?response_type=token&client_id=" + clientID + "&redirect_uri=https://app.example/cb", "username=a&password=b", ""},
		{"GET", "/oauth2/userInfo", "", "Bearer a.b.c"},
		{"POST", "/oauth2/revoke", "token=x&client_id=" + clientID, "Basic %%%"},
		{"GET", "/logout?client_id=" + clientID + "&logout_uri=https://x", "", ""},
		{"GET", "/error?error=<script>", "", ""},
	} {
		f.Add(seed[0], seed[1], seed[2], seed[3])
	}
	f.Fuzz(func(t *testing.T, method, target, body, auth string) {
		if !strings.HasPrefix(target, "/") {
			target = "/" + target
		}
		req, err := http.NewRequest(method, "http://fuzz.auth.localhost"+target, strings.NewReader(body))
		if err != nil {
			return
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", auth)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code == 0 || w.Code >= 500 {
			t.Fatalf("%s %s: HTTP %d %s", method, target, w.Code, w.Body)
		}
	})
}

func TestUserInfoScopes(t *testing.T) {
	u := &user{Username: "ana", Sub: "s-1", Attributes: map[string]string{"sub": "s-1", "email": "a@x", "email_verified": "true",
		"phone_number": "+1", "given_name": "Ana", "custom:team": "red", "address": "here"}}
	keys := func(m map[string]any) string {
		var ks []string
		for k := range m {
			ks = append(ks, k)
		}
		slices.Sort(ks)
		return strings.Join(ks, ",")
	}
	for _, tc := range []struct {
		scopes, readable []string
		want             string
	}{
		{[]string{"openid"}, nil, "address,custom:team,email,email_verified,given_name,phone_number,sub,username"},
		{[]string{"openid", "email"}, nil, "email,email_verified,sub,username"},
		{[]string{"openid", "phone", "aws.cognito.signin.user.admin"}, nil, "phone_number,sub,username"},
		{[]string{"openid", "profile"}, nil, "custom:team,given_name,sub,username"},
		{[]string{"openid"}, []string{"email", "given_name"}, "email,given_name,sub,username"},
	} {
		if got := keys(userInfo(u, tc.scopes, tc.readable)); got != tc.want {
			t.Errorf("%v %v: %s, want %s", tc.scopes, tc.readable, got, tc.want)
		}
	}
}
