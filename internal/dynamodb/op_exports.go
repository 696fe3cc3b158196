package dynamodb

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/virga/virga/internal/store"
)

// Exports to S3 (ExportTableToPointInTime, DescribeExport, ListExports):
// a table's items as they were at ExportTime, read from one store
// snapshot taken when the request is accepted, written as DynamoDB
// writes them (export_files.go). See jobs.go for how a job runs.

// exportRecord is an export as stored.
type exportRecord struct {
	jobRecord
	ExportTime   time.Time `json:"exportTime"`
	Bucket       string    `json:"bucket"`
	BucketOwner  string    `json:"bucketOwner,omitempty"`
	Prefix       string    `json:"prefix,omitempty"`
	SSEAlgorithm string    `json:"sseAlgorithm,omitempty"`
	SSEKMSKeyID  string    `json:"sseKmsKeyId,omitempty"`
	Format       string    `json:"format"`
	// Type is FULL_EXPORT or INCREMENTAL_EXPORT; TypeGiven is whether the
	// request said so (DynamoDB describes ExportType only then).
	Type      string `json:"type"`
	TypeGiven bool   `json:"typeGiven,omitempty"`
	// From, To and View are an incremental export's specification.
	From time.Time `json:"from,omitzero"`
	To   time.Time `json:"to,omitzero"`
	View string    `json:"view,omitempty"`
	// Request is the request without its ClientToken, which a reuse of
	// the token must repeat.
	Request     string `json:"request"`
	Manifest    string `json:"manifest,omitempty"`
	ItemCount   int64  `json:"itemCount"`
	BilledBytes int64  `json:"billedBytes"`
}

// minIncrementalPeriod is the shortest period an incremental export
// covers: "The difference between ExportFromTime and ExportToTime must be
// at least 15 minutes".
const minIncrementalPeriod = 15 * time.Minute

