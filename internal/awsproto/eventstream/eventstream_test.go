package eventstream

import (
	"bytes"
	"strings"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
)

// The messages written here are read back with the decoder of
// aws-sdk-go-v2, which checks both checksums and the lengths.
func TestRoundTripWithSDKDecoder(t *testing.T) {
	t.Parallel()
	cases := []struct {
		headers []Header
		payload []byte
	}{
		{[]Header{{":event-type", "PayloadChunk"}, {":content-type", "application/octet-stream"}, {":message-type", "event"}}, []byte("hello")},
		{[]Header{{":event-type", "InvokeComplete"}}, []byte(`{"ErrorCode":"Error"}`)},
		{nil, nil},
		{[]Header{{"x", ""}}, bytes.Repeat([]byte{0, 1, 2}, 70000)},
		{[]Header{{strings.Repeat("n", 255), strings.Repeat("v", 65535)}}, []byte{0}},
	}
	var stream []byte
	for _, c := range cases {
		var err error
		if stream, err = AppendMessage(stream, c.headers, c.payload); err != nil {
			t.Fatal(err)
		}
	}
	dec := sdk.NewDecoder()
	rd := bytes.NewReader(stream)
	for i, c := range cases {
		msg, err := dec.Decode(rd, nil)
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if !bytes.Equal(msg.Payload, c.payload) {
			t.Errorf("message %d: payload of %d bytes, want %d", i, len(msg.Payload), len(c.payload))
		}
		if len(msg.Headers) != len(c.headers) {
			t.Fatalf("message %d: %d headers, want %d", i, len(msg.Headers), len(c.headers))
		}
		for j, h := range c.headers {
			got := msg.Headers[j]
			v, isString := got.Value.(sdk.StringValue)
			if got.Name != h.Name || !isString || string(v) != h.Value {
				t.Errorf("message %d header %d = %s: %v, want %s: %q", i, j, got.Name, got.Value, h.Name, h.Value)
			}
		}
	}
	if rd.Len() != 0 {
		t.Errorf("%d bytes left after the last message", rd.Len())
	}
}

func TestAppendEvent(t *testing.T) {
	t.Parallel()
	b, err := AppendEvent(nil, "PayloadChunk", "application/octet-stream", []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	msg, err := sdk.NewDecoder().Decode(bytes.NewReader(b), nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{":event-type": "PayloadChunk", ":content-type": "application/octet-stream", ":message-type": "event"} {
		if v := msg.Headers.Get(name); v == nil || v.String() != want {
			t.Errorf("%s = %v, want %q", name, v, want)
		}
	}
}

func TestTooLarge(t *testing.T) {
	t.Parallel()
	for _, h := range [][]Header{{{"", "v"}}, {{strings.Repeat("n", 256), ""}}, {{"n", strings.Repeat("v", 65536)}}} {
		if b, err := AppendMessage([]byte("keep"), h, nil); err != ErrTooLarge || string(b) != "keep" {
			t.Errorf("headers %.20v: %q, %v; want ErrTooLarge and b unchanged", h, b, err)
		}
	}
	if _, err := AppendMessage(nil, nil, make([]byte, MaxPayloadBytes+1)); err != ErrTooLarge {
		t.Errorf("oversized payload: %v, want ErrTooLarge", err)
	}
}
