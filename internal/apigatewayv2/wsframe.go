package apigatewayv2

import (
	"bufio"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// The WebSocket protocol (RFC 6455) from the server's side: frames read
// from a client (which masks them) and frames written to it (unmasked).
//
//	frame = FIN RSV1-3 opcode(4 bits) | MASK len(7 bits) [len16 | len64]
//	        [masking key(4 bytes)] payload
//
// A message is a text or binary frame with FIN set, or one without FIN
// followed by continuation frames up to one with FIN; control frames
// (close, ping, pong) may come between them and carry at most 125 bytes.

// WebSocket APIs' limits: "WebSocket frame size 32 KB" and "Message
// payload size 128 KB"; "If a larger message (or larger frame size) is
// received, the connection is closed with code 1009."
const (
	maxFrameSize   = 32 << 10
	maxMessageSize = 128 << 10
)

// Frame opcodes.
const (
	opContinuation = 0x0
	opText         = 0x1
	opBinary       = 0x2
	opClose        = 0x8
	opPing         = 0x9
	opPong         = 0xA
)

// Close codes (RFC 6455, section 7.4.1).
const (
	closeNormal          = 1000
	closeGoingAway       = 1001
	closeProtocolError   = 1002
	closeUnsupportedData = 1003
	closeNoStatus        = 1005
	closeAbnormal        = 1006
	closeInvalidPayload  = 1007
	closeTooBig          = 1009
	closeInternalError   = 1011
)

// closeError is a reason to close a connection: the code to send the
// client and the reason's text.
type closeError struct {
	code   int
	reason string
}

func (e *closeError) Error() string { return fmt.Sprintf("websocket close %d: %s", e.code, e.reason) }

func protocolError(format string, args ...any) error {
	return &closeError{code: closeProtocolError, reason: fmt.Sprintf(format, args...)}
}

var errTooBig = &closeError{code: closeTooBig, reason: "Message too big"}

// frame is one frame as read from a client, its payload unmasked.
type frame struct {
	fin     bool
	opcode  byte
	payload []byte
}

// readFrame reads one client frame. A frame whose payload is over
// maxPayload is refused with errTooBig before its payload is read.
func readFrame(r *bufio.Reader, maxPayload int) (frame, error) {
	var h [2]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return frame{}, err
	}
	f := frame{fin: h[0]&0x80 != 0, opcode: h[0] & 0x0F}
	if h[0]&0x70 != 0 {
		return frame{}, protocolError("reserved bits set without an extension")
	}
	switch f.opcode {
	case opContinuation, opText, opBinary, opClose, opPing, opPong:
	default:
		return frame{}, protocolError("unknown opcode %d", f.opcode)
	}
	if h[1]&0x80 == 0 {
		return frame{}, protocolError("client frames must be masked")
	}
	n := uint64(h[1] & 0x7F)
	switch n {
	case 126:
		var b [2]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return frame{}, err
		}
		n = uint64(binary.BigEndian.Uint16(b[:]))
	case 127:
		var b [8]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return frame{}, err
		}
		n = binary.BigEndian.Uint64(b[:])
		if n>>63 != 0 {
			return frame{}, protocolError("payload length has its top bit set")
		}
	}
	if f.opcode >= opClose {
		if !f.fin {
			return frame{}, protocolError("control frames must not be fragmented")
		}
		if n > 125 {
			return frame{}, protocolError("control frames carry at most 125 bytes")
		}
	} else if n > uint64(maxPayload) {
		return frame{}, errTooBig
	}
	var key [4]byte
	if _, err := io.ReadFull(r, key[:]); err != nil {
		return frame{}, err
	}
	f.payload = make([]byte, n)
	if _, err := io.ReadFull(r, f.payload); err != nil {
		return frame{}, err
	}
	for i := range f.payload {
		f.payload[i] ^= key[i%4]
	}
	return f, nil
}

