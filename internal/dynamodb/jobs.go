package dynamodb

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/store/keys"
)

// Exports to S3 and imports from S3 are jobs: the request stores the
// job's record, IN_PROGRESS, and returns; a goroutine does the work and
// stores the record again, COMPLETED or FAILED. Records are kept in the
// store by ARN, with their client tokens:
//
//	("ddb", "job", kind, arn)          → record (JSON)
//	("ddb", "jobtoken", kind, token)   → arn
//
// where kind is "export" or "import". A job that a restart interrupted
// is FAILED when the service starts again (failInterruptedJobs).

// Buckets is the S3 that exports write to and imports read from. Its
// errors are S3's (*apierr.Error with S3's codes: NoSuchBucket, NoSuchKey).
type Buckets interface {
	BucketExists(name string) bool
	PutObject(ctx context.Context, bucket, key string, body []byte, contentType string) error
	Object(ctx context.Context, bucket, key, versionID string) (io.ReadCloser, int64, error)
	ObjectKeys(ctx context.Context, bucket, prefix string) ([]string, error)
}

// ImportLogs is the CloudWatch Logs that imports write their invalid
// items to. Stream opens a stream for writing, creating it and its group
// when they do not exist, as DynamoDB creates /aws-dynamodb/imports.
type ImportLogs interface {
	Stream(group, stream string) (LogStream, error)
}

// LogStream appends events to one log stream; Close flushes them.
type LogStream interface {
	Write(at time.Time, message string) error
	Close() error
}

// tokenWindow is how long a ClientToken identifies its export or import:
// "The client token is valid for 8 hours after the first request that
// uses it is completed."
const tokenWindow = 8 * time.Hour

const (
	jobExport = "export"
	jobImport = "import"
)

// Job statuses, shared by exports and imports.
const (
	jobInProgress = "IN_PROGRESS"
	jobCompleted  = "COMPLETED"
	jobFailed     = "FAILED"
)

// failureS3NoSuchBucket is the FailureCode of a job whose bucket does
// not exist.
const failureS3NoSuchBucket = "S3NoSuchBucket"

func jobKey(kind, arn string) []byte {
	return keys.AppendString(jobsPrefix(kind), arn)
}

func jobsPrefix(kind string) []byte {
	return keys.AppendString(keys.AppendString(keys.AppendString(nil, "ddb"), "job"), kind)
}

func jobTokenKey(kind, token string) []byte {
	k := keys.AppendString(keys.AppendString(nil, "ddb"), "jobtoken")
	return keys.AppendString(keys.AppendString(k, kind), token)
}

// jobID is the last part of an export's or import's ARN: the start time
// in milliseconds, 14 digits, and 8 random hex digits.
func (s *Service) jobID(now time.Time) string {
	return fmt.Sprintf("%014d-%s", now.UnixMilli(), s.ids.Hex(4))
}

// saveJob stores a job's record, and its token when it has one.
func (s *Service) saveJob(kind, arn, token string, rec any) error {
	v, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	b := s.store.NewBatch()
	defer b.Close()
	b.Set(jobKey(kind, arn), v)
	if token != "" {
		b.Set(jobTokenKey(kind, token), []byte(arn))
	}
	return b.Commit()
}

// loadJob reads a job's record into rec; found is false if there is none.
func (s *Service) loadJob(kind, arn string, rec any) (found bool, err error) {
	v, err := s.store.Get(jobKey(kind, arn))
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, json.Unmarshal(v, rec)
}

// jobForToken is the ARN of the job a client token names, if any.
func (s *Service) jobForToken(kind, token string) (string, error) {
	v, err := s.store.Get(jobTokenKey(kind, token))
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	return string(v), err
}

// startJob stores a job's record (and its token, if any) and runs fn in
// the background; Run waits for it before it returns. Once Run has begun
// to stop, it refuses with a retryable InternalServerError and stores
// nothing: the store is about to close.
func (s *Service) startJob(kind, arn, token string, rec any, fn func()) error {
	if !s.jobs.Add() {
		return ErrInternal.WithMessage("The service is shutting down; retry the request")
	}
	if err := s.saveJob(kind, arn, token, rec); err != nil {
		s.jobs.Done()
		return err
	}
	go func() {
		defer s.jobs.Done()
		fn()
	}()
	return nil
}

// jobRecord is what every job's record has, for listing and for
// failInterruptedJobs.
type jobRecord struct {
	ARN            string    `json:"arn"`
	Status         string    `json:"status"`
	TableARN       string    `json:"tableArn"`
	TableID        string    `json:"tableId"`
	ClientToken    string    `json:"clientToken,omitempty"`
	Start          time.Time `json:"start"`
	End            time.Time `json:"end,omitzero"`
	FailureCode    string    `json:"failureCode,omitempty"`
	FailureMessage string    `json:"failureMessage,omitempty"`
}

