//go:build !linux

package functions

import (
	"runtime"
	"syscall"
	"unsafe"
)

// pipeAvailable is how many bytes wait in a pipe (FIONREAD).
func pipeAvailable(fd int) int {
	var n int32
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), syscall.FIONREAD, uintptr(unsafe.Pointer(&n))); errno != 0 {
		return 0
	}
	return int(n)
}

func runtimeGosched() { runtime.Gosched() }
