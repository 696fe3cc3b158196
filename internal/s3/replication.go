package s3

import (
	"context"
	"encoding/json"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/store/keys"
)

// Replication. PutBucketReplication keeps a bucket's replication
// configuration, checked as S3 checks it. When a new version of an
// object (PutObject, PostObject, CopyObject, CompleteMultipartUpload)
// matches an enabled rule, the commit that writes it marks it PENDING
// and writes a task ("s3", "r", sequencer, n) per destination bucket;
// Run copies the version to each destination (same key, version id,
// metadata and tags; the rule's StorageClass if it names one), marks the
// replica REPLICA, and marks the source version COMPLETED, or FAILED if
// a destination is gone or no longer versioned. Tasks are in the store,
// so replication survives a restart. Replicas are never replicated
// again. A delete marker a request makes is replicated by rules whose
// DeleteMarkerReplication is Enabled, and by rules of the earlier
// schema (a rule-level Prefix, no Filter), as S3 does; markers a
// lifecycle rule makes are not.

// Replication statuses, as x-amz-replication-status reports them.
const (
	replicationPending   = "PENDING"
	replicationCompleted = "COMPLETED"
	replicationFailed    = "FAILED"
	replicationReplica   = "REPLICA"
)

// maxReplicationRules: "A replication configuration can have up to
// 1,000 rules."
const maxReplicationRules = 1000

// maxRuleIDLength: a rule's ID is "up to 255 characters".
const maxRuleIDLength = 255

// bucketARNPrefix is how a replication destination names its bucket.
const bucketARNPrefix = "arn:aws:s3:::"

var (
	// ErrNoSuchReplication is GetBucketReplication of a bucket with none.
	ErrNoSuchReplication = apierr.New("ReplicationConfigurationNotFoundError", 404, "The replication configuration was not found")

	errReplicationSourceVersioning = ErrInvalidRequest.WithMessage("Versioning must be 'Enabled' on the bucket to apply a replication configuration")
	errReplicationDestVersioning   = ErrInvalidRequest.WithMessage("Destination bucket must have versioning enabled.")
	errReplicationDestMissing      = ErrInvalidRequest.WithMessage("Destination bucket must exist.")
	errReplicationDeleteMarker     = ErrInvalidRequest.WithMessage("DeleteMarkerReplication must be specified for this version of Cross Region Replication configuration schema. Please refer to S3 Developer Guide for more information.")
	errReplicationPriority         = ErrInvalidRequest.WithMessage("Priority must be specified for this version of Cross Region Replication configuration schema. Please refer to S3 Developer Guide for more information.")
	errReplicationTagDeleteMarker  = ErrInvalidRequest.WithMessage("Delete marker replication is not supported if any Tag filter is specified. Please refer to S3 Developer Guide for more information.")
)

func replicationPrefix() []byte { return keys.AppendString(keys.AppendString(nil, "s3"), "r") }

// replicationTask is a version waiting to be copied to a destination.
type replicationTask struct {
	Bucket       string `json:"bucket"`
	Key          string `json:"key"`
	VersionID    string `json:"vid"`
	Dest         string `json:"dest"`
	StorageClass string `json:"storageClass,omitempty"`
	Marker       bool   `json:"marker,omitempty"`
}

func (s *Service) putBucketReplication(ctx context.Context, in *PutBucketReplicationRequest) (*struct{}, error) {
	b, err := s.bucket(s.store, *in.Bucket)
	if err != nil {
		return nil, err
	}
	if err := checkIntegrity(ctx); err != nil {
		return nil, err
	}
	cfg := in.ReplicationConfiguration
	if err := s.checkReplication(b, cfg); err != nil {
		return nil, err
	}
	return nil, s.updateBucket(*in.Bucket, func(b *bucketRecord) error {
		if b.Versioning != versioningEnabled {
			return errReplicationSourceVersioning
		}
		b.Replication = cfg
		return nil
	})
}

