package sqs

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/store"
)

// sendEntry is one message to send, from SendMessage or a batch entry.
type sendEntry struct {
	body     *string
	delay    *int32
	attrs    map[string]MessageAttributeValue
	sysAttrs map[string]MessageSystemAttributeValue
	dedupID  *string
	groupID  *string
}

// sent is what a send reports for one message.
type sent struct {
	id, md5Body, md5Attrs, md5Sys, sequence string
}

// SendMessage's and the batch's shared limits and checks.
func (s *Service) prepare(ctx context.Context, q *queue, e sendEntry, now time.Time) (*messageRecord, error) {
	if e.body == nil || *e.body == "" {
		return nil, ErrMissingParameter.WithMessage("The request must contain the parameter MessageBody.")
	}
	body := *e.body
	if !validContent(body) {
		return nil, sqsError("InvalidMessageContents", "InvalidMessageContents",
			"Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF")
	}
	attrs, attrSize, err := checkMessageAttributes(e.attrs)
	if err != nil {
		return nil, err
	}
	if size := len(body) + attrSize; size > q.cfg.MaximumMessageSize {
		return nil, ErrInvalidParameterValue.Withf("One or more parameters are invalid. Reason: Message must be shorter than %d bytes.", q.cfg.MaximumMessageSize)
	}
	r := &messageRecord{
		ID: s.ids.UUID(), Body: body, MD5OfBody: md5Hex(body),
		Attributes: attrs, MD5OfAttrs: attributesMD5(attrs),
		SentMillis: now.UnixMilli(), SenderID: senderID(ctx, s.account),
		Size: len(body) + attrSize,
	}
	for name, v := range e.sysAttrs {
		if name != "AWSTraceHeader" {
			return nil, ErrInvalidParameterValue.Withf("Message system attribute name '%s' is invalid.", name)
		}
		if v.DataType == nil || *v.DataType != "String" || v.StringValue == nil || *v.StringValue == "" {
			return nil, ErrInvalidParameterValue.WithMessage("Message system attribute 'AWSTraceHeader' must be of type String with a non-empty value.")
		}
		r.TraceHeader = *v.StringValue
		r.MD5OfSysAttrs = attributesMD5(map[string]attributeValue{name: {DataType: "String", StringValue: r.TraceHeader}})
	}
	if r.TraceHeader == "" {
		if c := awsproto.CallFrom(ctx); c != nil {
			if h := c.Request.Header.Get("X-Amzn-Trace-Id"); h != "" {
				r.TraceHeader = h
			}
		}
	}
	delay := q.cfg.DelaySeconds
	if e.delay != nil {
		if q.cfg.FIFO {
			return nil, ErrInvalidParameterValue.Withf("Value %d for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.", *e.delay)
		}
		if *e.delay < 0 || *e.delay > maxDelaySeconds {
			return nil, ErrInvalidParameterValue.Withf("Value %d for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.", *e.delay)
		}
		delay = int(*e.delay)
	}
	r.VisibleAtMillis = now.Add(time.Duration(delay) * time.Second).UnixMilli()
	if e.groupID != nil {
		if !validGroupID(*e.groupID) {
			return nil, ErrInvalidParameterValue.Withf("Value %s for parameter MessageGroupId is invalid. Reason: MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.", *e.groupID)
		}
		r.GroupID = *e.groupID
	}
	if !q.cfg.FIFO {
		if e.dedupID != nil {
			return nil, ErrInvalidParameterValue.Withf("Value %s for parameter MessageDeduplicationId is invalid. Reason: The request include parameter that is not valid for this queue type.", *e.dedupID)
		}
		return r, nil
	}
	if e.groupID == nil {
		return nil, ErrMissingParameter.WithMessage("The request must contain the parameter MessageGroupId.")
	}
	switch {
	case e.dedupID != nil:
		if !validGroupID(*e.dedupID) {
			return nil, ErrInvalidParameterValue.Withf("Value %s for parameter MessageDeduplicationId is invalid. Reason: MessageDeduplicationId can only include alphanumeric and punctuation characters. 1 to 128 in length.", *e.dedupID)
		}
		r.DedupID = *e.dedupID
	case q.cfg.ContentBasedDedup:
		sum := sha256.Sum256([]byte(body))
		r.DedupID = hex.EncodeToString(sum[:])
	default:
		return nil, ErrInvalidParameterValue.WithMessage("The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly")
	}
	return r, nil
}

