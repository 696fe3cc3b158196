package dynamodb

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/virga/virga/internal/dynamodb/attr"
)

// Imports from S3 (ImportTable, DescribeImport, ListImports): a new table
// is reserved when the request is accepted, filled from the objects
// under the source prefix (import_format.go reads them) and published,
// ACTIVE, when they are read. See jobs.go for how a job runs and
// table_fill.go for how a table is filled.

// importRecord is an import as stored.
type importRecord struct {
	jobRecord
	// In is the request as accepted, with InputCompressionType set.
	In        ImportTableInput `json:"in"`
	Processed int64            `json:"processed"`
	Imported  int64            `json:"imported"`
	Errors    int64            `json:"errors"`
	Bytes     int64            `json:"bytes"`
	TableName string           `json:"tableName"`
}

// failureItemValidation is the FailureCode of an import that skipped
// items it could not import, and failureItemValidationMessage its
// FailureMessage.
const (
	failureItemValidation        = "ItemValidationError"
	failureItemValidationMessage = "Some of the items failed validation checks and were not imported. Please check CloudWatch error logs for more details."
)

// importLogGroup is the CloudWatch Logs group of every import's errors:
// "The log group name is /aws-dynamodb/imports. The error log stream
// name is import-id/error."
const importLogGroup = "/aws-dynamodb/imports"

// importLogGroupARN is the CloudWatchLogGroupArn of every import.
func (s *Service) importLogGroupARN() string {
	return "arn:aws:logs:" + s.region + ":" + s.account + ":log-group:" + importLogGroup + ":*"
}

// importErrorEvent is the message of one invalid item in an import's
// error log stream.
type importErrorEvent struct {
	ItemS3Pointer importItemPointer `json:"itemS3Pointer"`
	ImportArn     string            `json:"importArn"`
	ErrorMessages []string          `json:"errorMessages"`
}

// importItemPointer is where an invalid item is: its object, and its
// index among the object's items.
type importItemPointer struct {
	Bucket    string `json:"bucket"`
	Key       string `json:"key"`
	ItemIndex int64  `json:"itemIndex"`
}

// importErrorLog writes an import's invalid items to its error stream,
// opened at the first. A stream that cannot be opened or written loses
// the events, not the import.
type importErrorLog struct {
	logs   ImportLogs
	arn    string
	stream LogStream
	failed bool
}

func (l *importErrorLog) write(at time.Time, bucket, key string, index int64, msg string) {
	if l.logs == nil || l.failed {
		return
	}
	if l.stream == nil {
		id := l.arn[strings.LastIndexByte(l.arn, '/')+1:]
		st, err := l.logs.Stream(importLogGroup, id+"/error")
		if err != nil {
			l.failed = true
			return
		}
		l.stream = st
	}
	ev, _ := json.Marshal(importErrorEvent{ItemS3Pointer: importItemPointer{Bucket: bucket, Key: key, ItemIndex: index},
		ImportArn: l.arn, ErrorMessages: []string{msg}})
	if l.stream.Write(at, string(ev)) != nil {
		l.failed = true
	}
}

func (l *importErrorLog) close() {
	if l.stream != nil {
		l.stream.Close()
	}
}

