package apigateway

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

// echoPayload answers a non-proxy Lambda integration with the payload it
// was given, which passes through to the client when the integration
// response has no template.
func echoPayload(_ context.Context, payload []byte) ([]byte, string, error) {
	return payload, "", nil
}

// lambdaCustom is an AWS (non-proxy) integration of testFn with a
// request template for application/json and a default 200 response.
func lambdaCustom(tmpl string) *integration {
	return &integration{Type: "AWS", HTTPMethod: "POST", URI: testURI,
		RequestTemplates: map[string]string{"application/json": tmpl},
		Responses:        map[string]*integrationResponse{"200": {StatusCode: "200"}}}
}

// AWS's own example templates, end to end: what the function is sent.
func TestRestAPIDocumentedRequestTemplates(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.fns.on(testFn, echoPayload)
	// "Pass all request parameters to the integration endpoint through a
	// JSON payload", from the variables examples.
	allParams := `#set($allParams = $input.params())
{
  "params" : {
    #foreach($type in $allParams.keySet())
    #set($params = $allParams.get($type))
    "$type" : {
      #foreach($paramName in $params.keySet())
      "$paramName" : "$util.escapeJavaScript($params.get($paramName))"
      #if($foreach.hasNext),#end
      #end
    }
    #if($foreach.hasNext),#end
    #end
  }
}`
	// The form post to JSON pattern: the raw body through
	// $input.path('$'), split and joined with string methods and +.
	form := `#set($raw = $input.path('$'))
#set($raw = $raw + "&")
{
#foreach($kv in $raw.split("&"))
#set($pair = $kv.split("="))
  "$util.urlDecode($pair[0])": "$util.urlDecode($pair[1])"#if($foreach.hasNext),#end
#end
}`
	a := e.api(map[string]map[string]*integration{
		"/all/{id}": {"POST": lambdaCustom(allParams)},
		"/form": {"POST": {Type: "AWS", HTTPMethod: "POST", URI: testURI,
			RequestTemplates: map[string]string{"application/x-www-form-urlencoded": form},
			Responses:        map[string]*integrationResponse{"200": {StatusCode: "200"}}}},
		"/whole": {"POST": lambdaCustom(`{"json": $input.json('$'), "path": "$input.path('$')", "body": "$input.body"}`)},
	})
	e.deploy(a, "prod", nil)

	r := e.call(a, "POST", "/prod/all/42?q=a%22b", "", map[string]string{"X-Quote": `say "hi"`})
	r.want(t, 200, "")
	var got struct{ Params map[string]map[string]string }
	if err := json.Unmarshal([]byte(r.body), &got); err != nil {
		t.Fatalf("the all-parameters template made %s: %v", r.body, err)
	}
	if got.Params["path"]["id"] != "42" || got.Params["querystring"]["q"] != `a"b` || got.Params["header"]["X-Quote"] != `say "hi"` {
		t.Errorf("params %v", got.Params)
	}

	r = e.call(a, "POST", "/prod/form", "name=Ann+Lee&city=Z%C3%BCrich", map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	r.want(t, 200, "")
	var fields map[string]string
	if err := json.Unmarshal([]byte(r.body), &fields); err != nil || fields["name"] != "Ann Lee" || fields["city"] != "Zürich" {
		t.Errorf("the form template made %s (%v)", r.body, err)
	}

	// An empty body is {} to $input.json('$'); a body that is not JSON
	// is its text to $input.path('$') and a JSON string to
	// $input.json('$').
	e.call(a, "POST", "/prod/whole", "", nil).want(t, 200, `{"json": {}, "path": "{}", "body": ""}`)
	e.call(a, "POST", "/prod/whole", "plain", nil).want(t, 200, `{"json": "plain", "path": "plain", "body": "plain"}`)
}

// For Lambda, selection patterns are matched against the error's
// errorMessage, and against nothing when the function succeeds.
func TestRestAPILambdaSelectionPatterns(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.fns.on(testFn, func(_ context.Context, payload []byte) ([]byte, string, error) {
		if string(payload) == `"fail"` {
			return []byte(`{"errorMessage":"Bad input: x","errorType":"Error"}`), "Unhandled", nil
		}
		return []byte(`{"ok":true}`), "", nil
	})
	responses := func(pattern string) map[string]*integrationResponse {
		return map[string]*integrationResponse{
			"200": {StatusCode: "200"},
			"400": {StatusCode: "400", SelectionPattern: pattern,
				ResponseTemplates: map[string]string{"application/json": `{"error": "$input.path('$.errorMessage')"}`}},
		}
	}
	a := e.api(map[string]map[string]*integration{
		"/plus":  {"POST": {Type: "AWS", HTTPMethod: "POST", URI: testURI, Responses: responses(".+")}},
		"/star":  {"POST": {Type: "AWS", HTTPMethod: "POST", URI: testURI, Responses: responses(".*")}},
		"/exact": {"POST": {Type: "AWS", HTTPMethod: "POST", URI: testURI, Responses: responses("Bad input.*")}},
		"/empty": {"POST": {Type: "AWS", HTTPMethod: "POST", URI: testURI, Responses: map[string]*integrationResponse{
			"200": {StatusCode: "200", ResponseTemplates: map[string]string{"application/json": ""}}}}},
	})
	e.deploy(a, "prod", nil)
	e.call(a, "POST", "/prod/plus", `"ok"`, nil).want(t, 200, `{"ok":true}`)
	e.call(a, "POST", "/prod/plus", `"fail"`, nil).want(t, 400, `{"error": "Bad input: x"}`)
	e.call(a, "POST", "/prod/star", `"ok"`, nil).want(t, 400, `{"error": ""}`)
	e.call(a, "POST", "/prod/exact", `"ok"`, nil).want(t, 200, `{"ok":true}`)
	e.call(a, "POST", "/prod/exact", `"fail"`, nil).want(t, 400, `{"error": "Bad input: x"}`)
	// An empty response template passes the function's answer through.
	e.call(a, "POST", "/prod/empty", `"ok"`, nil).want(t, 200, `{"ok":true}`)
}

// A header mapped from a request header the client did not send is not
// set.
func TestRestAPIMissingHeaderMapping(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.api(map[string]map[string]*integration{"/m": {"GET": {Type: "MOCK",
		RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`},
		Responses: map[string]*integrationResponse{"200": {StatusCode: "200",
			ResponseParameters: map[string]string{"method.response.header.X-Echo": "method.request.header.X-In"}}}}}})
	e.deploy(a, "prod", nil)
	r := e.call(a, "GET", "/prod/m", "", map[string]string{"X-In": ""})
	r.want(t, 200, "")
	if _, ok := r.header["X-Echo"]; !ok {
		t.Errorf("an empty X-In was not mapped: %v", r.header)
	}
	r = e.call(a, "GET", "/prod/m", "", nil)
	r.want(t, 200, "")
	if v, ok := r.header["X-Echo"]; ok {
		t.Errorf("X-Echo %q set from a header that was not sent", v)
	}
}

func TestEscapeJavaScript(t *testing.T) {
	for in, want := range map[string]string{
		`He said "it's" \ /`:    `He said \"it\'s\" \\ \/`,
		"tab\tnl\ncr\rbs\bff\f": `tab\tnl\ncr\rbs\bff\f`,
		"\x01\x1f\x7f":          `\u0001\u001F` + "\x7f",
		"é€":                    `\u00E9\u20AC`,
		"😀":                     `\uD83D\uDE00`,
	} {
		if got := escapeJavaScript(in); got != want {
			t.Errorf("escapeJavaScript(%q) = %q, want %q", in, got, want)
		}
	}
}

// A request template's $context.requestOverride sets the integration
// request's headers, query string and path parameters, over what
// requestParameters mapped.
func TestRestAPIRequestOverride(t *testing.T) {
	t.Parallel()
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]string{"path": r.URL.Path, "query": r.URL.RawQuery,
			"who": r.Header.Get("X-Who"), "kept": r.Header.Get("X-Kept")})
	}))
	t.Cleanup(backend.Close)
	e := newEnv(t)
	a := e.api(map[string]map[string]*integration{"/items/{id}": {"GET": {Type: "HTTP", HTTPMethod: "GET",
		URI: backend.URL + "/backend/{id}",
		RequestParameters: map[string]string{"integration.request.header.X-Who": "'mapped'",
			"integration.request.header.X-Kept": "'kept'", "integration.request.path.id": "method.request.path.id"},
		RequestTemplates: map[string]string{"application/json": `#set($context.requestOverride.header.X-Who = "ann")
#set($context.requestOverride.querystring['filter[0]'] = "a b")
#set($context.requestOverride.path.id = "over-$input.params('id')")`},
		Responses: map[string]*integrationResponse{"200": {StatusCode: "200"}}}}})
	e.deploy(a, "prod", nil)
	r := e.call(a, "GET", "/prod/items/7", "", nil)
	r.want(t, 200, "")
	var got map[string]string
	json.Unmarshal([]byte(r.body), &got)
	if got["path"] != "/backend/over-7" || got["query"] != "filter%5B0%5D=a+b" || got["who"] != "ann" || got["kept"] != "kept" {
		t.Errorf("the backend was sent %v", got)
	}
}

