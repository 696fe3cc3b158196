package s3

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"time"

	"github.com/virga/virga/internal/awsproto/shape"
	"github.com/virga/virga/internal/awsproto/xmlcodec"
	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/store/keys"
)

// Versioning. A bucket that never had versioning enabled keeps one
// object per key, replaced by each write (its version is "null"). Once
// enabled, every write makes a new version with its own id and keeps the
// previous one; a delete without a version id adds a delete marker; a
// delete with one removes that version for good. Suspended, writes and
// deletes make the "null" version, replacing the previous "null" one.
//
// The current version of a key (an object or a delete marker) is its
// ("s3", "o", bucket, key) record, so that listings are a scan of
// current versions; older versions are ("s3", "v", bucket, key, ^order)
// records, newest first. A key has older versions only if it has a
// current one.

const (
	versioningEnabled   = "Enabled"
	versioningSuspended = "Suspended"
	nullVersion         = "null"
)

func versionsPrefix(bucket, key string) []byte {
	return keys.AppendString(keys.AppendString(keys.AppendString(keys.AppendString(nil, "s3"), "v"), bucket), key)
}

func bucketVersionsPrefix(bucket string) []byte {
	return keys.AppendString(keys.AppendString(keys.AppendString(nil, "s3"), "v"), bucket)
}

func versionKey(bucket, key string, order uint64) []byte {
	return keys.AppendUint(versionsPrefix(bucket, key), ^order)
}

// versionIDOf is how S3 names a record's version: "null" for the null
// version.
func versionIDOf(o *objectRecord) string {
	if o.VersionID == "" {
		return nullVersion
	}
	return o.VersionID
}

// validVersionID reports whether id has the form of the version ids S3
// makes here (or is "null").
func validVersionID(id string) bool {
	return id == nullVersion || validID(id) && len(id) == 32
}

// nextOrder orders a new version after every earlier one. Call with mu
// held.
func (s *Service) nextOrder(now time.Time) uint64 {
	o := uint64(now.UnixNano())
	if o <= s.lastOrder {
		o = s.lastOrder + 1
	}
	s.lastOrder = o
	return o
}

