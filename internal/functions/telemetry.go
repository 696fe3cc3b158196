package functions

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/virga/virga/internal/functions/runtimeapi"
)

// The Telemetry API and the Logs API, delivered: an extension that
// subscribed (package runtimeapi takes the subscription) is sent the
// environment's events of the types it chose, batched as its buffering
// says, to its listener: an HTTP POST of a JSON array, or newline
// delimited JSON over TCP. One mechanism serves both APIs; only the
// events' shapes differ (logsAPIEvent).
//
// The events are those the environment also logs (platformlog.go): the
// platform records (the same records as LoggingConfig's JSON format),
// the function's output lines, and platform.extension,
// platform.telemetrySubscription (platform.logsSubscription) and
// platform.logsDropped of their own. An environment with external
// extensions keeps its init's events until the init is reported, so
// that an extension subscribing during the init is sent them from
// platform.initStart on, as on AWS; after the init, an environment that
// no one subscribed to keeps nothing and pays nothing per line.

// Delivery retries: "Lambda retries the attempt to send telemetry (with
// backoff) if there is no listener, or if the POST request results in
// an error."
const (
	telemetryRetryMin = 50 * time.Millisecond
	telemetryRetryMax = time.Second
	// telemetrySendTimeout bounds one delivery: a listener that does not
	// answer is retried.
	telemetrySendTimeout = 5 * time.Second
	// telemetryBacklogItems bounds what the init keeps for extensions
	// yet to subscribe (the buffering maximum).
	telemetryBacklogItems = 10000
	// telemetryDrainLimit bounds the delivery of what is buffered when
	// the environment shuts down, before its extensions get SHUTDOWN.
	telemetryDrainLimit = 500 * time.Millisecond
)

// logsDroppedReason is platform.logsDropped's reason, as AWS's examples
// give it.
const logsDroppedReason = "Consumer seems to have fallen behind as it has not acknowledged receipt of logs."

// telemetryEvent is one event: a platform record (a record struct), a
// function line (a string, or a json.RawMessage for a JSON object in
// the JSON log format) or a platform.fault line (a string, sent only
// through the Logs API).
type telemetryEvent struct {
	at     time.Time
	typ    string
	record any
}

// category is the telemetry type that subscribes to ev.
func (ev telemetryEvent) category() string {
	switch ev.typ {
	case runtimeapi.TelemetryFunction, runtimeapi.TelemetryExtension:
		return ev.typ
	}
	return runtimeapi.TelemetryPlatform
}

// telemetry is one environment's subscriptions and their delivery.
type telemetry struct {
	client *http.Client

	mu      sync.Mutex
	subs    []*subscriber
	backlog []telemetryEvent
	keep    bool // the init is not reported yet: events go to backlog too
	closed  bool
}

func newTelemetry(keep bool) *telemetry { return &telemetry{keep: keep} }

// The Telemetry API's types of output lines.
const (
	telemetryFunction  = runtimeapi.TelemetryFunction
	telemetryExtension = runtimeapi.TelemetryExtension
)

// line emits a line of the function's (typ function) or an extension's
// (typ extension) output: a string, or in the JSON log format a line
// that is a JSON object as that object.
func (t *telemetry) line(at time.Time, typ string, line []byte, jsonFormat bool) {
	var record any
	if l := bytes.TrimSpace(line); jsonFormat && len(l) > 1 && l[0] == '{' && json.Valid(l) {
		record = json.RawMessage(bytes.Clone(l))
	} else {
		record = string(line)
	}
	t.emit(at, typ, record)
}

// emit hands an event to the subscribers of its type.
func (t *telemetry) emit(at time.Time, typ string, record any) {
	ev := telemetryEvent{at: at, typ: typ, record: record}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return
	}
	if t.keep && len(t.backlog) < telemetryBacklogItems {
		t.backlog = append(t.backlog, ev)
	}
	for _, s := range t.subs {
		s.add(ev)
	}
}

// active reports whether anything is to be emitted: a subscriber, or
// the init's backlog.
func (t *telemetry) active() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return !t.closed && (t.keep || len(t.subs) > 0)
}

// endInit stops keeping the init's events.
func (t *telemetry) endInit() {
	t.mu.Lock()
	t.keep, t.backlog = false, nil
	t.mu.Unlock()
}

// subscribe starts delivering to sub, from the init's backlog on; an
// extension's new subscription replaces its earlier one.
func (t *telemetry) subscribe(sub runtimeapi.Subscription) {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return
	}
	if t.client == nil {
		t.client = &http.Client{Timeout: telemetrySendTimeout,
			Transport: &http.Transport{MaxIdleConnsPerHost: 2, IdleConnTimeout: 30 * time.Second}}
	}
	s := newSubscriber(sub, t.client)
	var old *subscriber
	for i, o := range t.subs {
		if o.sub.Extension == sub.Extension {
			old, t.subs[i] = o, s
		}
	}
	if old == nil {
		t.subs = append(t.subs, s)
	}
	for _, ev := range t.backlog {
		s.add(ev)
	}
	t.mu.Unlock()
	if old != nil {
		old.stop(time.Now())
	}
	go s.run()
}

