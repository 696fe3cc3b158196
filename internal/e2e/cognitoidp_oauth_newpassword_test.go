package e2e_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/virga/virga/internal/e2e"
)

// TestCognitoHostedSignInTemporaryPassword signs a user an administrator
// made in with their temporary password on the hosted sign-in page:
// the page asks for a new password (refusing one the policy does not
// accept, or typed differently twice), then the browser goes on to the
// callback with tokens (implicit grant), and the user is CONFIRMED with
// the new password.
func TestCognitoHostedSignInTemporaryPassword(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	c := cip.NewFromConfig(env.Config)
	pool, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("staff")})
	if err != nil {
		t.Fatal(err)
	}
	poolID := aws.ToString(pool.UserPool.Id)
	if _, err := c.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: &poolID, Domain: aws.String("staff")}); err != nil {
		t.Fatal(err)
	}
	cl, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: &poolID, ClientName: aws.String("spa"),
		AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeImplicit},
		AllowedOAuthScopes: []string{"openid", "email"}, CallbackURLs: []string{"https://app.example/cb"},
		SupportedIdentityProviders: []string{"COGNITO"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &poolID, Username: aws.String("ana"),
		TemporaryPassword: aws.String("Temp-0rary!"), MessageAction: types.MessageActionTypeSuppress}); err != nil {
		t.Fatal(err)
	}

	var callback *url.URL
	browser := &http.Client{CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if req.URL.Host == "app.example" {
			callback = req.URL
			return http.ErrUseLastResponse
		}
		return nil
	}}
	q := url.Values{"response_type": {"token"}, "client_id": {aws.ToString(cl.UserPoolClient.ClientId)},
		"redirect_uri": {"https://app.example/cb"}, "scope": {"openid email"}}
	loginURL := env.Endpoint + "/_aws/auth/staff/login?" + q.Encode()
	post := func(form url.Values) string {
		t.Helper()
		resp, err := browser.PostForm(loginURL, form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	session := regexp.MustCompile(`name="session" value="([^"]+)"`)

	page := post(url.Values{"username": {"ana"}, "password": {"Temp-0rary!"}})
	m := session.FindStringSubmatch(page)
	if callback != nil || m == nil || !strings.Contains(page, `name="new_password"`) {
		t.Fatalf("temporary password: %s", page)
	}
	// Typed differently twice, or too weak for the policy: the form again.
	page = post(url.Values{"session": {m[1]}, "new_password": {"N3w-password!"}, "confirm_password": {"N3w-password?"}})
	if callback != nil || !strings.Contains(page, "The passwords do not match.") {
		t.Fatalf("mismatch: %s", page)
	}
	page = post(url.Values{"session": {m[1]}, "new_password": {"short"}, "confirm_password": {"short"}})
	if callback != nil || !strings.Contains(page, "Password did not conform with policy") {
		t.Fatalf("weak password: %s", page)
	}
	page = post(url.Values{"session": {m[1]}, "new_password": {"N3w-password!"}, "confirm_password": {"N3w-password!"}})
	if callback == nil {
		t.Fatalf("no callback after the new password: %s", page)
	}
	frag, err := url.ParseQuery(callback.Fragment)
	if err != nil || frag.Get("access_token") == "" || frag.Get("id_token") == "" || frag.Get("token_type") != "Bearer" {
		t.Fatalf("callback fragment %q", callback.Fragment)
	}
	// The session is used up; the user is confirmed with the new password.
	callback = nil
	if page = post(url.Values{"session": {m[1]}, "new_password": {"An0ther-one!"}, "confirm_password": {"An0ther-one!"}}); callback != nil ||
		!strings.Contains(page, "Invalid session for the user") {
		t.Fatalf("reused session: %s", page)
	}
	u, err := c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &poolID, Username: aws.String("ana")})
	if err != nil || u.UserStatus != types.UserStatusTypeConfirmed {
		t.Fatalf("user: %+v %v", u, err)
	}
	if page = post(url.Values{"username": {"ana"}, "password": {"N3w-password!"}}); callback == nil {
		t.Fatalf("sign-in with the new password: %s", page)
	}
}
