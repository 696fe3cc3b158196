package elbv2

import (
	"context"
	"errors"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Network Load Balancer idle timeouts ("Connection idle timeout" of the
// Network Load Balancers guide): a TCP connection through the load
// balancer is closed after 350 seconds without data either way, a UDP
// flow is forgotten after 120 seconds without a datagram.
const (
	tcpIdleTimeout = 350 * time.Second
	udpIdleTimeout = 120 * time.Second
	// l4DialTimeout bounds the connection to a target.
	l4DialTimeout = 10 * time.Second
	// maxDatagram is the largest UDP payload relayed.
	maxDatagram = 65535
	// l4CloseWait bounds how long Service.Close waits for the
	// connections and flows of its Network Load Balancers' listeners to
	// end once their ports are closed.
	l4CloseWait = 5 * time.Second
)

// l4Dial connects to a target; dials end when ctx does.
var l4Dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
	d := net.Dialer{Timeout: l4DialTimeout}
	return d.DialContext(ctx, network, addr)
}

// maxUDPFlows bounds a UDP listener's flows, each a socket, a goroutine
// and a datagram buffer: a new flow past it takes the place of the one
// idle the longest. AWS documents no such bound; it keeps a listener's
// memory and file descriptors bounded against clients that send from a
// new port each time.
var maxUDPFlows = 1024

// l4Listener is a Network Load Balancer listener's port: a TCP listener
// (TCP, TCP_UDP), a UDP socket (UDP, TCP_UDP), and the connections and
// flows it relays, which close with it.
type l4Listener struct {
	ln net.Listener
	pc net.PacketConn

	// ctx ends when the listener closes, and with it the dials to
	// targets in flight; wg counts the listener's goroutines.
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool
}

func newL4Listener() *l4Listener {
	ctx, cancel := context.WithCancel(context.Background())
	return &l4Listener{conns: map[net.Conn]struct{}{}, ctx: ctx, cancel: cancel}
}

// context is the listener's context (a background one for a listener
// made without newL4Listener).
func (b *l4Listener) context() context.Context {
	if b.ctx == nil {
		return context.Background()
	}
	return b.ctx
}

// goTracked runs f in a goroutine that wait waits for.
func (b *l4Listener) goTracked(f func()) {
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		f()
	}()
}

// wait waits until the listener's goroutines have ended, or until
// deadline; false when some still run.
func (b *l4Listener) wait(deadline time.Time) bool {
	done := make(chan struct{})
	go func() {
		b.wg.Wait()
		close(done)
	}()
	t := time.NewTimer(time.Until(deadline))
	defer t.Stop()
	select {
	case <-done:
		return true
	case <-t.C:
		return false
	}
}

// track records a connection so that close ends it; it reports false
// (and closes c) when the listener is already closed.
func (b *l4Listener) track(c net.Conn) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		c.Close()
		return false
	}
	b.conns[c] = struct{}{}
	return true
}

func (b *l4Listener) untrack(c net.Conn) {
	b.mu.Lock()
	delete(b.conns, c)
	b.mu.Unlock()
	c.Close()
}

func (b *l4Listener) close() {
	b.mu.Lock()
	b.closed = true
	conns := b.conns
	b.conns = map[net.Conn]struct{}{}
	b.mu.Unlock()
	if b.cancel != nil {
		b.cancel()
	}
	if b.ln != nil {
		b.ln.Close()
	}
	if b.pc != nil {
		b.pc.Close()
	}
	for c := range conns {
		c.Close()
	}
}

