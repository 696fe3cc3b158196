package apigatewayv2

import (
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/virga/virga/internal/velocity"
)

// Parameter mapping changes what an HTTP proxy integration is sent
// (RequestParameters: append:, overwrite: and remove: of header.NAME and
// querystring.NAME, and overwrite:path) and what any integration's
// response becomes before it is returned (ResponseParameters, by status
// code: header.NAME, and overwrite:statuscode). Values are mapping
// expressions: $request... and $context... on the request side (see
// invocation.mappingValue), $response.header.NAME and $response.body[.a.b]
// on the response side, and static text.

var (
	requestMappingKey  = regexp.MustCompile(`^((append|overwrite|remove):(header|querystring)\.[^\s]+|overwrite:path)$`)
	responseMappingKey = regexp.MustCompile(`^((append|overwrite|remove):header\.[^\s]+|overwrite:statuscode)$`)
)

// checkParameterMapping checks an integration's mappings as
// CreateIntegration does.
func checkParameterMapping(integ *integrationRecord) error {
	if len(integ.RequestParameters) > 0 && integ.Subtype == "" && integ.Type != "HTTP_PROXY" {
		return ErrNotImplemented.WithMessage("Request parameter mapping for Lambda proxy integrations is not implemented by virga yet; HTTP_PROXY and AWS service integrations take it.")
	}
	if integ.Subtype == "" {
		for key := range integ.RequestParameters {
			if !requestMappingKey.MatchString(key) {
				return badRequest("Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression specified: %s]", key)
			}
		}
	}
	for status, m := range integ.ResponseParameters {
		if n, err := strconv.Atoi(status); err != nil || n < 200 || n > 599 {
			return badRequest("Invalid status code %s in ResponseParameters: use 200 to 599.", status)
		}
		for key := range m {
			if !responseMappingKey.MatchString(key) {
				return badRequest("Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression specified: %s]", key)
			}
		}
	}
	return nil
}

// mapRequest applies an HTTP proxy integration's request mappings to the
// request it sends.
func (inv *invocation) mapRequest(integ *integrationRecord, req *http.Request) {
	if len(integ.RequestParameters) == 0 {
		return
	}
	q := req.URL.Query()
	for _, key := range slices.Sorted(maps.Keys(integ.RequestParameters)) {
		v, ok := inv.mappingValue(integ.RequestParameters[key])
		action, target, _ := strings.Cut(key, ":")
		switch {
		case target == "path":
			if ok && v != "" {
				req.URL.Path, req.URL.RawPath = "/"+strings.TrimPrefix(v, "/"), ""
			}
		case strings.HasPrefix(target, "header."):
			name := strings.TrimPrefix(target, "header.")
			switch {
			case action == "remove":
				req.Header.Del(name)
			case !ok:
			case action == "append":
				req.Header.Add(name, v)
			default:
				req.Header.Set(name, v)
			}
		case strings.HasPrefix(target, "querystring."):
			name := strings.TrimPrefix(target, "querystring.")
			switch {
			case action == "remove":
				q.Del(name)
			case !ok:
			case action == "append":
				q.Add(name, v)
			default:
				q.Set(name, v)
			}
		}
	}
	req.URL.RawQuery = q.Encode()
}

// mapResponse applies the response mappings for the integration
// response's status code.
func (inv *invocation) mapResponse(integ *integrationRecord, res *response) *response {
	m := integ.ResponseParameters[strconv.Itoa(res.status)]
	if len(m) == 0 || res.gateway {
		return res
	}
	value := func(expr string) (string, bool) {
		return interpolate(expr, func(name string) (string, bool) {
			switch {
			case strings.HasPrefix(name, "response.header."):
				v := res.header.Get(strings.TrimPrefix(name, "response.header."))
				return v, v != ""
			case name == "response.body":
				return string(res.body), true
			case isBodyPath(name) && strings.HasPrefix(name, "response.body"):
				return jsonMember(res.body, strings.TrimPrefix(name, "response.body"))
			}
			return inv.variable(name)
		})
	}
	out := &response{status: res.status, header: res.header.Clone(), body: res.body}
	if out.header == nil {
		out.header = http.Header{}
	}
	for _, key := range slices.Sorted(maps.Keys(m)) {
		v, ok := value(m[key])
		action, target, _ := strings.Cut(key, ":")
		switch {
		case target == "statuscode":
			if n, err := strconv.Atoi(v); ok && err == nil && n >= 200 && n <= 599 {
				out.status = n
			}
		case strings.HasPrefix(target, "header."):
			name := strings.TrimPrefix(target, "header.")
			switch {
			case action == "remove":
				out.header.Del(name)
			case !ok:
			case action == "append":
				out.header.Add(name, v)
			default:
				out.header.Set(name, v)
			}
		}
	}
	return out
}

// jsonMember is what a JSON path (".a.b", ".items[0]", "['a b']") selects
// in a JSON body: a string as it is, anything else as JSON.
func jsonMember(body []byte, path string) (string, bool) {
	doc, err := velocity.ParseJSON(body)
	if err != nil {
		return "", false
	}
	v, err := velocity.JSONPath(doc, "$"+path)
	if err != nil || v == nil {
		return "", false
	}
	if s, ok := v.(string); ok {
		return s, true
	}
	return velocity.ToJSON(v), true
}
