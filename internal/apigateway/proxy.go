package apigateway

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The Lambda proxy integration (AWS_PROXY) hands the function the whole
// request as a payload format 1.0 event and turns its answer
// ({statusCode, headers, multiValueHeaders, body, isBase64Encoded}) into
// the response. An answer of any other shape, or a function error, is 502
// Internal server error; a function still running at the integration's
// timeout is 504.

// proxyEvent is the payload format 1.0 event, member for member as API
// Gateway sends it (nil maps are null).
type proxyEvent struct {
	Resource                        string              `json:"resource"`
	Path                            string              `json:"path"`
	HTTPMethod                      string              `json:"httpMethod"`
	Headers                         map[string]string   `json:"headers"`
	MultiValueHeaders               map[string][]string `json:"multiValueHeaders"`
	QueryStringParameters           map[string]string   `json:"queryStringParameters"`
	MultiValueQueryStringParameters map[string][]string `json:"multiValueQueryStringParameters"`
	PathParameters                  map[string]string   `json:"pathParameters"`
	StageVariables                  map[string]string   `json:"stageVariables"`
	RequestContext                  requestContext      `json:"requestContext"`
	Body                            *string             `json:"body"`
	IsBase64Encoded                 bool                `json:"isBase64Encoded"`
}

// requestContext is the event's requestContext.
type requestContext struct {
	ResourceID        string         `json:"resourceId"`
	ResourcePath      string         `json:"resourcePath"`
	OperationName     string         `json:"operationName,omitempty"`
	HTTPMethod        string         `json:"httpMethod"`
	ExtendedRequestID string         `json:"extendedRequestId"`
	RequestTime       string         `json:"requestTime"`
	Path              string         `json:"path"`
	AccountID         string         `json:"accountId"`
	Protocol          string         `json:"protocol"`
	Stage             string         `json:"stage"`
	DomainPrefix      string         `json:"domainPrefix"`
	RequestTimeEpoch  int64          `json:"requestTimeEpoch"`
	RequestID         string         `json:"requestId"`
	Identity          identity       `json:"identity"`
	DomainName        string         `json:"domainName"`
	DeploymentID      string         `json:"deploymentId"`
	APIID             string         `json:"apiId"`
	Authorizer        map[string]any `json:"authorizer,omitempty"`
}

// identity is requestContext.identity: who called, as far as API Gateway
// knows. Without IAM or Cognito authorization only the source address and
// user agent are known.
type identity struct {
	CognitoIdentityPoolID         *string `json:"cognitoIdentityPoolId"`
	AccountID                     *string `json:"accountId"`
	CognitoIdentityID             *string `json:"cognitoIdentityId"`
	Caller                        *string `json:"caller"`
	SourceIP                      string  `json:"sourceIp"`
	PrincipalOrgID                *string `json:"principalOrgId"`
	AccessKey                     *string `json:"accessKey"`
	CognitoAuthenticationType     *string `json:"cognitoAuthenticationType"`
	CognitoAuthenticationProvider *string `json:"cognitoAuthenticationProvider"`
	UserARN                       *string `json:"userArn"`
	UserAgent                     string  `json:"userAgent"`
	User                          *string `json:"user"`
	APIKey                        *string `json:"apiKey,omitempty"`
	APIKeyID                      *string `json:"apiKeyId,omitempty"`
}

