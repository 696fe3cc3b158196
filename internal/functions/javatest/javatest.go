// Package javatest builds the Java deployment package the Java runtime's
// tests run: stand-ins for aws-lambda-java-core's interfaces and a few
// aws-lambda-java-events classes (same packages and signatures, written
// for these tests: the libraries cannot be downloaded where the tests
// run), and handlers in each form Lambda's Java runtimes accept,
// compiled with the host's javac.
//
// The package has the layout Lambda loads: handler classes at the root,
// the stand-in libraries as jars under lib/, and a layer whose
// java/lib/shared.jar a handler uses. example/Future.class is marked as
// compiled for a Java newer than any host's (class file version 100).
package javatest

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/virga/virga/internal/testenv"
)

//go:embed src
var sources embed.FS

// Package is a built deployment package and layer.
type Package struct {
	// CodeDir is the function's code: classes at the root, lib/*.jar.
	CodeDir string
	// LayerDir is a layer's content: java/lib/shared.jar.
	LayerDir string
}

var (
	once  sync.Once
	built Package
	err   error
)

// Build requires javac (skipping t without it, failing it under CI) and
// returns the package, compiled once per machine and source: later test
// processes find it under the system's temporary directory.
func Build(t testing.TB) Package {
	t.Helper()
	javac := testenv.Tool(t, "javac")
	testenv.Tool(t, "java")
	once.Do(func() { built, err = build(javac) })
	if err != nil {
		t.Fatal(err)
	}
	return built
}

func build(javac string) (Package, error) {
	h := sha256.New()
	h.Write([]byte(javac))
	var files []string
	fs.WalkDir(sources, "src", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, p)
		}
		return nil
	})
	sort.Strings(files)
	for _, f := range files {
		b, _ := sources.ReadFile(f)
		h.Write([]byte(f))
		h.Write(b)
	}
	final := filepath.Join(os.TempDir(), "virga-javatest-"+hex.EncodeToString(h.Sum(nil))[:12])
	pkg := Package{CodeDir: filepath.Join(final, "code"), LayerDir: filepath.Join(final, "layer")}
	if _, err := os.Stat(filepath.Join(final, ".done")); err == nil {
		return pkg, nil
	}
	work, err := os.MkdirTemp(os.TempDir(), "virga-javatest-build-")
	if err != nil {
		return pkg, err
	}
	defer os.RemoveAll(work)
	var srcs []string
	for _, f := range files {
		b, _ := sources.ReadFile(f)
		p := filepath.Join(work, f)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			return pkg, err
		}
		srcs = append(srcs, p)
	}
	classes := filepath.Join(work, "classes")
	args := append([]string{"-nowarn", "-encoding", "UTF-8", "-d", classes}, srcs...)
	if out, err := exec.Command(javac, args...).CombinedOutput(); err != nil {
		return pkg, fmt.Errorf("javac: %v\n%s", err, out)
	}
	out := filepath.Join(work, "out")
	code, layer := filepath.Join(out, "code"), filepath.Join(out, "layer")
	// Classes under these prefixes go to jars, the first prefix that
	// matches; the others are the handlers, at the root.
	jars := []struct{ prefix, jar string }{
		{"com/amazonaws/services/lambda/runtime/events/", filepath.Join(code, "lib", "aws-lambda-java-events-standin.jar")},
		{"com/amazonaws/services/lambda/runtime/", filepath.Join(code, "lib", "aws-lambda-java-core-standin.jar")},
		{"org/joda/", filepath.Join(code, "lib", "joda-time-standin.jar")},
		{"shared/", filepath.Join(layer, "java", "lib", "shared.jar")},
	}
	entries := map[string]map[string][]byte{}
	err = filepath.WalkDir(classes, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel := filepath.ToSlash(strings.TrimPrefix(p, classes+string(filepath.Separator)))
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		jar := ""
		for _, j := range jars {
			if strings.HasPrefix(rel, j.prefix) {
				jar = j.jar
				break
			}
		}
		if jar == "" {
			if rel == "example/Future.class" {
				b[6], b[7] = 0, 100 // major version 100
			}
			dst := filepath.Join(code, rel)
			os.MkdirAll(filepath.Dir(dst), 0o755)
			return os.WriteFile(dst, b, 0o644)
		}
		if entries[jar] == nil {
			entries[jar] = map[string][]byte{}
		}
		entries[jar][rel] = b
		return nil
	})
	if err != nil {
		return pkg, err
	}
	for jar, files := range entries {
		b, err := zipOf(files)
		if err != nil {
			return pkg, err
		}
		os.MkdirAll(filepath.Dir(jar), 0o755)
		if err := os.WriteFile(jar, b, 0o644); err != nil {
			return pkg, err
		}
	}
	if err := os.WriteFile(filepath.Join(out, ".done"), nil, 0o644); err != nil {
		return pkg, err
	}
	if err := os.Rename(out, final); err != nil {
		// Another process built it first.
		if _, serr := os.Stat(filepath.Join(final, ".done")); serr != nil {
			return pkg, err
		}
	}
	return pkg, nil
}

// Zip is dir as a zip archive: the deployment package CreateFunction
// takes.
func Zip(t testing.TB, dir string) []byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() == ".done" {
			return err
		}
		b, err := os.ReadFile(p)
		files[filepath.ToSlash(strings.TrimPrefix(p, dir+string(filepath.Separator)))] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	b, err := zipOf(files)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func zipOf(files map[string][]byte) ([]byte, error) {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(files[n]); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
