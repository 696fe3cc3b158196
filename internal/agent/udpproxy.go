package agent

import (
	"context"
	"errors"
	"net"
	"sync"
	"syscall"
	"time"
)

// udpFlowIdle ends a UDP flow (one client address) after this long
// without a datagram either way; the next datagram starts a new one.
const udpFlowIdle = 60 * time.Second

// maxDatagram is the largest UDP payload (65,535 less the IPv4 and UDP
// headers).
const maxDatagram = 65507

// udpProxy relays datagrams between a host socket and a port inside a
// task's namespace: each client address gets its own socket in the
// namespace, connected to the container port, so replies find their way
// back.
type udpProxy struct {
	conn *net.UDPConn
	dial func(ctx context.Context) (net.Conn, error)

	mu    sync.Mutex
	flows map[string]net.Conn // by client address; nil once closing
	wg    sync.WaitGroup
}

func newUDPProxy(conn *net.UDPConn, dial func(ctx context.Context) (net.Conn, error)) *udpProxy {
	p := &udpProxy{conn: conn, dial: dial, flows: map[string]net.Conn{}}
	p.wg.Add(1)
	go p.serve()
	return p
}

func (p *udpProxy) serve() {
	defer p.wg.Done()
	buf := make([]byte, maxDatagram)
	for {
		n, from, err := p.conn.ReadFromUDP(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		inner := p.flow(from)
		if inner == nil {
			continue
		}
		_ = inner.SetDeadline(time.Now().Add(udpFlowIdle))
		_, _ = inner.Write(buf[:n])
	}
}

// flow returns the namespace socket for a client, making it (and its
// reply relay) on the first datagram.
func (p *udpProxy) flow(from *net.UDPAddr) net.Conn {
	key := from.String()
	p.mu.Lock()
	if p.flows == nil {
		p.mu.Unlock()
		return nil
	}
	if c, ok := p.flows[key]; ok {
		p.mu.Unlock()
		return c
	}
	p.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), proxyDialTimeout)
	inner, err := p.dial(ctx)
	cancel()
	if err != nil {
		return nil
	}
	p.mu.Lock()
	if p.flows == nil {
		p.mu.Unlock()
		inner.Close()
		return nil
	}
	p.flows[key] = inner
	p.wg.Add(1)
	p.mu.Unlock()
	go p.relay(key, from, inner)
	return inner
}

// relay copies the container's replies back to the client until the
// flow is idle or the proxy closes.
func (p *udpProxy) relay(key string, to *net.UDPAddr, inner net.Conn) {
	defer p.wg.Done()
	defer func() {
		p.mu.Lock()
		if p.flows != nil && p.flows[key] == inner {
			delete(p.flows, key)
		}
		p.mu.Unlock()
		inner.Close()
	}()
	buf := make([]byte, maxDatagram)
	for {
		n, err := inner.Read(buf)
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return
			}
			// A port with no listener yet answers ICMP unreachable, which
			// a connected socket reports once on a read: keep the flow.
			if errors.Is(err, syscall.ECONNREFUSED) {
				continue
			}
			return
		}
		_ = inner.SetDeadline(time.Now().Add(udpFlowIdle))
		_, _ = p.conn.WriteToUDP(buf[:n], to)
	}
}

func (p *udpProxy) close() {
	p.conn.Close()
	p.mu.Lock()
	flows := p.flows
	p.flows = nil
	p.mu.Unlock()
	for _, c := range flows {
		c.Close()
	}
	p.wg.Wait()
}