// requestContext is what a request's requestContext holds before a
// method is found for it (the resource's fields are the event's to
// add): gateway responses to requests no method takes see these too.
func (s *Service) requestContext(req *request) requestContext {
	r := req.r
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	t := req.started.UTC()
	rc := requestContext{
		HTTPMethod:        r.Method,
		ExtendedRequestID: req.extendedID,
		RequestTime:       t.Format(requestTimeLayout),
		Path:              r.URL.EscapedPath(),
		AccountID:         s.account,
		Protocol:          r.Proto,
		Stage:             req.stage,
		DomainPrefix:      req.apiID,
		RequestTimeEpoch:  t.UnixMilli(),
		RequestID:         req.requestID,
		Identity:          req.identity(),
		DomainName:        host,
		APIID:             req.apiID,
		Authorizer:        req.authorizer,
	}
	if req.stage != "" {
		rc.Path = "/" + req.stage + req.path
	}
	// Through a custom domain, the path is the one the client sent,
	// base path included and no stage.
	if dr, ok := DomainRequestOf(r.Context()); ok {
		rc.DomainName, rc.DomainPrefix, rc.Path = dr.Domain, DomainPrefix(dr.Domain), dr.Path
	}
	if req.deployment != nil {
		rc.DeploymentID = req.deployment.ID
	}
	return rc
}

// identity is the request's requestContext.identity: its source and
// user agent, and for a signed request to an AWS_IAM method, its
// signer: the account, the access key, and the principal's id and ARN
// (AIDA... and user/NAME for an IAM user, AROA...:SESSION and
// assumed-role/ROLE/SESSION for a role session), and for credentials of
// a Cognito identity pool, the identity and how it signed in.
func (req *request) identity() identity {
	id := identity{SourceIP: sourceIP(req.r), UserAgent: req.r.UserAgent()}
	if c := req.caller; c != nil {
		id.AccountID, id.AccessKey, id.UserARN = &c.Account, &c.AccessKeyID, &c.ARN
		id.Caller, id.User = &c.UserID, &c.UserID
		id.CognitoIdentityPoolID, id.CognitoIdentityID, id.CognitoAuthenticationType, id.CognitoAuthenticationProvider = c.Cognito.EventFields()
	}
	return id
}

// requestTimeLayout is requestContext.requestTime's format.
const requestTimeLayout = "02/Jan/2006:15:04:05 -0700"

// event builds the payload format 1.0 event of a request.
func (s *Service) event(req *request) *proxyEvent {
	r := req.r
	m := req.match
	ev := &proxyEvent{
		Resource:       m.node.template,
		Path:           req.path,
		HTTPMethod:     r.Method,
		PathParameters: m.params,
		StageVariables: req.stageVars,
	}
	if len(ev.StageVariables) == 0 {
		ev.StageVariables = nil
	}
	ev.Headers, ev.MultiValueHeaders = eventHeaders(req)
	ev.QueryStringParameters, ev.MultiValueQueryStringParameters = eventQuery(r.URL.RawQuery)
	if len(req.body) > 0 {
		var body string
		if isBinary(req.deployment.API.BinaryMediaTypes, r.Header.Get("Content-Type")) {
			body = base64.StdEncoding.EncodeToString(req.body)
			ev.IsBase64Encoded = true
		} else {
			body = string(req.body)
		}
		ev.Body = &body
	}
	ev.RequestContext = s.requestContext(req)
	if dr, ok := DomainRequestOf(r.Context()); ok {
		ev.Path = dr.Path
	}
	ev.RequestContext.ResourceID, ev.RequestContext.ResourcePath = m.node.res.ID, m.node.template
	ev.RequestContext.OperationName = m.method.OperationName
	if m.method.APIKeyRequired {
		key := req.apiKey()
		ev.RequestContext.Identity.APIKey = &key
		ev.RequestContext.Identity.APIKeyID = &req.apiKeyID
	}
	return ev
}

