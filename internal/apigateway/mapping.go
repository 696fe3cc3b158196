package apigateway

import (
	"encoding/base64"
	"encoding/json"
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/virga/virga/internal/velocity"
)

// Mapping templates (requestTemplates and responseTemplates) are Velocity
// templates (package velocity) over the variables API Gateway defines:
// $input (the payload: body, json(path), path(path), params()), $util
// (escapeJavaScript, parseJson, urlEncode, urlDecode, base64Encode,
// base64Decode), $context (what the proxy event's requestContext holds,
// plus requestOverride and responseOverride) and $stageVariables.

// contextMap is a request context as $context: its JSON, as Velocity
// values.
func contextMap(rc any) *velocity.Map {
	if b, err := json.Marshal(rc); err == nil {
		if v, err := velocity.ParseJSON(b); err == nil {
			if m, ok := v.(*velocity.Map); ok {
				return m
			}
		}
	}
	return velocity.NewMap()
}

// stageVariablesMap is $stageVariables: the stage's variables.
func (req *request) stageVariablesMap() *velocity.Map { return variablesMap(req.stageVars) }

// variablesMap is a string map as Velocity values.
func variablesMap(vars map[string]string) *velocity.Map {
	m := velocity.NewMap()
	for _, k := range slices.Sorted(maps.Keys(vars)) {
		m.Put(k, vars[k])
	}
	return m
}

// templateVars are a template's variables for req, with payload as
// $input's body: the method request's body in a request template, the
// integration's answer in a response template.
func (s *Service) templateVars(req *request, payload []byte) map[string]any {
	ctx := contextMap(s.event(req).RequestContext)
	override := velocity.NewMap()
	override.Put("header", velocity.NewMap())
	ctx.Put("responseOverride", override)
	reqOverride := velocity.NewMap()
	for _, k := range []string{"header", "querystring", "path"} {
		reqOverride.Put(k, velocity.NewMap())
	}
	ctx.Put("requestOverride", reqOverride)
	return map[string]any{
		"input":          &input{req: req, body: payload},
		"util":           util{},
		"context":        ctx,
		"stageVariables": req.stageVariablesMap(),
	}
}

// renderTemplate runs a mapping template; a template that fails is the
// integration's failure, as API Gateway answers it.
func (s *Service) renderTemplate(req *request, tmpl string, payload []byte) (string, map[string]any, *gatewayError) {
	t, err := velocity.Parse(tmpl)
	if err != nil {
		return "", nil, errIntegration
	}
	vars := s.templateVars(req, payload)
	out, err := t.Execute(vars)
	if err != nil {
		return "", nil, errIntegration
	}
	return out, vars, nil
}

// RenderTemplate runs a mapping template outside a REST API's method
// request, as WebSocket APIs run their integrations' templates: body is
// $input's payload, context (encoded as JSON) is $context, stageVars are
// $stageVariables, and $util is as in REST APIs. A message has no path,
// query string or headers, so $input.params() is empty.
func RenderTemplate(tmpl string, body []byte, context any, stageVars map[string]string) (string, error) {
	t, err := velocity.Parse(tmpl)
	if err != nil {
		return "", err
	}
	return t.Execute(map[string]any{"input": &input{body: body}, "util": util{},
		"context": contextMap(context), "stageVariables": variablesMap(stageVars)})
}

// input is $input.
type input struct {
	// req is the method request; nil for a template run outside one
	// (RenderTemplate), which has no parameters.
	req  *request
	body []byte

	parsed   any
	didParse bool
}

var _ velocity.Object = (*input)(nil)

func (in *input) Property(name string) (any, bool) {
	if name == "body" {
		return string(in.body), true
	}
	return nil, false
}

// doc is the payload as JSON; an empty payload is an empty object, as
// $input.json('$') answers {} for it. A payload that is not JSON (a form
// post, plain text) is one string, as API Gateway's lenient JSON reader
// takes it: $input.path('$') is the payload's text, which is how AWS's
// form-to-JSON templates read a form post.
func (in *input) doc() any {
	if !in.didParse {
		in.didParse = true
		if len(strings.TrimSpace(string(in.body))) == 0 {
			in.parsed = velocity.NewMap()
		} else if v, err := velocity.ParseJSON(in.body); err == nil {
			in.parsed = v
		} else {
			in.parsed = string(in.body)
		}
	}
	return in.parsed
}