// close delivers what is buffered, within limit, and stops delivering.
func (t *telemetry) close(limit time.Duration) {
	t.mu.Lock()
	subs, client := t.subs, t.client
	t.closed, t.subs, t.backlog = true, nil, nil
	t.mu.Unlock()
	deadline := time.Now().Add(limit)
	var wg sync.WaitGroup
	for _, s := range subs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.stop(deadline)
		}()
	}
	wg.Wait()
	if client != nil {
		client.CloseIdleConnections()
	}
}

// subscriber is one subscription's buffer and its delivery goroutine.
type subscriber struct {
	sub    runtimeapi.Subscription
	client *http.Client
	tcp    net.Conn // the TCP destination's connection, while it lasts

	mu           sync.Mutex
	queue        [][]byte // encoded events, oldest first
	bytes        int
	dropped      int
	droppedBytes int
	deadline     time.Time // set by stop: deliver until then, then end
	wake         chan struct{}
	done         chan struct{}
}

func newSubscriber(sub runtimeapi.Subscription, client *http.Client) *subscriber {
	return &subscriber{sub: sub, client: client, wake: make(chan struct{}, 1), done: make(chan struct{})}
}

// add encodes ev for the subscription and buffers it, or counts it
// dropped when the buffer is full (twice maxBytes, or maxItems, waiting
// for a listener that does not take them).
func (s *subscriber) add(ev telemetryEvent) {
	if !s.sub.Has(ev.category()) {
		return
	}
	b := encodeEvent(s.sub, ev)
	if b == nil {
		return
	}
	s.mu.Lock()
	if len(s.queue) >= s.sub.MaxItems || s.bytes+len(b) > 2*s.sub.MaxBytes {
		s.dropped++
		s.droppedBytes += len(b)
		s.mu.Unlock()
		return
	}
	s.queue = append(s.queue, b)
	s.bytes += len(b)
	s.mu.Unlock()
	s.signal()
}

func (s *subscriber) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// stop has the subscriber deliver what it holds until deadline, then
// end; it returns when it has.
func (s *subscriber) stop(deadline time.Time) {
	s.mu.Lock()
	s.deadline = deadline
	s.mu.Unlock()
	s.signal()
	<-s.done
}

// run delivers batches: when maxItems events or maxBytes are buffered,
// or timeoutMs after the first event of a batch, or at once when
// stopping.
func (s *subscriber) run() {
	defer close(s.done)
	defer func() {
		if s.tcp != nil {
			s.tcp.Close()
		}
	}()
	backoff := telemetryRetryMin
	var timer *time.Timer
	for {
		s.mu.Lock()
		n, size, deadline := len(s.queue), s.bytes, s.deadline
		s.mu.Unlock()
		stopping := !deadline.IsZero()
		if stopping && (n == 0 || !time.Now().Before(deadline)) {
			return
		}
		if n == 0 {
			<-s.wake
			continue
		}
		if !stopping && n < s.sub.MaxItems && size < s.sub.MaxBytes {
			if timer == nil {
				timer = time.NewTimer(s.sub.Timeout)
			}
			select {
			case <-s.wake:
				continue
			case <-timer.C:
			}
		}
		if timer != nil {
			timer.Stop()
			timer = nil
		}
		b := s.take()
		if err := s.deliver(b.events, deadline); err != nil {
			s.putBack(b)
			wait := backoff
			if stopping {
				wait = min(wait, time.Until(deadline))
			}
			backoff = min(2*backoff, telemetryRetryMax)
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-s.wake:
				t.Stop()
				if !s.stopping() {
					<-time.After(wait)
				}
			}
			continue
		}
		backoff = telemetryRetryMin
	}
}

func (s *subscriber) stopping() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.deadline.IsZero()
}

// batch is what one delivery sends.
type batch struct {
	events [][]byte
	// lead: events[0] is a platform.logsDropped event for the dropped
	// records and bytes, which are counted again if the delivery fails.
	lead                  bool
	dropped, droppedBytes int
}

// take removes a batch from the queue: up to maxItems events and about
// maxBytes, led by a platform.logsDropped event when events were
// dropped since the last delivery.
func (s *subscriber) take() batch {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b batch
	if s.dropped > 0 && s.sub.Has(runtimeapi.TelemetryPlatform) {
		b.lead, b.dropped, b.droppedBytes = true, s.dropped, s.droppedBytes
		s.dropped, s.droppedBytes = 0, 0
		b.events = append(b.events, encodeEvent(s.sub, telemetryEvent{at: time.Now(), typ: "platform.logsDropped",
			record: logsDroppedRecord{Reason: logsDroppedReason, DroppedRecords: b.dropped, DroppedBytes: b.droppedBytes}}))
	}
	size, n := 0, 0
	for n < len(s.queue) && n < s.sub.MaxItems && (n == 0 || size+len(s.queue[n]) <= s.sub.MaxBytes) {
		size += len(s.queue[n])
		n++
	}
	b.events = append(b.events, s.queue[:n]...)
	s.queue = append(s.queue[:0:0], s.queue[n:]...)
	s.bytes -= size
	return b
}