func (s *Service) getBucketReplication(_ context.Context, in *GetBucketReplicationRequest) (*GetBucketReplicationOutput, error) {
	b, err := s.bucket(s.store, *in.Bucket)
	if err != nil {
		return nil, err
	}
	if b.Replication == nil {
		return nil, ErrNoSuchReplication.WithDetails(&bucketDetails{BucketName: in.Bucket})
	}
	return &GetBucketReplicationOutput{ReplicationConfiguration: b.Replication}, nil
}

func (s *Service) deleteBucketReplication(_ context.Context, in *DeleteBucketReplicationRequest) (*struct{}, error) {
	return nil, s.updateBucket(*in.Bucket, func(b *bucketRecord) error { b.Replication = nil; return nil })
}

// checkReplication checks a replication configuration as S3 does, and
// gives rules without an ID one.
func (s *Service) checkReplication(b *bucketRecord, c *ReplicationConfiguration) error {
	if c == nil || strDeref(c.Role) == "" || len(c.Rules) == 0 || len(c.Rules) > maxReplicationRules {
		return ErrMalformedXML
	}
	if b.Versioning != versioningEnabled {
		return errReplicationSourceVersioning
	}
	ids, priorities := map[string]bool{}, map[int32]bool{}
	v2 := 0
	for i := range c.Rules {
		if c.Rules[i].Filter != nil {
			v2++
		}
	}
	for i := range c.Rules {
		r := &c.Rules[i]
		status := strDeref(r.Status)
		if status != "Enabled" && status != "Disabled" || r.Destination == nil || strDeref(r.Destination.Bucket) == "" {
			return ErrMalformedXML
		}
		if r.Filter != nil && r.Prefix != nil || r.Filter == nil && r.Prefix == nil && v2 == 0 {
			return ErrMalformedXML
		}
		if v2 > 0 && r.Filter == nil {
			return ErrMalformedXML
		}
		if r.ID == nil || *r.ID == "" {
			r.ID = strptr(s.ids.Hex(16))
		}
		if len(*r.ID) > maxRuleIDLength {
			return invalidArgument("ID", *r.ID, "ID length should not exceed allowed limit of 255")
		}
		if ids[*r.ID] {
			return invalidArgument("ID", *r.ID, "Rule Id must be unique")
		}
		ids[*r.ID] = true
		if r.Filter != nil {
			if r.DeleteMarkerReplication == nil {
				return errReplicationDeleteMarker
			}
			if r.Priority == nil {
				if len(c.Rules) > 1 {
					return errReplicationPriority
				}
				r.Priority = new(int32)
			}
			if priorities[*r.Priority] {
				return invalidArgument("Priority", strconv.Itoa(int(*r.Priority)), "Found duplicate priority "+strconv.Itoa(int(*r.Priority))+" for rules.")
			}
			priorities[*r.Priority] = true
			if hasTagFilter(r.Filter) && strDeref(r.DeleteMarkerReplication.Status) == "Enabled" {
				return errReplicationTagDeleteMarker
			}
		}
		if d := r.DeleteMarkerReplication; d != nil && strDeref(d.Status) != "Enabled" && strDeref(d.Status) != "Disabled" {
			return ErrMalformedXML
		}
		arn := *r.Destination.Bucket
		name, ok := strings.CutPrefix(arn, bucketARNPrefix)
		if !ok || name == "" || strings.Contains(name, "/") {
			return invalidArgument("Bucket", arn, "Invalid bucket ARN.")
		}
		dest, err := s.bucket(s.store, name)
		if err != nil {
			return errReplicationDestMissing
		}
		if dest.Versioning != versioningEnabled {
			return errReplicationDestVersioning
		}
	}
	return nil
}

func hasTagFilter(f *ReplicationRuleFilter) bool {
	return f.Tag != nil || f.And != nil && len(f.And.Tags) > 0
}

// replicationScope is what versions a rule replicates.
func replicationScope(r *ReplicationRule) ruleScope {
	if r.Filter == nil {
		return ruleScope{prefix: strDeref(r.Prefix)}
	}
	f := r.Filter
	if a := f.And; a != nil {
		return ruleScope{prefix: strDeref(a.Prefix), tags: a.Tags}
	}
	sc := ruleScope{prefix: strDeref(f.Prefix)}
	if f.Tag != nil {
		sc.tags = []Tag{*f.Tag}
	}
	return sc
}

