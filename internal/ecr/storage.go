package ecr

import (
	"encoding/json"
	"errors"

	"github.com/virga/virga/internal/store"
	"github.com/virga/virga/internal/store/keys"
)

// repository is one repository's settings, policies and tags.
type repository struct {
	Name       string `json:"name"`
	Created    int64  `json:"created"` // epoch ms
	Mutability string `json:"mutability"`
	ScanOnPush bool   `json:"scanOnPush,omitempty"`
	Encryption string `json:"encryption"`
	KmsKey     string `json:"kmsKey,omitempty"`
	Tags       []tag  `json:"tags,omitempty"`
	Lifecycle  string `json:"lifecycle,omitempty"`
	// LifecycleEvaluated is when the lifecycle policy was last applied
	// (epoch ms), GetLifecyclePolicy's lastEvaluatedAt.
	LifecycleEvaluated int64  `json:"lifecycleEvaluated,omitempty"`
	Policy             string `json:"policy,omitempty"`
	ImageCount         int    `json:"images,omitempty"`
}

type tag struct {
	Key   string `json:"k"`
	Value string `json:"v"`
}

// image is one manifest in a repository, by digest, with the tags that
// point at it.
type image struct {
	Digest    string   `json:"digest"`
	MediaType string   `json:"mediaType"`
	Artifact  string   `json:"artifact,omitempty"` // config media type
	Manifest  []byte   `json:"manifest"`
	Size      int64    `json:"size"`
	Pushed    int64    `json:"pushed"` // epoch ms
	Tags      []string `json:"tags,omitempty"`
	// Children are the manifests an index or manifest list names.
	Children []string `json:"children,omitempty"`
	// Scan is the image's last scan, if it has had one.
	Scan *imageScan `json:"scan,omitempty"`
}

// blobMeta is a blob's size and where its bytes are: the chunks under
// ("ecr", "data", Data, offset).
type blobMeta struct {
	Size int64  `json:"size"`
	Data string `json:"data"`
}

// upload is a layer upload in progress (the registry's blob uploads and
// the API's InitiateLayerUpload share it): the repository, the bytes
// received so far, and the SHA-256 state over them, so that an upload
// resumes across requests and restarts.
type upload struct {
	ID      string `json:"id"`
	Repo    string `json:"repo"`
	Size    int64  `json:"size"`
	Hash    []byte `json:"hash"` // sha256 state (encoding.BinaryMarshaler)
	Started int64  `json:"started"`
	// Parts counts UploadLayerPart's parts; ShortPart is set once one
	// was under the minimum part size, which only the last may be.
	Parts     int  `json:"parts,omitempty"`
	ShortPart bool `json:"shortPart,omitempty"`
}

func base(kind string) []byte {
	return keys.AppendString(keys.AppendString(nil, "ecr"), kind)
}

func repoKey(name string) []byte { return keys.AppendString(base("repo"), name) }

func imagePrefix(repo string) []byte { return keys.AppendString(base("image"), repo) }

func imageKey(repo, digest string) []byte { return keys.AppendString(imagePrefix(repo), digest) }

func tagPrefix(repo string) []byte { return keys.AppendString(base("tag"), repo) }

func tagKey(repo, tag string) []byte { return keys.AppendString(tagPrefix(repo), tag) }

func blobKey(digest string) []byte { return keys.AppendString(base("blob"), digest) }

func linkPrefix(repo string) []byte { return keys.AppendString(base("link"), repo) }

// linkKey records that a blob was pushed to (or mounted in) a
// repository: the registry serves a blob only in repositories it is
// linked to.
func linkKey(repo, digest string) []byte { return keys.AppendString(linkPrefix(repo), digest) }

func usePrefix(digest string) []byte { return keys.AppendString(base("use"), digest) }

// useKey is linkKey the other way round: the repositories a blob is
// in, so that a blob no repository holds any more is found and removed.
func useKey(digest, repo string) []byte { return keys.AppendString(usePrefix(digest), repo) }

func uploadKey(id string) []byte { return keys.AppendString(base("upload"), id) }

