package sqs

import (
	"container/heap"
	"encoding/json"
	"sort"
	"sync"
	"time"

	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/store/keys"
)

// A queue's messages live in the store under its id, one record each,
// written before a send is acknowledged. In memory a queue keeps what
// choosing the next messages needs (ids, sequence, visibility, receive
// counts, groups) and reads the bodies back when they are received.
//
// A message is in one of three states, decided by its visibleAt and
// whether it was ever received:
//
//	delayed   never received, visibleAt in the future (DelaySeconds)
//	visible   visibleAt has passed
//	in flight received, visibleAt (the visibility timeout) in the future
//
// Standard queues keep the visible messages in sequence order in ready
// and the others in a heap by visibleAt; FIFO queues keep each message
// group in sequence order and serve a group only while none of its
// messages is in flight.

// message is a message's in-memory index entry.
type message struct {
	id        string
	seq       uint64
	sent      time.Time
	visibleAt time.Time
	// received counts receives; receivedAt is the latest one, firstReceive
	// the first.
	received     int
	receivedAt   time.Time
	firstReceive time.Time
	// nonce tells this receive's receipt handle from earlier ones.
	nonce uint64
	group string
	// size is what the message counts against the queue's size limit.
	size int

	heapIndex int // in queue.waiting; -1 when not there
	deleted   bool
}

func (m *message) inFlight(now time.Time) bool { return m.received > 0 && m.visibleAt.After(now) }
func (m *message) delayed(now time.Time) bool  { return m.received == 0 && m.visibleAt.After(now) }

// messageRecord is a message as the store keeps it.
type messageRecord struct {
	ID            string                    `json:"id"`
	Body          string                    `json:"body"`
	MD5OfBody     string                    `json:"md5Body"`
	Attributes    map[string]attributeValue `json:"attrs,omitempty"`
	MD5OfAttrs    string                    `json:"md5Attrs,omitempty"`
	TraceHeader   string                    `json:"trace,omitempty"`
	MD5OfSysAttrs string                    `json:"md5Sys,omitempty"`
	SentMillis    int64                     `json:"sent"`
	SenderID      string                    `json:"sender"`
	GroupID       string                    `json:"group,omitempty"`
	DedupID       string                    `json:"dedup,omitempty"`
	Sequence      uint64                    `json:"seq"`
	// Receives, FirstReceiveMillis and VisibleAtMillis change as the
	// message is received.
	Receives           int    `json:"receives,omitempty"`
	FirstReceiveMillis int64  `json:"firstReceive,omitempty"`
	VisibleAtMillis    int64  `json:"visibleAt"`
	DeadLetterSource   string `json:"dlqSource,omitempty"`
	Size               int    `json:"size"`
	// receivedMillis is when the latest receive was (from receiveState).
	receivedMillis int64
}

// attributeValue is a message attribute.
type attributeValue struct {
	DataType    string `json:"type"`
	StringValue string `json:"s,omitempty"`
	BinaryValue []byte `json:"b,omitempty"`
}

// queueRecord is a queue as the store keeps it.
type queueRecord struct {
	ID         uint64            `json:"id"`
	Name       string            `json:"name"`
	Attributes map[string]string `json:"attrs"`
	Tags       map[string]string `json:"tags,omitempty"`
	Created    int64             `json:"created"`
	Modified   int64             `json:"modified"`
}

// queue is a queue and its messages' index. Its fields are guarded by the
// service's mutex for the queue table and by mu for the messages.
type queue struct {
	rec queueRecord
	cfg config
	arn string

	messages map[string]*message // by message id
	ready    []*message          // standard: visible, in sequence order
	waiting  waitHeap            // standard: delayed and in flight
	// inFlight counts the received messages in waiting (standard): after
	// promote, the messages in flight.
	inFlight int
	groups   map[string]*group // FIFO
	nextSeq  uint64
	// dedup remembers FIFO deduplication ids for five minutes.
	dedup map[string]dedupEntry
	// attempts remembers FIFO receives by ReceiveRequestAttemptId.
	attempts map[string]*receiveAttempt
	// lastPurge is when PurgeQueue last ran (60 s apart at least).
	lastPurge time.Time
	// wake is closed and replaced when messages may have become
	// receivable, waking long polls.
	wake chan struct{}
	// deleted is set when the queue is deleted while calls hold it.
	deleted bool
	// sendMu makes a FIFO queue's sends one at a time (see Service.send).
	sendMu sync.Mutex
	// stats are counted for CloudWatch (metrics.go).
	stats queueStats
}

