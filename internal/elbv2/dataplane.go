package elbv2

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// bindLocked binds a listener's port on the listen host. A port that
// cannot be bound (taken, or privileged) leaves the listener reachable
// through the edge only, by its load balancer's DNS name.
func (s *Service) bindLocked(l *listener) {
	if s.listenHost == "-" {
		return
	}
	if b := s.servers[l.ARN]; b != nil {
		return
	}
	if isNetworkProtocol(l.Protocol) {
		s.bindL4Locked(l)
		return
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(s.listenHost, strconv.Itoa(int(l.Port))))
	if err != nil {
		s.log.Warn("a listener's port is not available: its load balancer is reachable through virga's endpoint by its DNS name",
			"listener", l.ARN, "port", l.Port, "err", err)
		return
	}
	arn := l.ARN
	var handler http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.serveListener(w, r, arn) })
	if s.requests != nil {
		handler = countStatus(handler, s.requests)
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 30 * time.Second,
		// Room for a request line and headers at ALB's limits, which
		// serveListener applies itself to answer 400 as ALB does (Go's
		// own limit answers 431).
		MaxHeaderBytes: maxRequestLine + maxRequestHeaders + 4096,
	}
	s.servers[arn] = &boundListener{port: l.Port, server: srv}
	go srv.Serve(ln)
}

func (s *Service) unbindLocked(arn string) {
	b := s.servers[arn]
	if b == nil {
		return
	}
	delete(s.servers, arn)
	b.close()
}

// DataPlane serves requests the edge receives for a load balancer's DNS
// name (Host NAME-ID.REGION.elb.localhost, any port): its HTTP listener
// with the lowest port handles them, or its lowest-port listener when it
// has no HTTP one.
func (s *Service) DataPlane() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := strings.ToLower(r.Host)
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		// AWS's own name of the load balancer is its name here.
		if rest, ok := strings.CutSuffix(host, ".elb.amazonaws.com"); ok {
			host = rest + HostSuffix
		}
		s.mu.RLock()
		var lb *loadBalancer
		for _, x := range s.lbs {
			// A Network Load Balancer is reached on its listeners'
			// ports only.
			if x.DNSName == host && !x.isNetwork() {
				lb = x
			}
		}
		var best *listener
		if lb != nil {
			for _, l := range s.listeners {
				if l.LoadBalancer != lb.ARN {
					continue
				}
				better := best == nil ||
					(l.Protocol == "HTTP") != (best.Protocol == "HTTP") && l.Protocol == "HTTP" ||
					(l.Protocol == "HTTP") == (best.Protocol == "HTTP") && l.Port < best.Port
				if better {
					best = l
				}
			}
		}
		s.mu.RUnlock()
		switch {
		case lb == nil:
			http.Error(w, "No load balancer has the DNS name "+host, http.StatusNotFound)
		case best == nil:
			errorPage(w, http.StatusServiceUnavailable)
		default:
			s.serveListener(w, r, best.ARN)
		}
	})
}

// errorPage writes the HTML page a load balancer answers its own errors
// with.
func errorPage(w http.ResponseWriter, status int) {
	reason := http.StatusText(status)
	if status == http.StatusServiceUnavailable {
		reason = "Service Temporarily Unavailable" // ALB's (nginx's) wording
	}
	text := fmt.Sprintf("%d %s", status, reason)
	w.Header().Set("Server", "awselb/2.0")
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<html>\r\n<head><title>%s</title></head>\r\n<body>\r\n<center><h1>%s</h1></center>\r\n</body>\r\n</html>\r\n", text, text)
}

// route is what a request to a listener resolved to, taken under the
// lock.
type route struct {
	l           listener
	action      Action
	idleTimeout time.Duration
}

// ALB's HTTP header quotas ("Quotas for your Application Load Balancers",
// HTTP headers): the request line, each header and all of the request's
// headers together. A request over any of them is answered 400 Bad
// Request.
const (
	maxRequestLine    = 16 * 1024
	maxHeader         = 16 * 1024
	maxRequestHeaders = 64 * 1024
)

// headersWithinLimits reports whether r's request line and headers are
// within ALB's quotas. Each header is counted as its line "Name: value"
// without its CRLF; Host, which Go keeps apart, counts as one.
func headersWithinLimits(r *http.Request) bool {
	if len(r.Method)+1+len(r.RequestURI)+1+len(r.Proto) > maxRequestLine {
		return false
	}
	total := 0
	add := func(name, value string) bool {
		n := len(name) + 2 + len(value)
		total += n + 2
		return n <= maxHeader && total <= maxRequestHeaders
	}
	if r.Host != "" && !add("Host", r.Host) {
		return false
	}
	for name, values := range r.Header {
		for _, v := range values {
			if !add(name, v) {
				return false
			}
		}
	}
	return true
}