func dataPrefix(id string) []byte { return keys.AppendString(base("data"), id) }

func chunkKey(id string, offset int64) []byte {
	return keys.AppendUint(dataPrefix(id), uint64(offset))
}

func authKeyKey() []byte { return base("authkey") }

// getJSON reads the value under key into v; false if it is absent.
func getJSON(r store.Reader, key []byte, v any) (bool, error) {
	raw, err := r.Get(key)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, json.Unmarshal(raw, v)
}

func setJSON(b store.Batch, key []byte, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	b.Set(key, raw)
	return nil
}

func (s *Service) loadRepo(name string) (*repository, error) {
	var r repository
	ok, err := getJSON(s.store, repoKey(name), &r)
	if err != nil || !ok {
		return nil, err
	}
	return &r, nil
}

// mustRepo is loadRepo for operations that fail on a missing repository.
func (s *Service) mustRepo(name string) (*repository, error) {
	r, err := s.loadRepo(name)
	if err == nil && r == nil {
		err = s.repoNotFound(name)
	}
	return r, err
}

func (s *Service) repoNotFound(name string) error {
	return ErrRepositoryNotFound.Withf("The repository with name '%s' does not exist in the registry with id '%s'", name, s.account)
}

func (s *Service) loadImage(repo, digest string) (*image, error) {
	var im image
	ok, err := getJSON(s.store, imageKey(repo, digest), &im)
	if err != nil || !ok {
		return nil, err
	}
	return &im, nil
}

// tagged returns the digest a tag points at, or "".
func (s *Service) tagged(repo, tag string) (string, error) {
	raw, err := s.store.Get(tagKey(repo, tag))
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	return string(raw), err
}

// images returns a repository's images in digest order.
func (s *Service) images(repo string) ([]*image, error) {
	lower := imagePrefix(repo)
	it, err := s.store.NewIter(lower, keys.PrefixEnd(lower))
	if err != nil {
		return nil, err
	}
	var out []*image
	for ok := it.First(); ok; ok = it.Next() {
		var im image
		if err := json.Unmarshal(it.Value(), &im); err != nil {
			it.Close()
			return nil, err
		}
		out = append(out, &im)
	}
	return out, it.Close()
}

// repos returns every repository, in name order.
func (s *Service) repos() ([]*repository, error) {
	lower := base("repo")
	it, err := s.store.NewIter(lower, keys.PrefixEnd(lower))
	if err != nil {
		return nil, err
	}
	var out []*repository
	for ok := it.First(); ok; ok = it.Next() {
		var r repository
		if err := json.Unmarshal(it.Value(), &r); err != nil {
			it.Close()
			return nil, err
		}
		out = append(out, &r)
	}
	return out, it.Close()
}

// tags returns a repository's tags in order.
func (s *Service) tags(repo string) ([]string, error) {
	return s.lastKeyParts(tagPrefix(repo))
}

// lastKeyParts returns the last part of every key under prefix, in key
// order: the tags, links and uses below a repository or a blob each end
// in the string they list.
func (s *Service) lastKeyParts(prefix []byte) ([]string, error) {
	it, err := s.store.NewIter(prefix, keys.PrefixEnd(prefix))
	if err != nil {
		return nil, err
	}
	var out []string
	for ok := it.First(); ok; ok = it.Next() {
		vals, err := keys.Decode(it.Key())
		if err != nil {
			it.Close()
			return nil, err
		}
		out = append(out, vals[len(vals)-1].(string))
	}
	return out, it.Close()
}

func (s *Service) loadBlob(digest string) (*blobMeta, error) {
	var b blobMeta
	ok, err := getJSON(s.store, blobKey(digest), &b)
	if err != nil || !ok {
		return nil, err
	}
	return &b, nil
}

// linked reports whether a blob is in a repository.
func (s *Service) linked(repo, digest string) (*blobMeta, error) {
	if _, err := s.store.Get(linkKey(repo, digest)); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, nil
		}
		return nil, err
	}
	return s.loadBlob(digest)
}

func jsonBytes(v any) ([]byte, error) { return json.Marshal(v) }