// olderVersions reads a key's older versions, newest first.
func (s *Service) olderVersions(r store.Reader, bucket, key string) ([]objectRecord, error) {
	p := versionsPrefix(bucket, key)
	it, err := r.NewIter(p, keys.PrefixEnd(p))
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var out []objectRecord
	for it.First(); it.Valid(); it.Next() {
		var o objectRecord
		if err := json.Unmarshal(it.Value(), &o); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, it.Error()
}

// version finds a version of a key by id (current or older).
func (s *Service) version(bucket, key, id string) (*objectRecord, error) {
	if !validVersionID(id) {
		return nil, invalidArgument("versionId", id, "Invalid version id specified")
	}
	want := id
	if want == nullVersion {
		want = ""
	}
	if cur, err := s.object(s.store, bucket, key); err == nil {
		if cur.VersionID == want {
			return cur, nil
		}
		older, err := s.olderVersions(s.store, bucket, key)
		if err != nil {
			return nil, err
		}
		for i := range older {
			if older[i].VersionID == want {
				return &older[i], nil
			}
		}
	}
	return nil, ErrNoSuchVersion.WithDetails(&versionDetails{Key: &key, VersionId: &id})
}

// commitObject makes o the current version of its key in bucket, under
// mu, as the bucket's versioning says: the previous current version is
// replaced (unversioned, or a "null" one while suspended) or kept as an
// older version. Replaced versions' blobs are removed once committed, and
// the event is reported. check, when set, sees the visible object being
// written over (nil if none, or if a delete marker is current) before
// anything is written; extra adds writes to the same batch.
func (s *Service) commitObject(ctx context.Context, bucket string, o *objectRecord, event string, check func(old *objectRecord) error, extra ...func(batchSetter) error) error {
	s.mu.Lock()
	b, err := s.bucket(s.store, bucket)
	if err != nil {
		s.mu.Unlock()
		return err
	}
	var old *objectRecord
	if prev, err := s.object(s.store, bucket, o.Key); err == nil {
		old = prev
	}
	if check != nil {
		visible := old
		if visible != nil && visible.DeleteMarker {
			visible = nil
		}
		if err := check(visible); err != nil {
			s.mu.Unlock()
			return err
		}
	}
	now := s.clock.Now().UTC()
	// A delete marker has a LastModified too: when it was made (or the
	// midnight a lifecycle rule gives it).
	if !o.DeleteMarker || o.LastModified.IsZero() {
		o.LastModified = now.Truncate(time.Millisecond)
	}
	if !o.DeleteMarker {
		if err := s.encryptObject(b, o); err != nil {
			s.mu.Unlock()
			return err
		}
	}
	o.Order = s.nextOrder(now)
	replicas := replicationTasks(b, o, event)
	if len(replicas) > 0 && !o.DeleteMarker {
		o.ReplicationStatus = replicationPending
	}
	batch := s.store.NewBatch()
	defer batch.Close()
	replaced, err := s.retire(batch, b, old, o)
	if err != nil {
		s.mu.Unlock()
		return err
	}
	if err := setJSON(batch, objectKey(bucket, o.Key), o); err != nil {
		s.mu.Unlock()
		return err
	}
	for _, f := range extra {
		if err := f(batch); err != nil {
			s.mu.Unlock()
			return err
		}
	}
	e := Event{Name: event, Bucket: bucket, Key: o.Key, Size: o.Size, ETag: strings.Trim(o.ETag, `"`), Time: now}
	if b.Versioning != "" {
		e.VersionID = versionIDOf(o)
	}
	if err := s.queueNotifications(ctx, batch, b, &e); err != nil {
		s.mu.Unlock()
		return err
	}
	if err := queueReplication(batch, replicas, o, e.Sequencer); err != nil {
		s.mu.Unlock()
		return err
	}
	if err := batch.Commit(); err != nil {
		s.mu.Unlock()
		return err
	}
	s.mu.Unlock()
	for _, r := range replaced {
		s.removeBlobs(&r, o)
	}
	s.emit(ctx, e)
	return nil
}

// retire deals with the current version old (nil if none) as o becomes
// current, and gives o its version id: it returns the versions that are
// gone for good (their blobs are to be removed).
func (s *Service) retire(batch store.Batch, b *bucketRecord, old, o *objectRecord) ([]objectRecord, error) {
	switch {
	case o.ReplicationStatus == replicationReplica && o.VersionID != "":
		// A replica keeps its source version's id.
	case b.Versioning == versioningEnabled:
		o.VersionID = s.ids.Hex(16)
	default:
		o.VersionID = ""
	}
	if old == nil {
		return nil, nil
	}
	if b.Versioning == "" || b.Versioning == versioningSuspended && old.VersionID == "" {
		return []objectRecord{*old}, nil
	}
	var gone []objectRecord
	if b.Versioning == versioningSuspended {
		// The null version, wherever it is, gives way to the new one.
		older, err := s.olderVersions(s.store, b.Name, o.Key)
		if err != nil {
			return nil, err
		}
		for _, v := range older {
			if v.VersionID == "" {
				batch.Delete(versionKey(b.Name, o.Key, v.Order))
				gone = append(gone, v)
			}
		}
	}
	if err := setJSON(batch, versionKey(b.Name, o.Key, old.Order), old); err != nil {
		return nil, err
	}
	return gone, nil
}

// deleted is what a delete did.
type deleted struct {
	existed      bool
	deleteMarker bool   // the version deleted, or made, is a delete marker
	versionID    string // of the version deleted or the marker made; "" unversioned
}

// removal is who deletes, which names the events a delete raises: a
// client's request, or a lifecycle rule (lifecycle_run.go).
type removal struct {
	deleted, markerCreated string
	// current, when not zero, is the Order the key's current version
	// must still have: an expiration acts on the version it found
	// expired, never on one written since. removeVersion takes it for
	// an expired delete marker, which must also still have no older
	// version.
	current uint64
	// noncurrentOnly leaves alone a version that became current again.
	noncurrentOnly bool
	// markerAtMidnight dates a delete marker at 00:00 UTC of the day:
	// "S3 Lifecycle sets the delete marker's creation time to 00:00 UTC
	// (midnight) of the current day."
	markerAtMidnight bool
	// bypassGovernance removes a version under GOVERNANCE retention
	// (x-amz-bypass-governance-retention).
	bypassGovernance bool
}

var byRequest = removal{deleted: "ObjectRemoved:Delete", markerCreated: "ObjectRemoved:DeleteMarkerCreated"}

// errStale is an expiration that found its version changed.
var errStale = errors.New("s3: the version changed")

// deleteKey deletes a key without naming a version: in an unversioned
// bucket the object goes; otherwise a delete marker becomes current.
func (s *Service) deleteKey(ctx context.Context, bucket, key string) (deleted, error) {
	return s.removeKey(ctx, bucket, key, byRequest)
}

func (s *Service) removeKey(ctx context.Context, bucket, key string, rm removal) (deleted, error) {
	s.mu.Lock()
	b, err := s.bucket(s.store, bucket)
	if err != nil {
		s.mu.Unlock()
		return deleted{}, err
	}
	old, oerr := s.object(s.store, bucket, key)
	if oerr != nil {
		old = nil
	}
	if rm.current != 0 && (old == nil || old.Order != rm.current || old.DeleteMarker) {
		s.mu.Unlock()
		return deleted{}, nil
	}
	if b.Versioning == "" {
		if old == nil {
			s.mu.Unlock()
			return deleted{}, nil // deleting a missing key succeeds
		}
		batch := s.store.NewBatch()
		defer batch.Close()
		batch.Delete(objectKey(bucket, key))
		e := Event{Name: rm.deleted, Bucket: bucket, Key: key, Time: s.clock.Now().UTC()}
		if err := s.queueNotifications(ctx, batch, b, &e); err != nil {
			s.mu.Unlock()
			return deleted{}, err
		}
		if err := batch.Commit(); err != nil {
			s.mu.Unlock()
			return deleted{}, err
		}
		s.mu.Unlock()
		s.removeBlobs(old, nil)
		s.emit(ctx, e)
		return deleted{existed: true}, nil
	}
	s.mu.Unlock()
	// A versioned bucket gets a delete marker, whether or not the key
	// exists.
	marker := &objectRecord{Key: key, DeleteMarker: true}
	if rm.markerAtMidnight {
		marker.LastModified = s.clock.Now().UTC().Truncate(24 * time.Hour)
	}
	var check func(*objectRecord) error
	if rm.current != 0 {
		check = func(cur *objectRecord) error {
			if cur == nil || cur.Order != rm.current {
				return errStale
			}
			return nil
		}
	}
	if err := s.commitObject(ctx, bucket, marker, rm.markerCreated, check); errors.Is(err, errStale) {
		return deleted{}, nil
	} else if err != nil {
		return deleted{}, err
	}
	return deleted{existed: old != nil, deleteMarker: true, versionID: versionIDOf(marker)}, nil
}

// deleteVersion removes one version of a key for good. If it was the
// current one, the newest older version becomes current.
// bypass lets it remove a version under GOVERNANCE retention.
func (s *Service) deleteVersion(ctx context.Context, bucket, key, id string, bypass bool) (deleted, error) {
	rm := byRequest
	rm.bypassGovernance = bypass
	return s.removeVersion(ctx, bucket, key, id, rm)
}

func (s *Service) removeVersion(ctx context.Context, bucket, key, id string, rm removal) (deleted, error) {
	if !validVersionID(id) {
		return deleted{}, invalidArgument("versionId", id, "Invalid version id specified")
	}
	want := id
	if want == nullVersion {
		want = ""
	}
	s.mu.Lock()
	b, err := s.bucket(s.store, bucket)
	if err != nil {
		s.mu.Unlock()
		return deleted{}, err
	}
	cur, err := s.object(s.store, bucket, key)
	if err != nil {
		s.mu.Unlock()
		return deleted{versionID: id}, nil // nothing to delete
	}
	older, err := s.olderVersions(s.store, bucket, key)
	if err != nil {
		s.mu.Unlock()
		return deleted{}, err
	}
	batch := s.store.NewBatch()
	defer batch.Close()
	var gone *objectRecord
	if rm.current != 0 && (cur.Order != rm.current || !cur.DeleteMarker || len(older) > 0) {
		// The expired delete marker found is no longer one: a write
		// (which, in a suspended bucket, replaces a null marker) came
		// first.
		s.mu.Unlock()
		return deleted{versionID: id}, nil
	}
	if cur.VersionID == want && rm.noncurrentOnly {
		s.mu.Unlock()
		return deleted{versionID: id}, nil
	}
	if cur.VersionID == want {
		gone = cur
		if len(older) > 0 {
			next := older[0]
			batch.Delete(versionKey(bucket, key, next.Order))
			if err := setJSON(batch, objectKey(bucket, key), &next); err != nil {
				s.mu.Unlock()
				return deleted{}, err
			}
		} else {
			batch.Delete(objectKey(bucket, key))
		}
	} else {
		for i := range older {
			if older[i].VersionID == want {
				gone = &older[i]
				batch.Delete(versionKey(bucket, key, gone.Order))
				break
			}
		}
	}
	if gone == nil {
		s.mu.Unlock()
		return deleted{versionID: id}, nil
	}
	if err := gone.lockRefuses(s.clock.Now(), rm.bypassGovernance); err != nil {
		s.mu.Unlock()
		if rm.deleted != byRequest.deleted {
			return deleted{}, nil // lifecycle rules leave locked versions
		}
		return deleted{}, err
	}
	// Removing a delete marker for good raises no event.
	e := Event{Name: rm.deleted, Bucket: bucket, Key: key, VersionID: id, Time: s.clock.Now().UTC()}
	if !gone.DeleteMarker {
		if err := s.queueNotifications(ctx, batch, b, &e); err != nil {
			s.mu.Unlock()
			return deleted{}, err
		}
	}
	if err := batch.Commit(); err != nil {
		s.mu.Unlock()
		return deleted{}, err
	}
	s.mu.Unlock()
	s.removeBlobs(gone, nil)
	if !gone.DeleteMarker {
		s.emit(ctx, e)
	}
	return deleted{existed: true, deleteMarker: gone.DeleteMarker, versionID: id}, nil
}

// versionHeader is the x-amz-version-id a response about o carries: none
// in a bucket that never had versioning.
func versionHeader(b *bucketRecord, o *objectRecord) *string {
	if b.Versioning == "" && o.VersionID == "" {
		return nil
	}
	return strptr(versionIDOf(o))
}

// listVersionsOutput is ListObjectVersions' output and the order of its
// entries: S3 lists versions and delete markers as one sequence (keys in
// order, each key's versions newest first), which the model's two lists
// cannot say; markers[i] tells whether the i-th entry is a delete marker.
// The protocol's Encode writes them in that order (versionsDocument).
type listVersionsOutput struct {
	out     *ListObjectVersionsOutput
	markers []bool
}

func (s *Service) listObjectVersions(ctx context.Context, in *ListObjectVersionsRequest) (*listVersionsOutput, error) {
	out, markers, err := s.listVersions(ctx, in)
	if err != nil {
		return nil, err
	}
	return &listVersionsOutput{out: out, markers: markers}, nil
}

// versionsDocument is the XML body of a ListObjectVersions response, with
// its versions and delete markers in listing order: the document the
// model's shape gives, with the entries where its two lists would be.
func versionsDocument(o *listVersionsOutput, body []byte) []byte {
	at := bytes.Index(body, []byte("<Name>"))
	if at < 0 {
		return body
	}
	var b bytes.Buffer
	b.Write(body[:at])
	vt, mt := shape.Of(reflect.TypeFor[ObjectVersion]()), shape.Of(reflect.TypeFor[DeleteMarkerEntry]())
	v, m := 0, 0
	for _, marker := range o.markers {
		if marker {
			xmlcodec.WriteElement(&b, "DeleteMarker", reflect.ValueOf(o.out.DeleteMarkers[m]), mt, nil)
			m++
		} else {
			xmlcodec.WriteElement(&b, "Version", reflect.ValueOf(o.out.Versions[v]), vt, nil)
			v++
		}
	}
	b.Write(body[at:])
	return b.Bytes()
}

func (s *Service) listVersions(_ context.Context, in *ListObjectVersionsRequest) (*ListObjectVersionsOutput, []bool, error) {
	enc, max, err := s.listing(*in.Bucket, in.EncodingType, in.MaxKeys)
	if err != nil {
		return nil, nil, err
	}
	bucket, prefix, delim := *in.Bucket, strDeref(in.Prefix), strDeref(in.Delimiter)
	keyMarker, idMarker := strDeref(in.KeyMarker), strDeref(in.VersionIdMarker)
	if in.VersionIdMarker != nil {
		switch {
		case keyMarker == "":
			return nil, nil, invalidArgument("version-id-marker", idMarker, "A version-id marker cannot be specified without a key marker.")
		case idMarker == "":
			return nil, nil, invalidArgument("version-id-marker", idMarker, "A version-id marker cannot be empty.")
		case !validVersionID(idMarker):
			return nil, nil, invalidArgument("version-id-marker", idMarker, "Invalid version id specified")
		}
	}
	n := int32(max)
	truncated := false
	out := &ListObjectVersionsOutput{Name: in.Bucket, Prefix: enc.s(prefix), Delimiter: enc.opt(in.Delimiter), MaxKeys: &n,
		KeyMarker: enc.s(keyMarker), VersionIdMarker: &idMarker, IsTruncated: &truncated, EncodingType: in.EncodingType}
	snap := s.store.NewSnapshot()
	defer snap.Close()
	base := objectsPrefix(bucket)
	lower := keys.AppendStringPrefix(append([]byte(nil), base...), prefix)
	it, err := snap.NewIter(lower, keys.PrefixEnd(lower))
	if err != nil {
		return nil, nil, err
	}
	defer it.Close()
	count := 0
	owner := s.owner()
	var markers []bool
	var lastPrefix, lastKey, lastID string
	full := func() bool {
		if count >= max {
			truncated = true
			return true
		}
		return false
	}
	for ok := it.First(); ok; ok = it.Next() {
		var cur objectRecord
		if err := json.Unmarshal(it.Value(), &cur); err != nil {
			return nil, nil, err
		}
		key := cur.Key
		if keyMarker != "" && key < keyMarker {
			continue
		}
		if delim != "" {
			if i := strings.Index(key[len(prefix):], delim); i >= 0 {
				cp := key[:len(prefix)+i+len(delim)]
				// A common prefix is returned once; a key marker that is one
				// (a NextKeyMarker) resumes after it.
				if cp == lastPrefix || cp == keyMarker {
					continue
				}
				if full() {
					break
				}
				out.CommonPrefixes = append(out.CommonPrefixes, CommonPrefix{Prefix: enc.s(cp)})
				lastPrefix, lastKey, lastID = cp, cp, ""
				count++
				continue
			}
		}
		versions := []objectRecord{cur}
		older, err := s.olderVersions(snap, bucket, key)
		if err != nil {
			return nil, nil, err
		}
		versions = append(versions, older...)
		skipping := key == keyMarker
		if key == keyMarker && idMarker == "" {
			continue // key-marker alone resumes after the key
		}
		stop := false
		for i := range versions {
			v := &versions[i]
			if skipping {
				if versionIDOf(v) == idMarker {
					skipping = false
				}
				continue
			}
			if full() {
				stop = true
				break
			}
			latest := i == 0
			if v.DeleteMarker {
				markers = append(markers, true)
				out.DeleteMarkers = append(out.DeleteMarkers, DeleteMarkerEntry{Key: enc.s(key), VersionId: strptr(versionIDOf(v)),
					IsLatest: &latest, LastModified: timePtr(v.LastModified), Owner: owner})
			} else {
				e := ObjectVersion{Key: enc.s(key), VersionId: strptr(versionIDOf(v)), IsLatest: &latest, LastModified: timePtr(v.LastModified),
					ETag: strptr(v.ETag), Size: int64ptr(v.Size), StorageClass: strptr("STANDARD"), Owner: owner}
				if v.Checksum.Algorithm != "" {
					e.ChecksumAlgorithm = []string{v.Checksum.Algorithm}
				}
				markers = append(markers, false)
				out.Versions = append(out.Versions, e)
			}
			lastKey, lastID = key, versionIDOf(v)
			count++
		}
		if stop {
			break
		}
	}
	if err := it.Error(); err != nil {
		return nil, nil, err
	}
	if truncated {
		out.NextKeyMarker = enc.s(lastKey)
		if lastID != "" {
			out.NextVersionIdMarker = &lastID
		}
	}
	return out, markers, nil
}

func timePtr(t time.Time) *time.Time { return &t }

// lookup finds the version a read names: the given version id, or the
// current version, which must not be a delete marker. A delete marker
// answers as S3 answers it: 404 NoSuchKey when current, 405
// MethodNotAllowed when named, both with x-amz-delete-marker.
func (s *Service) lookup(b *bucketRecord, key string, versionID *string) (*objectRecord, error) {
	if versionID != nil {
		o, err := s.version(b.Name, key, *versionID)
		if err != nil {
			return nil, err
		}
		if o.DeleteMarker {
			e := ErrMethodNotAllowed.WithMessage("The specified method is not allowed against this resource.")
			e.Headers = map[string]string{"X-Amz-Delete-Marker": "true", "X-Amz-Version-Id": versionIDOf(o)}
			return nil, e
		}
		return o, nil
	}
	o, err := s.object(s.store, b.Name, key)
	if err != nil {
		return nil, err
	}
	if o.DeleteMarker {
		e := ErrNoSuchKey.WithDetails(&keyDetails{Key: &key})
		e.Headers = map[string]string{"X-Amz-Delete-Marker": "true", "X-Amz-Version-Id": versionIDOf(o)}
		return nil, e
	}
	return o, nil
}
