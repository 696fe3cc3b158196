package paramsecrets

import (
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/functions"
)

func TestReadConfig(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		env  map[string]string
		want config
	}{
		{nil, config{port: 2773, cacheEnabled: true, cacheSize: 1000, ssmTTL: 300 * time.Second, secretsTTL: 300 * time.Second}},
		{map[string]string{"PARAMETERS_SECRETS_EXTENSION_HTTP_PORT": "9000", "SSM_PARAMETER_STORE_TTL": "900", "SECRETS_MANAGER_TTL": "0",
			"PARAMETERS_SECRETS_EXTENSION_CACHE_SIZE": "5", "SECRETS_MANAGER_TIMEOUT_MILLIS": "250"},
			config{port: 9000, cacheEnabled: true, cacheSize: 5, ssmTTL: 300 * time.Second, secretsTimeout: 250 * time.Millisecond}},
		{map[string]string{"PARAMETERS_SECRETS_EXTENSION_HTTP_PORT": "70000", "PARAMETERS_SECRETS_EXTENSION_CACHE_ENABLED": "false",
			"PARAMETERS_SECRETS_EXTENSION_CACHE_SIZE": "5000", "SSM_PARAMETER_STORE_TTL": "x"},
			config{port: 2773, cacheSize: 1000, ssmTTL: 300 * time.Second, secretsTTL: 300 * time.Second}},
	} {
		if got := readConfig(tc.env); got != tc.want {
			t.Errorf("readConfig(%v) = %+v, want %+v", tc.env, got, tc.want)
		}
	}
}

func TestParseCall(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		path, query, target, body string
		err                       error
	}{
		{"/systemsmanager/parameters/get", "name=%2Fa", "AmazonSSM.GetParameter", `{"Name":"/a","WithDecryption":false}`, nil},
		{"/systemsmanager/parameters/get/", "name=a&withDecryption=true&version=3", "AmazonSSM.GetParameter", `{"Name":"a:3","WithDecryption":true}`, nil},
		{"/systemsmanager/parameters/get", "name=a&label=prod", "AmazonSSM.GetParameter", `{"Name":"a:prod","WithDecryption":false}`, nil},
		{"/secretsmanager/get", "secretId=s&versionStage=AWSPREVIOUS", "secretsmanager.GetSecretValue", `{"SecretId":"s","VersionStage":"AWSPREVIOUS"}`, nil},
		{"/secretsmanager/get", "secretId=s&versionId=v", "secretsmanager.GetSecretValue", `{"SecretId":"s","VersionId":"v"}`, nil},
		{"/systemsmanager/parameters/get", "", "", "", errBadRequest},
		{"/systemsmanager/parameters/get", "name=a&version=1&label=b", "", "", errBadRequest},
		{"/systemsmanager/parameters/get", "name=a&withDecryption=yes", "", "", errBadRequest},
		{"/secretsmanager/get", "", "", "", errBadRequest},
		{"/secretsmanager/list", "", "", "", errNotFound},
	} {
		c, err := parseCall(tc.path, tc.query)
		if !errors.Is(err, tc.err) || (err == nil && (c.target != tc.target || string(c.body) != tc.body)) {
			t.Errorf("parseCall(%q, %q) = %s %s, %v", tc.path, tc.query, c.target, c.body, err)
		}
	}
}

