package localtls

import (
	"crypto/tls"
	"io"
	"net"
	"sync"
	"time"
)

// handshakeByte opens every TLS connection: the record type of a
// handshake (RFC 8446, section 5.1). No HTTP/1.x request line and no
// HTTP/2 connection preface starts with it.
const handshakeByte = 0x16

// sniffTimeout is how long a connection may stay silent before its
// first byte; the HTTP server's own timeouts apply after it.
const sniffTimeout = 30 * time.Second

// Listener returns a listener that accepts from ln and hands out each
// connection as TLS (a *tls.Conn, which net/http serves as HTTPS) when
// its first byte opens a TLS handshake, and as it came otherwise. The
// first byte is read off the accepting goroutine, so a silent client
// holds up no other.
func Listener(ln net.Listener, config *tls.Config) net.Listener {
	l := &listener{Listener: ln, config: config, conns: make(chan net.Conn), done: make(chan struct{})}
	go l.accept()
	return l
}

type listener struct {
	net.Listener
	config *tls.Config
	conns  chan net.Conn
	done   chan struct{}

	mu    sync.Mutex
	err   error // the inner listener's, once it failed
	close sync.Once
}

func (l *listener) accept() {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				continue
			}
			l.mu.Lock()
			l.err = err
			l.mu.Unlock()
			l.Close()
			return
		}
		go l.sniff(c)
	}
}

// sniff reads a connection's first byte and passes the connection on.
func (l *listener) sniff(c net.Conn) {
	c.SetReadDeadline(time.Now().Add(sniffTimeout))
	var b [1]byte
	n, err := c.Read(b[:])
	c.SetReadDeadline(time.Time{})
	if err != nil || n == 0 {
		c.Close()
		return
	}
	pc := &prefixConn{Conn: c, first: b[0], pending: true}
	var out net.Conn = pc
	if b[0] == handshakeByte {
		out = tls.Server(pc, l.config)
	}
	select {
	case l.conns <- out:
	case <-l.done:
		c.Close()
	}
}

// Accept returns the next connection, TLS or plain.
func (l *listener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		l.mu.Lock()
		defer l.mu.Unlock()
		if l.err != nil {
			return nil, l.err
		}
		return nil, net.ErrClosed
	}
}

// Close stops accepting; connections already handed out stay open.
func (l *listener) Close() error {
	var err error
	l.close.Do(func() {
		close(l.done)
		err = l.Listener.Close()
	})
	return err
}

// prefixConn gives back the byte sniff read before the rest of the
// connection.
type prefixConn struct {
	net.Conn
	mu      sync.Mutex
	first   byte
	pending bool
}

// CloseWrite half-closes the connection, as *net.TCPConn does: net/http
// does so before closing a connection it answered an error on, so that
// the client reads the answer rather than a reset; crypto/tls needs it
// of the connection under a *tls.Conn for the same.
func (c *prefixConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return c.Conn.Close()
}

// ReadFrom writes what r holds, with the TCP connection's own ReadFrom
// (sendfile, splice) where it has one: net/http serves files through it.
func (c *prefixConn) ReadFrom(r io.Reader) (int64, error) {
	if rf, ok := c.Conn.(io.ReaderFrom); ok {
		return rf.ReadFrom(r)
	}
	return io.Copy(struct{ io.Writer }{c.Conn}, r)
}

func (c *prefixConn) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return c.Conn.Read(p)
	}
	c.mu.Lock()
	if c.pending {
		c.pending = false
		p[0] = c.first
		c.mu.Unlock()
		return 1, nil
	}
	c.mu.Unlock()
	return c.Conn.Read(p)
}
