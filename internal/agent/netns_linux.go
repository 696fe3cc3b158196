package agent

import (
	"context"
	"fmt"
	"net"
	"os"
	"runtime"

	"golang.org/x/sys/unix"
)

// netns is a task's network namespace, held open by the agent: it lives
// as long as the task, whichever of its containers have exited.
type netns struct {
	f *os.File
}

// path is the namespace as runc joins it: the agent's own descriptor.
func (n *netns) path() string {
	return fmt.Sprintf("/proc/%d/fd/%d", os.Getpid(), n.f.Fd())
}

func (n *netns) close() error { return n.f.Close() }

// inNetns runs fn on an OS thread moved into the namespace nsFd. The
// thread is never handed back to other goroutines: the goroutine ends
// locked to it, so Go ends the thread. Sockets made by fn stay in the
// namespace whichever thread later uses them.
func inNetns(nsFd int, fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		// No UnlockOSThread: the thread dies with this goroutine.
		if nsFd >= 0 {
			if err := unix.Setns(nsFd, unix.CLONE_NEWNET); err != nil {
				errc <- fmt.Errorf("setns: %w", err)
				return
			}
		}
		errc <- fn()
	}()
	return <-errc
}

// newNetns makes a network namespace with only a loopback interface,
// brought up.
func newNetns() (*netns, error) {
	var f *os.File
	err := inNetns(-1, func() error {
		if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
			return fmt.Errorf("unshare network namespace: %w", err)
		}
		var err error
		f, err = os.Open(fmt.Sprintf("/proc/self/task/%d/ns/net", unix.Gettid()))
		if err != nil {
			return err
		}
		if err := loopbackUp(); err != nil {
			f.Close()
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &netns{f: f}, nil
}

// loopbackUp sets IFF_UP on "lo" in the calling thread's namespace.
func loopbackUp() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("bring lo up: %w", err)
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return err
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return fmt.Errorf("bring lo up: %w", err)
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	if err := unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr); err != nil {
		return fmt.Errorf("bring lo up: %w", err)
	}
	return nil
}

// dial connects to addr from inside the namespace.
func (n *netns) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	var c net.Conn
	err := inNetns(int(n.f.Fd()), func() error {
		var d net.Dialer
		var err error
		c, err = d.DialContext(ctx, network, addr)
		return err
	})
	return c, err
}

// listen listens on addr inside the namespace.
func (n *netns) listen(network, addr string) (net.Listener, error) {
	var l net.Listener
	err := inNetns(int(n.f.Fd()), func() error {
		var err error
		l, err = net.Listen(network, addr)
		return err
	})
	return l, err
}