// TestServer drives a Server against a stand-in for virga's edge that
// counts the calls it answers.
func TestServer(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	edge := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		if !strings.Contains(r.Header.Get("Authorization"), "Credential=AKID/") || r.Header.Get("X-Amz-Security-Token") != "tok" {
			t.Errorf("unsigned call: %v", r.Header)
		}
		var in struct{ Name string }
		json.NewDecoder(r.Body).Decode(&in)
		if in.Name == "missing" {
			w.WriteHeader(400)
			w.Write([]byte(`{"__type":"ParameterNotFound"}`))
			return
		}
		w.Write([]byte(`{"Parameter":{"Name":"` + in.Name + `","Value":"v` + strconv.Itoa(int(n)) + `"}}`))
	}))
	defer edge.Close()
	clk := clock.NewFake(time.Unix(1_700_000_000, 0))
	s := New(Options{Clock: clk})
	defer s.Close()
	port := freePort(t)
	att := functions.ExtensionAttachment{FunctionName: "f", Endpoint: edge.URL, Region: "us-east-1",
		Env:         map[string]string{"PARAMETERS_SECRETS_EXTENSION_HTTP_PORT": strconv.Itoa(port), "SSM_PARAMETER_STORE_TTL": "10"},
		Credentials: functions.Credentials{AccessKeyID: "AKID", SecretAccessKey: "secret", SessionToken: "tok"}}
	ready, detach, err := s.Attach(att)
	if err != nil {
		t.Fatal(err)
	}
	_, detach2, err := s.Attach(att) // a second environment of the function, in its init
	if err != nil {
		t.Fatal(err)
	}
	get := func(path, token string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", "http://127.0.0.1:"+strconv.Itoa(port)+path, nil)
		if token != "" {
			req.Header.Set(TokenHeader, token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b strings.Builder
		buf := make([]byte, 512)
		for {
			n, err := resp.Body.Read(buf)
			b.Write(buf[:n])
			if err != nil {
				break
			}
		}
		return resp.StatusCode, b.String()
	}
	if st, body := get("/systemsmanager/parameters/get?name=p", "tok"); st != 400 || strings.TrimSpace(body) != notReady || calls.Load() != 0 {
		t.Errorf("during the init: %d %s", st, body)
	}
	ready()
	if st, body := get("/systemsmanager/parameters/get?name=p", "tok"); st != 200 || !strings.Contains(body, `"Value":"v1"`) {
		t.Errorf("first: %d %s", st, body)
	}
	clk.Advance(9 * time.Second)
	if st, body := get("/systemsmanager/parameters/get?name=p", "tok"); st != 200 || !strings.Contains(body, `"Value":"v1"`) {
		t.Errorf("within the TTL: %d %s", st, body)
	}
	clk.Advance(time.Second)
	if st, body := get("/systemsmanager/parameters/get?name=p", "tok"); st != 200 || !strings.Contains(body, `"Value":"v2"`) {
		t.Errorf("after the TTL: %d %s", st, body)
	}
	if st, body := get("/systemsmanager/parameters/get?name=missing", "tok"); st != 400 || body != `{"__type":"ParameterNotFound"}` {
		t.Errorf("missing: %d %s", st, body)
	}
	if st, _ := get("/systemsmanager/parameters/get?name=missing", "tok"); st != 400 || calls.Load() != 4 {
		t.Errorf("errors are not cached: %d, %d calls", st, calls.Load())
	}
	if st, _ := get("/systemsmanager/parameters/get?name=p", "other"); st != 401 {
		t.Errorf("another token: %d", st)
	}
	if st, _ := get("/nothing", "tok"); st != 404 {
		t.Errorf("unknown path: %d", st)
	}
	detach()
	if st, body := get("/systemsmanager/parameters/get?name=p", "tok"); st != 400 || strings.TrimSpace(body) != notReady {
		t.Errorf("the environment left is in its init: %d %s", st, body)
	}
	detach2()
	if _, err := http.Get("http://127.0.0.1:" + strconv.Itoa(port) + "/secretsmanager/get?secretId=s"); err == nil {
		t.Error("the port is still served after the last environment ended")
	}
	if _, _, err := s.Attach(functions.ExtensionAttachment{Env: att.Env}); err == nil {
		t.Error("an environment without a session token was attached")
	}
}

func TestCacheSize(t *testing.T) {
	t.Parallel()
	now := time.Unix(0, 0)
	c := newCache(2)
	c.put("a", answer{expires: now.Add(3 * time.Second)}, now)
	c.put("b", answer{expires: now.Add(1 * time.Second)}, now)
	c.put("c", answer{expires: now.Add(2 * time.Second)}, now)
	if _, ok := c.get("b", now); ok {
		t.Error("the entry closest to expiring was kept")
	}
	if _, ok := c.get("a", now); !ok {
		t.Error("a was dropped")
	}
	if _, ok := c.get("c", now.Add(2*time.Second)); ok {
		t.Error("an expired entry was answered")
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	s := httptest.NewServer(http.NotFoundHandler())
	defer s.Close()
	return s.Listener.Addr().(*net.TCPAddr).Port
}

func FuzzParseCall(f *testing.F) {
	for _, s := range [][2]string{
		{"/systemsmanager/parameters/get", "name=%2Fa%2Fb&withDecryption=true"},
		{"/systemsmanager/parameters/get/", "name=a&version=2"},
		{"/systemsmanager/parameters/get", "name=a&label=x&version=1"},
		{"/secretsmanager/get", "secretId=arn%3Aaws%3Asecretsmanager%3Aus-east-1%3A1%3Asecret%3Ax&versionStage=AWSCURRENT"},
		{"/secretsmanager/get", "secretId=%zz"},
		{"/", ""},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, path, query string) {
		c, err := parseCall(path, query)
		if err != nil {
			if !errors.Is(err, errBadRequest) && !errors.Is(err, errNotFound) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if !json.Valid(c.body) || c.key == "" || c.target == "" {
			t.Fatalf("parseCall(%q, %q) = %+v", path, query, c)
		}
	})
}

// TestPortTaken: a port another process holds cannot serve the
// extension; the environment is told so.
func TestPortTaken(t *testing.T) {
	t.Parallel()
	other := httptest.NewServer(http.NotFoundHandler())
	defer other.Close()
	port := other.Listener.Addr().(*net.TCPAddr).Port
	s := New(Options{})
	defer s.Close()
	_, _, err := s.Attach(functions.ExtensionAttachment{Env: map[string]string{"PARAMETERS_SECRETS_EXTENSION_HTTP_PORT": strconv.Itoa(port)},
		Credentials: functions.Credentials{SessionToken: "tok"}})
	if err == nil || !strings.Contains(err.Error(), "listening on port "+strconv.Itoa(port)) {
		t.Errorf("Attach on a taken port: %v", err)
	}
}
