package apigatewayv2

import (
	"encoding/base64"
	"mime"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/virga/virga/internal/apigateway"
)

// The events a Lambda proxy integration gets, in payload format
// versions 2.0 and 1.0, as "Create AWS Lambda proxy integrations for HTTP
// APIs" lays them out. HTTP APIs lower-case header names in both.

// eventV2 is a payload format 2.0 event.
type eventV2 struct {
	Version               string            `json:"version"`
	RouteKey              string            `json:"routeKey"`
	RawPath               string            `json:"rawPath"`
	RawQueryString        string            `json:"rawQueryString"`
	Cookies               []string          `json:"cookies,omitempty"`
	Headers               map[string]string `json:"headers"`
	QueryStringParameters map[string]string `json:"queryStringParameters,omitempty"`
	RequestContext        contextV2         `json:"requestContext"`
	Body                  *string           `json:"body,omitempty"`
	PathParameters        map[string]string `json:"pathParameters,omitempty"`
	IsBase64Encoded       bool              `json:"isBase64Encoded"`
	StageVariables        map[string]string `json:"stageVariables,omitempty"`
}

type contextV2 struct {
	AccountID    string         `json:"accountId"`
	APIID        string         `json:"apiId"`
	Authorizer   map[string]any `json:"authorizer,omitempty"`
	DomainName   string         `json:"domainName"`
	DomainPrefix string         `json:"domainPrefix"`
	HTTP         httpV2         `json:"http"`
	RequestID    string         `json:"requestId"`
	RouteKey     string         `json:"routeKey"`
	Stage        string         `json:"stage"`
	Time         string         `json:"time"`
	TimeEpoch    int64          `json:"timeEpoch"`
}

type httpV2 struct {
	Method    string `json:"method"`
	Path      string `json:"path"`
	Protocol  string `json:"protocol"`
	SourceIP  string `json:"sourceIp"`
	UserAgent string `json:"userAgent"`
}

// eventV1 is a payload format 1.0 event, which is shaped like a REST
// API's proxy event.
type eventV1 struct {
	Version                         string              `json:"version"`
	Resource                        string              `json:"resource"`
	Path                            string              `json:"path"`
	HTTPMethod                      string              `json:"httpMethod"`
	Headers                         map[string]string   `json:"headers"`
	MultiValueHeaders               map[string][]string `json:"multiValueHeaders"`
	QueryStringParameters           map[string]string   `json:"queryStringParameters"`
	MultiValueQueryStringParameters map[string][]string `json:"multiValueQueryStringParameters"`
	RequestContext                  contextV1           `json:"requestContext"`
	PathParameters                  map[string]string   `json:"pathParameters"`
	StageVariables                  map[string]string   `json:"stageVariables"`
	Body                            *string             `json:"body"`
	IsBase64Encoded                 bool                `json:"isBase64Encoded"`
}

type contextV1 struct {
	AccountID         string         `json:"accountId"`
	APIID             string         `json:"apiId"`
	Authorizer        map[string]any `json:"authorizer"`
	DomainName        string         `json:"domainName"`
	DomainPrefix      string         `json:"domainPrefix"`
	ExtendedRequestID string         `json:"extendedRequestId"`
	HTTPMethod        string         `json:"httpMethod"`
	Identity          identityV1     `json:"identity"`
	Path              string         `json:"path"`
	Protocol          string         `json:"protocol"`
	RequestID         string         `json:"requestId"`
	RequestTime       string         `json:"requestTime"`
	RequestTimeEpoch  int64          `json:"requestTimeEpoch"`
	ResourceID        string         `json:"resourceId"`
	ResourcePath      string         `json:"resourcePath"`
	Stage             string         `json:"stage"`
}

// identityV1 is the caller as a 1.0 event describes it: its address and
// user agent, and who signed the request to an AWS_IAM route.
type identityV1 struct {
	AccessKey                     *string `json:"accessKey"`
	AccountID                     *string `json:"accountId"`
	Caller                        *string `json:"caller"`
	CognitoAuthenticationProvider *string `json:"cognitoAuthenticationProvider"`
	CognitoAuthenticationType     *string `json:"cognitoAuthenticationType"`
	CognitoIdentityID             *string `json:"cognitoIdentityId"`
	CognitoIdentityPoolID         *string `json:"cognitoIdentityPoolId"`
	PrincipalOrgID                *string `json:"principalOrgId"`
	SourceIP                      string  `json:"sourceIp"`
	User                          *string `json:"user"`
	UserAgent                     string  `json:"userAgent"`
	UserArn                       *string `json:"userArn"`
}

// requestTimeLayout is how API Gateway writes a request's time.
const requestTimeLayout = "02/Jan/2006:15:04:05 -0700"

