package e2e_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"

	"github.com/virga/virga/internal/e2e"
)

// An event bus keeps its description and tells when it was created and
// last changed, in DescribeEventBus and ListEventBuses alike.
func TestEventBusDescriptionAndTimes(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithFakeClock())
	eb := eventbridge.NewFromConfig(env.Config)
	ctx := context.Background()

	created := env.Clock.Now().Truncate(time.Second)
	out, err := eb.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("billing"), Description: aws.String("invoices & refunds")})
	if err != nil || aws.ToString(out.Description) != "invoices & refunds" {
		t.Fatalf("CreateEventBus: %+v %v", out, err)
	}
	got, err := eb.DescribeEventBus(ctx, &eventbridge.DescribeEventBusInput{Name: aws.String("billing")})
	if err != nil || aws.ToString(got.Description) != "invoices & refunds" || got.CreationTime == nil || got.LastModifiedTime == nil ||
		!got.CreationTime.Truncate(time.Second).Equal(created) || !got.LastModifiedTime.Equal(*got.CreationTime) {
		t.Fatalf("DescribeEventBus: %+v %v", got, err)
	}

	// A new policy is a change.
	env.Clock.Advance(time.Hour)
	if _, err := eb.PutPermission(ctx, &eventbridge.PutPermissionInput{EventBusName: aws.String("billing"),
		Action: aws.String("events:PutEvents"), Principal: aws.String("111122223333"), StatementId: aws.String("partner")}); err != nil {
		t.Fatal(err)
	}
	list, err := eb.ListEventBuses(ctx, &eventbridge.ListEventBusesInput{NamePrefix: aws.String("bill")})
	if err != nil || len(list.EventBuses) != 1 {
		t.Fatalf("ListEventBuses: %+v %v", list, err)
	}
	b := list.EventBuses[0]
	if aws.ToString(b.Description) != "invoices & refunds" || b.CreationTime == nil || b.LastModifiedTime == nil ||
		b.LastModifiedTime.Sub(*b.CreationTime) != time.Hour || aws.ToString(b.Policy) == "" {
		t.Errorf("listed bus: %+v", b)
	}
}
