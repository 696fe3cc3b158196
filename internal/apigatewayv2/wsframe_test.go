package apigatewayv2

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"strings"
	"testing"
)

// clientFrame encodes a frame as a client sends it: masked.
func clientFrame(fin bool, opcode byte, payload []byte) []byte {
	b0 := opcode
	if fin {
		b0 |= 0x80
	}
	out := []byte{b0}
	switch n := len(payload); {
	case n < 126:
		out = append(out, 0x80|byte(n))
	case n <= 0xFFFF:
		out = append(out, 0x80|126)
		out = binary.BigEndian.AppendUint16(out, uint16(n))
	default:
		out = append(out, 0x80|127)
		out = binary.BigEndian.AppendUint64(out, uint64(n))
	}
	key := [4]byte{0x37, 0xfa, 0x21, 0x3d}
	out = append(out, key[:]...)
	for i, c := range payload {
		out = append(out, c^key[i%4])
	}
	return out
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func TestWebSocketMessages(t *testing.T) {
	t.Parallel()
	big := bytes.Repeat([]byte("a"), maxFrameSize)
	tests := []struct {
		name     string
		in       []byte
		want     []message
		wantCode int // the close code of the error that ends the stream; 0 for EOF
	}{
		{"text", clientFrame(true, opText, []byte(`{"action":"x"}`)), []message{{opText, []byte(`{"action":"x"}`)}}, 0},
		{"empty text", clientFrame(true, opText, nil), []message{{opText, []byte{}}}, 0},
		{"fragments with a ping between",
			cat(clientFrame(false, opText, []byte("hel")), clientFrame(true, opPing, []byte("p")), clientFrame(true, opContinuation, []byte("lo"))),
			[]message{{opPing, []byte("p")}, {opText, []byte("hello")}}, 0},
		{"a 32 KB frame", clientFrame(true, opText, big), []message{{opText, big}}, 0},
		{"a frame over 32 KB", clientFrame(true, opText, append(big, 'b')), nil, closeTooBig},
		{"a message over 128 KB in 32 KB frames",
			cat(clientFrame(false, opText, big), clientFrame(false, opContinuation, big), clientFrame(false, opContinuation, big),
				clientFrame(false, opContinuation, big), clientFrame(true, opContinuation, []byte("x"))), nil, closeTooBig},
		{"unmasked", []byte{0x81, 0x01, 'a'}, nil, closeProtocolError},
		{"reserved bits", append([]byte{0xC1}, clientFrame(true, opText, []byte("a"))[1:]...), nil, closeProtocolError},
		{"unknown opcode", clientFrame(true, 0x3, nil), nil, closeProtocolError},
		{"fragmented ping", clientFrame(false, opPing, nil), nil, closeProtocolError},
		{"long ping", clientFrame(true, opPing, bytes.Repeat([]byte("p"), 126)), nil, closeProtocolError},
		{"lone continuation", clientFrame(true, opContinuation, []byte("x")), nil, closeProtocolError},
		{"interrupted message", cat(clientFrame(false, opText, []byte("a")), clientFrame(true, opText, []byte("b"))), nil, closeProtocolError},
		{"invalid UTF-8", clientFrame(true, opText, []byte{0xff, 0xfe}), nil, closeInvalidPayload},
		{"binary", clientFrame(true, opBinary, []byte{0, 1}), []message{{opBinary, []byte{0, 1}}}, 0},
		{"close", clientFrame(true, opClose, closePayload(closeNormal, "bye")), []message{{opClose, closePayload(closeNormal, "bye")}}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mr := &messageReader{r: bufio.NewReader(bytes.NewReader(tc.in))}
			var got []message
			var err error
			for {
				var m message
				if m, err = mr.next(); err != nil {
					break
				}
				got = append(got, m)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %d messages %q, want %q", len(got), got, tc.want)
			}
			for i := range got {
				if got[i].opcode != tc.want[i].opcode || !bytes.Equal(got[i].data, tc.want[i].data) {
					t.Fatalf("message %d = %d %q, want %d %q", i, got[i].opcode, got[i].data, tc.want[i].opcode, tc.want[i].data)
				}
			}
			var ce *closeError
			switch {
			case tc.wantCode == 0 && err != io.EOF:
				t.Fatalf("err = %v, want EOF", err)
			case tc.wantCode != 0 && (!errors.As(err, &ce) || ce.code != tc.wantCode):
				t.Fatalf("err = %v, want close code %d", err, tc.wantCode)
			}
		})
	}
}

