package s3

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/deliver"
	"github.com/virga/virga/internal/store/keys"
)

// Event delivery. When an object is created or removed, the commit that
// makes the change also writes, for each configuration of the bucket's
// notification configuration that the event matches (and for
// EventBridge when it is on), an outbox record ("s3", "n", sequencer,
// n) holding the message as it will be sent. Run sends the outbox's
// records in order and removes each once its destination took it, so an
// acknowledged change's notifications survive a crash: they are sent
// when virga starts again. A destination that refuses a message
// (deleted since) is tried again with growing delays, then the message
// is dropped, as S3 drops events it cannot deliver.

// notificationSubject is the subject of the SNS messages S3 publishes.
const notificationSubject = "Amazon S3 Notification"

// outboxPoll bounds how long Run waits between looks at the outbox.
const outboxPoll = time.Second

// maxDeliveryAttempts is how many times a message is offered to its
// destination before it is dropped.
const maxDeliveryAttempts = 8

func outboxPrefix() []byte { return keys.AppendString(keys.AppendString(nil, "s3"), "n") }

// outboxRecord is one message waiting for its destination.
type outboxRecord struct {
	ARN     string          `json:"arn"`
	Body    json.RawMessage `json:"body"`
	Subject string          `json:"subject,omitempty"`
	// Source, DetailType and Resources make the message an EventBridge
	// event (Body is its detail).
	Source     string   `json:"source,omitempty"`
	DetailType string   `json:"detailType,omitempty"`
	Resources  []string `json:"resources,omitempty"`
	// Bucket is the bucket whose event it is, for the destination's
	// resource-based policy (aws:SourceArn); "" in records written
	// before it was kept, which are sent unchecked.
	Bucket string `json:"bucket,omitempty"`
	// TraceHeader is the trace header of the request that caused the
	// event, which the destination carries on (AWSTraceHeader, a
	// function's trace and its chain of requests).
	TraceHeader string `json:"trace,omitempty"`
}

// requestInfo is what an event says of the request that caused it.
type requestInfo struct {
	requestID, hostID, sourceIP, principal, account, traceHeader string
}

// requestInfoOf reads the request a handler's context belongs to.
func requestInfoOf(ctx context.Context) requestInfo {
	var r requestInfo
	c := awsproto.CallFrom(ctx)
	if c == nil {
		return r
	}
	r.requestID, r.traceHeader = c.RequestID, c.TraceID
	sum := sha256.Sum256([]byte(c.RequestID))
	r.hostID = base64.StdEncoding.EncodeToString(sum[:])
	if c.Request != nil {
		host, _, err := net.SplitHostPort(c.Request.RemoteAddr)
		if err != nil {
			host = c.Request.RemoteAddr
		}
		r.sourceIP = host
	}
	r.principal = c.Caller.UserID
	r.account = c.Caller.Account
	return r
}

// customerID is the Amazon customer id S3 names an account by in
// events (ownerIdentity, userIdentity): stable, derived from the
// account.
func customerID(account string) string {
	sum := sha256.Sum256([]byte("customer:" + account))
	return "A" + base32.StdEncoding.EncodeToString(sum[:])[:13]
}

// eventRecord is one record of an event message ("Event message
// structure", version 2.1).
type eventRecord struct {
	EventVersion      string            `json:"eventVersion"`
	EventSource       string            `json:"eventSource"`
	AWSRegion         string            `json:"awsRegion"`
	EventTime         string            `json:"eventTime"`
	EventName         string            `json:"eventName"`
	UserIdentity      principal         `json:"userIdentity"`
	RequestParameters map[string]string `json:"requestParameters"`
	ResponseElements  map[string]string `json:"responseElements"`
	S3                eventS3           `json:"s3"`
}

type principal struct {
	PrincipalID string `json:"principalId"`
}

type eventS3 struct {
	SchemaVersion   string      `json:"s3SchemaVersion"`
	ConfigurationID string      `json:"configurationId"`
	Bucket          eventBucket `json:"bucket"`
	Object          eventObject `json:"object"`
}

type eventBucket struct {
	Name          string    `json:"name"`
	OwnerIdentity principal `json:"ownerIdentity"`
	ARN           string    `json:"arn"`
}

// eventObject is the object of a record: created objects have a size
// and an ETag, removed ones do not; versionId is there for versioned
// buckets only.
type eventObject struct {
	Key       string `json:"key"`
	Size      *int64 `json:"size,omitempty"`
	ETag      string `json:"eTag,omitempty"`
	VersionID string `json:"versionId,omitempty"`
	Sequencer string `json:"sequencer"`
}

// formEncode encodes a key as S3 writes it in event records, which the
// documentation says are URL encoded with "red flower.jpg" becoming
// "red+flower.jpg": application/x-www-form-urlencoded, which keeps
// ASCII letters, digits and "*-._", writes a space as "+" and every
// other byte of the UTF-8 key as %XX, except that S3 keeps the "/" of
// keys that look like paths ("images/a.jpg"), as its recorded events
// show.
func formEncode(key string) string {
	const hexd = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '*', c == '-', c == '.', c == '_', c == '/':
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(hexd[c>>4])
			b.WriteByte(hexd[c&15])
		}
	}
	return b.String()
}

