package providers

import (
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/virga/virga/internal/cfn/resource"
	"github.com/virga/virga/internal/ids"
)

// ResponsePath is where custom resources' response URLs are served:
// ResponsePath + TOKEN, on virga's endpoint.
const ResponsePath = "/_virga/cloudformation/custom-resource-response/"

// ResponseURLs are custom resources' response URLs, the part of
// AWS::CloudFormation::CustomResource that HTTP reaches: where AWS gives
// a provider a presigned S3 URL to PUT its response object to, virga
// gives one on its own endpoint, named by a random token of 256 bits so
// that it cannot be guessed. A URL takes one PUT: the first body
// received whole is handed to the custom resource that opened it, and
// the URL is retired;
// a later PUT, or one to a URL never opened or already closed, is
// refused with S3's 403 AccessDenied. The URLs live in memory: an
// operation that virga's restart interrupts fails anyway.
type ResponseURLs struct {
	ids     *ids.Generator
	mu      sync.Mutex
	pending map[string]pendingResponse
}

// pendingResponse is one open response URL.
type pendingResponse struct {
	body  chan []byte
	limit int
}

var _ resource.Responses = (*ResponseURLs)(nil)

// NewResponseURLs returns the response URLs, with tokens from g.
func NewResponseURLs(g *ids.Generator) *ResponseURLs {
	return &ResponseURLs{ids: g, pending: map[string]pendingResponse{}}
}

// Open implements resource.Responses.
func (u *ResponseURLs) Open(limit int) (string, <-chan []byte, func()) {
	token := u.ids.Hex(32)
	ch := make(chan []byte, 1)
	u.mu.Lock()
	u.pending[token] = pendingResponse{body: ch, limit: limit}
	u.mu.Unlock()
	return ResponsePath + token, ch, func() { u.take(token) }
}

// take retires a URL, returning it if it was open.
func (u *ResponseURLs) take(token string) (pendingResponse, bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	p, ok := u.pending[token]
	delete(u.pending, token)
	return p, ok
}

// ServeHTTP takes a PUT to a response URL.
func (u *ResponseURLs) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	token, _ := strings.CutPrefix(r.URL.Path, ResponsePath)
	if strings.Contains(token, "/") {
		token = ""
	}
	var p pendingResponse
	if !acceptPut(w, r, token, func() bool {
		u.mu.Lock()
		defer u.mu.Unlock()
		var ok bool
		p, ok = u.pending[token]
		return ok
	}) {
		return
	}
	// The body is read to one byte over the limit, enough for the
	// custom resource to see that it is too long. An upload that breaks
	// off leaves the URL open for the provider to try again, as a
	// presigned URL is.
	body, err := io.ReadAll(io.LimitReader(r.Body, int64(p.limit)+1))
	if err != nil {
		s3Error(w, http.StatusBadRequest, "IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header.")
		return
	}
	// Of PUTs at once, the first to finish is the response.
	p, ok := u.take(token)
	if !ok {
		s3Error(w, http.StatusForbidden, "AccessDenied", "Access Denied")
		return
	}
	p.body <- body
	w.WriteHeader(http.StatusOK)
}

// acceptPut answers what is not a PUT to an open URL, as S3 answers a
// presigned URL's, and says whether the request is one: token is the
// URL's ("" for a path that is none), open whether it is open.
func acceptPut(w http.ResponseWriter, r *http.Request, token string, open func() bool) bool {
	switch {
	case token == "":
		http.NotFound(w, r)
	case r.Method != http.MethodPut:
		w.Header().Set("Allow", http.MethodPut)
		s3Error(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "The specified method is not allowed against this resource.")
	case !open():
		s3Error(w, http.StatusForbidden, "AccessDenied", "Access Denied")
	default:
		return true
	}
	return false
}

// s3Error writes an error as S3, whose presigned URLs response URLs
// stand for, does.
func s3Error(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n<Error><Code>"+code+"</Code><Message>"+message+"</Message></Error>")
}
