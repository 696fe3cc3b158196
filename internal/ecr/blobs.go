package ecr

import (
	"crypto/sha256"
	"encoding"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"sync"

	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/store/keys"
)

// chunkSize bounds one stored value of a blob's bytes: blobs (image
// layers reach gigabytes) are kept as chunks keyed by their offset, and
// an upload streams through a buffer of this size.
const chunkSize = 1 << 20

// maxLayerSize is ECR's "Maximum layer size" quota, 52,000 MiB.
const maxLayerSize = 52000 << 20

// errLayerTooLarge is an upload past maxLayerSize.
var errLayerTooLarge = errors.New("layer too large")

// errDigestMismatch is an upload whose bytes do not hash to the digest
// its completion names.
var errDigestMismatch = errors.New("digest mismatch")

// uploadLocks serializes the requests of one upload (a client sends
// them in order; two at once would interleave its bytes). An id's lock
// lives while a request holds or awaits it, and no longer: ids come
// from requests, and one that names no upload must leave nothing.
type uploadLocks struct {
	mu sync.Mutex // guards m
	m  map[string]*uploadLock
}

type uploadLock struct {
	sync.Mutex
	refs int // requests holding or awaiting it, under uploadLocks.mu
}

func (l *uploadLocks) lock(id string) func() {
	l.mu.Lock()
	if l.m == nil {
		l.m = make(map[string]*uploadLock)
	}
	e := l.m[id]
	if e == nil {
		e = &uploadLock{}
		l.m[id] = e
	}
	e.refs++
	l.mu.Unlock()
	e.Lock()
	return func() {
		e.Unlock()
		l.mu.Lock()
		if e.refs--; e.refs == 0 {
			delete(l.m, id)
		}
		l.mu.Unlock()
	}
}

// held counts the ids with a lock in use.
func (l *uploadLocks) held() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.m)
}

// startUpload records a new upload into repo.
func (s *Service) startUpload(repo string) (*upload, error) {
	h := sha256.New()
	state, err := h.(encoding.BinaryMarshaler).MarshalBinary()
	if err != nil {
		return nil, err
	}
	u := &upload{ID: s.ids.UUID(), Repo: repo, Hash: state, Started: s.clock.Now().UnixMilli()}
	b := s.store.NewBatch()
	defer b.Close()
	if err := setJSON(b, uploadKey(u.ID), u); err != nil {
		return nil, err
	}
	return u, b.Commit()
}

func (s *Service) loadUpload(id string) (*upload, error) {
	var u upload
	ok, err := getJSON(s.store, uploadKey(id), &u)
	if err != nil || !ok {
		return nil, err
	}
	return &u, nil
}

func (u *upload) hasher() (hash.Hash, error) {
	h := sha256.New()
	if err := h.(encoding.BinaryUnmarshaler).UnmarshalBinary(u.Hash); err != nil {
		return nil, err
	}
	return h, nil
}

// appendUpload streams r onto the end of an upload, a chunk a commit,
// each commit carrying the upload's new size and hash state with the
// chunk, so that what a crash leaves is always a consistent prefix.
func (s *Service) appendUpload(u *upload, r io.Reader) (int64, error) {
	h, err := u.hasher()
	if err != nil {
		return 0, err
	}
	buf := make([]byte, chunkSize)
	var added int64
	for {
		n, rerr := io.ReadFull(r, buf)
		if n > 0 {
			if u.Size+int64(n) > maxLayerSize {
				return added, errLayerTooLarge
			}
			h.Write(buf[:n])
			state, err := h.(encoding.BinaryMarshaler).MarshalBinary()
			if err != nil {
				return added, err
			}
			b := s.store.NewBatch()
			b.Set(chunkKey(u.ID, u.Size), buf[:n])
			u.Size += int64(n)
			u.Hash = state
			if err := setJSON(b, uploadKey(u.ID), u); err != nil {
				b.Close()
				return added, err
			}
			err = b.Commit()
			b.Close()
			if err != nil {
				return added, err
			}
			added += int64(n)
		}
		if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
			return added, nil
		}
		if rerr != nil {
			return added, rerr
		}
	}
}

