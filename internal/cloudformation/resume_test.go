package cloudformation

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/virga/virga/internal/cfn/resource"
	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/ids"
	pebblestore "github.com/virga/virga/internal/store/pebble"
)

func init() {
	// Test::AskedThing is an opaque type whose provider notes the
	// physical IDs it is asked to delete.
	resource.Register(&resource.Type{Name: "Test::AskedThing", Provider: &asked, Replace: []string{}, Opaque: true})
}

var asked askedThing

type askedThing struct {
	opaqueThing
	mu      sync.Mutex
	deletes []string
}

func (p *askedThing) Delete(ctx context.Context, r *resource.Request) error {
	p.mu.Lock()
	p.deletes = append(p.deletes, r.StackName+" "+r.PhysicalID)
	p.mu.Unlock()
	return nil
}

// TestResumeAfterKill: a stack that a kill left CREATE_IN_PROGRESS, its
// opaque resource's creation in progress with no physical ID (its
// provider may have been asked), is rolled back when virga starts again:
// the resource's creation was cancelled, its provider is asked to
// delete a made-up physical ID, and the stack ends ROLLBACK_COMPLETE.
func TestResumeAfterKill(t *testing.T) {
	db, err := pebblestore.Open(pebblestore.Options{InMemory: true, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	deps := Deps{Store: db, Clock: clock.NewFake(time.Now()), IDs: ids.New(nil), Account: "000000000000", Region: "us-east-1"}
	before, err := New(deps)
	if err != nil {
		t.Fatal(err)
	}
	const body = "Resources:\n  C:\n    Type: Test::AskedThing\n    Properties:\n      Name: one\n"
	killed := &stack{rec: stackRecord{ID: before.stackID("killed"), Name: "killed", Status: createInProgress, Template: body, Processed: body,
		Resources: map[string]*resourceState{"C": {LogicalID: "C", Type: "Test::AskedThing", Status: createInProgress}}}}
	if err := before.save(killed); err != nil {
		t.Fatal(err)
	}

	s, err := New(deps)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.Resume()
	deadline := time.Now().Add(30 * time.Second)
	status, st := stackStatus(t, s, "killed")
	for ; isInProgress(status) && time.Now().Before(deadline); status, st = stackStatus(t, s, "killed") {
		time.Sleep(5 * time.Millisecond)
	}
	if status != rollbackComplete {
		t.Fatalf("after the start: %s (%s)", status, deref(st.StackStatusReason))
	}
	asked.mu.Lock()
	defer asked.mu.Unlock()
	if len(asked.deletes) != 1 || !strings.HasPrefix(asked.deletes[0], "killed killed-C-") || len(asked.deletes[0]) != len("killed killed-C-")+13 {
		t.Errorf("deletes: %q", asked.deletes)
	}
}
