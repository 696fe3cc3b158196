package runtimeapi

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// recorder is an Observer that keeps what it is told.
type recorder struct {
	mu    sync.Mutex
	subs  []Subscription
	names []string
}

func (r *recorder) Subscribed(s Subscription) {
	r.mu.Lock()
	r.subs = append(r.subs, s)
	r.mu.Unlock()
}

func (r *recorder) ExtensionRegistered(name string, events []string) {
	r.mu.Lock()
	r.names = append(r.names, name+" "+strings.Join(events, ","))
	r.mu.Unlock()
}

func subscribeTo(t *testing.T, s *Server, path, id, body string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest("PUT", "http://"+s.Addr()+path, strings.NewReader(body))
	if id != "" {
		req.Header.Set("Lambda-Extension-Identifier", id)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

const goodSubscription = `{"schemaVersion":"2022-12-13","types":["platform","function","platform"],
	"buffering":{"maxItems":1000,"maxBytes":262144,"timeoutMs":25},
	"destination":{"protocol":"HTTP","URI":"http://sandbox.localdomain:8080/telemetry?x=1"}}`

func TestTelemetrySubscribe(t *testing.T) {
	t.Parallel()
	s, err := New()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rec := &recorder{}
	s.SetObserver(rec)
	s.ExpectExtensions([]string{"ext"})
	id := register(t, s, "ext", `{"events":["INVOKE","SHUTDOWN"]}`)
	if len(rec.names) != 1 || rec.names[0] != "ext INVOKE,SHUTDOWN" {
		t.Fatalf("registrations observed: %q", rec.names)
	}

	status, body := subscribeTo(t, s, "/2022-07-01/telemetry", id, goodSubscription)
	if status != 200 || string(body) != "\"OK\"\n" {
		t.Fatalf("subscribe: %d %s", status, body)
	}
	if len(rec.subs) != 1 {
		t.Fatalf("subscriptions observed: %+v", rec.subs)
	}
	got := rec.subs[0]
	if got.API != TelemetryAPI || got.Extension != "ext" || got.SchemaVersion != "2022-12-13" ||
		strings.Join(got.Types, ",") != "platform,function" || got.MaxItems != 1000 || got.MaxBytes != 262144 ||
		got.Timeout != 25*time.Millisecond || got.Protocol != ProtocolHTTP || got.Port != 8080 || got.Path != "/telemetry?x=1" {
		t.Fatalf("subscription %+v", got)
	}
	// The trailing slash of AWS's reference is the same endpoint; a new
	// subscription replaces the extension's.
	if status, body := subscribeTo(t, s, "/2022-07-01/telemetry/", id, `{"schemaVersion":"2022-07-01","types":["extension"],"destination":{"protocol":"TCP","URI":"sandbox:4243"}}`); status != 200 {
		t.Fatalf("resubscribe: %d %s", status, body)
	}
	if got := rec.subs[1]; got.MaxItems != 10000 || got.MaxBytes != 262144 || got.Timeout != time.Second || got.Protocol != ProtocolTCP || got.Port != 4243 {
		t.Fatalf("defaults: %+v", got)
	}
	// One API or the other.
	status, body = subscribeTo(t, s, "/2020-08-15/logs", id, `{"types":["platform"],"destination":{"protocol":"HTTP","URI":"http://sandbox:1234"}}`)
	wantErr(t, status, body, 400, "Logs.ValidationError", "")

	status, body = subscribeTo(t, s, "/2022-07-01/telemetry", "", goodSubscription)
	wantErr(t, status, body, 403, errExtMissingID, "")
	status, body = subscribeTo(t, s, "/2022-07-01/telemetry", "00000000-0000-4000-8000-000000000000", goodSubscription)
	wantErr(t, status, body, 403, errExtUnknownID, "")

	req, _ := http.NewRequest("POST", "http://"+s.Addr()+"/2022-07-01/telemetry", bytes.NewReader(nil))
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 405 {
		t.Fatalf("POST: %v %v", resp, err)
	}

	// After the init, subscriptions are closed.
	s.CloseSubscriptions()
	status, body = subscribeTo(t, s, "/2022-07-01/telemetry", id, goodSubscription)
	wantErr(t, status, body, 403, "Telemetry.SubscriptionClosed", "Telemetry API subscription is closed already")
}

func TestTelemetrySubscribeInvalid(t *testing.T) {
	t.Parallel()
	dest := `"destination":{"protocol":"HTTP","URI":"http://sandbox.localdomain:8080"}`
	for _, tc := range []struct {
		api        SubscriptionAPI
		body, want string
	}{
		{TelemetryAPI, `{"types":["platform"],` + dest + `}`, "schemaVersion is not provided"},
		{TelemetryAPI, `{"schemaVersion":"2020-08-15","types":["platform"],` + dest + `}`, `schemaVersion "2020-08-15" is not supported; valid values are 2022-07-01, 2022-12-13, 2025-01-29`},
		{TelemetryAPI, `{"schemaVersion":"2022-07-01","types":[],"destination":{"protocol":"HTTP","URI":"http://sandbox.localdomain"}}`, "types should not be empty; URI port is not provided"},
		{TelemetryAPI, `{"schemaVersion":"2022-07-01","types":["platform","logs"],` + dest + `}`, `type "logs" is not supported; valid values are platform, function, extension`},
		{TelemetryAPI, `{"schemaVersion":"2022-07-01","types":["platform"],"buffering":{"maxItems":999,"maxBytes":2000000,"timeoutMs":24.5},` + dest + `}`,
			"buffering.maxItems should be between 1000 and 10000; buffering.maxBytes should be between 262144 and 1048576; buffering.timeoutMs should be between 25 and 30000"},
		{TelemetryAPI, `{"schemaVersion":"2022-07-01","types":["platform"]}`, "destination is not provided"},
		{TelemetryAPI, `{"schemaVersion":"2022-07-01","types":["platform"],"destination":{"protocol":"HTTPS","URI":"https://sandbox:1"}}`,
			`destination protocol "HTTPS" is not supported; valid values are HTTP, TCP`},
		{TelemetryAPI, `{"schemaVersion":"2022-07-01","types":["platform"],"destination":{"protocol":"HTTP","URI":"tcp://sandbox:1"}}`, `destination URI scheme should be http`},
		{TelemetryAPI, `{"schemaVersion":"2022-07-01","types":["platform"],"destination":{"protocol":"HTTP","URI":"sandbox:1"}}`, `destination URI "sandbox:1" is not a valid URI`},
		{TelemetryAPI, `{"schemaVersion":"2022-07-01","types":["platform"],"destination":{"protocol":"HTTP","URI":"http://sandbox:99999"}}`, `URI port "99999" is not valid`},
		{LogsAPI, `{"schemaVersion":"2022-12-13","types":["function"],` + dest + `}`, `schemaVersion "2022-12-13" is not supported; valid values are 2020-08-15, 2021-03-18`},
		{LogsAPI, `[]`, "request body is not valid JSON: json: cannot unmarshal array into Go value of type runtimeapi.subscribeRequest"},
	} {
		_, got := parseSubscription(tc.api, []byte(tc.body))
		if got != tc.want {
			t.Errorf("%s %s:\n got %q\nwant %q", tc.api, tc.body, got, tc.want)
		}
	}
	// The Logs API's schema version is optional.
	sub, problem := parseSubscription(LogsAPI, []byte(`{"types":["platform"],`+dest+`}`))
	if problem != "" || sub.SchemaVersion != "2020-08-15" {
		t.Fatalf("%+v %q", sub, problem)
	}
}

// FuzzSubscription: any body either is refused with a reason or makes a
// subscription within AWS's limits.
func FuzzSubscription(f *testing.F) {
	f.Add(true, []byte(goodSubscription))
	f.Add(false, []byte(`{"schemaVersion":"2021-03-18","types":["platform","function"],"buffering":{"timeoutMs":100},"destination":{"protocol":"TCP","URI":"sandbox:9"}}`))
	f.Add(true, []byte(`{"buffering":{"maxItems":1e3},"destination":{"URI":"http://[::1]:80/%zz"}}`))
	f.Add(false, []byte(`{"destination":null,"types":null}`))
	f.Fuzz(func(t *testing.T, telemetry bool, body []byte) {
		api := LogsAPI
		if telemetry {
			api = TelemetryAPI
		}
		sub, problem := parseSubscription(api, body)
		if problem != "" {
			return
		}
		if len(sub.Types) == 0 || sub.Port < 1 || sub.Port > 65535 || sub.Path == "" ||
			sub.MaxItems < minBufferItems || sub.MaxItems > maxBufferItems ||
			sub.MaxBytes < minBufferBytes || sub.MaxBytes > maxBufferBytes ||
			sub.Timeout < minBufferTimeoutMs*time.Millisecond || sub.Timeout > maxBufferTimeoutMs*time.Millisecond {
			t.Fatalf("accepted %s as %+v", body, sub)
		}
	})
}
