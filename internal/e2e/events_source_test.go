package e2e_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/virga/virga/internal/e2e"
)

// A source beginning "aws." belongs to AWS's services: PutEvents fails
// that entry with NotAuthorizedForSourceException and puts the others.
func TestPutEventsRefusesAWSSources(t *testing.T) {
	t.Parallel()
	env := e2e.Start(t)
	eb := eventbridge.NewFromConfig(env.Config)
	out, err := eb.PutEvents(context.Background(), &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
		{Source: aws.String("aws.s3"), DetailType: aws.String("Object Created"), Detail: aws.String(`{}`)},
		{Source: aws.String("awsome.app"), DetailType: aws.String("Signup"), Detail: aws.String(`{}`)},
	}})
	if err != nil {
		t.Fatal(err)
	}
	e := out.Entries[0]
	if out.FailedEntryCount != 1 || aws.ToString(e.ErrorCode) != "NotAuthorizedForSourceException" ||
		aws.ToString(e.ErrorMessage) != "Not authorized for the source." || e.EventId != nil ||
		aws.ToString(out.Entries[1].EventId) == "" {
		t.Fatalf("PutEvents: %d failed, entries %+v", out.FailedEntryCount, out.Entries)
	}
}
