package cloudformation

import (
	"context"
	"errors"
	"testing"

	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/cfn/resource"
)

// gatedThing is a provider whose updates wait for the gate, telling
// entered that they did.
type gatedThing struct{ entered, gate chan struct{} }

var gated = &gatedThing{}

func (*gatedThing) Create(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	return &resource.Result{PhysicalID: r.StackName + "-" + r.LogicalID}, nil
}

func (g *gatedThing) Update(ctx context.Context, r *resource.Request) (*resource.Result, error) {
	g.entered <- struct{}{}
	<-g.gate
	return &resource.Result{PhysicalID: r.PhysicalID, Attributes: map[string]any{"Size": r.Properties["Size"]}}, nil
}

func (*gatedThing) Delete(ctx context.Context, r *resource.Request) error { return nil }

func init() {
	resource.Register(&resource.Type{Name: "Test::GatedThing", Provider: gated})
}

// TestUpdateResourceSideBySide: the Cloud Control API's updates of two
// resources of a stack run side by side (a hotswap sends them so), while
// a second update of one of them, and an update of the stack, are
// refused until they end; their properties are then the stack's.
func TestUpdateResourceSideBySide(t *testing.T) {
	gated.entered, gated.gate = make(chan struct{}), make(chan struct{})
	s := newTestService(t)
	ctx := context.Background()
	if _, err := s.createStack(ctx, &CreateStackInput{StackName: ptr("side"), TemplateBody: ptr(`Resources:
  A:
    Type: Test::GatedThing
    Properties: {Size: 1}
  B:
    Type: Test::GatedThing
    Properties: {Size: 1}
`)}); err != nil {
		t.Fatal(err)
	}
	if status, _ := stackStatus(t, s, "side"); status != createComplete {
		t.Fatalf("stack %s", status)
	}
	held := s.Resources("Test::GatedThing")
	if len(held) != 2 || held[0].LogicalID != "A" || held[1].PhysicalID != "side-B" {
		t.Fatalf("Resources = %+v", held)
	}
	done := make(chan error, 2)
	for _, h := range held {
		go func() {
			_, err := s.UpdateResource(ctx, h, map[string]any{"Size": 2})
			done <- err
		}()
		select { // both are in their providers' Update at once
		case <-gated.entered:
		case err := <-done:
			close(gated.gate)
			t.Fatalf("UpdateResource of %s beside the other = %v", h.LogicalID, err)
		}
	}
	if _, err := s.UpdateResource(ctx, held[0], map[string]any{"Size": 3}); !errors.Is(err, ErrStackBusy) {
		t.Errorf("a second update of A = %v", err)
	}
	_, err := s.updateStack(ctx, &UpdateStackInput{StackName: ptr("side"), TemplateBody: ptr(`Resources:
  A:
    Type: Test::GatedThing
    Properties: {Size: 4}
`)})
	if e := apierr.As(err); e == nil || e.Code != "ValidationError" {
		t.Errorf("UpdateStack during the updates = %v", err)
	}
	close(gated.gate)
	for range 2 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	for _, h := range s.Resources("Test::GatedThing") {
		if h.Properties["Size"] != 2 || h.Attributes["Size"] != 2 {
			t.Errorf("%s after its update = %v, %v", h.LogicalID, h.Properties, h.Attributes)
		}
	}
	if _, err := s.UpdateResource(ctx, resource0(held[0]), nil); !errors.Is(err, ErrGone) {
		t.Errorf("an update of a resource no longer there = %v", err)
	}
}

// resource0 is h with another physical ID, as if its stack had replaced it.
func resource0(h HeldResource) HeldResource {
	h.PhysicalID += "-old"
	return h
}