// hopHeaders are the connection's own headers, which API Gateway does not
// pass on.
var hopHeaders = map[string]bool{
	"connection": true, "keep-alive": true, "proxy-connection": true, "te": true,
	"trailer": true, "transfer-encoding": true, "upgrade": true,
}

// header is one request header: its lower-case name and its values.
type header struct {
	name   string
	values []string
}

// requestHeaders returns the headers an integration sees, sorted by name:
// the client's (hop-by-hop ones aside), with Host, and with the
// X-Forwarded-* and X-Amzn-Trace-Id headers API Gateway adds.
func (inv *invocation) requestHeaders() []header {
	r := inv.r
	m := map[string][]string{}
	for k, vs := range r.Header {
		name := strings.ToLower(k)
		if hopHeaders[name] {
			continue
		}
		m[name] = append(m[name], vs...)
	}
	m["host"] = []string{r.Host}
	if len(inv.body) > 0 && m["content-length"] == nil {
		m["content-length"] = []string{strconv.Itoa(len(inv.body))}
	}
	forwarded := inv.sourceIP
	if prior := m["x-forwarded-for"]; len(prior) > 0 {
		forwarded = strings.Join(prior, ", ") + ", " + inv.sourceIP
	}
	m["x-forwarded-for"] = []string{forwarded}
	m["x-forwarded-port"] = []string{requestPort(r)}
	m["x-forwarded-proto"] = []string{requestProto(r)}
	m["x-amzn-trace-id"] = []string{inv.traceID}
	out := make([]header, 0, len(m))
	for k, vs := range m {
		out = append(out, header{k, vs})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

func requestPort(r *http.Request) string {
	if _, p, err := net.SplitHostPort(r.Host); err == nil {
		return p
	}
	if r.TLS != nil {
		return "443"
	}
	return "80"
}

func requestProto(r *http.Request) string {
	if r.TLS != nil {
		return "https"
	}
	return "http"
}

// queryParam is one query string parameter with its values, in the order
// the query first names them.
type queryParam struct {
	name   string
	values []string
}

// queryParams parses a raw query string as API Gateway does: names and
// values percent-decoded, a name without "=" an empty value, malformed
// escapes kept as they are.
func queryParams(raw string) []queryParam {
	var out []queryParam
	index := map[string]int{}
	for _, part := range strings.Split(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		k, v = unescapeQuery(k), unescapeQuery(v)
		if i, ok := index[k]; ok {
			out[i].values = append(out[i].values, v)
			continue
		}
		index[k] = len(out)
		out = append(out, queryParam{k, []string{v}})
	}
	return out
}

func unescapeQuery(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

// eventBody returns the request body as an event carries it: as text for
// textual content types, base64-encoded otherwise; nil without a body.
func (inv *invocation) eventBody() (*string, bool) {
	if len(inv.body) == 0 {
		return nil, false
	}
	if isText(inv.r.Header.Get("Content-Type")) {
		s := string(inv.body)
		return &s, false
	}
	s := base64.StdEncoding.EncodeToString(inv.body)
	return &s, true
}

// isText reports whether a content type is one API Gateway passes to
// Lambda as text rather than base64: text/*, JSON, JavaScript and XML.
func isText(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	switch {
	case strings.HasPrefix(mt, "text/"),
		mt == "application/json", mt == "application/javascript", mt == "application/ecmascript",
		mt == "application/xml", strings.HasSuffix(mt, "+json"), strings.HasSuffix(mt, "+xml"):
		return true
	}
	return false
}

// decodedPath is an escaped path, percent-decoded.
func decodedPath(escaped string) string {
	if p, err := url.PathUnescape(escaped); err == nil {
		return p
	}
	return escaped
}

// routeResource is the path template of a route, as 1.0 events name it
// ("$default" for the default route).
func routeResource(route *routeRecord) string {
	if route.Key == defaultRouteKey {
		return defaultRouteKey
	}
	_, path, _ := strings.Cut(route.Key, " ")
	return path
}

// domainName is the host name the request addressed, without its port:
// the custom domain name for a request that came through one.
func domainName(r *http.Request) string {
	if dr, ok := apigateway.DomainRequestOf(r.Context()); ok {
		return dr.Domain
	}
	if h, _, err := net.SplitHostPort(r.Host); err == nil {
		return h
	}
	return r.Host
}

// domainPrefix is requestContext.domainPrefix: the API's id, or the
// first label of the custom domain name a request came through.
func domainPrefix(r *http.Request, apiID string) string {
	if dr, ok := apigateway.DomainRequestOf(r.Context()); ok {
		return apigateway.DomainPrefix(dr.Domain)
	}
	return apiID
}

// buildEventV2 builds the 2.0 event of a request.
func (s *Service) buildEventV2(inv *invocation) *eventV2 {
	r := inv.r
	e := &eventV2{
		Version: "2.0", RouteKey: inv.route.Key, RawPath: inv.rawPath, RawQueryString: r.URL.RawQuery,
		Headers: map[string]string{}, PathParameters: inv.params,
		RequestContext: s.contextV2(inv),
	}
	for _, h := range inv.requestHeaders() {
		if h.name == "cookie" {
			for _, v := range h.values {
				for _, c := range strings.Split(v, ";") {
					if c = strings.TrimSpace(c); c != "" {
						e.Cookies = append(e.Cookies, c)
					}
				}
			}
			continue
		}
		e.Headers[h.name] = strings.Join(h.values, ",")
	}
	if qs := queryParams(r.URL.RawQuery); len(qs) > 0 {
		e.QueryStringParameters = make(map[string]string, len(qs))
		for _, q := range qs {
			e.QueryStringParameters[q.name] = strings.Join(q.values, ",")
		}
	}
	if len(inv.stage.Variables) > 0 {
		e.StageVariables = inv.stage.Variables
	}
	e.Body, e.IsBase64Encoded = inv.eventBody()
	if inv.auth != nil {
		e.RequestContext.Authorizer = inv.auth.forEventV2()
	}
	return e
}

func (s *Service) contextV2(inv *invocation) contextV2 {
	r := inv.r
	routeKey := ""
	if inv.route != nil {
		routeKey = inv.route.Key
	}
	return contextV2{
		AccountID: s.account, APIID: inv.api.ID,
		DomainName: domainName(r), DomainPrefix: domainPrefix(r, inv.api.ID),
		HTTP: httpV2{Method: r.Method, Path: decodedPath(inv.rawPath), Protocol: r.Proto,
			SourceIP: inv.sourceIP, UserAgent: r.UserAgent()},
		RequestID: inv.requestID, RouteKey: routeKey, Stage: inv.stage.Name,
		Time:      inv.received.UTC().Format(requestTimeLayout),
		TimeEpoch: inv.received.UnixMilli(),
	}
}

// buildEventV1 builds the 1.0 event of a request.
func (s *Service) buildEventV1(inv *invocation) *eventV1 {
	r := inv.r
	path := decodedPath(inv.rawPath)
	e := &eventV1{
		Version: "1.0", Resource: routeResource(inv.route), Path: path, HTTPMethod: r.Method,
		Headers: map[string]string{}, MultiValueHeaders: map[string][]string{},
		RequestContext: contextV1{
			AccountID: s.account, APIID: inv.api.ID,
			Authorizer: map[string]any{"claims": nil, "scopes": nil},
			DomainName: domainName(r), DomainPrefix: domainPrefix(r, inv.api.ID),
			ExtendedRequestID: inv.requestID, HTTPMethod: r.Method,
			Identity: identityV1{SourceIP: inv.sourceIP, UserAgent: r.UserAgent()},
			Path:     path, Protocol: r.Proto, RequestID: inv.requestID,
			RequestTime:      inv.received.UTC().Format(requestTimeLayout),
			RequestTimeEpoch: inv.received.UnixMilli(),
			ResourceID:       inv.route.Key, ResourcePath: routeResource(inv.route), Stage: inv.stage.Name,
		},
		PathParameters: inv.params,
	}
	for _, h := range inv.requestHeaders() {
		e.Headers[h.name] = h.values[len(h.values)-1]
		e.MultiValueHeaders[h.name] = h.values
	}
	if qs := queryParams(r.URL.RawQuery); len(qs) > 0 {
		e.QueryStringParameters = make(map[string]string, len(qs))
		e.MultiValueQueryStringParameters = make(map[string][]string, len(qs))
		for _, q := range qs {
			e.QueryStringParameters[q.name] = q.values[len(q.values)-1]
			e.MultiValueQueryStringParameters[q.name] = q.values
		}
	}
	if len(inv.stage.Variables) > 0 {
		e.StageVariables = inv.stage.Variables
	}
	e.Body, e.IsBase64Encoded = inv.eventBody()
	if inv.auth != nil && inv.auth.iam != nil {
		// The signer of a request to an AWS_IAM route is the caller.
		id, iam := &e.RequestContext.Identity, inv.auth.iam
		id.AccessKey, id.AccountID, id.Caller, id.User, id.UserArn = &iam.AccessKey, &iam.AccountID, &iam.CallerID, &iam.UserID, &iam.UserARN
		id.CognitoIdentityPoolID, id.CognitoIdentityID, id.CognitoAuthenticationType, id.CognitoAuthenticationProvider = inv.auth.caller.Cognito.EventFields()
	} else if inv.auth != nil {
		e.RequestContext.Authorizer = inv.auth.forEventV1()
	}
	return e
}