// group is a FIFO message group: its messages in sequence order.
type group struct {
	id   string
	msgs []*message
}

// busy reports whether one of the group's messages is in flight. Those
// that were ever received come first, so the walk stops at the first
// that never was.
func (g *group) busy(now time.Time) bool {
	for _, m := range g.msgs {
		if m.received == 0 {
			return false
		}
		if m.inFlight(now) {
			return true
		}
	}
	return false
}

type dedupEntry struct {
	messageID string
	sequence  uint64
	expires   time.Time
}

// dedupWindow is how long FIFO queues remember a deduplication id.
const dedupWindow = 5 * time.Minute

func newQueue(rec queueRecord, cfg config, arn string) *queue {
	return &queue{
		rec: rec, cfg: cfg, arn: arn,
		messages: map[string]*message{},
		groups:   map[string]*group{},
		dedup:    map[string]dedupEntry{},
		attempts: map[string]*receiveAttempt{},
		nextSeq:  1,
		wake:     make(chan struct{}),
	}
}

// notify wakes long polls.
func (q *queue) notify() {
	close(q.wake)
	q.wake = make(chan struct{})
}

// add indexes a message (new, or loaded from the store).
func (q *queue) add(m *message, now time.Time) {
	m.heapIndex = -1
	q.messages[m.id] = m
	if m.seq >= q.nextSeq {
		q.nextSeq = m.seq + 1
	}
	if q.cfg.FIFO {
		g := q.groups[m.group]
		if g == nil {
			g = &group{id: m.group}
			q.groups[m.group] = g
		}
		// Messages arrive in sequence order, except when loading.
		i := sort.Search(len(g.msgs), func(i int) bool { return g.msgs[i].seq > m.seq })
		g.msgs = append(g.msgs, nil)
		copy(g.msgs[i+1:], g.msgs[i:])
		g.msgs[i] = m
		return
	}
	if m.visibleAt.After(now) {
		q.pushWaiting(m)
		return
	}
	q.pushReady(m)
}

// pushWaiting puts a standard message among the delayed and in-flight
// ones, counting it in flight if it was received.
func (q *queue) pushWaiting(m *message) {
	heap.Push(&q.waiting, m)
	if m.received > 0 {
		q.inFlight++
	}
}

// popWaiting takes a standard message out of the delayed and in-flight
// ones.
func (q *queue) popWaiting(i int) *message {
	m := heap.Remove(&q.waiting, i).(*message)
	if m.received > 0 {
		q.inFlight--
	}
	return m
}

// pushReady puts a visible message among the ready ones, in sequence
// order (a message whose visibility timeout ran out goes back to its
// place).
func (q *queue) pushReady(m *message) {
	n := len(q.ready)
	if n == 0 || q.ready[n-1].seq < m.seq {
		q.ready = append(q.ready, m)
		return
	}
	i := sort.Search(n, func(i int) bool { return q.ready[i].seq > m.seq })
	q.ready = append(q.ready, nil)
	copy(q.ready[i+1:], q.ready[i:])
	q.ready[i] = m
}

// remove drops a message from the index.
func (q *queue) remove(m *message) {
	if m.deleted {
		return
	}
	m.deleted = true
	delete(q.messages, m.id)
	if q.cfg.FIFO {
		if g := q.groups[m.group]; g != nil {
			for i, x := range g.msgs {
				if x == m {
					g.msgs = append(g.msgs[:i], g.msgs[i+1:]...)
					break
				}
			}
			if len(g.msgs) == 0 {
				delete(q.groups, m.group)
			}
		}
		return
	}
	if m.heapIndex >= 0 {
		q.popWaiting(m.heapIndex)
	}
	// A ready message is dropped lazily by takeReady.
}

