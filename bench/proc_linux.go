package main

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
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
// so that an interrupted run leaves no server behind.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

// tmpfsMagic is f_type of a tmpfs in statfs(2).
const tmpfsMagic = 0x01021994

// inMemoryFS reports whether dir is on a tmpfs, where fsync costs nothing
// and "on disk" figures would not be.
func inMemoryFS(dir string) bool {
	var st syscall.Statfs_t
	return syscall.Statfs(dir, &st) == nil && st.Type == tmpfsMagic
}