// message is a whole data message, or a control frame that came while
// reading one.
type message struct {
	opcode byte
	data   []byte
}

// messageReader assembles messages from a client's frames.
type messageReader struct {
	r *bufio.Reader
	// partial is the message being assembled, and partialOp its opcode
	// (0 when none is).
	partial   []byte
	partialOp byte
}

// next returns the next complete data message or control frame. Errors
// that should close the connection with a code are *closeError.
func (m *messageReader) next() (message, error) {
	for {
		f, err := readFrame(m.r, maxFrameSize)
		if err != nil {
			return message{}, err
		}
		switch f.opcode {
		case opClose, opPing, opPong:
			return message{opcode: f.opcode, data: f.payload}, nil
		case opContinuation:
			if m.partialOp == 0 {
				return message{}, protocolError("continuation frame without a message to continue")
			}
		default:
			if m.partialOp != 0 {
				return message{}, protocolError("new message before the last one ended")
			}
			m.partialOp = f.opcode
			m.partial = m.partial[:0]
		}
		if len(m.partial)+len(f.payload) > maxMessageSize {
			return message{}, errTooBig
		}
		m.partial = append(m.partial, f.payload...)
		if !f.fin {
			continue
		}
		out := message{opcode: m.partialOp, data: append([]byte(nil), m.partial...)}
		m.partialOp = 0
		if out.opcode == opText && !utf8.Valid(out.data) {
			return message{}, &closeError{code: closeInvalidPayload, reason: "Invalid UTF-8 in text message"}
		}
		return out, nil
	}
}

// parseClose reads a close frame's payload: its code (closeNoStatus when
// it has none) and reason.
func parseClose(payload []byte) (int, string, error) {
	if len(payload) == 0 {
		return closeNoStatus, "", nil
	}
	if len(payload) == 1 {
		return 0, "", protocolError("close frame with a one-byte payload")
	}
	code := int(binary.BigEndian.Uint16(payload))
	reason := payload[2:]
	if !utf8.Valid(reason) {
		return 0, "", &closeError{code: closeInvalidPayload, reason: "Invalid UTF-8 in close reason"}
	}
	return code, string(reason), nil
}

// appendFrames appends a message to buf as server frames of at most
// maxFrameSize bytes each: "messages larger than 32 KB must be split
// into multiple frames, each 32 KB or smaller".
func appendFrames(buf []byte, opcode byte, data []byte) []byte {
	for first := true; first || len(data) > 0; first = false {
		chunk := data
		if len(chunk) > maxFrameSize {
			chunk = chunk[:maxFrameSize]
		}
		data = data[len(chunk):]
		b0 := byte(opContinuation)
		if first {
			b0 = opcode
		}
		if len(data) == 0 {
			b0 |= 0x80
		}
		buf = append(buf, b0)
		switch n := len(chunk); {
		case n < 126:
			buf = append(buf, byte(n))
		case n <= 0xFFFF:
			buf = append(buf, 126)
			buf = binary.BigEndian.AppendUint16(buf, uint16(n))
		default:
			buf = append(buf, 127)
			buf = binary.BigEndian.AppendUint64(buf, uint64(n))
		}
		buf = append(buf, chunk...)
	}
	return buf
}

// closePayload is a close frame's payload for code and reason.
func closePayload(code int, reason string) []byte {
	if code == closeNoStatus || code == closeAbnormal || code == 0 {
		return nil
	}
	if len(reason) > 123 {
		reason = reason[:123]
	}
	return append(binary.BigEndian.AppendUint16(nil, uint16(code)), reason...)
}

// acceptKey is the Sec-WebSocket-Accept answer to a client's
// Sec-WebSocket-Key.
func acceptKey(key string) string {
	h := sha1.Sum([]byte(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	return base64.StdEncoding.EncodeToString(h[:])
}

// errNotWebSocket is a request that is not a WebSocket opening handshake.
var errNotWebSocket = errors.New("not a WebSocket upgrade")
