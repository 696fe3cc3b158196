package agent

import (
	"context"
	"io"
	"net"
	"sync"
	"time"
)

// proxy accepts connections on ln and joins each to a connection from
// dial: the port mappings (host → task namespace) and the callback
// listener (task namespace → host).
type proxy struct {
	ln   net.Listener
	dial func(ctx context.Context) (net.Conn, error)

	mu    sync.Mutex
	conns map[net.Conn]struct{}
	wg    sync.WaitGroup
}

const proxyDialTimeout = 10 * time.Second

func newProxy(ln net.Listener, dial func(ctx context.Context) (net.Conn, error)) *proxy {
	p := &proxy{ln: ln, dial: dial, conns: map[net.Conn]struct{}{}}
	p.wg.Add(1)
	go p.serve()
	return p
}

func (p *proxy) serve() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			p.handle(c)
		}()
	}
}

// track adds c to the open connections, or closes it when the proxy is
// closing (conns is nil).
func (p *proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.conns == nil {
		c.Close()
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *proxy) untrack(c net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.conns != nil {
		delete(p.conns, c)
	}
	c.Close()
}

func (p *proxy) handle(in net.Conn) {
	if !p.track(in) {
		return
	}
	defer p.untrack(in)
	ctx, cancel := context.WithTimeout(context.Background(), proxyDialTimeout)
	out, err := p.dial(ctx)
	cancel()
	if err != nil {
		return
	}
	if !p.track(out) {
		return
	}
	defer p.untrack(out)
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn) {
		_, _ = io.Copy(dst, src)
		if tc, ok := dst.(interface{ CloseWrite() error }); ok {
			_ = tc.CloseWrite()
		}
		done <- struct{}{}
	}
	go pipe(out, in)
	go pipe(in, out)
	<-done
	<-done
}

// close stops accepting, closes every open connection and waits for the
// proxy's goroutines.
func (p *proxy) close() {
	p.ln.Close()
	p.mu.Lock()
	conns := p.conns
	p.conns = nil
	p.mu.Unlock()
	for c := range conns {
		c.Close()
	}
	p.wg.Wait()
}