func TestWebSocketServerFrames(t *testing.T) {
	t.Parallel()
	// A message over 32 KB goes out in frames of at most 32 KB.
	data := []byte(strings.Repeat("x", maxFrameSize*2+5))
	out := appendFrames(nil, opText, data)
	r := bytes.NewReader(out)
	var got []byte
	var frames int
	for r.Len() > 0 {
		var h [2]byte
		io.ReadFull(r, h[:])
		n := int(h[1] & 0x7F)
		switch n {
		case 126:
			var b [2]byte
			io.ReadFull(r, b[:])
			n = int(binary.BigEndian.Uint16(b[:]))
		case 127:
			var b [8]byte
			io.ReadFull(r, b[:])
			n = int(binary.BigEndian.Uint64(b[:]))
		}
		if n > maxFrameSize || h[1]&0x80 != 0 {
			t.Fatalf("frame of %d bytes, masked %v", n, h[1]&0x80 != 0)
		}
		wantOp := byte(opContinuation)
		if frames == 0 {
			wantOp = opText
		}
		if h[0]&0x0F != wantOp || (h[0]&0x80 != 0) != (r.Len() == n) {
			t.Fatalf("frame %d header %08b", frames, h[0])
		}
		p := make([]byte, n)
		io.ReadFull(r, p)
		got = append(got, p...)
		frames++
	}
	if frames != 3 || !bytes.Equal(got, data) {
		t.Fatalf("%d frames, %d bytes", frames, len(got))
	}
	if code, reason, err := parseClose(closePayload(closeGoingAway, "Going away")); err != nil || code != closeGoingAway || reason != "Going away" {
		t.Fatalf("parseClose = %d %q %v", code, reason, err)
	}
	if code, _, err := parseClose(nil); err != nil || code != closeNoStatus {
		t.Fatalf("parseClose(empty) = %d %v", code, err)
	}
	if got := acceptKey("dGhlIHNhbXBsZSBub25jZQ=="); got != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" {
		t.Fatalf("acceptKey = %s", got) // RFC 6455's example
	}
}

// FuzzWebSocketMessages feeds arbitrary bytes to the message reader: it
// must end in EOF or an error, never panic, and never return a message
// over the limits.
func FuzzWebSocketMessages(f *testing.F) {
	f.Add(clientFrame(true, opText, []byte(`{"action":"send","data":"hi"}`)))
	f.Add(cat(clientFrame(false, opText, []byte("a")), clientFrame(true, opPing, nil), clientFrame(true, opContinuation, []byte("b"))))
	f.Add(clientFrame(true, opClose, closePayload(closeNormal, "bye")))
	f.Add([]byte{0x81, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF})
	f.Add([]byte{0x81, 0xFE, 0x80, 0x00})
	f.Fuzz(func(t *testing.T, in []byte) {
		mr := &messageReader{r: bufio.NewReader(bytes.NewReader(in))}
		for range 1000 {
			m, err := mr.next()
			if err != nil {
				return
			}
			if len(m.data) > maxMessageSize {
				t.Fatalf("message of %d bytes", len(m.data))
			}
			if m.opcode == opClose {
				parseClose(m.data)
			}
		}
	})
}

func TestWebSocketRouteSelection(t *testing.T) {
	t.Parallel()
	tests := []struct {
		expr, body string
		want       string
		ok         bool
	}{
		{"$request.body.action", `{"action":"sendmessage","data":"hi"}`, "sendmessage", true},
		{"${request.body.action}", `{"action":"join"}`, "join", true},
		{"$request.body.meta.kind", `{"meta":{"kind":"ping"}}`, "ping", true},
		{"$request.body.action", `{"action":7}`, "7", true},
		{"$request.body.action", `{"other":"x"}`, "", false},
		{"$request.body.action", `not json`, "", false},
		{"$request.body.action", `["action"]`, "", false},
		{"$request.body.action", `{"action":{"nested":1}}`, "", false},
	}
	for _, tc := range tests {
		got, ok := selectRouteKey(tc.expr, []byte(tc.body))
		if got != tc.want || ok != tc.ok {
			t.Errorf("selectRouteKey(%s, %s) = %q, %v; want %q, %v", tc.expr, tc.body, got, ok, tc.want, tc.ok)
		}
	}
	for _, bad := range []string{"$request.method $request.path", "$request.body.", "action", "$request.body.a..b", "${request.body.a"} {
		if _, err := webSocketRouteSelection(bad); err == nil {
			t.Errorf("webSocketRouteSelection(%q) accepted", bad)
		}
	}
}