func (s *Service) exportTableToPointInTime(ctx context.Context, in *ExportTableToPointInTimeInput) (*ExportTableToPointInTimeOutput, error) {
	if s.buckets == nil {
		return nil, invalid("Exports to S3 are not available: virga runs without S3")
	}
	arn := *in.TableArn
	name, ok := tableNameOfARN(arn)
	if !ok {
		return nil, invalid("Invalid TableArn: %s", arn)
	}
	if in.S3Prefix != nil && *in.S3Prefix == "" {
		return nil, invalid("1 validation error detected: Value '' at 's3Prefix' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	typ := string(deref(in.ExportType))
	if typ == "" {
		typ = "FULL_EXPORT"
	}
	spec := in.IncrementalExportSpecification
	switch {
	case typ == "INCREMENTAL_EXPORT" && spec == nil:
		return nil, invalid("IncrementalExportSpecification is required when ExportType is INCREMENTAL_EXPORT")
	case typ == "FULL_EXPORT" && spec != nil:
		return nil, invalid("IncrementalExportSpecification can only be specified when ExportType is INCREMENTAL_EXPORT")
	case typ == "INCREMENTAL_EXPORT" && in.ExportTime != nil:
		return nil, invalid("ExportTime cannot be specified when ExportType is INCREMENTAL_EXPORT")
	}
	now := s.clock.Now().UTC()
	if spec != nil {
		if spec.ExportFromTime == nil || spec.ExportToTime == nil {
			return nil, invalid("IncrementalExportSpecification requires ExportFromTime and ExportToTime")
		}
		if spec.ExportToTime.Sub(*spec.ExportFromTime) < minIncrementalPeriod {
			return nil, ErrInvalidExportTime.WithMessage("Difference between export period from time and to time should be at least 15 minutes")
		}
		if spec.ExportToTime.After(now) {
			return nil, ErrInvalidExportTime.WithMessage("Export period to time cannot be in the future")
		}
	}
	if in.ExportTime != nil && in.ExportTime.After(now) {
		return nil, ErrInvalidExportTime.WithMessage("ExportTime cannot be in the future")
	}
	req := *in
	req.ClientToken = nil
	fingerprint, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	token := deref(in.ClientToken)
	if token != "" {
		if prev, err := s.exportForToken(token, now); err != nil {
			return nil, err
		} else if prev != nil {
			if prev.Request != string(fingerprint) {
				return nil, ErrExportConflict.WithMessage("Duplicate request detected with conflicting parameters")
			}
			return &ExportTableToPointInTimeOutput{ExportDescription: s.exportDescription(prev)}, nil
		}
	} else {
		token = s.ids.UUID()
	}
	if f := deref(in.ExportFormat); f == "ION" {
		return nil, invalid("ExportFormat ION is not supported; virga exports DYNAMODB_JSON")
	}
	if typ == "INCREMENTAL_EXPORT" {
		return nil, invalid("ExportType INCREMENTAL_EXPORT is not supported; virga exports FULL_EXPORT")
	}
	t, snap, err := s.recoverySnapshot(name)
	if err != nil {
		return nil, err
	}
	if t.PITRSince.IsZero() {
		snap.Close()
		return nil, ErrPITRUnavailable.Withf("Point in time recovery is not enabled for table '%s'", name)
	}
	at := now
	if in.ExportTime != nil {
		earliest, _ := s.pitrWindowOf(t)
		at = in.ExportTime.UTC()
		if at.Before(earliest.Truncate(time.Millisecond)) {
			snap.Close()
			return nil, ErrInvalidExportTime.WithMessage("ExportTime must be within the point in time recovery window of the table")
		}
	}
	tableARN := t.arn(s.account, s.region)
	rec := &exportRecord{
		jobRecord: jobRecord{ARN: tableARN + "/export/" + s.jobID(now), Status: jobInProgress, TableARN: tableARN,
			TableID: t.UUID, ClientToken: token, Start: now},
		ExportTime: at, Bucket: *in.S3Bucket, BucketOwner: deref(in.S3BucketOwner), Prefix: deref(in.S3Prefix),
		SSEAlgorithm: string(deref(in.S3SseAlgorithm)), SSEKMSKeyID: deref(in.S3SseKmsKeyId),
		Format: "DYNAMODB_JSON", Type: typ, TypeGiven: in.ExportType != nil, Request: string(fingerprint),
	}
	// The response is rendered before the job starts changing rec.
	out := &ExportTableToPointInTimeOutput{ExportDescription: s.exportDescription(rec)}
	err = s.startJob(jobExport, rec.ARN, token, rec, func() {
		defer snap.Close()
		s.runExport(rec, t, snap)
	})
	if err != nil {
		snap.Close()
		return nil, err
	}
	return out, nil
}

// tableNameOfARN is the table name of a table's ARN.
func tableNameOfARN(arn string) (string, bool) {
	if !isTableARN(arn) {
		return "", false
	}
	return arn[strings.LastIndexByte(arn, '/')+1:], true
}

// exportForToken is the export a client token names within its window,
// or nil.
func (s *Service) exportForToken(token string, now time.Time) (*exportRecord, error) {
	arn, err := s.jobForToken(jobExport, token)
	if err != nil || arn == "" {
		return nil, err
	}
	var rec exportRecord
	if found, err := s.loadJob(jobExport, arn, &rec); err != nil || !found {
		return nil, err
	}
	if rec.Status != jobInProgress && now.Sub(rec.End) > tokenWindow {
		return nil, nil
	}
	return &rec, nil
}

// runExport writes the export's files and stores its outcome.
func (s *Service) runExport(rec *exportRecord, t *table, snap store.Snapshot) {
	ctx := context.Background()
	var err error
	if !s.buckets.BucketExists(rec.Bucket) {
		rec.fail(s.clock.Now().UTC(), failureS3NoSuchBucket, "The specified bucket does not exist")
	} else {
		err = s.writeExport(ctx, rec, func(fn func(itemKey, item []byte) error) error {
			return itemsAt(snap, t, rec.ExportTime, fn)
		})
		if err != nil {
			code, msg := failureOf(err)
			rec.fail(s.clock.Now().UTC(), code, msg)
		}
	}
	_ = s.saveJob(jobExport, rec.ARN, "", rec)
}

// exportDescription renders an export for the wire.
func (s *Service) exportDescription(rec *exportRecord) *ExportDescription {
	d := &ExportDescription{
		ExportArn: ptr(rec.ARN), ExportStatus: ptr(ExportStatus(rec.Status)), StartTime: ptr(rec.Start),
		TableArn: ptr(rec.TableARN), TableId: ptr(rec.TableID), ExportTime: ptr(rec.ExportTime),
		ClientToken: nonEmpty(rec.ClientToken), S3Bucket: ptr(rec.Bucket), S3BucketOwner: nonEmpty(rec.BucketOwner),
		S3Prefix: nonEmpty(rec.Prefix), S3SseAlgorithm: (*S3SseAlgorithm)(nonEmpty(rec.SSEAlgorithm)),
		S3SseKmsKeyId: nonEmpty(rec.SSEKMSKeyID), ExportFormat: ptr(ExportFormat(rec.Format)),
		FailureCode: nonEmpty(rec.FailureCode), FailureMessage: nonEmpty(rec.FailureMessage),
	}
	if rec.TypeGiven {
		d.ExportType = ptr(ExportType(rec.Type))
	}
	if rec.Status != jobInProgress {
		d.EndTime = ptr(rec.End)
	}
	if rec.Status == jobCompleted {
		d.ExportManifest = ptr(rec.Manifest)
		d.ItemCount = ptr(rec.ItemCount)
		d.BilledSizeBytes = ptr(rec.BilledBytes)
	}
	return d
}

func (s *Service) describeExport(ctx context.Context, in *DescribeExportInput) (*DescribeExportOutput, error) {
	arn := *in.ExportArn
	if err := s.checkOwnARN(arn, "DescribeExport"); err != nil {
		return nil, err
	}
	if !isJobARN(arn, jobExport) {
		return nil, invalid("Invalid Export ARN: %s", arn)
	}
	var rec exportRecord
	found, err := s.loadJob(jobExport, arn, &rec)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, ErrExportNotFound.Withf("Export not found: %s", arn)
	}
	return &DescribeExportOutput{ExportDescription: s.exportDescription(&rec)}, nil
}

// checkOwnARN refuses, as access denied, an ARN of another partition,
// service, Region or account than this DynamoDB's. What does not start
// with "arn:" is left to the operation's own validation.
func (s *Service) checkOwnARN(arn, op string) error {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return nil
	}
	if parts[1] != "aws" || parts[2] != "dynamodb" || parts[3] != s.region || parts[4] != s.account {
		return ErrForeignResource.Withf("User: arn:aws:iam::%s:root is not authorized to perform: dynamodb:%s on resource: %s", s.account, op, arn)
	}
	return nil
}

