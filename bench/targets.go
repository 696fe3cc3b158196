package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/virga/virga/internal/app"
	"github.com/virga/virga/internal/config"
)

// The targets' names, as they appear in the table and in -only.
const (
	bareName       = "bare"
	virgaName      = "virga"
	virgaSigV4Name = "virga-sigv4"
)

// newTransport is the one HTTP transport all clients share, with an idle
// connection for every concurrent caller so no run pays for dialling.
func newTransport(concurrency []int) *http.Transport {
	most := 16
	for _, c := range concurrency {
		most = max(most, c)
	}
	return &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        4 * most,
		MaxIdleConnsPerHost: most,
		IdleConnTimeout:     90 * time.Second,
	}
}

// newClient is an STS client of the server at endpoint, with credentials
// test:test (which --auth sigv4 knows) and no retries, so that errors
// show.
func newClient(endpoint string, hc aws.HTTPClient) *sts.Client {
	return sts.NewFromConfig(aws.Config{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(endpoint),
		Credentials:      credentials.NewStaticCredentialsProvider("test", "test", ""),
		RetryMaxAttempts: 1,
		HTTPClient:       hc,
	})
}

// startTargets starts virga in both auth modes and the bare handler, which
// answers with the bytes virga answered the first call with, and returns
// each one's GetCallerIdentity call by target name. stop ends whatever was
// started, also when err is not nil.
func startTargets(ctx context.Context, tr *http.Transport) (targets map[string]callFunc, stop func(), err error) {
	var stops []func()
	stop = func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
	hc := &http.Client{Transport: tr}
	targets = map[string]callFunc{}

	var answer *recorded
	for _, v := range []struct {
		name, auth string
	}{{virgaName, config.AuthAccept}, {virgaSigV4Name, config.AuthSigV4}} {
		endpoint, shutdown, err := startVirga(v.auth, "")
		if err != nil {
			return nil, stop, fmt.Errorf("starting %s: %w", v.name, err)
		}
		stops = append(stops, shutdown)
		rec := &recorder{next: hc}
		if err := check(ctx, newClient(endpoint, rec)); err != nil {
			return nil, stop, fmt.Errorf("%s: %w", v.name, err)
		}
		if answer == nil {
			answer = rec.last
		}
		if v.auth == config.AuthSigV4 {
			// The row must measure verification, not a server that
			// accepts anything.
			bad := newClient(endpoint, hc)
			_, err := bad.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}, func(o *sts.Options) {
				o.Credentials = credentials.NewStaticCredentialsProvider("test", "wrong", "")
			})
			if ae, ok := errors.AsType[smithy.APIError](err); !ok || ae.ErrorCode() != "SignatureDoesNotMatch" {
				return nil, stop, fmt.Errorf("%s: a wrong signature got %v, want SignatureDoesNotMatch", v.name, err)
			}
		}
		targets[v.name] = stsCall(newClient(endpoint, hc))
	}

	endpoint, shutdown, err := startBare(answer)
	if err != nil {
		return nil, stop, fmt.Errorf("starting the bare handler: %w", err)
	}
	stops = append(stops, shutdown)
	bare := newClient(endpoint, hc)
	if err := check(ctx, bare); err != nil {
		return nil, stop, fmt.Errorf("%s: %w", bareName, err)
	}
	targets[bareName] = stsCall(bare)
	return targets, stop, nil
}

// stsCall is one GetCallerIdentity call through c.
func stsCall(c *sts.Client) callFunc {
	in := &sts.GetCallerIdentityInput{}
	return func(ctx context.Context, _ *rand.Rand) error {
		_, err := c.GetCallerIdentity(ctx, in)
		return err
	}
}

// startVirga runs virga in-process on a free loopback port, as e2e.Start
// does: with an in-memory store when dataDir is "", else on disk in
// dataDir, where every acknowledged write has been written to the
// operating system (and fsynced, with fsync).
func startVirga(auth, dataDir string, fsync ...bool) (endpoint string, stop func(), err error) {
	cfg := config.Default()
	cfg.Listen = "127.0.0.1:0"
	cfg.InMemory = dataDir == ""
	cfg.DataDir = dataDir
	cfg.Auth = auth
	cfg.Fsync = len(fsync) > 0 && fsync[0]
	a, err := app.New(cfg, app.Options{})
	if err != nil {
		return "", nil, err
	}
	if err := a.Start(); err != nil {
		return "", nil, err
	}
	return "http://" + a.Addr(), func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		a.Shutdown(ctx)
	}, nil
}

// startBare serves ans to every request: the least an HTTP server can do
// and still satisfy the client.
func startBare(ans *recorded) (endpoint string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		h := w.Header()
		for k, v := range ans.header {
			h[k] = v
		}
		w.WriteHeader(ans.status)
		w.Write(ans.body)
	})}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), func() { srv.Close() }, nil
}

// check makes one call and insists on the answer virga's defaults give, so
// that no row measures a fast error.
func check(ctx context.Context, c *sts.Client) error {
	out, err := c.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return err
	}
	if got := aws.ToString(out.Account); got != "000000000000" {
		return fmt.Errorf("GetCallerIdentity answered account %q, want 000000000000", got)
	}
	return nil
}

// recorded is one HTTP response, kept whole.
type recorded struct {
	status int
	header http.Header
	body   []byte
}

// recorder is an aws.HTTPClient that keeps a copy of the last response.
type recorder struct {
	next aws.HTTPClient
	last *recorded
}

var _ aws.HTTPClient = (*recorder)(nil)

func (r *recorder) Do(req *http.Request) (*http.Response, error) {
	resp, err := r.next.Do(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	if len(body) == 0 {
		return nil, errors.New("empty response body")
	}
	h := http.Header{}
	for _, k := range []string{"Content-Type", "X-Amzn-Requestid"} {
		if v := resp.Header.Values(k); len(v) > 0 {
			h[k] = v
		}
	}
	r.last = &recorded{status: resp.StatusCode, header: h, body: body}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}
