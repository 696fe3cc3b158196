package sandbox

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Limits that are the same for every environment.
const (
	// pidsMax: "Processes and threads: 1,024" (Lambda quotas, execution
	// environment).
	pidsMax = 1024
	// mbPerVCPU: "at 1,769 MB, a function has the equivalent of one
	// vCPU".
	mbPerVCPU = 1769
	// v1 cpu.shares of one full CPU.
	sharesPerCPU = 1024
)

// cgroupVersion is which cgroup interface a Host uses.
type cgroupVersion int

const (
	cgroupNone cgroupVersion = iota
	cgroupV1
	cgroupV2
)

func (v cgroupVersion) String() string {
	switch v {
	case cgroupV1:
		return "v1"
	case cgroupV2:
		return "v2"
	}
	return "none"
}

// cgroupRoot is where a Host makes its environments' cgroups.
type cgroupRoot struct {
	version cgroupVersion
	// v1: controller → its "virga" directory and the directory virga
	// itself is in (where a thread returns to). v2: "" → both.
	base map[string]string
	own  map[string]string
}

// v1Controllers are the v1 hierarchies used; memory is required.
var v1Controllers = []string{"memory", "pids", "cpu"}

// v2Controllers must all be available for v2 to be used.
var v2Controllers = []string{"memory", "pids", "cpu"}

type mountEntry struct {
	root, point, fstype string
	super               []string
}

func parseMountinfo(data []byte) []mountEntry {
	var out []mountEntry
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		sep := -1
		for i, x := range f {
			if x == "-" {
				sep = i
				break
			}
		}
		if sep < 5 || sep+3 > len(f) {
			continue
		}
		out = append(out, mountEntry{
			root:   unescapeMount(f[3]),
			point:  unescapeMount(f[4]),
			fstype: f[sep+1],
			super:  strings.Split(f[sep+3], ","),
		})
	}
	return out
}

// unescapeMount undoes mountinfo's octal escapes (\040 for a space).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// parseProcCgroup maps each v1 controller (and "" for v2) to the
// process's cgroup path.
func parseProcCgroup(data []byte) map[string]string {
	out := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		if parts[1] == "" {
			out[""] = parts[2]
			continue
		}
		for _, c := range strings.Split(parts[1], ",") {
			out[c] = parts[2]
		}
	}
	return out
}

// findCgroups picks the cgroup interface from the mount table and the
// process's cgroups, and prepares the "virga" directories. sysfs is "/"
// except in tests.
func findCgroups(mountinfo, proccgroup []byte, name string) (*cgroupRoot, error) {
	mounts := parseMountinfo(mountinfo)
	own := parseProcCgroup(proccgroup)
	var errs []error
	for _, m := range mounts {
		if m.fstype != "cgroup2" {
			continue
		}
		root, err := tryV2(m, own[""], name)
		if err == nil {
			return root, nil
		}
		errs = append(errs, err)
	}
	root, err := tryV1(mounts, own, name)
	if err == nil {
		return root, nil
	}
	errs = append(errs, err)
	return nil, errors.Join(errs...)
}

func within(m mountEntry, path string) (string, bool) {
	rel, ok := strings.CutPrefix(path, m.root)
	if !ok {
		return "", false
	}
	return filepath.Join(m.point, rel), true
}

func tryV2(m mountEntry, ownPath, name string) (*cgroupRoot, error) {
	avail, err := os.ReadFile(filepath.Join(m.point, "cgroup.controllers"))
	if err != nil {
		return nil, err
	}
	have := strings.Fields(string(avail))
	for _, c := range v2Controllers {
		if !contains(have, c) {
			return nil, fmt.Errorf("cgroup v2 at %s lacks the %s controller", m.point, c)
		}
	}
	enable := "+" + strings.Join(v2Controllers, " +")
	// Beside virga's own cgroup when it is delegated to us (its
	// subtree_control already enables the controllers), else at the
	// root, which may hold processes and enable controllers at once.
	var candidates []string
	if ownDir, ok := within(m, ownPath); ok && ownPath != "/" {
		candidates = append(candidates, ownDir)
	}
	candidates = append(candidates, m.point)
	var errs []error
	for _, parent := range candidates {
		if err := ensureSubtree(parent, enable); err != nil {
			errs = append(errs, err)
			continue
		}
		base := filepath.Join(parent, name)
		if err := os.Mkdir(base, 0o755); err != nil && !os.IsExist(err) {
			errs = append(errs, err)
			continue
		}
		if err := ensureSubtree(base, enable); err != nil {
			errs = append(errs, err)
			continue
		}
		ownDir, _ := within(m, ownPath)
		return &cgroupRoot{version: cgroupV2, base: map[string]string{"": base}, own: map[string]string{"": ownDir}}, nil
	}
	return nil, errors.Join(errs...)
}