// replicationTasks are the copies the bucket's enabled rules make of o,
// one per destination bucket (by the rule of highest priority among
// those naming it). event is the change's event name: delete markers
// are replicated only when a request made them.
func replicationTasks(b *bucketRecord, o *objectRecord, event string) []replicationTask {
	if b.Replication == nil || o.ReplicationStatus == replicationReplica {
		return nil
	}
	if o.DeleteMarker && event != byRequest.markerCreated {
		return nil
	}
	chosen := map[string]*ReplicationRule{}
	var order []string
	for i := range b.Replication.Rules {
		r := &b.Replication.Rules[i]
		if strDeref(r.Status) != "Enabled" || !replicationScope(r).matches(o) {
			continue
		}
		if o.DeleteMarker && r.Filter != nil && (r.DeleteMarkerReplication == nil || strDeref(r.DeleteMarkerReplication.Status) != "Enabled") {
			continue
		}
		dest := strings.TrimPrefix(strDeref(r.Destination.Bucket), bucketARNPrefix)
		prev, ok := chosen[dest]
		if !ok {
			order = append(order, dest)
		}
		if !ok || priorityOf(r) > priorityOf(prev) {
			chosen[dest] = r
		}
	}
	var tasks []replicationTask
	for _, dest := range order {
		r := chosen[dest]
		tasks = append(tasks, replicationTask{Bucket: b.Name, Key: o.Key, Dest: dest,
			StorageClass: strDeref(r.Destination.StorageClass), Marker: o.DeleteMarker})
	}
	return tasks
}

func priorityOf(r *ReplicationRule) int32 {
	if r.Priority == nil {
		return 0
	}
	return *r.Priority
}

// queueReplication writes tasks for the version o, whose commit is
// batch, under the change's sequencer. Call with mu held.
func queueReplication(batch batchSetter, tasks []replicationTask, o *objectRecord, sequencer string) error {
	for i := range tasks {
		tasks[i].VersionID = versionIDOf(o)
		data, err := json.Marshal(&tasks[i])
		if err != nil {
			return err
		}
		batch.Set(keys.AppendInt(keys.AppendString(replicationPrefix(), sequencer), int64(i)), data)
	}
	return nil
}

// replicationPoll bounds how long Run waits between looks at the
// replication tasks.
const replicationPoll = time.Second

// replicate does the replication tasks waiting, in commit order, and
// says how long to wait before looking again.
func (s *Service) replicate(ctx context.Context, log *slog.Logger) time.Duration {
	p := replicationPrefix()
	it, err := s.store.NewIter(p, keys.PrefixEnd(p))
	if err != nil {
		log.Warn("s3: reading the replication tasks", "err", err)
		return replicationPoll
	}
	type pending struct {
		key  []byte
		task replicationTask
	}
	var due []pending
	for it.First(); it.Valid() && len(due) < 256; it.Next() {
		var t replicationTask
		if json.Unmarshal(it.Value(), &t) != nil {
			continue
		}
		due = append(due, pending{append([]byte(nil), it.Key()...), t})
	}
	if err := it.Close(); err != nil {
		log.Warn("s3: reading the replication tasks", "err", err)
	}
	// A version's tasks (one per destination) are adjacent: do them,
	// then record the version's status and remove them in one commit.
	for i := 0; i < len(due); {
		j := i + 1
		for j < len(due) && due[j].task.Bucket == due[i].task.Bucket && due[j].task.Key == due[i].task.Key &&
			due[j].task.VersionID == due[i].task.VersionID {
			j++
		}
		if ctx.Err() != nil {
			return replicationPoll
		}
		status := replicationCompleted
		var done [][]byte
		failed := false
		for _, d := range due[i:j] {
			ok, err := s.replicateOne(ctx, &d.task)
			if err != nil {
				log.Warn("s3: replicating an object", "bucket", d.task.Bucket, "key", d.task.Key, "destination", d.task.Dest, "err", err)
				failed = true
				break
			}
			if !ok {
				status = replicationFailed
			}
			done = append(done, d.key)
		}
		if !failed {
			if err := s.finishReplication(&due[i].task, status, done); err != nil {
				log.Warn("s3: recording a replication", "err", err)
			}
		}
		i = j
	}
	if len(due) == 256 {
		return 0
	}
	return replicationPoll
}

