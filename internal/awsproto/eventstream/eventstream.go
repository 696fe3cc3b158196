package eventstream

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
)

// Limits of the encoding: a header name's length is one byte, a string
// value's two.
const (
	maxNameBytes  = 255
	maxValueBytes = 65535
	// preludeBytes and checksumBytes frame every message.
	preludeBytes  = 12
	checksumBytes = 4
	// MaxPayloadBytes is the largest payload of one message AWS's
	// decoders accept (16 MiB).
	MaxPayloadBytes = 16 << 20
)

// typeString is the value type of a string header.
const typeString = 7

// Header is one string header of a message.
type Header struct {
	Name, Value string
}

// ErrTooLarge is returned for a header or a payload the encoding cannot
// carry.
var ErrTooLarge = errors.New("eventstream: header or payload too large")

// AppendMessage appends one message with headers and payload to b.
func AppendMessage(b []byte, headers []Header, payload []byte) ([]byte, error) {
	if len(payload) > MaxPayloadBytes {
		return b, ErrTooLarge
	}
	hlen := 0
	for _, h := range headers {
		if len(h.Name) == 0 || len(h.Name) > maxNameBytes || len(h.Value) > maxValueBytes {
			return b, ErrTooLarge
		}
		hlen += 1 + len(h.Name) + 1 + 2 + len(h.Value)
	}
	total := preludeBytes + hlen + len(payload) + checksumBytes
	start := len(b)
	b = binary.BigEndian.AppendUint32(b, uint32(total))
	b = binary.BigEndian.AppendUint32(b, uint32(hlen))
	b = binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[start:start+8]))
	for _, h := range headers {
		b = append(b, byte(len(h.Name)))
		b = append(b, h.Name...)
		b = append(b, typeString)
		b = binary.BigEndian.AppendUint16(b, uint16(len(h.Value)))
		b = append(b, h.Value...)
	}
	b = append(b, payload...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[start:])), nil
}

// AppendEvent appends an event message: :message-type "event", the
// event's type and its payload's content type.
func AppendEvent(b []byte, eventType, contentType string, payload []byte) ([]byte, error) {
	return AppendMessage(b, []Header{
		{":event-type", eventType},
		{":content-type", contentType},
		{":message-type", "event"},
	}, payload)
}
