package elbv2

import (
	"errors"
	"net"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/virga/virga/internal/clock"
)

// failingListener answers its first Accept with an error of the kind a
// process out of file descriptors gets, then accepts as ln does.
type failingListener struct {
	net.Listener
	once sync.Once
}

func (l *failingListener) Accept() (net.Conn, error) {
	var err error
	l.once.Do(func() {
		err = &net.OpError{Op: "accept", Net: "tcp", Err: os.NewSyscallError("accept4", syscall.EMFILE)}
	})
	if err != nil {
		return nil, err
	}
	return l.Listener.Accept()
}

// TestTCPListenerSurvivesAcceptError checks that an accept that fails
// for want of file descriptors does not stop the listener: the next
// connection is still taken (and, with no target, reset).
func TestTCPListenerSurvivesAcceptError(t *testing.T) {
	s := newTestService(t, clock.NewFake(time.Now()), "-")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := &l4Listener{ln: &failingListener{Listener: ln}, conns: map[net.Conn]struct{}{}}
	done := make(chan struct{})
	go func() {
		s.serveTCP(b, "arn:aws:elasticloadbalancing:us-east-1:000000000000:listener/net/none/1/1")
		close(done)
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err = c.Read(make([]byte, 1))
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatal("the connection was not accepted after a failed accept")
	}
	b.close()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("serveTCP did not return once the listener closed")
	}
}

// failingPacketConn answers its first ReadFrom with an error, then
// reads as pc does; again is closed when it is read from after the
// error.
type failingPacketConn struct {
	net.PacketConn
	failed bool
	again  chan struct{}
}

func (c *failingPacketConn) ReadFrom(p []byte) (int, net.Addr, error) {
	if !c.failed {
		c.failed = true
		return 0, nil, &net.OpError{Op: "read", Net: "udp", Err: os.NewSyscallError("recvfrom", syscall.ENOBUFS)}
	}
	select {
	case <-c.again:
	default:
		close(c.again)
	}
	return c.PacketConn.ReadFrom(p)
}

// TestUDPListenerSurvivesReadError checks that a failed read does not
// stop a UDP listener, and that closing it does.
func TestUDPListenerSurvivesReadError(t *testing.T) {
	s := newTestService(t, clock.NewFake(time.Now()), "-")
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fc := &failingPacketConn{PacketConn: pc, again: make(chan struct{})}
	b := &l4Listener{pc: fc, conns: map[net.Conn]struct{}{}}
	done := make(chan struct{})
	go func() {
		s.serveUDP(b, "arn:aws:elasticloadbalancing:us-east-1:000000000000:listener/net/none/1/1")
		close(done)
	}()
	select {
	case <-fc.again:
	case <-done:
		t.Fatal("serveUDP returned after a failed read")
	case <-time.After(5 * time.Second):
		t.Fatal("serveUDP did not read again")
	}
	b.close()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("serveUDP did not return once the listener closed")
	}
}