// replicateOne copies the task's version to its destination; ok is
// false when the destination cannot take it (gone, or no longer
// versioned). A version removed since has nothing to copy.
func (s *Service) replicateOne(ctx context.Context, t *replicationTask) (ok bool, err error) {
	src, err := s.version(t.Bucket, t.Key, t.VersionID)
	if err != nil {
		if e := apierr.As(err); e != nil && e.Code == ErrNoSuchVersion.Code {
			return true, nil
		}
		return false, err
	}
	dest, err := s.bucket(s.store, t.Dest)
	if err != nil || dest.Versioning != versioningEnabled {
		return false, nil
	}
	if _, err := s.version(t.Dest, t.Key, t.VersionID); err == nil {
		return true, nil // copied before a restart
	}
	replica := &objectRecord{Key: t.Key, VersionID: src.VersionID, ReplicationStatus: replicationReplica}
	event := "ObjectRemoved:DeleteMarkerCreated"
	if !src.DeleteMarker {
		got, err := s.copyBytes(src, byteRange{start: 0, length: src.Size}, "")
		if e := apierr.As(err); e != nil && e.Code == ErrNoSuchKey.Code {
			return true, nil // removed since
		}
		if err != nil {
			return false, err
		}
		*replica = *src
		replica.Segments = []segment{{Blob: got.blob, Size: got.size}}
		replica.Order, replica.ReplicationStatus, replica.ACL = 0, replicationReplica, nil
		replica.RestoreDone, replica.RestoreExpiry = time.Time{}, time.Time{}
		if t.StorageClass != "" {
			replica.StorageClass = t.StorageClass
		}
		if !dest.ObjectLock {
			// Only a bucket with Object Lock keeps a version's lock.
			replica.LockMode, replica.LockUntil, replica.LegalHold = "", time.Time{}, ""
		}
		event = "ObjectCreated:Put"
		defer func() {
			if err != nil {
				s.blobs.remove(got.blob)
			}
		}()
	} else {
		replica.DeleteMarker = true
	}
	if err := s.commitObject(ctx, t.Dest, replica, event, nil); err != nil {
		if e := apierr.As(err); e != nil && e.Code == ErrNoSuchBucket.Code {
			return false, nil
		}
		return false, err
	}
	return true, nil
}

// finishReplication records a version's replication status and removes
// its tasks, in one commit.
func (s *Service) finishReplication(t *replicationTask, status string, tasks [][]byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	batch := s.store.NewBatch()
	defer batch.Close()
	for _, k := range tasks {
		batch.Delete(k)
	}
	if !t.Marker {
		if key, o := s.versionRecord(s.store, t.Bucket, t.Key, t.VersionID); o != nil {
			o.ReplicationStatus = status
			if err := setJSON(batch, key, o); err != nil {
				return err
			}
		}
	}
	return batch.Commit()
}

// versionRecord finds a version's record and its store key; nil if it
// is gone.
func (s *Service) versionRecord(r store.Reader, bucket, key, id string) ([]byte, *objectRecord) {
	want := id
	if want == nullVersion {
		want = ""
	}
	cur, err := s.object(r, bucket, key)
	if err != nil {
		return nil, nil
	}
	if cur.VersionID == want {
		return objectKey(bucket, key), cur
	}
	older, err := s.olderVersions(r, bucket, key)
	if err != nil {
		return nil, nil
	}
	for i := range older {
		if older[i].VersionID == want {
			return versionKey(bucket, key, older[i].Order), &older[i]
		}
	}
	return nil, nil
}