// isJobARN reports whether arn has the shape of an export's or import's
// ARN: a table's ARN, then /export/ or /import/ and the job's id.
func isJobARN(arn, kind string) bool {
	i := strings.LastIndex(arn, "/"+kind+"/")
	if i < 0 || len(arn) <= i+len(kind)+2 {
		return false
	}
	name, ok := tableNameOfARN(arn[:i])
	return ok && len(name) >= 3
}

// defaultListExports is ListExports' page size unless MaxResults says.
const defaultListExports = 25

func (s *Service) listExports(ctx context.Context, in *ListExportsInput) (*ListExportsOutput, error) {
	size := defaultListExports
	if in.MaxResults != nil {
		size = int(*in.MaxResults)
	}
	page, next, err := s.listJobs(jobExport, deref(in.TableArn), deref(in.NextToken), size, true)
	if err == errBadJobToken {
		return nil, invalid("The provided NextToken is not valid for ListExports")
	}
	if err != nil {
		return nil, err
	}
	out := &ListExportsOutput{ExportSummaries: []ExportSummary{}, NextToken: nonEmpty(next)}
	for _, raw := range page {
		var rec exportRecord
		if err := json.Unmarshal(raw, &rec); err != nil {
			return nil, err
		}
		out.ExportSummaries = append(out.ExportSummaries, ExportSummary{ExportArn: ptr(rec.ARN),
			ExportStatus: ptr(ExportStatus(rec.Status)), ExportType: ptr(ExportType(rec.Type))})
	}
	return out, nil
}
