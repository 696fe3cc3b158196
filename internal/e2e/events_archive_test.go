package e2e_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/virga/virga/internal/app"
	"github.com/virga/virga/internal/config"
	"github.com/virga/virga/internal/e2e"
)

const ebPrefix = "arn:aws:events:us-east-1:000000000000:"

// busPolicy is a bus's policy as DescribeEventBus returns it, "" for none.
func busPolicy(t *testing.T, eb *eventbridge.Client, bus string) string {
	t.Helper()
	out, err := eb.DescribeEventBus(context.Background(), &eventbridge.DescribeEventBusInput{Name: aws.String(bus)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.Policy)
}

func TestEventBridgePermissions(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	eb := eventbridge.NewFromConfig(env.Config)
	ctx := context.Background()
	if _, err := eb.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("orders")}); err != nil {
		t.Fatal(err)
	}

	_, err := eb.PutPermission(ctx, &eventbridge.PutPermissionInput{EventBusName: aws.String("nope"), StatementId: aws.String("a"),
		Action: aws.String("events:PutEvents"), Principal: aws.String("111122223333")})
	wantLambdaError(t, "missing bus", err, "ResourceNotFoundException", "Event bus nope does not exist.")
	_, err = eb.PutPermission(ctx, &eventbridge.PutPermissionInput{StatementId: aws.String("a"), Action: aws.String("events:PutRule"), Principal: aws.String("111122223333")})
	wantLambdaError(t, "another action", err, "ValidationException", "")
	_, err = eb.PutPermission(ctx, &eventbridge.PutPermissionInput{StatementId: aws.String("a"), Principal: aws.String("111122223333")})
	wantLambdaError(t, "no action", err, "ValidationException", "")
	_, err = eb.PutPermission(ctx, &eventbridge.PutPermissionInput{StatementId: aws.String("a"), Action: aws.String("events:PutEvents"),
		Principal: aws.String("111122223333"), Policy: aws.String(`{"Statement":[]}`)})
	wantLambdaError(t, "both forms", err, "ValidationException", "")
	_, err = eb.PutPermission(ctx, &eventbridge.PutPermissionInput{StatementId: aws.String("a"), Action: aws.String("events:PutEvents"),
		Principal: aws.String("not-an-account")})
	wantLambdaError(t, "bad principal", err, "ValidationException", "")

	// Statements, one at a time, on the default bus and on a custom one.
	if got := busPolicy(t, eb, "default"); got != "" {
		t.Errorf("a new bus has policy %s", got)
	}
	if _, err := eb.PutPermission(ctx, &eventbridge.PutPermissionInput{StatementId: aws.String("dev"), Action: aws.String("events:PutEvents"),
		Principal: aws.String("111122223333")}); err != nil {
		t.Fatal(err)
	}
	want := `{"Version":"2012-10-17","Statement":[{"Sid":"dev","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"events:PutEvents","Resource":"` + ebPrefix + `event-bus/default"}]}`
	if got := busPolicy(t, eb, "default"); got != want {
		t.Errorf("default bus policy:\n got %s\nwant %s", got, want)
	}
	if _, err := eb.PutPermission(ctx, &eventbridge.PutPermissionInput{EventBusName: aws.String("orders"), StatementId: aws.String("org"),
		Action: aws.String("events:PutEvents"), Principal: aws.String("*"),
		Condition: &ebtypes.Condition{Type: aws.String("StringEquals"), Key: aws.String("aws:PrincipalOrgID"), Value: aws.String("o-abc123")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutPermission(ctx, &eventbridge.PutPermissionInput{EventBusName: aws.String("orders"), StatementId: aws.String("prod"),
		Action: aws.String("events:PutEvents"), Principal: aws.String("444455556666")}); err != nil {
		t.Fatal(err)
	}
	// The same StatementId again replaces its statement.
	if _, err := eb.PutPermission(ctx, &eventbridge.PutPermissionInput{EventBusName: aws.String("orders"), StatementId: aws.String("prod"),
		Action: aws.String("events:PutEvents"), Principal: aws.String("777788889999")}); err != nil {
		t.Fatal(err)
	}
	want = `{"Version":"2012-10-17","Statement":[` +
		`{"Sid":"org","Effect":"Allow","Principal":"*","Action":"events:PutEvents","Resource":"` + ebPrefix + `event-bus/orders","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc123"}}},` +
		`{"Sid":"prod","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::777788889999:root"},"Action":"events:PutEvents","Resource":"` + ebPrefix + `event-bus/orders"}]}`
	if got := busPolicy(t, eb, "orders"); got != want {
		t.Errorf("orders bus policy:\n got %s\nwant %s", got, want)
	}

	// Policies are recorded, not enforced: events still reach the bus.
	out, err := eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{EventBusName: aws.String("orders"),
		Source: aws.String("shop"), DetailType: aws.String("OrderPlaced"), Detail: aws.String(`{}`)}}})
	if err != nil || out.FailedEntryCount != 0 {
		t.Errorf("PutEvents on a bus with a policy: %+v %v", out, err)
	}

	_, err = eb.RemovePermission(ctx, &eventbridge.RemovePermissionInput{EventBusName: aws.String("orders"), StatementId: aws.String("nope")})
	wantLambdaError(t, "missing statement", err, "ResourceNotFoundException", "Statement with the provided id does not exist.")
	_, err = eb.RemovePermission(ctx, &eventbridge.RemovePermissionInput{EventBusName: aws.String("orders")})
	wantLambdaError(t, "no statement id", err, "ValidationException", "")
	_, err = eb.RemovePermission(ctx, &eventbridge.RemovePermissionInput{EventBusName: aws.String("nope"), StatementId: aws.String("org")})
	wantLambdaError(t, "remove on a missing bus", err, "ResourceNotFoundException", "Event bus nope does not exist.")
	if _, err := eb.RemovePermission(ctx, &eventbridge.RemovePermissionInput{EventBusName: aws.String("orders"), StatementId: aws.String("org")}); err != nil {
		t.Fatal(err)
	}
	if got := busPolicy(t, eb, "orders"); strings.Contains(got, `"org"`) || !strings.Contains(got, `"prod"`) {
		t.Errorf("after removing org: %s", got)
	}
	// Removing the last statement removes the policy.
	if _, err := eb.RemovePermission(ctx, &eventbridge.RemovePermissionInput{StatementId: aws.String("dev")}); err != nil {
		t.Fatal(err)
	}
	if got := busPolicy(t, eb, "default"); got != "" {
		t.Errorf("after removing the last statement: %s", got)
	}
	_, err = eb.RemovePermission(ctx, &eventbridge.RemovePermissionInput{StatementId: aws.String("dev")})
	wantLambdaError(t, "remove from a bus without a policy", err, "ResourceNotFoundException", "")

	// A whole policy replaces the statements.
	policy := `{"Version":"2012-10-17","Statement":{"Sid":"all","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":["events:PutEvents","events:PutRule"],"Resource":"` + ebPrefix + `event-bus/orders"}}`
	if _, err := eb.PutPermission(ctx, &eventbridge.PutPermissionInput{EventBusName: aws.String("orders"), Policy: aws.String(policy)}); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Statement []struct{ Sid string }
	}
	if got := busPolicy(t, eb, "orders"); json.Unmarshal([]byte(got), &doc) != nil || len(doc.Statement) != 1 || doc.Statement[0].Sid != "all" {
		t.Errorf("after a whole policy: %s", got)
	}
	_, err = eb.PutPermission(ctx, &eventbridge.PutPermissionInput{EventBusName: aws.String("orders"), Policy: aws.String(`[1]`)})
	wantLambdaError(t, "a policy that is not an object", err, "ValidationException", "")
	big := `{"Version":"2012-10-17","Statement":[{"Sid":"big","Effect":"Allow","Principal":"*","Action":"events:PutEvents","Resource":"` + strings.Repeat("x", 10240) + `"}]}`
	_, err = eb.PutPermission(ctx, &eventbridge.PutPermissionInput{EventBusName: aws.String("orders"), Policy: aws.String(big)})
	wantLambdaError(t, "a policy over 10,240 characters", err, "PolicyLengthExceededException", "")

	if _, err := eb.RemovePermission(ctx, &eventbridge.RemovePermissionInput{EventBusName: aws.String("orders"), RemoveAllPermissions: true}); err != nil {
		t.Fatal(err)
	}
	if got := busPolicy(t, eb, "orders"); got != "" {
		t.Errorf("after RemoveAllPermissions: %s", got)
	}
}

