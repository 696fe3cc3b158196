package lambda

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"
)

// zipProblem is why a deployment package could not be extracted.
type zipProblem int

const (
	zipInvalid  zipProblem = iota // not a zip, corrupt, encrypted, unsupported compression
	zipEmpty                      // no entries
	zipTooLarge                   // more than the limit unzipped, or too many entries
	zipUnsafe                     // a path or link that leaves the package
)

// zipError is a package extractZip refused.
type zipError struct {
	problem zipProblem
	detail  string
}

func (e *zipError) Error() string { return "deployment package: " + e.detail }

func zipErr(p zipProblem, format string, args ...any) error {
	return &zipError{problem: p, detail: fmt.Sprintf(format, args...)}
}

// allowedLinkRoots are the absolute paths a symbolic link in a package
// may point into: the function's own code and its layers, where the
// sandbox mounts them.
var allowedLinkRoots = []string{"/var/task", "/opt"}

// maxLinkHops bounds the symbolic links followed when checking where one
// leads, as the kernel bounds them (ELOOP).
const maxLinkHops = 40

// extractZip extracts the zip archive data into dir, which must not
// exist, and returns how many bytes it extracted. It refuses, before
// writing anything outside dir and without following any link it
// created:
//
//   - absolute paths, and paths that climb out of dir with "..";
//   - entries beneath a symbolic link of the archive;
//   - symbolic links that lead outside dir, followed through the links
//     the archive makes, unless they lead into /var/task or /opt;
//   - duplicate entries, encrypted entries, unsupported compression;
//   - more than limit bytes or maxZipEntries entries in all.
//
// File permissions are kept (execute bits matter: a bootstrap without
// one fails as it does on AWS), with the owner's read bit added and
// set-id bits dropped; directories are 0755. On error dir is removed.
func extractZip(data []byte, dir string, limit int64) (n int64, err error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if errors.Is(err, zip.ErrInsecurePath) {
		return 0, zipErr(zipUnsafe, "%v", err)
	}
	if err != nil {
		return 0, zipErr(zipInvalid, "%v", err)
	}
	if len(zr.File) == 0 {
		return 0, zipErr(zipEmpty, "no entries")
	}
	if len(zr.File) > maxZipEntries {
		return 0, zipErr(zipTooLarge, "%d entries", len(zr.File))
	}
	var declared uint64
	for _, f := range zr.File {
		declared += f.UncompressedSize64
	}
	if declared > uint64(limit) {
		return 0, zipErr(zipTooLarge, "%d bytes unzipped", declared)
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		return 0, err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(dir)
		}
	}()
	x := &extraction{root: dir, limit: limit, links: map[string]bool{}, seen: map[string]bool{}}
	for _, f := range zr.File {
		if err := x.entry(f); err != nil {
			return 0, err
		}
	}
	for link := range x.links {
		if err := x.checkLink(link); err != nil {
			return 0, err
		}
	}
	return x.written, nil
}

// extraction is the state of one extractZip.
type extraction struct {
	root    string
	limit   int64
	written int64
	// links are the symbolic links created, and seen every path, as
	// cleaned slash-separated paths relative to root.
	links map[string]bool
	seen  map[string]bool
}