// serveListener evaluates the listener's rules by priority, then its
// default action, and performs the action of the first that matches.
func (s *Service) serveListener(w http.ResponseWriter, r *http.Request, arn string) {
	if !headersWithinLimits(r) {
		w.Header().Set("Connection", "close")
		errorPage(w, http.StatusBadRequest)
		return
	}
	req := request{host: r.Host, path: r.URL.Path, method: r.Method, header: r.Header, query: r.URL.Query()}
	if h, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		req.source = net.ParseIP(h)
	}
	s.mu.RLock()
	l := s.listeners[arn]
	if l == nil {
		s.mu.RUnlock()
		errorPage(w, http.StatusServiceUnavailable)
		return
	}
	rt := route{l: *l, idleTimeout: defaultIdleTimeout * time.Second}
	if lb := s.lbs[l.LoadBalancer]; lb != nil {
		if n, err := strconv.Atoi(lb.Attributes["idle_timeout.timeout_seconds"]); err == nil {
			rt.idleTimeout = time.Duration(n) * time.Second
		}
	}
	actions := l.DefaultActions
	for _, ru := range s.listenerRulesLocked(arn) {
		if conditionsMatch(ru.Conditions, req) {
			actions = ru.Actions
			break
		}
	}
	if len(actions) == 0 {
		s.mu.RUnlock()
		errorPage(w, http.StatusServiceUnavailable)
		return
	}
	rt.action = actions[len(actions)-1]
	s.mu.RUnlock()

	switch deref(rt.action.Type) {
	case "fixed-response":
		fixedResponse(w, rt.action.FixedResponseConfig)
	case "redirect":
		redirect(w, r, &rt)
	case "forward":
		s.forward(w, r, &rt)
	default:
		errorPage(w, http.StatusInternalServerError)
	}
}

func fixedResponse(w http.ResponseWriter, c *FixedResponseActionConfig) {
	status, _ := strconv.Atoi(deref(c.StatusCode))
	ct := deref(c.ContentType)
	if ct == "" {
		ct = "text/plain"
	}
	w.Header().Set("Server", "awselb/2.0")
	w.Header().Set("Content-Type", ct+"; charset=utf-8")
	w.WriteHeader(status)
	io.WriteString(w, deref(c.MessageBody))
}

// redirect answers a redirect action: each URI component is the
// configured one, in which #{protocol}, #{host}, #{port}, #{path} (the
// path without its leading "/") and #{query} stand for the request's.
func redirect(w http.ResponseWriter, r *http.Request, rt *route) {
	c := rt.action.RedirectConfig
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	vars := strings.NewReplacer(
		"#{protocol}", rt.l.Protocol,
		"#{host}", host,
		"#{port}", strconv.Itoa(int(rt.l.Port)),
		"#{path}", strings.TrimPrefix(r.URL.EscapedPath(), "/"),
		"#{query}", r.URL.RawQuery,
	)
	or := func(p *string, def string) string {
		if p == nil {
			return vars.Replace(def)
		}
		return vars.Replace(*p)
	}
	proto := strings.ToLower(or(c.Protocol, "#{protocol}"))
	port := or(c.Port, "#{port}")
	u := proto + "://" + or(c.Host, "#{host}")
	if !(proto == "http" && port == "80" || proto == "https" && port == "443") {
		u += ":" + port
	}
	u += or(c.Path, "/#{path}")
	if q := or(c.Query, "#{query}"); q != "" {
		u += "?" + q
	}
	status := http.StatusMovedPermanently
	if deref(c.StatusCode) == "HTTP_302" {
		status = http.StatusFound
	}
	w.Header().Set("Server", "awselb/2.0")
	w.Header().Set("Location", u)
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(status)
	text := fmt.Sprintf("%d %s", status, http.StatusText(status))
	fmt.Fprintf(w, "<html>\r\n<head><title>%s</title></head>\r\n<body>\r\n<center><h1>%s</h1></center>\r\n</body>\r\n</html>\r\n", text, text)
}

// forward picks a target group by weight, then a target of it, and sends
// the request there.
func (s *Service) forward(w http.ResponseWriter, r *http.Request, rt *route) {
	groups := rt.action.ForwardConfig.TargetGroups
	total := int32(0)
	for _, g := range groups {
		total += deref(g.Weight)
	}
	if total == 0 {
		errorPage(w, http.StatusServiceUnavailable)
		return
	}
	pick := rand.Int32N(total)
	var tgARN string
	for _, g := range groups {
		if pick < deref(g.Weight) {
			tgARN = deref(g.TargetGroupArn)
			break
		}
		pick -= deref(g.Weight)
	}
	s.mu.Lock()
	tg := s.tgs[tgARN]
	if tg == nil {
		s.mu.Unlock()
		errorPage(w, http.StatusServiceUnavailable)
		return
	}
	tgCopy := *tg
	candidates := s.healthyTargetsLocked(tg)
	var t target
	if len(candidates) > 0 {
		i := s.next[tg.ARN] % len(candidates)
		s.next[tg.ARN] = i + 1
		t = candidates[i]
	}
	s.mu.Unlock()
	if len(candidates) == 0 {
		errorPage(w, http.StatusServiceUnavailable)
		return
	}
	setForwardedHeaders(r, &rt.l)
	if tgCopy.TargetType == "lambda" {
		s.invokeLambda(w, r, &tgCopy, t.ID)
		return
	}
	s.proxy(w, r, rt, &tgCopy, t)
}

