package e2e_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

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

// UpdateEventBus changes a bus's description, key, dead-letter queue and
// log settings; DescribeEventBus returns them, and a member left out of
// an update keeps its value.
func TestUpdateEventBusRoundTrips(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t, e2e.WithFakeClock())
	eb := eventbridge.NewFromConfig(env.Config)
	ctx := context.Background()

	dlq := "arn:aws:sqs:us-east-1:000000000000:bus-dlq"
	created, err := eb.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("audit"),
		DeadLetterConfig: &ebtypes.DeadLetterConfig{Arn: aws.String(dlq)}})
	if err != nil || created.DeadLetterConfig == nil || aws.ToString(created.DeadLetterConfig.Arn) != dlq {
		t.Fatalf("CreateEventBus: %+v %v", created, err)
	}
	env.Clock.Advance(time.Minute)
	key := "arn:aws:kms:us-east-1:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	up, err := eb.UpdateEventBus(ctx, &eventbridge.UpdateEventBusInput{Name: aws.String("audit"), Description: aws.String("who did what"),
		KmsKeyIdentifier: aws.String(key), LogConfig: &ebtypes.LogConfig{IncludeDetail: ebtypes.IncludeDetailFull, Level: ebtypes.LevelInfo}})
	if err != nil || aws.ToString(up.Arn) != "arn:aws:events:us-east-1:000000000000:event-bus/audit" || aws.ToString(up.Name) != "audit" ||
		aws.ToString(up.Description) != "who did what" || aws.ToString(up.KmsKeyIdentifier) != key ||
		up.DeadLetterConfig == nil || aws.ToString(up.DeadLetterConfig.Arn) != dlq || up.LogConfig == nil || up.LogConfig.Level != ebtypes.LevelInfo {
		t.Fatalf("UpdateEventBus: %+v %v", up, err)
	}
	got, err := eb.DescribeEventBus(ctx, &eventbridge.DescribeEventBusInput{Name: aws.String("audit")})
	if err != nil || aws.ToString(got.Description) != "who did what" || aws.ToString(got.KmsKeyIdentifier) != key ||
		got.DeadLetterConfig == nil || aws.ToString(got.DeadLetterConfig.Arn) != dlq ||
		got.LogConfig == nil || got.LogConfig.IncludeDetail != ebtypes.IncludeDetailFull || got.LogConfig.Level != ebtypes.LevelInfo ||
		got.LastModifiedTime == nil || got.LastModifiedTime.Sub(*got.CreationTime) != time.Minute {
		t.Fatalf("DescribeEventBus: %+v %v", got, err)
	}

	_, err = eb.UpdateEventBus(ctx, &eventbridge.UpdateEventBusInput{Name: aws.String("nowhere"), Description: aws.String("x")})
	wantLambdaError(t, "missing bus", err, "ResourceNotFoundException", "Event bus nowhere does not exist.")
	_, err = eb.UpdateEventBus(ctx, &eventbridge.UpdateEventBusInput{Name: aws.String("audit"), LogConfig: &ebtypes.LogConfig{Level: "LOUD"}})
	wantLambdaError(t, "bad level", err, "ValidationException", "")
}
