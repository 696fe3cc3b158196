package dynamodb

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/dynamodb/attr"
	"github.com/virga/virga/internal/ids"
	pebblestore "github.com/virga/virga/internal/store/pebble"
)

// TestJobInterruptedByRestartFails stops an import half-way (its table
// reserved and partly filled, its record IN_PROGRESS) and starts the
// service again on the same store: the import is FAILED, its items are
// gone and its table's name is free.
func TestJobInterruptedByRestartFails(t *testing.T) {
	t.Parallel()
	db, err := pebblestore.Open(pebblestore.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	clk := clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	deps := Deps{Store: db, Clock: clk, IDs: ids.New(nil), Account: "000000000000", Region: "us-east-1"}
	s, err := New(deps)
	if err != nil {
		t.Fatal(err)
	}
	tb := importTestTable(t)
	f, err := s.reserveTable(tb, "")
	if err != nil {
		t.Fatal(err)
	}
	item := attr.Item{"p": attr.S("a"), "c": attr.N(attr.MustParseNumber("1")), "g": attr.B([]byte{1})}
	if err := s.fillTable(f, func(put func(attr.Item) error) error { return put(item) }); err != nil {
		t.Fatal(err)
	}
	arn := tb.arn("000000000000", "us-east-1") + "/import/" + s.jobID(clk.Now())
	rec := &importRecord{jobRecord: jobRecord{ARN: arn, Status: jobInProgress, TableARN: tb.arn("000000000000", "us-east-1"),
		TableID: tb.UUID, ClientToken: "tok", Start: clk.Now()}, TableName: tb.Name,
		In: ImportTableInput{InputFormat: ptr(InputFormat("DYNAMODB_JSON")), InputCompressionType: ptr(InputCompressionType("NONE"))}}
	if err := s.saveJob(jobImport, arn, "tok", rec); err != nil {
		t.Fatal(err)
	}

	s2, err := New(deps)
	if err != nil {
		t.Fatal(err)
	}
	d, err := s2.describeImport(context.Background(), &DescribeImportInput{ImportArn: &arn})
	if err != nil {
		t.Fatal(err)
	}
	if got := d.ImportTableDescription; *got.ImportStatus != jobFailed || got.EndTime == nil || deref(got.FailureMessage) == "" {
		t.Errorf("the interrupted import is %+v", got)
	}
	if v, err := s2.readItem(db, itemKey(tb, item)); err != nil || v != nil {
		t.Errorf("the interrupted import's item is still stored: %v %v", v, err)
	}
	if _, err := s2.reserveTable(importTestTable(t), ""); err != nil {
		t.Errorf("the interrupted import's table name is still held: %v", err)
	}
}

// emptyBuckets is an S3 whose buckets all exist and hold nothing.
type emptyBuckets struct{}

func (emptyBuckets) BucketExists(string) bool { return true }
func (emptyBuckets) PutObject(context.Context, string, string, []byte, string) error {
	return nil
}
func (emptyBuckets) Object(context.Context, string, string, string) (io.ReadCloser, int64, error) {
	return nil, 0, errors.New("no such key")
}
func (emptyBuckets) ObjectKeys(context.Context, string, string) ([]string, error) { return nil, nil }

// TestNoJobStartsOnceRunStopped: once Run has returned (the store is
// about to close), an import is refused with a retryable
// InternalServerError, and neither its record nor its table is stored.
func TestNoJobStartsOnceRunStopped(t *testing.T) {
	t.Parallel()
	s := newTestService(t, clock.Real{})
	s.buckets = emptyBuckets{}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s.Run(ctx, slog.New(slog.DiscardHandler))

	_, err := s.importTable(context.Background(), &ImportTableInput{ClientToken: ptr("tok"),
		InputFormat:    ptr(InputFormat("DYNAMODB_JSON")),
		S3BucketSource: &S3BucketSource{S3Bucket: ptr("src")},
		TableCreationParameters: &TableCreationParameters{TableName: ptr("late"),
			AttributeDefinitions: []AttributeDefinition{{AttributeName: ptr("p"), AttributeType: ptr(ScalarAttributeType("S"))}},
			KeySchema:            []KeySchemaElement{{AttributeName: ptr("p"), KeyType: ptr(KeyType("HASH"))}},
			BillingMode:          ptr(BillingMode("PAY_PER_REQUEST"))}})
	var ae *apierr.Error
	if !errors.As(err, &ae) || ae.Code != "InternalServerError" {
		t.Fatalf("ImportTable after Run returned: %v, want InternalServerError", err)
	}
	if arn, err := s.jobForToken(jobImport, "tok"); err != nil || arn != "" {
		t.Errorf("the refused import's record is stored: %q %v", arn, err)
	}
	tb := importTestTable(t)
	tb.Name = "late"
	if _, err := s.reserveTable(tb, ""); err != nil {
		t.Errorf("the refused import's table name is held: %v", err)
	}
}
