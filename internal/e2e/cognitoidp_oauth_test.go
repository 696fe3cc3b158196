package e2e_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	agtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	gwtypes "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/virga/virga/internal/e2e"
)

// oauthReply is an answer of a user pool domain's endpoint.
type oauthReply struct {
	status int
	header http.Header
	body   []byte
}

func (r oauthReply) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("HTTP %d %s: %v", r.status, r.body, err)
	}
	return m
}

// domainCall sends a request to a pool domain's endpoint in its path
// form, /_aws/auth/PREFIX/..., without following redirects.
func domainCall(t testing.TB, env *e2e.Env, prefix, method, path string, form url.Values, hdr map[string]string) oauthReply {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, env.Endpoint+"/_aws/auth/"+prefix+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return oauthReply{resp.StatusCode, resp.Header, b}
}

func jwtClaims(t testing.TB, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", token)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestCognitoOAuthClientCredentials: a machine client gets an access
// token with a custom scope from the token endpoint, and an HTTP API
// route with a JWT authorizer that requires the scope admits it; a
// route that requires another scope answers 403.
func TestCognitoOAuthClientCredentials(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	c := cip.NewFromConfig(env.Config)
	pool, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("m2m")})
	if err != nil {
		t.Fatal(err)
	}
	poolID := aws.ToString(pool.UserPool.Id)
	if _, err := c.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: &poolID, Domain: aws.String("orders-m2m")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: &poolID, Domain: aws.String("orders-m2m")})
	expectAPIError(t, err, "InvalidParameterException", 400)
	d, err := c.DescribeUserPoolDomain(ctx, &cip.DescribeUserPoolDomainInput{Domain: aws.String("orders-m2m")})
	if err != nil || aws.ToString(d.DomainDescription.UserPoolId) != poolID || d.DomainDescription.Status != types.DomainStatusTypeActive {
		t.Fatalf("DescribeUserPoolDomain = %+v, %v", d.DomainDescription, err)
	}
	if d, err := c.DescribeUserPoolDomain(ctx, &cip.DescribeUserPoolDomainInput{Domain: aws.String("nobody")}); err != nil || d.DomainDescription.UserPoolId != nil {
		t.Fatalf("DescribeUserPoolDomain(unknown) = %+v, %v", d, err)
	}
	dp, err := c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: &poolID})
	if err != nil || aws.ToString(dp.UserPool.Domain) != "orders-m2m" {
		t.Fatalf("pool's Domain = %v, %v", dp, err)
	}
	_, err = c.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: &poolID})
	expectAPIError(t, err, "InvalidParameterException", 400)

	rs, err := c.CreateResourceServer(ctx, &cip.CreateResourceServerInput{UserPoolId: &poolID, Identifier: aws.String("orders"),
		Name: aws.String("Orders API"), Scopes: []types.ResourceServerScopeType{
			{ScopeName: aws.String("read"), ScopeDescription: aws.String("read orders")},
			{ScopeName: aws.String("write"), ScopeDescription: aws.String("write orders")}}})
	if err != nil || len(rs.ResourceServer.Scopes) != 2 {
		t.Fatalf("CreateResourceServer = %+v, %v", rs, err)
	}
	ls, err := c.ListResourceServers(ctx, &cip.ListResourceServersInput{UserPoolId: &poolID, MaxResults: aws.Int32(10)})
	if err != nil || len(ls.ResourceServers) != 1 {
		t.Fatalf("ListResourceServers = %+v, %v", ls, err)
	}

	// AWS's checks of a client's OAuth settings.
	_, err = c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: &poolID, ClientName: aws.String("nosecret"),
		AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeClientCredentials},
		AllowedOAuthScopes: []string{"orders/read"}})
	if got := expectAPIError(t, err, "InvalidOAuthFlowException", 400); got.Message != "client_credentials flow can not be selected if client does not have a client secret." {
		t.Errorf("message %q", got.Message)
	}
	_, err = c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: &poolID, ClientName: aws.String("badscope"),
		GenerateSecret: true, AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeClientCredentials},
		AllowedOAuthScopes: []string{"orders/delete"}})
	expectAPIError(t, err, "ScopeDoesNotExistException", 400)

	cl, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: &poolID, ClientName: aws.String("worker"),
		GenerateSecret: true, AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeClientCredentials},
		AllowedOAuthScopes: []string{"orders/read", "orders/write"}, AccessTokenValidity: aws.Int32(2),
		TokenValidityUnits: &types.TokenValidityUnitsType{AccessToken: types.TimeUnitsTypeHours}})
	if err != nil {
		t.Fatal(err)
	}
	clientID, secret := aws.ToString(cl.UserPoolClient.ClientId), aws.ToString(cl.UserPoolClient.ClientSecret)
	basic := map[string]string{"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte(clientID+":"+secret))}

	r := domainCall(t, env, "orders-m2m", "POST", "/oauth2/token", url.Values{"grant_type": {"client_credentials"}, "scope": {"orders/read"}}, basic)
	if r.status != 200 {
		t.Fatalf("token: HTTP %d %s", r.status, r.body)
	}
	tok := r.json(t)
	if tok["token_type"] != "Bearer" || tok["expires_in"] != float64(7200) || tok["id_token"] != nil {
		t.Errorf("token response %v", tok)
	}
	access, _ := tok["access_token"].(string)
	claims := verifyCognitoJWT(t, env.Endpoint, poolID, access)
	if claims["scope"] != "orders/read" || claims["client_id"] != clientID || claims["sub"] != clientID || claims["token_use"] != "access" {
		t.Errorf("claims %v", claims)
	}

	// Client authentication in the body, and every allowed custom scope
	// when none is asked for.
	r = domainCall(t, env, "orders-m2m", "POST", "/oauth2/token", url.Values{"grant_type": {"client_credentials"},
		"client_id": {clientID}, "client_secret": {secret}}, nil)
	if r.status != 200 || jwtClaims(t, r.json(t)["access_token"].(string))["scope"] != "orders/read orders/write" {
		t.Errorf("token (post auth): HTTP %d %s", r.status, r.body)
	}
	for _, tc := range []struct {
		form url.Values
		hdr  map[string]string
		want string
	}{
		{url.Values{"grant_type": {"client_credentials"}}, map[string]string{"Authorization": "Basic " +
			base64.StdEncoding.EncodeToString([]byte(clientID+":wrong"))}, "invalid_client"},
		{url.Values{"grant_type": {"client_credentials"}, "scope": {"orders/delete"}}, basic, "invalid_scope"},
		{url.Values{"grant_type": {"password"}}, basic, "unsupported_grant_type"},
		{url.Values{"scope": {"orders/read"}}, basic, "invalid_request"},
	} {
		r := domainCall(t, env, "orders-m2m", "POST", "/oauth2/token", tc.form, tc.hdr)
		if r.status != 400 || r.json(t)["error"] != tc.want {
			t.Errorf("%v: HTTP %d %s, want %s", tc.form, r.status, r.body, tc.want)
		}
	}

	// The host forms reach the same endpoint.
	u, _ := url.Parse(env.Endpoint)
	for _, host := range []string{"orders-m2m.auth.us-east-1.localhost", "orders-m2m.auth.us-east-1.amazoncognito.com"} {
		req, _ := http.NewRequest("POST", env.Endpoint+"/oauth2/token", strings.NewReader("grant_type=client_credentials"))
		req.Host = host + ":" + u.Port()
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(clientID, secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("%s: HTTP %d", host, resp.StatusCode)
		}
	}

	// An HTTP API whose routes need orders/read and orders/write.
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "orders") }))
	defer backend.Close()
	gw := apigatewayv2.NewFromConfig(env.Config)
	api := mustGW(gw.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("orders"), ProtocolType: gwtypes.ProtocolTypeHttp}))(t)
	apiID := aws.ToString(api.ApiId)
	integ := mustGW(gw.CreateIntegration(ctx, &apigatewayv2.CreateIntegrationInput{ApiId: &apiID, IntegrationType: gwtypes.IntegrationTypeHttpProxy,
		IntegrationMethod: aws.String("ANY"), IntegrationUri: aws.String(backend.URL), PayloadFormatVersion: aws.String("1.0")}))(t)
	au := mustGW(gw.CreateAuthorizer(ctx, &apigatewayv2.CreateAuthorizerInput{ApiId: &apiID, Name: aws.String("pool"),
		AuthorizerType: gwtypes.AuthorizerTypeJwt, IdentitySource: []string{"$request.header.Authorization"},
		JwtConfiguration: &gwtypes.JWTConfiguration{Issuer: aws.String("https://cognito-idp.us-east-1.amazonaws.com/" + poolID),
			Audience: []string{clientID}}}))(t)
	for route, scope := range map[string]string{"GET /orders": "orders/read", "POST /orders": "orders/write"} {
		mustGW(gw.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: &apiID, RouteKey: aws.String(route),
			Target: aws.String("integrations/" + aws.ToString(integ.IntegrationId)), AuthorizationType: gwtypes.AuthorizationTypeJwt,
			AuthorizerId: au.AuthorizerId, AuthorizationScopes: []string{scope}}))(t)
	}
	mustGW(gw.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: &apiID, StageName: aws.String("$default"), AutoDeploy: aws.Bool(true)}))(t)
	bearer := map[string]string{"Authorization": "Bearer " + access}
	if g := callHTTPAPI(t, env, apiID, "GET", "/orders", nil, bearer, true); g.Status != 200 || string(g.Body) != "orders" {
		t.Errorf("GET with orders/read: HTTP %d %s", g.Status, g.Body)
	}
	g := callHTTPAPI(t, env, apiID, "POST", "/orders", nil, bearer, true)
	if g.Status != 403 || string(g.Body) != `{"message":"Forbidden"}` || g.Header.Get("Www-Authenticate") !=
		`Bearer scope="orders/write" error="insufficient_scope" error_description="expected scopes: [orders/write]"` {
		t.Errorf("POST without orders/write: HTTP %d %s %v", g.Status, g.Body, g.Header)
	}
	if g := callHTTPAPI(t, env, apiID, "GET", "/orders", nil, nil, true); g.Status != 401 {
		t.Errorf("GET without a token: HTTP %d", g.Status)
	}

	// A REST API whose methods have a Cognito authorizer and
	// authorization scopes takes the access token with the scope.
	restID := cognitoScopedRESTAPI(t, env, aws.ToString(pool.UserPool.Arn))
	if g := callHTTPAPI(t, env, restID, "GET", "/prod/orders", nil, map[string]string{"Authorization": access}, true); g.Status != 200 || string(g.Body) != "ok" {
		t.Errorf("REST GET with orders/read: HTTP %d %s", g.Status, g.Body)
	}
	if g := callHTTPAPI(t, env, restID, "POST", "/prod/orders", nil, map[string]string{"Authorization": access}, true); g.Status != 401 {
		t.Errorf("REST POST without orders/write: HTTP %d %s", g.Status, g.Body)
	}

	if _, err := c.DeleteUserPoolDomain(ctx, &cip.DeleteUserPoolDomainInput{UserPoolId: &poolID, Domain: aws.String("orders-m2m")}); err != nil {
		t.Fatal(err)
	}
	if r := domainCall(t, env, "orders-m2m", "POST", "/oauth2/token", url.Values{"grant_type": {"client_credentials"}}, basic); r.status != 404 {
		t.Errorf("token after the domain is gone: HTTP %d", r.status)
	}
}

