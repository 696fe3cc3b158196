package functions

import (
	"bytes"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Log limits.
const (
	// maxEventBytes: "The maximum event size is 256 KB" (CloudWatch Logs);
	// longer lines are cut into events of this size.
	maxEventBytes = 256 * 1024
	// tailBytes: LogType Tail returns "the last 4 KB of the execution
	// log".
	tailBytes = 4 * 1024
	// defaultMaxLogBytes is how much output one invocation (or an
	// environment's init) may write to its log stream before the rest of
	// it is cut, so that a function printing without end cannot fill the
	// disk; the next invocation logs again.
	defaultMaxLogBytes = 10 << 20
)

// output captures an environment's stdout and stderr (one pipe, and a
// second one for its external extensions'): it cuts them into lines,
// queues the lines for the environment's log stream, and keeps the
// current invocation's tail.
type output struct {
	now      func() time.Time
	logs     *logQueue
	maxBytes int64
	cfg      logConfig
	// tel delivers the lines to the Telemetry and Logs APIs' subscribers
	// (telemetry.go); nil when there are none.
	tel atomic.Pointer[telemetry]

	// eof is closed when every source has ended.
	eof     chan struct{}
	sources []*source
	readers sync.WaitGroup

	mu       sync.Mutex
	tail     *tailBuffer // the current invocation's, when asked for
	initTail tailBuffer  // output before the first invocation
	started  bool        // an invocation has begun
	written  int64
	cut      bool
}

// source is one pipe of the output: the function's, or its external
// extensions' (typ is the Telemetry API's type of its lines).
type source struct {
	r   *os.File
	typ string
	// inflight is set while the reader holds bytes taken from the pipe
	// that are not yet delivered; flush waits for it and an empty pipe.
	inflight atomic.Bool
	partial  []byte // guarded by output.mu
}

// newOutput reads the function's output from r; extensions, when not
// nil, is its external extensions' pipe.
func newOutput(r, extensions *os.File, now func() time.Time, logs *logQueue, maxBytes int64, cfg logConfig) *output {
	o := &output{now: now, logs: logs, maxBytes: maxBytes, cfg: cfg, eof: make(chan struct{})}
	o.sources = append(o.sources, &source{r: r, typ: telemetryFunction})
	if extensions != nil {
		o.sources = append(o.sources, &source{r: extensions, typ: telemetryExtension})
	}
	o.readers.Add(len(o.sources))
	for _, src := range o.sources {
		go o.read(src)
	}
	go func() {
		o.readers.Wait()
		close(o.eof)
	}()
	return o
}

// read consumes a pipe until every writer has closed it.
func (o *output) read(src *source) {
	defer o.readers.Done()
	defer src.r.Close()
	rc, err := src.r.SyscallConn()
	if err != nil {
		return
	}
	buf := make([]byte, 64<<10)
	for {
		var n int
		var rerr error
		err := rc.Read(func(fd uintptr) bool {
			for {
				src.inflight.Store(true)
				n, rerr = syscall.Read(int(fd), buf)
				if rerr == syscall.EINTR {
					continue
				}
				if rerr == syscall.EAGAIN {
					src.inflight.Store(false)
					return false // wait until readable
				}
				return true
			}
		})
		if n > 0 {
			o.consume(src, buf[:n])
		}
		src.inflight.Store(false)
		if err != nil || rerr != nil || n <= 0 {
			o.mu.Lock()
			o.partialLocked(src)
			o.mu.Unlock()
			return
		}
	}
}

func (o *output) consume(src *source, b []byte) {
	o.mu.Lock()
	defer o.mu.Unlock()
	at := o.now()
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			src.partial = append(src.partial, b...)
			for len(src.partial) >= maxEventBytes {
				o.lineLocked(at, src, src.partial[:maxEventBytes])
				src.partial = append(src.partial[:0], src.partial[maxEventBytes:]...)
			}
			return
		}
		line := b[:i]
		if len(src.partial) > 0 {
			src.partial = append(src.partial, line...)
			line = src.partial
		}
		for len(line) > maxEventBytes {
			o.lineLocked(at, src, line[:maxEventBytes])
			line = line[maxEventBytes:]
		}
		o.lineLocked(at, src, line)
		src.partial = src.partial[:0]
		b = b[i+1:]
	}
}

