package logs

import (
	"sync"
	"time"
)

// Sink is where functions write their output: one log stream per
// execution environment, created with its group on first use, as Lambda
// writes to CloudWatch Logs. Writes are buffered briefly and appended in
// batches, so a chatty function costs one store write per batch, not per
// line; the writes do not wait for their sync (see Service.Append).
type Sink struct {
	s   *Service
	emf bool // publish the embedded metric format's metrics (emf.go)
}

// Sink returns a writer of log streams.
func (s *Service) Sink() *Sink { return &Sink{s: s} }

// FunctionSink returns the writer functions log through: a Sink whose
// events in the embedded metric format publish their metrics, as
// CloudWatch Logs extracts them from Lambda functions' logs.
func (s *Service) FunctionSink() *Sink { return &Sink{s: s, emf: true} }

// flushDelay and flushEvents bound how long and how many events a stream
// buffers before appending them.
const (
	flushDelay  = 100 * time.Millisecond
	flushEvents = 256
)

// Stream opens a log stream for writing.
func (k *Sink) Stream(group, stream string) (*StreamWriter, error) {
	if _, err := k.s.Append(group, stream, nil, true); err != nil {
		return nil, err
	}
	return &StreamWriter{s: k.s, group: group, stream: stream, emf: k.emf}, nil
}

// StreamWriter appends events to one stream.
type StreamWriter struct {
	s             *Service
	group, stream string
	emf           bool

	mu     sync.Mutex
	buf    []Event
	timer  *time.Timer
	closed bool
	err    error
}

// Write buffers one event. CloudWatch Logs requires events of one batch
// in time order; a clock that steps back is clamped to the previous event.
func (w *StreamWriter) Write(at time.Time, message string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	ts := at.UnixMilli()
	if n := len(w.buf); n > 0 && ts < w.buf[n-1].Timestamp {
		ts = w.buf[n-1].Timestamp
	}
	if len(message) > maxEventBytes {
		message = message[:maxEventBytes]
	}
	if message == "" {
		message = " " // CloudWatch Logs refuses empty messages
	}
	w.buf = append(w.buf, Event{Timestamp: ts, Message: message})
	if len(w.buf) >= flushEvents {
		return w.flushLocked()
	}
	if w.timer == nil {
		w.timer = time.AfterFunc(flushDelay, func() {
			w.mu.Lock()
			defer w.mu.Unlock()
			w.flushLocked()
		})
	}
	return w.err
}

// Flush appends what is buffered.
func (w *StreamWriter) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.flushLocked()
}

func (w *StreamWriter) flushLocked() error {
	if w.timer != nil {
		w.timer.Stop()
		w.timer = nil
	}
	if len(w.buf) == 0 {
		return w.err
	}
	_, err := w.s.Append(w.group, w.stream, w.buf, true)
	if err == nil && w.emf && w.s.metrics != nil {
		if ps := embeddedMetrics(w.buf); len(ps) > 0 {
			w.s.metrics.PutFilterMetrics(ps)
		}
	}
	w.buf = w.buf[:0]
	if err != nil {
		w.err = err
	}
	return err
}

// Close flushes and stops the writer.
func (w *StreamWriter) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	err := w.flushLocked()
	w.closed = true
	return err
}
