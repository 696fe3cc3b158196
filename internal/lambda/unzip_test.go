package lambda

import (
	"archive/zip"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const link = 0o777 | os.ModeSymlink

func TestExtractZipRefusesEscapes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		files []zf
		want  zipProblem
	}{
		{"dot-dot", []zf{{name: "../evil", body: "x"}}, zipUnsafe},
		{"dot-dot deep", []zf{{name: "a/b/../../../evil", body: "x"}}, zipUnsafe},
		{"dot-dot backslash", []zf{{name: `..\evil`, body: "x"}}, zipUnsafe},
		{"absolute", []zf{{name: "/tmp/evil", body: "x"}}, zipUnsafe},
		{"drive letter", []zf{{name: "C:/evil", body: "x"}}, zipUnsafe},
		{"link up", []zf{{name: "l", body: "..", mode: link}}, zipUnsafe},
		{"link up deep", []zf{{name: "a/l", body: "../../x", mode: link}}, zipUnsafe},
		{"absolute link", []zf{{name: "l", body: "/etc/passwd", mode: link}}, zipUnsafe},
		{"absolute link climbing out of /opt", []zf{{name: "l", body: "/opt/../etc", mode: link}}, zipUnsafe},
		// Each link stays inside on its own; followed through the
		// first, the second climbs out.
		{"link chain", []zf{
			{name: "a/b/c/up", body: "../../..", mode: link},
			{name: "e", body: "a/b/c/up/..", mode: link},
		}, zipUnsafe},
		{"write through link", []zf{
			{name: "l", body: "sub", mode: link},
			{name: "l/file", body: "x"},
		}, zipUnsafe},
		{"write through link dir entry", []zf{
			{name: "l", body: "sub", mode: link},
			{name: "l/", mode: 0o755 | os.ModeDir},
		}, zipUnsafe},
		{"link loop", []zf{{name: "a", body: "b/x", mode: link}, {name: "b", body: "a/y", mode: link}}, zipUnsafe},
		{"duplicate", []zf{{name: "f", body: "1"}, {name: "f", body: "2"}}, zipInvalid},
		{"file then link", []zf{{name: "f", body: "1"}, {name: "f", body: "/etc", mode: link}}, zipInvalid},
		{"file and dir", []zf{{name: "f", body: "1"}, {name: "f/g", body: "2"}}, zipInvalid},
		{"empty", nil, zipEmpty},
	} {
		t.Run(tc.name, func(t *testing.T) {
			parent := t.TempDir()
			dir := filepath.Join(parent, "out")
			_, err := extractZip(makeZip(t, tc.files...), dir, maxUnzipped)
			var ze *zipError
			if !errors.As(err, &ze) || ze.problem != tc.want {
				t.Fatalf("extractZip = %v, want problem %d", err, tc.want)
			}
			entries, _ := os.ReadDir(parent)
			if len(entries) != 0 {
				t.Errorf("left behind in the parent: %v", entries)
			}
		})
	}
}

func TestExtractZipAcceptsWhatStaysInside(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "out")
	n, err := extractZip(makeZip(t,
		zf{name: "./bootstrap", body: "#!/bin/sh\n", mode: 0o755},
		zf{name: "a/b/c.txt", body: "abc"},
		zf{name: "a/../d.txt", body: "d"}, // cleaned to d.txt, inside
		zf{name: "a/up", body: "..", mode: link},
		zf{name: "a/sib", body: "../a/b", mode: link},
		zf{name: "opt", body: "/opt/python", mode: link},
		zf{name: "task", body: "/var/task/a", mode: link},
		zf{name: "dangling", body: "nothing/here", mode: link},
		zf{name: "a/", mode: 0o755 | os.ModeDir},
	), dir, maxUnzipped)
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(len("#!/bin/sh\n")+len("abc")+len("d")) {
		t.Errorf("extracted %d bytes", n)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "a", "sib", "c.txt")); err != nil || string(b) != "abc" {
		t.Errorf("a/sib/c.txt = %q, %v", b, err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "bootstrap")); err != nil || fi.Mode().Perm() != 0o755 {
		t.Errorf("bootstrap: %v %v", fi, err)
	}
}

