// Package artifacts keeps deployment artifacts — the zips `virga deploy`
// builds from a template's local code — until the resources made from
// them take their copy. It stands where `sam deploy` puts artifacts on
// AWS, an S3 bucket: a template refers to one as
// s3://virga-artifacts/SHA256.zip, and Lambda reads Code.S3Bucket
// "virga-artifacts" from here first, then from virga's S3. Artifacts
// that `aws cloudformation package` uploads go to virga's S3 itself, as
// does a template virga deploy finds too large to pass inline.
//
// Artifacts are content-addressed: PUT /_virga/artifacts/SHA256.zip
// stores a body whose SHA-256 is SHA256, GET reads it back.
package artifacts

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/store/keys"
)

// Bucket is the bucket name templates use for artifacts.
const Bucket = "virga-artifacts"

// Path is where the HTTP handler is mounted.
const Path = "/_virga/artifacts/"

// MaxSize bounds an artifact: Lambda's unzipped limit is larger, but a
// zip over 250 MB could never become a function.
const MaxSize = 250 << 20

const chunk = 1 << 20

// Store keeps artifacts in the key-value store.
type Store struct{ db store.Store }

// New returns the artifact store over db.
func New(db store.Store) *Store { return &Store{db: db} }

// ErrNotFound is returned for an artifact that was never stored.
var ErrNotFound = errors.New("artifact not found")

func metaKey(sum string) []byte {
	return keys.AppendString(keys.AppendString(keys.AppendString(nil, "artifact"), sum), "size")
}
func chunkKey(sum string, i int64) []byte {
	return keys.AppendInt(keys.AppendString(keys.AppendString(keys.AppendString(nil, "artifact"), sum), "chunk"), i)
}

// Put stores data and returns its key, SHA256.zip.
func (s *Store) Put(data []byte) (string, error) {
	sumb := sha256.Sum256(data)
	sum := hex.EncodeToString(sumb[:])
	if _, err := s.db.Get(metaKey(sum)); err == nil {
		return sum + ".zip", nil
	}
	b := s.db.NewBatch()
	defer b.Close()
	for i := int64(0); i*chunk < int64(len(data)); i++ {
		end := min((i+1)*chunk, int64(len(data)))
		b.Set(chunkKey(sum, i), data[i*chunk:end])
	}
	b.Set(metaKey(sum), []byte(fmt.Sprint(len(data))))
	if err := b.Commit(); err != nil {
		return "", err
	}
	return sum + ".zip", nil
}

// Get returns the artifact stored under key (SHA256.zip).
func (s *Store) Get(key string) ([]byte, error) {
	sum, ok := strings.CutSuffix(key, ".zip")
	if !ok || !isSum(sum) {
		return nil, ErrNotFound
	}
	v, err := s.db.Get(metaKey(sum))
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	var size int64
	fmt.Sscan(string(v), &size)
	out := make([]byte, 0, size)
	for i := int64(0); int64(len(out)) < size; i++ {
		c, err := s.db.Get(chunkKey(sum, i))
		if err != nil {
			return nil, fmt.Errorf("artifact %s: %w", key, err)
		}
		out = append(out, c...)
	}
	return out, nil
}

func isSum(s string) bool {
	return len(s) == 64 && strings.Trim(s, "0123456789abcdef") == ""
}

// Handler serves PUT and GET of Path+SHA256.zip.
func (s *Store) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := strings.TrimPrefix(r.URL.Path, Path)
		sum, ok := strings.CutSuffix(key, ".zip")
		if !ok || !isSum(sum) {
			http.Error(w, "an artifact is named SHA256.zip", http.StatusBadRequest)
			return
		}
		switch r.Method {
		case http.MethodPut:
			data, err := io.ReadAll(io.LimitReader(r.Body, MaxSize+1))
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			if len(data) > MaxSize {
				http.Error(w, "artifact too large", http.StatusRequestEntityTooLarge)
				return
			}
			got := sha256.Sum256(data)
			if hex.EncodeToString(got[:]) != sum {
				http.Error(w, "the body's SHA-256 is not the name's", http.StatusBadRequest)
				return
			}
			if _, err := s.Put(data); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			w.WriteHeader(http.StatusCreated)
		case http.MethodGet, http.MethodHead:
			data, err := s.Get(key)
			if err != nil {
				http.Error(w, "no such artifact", http.StatusNotFound)
				return
			}
			w.Header().Set("Content-Type", "application/zip")
			w.Write(data)
		default:
			w.Header().Set("Allow", "GET, HEAD, PUT")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		}
	})
}