func (in *input) Method(name string, args []any) (any, error) {
	switch {
	case (name == "json" || name == "path") && len(args) == 1:
		v, err := velocity.JSONPath(in.doc(), velocity.String(args[0]))
		if err != nil {
			return nil, nil
		}
		if name == "json" {
			return velocity.ToJSON(v), nil
		}
		return v, nil
	case name == "params" && len(args) == 0:
		return in.params(), nil
	case name == "params" && len(args) == 1 && in.req == nil:
		return "", nil
	case name == "params" && len(args) == 1:
		want := velocity.String(args[0])
		if v, ok := in.req.match.params[want]; ok {
			return v, nil
		}
		single, _ := eventQuery(in.req.r.URL.RawQuery)
		if v, ok := single[want]; ok {
			return v, nil
		}
		if vs := in.req.r.Header.Values(want); len(vs) > 0 {
			return vs[len(vs)-1], nil
		}
		return "", nil
	case name == "getBody" && len(args) == 0:
		return string(in.body), nil
	}
	return nil, velocity.ErrNoMethod
}

// params is $input.params(): path, querystring and header maps.
func (in *input) params() *velocity.Map {
	out := velocity.NewMap()
	if in.req == nil {
		for _, k := range []string{"path", "querystring", "header"} {
			out.Put(k, velocity.NewMap())
		}
		return out
	}
	r := in.req.r
	path := velocity.NewMap()
	for _, k := range slices.Sorted(maps.Keys(in.req.match.params)) {
		path.Put(k, in.req.match.params[k])
	}
	query := velocity.NewMap()
	single, _ := eventQuery(r.URL.RawQuery)
	for _, k := range slices.Sorted(maps.Keys(single)) {
		query.Put(k, single[k])
	}
	header := velocity.NewMap()
	for _, k := range slices.Sorted(maps.Keys(r.Header)) {
		vs := r.Header[k]
		header.Put(k, vs[len(vs)-1])
	}
	out.Put("path", path)
	out.Put("querystring", query)
	out.Put("header", header)
	return out
}

// util is $util.
type util struct{}

func (util) Property(string) (any, bool) { return nil, false }

func (util) Method(name string, args []any) (any, error) {
	if len(args) != 1 {
		return nil, velocity.ErrNoMethod
	}
	s := velocity.String(args[0])
	switch name {
	case "escapeJavaScript":
		return escapeJavaScript(s), nil
	case "parseJson":
		v, err := velocity.ParseJSON([]byte(s))
		if err != nil {
			return nil, nil
		}
		return v, nil
	case "urlEncode":
		return javaURLEncode(s), nil
	case "urlDecode":
		v, err := url.QueryUnescape(s)
		if err != nil {
			return nil, nil
		}
		return v, nil
	case "base64Encode":
		return base64.StdEncoding.EncodeToString([]byte(s)), nil
	case "base64Decode":
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return nil, nil
		}
		return string(b), nil
	}
	return nil, velocity.ErrNoMethod
}

// escapeJavaScript escapes a string as JavaScript's string rules do,
// which is what $util.escapeJavaScript does: quotes (both), backslash,
// slash and control characters, and everything outside ASCII as \uXXXX.
func escapeJavaScript(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\'':
			b.WriteString(`\'`)
		case '\\':
			b.WriteString(`\\`)
		case '/':
			b.WriteString(`\/`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			switch {
			case r < 0x20 || r > 0x7f && r <= 0xffff:
				b.WriteString(`\u`)
				b.WriteString(strings.ToUpper(hex4(r)))
			case r > 0xffff:
				r -= 0x10000
				b.WriteString(`\u` + strings.ToUpper(hex4(0xd800+(r>>10))))
				b.WriteString(`\u` + strings.ToUpper(hex4(0xdc00+(r&0x3ff))))
			default:
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}

func hex4(r rune) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[r>>12&15], digits[r>>8&15], digits[r>>4&15], digits[r&15]})
}

// javaURLEncode encodes as Java's URLEncoder with UTF-8: letters, digits
// and .-*_ stay, a space becomes +, every other byte %XX.
func javaURLEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '-', c == '*', c == '_':
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			b.WriteString("%" + strings.ToUpper(hex4(rune(c))[2:]))
		}
	}
	return b.String()
}