func (s *Service) importTable(ctx context.Context, in *ImportTableInput) (*ImportTableOutput, error) {
	if s.buckets == nil {
		return nil, invalid("Imports from S3 are not available: virga runs without S3")
	}
	// The model calls ClientToken optional; DynamoDB requires it (the
	// SDKs fill it in).
	if in.ClientToken == nil {
		return nil, invalid("1 validation error detected: Value null at 'clientToken' failed to satisfy constraint: Member must not be null")
	}
	if in.InputFormatOptions != nil && *in.InputFormat != "CSV" {
		return nil, invalid("InputFormatOptions can only be specified when InputFormat is CSV")
	}
	if *in.InputFormat == "ION" {
		return nil, invalid("InputFormat ION is not supported; virga imports DYNAMODB_JSON and CSV")
	}
	if in.InputCompressionType == nil {
		in.InputCompressionType = ptr(InputCompressionType("NONE"))
	}
	p := in.TableCreationParameters
	t, err := newTable(&CreateTableInput{TableName: p.TableName, AttributeDefinitions: p.AttributeDefinitions,
		KeySchema: p.KeySchema, BillingMode: p.BillingMode, ProvisionedThroughput: p.ProvisionedThroughput,
		SSESpecification: p.SSESpecification, GlobalSecondaryIndexes: p.GlobalSecondaryIndexes}, false)
	if err != nil {
		return nil, err
	}
	name := *p.TableName
	inUse := ErrResourceInUse.Withf("Table already exists: %s", name)
	s.mu.RLock()
	_, exists := s.tables[name]
	s.mu.RUnlock()
	if exists {
		return nil, inUse
	}
	now := s.clock.Now().UTC()
	if prev, err := s.importForToken(*in.ClientToken, now); err != nil {
		return nil, err
	} else if prev != nil {
		// DynamoDB compares only the table: the same token with another
		// source answers the first import.
		if prev.TableName != name {
			return nil, ErrImportConflict.WithMessage("Duplicate request detected with conflicting parameters")
		}
		return &ImportTableOutput{ImportTableDescription: s.importDescription(prev)}, nil
	}
	f, err := s.reserveTable(t, "")
	if errors.Is(err, errTargetExists) || errors.Is(err, errTargetBusy) {
		return nil, inUse
	}
	if err != nil {
		return nil, err
	}
	tableARN := t.arn(s.account, s.region)
	rec := &importRecord{
		jobRecord: jobRecord{ARN: tableARN + "/import/" + s.jobID(now), Status: jobInProgress, TableARN: tableARN,
			TableID: t.UUID, ClientToken: *in.ClientToken, Start: now},
		In: *in, TableName: name,
	}
	// The response is rendered before the job starts changing rec.
	out := &ImportTableOutput{ImportTableDescription: s.importDescription(rec)}
	if err := s.startJob(jobImport, rec.ARN, rec.ClientToken, rec, func() { s.runImport(rec, f) }); err != nil {
		s.dropFill(f)
		s.releaseTable(f)
		return nil, err
	}
	return out, nil
}

// importForToken is the import a client token names within its window,
// or nil.
func (s *Service) importForToken(token string, now time.Time) (*importRecord, error) {
	arn, err := s.jobForToken(jobImport, token)
	if err != nil || arn == "" {
		return nil, err
	}
	var rec importRecord
	if found, err := s.loadJob(jobImport, arn, &rec); err != nil || !found {
		return nil, err
	}
	if rec.Status != jobInProgress && now.Sub(rec.End) > tokenWindow {
		return nil, nil
	}
	return &rec, nil
}

// runImport reads the source objects into the reserved table, publishes
// it and stores the import's outcome. A missing bucket fails the import
// with no table; invalid items fail it with the table and the items that
// were valid.
func (s *Service) runImport(rec *importRecord, f *tableFill) {
	defer s.releaseTable(f)
	ctx := context.Background()
	src := rec.In.S3BucketSource
	format := &importFormat{format: string(*rec.In.InputFormat), compression: string(*rec.In.InputCompressionType), delimiter: ','}
	if o := rec.In.InputFormatOptions; o != nil && o.Csv != nil {
		if d := deref(o.Csv.Delimiter); d != "" {
			format.delimiter = rune(d[0])
		}
		format.header = o.Csv.HeaderList
	}
	var c importCounts
	errLog := &importErrorLog{logs: s.importLogs, arn: rec.ARN}
	err := s.fillTable(f, func(put func(attr.Item) error) error {
		objects, err := s.buckets.ObjectKeys(ctx, *src.S3Bucket, deref(src.S3KeyPrefix))
		if err != nil {
			return err
		}
		for _, key := range objects {
			body, _, err := s.buckets.Object(ctx, *src.S3Bucket, key, "")
			if err != nil {
				return err
			}
			c.onError = func(index int64, msg string) {
				errLog.write(s.clock.Now(), *src.S3Bucket, key, index, msg)
			}
			err = format.readObject(body, f.t, &c, put)
			body.Close()
			if err != nil {
				return err
			}
		}
		return nil
	})
	// The events are flushed before the import ends, so a client that
	// sees it end finds them.
	errLog.close()
	if err == nil {
		err = s.publishTable(f)
	}
	now := s.clock.Now().UTC()
	rec.Processed, rec.Imported, rec.Errors, rec.Bytes = c.processed, c.imported, c.errors, c.bytes
	switch {
	case err != nil:
		code, msg := failureOf(err)
		rec.fail(now, code, msg)
		rec.Processed, rec.Imported, rec.Errors, rec.Bytes = 0, 0, 0, 0
	case c.errors > 0:
		rec.fail(now, failureItemValidation, failureItemValidationMessage)
	default:
		rec.Status, rec.End = jobCompleted, now
	}
	_ = s.saveJob(jobImport, rec.ARN, "", rec)
}