// promote moves standard messages whose time has come to ready.
func (q *queue) promote(now time.Time) {
	for len(q.waiting) > 0 && !q.waiting[0].visibleAt.After(now) {
		q.pushReady(q.popWaiting(0))
	}
}

// setVisibleAt changes when a message becomes visible again.
func (q *queue) setVisibleAt(m *message, t, now time.Time) {
	m.visibleAt = t
	if q.cfg.FIFO {
		return
	}
	if m.heapIndex >= 0 {
		heap.Fix(&q.waiting, m.heapIndex)
	} else if t.After(now) {
		q.dropReady(m)
		q.pushWaiting(m)
	}
	q.promote(now)
}

func (q *queue) dropReady(m *message) {
	for i, x := range q.ready {
		if x == m {
			q.ready = append(q.ready[:i], q.ready[i+1:]...)
			return
		}
	}
}

// candidates returns up to n messages that can be received now, in the
// order they should be, without changing them.
func (q *queue) candidates(n int, now time.Time) []*message {
	var out []*message
	if !q.cfg.FIFO {
		q.promote(now)
		for len(q.ready) > 0 && q.ready[0].deleted {
			q.ready[0] = nil
			q.ready = q.ready[1:]
		}
		for _, m := range q.ready {
			if len(out) == n {
				break
			}
			if !m.deleted {
				out = append(out, m)
			}
		}
		return out
	}
	// FIFO: groups whose first message is visible (none in flight), the
	// group with the oldest such message first; several messages of one
	// group may go together, in order.
	var open []*group
	for _, g := range q.groups {
		if len(g.msgs) > 0 && !g.msgs[0].visibleAt.After(now) && !g.busy(now) {
			open = append(open, g)
		}
	}
	sort.Slice(open, func(i, j int) bool { return open[i].msgs[0].seq < open[j].msgs[0].seq })
	for _, g := range open {
		for _, m := range g.msgs {
			if len(out) == n || m.visibleAt.After(now) {
				break
			}
			out = append(out, m)
		}
		if len(out) == n {
			break
		}
	}
	return out
}

// taken marks candidates received until visibleAt.
func (q *queue) taken(ms []*message, visibleAt, now time.Time) {
	for _, m := range ms {
		if !q.cfg.FIFO {
			q.dropReady(m)
		}
		m.received++
		m.receivedAt = now
		if m.firstReceive.IsZero() {
			m.firstReceive = now
		}
		m.nonce++
		m.visibleAt = visibleAt
		if !q.cfg.FIFO {
			q.pushWaiting(m)
		}
	}
}

// counts returns the visible, in-flight and delayed message counts.
func (q *queue) counts(now time.Time) (visible, inFlight, delayed int) {
	for _, m := range q.messages {
		switch {
		case m.inFlight(now):
			inFlight++
		case m.delayed(now):
			delayed++
		default:
			visible++
		}
	}
	return
}

// nextVisible returns the earliest time a delayed or in-flight message
// becomes visible, or the zero time.
func (q *queue) nextVisible() time.Time {
	var t time.Time
	if !q.cfg.FIFO {
		if len(q.waiting) > 0 {
			t = q.waiting[0].visibleAt
		}
		return t
	}
	for _, g := range q.groups {
		if len(g.msgs) > 0 {
			if v := g.msgs[0].visibleAt; t.IsZero() || v.Before(t) {
				t = v
			}
		}
	}
	return t
}

// waitHeap orders standard messages by the time they become visible.
type waitHeap []*message

