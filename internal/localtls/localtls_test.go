package localtls

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestOpenKeepsTheAuthority(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	now := time.Now()
	a, err := Open(dir, now)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(dir, caKeyFile)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi, err)
	}
	b, err := Open(dir, now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if !a.Certificate().Equal(b.Certificate()) {
		t.Fatal("a second Open made a new authority")
	}
	bundle, _ := os.ReadFile(b.BundlePath())
	ca, _ := os.ReadFile(b.CAPath())
	if !strings.HasSuffix(string(bundle), string(ca)) {
		t.Fatal("bundle.pem does not end with ca.pem")
	}

	// The server certificate verifies for virga's names, and the
	// authority vouches for nothing outside localhost.
	roots := x509.NewCertPool()
	roots.AddCert(b.Certificate())
	leaf := b.server.Leaf
	for _, name := range []string{"localhost", "abc123.execute-api.localhost", "u1.lambda-url.localhost", "127.0.0.1", "::1"} {
		if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, DNSName: name}); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, DNSName: "example.com"}); err == nil {
		t.Error("the certificate verifies for example.com")
	}
	if len(b.Certificate().PermittedDNSDomains) != 1 || !b.Certificate().PermittedDNSDomainsCritical {
		t.Error("the authority is not constrained to localhost")
	}
}

func TestOpenRefusesHalfAnAuthority(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if _, err := Open(dir, time.Now()); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(dir, caKeyFile))
	if _, err := Open(dir, time.Now()); err == nil || !strings.Contains(err.Error(), "half") {
		t.Fatalf("err = %v", err)
	}
	os.WriteFile(filepath.Join(dir, caKeyFile), []byte("junk"), 0o600)
	if _, err := Open(dir, time.Now()); err == nil || !strings.Contains(err.Error(), "no private key") {
		t.Fatalf("err = %v", err)
	}
}

// TestListenerServesBoth serves HTTP and HTTPS on one port.
func TestListenerServesBoth(t *testing.T) {
	t.Parallel()
	a, err := Open(t.TempDir(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := Listener(inner, a.ServerConfig())
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https " + r.Proto
		}
		io.WriteString(w, scheme+" "+r.Host)
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	port := inner.Addr().(*net.TCPAddr).Port
	addr := inner.Addr().String()

	get := func(c *http.Client, url string) string {
		t.Helper()
		res, err := c.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return string(b)
	}
	if got := get(http.DefaultClient, "http://"+addr+"/"); got != "http "+addr {
		t.Errorf("plain: %q", got)
	}
	roots := x509.NewCertPool()
	roots.AddCert(a.Certificate())
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}, ForceAttemptHTTP2: true,
		DialContext: (&net.Dialer{}).DialContext}}
	if got := get(client, "https://"+addr+"/"); got != "https HTTP/2.0 "+addr {
		t.Errorf("https by address: %q", got)
	}
	// By an API's host name, connecting to virga's address.
	host := "abc123.execute-api.localhost:" + strconv.Itoa(port)
	c2 := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots},
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		}}}
	if got := get(c2, "https://"+host+"/"); got != "https HTTP/1.1 "+host {
		t.Errorf("https by host name: %q", got)
	}

	// A client that connects and says nothing holds up no other.
	silent, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	if got := get(http.DefaultClient, "http://"+addr+"/"); got != "http "+addr {
		t.Errorf("plain after a silent client: %q", got)
	}
	raw, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	io.WriteString(raw, "GET / HTTP/1.0\r\nHost: x\r\n\r\n")
	line, _ := bufio.NewReader(raw).ReadString('\n')
	if !strings.HasPrefix(line, "HTTP/1.0 200") {
		t.Errorf("HTTP/1.0: %q", line)
	}
}

func readFile(dir, name string) ([]byte, error) { return os.ReadFile(filepath.Join(dir, name)) }

// TestPrefixConnHalfCloses: a plain connection the listener hands out
// half-closes as a TCP connection does (net/http relies on it to let a
// client read an error answer before the connection goes).
func TestPrefixConnHalfCloses(t *testing.T) {
	t.Parallel()
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := Listener(inner, &tls.Config{})
	defer ln.Close()
	client, err := net.Dial("tcp", inner.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	io.WriteString(client, "G")
	server, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	if _, ok := server.(io.ReaderFrom); !ok {
		t.Error("no ReadFrom: net/http cannot sendfile")
	}
	server.Write([]byte("answer"))
	if err := server.(interface{ CloseWrite() error }).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(client) // ends at the half-close
	io.WriteString(client, "ET")
	client.(*net.TCPConn).CloseWrite()
	rest, _ := io.ReadAll(server)
	if string(got) != "answer" || string(rest) != "GET" {
		t.Fatalf("client read %q, server read %q", got, rest)
	}
}