func ensureSubtree(dir, enable string) error {
	cur, err := os.ReadFile(filepath.Join(dir, "cgroup.subtree_control"))
	if err != nil {
		return err
	}
	have := strings.Fields(string(cur))
	missing := false
	for _, c := range v2Controllers {
		if !contains(have, c) {
			missing = true
		}
	}
	if !missing {
		return nil
	}
	if err := os.WriteFile(filepath.Join(dir, "cgroup.subtree_control"), []byte(enable), 0); err != nil {
		return fmt.Errorf("enabling controllers in %s: %w", dir, err)
	}
	return nil
}

func tryV1(mounts []mountEntry, own map[string]string, name string) (*cgroupRoot, error) {
	r := &cgroupRoot{version: cgroupV1, base: map[string]string{}, own: map[string]string{}}
	for _, c := range v1Controllers {
		for _, m := range mounts {
			if m.fstype != "cgroup" || !contains(m.super, c) {
				continue
			}
			ownDir, ok := within(m, own[c])
			if !ok {
				continue
			}
			base := filepath.Join(ownDir, name)
			if err := os.Mkdir(base, 0o755); err != nil && !os.IsExist(err) {
				continue
			}
			r.base[c], r.own[c] = base, ownDir
			break
		}
	}
	if r.base["memory"] == "" {
		return nil, errors.New("no writable cgroup v1 memory hierarchy")
	}
	return r, nil
}

// cgroup is one environment's cgroup.
type cgroup struct {
	root *cgroupRoot
	dirs map[string]string // v1: controller → dir; v2: "" → dir
	fd   int               // v2: the directory, for CLONE_INTO_CGROUP; -1 otherwise

	mu   sync.Mutex
	peak *os.File // the peak memory file, once read
}

// create makes the cgroup and sets its limits.
func (r *cgroupRoot) create(id string, memoryMB int) (*cgroup, error) {
	cg := &cgroup{root: r, dirs: map[string]string{}, fd: -1}
	name := strconv.Itoa(os.Getpid()) + "-" + id
	for c, base := range r.base {
		dir := filepath.Join(base, name)
		if err := os.Mkdir(dir, 0o755); err != nil && !os.IsExist(err) {
			cg.remove()
			return nil, err
		}
		cg.dirs[c] = dir
	}
	mem := strconv.FormatInt(int64(memoryMB)<<20, 10)
	// CPU is a share proportional to memory, not a cap: on a shared
	// machine a function gets its share under contention and whatever
	// is free otherwise (AWS caps it; a cap here only slows local runs).
	shares := max(2, memoryMB*sharesPerCPU/mbPerVCPU)
	var err error
	set := func(dir, file, value string, required bool) {
		if err != nil || dir == "" {
			return
		}
		if e := os.WriteFile(filepath.Join(dir, file), []byte(value), 0); e != nil && required {
			err = fmt.Errorf("cgroup %s: %w", file, e)
		}
	}
	if r.version == cgroupV1 {
		set(cg.dirs["memory"], "memory.limit_in_bytes", mem, true)
		set(cg.dirs["memory"], "memory.memsw.limit_in_bytes", mem, false) // absent without swap accounting
		set(cg.dirs["pids"], "pids.max", strconv.Itoa(pidsMax), true)
		set(cg.dirs["cpu"], "cpu.shares", strconv.Itoa(shares), false)
	} else {
		dir := cg.dirs[""]
		set(dir, "memory.max", mem, true)
		set(dir, "memory.swap.max", "0", false)
		set(dir, "memory.oom.group", "1", false)
		set(dir, "pids.max", strconv.Itoa(pidsMax), true)
		// cpu.weight is 1..10000 where v1's 1024 shares map to 100.
		set(dir, "cpu.weight", strconv.Itoa(max(1, min(10000, shares*100/sharesPerCPU))), false)
		if err == nil {
			fd, e := syscall.Open(dir, syscall.O_DIRECTORY|syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
			if e != nil {
				err = e
			}
			cg.fd = fd
		}
	}
	if err != nil {
		cg.remove()
		return nil, err
	}
	return cg, nil
}

// enterThread moves the calling OS thread into the cgroup (v1), so that
// a process it forks starts inside.
func (cg *cgroup) enterThread(tid int) error {
	for c, dir := range cg.dirs {
		if err := os.WriteFile(filepath.Join(dir, "tasks"), []byte(strconv.Itoa(tid)), 0); err != nil {
			return fmt.Errorf("joining cgroup %s: %w", c, err)
		}
	}
	return nil
}

// leaveThread moves the thread back where virga runs.
func (cg *cgroup) leaveThread(tid int) {
	for c := range cg.dirs {
		os.WriteFile(filepath.Join(cg.root.own[c], "tasks"), []byte(strconv.Itoa(tid)), 0)
	}
}

func (cg *cgroup) memoryDir() string {
	if cg.root.version == cgroupV1 {
		return cg.dirs["memory"]
	}
	return cg.dirs[""]
}

// peakBytes is the highest memory use the cgroup saw. The file stays
// open: it is read after every invocation.
func (cg *cgroup) peakBytes() int64 {
	cg.mu.Lock()
	defer cg.mu.Unlock()
	if cg.peak == nil {
		files := []string{"memory.max_usage_in_bytes"}
		if cg.root.version == cgroupV2 {
			files = []string{"memory.peak", "memory.current"}
		}
		for _, f := range files {
			if file, err := os.Open(filepath.Join(cg.memoryDir(), f)); err == nil {
				cg.peak = file
				break
			}
		}
		if cg.peak == nil {
			return 0
		}
	}
	var buf [32]byte
	n, err := cg.peak.ReadAt(buf[:], 0)
	if n == 0 && err != nil {
		return 0
	}
	v, _ := strconv.ParseInt(string(bytes.TrimSpace(buf[:n])), 10, 64)
	return v
}

// oomKills is how many processes the kernel killed for want of memory.
func (cg *cgroup) oomKills() int {
	file := "memory.oom_control"
	if cg.root.version == cgroupV2 {
		file = "memory.events"
	}
	b, err := os.ReadFile(filepath.Join(cg.memoryDir(), file))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "oom_kill "); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(v))
			return n
		}
	}
	return 0
}

