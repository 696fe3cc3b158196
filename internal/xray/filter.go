package xray

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// The filter expression language of GetTraceSummaries and groups, as far
// as virga reads it:
//
//	expr      = or
//	or        = and { "OR" and }
//	and       = unary { "AND" unary }
//	unary     = "!" unary | "(" expr ")" | predicate
//	predicate = BOOL [ ("=" | "!=") ("true" | "false") ]   ok error throttle fault partial
//	          | NUMBER numop number                      responsetime duration http.status
//	          | STRING strop string                      http.url http.method http.useragent http.clientip user
//	          | "annotation." KEY [ op value ]            the key's value, or its presence
//	          | "service(" [ string ] ")" [ "{" expr "}" ]  a service the trace passes through,
//	                                                     whose own segments match expr
//	numop     = "=" | "!=" | "<" | "<=" | ">" | ">="
//	strop     = "=" | "!=" | "CONTAINS" | "BEGINSWITH" | "ENDSWITH"
//
// Keywords and operators are case-insensitive; strings are in double
// quotes with backslash escapes.

// maxFilterLength bounds an expression; AWS does not document one, and a
// longer one is more likely a mistake than a query.
const maxFilterLength = 2000

// filter is a parsed expression, evaluated against a trace's facts.
type filter interface {
	match(t *traceFacts) bool
}

type andFilter struct{ l, r filter }
type orFilter struct{ l, r filter }
type notFilter struct{ f filter }

func (f andFilter) match(t *traceFacts) bool { return f.l.match(t) && f.r.match(t) }
func (f orFilter) match(t *traceFacts) bool  { return f.l.match(t) || f.r.match(t) }
func (f notFilter) match(t *traceFacts) bool { return !f.f.match(t) }

// boolFilter is a boolean keyword, possibly compared with true or false.
type boolFilter struct {
	keyword string
	want    bool
}

func (f boolFilter) match(t *traceFacts) bool {
	var v bool
	switch f.keyword {
	case "ok":
		v = !t.fault && !t.error && !t.throttle
	case "error":
		v = t.error
	case "throttle":
		v = t.throttle
	case "fault":
		v = t.fault
	case "partial":
		v = t.partial
	}
	return v == f.want
}

// numberFilter compares a numeric keyword.
type numberFilter struct {
	keyword string
	op      string
	value   float64
}

func (f numberFilter) match(t *traceFacts) bool {
	var v float64
	switch f.keyword {
	case "responsetime":
		v = t.responseTime
	case "duration":
		v = t.duration
	case "http.status":
		if t.status == 0 {
			return false
		}
		v = float64(t.status)
	}
	return compareNumber(v, f.op, f.value)
}

func compareNumber(v float64, op string, want float64) bool {
	switch op {
	case "=":
		return v == want
	case "!=":
		return v != want
	case "<":
		return v < want
	case "<=":
		return v <= want
	case ">":
		return v > want
	case ">=":
		return v >= want
	}
	return false
}

// stringFilter compares a string keyword.
type stringFilter struct {
	keyword string
	op      string
	value   string
}

func (f stringFilter) match(t *traceFacts) bool {
	if f.keyword == "user" {
		for _, u := range t.users {
			if compareString(u, f.op, f.value) {
				return true
			}
		}
		return false
	}
	var v string
	switch f.keyword {
	case "http.url":
		v = t.url
	case "http.method":
		v = t.method
	case "http.useragent":
		v = t.userAgent
	case "http.clientip":
		v = t.clientIP
	}
	return compareString(v, f.op, f.value)
}

func compareString(v, op, want string) bool {
	switch op {
	case "=":
		return v == want
	case "!=":
		return v != want
	case "contains":
		return strings.Contains(v, want)
	case "beginswith":
		return strings.HasPrefix(v, want)
	case "endswith":
		return strings.HasSuffix(v, want)
	}
	return false
}

// annotationFilter tests an annotation of any segment of the trace: its
// presence (op empty), or its value.
type annotationFilter struct {
	key   string
	op    string
	value any // string, float64 or bool
}

func (f annotationFilter) match(t *traceFacts) bool {
	for _, v := range t.annotations[f.key] {
		if f.op == "" {
			return true
		}
		switch want := f.value.(type) {
		case string:
			if s, ok := v.(string); ok && compareString(s, f.op, want) {
				return true
			}
		case float64:
			if n, ok := v.(float64); ok && compareNumber(n, f.op, want) {
				return true
			}
		case bool:
			if b, ok := v.(bool); ok && (b == want) == (f.op == "=") {
				return true
			}
		}
	}
	return false
}

// serviceFilter matches traces through the named service (any service
// when the name is empty) and, with an inner filter, whose segments of
// that service match it: service("api") { fault } is a trace in which
// api faulted.
type serviceFilter struct {
	name  string
	inner filter
}

func (f serviceFilter) match(t *traceFacts) bool {
	for _, s := range t.services {
		if f.name != "" && s != f.name {
			continue
		}
		if f.inner == nil {
			return true
		}
		if sf := t.byService[s]; sf != nil && f.inner.match(sf) {
			return true
		}
	}
	return false
}

