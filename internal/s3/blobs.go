package s3

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// blobStore keeps object bytes: in files under a directory, or in memory
// (--in-memory). A blob is named by an id S3 makes (hex), never by an
// object key, so no key can reach outside the directory.
//
// A blob is written to a temporary file, synced when the store's
// durability mode asks for it, and renamed into place before the metadata
// that refers to it is committed: a crash leaves either a temporary file
// (removed at start) or a blob no metadata refers to (removed at start by
// sweep), never metadata without its bytes.
type blobStore struct {
	dir   string // "" keeps blobs in memory
	fsync bool

	mu  sync.Mutex
	mem map[string][]byte
}

// errBlobNotFound is a blob that was removed (its object deleted while a
// read was starting).
var errBlobNotFound = errors.New("s3: blob not found")

func newBlobStore(dir string, fsync bool) (*blobStore, error) {
	b := &blobStore{dir: dir, fsync: fsync, mem: map[string][]byte{}}
	if dir == "" {
		return b, nil
	}
	if err := os.MkdirAll(filepath.Join(dir, "tmp"), 0o755); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(dir, "blobs"), 0o755); err != nil {
		return nil, err
	}
	// Temporary files are writes that were never acknowledged.
	tmp, err := os.ReadDir(filepath.Join(dir, "tmp"))
	if err != nil {
		return nil, err
	}
	for _, e := range tmp {
		os.Remove(filepath.Join(dir, "tmp", e.Name()))
	}
	return b, nil
}

// validID reports whether id is a blob id (lower-case hex), so that a path
// built from it stays in the directory.
func validID(id string) bool {
	if len(id) < 8 || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

func (b *blobStore) path(id string) string {
	return filepath.Join(b.dir, "blobs", id[:2], id)
}

// write stores what r yields as blob id and returns its size. On error
// nothing is stored.
func (b *blobStore) write(id string, r io.Reader) (int64, error) {
	if !validID(id) {
		return 0, fmt.Errorf("s3: bad blob id %q", id)
	}
	if b.dir == "" {
		var buf bytes.Buffer
		n, err := io.Copy(&buf, r)
		if err != nil {
			return 0, err
		}
		b.mu.Lock()
		b.mem[id] = buf.Bytes()
		b.mu.Unlock()
		return n, nil
	}
	f, err := os.CreateTemp(filepath.Join(b.dir, "tmp"), id+"-*")
	if err != nil {
		return 0, err
	}
	tmp := f.Name()
	n, err := io.Copy(f, r)
	if err == nil && b.fsync {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.MkdirAll(filepath.Dir(b.path(id)), 0o755)
	}
	if err == nil {
		err = os.Rename(tmp, b.path(id))
	}
	if err == nil && b.fsync {
		err = syncDir(filepath.Dir(b.path(id)))
	}
	if err != nil {
		os.Remove(tmp)
		return 0, err
	}
	return n, nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// blobReader reads a stored blob.
type blobReader interface {
	io.ReaderAt
	io.Closer
}

type memBlob struct{ *bytes.Reader }

func (memBlob) Close() error { return nil }

// open opens blob id for reading.
func (b *blobStore) open(id string) (blobReader, error) {
	if !validID(id) {
		return nil, errBlobNotFound
	}
	if b.dir == "" {
		b.mu.Lock()
		data, ok := b.mem[id]
		b.mu.Unlock()
		if !ok {
			return nil, errBlobNotFound
		}
		return memBlob{bytes.NewReader(data)}, nil
	}
	f, err := os.Open(b.path(id))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errBlobNotFound
	}
	return f, err
}

// remove deletes blob id; a missing blob is not an error.
func (b *blobStore) remove(id string) {
	if !validID(id) {
		return
	}
	if b.dir == "" {
		b.mu.Lock()
		delete(b.mem, id)
		b.mu.Unlock()
		return
	}
	os.Remove(b.path(id))
}

// sweep removes the blobs for which keep is false: blobs written by
// requests that crashed before their metadata was committed.
func (b *blobStore) sweep(keep func(id string) bool) error {
	if b.dir == "" {
		return nil
	}
	root := filepath.Join(b.dir, "blobs")
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		name := d.Name()
		if strings.HasPrefix(name, ".") || !validID(name) || !keep(name) {
			os.Remove(path)
		}
		return nil
	})
}

// segmentReader reads the bytes [off, off+n) of an object made of
// segments (one blob, or a multipart upload's parts in order).
type segmentReader struct {
	blobs    *blobStore
	segments []segment
	off, n   int64
	cur      blobReader
	curIdx   int
	curOff   int64 // offset in the current blob
}

// prime opens the blob that holds the next byte.
func (r *segmentReader) prime() error {
	if r.cur != nil || r.n <= 0 {
		return nil
	}
	pos := r.off
	idx := 0
	for idx < len(r.segments) && pos >= r.segments[idx].Size {
		pos -= r.segments[idx].Size
		idx++
	}
	if idx >= len(r.segments) {
		return io.ErrUnexpectedEOF
	}
	f, err := r.blobs.open(r.segments[idx].Blob)
	if err != nil {
		return err
	}
	r.cur, r.curIdx, r.curOff = f, idx, pos
	return nil
}

func (r *segmentReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	for r.n > 0 {
		if err := r.prime(); err != nil {
			return 0, err
		}
		left := r.segments[r.curIdx].Size - r.curOff
		if left <= 0 {
			r.cur.Close()
			r.cur = nil
			continue
		}
		want := min(int64(len(p)), left, r.n)
		n, err := r.cur.ReadAt(p[:want], r.curOff)
		r.curOff += int64(n)
		r.off += int64(n)
		r.n -= int64(n)
		if n > 0 {
			return n, nil
		}
		if err == io.EOF {
			return 0, io.ErrUnexpectedEOF
		}
		if err != nil {
			return 0, err
		}
	}
	return 0, io.EOF
}

func (r *segmentReader) Close() error {
	if r.cur != nil {
		r.cur.Close()
		r.cur = nil
	}
	return nil
}