// uploadDigest is the sha256 digest of what an upload holds.
func (u *upload) digest() (string, error) {
	h, err := u.hasher()
	if err != nil {
		return "", err
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}

// finishUpload makes an upload the blob digest names, in its
// repository, after checking that its bytes hash to it. An upload whose
// repository is gone is dropped (RepositoryNotFoundException). A blob already
// stored keeps its bytes and the upload's are dropped.
func (s *Service) finishUpload(u *upload, digest string) error {
	got, err := u.digest()
	if err != nil {
		return err
	}
	if got != digest {
		return errDigestMismatch
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, err := s.loadRepo(u.Repo); err != nil {
		return err
	} else if r == nil {
		// The repository was deleted while the upload ran: its bytes
		// go as the repository's blobs went.
		if err := s.cancelUpload(u); err != nil {
			return err
		}
		return s.repoNotFound(u.Repo)
	}
	old, err := s.loadBlob(digest)
	if err != nil {
		return err
	}
	b := s.store.NewBatch()
	defer b.Close()
	if old != nil {
		prefix := dataPrefix(u.ID)
		b.DeleteRange(prefix, keys.PrefixEnd(prefix))
	} else if err := setJSON(b, blobKey(digest), &blobMeta{Size: u.Size, Data: u.ID}); err != nil {
		return err
	}
	b.Set(linkKey(u.Repo, digest), nil)
	b.Set(useKey(digest, u.Repo), nil)
	b.Delete(uploadKey(u.ID))
	return b.Commit()
}

// cancelUpload drops an upload and its bytes.
func (s *Service) cancelUpload(u *upload) error {
	b := s.store.NewBatch()
	defer b.Close()
	prefix := dataPrefix(u.ID)
	b.DeleteRange(prefix, keys.PrefixEnd(prefix))
	b.Delete(uploadKey(u.ID))
	return b.Commit()
}

// link records a blob, already stored, in a repository, which must
// still exist.
func (s *Service) link(repo, digest string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, err := s.loadRepo(repo); err != nil {
		return err
	} else if r == nil {
		return s.repoNotFound(repo)
	}
	if meta, err := s.loadBlob(digest); err != nil || meta == nil {
		return err
	}
	b := s.store.NewBatch()
	defer b.Close()
	b.Set(linkKey(repo, digest), nil)
	b.Set(useKey(digest, repo), nil)
	return b.Commit()
}

// unlinkAll takes every blob out of a repository, in b, and removes
// (in b too) the blobs no other repository holds. s.mu is held.
func (s *Service) unlinkAll(b store.Batch, repo string) error {
	digests, err := s.lastKeyParts(linkPrefix(repo))
	if err != nil {
		return err
	}
	for _, d := range digests {
		b.Delete(useKey(d, repo))
		others, err := s.blobUsers(d)
		if err != nil {
			return err
		}
		if len(others) > 1 || (len(others) == 1 && others[0] != repo) {
			continue
		}
		meta, err := s.loadBlob(d)
		if err != nil {
			return err
		}
		b.Delete(blobKey(d))
		if meta != nil {
			data := dataPrefix(meta.Data)
			b.DeleteRange(data, keys.PrefixEnd(data))
		}
	}
	return nil
}

// blobUsers returns the repositories that hold a blob.
func (s *Service) blobUsers(digest string) ([]string, error) {
	return s.lastKeyParts(usePrefix(digest))
}

// writeBlob copies bytes [from, to) of a blob to w, chunk by chunk.
func (s *Service) writeBlob(w io.Writer, meta *blobMeta, from, to int64) error {
	if from >= to {
		return nil
	}
	lower, upper := dataPrefix(meta.Data), keys.PrefixEnd(dataPrefix(meta.Data))
	snap := s.store.NewSnapshot()
	defer snap.Close()
	it, err := snap.NewIter(lower, upper)
	if err != nil {
		return err
	}
	defer it.Close()
	ok := it.SeekLT(chunkKey(meta.Data, from+1))
	for ; ok && from < to; ok = it.Next() {
		vals, err := keys.Decode(it.Key())
		if err != nil {
			return err
		}
		off := int64(vals[len(vals)-1].(uint64))
		chunk := it.Value()
		end := off + int64(len(chunk))
		if end <= from {
			continue
		}
		lo, hi := from-off, min(end, to)-off
		if lo < 0 {
			return fmt.Errorf("blob %s: gap at %d", meta.Data, from)
		}
		if _, err := w.Write(chunk[lo:hi]); err != nil {
			return err
		}
		from = off + hi
	}
	if err := it.Error(); err != nil {
		return err
	}
	if from < to {
		return fmt.Errorf("blob %s: short by %d bytes", meta.Data, to-from)
	}
	return nil
}

// readBlob returns a whole small blob (an image's config).
func (s *Service) readBlob(meta *blobMeta, limit int64) ([]byte, error) {
	if meta.Size > limit {
		return nil, fmt.Errorf("blob of %d bytes over %d", meta.Size, limit)
	}
	var buf bytesWriter
	err := s.writeBlob(&buf, meta, 0, meta.Size)
	return buf.b, err
}

type bytesWriter struct{ b []byte }

func (w *bytesWriter) Write(p []byte) (int, error) { w.b = append(w.b, p...); return len(p), nil }
