package agent

import (
	"bytes"
	"sync"
)

// maxLogLine caps one line handed to Logs: a longer run without a
// newline is handed over in pieces of this size.
const maxLogLine = 256 * 1024

// lineWriter splits what a container writes to one stream into lines.
type lineWriter struct {
	stream string
	fn     func(stream string, line []byte)

	mu  sync.Mutex
	buf []byte
}

// io2 returns the stdout and stderr writers for fn (which may be nil).
func io2(fn func(stream string, line []byte)) (*lineWriter, *lineWriter) {
	return &lineWriter{stream: "stdout", fn: fn}, &lineWriter{stream: "stderr", fn: fn}
}

func (w *lineWriter) Write(p []byte) (int, error) {
	if w.fn == nil {
		return len(p), nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			break
		}
		line := bytes.TrimSuffix(w.buf[:i], []byte("\r"))
		w.fn(w.stream, append([]byte(nil), line...))
		w.buf = w.buf[i+1:]
	}
	for len(w.buf) >= maxLogLine {
		w.fn(w.stream, append([]byte(nil), w.buf[:maxLogLine]...))
		w.buf = w.buf[maxLogLine:]
	}
	if len(w.buf) == 0 {
		w.buf = nil
	}
	return len(p), nil
}

// flush hands over a last line without its newline.
func (w *lineWriter) flush() {
	if w.fn == nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.buf) > 0 {
		w.fn(w.stream, w.buf)
		w.buf = nil
	}
}
