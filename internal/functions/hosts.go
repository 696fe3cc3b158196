package functions

import (
	"bytes"
	"errors"
	"maps"
	"os"
	"slices"
	"sync"
)

// hostsFile is the /etc/hosts of sandboxed environments: the host's,
// the environment's own names (sandbox.localdomain, sandbox), then the
// host names of virga's own endpoints that functions
// call by name (an API's ID.execute-api.localhost, which
// requestContext.domainName carries), all at 127.0.0.1. Names are only
// ever appended, each in one write, so that a runtime reading the file
// (glibc, Go and Node read /etc/hosts at each lookup) never sees it
// half written; a name whose API is gone stays, harmlessly: virga answers
// it 404 or 410 as it answers any unknown API.
type hostsFile struct {
	path string

	mu    sync.Mutex
	names map[string]bool
}

// newHostsFile writes a hosts file in dir, starting from the host's.
func newHostsFile(dir string) (*hostsFile, error) {
	base, err := os.ReadFile("/etc/hosts")
	if err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	var b bytes.Buffer
	b.Write(base)
	if len(base) > 0 && base[len(base)-1] != '\n' {
		b.WriteByte('\n')
	}
	// The environment's own name, at which extensions listen for the
	// Telemetry and Logs APIs ("http://sandbox.localdomain:${PORT}").
	b.WriteString("127.0.0.1 sandbox.localdomain sandbox\n")
	b.WriteString("# virga's endpoints, which functions call by name\n")
	f, err := os.CreateTemp(dir, "hosts-*")
	if err != nil {
		return nil, err
	}
	_, err = f.Write(b.Bytes())
	if err = errors.Join(err, f.Chmod(0o644), f.Close()); err != nil {
		os.Remove(f.Name())
		return nil, err
	}
	return &hostsFile{path: f.Name(), names: map[string]bool{}}, nil
}

// add maps names to 127.0.0.1 in the file, those it does not hold yet.
func (h *hostsFile) add(names ...string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	var b bytes.Buffer
	for _, n := range names {
		if n == "" || h.names[n] || !validHostName(n) {
			continue
		}
		h.names[n] = true
		b.WriteString("127.0.0.1\t" + n + "\n")
	}
	if b.Len() == 0 {
		return nil
	}
	f, err := os.OpenFile(h.path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return err
	}
	_, err = f.Write(b.Bytes())
	return errors.Join(err, f.Close())
}

// validHostName reports whether n is a DNS name a hosts file can carry:
// letters, digits, hyphens and dots, at most 253 characters.
func validHostName(n string) bool {
	if len(n) > 253 {
		return false
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// list is the names added so far, sorted.
func (h *hostsFile) list() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Sorted(maps.Keys(h.names))
}

func (h *hostsFile) remove() { os.Remove(h.path) }
