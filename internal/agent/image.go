package agent

import (
	"context"

	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/containerd/containerd"
	"github.com/containerd/containerd/errdefs"
	"github.com/containerd/containerd/remotes"
	"github.com/containerd/containerd/remotes/docker"
	"github.com/opencontainers/go-digest"
)

// pullCache makes sure each image digest is pulled and unpacked once:
// concurrent starts of one image wait for the same pull.
type pullCache struct {
	mu    sync.Mutex
	pulls map[string]*pull // by digest
}

type pull struct {
	done chan struct{}
	img  containerd.Image
	err  error
}

// isLoopbackHost says whether a registry host (with or without port) is
// on this machine: 127.0.0.0/8, ::1, localhost or a name under
// .localhost (RFC 6761). Such registries are reached over plain HTTP.
func isLoopbackHost(host string) bool {
	h := host
	if hh, _, err := net.SplitHostPort(host); err == nil {
		h = hh
	}
	h = strings.ToLower(strings.Trim(h, "[]"))
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// dialLoopback dials names under .localhost at 127.0.0.1 (keeping the
// port), so that a registry host such as
// 000000000000.dkr.ecr.us-east-1.localhost:4566 reaches virga while the
// request keeps its Host header.
func dialLoopback(ctx context.Context, network, addr string) (net.Conn, error) {
	d := net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	if h, port, err := net.SplitHostPort(addr); err == nil {
		h = strings.ToLower(h)
		if h == "localhost" || strings.HasSuffix(h, ".localhost") {
			addr = net.JoinHostPort("127.0.0.1", port)
		}
	}
	return d.DialContext(ctx, network, addr)
}

// resolver returns a registry resolver: plain HTTP for loopback hosts,
// HTTPS otherwise, with creds, or the agent's credentials when creds is
// nil.
func (a *Agent) resolver(creds func(host string) (string, string, error)) remotes.Resolver {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = dialLoopback
	client := &http.Client{Transport: tr}
	authOpts := []docker.AuthorizerOpt{docker.WithAuthClient(client)}
	if creds == nil {
		creds = a.opts.Credentials
	}
	if creds != nil {
		authOpts = append(authOpts, docker.WithAuthCreds(creds))
	}
	hosts := docker.ConfigureDefaultRegistries(
		docker.WithClient(client),
		docker.WithAuthorizer(docker.NewDockerAuthorizer(authOpts...)),
		docker.WithPlainHTTP(func(host string) (bool, error) { return isLoopbackHost(host), nil }),
	)
	return docker.NewResolver(docker.ResolverOptions{Hosts: hosts})
}

// image returns the image ref names, pulled and unpacked into snapshotter
// with creds (nil: the agent's). The reference is resolved at the
// registry each time (a tag may have moved), so that the registry
// authorizes every pull; a digest already pulled is not fetched again.
func (a *Agent) image(ctx context.Context, client *containerd.Client, snapshotter, ref string,
	creds func(host string) (string, string, error)) (containerd.Image, error) {
	res := a.resolver(creds)
	name, desc, err := res.Resolve(ctx, ref)
	if err != nil {
		return nil, &PullError{Image: ref, Err: err, Resolving: true}
	}
	key := desc.Digest.String() + "@" + snapshotter
	a.pulls.mu.Lock()
	if a.pulls.pulls == nil {
		a.pulls.pulls = map[string]*pull{}
	}
	p, ok := a.pulls.pulls[key]
	if !ok {
		p = &pull{done: make(chan struct{})}
		a.pulls.pulls[key] = p
	}
	a.pulls.mu.Unlock()
	if ok {
		select {
		case <-p.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if p.err == nil {
			return p.img, nil
		}
		// A failed pull is forgotten: try again.
		a.pulls.mu.Lock()
		if a.pulls.pulls[key] == p {
			delete(a.pulls.pulls, key)
		}
		a.pulls.mu.Unlock()
		return a.image(ctx, client, snapshotter, ref, creds)
	}
	p.img, p.err = a.fetch(ctx, client, res, snapshotter, name, desc.Digest)
	if p.err != nil {
		a.pulls.mu.Lock()
		delete(a.pulls.pulls, key)
		a.pulls.mu.Unlock()
	}
	close(p.done)
	return p.img, p.err
}

// fetch pulls and unpacks name unless containerd's store already holds
// it at dgst, unpacked.
func (a *Agent) fetch(ctx context.Context, client *containerd.Client, res remotes.Resolver, snapshotter, name string, dgst digest.Digest) (containerd.Image, error) {
	if img, err := client.GetImage(ctx, name); err == nil && img.Target().Digest == dgst {
		if ok, err := img.IsUnpacked(ctx, snapshotter); err == nil && ok {
			return img, nil
		}
	} else if err != nil && !errdefs.IsNotFound(err) {
		return nil, &PullError{Image: name, Err: err}
	}
	start := time.Now()
	img, err := client.Pull(ctx, name,
		containerd.WithResolver(res),
		containerd.WithPullUnpack,
		containerd.WithPullSnapshotter(snapshotter),
	)
	if err != nil {
		return nil, &PullError{Image: name, Err: err}
	}
	a.log.Info("pulled image", "image", name, "digest", dgst, "took", time.Since(start).Round(time.Millisecond))
	return img, nil
}

// Pull resolves, fetches and unpacks an image ahead of the tasks that
// will run it (a Lambda image function's environments), so that their
// starts do not wait for it. A digest already pulled is not fetched
// again. Errors are ErrPull, or ErrStart when containerd cannot be
// reached.
func (a *Agent) Pull(ctx context.Context, ref string) error { return a.PullWith(ctx, ref, nil) }

// PullWith is Pull authenticating to registries with creds (nil: the
// agent's Options.Credentials), as a task whose TaskSpec.Credentials
// they are would: an ECS task's images are pulled before its
// containers are made.
func (a *Agent) PullWith(ctx context.Context, ref string, creds func(host string) (string, string, error)) error {
	client, snap, err := a.connect(ctx)
	if err != nil {
		return &StartError{Err: err}
	}
	_, err = a.image(nsContext(ctx), client, snap, ref, creds)
	return err
}