// importDescription renders an import for the wire. The counters are
// the import's outcome: DynamoDB reports them as zero until it ends.
func (s *Service) importDescription(rec *importRecord) *ImportTableDescription {
	d := &ImportTableDescription{CloudWatchLogGroupArn: ptr(s.importLogGroupARN()),
		ImportArn: ptr(rec.ARN), ImportStatus: ptr(ImportStatus(rec.Status)), TableArn: ptr(rec.TableARN),
		TableId: ptr(rec.TableID), ClientToken: ptr(rec.ClientToken), S3BucketSource: rec.In.S3BucketSource,
		InputFormat: rec.In.InputFormat, InputFormatOptions: rec.In.InputFormatOptions,
		InputCompressionType: rec.In.InputCompressionType, TableCreationParameters: rec.In.TableCreationParameters,
		StartTime: ptr(rec.Start), ProcessedItemCount: ptr(rec.Processed), ImportedItemCount: ptr(rec.Imported),
		ErrorCount: ptr(rec.Errors), FailureCode: nonEmpty(rec.FailureCode), FailureMessage: nonEmpty(rec.FailureMessage),
	}
	if rec.Bytes > 0 {
		d.ProcessedSizeBytes = ptr(rec.Bytes)
	}
	if rec.Status != jobInProgress {
		d.EndTime = ptr(rec.End)
	}
	return d
}

func (s *Service) describeImport(ctx context.Context, in *DescribeImportInput) (*DescribeImportOutput, error) {
	arn := *in.ImportArn
	if err := s.checkOwnARN(arn, "DescribeImport"); err != nil {
		return nil, err
	}
	if !isJobARN(arn, jobImport) {
		return nil, invalid("Invalid Import ARN: %s", arn)
	}
	var rec importRecord
	found, err := s.loadJob(jobImport, arn, &rec)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, ErrImportNotFound.Withf("Import not found: %s", arn)
	}
	return &DescribeImportOutput{ImportTableDescription: s.importDescription(&rec)}, nil
}

// defaultListImports is ListImports' page size unless PageSize says.
const defaultListImports = 25

func (s *Service) listImports(ctx context.Context, in *ListImportsInput) (*ListImportsOutput, error) {
	size := defaultListImports
	if in.PageSize != nil {
		size = int(*in.PageSize)
	}
	page, next, err := s.listJobs(jobImport, deref(in.TableArn), deref(in.NextToken), size, false)
	if err == errBadJobToken {
		return nil, invalid("The provided NextToken is not valid for ListImports")
	}
	if err != nil {
		return nil, err
	}
	out := &ListImportsOutput{ImportSummaryList: []ImportSummary{}, NextToken: nonEmpty(next)}
	for _, raw := range page {
		var rec importRecord
		if err := json.Unmarshal(raw, &rec); err != nil {
			return nil, err
		}
		d := s.importDescription(&rec)
		out.ImportSummaryList = append(out.ImportSummaryList, ImportSummary{ImportArn: d.ImportArn,
			ImportStatus: d.ImportStatus, TableArn: d.TableArn, S3BucketSource: d.S3BucketSource,
			InputFormat: d.InputFormat, StartTime: d.StartTime, EndTime: d.EndTime, CloudWatchLogGroupArn: d.CloudWatchLogGroupArn})
	}
	return out, nil
}