// bindL4Locked binds a Network Load Balancer listener's port: TCP for
// TCP and TCP_UDP listeners, UDP for UDP and TCP_UDP ones. A port that
// cannot be bound leaves the listener unbound, with a warning, as an
// Application Load Balancer's does.
func (s *Service) bindL4Locked(l *listener) {
	addr := net.JoinHostPort(s.listenHost, strconv.Itoa(int(l.Port)))
	b := newL4Listener()
	warn := func(err error) {
		s.log.Warn("a Network Load Balancer listener's port is not available: the listener is not reachable",
			"listener", l.ARN, "port", l.Port, "protocol", l.Protocol, "err", err)
	}
	if l.Protocol != "UDP" {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			warn(err)
			return
		}
		b.ln = ln
	}
	if l.Protocol == "UDP" || l.Protocol == "TCP_UDP" {
		pc, err := net.ListenPacket("udp", addr)
		if err != nil {
			if b.ln != nil {
				b.ln.Close()
			}
			warn(err)
			return
		}
		b.pc = pc
	}
	s.servers[l.ARN] = &boundListener{port: l.Port, l4: b}
	if b.ln != nil {
		b.goTracked(func() { s.serveTCP(b, l.ARN) })
	}
	if b.pc != nil {
		b.goTracked(func() { s.serveUDP(b, l.ARN) })
	}
}

// pickL4Target chooses the target a new connection or flow goes to: the
// listener's target group's healthy targets in turn (or all of them when
// none is healthy: the load balancer fails open). AWS picks by a hash of
// the flow; virga takes the next target for each new flow. ok is false
// when there is none that an address names.
func (s *Service) pickL4Target(arn string) (addr string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.listeners[arn]
	if l == nil {
		return "", false
	}
	arns := targetGroupARNs(l.DefaultActions)
	if len(arns) == 0 {
		return "", false
	}
	tg := s.tgs[arns[0]]
	if tg == nil {
		return "", false
	}
	var candidates []target
	for _, t := range s.healthyTargetsLocked(tg) {
		// Instance ids name no address virga can reach.
		if net.ParseIP(t.ID) != nil {
			candidates = append(candidates, t)
		}
	}
	if len(candidates) == 0 {
		return "", false
	}
	i := s.next[tg.ARN] % len(candidates)
	s.next[tg.ARN] = i + 1
	t := candidates[i]
	return net.JoinHostPort(t.ID, strconv.Itoa(int(t.Port))), true
}

// serveTCP accepts the listener's connections and relays each to a
// target, until the listener is closed. Any other failure to accept (a
// process out of file descriptors, a connection aborted before it was
// taken) is waited out, a little longer each time in a row, as Go's
// HTTP server does, so that the port keeps serving once it passes.
func (s *Service) serveTCP(b *l4Listener, arn string) {
	var wait time.Duration
	for {
		c, err := b.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			wait = backOff(wait)
			continue
		}
		wait = 0
		b.goTracked(func() { s.relayTCP(b, arn, c) })
	}
}

// backOff sleeps after a failed accept or read, twice as long as the
// last time in a row (5 ms to 1 s), and returns how long it slept.
func backOff(last time.Duration) time.Duration {
	wait := min(max(2*last, 5*time.Millisecond), time.Second)
	time.Sleep(wait)
	return wait
}

// relayTCP connects the client to a target and copies bytes both ways
// until both sides are done or no byte moved for the idle timeout. A
// client with no target to go to, or whose target refuses, is reset.
func (s *Service) relayTCP(b *l4Listener, arn string, client net.Conn) {
	if !b.track(client) {
		return
	}
	defer b.untrack(client)
	addr, ok := s.pickL4Target(arn)
	if !ok {
		reset(client)
		return
	}
	target, err := l4Dial(b.context(), "tcp", addr)
	if err != nil {
		reset(client)
		return
	}
	if !b.track(target) {
		return
	}
	defer b.untrack(target)
	idle := time.AfterFunc(tcpIdleTimeout, func() {
		client.Close()
		target.Close()
	})
	defer idle.Stop()
	touch := func() { idle.Reset(tcpIdleTimeout) }
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		copyHalf(target, client, touch)
	}()
	go func() {
		defer wg.Done()
		copyHalf(client, target, touch)
	}()
	wg.Wait()
}

