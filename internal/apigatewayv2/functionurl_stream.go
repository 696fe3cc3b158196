package apigatewayv2

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
)

// A function URL in RESPONSE_STREAM mode sends the function's bytes to
// the client as the function writes them (chunked, each piece flushed).
// A function that wrote through awslambda.HttpResponseStream.from
// (Content-Type application/vnd.awslambda.http-integration-response)
// puts a prelude first: a JSON object with statusCode, headers and
// cookies, then eight zero bytes; the prelude becomes the response's
// status and headers, the rest its body.

// httpIntegrationType is the content type of a response with a prelude.
const httpIntegrationType = "application/vnd.awslambda.http-integration-response"

// maxPreludeBytes bounds the prelude: "the metadata must appear within
// the first 16KB" (API Gateway's rule for the same format). A stream
// without a delimiter by then is served as it is.
const maxPreludeBytes = 16 << 10

// preludeDelimiter ends the prelude: eight zero bytes.
var preludeDelimiter = make([]byte, 8)

// prelude is the status and headers a streamed HTTP response begins
// with.
type prelude struct {
	StatusCode int               `json:"statusCode"`
	Headers    map[string]string `json:"headers"`
	Cookies    []string          `json:"cookies"`
}

// apply sets the prelude's status, headers and cookies on res.
func (p *prelude) apply(res *response) {
	if p.StatusCode >= 100 && p.StatusCode <= 599 {
		res.status = p.StatusCode
	}
	for k, v := range p.Headers {
		res.header.Set(k, v)
	}
	for _, c := range p.Cookies {
		res.header.Add("Set-Cookie", c)
	}
}

// preludeState is what splitPrelude found.
type preludeState uint8

const (
	preludeIncomplete preludeState = iota // no delimiter yet, within the limit
	preludeFound                          // a prelude, and the body after it
	preludeNone                           // not a prelude: serve b as the body
)

// splitPrelude looks for a prelude at the start of b, of which limit
// bytes at most may be prelude.
func splitPrelude(b []byte, limit int) (p prelude, body []byte, state preludeState) {
	i := bytes.Index(b, preludeDelimiter)
	if i < 0 {
		if len(b) < limit && len(b) <= maxPreludeBytes {
			return p, nil, preludeIncomplete
		}
		return p, b, preludeNone
	}
	if i > maxPreludeBytes || json.Unmarshal(b[:i], &p) != nil {
		return prelude{}, b, preludeNone
	}
	return p, b[i+len(preludeDelimiter):], preludeFound
}

// urlStream writes a streamed function response to a URL's client.
type urlStream struct {
	w           http.ResponseWriter
	r           *http.Request
	u           FunctionURL
	requestID   string
	begun       bool
	contentType string
	started     bool   // the status and headers are sent
	pending     []byte // the prelude so far
}

func (st *urlStream) begin(contentType string) {
	st.begun, st.contentType = true, contentType
}

func (st *urlStream) write(p []byte) error {
	if !st.started {
		if st.contentType != httpIntegrationType {
			st.head(nil)
		} else {
			st.pending = append(st.pending, p...)
			pre, body, state := splitPrelude(st.pending, maxPreludeBytes+len(preludeDelimiter))
			switch state {
			case preludeIncomplete:
				return nil
			case preludeFound:
				st.head(&pre)
			default:
				st.head(nil)
			}
			p, st.pending = body, nil
		}
	}
	if len(p) > 0 {
		if _, err := st.w.Write(p); err != nil {
			return err
		}
	}
	return http.NewResponseController(st.w).Flush()
}

// finish sends what a stream that ended within its prelude left.
func (st *urlStream) finish() {
	if st.started {
		return
	}
	pending := st.pending
	pre, body, state := splitPrelude(pending, len(pending))
	if state == preludeFound {
		st.head(&pre)
		pending = body
	} else {
		st.head(nil)
	}
	st.w.Write(pending)
}

// head sends the status and headers: the prelude's, or 200 and the
// function's content type.
func (st *urlStream) head(pre *prelude) {
	st.started = true
	res := &response{status: http.StatusOK, header: http.Header{}}
	if pre != nil {
		pre.apply(res)
	} else if st.contentType != "" && st.contentType != httpIntegrationType {
		res.header.Set("Content-Type", st.contentType)
	}
	if res.header.Get("Content-Type") == "" {
		res.header.Set("Content-Type", "application/octet-stream")
	}
	res.header.Set("X-Amzn-Requestid", st.requestID)
	if st.u.Cors != nil {
		st.u.Cors.apply(res, st.r)
	}
	h := st.w.Header()
	for k, vs := range res.header {
		ck := http.CanonicalHeaderKey(k)
		if ck == "Content-Length" || hopHeaders[strings.ToLower(k)] {
			continue
		}
		h[ck] = vs
	}
	st.w.WriteHeader(res.status)
}

// streamFunctionURL serves a URL in RESPONSE_STREAM mode as the function
// writes.
func (s *Service) streamFunctionURL(w http.ResponseWriter, r *http.Request, sf StreamingFunctions, u FunctionURL, payload []byte, requestID string) {
	st := &urlStream{w: w, r: r, u: u, requestID: requestID}
	out, functionError, err := sf.InvokeStream(r.Context(), u.Function, payload, st.begin, st.write)
	var res *response
	switch {
	case err != nil:
		s.log.Warn("function URL: invocation failed", "function", u.Function, "err", err, "requestId", requestID)
		res = errFunctionURL()
	case st.begun:
		if functionError != "" && !st.started && len(st.pending) == 0 {
			res = errFunctionURL()
			break
		}
		// Whatever the function wrote was sent; an error after it began
		// cannot change the status any more.
		st.finish()
		return
	case functionError != "":
		res = errFunctionURL()
	default:
		res = streamedResponse(out)
		res.header.Set("X-Amzn-Requestid", requestID)
	}
	if u.Cors != nil {
		u.Cors.apply(res, r)
	}
	res.write(w, r)
}
