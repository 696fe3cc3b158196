package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/virga/virga/internal/e2e"
)

func sqsAt(addr string) *sqs.Client {
	return sqs.NewFromConfig(e2e.ClientConfig("http://"+addr, "us-east-1", "test", "test", ""))
}

// crashSend is what a sender learned of one SendMessage.
type crashSend struct {
	body, id string
	outcome  writeOutcome
}

// TestSQSAcknowledgedSendsSurviveKill9 runs `virga up`, sends messages
// from concurrent senders to a standard and a FIFO queue, kills the
// process with SIGKILL while sends are in flight, restarts it on the same
// data directory, and drains both queues. Every acknowledged message must
// be there with its body, each FIFO group in the order it was sent; a
// message may be there without an acknowledgement (the kill came between
// the write and the answer), but only one that some sender sent. Receives
// are durable too: a message received before the kill counts that
// receive after it, and a FIFO receipt handle from before the kill still
// deletes its message.
func TestSQSAcknowledgedSendsSurviveKill9(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	addr := freeAddr(t)
	p := start(t, nil, "up", "--listen", addr, "--data-dir", dir)
	waitHealthy(t, p, addr)
	c := sqsAt(addr)
	create := func(name string, attrs map[string]string) string {
		t.Helper()
		out, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
		if err != nil {
			t.Fatalf("CreateQueue %s: %v", name, err)
		}
		return *out.QueueUrl
	}
	std := create("crash", nil)
	fifo := create("crash.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"})
	held := create("held", nil)

	// A standard message in flight at the kill; its receive counts.
	heldSent, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &held, MessageBody: aws.String("in flight")})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &held, VisibilityTimeout: 1})
	if err != nil || len(got.Messages) != 1 || *got.Messages[0].MessageId != *heldSent.MessageId {
		t.Fatalf("receive before the kill: %+v %v", got, err)
	}
	// A FIFO group whose first message is in flight at the kill, for
	// longer than the test runs: it is deleted after the restart with the
	// receipt handle from before, which opens the group for the second.
	for _, b := range []string{"held-1", "held-2"} {
		if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &fifo, MessageBody: aws.String(b), MessageGroupId: aws.String("held")}); err != nil {
			t.Fatal(err)
		}
	}
	got, err = c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &fifo, VisibilityTimeout: 600})
	if err != nil || len(got.Messages) != 1 || *got.Messages[0].Body != "held-1" {
		t.Fatalf("FIFO receive before the kill: %+v %v", got, err)
	}
	heldFIFOHandle := got.Messages[0].ReceiptHandle

	// The load: standard senders and one FIFO sender per group, each
	// sending one message at a time until the kill.
	const stdSenders, groups = 4, 3
	results := make([][]crashSend, stdSenders+groups)
	killMidLoad(t, p, stdSenders+groups, 300, 30*time.Second, "send", func(w, i int, killed func() bool) bool {
		in := &sqs.SendMessageInput{QueueUrl: &std}
		if w >= stdSenders {
			in.QueueUrl = &fifo
			in.MessageGroupId = aws.String(fmt.Sprintf("g%d", w-stdSenders))
		}
		cs := crashSend{body: fmt.Sprintf("%d/%06d", w, i)}
		in.MessageBody = aws.String(cs.body)
		rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		out, err := c.SendMessage(rctx, in)
		cancel()
		cs.outcome = outcomeOf(err)
		if cs.outcome == acked {
			cs.id = *out.MessageId
		} else if !killed() {
			t.Errorf("SendMessage %s before the kill: %v", cs.body, err)
		}
		results[w] = append(results[w], cs)
		return cs.outcome == acked
	})

	addr2 := freeAddr(t)
	p2 := start(t, nil, "up", "--listen", addr2, "--data-dir", dir)
	waitHealthy(t, p2, addr2)
	c = sqsAt(addr2)

	// The FIFO receipt handle from before the kill still deletes its
	// message, and the group moves on.
	if _, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &fifo, ReceiptHandle: heldFIFOHandle}); err != nil {
		t.Errorf("DeleteMessage with a FIFO receipt handle from before the kill: %v", err)
	}

	// drain receives and deletes everything visible in a queue, returning
	// the messages in the order received.
	drain := func(url string) []types.Message {
		t.Helper()
		var all []types.Message
		for empty := 0; empty < 2; {
			out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1,
				VisibilityTimeout: 300, MessageSystemAttributeNames: []types.MessageSystemAttributeName{"All"}})
			if err != nil {
				t.Fatalf("ReceiveMessage after restart: %v", err)
			}
			if len(out.Messages) == 0 {
				empty++
				continue
			}
			empty = 0
			var del []types.DeleteMessageBatchRequestEntry
			for i, m := range out.Messages {
				all = append(all, m)
				del = append(del, types.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: m.ReceiptHandle})
			}
			res, err := c.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: &url, Entries: del})
			if err != nil || len(res.Failed) != 0 {
				t.Fatalf("DeleteMessageBatch after restart: %+v %v", res, err)
			}
		}
		return all
	}

	// Standard: every acknowledged message, with its body; nothing that
	// no sender sent.
	sentBodies := map[string]crashSend{}
	counts := map[writeOutcome]int{}
	for _, rs := range results {
		for _, cs := range rs {
			sentBodies[cs.body] = cs
			counts[cs.outcome]++
		}
	}
	stored := map[string]string{} // id -> body
	for _, m := range drain(std) {
		if prev, dup := stored[*m.MessageId]; dup {
			t.Errorf("message %s (%q) received twice", *m.MessageId, prev)
		}
		stored[*m.MessageId] = *m.Body
		cs, ok := sentBodies[*m.Body]
		switch {
		case !ok || senderOf(cs.body) >= stdSenders:
			t.Errorf("standard queue holds %s %q, which no standard sender sent", *m.MessageId, *m.Body)
		case cs.outcome == acked && cs.id != *m.MessageId:
			t.Errorf("body %q acknowledged as %s is stored as %s", cs.body, cs.id, *m.MessageId)
		case cs.outcome == refused:
			t.Errorf("refused send %q is stored", cs.body)
		}
	}
	for w := range stdSenders {
		for _, cs := range results[w] {
			if cs.outcome == acked && stored[cs.id] != cs.body {
				t.Errorf("acknowledged message %s (%q) lost after kill -9 (stored as %q)", cs.id, cs.body, stored[cs.id])
			}
		}
	}

	// FIFO: per group, the acknowledged messages in the order they were
	// sent, then at most the one whose answer the kill cut off.
	byGroup := map[string][]string{}
	for _, m := range drain(fifo) {
		g := m.Attributes["MessageGroupId"]
		byGroup[g] = append(byGroup[g], *m.Body)
		if g != "held" {
			if cs, ok := sentBodies[*m.Body]; !ok || cs.outcome == acked && cs.id != *m.MessageId {
				t.Errorf("FIFO queue holds %s %q, sent as %+v", *m.MessageId, *m.Body, cs)
			}
		}
	}
	if got := strings.Join(byGroup["held"], ","); got != "held-2" {
		t.Errorf("group held after deleting its first message with the old handle: %q, want held-2", got)
	}
	for g := range groups {
		w := stdSenders + g
		var want []string
		for _, cs := range results[w] {
			if cs.outcome == acked {
				want = append(want, cs.body)
			}
		}
		got := byGroup[fmt.Sprintf("g%d", g)]
		// Sends within a group go one at a time, so only the last send can
		// be there unacknowledged.
		if len(got) == len(want)+1 && results[w][len(results[w])-1].outcome != acked && got[len(got)-1] == results[w][len(results[w])-1].body {
			got = got[:len(got)-1]
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("group g%d after kill -9:\n got %v\nwant %v", g, got, want)
		}
	}

	// The message in flight at the kill: received again, its receive
	// before the kill counted (a lost receive would make this 1).
	var again *types.Message
	for deadline := time.Now().Add(20 * time.Second); again == nil && time.Now().Before(deadline); {
		out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &held, WaitTimeSeconds: 2,
			MessageSystemAttributeNames: []types.MessageSystemAttributeName{"ApproximateReceiveCount"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) > 0 {
			again = &out.Messages[0]
		}
	}
	if again == nil || *again.MessageId != *heldSent.MessageId || again.Attributes["ApproximateReceiveCount"] != "2" {
		t.Errorf("message in flight at the kill, received after the restart: %+v; want %s with ApproximateReceiveCount 2", again, *heldSent.MessageId)
	}
	t.Logf("%d acknowledged, %d refused, %d unknown sends; %d standard messages and %d FIFO groups after restart",
		counts[acked], counts[refused], counts[unknown], len(stored), len(byGroup))
}

// senderOf is the number of the sender of a body "SENDER/SEQ".
func senderOf(body string) int {
	w, _, _ := strings.Cut(body, "/")
	n, err := strconv.Atoi(w)
	if err != nil {
		return -1
	}
	return n
}
