package apigatewayv2

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// CORS as "Configuring CORS for an HTTP API" describes it: with a CORS
// configuration, API Gateway answers preflight requests itself (whatever
// the routes and their authorizers), and sets the CORS headers of every
// other response from the configuration, dropping those the integration
// sent.

// isPreflight reports whether r is a CORS preflight request.
func isPreflight(r *http.Request) bool {
	return r.Method == http.MethodOptions && r.Header.Get("Origin") != "" &&
		r.Header.Get("Access-Control-Request-Method") != ""
}

// allowedOrigin returns the Access-Control-Allow-Origin value for a
// request's origin: "*" when any origin is allowed, the origin itself when
// it is listed, "" when it is not allowed.
func (c *corsConfig) allowedOrigin(origin string) string {
	if origin == "" {
		return ""
	}
	for _, o := range c.AllowOrigins {
		switch {
		case o == "*":
			return "*"
		case strings.EqualFold(o, origin):
			return origin
		}
	}
	return ""
}

// preflight answers a preflight request: 204, and the configuration's
// headers when the origin is allowed.
func (c *corsConfig) preflight(r *http.Request) *response {
	res := &response{status: http.StatusNoContent, header: http.Header{}}
	origin := c.allowedOrigin(r.Header.Get("Origin"))
	if origin == "" {
		return res
	}
	h := res.header
	h.Set("Access-Control-Allow-Origin", origin)
	if origin != "*" {
		h.Set("Vary", "Origin")
	}
	if len(c.AllowMethods) > 0 {
		h.Set("Access-Control-Allow-Methods", strings.Join(c.AllowMethods, ","))
	}
	if len(c.AllowHeaders) > 0 {
		allow := strings.Join(c.AllowHeaders, ",")
		if slices.Contains(c.AllowHeaders, "*") && c.AllowCredentials {
			// With credentials a browser takes "*" literally; name what
			// was asked for instead.
			allow = r.Header.Get("Access-Control-Request-Headers")
		}
		if allow != "" {
			h.Set("Access-Control-Allow-Headers", allow)
		}
	}
	if c.MaxAge != nil {
		h.Set("Access-Control-Max-Age", strconv.Itoa(int(*c.MaxAge)))
	}
	if c.AllowCredentials {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	return res
}

// apply replaces the CORS headers of a response to a request (a preflight
// answer is left as it is).
func (c *corsConfig) apply(res *response, r *http.Request) {
	if isPreflight(r) {
		return
	}
	for k := range res.header {
		if strings.HasPrefix(strings.ToLower(k), "access-control-") {
			delete(res.header, k)
		}
	}
	origin := c.allowedOrigin(r.Header.Get("Origin"))
	if origin == "" {
		return
	}
	h := res.header
	h.Set("Access-Control-Allow-Origin", origin)
	if origin != "*" {
		h.Add("Vary", "Origin")
	}
	if c.AllowCredentials {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	if len(c.ExposeHeaders) > 0 {
		h.Set("Access-Control-Expose-Headers", strings.Join(c.ExposeHeaders, ","))
	}
}
