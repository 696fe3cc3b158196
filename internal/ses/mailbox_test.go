package ses

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/ids"
	"github.com/virga/virga/internal/store"
	pebblestore "github.com/virga/virga/internal/store/pebble"
)

func newTestService(t *testing.T, db store.Store, clk clock.Clock, maxMessages int, maxBytes int64) *Service {
	t.Helper()
	s, err := New(Deps{Store: db, Clock: clk, IDs: ids.New(nil), Account: "000000000000", Region: "us-east-1",
		MailboxMessages: maxMessages, MailboxBytes: maxBytes})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func openStore(t *testing.T) store.Store {
	t.Helper()
	db, err := pebblestore.Open(pebblestore.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestMailboxBounds: the mailbox keeps the most recent messages within
// its count and byte bounds, across a restart, and the statistics keep
// counting what it dropped.
func TestMailboxBounds(t *testing.T) {
	db := openStore(t)
	clk := clock.NewFake(time.Unix(1_700_000_000, 0))
	s := newTestService(t, db, clk, 3, 1<<20)
	if _, _, err := s.AddIdentity("from@example.com", false); err != nil {
		t.Fatal(err)
	}
	send := func(s *Service, to, text string) string {
		t.Helper()
		clk.Advance(time.Second)
		id, err := s.Send(context.Background(), Outgoing{API: "SendEmail", Source: "from@example.com", Destination: Recipients{To: []string{to}},
			Subject: "s", Text: text})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	var sent []string
	for i := range 5 {
		sent = append(sent, send(s, "r"+string(rune('a'+i))+"@x.test", "short"))
	}
	msgs, err := s.Messages("")
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 3 || msgs[0].MessageID != sent[2] || msgs[2].MessageID != sent[4] {
		t.Fatalf("mailbox = %d messages; want the last 3", len(msgs))
	}

	// After a restart, with a byte budget one large message fills.
	s2 := newTestService(t, db, clk, 3, 4096)
	if msgs, _ := s2.Messages(""); len(msgs) != 3 {
		t.Fatalf("after a restart the mailbox holds %d messages; want 3", len(msgs))
	}
	big := send(s2, "big@x.test", strings.Repeat("x", 3000))
	msgs, _ = s2.Messages("")
	if len(msgs) != 1 || msgs[0].MessageID != big {
		t.Fatalf("mailbox = %d messages; want only the large one", len(msgs))
	}
	if sent, err := s2.SentLast24Hours(); err != nil || sent != 6 {
		t.Errorf("SentLast24Hours = %d, %v; want 6", sent, err)
	}
	if n, err := s2.ClearMessages(); err != nil || n != 1 {
		t.Errorf("ClearMessages = %d, %v", n, err)
	}
	if msgs, _ := newTestService(t, db, clk, 3, 4096).Messages(""); len(msgs) != 0 {
		t.Errorf("a cleared mailbox holds %d messages after a restart", len(msgs))
	}
}

// TestSenderVerification: an address is verified by itself or by its
// domain; a domain identity does not verify an address identity's
// namesake domain.
func TestSenderVerification(t *testing.T) {
	s := newTestService(t, openStore(t), clock.NewFake(time.Unix(1_700_000_000, 0)), 0, 0)
	s.AddIdentity("me@one.test", false)
	s.AddIdentity("Two.Test", true)
	for addr, want := range map[string]bool{
		"me@one.test": true, "ME@ONE.TEST": true, "you@one.test": false,
		"any@two.test": true, "any@sub.two.test": false, "two.test": false,
	} {
		if got := s.senderVerified(addr); got != want {
			t.Errorf("senderVerified(%q) = %v; want %v", addr, got, want)
		}
	}
	_, err := s.Send(context.Background(), Outgoing{Source: "Me <you@one.test>", Destination: Recipients{To: []string{"x@y.test"}}, Text: "t", Region: "eu-west-1"})
	if err == nil || !strings.Contains(err.Error(), "failed the check in region EU-WEST-1: Me <you@one.test>, you@one.test") {
		t.Errorf("Send from an unverified address: %v", err)
	}
}
