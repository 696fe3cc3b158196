package edge

import (
	"net/http"

	"github.com/virga/virga/internal/awsproto"
)

// CORS for AWS's APIs. Web apps (Amplify, the AWS SDK for JavaScript in
// a browser) call service endpoints from a browser, which first asks
// with an unsigned preflight: OPTIONS with Origin,
// Access-Control-Request-Method and Access-Control-Request-Headers
// (authorization, x-amz-target, x-amz-date, content-type, ...). AWS's
// endpoints allow any origin: they answer the preflight 200 with
// Access-Control-Allow-Origin: *, the method and headers asked for, the
// response headers a script may read and a two-day max age, and add
// Access-Control-Allow-Origin and Access-Control-Expose-Headers to the
// responses of requests that carry an Origin, errors included.
//
// A service that owns its CORS (S3: each bucket's rules) is left to it,
// and so are the data planes, which answer by their own configuration
// (API Gateway's CORS, function URLs').

const (
	// corsMaxAge is how long a browser may cache a preflight's answer:
	// AWS's endpoints say 172800 seconds, two days.
	corsMaxAge = "172800"
	// corsExposed are the response headers AWS's endpoints let scripts
	// read: the request id and an error's type and message.
	corsExposed = "x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date"
)

// corsExposedAlso are the further headers services whose responses
// carry more expose: Lambda's Invoke answers with the log tail and the
// function's error in headers.
var corsExposedAlso = map[string]string{
	"lambda": "x-amz-log-result,x-amz-function-error",
}

// preflight reports whether r is a browser's CORS preflight.
func preflight(r *http.Request) bool {
	return r.Method == http.MethodOptions && r.Header.Get("Origin") != "" &&
		r.Header.Get("Access-Control-Request-Method") != ""
}

// preflightService reports whether the edge answers the preflight c for
// an AWS API, and for which service when the request it announces
// names one: the REST service whose routes resolve the method asked for
// on the preflight's path (the requests of awsJson and awsQuery
// services all go to POST /, naming no service a preflight shows), or
// the service whose resource the path names (an SQS queue's URL). A
// preflight no other service claims is left to the services that own
// their CORS (S3's paths are any bucket's).
func (rt *router) preflightService(c *awsproto.Call) (svc *awsproto.Service, ok bool) {
	r := c.Request
	announced := r.Clone(r.Context())
	announced.Method = r.Header.Get("Access-Control-Request-Method")
	probe := awsproto.NewCall(announced, c.RequestID, c.Started)
	for _, s := range rt.rest {
		if s.OwnsCORS {
			continue
		}
		probe.Service = s
		if s.Protocol.Resolve(probe) == nil {
			return s, true
		}
		probe.Op, probe.Params = nil, nil
	}
	for _, s := range rt.resourcePaths {
		if s.NamesResource(r.URL.Path) {
			return s, true
		}
	}
	return nil, r.URL.Path == "/"
}

// writePreflight answers a preflight to an AWS API. The Allow-Origin
// and Expose-Headers headers are corsHeaders', added as every answer to
// a request with an Origin is written.
func writePreflight(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Access-Control-Allow-Methods", r.Header.Get("Access-Control-Request-Method"))
	if asked := r.Header.Get("Access-Control-Request-Headers"); asked != "" {
		h.Set("Access-Control-Allow-Headers", asked)
	}
	h.Set("Access-Control-Max-Age", corsMaxAge)
	h.Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
}

// corsHeaders adds to the answer of an AWS API request that carries an
// Origin the headers that let the browser hand it to the script, unless
// the service answering owns its CORS.
func corsHeaders(h http.Header, svc *awsproto.Service) {
	exposed := corsExposed
	if svc != nil {
		if svc.OwnsCORS {
			return
		}
		if also := corsExposedAlso[svc.Name]; also != "" {
			exposed += "," + also
		}
	}
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Expose-Headers", exposed)
}