var (
	boolKeywords   = map[string]bool{"ok": true, "error": true, "throttle": true, "fault": true, "partial": true}
	numberKeywords = map[string]bool{"responsetime": true, "duration": true, "http.status": true}
	stringKeywords = map[string]bool{"http.url": true, "http.method": true, "http.useragent": true, "http.clientip": true, "user": true}
)

// parseFilter parses a filter expression; an empty one matches every
// trace (nil filter).
func parseFilter(src string) (filter, error) {
	if strings.TrimSpace(src) == "" {
		return nil, nil
	}
	if len(src) > maxFilterLength {
		return nil, fmt.Errorf("filter expression is longer than %d characters", maxFilterLength)
	}
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	f, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.pos < len(p.toks) {
		return nil, fmt.Errorf("unexpected %q at position %d", p.toks[p.pos].text, p.toks[p.pos].at)
	}
	return f, nil
}

type tokenKind int

const (
	tokWord tokenKind = iota // keywords, operators spelled as words, numbers, annotation.KEY
	tokString
	tokOp // = != < <= > >= ! ( ) { } && || ,
)

type token struct {
	kind tokenKind
	text string
	at   int
}

func lex(src string) ([]token, error) {
	var toks []token
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '"':
			var b strings.Builder
			j := i + 1
			for ; j < len(src) && src[j] != '"'; j++ {
				if src[j] == '\\' && j+1 < len(src) {
					j++
				}
				b.WriteByte(src[j])
			}
			if j >= len(src) {
				return nil, fmt.Errorf("unterminated string at position %d", i)
			}
			toks = append(toks, token{tokString, b.String(), i})
			i = j + 1
		case strings.IndexByte("=!<>(){},&|", c) >= 0:
			op := string(c)
			if i+1 < len(src) {
				two := src[i : i+2]
				switch two {
				case "!=", "<=", ">=", "&&", "||":
					op = two
				}
			}
			if op == "&" || op == "|" {
				return nil, fmt.Errorf("unexpected %q at position %d", op, i)
			}
			toks = append(toks, token{tokOp, op, i})
			i += len(op)
		case isWordByte(c):
			j := i
			for j < len(src) && isWordByte(src[j]) {
				j++
			}
			toks = append(toks, token{tokWord, src[i:j], i})
			i = j
		default:
			return nil, fmt.Errorf("unexpected character %q at position %d", rune(c), i)
		}
	}
	return toks, nil
}

func isWordByte(c byte) bool {
	return c == '.' || c == '_' || c == '-' || c == ':' || c == '/' || c == '+' || c < 0x80 && (unicode.IsLetter(rune(c)) || unicode.IsDigit(rune(c))) || c >= 0x80
}

type parser struct {
	toks []token
	pos  int
}

func (p *parser) peek() (token, bool) {
	if p.pos >= len(p.toks) {
		return token{}, false
	}
	return p.toks[p.pos], true
}

// isWord reports whether the next token is the word w (any case).
func (p *parser) isWord(w string) bool {
	t, ok := p.peek()
	return ok && t.kind == tokWord && strings.EqualFold(t.text, w)
}

func (p *parser) isOp(op string) bool {
	t, ok := p.peek()
	return ok && t.kind == tokOp && t.text == op
}

func (p *parser) or() (filter, error) {
	l, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.isWord("or") || p.isOp("||") {
		p.pos++
		r, err := p.and()
		if err != nil {
			return nil, err
		}
		l = orFilter{l, r}
	}
	return l, nil
}

func (p *parser) and() (filter, error) {
	l, err := p.unary()
	if err != nil {
		return nil, err
	}
	for p.isWord("and") || p.isOp("&&") {
		p.pos++
		r, err := p.unary()
		if err != nil {
			return nil, err
		}
		l = andFilter{l, r}
	}
	return l, nil
}