// killAll kills every process in the cgroup.
func (cg *cgroup) killAll() {
	if cg.root.version == cgroupV2 {
		if os.WriteFile(filepath.Join(cg.dirs[""], "cgroup.kill"), []byte("1"), 0) == nil {
			return
		}
	}
	for range 10 {
		found := false
		for _, dir := range cg.dirs {
			b, err := os.ReadFile(filepath.Join(dir, "cgroup.procs"))
			if err != nil {
				continue
			}
			for _, f := range strings.Fields(string(b)) {
				// A v1 cgroup lists virga itself while one of its threads
				// is inside, starting a process.
				if pid, err := strconv.Atoi(f); err == nil && pid != os.Getpid() {
					found = true
					syscall.Kill(pid, syscall.SIGKILL)
				}
			}
		}
		if !found {
			return
		}
		time.Sleep(time.Millisecond)
	}
}

// remove deletes the cgroup once its processes are gone: at once in the
// usual case (the namespace's processes end with its PID 1), after a few
// quick retries for stragglers, else from the background.
func (cg *cgroup) remove() {
	cg.mu.Lock()
	if cg.peak != nil {
		cg.peak.Close()
		cg.peak = nil
	}
	cg.mu.Unlock()
	if cg.fd >= 0 {
		syscall.Close(cg.fd)
		cg.fd = -1
	}
	pending := map[string]string{}
	for c, dir := range cg.dirs {
		pending[c] = dir
	}
	try := func() bool {
		for c, dir := range pending {
			if err := os.Remove(dir); err == nil || os.IsNotExist(err) {
				delete(pending, c)
			}
		}
		return len(pending) == 0
	}
	for wait := time.Duration(0); wait <= 4*time.Millisecond; wait = max(wait*4, time.Millisecond) {
		time.Sleep(wait)
		if try() {
			return
		}
	}
	go func() {
		for wait := 16 * time.Millisecond; wait < 5*time.Second; wait *= 2 {
			cg.killAll()
			time.Sleep(wait)
			if try() {
				return
			}
		}
	}()
}

// sweep removes empty cgroups left by a virga process that ended
// without cleaning up (cgroups are named "<virga pid>-<environment id>";
// a live owner's are left alone, and so are recent ones).
func (r *cgroupRoot) sweep() {
	for _, base := range r.base {
		entries, err := os.ReadDir(base)
		if err != nil {
			continue
		}
		for _, e := range entries {
			owner, _, ok := strings.Cut(e.Name(), "-")
			pid, err := strconv.Atoi(owner)
			if !e.IsDir() || !ok || err != nil || pid == os.Getpid() || syscall.Kill(pid, 0) == nil {
				continue
			}
			if info, err := e.Info(); err != nil || time.Since(info.ModTime()) < time.Minute {
				continue
			}
			os.Remove(filepath.Join(base, e.Name())) // fails, harmlessly, while processes remain
		}
	}
}
