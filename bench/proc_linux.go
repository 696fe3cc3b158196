package main

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// userHZ is the unit of /proc/PID/stat's CPU times: USER_HZ, which Linux
// fixes at 100 for user space whatever the kernel's tick rate.
const userHZ = 100

// processCPUOf returns the user and system CPU time process pid has used
// so far (all its threads), or 0 when it cannot be read.
func processCPUOf(pid int) func() time.Duration {
	path := "/proc/" + strconv.Itoa(pid) + "/stat"
	return func() time.Duration {
		b, err := os.ReadFile(path)
		if err != nil {
			return 0
		}
		// The command name, field 2, is in parentheses and may hold
		// spaces; utime and stime are fields 14 and 15.
		s := string(b)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(f) < 13 {
			return 0
		}
		ut, _ := strconv.ParseInt(f[11], 10, 64)
		st, _ := strconv.ParseInt(f[12], 10, 64)
		return time.Duration(ut+st) * time.Second / userHZ
	}
}

// dieWithParent makes cmd's process receive SIGKILL when this one dies,
// so that an interrupted run leaves no server behind. Start it with
// startLasting.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

// startLasting starts cmd from an OS thread that lasts as long as this
// process. The parent-death signal is sent when the thread that forked
// the child ends, not the process (prctl(2), PR_SET_PDEATHSIG), and
// threads do end here: virga in-process starts each function
// environment from a thread it locks and lets end with the environment,
// and Go reuses threads. A server forked from such a thread would be
// killed in the middle of the run.
func startLasting(cmd *exec.Cmd) error {
	done := make(chan error)
	lastingThread() <- func() { done <- cmd.Start() }
	return <-done
}

// lastingThread is a goroutine locked to its thread for good, which runs
// the functions it is sent.
var lastingThread = sync.OnceValue(func() chan<- func() {
	ch := make(chan func())
	go func() {
		runtime.LockOSThread() // never unlocked, and the goroutine never ends
		for f := range ch {
			f()
		}
	}()
	return ch
})

// tmpfsMagic is f_type of a tmpfs in statfs(2).
const tmpfsMagic = 0x01021994

// inMemoryFS reports whether dir is on a tmpfs, where fsync costs nothing
// and "on disk" figures would not be.
func inMemoryFS(dir string) bool {
	var st syscall.Statfs_t
	return syscall.Statfs(dir, &st) == nil && st.Type == tmpfsMagic
}

// inGroup puts cmd's process in a process group of its own, so that
// killing the group ends it and whatever it started, and kills it when
// this process dies (start it with startLasting).
func inGroup(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
}

// privateVarEnv, when set, makes this program the helper withPrivateVar
// starts: it bind-mounts the directory the variable names on /var and
// executes its arguments.
const privateVarEnv = "VIRGA_BENCH_PRIVATE_VAR"

// privateVarUnsupported says why withPrivateVar cannot work here, or "".
func privateVarUnsupported() string {
	if os.Geteuid() != 0 {
		return "the bench does not run as root"
	}
	return ""
}

// withPrivateVar returns a command that runs name with args in a mount
// namespace of its own where dir is mounted on /var: this program,
// re-executed as a helper (privateVarHelper) in that namespace, makes
// the mount and executes name. The host's /var is untouched.
func withPrivateVar(dir, name string, args ...string) (*exec.Cmd, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, append([]string{name}, args...)...)
	cmd.Env = append(os.Environ(), privateVarEnv+"="+dir)
	// os/exec makes the new namespace's mounts private (MS_REC|MS_PRIVATE
	// on /) before it executes the helper, so nothing propagates back.
	cmd.SysProcAttr = &syscall.SysProcAttr{Unshareflags: syscall.CLONE_NEWNS}
	return cmd, nil
}

// privateVarHelper is main when privateVarEnv is set: it never returns
// unless the mount or the exec fails.
func privateVarHelper(dir string) error {
	if len(os.Args) < 2 {
		return fmt.Errorf("%s set without a command", privateVarEnv)
	}
	if err := syscall.Mount(dir, "/var", "", syscall.MS_BIND, ""); err != nil {
		return fmt.Errorf("bind-mounting %s on /var: %w", dir, err)
	}
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, privateVarEnv+"=") {
			env = append(env, kv)
		}
	}
	return syscall.Exec(os.Args[1], os.Args[1:], env)
}

// procStat is what the bench reads of /proc/PID/stat.
type procStat struct {
	ppid int
	comm string
	cpu  time.Duration // user + system, all threads
}

// readProcStat reads /proc/PID/stat; ok is false when the process is gone.
func readProcStat(pid int) (procStat, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return procStat{}, false
	}
	// The command name, field 2, is in parentheses and may hold spaces;
	// ppid is field 4, utime and stime are fields 14 and 15.
	s := string(b)
	open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || end < open {
		return procStat{}, false
	}
	f := strings.Fields(s[end+1:])
	if len(f) < 13 {
		return procStat{}, false
	}
	ppid, _ := strconv.Atoi(f[1])
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return procStat{ppid: ppid, comm: s[open+1 : end], cpu: time.Duration(ut+st) * time.Second / userHZ}, true
}

// processes reads every process's stat, by pid.
func processes() map[int]procStat {
	ents, _ := os.ReadDir("/proc")
	all := map[int]procStat{}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if st, ok := readProcStat(pid); ok {
			all[pid] = st
		}
	}
	return all
}

// subtreeCPU is the CPU time of pid and its living descendants in all.
func subtreeCPU(all map[int]procStat, pid int) time.Duration {
	d := all[pid].cpu
	for child, st := range all {
		if st.ppid == pid && child != pid {
			d += subtreeCPU(all, child)
		}
	}
	return d
}

// treeCPU returns the CPU time used so far by process pid and its living
// descendants (the emulator and its runtime).
func treeCPU(pid int) func() time.Duration {
	return func() time.Duration { return subtreeCPU(processes(), pid) }
}

// childrenCPU returns the CPU time used so far by this process's living
// children named comm, and their descendants: virga's function
// environments, which virga in-process starts as children of the bench
// (the emulators' runtimes are their children, not the bench's).
func childrenCPU(comm string) func() time.Duration {
	self := os.Getpid()
	return func() time.Duration {
		all := processes()
		var d time.Duration
		for pid, st := range all {
			if st.ppid == self && st.comm == comm {
				d += subtreeCPU(all, pid)
			}
		}
		return d
	}
}