// cognitoScopedRESTAPI makes a REST API with GET /orders (scope
// orders/read) and POST /orders (orders/write) behind a Cognito
// authorizer of the pool, answering "ok" from a mock, deployed to prod.
func cognitoScopedRESTAPI(t *testing.T, env *e2e.Env, poolARN string) string {
	t.Helper()
	ctx := context.Background()
	c := apigateway.NewFromConfig(env.Config)
	api, err := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("orders")})
	if err != nil {
		t.Fatal(err)
	}
	au, err := c.CreateAuthorizer(ctx, &apigateway.CreateAuthorizerInput{RestApiId: api.Id, Name: aws.String("pool"),
		Type: agtypes.AuthorizerTypeCognitoUserPools, ProviderARNs: []string{poolARN}, IdentitySource: aws.String("method.request.header.Authorization")})
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: api.Id, ParentId: api.RootResourceId, PathPart: aws.String("orders")})
	if err != nil {
		t.Fatal(err)
	}
	for method, scope := range map[string]string{"GET": "orders/read", "POST": "orders/write"} {
		m := aws.String(method)
		if _, err := c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: m,
			AuthorizationType: aws.String("COGNITO_USER_POOLS"), AuthorizerId: au.Id, AuthorizationScopes: []string{scope}}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: m,
			Type: agtypes.IntegrationTypeMock, RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`}}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.PutMethodResponse(ctx, &apigateway.PutMethodResponseInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: m, StatusCode: aws.String("200")}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.PutIntegrationResponse(ctx, &apigateway.PutIntegrationResponseInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: m,
			StatusCode: aws.String("200"), ResponseTemplates: map[string]string{"application/json": "ok"}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("prod")}); err != nil {
		t.Fatal(err)
	}
	return aws.ToString(api.Id)
}

// TestCognitoOAuthCodeFlow signs a user in through /oauth2/authorize and
// the /login form with PKCE, redeems the code, reads userInfo, refreshes
// and revokes, and signs out.
func TestCognitoOAuthCodeFlow(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	ctx := context.Background()
	c := cip.NewFromConfig(env.Config)
	pool, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("web")})
	if err != nil {
		t.Fatal(err)
	}
	poolID := aws.ToString(pool.UserPool.Id)
	if _, err := c.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: &poolID, Domain: aws.String("shop")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: &poolID, ClientName: aws.String("nocallback"),
		AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeCode},
		AllowedOAuthScopes: []string{"openid"}})
	expectAPIError(t, err, "InvalidOAuthFlowException", 400)
	cl, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: &poolID, ClientName: aws.String("spa"),
		AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeCode},
		AllowedOAuthScopes: []string{"openid", "email"}, CallbackURLs: []string{"https://app.example/cb"},
		LogoutURLs: []string{"https://app.example/bye"}, SupportedIdentityProviders: []string{"COGNITO"}})
	if err != nil {
		t.Fatal(err)
	}
	clientID := aws.ToString(cl.UserPoolClient.ClientId)
	if _, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &poolID, Username: aws.String("ana"),
		MessageAction: types.MessageActionTypeSuppress, UserAttributes: []types.AttributeType{
			{Name: aws.String("email"), Value: aws.String("ana@example.com")}, {Name: aws.String("email_verified"), Value: aws.String("true")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: &poolID, Username: aws.String("ana"),
		Password: aws.String("Corr3ct-horse"), Permanent: true}); err != nil {
		t.Fatal(err)
	}

	verifier := "dBjftJeZ4CVP-mJ92K27uhbUJU1p1r_wW1gFWFOEjXk-and-more"
	sum := sha256.Sum256([]byte(verifier))
	challenge := base64.RawURLEncoding.EncodeToString(sum[:])
	authorize := url.Values{"response_type": {"code"}, "client_id": {clientID}, "redirect_uri": {"https://app.example/cb"},
		"state": {"xyz"}, "scope": {"openid email"}, "code_challenge": {challenge}, "code_challenge_method": {"S256"}}

	// A browser: follows redirects within virga, stops at the app's
	// callback.
	var callback *url.URL
	browser := &http.Client{CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if req.URL.Host == "app.example" {
			callback = req.URL
			return http.ErrUseLastResponse
		}
		return nil
	}}
	resp, err := browser.Get(env.Endpoint + "/_aws/auth/shop/oauth2/authorize?" + authorize.Encode())
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), `name="password"`) || resp.Request.URL.Path != "/_aws/auth/shop/login" {
		t.Fatalf("authorize: HTTP %d at %s: %s", resp.StatusCode, resp.Request.URL, page)
	}
	loginURL := resp.Request.URL.String()
	// A wrong password shows the form again.
	resp, err = browser.PostForm(loginURL, url.Values{"username": {"ana"}, "password": {"nope"}})
	if err != nil {
		t.Fatal(err)
	}
	page, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if callback != nil || !strings.Contains(string(page), "Incorrect username or password.") {
		t.Fatalf("wrong password: HTTP %d %s", resp.StatusCode, page)
	}
	resp, err = browser.PostForm(loginURL, url.Values{"username": {"ana"}, "password": {"Corr3ct-horse"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if callback == nil || callback.Query().Get("state") != "xyz" || callback.Query().Get("code") == "" {
		t.Fatalf("login: HTTP %d, callback %v", resp.StatusCode, callback)
	}
	code := callback.Query().Get("code")

	redeem := url.Values{"grant_type": {"authorization_code"}, "client_id": {clientID}, "code": {code},
		"redirect_uri": {"https://app.example/cb"}, "code_verifier": {verifier}}
	bad := url.Values{}
	for k, v := range redeem {
		bad[k] = v
	}
	bad.Set("redirect_uri", "https://app.example/other")
	if r := domainCall(t, env, "shop", "POST", "/oauth2/token", bad, nil); r.status != 400 || r.json(t)["error"] != "invalid_grant" {
		t.Errorf("redirect_uri mismatch: HTTP %d %s", r.status, r.body)
	}
	// The code was spent by the failed attempt: sign in again.
	callback = nil
	resp, err = browser.PostForm(loginURL, url.Values{"username": {"ana"}, "password": {"Corr3ct-horse"}})
	if err != nil || callback == nil {
		t.Fatalf("second login: %v", err)
	}
	resp.Body.Close()
	redeem.Set("code", callback.Query().Get("code"))
	wrong := url.Values{}
	for k, v := range redeem {
		wrong[k] = v
	}
	wrong.Set("code_verifier", "not-the-verifier-at-all-but-long-enough-to-pass-000")
	if r := domainCall(t, env, "shop", "POST", "/oauth2/token", wrong, nil); r.status != 400 || r.json(t)["error"] != "invalid_grant" {
		t.Errorf("wrong verifier: HTTP %d %s", r.status, r.body)
	}
	callback = nil
	resp, err = browser.PostForm(loginURL, url.Values{"username": {"ana"}, "password": {"Corr3ct-horse"}})
	if err != nil || callback == nil {
		t.Fatalf("third login: %v", err)
	}
	resp.Body.Close()
	redeem.Set("code", callback.Query().Get("code"))
	r := domainCall(t, env, "shop", "POST", "/oauth2/token", redeem, nil)
	if r.status != 200 {
		t.Fatalf("redeem: HTTP %d %s", r.status, r.body)
	}
	tok := r.json(t)
	idc := verifyCognitoJWT(t, env.Endpoint, poolID, tok["id_token"].(string))
	ac := verifyCognitoJWT(t, env.Endpoint, poolID, tok["access_token"].(string))
	if idc["email"] != "ana@example.com" || idc["aud"] != clientID || ac["scope"] != "openid email" || ac["username"] != "ana" {
		t.Errorf("id %v access %v", idc, ac)
	}
	if r := domainCall(t, env, "shop", "POST", "/oauth2/token", redeem, nil); r.status != 400 || r.json(t)["error"] != "invalid_grant" {
		t.Errorf("code used twice: HTTP %d %s", r.status, r.body)
	}

	info := domainCall(t, env, "shop", "GET", "/oauth2/userInfo", nil, map[string]string{"Authorization": "Bearer " + tok["access_token"].(string)})
	if info.status != 200 || info.json(t)["email"] != "ana@example.com" || info.json(t)["username"] != "ana" || info.json(t)["sub"] != idc["sub"] {
		t.Errorf("userInfo: HTTP %d %s", info.status, info.body)
	}
	// An access token of InitiateAuth has no openid scope.
	if info := domainCall(t, env, "shop", "GET", "/oauth2/userInfo", nil, map[string]string{"Authorization": "Bearer x.y.z"}); info.status != 401 ||
		!strings.Contains(info.header.Get("Www-Authenticate"), "invalid_token") {
		t.Errorf("userInfo with a bad token: HTTP %d %v", info.status, info.header)
	}

	refresh := url.Values{"grant_type": {"refresh_token"}, "client_id": {clientID}, "refresh_token": {tok["refresh_token"].(string)}}
	r = domainCall(t, env, "shop", "POST", "/oauth2/token", refresh, nil)
	if r.status != 200 || r.json(t)["refresh_token"] != nil || jwtClaims(t, r.json(t)["access_token"].(string))["scope"] != "openid email" {
		t.Fatalf("refresh: HTTP %d %s", r.status, r.body)
	}
	if r := domainCall(t, env, "shop", "POST", "/oauth2/revoke", url.Values{"token": {tok["refresh_token"].(string)}, "client_id": {clientID}}, nil); r.status != 200 {
		t.Errorf("revoke: HTTP %d %s", r.status, r.body)
	}
	if r := domainCall(t, env, "shop", "POST", "/oauth2/token", refresh, nil); r.status != 400 || r.json(t)["error"] != "invalid_grant" {
		t.Errorf("refresh after revoke: HTTP %d %s", r.status, r.body)
	}

	// Wrong redirect_uri, unknown scope.
	q := url.Values{}
	for k, v := range authorize {
		q[k] = v
	}
	q.Set("redirect_uri", "https://evil.example/cb")
	if r := domainCall(t, env, "shop", "GET", "/oauth2/authorize?"+q.Encode(), nil, nil); r.status != 302 ||
		!strings.Contains(r.header.Get("Location"), "error=redirect_mismatch") {
		t.Errorf("bad redirect_uri: HTTP %d %v", r.status, r.header.Get("Location"))
	}
	q.Set("redirect_uri", "https://app.example/cb")
	q.Set("scope", "openid orders/read")
	if r := domainCall(t, env, "shop", "GET", "/oauth2/authorize?"+q.Encode(), nil, nil); r.status != 302 ||
		r.header.Get("Location") != "https://app.example/cb?error=invalid_scope&state=xyz" {
		t.Errorf("unknown scope: HTTP %d %v", r.status, r.header.Get("Location"))
	}

	// A browser that keeps cookies signs in once: the domain's session
	// answers the next authorization request without the form, until
	// /logout ends it.
	jar, _ := cookiejar.New(nil)
	var landed *url.URL
	withJar := &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if req.URL.Host == "app.example" {
			landed = req.URL
			return http.ErrUseLastResponse
		}
		return nil
	}}
	get := func(u string) {
		t.Helper()
		resp, err := withJar.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	plain := url.Values{"response_type": {"code"}, "client_id": {clientID}, "redirect_uri": {"https://app.example/cb"}, "state": {"j"}}
	authorizeURL := env.Endpoint + "/_aws/auth/shop/oauth2/authorize?" + plain.Encode()
	get(authorizeURL)
	if landed != nil {
		t.Fatalf("a new browser went straight to %v", landed)
	}
	resp, err = withJar.PostForm(env.Endpoint+"/_aws/auth/shop/login?"+plain.Encode(), url.Values{"username": {"ana"}, "password": {"Corr3ct-horse"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if landed == nil || landed.Query().Get("code") == "" {
		t.Fatalf("login with a cookie jar: %v", landed)
	}
	landed = nil
	get(authorizeURL)
	if landed == nil || landed.Query().Get("code") == "" || landed.Query().Get("state") != "j" {
		t.Fatalf("authorize with a session: %v", landed)
	}
	landed = nil
	get(env.Endpoint + "/_aws/auth/shop/logout?" + url.Values{"client_id": {clientID}, "logout_uri": {"https://app.example/bye"}}.Encode())
	if landed == nil || landed.Path != "/bye" {
		t.Fatalf("logout: %v", landed)
	}
	landed = nil
	get(authorizeURL)
	if landed != nil {
		t.Errorf("authorize after logout went straight to %v", landed)
	}

	// The implicit grant puts the tokens in the callback's fragment.
	imp, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: &poolID, ClientName: aws.String("implicit"),
		AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeImplicit},
		AllowedOAuthScopes: []string{"openid"}, CallbackURLs: []string{"https://app.example/cb"}})
	if err != nil {
		t.Fatal(err)
	}
	r = domainCall(t, env, "shop", "POST", "/login", url.Values{"response_type": {"token"}, "client_id": {aws.ToString(imp.UserPoolClient.ClientId)},
		"redirect_uri": {"https://app.example/cb"}, "state": {"s2"}, "username": {"ana"}, "password": {"Corr3ct-horse"}}, nil)
	loc, _ := url.Parse(r.header.Get("Location"))
	frag, _ := url.ParseQuery(loc.Fragment)
	if r.status != 302 || loc.Host != "app.example" || frag.Get("state") != "s2" || frag.Get("token_type") != "Bearer" ||
		jwtClaims(t, frag.Get("access_token"))["scope"] != "openid" || frag.Get("id_token") == "" {
		t.Errorf("implicit: HTTP %d %v", r.status, r.header.Get("Location"))
	}

	if r := domainCall(t, env, "shop", "GET", "/logout?"+url.Values{"client_id": {clientID}, "logout_uri": {"https://app.example/bye"}}.Encode(), nil, nil); r.status != 302 ||
		r.header.Get("Location") != "https://app.example/bye" {
		t.Errorf("logout: HTTP %d %v", r.status, r.header.Get("Location"))
	}
}

const cognitoOAuthTemplate = `
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Pool:
    Type: AWS::Cognito::UserPool
  Domain:
    Type: AWS::Cognito::UserPoolDomain
    Properties:
      UserPoolId: !Ref Pool
      Domain: stack-m2m
  Api:
    Type: AWS::Cognito::UserPoolResourceServer
    Properties:
      UserPoolId: !Ref Pool
      Identifier: reports
      Name: Reports
      Scopes:
        - ScopeName: read
          ScopeDescription: read reports
  Worker:
    Type: AWS::Cognito::UserPoolClient
    DependsOn: Api
    Properties:
      UserPoolId: !Ref Pool
      GenerateSecret: true
      AllowedOAuthFlowsUserPoolClient: true
      AllowedOAuthFlows: [client_credentials]
      AllowedOAuthScopes: [reports/read]
