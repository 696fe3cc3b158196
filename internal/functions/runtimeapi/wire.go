package runtimeapi

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/http/httputil"
	"strconv"
	"strings"
)

// The Runtime API speaks HTTP/1.1 over loopback to one runtime per
// Server. It is a handful of fixed requests, so a lean reader and writer
// serve it instead of net/http: one read and one write system call per
// exchange, no goroutine per request, no background read to watch for
// a client going away (a long poll that loses its client is noticed when
// its invocation cannot be written, and the invocation waits for the
// next poll).

// Wire limits.
const (
	maxHeaderBytes = 64 << 10 // request line and headers together
	readBufferSize = 16 << 10
)

var (
	errMalformed      = errors.New("runtimeapi: malformed request")
	errHeaderTooLarge = errors.New("runtimeapi: request header too large")
)

// request is what the handlers need of an HTTP request.
type request struct {
	method, path string
	// contentLength is -1 when the body is chunked.
	contentLength  int64
	errorType      string // Lambda-Runtime-Function-Error-Type
	contentType    string
	streaming      bool // Lambda-Runtime-Function-Response-Mode: streaming
	close          bool // the client asked to close after this exchange
	expectContinue bool
	body           io.Reader
	// trailers are the Lambda-Runtime-Function-Error-* trailers of a
	// chunked body, set once the body has been read to its end.
	trailers trailers
	// ext are the Extensions API's Lambda-Extension-* headers.
	ext extensionHeaders
}

// extensionHeaders are the headers an extension sends.
type extensionHeaders struct {
	name          string // Lambda-Extension-Name
	id            string // Lambda-Extension-Identifier
	errorType     string // Lambda-Extension-Function-Error-Type
	acceptFeature string // Lambda-Extension-Accept-Feature
}

// trailers are what a streamed response reports after its body: the
// error that ended it, if any.
type trailers struct {
	errorType string // Lambda-Runtime-Function-Error-Type
	errorBody string // Lambda-Runtime-Function-Error-Body, base64
}