// validGroupID applies the rule for group and deduplication ids: 1 to 128
// alphanumeric and punctuation characters.
func validGroupID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if c < 0x21 || c > 0x7e {
			return false
		}
	}
	return true
}

// senderID is SenderId for the caller: its user id as GetCallerIdentity
// reports it (an assumed role's "AROA...:session"), or, for a long-term
// key, which is the account root's, the account id, as AWS gives for the
// root user. Never the access key.
func senderID(ctx context.Context, account string) string {
	if c := awsproto.CallFrom(ctx); c != nil && c.Caller.UserID != "" {
		return c.Caller.UserID
	}
	return account
}

// dedupKeyFor is the key a FIFO message is deduplicated by, within its
// group when the queue's DeduplicationScope is messageGroup.
func dedupKeyFor(q *queue, r *messageRecord) string {
	if q.rec.Attributes["DeduplicationScope"] == "messageGroup" {
		return r.GroupID + "\x00" + r.DedupID
	}
	return r.DedupID
}

// send stores and indexes prepared messages (one call's, all to q). Each
// result is either a sent or an error, in order.
func (s *Service) send(q *queue, recs []*messageRecord, now time.Time) ([]sent, error) {
	out := make([]sent, len(recs))
	if q.cfg.FIFO {
		// FIFO sends to a queue go one call at a time, so sequence numbers
		// are indexed in the order they are handed out.
		q.sendMu.Lock()
		defer q.sendMu.Unlock()
	}
	b := s.store.NewBatch()
	defer b.Close()
	s.mu.Lock()
	var fresh []*messageRecord
	for i, r := range recs {
		if q.cfg.FIFO {
			dk := dedupKeyFor(q, r)
			if d, ok := q.dedup[dk]; ok && now.Before(d.expires) {
				out[i] = sent{id: d.messageID, md5Body: r.MD5OfBody, md5Attrs: r.MD5OfAttrs,
					md5Sys: r.MD5OfSysAttrs, sequence: sequenceNumber(d.sequence)}
				continue
			}
		}
		r.Sequence = q.nextSeq
		q.nextSeq++
		b.Set(messageKey(q.rec.ID, r.Sequence), mustJSON(r))
		if q.cfg.FIFO {
			exp := now.Add(dedupWindow)
			dk := dedupKeyFor(q, r)
			b.Set(dedupKey(q.rec.ID, dk), mustJSON(dedupRecord{MessageID: r.ID, Sequence: r.Sequence, ExpiresMillis: exp.UnixMilli()}))
			q.dedup[dk] = dedupEntry{messageID: r.ID, sequence: r.Sequence, expires: exp}
		}
		out[i] = sent{id: r.ID, md5Body: r.MD5OfBody, md5Attrs: r.MD5OfAttrs, md5Sys: r.MD5OfSysAttrs}
		if q.cfg.FIFO {
			out[i].sequence = sequenceNumber(r.Sequence)
		}
		fresh = append(fresh, r)
	}
	s.mu.Unlock()
	if len(fresh) == 0 {
		return out, nil
	}
	if err := b.Commit(); err != nil {
		s.mu.Lock()
		for _, r := range fresh {
			if q.cfg.FIFO {
				delete(q.dedup, dedupKeyFor(q, r))
			}
		}
		s.mu.Unlock()
		return nil, err
	}
	s.mu.Lock()
	if !q.deleted {
		for _, r := range fresh {
			q.add(indexEntry(r), now)
			q.stats.countSent(r.Size)
		}
		q.notify()
	}
	s.mu.Unlock()
	return out, nil
}

// sequenceNumber renders a FIFO sequence number as SQS does: a large
// decimal that grows with every message.
func sequenceNumber(seq uint64) string {
	return strconv.FormatUint(10000000000000000000+seq, 10)
}

func (s *Service) queueFor(ctx context.Context, queueURL *string) (*queue, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lookup(ctx, queueURL)
}

