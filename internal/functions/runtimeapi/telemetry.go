package runtimeapi

import (
	"encoding/json"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The Telemetry API, version 2022-07-01, and the Logs API it supersedes,
// version 2020-08-15: an extension subscribes to the environment's
// platform events, function logs and extension logs, delivered to a
// listener of its own. This file is the subscription endpoint; the
// environment (package functions) delivers.
//
//	PUT /2022-07-01/telemetry  Lambda-Extension-Identifier, {"schemaVersion","types","buffering","destination"} → 200 "OK"
//	PUT /2020-08-15/logs       Lambda-Extension-Identifier, {"schemaVersion"?,"types","buffering","destination"} → 200 "OK"

// SubscriptionAPI says which of the two APIs a subscription came through:
// the shapes of the events it is sent differ.
type SubscriptionAPI uint8

const (
	// TelemetryAPI is PUT /2022-07-01/telemetry.
	TelemetryAPI SubscriptionAPI = iota + 1
	// LogsAPI is PUT /2020-08-15/logs.
	LogsAPI
)

func (a SubscriptionAPI) String() string {
	if a == LogsAPI {
		return "Logs"
	}
	return "Telemetry"
}

// The telemetry types an extension subscribes to.
const (
	TelemetryPlatform  = "platform"
	TelemetryFunction  = "function"
	TelemetryExtension = "extension"
)

// The destination protocols.
const (
	ProtocolHTTP = "HTTP"
	ProtocolTCP  = "TCP"
)

// Buffering limits, as "Configuring memory usage and buffering" gives
// them (the Telemetry API and the Logs API share them).
const (
	// maxItems: "The maximum number of events to buffer in memory.
	// Default: 10,000 Minimum: 1,000 Maximum: 10,000".
	minBufferItems, maxBufferItems, defaultBufferItems = 1000, 10000, 10000
	// maxBytes: "The maximum volume of telemetry (in bytes) to buffer in
	// memory. Default: 262,144 Minimum: 262,144 Maximum: 1,048,576".
	minBufferBytes, maxBufferBytes, defaultBufferBytes = 262144, 1048576, 262144
	// timeoutMs: "The maximum time (in milliseconds) to buffer a batch.
	// Default: 1,000 Minimum: 25 Maximum: 30,000".
	minBufferTimeoutMs, maxBufferTimeoutMs, defaultBufferTimeoutMs = 25, 30000, 1000
)

// The schema versions each API accepts. The Logs API's schemaVersion is
// optional ("Default value: 2020-08-15"); 2021-03-18 adds
// platform.runtimeDone.
var (
	telemetrySchemas = []string{"2022-07-01", "2022-12-13", "2025-01-29"}
	logsSchemas      = []string{"2020-08-15", "2021-03-18"}
)

// LogsSchemaRuntimeDone is the Logs API schema version from which
// platform.runtimeDone is sent.
const LogsSchemaRuntimeDone = "2021-03-18"

// The subscription endpoints' error types: ValidationError for the
// Telemetry API, Logs.ValidationError for the Logs API (as AWS's
// references show them), and the SubscriptionClosed errors of AWS's
// runtime interface for a subscription after the init.
func validationErrorType(a SubscriptionAPI) string {
	if a == LogsAPI {
		return "Logs.ValidationError"
	}
	return "ValidationError"
}

func subscriptionClosedType(a SubscriptionAPI) string {
	return a.String() + ".SubscriptionClosed"
}

// Subscription is an extension's accepted subscription.
type Subscription struct {
	API SubscriptionAPI
	// Extension is the subscribing extension's name.
	Extension     string
	SchemaVersion string
	// Types are the telemetry types, in the order given, without
	// repeats.
	Types    []string
	MaxItems int
	MaxBytes int
	Timeout  time.Duration
	// Protocol is ProtocolHTTP or ProtocolTCP; URI the destination as
	// given (the environment delivers to its port on loopback, which is
	// the inside of the environment).
	Protocol, URI string
	// Port is the destination's port; Path the HTTP destination's path
	// and query ("/" when it has none).
	Port int
	Path string
}

// Has reports whether s subscribed to the telemetry type typ.
func (s *Subscription) Has(typ string) bool { return slices.Contains(s.Types, typ) }

// Observer learns what extensions do that the environment reports as
// telemetry. Its methods are called without the Server's lock held.
type Observer interface {
	// Subscribed is an accepted subscription; a new one of the same
	// extension replaces its earlier one.
	Subscribed(Subscription)
	// ExtensionRegistered is an extension that registered, with the
	// events it subscribed to.
	ExtensionRegistered(name string, events []string)
}

// SetObserver sets who is told of registrations and subscriptions. Call
// it before the environment's processes start. Without an observer,
// subscriptions are refused as closed.
func (s *Server) SetObserver(o Observer) {
	s.mu.Lock()
	s.extLocked().observer = o
	s.mu.Unlock()
}

// CloseSubscriptions ends the time in which extensions may subscribe:
// "After the initialization phase completes, Lambda does not process
// subscription requests."
func (s *Server) CloseSubscriptions() {
	s.mu.Lock()
	if s.ext != nil {
		s.ext.subsClosed = true
	}
	s.mu.Unlock()
}

// subscribeRequest is the body of a subscription. Numbers are decoded
// as json.Number so that a fraction or a huge value is an invalid value,
// not a decoding error.
type subscribeRequest struct {
	SchemaVersion *string  `json:"schemaVersion"`
	Types         []string `json:"types"`
	Buffering     *struct {
		MaxItems  *json.Number `json:"maxItems"`
		MaxBytes  *json.Number `json:"maxBytes"`
		TimeoutMs *json.Number `json:"timeoutMs"`
	} `json:"buffering"`
	Destination *struct {
		Protocol string `json:"protocol"`
		URI      string `json:"URI"`
	} `json:"destination"`
}

// maxSubscribeBytes bounds a subscription's body: AWS documents no
// figure; a subscription is a few hundred bytes.
const maxSubscribeBytes = 64 << 10

// subscribe is PUT /2022-07-01/telemetry or PUT /2020-08-15/logs.
func (c *conn) subscribe(req *request, api SubscriptionAPI) bool {
	e, ok := c.identify(req, "")
	if e == nil {
		return ok
	}
	body, ok := c.smallBody(req, maxSubscribeBytes, 400, validationErrorType(api))
	if !ok {
		return false
	}
	sub, problem := parseSubscription(api, body)
	if problem != "" {
		return c.refuseWith(req, 400, validationErrorType(api), problem)
	}
	sub.Extension = e.name
	s := c.s
	s.mu.Lock()
	x := s.ext
	var status int
	var typ, msg string
	switch {
	case s.state == StateClosed:
		status, typ, msg = 500, errEnvironmentShutdown, msgEnvironmentShutdown
	case x.observer == nil || x.subsClosed:
		status, typ, msg = 403, subscriptionClosedType(api), api.String()+" API subscription is closed already"
	case e.subscribed != 0 && e.subscribed != api:
		status, typ, msg = 400, validationErrorType(api),
			"Extension "+e.name+" subscribed through the "+e.subscribed.String()+" API; it cannot subscribe through the "+api.String()+" API too"
	}
	if status != 0 {
		s.mu.Unlock()
		return c.refuseWith(req, status, typ, msg)
	}
	e.subscribed = api
	o := x.observer
	s.mu.Unlock()
	o.Subscribed(sub)
	return c.reply(200, "application/json", subscribedOK, false)
}

var subscribedOK = []byte(`"OK"` + "\n")

// parseSubscription reads and validates a subscription's body; problem
// lists what is wrong, joined by "; " as AWS's example answer joins
// them ("URI port is not provided; types should not be empty").
func parseSubscription(api SubscriptionAPI, body []byte) (sub Subscription, problem string) {
	var r subscribeRequest
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.UseNumber()
	if err := dec.Decode(&r); err != nil {
		return sub, "request body is not valid JSON: " + err.Error()
	}
	var problems []string
	sub.API = api
	schemas := telemetrySchemas
	if api == LogsAPI {
		schemas = logsSchemas
	}
	switch {
	case r.SchemaVersion == nil && api == LogsAPI:
		sub.SchemaVersion = logsSchemas[0]
	case r.SchemaVersion == nil:
		problems = append(problems, "schemaVersion is not provided")
	case !slices.Contains(schemas, *r.SchemaVersion):
		problems = append(problems, "schemaVersion "+strconv.Quote(*r.SchemaVersion)+" is not supported; valid values are "+strings.Join(schemas, ", "))
	default:
		sub.SchemaVersion = *r.SchemaVersion
	}
	if len(r.Types) == 0 {
		problems = append(problems, "types should not be empty")
	}
	for _, t := range r.Types {
		switch t {
		case TelemetryPlatform, TelemetryFunction, TelemetryExtension:
			if !slices.Contains(sub.Types, t) {
				sub.Types = append(sub.Types, t)
			}
		default:
			problems = append(problems, "type "+strconv.Quote(t)+" is not supported; valid values are platform, function, extension")
		}
	}
	sub.MaxItems, sub.MaxBytes = defaultBufferItems, defaultBufferBytes
	timeoutMs := defaultBufferTimeoutMs
	if b := r.Buffering; b != nil {
		problems = bufferSetting(problems, "maxItems", b.MaxItems, minBufferItems, maxBufferItems, &sub.MaxItems)
		problems = bufferSetting(problems, "maxBytes", b.MaxBytes, minBufferBytes, maxBufferBytes, &sub.MaxBytes)
		problems = bufferSetting(problems, "timeoutMs", b.TimeoutMs, minBufferTimeoutMs, maxBufferTimeoutMs, &timeoutMs)
	}
	sub.Timeout = time.Duration(timeoutMs) * time.Millisecond
	if d := r.Destination; d == nil {
		problems = append(problems, "destination is not provided")
	} else {
		problems = destination(problems, d.Protocol, d.URI, &sub)
	}
	return sub, strings.Join(problems, "; ")
}

// bufferSetting checks one buffering value against its limits.
func bufferSetting(problems []string, name string, n *json.Number, lo, hi int, to *int) []string {
	if n == nil {
		return problems
	}
	v, err := strconv.ParseInt(n.String(), 10, 64)
	if err != nil || v < int64(lo) || v > int64(hi) {
		return append(problems, "buffering."+name+" should be between "+strconv.Itoa(lo)+" and "+strconv.Itoa(hi))
	}
	*to = int(v)
	return problems
}

// destination checks a destination: HTTP to an http:// URI with a port
// (and a path, optionally), or TCP to a URI with a port (or host:port). Lambda "sends
// telemetry only to destinations that are inside the execution
// environment": the host is not checked, the port is reached on
// loopback.
func destination(problems []string, protocol, uri string, sub *Subscription) []string {
	switch protocol {
	case ProtocolHTTP, ProtocolTCP:
		sub.Protocol = protocol
	case "":
		problems = append(problems, "destination protocol is not provided")
	default:
		problems = append(problems, "destination protocol "+strconv.Quote(protocol)+" is not supported; valid values are HTTP, TCP")
	}
	if uri == "" {
		return append(problems, "destination URI is not provided")
	}
	sub.URI = uri
	hostPort, path := "", "/"
	if u, err := url.Parse(uri); err == nil && u.Host != "" {
		if protocol == ProtocolHTTP && u.Scheme != "http" {
			problems = append(problems, "destination URI scheme should be http")
		}
		hostPort, path = u.Host, u.RequestURI()
	} else if protocol == ProtocolTCP && strings.Count(uri, "/") == 0 {
		hostPort = uri // a TCP destination may be host:port alone
	} else {
		return append(problems, "destination URI "+strconv.Quote(uri)+" is not a valid URI")
	}
	_, port, err := net.SplitHostPort(hostPort)
	if err != nil || port == "" {
		return append(problems, "URI port is not provided")
	}
	p, err := strconv.Atoi(port)
	if err != nil || p < 1 || p > 65535 {
		return append(problems, "URI port "+strconv.Quote(port)+" is not valid")
	}
	sub.Port, sub.Path = p, path
	return problems
}