// readRequest reads one request's line and headers from br; the body is
// left to read through req.body (exactly, so that the next request
// starts where it ends).
func readRequest(br *bufio.Reader) (*request, error) {
	total := 0
	line, err := readLine(br, &total)
	if err != nil {
		return nil, err
	}
	method, rest, ok1 := strings.Cut(line, " ")
	target, proto, ok2 := strings.Cut(rest, " ")
	if !ok1 || !ok2 || method == "" || target == "" {
		return nil, errMalformed
	}
	req := &request{method: method, contentLength: 0}
	switch proto {
	case "HTTP/1.1":
	case "HTTP/1.0":
		req.close = true
	default:
		return nil, errMalformed
	}
	// The path, without a query; an absolute-form target keeps its path.
	if i := strings.IndexByte(target, '?'); i >= 0 {
		target = target[:i]
	}
	if strings.HasPrefix(target, "http://") {
		if i := strings.IndexByte(target[len("http://"):], '/'); i >= 0 {
			target = target[len("http://")+i:]
		} else {
			target = "/"
		}
	}
	if target == "" || strings.IndexByte(target, '%') >= 0 {
		return nil, errMalformed // request ids and paths never need escapes
	}
	req.path = target
	sawLength := false
	for {
		line, err := readLine(br, &total)
		if err != nil {
			return nil, err
		}
		if line == "" {
			break
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok || name == "" || strings.ContainsAny(name, " \t") {
			return nil, errMalformed
		}
		value = strings.TrimSpace(value)
		switch {
		case strings.EqualFold(name, "Content-Length"):
			n, err := strconv.ParseInt(value, 10, 64)
			if err != nil || n < 0 || (sawLength && n != req.contentLength) {
				return nil, errMalformed
			}
			sawLength = true
			if req.contentLength != -1 {
				req.contentLength = n
			}
		case strings.EqualFold(name, "Transfer-Encoding"):
			if !strings.EqualFold(value, "chunked") {
				return nil, errMalformed
			}
			req.contentLength = -1
		case strings.EqualFold(name, "Connection"):
			switch {
			case strings.EqualFold(value, "close"):
				req.close = true
			case strings.EqualFold(value, "keep-alive"):
				req.close = false
			}
		case strings.EqualFold(name, "Expect"):
			req.expectContinue = strings.EqualFold(value, "100-continue")
		case strings.EqualFold(name, "Lambda-Runtime-Function-Error-Type"):
			req.errorType = value
		case strings.EqualFold(name, "Content-Type"):
			req.contentType = value
		case strings.EqualFold(name, "Lambda-Runtime-Function-Response-Mode"):
			req.streaming = strings.EqualFold(value, "streaming")
		case len(name) > len(extensionHeaderPrefix) && strings.EqualFold(name[:len(extensionHeaderPrefix)], extensionHeaderPrefix):
			req.ext.set(name[len(extensionHeaderPrefix):], value)
		}
	}
	if req.contentLength == -1 {
		req.body = &chunkedBody{r: httputil.NewChunkedReader(br), br: br, trailers: &req.trailers}
	} else {
		req.body = io.LimitReader(br, req.contentLength)
	}
	return req, nil
}

const extensionHeaderPrefix = "Lambda-Extension-"

// set keeps the Lambda-Extension-{suffix} header.
func (h *extensionHeaders) set(suffix, value string) {
	switch {
	case strings.EqualFold(suffix, "Name"):
		h.name = value
	case strings.EqualFold(suffix, "Identifier"):
		h.id = value
	case strings.EqualFold(suffix, "Function-Error-Type"):
		h.errorType = value
	case strings.EqualFold(suffix, "Accept-Feature"):
		h.acceptFeature = value
	}
}

// readLine reads one CRLF- (or LF-) terminated line, counting toward the
// header limit.
func readLine(br *bufio.Reader, total *int) (string, error) {
	b, err := br.ReadSlice('\n')
	*total += len(b)
	if *total > maxHeaderBytes || err == bufio.ErrBufferFull {
		return "", errHeaderTooLarge
	}
	if err != nil {
		if err == io.EOF && len(b) > 0 {
			return "", io.ErrUnexpectedEOF
		}
		return "", err
	}
	b = bytes.TrimSuffix(b[:len(b)-1], []byte{'\r'})
	return string(b), nil
}

var statusText = map[int]string{
	200: "OK", 202: "Accepted", 400: "Bad Request", 403: "Forbidden", 404: "Not Found",
	405: "Method Not Allowed", 413: "Request Entity Too Large", 431: "Request Header Fields Too Large",
	500: "Internal Server Error",
}

// appendResponseHead writes a response's status line and headers (each
// "Name: value" in extra), with Content-Length, into b.
func appendResponseHead(b []byte, status int, contentType string, length int, close bool, extra ...string) []byte {
	b = append(b, "HTTP/1.1 "...)
	b = strconv.AppendInt(b, int64(status), 10)
	b = append(b, ' ')
	b = append(b, statusText[status]...)
	b = append(b, "\r\n"...)
	if contentType != "" {
		b = append(b, "Content-Type: "...)
		b = append(b, contentType...)
		b = append(b, "\r\n"...)
	}
	b = append(b, "Content-Length: "...)
	b = strconv.AppendInt(b, int64(length), 10)
	b = append(b, "\r\n"...)
	if close {
		b = append(b, "Connection: close\r\n"...)
	}
	for _, h := range extra {
		b = append(b, h...)
		b = append(b, "\r\n"...)
	}
	return append(b, "\r\n"...)
}

// chunkedBody reads a chunked body and, at its end, the trailer section,
// so that the next request starts where it should; the error trailers
// of a streamed response are kept.
type chunkedBody struct {
	r        io.Reader
	br       *bufio.Reader
	done     bool
	trailers *trailers
}

func (c *chunkedBody) Read(p []byte) (int, error) {
	if c.done {
		return 0, io.EOF
	}
	n, err := c.r.Read(p)
	if err == io.EOF {
		c.done = true
		total := 0
		for {
			line, lerr := readLine(c.br, &total)
			if lerr != nil {
				return n, lerr
			}
			if line == "" {
				break
			}
			name, value, _ := strings.Cut(line, ":")
			value = strings.TrimSpace(value)
			switch {
			case strings.EqualFold(name, "Lambda-Runtime-Function-Error-Type"):
				c.trailers.errorType = value
			case strings.EqualFold(name, "Lambda-Runtime-Function-Error-Body"):
				c.trailers.errorBody = value
			}
		}
	}
	return n, err
}
