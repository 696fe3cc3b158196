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
	// Only the new bytes are searched for a newline: the buffer before
	// them holds none.
	from := len(w.buf)
	w.buf = append(w.buf, p...)
	start := 0
	for {
		i := bytes.IndexByte(w.buf[from:], '\n')
		if i < 0 {
			break
		}
		end := from + i
		w.emit(w.buf[start:end], true)
		start, from = end+1, end+1
	}
	for len(w.buf)-start >= maxLogLine {
		w.emit(w.buf[start:start+maxLogLine], false)
		start += maxLogLine
	}
	switch {
	case start == len(w.buf):
		w.buf = nil
	case start > 0:
		w.buf = append([]byte(nil), w.buf[start:]...)
	}
	return len(p), nil
}

// emit hands one line (a copy) to fn, longer ones in pieces of
// maxLogLine; a complete line loses a trailing \r.
func (w *lineWriter) emit(line []byte, complete bool) {
	if complete {
		line = bytes.TrimSuffix(line, []byte("\r"))
	}
	for len(line) > maxLogLine {
		w.fn(w.stream, append([]byte(nil), line[:maxLogLine]...))
		line = line[maxLogLine:]
	}
	w.fn(w.stream, append([]byte(nil), line...))
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
