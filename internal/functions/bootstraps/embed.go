package bootstraps

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"os"
	"path/filepath"
)

// Python is python/bootstrap.py: `python3 bootstrap.py [OPT_DIR]`.
//
//go:embed python/bootstrap.py
var Python []byte

// Node is node/bootstrap.mjs: `node bootstrap.mjs`.
//
//go:embed node/bootstrap.mjs
var Node []byte

// Files name the bootstrap of each language inside its runtime directory.
const (
	PythonFile = "bootstrap.py"
	NodeFile   = "bootstrap.mjs"
)

// Digest names this build's bootstraps: the first 12 hex digits of the
// SHA-256 of their content. Two virga builds whose bootstraps differ
// have different digests.
func Digest() string {
	h := sha256.New()
	h.Write(Python)
	h.Write([]byte{0})
	h.Write(Node)
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// Install writes the bootstraps under dir, as dir/python/bootstrap.py and
// dir/node/bootstrap.mjs, replacing what is there atomically, and returns
// the two runtime directories.
func Install(dir string) (python, node string, err error) {
	python, node = filepath.Join(dir, "python"), filepath.Join(dir, "node")
	for _, f := range []struct {
		dir, name string
		data      []byte
	}{{python, PythonFile, Python}, {node, NodeFile, Node}} {
		if err := os.MkdirAll(f.dir, 0o755); err != nil {
			return "", "", err
		}
		tmp, err := os.CreateTemp(f.dir, ".bootstrap-*")
		if err != nil {
			return "", "", err
		}
		_, werr := tmp.Write(f.data)
		cerr := tmp.Close()
		if werr == nil {
			werr = cerr
		}
		if werr == nil {
			werr = os.Chmod(tmp.Name(), 0o644)
		}
		if werr == nil {
			werr = os.Rename(tmp.Name(), filepath.Join(f.dir, f.name))
		}
		if werr != nil {
			os.Remove(tmp.Name())
			return "", "", werr
		}
	}
	return python, node, nil
}