// s3Principal is who acts when a lifecycle rule does.
const s3Principal = "s3.amazonaws.com"

// lifecycleEvent reports whether a lifecycle rule, not a request, caused e.
func lifecycleEvent(e *Event) bool { return strings.HasPrefix(e.Name, "Lifecycle") }

// record builds the message of event e for a configuration.
func (s *Service) record(e *Event, configurationID string) []byte {
	user, sourceIP := customerID(s.account), e.SourceIP
	if e.Principal != "" && e.Principal != e.Account {
		user = "AWS:" + e.Principal
	}
	if lifecycleEvent(e) {
		// S3 itself acted: "principalId":"s3.amazonaws.com".
		user, sourceIP = s3Principal, s3Principal
	}
	r := eventRecord{
		EventVersion: "2.1", EventSource: "aws:s3", AWSRegion: s.region,
		EventTime:         e.Time.UTC().Format(eventTimeLayout),
		EventName:         e.Name,
		UserIdentity:      principal{user},
		RequestParameters: map[string]string{"sourceIPAddress": sourceIP},
		ResponseElements:  map[string]string{"x-amz-request-id": e.RequestID, "x-amz-id-2": e.HostID},
		S3: eventS3{SchemaVersion: "1.0", ConfigurationID: configurationID,
			Bucket: eventBucket{Name: e.Bucket, OwnerIdentity: principal{customerID(s.account)}, ARN: "arn:aws:s3:::" + e.Bucket},
			Object: eventObject{Key: formEncode(e.Key), VersionID: e.VersionID, Sequencer: e.Sequencer}},
	}
	switch {
	case strings.HasPrefix(e.Name, "ObjectCreated:"):
		size := e.Size
		r.S3.Object.Size, r.S3.Object.ETag = &size, e.ETag
	case strings.HasPrefix(e.Name, "ObjectTagging:"), strings.HasPrefix(e.Name, "ObjectAcl:"), strings.HasPrefix(e.Name, "ObjectRestore:"):
		r.S3.Object.ETag = e.ETag
	}
	return mustJSON(struct {
		Records []eventRecord `json:"Records"`
	}{[]eventRecord{r}})
}

// objectChangeDetailTypes are the EventBridge detail-types of the
// events of changes to an object's tags and ACL, and of a restore's
// start.
var objectChangeDetailTypes = map[string]string{
	"ObjectTagging:Put": "Object Tags Added", "ObjectTagging:Delete": "Object Tags Deleted", "ObjectAcl:Put": "Object ACL Updated",
	"ObjectRestore:Post": "Object Restore Initiated"}

// eventBridgeDetail is the detail of the event S3 sends EventBridge
// ("EventBridge event message structure"), and its detail-type.
func (s *Service) eventBridgeDetail(e *Event) (detailType string, detail []byte) {
	obj := map[string]any{"key": e.Key, "sequencer": e.Sequencer}
	if e.VersionID != "" {
		obj["version-id"] = e.VersionID
	}
	requester := e.Account
	if requester == "" {
		requester = s.account
	}
	d := map[string]any{
		"version":           "0",
		"bucket":            map[string]string{"name": e.Bucket},
		"object":            obj,
		"request-id":        e.RequestID,
		"requester":         requester,
		"source-ip-address": e.SourceIP,
	}
	if strings.HasPrefix(e.Name, "ObjectCreated:") {
		obj["size"], obj["etag"] = e.Size, e.ETag
		d["reason"] = map[string]string{
			"ObjectCreated:Put": "PutObject", "ObjectCreated:Post": "POST Object", "ObjectCreated:Copy": "CopyObject",
			"ObjectCreated:CompleteMultipartUpload": "CompleteMultipartUpload",
		}[e.Name]
		return "Object Created", mustJSON(d)
	}
	if dt, ok := objectChangeDetailTypes[e.Name]; ok {
		obj["etag"] = e.ETag
		delete(obj, "sequencer")
		return dt, mustJSON(d)
	}
	d["reason"] = "DeleteObject"
	if lifecycleEvent(e) {
		d["reason"], d["requester"] = "Lifecycle Expiration", s3Principal
	}
	if strings.HasSuffix(e.Name, ":DeleteMarkerCreated") {
		d["deletion-type"] = "Delete Marker Created"
	} else {
		d["deletion-type"] = "Permanently Deleted"
	}
	return "Object Deleted", mustJSON(d)
}

