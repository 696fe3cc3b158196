package runtimeapi

import (
	"bytes"
	"encoding/base64"
	"io"
	"time"
)

// Response streaming: a runtime that sets
// Lambda-Runtime-Function-Response-Mode: streaming on its response (or
// sends a chunked body for an invocation whose caller streams, as
// aws-lambda-go does without the header) sends the body chunked, as the
// function writes it, and may end it
// with the trailers Lambda-Runtime-Function-Error-Type and
// Lambda-Runtime-Function-Error-Body (base64) to report an error that
// happened after it began. Lambda forwards the bytes as they come.
const (
	// MaxStreamedResponseBytes: "response streaming functions can return
	// payloads up to 200 MB".
	MaxStreamedResponseBytes = 200 << 20
	// streamBurstBytes and streamRate: "The first 6 MB of your function's
	// response payload has uncapped bandwidth. After this initial burst,
	// Lambda streams your response at a maximum rate of 2 MBps."
	streamBurstBytes = 6 << 20
	streamRate       = 2 << 20 // bytes per second
	// streamReadBytes is the most one chunk event carries.
	streamReadBytes = 32 << 10
)

// Error types of a stream Lambda ends itself.
const (
	typeResponseSizeTooLarge = "Function.ResponseSizeTooLarge"
	typeTruncatedResponse    = "Runtime.TruncatedResponse"
)

// StreamTooLargeMessage is the error message of a streamed response
// that went past MaxStreamedResponseBytes (209715200 bytes).
const StreamTooLargeMessage = "Response payload size exceeded maximum allowed payload size (209715200 bytes)."

// throttleDelay is how long to wait, elapsed after a stream began and
// with sent bytes sent, before sending more: nothing within the burst,
// then whatever keeps the rest at streamRate.
func throttleDelay(sent int64, elapsed time.Duration) time.Duration {
	if sent <= streamBurstBytes {
		return 0
	}
	due := time.Duration(float64(sent-streamBurstBytes) / streamRate * float64(time.Second))
	return max(0, due-elapsed)
}

// streamResponse serves a streamed response: its chunks are events as
// they are read, at the bandwidth Lambda allows.
func (c *conn) streamResponse(req *request, id string) bool {
	s := c.s
	if status, typ, msg := s.begin(actResponse, id, true); status != 0 {
		return c.refuseWith(req, status, typ, msg)
	}
	if !c.continue100(req) {
		s.emit(Event{Kind: EventStreamStart, RequestID: id, ContentType: req.contentType})
		s.emit(Event{Kind: EventStreamEnd, RequestID: id, ErrorType: typeTruncatedResponse})
		return false
	}
	s.emit(Event{Kind: EventStreamStart, RequestID: id, ContentType: req.contentType})
	started := time.Now()
	var sent int64
	buf := make([]byte, streamReadBytes)
	for {
		n, err := req.body.Read(buf)
		if n > 0 {
			over := sent+int64(n) > s.maxStreamed
			if over {
				n = int(s.maxStreamed - sent)
			}
			if n > 0 {
				s.emit(Event{Kind: EventStreamChunk, RequestID: id, Body: bytes.Clone(buf[:n])})
				sent += int64(n)
			}
			if over {
				s.emit(Event{Kind: EventStreamEnd, RequestID: id, ErrorType: typeResponseSizeTooLarge, Body: []byte(StreamTooLargeMessage)})
				c.reply(413, "application/json", errorBody(errRequestEntityTooLarge, StreamTooLargeMessage), true)
				return false
			}
			if d := throttleDelay(sent, time.Since(started)); d > 0 {
				select {
				case <-time.After(d):
				case <-s.closed:
					return false
				}
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			// The runtime went away mid-stream.
			s.emit(Event{Kind: EventStreamEnd, RequestID: id, ErrorType: typeTruncatedResponse})
			return false
		}
	}
	end := Event{Kind: EventStreamEnd, RequestID: id, ErrorType: req.trailers.errorType}
	if req.trailers.errorBody != "" {
		if b, err := base64.StdEncoding.DecodeString(req.trailers.errorBody); err == nil {
			end.Body = b
		} else {
			end.Body = []byte(req.trailers.errorBody)
		}
	}
	if end.ErrorType == "" && end.Body != nil {
		end.ErrorType = "Runtime.Unknown"
	}
	s.emit(end)
	return c.accepted()
}