// eventHeaders returns the request's headers as the event carries them:
// the last value of each, and all of them, with the headers API Gateway
// adds (Host, X-Forwarded-For, -Port and -Proto, X-Amzn-Trace-Id).
func eventHeaders(req *request) (map[string]string, map[string][]string) {
	r := req.r
	multi := make(map[string][]string, len(r.Header)+5)
	for k, vs := range r.Header {
		multi[k] = append([]string(nil), vs...)
	}
	multi["Host"] = []string{r.Host}
	ip := sourceIP(r)
	if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
		multi["X-Forwarded-For"] = []string{xff + ", " + ip}
	} else {
		multi["X-Forwarded-For"] = []string{ip}
	}
	port := "80"
	if a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		if _, p, err := net.SplitHostPort(a.String()); err == nil {
			port = p
		}
	}
	proto := "http"
	if r.TLS != nil {
		proto = "https"
	}
	multi["X-Forwarded-Port"] = []string{port}
	multi["X-Forwarded-Proto"] = []string{proto}
	multi["X-Amzn-Trace-Id"] = []string{req.traceID}
	// The names are the client's spellings, as a REST API keeps them;
	// those API Gateway adds are spelled as it spells them.
	single := make(map[string]string, len(multi))
	spelled := make(map[string][]string, len(multi))
	for k, vs := range multi {
		if name, ok := req.headerNames[k]; ok {
			k = name
		}
		single[k], spelled[k] = vs[len(vs)-1], vs
	}
	return single, spelled
}

// eventQuery returns a query string's parameters as the event carries
// them: the last value of each, and all of them in order; both nil for no
// query.
func eventQuery(raw string) (map[string]string, map[string][]string) {
	if raw == "" {
		return nil, nil
	}
	multi := map[string][]string{}
	for _, kv := range strings.Split(raw, "&") {
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		multi[unescapeQuery(k)] = append(multi[unescapeQuery(k)], unescapeQuery(v))
	}
	if len(multi) == 0 {
		return nil, nil
	}
	single := make(map[string]string, len(multi))
	for k, vs := range multi {
		single[k] = vs[len(vs)-1]
	}
	return single, multi
}

func unescapeQuery(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

// isBinary reports whether a media type (a Content-Type or Accept value)
// is one of the API's binary media types, which may be "type/*" or "*/*".
func isBinary(binaryTypes []string, mediaType string) bool {
	if len(binaryTypes) == 0 {
		return false
	}
	mt, _, err := mime.ParseMediaType(mediaType)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(mediaType))
	}
	main, _, _ := strings.Cut(mt, "/")
	for _, t := range binaryTypes {
		t = strings.ToLower(t)
		if t == "*/*" || t == mt || t == main+"/*" {
			return true
		}
	}
	return false
}

// lambdaProxy runs an AWS_PROXY integration.
func (s *Service) lambdaProxy(req *request, w http.ResponseWriter) *gatewayError {
	ig := req.match.method.Integration
	fn, ok := lambdaFunctionOf(ig.URI)
	if !ok {
		return errIntegration
	}
	fn = substituteStageVariables(fn, req.stageVars)
	payload, err := json.Marshal(s.event(req))
	if err != nil {
		return errIntegration
	}
	timeout := time.Duration(ig.TimeoutMillis) * time.Millisecond
	s.logEndpointRequest(req, s.lambdaEndpoint(fn), payload)
	start := s.clock.Now()
	out, fnErr, err := s.invokeFunction(req.r.Context(), fn, s.integrationSource(req), ig.Credentials, payload, timeout)
	s.integrationDone(req, start, 0)
	if err == nil {
		req.lambdaStatus = http.StatusOK
	}
	switch {
	case errors.Is(err, errTimedOut):
		return errTimeout
	case err != nil:
		return errIntegration
	case fnErr != "":
		return errBadResponse
	}
	res, err := parseProxyResponse(out)
	if err != nil {
		return errBadResponse
	}
	req.integrationStatus = res.status
	body := []byte(res.body)
	if res.base64 && isBinary(req.deployment.API.BinaryMediaTypes, firstAccept(req.r.Header.Get("Accept"))) {
		if body, err = base64.StdEncoding.DecodeString(res.body); err != nil {
			return errBadResponse
		}
	}
	h := w.Header()
	for _, kv := range res.headers {
		name := kv[0]
		if remapped[http.CanonicalHeaderKey(name)] {
			name = "X-Amzn-Remapped-" + name
		}
		h.Add(name, kv[1])
	}
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", "application/json")
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(res.status)
	w.Write(body)
	return nil
}