// setForwardedHeaders adds the headers a load balancer adds to what it
// forwards: X-Forwarded-For (the client appended), -Proto, -Port and an
// X-Amzn-Trace-Id.
func setForwardedHeaders(r *http.Request, l *listener) {
	client, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		client = r.RemoteAddr
	}
	if prior := r.Header.Get("X-Forwarded-For"); prior != "" {
		r.Header.Set("X-Forwarded-For", prior+", "+client)
	} else {
		r.Header.Set("X-Forwarded-For", client)
	}
	r.Header.Set("X-Forwarded-Proto", strings.ToLower(l.Protocol))
	r.Header.Set("X-Forwarded-Port", strconv.Itoa(int(l.Port)))
	if r.Header.Get("X-Amzn-Trace-Id") == "" {
		b := make([]byte, 12)
		for i := range b {
			b[i] = byte(rand.IntN(256))
		}
		r.Header.Set("X-Amzn-Trace-Id", fmt.Sprintf("Root=1-%08x-%x", time.Now().Unix(), b))
	}
}

// proxy sends the request to an ip (or instance) target. A target that
// cannot be reached is a 502, one that does not answer within the load
// balancer's idle timeout a 504.
func (s *Service) proxy(w http.ResponseWriter, r *http.Request, rt *route, tg *targetGroup, t target) {
	if net.ParseIP(t.ID) == nil {
		// Instance ids name no address virga can reach.
		errorPage(w, http.StatusBadGateway)
		return
	}
	scheme := "http"
	if tg.Protocol == "HTTPS" {
		scheme = "https"
	}
	dest := &url.URL{Scheme: scheme, Host: net.JoinHostPort(t.ID, strconv.Itoa(int(t.Port)))}
	// The idle timeout is the time no data moves either way ("If no
	// data has been sent or received by the time that the idle timeout
	// period elapses, the load balancer closes the connection"): every
	// byte read from the client or written to it starts it again.
	ctx, cancel := context.WithCancelCause(r.Context())
	defer cancel(nil)
	idle := time.AfterFunc(rt.idleTimeout, func() { cancel(errIdleTimeout) })
	defer idle.Stop()
	touch := func() { idle.Reset(rt.idleTimeout) }
	if r.Body != nil && r.Body != http.NoBody {
		r.Body = &idleBody{ReadCloser: r.Body, touch: touch}
	}
	w = &idleWriter{ResponseWriter: w, touch: touch}
	p := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.Out.URL.Scheme, pr.Out.URL.Host = dest.Scheme, dest.Host
			pr.Out.Host = r.Host
			// Rewrite drops these; the load balancer's own were set.
			for _, h := range []string{"X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Port"} {
				pr.Out.Header.Set(h, r.Header.Get(h))
			}
		},
		Transport: s.transport,
		ErrorHandler: func(w http.ResponseWriter, req *http.Request, err error) {
			if context.Cause(ctx) == errIdleTimeout {
				errorPage(w, http.StatusGatewayTimeout)
				return
			}
			errorPage(w, http.StatusBadGateway)
		},
	}
	p.ServeHTTP(w, r.WithContext(ctx))
}

// errIdleTimeout is the cause of a proxied exchange's end when no data
// moved for the load balancer's idle timeout.
var errIdleTimeout = errors.New("idle timeout")

// idleBody is a request body that restarts the idle timer on each read.
type idleBody struct {
	io.ReadCloser
	touch func()
}

func (b *idleBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if n > 0 {
		b.touch()
	}
	return n, err
}

// idleWriter is a response writer that restarts the idle timer on each
// write; Unwrap lets the proxy flush and hijack through it.
type idleWriter struct {
	http.ResponseWriter
	touch func()
}

func (w *idleWriter) Write(p []byte) (int, error) {
	n, err := w.ResponseWriter.Write(p)
	if n > 0 {
		w.touch()
	}
	return n, err
}

func (w *idleWriter) WriteHeader(status int) {
	w.ResponseWriter.WriteHeader(status)
	w.touch()
}

func (w *idleWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// countStatus calls record with the status of each response h writes.
func countStatus(h http.Handler, record func(status int)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w}
		h.ServeHTTP(sw, r)
		if sw.status == 0 { // nothing written: net/http answers 200
			sw.status = http.StatusOK
		}
		record(sw.status)
	})
}

// statusWriter remembers the first status written.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Flush lets streamed responses through.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap gives http.ResponseController the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
