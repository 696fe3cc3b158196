package localtls

import (
	"bytes"
	"io"
	"net"
	"testing"
	"time"
)

// FuzzSniff sends arbitrary first bytes through the listener: whatever
// does not open a TLS handshake comes out exactly as it went in.
func FuzzSniff(f *testing.F) {
	for _, s := range []string{"GET / HTTP/1.1\r\n", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "\x16\x03\x01\x00", "x", "\x00\xff"} {
		f.Add([]byte(s))
	}
	a, err := Open(f.TempDir(), time.Now())
	if err != nil {
		f.Fatal(err)
	}
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		f.Fatal(err)
	}
	ln := Listener(inner, a.ServerConfig())
	f.Cleanup(func() { ln.Close() })
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		c, err := net.Dial("tcp", inner.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.Write(data)
		c.(*net.TCPConn).CloseWrite()
		s, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if data[0] == handshakeByte {
			return // a handshake, which crypto/tls reads
		}
		got, err := io.ReadAll(s)
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("read %q, %v; want %q", got, err, data)
		}
	})
}

// FuzzParseAuthority reads arbitrary files as an authority's.
func FuzzParseAuthority(f *testing.F) {
	dir := f.TempDir()
	if _, err := Open(dir, time.Now()); err != nil {
		f.Fatal(err)
	}
	cert, _ := readFile(dir, CAFile)
	key, _ := readFile(dir, caKeyFile)
	f.Add(cert, key)
	f.Add(key, cert)
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), []byte{})
	f.Fuzz(func(t *testing.T, certPEM, keyPEM []byte) {
		c, k, err := parseAuthority(certPEM, keyPEM)
		if err == nil && (c == nil || k == nil || !c.IsCA || !k.PublicKey.Equal(c.PublicKey)) {
			t.Fatal("accepted a mismatched authority")
		}
	})
}
