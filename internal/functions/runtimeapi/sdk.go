package runtimeapi

import (
	"context"
	"strings"
)

// sdkPrefix is the path of virga's own endpoint through which a runtime
// asks for a package of the AWS SDK its runtime should ship:
// POST /_virga/sdk/{package} (the package's name as it is, scope and
// slash included).
const sdkPrefix = "/_virga/sdk/"

// SDKProvider installs a package of the AWS SDK into the runtime
// directory of the environment that asks for it.
type SDKProvider interface {
	// ProvideSDK makes pkg available, or says why it cannot: pkg is not
	// a package of the SDK, the package manager or its registry is not
	// there. It returns once the package is in place.
	ProvideSDK(ctx context.Context, pkg string) error
}

// SetSDKProvider sets who installs the AWS SDK's packages that the
// runtime asks for. Call it before the environment's processes start.
// Without one, every request is answered 404.
func (s *Server) SetSDKProvider(p SDKProvider) {
	s.mu.Lock()
	s.sdk = p
	s.mu.Unlock()
}

// provideSDK answers POST /_virga/sdk/{package}: 204 once the package
// is installed, 404 with an error document (Runtime.SDKUnavailable) when
// it cannot be. The answer waits for the install, which the provider
// bounds; closing the Server cancels the context it is given.
func (c *conn) provideSDK(req *request, pkg string) bool {
	s := c.s
	s.mu.Lock()
	p := s.sdk
	s.mu.Unlock()
	if p == nil {
		return c.refuseWith(req, 404, errSDKUnavailable, "this runtime provides no packages")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-s.closed:
			cancel()
		case <-ctx.Done():
		}
	}()
	if err := p.ProvideSDK(ctx, pkg); err != nil {
		return c.refuseWith(req, 404, errSDKUnavailable, err.Error())
	}
	return c.reply(204, "", nil, req.contentLength != 0)
}

// sdkPackage is the package a request for sdkPrefix names.
func sdkPackage(path string) (string, bool) {
	pkg, ok := strings.CutPrefix(path, sdkPrefix)
	return pkg, ok && pkg != ""
}