func (p *parser) unary() (filter, error) {
	t, ok := p.peek()
	if !ok {
		return nil, fmt.Errorf("filter expression ends unexpectedly")
	}
	if t.kind == tokOp && t.text == "!" || t.kind == tokWord && strings.EqualFold(t.text, "not") {
		p.pos++
		f, err := p.unary()
		if err != nil {
			return nil, err
		}
		return notFilter{f}, nil
	}
	if t.kind == tokOp && t.text == "(" {
		p.pos++
		f, err := p.or()
		if err != nil {
			return nil, err
		}
		if !p.isOp(")") {
			return nil, fmt.Errorf("missing ) for ( at position %d", t.at)
		}
		p.pos++
		return f, nil
	}
	if t.kind != tokWord {
		return nil, fmt.Errorf("unexpected %q at position %d", t.text, t.at)
	}
	p.pos++
	kw := strings.ToLower(t.text)
	switch {
	case boolKeywords[kw]:
		if p.isOp("=") || p.isOp("!=") {
			op := p.toks[p.pos].text
			p.pos++
			v, ok := p.peek()
			if !ok || v.kind != tokWord || (!strings.EqualFold(v.text, "true") && !strings.EqualFold(v.text, "false")) {
				return nil, fmt.Errorf("%s can only be compared with true or false", kw)
			}
			p.pos++
			want := strings.EqualFold(v.text, "true")
			if op == "!=" {
				want = !want
			}
			return boolFilter{kw, want}, nil
		}
		return boolFilter{kw, true}, nil
	case numberKeywords[kw]:
		op, err := p.operator(false)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", kw, err)
		}
		n, err := p.number()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", kw, err)
		}
		return numberFilter{kw, op, n}, nil
	case stringKeywords[kw]:
		op, err := p.operator(true)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", kw, err)
		}
		v, ok := p.peek()
		if !ok || v.kind != tokString {
			return nil, fmt.Errorf("%s must be compared with a string in double quotes", kw)
		}
		p.pos++
		return stringFilter{kw, op, v.text}, nil
	case strings.HasPrefix(kw, "annotation."):
		return p.annotation(t.text[len("annotation."):])
	case kw == "service":
		return p.service()
	}
	return nil, fmt.Errorf("unknown keyword %q at position %d", t.text, t.at)
}

// operator reads a comparison operator; strings also take CONTAINS,
// BEGINSWITH and ENDSWITH, numbers the orderings.
func (p *parser) operator(str bool) (string, error) {
	t, ok := p.peek()
	if !ok {
		return "", fmt.Errorf("missing operator")
	}
	op := strings.ToLower(t.text)
	switch {
	case t.kind == tokOp && (op == "=" || op == "!="):
	case t.kind == tokOp && !str && (op == "<" || op == "<=" || op == ">" || op == ">="):
	case t.kind == tokWord && str && (op == "contains" || op == "beginswith" || op == "endswith"):
	default:
		return "", fmt.Errorf("unexpected operator %q at position %d", t.text, t.at)
	}
	p.pos++
	return op, nil
}

func (p *parser) number() (float64, error) {
	t, ok := p.peek()
	if !ok || t.kind != tokWord {
		return 0, fmt.Errorf("missing number")
	}
	n, err := strconv.ParseFloat(t.text, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number", t.text)
	}
	p.pos++
	return n, nil
}

func (p *parser) annotation(key string) (filter, error) {
	if key == "" {
		return nil, fmt.Errorf("annotation keyword without a key")
	}
	t, ok := p.peek()
	compared := ok && (t.kind == tokOp && strings.Contains("= != < <= > >=", t.text) && t.text != "!" || t.kind == tokWord && isStringOp(t.text))
	if !compared {
		return annotationFilter{key: key}, nil
	}
	v, ok := p.peekAt(1)
	if !ok {
		return nil, fmt.Errorf("annotation.%s: missing value", key)
	}
	switch {
	case v.kind == tokString:
		op, err := p.operator(true)
		if err != nil {
			return nil, fmt.Errorf("annotation.%s: %w", key, err)
		}
		p.pos++
		return annotationFilter{key, op, v.text}, nil
	case v.kind == tokWord && (strings.EqualFold(v.text, "true") || strings.EqualFold(v.text, "false")):
		if !p.isOp("=") && !p.isOp("!=") {
			return nil, fmt.Errorf("annotation.%s: a boolean compares only with = and !=", key)
		}
		op := p.toks[p.pos].text
		p.pos += 2
		return annotationFilter{key, op, strings.EqualFold(v.text, "true")}, nil
	default:
		op, err := p.operator(false)
		if err != nil {
			return nil, fmt.Errorf("annotation.%s: %w", key, err)
		}
		n, err := p.number()
		if err != nil {
			return nil, fmt.Errorf("annotation.%s: %w", key, err)
		}
		return annotationFilter{key, op, n}, nil
	}
}

func isStringOp(w string) bool {
	w = strings.ToLower(w)
	return w == "contains" || w == "beginswith" || w == "endswith"
}

func (p *parser) peekAt(n int) (token, bool) {
	if p.pos+n >= len(p.toks) {
		return token{}, false
	}
	return p.toks[p.pos+n], true
}

func (p *parser) service() (filter, error) {
	if !p.isOp("(") {
		return nil, fmt.Errorf("service must be followed by (")
	}
	p.pos++
	name := ""
	if t, ok := p.peek(); ok && t.kind == tokString {
		name = t.text
		p.pos++
	}
	if !p.isOp(")") {
		return nil, fmt.Errorf("service() takes one service name in double quotes")
	}
	p.pos++
	f := serviceFilter{name: name}
	if open, ok := p.peek(); ok && open.kind == tokOp && open.text == "{" {
		p.pos++
		inner, err := p.or()
		if err != nil {
			return nil, err
		}
		if !p.isOp("}") {
			return nil, fmt.Errorf("missing } for { at position %d", open.at)
		}
		p.pos++
		f.inner = inner
	}
	return f, nil
}