func TestExtractZipLimits(t *testing.T) {
	t.Parallel()
	big := makeZip(t, zf{name: "a", body: strings.Repeat("x", 1000)}, zf{name: "b", body: strings.Repeat("y", 1000)})
	var ze *zipError
	if _, err := extractZip(big, filepath.Join(t.TempDir(), "out"), 1500); !errors.As(err, &ze) || ze.problem != zipTooLarge {
		t.Errorf("over the limit: %v", err)
	}
	// A zip that understates its sizes is caught while extracting.
	lying := understate(t, big)
	if _, err := extractZip(lying, filepath.Join(t.TempDir(), "out"), 1500); !errors.As(err, &ze) || (ze.problem != zipTooLarge && ze.problem != zipInvalid) {
		t.Errorf("understated sizes: %v", err)
	}
	// Encrypted entries cannot be read.
	enc := makeZip(t, zf{name: "secret", body: "x"})
	setFlag(enc, 0x1)
	if _, err := extractZip(enc, filepath.Join(t.TempDir(), "out"), maxUnzipped); !errors.As(err, &ze) || ze.problem != zipInvalid {
		t.Errorf("encrypted: %v", err)
	}
}

// understate rewrites the uncompressed sizes in a zip's central
// directory to 1, as a zip bomb would.
func understate(t *testing.T, data []byte) []byte {
	t.Helper()
	out := bytes.Clone(data)
	sig := []byte{'P', 'K', 1, 2}
	for i := bytes.Index(out, sig); i >= 0; {
		// central directory header: uncompressed size at offset 24
		out[i+24], out[i+25], out[i+26], out[i+27] = 1, 0, 0, 0
		j := bytes.Index(out[i+4:], sig)
		if j < 0 {
			break
		}
		i += 4 + j
	}
	if _, err := zip.NewReader(bytes.NewReader(out), int64(len(out))); err != nil {
		t.Fatal(err)
	}
	return out
}

// setFlag sets a general purpose flag bit on every central directory
// header.
func setFlag(data []byte, bit uint16) {
	sig := []byte{'P', 'K', 1, 2}
	for i := 0; ; {
		j := bytes.Index(data[i:], sig)
		if j < 0 {
			return
		}
		i += j
		data[i+8] |= byte(bit)
		i += 4
	}
}

// FuzzExtractZip checks that whatever the archive, extraction writes
// nothing outside its directory and leaves no link there that leads out
// of it.
func FuzzExtractZip(f *testing.F) {
	for _, files := range [][]zf{
		{{name: "bootstrap", body: "#!/bin/sh\n", mode: 0o755}},
		{{name: "../evil", body: "x"}},
		{{name: "a/b/c", body: "x"}, {name: "a/l", body: "../b", mode: link}},
		{{name: "l", body: "/etc", mode: link}, {name: "l/x", body: "y"}},
		{{name: "a/b/c/up", body: "../../..", mode: link}, {name: "e", body: "a/b/c/up/..", mode: link}},
		{{name: "d/", mode: 0o755 | os.ModeDir}, {name: "d/f", body: strings.Repeat("z", 300)}},
	} {
		f.Add(makeZip(f, files...))
	}
	f.Add([]byte("PK\x05\x06" + strings.Repeat("\x00", 18)))
	f.Fuzz(func(t *testing.T, data []byte) {
		parent := t.TempDir()
		dir := filepath.Join(parent, "out")
		_, err := extractZip(data, dir, 1<<20)
		entries, _ := os.ReadDir(parent)
		if err != nil {
			if len(entries) != 0 {
				t.Fatalf("failed extraction left %v", entries)
			}
			return
		}
		if len(entries) != 1 || entries[0].Name() != "out" {
			t.Fatalf("extraction wrote %v beside its directory", entries)
		}
		filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.Type()&os.ModeSymlink == 0 {
				return nil
			}
			dest, err := os.Readlink(p)
			if err != nil {
				t.Fatal(err)
			}
			if filepath.IsAbs(dest) {
				clean := filepath.Clean(dest)
				if !strings.HasPrefix(clean+"/", "/opt/") && !strings.HasPrefix(clean+"/", "/var/task/") {
					t.Fatalf("link %s leads to %s", p, dest)
				}
				return nil
			}
			if real, err := filepath.EvalSymlinks(p); err == nil {
				if rel, err := filepath.Rel(dir, real); err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
					if !strings.HasPrefix(real, "/opt/") && !strings.HasPrefix(real, "/var/task/") {
						t.Fatalf("link %s resolves to %s, outside %s", p, real, dir)
					}
				}
			}
			return nil
		})
	})
}
