package apigatewayv2

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
)

// Private integrations are HTTP_PROXY integrations whose ConnectionType
// is VPC_LINK: ConnectionId names a VPC link and IntegrationUri a load
// balancer's listener, to which the request goes as the load balancer
// itself would receive it (Listeners), in process.

// connectionVpcLink is the ConnectionType of private integrations.
const connectionVpcLink = "VPC_LINK"

// Listeners serves requests as load balancers' listeners receive them.
// *elbv2.Service implements it.
type Listeners interface {
	// ServeListener serves r as the listener with the ARN receives it,
	// and answers an error, having written nothing, when the request
	// reached no server (no such listener, no target behind a Network
	// Load Balancer's).
	ServeListener(w http.ResponseWriter, r *http.Request, listenerARN string) error
}

// checkPrivateIntegration checks what a private integration names: its
// URI is an Elastic Load Balancing listener's ARN (AWS Cloud Map
// services, which virga does not have, are refused), and its
// ConnectionId is given.
func checkPrivateIntegration(integ *integrationRecord) error {
	if integ.Type != "HTTP_PROXY" {
		return badRequest("ConnectionType VPC_LINK is supported for integration type HTTP_PROXY only.")
	}
	if integ.ConnectionID == "" {
		return badRequest("ConnectionId is required for ConnectionType VPC_LINK.")
	}
	switch {
	case isListenerARN(integ.URI):
	case strings.HasPrefix(integ.URI, "arn:aws:servicediscovery:"):
		return ErrNotImplemented.WithMessage("Private integrations with AWS Cloud Map services are not implemented by virga yet: use a load balancer's listener ARN.")
	default:
		return badRequest("Invalid IntegrationUri %s: a private integration's URI is a load balancer listener's ARN.", integ.URI)
	}
	return nil
}

// isListenerARN reports whether arn is an Application or Network Load
// Balancer listener's:
// arn:aws:elasticloadbalancing:REGION:ACCOUNT:listener/(app|net)/NAME/ID/ID.
func isListenerARN(arn string) bool {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "elasticloadbalancing" {
		return false
	}
	res := strings.Split(parts[5], "/")
	return len(res) == 5 && res[0] == "listener" && (res[1] == "app" || res[1] == "net") &&
		res[2] != "" && res[3] != "" && res[4] != ""
}

// checkVpcLinkLocked checks that a private integration's VPC link
// exists. The caller holds s.mu.
func (s *Service) checkVpcLinkLocked(integ *integrationRecord) error {
	if integ.ConnectionType != connectionVpcLink || s.vpcLinks[integ.ConnectionID] != nil {
		return nil
	}
	return vpcLinkNotFound(integ.ConnectionID)
}

// errListenerGone is a private integration's listener that is gone.
var errListenerGone = errors.New("the integration's load balancer listener does not exist")

// listenerTransport sends a private integration's requests to a
// listener, in process.
type listenerTransport struct {
	listeners Listeners
	arn       string
}

func (t listenerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.listeners == nil {
		return nil, errListenerGone
	}
	in := req.Clone(req.Context())
	in.RequestURI = req.URL.RequestURI()
	// The load balancer sees the request come from virga, as on AWS it
	// comes from the VPC link's network interfaces.
	in.RemoteAddr = "127.0.0.1:0"
	rec := httptest.NewRecorder()
	if err := t.listeners.ServeListener(rec, in, t.arn); err != nil {
		return nil, err
	}
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}

// privateClient returns the client that sends a private integration's
// requests to its listener.
func (s *Service) privateClient(integ *integrationRecord) *http.Client {
	return &http.Client{Transport: listenerTransport{listeners: s.listeners, arn: integ.URI},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// privateURL is the URL a private integration's request is sent to: the
// path the client sent, with the stage's name for a named stage (AWS
// passes it on; a mapping of overwrite:path to $request.path leaves it
// out), and its query string, on a placeholder host (the request's Host
// header is the client's).
func privateURL(inv *invocation) string {
	u := "http://listener" + inv.rawPath
	if q := inv.r.URL.RawQuery; q != "" {
		u += "?" + q
	}
	return u
}