// partialLocked delivers a last line without its newline.
func (o *output) partialLocked(src *source) {
	if len(src.partial) > 0 {
		o.lineLocked(o.now(), src, src.partial)
		src.partial = src.partial[:0]
	}
}

// lineLocked delivers one line of the function's (or an extension's)
// output, unless its level is filtered out.
func (o *output) lineLocked(at time.Time, src *source, line []byte) {
	if !o.cfg.keepLine(line) {
		return
	}
	if t := o.tel.Load(); t != nil {
		t.line(at, src.typ, line, o.cfg.json)
	}
	if o.tail != nil {
		o.tail.line(line)
	} else if !o.started {
		o.initTail.line(line)
	}
	if o.written >= o.maxBytes {
		if !o.cut {
			o.cut = true
			o.logs.push(at, "[virga] this invocation's output exceeded "+humanBytes(o.maxBytes)+"; the rest of it is not logged\n")
		}
		return
	}
	o.written += int64(len(line)) + 1
	// Lambda's events end in the newline that ended the line, as
	// "START RequestId: ... Version: $LATEST\n" does; the conversion in a
	// concatenation makes one string, not two.
	o.logs.push(at, string(line)+"\n")
}

// platform writes a line of Lambda's own (START, END, REPORT, errors,
// or their JSON records): never cut, always in the tail.
func (o *output) platform(at time.Time, line string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.tail != nil {
		o.tail.line([]byte(line))
	} else if !o.started {
		o.initTail.line([]byte(line))
	}
	o.logs.push(at, line+"\n")
}

// streamOnly writes a line of Lambda's own to the log stream and not to
// the tail: the INIT_START line.
func (o *output) streamOnly(at time.Time, line string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.logs.push(at, line+"\n")
}

// event writes a JSON system log record, when the system log level lets
// it through.
func (o *output) event(at time.Time, level logLevel, typ string, record any) {
	if level < o.cfg.system {
		return
	}
	o.platform(at, platformJSON(at, typ, record))
}

// begin starts an invocation's log: its tail when asked for (the first
// invocation's tail starts with the init output). The environment writes
// the START line or record.
func (o *output) begin(tail bool) {
	o.mu.Lock()
	// A last line without its newline that arrived after the previous
	// invocation ended is that invocation's: it is its own event, not the
	// start of this invocation's first line.
	for _, src := range o.sources {
		o.partialLocked(src)
	}
	if tail {
		o.tail = &tailBuffer{}
		if !o.started {
			o.tail.write(o.initTail.bytes())
		}
	}
	o.started = true
	o.initTail = tailBuffer{}
	o.written, o.cut = 0, false // the cap is per invocation
	o.mu.Unlock()
}

// continueInit starts the init's share of the output with failed's:
// an init retried within the invocation, whose tail begins with the
// failed init's output.
func (o *output) continueInit(failed *output) {
	failed.mu.Lock()
	b := failed.initTail.bytes()
	failed.mu.Unlock()
	o.mu.Lock()
	o.initTail.write(b)
	o.mu.Unlock()
}

// settleInit ends the init's share of the output without an
// invocation (an environment initialized ahead for provisioned
// concurrency): the first invocation's tail does not repeat it.
func (o *output) settleInit() {
	o.mu.Lock()
	o.started = true
	o.initTail = tailBuffer{}
	o.mu.Unlock()
}

// end stops collecting the invocation's tail and returns it.
func (o *output) end() []byte {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.tail == nil {
		return nil
	}
	b := o.tail.bytes()
	o.tail = nil
	return b
}