Outputs:
  PoolId:
    Value: !Ref Pool
  Domain:
    Value: !Ref Domain
  Host:
    Value: !GetAtt Domain.CloudFrontDistribution
  Server:
    Value: !Ref Api
  ClientId:
    Value: !Ref Worker
  Secret:
    Value: !GetAtt Worker.ClientSecret
`

// TestCognitoOAuthStack deploys a pool with a domain, a resource server
// and a machine client, and gets a token from the domain.
func TestCognitoOAuthStack(t *testing.T) {
	t.Parallel()
	e2e.RequireTool(t, e2e.AWSCLI)
	env := e2e.Start(t)
	outs := deployWithCLI(t, env, "m2m", cognitoOAuthTemplate)
	if outs["Domain"] != "stack-m2m" || outs["Server"] != "reports" || outs["Host"] != "stack-m2m.auth.us-east-1.localhost" {
		t.Errorf("outputs %v", outs)
	}
	r := domainCall(t, env, "stack-m2m", "POST", "/oauth2/token", url.Values{"grant_type": {"client_credentials"},
		"client_id": {outs["ClientId"]}, "client_secret": {outs["Secret"]}}, nil)
	if r.status != 200 || jwtClaims(t, r.json(t)["access_token"].(string))["scope"] != "reports/read" {
		t.Fatalf("token: HTTP %d %s", r.status, r.body)
	}
	c := cip.NewFromConfig(env.Config)
	d, err := c.DescribeUserPoolDomain(context.Background(), &cip.DescribeUserPoolDomainInput{Domain: aws.String("stack-m2m")})
	if err != nil || aws.ToString(d.DomainDescription.UserPoolId) != outs["PoolId"] {
		t.Errorf("DescribeUserPoolDomain = %+v, %v", d, err)
	}
	// Deleting the stack removes the domain before its pool.
	cf := cloudformation.NewFromConfig(env.Config)
	if _, err := cf.DeleteStack(context.Background(), &cloudformation.DeleteStackInput{StackName: aws.String("m2m")}); err != nil {
		t.Fatal(err)
	}
	if err := cloudformation.NewStackDeleteCompleteWaiter(cf).Wait(context.Background(),
		&cloudformation.DescribeStacksInput{StackName: aws.String("m2m")}, time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DescribeUserPool(context.Background(), &cip.DescribeUserPoolInput{UserPoolId: aws.String(outs["PoolId"])}); err == nil {
		t.Error("the pool outlived its stack")
	}
}