// remapped are the response headers API Gateway itself sets; a function's
// value for one is passed on as X-Amzn-Remapped-{name}.
var remapped = map[string]bool{"Connection": true, "Content-Length": true, "Date": true, "Server": true,
	"Transfer-Encoding": true, "X-Amzn-Requestid": true, "X-Amz-Apigw-Id": true}

// firstAccept is the first media type an Accept header lists.
func firstAccept(accept string) string {
	first, _, _ := strings.Cut(accept, ",")
	return strings.TrimSpace(first)
}

// substituteStageVariables replaces ${stageVariables.NAME} in an
// integration's URI with the stage's value.
func substituteStageVariables(s string, vars map[string]string) string {
	const open = "${stageVariables."
	for {
		i := strings.Index(s, open)
		if i < 0 {
			return s
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return s
		}
		name := s[i+len(open) : i+j]
		s = s[:i] + vars[name] + s[i+j+1:]
	}
}

// proxyResponse is a function's answer to a proxy integration.
type proxyResponse struct {
	status  int
	headers [][2]string // name, value; multiValueHeaders first
	body    string
	base64  bool
}

// errMalformed is a function answer that is not a proxy response.
var errMalformed = errors.New("malformed Lambda proxy response")

// parseProxyResponse reads a function's answer, strictly: a JSON object
// with statusCode (a number, or a string of one) and nothing but
// headers, multiValueHeaders, body (a string) and isBase64Encoded.
func parseProxyResponse(payload []byte) (*proxyResponse, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(payload, &raw); err != nil || raw == nil {
		return nil, errMalformed
	}
	res := &proxyResponse{}
	var single map[string]json.RawMessage
	var multi map[string][]json.RawMessage
	for k, v := range raw {
		isNull := bytes.Equal(v, []byte("null"))
		var err error
		switch k {
		case "statusCode":
			res.status, err = parseStatusCode(v)
		case "headers":
			err = json.Unmarshal(v, &single)
		case "multiValueHeaders":
			err = json.Unmarshal(v, &multi)
		case "body":
			if !isNull {
				err = json.Unmarshal(v, &res.body)
			}
		case "isBase64Encoded":
			if !isNull {
				err = json.Unmarshal(v, &res.base64)
			}
		default:
			err = errMalformed
		}
		if err != nil {
			return nil, errMalformed
		}
	}
	if res.status == 0 {
		return nil, errMalformed
	}
	seen := map[string]bool{}
	for name, vs := range multi {
		for _, v := range vs {
			s, ok := scalar(v)
			if !ok {
				return nil, errMalformed
			}
			res.headers = append(res.headers, [2]string{name, s})
		}
		seen[strings.ToLower(name)] = true
	}
	for name, v := range single {
		s, ok := scalar(v)
		if !ok {
			return nil, errMalformed
		}
		if !seen[strings.ToLower(name)] {
			res.headers = append(res.headers, [2]string{name, s})
		}
	}
	return res, nil
}

// parseStatusCode reads statusCode: an integer from 100 to 599, or a
// string holding one.
func parseStatusCode(v json.RawMessage) (int, error) {
	var n json.Number
	if err := json.Unmarshal(v, &n); err != nil {
		var s string
		if json.Unmarshal(v, &s) != nil {
			return 0, errMalformed
		}
		n = json.Number(s)
	}
	code, err := strconv.Atoi(string(n))
	if err != nil || code < 100 || code > 599 {
		return 0, fmt.Errorf("%w: statusCode %s", errMalformed, v)
	}
	return code, nil
}

// scalar renders a header value: a string as it is, a number or boolean
// as its JSON text; null and structures are not header values.
func scalar(v json.RawMessage) (string, bool) {
	if bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
		return "", false
	}
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s, true
	}
	t := string(bytes.TrimSpace(v))
	if t == "true" || t == "false" {
		return t, true
	}
	var n json.Number
	if json.Unmarshal(v, &n) == nil {
		return n.String(), true
	}
	return "", false
}
