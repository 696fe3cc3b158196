package elbv2

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
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
	// The reset can reach the client before its connect has returned,
	// which then fails with it: that too shows the connection was taken.
	c, err := net.Dial("tcp", ln.Addr().String())
	switch {
	case errors.Is(err, syscall.ECONNRESET):
	case err != nil:
		t.Fatal(err)
	default:
		defer c.Close()
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, err = c.Read(make([]byte, 1))
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Fatal("the connection was not accepted after a failed accept")
		}
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

// TestUDPFlowTableBounded checks that a UDP listener keeps at most
// maxUDPFlows flows: a new client past the bound takes the place of the
// flow idle the longest, whose client gets a new flow (a new source
// port at the target) when it sends again.
func TestUDPFlowTableBounded(t *testing.T) {
	defer func(n int) { maxUDPFlows = n }(maxUDPFlows)
	maxUDPFlows = 2
	s := newTestService(t, clock.NewFake(time.Now()), "127.0.0.1")
	t.Cleanup(func() { s.Close() })

	// The target echoes each datagram and notes where it came from.
	target, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer target.Close()
	var mu sync.Mutex
	sources := map[string]bool{}
	go func() {
		buf := make([]byte, 64)
		for {
			n, from, err := target.ReadFrom(buf)
			if err != nil {
				return
			}
			mu.Lock()
			sources[from.String()] = true
			mu.Unlock()
			target.WriteTo(buf[:n], from)
		}
	}()

	port, _ := nlbListener(t, s, "flows", "UDP", target.LocalAddr().(*net.UDPAddr).Port)

	var clients []net.Conn
	for range 3 {
		c, err := net.Dial("udp", "127.0.0.1:"+strconv.Itoa(port))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		clients = append(clients, c)
	}
	roundTrip := func(c net.Conn) {
		t.Helper()
		if _, err := c.Write([]byte("x")); err != nil {
			t.Fatal(err)
		}
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := c.Read(make([]byte, 64)); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range clients {
		roundTrip(c)
	}
	roundTrip(clients[0])
	mu.Lock()
	defer mu.Unlock()
	if len(sources) != 4 {
		t.Errorf("the target saw %d flows, want 4: the first client's flow was not given up for the third's", len(sources))
	}
}

// nlbListener makes a Network Load Balancer with a listener of the
// protocol (TCP or UDP) on a free port of 127.0.0.1, forwarding to the
// ip target 127.0.0.1:targetPort; it returns the port and the
// listener's ARN.
func nlbListener(t *testing.T, s *Service, name, protocol string, targetPort int) (int, string) {
	t.Helper()
	ctx := context.Background()
	lb, err := s.createLoadBalancer(ctx, &CreateLoadBalancerInput{Name: ptr(name), Type: ptr("network")})
	if err != nil {
		t.Fatal(err)
	}
	tg, err := s.createTargetGroup(ctx, &CreateTargetGroupInput{Name: ptr(name), Protocol: ptr(protocol), Port: ptr(int32(targetPort)),
		VpcId: ptr("vpc-1"), TargetType: ptr("ip")})
	if err != nil {
		t.Fatal(err)
	}
	tgARN := tg.TargetGroups[0].TargetGroupArn
	if _, err := s.registerTargets(ctx, &RegisterTargetsInput{TargetGroupArn: tgARN,
		Targets: []TargetDescription{{Id: ptr("127.0.0.1"), Port: ptr(int32(targetPort))}}}); err != nil {
		t.Fatal(err)
	}
	var port int
	if protocol == "UDP" {
		probe, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port = probe.LocalAddr().(*net.UDPAddr).Port
		probe.Close()
	} else {
		probe, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port = probe.Addr().(*net.TCPAddr).Port
		probe.Close()
	}
	out, err := s.createListener(ctx, &CreateListenerInput{LoadBalancerArn: lb.LoadBalancers[0].LoadBalancerArn, Protocol: ptr(protocol),
		Port: ptr(int32(port)), DefaultActions: []Action{{Type: ptr("forward"), TargetGroupArn: tgARN}}})
	if err != nil {
		t.Fatal(err)
	}
	return port, *out.Listeners[0].ListenerArn
}

// TestDeleteListenerEndsConnections checks that deleting a Network Load
// Balancer listener ends the connections it relays and its UDP flows,
// not only its port: the target sees the relayed connection end, and a
// flow's socket to the target is closed.
func TestDeleteListenerEndsConnections(t *testing.T) {
	s := newTestService(t, clock.NewFake(time.Now()), "127.0.0.1")
	t.Cleanup(func() { s.Close() })

	// A TCP target that holds each connection open and reports when
	// it ends.
	tln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer tln.Close()
	ended := make(chan struct{}, 1)
	go func() {
		c, err := tln.Accept()
		if err != nil {
			return
		}
		c.Write([]byte("hi"))
		io.Copy(io.Discard, c)
		c.Close()
		ended <- struct{}{}
	}()
	tcpPort, tcpARN := nlbListener(t, s, "tcp-close", "TCP", tln.Addr().(*net.TCPAddr).Port)
	client, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(tcpPort))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	client.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.ReadFull(client, make([]byte, 2)); err != nil {
		t.Fatal(err)
	}

	// A UDP target that notes where each datagram came from.
	upc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer upc.Close()
	udpPort, udpARN := nlbListener(t, s, "udp-close", "UDP", upc.LocalAddr().(*net.UDPAddr).Port)
	uc, err := net.Dial("udp", "127.0.0.1:"+strconv.Itoa(udpPort))
	if err != nil {
		t.Fatal(err)
	}
	defer uc.Close()
	if _, err := uc.Write([]byte("x")); err != nil {
		t.Fatal(err)
	}
	upc.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, flow, err := upc.ReadFrom(make([]byte, 64))
	if err != nil {
		t.Fatal(err)
	}

	for _, arn := range []string{tcpARN, udpARN} {
		if _, err := s.deleteListener(context.Background(), &DeleteListenerInput{ListenerArn: ptr(arn)}); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case <-ended:
	case <-time.After(5 * time.Second):
		t.Error("the relayed TCP connection was not closed with its listener")
	}
	// The flow's socket goes (its listener's reader closes it as it
	// ends): its port can be bound again.
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		c, err := net.ListenPacket("udp", flow.String())
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the UDP flow's socket %s is still open: %v", flow, err)
		}
	}
}

// TestCloseEndsDials checks that closing the service ends a connection
// still dialing its target (a target that does not answer its SYN), and
// that Close returns only once the connection's goroutine has ended.
func TestCloseEndsDials(t *testing.T) {
	dialing := make(chan struct{}, 1)
	var ended atomic.Bool
	defer func(d func(context.Context, string, string) (net.Conn, error)) { l4Dial = d }(l4Dial)
	l4Dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
		defer ended.Store(true)
		dialing <- struct{}{}
		<-ctx.Done() // the target never answers
		return nil, ctx.Err()
	}
	s := newTestService(t, clock.NewFake(time.Now()), "127.0.0.1")
	port, _ := nlbListener(t, s, "dials", "TCP", 9)
	c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	select {
	case <-dialing:
	case <-time.After(5 * time.Second):
		t.Fatal("no dial to the target")
	}
	closed := make(chan struct{})
	go func() {
		s.Close()
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(l4CloseWait + 5*time.Second):
		t.Fatal("Close did not return")
	}
	if !ended.Load() {
		t.Fatal("the dial still runs after Close returned")
	}
}