func (s *Service) sendMessage(ctx context.Context, in *SendMessageRequest) (*SendMessageResult, error) {
	q, err := s.queueFor(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	r, err := s.prepare(ctx, q, sendEntry{body: in.MessageBody, delay: in.DelaySeconds, attrs: in.MessageAttributes,
		sysAttrs: in.MessageSystemAttributes, dedupID: in.MessageDeduplicationId, groupID: in.MessageGroupId}, now)
	if err != nil {
		return nil, err
	}
	res, err := s.send(q, []*messageRecord{r}, now)
	if err != nil {
		return nil, err
	}
	x := res[0]
	return &SendMessageResult{MessageId: &x.id, MD5OfMessageBody: &x.md5Body,
		MD5OfMessageAttributes: optional(x.md5Attrs), MD5OfMessageSystemAttributes: optional(x.md5Sys),
		SequenceNumber: optional(x.sequence)}, nil
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// checkBatch applies the batch rules: 1 to 10 entries with distinct,
// well-formed ids.
func checkBatch(ids []string, entryName string) error {
	if len(ids) == 0 {
		return ErrEmptyBatch.Withf("There should be at least one %s in the request.", entryName)
	}
	if len(ids) > maxBatchEntries {
		return ErrTooManyEntries.Withf("Maximum number of entries per request are %d. You have sent %d.", maxBatchEntries, len(ids))
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if id == "" || len(id) > 80 || strings.IndexFunc(id, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_')
		}) >= 0 {
			return ErrInvalidBatchEntryID
		}
		if seen[id] {
			return ErrBatchIDsNotDistinct.Withf("Id %s repeated.", id)
		}
		seen[id] = true
	}
	return nil
}

// failure is a batch entry's error entry.
func failure(id string, err error) BatchResultErrorEntry {
	e := apierr.As(err)
	if e == nil {
		e = apierr.ErrInternal
	}
	return BatchResultErrorEntry{Id: &id, SenderFault: ptr(!e.Fault), Code: ptr(e.CodeForQuery()), Message: optional(e.Message)}
}

func (s *Service) sendMessageBatch(ctx context.Context, in *SendMessageBatchRequest) (*SendMessageBatchResult, error) {
	q, err := s.queueFor(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(in.Entries))
	total := 0
	for i, e := range in.Entries {
		ids[i] = deref(e.Id)
		total += len(deref(e.MessageBody))
		for name, a := range e.MessageAttributes {
			total += len(name) + len(deref(a.DataType)) + len(deref(a.StringValue)) + len(a.BinaryValue)
		}
	}
	if err := checkBatch(ids, "SendMessageBatchRequestEntry"); err != nil {
		return nil, err
	}
	if total > maxBatchPayload {
		return nil, ErrBatchRequestTooLong.Withf("Batch requests cannot be longer than %d bytes. You have sent %d bytes.", maxBatchPayload, total)
	}
	if err := checkFIFOBatch(q, in.Entries); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	out := &SendMessageBatchResult{Successful: []SendMessageBatchResultEntry{}, Failed: []BatchResultErrorEntry{}}
	var recs []*messageRecord
	var recIDs []string
	for _, e := range in.Entries {
		r, err := s.prepare(ctx, q, sendEntry{body: e.MessageBody, delay: e.DelaySeconds, attrs: e.MessageAttributes,
			sysAttrs: e.MessageSystemAttributes, dedupID: e.MessageDeduplicationId, groupID: e.MessageGroupId}, now)
		if err != nil {
			out.Failed = append(out.Failed, failure(*e.Id, err))
			continue
		}
		recs = append(recs, r)
		recIDs = append(recIDs, *e.Id)
	}
	if len(recs) > 0 {
		res, err := s.send(q, recs, now)
		if err != nil {
			return nil, err
		}
		for i, x := range res {
			out.Successful = append(out.Successful, SendMessageBatchResultEntry{
				Id: ptr(recIDs[i]), MessageId: ptr(x.id), MD5OfMessageBody: ptr(x.md5Body),
				MD5OfMessageAttributes: optional(x.md5Attrs), MD5OfMessageSystemAttributes: optional(x.md5Sys),
				SequenceNumber: optional(x.sequence)})
		}
	}
	return out, nil
}

// checkFIFOBatch refuses a whole batch to a FIFO queue when an entry has
// no MessageGroupId, or no MessageDeduplicationId while the queue does
// not deduplicate by content: SQS fails the call (InvalidParameterValue,
// even for the group id that SendMessage reports as MissingParameter)
// rather than the entry.
func checkFIFOBatch(q *queue, entries []SendMessageBatchRequestEntry) error {
	if !q.cfg.FIFO {
		return nil
	}
	for _, e := range entries {
		if e.MessageGroupId == nil {
			return ErrInvalidParameterValue.WithMessage("The request must contain the parameter MessageGroupId.")
		}
	}
	if q.cfg.ContentBasedDedup {
		return nil
	}
	for _, e := range entries {
		if e.MessageDeduplicationId == nil {
			return ErrInvalidParameterValue.WithMessage("The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly")
		}
	}
	return nil
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// longPollTick bounds how long a waiting ReceiveMessage sleeps before it
// looks again: delayed messages and expired visibility timeouts do not
// wake it, and the clock may be a test's.
const longPollTick = 50 * time.Millisecond

func (s *Service) receiveMessage(ctx context.Context, in *ReceiveMessageRequest) (*ReceiveMessageResult, error) {
	max := 1
	if in.MaxNumberOfMessages != nil {
		if *in.MaxNumberOfMessages < 1 || *in.MaxNumberOfMessages > maxReceiveMessages {
			return nil, ErrInvalidParameterValue.Withf("Value %d for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.", *in.MaxNumberOfMessages)
		}
		max = int(*in.MaxNumberOfMessages)
	}
	if in.WaitTimeSeconds != nil && (*in.WaitTimeSeconds < 0 || *in.WaitTimeSeconds > maxWaitSeconds) {
		return nil, ErrInvalidParameterValue.Withf("Value %d for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.", *in.WaitTimeSeconds)
	}
	if in.VisibilityTimeout != nil && (*in.VisibilityTimeout < 0 || *in.VisibilityTimeout > maxVisibilityTimeout) {
		return nil, ErrInvalidParameterValue.Withf("Value %d for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= 43200, if provided.", *in.VisibilityTimeout)
	}
	q, err := s.queueFor(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	wait := q.cfg.ReceiveWaitSeconds
	if in.WaitTimeSeconds != nil {
		wait = int(*in.WaitTimeSeconds)
	}
	s.mu.Unlock()
	msgs, _, err := s.poll(ctx, q, in, max, time.Duration(wait)*time.Second)
	if err == nil && len(msgs) == 0 {
		q.stats.emptyReceives.Add(1)
	}
	return &ReceiveMessageResult{Messages: msgs}, err
}

// poll receives up to max messages, waiting up to wait for the first to
// arrive (a long poll). gone reports that the queue was deleted meanwhile.
//
// ending (EndWaits) ends the waits of API calls, which virga's HTTP server
// waits for when it stops; internal pollers (event source mappings) wait
// on until their own context ends, rather than spin on empty answers.
func (s *Service) poll(ctx context.Context, q *queue, in *ReceiveMessageRequest, max int, wait time.Duration) (msgs []Message, gone bool, err error) {
	ending := s.ending
	if awsproto.CallFrom(ctx) == nil {
		ending = nil // blocks for ever in the select below
	}
	// The wait is the caller's, in real time; what becomes visible when
	// is the clock's.
	deadline := time.Now().Add(wait)
	for {
		if ctx.Err() != nil {
			// The caller is gone (a client that hung up, a poller that
			// was stopped): take nothing it would not process, even when
			// a send woke it at the same moment.
			return nil, false, nil
		}
		msgs, err := s.receive(ctx, q, in, max)
		if errors.Is(err, errInFlightLimit) {
			// A short poll fails; a long poll waits for room, as for
			// messages, and gets none if there is none by its end.
			if wait <= 0 {
				return nil, false, ErrOverLimit
			}
			msgs, err = nil, nil
		}
		if err != nil || len(msgs) > 0 {
			return msgs, false, err
		}
		s.mu.Lock()
		wake, gone := q.wake, q.deleted
		s.mu.Unlock()
		left := time.Until(deadline)
		if gone || left <= 0 {
			return nil, gone, nil
		}
		t := time.NewTimer(min(left, longPollTick))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, false, nil
		case <-ending:
			t.Stop()
			return nil, false, nil
		case <-wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// errInFlightLimit is receive's answer when a standard queue has as many
// messages in flight as it may.
var errInFlightLimit = errors.New("sqs: in-flight limit reached")

// receive takes up to max messages now: moves those past their queue's
// maxReceiveCount to its dead-letter queue, marks the rest in flight and
// records the receive durably.
func (s *Service) receive(ctx context.Context, q *queue, in *ReceiveMessageRequest, max int) ([]Message, error) {
	s.mu.Lock()
	now := s.clock.Now()
	if q.deleted {
		s.mu.Unlock()
		return nil, notFound(ctx)
	}
	vt := q.cfg.VisibilityTimeout
	if in.VisibilityTimeout != nil {
		vt = int(*in.VisibilityTimeout)
	}
	attemptID := ""
	if q.cfg.FIFO && in.ReceiveRequestAttemptId != nil {
		attemptID = *in.ReceiveRequestAttemptId
		if out, ok, err := s.repeatAttempt(q, attemptID, vt, in, now); ok || err != nil {
			s.mu.Unlock()
			return out, err
		}
	}
	if !q.cfg.FIFO {
		q.promote(now)
		room := s.maxInFlight - q.inFlight
		if room <= 0 {
			s.mu.Unlock()
			return nil, errInFlightLimit
		}
		max = min(max, room)
	}
	b := s.store.NewBatch()
	defer b.Close()
	var taken []*message
	var recs []*messageRecord
	type move struct {
		m   *message
		dlq *queue
		rec *messageRecord
	}
	var moves []move
	for len(taken) < max {
		cands := q.candidates(max-len(taken), now)
		if len(cands) == 0 {
			break
		}
		progressed := false
		for _, m := range cands {
			r, err := s.readMessage(q, m)
			if errors.Is(err, store.ErrNotFound) {
				// Its record's deletion is committed but the message is
				// still indexed (a purge, the retention sweep, a delete by
				// an older handle, between their commit and unindexing),
				// or a send indexed it after a purge deleted it: it is gone.
				q.remove(m)
				progressed = true
				continue
			}
			if err != nil {
				s.mu.Unlock()
				return nil, err
			}
			if dlq := s.deadLetterQueue(q); dlq != nil && m.received >= q.cfg.Redrive.MaxReceiveCount {
				moved := *r
				moved.DeadLetterSource = q.arn
				moved.Receives, moved.FirstReceiveMillis = 0, 0
				moved.VisibleAtMillis = now.UnixMilli()
				moved.Sequence = dlq.nextSeq
				dlq.nextSeq++
				dropMessage(b, q.rec.ID, m.seq)
				b.Set(messageKey(dlq.rec.ID, moved.Sequence), mustJSON(&moved))
				q.remove(m)
				moves = append(moves, move{m: m, dlq: dlq, rec: &moved})
				progressed = true
				continue
			}
			taken = append(taken, m)
			recs = append(recs, r)
		}
		if len(taken) > 0 || !progressed {
			break
		}
	}
	visibleAt := now.Add(time.Duration(vt) * time.Second)
	q.taken(taken, visibleAt, now)
	q.stats.received += int64(len(taken))
	for i, m := range taken {
		r := recs[i]
		r.Receives = m.received
		r.FirstReceiveMillis = millis(m.firstReceive)
		r.VisibleAtMillis = visibleAt.UnixMilli()
		b.Set(receiveKey(q.rec.ID, m.seq), mustJSON(receiveState{Receives: m.received,
			FirstReceiveMillis: r.FirstReceiveMillis, ReceivedMillis: now.UnixMilli(), VisibleAtMillis: r.VisibleAtMillis}))
	}
	nonces := make([]uint64, len(taken))
	for i, m := range taken {
		nonces[i] = m.nonce
	}
	if attemptID != "" && len(taken) > 0 {
		q.attempts[attemptID] = &receiveAttempt{msgs: taken, nonces: nonces, expires: now.Add(dedupWindow)}
	}
	s.mu.Unlock()
	if b.Len() > 0 {
		// Receive state only counts receives and defers visibility: if a
		// crash loses it, the message comes back sooner, as at-least-once
		// delivery allows. A move to a dead-letter queue waits for its sync.
		commit := b.CommitNoWait
		if len(moves) > 0 {
			commit = b.Commit
		}
		if err := commit(); err != nil {
			return nil, err
		}
	}
	if len(moves) > 0 {
		s.mu.Lock()
		for _, mv := range moves {
			if !mv.dlq.deleted {
				mv.dlq.add(indexEntry(mv.rec), now)
				mv.dlq.notify()
			}
		}
		s.mu.Unlock()
	}
	out := make([]Message, len(taken))
	for i, m := range taken {
		out[i] = render(q, m, recs[i], nonces[i], in)
	}
	return out, nil
}

// receiveAttempt is what a FIFO ReceiveMessage with a
// ReceiveRequestAttemptId returned, so that a retry with the same id
// (within five minutes, while the messages are still where that receive
// left them) gets the same messages and receipt handles again.
type receiveAttempt struct {
	msgs    []*message
	nonces  []uint64
	expires time.Time
}

// repeatAttempt answers a retried receive; ok is false when there is
// nothing to repeat. The caller holds s.mu.
func (s *Service) repeatAttempt(q *queue, id string, vt int, in *ReceiveMessageRequest, now time.Time) ([]Message, bool, error) {
	for k, a := range q.attempts {
		if !now.Before(a.expires) {
			delete(q.attempts, k)
		}
	}
	a := q.attempts[id]
	if a == nil {
		return nil, false, nil
	}
	for i, m := range a.msgs {
		if m.deleted || m.nonce != a.nonces[i] {
			delete(q.attempts, id)
			return nil, false, nil
		}
	}
	visibleAt := now.Add(time.Duration(vt) * time.Second)
	out := make([]Message, len(a.msgs))
	for i, m := range a.msgs {
		r, err := s.readMessage(q, m)
		if err != nil {
			return nil, false, err
		}
		q.setVisibleAt(m, visibleAt, now)
		r.Receives, r.FirstReceiveMillis = m.received, millis(m.firstReceive)
		out[i] = render(q, m, r, a.nonces[i], in)
	}
	return out, true, nil
}

// deadLetterQueue is q's dead-letter queue, if its redrive policy names
// one that exists; the caller holds s.mu.
func (s *Service) deadLetterQueue(q *queue) *queue {
	if q.cfg.Redrive == nil {
		return nil
	}
	dlq := s.queueByARN(q.cfg.Redrive.DeadLetterTargetArn)
	if dlq == q {
		return nil
	}
	return dlq
}

// readMessage reads a message's stored record.
func (s *Service) readMessage(q *queue, m *message) (*messageRecord, error) {
	v, err := s.store.Get(messageKey(q.rec.ID, m.seq))
	if err != nil {
		return nil, err
	}
	var r messageRecord
	if err := json.Unmarshal(v, &r); err != nil {
		return nil, fmt.Errorf("sqs: message record: %w", err)
	}
	return &r, nil
}

// render is a received message as ReceiveMessage returns it.
func render(q *queue, m *message, r *messageRecord, nonce uint64, in *ReceiveMessageRequest) Message {
	out := Message{
		MessageId: ptr(r.ID), ReceiptHandle: ptr(receiptHandle(q.rec.ID, m.seq, nonce, r.ID)),
		MD5OfBody: ptr(r.MD5OfBody), Body: ptr(r.Body),
	}
	if attrs := selectAttributes(r.Attributes, in.MessageAttributeNames); attrs != nil {
		out.MessageAttributes = map[string]MessageAttributeValue{}
		for name, a := range attrs {
			v := MessageAttributeValue{DataType: ptr(a.DataType)}
			if isBinaryType(a.DataType) {
				v.BinaryValue = a.BinaryValue
			} else {
				v.StringValue = ptr(a.StringValue)
			}
			out.MessageAttributes[name] = v
		}
		out.MD5OfMessageAttributes = ptr(attributesMD5(attrs))
	}
	names := append(append([]string{}, in.AttributeNames...), in.MessageSystemAttributeNames...)
	if len(names) == 0 {
		return out
	}
	sys := map[string]string{
		"SenderId":                         r.SenderID,
		"SentTimestamp":                    strconv.FormatInt(r.SentMillis, 10),
		"ApproximateReceiveCount":          strconv.Itoa(r.Receives),
		"ApproximateFirstReceiveTimestamp": strconv.FormatInt(r.FirstReceiveMillis, 10),
	}
	if r.TraceHeader != "" {
		sys["AWSTraceHeader"] = r.TraceHeader
	}
	if r.DeadLetterSource != "" {
		sys["DeadLetterQueueSourceArn"] = r.DeadLetterSource
	}
	if q.cfg.FIFO {
		sys["SequenceNumber"] = sequenceNumber(r.Sequence)
		sys["MessageDeduplicationId"] = r.DedupID
		sys["MessageGroupId"] = r.GroupID
	} else if r.GroupID != "" {
		sys["MessageGroupId"] = r.GroupID
	}
	out.Attributes = map[string]string{}
	for _, n := range names {
		if n == "All" {
			out.Attributes = sys
			return out
		}
		if v, ok := sys[n]; ok {
			out.Attributes[n] = v
		}
	}
	if len(out.Attributes) == 0 {
		out.Attributes = nil
	}
	return out
}

// A receipt handle names the queue, the message and the receive it came
// from: base64 of "queueID:seq:nonce:messageID".
func receiptHandle(queueID, seq, nonce uint64, id string) string {
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "%d:%d:%d:%s", queueID, seq, nonce, id))
}

type receipt struct {
	queueID, seq, nonce uint64
	id                  string
}

var errBadReceipt = errors.New("bad receipt handle")

func parseReceipt(h string) (receipt, error) {
	b, err := base64.RawURLEncoding.DecodeString(h)
	if err != nil {
		return receipt{}, errBadReceipt
	}
	parts := strings.SplitN(string(b), ":", 4)
	if len(parts) != 4 {
		return receipt{}, errBadReceipt
	}
	var r receipt
	var e1, e2, e3 error
	r.queueID, e1 = strconv.ParseUint(parts[0], 10, 64)
	r.seq, e2 = strconv.ParseUint(parts[1], 10, 64)
	r.nonce, e3 = strconv.ParseUint(parts[2], 10, 64)
	r.id = parts[3]
	if e1 != nil || e2 != nil || e3 != nil || r.id == "" {
		return receipt{}, errBadReceipt
	}
	return r, nil
}

// receiptFor parses a receipt handle given for q; the caller holds s.mu.
func receiptFor(q *queue, h string) (receipt, error) {
	r, err := parseReceipt(h)
	if err != nil || r.queueID != q.rec.ID {
		return receipt{}, ErrReceiptHandleInvalid.Withf("The input receipt handle \"%s\" is not a valid receipt handle.", h)
	}
	return r, nil
}

// deleteOne checks a receipt handle and, when its message is still there,
// adds its deletion to b and returns it; the caller holds s.mu.
func (s *Service) deleteOne(q *queue, handle string, b store.Batch, now time.Time) (*message, error) {
	r, err := receiptFor(q, handle)
	if err != nil {
		return nil, err
	}
	m := q.messages[r.id]
	if m == nil || m.seq != r.seq {
		return nil, nil // already gone: SQS reports success
	}
	if q.cfg.FIFO && (m.nonce != r.nonce || !m.inFlight(now)) {
		return nil, ErrInvalidParameterValue.Withf("Value %s for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.", handle)
	}
	dropMessage(b, q.rec.ID, m.seq)
	return m, nil
}

// deleteHandles deletes the messages receipt handles name, in one store
// write; errs holds each handle's error, err a failed write.
func (s *Service) deleteHandles(q *queue, handles []string) (errs []error, err error) {
	b := s.store.NewBatch()
	defer b.Close()
	now := s.clock.Now()
	errs = make([]error, len(handles))
	var gone []*message
	s.mu.Lock()
	for i, h := range handles {
		m, err := s.deleteOne(q, h, b, now)
		errs[i] = err
		if m != nil {
			gone = append(gone, m)
		}
	}
	s.mu.Unlock()
	if len(gone) == 0 {
		return errs, nil
	}
	// A delete lost in a crash is a redelivery, which at-least-once
	// delivery allows: it need not wait for its sync.
	if err := b.CommitNoWait(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	for _, m := range gone {
		q.remove(m)
	}
	q.stats.deleted += int64(len(gone))
	q.notify() // a FIFO group may be open again
	s.mu.Unlock()
	return errs, nil
}

func (s *Service) deleteMessage(ctx context.Context, in *DeleteMessageRequest) (*noOutput, error) {
	q, err := s.queueFor(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	errs, err := s.deleteHandles(q, []string{*in.ReceiptHandle})
	if err != nil {
		return nil, err
	}
	return &noOutput{}, errs[0]
}

func (s *Service) deleteMessageBatch(ctx context.Context, in *DeleteMessageBatchRequest) (*DeleteMessageBatchResult, error) {
	q, err := s.queueFor(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(in.Entries))
	handles := make([]string, len(in.Entries))
	for i, e := range in.Entries {
		ids[i], handles[i] = deref(e.Id), deref(e.ReceiptHandle)
	}
	if err := checkBatch(ids, "DeleteMessageBatchRequestEntry"); err != nil {
		return nil, err
	}
	errs, err := s.deleteHandles(q, handles)
	if err != nil {
		return nil, err
	}
	out := &DeleteMessageBatchResult{Successful: []DeleteMessageBatchResultEntry{}, Failed: []BatchResultErrorEntry{}}
	for i, e := range in.Entries {
		if errs[i] != nil {
			out.Failed = append(out.Failed, failure(*e.Id, errs[i]))
			continue
		}
		out.Successful = append(out.Successful, DeleteMessageBatchResultEntry{Id: e.Id})
	}
	return out, nil
}

// changeVisibility applies one visibility change; the caller holds s.mu.
// The new timeout is kept in memory only: after a restart a message is
// visible again when its receive's timeout ends, which at-least-once
// delivery allows.
func (s *Service) changeVisibility(q *queue, handle string, timeout int32, now time.Time) error {
	r, err := receiptFor(q, handle)
	if err != nil {
		return err
	}
	if timeout < 0 || timeout > maxVisibilityTimeout {
		return ErrInvalidParameterValue.Withf("Value %d for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200, if provided.", timeout)
	}
	m := q.messages[r.id]
	if m == nil || m.seq != r.seq {
		return ErrInvalidParameterValue.Withf("Value %s for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.", handle)
	}
	if !m.inFlight(now) {
		return ErrMessageNotInflight
	}
	t := now.Add(time.Duration(timeout) * time.Second)
	// Whole seconds: the receive time survives restarts in milliseconds.
	if t.Sub(m.receivedAt).Truncate(time.Second) > maxVisibilityTimeout*time.Second {
		return ErrInvalidParameterValue.Withf("Value %d for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [43200 seconds]", timeout)
	}
	q.setVisibleAt(m, t, now)
	if timeout == 0 {
		q.notify()
	}
	return nil
}

func (s *Service) changeMessageVisibility(ctx context.Context, in *ChangeMessageVisibilityRequest) (*noOutput, error) {
	q, err := s.queueFor(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return &noOutput{}, s.changeVisibility(q, *in.ReceiptHandle, *in.VisibilityTimeout, s.clock.Now())
}

func (s *Service) changeMessageVisibilityBatch(ctx context.Context, in *ChangeMessageVisibilityBatchRequest) (*ChangeMessageVisibilityBatchResult, error) {
	q, err := s.queueFor(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(in.Entries))
	for i, e := range in.Entries {
		ids[i] = deref(e.Id)
	}
	if err := checkBatch(ids, "ChangeMessageVisibilityBatchRequestEntry"); err != nil {
		return nil, err
	}
	out := &ChangeMessageVisibilityBatchResult{Successful: []ChangeMessageVisibilityBatchResultEntry{}, Failed: []BatchResultErrorEntry{}}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	for _, e := range in.Entries {
		var timeout int32
		if e.VisibilityTimeout != nil {
			timeout = *e.VisibilityTimeout
		}
		if err := s.changeVisibility(q, deref(e.ReceiptHandle), timeout, now); err != nil {
			out.Failed = append(out.Failed, failure(*e.Id, err))
			continue
		}
		out.Successful = append(out.Successful, ChangeMessageVisibilityBatchResultEntry{Id: e.Id})
	}
	return out, nil
}
