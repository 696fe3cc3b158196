package headercase

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestParserFraming feeds request streams, whole and a byte at a time,
// and checks the heads the parser records.
func TestParserFraming(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		stream string
		want   []head
		off    bool
	}{
		{"get", "GET /a?x=1 HTTP/1.1\r\nhost: h\r\ncontent-TYPE: j\r\n\r\n",
			[]head{{"GET", "/a?x=1", []string{"host", "content-TYPE"}}}, false},
		{"body then next", "POST /p HTTP/1.1\r\nContent-Length: 16\r\n\r\nGET / HTTP/1.1\r\n" +
			"GET /q HTTP/1.1\r\nx-a: 1\r\n\r\n",
			[]head{{"POST", "/p", []string{"Content-Length"}}, {"GET", "/q", []string{"x-a"}}}, false},
		{"chunked", "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n10\r\n" +
			"GET / HTTP/1.1\r\n\r\n0\r\nx-trailer: 1\r\n\r\nPUT /n HTTP/1.1\r\nX-B: 2\r\n\r\n",
			[]head{{"POST", "/c", []string{"Transfer-Encoding"}}, {"PUT", "/n", []string{"X-B"}}}, false},
		{"folded line", "GET / HTTP/1.1\r\nx-long: a\r\n b\r\nY: 1\r\n\r\n",
			[]head{{"GET", "/", []string{"x-long", "Y"}}}, false},
		{"bare LF", "GET / HTTP/1.1\nx-a: 1\n\n", []head{{"GET", "/", []string{"x-a"}}}, false},
		{"upgrade", "GET /ws HTTP/1.1\r\nupgrade: websocket\r\n\r\n\x81\x05hello",
			[]head{{"GET", "/ws", []string{"upgrade"}}}, true},
		{"h2 prior knowledge", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", nil, true},
		{"bad length", "POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n", nil, true},
		{"bad chunk", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
			[]head{{"POST", "/", []string{"Transfer-Encoding"}}}, true},
	}
	for _, tt := range tests {
		for _, step := range []int{len(tt.stream), 1, 7} {
			p := newParser()
			for b := []byte(tt.stream); len(b) > 0; {
				n := min(step, len(b))
				p.feed(b[:n])
				b = b[n:]
			}
			if !reflect.DeepEqual(p.pending, tt.want) && len(p.pending)+len(tt.want) > 0 {
				t.Errorf("%s (by %d): heads %q, want %q", tt.name, step, p.pending, tt.want)
			}
			if (p.st == stateOff) != tt.off {
				t.Errorf("%s (by %d): state %d", tt.name, step, p.st)
			}
		}
	}
}

// TestParserBounds checks that a record keeps a bounded number of heads
// and gives up on a head longer than the server would take.
func TestParserBounds(t *testing.T) {
	t.Parallel()
	p := newParser()
	for i := range 20 {
		p.feed(fmt.Appendf(nil, "GET /%d HTTP/1.1\r\n\r\n", i))
	}
	if len(p.pending) != maxPending || p.pending[0].target != "/12" {
		t.Fatalf("pending %v", p.pending)
	}
	if h, ok := p.take("GET", "/15"); !ok || h.target != "/15" || len(p.pending) != 4 {
		t.Errorf("take: %v %v, left %v", h, ok, p.pending)
	}
	p = newParser()
	p.feed([]byte("GET / HTTP/1.1\r\nx: "))
	p.feed([]byte(strings.Repeat("a", maxHead)))
	if p.st != stateOff || p.line != nil {
		t.Errorf("an endless header line: state %d, %d bytes kept", p.st, len(p.line))
	}
}

// TestNames serves requests on a Listener and checks what handlers
// learn: the names as sent, over one keep-alive connection, with bodies
// of both framings in between.
func TestNames(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan map[string]string, 10)
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			got <- Names(r)
		}),
		ConnContext:       ConnContext,
		ReadHeaderTimeout: 10 * time.Second,
	}
	go srv.Serve(Listener(ln))
	t.Cleanup(func() { srv.Close() })

	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	br := bufio.NewReader(c)
	requests := []struct {
		raw  string
		want map[string]string
	}{
		{"POST /a HTTP/1.1\r\nhost: x\r\ncontent-type: text/plain\r\nContent-Length: 5\r\nX-MiXed: 1\r\n\r\nhello",
			map[string]string{"Host": "host", "Content-Type": "content-type", "Content-Length": "Content-Length", "X-Mixed": "X-MiXed"}},
		{"PUT /b HTTP/1.1\r\nHost: x\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
			map[string]string{"Host": "Host", "Transfer-Encoding": "transfer-encoding"}},
		{"GET /c?q=1 HTTP/1.1\r\nHOST: x\r\nx-a: 1\r\nX-A: 2\r\n\r\n",
			map[string]string{"Host": "HOST", "X-A": "x-a"}},
	}
	for _, req := range requests {
		if _, err := io.WriteString(c, req.raw); err != nil {
			t.Fatal(err)
		}
		res, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if names := <-got; !reflect.DeepEqual(names, req.want) {
			t.Errorf("%q: names %v, want %v", strings.SplitN(req.raw, "\r\n", 2)[0], names, req.want)
		}
	}
}

// FuzzParser feeds arbitrary streams: the parser never panics, keeps
// its bounds, and whatever it records came from a request line.
func FuzzParser(f *testing.F) {
	f.Add([]byte("GET / HTTP/1.1\r\nHost: a\r\n\r\n"))
	f.Add([]byte("POST /p HTTP/1.1\r\ncontent-length: 3\r\n\r\nabcGET /q HTTP/1.0\r\n\r\n"))
	f.Add([]byte("POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\nA\r\n0123456789\r\n0\r\nT: 1\r\n\r\n"))
	f.Add([]byte("\r\nGET / HTTP/1.1\nUpgrade: h2c\n\nPRI * HTTP/2.0"))
	f.Add([]byte("GET / HTTP/1.1\r\n: empty\r\n\r\n"))
	f.Fuzz(func(t *testing.T, stream []byte) {
		p := newParser()
		for len(stream) > 0 {
			n := min(len(stream), 1+int(stream[0])%13)
			p.feed(stream[:n])
			stream = stream[n:]
		}
		if len(p.pending) > maxPending || len(p.line) > maxHead {
			t.Fatalf("bounds: %d heads, %d line bytes", len(p.pending), len(p.line))
		}
		for _, h := range p.pending {
			if h.method == "" || strings.ContainsAny(h.target, " \n") {
				t.Fatalf("head %+v", h)
			}
		}
	})
}
