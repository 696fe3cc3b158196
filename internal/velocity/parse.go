package velocity

import (
	"fmt"
	"strconv"
	"strings"
)

// Limits.
const (
	// maxDepth bounds the nesting of directives, expressions and JSON.
	maxDepth = 64
	// maxIterations: "#foreach ... limited to 1000 iterations" (API
	// Gateway's quotas for mapping templates).
	maxIterations = 1000
	// maxListItems bounds lists and maps a template builds.
	maxListItems = 100000
	// maxOutput bounds what a template writes, and maxSteps the text,
	// references and directives it runs (nested loops multiply).
	maxOutput = 10 << 20
	maxSteps  = 1 << 20
)

// SyntaxError is a template that does not parse.
type SyntaxError struct {
	Line int
	Msg  string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("velocity: line %d: %s", e.Line, e.Msg)
}

// Template is a parsed template.
type Template struct{ nodes []node }

// node is a part of a template's body.
type node interface{}

type (
	textNode string
	refNode  struct {
		ref   *refExpr
		quiet bool
	}
	setNode struct {
		target *refExpr
		value  expr
	}
	ifNode struct {
		conds  []expr
		blocks [][]node
		els    []node
	}
	foreachNode struct {
		name string
		list expr
		body []node
	}
	breakNode struct{}
	stopNode  struct{}
)

// expr is an expression in a directive or an argument.
type expr interface{}

type (
	litExpr   struct{ v any }
	interpStr struct{ nodes []node } // "double-quoted $interpolated"
	listExpr  struct{ items []expr }
	rangeExpr struct{ from, to expr }
	mapExpr   struct {
		keys []expr
		vals []expr
	}
	unaryExpr struct {
		op string
		x  expr
	}
	binExpr struct {
		op   string
		x, y expr
	}
	refExpr struct {
		name  string
		parts []refPart
	}
)

// refPart is .name, .name(args) or [index].
type refPart struct {
	name   string
	call   bool
	args   []expr
	index  expr
	isIdx  bool
	source string
}

// Parse parses a template.
func Parse(src string) (*Template, error) {
	p := &parser{src: src}
	nodes, end, err := p.body(0)
	if err != nil {
		return nil, err
	}
	if end != "" {
		return nil, p.errorf("#%s without a matching directive", end)
	}
	return &Template{nodes: nodes}, nil
}

type parser struct {
	src  string
	pos  int
	text strings.Builder // text not yet emitted
}

func (p *parser) errorf(format string, args ...any) error {
	return &SyntaxError{Line: 1 + strings.Count(p.src[:min(p.pos, len(p.src))], "\n"), Msg: fmt.Sprintf(format, args...)}
}