// fail marks the job FAILED at now.
func (j *jobRecord) fail(now time.Time, code, msg string) {
	j.Status, j.End, j.FailureCode, j.FailureMessage = jobFailed, now, code, msg
}

// failureOf is the FailureCode and FailureMessage of an error that ended
// a job.
func failureOf(err error) (code, msg string) {
	var ae *apierr.Error
	if errors.As(err, &ae) && ae.Code == "NoSuchBucket" {
		return failureS3NoSuchBucket, "The specified bucket does not exist"
	}
	if errors.As(err, &ae) {
		return ae.Code, ae.Message
	}
	return "UNKNOWN", err.Error()
}

// failInterruptedJobs fails the jobs a restart interrupted: their
// goroutines are gone. An interrupted import's table was never
// published, and dropPending has removed its items.
func (s *Service) failInterruptedJobs() error {
	now := s.clock.Now().UTC()
	for _, kind := range []string{jobExport, jobImport} {
		p := jobsPrefix(kind)
		it, err := s.store.NewIter(p, keys.PrefixEnd(p))
		if err != nil {
			return err
		}
		b := s.store.NewBatch()
		for it.First(); it.Valid(); it.Next() {
			var head jobRecord
			if err := json.Unmarshal(it.Value(), &head); err != nil || head.Status != jobInProgress {
				continue
			}
			var rec map[string]any
			if err := json.Unmarshal(it.Value(), &rec); err != nil {
				continue
			}
			rec["status"], rec["end"], rec["failureCode"] = jobFailed, now, "UNKNOWN"
			rec["failureMessage"] = "The " + kind + " was interrupted by a restart"
			v, _ := json.Marshal(rec)
			b.Set(append([]byte(nil), it.Key()...), v)
		}
		err = it.Error()
		it.Close()
		if err == nil && b.Len() > 0 {
			err = b.Commit()
		}
		b.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// listJobs returns one page of the stored records of a kind, newest
// first, of the table with tableARN if it is not empty, starting after
// the token's ARN; with liveOnly, only of tables that exist (ListExports
// leaves out a deleted table's exports). next is the token of the next
// page, empty on the last.
func (s *Service) listJobs(kind, tableARN, token string, size int, liveOnly bool) (page [][]byte, next string, err error) {
	var after string
	if token != "" {
		var ok bool
		if after, ok = parseJobToken(token); !ok {
			return nil, "", errBadJobToken
		}
	}
	s.mu.RLock()
	live := map[string]string{} // table ARN → table id
	for _, t := range s.tables {
		live[t.arn(s.account, s.region)] = t.UUID
	}
	s.mu.RUnlock()
	p := jobsPrefix(kind)
	it, err := s.store.NewIter(p, keys.PrefixEnd(p))
	if err != nil {
		return nil, "", err
	}
	defer it.Close()
	type entry struct {
		arn string
		raw []byte
	}
	var all []entry
	for it.First(); it.Valid(); it.Next() {
		var rec jobRecord
		if err := json.Unmarshal(it.Value(), &rec); err != nil {
			return nil, "", err
		}
		if id, ok := live[rec.TableARN]; liveOnly && (!ok || id != rec.TableID) || tableARN != "" && rec.TableARN != tableARN {
			continue
		}
		all = append(all, entry{rec.ARN, append([]byte(nil), it.Value()...)})
	}
	if err := it.Error(); err != nil {
		return nil, "", err
	}
	sort.Slice(all, func(i, j int) bool { return all[i].arn > all[j].arn })
	last := ""
	for _, e := range all {
		if after != "" && e.arn >= after {
			continue
		}
		if len(page) == size {
			return page, jobToken(last), nil
		}
		page, last = append(page, e.raw), e.arn
	}
	return page, "", nil
}

// errBadJobToken is a NextToken listJobs did not issue.
var errBadJobToken = errors.New("dynamodb: bad list token")

// jobToken is the NextToken that resumes a listing after arn: its bytes
// padded with zeros to a multiple of 8, in hex (ListImports' NextToken
// is groups of 16 hex digits, at least 112).
func jobToken(arn string) string {
	b := []byte(arn)
	for len(b)%8 != 0 || len(b) < 56 {
		b = append(b, 0)
	}
	return hex.EncodeToString(b)
}

func parseJobToken(tok string) (string, bool) {
	b, err := hex.DecodeString(tok)
	if err != nil {
		return "", false
	}
	arn := strings.TrimRight(string(b), "\x00")
	return arn, strings.HasPrefix(arn, "arn:aws:dynamodb:") && strings.Contains(arn, ":table/")
}
