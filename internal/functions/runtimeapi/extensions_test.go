package runtimeapi

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"
)

func extURL(s *Server, path string) string {
	return "http://" + s.Addr() + "/2020-01-01/extension/" + path
}

// extDo sends one Extensions API request and returns its status, headers
// and body.
func extDo(t *testing.T, s *Server, method, path string, body []byte, hdr ...string) (int, http.Header, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, extURL(s, path), bytes.NewReader(body))
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

func register(t *testing.T, s *Server, name, events string, hdr ...string) string {
	t.Helper()
	status, h, body := extDo(t, s, "POST", "register", []byte(events), append([]string{"Lambda-Extension-Name", name}, hdr...)...)
	if status != 200 {
		t.Fatalf("register %s: %d %s", name, status, body)
	}
	return h.Get("Lambda-Extension-Identifier")
}

// extNextAsync polls /event/next in the background, as an extension does.
func extNextAsync(s *Server, id string) <-chan []byte {
	ch := make(chan []byte, 1)
	go func() {
		req, _ := http.NewRequest("GET", extURL(s, "event/next"), nil)
		req.Header.Set("Lambda-Extension-Identifier", id)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			ch <- nil
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b = nil
		}
		ch <- b
	}()
	return ch
}

func wantErr(t *testing.T, status int, body []byte, wantStatus int, wantType, wantMsg string) {
	t.Helper()
	var e ErrorResponse
	json.Unmarshal(body, &e)
	if status != wantStatus || e.ErrorType != wantType || wantMsg != "" && e.ErrorMessage != wantMsg {
		t.Fatalf("got %d %s, want %d %s %q", status, body, wantStatus, wantType, wantMsg)
	}
}

func recv(t *testing.T, ch <-chan []byte) []byte {
	t.Helper()
	select {
	case b := <-ch:
		return b
	case <-time.After(5 * time.Second):
		t.Fatal("no event")
	}
	return nil
}

func TestExtensionLifecycle(t *testing.T) {
	t.Parallel()
	s := start(t)
	s.SetFunction(FunctionInfo{FunctionName: "f", FunctionVersion: "$LATEST", Handler: "h", AccountID: "123456789012"})
	allIn := s.ExpectExtensions([]string{"ext"})
	select {
	case <-allIn:
		t.Fatal("all in before registration")
	default:
	}
	status, h, body := extDo(t, s, "POST", "register", []byte(`{"events":["INVOKE","SHUTDOWN"]}`),
		"Lambda-Extension-Name", "ext", "Lambda-Extension-Accept-Feature", "accountId")
	if status != 200 {
		t.Fatalf("register: %d %s", status, body)
	}
	id := h.Get("Lambda-Extension-Identifier")
	if !validID(id) {
		t.Fatalf("identifier %q", id)
	}
	var info FunctionInfo
	if err := json.Unmarshal(body, &info); err != nil || info != (FunctionInfo{"f", "$LATEST", "h", "123456789012"}) {
		t.Fatalf("register body %s", body)
	}
	<-allIn

	// Init ends when both the runtime and the extension have polled.
	polled := nextAsync(s)
	select {
	case ev := <-s.Events():
		t.Fatalf("event %v before the extension polled", ev.Kind)
	case <-time.After(50 * time.Millisecond):
	}
	extPolled := extNextAsync(s, id)
	event(t, s, EventReady)

	// An internal extension cannot register once init is over.
	status, _, body = extDo(t, s, "POST", "register", []byte(`{"events":["INVOKE"]}`), "Lambda-Extension-Name", "late")
	wantErr(t, status, body, 403, "Extension.RegistrationClosed", "Extension registration closed already")

	deadline := time.UnixMilli(1700000000123)
	if err := s.Dispatch(&Invocation{RequestID: "r1", Deadline: deadline, FunctionARN: "arn:f", TraceID: "Root=1-a"}); err != nil {
		t.Fatal(err)
	}
	var ev map[string]any
	json.Unmarshal(recv(t, extPolled), &ev)
	if ev["eventType"] != "INVOKE" || ev["requestId"] != "r1" || ev["deadlineMs"] != float64(1700000000123) ||
		ev["invokedFunctionArn"] != "arn:f" || ev["tracing"].(map[string]any)["value"] != "Root=1-a" {
		t.Fatalf("invoke event %v", ev)
	}
	resp := <-polled
	resp.Body.Close()
	if status, _ := post(t, s, "invocation/r1/response", []byte(`"ok"`)); status != 202 {
		t.Fatal(status)
	}
	event(t, s, EventResponse)
	done := s.ExtensionsDone()
	select {
	case <-done:
		t.Fatal("done before the extension polled again")
	default:
	}
	extPolled = extNextAsync(s, id)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the extension's next did not finish the invocation")
	}

	if !s.HasShutdownSubscribers() {
		t.Fatal("no shutdown subscribers")
	}
	shut := s.Shutdown(ShutdownSpindown, deadline)
	json.Unmarshal(recv(t, extPolled), &ev)
	if ev["eventType"] != "SHUTDOWN" || ev["shutdownReason"] != "spindown" {
		t.Fatalf("shutdown event %v", ev)
	}
	extNextAsync(s, id)
	select {
	case <-shut:
	case <-time.After(5 * time.Second):
		t.Fatal("shutdown not finished")
	}
}

