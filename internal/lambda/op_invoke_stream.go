package lambda

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"sync"

	"github.com/virga/virga/internal/awsproto"
	"github.com/virga/virga/internal/awsproto/eventstream"
	"github.com/virga/virga/internal/functions"
)

// InvokeWithResponseStream answers application/vnd.amazon.eventstream:
// a PayloadChunk event for each piece of the response as the function
// streams it (a function that does not stream sends its whole response
// as PayloadChunks once it has returned), then one InvokeComplete event
// with ErrorCode and ErrorDetails when the function failed, and LogResult
// (the last 4 KB of the log, base64) when LogType is Tail. A function's
// failure is reported in InvokeComplete, under status 200; API errors
// (throttling, a missing function) are ordinary error answers.

// eventStreamContentType is the Content-Type of the answer.
const eventStreamContentType = "application/vnd.amazon.eventstream"

// maxChunkEvent bounds one PayloadChunk's payload.
const maxChunkEvent = 64 << 10

func (s *Service) invokeWithResponseStream(ctx context.Context, in *InvokeWithResponseStreamRequest) (*InvokeWithResponseStreamResponse, error) {
	t, err := s.parseTarget(*in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	payload := in.Payload
	if len(payload) > maxSyncPayload {
		return nil, ErrRequestTooLarge
	}
	payload, clientContext, fn, v, err := s.prepareInvocation(t, payload, in.ClientContext)
	if err != nil {
		return nil, err
	}
	if deref(in.InvocationType) == "DryRun" {
		return &InvokeWithResponseStreamResponse{StatusCode: ptr(int32(204))}, nil
	}
	requestID, traceID := s.ids.UUID(), ""
	if c := awsproto.CallFrom(ctx); c != nil {
		requestID, traceID = c.RequestID, c.TraceID
	}
	tail := deref(in.LogType) == "Tail"
	es := newEventStream()
	type outcome struct {
		res *functions.Result
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		// The function runs to its end even if the client goes away, as
		// on AWS.
		res, err := s.run(context.WithoutCancel(ctx), fn, v, &functions.Invocation{
			RequestID: requestID, InvokedARN: s.arn(t), Payload: payload, TraceID: traceID,
			ClientContext: clientContext, Tail: tail, Stream: es,
		})
		done <- outcome{res, err}
	}()
	out := &InvokeWithResponseStreamResponse{StatusCode: ptr(int32(200)), ExecutedVersion: ptr(v.name()),
		ResponseStreamContentType: ptr(eventStreamContentType), EventStream: es}
	select {
	case <-es.begun:
		go func() {
			o := <-done
			es.complete(o.res, o.err, tail)
		}()
		return out, nil
	case o := <-done:
		if o.err != nil {
			return nil, o.err
		}
		go es.complete(o.res, nil, tail)
		return out, nil
	}
}

// eventStream is the answer's body: the events, written (and flushed)
// as they come.
type eventStream struct {
	begun     chan struct{} // closed when the function begins to stream
	beginOnce sync.Once
	frames    chan []byte   // encoded events; closed after InvokeComplete
	gone      chan struct{} // closed by Close: the client went away
	closeOnce sync.Once
	streamed  bool // set before begun is closed
	pending   []byte
}

var (
	_ functions.ResponseStream = (*eventStream)(nil)
	_ io.WriterTo              = (*eventStream)(nil)
)

func newEventStream() *eventStream {
	return &eventStream{begun: make(chan struct{}), frames: make(chan []byte, 16), gone: make(chan struct{})}
}

// Begin implements functions.ResponseStream.
func (es *eventStream) Begin(string) {
	es.beginOnce.Do(func() {
		es.streamed = true
		close(es.begun)
	})
}

// Write implements functions.ResponseStream: PayloadChunk events.
func (es *eventStream) Write(p []byte) error {
	for len(p) > 0 {
		n := min(len(p), maxChunkEvent)
		if !es.send("PayloadChunk", "application/octet-stream", p[:n]) {
			return io.ErrClosedPipe
		}
		p = p[n:]
	}
	return nil
}

// send queues one event; false when the client has gone.
func (es *eventStream) send(eventType, contentType string, payload []byte) bool {
	frame, err := eventstream.AppendEvent(nil, eventType, contentType, payload)
	if err != nil {
		return false
	}
	select {
	case es.frames <- frame:
		return true
	case <-es.gone:
		return false
	}
}

// complete sends what is left once the invocation is over: the whole
// response of a function that did not stream, then InvokeComplete.
func (es *eventStream) complete(res *functions.Result, err error, tail bool) {
	defer close(es.frames)
	var done struct {
		ErrorCode    *string `json:"ErrorCode,omitempty"`
		ErrorDetails *string `json:"ErrorDetails,omitempty"`
		LogResult    *string `json:"LogResult,omitempty"`
	}
	switch {
	case err != nil:
		// Lambda failed after the stream began (it cannot, today: the
		// errors of run come before an environment takes the invocation).
		done.ErrorCode, done.ErrorDetails = ptr("ServiceException"), ptr(err.Error())
	case res.FunctionError != "":
		code, details := res.ErrorType, errorMessageOf(res.Payload)
		done.ErrorCode, done.ErrorDetails = &code, &details
	case !es.streamed:
		payload := res.Payload
		if len(payload) > maxSyncResponse {
			code := "Function.ResponseSizeTooLarge"
			details := "Response payload size exceeded maximum allowed payload size (6291556 bytes)."
			done.ErrorCode, done.ErrorDetails = &code, &details
			break
		}
		if es.Write(payload) != nil {
			return
		}
	}
	if err == nil && tail {
		logTail := res.LogTail
		if len(logTail) > logTailBytes {
			logTail = logTail[len(logTail)-logTailBytes:]
		}
		done.LogResult = ptr(base64.StdEncoding.EncodeToString(logTail))
	}
	body, _ := json.Marshal(done)
	es.send("InvokeComplete", "application/json", body)
}

// errorMessageOf is the errorMessage of an error document, or the
// document itself when it has none.
func errorMessageOf(doc []byte) string {
	var d struct {
		ErrorMessage *string `json:"errorMessage"`
	}
	if json.Unmarshal(doc, &d) == nil && d.ErrorMessage != nil {
		return *d.ErrorMessage
	}
	return string(doc)
}

// WriteTo writes the events as they come, flushing each, until
// InvokeComplete has been written or w fails.
func (es *eventStream) WriteTo(w io.Writer) (int64, error) {
	var n int64
	rw, _ := w.(http.ResponseWriter)
	for frame := range es.frames {
		m, err := w.Write(frame)
		n += int64(m)
		if err != nil {
			es.Close()
			return n, err
		}
		if rw != nil {
			http.NewResponseController(rw).Flush()
		}
	}
	return n, nil
}

// Read serves readers that do not use WriteTo.
func (es *eventStream) Read(p []byte) (int, error) {
	for len(es.pending) == 0 {
		frame, ok := <-es.frames
		if !ok {
			return 0, io.EOF
		}
		es.pending = frame
	}
	n := copy(p, es.pending)
	es.pending = es.pending[n:]
	return n, nil
}

// Close tells the producer that no one reads any more.
func (es *eventStream) Close() error {
	es.closeOnce.Do(func() { close(es.gone) })
	return nil
}