// cleanName turns an entry's name into a slash-separated path relative
// to the root, refusing those that leave it. "." is the root itself.
func cleanName(name string) (string, error) {
	name = strings.ReplaceAll(name, `\`, "/") // as unzip does with DOS separators
	if strings.ContainsRune(name, 0) {
		return "", zipErr(zipUnsafe, "a name with a NUL byte")
	}
	if strings.HasPrefix(name, "/") || (len(name) >= 2 && name[1] == ':' && isLetter(name[0])) {
		return "", zipErr(zipUnsafe, "absolute path %q", name)
	}
	clean := path.Clean(name)
	if clean == ".." || strings.HasPrefix(clean, "../") {
		return "", zipErr(zipUnsafe, "path %q leaves the package", name)
	}
	return clean, nil
}

func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

func (x *extraction) entry(f *zip.File) error {
	rel, err := cleanName(f.Name)
	if err != nil {
		return err
	}
	if f.Flags&0x1 != 0 {
		return zipErr(zipInvalid, "%q is encrypted", f.Name)
	}
	mode := f.Mode()
	isDir := mode.IsDir() || strings.HasSuffix(f.Name, "/")
	if rel == "." {
		if isDir {
			return nil
		}
		return zipErr(zipUnsafe, "entry %q names the package's root", f.Name)
	}
	if err := x.mkdirs(path.Dir(rel)); err != nil {
		return err
	}
	target := filepath.Join(x.root, filepath.FromSlash(rel))
	if isDir {
		if x.links[rel] {
			return zipErr(zipUnsafe, "%q is both a link and a directory", rel)
		}
		return x.mkdir(rel)
	}
	if x.seen[rel] {
		return zipErr(zipInvalid, "duplicate entry %q", rel)
	}
	x.seen[rel] = true
	rc, err := f.Open()
	if err != nil {
		return zipErr(zipInvalid, "%q: %v", f.Name, err)
	}
	defer rc.Close()
	if mode&fs.ModeSymlink != 0 {
		dest, err := io.ReadAll(io.LimitReader(rc, 4097))
		if err != nil {
			return zipErr(zipInvalid, "%q: %v", f.Name, err)
		}
		if len(dest) == 0 || len(dest) > 4096 || bytes.IndexByte(dest, 0) >= 0 {
			return zipErr(zipUnsafe, "link %q has an unusable target", rel)
		}
		if err := os.Symlink(string(dest), target); err != nil {
			return zipErr(zipInvalid, "link %q: %v", rel, err)
		}
		x.links[rel] = true
		return nil
	}
	perm := mode.Perm() | 0o400
	// O_EXCL|O_NOFOLLOW: never write through a link or over a file.
	out, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW, perm)
	if err != nil {
		return zipErr(zipInvalid, "%q: %v", rel, err)
	}
	remaining := x.limit - x.written
	n, err := io.Copy(out, io.LimitReader(rc, remaining+1))
	x.written += n
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if x.written > x.limit {
		return zipErr(zipTooLarge, "more than %d bytes unzipped", x.limit)
	}
	if err != nil {
		return zipErr(zipInvalid, "%q: %v", rel, err)
	}
	// The umask may have taken bits away; the archive's are wanted.
	if err := os.Chmod(target, perm); err != nil {
		return err
	}
	return nil
}

// mkdirs makes the directory rel and its parents, refusing to make one
// beneath a link of the archive or where a file is.
func (x *extraction) mkdirs(rel string) error {
	if rel == "." {
		return nil
	}
	if err := x.mkdirs(path.Dir(rel)); err != nil {
		return err
	}
	return x.mkdir(rel)
}

func (x *extraction) mkdir(rel string) error {
	if x.links[rel] {
		return zipErr(zipUnsafe, "an entry beneath link %q", rel)
	}
	target := filepath.Join(x.root, filepath.FromSlash(rel))
	fi, err := os.Lstat(target)
	switch {
	case err == nil && fi.IsDir():
		return nil
	case err == nil:
		return zipErr(zipInvalid, "%q is a file and a directory", rel)
	case !errors.Is(err, fs.ErrNotExist):
		return err
	}
	if err := os.Mkdir(target, 0o755); err != nil {
		return zipErr(zipInvalid, "%q: %v", rel, err)
	}
	x.seen[rel] = true
	return nil
}

// checkLink follows the link rel, through every link of the archive on
// the way, and refuses it if it leads out of the root (other than into
// allowedLinkRoots) or loops.
func (x *extraction) checkLink(rel string) error {
	var stack []string // the resolved path so far, from the root
	if d := path.Dir(rel); d != "." {
		stack = strings.Split(d, "/")
	}
	dest, err := os.Readlink(filepath.Join(x.root, filepath.FromSlash(rel)))
	if err != nil {
		return err
	}
	pending := []string{dest}
	hops := 0
	for len(pending) > 0 {
		p := pending[0]
		pending = pending[1:]
		if strings.HasPrefix(p, "/") {
			// Cleaning ".." as text would be wrong where an earlier
			// component is itself a link (the kernel resolves the link
			// first), so an absolute target may not climb at all.
			joined := path.Join(append([]string{p}, pending...)...)
			for _, c := range strings.Split(strings.Join(append([]string{p}, pending...), "/"), "/") {
				if c == ".." {
					return zipErr(zipUnsafe, "link %q leads to %s", rel, joined)
				}
			}
			abs := path.Clean(joined)
			for _, root := range allowedLinkRoots {
				if abs == root || strings.HasPrefix(abs, root+"/") {
					return nil
				}
			}
			return zipErr(zipUnsafe, "link %q leads to %s", rel, abs)
		}
		parts := strings.Split(p, "/")
		for i, c := range parts {
			switch c {
			case "", ".":
				continue
			case "..":
				if len(stack) == 0 {
					return zipErr(zipUnsafe, "link %q leads out of the package", rel)
				}
				stack = stack[:len(stack)-1]
				continue
			}
			stack = append(stack, c)
			cur := strings.Join(stack, "/")
			if !x.links[cur] {
				continue // a directory, a file, or nothing: no further indirection
			}
			if hops++; hops > maxLinkHops {
				return zipErr(zipUnsafe, "link %q loops", rel)
			}
			next, err := os.Readlink(filepath.Join(x.root, filepath.FromSlash(cur)))
			if err != nil {
				return err
			}
			stack = stack[:len(stack)-1]
			rest := strings.Join(parts[i+1:], "/")
			pending = append([]string{next, rest}, pending...)
			break
		}
	}
	return nil
}