// putBack returns an undelivered batch to the front of the queue.
func (s *subscriber) putBack(b batch) {
	s.mu.Lock()
	defer s.mu.Unlock()
	events := b.events
	if b.lead {
		events = events[1:] // the logsDropped event is made again
		s.dropped += b.dropped
		s.droppedBytes += b.droppedBytes
	}
	size := 0
	for _, e := range events {
		size += len(e)
	}
	s.queue = append(events[:len(events):len(events)], s.queue...)
	s.bytes += size
}

// deliver sends one batch to the subscription's listener, on loopback
// (the inside of the environment), before deadline when stopping.
func (s *subscriber) deliver(batch [][]byte, deadline time.Time) error {
	ctx := context.Background()
	if !deadline.IsZero() {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline)
		defer cancel()
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(s.sub.Port))
	if s.sub.Protocol == runtimeapi.ProtocolTCP {
		return s.deliverTCP(ctx, addr, batch)
	}
	var body bytes.Buffer
	body.WriteByte('[')
	for i, b := range batch {
		if i > 0 {
			body.WriteByte(',')
		}
		body.Write(b)
	}
	body.WriteByte(']')
	req, err := http.NewRequestWithContext(ctx, "POST", "http://"+addr+s.sub.Path, &body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		return errListenerRefused
	}
	return nil
}

// deliverTCP writes a batch as newline delimited JSON on a connection
// kept between batches.
func (s *subscriber) deliverTCP(ctx context.Context, addr string, batch [][]byte) error {
	if s.tcp == nil {
		c, err := (&net.Dialer{Timeout: telemetrySendTimeout}).DialContext(ctx, "tcp", addr)
		if err != nil {
			return err
		}
		s.tcp = c
	}
	var out bytes.Buffer
	for _, b := range batch {
		out.Write(b)
		out.WriteByte('\n')
	}
	s.tcp.SetWriteDeadline(time.Now().Add(telemetrySendTimeout))
	if _, err := s.tcp.Write(out.Bytes()); err != nil {
		s.tcp.Close()
		s.tcp = nil
		return err
	}
	return nil
}

type listenerError string

func (e listenerError) Error() string { return string(e) }

const errListenerRefused = listenerError("the telemetry listener answered with an error")

type logsDroppedRecord struct {
	Reason         string `json:"reason"`
	DroppedRecords int    `json:"droppedRecords"`
	DroppedBytes   int    `json:"droppedBytes"`
}

// extensionRecord is platform.extension's record.
type extensionRecord struct {
	Name   string   `json:"name"`
	State  string   `json:"state"`
	Events []string `json:"events"`
}

// subscriptionRecord is platform.telemetrySubscription's (and
// platform.logsSubscription's) record.
type subscriptionRecord struct {
	Name  string   `json:"name"`
	State string   `json:"state"`
	Types []string `json:"types"`
}

// encodeEvent renders ev for sub's API, or nil when the API has no such
// event.
func encodeEvent(sub runtimeapi.Subscription, ev telemetryEvent) []byte {
	typ, record := ev.typ, ev.record
	if sub.API == runtimeapi.LogsAPI {
		var ok bool
		if typ, record, ok = logsAPIEvent(sub, typ, record); !ok {
			return nil
		}
	} else if typ == "platform.fault" || typ == "platform.end" {
		return nil // the Logs API's only
	}
	return []byte(platformJSON(ev.at, typ, record))
}

// logsAPIEvent is ev as the Logs API sends it: function lines are
// strings; platform.start is requestId and version; platform.end and
// platform.fault are its own; platform.runtimeDone (from schema
// 2021-03-18) is requestId and status (success, failure, timeout); the
// init's records are not sent. platform.report's records of the two
// APIs share their metrics.
func logsAPIEvent(sub runtimeapi.Subscription, typ string, record any) (string, any, bool) {
	switch r := record.(type) {
	case json.RawMessage:
		return typ, string(r), true
	case string:
		return typ, r, true
	case startRecord:
		return typ, struct {
			RequestID string `json:"requestId"`
			Version   string `json:"version,omitempty"`
		}{r.RequestID, r.Version}, true
	case runtimeDoneRecord:
		if sub.SchemaVersion < runtimeapi.LogsSchemaRuntimeDone {
			return "", nil, false
		}
		status := r.Status
		if status == statusError {
			status = "failure"
		}
		return typ, struct {
			RequestID string `json:"requestId"`
			Status    string `json:"status"`
		}{r.RequestID, status}, true
	case reportRecord:
		return typ, struct {
			RequestID string        `json:"requestId"`
			Metrics   reportMetrics `json:"metrics"`
		}{r.RequestID, r.Metrics}, true
	case requestIDRecord, extensionRecord, subscriptionRecord, logsDroppedRecord:
		return typ, r, true
	}
	return "", nil, false
}

// requestIDRecord is the Logs API's platform.end.
type requestIDRecord struct {
	RequestID string `json:"requestId"`
}
