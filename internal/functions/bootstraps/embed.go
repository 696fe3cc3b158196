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

// Ruby is ruby/bootstrap.rb: `ruby bootstrap.rb`.
//
//go:embed ruby/bootstrap.rb
var Ruby []byte

// Java is java/Bootstrap.java, the source of the class
// virga.lambda.Bootstrap: compiled once per host JDK (CompileJava), then
// `java -cp DIR/classes virga.lambda.Bootstrap [OPT_DIR]`.
//
//go:embed java/Bootstrap.java
var Java []byte

// Files name the bootstrap of each language inside its runtime directory.
const (
	PythonFile = "bootstrap.py"
	NodeFile   = "bootstrap.mjs"
	RubyFile   = "bootstrap.rb"
	JavaFile   = "Bootstrap.java"
	// JavaClasses is the directory of the compiled Java bootstrap inside
	// the Java runtime directory, and JavaMain its main class.
	JavaClasses = "classes"
	JavaMain    = "virga.lambda.Bootstrap"
)

// Dirs are the runtime directories Install writes, one a language.
type Dirs struct {
	Python, Node, Ruby, Java string
}

// Digest names this build's bootstraps: the first 12 hex digits of the
// SHA-256 of their content. Two virga builds whose bootstraps differ
// have different digests.
func Digest() string {
	h := sha256.New()
	h.Write(Python)
	h.Write([]byte{0})
	h.Write(Node)
	h.Write([]byte{0})
	h.Write(Ruby)
	h.Write(Java)
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// Install writes the bootstraps under dir, as dir/python/bootstrap.py,
// dir/node/bootstrap.mjs, dir/ruby/bootstrap.rb and
// dir/java/Bootstrap.java, replacing what is there atomically, and
// returns the runtime directories. The Java source is compiled later, by
// CompileJava, when a Java function first needs it.
func Install(dir string) (Dirs, error) {
	d := Dirs{Python: filepath.Join(dir, "python"), Node: filepath.Join(dir, "node"), Ruby: filepath.Join(dir, "ruby"), Java: filepath.Join(dir, "java")}
	for _, f := range []struct {
		dir, name string
		data      []byte
	}{{d.Python, PythonFile, Python}, {d.Node, NodeFile, Node}, {d.Ruby, RubyFile, Ruby}, {d.Java, JavaFile, Java}} {
		if err := os.MkdirAll(f.dir, 0o755); err != nil {
			return Dirs{}, err
		}
		tmp, err := os.CreateTemp(f.dir, ".bootstrap-*")
		if err != nil {
			return Dirs{}, err
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
			return Dirs{}, werr
		}
	}
	return d, nil
}
