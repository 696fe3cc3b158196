package headercase

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"net/textproto"
	"strings"
	"sync"
)

// Listener wraps ln so that the plain-text connections it accepts
// record their requests' header names for Names (through ConnContext).
// TLS connections pass unchanged.
func Listener(ln net.Listener) net.Listener { return listener{ln} }

type listener struct{ net.Listener }

func (l listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	if _, ok := c.(*tls.Conn); ok {
		return c, nil
	}
	return &conn{Conn: c, rec: &record{p: newParser()}}, nil
}

// conn is a connection whose reads feed its record.
type conn struct {
	net.Conn
	rec *record
}

func (c *conn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 {
		c.rec.feed(b[:n])
	}
	return n, err
}

// record is one connection's parser behind its lock.
type record struct {
	mu sync.Mutex
	p  *parser
}

func (r *record) feed(b []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.p.feed(b)
}

type ctxKey struct{}

// ConnContext is an http.Server's ConnContext: it puts c's record, if
// Listener made c, in the context of the requests served from it.
func ConnContext(ctx context.Context, c net.Conn) context.Context {
	if hc, ok := c.(*conn); ok {
		return context.WithValue(ctx, ctxKey{}, hc.rec)
	}
	return ctx
}

// Names returns the spelling the client gave each of r's header names
// (Host among them), keyed by the canonical name net/http keys r.Header
// by, or nil when it is not known. An HTTP/2 request's names are lower
// case. Call it once a request: the head it finds is then forgotten.
func Names(r *http.Request) map[string]string {
	if r.ProtoMajor == 2 {
		out := make(map[string]string, len(r.Header))
		for k := range r.Header {
			out[k] = strings.ToLower(k)
		}
		return out
	}
	rec, _ := r.Context().Value(ctxKey{}).(*record)
	if rec == nil {
		return nil
	}
	rec.mu.Lock()
	h, ok := rec.p.take(r.Method, r.RequestURI)
	rec.mu.Unlock()
	if !ok {
		return nil
	}
	out := make(map[string]string, len(h.names))
	for _, n := range h.names {
		k := textproto.CanonicalMIMEHeaderKey(n)
		if _, seen := out[k]; !seen {
			out[k] = n
		}
	}
	// The head must be r's: every header r has was in it (but for the
	// Cache-Control net/http adds to a request with Pragma: no-cache).
	for k := range r.Header {
		if _, ok := out[k]; !ok && (k != "Cache-Control" || out["Pragma"] == "") {
			return nil
		}
	}
	return out
}
