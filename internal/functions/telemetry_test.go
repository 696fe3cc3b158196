package functions

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/virga/virga/internal/functions/runtimeapi"
)

// listener is a telemetry destination that refuses (500) while refuse
// is set, and keeps the events it took.
type listener struct {
	mu      sync.Mutex
	refuse  bool
	batches [][]telemetryEvent
	got     chan struct{}
}

type wireEvent struct {
	Time   string          `json:"time"`
	Type   string          `json:"type"`
	Record json.RawMessage `json:"record"`
}

func newListener(t *testing.T) (*listener, int) {
	l := &listener{got: make(chan struct{}, 100)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.mu.Lock()
		defer l.mu.Unlock()
		if l.refuse || r.Method != "POST" || r.URL.Path != "/t" || r.Header.Get("Content-Type") != "application/json" {
			w.WriteHeader(500)
			return
		}
		var batch []wireEvent
		body, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(body, &batch); err != nil {
			w.WriteHeader(400)
			return
		}
		var evs []telemetryEvent
		for _, b := range batch {
			evs = append(evs, telemetryEvent{typ: b.Type, record: string(b.Record)})
		}
		l.batches = append(l.batches, evs)
		l.got <- struct{}{}
	}))
	t.Cleanup(srv.Close)
	port, _ := strconv.Atoi(srv.URL[strings.LastIndexByte(srv.URL, ':')+1:])
	return l, port
}

func (l *listener) wait(t *testing.T, n int) [][]telemetryEvent {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		l.mu.Lock()
		total := 0
		for _, b := range l.batches {
			total += len(b)
		}
		batches := l.batches
		l.mu.Unlock()
		if total >= n {
			return batches
		}
		select {
		case <-l.got:
		case <-deadline:
			t.Fatalf("%d events delivered, want %d", total, n)
		}
	}
}

func testSubscription(port int, types ...string) runtimeapi.Subscription {
	return runtimeapi.Subscription{API: runtimeapi.TelemetryAPI, Extension: "x", SchemaVersion: "2022-12-13", Types: types,
		MaxItems: 1000, MaxBytes: 262144, Timeout: 25 * time.Millisecond, Protocol: runtimeapi.ProtocolHTTP, Port: port, Path: "/t"}
}

// An extension that subscribes during the init is sent the init's
// events first; only the types it chose; a listener that refuses is
// retried until it takes them, in order.
func TestTelemetryDelivery(t *testing.T) {
	t.Parallel()
	l, port := newListener(t)
	l.refuse = true
	tel := newTelemetry(true)
	at := time.Date(2026, 1, 2, 3, 4, 5, 6e6, time.UTC)
	tel.emit(at, "platform.initStart", initStartRecord{InitializationType: initOnDemand, Phase: phaseInit})
	tel.line(at, telemetryFunction, []byte("init line"), false)
	tel.subscribe(testSubscription(port, runtimeapi.TelemetryPlatform))
	tel.endInit()
	tel.line(at, telemetryFunction, []byte(`{"level":"INFO"}`), true)
	tel.emit(at, "platform.start", startRecord{RequestID: "r1", Version: "$LATEST"})
	tel.emit(at, "platform.fault", "a Logs API line")
	l.mu.Lock()
	l.refuse = false
	l.mu.Unlock()
	batches := l.wait(t, 2)
	var types []string
	for _, b := range batches {
		for _, ev := range b {
			types = append(types, ev.typ)
		}
	}
	if got := strings.Join(types, " "); got != "platform.initStart platform.start" {
		t.Fatalf("delivered %s", got)
	}
	if r := batches[len(batches)-1][len(batches[len(batches)-1])-1].record; r != `{"requestId":"r1","functionArn":"","version":"$LATEST"}` {
		t.Fatalf("platform.start record %s", r)
	}
	tel.close(time.Second)
}

// Events beyond maxItems while the listener does not take them are
// dropped and counted: the next delivery begins with
// platform.logsDropped.
func TestTelemetryLogsDropped(t *testing.T) {
	t.Parallel()
	l, port := newListener(t)
	// The events arrive while the subscriber's listener takes none (its
	// delivery goroutine is not running yet).
	sub := newSubscriber(testSubscription(port, runtimeapi.TelemetryPlatform, runtimeapi.TelemetryFunction), http.DefaultClient)
	for i := range 1005 {
		sub.add(telemetryEvent{at: time.Now(), typ: telemetryFunction, record: "line " + strconv.Itoa(i)})
	}
	go sub.run()
	defer sub.stop(time.Now().Add(time.Second))
	batches := l.wait(t, 1001)
	first := batches[0][0]
	if first.typ != "platform.logsDropped" {
		t.Fatalf("first event %s %s", first.typ, first.record)
	}
	var r logsDroppedRecord
	if err := json.Unmarshal([]byte(first.record.(string)), &r); err != nil || r.DroppedRecords != 5 || r.DroppedBytes == 0 || r.Reason != logsDroppedReason {
		t.Fatalf("platform.logsDropped %s: %v", first.record, err)
	}
	if got := batches[0][1].record; got != `"line 0"` {
		t.Fatalf("first line %s", got)
	}
}

// A TCP destination gets newline delimited JSON.
func TestTelemetryTCP(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	lines := make(chan string, 10)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		sc := bufio.NewScanner(c)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	sub := testSubscription(ln.Addr().(*net.TCPAddr).Port, runtimeapi.TelemetryFunction)
	sub.Protocol = runtimeapi.ProtocolTCP
	tel := newTelemetry(false)
	tel.subscribe(sub)
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tel.line(at, telemetryFunction, []byte("one"), false)
	tel.line(at, telemetryFunction, []byte("two"), false)
	for _, want := range []string{`{"time":"2026-01-02T03:04:05.000Z","type":"function","record":"one"}`, `{"time":"2026-01-02T03:04:05.000Z","type":"function","record":"two"}`} {
		select {
		case got := <-lines:
			if got != want {
				t.Fatalf("got %s, want %s", got, want)
			}
		case <-time.After(20 * time.Second):
			t.Fatal("nothing delivered")
		}
	}
	tel.close(time.Second)
}