// queueNotifications fills in e's request details and sequencer and
// writes its messages to the outbox in batch, the commit that makes the
// change. Call with mu held.
func (s *Service) queueNotifications(ctx context.Context, batch batchSetter, b *bucketRecord, e *Event) error {
	req := requestInfoOf(ctx)
	e.RequestID, e.HostID, e.SourceIP, e.Principal, e.Account = req.requestID, req.hostID, req.sourceIP, req.principal, req.account
	e.Sequencer = s.sequencer()
	c := b.Notification
	if c == nil {
		return nil
	}
	n := 0
	add := func(r outboxRecord) error {
		n++
		data, err := json.Marshal(r)
		if err != nil {
			return err
		}
		batch.Set(keys.AppendInt(keys.AppendString(outboxPrefix(), e.Sequencer), int64(n)), data)
		return nil
	}
	for _, d := range destinations(c) {
		if !filterOf(d.filter).matches(e.Key) {
			continue
		}
		for _, ev := range d.events {
			if !eventMatches(ev, e.Name) {
				continue
			}
			r := outboxRecord{ARN: d.arn, Body: s.record(e, strDeref(d.id)), Bucket: e.Bucket, TraceHeader: req.traceHeader}
			if d.kind == "topic" {
				r.Subject = notificationSubject
			}
			if err := add(r); err != nil {
				return err
			}
			break
		}
	}
	if c.EventBridgeConfiguration != nil {
		dt, detail := s.eventBridgeDetail(e)
		if err := add(outboxRecord{ARN: "arn:aws:events:" + s.region + ":" + s.account + ":event-bus/default",
			Body: detail, Source: "aws.s3", DetailType: dt, Resources: []string{"arn:aws:s3:::" + e.Bucket}}); err != nil {
			return err
		}
	}
	return nil
}

// nudge wakes Run after a commit that queued messages.
func (s *Service) nudge() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run delivers the outbox's messages, replicates objects
// (replication.go), and applies the buckets' lifecycle rules
// (lifecycle_run.go), until ctx ends. It returns once the
// lifecycle loop has stopped too: the store is closed after Run returns.
func (s *Service) Run(ctx context.Context, log *slog.Logger) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	lifecycle := make(chan struct{})
	go func() {
		defer close(lifecycle)
		s.runLifecycle(ctx, log)
	}()
	defer func() { <-lifecycle }()
	for {
		wait := min(s.deliverOutbox(ctx, log), s.replicate(ctx, log))
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-s.wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// deliverOutbox sends every outbox message that is due, in order, and
// returns how long to wait before looking again.
func (s *Service) deliverOutbox(ctx context.Context, log *slog.Logger) time.Duration {
	next := outboxPoll
	if s.targets == nil {
		return next
	}
	p := outboxPrefix()
	it, err := s.store.NewIter(p, keys.PrefixEnd(p))
	if err != nil {
		log.Warn("s3: reading the notification outbox", "err", err)
		return next
	}
	type pending struct {
		key []byte
		rec outboxRecord
	}
	var due []pending
	now := s.clock.Now()
	for it.First(); it.Valid() && len(due) < 256; it.Next() {
		k := string(it.Key())
		if a, ok := s.retries[k]; ok && a.next.After(now) {
			next = min(next, a.next.Sub(now))
			continue
		}
		var r outboxRecord
		if json.Unmarshal(it.Value(), &r) != nil {
			continue
		}
		due = append(due, pending{append([]byte(nil), it.Key()...), r})
	}
	if err := it.Close(); err != nil {
		log.Warn("s3: reading the notification outbox", "err", err)
	}
	for _, d := range due {
		if ctx.Err() != nil {
			return next
		}
		m := deliver.Message{Body: d.rec.Body, Subject: d.rec.Subject, Source: d.rec.Source, DetailType: d.rec.DetailType,
			Resources: d.rec.Resources, TraceHeader: d.rec.TraceHeader}
		if d.rec.Bucket != "" {
			m.Sender = s.sender(d.rec.Bucket)
		}
		err := s.targets.Deliver(ctx, d.rec.ARN, m)
		k := string(d.key)
		if err != nil {
			a := s.retries[k]
			a.attempts++
			if a.attempts < maxDeliveryAttempts {
				a.next = s.clock.Now().Add(time.Second << (a.attempts - 1))
				s.retries[k] = a
				next = min(next, time.Second<<(a.attempts-1))
				continue
			}
			log.Warn("s3: dropping an event notification its destination refused", "destination", d.rec.ARN, "err", err)
		}
		delete(s.retries, k)
		if err := s.removeOutbox(d.key); err != nil {
			log.Warn("s3: removing a delivered notification", "err", err)
		}
	}
	if len(due) == 256 {
		return 0
	}
	return next
}

// retry is a message's failed attempts and when it is tried again.
type retry struct {
	attempts int
	next     time.Time
}

func (s *Service) removeOutbox(key []byte) error {
	batch := s.store.NewBatch()
	defer batch.Close()
	batch.Delete(key)
	return batch.Commit()
}

// mustJSON marshals what cannot fail to marshal.
func mustJSON(v any) []byte {
	data, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return data
}