// TestRestAPIContextMappings maps $context values, multi-value headers and
// query strings into response headers.
func TestRestAPIContextMappings(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	params := map[string]string{
		"method.response.header.X-Stage":  "context.stage",
		"method.response.header.X-Method": "context.httpMethod",
		"method.response.header.X-Res":    "context.resourcePath",
		"method.response.header.X-Path":   "context.path",
		"method.response.header.X-Agent":  "context.identity.userAgent",
		"method.response.header.X-Tags":   "method.request.multivaluequerystring.tag",
		"method.response.header.X-All":    "method.request.multivalueheader.X-Multi",
		"method.response.header.X-None":   "context.nothing",
	}
	a := e.api(map[string]map[string]*integration{"/m/{id}": {"GET": {Type: "MOCK",
		RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`},
		Responses:        map[string]*integrationResponse{"200": {StatusCode: "200", ResponseParameters: params}}}}})
	e.deploy(a, "prod", nil)
	r := e.call(a, "GET", "/prod/m/1?tag=a&tag=b", "", map[string]string{"User-Agent": "tester", "X-Multi": "one"})
	r.want(t, 200, "")
	want := map[string]string{"X-Stage": "prod", "X-Method": "GET", "X-Res": "/m/{id}", "X-Path": "/prod/m/1", "X-Agent": "tester",
		"X-Tags": "a,b", "X-All": "one"}
	for k, v := range want {
		if got := r.header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if _, ok := r.header["X-None"]; ok {
		t.Errorf("an unknown context variable was mapped: %v", r.header)
	}
}
