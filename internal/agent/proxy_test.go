package agent

import (
	"context"
	"io"
	"net"
	"os"
	"testing"
)

// nsEcho makes a network namespace with a TCP echo server on
// 127.0.0.1 inside it and a host proxy to it; it returns the proxy's
// address.
func nsEcho(tb testing.TB) string {
	tb.Helper()
	if os.Geteuid() != 0 {
		tb.Skip("network namespaces need root")
	}
	ns, err := newNetns()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ns.close() })
	inner, err := ns.listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { inner.Close() })
	go func() {
		for {
			c, err := inner.Accept()
			if err != nil {
				return
			}
			go func() {
				io.Copy(c, c)
				c.Close()
			}()
		}
	}()
	host, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	target := inner.Addr().String()
	p := newProxy(host, func(ctx context.Context) (net.Conn, error) { return ns.dial(ctx, "tcp", target) })
	tb.Cleanup(p.close)
	return host.Addr().String()
}

// TestProxyIntoNamespace: the inner listener is not reachable from the
// host namespace; through the proxy it is.
func TestProxyIntoNamespace(t *testing.T) {
	t.Parallel()
	addr := nsEcho(t)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write([]byte("ping")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4)
	if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "ping" {
		t.Fatalf("echo = %q, %v", buf, err)
	}
}

// BenchmarkProxyConnect measures one connection through the namespace
// proxy: accept, setns on a fresh thread, dial, one round trip.
func BenchmarkProxyConnect(b *testing.B) {
	addr := nsEcho(b)
	buf := make([]byte, 1)
	for b.Loop() {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			b.Fatal(err)
		}
		c.Write([]byte("x"))
		if _, err := io.ReadFull(c, buf); err != nil {
			b.Fatal(err)
		}
		c.Close()
	}
}

// BenchmarkProxyRoundTrip measures a round trip on an open proxied
// connection.
func BenchmarkProxyRoundTrip(b *testing.B) {
	addr := nsEcho(b)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	buf := make([]byte, 64)
	for b.Loop() {
		c.Write(buf)
		if _, err := io.ReadFull(c, buf); err != nil {
			b.Fatal(err)
		}
	}
}