func (h waitHeap) Len() int { return len(h) }
func (h waitHeap) Less(i, j int) bool {
	if h[i].visibleAt.Equal(h[j].visibleAt) {
		return h[i].seq < h[j].seq
	}
	return h[i].visibleAt.Before(h[j].visibleAt)
}
func (h waitHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].heapIndex = i
	h[j].heapIndex = j
}
func (h *waitHeap) Push(x any) {
	m := x.(*message)
	m.heapIndex = len(*h)
	*h = append(*h, m)
}
func (h *waitHeap) Pop() any {
	old := *h
	m := old[len(old)-1]
	old[len(old)-1] = nil
	m.heapIndex = -1
	*h = old[:len(old)-1]
	return m
}

// Store layout:
//
//	sqs/q/ACCOUNT/NAME          queueRecord
//	sqs/m/QUEUEID/SEQ           messageRecord
//	sqs/r/QUEUEID/SEQ           receiveState, once the message was received
//	sqs/d/QUEUEID/DEDUPID       dedupRecord (FIFO, five minutes)
//	sqs/seq                     the last queue id handed out
func queueKey(account, name string) []byte {
	k := keys.AppendString(nil, "sqs")
	k = keys.AppendString(k, "q")
	k = keys.AppendString(k, account)
	return keys.AppendString(k, name)
}

func queuesPrefix() []byte {
	k := keys.AppendString(nil, "sqs")
	return keys.AppendString(k, "q")
}

func messagesPrefix(queueID uint64) []byte {
	k := keys.AppendString(nil, "sqs")
	k = keys.AppendString(k, "m")
	return keys.AppendUint(k, queueID)
}

func messageKey(queueID, seq uint64) []byte {
	return keys.AppendUint(messagesPrefix(queueID), seq)
}

func dedupPrefix(queueID uint64) []byte {
	k := keys.AppendString(nil, "sqs")
	k = keys.AppendString(k, "d")
	return keys.AppendUint(k, queueID)
}

func dedupKey(queueID uint64, id string) []byte {
	return keys.AppendString(dedupPrefix(queueID), id)
}

func queueSeqKey() []byte {
	k := keys.AppendString(nil, "sqs")
	return keys.AppendString(k, "seq")
}

// dedupRecord is a remembered FIFO deduplication id.
type dedupRecord struct {
	MessageID     string `json:"id"`
	Sequence      uint64 `json:"seq"`
	ExpiresMillis int64  `json:"expires"`
}

// receivePrefix and receiveKey hold what receives changed about a
// message (receiveState), apart from its record: a receive then writes a
// few bytes instead of the whole message, and a receive whose write lands
// after a concurrent delete's leaves only an orphaned state, which load
// discards, never a message back from the dead.
func receivePrefix(queueID uint64) []byte {
	k := keys.AppendString(nil, "sqs")
	k = keys.AppendString(k, "r")
	return keys.AppendUint(k, queueID)
}

func receiveKey(queueID, seq uint64) []byte {
	return keys.AppendUint(receivePrefix(queueID), seq)
}

// receiveState is a message's receive history.
type receiveState struct {
	Receives           int   `json:"receives"`
	FirstReceiveMillis int64 `json:"first"`
	ReceivedMillis     int64 `json:"last"`
	VisibleAtMillis    int64 `json:"visibleAt"`
}

// dropMessage deletes a message's record and receive state in b.
func dropMessage(b store.Batch, queueID, seq uint64) {
	b.Delete(messageKey(queueID, seq))
	b.Delete(receiveKey(queueID, seq))
}

// dropMessages deletes all of a queue's messages in b.
func dropMessages(b store.Batch, queueID uint64) {
	for _, p := range [][]byte{messagesPrefix(queueID), receivePrefix(queueID)} {
		b.DeleteRange(p, keys.PrefixEnd(p))
	}
}

// deleteQueueData removes a queue's messages and dedup ids in b.
func deleteQueueData(b store.Batch, queueID uint64) {
	dropMessages(b, queueID)
	d := dedupPrefix(queueID)
	b.DeleteRange(d, keys.PrefixEnd(d))
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // records hold only strings, numbers and maps of them
	}
	return b
}

func millis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMillis(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}
