package headercase

import (
	"bytes"
	"strconv"
	"strings"
)

const (
	// maxHead bounds a request head (request line and header lines) the
	// parser keeps while it reads it: the edge's http.Server refuses
	// heads over 1 MiB (MaxHeaderBytes) with 431, and a little more
	// leaves room for its slack.
	maxHead = 1<<20 + 4096
	// maxPending is how many parsed heads a record keeps that no
	// handler has asked for. The server reads at most a buffer ahead of
	// the request it serves, so the head Names wants is among the last
	// few.
	maxPending = 8
)

// state is where the parser is in a connection's byte stream.
type state int

const (
	stateHead      state = iota // a request line or a header line
	stateBody                   // remaining bytes of a Content-Length body
	stateChunkSize              // a chunk-size line
	stateChunkData              // remaining bytes of a chunk
	stateChunkEnd               // the CRLF after a chunk's data
	stateTrailer                // trailer lines, up to an empty one
	stateOff                    // not HTTP/1 any more, or not followed
)

// head is one parsed request head.
type head struct {
	method, target string
	names          []string // header names as sent, in order
}

// parser follows the HTTP/1.1 framing of the requests on one
// connection (RFC 9112): it records each head's header names and skips
// bodies.
type parser struct {
	st        state
	line      []byte // the current line, without its end
	headBytes int    // bytes of the head read so far
	remaining int64  // of a body or a chunk

	inHead  bool   // a request line was read: cur is being filled
	cur     head   // the head being read (its names are in names)
	names   []byte // cur's header names, each followed by '\n'
	length  int64  // its Content-Length, -1 if none
	chunked bool   // its Transfer-Encoding ends with chunked
	upgrade bool   // it leaves HTTP/1 after its head

	pending []head // parsed, oldest first
}

func newParser() *parser { return &parser{length: -1} }

// feed takes the next bytes the connection delivered.
func (p *parser) feed(b []byte) {
	for len(b) > 0 && p.st != stateOff {
		switch p.st {
		case stateBody, stateChunkData:
			n := int64(len(b))
			if n > p.remaining {
				n = p.remaining
			}
			b = b[n:]
			p.remaining -= n
			if p.remaining == 0 {
				if p.st == stateBody {
					p.st = stateHead
				} else {
					p.st = stateChunkEnd
				}
			}
		default:
			i := bytes.IndexByte(b, '\n')
			if i < 0 {
				p.appendLine(b)
				return
			}
			var line []byte
			if len(p.line) == 0 {
				// The whole line is in b (the usual case): no copy.
				if p.headBytes += i + 1; p.headBytes > maxHead {
					p.stop()
					return
				}
				line = b[:i]
			} else {
				p.appendLine(b[:i])
				if p.st == stateOff {
					return
				}
				line = p.line
			}
			b = b[i+1:]
			p.onLine(bytes.TrimSuffix(line, []byte("\r")))
			if p.line != nil {
				p.line = p.line[:0]
			}
		}
	}
}

// appendLine adds b to the current line, within maxHead.
func (p *parser) appendLine(b []byte) {
	p.headBytes += len(b) + 1
	if p.headBytes > maxHead {
		p.stop()
		return
	}
	p.line = append(p.line, b...)
}

// stop gives up on the connection for good.
func (p *parser) stop() {
	p.st, p.line, p.names, p.inHead, p.cur = stateOff, nil, nil, false, head{}
}

// onLine takes one complete line (without CR LF) in the states that
// read lines.
func (p *parser) onLine(line []byte) {
	switch p.st {
	case stateHead:
		p.onHeadLine(line)
	case stateChunkSize:
		size, _, _ := bytes.Cut(line, []byte(";"))
		n, err := strconv.ParseInt(string(bytes.TrimSpace(size)), 16, 64)
		switch {
		case err != nil || n < 0:
			p.stop()
		case n == 0:
			p.st = stateTrailer
		default:
			p.st, p.remaining = stateChunkData, n
		}
		p.headBytes = 0
	case stateChunkEnd:
		if len(line) != 0 {
			p.stop()
			return
		}
		p.st, p.headBytes = stateChunkSize, 0
	case stateTrailer:
		if len(line) == 0 {
			p.st = stateHead
		}
		p.headBytes = 0
	}
}

func (p *parser) onHeadLine(line []byte) {
	if !p.inHead {
		if len(line) == 0 {
			// An empty line before a request line is allowed (RFC 9112
			// section 2.2).
			p.headBytes = 0
			return
		}
		method, rest, ok1 := strings.Cut(string(line), " ")
		target, proto, ok2 := strings.Cut(rest, " ")
		if !ok1 || !ok2 || method == "" || target == "" || !strings.HasPrefix(proto, "HTTP/1.") {
			// HTTP/2 with prior knowledge ("PRI * HTTP/2.0") or not HTTP.
			p.stop()
			return
		}
		p.inHead, p.cur, p.names = true, head{method: method, target: target}, p.names[:0]
		p.length, p.chunked, p.upgrade = -1, false, method == "CONNECT"
		return
	}
	if len(line) == 0 {
		p.endHead()
		return
	}
	if line[0] == ' ' || line[0] == '\t' {
		return // obsolete line folding: the previous field goes on
	}
	name, value, ok := bytes.Cut(line, []byte(":"))
	if !ok || len(name) == 0 {
		p.stop()
		return
	}
	p.names = append(append(p.names, name...), '\n')
	// Only the fields that frame the stream are read, without copying
	// the others: this runs for every request the edge serves.
	switch {
	case bytes.EqualFold(name, []byte("Content-Length")):
		l, err := strconv.ParseInt(string(bytes.TrimSpace(value)), 10, 64)
		if err != nil || l < 0 {
			p.stop()
			return
		}
		p.length = l
	case bytes.EqualFold(name, []byte("Transfer-Encoding")):
		codings := bytes.Split(value, []byte(","))
		p.chunked = bytes.EqualFold(bytes.TrimSpace(codings[len(codings)-1]), []byte("chunked"))
	case bytes.EqualFold(name, []byte("Upgrade")):
		p.upgrade = true
	}
}

// curNames splits the names of the head just read out of one string.
func (p *parser) curNames() []string {
	if len(p.names) == 0 {
		return nil
	}
	all := string(p.names)
	out := make([]string, 0, strings.Count(all, "\n"))
	for len(all) > 0 {
		name, rest, _ := strings.Cut(all, "\n")
		out, all = append(out, name), rest
	}
	return out
}

// endHead records the head just read and moves to its body.
func (p *parser) endHead() {
	p.cur.names = p.curNames()
	if len(p.pending) == maxPending {
		p.pending = append(p.pending[:0], p.pending[1:]...)
	}
	p.pending = append(p.pending, p.cur)
	p.inHead, p.cur, p.headBytes = false, head{}, 0
	switch {
	case p.upgrade:
		// A WebSocket or h2c upgrade, or a tunnel: what follows is not
		// HTTP/1. The head just read stays for its handler.
		p.st, p.line = stateOff, nil
	case p.chunked:
		p.st = stateChunkSize
	case p.length > 0:
		p.st, p.remaining = stateBody, p.length
	default:
		p.st = stateHead
	}
}

// take removes and returns the oldest pending head for method and
// target, with those before it.
func (p *parser) take(method, target string) (head, bool) {
	for i, h := range p.pending {
		if h.method == method && h.target == target {
			p.pending = append(p.pending[:0], p.pending[i+1:]...)
			return h, true
		}
	}
	return head{}, false
}