// replayedEvent is the part of a delivered event a replay test reads.
type replayedEvent struct {
	ID         string `json:"id"`
	DetailType string `json:"detail-type"`
	ReplayName string `json:"replay-name"`
	Detail     struct {
		N int `json:"n"`
	} `json:"detail"`
}

func receiveEvent(t *testing.T, qc *sqs.Client, url string) replayedEvent {
	t.Helper()
	var ev replayedEvent
	body := aws.ToString(receiveOne(t, qc, url).Body)
	if err := json.Unmarshal([]byte(body), &ev); err != nil {
		t.Fatalf("not an event: %s", body)
	}
	return ev
}

// waitReplay polls a replay until it reaches state.
func waitReplay(t *testing.T, eb *eventbridge.Client, name string, state ebtypes.ReplayState) *eventbridge.DescribeReplayOutput {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		out, err := eb.DescribeReplay(context.Background(), &eventbridge.DescribeReplayInput{ReplayName: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		if out.State == state {
			return out
		}
		if time.Now().After(deadline) {
			t.Fatalf("replay %s is still %s, not %s", name, out.State, state)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestEventBridgeArchiveAndReplay(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	eb := eventbridge.NewFromConfig(env.Config)
	qc := sqs.NewFromConfig(env.Config)
	ctx := context.Background()
	mainQ, otherQ := newQueue(t, qc, "replay-main"), newQueue(t, qc, "replay-other")
	if _, err := eb.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("orders")}); err != nil {
		t.Fatal(err)
	}
	busARN := ebPrefix + "event-bus/orders"
	for rule, q := range map[string]string{"main": "replay-main", "other": "replay-other"} {
		if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String(rule), EventBusName: aws.String("orders"),
			EventPattern: aws.String(`{"source":["shop"]}`)}); err != nil {
			t.Fatal(err)
		}
		if _, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String(rule), EventBusName: aws.String("orders"),
			Targets: []ebtypes.Target{{Id: aws.String("q"), Arn: aws.String(queueARN(q))}}}); err != nil {
			t.Fatal(err)
		}
	}

	// Archives and their errors.
	_, err := eb.CreateArchive(ctx, &eventbridge.CreateArchiveInput{ArchiveName: aws.String("a"), EventSourceArn: aws.String(ebPrefix + "event-bus/nope")})
	wantLambdaError(t, "archive of a missing bus", err, "ResourceNotFoundException", "Event bus nope does not exist.")
	_, err = eb.CreateArchive(ctx, &eventbridge.CreateArchiveInput{ArchiveName: aws.String("a"), EventSourceArn: aws.String(queueARN("replay-main"))})
	wantLambdaError(t, "archive of a queue", err, "ValidationException", "")
	_, err = eb.CreateArchive(ctx, &eventbridge.CreateArchiveInput{ArchiveName: aws.String("a"), EventSourceArn: aws.String(busARN), EventPattern: aws.String(`{"source":"shop"}`)})
	wantLambdaError(t, "archive with a bad pattern", err, "InvalidEventPatternException", "")
	created, err := eb.CreateArchive(ctx, &eventbridge.CreateArchiveInput{ArchiveName: aws.String("placed"), EventSourceArn: aws.String(busARN),
		EventPattern: aws.String(`{"detail-type":["OrderPlaced"]}`), Description: aws.String("placed orders")})
	if err != nil || aws.ToString(created.ArchiveArn) != ebPrefix+"archive/placed" || created.State != ebtypes.ArchiveStateEnabled || created.CreationTime == nil {
		t.Fatalf("CreateArchive: %+v %v", created, err)
	}
	_, err = eb.CreateArchive(ctx, &eventbridge.CreateArchiveInput{ArchiveName: aws.String("placed"), EventSourceArn: aws.String(busARN)})
	wantLambdaError(t, "duplicate archive", err, "ResourceAlreadyExistsException", "Archive placed already exists.")
	if _, err := eb.CreateArchive(ctx, &eventbridge.CreateArchiveInput{ArchiveName: aws.String("placed-all"), EventSourceArn: aws.String(busARN)}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.CreateArchive(ctx, &eventbridge.CreateArchiveInput{ArchiveName: aws.String("default-all"), EventSourceArn: aws.String(ebPrefix + "event-bus/default")}); err != nil {
		t.Fatal(err)
	}
	_, err = eb.DescribeArchive(ctx, &eventbridge.DescribeArchiveInput{ArchiveName: aws.String("nope")})
	wantLambdaError(t, "missing archive", err, "ResourceNotFoundException", "Archive nope does not exist.")

	// Only the matching events are archived; every one reaches the rules.
	put := func(detailType string, n int) string {
		t.Helper()
		out, err := eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{EventBusName: aws.String("orders"),
			Source: aws.String("shop"), DetailType: aws.String(detailType), Detail: aws.String(`{"n":` + string(rune('0'+n)) + `}`)}}})
		if err != nil || out.FailedEntryCount != 0 {
			t.Fatalf("PutEvents: %+v %v", out, err)
		}
		return aws.ToString(out.Entries[0].EventId)
	}
	start := time.Now().Add(-time.Minute)
	ids := map[string]bool{put("OrderPlaced", 1): true, put("OrderShipped", 2): true, put("OrderPlaced", 3): true}
	for range 3 {
		if ev := receiveEvent(t, qc, mainQ); ev.ReplayName != "" {
			t.Errorf("an event as put has replay-name %q", ev.ReplayName)
		}
		receiveEvent(t, qc, otherQ)
	}
	a, err := eb.DescribeArchive(ctx, &eventbridge.DescribeArchiveInput{ArchiveName: aws.String("placed")})
	if err != nil || a.EventCount != 2 || a.SizeBytes <= 0 || a.State != ebtypes.ArchiveStateEnabled ||
		aws.ToString(a.EventSourceArn) != busARN || aws.ToString(a.EventPattern) != `{"detail-type":["OrderPlaced"]}` ||
		aws.ToString(a.Description) != "placed orders" || a.RetentionDays == nil || *a.RetentionDays != 0 {
		t.Fatalf("DescribeArchive placed: %+v %v", a, err)
	}
	if all, _ := eb.DescribeArchive(ctx, &eventbridge.DescribeArchiveInput{ArchiveName: aws.String("placed-all")}); all.EventCount != 3 {
		t.Errorf("an archive without a pattern has %d events, want 3", all.EventCount)
	}
	if d, _ := eb.DescribeArchive(ctx, &eventbridge.DescribeArchiveInput{ArchiveName: aws.String("default-all")}); d.EventCount != 0 {
		t.Errorf("the default bus's archive has %d events of another bus", d.EventCount)
	}

	// Listing, filtered and in pages.
	list, err := eb.ListArchives(ctx, &eventbridge.ListArchivesInput{EventSourceArn: aws.String(busARN), Limit: aws.Int32(1)})
	if err != nil || len(list.Archives) != 1 || aws.ToString(list.Archives[0].ArchiveName) != "placed" || list.NextToken == nil {
		t.Fatalf("ListArchives page 1: %+v %v", list, err)
	}
	list, err = eb.ListArchives(ctx, &eventbridge.ListArchivesInput{EventSourceArn: aws.String(busARN), Limit: aws.Int32(1), NextToken: list.NextToken})
	if err != nil || len(list.Archives) != 1 || aws.ToString(list.Archives[0].ArchiveName) != "placed-all" || list.NextToken != nil ||
		list.Archives[0].EventCount != 3 {
		t.Fatalf("ListArchives page 2: %+v %v", list, err)
	}
	if list, _ := eb.ListArchives(ctx, &eventbridge.ListArchivesInput{NamePrefix: aws.String("default")}); len(list.Archives) != 1 {
		t.Errorf("ListArchives by prefix: %+v", list.Archives)
	}

	// Replays and their errors.
	end := time.Now().Add(time.Minute)
	replay := func(name, archive, dest string, filter ...string) (*eventbridge.StartReplayOutput, error) {
		return eb.StartReplay(ctx, &eventbridge.StartReplayInput{ReplayName: aws.String(name), EventSourceArn: aws.String(ebPrefix + "archive/" + archive),
			EventStartTime: &start, EventEndTime: &end, Destination: &ebtypes.ReplayDestination{Arn: aws.String(dest), FilterArns: filter}})
	}
	_, err = replay("r", "nope", busARN)
	wantLambdaError(t, "replay of a missing archive", err, "ResourceNotFoundException", "Archive nope does not exist.")
	_, err = replay("r", "placed", ebPrefix+"event-bus/default")
	wantLambdaError(t, "replay to another bus", err, "ValidationException", "Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.")
	_, err = replay("r", "placed", busARN, ebPrefix+"rule/orders/nope")
	wantLambdaError(t, "replay to a missing rule", err, "ResourceNotFoundException", "")
	_, err = eb.StartReplay(ctx, &eventbridge.StartReplayInput{ReplayName: aws.String("r"), EventSourceArn: aws.String(ebPrefix + "archive/placed"),
		EventStartTime: &end, EventEndTime: &start, Destination: &ebtypes.ReplayDestination{Arn: aws.String(busARN)}})
	wantLambdaError(t, "replay window backwards", err, "ValidationException", "")

	started, err := replay("again", "placed", busARN, ebPrefix+"rule/orders/main")
	if err != nil || aws.ToString(started.ReplayArn) != ebPrefix+"replay/again" || started.State != ebtypes.ReplayStateStarting || started.ReplayStartTime == nil {
		t.Fatalf("StartReplay: %+v %v", started, err)
	}
	_, err = replay("again", "placed", busARN)
	wantLambdaError(t, "duplicate replay", err, "ResourceAlreadyExistsException", "Replay again already exists.")
	done := waitReplay(t, eb, "again", ebtypes.ReplayStateCompleted)
	if done.ReplayEndTime == nil || done.EventLastReplayedTime == nil || aws.ToString(done.EventSourceArn) != ebPrefix+"archive/placed" ||
		aws.ToString(done.Destination.Arn) != busARN || len(done.Destination.FilterArns) != 1 {
		t.Errorf("DescribeReplay: %+v", done)
	}
	// The placed orders come again, in order, with replay-name, to the
	// filtered rule only.
	for _, n := range []int{1, 3} {
		ev := receiveEvent(t, qc, mainQ)
		if ev.ReplayName != "again" || ev.DetailType != "OrderPlaced" || ev.Detail.N != n || !ids[ev.ID] {
			t.Errorf("replayed event: %+v, want order %d with replay-name again and its first id", ev, n)
		}
	}
	noMessage(t, qc, otherQ)
	if a, _ := eb.DescribeArchive(ctx, &eventbridge.DescribeArchiveInput{ArchiveName: aws.String("placed-all")}); a.EventCount != 3 {
		t.Errorf("replayed events were archived: %d events", a.EventCount)
	}

	// A replay without FilterArns goes to every rule of the bus.
	if _, err := replay("everyone", "placed", busARN); err != nil {
		t.Fatal(err)
	}
	waitReplay(t, eb, "everyone", ebtypes.ReplayStateCompleted)
	for _, q := range []string{mainQ, otherQ} {
		for range 2 {
			if ev := receiveEvent(t, qc, q); ev.ReplayName != "everyone" {
				t.Errorf("replayed event without replay-name: %+v", ev)
			}
		}
	}

	// Cancelling.
	_, err = eb.CancelReplay(ctx, &eventbridge.CancelReplayInput{ReplayName: aws.String("again")})
	wantLambdaError(t, "cancel a completed replay", err, "IllegalStatusException", "")
	_, err = eb.CancelReplay(ctx, &eventbridge.CancelReplayInput{ReplayName: aws.String("nope")})
	wantLambdaError(t, "cancel a missing replay", err, "ResourceNotFoundException", "Replay nope does not exist.")
	if _, err := replay("stopped", "placed", busARN); err != nil {
		t.Fatal(err)
	}
	cancelled, err := eb.CancelReplay(ctx, &eventbridge.CancelReplayInput{ReplayName: aws.String("stopped")})
	if err != nil || cancelled.State != ebtypes.ReplayStateCancelling || aws.ToString(cancelled.ReplayArn) != ebPrefix+"replay/stopped" {
		t.Fatalf("CancelReplay: %+v %v", cancelled, err)
	}
	waitReplay(t, eb, "stopped", ebtypes.ReplayStateCancelled)
	_, err = eb.DescribeReplay(ctx, &eventbridge.DescribeReplayInput{ReplayName: aws.String("nope")})
	wantLambdaError(t, "missing replay", err, "ResourceNotFoundException", "Replay nope does not exist.")

	replays, err := eb.ListReplays(ctx, &eventbridge.ListReplaysInput{State: ebtypes.ReplayStateCompleted})
	if err != nil || len(replays.Replays) != 2 || aws.ToString(replays.Replays[0].ReplayName) != "again" || aws.ToString(replays.Replays[1].ReplayName) != "everyone" {
		t.Errorf("ListReplays COMPLETED: %+v %v", replays, err)
	}
	if replays, _ := eb.ListReplays(ctx, &eventbridge.ListReplaysInput{NamePrefix: aws.String("st")}); len(replays.Replays) != 1 ||
		replays.Replays[0].State != ebtypes.ReplayStateCancelled {
		t.Errorf("ListReplays by prefix: %+v", replays.Replays)
	}

	// Updates change what is archived from then on.
	updated, err := eb.UpdateArchive(ctx, &eventbridge.UpdateArchiveInput{ArchiveName: aws.String("placed"),
		EventPattern: aws.String(`{"detail-type":["OrderShipped"]}`), RetentionDays: aws.Int32(7)})
	if err != nil || aws.ToString(updated.ArchiveArn) != ebPrefix+"archive/placed" || updated.State != ebtypes.ArchiveStateEnabled {
		t.Fatalf("UpdateArchive: %+v %v", updated, err)
	}
	_, err = eb.UpdateArchive(ctx, &eventbridge.UpdateArchiveInput{ArchiveName: aws.String("nope"), RetentionDays: aws.Int32(1)})
	wantLambdaError(t, "update a missing archive", err, "ResourceNotFoundException", "Archive nope does not exist.")
	put("OrderPlaced", 4)
	put("OrderShipped", 5)
	a, _ = eb.DescribeArchive(ctx, &eventbridge.DescribeArchiveInput{ArchiveName: aws.String("placed")})
	if a.EventCount != 3 || aws.ToInt32(a.RetentionDays) != 7 || aws.ToString(a.Description) != "placed orders" {
		t.Errorf("after the update: %+v", a)
	}

	if _, err := eb.DeleteArchive(ctx, &eventbridge.DeleteArchiveInput{ArchiveName: aws.String("placed")}); err != nil {
		t.Fatal(err)
	}
	_, err = eb.DescribeArchive(ctx, &eventbridge.DescribeArchiveInput{ArchiveName: aws.String("placed")})
	wantLambdaError(t, "deleted archive", err, "ResourceNotFoundException", "")
	_, err = eb.DeleteArchive(ctx, &eventbridge.DeleteArchiveInput{ArchiveName: aws.String("placed")})
	wantLambdaError(t, "delete a deleted archive", err, "ResourceNotFoundException", "Archive placed does not exist.")
	_, err = replay("late", "placed", busARN)
	wantLambdaError(t, "replay of a deleted archive", err, "ResourceNotFoundException", "")
}

