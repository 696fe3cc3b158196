package e2e_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"golang.org/x/net/http2"

	"github.com/virga/virga/internal/config"
	"github.com/virga/virga/internal/e2e"
)

// TestEdgeMalformedRequests sends what no client should, and expects an
// AWS error in the shape of the protocol the request spoke, a request id,
// and a virga that is still healthy afterwards.
func TestEdgeMalformedRequests(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	const form = "application/x-www-form-urlencoded"
	jsonTarget := func(target, body string) rawRequest {
		return rawRequest{Body: body, Headers: map[string]string{
			"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": target,
		}}
	}
	type check func(t *testing.T, resp rawResponse)
	jsonErr := func(status int, code, message string) check {
		return func(t *testing.T, resp rawResponse) {
			e := wantJSONError(t, resp, status, code)
			if message != "*" && e.Message != message {
				t.Errorf("message = %q, want %q", e.Message, message)
			}
		}
	}
	queryErr := func(status int, code, message string) check {
		return func(t *testing.T, resp rawResponse) {
			e := wantQueryError(t, resp, status, code)
			if message != "*" && e.Error.Message != message {
				t.Errorf("message = %q, want %q", e.Error.Message, message)
			}
		}
	}
	signedForm := func(body string) rawRequest { return formPost(body) }
	signedAs := func(ct, body string) rawRequest {
		r := formPost(body)
		r.Headers = map[string]string{"Content-Type": ct}
		return r
	}

	for _, tc := range []struct {
		name string
		req  rawRequest
		want check
	}{
		{"garbage JSON to an awsJson service virga lacks",
			jsonTarget("AWSGlue.CreateDatabase", "{\x00garbage"), jsonErr(400, "UnknownOperationException", "*")},
		{"valid JSON to an awsJson service virga lacks",
			jsonTarget("AWSGlue.GetDatabases", "{}"), jsonErr(400, "UnknownOperationException",
				"No service in this version of virga answers X-Amz-Target AWSGlue.")},
		{"a signed call to an awsJson service virga lacks",
			rawRequest{Body: `{"Name":"x"}`, Headers: map[string]string{"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AWSGlue.GetDatabase"},
				Sign: formPost("").Sign, Service: "glue"},
			jsonErr(400, "UnknownOperationException", `The service "glue" is not available in this version of virga.`)},
		{"X-Amz-Target without an operation",
			jsonTarget("NoDot", "{}"), jsonErr(400, "UnknownOperationException", "*")},
		{"X-Amz-Target naming STS in JSON",
			jsonTarget("AWSSecurityTokenServiceV20110615.GetCallerIdentity", "{}"), jsonErr(400, "UnknownOperationException", "*")},
		{"JSON without a target",
			rawRequest{Body: `{"a":1}`, Headers: map[string]string{"Content-Type": "application/json"}},
			jsonErr(400, "UnknownOperationException", "*")},

		{"unknown Action, unsigned",
			rawRequest{Body: "Action=Nope&Version=2011-06-15", Headers: map[string]string{"Content-Type": form}},
			queryErr(400, "InvalidAction", "Could not find operation Nope for version 2011-06-15")},
		{"unknown Action, signed",
			signedForm("Action=Nope&Version=2011-06-15"),
			queryErr(400, "InvalidAction", "Could not find operation Nope for version 2011-06-15")},
		{"unknown Action in the query string",
			rawRequest{Method: http.MethodGet, Path: "/?Action=AssumeRoot&Version=2011-06-15"},
			queryErr(400, "InvalidAction", "Could not find operation AssumeRoot for version 2011-06-15")},
		{"unknown Action of an unknown API version",
			rawRequest{Body: "Action=Nope&Version=2099-01-01", Headers: map[string]string{"Content-Type": form}},
			queryErr(400, "InvalidAction", "Could not find operation Nope for version 2099-01-01")},
		{"signed form without Action",
			signedForm("Version=2011-06-15&Foo=bar"), queryErr(400, "MissingAction", "Missing Action")},
		{"signed garbage form",
			signedForm("%%%zz&&==;;\xff\xfe"), queryErr(400, "MalformedQueryString", "*")},
		{"signed binary form",
			signedForm("\x00\x01\x02\x03binary\x7f"), queryErr(400, "MissingAction", "*")},
		{"unsigned garbage form",
			rawRequest{Body: "%%%zz&&==;;", Headers: map[string]string{"Content-Type": form}},
			queryErr(400, "UnknownOperationException", "*")},
		{"signed STS call with a text/plain body",
			signedAs("text/plain", "Action=GetCallerIdentity&Version=2011-06-15"), queryErr(400, "MalformedQueryString", "*")},
		{"signed STS call with a JSON body",
			signedAs("application/json", `{"Action":"GetCallerIdentity"}`), queryErr(400, "MalformedQueryString", "*")},
		{"signed STS call with a multipart body",
			signedAs("multipart/form-data; boundary=x", "--x\r\n\r\nAction=GetCallerIdentity\r\n--x--"), queryErr(400, "MalformedQueryString", "*")},
		{"form without Content-Type",
			rawRequest{Body: "Action=GetCallerIdentity&Version=2011-06-15"},
			queryErr(400, "UnknownOperationException", "*")},
		{"credential scope of a service virga lacks",
			rawRequest{Body: "Action=DescribeDomains&Version=2013-01-01", Headers: map[string]string{"Content-Type": form},
				Sign: formPost("").Sign, Service: "cloudsearch"},
			queryErr(400, "UnknownOperationException", `The service "cloudsearch" is not available in this version of virga.`)},

		{"GET /nope",
			rawRequest{Method: http.MethodGet, Path: "/nope"}, queryErr(400, "UnknownOperationException", "No AWS service at GET /nope")},
		{"DELETE /",
			rawRequest{Method: http.MethodDelete, Path: "/"}, queryErr(400, "UnknownOperationException", "*")},
		{"GET /_virga/nope",
			rawRequest{Method: http.MethodGet, Path: "/_virga/nope"}, func(t *testing.T, resp rawResponse) {
				if resp.Status != http.StatusNotFound {
					t.Errorf("HTTP %d, want 404", resp.Status)
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.want(t, do(t, env, tc.req))
			wantHealthy(t, env)
		})
	}
}

// TestEdgeRequestID checks the request id header on successes and
// failures of every kind, and that each request gets its own.
func TestEdgeRequestID(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	seen := map[string]string{}
	for _, tc := range []struct {
		name string
		req  rawRequest
	}{
		{"success", formPost("Action=GetCallerIdentity&Version=2011-06-15")},
		{"success again", formPost("Action=GetCallerIdentity&Version=2011-06-15")},
		{"validation error", formPost("Action=AssumeRole&Version=2011-06-15")},
		{"unknown target", rawRequest{Body: "{}", Headers: map[string]string{"X-Amz-Target": "X_1.Y"}}},
		{"unrouted", rawRequest{Method: http.MethodGet, Path: "/nope"}},
		{"data plane host", rawRequest{Method: http.MethodGet, Path: "/prod/", Headers: map[string]string{"Host": "abc123.execute-api.localhost"}}},
	} {
		resp := do(t, env, tc.req)
		id := resp.Header.Get("X-Amzn-Requestid")
		if id == "" {
			t.Errorf("%s: HTTP %d without x-amzn-RequestId", tc.name, resp.Status)
			continue
		}
		if prev, dup := seen[id]; dup {
			t.Errorf("%s: request id %s was also %s's", tc.name, id, prev)
		}
		seen[id] = tc.name
	}
}

func TestEdgeReservedDataPlaneHosts(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	for _, host := range []string{
		"abc.execute-api.localhost", "abc.execute-api.localhost:4566", "ABC.Execute-API.Localhost",
		"xyz.lambda-url.localhost",
	} {
		// Even a request that is a perfectly good STS call is not routed
		// to STS when it is addressed to a data plane's host.
		req := formPost("Action=GetCallerIdentity&Version=2011-06-15")
		req.Headers["Host"] = host
		resp := do(t, env, req)
		if resp.Status != http.StatusNotFound {
			t.Errorf("Host %s: HTTP %d, want 404\n%s", host, resp.Status, resp.Body)
			continue
		}
		var body struct{ Message string }
		if err := json.Unmarshal(resp.Body, &body); err != nil || body.Message == "" {
			t.Errorf("Host %s: body is not JSON with a message (%v): %s", host, err, resp.Body)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("Host %s: Content-Type %q", host, ct)
		}
	}
	// localhost itself, and names that merely contain a reserved word,
	// are the AWS APIs.
	for _, host := range []string{"localhost", "execute-api.localhost.example.com", "s3.localhost"} {
		req := formPost("Action=GetCallerIdentity&Version=2011-06-15")
		req.Headers["Host"] = host
		if resp := do(t, env, req); resp.Status != http.StatusOK {
			t.Errorf("Host %s: HTTP %d, want STS's 200\n%s", host, resp.Status, resp.Body)
		}
	}
}

// rawExchange writes raw bytes on a new connection to env, closes the
// write side, and reads one HTTP response.
func rawExchange(t *testing.T, env *e2e.Env, raw string) *http.Response {
	t.Helper()
	conn, err := net.DialTimeout("tcp", env.App.Addr(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	werr := make(chan error, 1)
	go func() {
		_, err := io.WriteString(conn, raw)
		if err == nil {
			err = conn.(*net.TCPConn).CloseWrite()
		}
		werr <- err
	}()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("reading the response: %v (write: %v)", err, <-werr)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(strings.NewReader(string(body)))
	return resp
}

func readAll(t *testing.T, resp *http.Response) rawResponse {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return rawResponse{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// TestEdgeTruncatedBody sends a body shorter than its Content-Length and
// hangs up: virga answers IncompleteBody rather than waiting or dropping
// the connection.
func TestEdgeTruncatedBody(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	for _, tc := range []struct {
		name, headers string
		check         func(t *testing.T, resp rawResponse)
	}{
		{"awsQuery", "Content-Type: application/x-www-form-urlencoded\r\n", func(t *testing.T, resp rawResponse) {
			e := wantQueryError(t, resp, http.StatusBadRequest, "IncompleteBody")
			if e.Error.Message != "The request body terminated unexpectedly" {
				t.Errorf("message = %q", e.Error.Message)
			}
		}},
		{"awsJson", "Content-Type: application/x-amz-json-1.0\r\nX-Amz-Target: Kinesis_20131202.PutRecord\r\n", func(t *testing.T, resp rawResponse) {
			wantJSONError(t, resp, http.StatusBadRequest, "IncompleteBody")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			raw := "POST / HTTP/1.1\r\nHost: " + env.App.Addr() + "\r\n" + tc.headers +
				"Content-Length: 1000\r\n\r\nAction=GetCallerIdentity&Vers"
			tc.check(t, readAll(t, rawExchange(t, env, raw)))
			wantHealthy(t, env)
		})
	}
}

func TestEdgeOversizedHeaders(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	big := strings.Repeat("a", 1<<20+64<<10)
	raw := "POST / HTTP/1.1\r\nHost: " + env.App.Addr() + "\r\nContent-Type: application/x-www-form-urlencoded\r\n" +
		"X-Big: " + big + "\r\nContent-Length: 43\r\n\r\nAction=GetCallerIdentity&Version=2011-06-15"
	resp := readAll(t, rawExchange(t, env, raw))
	if resp.Status != http.StatusRequestHeaderFieldsTooLarge && (resp.Status < 400 || resp.Status >= 500) {
		t.Errorf("1 MiB + 64 KiB of headers: HTTP %d, want 431 or another 4xx\n%.200s", resp.Status, resp.Body)
	}
	wantHealthy(t, env)

	// Just under the limit the request is served.
	req := formPost("Action=GetCallerIdentity&Version=2011-06-15")
	req.Headers["X-Big"] = strings.Repeat("b", 1<<20-8<<10)
	if resp := do(t, env, req); resp.Status != http.StatusOK {
		t.Errorf("1 MiB - 8 KiB of headers: HTTP %d\n%.300s", resp.Status, resp.Body)
	}

	// Many headers rather than one long one.
	var many strings.Builder
	for i := 0; many.Len() < 1<<20+64<<10; i++ {
		fmt.Fprintf(&many, "X-H%d: %s\r\n", i, strings.Repeat("c", 1000))
	}
	raw = "GET /?Action=GetCallerIdentity&Version=2011-06-15 HTTP/1.1\r\nHost: x\r\n" + many.String() + "\r\n"
	resp = readAll(t, rawExchange(t, env, raw))
	if resp.Status != http.StatusRequestHeaderFieldsTooLarge && (resp.Status < 400 || resp.Status >= 500) {
		t.Errorf("many headers: HTTP %d, want 431 or another 4xx", resp.Status)
	}
	wantHealthy(t, env)
}

func TestEdgeBodyTooLarge(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	head := "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"

	// Refused on its Content-Length, before any of it is read.
	raw := head + fmt.Sprintf("Content-Length: %d\r\n\r\nAction=GetCallerIdentity", 16<<20+1)
	wantQueryError(t, readAll(t, rawExchange(t, env, raw)), http.StatusRequestEntityTooLarge, "RequestEntityTooLargeException")

	// Refused when the chunks add up to more than the limit.
	var chunked strings.Builder
	chunked.WriteString(head + "Transfer-Encoding: chunked\r\n\r\n")
	chunk := strings.Repeat("x", 1<<20)
	for i := 0; i <= 16; i++ {
		fmt.Fprintf(&chunked, "%x\r\n%s\r\n", len(chunk), chunk)
	}
	chunked.WriteString("0\r\n\r\n")
	wantQueryError(t, readAll(t, rawExchange(t, env, chunked.String())), http.StatusRequestEntityTooLarge, "RequestEntityTooLargeException")
	wantHealthy(t, env)
}

// TestEdgeH2C speaks HTTP/2 without TLS (prior knowledge), as gRPC-style
// clients and some proxies do.
func TestEdgeH2C(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	h2 := &http2.Transport{
		AllowHTTP: true,
		DialTLSContext: func(ctx context.Context, network, addr string, _ *tls.Config) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		},
	}
	defer h2.CloseIdleConnections()
	client := &http.Client{Transport: h2, Timeout: 30 * time.Second}

	resp, err := client.Get(env.Endpoint + "/_virga/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.ProtoMajor != 2 {
		t.Fatalf("/_virga/health over h2c: HTTP %d, %s", resp.StatusCode, resp.Proto)
	}

	cfg := e2e.ClientConfig(env.Endpoint, "us-east-1", "test", "test", "")
	cfg.HTTPClient = client
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(context.Background(), nil)
	if err != nil {
		t.Fatalf("GetCallerIdentity over h2c: %v", err)
	}
	if aws.ToString(out.Account) != testAccount {
		t.Errorf("Account = %q", aws.ToString(out.Account))
	}

	// Errors too.
	r := doWith(t, client, env.Endpoint, rawRequest{Method: http.MethodGet, Path: "/nope"})
	wantQueryError(t, r, http.StatusBadRequest, "UnknownOperationException")
}

type health struct {
	Status        string
	Version       string
	Started       time.Time
	UptimeSeconds *float64
	Services      []struct{ Name, Protocol, State string }
}

func getHealth(t *testing.T, env *e2e.Env) health {
	t.Helper()
	resp := do(t, env, rawRequest{Method: http.MethodGet, Path: "/_virga/health"})
	if resp.Status != http.StatusOK {
		t.Fatalf("HTTP %d\n%s", resp.Status, resp.Body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	var h health
	if err := json.Unmarshal(resp.Body, &h); err != nil {
		t.Fatalf("%v\n%s", err, resp.Body)
	}
	return h
}

func TestHealth(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithFakeClock())
	h := getHealth(t, env)
	if h.Status != "ok" || h.Version == "" || h.UptimeSeconds == nil {
		t.Fatalf("health = %+v", h)
	}
	found := false
	for _, s := range h.Services {
		if s.Name == "sts" {
			found = true
			if s.Protocol != "awsQuery" || s.State != "running" {
				t.Errorf("sts: %+v", s)
			}
		}
	}
	if !found {
		t.Errorf("services %+v lack sts", h.Services)
	}
	env.Clock.Advance(90 * time.Second)
	if h2 := getHealth(t, env); h2.UptimeSeconds == nil || *h2.UptimeSeconds-*h.UptimeSeconds != 90 {
		t.Errorf("uptime went from %v to %v after 90 s", *h.UptimeSeconds, h2.UptimeSeconds)
	}
	// HEAD and POST are not the health check.
	if resp := do(t, env, rawRequest{Method: http.MethodPost, Path: "/_virga/health"}); resp.Status != http.StatusMethodNotAllowed {
		t.Errorf("POST /_virga/health: HTTP %d, want 405", resp.Status)
	}
}

// TestInfoHasNoSecrets checks /_virga/info's configuration: every setting,
// and no secret access key anywhere in it.
func TestInfoHasNoSecrets(t *testing.T) {
	t.Parallel()
	const secret = "Sup3rS3cretValue/WithChars+xyz"
	for _, tc := range []struct {
		name    string
		opts    []e2e.Option
		keys    []string
		secrets []string
	}{
		{"default test:test", nil, []string{"test"}, []string{"test"}},
		{"configured keys", []e2e.Option{e2e.WithConfig(func(c *config.Config) {
			c.Auth = config.AuthSigV4
			c.Credentials = []config.Credential{{AccessKeyID: "AKIDONE", SecretAccessKey: secret}, {AccessKeyID: "AKIDTWO", SecretAccessKey: secret + "2"}}
		})}, []string{"AKIDONE", "AKIDTWO"}, []string{secret, secret + "2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := e2e.Start(t, tc.opts...)
			resp := do(t, env, rawRequest{Method: http.MethodGet, Path: "/_virga/info"})
			if resp.Status != http.StatusOK {
				t.Fatalf("HTTP %d\n%s", resp.Status, resp.Body)
			}
			var info struct {
				Version string
				Config  map[string]any
			}
			if err := json.Unmarshal(resp.Body, &info); err != nil {
				t.Fatalf("%v\n%s", err, resp.Body)
			}
			if info.Version == "" {
				t.Error("no version")
			}
			c := info.Config
			for k, want := range map[string]any{
				"listen": "127.0.0.1:0", "region": "us-east-1", "accountId": testAccount,
				"inMemory": true, "auth": env.Cfg.Auth, "fsync": false,
				"shutdownTimeout": env.Cfg.ShutdownTimeout.String(),
			} {
				if c[k] != want {
					t.Errorf("config.%s = %v, want %v", k, c[k], want)
				}
			}
			creds, _ := c["credentials"].([]any)
			if len(creds) != len(tc.keys) {
				t.Fatalf("config.credentials = %v, want %d keys", c["credentials"], len(tc.keys))
			}
			for i, cr := range creds {
				m, _ := cr.(map[string]any)
				if len(m) != 1 || m["accessKeyId"] != tc.keys[i] {
					t.Errorf("credentials[%d] = %v, want only accessKeyId %s", i, cr, tc.keys[i])
				}
			}
			// Nothing anywhere looks like a secret, and no configured
			// secret appears (except as the key id "test" where key and
			// secret are the same).
			walkJSON(t, "", any(map[string]any(c)), func(path string, v any) {
				if strings.Contains(strings.ToLower(path), "secret") {
					t.Errorf("config has %s = %v", path, v)
				}
				s, ok := v.(string)
				if !ok {
					return
				}
				for i, sec := range tc.secrets {
					if s == sec && !(strings.HasSuffix(path, ".accessKeyId") && tc.keys[i] == sec) {
						t.Errorf("config %s carries a secret access key", path)
					}
				}
			})
		})
	}
}

// walkJSON calls f on every value in a decoded JSON document, with its
// path.
func walkJSON(t *testing.T, path string, v any, f func(path string, v any)) {
	f(path, v)
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			walkJSON(t, path+"."+k, e, f)
		}
	case []any:
		for i, e := range v {
			walkJSON(t, fmt.Sprintf("%s[%d]", path, i), e, f)
		}
	}
}

// TestEdgeUnusualSigning sends signed requests in forms real clients use:
// GET with the query, repeated query keys, headers with odd spacing.
func TestEdgeUnusualSigning(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, sigv4Mode)
	creds := formPost("").Sign
	for _, tc := range []struct {
		name string
		req  rawRequest
	}{
		{"GET", rawRequest{Method: http.MethodGet, Path: "/?Action=GetCallerIdentity&Version=2011-06-15", Sign: creds}},
		{"repeated query keys", rawRequest{Method: http.MethodGet, Path: "/?Action=GetCallerIdentity&Version=2011-06-15&Z=2&Z=1&A=", Sign: creds}},
		{"odd header spacing", rawRequest{Body: "Action=GetCallerIdentity&Version=2011-06-15", Sign: creds, Headers: map[string]string{
			"Content-Type": "application/x-www-form-urlencoded", "X-Amz-Meta-Odd": "  a   b  ",
		}}},
		{"escaped query", rawRequest{Method: http.MethodGet, Path: "/?Action=GetCallerIdentity&Version=2011-06-15&Q=" + url.QueryEscape("a b/c~d*e"), Sign: creds}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := do(t, env, tc.req)
			if resp.Status != http.StatusOK {
				t.Fatalf("HTTP %d\n%s", resp.Status, resp.Body)
			}
		})
	}
}
