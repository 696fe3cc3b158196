package agent

import (
	"bytes"
	"testing"
)

// FuzzLineWriter: whatever the chunking of a stream, Logs receives its
// lines in order, without newlines (a trailing \r dropped), pieces of at
// most maxLogLine, and a last line without newline on flush.
func FuzzLineWriter(f *testing.F) {
	f.Add([]byte("one\ntwo\n"), uint8(3))
	f.Add([]byte("no newline"), uint8(1))
	f.Add([]byte("crlf\r\nx\r\n\n\n"), uint8(2))
	f.Add([]byte(""), uint8(0))
	f.Add(bytes.Repeat([]byte("a"), maxLogLine+10), uint8(200))
	f.Fuzz(func(t *testing.T, data []byte, chunk uint8) {
		var got [][]byte
		w := &lineWriter{stream: "stdout", fn: func(stream string, line []byte) {
			if stream != "stdout" {
				t.Fatalf("stream %q", stream)
			}
			if len(line) > maxLogLine {
				t.Fatalf("line of %d bytes", len(line))
			}
			got = append(got, line)
		}}
		n := int(chunk) + 1
		for rest := data; len(rest) > 0; {
			k := min(n, len(rest))
			if m, err := w.Write(rest[:k]); m != k || err != nil {
				t.Fatalf("Write = %d, %v", m, err)
			}
			rest = rest[k:]
		}
		w.flush()

		var want [][]byte
		lines := bytes.Split(data, []byte("\n"))
		for i, l := range lines {
			last := i == len(lines)-1
			if !last {
				l = bytes.TrimSuffix(l, []byte("\r"))
			}
			if last && len(l) == 0 {
				break
			}
			for len(l) > maxLogLine {
				want = append(want, l[:maxLogLine])
				l = l[maxLogLine:]
			}
			want = append(want, l)
		}
		if len(got) != len(want) {
			t.Fatalf("got %d lines, want %d", len(got), len(want))
		}
		for i := range want {
			if !bytes.Equal(got[i], want[i]) {
				t.Fatalf("line %d = %q, want %q", i, got[i], want[i])
			}
		}
	})
}
