package paramsecrets

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/functions"
)

// TokenHeader carries the environment's AWS_SESSION_TOKEN on every
// request to the extension.
const TokenHeader = "X-Aws-Parameters-Secrets-Token"

// maxAnswerBytes bounds what is read of a service's answer (a secret is
// at most 64 KB, a parameter 8 KB; the JSON around them is small).
const maxAnswerBytes = 1 << 20

// Options configure a Server.
type Options struct {
	// Host is the address listened on; default 127.0.0.1, where the
	// functions' "localhost" is.
	Host string
	// Client makes the calls to virga's SSM and Secrets Manager; default
	// http.DefaultClient. It must trust virga's certificate when the
	// functions' endpoint is HTTPS.
	Client *http.Client
	Clock  clock.Clock
	Logger *slog.Logger
}

// Server serves the extension's API to every environment that attaches.
// It is safe for concurrent use.
type Server struct {
	opts  Options
	mu    sync.Mutex
	ports map[int]*listener
}

var _ functions.ParamsSecrets = (*Server)(nil)

// listener is one port's HTTP server, shared by the sessions using it.
type listener struct {
	s        *Server
	port     int
	srv      *http.Server
	sessions map[string]*session // by session token
}

// session is the extension as the environments holding one session
// token see it.
type session struct {
	// refs counts the environments holding the token; ready those of
	// them past their init.
	refs, ready int
	att         functions.ExtensionAttachment
	cfg         config
	cache       *cache
}

// New returns a Server; listeners open as environments attach.
func New(opts Options) *Server {
	if opts.Host == "" {
		opts.Host = "127.0.0.1"
	}
	if opts.Client == nil {
		opts.Client = http.DefaultClient
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Server{opts: opts, ports: map[int]*listener{}}
}

// Attach serves the API to an environment until detach is called, from
// when ready is called. It fails when the environment has no session
// token or its port cannot be listened on.
func (s *Server) Attach(a functions.ExtensionAttachment) (ready, detach func(), err error) {
	token := a.Credentials.SessionToken
	if token == "" {
		return nil, nil, errors.New("the execution environment has no AWS_SESSION_TOKEN")
	}
	cfg := readConfig(a.Env)
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.ports[cfg.port]
	if l == nil {
		ln, err := net.Listen("tcp", net.JoinHostPort(s.opts.Host, strconv.Itoa(cfg.port)))
		if err != nil {
			return nil, nil, fmt.Errorf("listening on port %d: %w", cfg.port, err)
		}
		l = &listener{s: s, port: cfg.port, sessions: map[string]*session{}}
		l.srv = &http.Server{Handler: l, ReadHeaderTimeout: 10 * time.Second}
		s.ports[cfg.port] = l
		go l.srv.Serve(ln)
	}
	se := l.sessions[token]
	if se == nil {
		se = &session{att: a, cfg: cfg}
		if cfg.caches() {
			se.cache = newCache(cfg.cacheSize)
		}
		l.sessions[token] = se
	}
	se.refs++
	var readyOnce, detachOnce sync.Once
	isReady := false
	ready = func() {
		readyOnce.Do(func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			if !isReady && l.sessions[token] == se {
				isReady = true
				se.ready++
			}
		})
	}
	detach = func() {
		detachOnce.Do(func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			if isReady {
				se.ready--
			}
			isReady = true // a late ready counts for nothing
			s.detach(l, token)
		})
	}
	return ready, detach, nil
}

// detach releases one environment's hold on a token. It runs under s.mu.
func (s *Server) detach(l *listener, token string) {
	se := l.sessions[token]
	if se == nil {
		return
	}
	if se.refs--; se.refs > 0 {
		return
	}
	delete(l.sessions, token)
	if len(l.sessions) == 0 && s.ports[l.port] == l {
		delete(s.ports, l.port)
		l.srv.Close()
	}
}

// Close stops every listener.
func (s *Server) Close() error {
	s.mu.Lock()
	ls := s.ports
	s.ports = map[int]*listener{}
	s.mu.Unlock()
	for _, l := range ls {
		l.srv.Close()
	}
	return nil
}

// session finds the session of a token on this listener, and whether
// an environment holding it is past its init.
func (l *listener) session(token string) (*session, bool) {
	if token == "" {
		return nil, false
	}
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	se := l.sessions[token]
	return se, se != nil && se.ready > 0
}

// notReady is the extension's answer during the INIT phase.
const notReady = "not ready to serve traffic, please wait"

func (l *listener) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	se, ready := l.session(r.Header.Get(TokenHeader))
	if se == nil {
		http.Error(w, "Unauthorized", http.StatusUnauthorized)
		return
	}
	if !ready {
		http.Error(w, notReady, http.StatusBadRequest)
		return
	}
	c, err := parseCall(r.URL.Path, r.URL.RawQuery)
	switch {
	case errors.Is(err, errNotFound):
		http.Error(w, "Not Found", http.StatusNotFound)
		return
	case err != nil:
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
		return
	}
	a, err := l.s.answer(r.Context(), se, c)
	if err != nil {
		l.s.opts.Logger.Warn("the AWS Parameters and Secrets Lambda Extension's call failed", "function", se.att.FunctionName, "err", err)
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		return
	}
	if a.contentType != "" {
		w.Header().Set("Content-Type", a.contentType)
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(a.body)))
	w.WriteHeader(a.status)
	w.Write(a.body)
}

// answer is the cached answer to c, or the service's.
func (s *Server) answer(ctx context.Context, se *session, c call) (answer, error) {
	ttl, timeout := se.cfg.ssmTTL, se.cfg.ssmTimeout
	if c.secret {
		ttl, timeout = se.cfg.secretsTTL, se.cfg.secretsTimeout
	}
	now := s.opts.Clock.Now()
	if se.cache != nil && ttl > 0 {
		if a, ok := se.cache.get(c.key, now); ok {
			return a, nil
		}
	}
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	a, err := s.call(ctx, se.att, c)
	if err != nil {
		return answer{}, err
	}
	if a.status == http.StatusOK && se.cache != nil && ttl > 0 {
		a.expires = now.Add(ttl)
		se.cache.put(c.key, a, now)
	}
	return a, nil
}

// call makes c's service call at the environment's endpoint, signed
// with its credentials.
func (s *Server) call(ctx context.Context, att functions.ExtensionAttachment, c call) (answer, error) {
	if att.Endpoint == "" {
		return answer{}, errors.New("the function has no endpoint to call")
	}
	region := att.Region
	if region == "" {
		region = "us-east-1"
	}
	service := "ssm"
	if c.secret {
		service = "secretsmanager"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(att.Endpoint, "/")+"/", bytes.NewReader(c.body))
	if err != nil {
		return answer{}, err
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", c.target)
	sum := sha256.Sum256(c.body)
	cred := aws.Credentials{AccessKeyID: att.Credentials.AccessKeyID, SecretAccessKey: att.Credentials.SecretAccessKey, SessionToken: att.Credentials.SessionToken}
	if err := v4.NewSigner().SignHTTP(ctx, cred, req, hex.EncodeToString(sum[:]), service, region, s.opts.Clock.Now()); err != nil {
		return answer{}, err
	}
	resp, err := s.opts.Client.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
	if err != nil {
		return answer{}, err
	}
	return answer{status: resp.StatusCode, contentType: resp.Header.Get("Content-Type"), body: body}, nil
}