// TestEventBridgeArchiveRetention moves the clock past an archive's
// retention: its events go, those of an archive that keeps them for ever
// stay.
func TestEventBridgeArchiveRetention(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithFakeClock())
	eb := eventbridge.NewFromConfig(env.Config)
	ctx := context.Background()
	bus := ebPrefix + "event-bus/default"
	for name, days := range map[string]int32{"week": 7, "forever": 0} {
		if _, err := eb.CreateArchive(ctx, &eventbridge.CreateArchiveInput{ArchiveName: aws.String(name), EventSourceArn: aws.String(bus),
			RetentionDays: aws.Int32(days)}); err != nil {
			t.Fatal(err)
		}
	}
	put := func() {
		if _, err := eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{Source: aws.String("app"),
			DetailType: aws.String("Tick"), Detail: aws.String(`{}`)}}}); err != nil {
			t.Fatal(err)
		}
	}
	count := func(name string) int64 {
		out, err := eb.DescribeArchive(ctx, &eventbridge.DescribeArchiveInput{ArchiveName: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		return out.EventCount
	}
	put()
	env.Clock.Advance(3 * 24 * time.Hour)
	put()
	if count("week") != 2 || count("forever") != 2 {
		t.Fatalf("before expiry: week %d, forever %d", count("week"), count("forever"))
	}
	env.Clock.Advance(5 * 24 * time.Hour) // the first event is 8 days old, the second 5
	deadline := time.Now().Add(10 * time.Second)
	for count("week") != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("the week archive still has %d events", count("week"))
		}
		time.Sleep(20 * time.Millisecond)
	}
	if count("forever") != 2 {
		t.Errorf("an archive without retention lost events: %d", count("forever"))
	}
}