// flush waits until what the runtime (and the extensions) wrote before
// now is delivered: the pipes are empty and the readers hold nothing. A
// function that keeps writing from the background is not waited for
// beyond a short while.
func (o *output) flush() {
	for _, src := range o.sources {
		o.flushSource(src)
	}
}

func (o *output) flushSource(src *source) {
	rc, err := src.r.SyscallConn()
	if err != nil {
		return
	}
	for i := 0; i < 2000; i++ {
		select {
		case <-o.eof:
			return
		default:
		}
		avail := 0
		rc.Control(func(fd uintptr) { avail = pipeAvailable(int(fd)) })
		if avail == 0 && !src.inflight.Load() {
			o.mu.Lock()
			o.partialLocked(src) // a last line without its newline belongs here too
			o.mu.Unlock()
			return
		}
		if i < 50 {
			runtimeGosched()
		} else {
			time.Sleep(50 * time.Microsecond)
		}
	}
}

// tailBuffer keeps the last tailBytes of lines.
type tailBuffer struct{ b []byte }

func (t *tailBuffer) line(l []byte) {
	t.b = append(t.b, l...)
	t.b = append(t.b, '\n')
	t.trim()
}

func (t *tailBuffer) write(b []byte) {
	t.b = append(t.b, b...)
	t.trim()
}

func (t *tailBuffer) trim() {
	if len(t.b) > 2*tailBytes {
		t.b = append(t.b[:0], t.b[len(t.b)-tailBytes:]...)
	}
}

func (t *tailBuffer) bytes() []byte {
	if len(t.b) > tailBytes {
		return append([]byte(nil), t.b[len(t.b)-tailBytes:]...)
	}
	return append([]byte(nil), t.b...)
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + " KB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// logQueue hands log events to the environment's log stream from a
// goroutine of its own, so that a slow sink never slows an invocation.
// The stream is opened on the first event.
type logQueue struct {
	open func() (LogStream, error)

	mu      sync.Mutex
	events  []logEvent
	holders int // those that close it; see share
	closed  bool
	wake    chan struct{}
	done    chan struct{}
}

type logEvent struct {
	at  time.Time
	msg string
}

// newLogQueue starts a queue; live counts it until it has closed its
// stream.
func newLogQueue(open func() (LogStream, error), live *sync.WaitGroup) *logQueue {
	q := &logQueue{open: open, holders: 1, wake: make(chan struct{}, 1), done: make(chan struct{})}
	live.Add(1)
	go func() {
		defer live.Done()
		q.run()
	}()
	return q
}

func (q *logQueue) push(at time.Time, msg string) {
	if q.open == nil {
		return // no sink: nothing to write
	}
	q.mu.Lock()
	if !q.closed {
		q.events = append(q.events, logEvent{at, msg})
	}
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// share gives the queue one more holder (an environment retrying a
// failed init on its stream): it closes when all have closed it.
func (q *logQueue) share() *logQueue {
	q.mu.Lock()
	q.holders++
	q.mu.Unlock()
	return q
}

// close lets the queue drain, then closes the stream, once its last
// holder has closed it.
func (q *logQueue) close() {
	q.mu.Lock()
	if q.holders--; q.holders > 0 {
		q.mu.Unlock()
		return
	}
	q.closed = true
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

func (q *logQueue) run() {
	defer close(q.done)
	var stream LogStream
	failed := false
	var batch []logEvent
	for {
		<-q.wake
		q.mu.Lock()
		batch, q.events = q.events, batch[:0]
		closed := q.closed
		q.mu.Unlock()
		if len(batch) > 0 && stream == nil && !failed && q.open != nil {
			var err error
			if stream, err = q.open(); err != nil {
				failed = true
			}
		}
		if stream != nil {
			for _, ev := range batch {
				stream.Write(ev.at, ev.msg)
			}
		}
		clear(batch)
		if closed {
			q.mu.Lock()
			rest := q.events
			q.events = nil
			q.mu.Unlock()
			if stream != nil {
				for _, ev := range rest {
					stream.Write(ev.at, ev.msg)
				}
				stream.Close()
			}
			return
		}
	}
}
