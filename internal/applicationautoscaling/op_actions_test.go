package applicationautoscaling

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/ids"
	pebblestore "github.com/virga/virga/internal/store/pebble"
)

// fakeTable is a DynamoDB table's provisioned throughput as
// DescribeTable and UpdateTable see it.
type fakeTable struct {
	mu          sync.Mutex
	read, write int32
	updates     int
}

func (f *fakeTable) call(ctx context.Context, service, op string, in map[string]any) (map[string]any, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch op {
	case "DescribeTable":
		return map[string]any{"Table": map[string]any{"ProvisionedThroughput": map[string]any{
			"ReadCapacityUnits": json.Number(itoa(f.read)), "WriteCapacityUnits": json.Number(itoa(f.write))}}}, nil
	case "UpdateTable":
		pt := in["ProvisionedThroughput"].(map[string]any)
		f.read, f.write = number(pt["ReadCapacityUnits"]), number(pt["WriteCapacityUnits"])
		f.updates++
	}
	return map[string]any{}, nil
}

func (f *fakeTable) capacity() int32 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.read
}

func newTestService(t *testing.T, now time.Time) (*Service, *clock.Fake, *fakeTable) {
	t.Helper()
	db, err := pebblestore.Open(pebblestore.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	clk := clock.NewFake(now)
	table := &fakeTable{read: 2, write: 2}
	return New(Deps{Store: db, Clock: clk, IDs: ids.New(nil), Account: "000000000000", Region: "us-east-1", Call: table.call}), clk, table
}

func TestScheduledActionsRunAtTheirTime(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	s, clk, table := newTestService(t, time.Date(2030, 3, 4, 7, 0, 0, 0, time.UTC))
	ns, dim, id := ptr(ServiceNamespace("dynamodb")), ptr(ScalableDimension("dynamodb:table:ReadCapacityUnits")), ptr("table/t")
	if _, err := s.registerScalableTarget(ctx, &RegisterScalableTargetRequest{ServiceNamespace: ns, ScalableDimension: dim, ResourceId: id,
		MinCapacity: ptr(int32(1)), MaxCapacity: ptr(int32(10))}); err != nil {
		t.Fatal(err)
	}
	if table.updates != 0 {
		t.Fatalf("registering a target the capacity is inside changed it")
	}
	put := func(name, schedule string, a ScalableTargetAction, tz string) {
		t.Helper()
		in := &PutScheduledActionRequest{ServiceNamespace: ns, ScalableDimension: dim, ResourceId: id, ScheduledActionName: ptr(name),
			Schedule: ptr(schedule), ScalableTargetAction: &a}
		if tz != "" {
			in.Timezone = ptr(tz)
		}
		if _, err := s.putScheduledAction(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	// 09:00 in Paris is 08:00 UTC in early March (UTC+1).
	put("morning", "cron(0 9 * * ? *)", ScalableTargetAction{MinCapacity: ptr(int32(5))}, "Europe/Paris")
	put("evening", "cron(0 20 * * ? *)", ScalableTargetAction{MinCapacity: ptr(int32(1)), MaxCapacity: ptr(int32(3))}, "")

	step := func(to time.Time, wantMin, wantMax, wantCap int32) {
		t.Helper()
		clk.Set(to)
		s.RunDue(ctx, log)
		tr, err := s.target(targetKey{"dynamodb", "table/t", "dynamodb:table:ReadCapacityUnits"}, targetNotFound)
		if err != nil {
			t.Fatal(err)
		}
		if *tr.MinCapacity != wantMin || *tr.MaxCapacity != wantMax || table.capacity() != wantCap {
			t.Errorf("at %s: bounds [%d, %d], capacity %d; want [%d, %d], %d", to.Format(time.TimeOnly),
				*tr.MinCapacity, *tr.MaxCapacity, table.capacity(), wantMin, wantMax, wantCap)
		}
	}
	step(time.Date(2030, 3, 4, 7, 59, 0, 0, time.UTC), 1, 10, 2)
	step(time.Date(2030, 3, 4, 8, 0, 0, 0, time.UTC), 5, 10, 5)
	step(time.Date(2030, 3, 4, 12, 0, 0, 0, time.UTC), 5, 10, 5)
	step(time.Date(2030, 3, 4, 20, 0, 5, 0, time.UTC), 1, 3, 3)
	// The next morning the minimum goes above the maximum the evening
	// set: the maximum follows.
	step(time.Date(2030, 3, 5, 8, 0, 0, 0, time.UTC), 5, 5, 5)

	acts, err := s.describeScalingActivities(ctx, &DescribeScalingActivitiesRequest{ServiceNamespace: ns})
	if err != nil || len(acts.ScalingActivities) != 3 || *acts.ScalingActivities[0].Cause != "scheduled action name morning was triggered" {
		t.Errorf("activities = %+v, %v", acts, err)
	}

	// Suspended scheduled scaling leaves bounds and capacity alone.
	if _, err := s.registerScalableTarget(ctx, &RegisterScalableTargetRequest{ServiceNamespace: ns, ScalableDimension: dim, ResourceId: id,
		SuspendedState: &SuspendedState{ScheduledScalingSuspended: ptr(true)}}); err != nil {
		t.Fatal(err)
	}
	step(time.Date(2030, 3, 5, 20, 0, 0, 0, time.UTC), 5, 5, 5)
}

func TestScheduledActionValidation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _, _ := newTestService(t, time.Date(2030, 3, 4, 7, 0, 0, 0, time.UTC))
	ns, dim, id := ptr(ServiceNamespace("dynamodb")), ptr(ScalableDimension("dynamodb:table:ReadCapacityUnits")), ptr("table/t")
	in := func(schedule string, a *ScalableTargetAction) *PutScheduledActionRequest {
		return &PutScheduledActionRequest{ServiceNamespace: ns, ScalableDimension: dim, ResourceId: id, ScheduledActionName: ptr("a"),
			Schedule: ptr(schedule), ScalableTargetAction: a}
	}
	if _, err := s.putScheduledAction(ctx, in("rate(1 hour)", &ScalableTargetAction{MinCapacity: ptr(int32(1))})); !isCode(err, "ObjectNotFoundException") {
		t.Errorf("an action of an unregistered target: %v", err)
	}
	if _, err := s.registerScalableTarget(ctx, &RegisterScalableTargetRequest{ServiceNamespace: ns, ScalableDimension: dim, ResourceId: id,
		MinCapacity: ptr(int32(1)), MaxCapacity: ptr(int32(10))}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		schedule string
		a        *ScalableTargetAction
	}{
		{"rate(0 hours)", &ScalableTargetAction{MinCapacity: ptr(int32(1))}},
		{"cron(0 9 * * *)", &ScalableTargetAction{MinCapacity: ptr(int32(1))}},
		{"at(2030-13-01T00:00:00)", &ScalableTargetAction{MinCapacity: ptr(int32(1))}},
		{"rate(1 hour)", nil},
		{"rate(1 hour)", &ScalableTargetAction{MinCapacity: ptr(int32(5)), MaxCapacity: ptr(int32(2))}},
	} {
		if _, err := s.putScheduledAction(ctx, in(tc.schedule, tc.a)); !isCode(err, "ValidationException") {
			t.Errorf("PutScheduledAction(%s, %+v) = %v, want ValidationException", tc.schedule, tc.a, err)
		}
	}
}
