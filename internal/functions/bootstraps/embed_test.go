package bootstraps

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/virga/virga/internal/testenv"
)

func TestInstall(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for range 2 { // a second install replaces the first
		d, err := Install(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range []struct {
			path string
			want []byte
		}{{filepath.Join(d.Python, PythonFile), Python}, {filepath.Join(d.Node, NodeFile), Node}, {filepath.Join(d.Ruby, RubyFile), Ruby}, {filepath.Join(d.Java, JavaFile), Java}} {
			got, err := os.ReadFile(f.path)
			if err != nil || !bytes.Equal(got, f.want) {
				t.Fatalf("%s: %v", f.path, err)
			}
		}
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "python"))
	if len(entries) != 1 {
		t.Errorf("leftovers: %v", entries)
	}
}

// TestSyntax compiles each bootstrap with its interpreter (the functions
// package runs them for real).
func TestSyntax(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	d, err := Install(dir)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(testenv.Tool(t, "python3"), "-c", "import ast,sys; ast.parse(open(sys.argv[1]).read())", filepath.Join(d.Python, PythonFile))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("python: %v\n%s", err, out)
	}
	if out, err := exec.Command(testenv.Tool(t, "node"), "--check", filepath.Join(d.Node, NodeFile)).CombinedOutput(); err != nil {
		t.Errorf("node: %v\n%s", err, out)
	}
	if out, err := exec.Command(testenv.Tool(t, "ruby"), "-wc", filepath.Join(d.Ruby, RubyFile)).CombinedOutput(); err != nil || string(out) != "Syntax OK\n" {
		t.Errorf("ruby: %v\n%s", err, out)
	}
}

// TestDigest: the digest follows the bootstraps' content, so that builds
// with different bootstraps keep them apart.
func TestDigest(t *testing.T) {
	d := Digest()
	if len(d) != 12 || d != Digest() {
		t.Fatalf("Digest() = %q", d)
	}
	saved := Node
	t.Cleanup(func() { Node = saved })
	Node = append(bytes.Clone(saved), "\n// changed\n"...)
	if Digest() == d {
		t.Error("the digest did not change with the Node bootstrap")
	}
	Node = saved
	savedRuby := Ruby
	t.Cleanup(func() { Ruby = savedRuby })
	Ruby = append(bytes.Clone(savedRuby), "\n# changed\n"...)
	if Digest() == d {
		t.Error("the digest did not change with the Ruby bootstrap")
	}
}

// TestCompileJava compiles the Java bootstrap once per source and JDK:
// a second call with the same JDK keeps the classes, another JDK
// recompiles them.
func TestCompileJava(t *testing.T) {
	t.Parallel()
	javac := testenv.Tool(t, "javac")
	d, err := Install(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	main := filepath.Join(d.Java, JavaClasses, "virga", "lambda", "Bootstrap.class")
	if err := CompileJava(d.Java, javac, "jdk-a"); err != nil {
		t.Fatal(err)
	}
	first, err := os.Stat(main)
	if err != nil {
		t.Fatal(err)
	}
	if err := CompileJava(d.Java, javac, "jdk-a"); err != nil {
		t.Fatal(err)
	}
	if again, err := os.Stat(main); err != nil || !os.SameFile(first, again) {
		t.Errorf("the same JDK recompiled the bootstrap: %v", err)
	}
	if err := CompileJava(d.Java, javac, "jdk-b"); err != nil {
		t.Fatal(err)
	}
	if other, err := os.Stat(main); err != nil || os.SameFile(first, other) {
		t.Errorf("another JDK kept the classes: %v", err)
	}
	entries, _ := os.ReadDir(d.Java)
	for _, e := range entries {
		if e.Name() != JavaFile && e.Name() != JavaClasses && e.Name() != ".lock" {
			t.Errorf("leftover %s", e.Name())
		}
	}
	// Another work directory takes the classes from the cache.
	d2, err := Install(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := CompileJava(d2.Java, filepath.Join(t.TempDir(), "no-javac"), "jdk-b"); err != nil {
		t.Errorf("the cached classes were not used: %v", err)
	}
	if _, err := os.Stat(filepath.Join(d2.Java, JavaClasses, "virga", "lambda", "Bootstrap.class")); err != nil {
		t.Error(err)
	}
	unique := "jdk-" + t.Name() + "-" + strconv.FormatInt(time.Now().UnixNano(), 10)
	if err := CompileJava(d2.Java, filepath.Join(t.TempDir(), "no-javac"), unique); err == nil {
		t.Error("a missing javac compiled")
	}
}