// TestEventBridgeArchiveRestart stops virga and starts it again on the
// same data directory: the bus's policy, the archive and its events
// survive, and a replay after the restart sends them.
func TestEventBridgeArchiveRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	start := func() (*app.App, *eventbridge.Client, *sqs.Client) {
		cfg := config.Default()
		cfg.Listen, cfg.DataDir, cfg.InMemory = "127.0.0.1:0", dir, false
		a, err := app.New(cfg, app.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := a.Start(); err != nil {
			t.Fatal(err)
		}
		c := e2e.ClientConfig("http://"+a.Addr(), cfg.Region, "test", "test", "")
		return a, eventbridge.NewFromConfig(c), sqs.NewFromConfig(c)
	}
	stop := func(a *app.App) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := a.Shutdown(ctx); err != nil {
			t.Errorf("stopping virga: %v", err)
		}
	}
	ctx := context.Background()
	bus := ebPrefix + "event-bus/default"
	a, eb, _ := start()
	if _, err := eb.CreateArchive(ctx, &eventbridge.CreateArchiveInput{ArchiveName: aws.String("kept"), EventSourceArn: aws.String(bus)}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutPermission(ctx, &eventbridge.PutPermissionInput{StatementId: aws.String("dev"), Action: aws.String("events:PutEvents"),
		Principal: aws.String("111122223333")}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{Source: aws.String("app"),
		DetailType: aws.String("Kept"), Detail: aws.String(`{"n":7}`)}}}); err != nil {
		t.Fatal(err)
	}
	stop(a)

	a, eb, qc := start()
	defer stop(a)
	if p := busPolicy(t, eb, "default"); !strings.Contains(p, `"Sid":"dev"`) {
		t.Errorf("policy after a restart: %q", p)
	}
	kept, err := eb.DescribeArchive(ctx, &eventbridge.DescribeArchiveInput{ArchiveName: aws.String("kept")})
	if err != nil || kept.EventCount != 1 {
		t.Fatalf("archive after a restart: %+v %v", kept, err)
	}
	q := newQueue(t, qc, "after-restart")
	if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("kept"), EventPattern: aws.String(`{"detail-type":["Kept"]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("kept"), Targets: []ebtypes.Target{{Id: aws.String("q"),
		Arn: aws.String(queueARN("after-restart"))}}}); err != nil {
		t.Fatal(err)
	}
	from, to := time.Now().Add(-time.Hour), time.Now()
	if _, err := eb.StartReplay(ctx, &eventbridge.StartReplayInput{ReplayName: aws.String("r"), EventSourceArn: aws.String(ebPrefix + "archive/kept"),
		EventStartTime: &from, EventEndTime: &to, Destination: &ebtypes.ReplayDestination{Arn: aws.String(bus)}}); err != nil {
		t.Fatal(err)
	}
	if ev := receiveEvent(t, qc, q); ev.ReplayName != "r" || ev.Detail.N != 7 {
		t.Errorf("replayed after a restart: %+v", ev)
	}
}
