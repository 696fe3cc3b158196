package lambda

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// extractLocks serializes the extraction of each archive, so that two
// requests needing the same one extract it once.
type extractLocks struct {
	mu    sync.Mutex
	locks map[string]*sync.Mutex
}

func (l *extractLocks) lock(hex string) func() {
	l.mu.Lock()
	if l.locks == nil {
		l.locks = map[string]*sync.Mutex{}
	}
	m := l.locks[hex]
	if m == nil {
		m = &sync.Mutex{}
		l.locks[hex] = m
	}
	l.mu.Unlock()
	m.Lock()
	return m.Unlock
}

// codeDir is where the archive with the given hash is extracted.
func (s *Service) codeDir(hex string) string { return filepath.Join(s.codeRoot, hex) }

// packageCode checks a deployment package or layer archive and extracts
// it into the cache, returning its reference and its CodeSha256 (base64,
// as Lambda reports it). The archive is not stored yet: the caller adds it
// (putCode) to the writes that make a version or layer use it. uploaded
// says the archive came as ZipFile, which is held to 50 MB; one from S3
// is not ("Upload larger files with Amazon S3"), only its unzipped size.
func (s *Service) packageCode(zip []byte, uploaded bool) (codeRef, string, error) {
	if uploaded && len(zip) > maxZipped {
		// A request under maxRequestBody can still carry a package over
		// 50 MB (the limit leaves some room beyond 50 MB in base64).
		return codeRef{}, "", ErrRequestEntityTooLarge.Withf("Zipped size must be smaller than %d bytes", maxZipped)
	}
	sum := sha256.Sum256(zip)
	ref := codeRef{Hex: hex.EncodeToString(sum[:]), Size: int64(len(zip))}
	unzipped, err := s.extract(ref.Hex, zip)
	if err != nil {
		return codeRef{}, "", err
	}
	ref.Unzipped = unzipped
	return ref, base64.StdEncoding.EncodeToString(sum[:]), nil
}

// extract extracts zip (whose hash is hex) into the cache unless it is
// there, and returns its unzipped size.
func (s *Service) extract(hex string, zip []byte) (int64, error) {
	defer s.extracts.lock(hex)()
	dir := s.codeDir(hex)
	if n, err := readUnzippedSize(dir); err == nil {
		return n, nil
	}
	tmp := dir + ".tmp-" + s.ids.Hex(6)
	n, err := extractZip(zip, tmp, maxUnzipped)
	if err != nil {
		var ze *zipError
		if !errors.As(err, &ze) {
			return 0, err
		}
		switch ze.problem {
		case zipTooLarge:
			return 0, invalidParameter("Unzipped size must be smaller than %d bytes", maxUnzipped)
		case zipEmpty:
			return 0, invalidParameter("Uploaded file must be a non-empty zip")
		default:
			return 0, errCouldNotUnzip
		}
	}
	if err := commitDir(tmp, dir, n); err != nil {
		return 0, err
	}
	return n, nil
}

// commitDir moves tmp, a directory filled completely, to dir, and
// records its size n in dir's marker file (see readUnzippedSize). It
// removes tmp if it fails.
func commitDir(tmp, dir string, n int64) error {
	if err := os.WriteFile(tmp+".size", []byte(fmt.Sprint(n)), 0o644); err != nil {
		os.RemoveAll(tmp)
		return err
	}
	os.RemoveAll(dir) // a leftover of an interrupted extraction
	if err := os.Rename(tmp, dir); err != nil {
		os.RemoveAll(tmp)
		os.Remove(tmp + ".size")
		return err
	}
	return os.Rename(tmp+".size", dir+".size")
}

// readUnzippedSize reports the size of an extracted archive from its
// marker file, which is written last: a directory without one is
// incomplete.
func readUnzippedSize(dir string) (int64, error) {
	b, err := os.ReadFile(dir + ".size")
	if err != nil {
		return 0, err
	}
	if _, err := os.Stat(dir); err != nil {
		return 0, err
	}
	var n int64
	if _, err := fmt.Sscan(string(b), &n); err != nil {
		return 0, err
	}
	return n, nil
}

// ensureExtracted returns the directory of a stored archive, extracting
// it from the store if the cache lacks it (a new data directory, or a
// cache someone cleaned).
func (s *Service) ensureExtracted(ref codeRef) (string, error) {
	if ref.AWSLayer != "" {
		_, dir, err := s.buildAWSLayer(context.Background(), ref.AWSLayer)
		return dir, err
	}
	dir := s.codeDir(ref.Hex)
	if _, err := readUnzippedSize(dir); err == nil {
		return dir, nil
	}
	zip, err := s.readCode(ref.Hex)
	if err != nil {
		return "", err
	}
	if _, err := s.extract(ref.Hex, zip); err != nil {
		return "", fmt.Errorf("lambda: extracting stored archive %s: %w", ref.Hex, err)
	}
	return dir, nil
}

// removeExtracted deletes archives' directories from the cache.
func (s *Service) removeExtracted(hexes []string) {
	for _, h := range hexes {
		unlock := s.extracts.lock(h)
		dir := s.codeDir(h)
		if err := os.Remove(dir + ".size"); err == nil || errors.Is(err, fs.ErrNotExist) {
			os.RemoveAll(dir)
		}
		unlock()
	}
}