// copyHalf copies src to dst, restarting the idle timer on each read,
// then half-closes dst so that the other side sees the end of the
// stream.
func copyHalf(dst, src net.Conn, touch func()) {
	buf := make([]byte, 32*1024)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			touch()
			if _, werr := dst.Write(buf[:n]); werr != nil {
				break
			}
		}
		if err != nil {
			break
		}
	}
	if cw, ok := dst.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
	} else {
		dst.Close()
	}
}

// reset closes a TCP connection with a RST, as a Network Load Balancer
// answers a connection it cannot route.
func reset(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	c.Close()
}

// udpFlow is one client's flow through a UDP listener: a socket
// connected to the target it was given.
type udpFlow struct {
	conn *net.UDPConn
	last atomic.Int64 // Unix nanoseconds of the last datagram either way
	done atomic.Bool
}

// serveUDP relays datagrams: each client address is a flow, sent to the
// target chosen for its first datagram; the target's answers go back to
// the client from the listener's port. A flow ends after the idle
// timeout.
func (s *Service) serveUDP(b *l4Listener, arn string) {
	var mu sync.Mutex
	flows := map[string]*udpFlow{}
	defer func() {
		mu.Lock()
		for _, f := range flows {
			f.conn.Close()
		}
		mu.Unlock()
	}()
	buf := make([]byte, maxDatagram)
	var wait time.Duration
	for {
		n, client, err := b.pc.ReadFrom(buf)
		if err != nil {
			// Only closing the listener ends it; another failure is
			// waited out as serveTCP does.
			if errors.Is(err, net.ErrClosed) {
				return
			}
			wait = backOff(wait)
			continue
		}
		wait = 0
		key := client.String()
		mu.Lock()
		f := flows[key]
		if f == nil || f.done.Load() {
			f = nil
			if addr, ok := s.pickL4Target(arn); ok {
				if ua, err := net.ResolveUDPAddr("udp", addr); err == nil {
					if conn, err := net.DialUDP("udp", nil, ua); err == nil {
						if len(flows) >= maxUDPFlows {
							evictIdlest(flows)
						}
						f = &udpFlow{conn: conn}
						f.last.Store(time.Now().UnixNano())
						flows[key] = f
						b.goTracked(func() {
							s.udpReplies(b, f, client, func() {
								mu.Lock()
								if flows[key] == f {
									delete(flows, key)
								}
								mu.Unlock()
							})
						})
					}
				}
			}
		}
		mu.Unlock()
		if f == nil {
			continue // no target: the datagram is dropped
		}
		f.last.Store(time.Now().UnixNano())
		f.conn.Write(buf[:n])
	}
}

// evictIdlest ends the flow idle the longest; its reader then stops.
func evictIdlest(flows map[string]*udpFlow) {
	var key string
	var idlest *udpFlow
	for k, f := range flows {
		if idlest == nil || f.last.Load() < idlest.last.Load() {
			key, idlest = k, f
		}
	}
	if idlest != nil {
		delete(flows, key)
		idlest.conn.Close()
	}
}

// udpReplies sends the target's datagrams back to the client until the
// flow has been idle for the UDP idle timeout or the listener closes.
func (s *Service) udpReplies(b *l4Listener, f *udpFlow, client net.Addr, forget func()) {
	defer forget()
	defer f.conn.Close()
	defer f.done.Store(true)
	buf := make([]byte, maxDatagram)
	for {
		deadline := time.Unix(0, f.last.Load()).Add(udpIdleTimeout)
		if !time.Now().Before(deadline) {
			return
		}
		f.conn.SetReadDeadline(deadline)
		n, err := f.conn.Read(buf)
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue // the deadline is looked at again
			}
			// A target that is not there answers ICMP unreachable,
			// which ends the read: keep the flow until it is idle.
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		f.last.Store(time.Now().UnixNano())
		if _, err := b.pc.WriteTo(buf[:n], client); err != nil && errors.Is(err, net.ErrClosed) {
			return
		}
	}
}