func isIdentStart(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' }
func isIdent(c byte) bool      { return isIdentStart(c) || c >= '0' && c <= '9' || c == '-' }

// identAt reads an identifier at i. As in Velocity 1.7, which API Gateway
// runs, a name may hold dashes: $context.responseOverride.header.X-Trace
// is one reference, and "$a-$b" is not $a then "-" (write ${a}-$b).
func identAt(s string, i int) int {
	if i >= len(s) || !isIdentStart(s[i]) {
		return i
	}
	j := i + 1
	for j < len(s) && isIdent(s[j]) {
		j++
	}
	return j
}

// flush emits pending text.
func (p *parser) flush(nodes []node) []node {
	if p.text.Len() > 0 {
		nodes = append(nodes, textNode(p.text.String()))
		p.text.Reset()
	}
	return nodes
}

// ownLine reports whether only spaces stand between the last newline (or
// the start) and position start.
func (p *parser) ownLine(start int) bool {
	for i := start - 1; i >= 0; i-- {
		switch p.src[i] {
		case ' ', '\t':
			continue
		case '\n':
			return true
		default:
			return false
		}
	}
	return true
}

// lead is the spaces a directive at start has before it on its line, when
// nothing else does; they are taken from the pending text. The directive
// gives them back with keepLead unless its line turns out to hold only
// it.
type lead struct {
	own    bool
	spaces string
}

func (p *parser) takeLead(start int) lead {
	if !p.ownLine(start) {
		return lead{}
	}
	t := p.text.String()
	trimmed := strings.TrimRight(t, " \t")
	p.text.Reset()
	p.text.WriteString(trimmed)
	return lead{own: true, spaces: t[len(trimmed):]}
}

// endLine consumes the rest of a directive's line, newline included, when
// the directive had the line to itself and only spaces follow it; it
// reports whether it did.
func (p *parser) endLine(l lead) bool {
	if !l.own {
		return false
	}
	j := p.pos
	for j < len(p.src) && (p.src[j] == ' ' || p.src[j] == '\t' || p.src[j] == '\r') {
		j++
	}
	if j < len(p.src) && p.src[j] != '\n' {
		return false
	}
	if j < len(p.src) {
		j++
	}
	p.pos = j
	return true
}

// keepLead returns the lead's spaces to the output when the line was not
// the directive's alone.
func keepLead(nodes []node, l lead, gobbled bool) []node {
	if !gobbled && l.spaces != "" {
		nodes = append(nodes, textNode(l.spaces))
	}
	return nodes
}

// directive names the directive at p.pos ("#set(", "#{end}", ...): its
// name and the position after it, or "" if there is none.
func (p *parser) directive() (string, int) {
	s := p.src
	i := p.pos + 1
	braced := i < len(s) && s[i] == '{'
	if braced {
		i++
	}
	j := i
	for j < len(s) && (s[j] >= 'a' && s[j] <= 'z') {
		j++
	}
	name := s[i:j]
	switch name {
	case "set", "if", "elseif", "else", "end", "foreach", "break", "stop":
	default:
		// "#elseif" is matched whole above; "#else" followed by
		// letters is not a directive.
		return "", 0
	}
	if braced {
		if j >= len(s) || s[j] != '}' {
			return "", 0
		}
		j++
	}
	return name, j
}

// body parses nodes until #end, #else or #elseif (returned as end) or the
// end of the source.
func (p *parser) body(depth int) (nodes []node, end string, err error) {
	if depth > maxDepth {
		return nil, "", p.errorf("directives nested too deeply")
	}
	s := p.src
	for p.pos < len(s) {
		c := s[p.pos]
		switch {
		case c == '\\' && p.pos+1 < len(s) && (s[p.pos+1] == '$' || s[p.pos+1] == '#'):
			p.text.WriteByte(s[p.pos+1])
			p.pos += 2
		case c == '#' && strings.HasPrefix(s[p.pos:], "##"):
			// A line comment runs to the end of its line and takes the
			// newline with it, and its line's spaces if it is alone.
			start := p.pos
			p.takeLead(start)
			if nl := strings.IndexByte(s[p.pos:], '\n'); nl < 0 {
				p.pos = len(s)
			} else {
				p.pos += nl + 1
			}
		case c == '#' && strings.HasPrefix(s[p.pos:], "#*"):
			e := strings.Index(s[p.pos+2:], "*#")
			if e < 0 {
				return nil, "", p.errorf("unterminated #* comment")
			}
			p.pos += 2 + e + 2
		case c == '#' && strings.HasPrefix(s[p.pos:], "#[["):
			e := strings.Index(s[p.pos+3:], "]]#")
			if e < 0 {
				return nil, "", p.errorf("unterminated #[[ block")
			}
			p.text.WriteString(s[p.pos+3 : p.pos+3+e])
			p.pos += 3 + e + 3
		case c == '#':
			name, after := p.directive()
			if name == "" {
				p.text.WriteByte(c)
				p.pos++
				continue
			}
			start := p.pos
			l := p.takeLead(start)
			nodes = p.flush(nodes)
			p.pos = after
			switch name {
			case "end", "else":
				p.endLine(l)
				return nodes, name, nil
			case "elseif":
				return nodes, name, nil
			case "break", "stop":
				nodes = keepLead(nodes, l, p.endLine(l))
				if name == "break" {
					nodes = append(nodes, breakNode{})
				} else {
					nodes = append(nodes, stopNode{})
				}
			case "set":
				n, err := p.set(depth)
				if err != nil {
					return nil, "", err
				}
				nodes = append(keepLead(nodes, l, p.endLine(l)), n)
			case "if":
				n, gobbled, err := p.ifDirective(l, depth)
				if err != nil {
					return nil, "", err
				}
				nodes = append(keepLead(nodes, l, gobbled), n)
			case "foreach":
				n, gobbled, err := p.foreach(l, depth)
				if err != nil {
					return nil, "", err
				}
				nodes = append(keepLead(nodes, l, gobbled), n)
			}
		case c == '$':
			start := p.pos
			ref, quiet, ok, err := p.textRef(depth)
			if err != nil {
				return nil, "", err
			}
			if !ok {
				p.pos = start + 1
				p.text.WriteByte('$')
				continue
			}
			nodes = append(p.flush(nodes), refNode{ref: ref, quiet: quiet})
		default:
			p.text.WriteByte(c)
			p.pos++
		}
	}
	return p.flush(nodes), "", nil
}

// open expects "(" after a directive name.
func (p *parser) open() error {
	p.spaces()
	if p.pos >= len(p.src) || p.src[p.pos] != '(' {
		return p.errorf("expected ( after the directive")
	}
	p.pos++
	return nil
}

func (p *parser) closeParen() error {
	p.spaces()
	if p.pos >= len(p.src) || p.src[p.pos] != ')' {
		return p.errorf("expected )")
	}
	p.pos++
	return nil
}

func (p *parser) set(depth int) (node, error) {
	if err := p.open(); err != nil {
		return nil, err
	}
	p.spaces()
	target, err := p.ref(depth)
	if err != nil {
		return nil, err
	}
	if target == nil {
		return nil, p.errorf("#set needs a $reference to set")
	}
	p.spaces()
	if p.pos >= len(p.src) || p.src[p.pos] != '=' {
		return nil, p.errorf("expected = in #set")
	}
	p.pos++
	v, err := p.expr(depth)
	if err != nil {
		return nil, err
	}
	if err := p.closeParen(); err != nil {
		return nil, err
	}
	return setNode{target: target, value: v}, nil
}

// ifDirective parses #if(...) ... #end after "#if"; gobbled reports
// whether its line held only it.
func (p *parser) ifDirective(l lead, depth int) (n ifNode, gobbled bool, err error) {
	first := true
	for {
		if err := p.open(); err != nil {
			return n, false, err
		}
		cond, err := p.expr(depth)
		if err != nil {
			return n, false, err
		}
		if err := p.closeParen(); err != nil {
			return n, false, err
		}
		if g := p.endLine(l); first {
			gobbled = g
		}
		first = false
		block, end, err := p.body(depth + 1)
		if err != nil {
			return n, false, err
		}
		n.conds = append(n.conds, cond)
		n.blocks = append(n.blocks, block)
		switch end {
		case "elseif":
			l = lead{own: true} // its spaces went with the block before
			continue
		case "else":
			els, end, err := p.body(depth + 1)
			if err != nil {
				return n, false, err
			}
			if end != "end" {
				return n, false, p.errorf("#else without #end")
			}
			n.els = els
			return n, gobbled, nil
		case "end":
			return n, gobbled, nil
		}
		return n, false, p.errorf("#if without #end")
	}
}

// foreach parses #foreach($x in ...) ... #end after "#foreach".
func (p *parser) foreach(l lead, depth int) (n foreachNode, gobbled bool, err error) {
	if err := p.open(); err != nil {
		return n, false, err
	}
	p.spaces()
	v, err := p.ref(depth)
	if err != nil {
		return n, false, err
	}
	if v == nil || len(v.parts) > 0 {
		return n, false, p.errorf("#foreach needs a $variable")
	}
	p.spaces()
	if !strings.HasPrefix(p.src[p.pos:], "in") || p.pos+2 < len(p.src) && isIdent(p.src[p.pos+2]) {
		return n, false, p.errorf("expected 'in' in #foreach")
	}
	p.pos += 2
	list, err := p.expr(depth)
	if err != nil {
		return n, false, err
	}
	if err := p.closeParen(); err != nil {
		return n, false, err
	}
	gobbled = p.endLine(l)
	body, end, err := p.body(depth + 1)
	if err != nil {
		return n, false, err
	}
	if end != "end" {
		return n, false, p.errorf("#foreach without #end")
	}
	return foreachNode{name: v.name, list: list, body: body}, gobbled, nil
}

// textRef reads a reference in text: $a, $!a, ${a}, $!{a}. ok is false
// when the $ starts none.
func (p *parser) textRef(depth int) (ref *refExpr, quiet, ok bool, err error) {
	s := p.src
	i := p.pos + 1
	if i < len(s) && s[i] == '!' {
		quiet = true
		i++
	}
	braced := i < len(s) && s[i] == '{'
	if braced {
		i++
	}
	if i >= len(s) || !isIdentStart(s[i]) {
		return nil, false, false, nil
	}
	p.pos = i
	ref, err = p.refBody(depth, braced)
	if err != nil {
		return nil, false, false, err
	}
	if braced {
		if p.pos >= len(s) || s[p.pos] != '}' {
			return nil, false, false, p.errorf("expected } to close ${")
		}
		p.pos++
	}
	return ref, quiet, true, nil
}

// ref reads a reference in an expression; nil if there is none at p.pos.
func (p *parser) ref(depth int) (*refExpr, error) {
	if p.pos >= len(p.src) || p.src[p.pos] != '$' {
		return nil, nil
	}
	r, _, ok, err := p.textRef(depth)
	if err != nil || !ok {
		return nil, err
	}
	return r, nil
}

// refBody reads name(.part)* at p.pos.
func (p *parser) refBody(depth int, braced bool) (*refExpr, error) {
	s := p.src
	j := identAt(s, p.pos)
	r := &refExpr{name: s[p.pos:j]}
	p.pos = j
	for p.pos < len(s) {
		switch {
		case s[p.pos] == '.' && p.pos+1 < len(s) && isIdentStart(s[p.pos+1]):
			k := identAt(s, p.pos+1)
			part := refPart{name: s[p.pos+1 : k]}
			start := p.pos
			p.pos = k
			if p.pos < len(s) && s[p.pos] == '(' {
				p.pos++
				args, err := p.args(depth, ')')
				if err != nil {
					return nil, err
				}
				part.call, part.args = true, args
			}
			part.source = s[start:p.pos]
			r.parts = append(r.parts, part)
		case s[p.pos] == '[':
			start := p.pos
			p.pos++
			idx, err := p.expr(depth + 1)
			if err != nil {
				return nil, err
			}
			p.spaces()
			if p.pos >= len(s) || s[p.pos] != ']' {
				return nil, p.errorf("expected ] after an index")
			}
			p.pos++
			r.parts = append(r.parts, refPart{isIdx: true, index: idx, source: s[start:p.pos]})
		default:
			return r, nil
		}
	}
	return r, nil
}

// args reads comma-separated expressions up to close.
func (p *parser) args(depth int, close byte) ([]expr, error) {
	var out []expr
	p.spaces()
	if p.pos < len(p.src) && p.src[p.pos] == close {
		p.pos++
		return out, nil
	}
	for {
		e, err := p.expr(depth + 1)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
		p.spaces()
		if p.pos >= len(p.src) {
			return nil, p.errorf("expected %c", close)
		}
		switch p.src[p.pos] {
		case ',':
			p.pos++
		case close:
			p.pos++
			return out, nil
		default:
			return nil, p.errorf("expected , or %c, found %q", close, p.src[p.pos])
		}
	}
}

func (p *parser) spaces() {
	for p.pos < len(p.src) && strings.IndexByte(" \t\r\n", p.src[p.pos]) >= 0 {
		p.pos++
	}
}

// word reports whether the word operator w (and, or, not, eq, ...) is at
// p.pos, and consumes it.
func (p *parser) word(w string) bool {
	if !strings.HasPrefix(p.src[p.pos:], w) {
		return false
	}
	if e := p.pos + len(w); e < len(p.src) && isIdent(p.src[e]) {
		return false
	}
	p.pos += len(w)
	return true
}

func (p *parser) symbol(syms ...string) string {
	for _, s := range syms {
		if strings.HasPrefix(p.src[p.pos:], s) {
			p.pos += len(s)
			return s
		}
	}
	return ""
}

func (p *parser) expr(depth int) (expr, error) {
	if depth > maxDepth {
		return nil, p.errorf("expression nested too deeply")
	}
	x, err := p.and(depth)
	if err != nil {
		return nil, err
	}
	for {
		p.spaces()
		if p.symbol("||") == "" && !p.word("or") {
			return x, nil
		}
		y, err := p.and(depth)
		if err != nil {
			return nil, err
		}
		x = binExpr{"||", x, y}
	}
}

func (p *parser) and(depth int) (expr, error) {
	x, err := p.not(depth)
	if err != nil {
		return nil, err
	}
	for {
		p.spaces()
		if p.symbol("&&") == "" && !p.word("and") {
			return x, nil
		}
		y, err := p.not(depth)
		if err != nil {
			return nil, err
		}
		x = binExpr{"&&", x, y}
	}
}

func (p *parser) not(depth int) (expr, error) {
	p.spaces()
	bang := p.pos < len(p.src) && p.src[p.pos] == '!' && !strings.HasPrefix(p.src[p.pos:], "!=")
	if bang {
		p.pos++
	}
	if bang || p.word("not") {
		if depth > maxDepth {
			return nil, p.errorf("expression nested too deeply")
		}
		x, err := p.not(depth + 1)
		if err != nil {
			return nil, err
		}
		return unaryExpr{"!", x}, nil
	}
	return p.cmp(depth)
}

var wordOps = map[string]string{"eq": "==", "ne": "!=", "lt": "<", "gt": ">", "le": "<=", "ge": ">="}

func (p *parser) cmp(depth int) (expr, error) {
	x, err := p.add(depth)
	if err != nil {
		return nil, err
	}
	p.spaces()
	op := p.symbol("==", "!=", "<=", ">=", "<", ">")
	if op == "" {
		for w, o := range wordOps {
			if p.word(w) {
				op = o
				break
			}
		}
	}
	if op == "" {
		return x, nil
	}
	y, err := p.add(depth)
	if err != nil {
		return nil, err
	}
	return binExpr{op, x, y}, nil
}

func (p *parser) add(depth int) (expr, error) {
	x, err := p.mul(depth)
	if err != nil {
		return nil, err
	}
	for {
		p.spaces()
		op := p.symbol("+", "-")
		if op == "" {
			return x, nil
		}
		y, err := p.mul(depth)
		if err != nil {
			return nil, err
		}
		x = binExpr{op, x, y}
	}
}

func (p *parser) mul(depth int) (expr, error) {
	x, err := p.unary(depth)
	if err != nil {
		return nil, err
	}
	for {
		p.spaces()
		op := p.symbol("*", "/", "%")
		if op == "" {
			return x, nil
		}
		y, err := p.unary(depth)
		if err != nil {
			return nil, err
		}
		x = binExpr{op, x, y}
	}
}

func (p *parser) unary(depth int) (expr, error) {
	p.spaces()
	if p.pos < len(p.src) && p.src[p.pos] == '-' && (p.pos+1 >= len(p.src) || p.src[p.pos+1] < '0' || p.src[p.pos+1] > '9') {
		p.pos++
		if depth > maxDepth {
			return nil, p.errorf("expression nested too deeply")
		}
		x, err := p.unary(depth + 1)
		if err != nil {
			return nil, err
		}
		return binExpr{"-", litExpr{int64(0)}, x}, nil
	}
	return p.primary(depth)
}

func (p *parser) primary(depth int) (expr, error) {
	p.spaces()
	s := p.src
	if p.pos >= len(s) {
		return nil, p.errorf("expected an expression")
	}
	switch c := s[p.pos]; {
	case c == '$':
		r, err := p.ref(depth)
		if err != nil {
			return nil, err
		}
		if r == nil {
			return nil, p.errorf("expected a reference after $")
		}
		return r, nil
	case c == '\'':
		v, end, ok := stringLiteral(s, p.pos)
		if !ok {
			return nil, p.errorf("unterminated string")
		}
		p.pos = end
		return litExpr{v}, nil
	case c == '"':
		raw, after, ok := stringLiteral(s, p.pos)
		if !ok {
			return nil, p.errorf("unterminated string")
		}
		line := p.pos
		p.pos = after
		if !strings.ContainsAny(raw, "$#") {
			return litExpr{raw}, nil
		}
		sub := &parser{src: raw}
		nodes, end, err := sub.body(depth + 1)
		if err != nil || end != "" {
			p.pos = line
			return nil, p.errorf("bad string %q", raw)
		}
		return interpStr{nodes}, nil
	case c == '-' || c >= '0' && c <= '9':
		j := p.pos + 1
		for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.' && j+1 < len(s) && s[j+1] >= '0' && s[j+1] <= '9') {
			j++
		}
		lit := s[p.pos:j]
		p.pos = j
		if strings.Contains(lit, ".") {
			f, err := strconv.ParseFloat(lit, 64)
			if err != nil {
				return nil, p.errorf("bad number %q", lit)
			}
			return litExpr{f}, nil
		}
		i, err := strconv.ParseInt(lit, 10, 64)
		if err != nil {
			return nil, p.errorf("bad number %q", lit)
		}
		return litExpr{i}, nil
	case c == '(':
		p.pos++
		x, err := p.expr(depth + 1)
		if err != nil {
			return nil, err
		}
		if err := p.closeParen(); err != nil {
			return nil, err
		}
		return x, nil
	case c == '[':
		p.pos++
		p.spaces()
		if p.pos < len(s) && s[p.pos] == ']' {
			p.pos++
			return listExpr{}, nil
		}
		first, err := p.expr(depth + 1)
		if err != nil {
			return nil, err
		}
		p.spaces()
		if strings.HasPrefix(s[p.pos:], "..") {
			p.pos += 2
			to, err := p.expr(depth + 1)
			if err != nil {
				return nil, err
			}
			p.spaces()
			if p.pos >= len(s) || s[p.pos] != ']' {
				return nil, p.errorf("expected ] after a range")
			}
			p.pos++
			return rangeExpr{first, to}, nil
		}
		items := []expr{first}
		if p.pos < len(s) && s[p.pos] == ',' {
			p.pos++
			rest, err := p.args(depth, ']')
			if err != nil {
				return nil, err
			}
			items = append(items, rest...)
		} else if p.pos < len(s) && s[p.pos] == ']' {
			p.pos++
		} else {
			return nil, p.errorf("expected , or ] in a list")
		}
		return listExpr{items}, nil
	case c == '{':
		p.pos++
		m := mapExpr{}
		p.spaces()
		if p.pos < len(s) && s[p.pos] == '}' {
			p.pos++
			return m, nil
		}
		for {
			k, err := p.expr(depth + 1)
			if err != nil {
				return nil, err
			}
			p.spaces()
			if p.pos >= len(s) || s[p.pos] != ':' {
				return nil, p.errorf("expected : in a map")
			}
			p.pos++
			v, err := p.expr(depth + 1)
			if err != nil {
				return nil, err
			}
			m.keys, m.vals = append(m.keys, k), append(m.vals, v)
			p.spaces()
			if p.pos >= len(s) {
				return nil, p.errorf("expected } to close a map")
			}
			if s[p.pos] == ',' {
				p.pos++
				continue
			}
			if s[p.pos] == '}' {
				p.pos++
				return m, nil
			}
			return nil, p.errorf("expected , or } in a map")
		}
	}
	switch {
	case p.word("true"):
		return litExpr{true}, nil
	case p.word("false"):
		return litExpr{false}, nil
	case p.word("null"):
		return litExpr{nil}, nil
	}
	return nil, p.errorf("unexpected %q", s[p.pos])
}

// stringLiteral reads the quoted string at i and returns its text and the
// position after it. As in Velocity 1.7, a quote written twice inside a
// string stands for one, and in a double-quoted string a backslash keeps
// the character after it from ending the string: "\"" is the two
// characters \", which a regular expression ($s.replaceAll("\"", ""))
// reads as a quote.
func stringLiteral(s string, i int) (string, int, bool) {
	q := s[i]
	var b strings.Builder
	for j := i + 1; j < len(s); j++ {
		switch c := s[j]; {
		case c == q && j+1 < len(s) && s[j+1] == q:
			b.WriteByte(q)
			j++
		case c == q:
			return b.String(), j + 1, true
		case c == '\\' && q == '"' && j+1 < len(s):
			b.WriteByte(c)
			b.WriteByte(s[j+1])
			j++
		default:
			b.WriteByte(c)
		}
	}
	return "", 0, false
}
