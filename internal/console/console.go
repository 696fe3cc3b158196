package console

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"path"
	"strings"

	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/web"
)

// TokenHeader carries Options.Token on the console's API requests.
const TokenHeader = "X-Virga-Console-Token"

// Path is where the console is served; its JSON API is under Path+"api/".
const Path = "/_virga/console/"

// csp keeps the page to its own origin: no inline script or style, no
// third-party fetches, no framing by another site, no form posts
// elsewhere.
const csp = "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

// Service runs one AWS service's operations in process, through the
// same handlers its AWS API serves, so that the console shows what an
// SDK would read. The console calls only operations that read (see
// readOnly).
type Service interface {
	Call(ctx context.Context, op string, input map[string]any) (map[string]any, error)
}

// Services are the services the console reads; a nil one has its views
// answer 404.
type Services struct {
	Lambda         Service
	DynamoDB       Service
	SQS            Service
	SNS            Service
	Events         Service
	StepFunctions  Service
	CloudFormation Service
	Logs           Service
	XRay           Service
	ECS            Service
	ELBv2          Service
}

// Options are what a Console is built from.
type Options struct {
	Services Services
	// Remote serves the console to clients that are not on this
	// machine too (virga up --console-remote). By default a request
	// from a non-loopback address, or naming a host that is not
	// loopback (as a DNS-rebinding page would), is refused.
	Remote bool
	// Token, when set, must come with every API request, in the
	// X-Virga-Console-Token header (see the package documentation).
	Token  string
	Clock  clock.Clock
	Logger *slog.Logger
}

// Console serves the web console and its JSON API.
type Console struct {
	opts   Options
	mux    *http.ServeMux
	assets fs.FS
}

// New builds the console.
func New(o Options) *Console {
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	assets, err := fs.Sub(web.Console, "console")
	if err != nil {
		panic(err) // the embedded tree always has console/
	}
	c := &Console{opts: o, mux: http.NewServeMux(), assets: assets}
	c.routes()
	return c
}

// ServeHTTP answers a request under Path.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	if !c.opts.Remote && (!loopbackAddr(r.RemoteAddr) || !loopbackHost(r.Host)) {
		http.Error(w, "the console is served to this machine only (start virga with --console-remote to serve it to others)", http.StatusForbidden)
		return
	}
	if c.opts.Token != "" && strings.HasPrefix(r.URL.Path, Path+"api/") {
		switch got := r.Header.Get(TokenHeader); {
		case got == "":
			writeStatus(w, http.StatusUnauthorized, "MissingToken",
				"virga checks credentials: open the console through the URL with ?token= that virga logged at start (API requests send the token in the "+TokenHeader+" header)")
			return
		case subtle.ConstantTimeCompare([]byte(got), []byte(c.opts.Token)) != 1:
			writeStatus(w, http.StatusUnauthorized, "InvalidToken",
				"the console token is not this virga's: virga makes a new one each time it starts; open the URL with ?token= that it logged at its last start")
			return
		}
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.Set("Allow", "GET, HEAD")
		http.Error(w, "the console only reads", http.StatusMethodNotAllowed)
		return
	}
	c.mux.ServeHTTP(w, r)
}

// loopbackAddr reports whether a request's remote address is on this
// machine.
func loopbackAddr(remote string) bool {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// loopbackHost reports whether a request's Host names this machine:
// localhost (or a name under .localhost, which resolvers keep on
// loopback) or a loopback address.
func loopbackHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// contentTypes are the types of the console's files, by extension;
// a file with another extension is not served.
var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".svg":  "image/svg+xml",
}

// serveAsset serves one embedded file; "/" is index.html.
func (c *Console) serveAsset(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, Path)
	if name == "" {
		name = "index.html"
	}
	ctype, ok := contentTypes[path.Ext(name)]
	if !ok || !fs.ValidPath(name) {
		http.NotFound(w, r)
		return
	}
	b, err := fs.ReadFile(c.assets, name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", "no-cache")
	if r.Method == http.MethodHead {
		return
	}
	w.Write(b)
}

// writeJSON answers v as JSON, never cached: what it shows changes.
func writeJSON(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(append(b, '\n'))
}

// apiError is the body of an error answer: AWS's code and message when
// a service refused the read.
type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func writeError(w http.ResponseWriter, err error) {
	if e := apierr.As(err); e != nil {
		writeStatus(w, e.Status, e.Code, e.Message)
		return
	}
	writeStatus(w, http.StatusInternalServerError, "InternalError", err.Error())
}

// writeStatus answers an error with its status, code and message.
func writeStatus(w http.ResponseWriter, status int, code, message string) {
	var body apiError
	body.Error.Code, body.Error.Message = code, message
	b, _ := json.Marshal(body)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// badRequest answers a console API request that lacks what it needs.
func badRequest(w http.ResponseWriter, msg string) {
	writeError(w, &apierr.Error{Code: "BadRequest", Status: http.StatusBadRequest, Message: msg})
}
