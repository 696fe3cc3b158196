package insights

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// MaxLimit is the largest limit a query may ask for ("limit" command and
// StartQuery's limit alike): 10,000 log events.
const MaxLimit = 10000

type parser struct {
	src  []rune
	toks []token
	i    int
	// inStats is set while parsing stats' aggregations, the only place
	// aggregation functions may appear.
	inStats bool
	aggs    int
}

// Parse compiles a query. Errors are *Error.
func Parse(q string) (*Query, error) {
	toks, err := lex(q)
	if err != nil {
		return nil, err
	}
	p := &parser{src: []rune(q), toks: toks}
	out := &Query{}
	if p.peek().kind == tEOF {
		return nil, errorAt(0, len(p.src), "the query is empty")
	}
	dedup := false
	for {
		t := p.peek()
		if dedup && !(t.kind == tIdent && strings.EqualFold(t.text, "limit")) {
			// Only limit may follow dedup.
			return nil, p.unexpected(t)
		}
		c, err := p.command()
		if err != nil {
			return nil, err
		}
		if _, ok := c.(DedupCmd); ok {
			dedup = true
		}
		out.Commands = append(out.Commands, c)
		switch t := p.next(); t.kind {
		case tEOF:
			return out, nil
		case tPipe:
		default:
			return nil, p.unexpected(t)
		}
	}
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

func (p *parser) unexpected(t token) *Error {
	if t.kind == tEOF {
		return errorAt(t.start, t.end, "unexpected end of query")
	}
	return errorAt(t.start, t.end, "unexpected symbol found "+t.raw)
}

func (p *parser) keyword(words ...string) bool {
	t := p.peek()
	if t.kind != tIdent {
		return false
	}
	for _, w := range words {
		if strings.EqualFold(t.text, w) {
			return true
		}
	}
	return false
}

func (p *parser) expect(k tokKind) (token, error) {
	t := p.next()
	if t.kind != k {
		return t, p.unexpected(t)
	}
	return t, nil
}

func (p *parser) command() (Command, error) {
	t := p.next()
	if t.kind != tIdent {
		return nil, p.unexpected(t)
	}
	switch strings.ToLower(t.text) {
	case "fields":
		items, err := p.items(true)
		return FieldsCmd{Items: items}, err
	case "display":
		names, err := p.fieldList()
		return DisplayCmd{Fields: names}, err
	case "filter":
		e, err := p.expr()
		if err != nil {
			return nil, err
		}
		return FilterCmd{Cond: e}, nil
	case "stats":
		p.inStats, p.aggs = true, 0
		aggs, err := p.items(true)
		p.inStats = false
		if err != nil {
			return nil, err
		}
		if p.aggs == 0 {
			return nil, errorAt(t.start, p.toks[p.i-1].end, "stats needs an aggregation function")
		}
		s := StatsCmd{Aggs: aggs}
		if p.keyword("by") {
			p.next()
			if s.By, err = p.items(true); err != nil {
				return nil, err
			}
		}
		return s, nil
	case "sort":
		if p.keyword("by") {
			p.next()
		}
		var s SortCmd
		for {
			e, err := p.expr()
			if err != nil {
				return nil, err
			}
			k := SortKey{Expr: e, Desc: false}
			if p.keyword("asc", "desc") {
				k.Desc = strings.EqualFold(p.next().text, "desc")
			}
			s.Keys = append(s.Keys, k)
			if p.peek().kind != tComma {
				return s, nil
			}
			p.next()
		}
	case "limit", "head":
		n, err := p.expect(tNumber)
		if err != nil {
			return nil, err
		}
		v, perr := strconv.Atoi(n.text)
		if perr != nil || v < 1 || v > MaxLimit {
			return nil, errorAt(n.start, n.end, "limit must be between 1 and "+strconv.Itoa(MaxLimit))
		}
		return LimitCmd{N: v}, nil
	case "parse":
		return p.parseCmd()
	case "dedup":
		names, err := p.fieldList()
		return DedupCmd{Fields: names}, err
	}
	return nil, p.unexpected(t)
}

// items parses "expr [as name], ...".
func (p *parser) items(alias bool) ([]Item, error) {
	var out []Item
	for {
		start := p.peek().start
		e, err := p.expr()
		if err != nil {
			return nil, err
		}
		it := Item{Expr: e, Name: strings.TrimSpace(string(p.src[start:p.toks[p.i-1].end]))}
		if f, ok := e.(FieldRef); ok {
			it.Name = f.Name
		}
		if alias && p.keyword("as") {
			p.next()
			n, err := p.expect(tIdent)
			if err != nil {
				return nil, err
			}
			it.Name = n.text
		}
		out = append(out, it)
		if p.peek().kind != tComma {
			return out, nil
		}
		p.next()
	}
}

func (p *parser) fieldList() ([]string, error) {
	var out []string
	for {
		t, err := p.expect(tIdent)
		if err != nil {
			return nil, err
		}
		out = append(out, t.text)
		if p.peek().kind != tComma {
			return out, nil
		}
		p.next()
	}
}

// parseCmd is parse [field] "glob" as a, b or parse [field] /regex/.
func (p *parser) parseCmd() (Command, error) {
	var src Expr = FieldRef{Name: "@message"}
	if p.peek().kind == tIdent {
		src = FieldRef{Name: p.next().text}
	}
	t := p.next()
	switch t.kind {
	case tString:
		if !p.keyword("as") {
			return nil, p.unexpected(p.peek())
		}
		p.next()
		names, err := p.fieldList()
		if err != nil {
			return nil, err
		}
		parts := strings.Split(t.text, "*")
		if len(parts)-1 != len(names) {
			return nil, errorAt(t.start, p.toks[p.i-1].end, "the number of fields does not match the number of wildcards in the pattern")
		}
		var b strings.Builder
		for i, part := range parts {
			b.WriteString(regexp.QuoteMeta(part))
			switch {
			case i == len(parts)-1:
			case i == len(parts)-2 && parts[len(parts)-1] == "":
				b.WriteString("(.*)") // a trailing wildcard takes the rest
			default:
				b.WriteString("(.*?)")
			}
		}
		re, err := regexp.Compile(b.String())
		if err != nil {
			return nil, errorAt(t.start, t.end, "invalid pattern")
		}
		return ParseCmd{Src: src, Re: re, Names: names}, nil
	case tRegex:
		re, err := regexp.Compile(t.text)
		if err != nil {
			return nil, errorAt(t.start, t.end, "invalid regular expression: "+err.Error())
		}
		var names []string
		for _, n := range re.SubexpNames()[1:] {
			if n != "" {
				names = append(names, n)
			}
		}
		if len(names) == 0 {
			return nil, errorAt(t.start, t.end, "the regular expression has no named capturing group")
		}
		return ParseCmd{Src: src, Re: re, Names: names}, nil
	}
	return nil, p.unexpected(t)
}

// Expressions, loosest first: or, and, not, comparison, + -, * / %, ^,
// unary minus, operands.
func (p *parser) expr() (Expr, error) { return p.or() }

func (p *parser) or() (Expr, error) {
	l, err := p.and()
	for err == nil && p.keyword("or") {
		p.next()
		var r Expr
		if r, err = p.and(); err == nil {
			l = Binary{Op: "or", L: l, R: r}
		}
	}
	return l, err
}

func (p *parser) and() (Expr, error) {
	l, err := p.not()
	for err == nil && p.keyword("and") {
		p.next()
		var r Expr
		if r, err = p.not(); err == nil {
			l = Binary{Op: "and", L: l, R: r}
		}
	}
	return l, err
}

func (p *parser) not() (Expr, error) {
	if p.keyword("not") {
		p.next()
		x, err := p.not()
		if err != nil {
			return nil, err
		}
		return Unary{Op: "not", X: x}, nil
	}
	return p.comparison()
}

func (p *parser) comparison() (Expr, error) {
	l, err := p.additive()
	if err != nil {
		return nil, err
	}
	t := p.peek()
	op := ""
	switch {
	case t.kind == tOp && (t.text == "=" || t.text == "==" || t.text == "!=" || t.text == "<" || t.text == "<=" || t.text == ">" || t.text == ">="):
		op = t.text
		if op == "==" {
			op = "="
		}
	case t.kind == tOp && t.text == "=~":
		op = "like"
	case p.keyword("like"):
		op = "like"
	case p.keyword("in"):
		op = "in"
	case p.keyword("not"):
		n := p.toks[p.i+1]
		if n.kind == tIdent && strings.EqualFold(n.text, "like") {
			op = "not like"
		} else if n.kind == tIdent && strings.EqualFold(n.text, "in") {
			op = "not in"
		} else {
			return l, nil
		}
		p.next()
	default:
		return l, nil
	}
	p.next()
	var r Expr
	switch op {
	case "in", "not in":
		r, err = p.list()
	case "like", "not like":
		r, err = p.additive()
		if err == nil {
			switch r.(type) {
			case RegexLit, Literal:
			default:
				return nil, p.unexpected(p.toks[p.i-1])
			}
		}
	default:
		r, err = p.additive()
	}
	if err != nil {
		return nil, err
	}
	return Binary{Op: op, L: l, R: r}, nil
}

func (p *parser) list() (Expr, error) {
	if _, err := p.expect(tLBracket); err != nil {
		return nil, err
	}
	var l ListLit
	if p.peek().kind == tRBracket {
		p.next()
		return l, nil
	}
	for {
		e, err := p.additive()
		if err != nil {
			return nil, err
		}
		l.Items = append(l.Items, e)
		t := p.next()
		if t.kind == tRBracket {
			return l, nil
		}
		if t.kind != tComma {
			return nil, p.unexpected(t)
		}
	}
}

func (p *parser) binaryLevel(ops string, next func() (Expr, error)) (Expr, error) {
	l, err := next()
	for err == nil {
		t := p.peek()
		if t.kind != tOp || !strings.Contains(ops, t.text) || len(t.text) != 1 {
			return l, nil
		}
		p.next()
		var r Expr
		if r, err = next(); err == nil {
			l = Binary{Op: t.text, L: l, R: r}
		}
	}
	return nil, err
}

func (p *parser) additive() (Expr, error) { return p.binaryLevel("+-", p.multiplicative) }

func (p *parser) multiplicative() (Expr, error) { return p.binaryLevel("*/%", p.power) }

func (p *parser) power() (Expr, error) {
	l, err := p.unary()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind == tOp && t.text == "^" {
		p.next()
		r, err := p.power() // right associative
		if err != nil {
			return nil, err
		}
		return Binary{Op: "^", L: l, R: r}, nil
	}
	return l, nil
}

func (p *parser) unary() (Expr, error) {
	if t := p.peek(); t.kind == tOp && t.text == "-" {
		p.next()
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		return Unary{Op: "-", X: x}, nil
	}
	return p.operand()
}

func (p *parser) operand() (Expr, error) {
	t := p.next()
	switch t.kind {
	case tNumber:
		f, err := strconv.ParseFloat(t.text, 64)
		if err != nil {
			return nil, errorAt(t.start, t.end, "invalid number "+t.raw)
		}
		return Literal{Val: Num(f)}, nil
	case tPeriod:
		d, ok := parsePeriod(t.text)
		if !ok {
			return nil, p.unexpected(t)
		}
		return PeriodLit{D: d}, nil
	case tString:
		return Literal{Val: Str(t.text)}, nil
	case tRegex:
		re, err := regexp.Compile(t.text)
		if err != nil {
			return nil, errorAt(t.start, t.end, "invalid regular expression: "+err.Error())
		}
		return RegexLit{Re: re}, nil
	case tLParen:
		e, err := p.expr()
		if err != nil {
			return nil, err
		}
		if _, err := p.expect(tRParen); err != nil {
			return nil, err
		}
		return e, nil
	case tIdent:
		if p.peek().kind == tLParen && !strings.HasPrefix(t.raw, "`") {
			return p.call(t)
		}
		if isReserved(t.text) && !strings.HasPrefix(t.raw, "`") {
			return nil, p.unexpected(t)
		}
		return FieldRef{Name: t.text}, nil
	}
	return nil, p.unexpected(t)
}

func isReserved(w string) bool {
	switch strings.ToLower(w) {
	case "and", "or", "not", "like", "in", "as", "by", "asc", "desc":
		return true
	}
	return false
}

func (p *parser) call(name token) (Expr, error) {
	p.next() // (
	fn := strings.ToLower(name.text)
	c := &Call{Name: fn}
	if spec, ok := aggregations[fn]; ok {
		if !p.inStats {
			return nil, errorAt(name.start, name.end, "the aggregation function "+name.text+" can only be used in stats")
		}
		c.Agg, c.id = true, p.aggs
		p.aggs++
		if spec.star {
			if t := p.peek(); t.kind == tOp && t.text == "*" {
				p.next()
				c.Star = true
			}
		}
		// An aggregation's arguments are per-record expressions.
		p.inStats = false
		defer func() { p.inStats = true }()
	} else if _, ok := scalars[fn]; !ok {
		return nil, errorAt(name.start, name.end, "unknown function "+name.text)
	}
	if !c.Star && p.peek().kind != tRParen {
		for {
			e, err := p.expr()
			if err != nil {
				return nil, err
			}
			c.Args = append(c.Args, e)
			if p.peek().kind != tComma {
				break
			}
			p.next()
		}
	}
	end, err := p.expect(tRParen)
	if err != nil {
		return nil, err
	}
	min, max := arity(c)
	if n := len(c.Args); (n < min || (max >= 0 && n > max)) && !(c.Star && n == 0) {
		return nil, errorAt(name.start, end.end, "wrong number of arguments for "+name.text)
	}
	return c, nil
}

// parsePeriod reads a period such as 5m: a number and one of ms, s, m,
// h, d, w.
func parsePeriod(s string) (time.Duration, bool) {
	i := strings.IndexFunc(s, func(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' })
	n, err := strconv.ParseFloat(s[:i], 64)
	if err != nil || n <= 0 {
		return 0, false
	}
	var unit time.Duration
	switch strings.ToLower(s[i:]) {
	case "ms":
		unit = time.Millisecond
	case "s", "sec", "second", "seconds":
		unit = time.Second
	case "m", "min", "minute", "minutes":
		unit = time.Minute
	case "h", "hr", "hour", "hours":
		unit = time.Hour
	case "d", "day", "days":
		unit = 24 * time.Hour
	case "w", "week", "weeks":
		unit = 7 * 24 * time.Hour
	default:
		return 0, false
	}
	return time.Duration(n * float64(unit)), true
}