func TestExtensionErrors(t *testing.T) {
	t.Parallel()
	s := start(t)
	s.ExpectExtensions([]string{"ext"})
	status, _, body := extDo(t, s, "POST", "register", []byte(`{"events":["INVOKE"]}`))
	wantErr(t, status, body, 403, "Extension.InvalidExtensionName", "Empty extension name")
	status, _, body = extDo(t, s, "POST", "register", []byte(`{`), "Lambda-Extension-Name", "ext")
	wantErr(t, status, body, 403, "InvalidRequestFormat", "")
	status, _, body = extDo(t, s, "POST", "register", []byte(`{"events":["INVOKE"],"configurationKeys":["a"]}`), "Lambda-Extension-Name", "ext")
	wantErr(t, status, body, 403, "InvalidRequestFormat", "configurationKeys are deprecated; use environment variables instead")
	status, _, body = extDo(t, s, "POST", "register", []byte(`{"events":["SHUTDOWN"]}`), "Lambda-Extension-Name", "internal")
	wantErr(t, status, body, 403, "Extension.InvalidEventType", "")

	id := register(t, s, "ext", `{"events":["INVOKE"]}`)
	status, _, body = extDo(t, s, "POST", "register", []byte(`{"events":["INVOKE"]}`), "Lambda-Extension-Name", "ext")
	wantErr(t, status, body, 403, "Extension.InvalidExtensionState",
		"State transition from Registered to Registered failed for extension ext. Error: State transition is not allowed")

	status, _, body = extDo(t, s, "GET", "event/next", nil)
	wantErr(t, status, body, 403, "Extension.MissingExtensionIdentifier", "Missing Lambda-Extension-Identifier header")
	status, _, body = extDo(t, s, "GET", "event/next", nil, "Lambda-Extension-Identifier", "nope")
	wantErr(t, status, body, 403, "Extension.InvalidExtensionIdentifier", "Invalid Lambda-Extension-Identifier")
	unknown := newID()
	status, _, body = extDo(t, s, "GET", "event/next", nil, "Lambda-Extension-Identifier", unknown)
	wantErr(t, status, body, 403, "Extension.UnknownExtensionIdentifier", "Unknown extension "+unknown)
	status, _, body = extDo(t, s, "POST", "exit/error", nil, "Lambda-Extension-Identifier", unknown, "Lambda-Extension-Function-Error-Type", "E.x")
	wantErr(t, status, body, 403, "Extension.UnknownExtensionIdentifier", "Unknown Lambda-Extension-Identifier")
	status, _, body = extDo(t, s, "POST", "init/error", nil, "Lambda-Extension-Identifier", id)
	wantErr(t, status, body, 403, "Extension.MissingHeader", "Lambda-Extension-Function-Error-Type not found")
	status, _, _ = extDo(t, s, "GET", "register", nil)
	if status != 405 {
		t.Fatalf("GET register: %d", status)
	}

	// An init error fails the environment's init.
	status, _, body = extDo(t, s, "POST", "init/error", []byte(`{}`), "Lambda-Extension-Identifier", id, "Lambda-Extension-Function-Error-Type", "Extension.Broken")
	if status != 202 {
		t.Fatalf("init/error: %d %s", status, body)
	}
	ev := event(t, s, EventInitError)
	if ev.ErrorType != "Extension.InitError" {
		t.Fatalf("init error %+v", ev)
	}
	status, _, body = extDo(t, s, "GET", "event/next", nil, "Lambda-Extension-Identifier", id)
	wantErr(t, status, body, 403, "Extension.InvalidExtensionState",
		"State transition from InitError to Ready failed for extension "+id+". Error: State transition is not allowed")
}

// An extension that ends before it polls does not hold the init up.
func TestExtensionExitedDuringInit(t *testing.T) {
	t.Parallel()
	s := start(t)
	allIn := s.ExpectExtensions([]string{"a", "b"})
	register(t, s, "a", `{"events":["INVOKE"]}`)
	s.ExtensionExited("b")
	<-allIn
	nextAsync(s)
	s.ExtensionExited("a")
	event(t, s, EventReady)
	if err := s.Dispatch(&Invocation{RequestID: "r1"}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-s.ExtensionsDone():
	case <-time.After(5 * time.Second):
		t.Fatal("an ended extension holds the invocation")
	}
}

// Without extensions nothing waits: the fast path.
func TestNoExtensions(t *testing.T) {
	t.Parallel()
	s := start(t)
	nextAsync(s)
	event(t, s, EventReady)
	select {
	case <-s.ExtensionsDone():
	default:
		t.Fatal("ExtensionsDone blocks without extensions")
	}
	select {
	case <-s.Shutdown(ShutdownSpindown, time.Now()):
	default:
		t.Fatal("Shutdown blocks without extensions")
	}
}

// An internal extension registers during the runtime's init, under a
// name of its own; init waits for its first poll too, and it cannot
// subscribe to SHUTDOWN.
func TestInternalExtension(t *testing.T) {
	t.Parallel()
	s := start(t)
	id := register(t, s, "my-internal", `{"events":["INVOKE"]}`)
	status, _, body := extDo(t, s, "POST", "register", []byte(`{"events":["INVOKE"]}`), "Lambda-Extension-Name", "my-internal")
	wantErr(t, status, body, 403, "Extension.InvalidExtensionState", "Extension with this name already registered")
	nextAsync(s)
	select {
	case ev := <-s.Events():
		t.Fatalf("event %v before the internal extension polled", ev.Kind)
	case <-time.After(50 * time.Millisecond):
	}
	polled := extNextAsync(s, id)
	event(t, s, EventReady)
	if s.HasShutdownSubscribers() {
		t.Fatal("an internal extension subscribed to SHUTDOWN")
	}
	if err := s.Dispatch(&Invocation{RequestID: "r1"}); err != nil {
		t.Fatal(err)
	}
	if b := recv(t, polled); !bytes.Contains(b, []byte(`"requestId":"r1"`)) {
		t.Fatalf("invoke event %s", b)
	}
}
